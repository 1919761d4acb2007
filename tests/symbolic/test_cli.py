"""``policyproof compare`` and ``policyproof who-can`` as a user runs them: exit codes, text, JSON
and SARIF output, one-line errors (src/policyproof/cli/compare.py, cli/who_can.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.cli import main

REPO = Path(__file__).resolve().parents[2]
KMS = REPO / "snippets" / "kms" / "cross-account-encryption"
KEY_A = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def bucket_policy(principal: dict | str, condition: dict | None = None) -> dict:
    statement = {
        "Sid": "Read",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    before = write(
        tmp_path / "before.bucket-policy.json", bucket_policy({"AWS": "arn:aws:iam::222222222222:root"})
    )
    after = write(tmp_path / "after.bucket-policy.json", bucket_policy("*"))
    return before, after


def test_compare_exit_0_when_nothing_is_added(pair, capsys):
    before, after = pair
    assert main(["compare", str(after), str(before)]) == 0
    out = capsys.readouterr().out
    assert "allows nothing that" in out and "proved for every request" in out


def test_compare_exit_1_prints_each_kind_of_new_access_with_a_witness(pair, capsys):
    before, after = pair
    assert main(["compare", str(before), str(after)]) == 1
    out = capsys.readouterr().out
    assert 'granted by "Read"' in out
    assert "new access for anonymous callers" in out
    assert "principal: anonymous" in out
    assert "before: ImplicitDeny; after: Allow" in out


def test_compare_json(pair, capsys):
    before, after = pair
    assert main(["compare", str(before), str(after), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["new_access"] is True
    kinds = {w["principal_kind"] for w in data["witnesses"]}
    assert "anonymous" in kinds
    for witness in data["witnesses"]:
        assert witness["after"] == "Allow" and witness["before"] != "Allow"
        assert witness["request"]["action"] == "s3:getobject"
    assert main(["compare", str(after), str(before), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"new_access": False, "witnesses": []}


def test_compare_sarif_points_at_the_granting_statement(pair, capsys):
    before, after = pair
    assert main(["compare", str(before), str(after), "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert results and all(r["ruleId"] == "new-access" for r in results)
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("after.bucket-policy.json")
    assert location["region"]["startLine"] == 4  # "{" of the statement: line 4 of the indented file


def test_compare_bad_json_is_one_line_exit_2(tmp_path, pair, capsys):
    before, _ = pair
    broken = tmp_path / "broken.bucket-policy.json"
    broken.write_text('{"Version": "2012-10-17", "Statement": [}', encoding="utf-8")
    assert main(["compare", str(before), str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken.bucket-policy.json:1:" in err


def test_compare_unknown_kind_and_mixed_kinds_exit_2(tmp_path, pair, capsys):
    before, _ = pair
    other = write(tmp_path / "x.json", bucket_policy("*"))
    assert main(["compare", str(other), str(before)]) == 2  # BEFORE's name must tell the kind
    identity = write(tmp_path / "x.identity-policy.json", {"Version": "2012-10-17", "Statement": []})
    assert main(["compare", str(before), str(identity)]) == 2
    err = capsys.readouterr().err
    assert "cannot tell the policy kind" in err and "bucket policy but AFTER is a identity policy" in err


def test_compare_unknown_answer_exit_2_with_the_reason(tmp_path, capsys):
    templated = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}
        ],
    }
    a = write(tmp_path / "a.identity-policy.json", templated)
    b = write(tmp_path / "b.identity-policy.json", templated)
    assert main(["compare", str(a), str(b)]) == 2
    assert "unknown: " in capsys.readouterr().err


def test_who_can_lists_the_accounts_of_the_kms_note_key(capsys):
    policy = KMS / "key-a-shared-with-b.key-policy.json"
    assert (
        main(["who-can", str(policy), "--action", "kms:Decrypt", "--resource", KEY_A, "--format", "json"])
        == 0
    )
    findings = json.loads(capsys.readouterr().out)["findings"]
    by_principal = {f["principal"]: f for f in findings}
    assert set(by_principal) == {"111111111111", "222222222222"}
    assert by_principal["222222222222"]["external"] is True
    assert by_principal["111111111111"]["external"] is False
    assert by_principal["222222222222"]["granted_by"] == ['"AllowAccountBToUseTheKey"']
    for finding in findings:
        assert finding["decision"] == "Allow"
        assert finding["request"]["resource"] == KEY_A


def test_who_can_reports_star_with_its_conditions(tmp_path, capsys):
    policy = write(
        tmp_path / "org.bucket-policy.json",
        bucket_policy("*", {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
    )
    assert main(["who-can", str(policy)]) == 0
    out = capsys.readouterr().out
    assert "anyone (*) not listed above" in out
    assert 'with condition {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}' in out
    assert '"aws:PrincipalOrgID": "o-a1b2c3d4e5"' in out.split("witness:")[1]


def test_who_can_refuses_identity_policies(tmp_path, capsys):
    policy = write(tmp_path / "x.identity-policy.json", {"Version": "2012-10-17", "Statement": []})
    assert main(["who-can", str(policy)]) == 2
    assert "who-can reads the policies of a resource" in capsys.readouterr().err
