"""``policyproof verify`` and ``policyproof check`` on a site: outputs, exit codes, errors once and at
their source, the page rules' contracts (non-policy JSON marker, translation work)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SNIPPETS, build_site, require_verified_site, site_copy

from policyproof.cli import main
from policyproof.site.pipeline import verify_site

SEED = "kms/cross-account-encryption"

PAGE = """---
title: {title}
---

# {title} {{ #top }}

## Key {{ #key }}

```json
--8<-- "s/p/k.key-policy.json"
```
"""
KEY = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "Admin",\n'
    '      "Effect": "Allow",\n'
    '      "Principal": {"AWS": "arn:aws:iam::111111111111:root"},\n      "Action": "kms:*",\n'
    '      "Resource": "*"\n    }\n  ]\n}\n'
)


def _tiny_site(root: Path) -> Path:
    """A two-page bilingual site with one key policy snippet (no claims)."""
    (root / "docs").mkdir(parents=True)
    (root / "docs/page.md").write_text(PAGE.format(title="Trang"), encoding="utf-8")
    (root / "docs/page.en.md").write_text(PAGE.format(title="Page"), encoding="utf-8")
    (root / "snippets/s/p").mkdir(parents=True)
    (root / "snippets/s/p/k.key-policy.json").write_text(KEY, encoding="utf-8")
    return root


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["verify", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_a_clean_site_exits_0_and_says_what_it_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _tiny_site(tmp_path / "site")
    code, out, _ = _verify(capsys, str(site), "--no-cache")
    assert code == 0, out
    assert out.strip() == "2 pages, 1 snippets, 0/0 claims proved: 0 error(s), 0 warning(s)", out


def test_verify_json_and_sarif_carry_the_same_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _tiny_site(tmp_path / "site")
    en = site / "docs/page.en.md"
    en.write_text(en.read_text(encoding="utf-8").replace(" { #key }", ""), encoding="utf-8")
    code, out, _ = _verify(capsys, str(site), "--no-cache")
    assert code == 1
    assert out.splitlines()[0].startswith("docs/page.en.md:7:1: error heading-id: heading 'Key' lacks"), out

    code, out, _ = _verify(capsys, str(site), "--no-cache", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert [(e["file"], e["line"], e["column"], e["code"]) for e in data["errors"]] == [
        ("docs/page.en.md", 7, 1, "heading-id")
    ], data
    assert data["summary"]["errors"] == 1

    code, out, _ = _verify(capsys, str(site), "--no-cache", "--format", "sarif")
    assert code == 1
    run = json.loads(out)["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "heading-id" and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "docs/page.en.md"},
        "region": {"startLine": 7, "startColumn": 1},
    }
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["heading-id"]


def test_verify_a_folder_that_is_no_site_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _verify(capsys, str(tmp_path))
    assert code == 2 and out == ""
    assert err.strip() == (
        f"policyproof verify: {tmp_path / 'docs'}: no such pages folder; pass the folder of the site's "
        "mkdocs.yml (or --docs/--snippets)"
    )


def test_different_heading_ids_are_translation_work_never_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _tiny_site(tmp_path / "site")
    en = site / "docs/page.en.md"
    en.write_text(en.read_text(encoding="utf-8").replace("{ #key }", "{ #the-key }"), encoding="utf-8")
    code, out, _ = _verify(capsys, str(site), "--no-cache")
    assert code == 0, out
    assert out.splitlines()[0].startswith(
        "docs/page.en.md:7:1: warning heading-ids: translation work: heading ids differ from page.md"
    ), out
    assert out.splitlines()[-1].endswith("0 error(s), 1 warning(s)"), out
    verification = verify_site(site, cache=False)
    assert verification.ok and [w.code for w in verification.warnings] == ["heading-ids"]


NOT_A_POLICY = "<!-- policyproof: not-a-policy -->"


@pytest.mark.parametrize(
    ("block", "marked", "refused"),
    [
        ('{"detail-type": "AWS API Call via CloudTrail", "source": "aws.kms"}', True, False),
        ('{"detail-type": "AWS API Call via CloudTrail", "source": "aws.kms"}', False, True),
        ('{"Version": "2012-10-17", "Statement": []}', True, True),
        ('{"Statement": [{"Effect": "Allow"}]}', True, True),
        ('{"Version": "2008-10-17"}', True, True),
        ('{"Version": "2012-10-17", "Statement": [,]}', True, True),  # not JSON, still reads as a policy
    ],
    ids=["event-marked", "event-unmarked", "policy-marked", "statement-only", "old-version", "broken-policy"],
)
def test_the_not_a_policy_marker_lets_only_non_policies_stay_inline(
    tmp_path: Path, block: str, marked: bool, refused: bool
) -> None:
    site = _tiny_site(tmp_path / "site")
    for name in ("page.md", "page.en.md"):
        page = site / "docs" / name
        text = page.read_text(encoding="utf-8")
        marker = f"{NOT_A_POLICY}\n" if marked else ""
        page.write_text(text + f"\n{marker}```json\n{block}\n```\n", encoding="utf-8")
    fence = text.count("\n") + (3 if marked else 2)  # after a blank line (and the marker)
    verification = verify_site(site, cache=False)
    found = [(p.file, p.line, p.code) for p in verification.errors]
    expected = (
        [("docs/page.en.md", fence, "inline-json"), ("docs/page.md", fence, "inline-json")] if refused else []
    )
    assert found == expected, verification.lines()


def test_a_marker_not_directly_before_the_fence_does_not_count(tmp_path: Path) -> None:
    site = _tiny_site(tmp_path / "site")
    for name in ("page.md", "page.en.md"):
        page = site / "docs" / name
        page.write_text(
            page.read_text(encoding="utf-8") + f'\n{NOT_A_POLICY}\n\n```json\n{{"source": "aws.kms"}}\n```\n',
            encoding="utf-8",
        )
    assert {p.code for p in verify_site(site, cache=False).errors} == {"inline-json"}


# --- errors once and at the source (copies of the real site) ---------------------------------


def test_a_claims_typo_is_one_error_at_its_place_with_no_follow_on(tmp_path: Path) -> None:
    site_copy(tmp_path)
    claims = tmp_path / "snippets" / SEED / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    old = 'request: {principal: app-reader-b, action: "kms:Decrypt", resource: key-a}'
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    claims.write_text(text.replace(old, old.replace("app-reader-b,", "app-reader-bb,"), 1), encoding="utf-8")
    verification = verify_site(tmp_path, cache=False)
    lines = verification.lines()
    assert len(lines) == 1, "\n".join(lines)
    assert lines[0].startswith(
        f"snippets/{SEED}/claims.yaml:{line}:26: error claims-file: unknown principal 'app-reader-bb'"
    ), lines[0]
    # The declared lockout of the aws/s3 key needs the claims' context: without it, nothing is said
    # about it (the old follow-on told authors to remove a declaration that is right).
    assert "not raised" not in lines[0] and "key-policy-lockout" not in lines[0]


def test_a_missing_include_is_one_line_naming_the_page_and_its_line(tmp_path: Path) -> None:
    config = site_copy(tmp_path / "src")
    lines = {}
    for name in ("index.md", "index.en.md"):
        page = tmp_path / "src/docs" / name
        text = page.read_text(encoding="utf-8")
        page.write_text(
            text + '\n```json\n--8<-- "kms/no-such-policy.identity-policy.json"\n```\n', encoding="utf-8"
        )
        lines[name] = text.count("\n") + 3  # blank line, fence, include
    result = build_site(config, tmp_path / "site")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    for name, line in lines.items():
        expected = (
            f"  docs/{name}:{line}:1: error missing-snippet: included snippet not found: "
            "snippets/kms/no-such-policy.identity-policy.json"
        )
        reported = [text for text in result.stderr.splitlines() if text.startswith(f"  docs/{name}:")]
        assert reported == [expected], result.stderr


# --- policyproof check on a snippets folder: the page's context and declarations -----------


def test_check_on_the_snippets_folder_agrees_with_the_build(capsys: pytest.CaptureFixture[str]) -> None:
    require_verified_site()  # the real snippets must be publishable for this to mean anything
    code = main(["check", str(SNIPPETS)])
    out, _ = capsys.readouterr()
    assert code == 0, out
    # The aws/s3 key policy is a declared counter-example: its lockout is found (the owner account
    # comes from claims.yaml), shown as expected, and does not fail.
    lockout = [line for line in out.splitlines() if "key-policy-lockout" in line]
    assert len(lockout) == 1 and "aws-s3-managed-key.key-policy.json:" in lockout[0], out
    assert lockout[0].endswith("(expected: a declared counter-example)"), lockout[0]
    assert out.splitlines()[-1].endswith(", 1 expected"), out
    # Without the page's context the lockout cannot be judged: no finding, and nothing expected.
    code = main(["check", "--no-page-context", str(SNIPPETS)])
    out, _ = capsys.readouterr()
    assert code == 0 and "key-policy-lockout" not in out, out


def test_check_reports_a_declared_finding_no_longer_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_verified_site()
    folder = tmp_path / "s" / "p"
    shutil.copytree(SNIPPETS / SEED, folder)
    declaration = folder / "expected-findings.yaml"
    declaration.write_text(
        declaration.read_text(encoding="utf-8") + "key-b-default.key-policy.json: [unknown-action]\n",
        encoding="utf-8",
    )
    code = main(["check", str(folder)])
    out, _ = capsys.readouterr()
    assert code == 1, out
    (line,) = [line for line in out.splitlines() if "expected-finding-not-raised" in line]
    assert line.startswith(
        f"{folder / 'key-b-default.key-policy.json'}:1:1: error expected-finding-not-raised: "
    )
    assert "declares 'unknown-action'" in line

    code = main(["check", "--format", "sarif", str(folder)])
    log = json.loads(capsys.readouterr().out)
    suppressed = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["key-policy-lockout"], suppressed
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("declares 'unknown-action'" in n["message"]["text"] for n in notes), notes


def test_check_with_a_broken_claims_file_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_verified_site()
    folder = tmp_path / "p"
    shutil.copytree(SNIPPETS / SEED, folder)
    (folder / "claims.yaml").write_text("accounts: [\n", encoding="utf-8")
    code = main(["check", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith(f"{folder / 'claims.yaml'}:") and "input-error" in line, err
