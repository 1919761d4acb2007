"""A bad claims file gives one clear error with the file, line and column, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.claims import ClaimsError, load_claims, prove_claims

KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Owner",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "B",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        },
    ],
}
APP_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:us-east-1:111111111111:key/1234abcd",
        }
    ],
}

GOOD = """\
accounts: {A: "111111111111", B: "222222222222"}
region: us-east-1
resources:
  key-a: {arn: "arn:aws:kms:us-east-1:111111111111:key/1234abcd", policy: key.key-policy.json}
principals:
  app-b: {arn: "arn:aws:iam::222222222222:role/app", policies: [app.identity-policy.json]}
claims:
  - id: b-decrypts
    text: {vi: "B giải mã được", en: "B can decrypt"}
    request: {principal: app-b, action: "kms:Decrypt", resource: key-a}
    expect: Allow
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "key.key-policy.json").write_text(json.dumps(KEY_POLICY, indent=2), encoding="utf-8")
    (tmp_path / "app.identity-policy.json").write_text(json.dumps(APP_POLICY, indent=2), encoding="utf-8")
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> ClaimsError:
    path = _write(tmp_path, text)
    with pytest.raises(ClaimsError) as caught:
        prove_claims(path)
    error = caught.value
    assert error.file == str(path)
    assert str(error).startswith(f"{path}:{error.line}:{error.column}: "), str(error)
    return error


def test_good_file_proves(tmp_path: Path) -> None:
    [result] = prove_claims(_write(tmp_path, GOOD))
    assert result.passed, result.failure_message()
    assert result.claim.line == 8


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        (
            "principal: app-b, action",
            "principal: app-c, action",
            10,
            "unknown principal 'app-c'; known: app-b",
        ),
        ("resource: key-a}", "resource: key-z}", 10, "unknown resource 'key-z'"),
        (
            "policies: [app.identity-policy.json]",
            "policies: [missing.identity-policy.json]",
            6,
            "policy file 'missing.identity-policy.json' not found",
        ),
        (
            "policy: key.key-policy.json",
            "policy: app.identity-policy.json",
            4,
            "is not a KMS key policy file",
        ),
        ("expect: Allow", "expect: Deny", 11, "must be one of Allow, ImplicitDeny, ExplicitDeny"),
        ("expect: Allow", "expect: Allow\n    colour: red", 12, "unknown field 'colour'"),
        ('B: "222222222222"', "B: 222222222222", 1, "quote account ids"),
        (
            '    text: {vi: "B giải mã được", en: "B can decrypt"}\n',
            '    text: {vi: "B giải mã được"}\n',
            9,
            "is missing 'en'",
        ),
        ("region: us-east-1", "region: us-east-1\nregion: eu-west-1", 3, "duplicate key 'region'"),
        ("  - id: b-decrypts", "  - id: B decrypts", 8, "not well formed"),
        (
            '    request: {principal: app-b, action: "kms:Decrypt", resource: key-a}\n',
            "",
            8,
            "needs exactly one of `request` or `flow`",
        ),
        (
            "expect: Allow",
            "expect: Allow\n    without: [nothing.identity-policy.json]",
            12,
            "'nothing.identity-policy.json' is not a policy of any resource or principal",
        ),
        (
            "expect: Allow",
            'expect: Allow\n    without: ["key.key-policy.json#Nope"]',
            12,
            "no statement with Sid 'Nope'",
        ),
        (
            "expect: Allow",
            "expect: Allow\n    replace: {key.key-policy.json: app.identity-policy.json}",
            12,
            "is not a KMS key policy file",
        ),
    ],
)
def test_bad_file(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    assert old in GOOD
    error = _error(tmp_path, GOOD.replace(old, new, 1))
    assert words in error.message, str(error)
    assert error.line == line, str(error)


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("expect: Allow", "expect: [Allow"))
    assert "invalid YAML" in error.message
    assert error.line >= 11


def test_unknown_flow_and_flow_parameter(tmp_path: Path) -> None:
    flow = GOOD.replace(
        'request: {principal: app-b, action: "kms:Decrypt", resource: key-a}',
        "flow: {name: s3-teleport, principal: app-b}",
    )
    assert "unknown flow 's3-teleport'" in _error(tmp_path, flow).message
    flow = GOOD.replace(
        'request: {principal: app-b, action: "kms:Decrypt", resource: key-a}',
        "flow: {name: s3-get-object, principal: app-b, object: key-a/x, colour: red}",
    )
    error = _error(tmp_path, flow)
    assert "has no parameter 'colour'" in error.message and error.line == 10


def test_flow_semantic_error_names_the_claim(tmp_path: Path) -> None:
    flow = GOOD.replace(
        'request: {principal: app-b, action: "kms:Decrypt", resource: key-a}',
        "flow: {name: s3-get-object, principal: app-b, object: key-a/x}",
    )
    error = _error(tmp_path, flow)
    assert "claim b-decrypts" in error.message and "not an S3 bucket" in error.message
    assert error.line == 8


def test_bucket_without_account(tmp_path: Path) -> None:
    text = GOOD.replace("principals:", "resources2: x\nprincipals:").replace("resources2: x\n", "")
    text = text.replace("resources:\n", 'resources:\n  bucket: {arn: "arn:aws:s3:::amzn-s3-demo-bucket"}\n')
    error = _error(tmp_path, text)
    assert "names no account; add `account:`" in error.message and error.line == 4


def test_denied_at_needs_a_denied_flow(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("expect: Allow", "expect: Allow\n    denied_at: kms:Decrypt"))
    assert "`denied_at`" in error.message and error.line == 12


def test_duplicate_claim_id(tmp_path: Path) -> None:
    claim = GOOD[GOOD.index("  - id:") :]
    error = _error(tmp_path, GOOD + claim)
    assert "used twice" in error.message and error.line == 12


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ClaimsError, match="claims file not found"):
        load_claims(tmp_path / "claims.yaml")
    assert "empty" in _error(tmp_path, "").message


def test_broken_policy_json_names_the_policy(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    (tmp_path / "key.key-policy.json").write_text('{"Version": "2012-10-17",}', encoding="utf-8")
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    assert caught.value.line == 4 and "key.key-policy.json cannot be read" in caught.value.message


def test_snapshot_policy_shared_with_and_object_suffix_are_checked(tmp_path: Path) -> None:
    snapshot = (
        '  snap: {arn: "arn:aws:ec2:us-east-1::snapshot/snap-1", account: A, policy: key.key-policy.json}\n'
    )
    error = _error(tmp_path, GOOD.replace("principals:", snapshot + "principals:"))
    assert "ec2 resources have no resource-based policy" in error.message and error.line == 5
    shared = GOOD.replace("policy: key.key-policy.json}", "policy: key.key-policy.json, shared_with: [B]}")
    error = _error(tmp_path, shared)
    assert "`shared_with` (createVolumePermission) is for EBS snapshots" in error.message and error.line == 4
    error = _error(tmp_path, GOOD.replace("resource: key-a}", "resource: key-a/x}"))
    assert "is not an S3 bucket" in error.message and error.line == 10


def test_without_by_position_drops_the_right_statements(tmp_path: Path) -> None:
    # Dropping statement 2 (B) by position denies B; dropping "1" and "2" leaves an empty policy.
    text = GOOD.replace("expect: Allow", 'expect: ImplicitDeny\n    without: ["key.key-policy.json#2"]')
    [result] = prove_claims(_write(tmp_path, text))
    assert result.passed, result.failure_message()
    claims_file = load_claims(_write(tmp_path, text.replace('#2"]', '#1", "key.key-policy.json#2"]')))
    [claim] = claims_file.claims
    key = claims_file.world(claim).resources["key-a"]
    assert key.policy is not None and key.policy.document["Statement"] == []
    claims_file = load_claims(_write(tmp_path, text.replace('#2"]', '#1"]')))
    kept = claims_file.world(claims_file.claims[0]).resources["key-a"].policy
    assert kept is not None and [st["Sid"] for st in kept.document["Statement"]] == ["B"]


def test_dropped_and_replaced_at_once(tmp_path: Path) -> None:
    (tmp_path / "other.key-policy.json").write_text(json.dumps(KEY_POLICY), encoding="utf-8")
    text = GOOD.replace(
        "expect: Allow",
        'expect: Allow\n    without: ["key.key-policy.json#B"]\n'
        "    replace: {key.key-policy.json: other.key-policy.json}",
    )
    path = _write(tmp_path, text)
    with pytest.raises(ClaimsError, match="both dropped") as caught:
        prove_claims(path)
    assert caught.value.line == 13


def test_permissions_boundary_limits_the_principal(tmp_path: Path) -> None:
    boundary = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    text = GOOD.replace(
        "policies: [app.identity-policy.json]}",
        "policies: [app.identity-policy.json], boundaries: [bound.identity-policy.json]}",
    ).replace("expect: Allow", "expect: ImplicitDeny")
    path = _write(tmp_path, text)
    (tmp_path / "bound.identity-policy.json").write_text(json.dumps(boundary), encoding="utf-8")
    [result] = prove_claims(path)
    assert result.passed, result.failure_message()
    assert any(policy.kind == "boundary" for policy in result.result.trace.policies)


def test_inline_policies_must_pass_the_checker_like_snippets(tmp_path: Path) -> None:
    # A claim must not be proved with a policy the site would refuse to publish.
    text = GOOD.replace(
        "policies: [app.identity-policy.json]}",
        "policies: [{name: typo, document: {Version: '2012-10-17', Statement: "
        "[{Effect: Allow, Action: 'kms:Decrpyt', Resource: '*'}]}}]}",
    )
    error = _error(tmp_path, text)
    assert error.line == 6, str(error)
    assert "inline policy 'typo'" in error.message and "unknown-action" in error.message, str(error)
    # The same statement spelled right passes, as the file policy does.
    _write(tmp_path, text.replace("kms:Decrpyt", "kms:Decrypt"))
    assert all(result.passed for result in prove_claims(tmp_path / "claims.yaml"))


def test_an_inline_replacement_is_checked_as_the_kind_it_replaces(tmp_path: Path) -> None:
    # Key policies may have Sids with spaces ("Enable IAM User Permissions"); identity policies may not.
    text = GOOD.replace(
        "expect: Allow",
        "expect: Allow\n    replace:\n      key.key-policy.json:\n        name: spaced\n"
        "        document:\n          Version: '2012-10-17'\n          Statement:\n"
        "            - {Sid: 'Allow B', Effect: Allow, Principal: {AWS: 'arn:aws:iam::222222222222:root'},"
        " Action: 'kms:Decrypt', Resource: '*'}",
    )
    _write(tmp_path, text)
    assert all(result.passed for result in prove_claims(tmp_path / "claims.yaml"))


def test_the_schema_is_valid_draft_2020_12() -> None:
    import jsonschema

    from policyproof.claims import claims_schema

    jsonschema.Draft202012Validator.check_schema(claims_schema())
