"""The Hugo content tree: which files are pages, in which language, and where they go here.

Hugo names translations ``page.en.md`` / ``page.vi.md`` and an untagged ``page.md`` is in the
Hugo site's default language. This site uses the suffix layout with Vietnamese as the default:
``page.md`` is Vietnamese and ``page.en.md`` English, whatever Hugo's default was. A section's
``_index.md`` becomes ``index.md``. Output file names keep Hugo's names, so URL-style links
(``2.1-enable-sso/``) still resolve.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from policyproof.check.findings import InputError
from policyproof.hugo.frontmatter import FrontMatter, split_front_matter
from policyproof.hugo.report import ImportReport

SITE_DEFAULT_LANG = "vi"
SITE_LANGS = ("vi", "en")
PAGE_SUFFIXES = (".md", ".markdown")

# A language tag before ".md": "page.en.md". Dotted Hugo names ("2.2.6-kms.md") do not match
# because the part after the last dot is not a bare language code.
_LANG_TAG = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?)$")


@dataclass
class SourcePage:
    """One Hugo page in one language."""

    source: Path
    display: str  # how messages name the file
    rel_dir: PurePosixPath  # directory inside content/ ("." at the top)
    base: str  # file name without language and extension; "index" for _index
    lang: str
    front: FrontMatter
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_index(self) -> bool:
        return self.base == "index"

    @property
    def link_path(self) -> PurePosixPath:
        """docs-relative path other pages link to (no language suffix: the i18n plugin adds it)."""
        return self.rel_dir / f"{self.base}.md"

    @property
    def out_path(self) -> PurePosixPath:
        suffix = "" if self.lang == SITE_DEFAULT_LANG else f".{self.lang}"
        return self.rel_dir / f"{self.base}{suffix}.md"

    @property
    def page_key(self) -> PurePosixPath:
        """Section/page path shared by both languages, used for snippet folders."""
        return self.rel_dir / self.base

    @property
    def title(self) -> str:
        title = self.meta.get("title")
        if title:
            return str(title)
        return self.rel_dir.name if self.is_index and self.rel_dir.name else self.base

    @property
    def weight(self) -> float | None:
        weight = self.meta.get("weight")
        return weight if isinstance(weight, int | float) and not isinstance(weight, bool) else None

    @property
    def hidden(self) -> bool:
        return bool(self.meta.get("hidden"))

    @property
    def hugo_url(self) -> str:
        """The page's URL path in the Hugo site (lowercase, as Hugo publishes it by default)."""
        if isinstance(self.meta.get("url"), str):
            return "/" + self.meta["url"].strip("/").lower() + "/"
        parts = [] if str(self.rel_dir) == "." else list(self.rel_dir.parts)
        if not self.is_index:
            slug = self.meta.get("slug")
            parts.append(str(slug) if isinstance(slug, str) and slug else self.base)
        return ("/" + "/".join(parts) + "/").replace("//", "/").lower()


@dataclass
class ContentTree:
    """Every page of the import, indexed the ways links and ``children`` look them up."""

    root: Path  # the content/ folder
    static: Path | None
    pages: list[SourcePage] = field(default_factory=list)
    resources: list[tuple[Path, PurePosixPath]] = field(default_factory=list)  # page-bundle files

    def __post_init__(self) -> None:
        self.by_link: dict[PurePosixPath, dict[str, SourcePage]] = {}
        self.by_url: dict[str, PurePosixPath] = {}

    def index(self) -> None:
        for page in self.pages:
            self.by_link.setdefault(page.link_path, {})[page.lang] = page
            self.by_url.setdefault(page.hugo_url, page.link_path)
            self.by_url.setdefault(_url_of(page.link_path), page.link_path)

    def subfolders(self, folder: PurePosixPath) -> set[PurePosixPath]:
        """Folders directly inside ``folder`` that hold pages (at any depth)."""
        return {
            sub
            for page in self.pages
            for sub in [page.rel_dir, *page.rel_dir.parents]
            if str(sub) != "." and sub.parent == folder
        }

    def has_pages_under(self, folder: PurePosixPath, lang: str) -> bool:
        return any(
            page.lang == lang and folder in (page.rel_dir, *page.rel_dir.parents) for page in self.pages
        )

    def in_lang(self, link: PurePosixPath, lang: str) -> SourcePage | None:
        return self.by_link.get(link, {}).get(lang)

    def any_lang(self, link: PurePosixPath) -> SourcePage | None:
        versions = self.by_link.get(link, {})
        return versions.get(SITE_DEFAULT_LANG) or next(iter(versions.values()), None)


def _url_of(link: PurePosixPath) -> str:
    parts = list(link.parent.parts) if str(link.parent) != "." else []
    if link.stem != "index":
        parts.append(link.stem)
    return ("/" + "/".join(parts) + "/").replace("//", "/").lower()


def split_language(stem: str, hugo_default: str) -> tuple[str, str]:
    """(base name, language) of a Hugo file stem such as ``page.en`` or ``_index``."""
    match = _LANG_TAG.match(stem)
    if match:
        return match.group("base"), match.group("lang")
    return stem, hugo_default


def find_static(source: Path) -> Path | None:
    """Hugo's ``static/`` folder: beside the ``content/`` folder that holds SOURCE."""
    for folder in [source, *source.parents]:
        if folder.name == "content" and (folder.parent / "static").is_dir():
            return folder.parent / "static"
    candidate = (source if source.is_dir() else source.parent).parent / "static"
    return candidate if candidate.is_dir() else None


def content_root(source: Path) -> Path:
    """The folder page paths are taken relative to: SOURCE, or for one file its content/ ancestor."""
    if source.is_dir():
        return source
    for folder in source.parents:
        if folder.name == "content":
            return folder
    return source.parent


def _display(path: Path, source: Path) -> str:
    """The file as the user named it: SOURCE as given, then the path inside it."""
    if source.is_dir():
        return (source / path.relative_to(source)).as_posix()
    return source.as_posix()


def load_tree(source: Path, hugo_default: str, static: Path | None, report: ImportReport) -> ContentTree:
    """Read every page under SOURCE (or the one file SOURCE); malformed pages go to ``report.errors``."""
    root = content_root(source)
    tree = ContentTree(root=root, static=static if static is not None else find_static(source))
    if source.is_dir():
        files = sorted(
            Path(folder) / name
            for folder, dirs, names in os.walk(source)
            if not any(part.startswith(".") for part in Path(folder).relative_to(source).parts)
            for name in names
            if not name.startswith(".")
        )
    else:
        files = [source]
    seen: dict[tuple[PurePosixPath, str], SourcePage] = {}
    for path in files:
        rel = PurePosixPath(path.relative_to(root).as_posix())
        is_page = path.suffix in PAGE_SUFFIXES or not source.is_dir()
        if not is_page:
            tree.resources.append((path, rel))
            continue
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        base, lang = split_language(stem, hugo_default)
        display = _display(path, source)
        if lang not in SITE_LANGS:
            report.problem(
                display,
                1,
                f"language '{lang}' is not one of this site's ({', '.join(SITE_LANGS)}); page skipped",
            )
            continue
        if base in ("_index", "index"):
            base = "index"
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            report.error(display, 1, f"cannot read the page: {reason}")
            continue
        try:
            front = split_front_matter(text.replace("\r\n", "\n"), display)
        except InputError as error:
            report.error(display, error.line, f"column {error.column}: {error.message}")
            continue
        page = SourcePage(path, display, rel.parent, base, lang, front, front.data)
        if page.meta.get("draft") is True:
            report.note(display, 1, "draft page (draft: true) not imported, as Hugo does not publish it")
            continue
        key = (page.link_path, lang)
        if key in seen:
            report.problem(
                display,
                1,
                f"same page and language as {seen[key].display} (Hugo default language "
                f"'{hugo_default}'); page skipped, merge the two files",
            )
            continue
        seen[key] = page
        tree.pages.append(page)
    tree.index()
    return tree
