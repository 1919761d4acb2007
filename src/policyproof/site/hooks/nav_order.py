"""Orders the navigation by the pages' ``weight`` front matter, as Hugo did.

mkdocs.yml has no ``nav:``: MkDocs builds the navigation from the files, sorted by name. This
hook re-sorts every level the way the Hugo notes were ordered — pages by ``weight`` then title,
sections by the ``weight`` of their ``index.md`` — and names each section after its index page's
``title``, so a new note lands in the right place without editing mkdocs.yml.

``on_nav`` runs before MkDocs reads the pages, so the front matter is read here from the source
files. mkdocs-static-i18n builds the site once per language and calls this hook each time, with
that language's files (``page.en.md`` in the English build), so both navigations get ordered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

log = logging.getLogger("mkdocs.hooks.nav_order")


@dataclass(frozen=True)
class _Order:
    """What a page's front matter says about its place and name in the navigation."""

    weight: float | None
    title: str | None


def _read_order(page: Page) -> _Order:
    try:
        source = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")
    except (OSError, TypeError, UnicodeDecodeError):
        return _Order(None, None)  # MkDocs itself reports unreadable pages when it reads them
    _, meta = get_data(source)
    weight = meta.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        weight = None
    title = meta.get("title")
    return _Order(weight, str(title) if title is not None else None)


def _index_page(section: Section) -> Page | None:
    for child in section.children:
        if isinstance(child, Page) and child.is_index:
            return child
    return None


def _sort_key(item: object, orders: dict[int, _Order]) -> tuple:
    # The index page leads its section (Material's navigation.indexes needs it first); then, as
    # in Hugo, weighted entries by weight, unweighted ones after them; ties by title, then path.
    if isinstance(item, Page) and item.is_index:
        return (0, 0, 0.0, "", "")
    if isinstance(item, Section):
        index = _index_page(item)
        order = orders.get(id(index)) if index else None
        title = (order.title if order and order.title else item.title) or ""
        path = index.file.src_uri if index else ""
    elif isinstance(item, Page):
        order = orders.get(id(item))
        title = (order.title if order and order.title else None) or item.title or item.file.name
        path = item.file.src_uri
    else:  # a Link: keep it after the pages, in its original order
        return (2, 0, 0.0, "", "")
    weight = order.weight if order else None
    return (1, 0 if weight is not None else 1, weight or 0.0, title.casefold(), path)


def _sort_level(items: list, orders: dict[int, _Order]) -> None:
    for item in items:
        if isinstance(item, Section):
            index = _index_page(item)
            order = orders.get(id(index)) if index else None
            if order and order.title:
                item.title = order.title
            _sort_level(item.children, orders)
    items.sort(key=lambda item: _sort_key(item, orders))


def _pages_in_order(items: list) -> list[Page]:
    pages: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            pages.extend(_pages_in_order(item.children))
    return pages


def on_nav(nav: Navigation, config: object, files: object) -> Navigation:
    orders = {id(page): _read_order(page) for page in nav.pages}
    _sort_level(nav.items, orders)
    # "Previous" and "next" footer links follow the navigation order, so recompute them.
    nav.pages[:] = _pages_in_order(nav.items)
    for position, page in enumerate(nav.pages):
        page.previous_page = nav.pages[position - 1] if position > 0 else None
        page.next_page = nav.pages[position + 1] if position + 1 < len(nav.pages) else None
    return nav
