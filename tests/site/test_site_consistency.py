"""Both languages in step, no inline JSON policy, every snippet used and strict JSON.

Each rule runs on the real site (must be clean) and on a small broken site made in tmp_path
(must report the right file, line and code), so none of these tests can pass vacuously.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DOCS, SNIPPETS

from policyproof.check.document import parse_json
from policyproof.check.findings import Finding, InputError, Severity
from policyproof.site.page_rules import (
    NON_POLICY_SUFFIXES,
    inline_json_problems,
    parity_problems,
    snippet_usage_problems,
)


def _report(problems: list[Finding]) -> str:
    return "\n".join(p.format() for p in problems)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PAGE_VI = """---
title: Trang
---

# Trang { #page }

## Key policy { #key-policy }

```json
--8<-- "s/p/a.key-policy.json"
```

```json
--8<-- "s/p/b.identity-policy.json"
```
"""


# --- parity ---------------------------------------------------------------------------------


def test_real_site_languages_are_in_step() -> None:
    # Twins, snippets and heading ids are errors; headings that differ between the languages are
    # translation work (a warning in the report), which an imported workshop may carry and still publish.
    problems = [p for p in parity_problems(DOCS) if p.severity.value == "error"]
    assert not problems, _report(problems)


def test_parity_reports_a_page_without_twin(tmp_path: Path) -> None:
    _write(tmp_path / "docs/only-vi.md", PAGE_VI)
    _write(tmp_path / "docs/only-en.en.md", PAGE_VI)
    problems = parity_problems(tmp_path / "docs")
    assert {(Path(p.file).name, p.code) for p in problems} == {
        ("only-vi.md", "missing-twin"),
        ("only-en.en.md", "missing-twin"),
    }, _report(problems)


def test_parity_reports_snippets_in_another_order(tmp_path: Path) -> None:
    _write(tmp_path / "docs/page.md", PAGE_VI)
    swapped = PAGE_VI.replace("a.key-policy", "TMP").replace("b.identity-policy", "a.key-policy")
    en = _write(tmp_path / "docs/page.en.md", swapped.replace("TMP", "b.identity-policy"))
    problems = parity_problems(tmp_path / "docs")
    assert [(p.file, p.line, p.code) for p in problems] == [(str(en), 10, "snippet-order")], _report(problems)
    assert "s/p/a.key-policy.json" in problems[0].message


def test_parity_reports_a_missing_snippet_in_one_language(tmp_path: Path) -> None:
    _write(tmp_path / "docs/page.md", PAGE_VI)
    _write(tmp_path / "docs/page.en.md", PAGE_VI.split("```json\n--8<-- \"s/p/b")[0])
    problems = parity_problems(tmp_path / "docs")
    assert [p.code for p in problems] == ["snippet-order"], _report(problems)
    assert "s/p/b.identity-policy.json" in problems[0].message


def test_parity_reports_different_heading_ids(tmp_path: Path) -> None:
    _write(tmp_path / "docs/page.md", PAGE_VI)
    en = _write(tmp_path / "docs/page.en.md", PAGE_VI.replace("{ #key-policy }", "{ #the-key-policy }"))
    problems = parity_problems(tmp_path / "docs")
    assert [(p.file, p.line, p.code) for p in problems] == [(str(en), 7, "heading-ids")], _report(problems)
    assert "key-policy" in problems[0].message
    # Translation work (contract 2): reported, never failing.
    assert problems[0].severity is Severity.WARNING and "translation work" in problems[0].message


def test_parity_reports_a_heading_without_id(tmp_path: Path) -> None:
    vi = _write(tmp_path / "docs/page.md", PAGE_VI.replace(" { #key-policy }", ""))
    _write(tmp_path / "docs/page.en.md", PAGE_VI)
    problems = parity_problems(tmp_path / "docs")
    assert (str(vi), 7, "heading-id") in [(p.file, p.line, p.code) for p in problems], _report(problems)


# --- inline JSON ----------------------------------------------------------------------------


def test_real_site_has_no_inline_json_policy() -> None:
    problems = inline_json_problems(DOCS)
    assert not problems, _report(problems)


def test_inline_json_is_reported_with_its_line(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "docs/page.md",
        PAGE_VI + '\n```json\n{"Version": "2012-10-17", "Statement": []}\n```\n\n~~~ JSON\n{}\n~~~\n',
    )
    problems = inline_json_problems(tmp_path / "docs")
    assert [(p.file, p.line, p.code) for p in problems] == [
        (str(page), 17, "inline-json"),
        (str(page), 21, "inline-json"),
    ], _report(problems)


def test_other_code_blocks_are_not_inline_json(tmp_path: Path) -> None:
    _write(tmp_path / "docs/page.md", PAGE_VI + '\n```text\n{"not": "a policy"}\n```\n')
    assert inline_json_problems(tmp_path / "docs") == []


# --- snippet usage --------------------------------------------------------------------------


def test_real_site_uses_every_snippet_and_includes_only_existing_ones() -> None:
    problems = snippet_usage_problems(DOCS, SNIPPETS)
    assert not problems, _report(problems)


def test_unused_and_missing_snippets_are_reported(tmp_path: Path) -> None:
    page = _write(tmp_path / "docs/page.md", PAGE_VI)
    _write(tmp_path / "snippets/s/p/a.key-policy.json", "{}\n")
    unused = _write(tmp_path / "snippets/s/p/forgotten.identity-policy.json", "{}\n")
    _write(tmp_path / "snippets/s/p/claims.yaml", "claims: []\n")  # not a policy: never "unused"
    problems = snippet_usage_problems(tmp_path / "docs", tmp_path / "snippets")
    assert sorted((p.file, p.line, p.code) for p in problems) == sorted(
        [(str(page), 14, "missing-snippet"), (str(unused), 1, "unused-snippet")]
    ), _report(problems)


# --- strict JSON ----------------------------------------------------------------------------


def _policy_snippets() -> list[Path]:
    return sorted(p for p in SNIPPETS.rglob("*") if p.is_file() and p.suffix not in NON_POLICY_SUFFIXES)


def test_the_site_has_policy_snippets() -> None:
    assert _policy_snippets(), f"no policy snippet under {SNIPPETS}"


@pytest.mark.parametrize("snippet", _policy_snippets(), ids=lambda p: p.relative_to(SNIPPETS).as_posix())
def test_every_snippet_is_strict_json(snippet: Path) -> None:
    try:
        parse_json(snippet.read_text(encoding="utf-8"), str(snippet))
    except InputError as error:
        pytest.fail(str(error))


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "Version": "2012-10-17",\n  "Statement": [],\n}\n', 3, 18, "trailing comma"),
        ('{\n  "Effect": "Allow",\n  "Effect": "Deny"\n}\n', 3, 3, "duplicate"),
        ('{\n  "Statement": [\n    {"Sid": "A",}\n  ]\n}\n', 3, 16, "trailing comma"),
    ],
    ids=["comma-after-last-member", "duplicate-key", "comma-in-statement"],
)
def test_strict_json_errors_name_file_line_and_column(
    tmp_path: Path, text: str, line: int, column: int, words: str
) -> None:
    bad = _write(tmp_path / "snippets/s/p/bad.identity-policy.json", text)
    with pytest.raises(InputError) as caught:
        parse_json(bad.read_text(encoding="utf-8"), str(bad))
    error = caught.value
    assert (error.file, error.line, error.column) == (str(bad), line, column), str(error)
    assert words in error.message.lower(), str(error)
