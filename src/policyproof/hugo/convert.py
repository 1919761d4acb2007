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
import unicodedata
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from policyproof.hugo.headings import hugo_anchor
from policyproof.hugo.lists import normalize_lists
from policyproof.hugo.markdown import convert_text, is_external, looks_like_file
from policyproof.hugo.policies import Policy, snippet_name, snippet_stem
from policyproof.hugo.report import ImportReport
from policyproof.hugo.shortcodes import Escaped, Node, Shortcode, Text
from policyproof.hugo.source import (
    SITE_DEFAULT_LANG,
    SITE_LANGS,
    ContentTree,
    SourcePage,
    split_language,
    url_dir,
    urlize,
)

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
    """Snippets per page, shared by the page's languages so both include the same files.

    ``files`` is keyed by the path under the snippets folder; pages include
    ``prefix + path`` (the snippets folder relative to mkdocs.yml's ``base_path``).
    """

    prefix: str = ""
    by_page: dict[PurePosixPath, list[tuple[str, str]]] = field(default_factory=dict)
    files: dict[str, tuple[str, str, int, str]] = field(
        default_factory=dict
    )  # path -> text, file, line, kind

    def add(self, page: SourcePage, policy: Policy, label: str, line: int) -> str:
        entries = self.by_page.setdefault(page.page_key, [])
        text = policy.text()
        for existing_text, name in entries:
            if existing_text == text:
                return f"{self.prefix}{page.page_key.as_posix()}/{name}"
        assert policy.kind is not None
        name = snippet_name(snippet_stem(policy.document), policy.kind, {name for _, name in entries})
        entries.append((text, name))
        path = f"{page.page_key.as_posix()}/{name}"
        self.files[path] = (text, page.display, line, policy.kind)
        return self.prefix + path


@dataclass
class PageContext:
    """Everything converting one page needs, and what it produces besides the page text."""

    page: SourcePage
    tree: ContentTree
    report: ImportReport
    snippets: SnippetRegistry
    copies: dict[PurePosixPath, Path]  # docs-relative destination -> file to copy there
    last_label: str = ""
    anchors: dict[tuple[PurePosixPath, str], dict[str, str]] = field(default_factory=dict)
    asset_link: bool = False  # the last rewrite_url gave a copied file's URL

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
        return normalize_lists(_LEADING_BLANK_LINES.sub("", inner).rstrip())

    # -- shortcodes ---------------------------------------------------------------------------
    def shortcode(self, node: Shortcode) -> tuple[str, bool] | None:
        handler = getattr(self, f"_sc_{node.name.replace('-', '_')}", None)
        if handler is None:
            return self._leave(node, "has no equivalent on this site")
        return handler(node)

    def _leave(self, node: Shortcode, why: str) -> tuple[str, bool]:
        self.report.defect(
            self.page.display,
            node.line,
            f"shortcode '{node.raw_open}' {why}; left in the page as it was, visible to readers",
            "replace it with Markdown (or remove it) in the source",
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
        link = self.resolve_ref(path) if path else (self.page.link_path if fragment else None)
        if link is None:
            return self._leave(node, f"points to '{target}', which matches no page")
        self._count(node.name)
        self._check_language(link, node.line)
        anchor = self._fragment(link, fragment, node.line, same_page=not path) if fragment else ""
        if not path:
            return anchor or "#", False
        relative = quote(posixpath.relpath(link.as_posix(), self.page.rel_dir.as_posix()))
        return relative + (anchor or ""), False

    _sc_relref = _sc_ref

    def _sc_figure(self, node: Shortcode) -> tuple[str, bool]:
        source = node.arg("src", 0) or ""
        caption = node.arg("caption") or node.arg("title") or ""
        alt = node.arg("alt") or caption
        self._count("figure")
        image = self.image(_escape_link_text(alt), source, "", node.line)
        return image + (f"\n\n*{caption}*" if caption else ""), True

    def _sc_button(self, node: Shortcode) -> tuple[str, bool]:
        """learn/relearn ``button``: a link styled as a Material button."""
        href = node.arg("href", 0) or ""
        text = (self.render(node.children).strip() if node.paired else "") or node.arg("title") or href
        self._count("button")
        url = self.rewrite_url(href, node.line, image=False, html=False) if href else None
        if url is None:
            return text, False
        return f"[{text}]({url}){{ .md-button }}", False

    def _sc_highlight(self, node: Shortcode) -> tuple[str, bool]:
        """Hugo's ``highlight``: a fenced code block with the language and its line options."""
        language = node.arg("lang", 0) or node.arg("type") or "text"
        options = node.arg("options", 1) or ""
        attributes = []
        for option in re.split(r"\s*,\s*", options):
            key, _, value = option.partition("=")
            if key.strip() == "hl_lines" and value:
                attributes.append(f'hl_lines="{value.strip().strip(chr(34))}"')
            elif key.strip() == "linenos" and value.strip() not in ("false", ""):
                attributes.append('linenums="1"')
        code = "".join(
            child.text if isinstance(child, Text) else getattr(child, "raw_open", "")
            for child in node.children
        )
        code = code.strip("\n")
        self._count("highlight")
        info = language + (" " + " ".join(attributes) if attributes else "")
        fence = "```" if "```" not in code else "````"
        return f"{fence}{info}\n{code}\n{fence}", True

    _sc_code = _sc_highlight

    def _sc_mermaid(self, node: Shortcode) -> tuple[str, bool]:
        code = "".join(child.text for child in node.children if isinstance(child, Text)).strip("\n")
        self._count("mermaid")
        return f"```mermaid\n{code}\n```", True

    def _sc_badge(self, node: Shortcode) -> tuple[str, bool]:
        title = node.arg("title") or ""
        text = self.render(node.children).strip() if node.paired else (node.arg("content", 0) or "")
        self._count("badge")
        return (f"**{title} {text}**" if title else f"**{text}**"), False

    def _sc_icon(self, node: Shortcode) -> tuple[str, bool]:
        self._count("icon")
        return "", False  # a Font Awesome glyph: decoration only

    def _sc_attachments(self, node: Shortcode) -> tuple[str, bool]:
        """learn/relearn ``attachments``: the files of the page's ``.files`` folder, as links."""
        folders = [
            self.page.source.parent / f"{self.page.source.stem.split('.')[0]}.files",
            self.page.source.parent / "files",
        ]
        pattern = node.arg("pattern")
        files = sorted(
            path
            for folder in folders
            if folder.is_dir()
            for path in folder.iterdir()
            if path.is_file() and (not pattern or re.search(pattern, path.name))
        )
        self._count("attachments")
        title = node.arg("title") or ("Tệp đính kèm" if self.page.lang == "vi" else "Attachments")
        if not files:
            self.report.defect(
                self.page.display,
                node.line,
                "'attachments' finds no file (looked in the page's .files/ and files/ folders); left out",
                "add the files, or remove the shortcode",
            )
            return "", True
        lines = [f'!!! abstract "{_quote_title(title)}"', ""]
        for path in files:
            inside = PurePosixPath(path.relative_to(self.page.source.parent).as_posix())
            target = self._plan_copy(url_dir(self.page.src_dir) / url_dir(inside.parent) / inside.name, path)
            url = self.asset_url(target, html=self.page.lang != SITE_DEFAULT_LANG)
            link = (
                f"[{_escape_link_text(path.name)}]({url})"
                if self.page.lang == SITE_DEFAULT_LANG
                else f'<a href="{url}">{html_escape(path.name)}</a>'
            )
            lines.append(f"{_INDENT}- {link}")
        return "\n".join(lines), True

    # -- links, images, snippets --------------------------------------------------------------
    def add_snippet(self, policy: Policy, line: int) -> str:
        return self.snippets.add(self.page, policy, self.last_label, line)

    def rewrite_url(self, url: str, line: int, *, image: bool, html: bool) -> str | None:
        """The link's new URL; None when it points to nothing (the caller shows its text instead)."""
        if url.startswith("#"):
            if url[1:].lower() == "top" and "top" not in self.anchors.get(
                (self.page.link_path, self.page.lang), {}
            ):
                return "#"  # browsers scroll '#top' to the top of the page; MkDocs checks anchors
            return self._fragment(self.page.link_path, url[1:], line, same_page=True)
        if is_external(url):
            return url
        path, _, fragment = url.partition("#")
        path = self._strip_base(unquote(path.split("?", 1)[0]), line)
        if not image:
            link = self.resolve_page_url(path)
            if link is not None:
                self._check_language(link, line)
                anchor = self._fragment(link, fragment, line) if fragment else ""
                return self._relative(link, html, page_link=True) + (anchor or "")
        if image or looks_like_file(path):
            asset = self.resolve_asset(path, line)
            if asset is not None:
                self.asset_link = True
                return self.asset_url(asset, html or self.page.lang != SITE_DEFAULT_LANG)
            self.report.defect(
                self.page.display,
                line,
                f"file '{url}' not found{self._where()}; shown as text",
                "add the file, or correct the path",
            )
            return None
        self.report.defect(
            self.page.display,
            line,
            f"link '{url}' matches no imported page; its text is shown without the link",
            "point it at an existing page, or remove the link",
        )
        return None

    def image(self, alt: str, url: str, title: str, line: int) -> str:
        """Markdown (or, on English pages, HTML) for an image; a visible mark when it is missing."""
        if is_external(url):
            return f"![{alt}]({url}{title})"
        path = self._strip_base(unquote(url.split("#", 1)[0].split("?", 1)[0]), line)
        asset = self.resolve_asset(path, line)
        if asset is None:
            self.report.defect(
                self.page.display,
                line,
                f"image '{url}' not found{self._where()}; readers see its alt text marked as missing",
                "add the image, or correct the path",
            )
            missing = "ảnh bị thiếu" if self.page.lang == "vi" else "image missing"
            return f"*⚠ [{missing}: {alt or posixpath.basename(path)}]*"
        target = self.asset_url(asset, html=self.page.lang != SITE_DEFAULT_LANG)
        if self.page.lang == SITE_DEFAULT_LANG:
            return f"![{alt}]({target}{title})"
        plain_alt = re.sub(r"[*_`\\]", "", alt)
        return f'<img src="{target}" alt="{html_escape(plain_alt)}">'

    def _where(self) -> str:
        return (
            f" (looked in {self.tree.static} and the content folder)"
            if self.tree.static
            else " (no static/ folder found)"
        )

    def _strip_base(self, path: str, line: int) -> str:
        """A site-absolute path without the baseURL's path (``/000012-AWSSSO/images/x.png``)."""
        base = self.tree.config.base_path
        if base != "/" and path.startswith(base):
            return "/" + path[len(base) :]
        return path

    def _fragment(
        self, link: PurePosixPath, fragment: str, line: int, *, same_page: bool = False
    ) -> str | None:
        """``#new-id`` for one of Hugo's anchors on ``link``; '' (page top) or None when none matches."""
        anchors = self.anchors.get((link, self.page.lang)) or next(
            (ids for (page, _), ids in self.anchors.items() if page == link), {}
        )
        wanted = unquote(fragment)
        found = anchors.get(wanted) or anchors.get(fragment)
        if found is None:
            normal = hugo_anchor(wanted)
            found = anchors.get(normal)
            if found is not None:
                self.report.defect(
                    self.page.display,
                    line,
                    f"link to '#{fragment}' differs from the heading's anchor '#{normal}' (Hugo's link "
                    "was broken too); pointed at the heading",
                    f"write '#{normal}'",
                )
        if found is not None:
            return f"#{found}"
        if not anchors and not same_page:
            return ""
        self.report.defect(
            self.page.display,
            line,
            f"link to '#{fragment}' matches no heading of {'this page' if same_page else link.as_posix()}; "
            + ("its text is shown without the link" if same_page else "it now opens the top of that page"),
            "point it at an existing heading",
        )
        return None if same_page else ""

    def asset_url(self, target: PurePosixPath, html: bool) -> str:
        """URL of a copied file: relative ``.md``-style for Markdown, from the published page for HTML.

        Files are stored once (untagged, so in the default language's build); English pages reach
        them with an HTML URL that leaves the ``/en/`` prefix, which MkDocs does not rewrite.
        """
        if not html and self.page.lang == SITE_DEFAULT_LANG:
            return quote(posixpath.relpath(target.as_posix(), self.page.rel_dir.as_posix()))
        prefix = self.tree.site_prefix
        here = posixpath.normpath(posixpath.join(prefix, _site_url(self.page.link_path)))
        if self.page.lang != SITE_DEFAULT_LANG:
            here = f"{self.page.lang}/{here}" if here != "." else self.page.lang
        return quote(posixpath.relpath(posixpath.join(prefix, target.as_posix()), here))

    def _relative(self, target: PurePosixPath, html: bool, *, page_link: bool) -> str:
        if not html:
            return quote(posixpath.relpath(target.as_posix(), self.page.rel_dir.as_posix()))
        # Raw HTML is not rewritten by MkDocs: link from the page's published URL (directory URLs).
        # both inside the same docs subfolder and the same language: the prefix cancels out,
        # except for files, which are only in the default language's build
        here = _site_url(self.page.link_path)
        there = _site_url(target) if page_link else target.as_posix()
        if not page_link:
            return self.asset_url(target, html=True)
        relative = posixpath.relpath(there, here)
        return quote(relative + ("/" if page_link and relative != "." else ""))

    def _check_language(self, link: PurePosixPath, line: int) -> None:
        if self.tree.in_lang(link, self.page.lang) is None:
            self.report.translation_work(
                self.page.display,
                line,
                f"links to {link}, which has no '{self.page.lang}' version; readers get the "
                "untranslated copy the import made",
            )

    def resolve_page_url(self, path: str) -> PurePosixPath | None:
        if not path:
            return None
        if path.lower().endswith((".md", ".markdown")):
            return self.resolve_ref(path)
        if path.startswith("/"):
            candidates = [_strip_language_prefix(path, self.tree.config.languages)]
        else:
            candidates = [self.page.hugo_url + path, "/" + _folder_url(self.page.rel_dir) + path]
        for candidate in candidates:
            normalized = posixpath.normpath(re.sub(r"(index)?\.html?$", "", candidate))
            key = "/".join(urlize(part) for part in normalized.split("/"))
            for variant in (key, normalized.lower()):
                link = self.tree.by_url.get(variant.rstrip("/") + "/")
                if link is not None:
                    return link
        return None

    def resolve_ref(self, path: str) -> PurePosixPath | None:
        """Hugo's ref: from the content root ('/...'), else from the page's folder, else a unique name."""
        path = path.strip()
        if path.startswith("/"):
            candidates = [path.lstrip("/")]
        else:
            candidates = [posixpath.normpath(posixpath.join(self.page.src_dir.as_posix(), path)), path]
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
        for source in (pure.parent / f"{base}.md", pure / "index.md" if stem == pure.name else None):
            if source is None:
                continue
            link = self.tree.by_source.get(source) or self.tree.by_source.get(
                PurePosixPath(source.as_posix().lower())
            )
            if link is not None:
                return link
        return None

    @staticmethod
    def _page_at_name(page: SourcePage, name: str) -> bool:
        return page.source.name == name or page.source.stem == name or page.src_base == name

    def resolve_asset(self, path: str, line: int = 0) -> PurePosixPath | None:
        """The docs-relative place of a file the page shows (stored once), planned for copy."""
        if path.startswith("/"):
            relative = posixpath.normpath(path.lstrip("/"))
            if relative.startswith(".."):
                return None
            found = self._find(relative, line)
            if found is None and "/" in relative:
                # a GitHub Pages project prefix the configuration does not declare (/repo/images/x.png)
                prefix, rest = relative.split("/", 1)
                found = self._find(rest, line)
                if found is not None:
                    self.report.defect(
                        self.page.display,
                        line,
                        f"'{path}' starts with '/{prefix}/', which is not the path of the configured "
                        "baseURL; resolved without it",
                        f"write '/{rest}' (Hugo adds the baseURL), or set baseURL",
                    )
            return found
        for base in (
            _folder_url(self.page.src_dir),
            self.page.hugo_url.lstrip("/"),
            _folder_url(self.page.rel_dir),
        ):
            relative = posixpath.normpath(posixpath.join(base, path))
            if relative.startswith(".."):
                continue
            found = self._find_content(relative, line)
            if found is not None:
                return found
        return None

    def _find(self, relative: str, line: int) -> PurePosixPath | None:
        """A site-absolute file: static/ first, then the content folders (as Hugo merges them)."""
        if self.tree.static is not None:
            origin = _case_insensitive(self.tree.static, relative)
            if origin is not None:
                self._report_case(relative, origin.relative_to(self.tree.static).as_posix(), line)
                return self._plan_copy(PurePosixPath(origin.relative_to(self.tree.static).as_posix()), origin)
        return self._find_content(relative, line)

    def _find_content(self, relative: str, line: int) -> PurePosixPath | None:
        for root in self.tree.roots or [self.tree.root]:
            origin = _case_insensitive(root, relative)
            if origin is None:
                # URL-shaped path of a bundle file: content/2-AWS CLI Access/x.png is /2-aws-cli-access/x.png
                origin = _by_url(root, relative)
            if origin is not None:
                inside = PurePosixPath(origin.relative_to(root).as_posix())
                self._report_case(relative, inside.as_posix(), line)
                return self._plan_copy(url_dir(inside.parent) / inside.name, origin)
        return None

    def _report_case(self, wanted: str, actual: str, line: int) -> None:
        if wanted != actual and wanted.lower() == actual.lower():
            self.report.defect(
                self.page.display,
                line,
                f"'{wanted}' differs in case from the file '{actual}' (works on Windows and macOS, "
                "not on a Linux web server); the image is shown",
                f"write '{actual}'",
            )

    def _plan_copy(self, destination: PurePosixPath, origin: Path) -> PurePosixPath:
        """Copy ``origin`` to ``destination`` in docs/ once; every page links to that one copy."""
        self.copies[destination] = origin
        return destination


def _case_insensitive(root: Path, relative: str) -> Path | None:
    """``root / relative``, matching each part without regard to case when the exact one is absent."""
    exact = root / relative
    if exact.is_file():
        return exact
    current = root
    for part in PurePosixPath(relative).parts:
        try:
            names = {_fold(child.name): child for child in current.iterdir()}
        except OSError:
            return None
        child = names.get(_fold(part))
        if child is None:
            return None
        current = child
    return current if current.is_file() else None


def _fold(name: str) -> str:
    """A file name compared as people type it: same letters whatever the case or the Unicode
    form (macOS writes decomposed accents, NFD; pages are written composed, NFC)."""
    return unicodedata.normalize("NFC", name).casefold()


def _by_url(root: Path, relative: str) -> Path | None:
    """A file whose folders, published with Hugo's urlize, give ``relative``."""
    current = root
    parts = PurePosixPath(relative).parts
    for index, part in enumerate(parts):
        try:
            children = list(current.iterdir())
        except OSError:
            return None
        last = index == len(parts) - 1
        match = next(
            (
                child
                for child in children
                if (child.name.lower() == part.lower() if last else urlize(child.name) == part.lower())
            ),
            None,
        )
        if match is None:
            return None
        current = match
    return current if current.is_file() else None


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


def _strip_language_prefix(path: str, languages: list[str] | tuple[str, ...] = SITE_LANGS) -> str:
    for lang in {*SITE_LANGS, *languages}:
        if path == f"/{lang}" or path.startswith(f"/{lang}/"):
            return path[len(lang) + 1 :] or "/"
    return path
