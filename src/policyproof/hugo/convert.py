"""Convert one Hugo page: its shortcodes to MkDocs/Material Markdown, its links, images, policies.

Mapping (Material for MkDocs with pymdownx.details and pymdownx.tabbed, as in mkdocs.yml):

- ``notice`` (learn: ``note``/``info``/``tip``/``warning``; relearn: ``style=``, ``title=``)
  -> ``!!! type "title"`` admonition
- ``expand`` -> ``??? note "title"`` collapsible block (``???+`` when relearn's ``expanded=true``)
- ``tabs``/``tab`` -> ``=== "title"`` content tabs
- ``children`` -> a list of links to the child pages, ordered by weight then title
- ``ref``/``relref`` -> a relative ``.md`` link; ``figure`` -> an image with its caption
- any other shortcode: reported with its line and left in the page as it was
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from policyproof.hugo.markdown import convert_text, is_external, looks_like_file
from policyproof.hugo.policies import Policy, snippet_name
from policyproof.hugo.report import ImportReport
from policyproof.hugo.shortcodes import Escaped, Node, Shortcode, Text
from policyproof.hugo.source import SITE_DEFAULT_LANG, SITE_LANGS, ContentTree, SourcePage, split_language

#: learn/relearn notice style -> nearest Material admonition type
NOTICE_TYPES: dict[str, str] = {
    "note": "note",
    "info": "info",
    "tip": "tip",
    "warning": "warning",
    "caution": "danger",
    "important": "warning",
    "danger": "danger",
    "error": "failure",
    "primary": "note",
    "secondary": "note",
    "accent": "note",
    "default": "note",
    "neutral": "note",
    "transparent": "note",
    "grey": "note",
    "blue": "info",
    "green": "success",
    "orange": "warning",
    "red": "danger",
    "code": "example",
    "link": "note",
    "action": "note",
}

#: title of a collapsible block whose Hugo ``expand`` has none
EXPAND_TITLES: dict[str, str] = {"vi": "Xem chi tiết", "en": "Details"}

_INDENT = "    "
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
_TRUE = ("true", "yes", "1")


@dataclass
class SnippetRegistry:
    """Snippets per page, shared by the page's languages so both include the same files."""

    by_page: dict[PurePosixPath, list[tuple[str, str]]] = field(default_factory=dict)
    files: dict[str, tuple[str, str, int, str]] = field(
        default_factory=dict
    )  # path -> text, file, line, kind

    def add(self, page: SourcePage, policy: Policy, label: str, line: int) -> str:
        entries = self.by_page.setdefault(page.page_key, [])
        text = policy.text()
        for existing_text, name in entries:
            if existing_text == text:
                return f"{page.page_key.as_posix()}/{name}"
        assert policy.kind is not None
        name = snippet_name(len(entries) + 1, label, policy.kind)
        entries.append((text, name))
        path = f"{page.page_key.as_posix()}/{name}"
        self.files[path] = (text, page.display, line, policy.kind)
        return path


@dataclass
class PageContext:
    """Everything converting one page needs, and what it produces besides the page text."""

    page: SourcePage
    tree: ContentTree
    report: ImportReport
    snippets: SnippetRegistry
    copies: dict[PurePosixPath, Path]  # docs-relative destination -> file to copy there
    last_label: str = ""

    # -- the page -------------------------------------------------------------------------
    def render(self, nodes: list[Node]) -> str:
        out = ""
        after_block = False
        for node in nodes:
            if isinstance(node, Text):
                text = convert_text(node.text, node.line, self)
                if after_block:
                    # the rest of the closing tag's line and the blank lines after it; text on
                    # that same line starts a new paragraph
                    if text.split("\n", 1)[0].strip():
                        text = text.lstrip(" \t")
                    else:
                        text = _LEADING_BLANK_LINES.sub("", text)
                    after_block = False
                out += text
            elif isinstance(node, Escaped):
                out += node.literal
            else:
                converted = self.shortcode(node)
                if converted is None:  # inline result or left as it was
                    continue
                text, is_block = converted
                if not is_block:
                    out += text
                    continue
                out = _end_paragraph(out)
                if text:
                    out += textwrap.indent(text, node.indent or "", lambda row: bool(row.strip())) + "\n\n"
                after_block = True
        return out

    def content(self, node: Shortcode) -> str:
        """A paired shortcode's inner Markdown, dedented and without surrounding blank lines."""
        inner = textwrap.dedent(self.render(node.children))
        return _LEADING_BLANK_LINES.sub("", inner).rstrip()

    # -- shortcodes ---------------------------------------------------------------------------
    def shortcode(self, node: Shortcode) -> tuple[str, bool] | None:
        handler = getattr(self, f"_sc_{node.name.replace('-', '_')}", None)
        if handler is None:
            return self._leave(node, "has no equivalent on this site")
        return handler(node)

    def _leave(self, node: Shortcode, why: str) -> tuple[str, bool]:
        self.report.problem(
            self.page.display, node.line, f"shortcode '{node.raw_open}' {why}; left in the page as it was"
        )
        inner = self.render(node.children) if node.paired else ""
        return node.raw_open + inner + node.raw_close, False

    def _count(self, name: str) -> None:
        self.report.shortcodes[name] += 1

    def _sc_notice(self, node: Shortcode) -> tuple[str, bool]:
        style = (node.arg("style", 0) or "default").lower()
        kind = NOTICE_TYPES.get(style)
        if kind is None:
            kind = "note"
            self.report.note(
                self.page.display,
                node.line,
                f"notice style '{style}' has no admonition of its own; shown as 'note'",
            )
        title = node.arg("title", 1)
        content = node.arg("content") if not node.paired else self.content(node)
        self._count("notice")
        return _admonition("!!!", kind, title, content or ""), True

    def _sc_expand(self, node: Shortcode) -> tuple[str, bool]:
        title = node.arg("title", 0) or EXPAND_TITLES.get(self.page.lang, "Details")
        expanded = (node.arg("expanded", 1) or node.arg("open") or "").lower() in _TRUE
        self._count("expand")
        return _admonition("???+" if expanded else "???", "note", title, self.content(node)), True

    def _sc_tabs(self, node: Shortcode) -> tuple[str, bool]:
        blocks: list[str] = []
        title = node.arg("title")
        if title:
            blocks.append(f"**{title}**")
        number = 0
        for child in node.children:
            if isinstance(child, Shortcode) and child.name == "tab":
                number += 1
                blocks.append(self._tab(child, number))
            elif isinstance(child, Text) and not child.text.strip():
                continue
            else:
                line = child.line
                self.report.note(
                    self.page.display, line, "content between tabs (outside any 'tab') kept before the tabs"
                )
                blocks.insert(0, self.render([child]).strip())
        self._count("tabs")
        return "\n\n".join(blocks), True

    def _sc_tab(self, node: Shortcode) -> tuple[str, bool]:
        return self._tab(node, 1), True

    def _tab(self, node: Shortcode, number: int) -> str:
        title = node.arg("title", 0) or node.arg("name") or f"Tab {number}"
        self._count("tab")
        return f'=== "{_quote_title(title)}"\n\n' + textwrap.indent(self.content(node), _INDENT)

    def _sc_children(self, node: Shortcode) -> tuple[str, bool]:
        self._count("children")
        try:
            depth = max(1, int(node.arg("depth") or 1))
        except ValueError:
            depth = 1
        show_hidden = (node.arg("showhidden") or "").lower() in _TRUE
        describe = (node.arg("description") or "").lower() in _TRUE
        if not self.page.is_index:
            self.report.note(
                self.page.display, node.line, "'children' on a page that is not a section index lists nothing"
            )
            return "", True
        lines = self._children_lines(self.page.rel_dir, 0, depth, show_hidden, describe)
        if not lines:
            self.report.note(
                self.page.display, node.line, "'children': this section has no child pages in this language"
            )
        return "\n".join(lines), True

    def _children_lines(
        self, folder: PurePosixPath, level: int, depth: int, show_hidden: bool, describe: bool
    ) -> list[str]:
        entries: list[tuple[tuple, str, str | None, PurePosixPath | None, str]] = []
        for child in self.tree.pages:
            if child.lang != self.page.lang or (child.hidden and not show_hidden):
                continue
            if child.rel_dir == folder and not child.is_index:
                entries.append(
                    (
                        _order(child),
                        child.title,
                        child.link_path.as_posix(),
                        None,
                        _description(child, describe),
                    )
                )
        for sub in sorted(self.tree.subfolders(folder)):
            index = self.tree.in_lang(sub / "index.md", self.page.lang)
            if index is not None and index.hidden and not show_hidden:
                continue
            if index is None and not self.tree.has_pages_under(sub, self.page.lang):
                continue
            order = _order(index) if index else (1, 0.0, sub.name.casefold())
            title = index.title if index else sub.name
            link = index.link_path.as_posix() if index else None
            entries.append((order, title, link, sub, _description(index, describe) if index else ""))
        lines: list[str] = []
        for _, title, link, sub, description in sorted(entries, key=lambda entry: entry[0]):
            text = _escape_link_text(title)
            if link:
                target = posixpath.relpath(link, self.page.rel_dir.as_posix())
                item = f"[{text}]({quote(target)})"
            else:
                item = text
            lines.append(f"{_INDENT * level}- {item}{description}")
            if sub is not None and level + 1 < depth:
                lines.extend(self._children_lines(sub, level + 1, depth, show_hidden, describe))
        return lines

    def _sc_ref(self, node: Shortcode) -> tuple[str, bool] | None:
        target = node.arg("path", 0)
        path, _, fragment = (target or "").partition("#")
        link = self.resolve_ref(path) if path else None
        if link is None:
            return self._leave(node, f"points to '{target}', which matches no page")
        self._count(node.name)
        self._check_language(link, node.line)
        relative = quote(posixpath.relpath(link.as_posix(), self.page.rel_dir.as_posix()))
        return relative + (f"#{fragment}" if fragment else ""), False

    _sc_relref = _sc_ref

    def _sc_figure(self, node: Shortcode) -> tuple[str, bool]:
        source = node.arg("src", 0) or ""
        caption = node.arg("caption") or node.arg("title") or ""
        alt = node.arg("alt") or caption
        self._count("figure")
        image = f"![{_escape_link_text(alt)}]({self.rewrite_url(source, node.line, image=True, html=False)})"
        return image + (f"\n\n*{caption}*" if caption else ""), True

    # -- links, images, snippets --------------------------------------------------------------
    def add_snippet(self, policy: Policy, line: int) -> str:
        return self.snippets.add(self.page, policy, self.last_label, line)

    def rewrite_url(self, url: str, line: int, *, image: bool, html: bool) -> str:
        if is_external(url):
            return url
        path, hash_mark, fragment = url.partition("#")
        path = unquote(path.split("?", 1)[0])
        anchor = hash_mark + fragment
        if not image:
            link = self.resolve_page_url(path)
            if link is not None:
                self._check_language(link, line)
                return self._relative(link, html, page_link=True) + anchor
        if image or looks_like_file(path):
            asset = self.resolve_asset(path)
            if asset is not None:
                return self._relative(asset, html, page_link=False) + anchor
            where = (
                f" (looked in {self.tree.static} and the content folder)"
                if self.tree.static
                else " (no static/ folder found)"
            )
            self.report.problem(
                self.page.display, line, f"file '{url}' not found{where}; link left as it was"
            )
            return url
        self.report.problem(self.page.display, line, f"link '{url}' matches no imported page; left as it was")
        return url

    def _relative(self, target: PurePosixPath, html: bool, *, page_link: bool) -> str:
        if not html:
            return quote(posixpath.relpath(target.as_posix(), self.page.rel_dir.as_posix()))
        # Raw HTML is not rewritten by MkDocs: link from the page's published URL (directory URLs).
        here = _site_url(self.page.link_path)
        there = _site_url(target) if page_link else target.as_posix()
        relative = posixpath.relpath(there, here)
        return quote(relative + ("/" if page_link and relative != "." else ""))

    def _check_language(self, link: PurePosixPath, line: int) -> None:
        if self.tree.in_lang(link, self.page.lang) is None:
            self.report.problem(
                self.page.display,
                line,
                f"links to {link} which has no '{self.page.lang}' version; the link breaks in that language",
            )

    def resolve_page_url(self, path: str) -> PurePosixPath | None:
        if not path:
            return None
        if path.lower().endswith((".md", ".markdown")):
            return self.resolve_ref(path)
        if path.startswith("/"):
            candidates = [_strip_language_prefix(path)]
        else:
            candidates = [self.page.hugo_url + path, "/" + _folder_url(self.page.rel_dir) + path]
        for candidate in candidates:
            normalized = posixpath.normpath(re.sub(r"(index)?\.html?$", "", candidate)).lower()
            link = self.tree.by_url.get(normalized.rstrip("/") + "/")
            if link is not None:
                return link
        return None

    def resolve_ref(self, path: str) -> PurePosixPath | None:
        """Hugo's ref: from the content root ('/...'), else from the page's folder, else a unique name."""
        path = path.strip()
        if path.startswith("/"):
            candidates = [path.lstrip("/")]
        else:
            candidates = [posixpath.normpath(posixpath.join(self.page.rel_dir.as_posix(), path))]
        for candidate in candidates:
            link = self._page_at(candidate)
            if link is not None:
                return link
        name = PurePosixPath(path).name
        matches = {page.link_path for page in self.tree.pages if self._page_at_name(page, name)}
        return matches.pop() if len(matches) == 1 else None

    def _page_at(self, candidate: str) -> PurePosixPath | None:
        if candidate.startswith(".."):
            return None
        pure = PurePosixPath(candidate)
        stem = pure.name
        for suffix in (".md", ".markdown"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        base, lang = split_language(stem, "")
        if lang and lang not in SITE_LANGS:
            base = stem
        base = "index" if base in ("_index", "index") else base
        for link in (pure.parent / f"{base}.md", pure / "index.md" if stem == pure.name else None):
            if link is not None and link in self.tree.by_link:
                return link
        return None

    @staticmethod
    def _page_at_name(page: SourcePage, name: str) -> bool:
        return page.source.name == name or page.source.stem == name or page.base == name

    def resolve_asset(self, path: str) -> PurePosixPath | None:
        """The docs-relative place of a file the page shows; files from static/ are planned for copy."""
        if path.startswith("/"):
            relative = posixpath.normpath(path.lstrip("/"))
            if relative.startswith(".."):
                return None
            if self.tree.static is not None and (self.tree.static / relative).is_file():
                return self._plan_copy(self.page.rel_dir / relative, self.tree.static / relative)
            if (self.tree.root / relative).is_file():
                return self._plan_copy(PurePosixPath(relative), self.tree.root / relative)
            return None
        for base in (self.page.hugo_url.lstrip("/"), _folder_url(self.page.rel_dir)):
            relative = posixpath.normpath(posixpath.join(base, path))
            if not relative.startswith("..") and (self.tree.root / relative).is_file():
                return self._plan_copy(PurePosixPath(relative), self.tree.root / relative)
        return None

    def _plan_copy(self, destination: PurePosixPath, origin: Path) -> PurePosixPath:
        """Copy ``origin`` to ``destination`` in docs/; the page links to ``destination``.

        With ``fallback_to_default: false`` mkdocs-static-i18n leaves untagged files (which count
        as Vietnamese) out of the English build, so an English page's image also gets an
        ``.en`` copy (``users.en.png``), which the plugin serves at the untagged URL.
        """
        self.copies[destination] = origin
        if self.page.lang != SITE_DEFAULT_LANG:
            tagged = destination.with_name(f"{destination.stem}.{self.page.lang}{destination.suffix}")
            self.copies[tagged] = origin
        return destination


def _end_paragraph(out: str) -> str:
    """Text so far, ending with a blank line so that a block can start."""
    stripped = out.rstrip(" \t")
    if not stripped.strip():
        return ""
    return stripped.rstrip("\n") + "\n\n"


def _admonition(marker: str, kind: str, title: str | None, content: str) -> str:
    head = f"{marker} {kind}" + (f' "{_quote_title(title)}"' if title is not None else "")
    return head + ("\n\n" + textwrap.indent(content, _INDENT) if content.strip() else "")


def _quote_title(title: str) -> str:
    return title.replace('"', "&quot;").strip() if title.strip() else ""


def _escape_link_text(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def _order(page: SourcePage) -> tuple:
    weight = page.weight
    return (0 if weight is not None else 1, weight or 0.0, page.title.casefold())


def _description(page: SourcePage | None, describe: bool) -> str:
    if not describe or page is None or not page.meta.get("description"):
        return ""
    return f" — {page.meta['description']}"


def _site_url(link: PurePosixPath) -> str:
    """The directory URL MkDocs publishes a page at, relative to the site root ('.' for home)."""
    parts = [] if str(link.parent) == "." else list(link.parent.parts)
    if link.stem != "index":
        parts.append(link.stem)
    return "/".join(parts) or "."


def _folder_url(folder: PurePosixPath) -> str:
    return "" if str(folder) == "." else folder.as_posix() + "/"


def _strip_language_prefix(path: str) -> str:
    for lang in SITE_LANGS:
        if path == f"/{lang}" or path.startswith(f"/{lang}/"):
            return path[len(lang) + 1 :] or "/"
    return path
