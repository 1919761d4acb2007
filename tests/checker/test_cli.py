"""``policyproof check``: formats, exit codes, directory walking, context options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from policyproof.check.rules.registry import RULES_BY_CODE
from policyproof.cli import main

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    for name in (
        "ec2-role.trust-policy.json",
        "typo-action.identity-policy.json",
        "admin.identity-policy.json",
    ):
        shutil.copy(CORPUS / name, tmp_path / name)
    (tmp_path / "notes.json").write_text("{}")  # no policy suffix: skipped when walking without --kind
    hidden = tmp_path / ".cache"
    hidden.mkdir()
    shutil.copy(CORPUS / "typo.scp.json", hidden / "typo.scp.json")
    return tmp_path


def test_text_output_one_line_per_finding_and_summary(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(tree)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert any(
        line.startswith(f"{tree}/typo-action.identity-policy.json:") and " error unknown-action: " in line
        for line in lines
    ), lines
    assert lines[-1] == "3 files checked: 1 error, 1 security-warning, 0 warnings, 0 suggestions"
    assert not any(".cache" in line or "notes.json" in line for line in lines)


def test_json_output_has_the_documented_fields(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITE_URL", "https://example.github.io/notes/")  # as the deploy sets it
    code = main(["check", "--format", "json", str(tree / "typo-action.identity-policy.json")])
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    (finding,) = document["findings"]
    assert {"file", "line", "column", "code", "severity", "message", "help_url"} <= set(finding)
    assert finding["code"] == "unknown-action" and finding["severity"] == "error"
    assert finding["help_url"] == "https://example.github.io/notes/en/reference/rules/#unknown-action"
    assert (finding["line"], finding["column"]) == (6, 17)


def test_sarif_output_is_sarif_2_1_0(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--format", "sarif", str(tree)])
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {rule["id"] for rule in rules} == set(RULES_BY_CODE)
    levels = {result["ruleId"]: result["level"] for result in run["results"]}
    assert levels == {"unknown-action": "error", "full-wildcard": "warning"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    security = next(rule for rule in rules if rule["id"] == "full-wildcard")
    assert float(security["properties"]["security-severity"]) >= 7.0


def test_kind_option_checks_every_json_file(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--kind", "identity", "--format", "json", str(tree)])
    document = json.loads(capsys.readouterr().out)
    assert document["files_checked"] == 4  # notes.json too; the trust policy now fails as identity
    codes = {f["code"] for f in document["findings"]}
    assert {"principal-not-allowed", "missing-element", "unknown-action"} <= codes
    assert code == 1


def test_exit_0_when_clean_and_context_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "b.bucket-policy.json"
    shutil.copy(CORPUS / "cross-account-read.bucket-policy.json", policy)
    assert main(["check", str(policy), "--attached-to", "arn:aws:s3:::amzn-s3-demo-bucket"]) == 0
    assert main(["check", str(policy), "--attached-to", "arn:aws:s3:::other-bucket"]) == 1
    assert "bucket-policy-other-bucket" in capsys.readouterr().out
    key = tmp_path / "k.key-policy.json"
    shutil.copy(CORPUS / "lockout.key-policy.json", key)
    assert main(["check", str(key)]) == 0  # without the owner account the lockout cannot be judged
    assert main(["check", str(key), "--owner-account", "111122223333"]) == 1
    assert main(["check", str(key), "--owner-account", "1111"]) == 2
    assert "not a 12-digit account ID" in capsys.readouterr().err


def test_pre_commit_hook_definition() -> None:
    import re

    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "policyproof-check" and hook["entry"] == "policyproof check"
    pattern = re.compile(hook["files"])
    for name in (
        "a.identity-policy.json",
        "x/b.key-policy.json",
        "c.bucket-policy.json",
        "d.trust-policy.json",
        "e.scp.json",
    ):
        assert pattern.search(name), name
    assert not pattern.search("package.json")
