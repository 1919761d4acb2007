"""Import a Hugo content tree (or one page) into docs/ and snippets/: the orchestration."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from policyproof.check.findings import InputError
from policyproof.hugo.convert import PageContext, SnippetRegistry
from policyproof.hugo.frontmatter import dump_front_matter, site_front_matter
from policyproof.hugo.headings import add_heading_ids
from policyproof.hugo.report import ImportReport
from policyproof.hugo.shortcodes import parse
from policyproof.hugo.site_rules import check_site_rules
from policyproof.hugo.source import SITE_DEFAULT_LANG, SourcePage, load_tree
from policyproof.hugo.writer import Writer

PROGRESS_EVERY = 50


@dataclass
class ImportOptions:
    source: Path
    docs: Path = Path("docs")
    snippets: Path = Path("snippets")
    default_lang: str = SITE_DEFAULT_LANG  # the Hugo site's default language (of untagged page.md)
    static: Path | None = None  # Hugo's static/ folder; found beside content/ when None
    dry_run: bool = False
    force: bool = False
    progress: Callable[[str], None] | None = None


def import_tree(options: ImportOptions) -> ImportReport:
    """Convert every page under ``options.source``, write pages, snippets and images, and check
    the pages written against the site's rules (both languages in step, no inline JSON, ...)."""
    report = ImportReport(dry_run=options.dry_run)
    source = options.source
    if not source.exists():
        report.error(str(source), 1, "no such file or folder: give a Hugo content/ folder or one page")
        return report
    tree = load_tree(source, options.default_lang, options.static, report)
    snippets = SnippetRegistry()
    copies: dict[PurePosixPath, Path] = {}
    pages_out: dict[PurePosixPath, str] = {}
    # Heading ids first: they depend on both languages of a page, conversion sees one at a time.
    bodies = add_heading_ids(tree.pages, report)
    # English first: snippet file names come from the first page that shows a policy, and this
    # site's file names are English slugs.
    ordered = sorted(tree.pages, key=lambda page: (page.page_key.as_posix(), page.lang != "en"))
    for number, page in enumerate(ordered, start=1):
        body = bodies.get((page.link_path, page.lang), page.front.body)
        text = _convert_page(page, body, tree, report, snippets, copies)
        if text is not None:
            pages_out[page.out_path] = text
            report.pages[page.lang] += 1
        if options.progress and number % PROGRESS_EVERY == 0:
            options.progress(f"import-hugo: {number}/{len(ordered)} pages converted")
    for path, relative in tree.resources:
        copies.setdefault(relative, path)

    writer = Writer(report, dry_run=options.dry_run, force=options.force)
    for relative, text in sorted(pages_out.items()):
        writer.text(options.docs / relative, text)
    for relative, (text, _, _, _) in sorted(snippets.files.items()):
        writer.text(options.snippets / relative, text)
    for relative, origin in sorted(copies.items()):
        writer.copy(options.docs / relative, origin, str(origin))
    report.snippets = len(snippets.files)
    report.images = len(copies)
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
    )
    return report


def _convert_page(
    page: SourcePage,
    body: str,
    tree: object,
    report: ImportReport,
    snippets: SnippetRegistry,
    copies: dict[PurePosixPath, Path],
) -> str | None:
    try:
        nodes = parse(body, page.front.body_line, page.display)
    except InputError as error:
        report.error(error.file, error.line, error.message)
        return None
    context = PageContext(page, tree, report, snippets, copies)  # type: ignore[arg-type]
    body = context.render(nodes)
    kept, unknown = site_front_matter(page.meta)
    for key in unknown:
        report.note(
            page.display,
            _key_line(page, key),
            f"front matter key '{key}' is not used by this site; kept as it was",
        )
    return dump_front_matter(kept) + _tidy_blank_lines(body) + "\n"


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


def _check_snippets(snippets: SnippetRegistry, folder: Path, report: ImportReport) -> None:
    """Run policyproof's checker on every extracted snippet; print what it finds."""
    try:
        from policyproof.check.checker import check_text
    except ImportError:
        report.checker_available = False
        return
    for relative, (text, _, _, kind) in sorted(snippets.files.items()):
        name = str(folder / relative)
        try:
            findings = check_text(text, file=name, kind=kind)
        except InputError as error:
            report.findings.append(f"{error.file}:{error.line}:{error.column}: error: {error.message}")
            continue
        except Exception as error:  # noqa: BLE001 — a checker bug must not hide the import's summary
            report.note(name, 1, f"the checker failed on this snippet ({type(error).__name__}: {error})")
            continue
        report.findings.extend(finding.format() for finding in findings)


__all__ = ["ImportOptions", "import_tree"]
