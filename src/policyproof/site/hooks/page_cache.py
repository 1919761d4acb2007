"""MkDocs hook: pages converted and indexed once, reused while what they are made of is unchanged.

See :mod:`policyproof.site.page_cache` for what is kept, what each entry is keyed by, and why a
reused page is the page MkDocs would have made.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from policyproof.site import page_cache
from policyproof.site.hooks.site_languages import is_nested_build, site_root
from policyproof.site.page_cache import PageCache

log = logging.getLogger("mkdocs.hooks.page_cache")

_cache: PageCache | None = None


# Last: every plugin has chosen the build's files (mkdocs-static-i18n: the language's) and its
# configuration; MkDocs converts the pages right after this event.
@event_priority(-1000)
def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    global _cache
    _cache = page_cache.for_site(site_root(config))
    if _cache is not None:
        # mkdocs-static-i18n builds each other language as a build nested in the first one.
        _cache.start(config, files, new_build=not is_nested_build(config))
    return nav


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    cache = _cache
    if cache is not None:
        convert = page.render

        # MkDocs calls ``page.render(config, files)`` next: this page's call goes through the cache.
        def render(config: MkDocsConfig, files: Files) -> None:
            cache.render(page, config, files, lambda: convert(config, files))

        page.render = render  # type: ignore[method-assign]
    return markdown


# Before Material's search plugin (priority 0) indexes the page; after the hooks that change its
# HTML for the index (proof.py, priority 50).
@event_priority(10)
def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation
) -> dict[str, Any]:
    cache = _cache
    index = search_index(config)
    if cache is None or index is None or getattr(index, "_policyproof_cached", False):
        return context
    add = index.add_entry_from_context

    def add_entry_from_context(page: Page) -> None:
        cache.index_page(index, page, add)

    index.add_entry_from_context = add_entry_from_context
    index._policyproof_cached = True
    return context


def search_index(config: MkDocsConfig) -> Any:
    """Material's search index of this build (the plugin makes a new one in each build)."""
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.search") and hasattr(plugin, "search_index"):
            return plugin.search_index
    return None


@event_priority(-300)
def on_post_build(config: MkDocsConfig) -> None:
    if _cache is not None and not is_nested_build(config):
        log.info(f"policyproof: {_cache.summary()}")
