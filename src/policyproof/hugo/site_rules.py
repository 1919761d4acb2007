"""Check the pages an import wrote against the site's own rules, as the site's tests will.

``policyproof.site.page_rules`` holds the rules (every page has its twin in the other language
with the same snippets and heading ids, no inline JSON policy, no unused or missing snippet). An
import is only done when its pages pass them, so it runs them on what it wrote — or, in a dry run,
on a scratch copy of what it would write (with the twins and snippets already in the target that
those pages rely on) — and keeps the problems about its own pages, not the rest of the site.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from policyproof.check.findings import Finding
from policyproof.hugo.report import ImportReport, Message
from policyproof.site.page_rules import inline_json_problems, parity_problems, snippet_usage_problems
from policyproof.site.pages import DEFAULT_LANG, OTHER_LANGS, includes, twin_path

# Problems reported on a twin that only exist because of the imported page it is compared with.
_COMPARISON_CODES = frozenset({"snippet-order", "heading-ids"})
_LANGS = (DEFAULT_LANG, *OTHER_LANGS)


def check_site_rules(
    docs: Path,
    snippets: Path,
    pages: dict[Path, str],
    snippet_files: dict[Path, str],
    *,
    dry_run: bool,
    report: ImportReport,
    include_prefix: str = "",
) -> None:
    """Add to ``report.site_problems`` what the site's rules say about ``pages`` (destination -> text)."""
    if not pages and not snippet_files:
        return
    try:
        # Includes name snippets from mkdocs.yml's base path: check from there.
        base = snippets
        for _ in PurePosixPath(include_prefix).parts if include_prefix else ():
            base = base.parent
        if dry_run:
            findings = _check_scratch_copy(docs, base, pages, snippet_files)
        else:
            findings = _site_findings(docs, base)
    except (OSError, UnicodeDecodeError) as error:
        report.problem(str(docs), 1, f"the site's rules could not be checked: {error}")
        return
    ours = set(pages) | set(snippet_files)
    twins = {twin_path(page, lang) for page in pages for lang in _LANGS} - ours
    for finding in findings:
        file = Path(finding.file)
        if file in ours or (file in twins and finding.code in _COMPARISON_CODES):
            if finding.severity.value != "error" or finding.code == "heading-ids":
                # contract 2: different heading ids between twins are translation work
                report.translation.append(_message(finding))
            else:
                report.site_problems.append(_message(finding))


def _site_findings(docs: Path, snippets: Path) -> list[Finding]:
    return [*parity_problems(docs), *inline_json_problems(docs), *snippet_usage_problems(docs, snippets)]


def _message(finding: Finding) -> Message:
    return Message(finding.file, finding.line, f"{finding.code}: {finding.message}")


def _check_scratch_copy(
    docs: Path, snippets: Path, pages: dict[Path, str], snippet_files: dict[Path, str]
) -> list[Finding]:
    """The rules on a scratch tree: the import's output plus the target files it depends on."""
    with tempfile.TemporaryDirectory(prefix="import-hugo-check-") as scratch:
        scratch_docs, scratch_snippets = Path(scratch) / "docs", Path(scratch) / "snippets"
        scratch_docs.mkdir()
        scratch_snippets.mkdir()
        for destination, text in pages.items():
            _write(scratch_docs / destination.relative_to(docs), text)
            for lang in _LANGS:
                twin = twin_path(destination, lang)
                if twin not in pages and twin.is_file():
                    _copy(twin, scratch_docs / twin.relative_to(docs))
        for destination, text in snippet_files.items():
            _write(scratch_snippets / destination.relative_to(snippets), text)
        for text in pages.values():
            for include in includes(text):
                existing = snippets / include.path
                if existing not in snippet_files and existing.is_file():
                    _copy(existing, scratch_snippets / include.path)
        findings = _site_findings(scratch_docs, scratch_snippets)
        # Name the files where they would be, not where they were checked.
        moves = ((scratch_docs, docs), (scratch_snippets, snippets))
        return [_moved(finding, moves) for finding in findings]


def _moved(finding: Finding, moves: tuple[tuple[Path, Path], ...]) -> Finding:
    file = Path(finding.file)
    for scratch, target in moves:
        if file.is_relative_to(scratch):
            return replace(finding, file=str(target / file.relative_to(scratch)))
    return finding


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _copy(origin: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(origin, destination)
