"""The Hugo content tree: which files are pages, in which language, and where they go here.

Hugo names translations ``page.en.md`` / ``page.vi.md``; an untagged ``page.md`` is in the Hugo
site's ``defaultContentLanguage`` (``en`` when the configuration does not set it), and a language
may have its own content folder (``languages.vi.contentDir``). This site uses the suffix layout
with Vietnamese as the default: ``page.md`` is Vietnamese and ``page.en.md`` English, whatever
Hugo's default was. A section's ``_index.md`` becomes ``index.md``.

Output paths follow the URLs Hugo published (``urlize``: lower case, spaces to ``-``,
punctuation dropped, letters of any script kept; ``slug`` replaces the last part), so
``content/2-AWS CLI Access/_index.md`` becomes ``docs/2-aws-cli-access/index.md`` and old links
keep their shape.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from policyproof.check.findings import InputError
from policyproof.hugo.config import HugoConfig
from policyproof.hugo.frontmatter import FrontMatter, split_front_matter
from policyproof.hugo.report import ImportReport

SITE_DEFAULT_LANG = "vi"
SITE_LANGS = ("vi", "en")
PAGE_SUFFIXES = (".md", ".markdown")

# A language tag before ".md": "page.en.md". Dotted Hugo names ("2.2.6-kms.md") do not match
# because the part after the last dot is not a bare language code.
_LANG_TAG = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?)$")
_KEPT_IN_URLS = frozenset("._-~+")


def urlize(part: str) -> str:
    """One path segment as Hugo publishes it (``helpers.MakePath``): letters, digits and marks
    of any script kept, whitespace to ``-``, other punctuation dropped, lower case."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", part):
        category = unicodedata.category(char)
        if category[0] in "LNM" or char in _KEPT_IN_URLS:
            out.append(char)
        elif char.isspace():
            out.append("-")
    return "".join(out).lower()


@lru_cache(maxsize=4096)
def url_dir(folder: PurePosixPath) -> PurePosixPath:
    if str(folder) == ".":
        return folder
    return PurePosixPath(*[urlize(part) or "-" for part in folder.parts])


@dataclass
class SourcePage:
    """One Hugo page in one language."""

    source: Path
    display: str  # how messages name the file
    src_dir: PurePosixPath  # directory inside its content folder ("." at the top)
    src_base: str  # file name without language and extension ("_index", "index", "page")
    lang: str
    front: FrontMatter
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_index(self) -> bool:
        return self.src_base in ("_index", "index")

    @cached_property
    def rel_dir(self) -> PurePosixPath:
        """The output directory (Hugo's URL path of the source folder)."""
        return url_dir(self.src_dir)

    @cached_property
    def base(self) -> str:
        """The output file name without extension: 'index' for sections, else the URL slug."""
        if self.is_index:
            return "index"
        slug = self.meta.get("slug")
        return (
            urlize(str(slug)) if isinstance(slug, str) and urlize(slug) else (urlize(self.src_base) or "page")
        )

    @property
    def source_link(self) -> PurePosixPath:
        """Where the page is inside its content folder, language-free: how ref/relref name it."""
        return self.src_dir / f"{'index' if self.is_index else self.src_base}.md"

    @cached_property
    def link_path(self) -> PurePosixPath:
        """docs-relative path other pages link to (no language suffix: the i18n plugin adds it)."""
        return self.rel_dir / f"{self.base}.md"

    @property
    def out_path(self) -> PurePosixPath:
        suffix = "" if self.lang == SITE_DEFAULT_LANG else f".{self.lang}"
        return self.rel_dir / f"{self.base}{suffix}.md"

    @cached_property
    def page_key(self) -> PurePosixPath:
        """Section/page path shared by both languages, used for snippet folders (a section's
        own page uses the section's folder: snippets/5-workshop/5.2-prerequisites/)."""
        if self.is_index and str(self.rel_dir) != ".":
            return self.rel_dir
        return self.rel_dir / self.base

    @property
    def title(self) -> str:
        title = self.meta.get("title")
        if title:
            return str(title)
        return self.src_dir.name if self.is_index and self.src_dir.name else self.src_base

    @property
    def weight(self) -> float | None:
        weight = self.meta.get("weight")
        return weight if isinstance(weight, int | float) and not isinstance(weight, bool) else None

    @property
    def hidden(self) -> bool:
        return bool(self.meta.get("hidden"))

    @property
    def hugo_url(self) -> str:
        """The page's URL path in the Hugo site, without language prefix or baseURL path."""
        if isinstance(self.meta.get("url"), str) and self.meta["url"].strip("/"):
            return "/" + self.meta["url"].strip("/").lower() + "/"
        return url_of(self.link_path)


@dataclass
class ContentTree:
    """Every page of the import, indexed the ways links and ``children`` look them up."""

    root: Path  # the (default language's) content folder
    static: Path | None
    config: HugoConfig = field(default_factory=HugoConfig)
    pages: list[SourcePage] = field(default_factory=list)
    # page-bundle files: (file, path inside its content folder)
    resources: list[tuple[Path, PurePosixPath]] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)  # every content folder read
    site_prefix: str = ""  # the docs folder written, inside MkDocs' docs_dir ("sso" for docs/sso)

    def __post_init__(self) -> None:
        self.by_link: dict[PurePosixPath, dict[str, SourcePage]] = {}
        self.by_url: dict[str, PurePosixPath] = {}
        self.by_source: dict[PurePosixPath, PurePosixPath] = {}

    def index(self) -> None:
        for page in self.pages:
            self.by_link.setdefault(page.link_path, {})[page.lang] = page
            self.by_url.setdefault(page.hugo_url, page.link_path)
            self.by_url.setdefault(url_of(page.link_path), page.link_path)
            self.by_source.setdefault(page.source_link, page.link_path)
            self.by_source.setdefault(PurePosixPath(page.source_link.as_posix().lower()), page.link_path)

    def subfolders(self, folder: PurePosixPath) -> set[PurePosixPath]:
        """Output folders directly inside ``folder`` that hold pages (at any depth)."""
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

    def find_file(self, relative: str) -> Path | None:
        """A file inside any content folder, by its path there."""
        for root in self.roots or [self.root]:
            candidate = root / relative
            if candidate.is_file():
                return candidate
        return None


def url_of(link: PurePosixPath) -> str:
    parts = list(link.parent.parts) if str(link.parent) != "." else []
    if link.stem != "index":
        parts.append(link.stem)
    return ("/" + "/".join(parts) + "/").replace("//", "/").lower()


def split_language(
    stem: str, hugo_default: str, languages: tuple[str, ...] | list[str] = ()
) -> tuple[str, str]:
    """(base name, language) of a Hugo file stem such as ``page.en`` or ``_index``."""
    match = _LANG_TAG.match(stem)
    known = len(languages) > 1  # a configuration that lists its languages: only those are tags
    tag = match.group("lang").lower() if match else ""
    if match and (not known or tag in languages or tag.split("-")[0] in SITE_LANGS):
        return match.group("base"), match.group("lang")
    return stem, hugo_default


def find_static(source: Path) -> Path | None:
    """Hugo's ``static/`` folder: beside the ``content/`` folder that holds SOURCE."""
    for folder in [source, *source.parents]:
        if folder.name == "content" and (folder.parent / "static").is_dir():
            return folder.parent / "static"
    if source.is_dir() and (source / "static").is_dir():
        return source / "static"
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
        try:
            return (source / path.relative_to(source)).as_posix()
        except ValueError:
            return path.as_posix()
    return source.as_posix()


def _walk(folder: Path) -> list[Path]:
    return sorted(
        Path(current) / name
        for current, dirs, names in os.walk(folder)
        if not any(part.startswith(".") for part in Path(current).relative_to(folder).parts)
        for name in names
        if not name.startswith(".")
    )


def content_folders(
    source: Path, site_root: Path | None, config: HugoConfig
) -> list[tuple[Path, str | None]]:
    """(content folder, fixed language or None) pairs to read for SOURCE."""
    if not source.is_dir():
        return [(content_root(source), None)]
    if site_root is not None and source.resolve() == site_root.resolve():
        folders: list[tuple[Path, str | None]] = []
        for lang in config.languages:
            folder = config.language_content_dirs.get(lang)
            if folder:
                folders.append((site_root / folder, lang))
        main = site_root / config.content_dir
        missing_a_folder = not folders or len(folders) < len(config.languages)
        if main.is_dir() and missing_a_folder and all(main.resolve() != p.resolve() for p, _ in folders):
            folders.insert(0, (main, None))
        return [(path, lang) for path, lang in folders if path.is_dir()]
    return [(source, None)]


def load_tree(
    source: Path,
    hugo_default: str,
    static: Path | None,
    report: ImportReport,
    config: HugoConfig | None = None,
    site_root: Path | None = None,
) -> ContentTree:
    """Read every page under SOURCE (or the one file SOURCE); unreadable pages go to the report."""
    config = config or HugoConfig(default_language=hugo_default)
    folders = content_folders(source, site_root, config)
    if not folders:
        raise InputError(
            str(source),
            f"no content folder: expected {source / config.content_dir}; "
            "give the Hugo site root or its content/ folder",
            1,
        )
    root = folders[0][0]
    if static is None:
        static = find_static(root) or (
            site_root / "static" if site_root and (site_root / "static").is_dir() else None
        )
    tree = ContentTree(root=root, static=static, config=config, roots=[path for path, _ in folders])
    seen: dict[tuple[PurePosixPath, str], SourcePage] = {}
    languages = list(config.languages)
    others = [path.resolve() for path, _ in folders]
    for folder, fixed_lang in folders:
        files = _walk(folder) if source.is_dir() else [source]
        # a language's own content folder inside the main one is read once, as that language
        nested = [
            other for other in others if other != folder.resolve() and other.is_relative_to(folder.resolve())
        ]
        files = [path for path in files if not any(path.resolve().is_relative_to(other) for other in nested)]
        for path in files:
            rel = PurePosixPath(path.relative_to(folder).as_posix())
            is_page = path.suffix in PAGE_SUFFIXES or not source.is_dir()
            if not is_page:
                tree.resources.append((path, rel))
                continue
            stem = path.name[: -len(path.suffix)] if path.suffix else path.name
            base, lang = split_language(stem, fixed_lang or hugo_default, languages)
            lang = lang.lower()
            if lang not in SITE_LANGS and lang.split("-")[0] in SITE_LANGS:
                lang = lang.split("-")[0]  # vi-VN, en-US: this site's vi and en
            display = _display(path, source)
            if lang not in SITE_LANGS:
                report.note(
                    display,
                    1,
                    f"language '{lang}' is not one of this site's ({', '.join(SITE_LANGS)}); page skipped",
                )
                continue
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
                report.defect(display, 1, f"cannot read the page ({reason})", "save it as UTF-8 text")
                continue
            front = split_front_matter(text.replace("\r\n", "\n"), display, report)
            page = SourcePage(path, display, rel.parent, base, lang, front, front.data)
            if page.meta.get("draft") is True:
                report.note(display, 1, "draft page (draft: true) not imported, as Hugo does not publish it")
                continue
            key = (page.link_path, lang)
            if key in seen:
                report.defect(
                    display,
                    1,
                    f"same page and language as {seen[key].display} (Hugo default language "
                    f"'{hugo_default}'); this one was skipped",
                    "merge the two files, or tag one with its language (page.vi.md)",
                )
                continue
            seen[key] = page
            tree.pages.append(page)
    tree.index()
    return tree
