"""Import a Hugo site (its root, its content/ folder, or one page) into docs/ and snippets/.

The steps, in order: read the Hugo configuration (languages, default language, content folders,
baseURL); read the pages; give headings explicit ids (both languages at once, Hugo's anchors
kept as extra anchors); convert each page (shortcodes, links, images, policies); re-indent its
lists for Python-Markdown; write pages, snippets (under mkdocs.yml's snippets base, stale ones of
an earlier import removed), images (once), redirects for ``aliases``; check the snippets and the
site's rules on what was written.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import yaml

from policyproof.check.findings import InputError
from policyproof.hugo.config import HugoConfig, find_site_root, read_config
from policyproof.hugo.convert import PageContext, SnippetRegistry
from policyproof.hugo.frontmatter import dump_front_matter, site_front_matter
from policyproof.hugo.headings import add_heading_ids
from policyproof.hugo.lists import normalize_lists
from policyproof.hugo.report import ImportReport
from policyproof.hugo.shortcodes import parse
from policyproof.hugo.site_rules import check_site_rules
from policyproof.hugo.source import (
    SITE_DEFAULT_LANG,
    SITE_LANGS,
    ContentTree,
    SourcePage,
    load_tree,
    url_of,
    urlize,
)
from policyproof.hugo.writer import Writer

PROGRESS_SECONDS = 1.0
MANIFEST = ".import-hugo.json"  # in docs/ (MkDocs skips dot files): what the last import wrote

#: banner of a page copied from the other language because it has no translation
UNTRANSLATED = {
    "vi": ("Chưa dịch", "Trang này chưa có bản tiếng Việt; dưới đây là bản tiếng Anh."),
    "en": ("Not translated yet", "This page has no English version yet; the Vietnamese text follows."),
}


@dataclass
class ImportOptions:
    source: Path
    docs: Path = Path("docs")
    snippets: Path = Path("snippets")
    default_lang: str | None = None  # override of the Hugo site's defaultContentLanguage
    static: Path | None = None  # Hugo's static/ folder; found beside content/ when None
    dry_run: bool = False
    force: bool = False
    strict_source: bool = False
    mkdocs_config: Path | None = None  # mkdocs.yml whose snippets base_path includes resolve from
    progress: Callable[[str], None] | None = None


def snippets_prefix(snippets: Path, mkdocs_config: Path | None) -> str:
    """How includes name the snippets folder: its path relative to ``pymdownx.snippets``'s
    ``base_path`` in mkdocs.yml (``snippets/iam`` under base ``snippets`` -> ``iam/``)."""
    config = mkdocs_config
    if config is None:  # the mkdocs.yml of the site the snippets folder belongs to
        for folder in snippets.resolve().parents:
            if (folder / "mkdocs.yml").is_file():
                config = folder / "mkdocs.yml"
                break
    bases: list[Path] = []
    if config is not None and config.is_file():
        text = config.read_text(encoding="utf-8")
        match = re.search(r"pymdownx\.snippets:\s*\n(?:[ \t]+.*\n)*?[ \t]+base_path:\s*(?P<value>.+)", text)
        if match:
            try:
                value = yaml.safe_load(match.group("value"))
            except yaml.YAMLError:
                value = None
            values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            bases = [(config.parent / str(item)).resolve() for item in values]
    target = snippets.resolve()
    for base in bases:
        if target == base:
            return ""
        if target.is_relative_to(base):
            return target.relative_to(base).as_posix() + "/"
    if bases:
        raise InputError(
            str(snippets),
            "the snippets folder is outside mkdocs.yml's snippets base_path "
            f"({', '.join(str(b) for b in bases)}): choose a folder inside it, "
            "so the pages' --8<-- includes resolve",
            1,
        )
    return ""


def _find_mkdocs(folder: Path) -> Path | None:
    for parent in folder.resolve().parents:
        if (parent / "mkdocs.yml").is_file():
            return parent / "mkdocs.yml"
    return None


def docs_prefix(docs: Path, mkdocs_config: Path | None) -> str:
    """Where the pages go inside MkDocs' ``docs_dir`` ('' for docs/ itself, 'sso' for docs/sso):
    the English pages reach the files stored once in the default language's build with URLs that
    leave ``/en/``, so they need the whole path from the site root."""
    if mkdocs_config is None or not mkdocs_config.is_file():
        return ""
    match = re.search(r"(?m)^docs_dir:\s*(\S+)\s*$", mkdocs_config.read_text(encoding="utf-8"))
    docs_dir = (mkdocs_config.parent / (match.group(1).strip("'\"") if match else "docs")).resolve()
    target = docs.resolve()
    if target != docs_dir and target.is_relative_to(docs_dir):
        return target.relative_to(docs_dir).as_posix()
    return ""


def import_tree(options: ImportOptions) -> ImportReport:
    """Convert every page under ``options.source``, write pages, snippets and images, and check
    the snippets and the site's rules on what was written."""
    report = ImportReport(dry_run=options.dry_run, strict_source=options.strict_source)
    try:
        return _import(options, report)
    except InputError as error:
        report.error(error.file, error.line, error.message)
        return report


def _import(options: ImportOptions, report: ImportReport) -> ImportReport:
    source = options.source
    if not source.exists():
        raise InputError(
            str(source), "no such file or folder: give the Hugo site root, its content/ folder or one page", 1
        )
    site_root = find_site_root(source)
    config = read_config(site_root) if site_root is not None else HugoConfig()
    if options.default_lang:
        config.default_language = options.default_lang
    elif config.file is not None and not config.default_language_given:
        report.note(
            str(config.file),
            1,
            "no defaultContentLanguage: untagged pages are English, Hugo's default "
            "(use --default-lang vi if they are Vietnamese)",
        )
    prefix = snippets_prefix(options.snippets, options.mkdocs_config)
    tree = load_tree(source, config.default_language, options.static, report, config, site_root)
    tree.site_prefix = docs_prefix(options.docs, options.mkdocs_config or _find_mkdocs(options.docs))
    _add_missing_translations(tree, report)
    snippets = SnippetRegistry(prefix=prefix)
    copies: dict[PurePosixPath, Path] = {}
    pages_out: dict[PurePosixPath, str] = {}
    heading_ids = add_heading_ids(tree.pages, report)
    # English first: snippet file names come from the first page that shows a policy.
    ordered = sorted(tree.pages, key=lambda page: (page.page_key.as_posix(), page.lang != "en"))
    started = last = time.perf_counter()
    for number, page in enumerate(ordered, start=1):
        body = heading_ids.bodies.get((page.link_path, page.lang), page.front.body)
        try:
            text = _convert_page(page, body, tree, report, snippets, copies, heading_ids.anchors)
        except Exception as error:  # noqa: BLE001 — one page the importer cannot handle must not stop the rest
            report.problem(
                page.display,
                1,
                f"the importer failed on this page ({type(error).__name__}: {error}); page not written — "
                "please report it with the page",
            )
            text = None
        if text is not None:
            pages_out[page.out_path] = text
            report.pages[page.lang] += 1
        now = time.perf_counter()
        if options.progress and now - last >= PROGRESS_SECONDS:
            options.progress(f"import-hugo: {number}/{len(ordered)} pages converted ({now - started:.1f} s)")
            last = now
    redirects = _redirects(tree, report)

    writer = Writer(report, dry_run=options.dry_run, force=options.force)
    for relative, text in sorted(pages_out.items()):
        writer.text(options.docs / relative, text)
    for relative, text in sorted(redirects.items()):
        if relative.with_suffix(".md") not in pages_out:
            writer.text(options.docs / relative, text)
    for relative, (text, _, _, _) in sorted(snippets.files.items()):
        writer.text(options.snippets / relative, text)
    for relative, origin in sorted(copies.items()):
        writer.copy(options.docs / relative, origin, str(origin))
    _remove_stale(options, snippets, writer, report)
    report.snippets = len(snippets.files)
    report.images = len(copies)
    report.redirects = len(redirects)
    _check_snippets(snippets, options.snippets, report)
    written_pages = {options.docs / relative: text for relative, text in pages_out.items()}
    written_snippets = {options.snippets / relative: entry[0] for relative, entry in snippets.files.items()}
    check_site_rules(
        options.docs,
        options.snippets,
        {path: text for path, text in written_pages.items() if path in writer.settled},
        {path: text for path, text in written_snippets.items() if path in writer.settled},
        dry_run=options.dry_run,
        report=report,
        include_prefix=prefix,
    )
    return report


def _add_missing_translations(tree: ContentTree, report: ImportReport) -> None:
    """A page in one language only gets a copy in the other, with a banner, so links and the
    language switch work in both; the maintainer finds it on the to-do list."""
    for versions in list(tree.by_link.values()):
        for lang in SITE_LANGS:
            if lang in versions:
                continue
            original = versions.get("vi" if lang == "en" else "en") or next(iter(versions.values()))
            copy = replace(original, lang=lang, meta=dict(original.meta))
            copy.meta["_untranslated"] = True
            tree.pages.append(copy)
            versions[lang] = copy
            report.translation_work(
                original.display,
                1,
                f"no '{lang}' version: published a copy of this page with a 'not translated' banner",
            )


def _convert_page(
    page: SourcePage,
    body: str,
    tree: ContentTree,
    report: ImportReport,
    snippets: SnippetRegistry,
    copies: dict[PurePosixPath, Path],
    anchors: dict[tuple[PurePosixPath, str], dict[str, str]],
) -> str | None:
    try:
        nodes = parse(body, page.front.body_line, page.display)
    except InputError as error:
        report.defect(
            error.file,
            error.line,
            f"{error.message}; the page's shortcodes were left as they are",
            "balance the shortcode tags",
        )
        from policyproof.hugo.shortcodes import Text

        nodes = [Text(body, page.front.body_line)]
    context = PageContext(page, tree, report, snippets, copies, anchors=anchors)
    body = normalize_lists(context.render(nodes))
    meta = {key: value for key, value in page.meta.items() if not key.startswith("_")}
    if "title" not in meta:
        meta = {"title": _fallback_title(page, body), **meta}
    kept, unknown = site_front_matter(meta)
    if page.meta.get("_untranslated"):
        title, text = UNTRANSLATED[page.lang]
        body = f'!!! warning "{title}"\n\n    {text}\n\n' + body.lstrip("\n")
    else:
        for key in unknown:
            report.note(
                page.display,
                _key_line(page, key),
                f"front matter key '{key}' is not used by this site; kept as it was",
            )
    return dump_front_matter(kept) + _tidy_blank_lines(body) + "\n"


def _fallback_title(page: SourcePage, body: str) -> str:
    match = re.search(r"(?m)^#{1,6}\s+(.+?)(?:\s*<a id=.*?</a>)?(?:\s*\{[^}]*\})?\s*$", body)
    if match:
        return match.group(1).strip()
    name = page.src_dir.name if page.is_index and page.src_dir.name else page.src_base
    return re.sub(r"^[\d.\-\s]+", "", name).replace("-", " ").strip() or name


def _redirects(tree: ContentTree, report: ImportReport) -> dict[PurePosixPath, str]:
    """``aliases`` and ``url`` front matter: old URLs that redirect to the page (static HTML)."""
    out: dict[PurePosixPath, str] = {}
    for page in tree.pages:
        if page.meta.get("_untranslated"):
            continue
        olds = page.meta.get("aliases") or []
        olds = (
            [olds] if isinstance(olds, str) else [str(item) for item in olds if isinstance(item, str | int)]
        )
        if isinstance(page.meta.get("url"), str):
            olds.append(page.meta["url"])
        for old in olds:
            parts = [urlize(part) for part in old.strip("/").split("/") if part and part != "."]
            if not parts or ".." in parts:
                continue
            if parts[0] in SITE_LANGS:
                parts = parts[1:]
            folder = PurePosixPath(*parts) if parts else PurePosixPath(".")
            if ("/" if str(folder) == "." else f"/{folder.as_posix()}/") == url_of(page.link_path):
                continue
            name = "index.html" if page.lang == SITE_DEFAULT_LANG else f"index.{page.lang}.html"
            here = ("" if page.lang == SITE_DEFAULT_LANG else f"{page.lang}/") + folder.as_posix()
            target = _published(page)
            relative = _relpath(target, here)
            out[folder / name] = (
                '<!doctype html>\n<html><head><meta charset="utf-8">\n'
                f'<meta http-equiv="refresh" content="0; url={relative}">\n'
                f'<link rel="canonical" href="{relative}">\n'
                f'</head><body><a href="{relative}">{page.title}</a></body></html>\n'
            )
    return out


def _published(page: SourcePage) -> str:
    parts = [] if str(page.rel_dir) == "." else list(page.rel_dir.parts)
    if page.base != "index":
        parts.append(page.base)
    prefix = [] if page.lang == SITE_DEFAULT_LANG else [page.lang]
    return "/".join(prefix + parts)


def _relpath(target: str, here: str) -> str:
    import posixpath

    relative = posixpath.relpath(target or ".", here or ".")
    return relative + "/" if relative != "." else "./"


_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def _tidy_blank_lines(body: str) -> str:
    """At most one blank line in a row outside code blocks (converted shortcodes leave some)."""
    out: list[str] = []
    fence = ""
    for row in body.strip("\n").split("\n"):
        match = _FENCE_LINE.match(row)
        if match and (not fence or (match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence))):
            fence = "" if fence else match.group(1)
        if not fence and not row.strip() and out and not out[-1].strip():
            continue
        out.append(row if row.strip() or fence else "")
    return "\n".join(out)


def _key_line(page: SourcePage, key: str) -> int:
    """Line of a front matter key in the source file (the header starts on line 2)."""
    header_lines = page.front.body_line - 3
    try:
        lines = page.source.read_text(encoding="utf-8-sig").splitlines()[1 : 1 + max(header_lines, 0)]
    except (OSError, UnicodeDecodeError):
        return 1
    pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*[:=]")
    return next((index + 2 for index, row in enumerate(lines) if pattern.match(row)), 1)


def _remove_stale(
    options: ImportOptions, snippets: SnippetRegistry, writer: Writer, report: ImportReport
) -> None:
    """Delete the snippets an earlier import wrote that this one no longer writes (its manifest)."""
    manifest = options.docs / MANIFEST
    previous: list[str] = []
    if manifest.is_file():
        try:
            previous = list(json.loads(manifest.read_text(encoding="utf-8")).get("snippets", []))
        except (OSError, ValueError, AttributeError):
            previous = []
    for relative in previous:
        if relative in snippets.files:
            continue
        path = options.snippets / relative
        if path.is_file():
            report.snippets_removed += 1
            if not options.dry_run:
                path.unlink()
                for folder in path.parents:
                    if folder == options.snippets or any(folder.iterdir()):
                        break
                    folder.rmdir()
    if not options.dry_run and (snippets.files or previous):
        options.docs.mkdir(parents=True, exist_ok=True)
        manifest.write_text(
            json.dumps({"snippets": sorted(snippets.files)}, indent=1) + "\n", encoding="utf-8"
        )


def _check_snippets(snippets: SnippetRegistry, folder: Path, report: ImportReport) -> None:
    """Run policyproof's checker on every extracted snippet; its errors change the exit status."""
    try:
        from policyproof.check.checker import check_text
    except ImportError:
        report.checker_available = False
        return
    for relative, (text, source, line, kind) in sorted(snippets.files.items()):
        name = str(folder / relative)
        origin = f" (from {source}:{line})"
        try:
            findings = check_text(text, file=name, kind=kind)
        except InputError as error:
            where = f"{error.file}:{error.line}:{error.column}"
            report.findings.append(f"{where}: error: {error.message}{origin}")
            report.checker_errors += 1
            continue
        except Exception as error:  # noqa: BLE001 — a checker bug must not hide the import's summary
            report.problem(name, 1, f"the checker failed on this snippet ({type(error).__name__}: {error})")
            continue
        report.findings.extend(finding.format() + origin for finding in findings)
        report.checker_errors += sum(1 for finding in findings if finding.severity.value == "error")


__all__ = ["ImportOptions", "import_tree", "snippets_prefix"]
