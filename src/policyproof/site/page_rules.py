"""Site-wide consistency rules: language twins, same snippets in the same order, explicit heading
ids, no inline JSON policy, no unused snippet.

Each function returns problems as ``Finding``s (file, line, column, code, severity, message); the
verification pipeline (``site/pipeline.py``) runs them for pytest, ``policyproof verify`` and the
build hook alike. Different heading ids between twins are translation work: severity ``warning``,
reported but never failing (contract 2 of the project).
"""

from __future__ import annotations

from pathlib import Path

from policyproof.check.findings import Finding, Severity
from policyproof.site.pages import (
    OTHER_LANGS,
    default_language_pages,
    headings,
    includes,
    inline_json_blocks,
    page_language,
    twin_path,
)

# Files in snippets/ that are not policies shown on a page (claims, declared findings, notes).
NON_POLICY_SUFFIXES = (".yaml", ".yml", ".md")


def _problem(
    file: Path, line: int, code: str, message: str, severity: Severity = Severity.ERROR, column: int = 1
) -> Finding:
    return Finding(str(file), line, column, code, severity, message)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def parity_problems(docs_dir: Path) -> list[Finding]:
    """Every page has its twin in every language, with the same includes and heading ids, and every
    heading has an explicit id."""
    problems: list[Finding] = heading_id_problems(docs_dir)
    for page in sorted(docs_dir.rglob("*.md")):
        if page_language(page) == "vi":
            continue
        if not twin_path(page, "vi").exists():
            problems.append(
                _problem(page, 1, "missing-twin", f"no Vietnamese twin: create {twin_path(page, 'vi').name}")
            )
    for vi_page in default_language_pages(docs_dir):
        vi_text = _read(vi_page)
        for lang in OTHER_LANGS:
            twin = twin_path(vi_page, lang)
            if not twin.exists():
                problems.append(_problem(vi_page, 1, "missing-twin", f"no '{lang}' twin: create {twin.name}"))
                continue
            problems.extend(_compare_twins(vi_page, vi_text, twin, _read(twin)))
    return problems


def _compare_twins(vi_page: Path, vi_text: str, twin: Path, twin_text: str) -> list[Finding]:
    problems: list[Finding] = []
    vi_includes = [inc.path for inc in includes(vi_text)]
    twin_includes = includes(twin_text)
    if vi_includes != [inc.path for inc in twin_includes]:
        # Point at the first place the two lists part ways.
        index = next(
            (i for i, (a, b) in enumerate(zip(vi_includes, twin_includes, strict=False)) if a != b.path),
            min(len(vi_includes), len(twin_includes)),
        )
        line = twin_includes[index].line if index < len(twin_includes) else len(twin_text.splitlines())
        expected = vi_includes[index] if index < len(vi_includes) else "(nothing more)"
        problems.append(
            _problem(
                twin,
                line,
                "snippet-order",
                f"snippet include #{index + 1} differs from {vi_page.name}: expected {expected!r}; "
                "both languages must include the same snippets in the same order",
            )
        )
    vi_ids = [h.id for h in headings(vi_text)]
    twin_headings = headings(twin_text)
    twin_ids = [h.id for h in twin_headings]
    if None in vi_ids or None in twin_ids:
        return problems  # a heading without id is the error (heading_id_problems); ids compare after
    if vi_ids != twin_ids:
        missing = [i for i in vi_ids if i not in twin_ids]
        extra = [i for i in twin_ids if i not in vi_ids]
        line = next((h.line for h in twin_headings if h.id in extra), 1)
        detail = f"missing {missing}" if missing else ""
        detail += (", " if detail and extra else "") + (f"not in {vi_page.name}: {extra}" if extra else "")
        problems.append(
            _problem(
                twin,
                line,
                "heading-ids",
                f"translation work: heading ids differ from {vi_page.name} "
                f"({detail or 'same ids, different order'}); give both languages the same headings with "
                "the same ids in the same order so anchors match across languages",
                Severity.WARNING,
            )
        )
    return problems


def heading_id_problems(docs_dir: Path) -> list[Finding]:
    """Every heading of every page carries an explicit ``{ #id }`` (anchors that match across languages)."""
    problems = []
    for page in sorted(docs_dir.rglob("*.md")):
        for heading in headings(_read(page)):
            if heading.id is None:
                message = (
                    f"heading {heading.title!r} lacks an explicit {{ #id }}: add one, same in both languages"
                )
                problems.append(_problem(page, heading.line, "heading-id", message))
    return problems


def inline_json_problems(docs_dir: Path) -> list[Finding]:
    """JSON blocks written inline instead of included from snippets/."""
    problems = []
    for page in sorted(docs_dir.rglob("*.md")):
        for block in inline_json_blocks(_read(page)):
            problems.append(
                _problem(
                    page,
                    block.line,
                    "inline-json",
                    "JSON block written inline: move the policy into snippets/ and include it with "
                    '--8<-- "section/page/name.<kind>.json" so it is checked (a block that is not a '
                    "policy may stay when the line before its fence is <!-- policyproof: not-a-policy -->)",
                )
            )
    return problems


def snippet_usage_problems(docs_dir: Path, snippets_dir: Path) -> list[Finding]:
    """Every policy snippet is shown by some page, and every include names an existing snippet."""
    used: set[str] = set()
    problems: list[Finding] = []
    for page in sorted(docs_dir.rglob("*.md")):
        for include in includes(_read(page)):
            used.add(include.path)
            if not (snippets_dir / include.path).is_file():
                message = f"included snippet not found: snippets/{include.path}"
                problems.append(_problem(page, include.line, "missing-snippet", message))
    for snippet in sorted(snippets_dir.rglob("*")):
        if not snippet.is_file() or snippet.suffix in NON_POLICY_SUFFIXES:
            continue
        relative = snippet.relative_to(snippets_dir).as_posix()
        if relative not in used:
            message = "no page includes this snippet: include it or delete it"
            problems.append(_problem(snippet, 1, "unused-snippet", message))
    return problems
