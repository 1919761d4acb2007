"""claims.yaml's organization, endpoints, grants and richer principals (briefing, contract 3):
loaded with positions, every mistake reported as file:line:column, and proved by the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.claims import ClaimsError, load_claims, prove_claims

ORG = "o-a1b2c3d4e5"
KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

FILES: dict[str, dict] = {
    "key-a.key-policy.json": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowAccountB",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
            },
        ],
    },
    "app.identity-policy.json": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt", "s3:GetObject"], "Resource": "*"}],
    },
    "deny-outside.scp.json": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyOutsideOrg",
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:ResourceOrgID": ORG}},
            }
        ],
    },
    "perimeter.rcp.json": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnforceOrgIdentities",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            }
        ],
    },
    "s3.endpoint-policy.json": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OnlyOrgBuckets",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceOrgID": ORG}},
            }
        ],
    },
    "bucket-a.bucket-policy.json": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OnlyThroughEndpoint",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
                "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
            },
            {
                "Sid": "AllowB",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
            },
        ],
    },
    "read-only.session-policy.json": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    },
}

WORLD = f"""\
accounts: {{A: "111111111111", B: "222222222222", C: "333333333333"}}
region: us-east-1
organization:
  id: {ORG}
  accounts: [A, B]
  scps: [deny-outside.scp.json]
  rcps: [perimeter.rcp.json]
endpoints:
  s3-endpoint: {{id: vpce-1a2b3c4d, account: B, vpc: vpc-11aa22bb, policy: s3.endpoint-policy.json}}
resources:
  key-a: {{arn: "{KEY_ARN}", policy: key-a.key-policy.json}}
  bucket-a: {{arn: "arn:aws:s3:::amzn-s3-demo-bucket", account: A, policy: bucket-a.bucket-policy.json}}
principals:
  app-b: {{arn: arn:aws:iam::222222222222:role/app, policies: [app.identity-policy.json], tags: {{team: b}}}}
  app-c: {{arn: "arn:aws:iam::333333333333:role/app", policies: [app.identity-policy.json]}}
  sso-b:
    arn: "arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_Read_1234/alice"
    role_path: /aws-reserved/sso.amazonaws.com/
    policies: [app.identity-policy.json]
    session_policies: [read-only.session-policy.json]
grants:
  b-decrypt:
    key: key-a
    grantee: app-c
    operations: [Decrypt, DescribeKey]
    constraints: {{encryption_context_subset: {{Department: IT}}}}
    retiring_principal: arn:aws:iam::111111111111:role/admin
claims:
"""

CLAIMS = """\
  - id: b-reads-through-endpoint
    text: {vi: "B đọc object qua VPC endpoint", en: "B reads the object through the VPC endpoint"}
    request: {principal: app-b, action: "s3:GetObject", resource: bucket-a/q1.csv, endpoint: s3-endpoint}
    expect: Allow
  - id: b-reads-without-endpoint
    text: {vi: "B đọc không qua endpoint", en: "B reads without the endpoint"}
    request: {principal: app-b, action: "s3:GetObject", resource: bucket-a/q1.csv}
    expect: ExplicitDeny
  - id: c-outside-org
    text: {vi: "C ngoài organization bị RCP chặn", en: "C, outside the organization, is stopped by the RCP"}
    request: {principal: app-c, action: "s3:GetObject", resource: bucket-a/q1.csv}
    expect: ExplicitDeny
  - id: c-decrypts-with-grant
    text: {vi: "C giải mã nhờ grant", en: "C decrypts thanks to the grant"}
    request: {principal: app-c, action: "kms:Decrypt", resource: key-a,
              context: {"kms:EncryptionContext:Department": IT}}
    expect: Allow
  - id: c-without-grant
    text: {vi: "Không có grant thì C bị từ chối", en: "Without the grant, C is denied"}
    request: {principal: app-c, action: "kms:Decrypt", resource: key-a,
              context: {"kms:EncryptionContext:Department": IT}}
    without: ["grant:b-decrypt"]
    expect: ImplicitDeny
  - id: c-constraint-not-met
    text: {vi: "Encryption context sai thì grant không áp dụng", en: "A wrong context defeats the grant"}
    request: {principal: app-c, action: "kms:Decrypt", resource: key-a,
              context: {"kms:EncryptionContext:Department": HR}}
    expect: ImplicitDeny
  - id: sso-session-policy-limits
    text: {vi: "Session policy chỉ cho đọc S3", en: "The session policy allows only S3 reads"}
    request: {principal: sso-b, action: "kms:Decrypt", resource: key-a}
    expect: ImplicitDeny
"""


def _write(folder: Path, text: str, files: dict[str, dict] | None = None) -> Path:
    for name, document in (FILES if files is None else files).items():
        (folder / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    path = folder / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_world_loads_with_every_new_section(tmp_path: Path) -> None:
    loaded = load_claims(_write(tmp_path, WORLD + CLAIMS))
    assert loaded.organization is not None
    assert loaded.organization.accounts == {"111111111111", "222222222222"}
    assert loaded.organization.scps == ("deny-outside.scp.json",)
    assert loaded.endpoints["s3-endpoint"].account == "222222222222"
    grant = loaded.grants["b-decrypt"]
    assert grant.grantee == "arn:aws:iam::333333333333:role/app"
    assert grant.operations == ("Decrypt", "DescribeKey")
    assert grant.encryption_context_subset == {"Department": "IT"}
    sso = loaded.principals["sso-b"]
    assert sso.role_path == "/aws-reserved/sso.amazonaws.com/"
    assert sso.session_policies == ("read-only.session-policy.json",)
    assert loaded.principals["app-b"].tags == {"team": "b"}


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("  id: o-a1b2c3d4e5\n", "  id: org-1\n", 4, "organization.id"),
        ("  accounts: [A, B]\n", "  accounts: [A, Z]\n", 5, "unknown account 'Z'"),
        ("  scps: [deny-outside.scp.json]", "  scps: [app.identity-policy.json]", 6, "must end in .scp.json"),
        ("  rcps: [perimeter.rcp.json]", "  rcps: [deny-outside.scp.json]", 7, "must end in .rcp.json"),
        ("policy: s3.endpoint-policy.json}", "policy: app.identity-policy.json}", 9, "VPC endpoint policy"),
        ("id: vpce-1a2b3c4d, account: B", "id: vpce-xyz, account: B", 9, "endpoints.s3-endpoint.id"),
        ("    key: key-a\n", "    key: bucket-a\n", 23, "is not a KMS key"),
        ("    grantee: app-c\n", "    grantee: nobody\n", 24, "neither a principal of this file"),
        ("[Decrypt, DescribeKey]", "[Decrypt, Decrpyt]", 25, "did you mean Decrypt"),
        ("encryption_context_subset: {Department", "encryption_context_superset: {Department", 26, "unknown"),
        ("    role_path: /aws-reserved/sso.amazonaws.com/", "    role_path: aws-reserved", 18, "role_path"),
        (
            "resource: bucket-a/q1.csv, endpoint: s3-endpoint",
            "resource: bucket-a/q1.csv, endpoint: s4",
            31,
            "unknown endpoint 's4'",
        ),
        ('without: ["grant:b-decrypt"]', 'without: ["grant:b-decrypts"]', 50, "unknown grant 'b-decrypts'"),
    ],
)
def test_new_sections_report_file_line_column(
    tmp_path: Path, old: str, new: str, line: int, words: str
) -> None:
    text = WORLD + CLAIMS
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ClaimsError) as caught:
        prove_claims(path)
    error = caught.value
    assert error.file == str(path)
    assert error.line == line, str(error)
    assert error.column > 1
    assert words in error.message, error.message
    assert str(error).startswith(f"{path}:{line}:{error.column}: ")


def test_session_policies_need_a_session_principal(tmp_path: Path) -> None:
    text = (WORLD + CLAIMS).replace(
        '  app-c: {arn: "arn:aws:iam::333333333333:role/app", policies: [app.identity-policy.json]}',
        '  app-c: {arn: "arn:aws:iam::333333333333:role/app", policies: [app.identity-policy.json], '
        "session_policies: [read-only.session-policy.json]}",
    )
    with pytest.raises(ClaimsError) as caught:
        load_claims(_write(tmp_path, text))
    assert caught.value.line == 15
    assert "session policies belong to a session" in caught.value.message


def test_every_world_claim_is_proved_with_the_deciding_step_named(tmp_path: Path) -> None:
    results = {r.claim.id: r for r in prove_claims(_write(tmp_path, WORLD + CLAIMS))}
    failed = [r.failure_message() for r in results.values() if not r.passed]
    assert not failed, "\n".join(failed)
    # Through the endpoint: the endpoint policy is evaluated and the endpoint keys are filled in.
    through = results["b-reads-through-endpoint"].explain("en")
    assert 'VPC endpoint policy "s3.endpoint-policy.json"' in through
    assert "aws:SourceVpce = vpce-1a2b3c4d" in through and "aws:VpceOrgID = o-a1b2c3d4e5" in through
    # Without it, the bucket policy's Deny on aws:SourceVpce decides.
    assert results["b-reads-without-endpoint"].deciding_rule == "explicit-deny"
    # C is outside the organization: the RCP denies it (aws:PrincipalOrgID not filled for C).
    outside = results["c-outside-org"].result
    assert outside is not None and outside.trace.rule.params["policy"] == "perimeter.rcp.json"
    # The grant decides, and is named; without it or with the wrong context, the key policy decides.
    assert results["c-decrypts-with-grant"].deciding_rule == "allow-grant"
    assert 'KMS grant "b-decrypt"' in results["c-decrypts-with-grant"].explain("en")
    assert results["c-without-grant"].deciding_rule == "resource-policy-required"
    assert "constraint EncryptionContextSubset" in results["c-constraint-not-met"].explain("en")
    assert results["c-constraint-not-met"].deciding_rule == "grant-constraint-not-met"
    # The session policy caps the SSO session; its aws:PrincipalArn keeps the role's path.
    sso = results["sso-session-policy-limits"]
    assert sso.deciding_rule == "session-no-allow"
    assert (
        "aws:PrincipalArn = arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/"
        "AWSReservedSSO_Read_1234" in sso.explain("en")
    )


def test_a_policy_file_the_checker_refuses_is_not_proved(tmp_path: Path) -> None:
    path = _write(tmp_path, WORLD + CLAIMS)
    scp = tmp_path / "deny-outside.scp.json"
    broken = json.loads(scp.read_text())
    broken["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "yes"}}
    scp.write_text(json.dumps(broken, indent=2), encoding="utf-8")
    with pytest.raises(ClaimsError) as caught:
        prove_claims(path)
    error = caught.value
    assert error.file == str(scp)
    line = next(i for i, text in enumerate(scp.read_text().splitlines(), 1) if '"yes"' in text)
    assert (error.line, error.code if hasattr(error, "code") else None) == (line, None)
    assert "invalid-bool-value" in error.message and "claims.yaml:6" in error.message


# --- the management account: in the organization, but no SCP or RCP applies to it ------------


def _bucket(name: str, readers: list[str]) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Readers",
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{account}:root" for account in readers]},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }


MANAGEMENT_FILES = {
    "app.identity-policy.json": FILES["app.identity-policy.json"],
    "deny-outside.scp.json": FILES["deny-outside.scp.json"],
    "perimeter.rcp.json": FILES["perimeter.rcp.json"],
    "bucket-a.bucket-policy.json": _bucket("amzn-s3-demo-bucket-a", ["111111111111", "333333333333"]),
    "bucket-b.bucket-policy.json": _bucket("amzn-s3-demo-bucket-b", ["111111111111", "333333333333"]),
    "bucket-c.bucket-policy.json": _bucket("amzn-s3-demo-bucket-c", ["111111111111", "222222222222"]),
}

MANAGEMENT_WORLD = f"""\
accounts: {{A: "111111111111", B: "222222222222", C: "333333333333"}}
region: us-east-1
organization:
  id: {ORG}
  accounts: [A, B]
  management_account: A
  scps: [deny-outside.scp.json]
  rcps: [perimeter.rcp.json]
resources:
  bucket-a: {{arn: "arn:aws:s3:::amzn-s3-demo-bucket-a", account: A, policy: bucket-a.bucket-policy.json}}
  bucket-b: {{arn: "arn:aws:s3:::amzn-s3-demo-bucket-b", account: B, policy: bucket-b.bucket-policy.json}}
  bucket-c: {{arn: "arn:aws:s3:::amzn-s3-demo-bucket-c", account: C, policy: bucket-c.bucket-policy.json}}
principals:
  admin-a: {{arn: "arn:aws:iam::111111111111:role/admin", policies: [app.identity-policy.json]}}
  app-b: {{arn: "arn:aws:iam::222222222222:role/app", policies: [app.identity-policy.json]}}
  app-c: {{arn: "arn:aws:iam::333333333333:role/app", policies: [app.identity-policy.json]}}
claims:
  - id: rcp-skips-management-resources
    text: {{vi: "RCP không áp dụng cho bucket của management account",
            en: "The RCP skips the management account's bucket"}}
    request: {{principal: app-c, action: "s3:GetObject", resource: bucket-a/q1.csv}}
    expect: Allow
  - id: rcp-stops-outsider-at-member
    text: {{vi: "RCP chặn C ở bucket của account thành viên", en: "The RCP stops C at a member's bucket"}}
    request: {{principal: app-c, action: "s3:GetObject", resource: bucket-b/q1.csv}}
    expect: ExplicitDeny
  - id: scp-skips-management-principals
    text: {{vi: "SCP không áp dụng cho role của management account",
            en: "The SCP skips the management account's role"}}
    request: {{principal: admin-a, action: "s3:GetObject", resource: bucket-c/q1.csv}}
    expect: Allow
  - id: scp-stops-member-outside
    text: {{vi: "SCP chặn B đọc bucket ngoài organization",
            en: "The SCP stops B reading outside the organization"}}
    request: {{principal: app-b, action: "s3:GetObject", resource: bucket-c/q1.csv}}
    expect: ExplicitDeny
  - id: management-principal-is-in-the-org
    text: {{vi: "Role của management account vẫn thuộc organization",
            en: "The management account's role is in the organization"}}
    request: {{principal: admin-a, action: "s3:GetObject", resource: bucket-b/q1.csv}}
    expect: Allow
"""


def _write_management(folder: Path, text: str) -> Path:
    return _write(folder, text, MANAGEMENT_FILES)


def test_no_scp_or_rcp_applies_to_the_management_account(tmp_path: Path) -> None:
    """engine/flows.py Organization.members: AWS Organizations User Guide, "SCPs don't affect users
    or roles in the management account" and "RCPs don't affect resources in the management
    account"; its principals are still in the organization (aws:PrincipalOrgID, the RCP passes)."""
    results = {r.claim.id: r for r in prove_claims(_write_management(tmp_path, MANAGEMENT_WORLD))}
    failed = [r.failure_message() for r in results.values() if not r.passed]
    assert not failed, "\n".join(failed)
    assert "perimeter.rcp.json" not in results["rcp-skips-management-resources"].explain("en")
    assert results["rcp-stops-outsider-at-member"].result.trace.rule.params["policy"] == "perimeter.rcp.json"
    assert "deny-outside.scp.json" not in results["scp-skips-management-principals"].explain("en")
    assert results["scp-stops-member-outside"].result.trace.rule.params["policy"] == "deny-outside.scp.json"
    assert "aws:PrincipalOrgID = o-a1b2c3d4e5" in results["management-principal-is-in-the-org"].explain("en")
    # The explanation says why the organization's policies are absent (claims/prove.py).
    skipped_scps = results["scp-skips-management-principals"]
    assert "SCPs do not apply: the caller is in its management account 111111111111" in skipped_scps.explain(
        "en"
    )
    assert "SCP của tổ chức không áp dụng: người gọi thuộc management account" in skipped_scps.explain("vi")
    skipped_rcps = results["rcp-skips-management-resources"].explain("en")
    assert "RCPs do not apply: the resource is in its management account 111111111111" in skipped_rcps
    assert "do not apply" not in results["scp-stops-member-outside"].explain("en")


def test_without_the_management_account_the_same_requests_are_denied(tmp_path: Path) -> None:
    """The same world with A an ordinary member: the SCP and the RCP apply to it again."""
    text = MANAGEMENT_WORLD.replace("  management_account: A\n", "")
    results = {r.claim.id: r for r in prove_claims(_write_management(tmp_path, text))}
    assert results["rcp-skips-management-resources"].result.decision == "ExplicitDeny"
    assert results["scp-skips-management-principals"].result.decision == "ExplicitDeny"


def test_a_management_account_outside_the_organization_is_an_error(tmp_path: Path) -> None:
    path = _write_management(
        tmp_path, MANAGEMENT_WORLD.replace("management_account: A", "management_account: C")
    )
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    assert caught.value.line == 6 and caught.value.column > 1, str(caught.value)
    assert "'C' is not one of the organization's `accounts`" in caught.value.message
