"""Service principals as callers in claims.yaml: `service:` with the source resource it acts for.

The world is a CloudTrail log bucket in account A of an organization, written by the trail of
member account B; account C (another organization) points its own trail at the same bucket.
Policies follow the pattern of AWS's CloudTrail bucket policies (s3:GetBucketAcl and s3:PutObject
for cloudtrail.amazonaws.com, with a confused-deputy condition) and of the data-perimeter RCP
examples; written for this test with its own values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.claims import ClaimsError, load_claims, prove_claims

ORG = "o-a1b2c3d4e5"
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TrailWriteFromAccountB",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::org-logs/AWSLogs/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "222222222222"}},
        }
    ],
}
RCP = {
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
        },
        {
            "Sid": "EnforceConfusedDeputyProtection",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {"aws:SourceOrgID": ORG},
                "Null": {"aws:SourceAccount": "false"},
                "Bool": {"aws:PrincipalIsAWSService": "true"},
            },
        },
    ],
}
DENY_ALL_SCP = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}

HEAD = f"""\
accounts: {{A: "111111111111", B: "222222222222", C: "333333333333"}}
region: us-east-1
organization:
  id: {ORG}
  accounts: [A, B]
  scps: [deny-all.scp.json]
  rcps: [perimeter.rcp.json]
resources:
  logs: {{arn: "arn:aws:s3:::org-logs", account: A, policy: logs.bucket-policy.json}}
"""
PRINCIPALS = """\
principals:
  trail-b:
    service: cloudtrail.amazonaws.com
    source_arn: arn:aws:cloudtrail:us-east-1:222222222222:trail/org-trail
    source_org_paths: ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]
  trail-c:
    service: cloudtrail.amazonaws.com
    source_arn: arn:aws:cloudtrail:us-east-1:333333333333:trail/foreign
    source_account: C
    source_org_id: o-f6g7h8i9j0
  trail-unsourced:
    service: cloudtrail.amazonaws.com
"""
CLAIMS = """\
claims:
  - id: own-trail-writes
    text: {vi: "Trail của B ghi log được", en: "B's trail writes logs"}
    request: {principal: trail-b, action: "s3:PutObject", resource: logs/AWSLogs/222222222222/x.json.gz}
    expect: Allow
    rule: allow-resource
  - id: source-account-condition-stops-c
    text: {vi: "Trail của C bị chặn", en: "C's trail is stopped"}
    request: {principal: trail-c, action: "s3:PutObject", resource: logs/AWSLogs/333333333333/x.json.gz}
    without: [perimeter.rcp.json]
    expect: ImplicitDeny
    rule: no-resource-allow
  - id: rcp-stops-c-first
    text: {vi: "RCP chặn trail của C", en: "The RCP stops C's trail"}
    request: {principal: trail-c, action: "s3:PutObject", resource: logs/AWSLogs/333333333333/x.json.gz}
    expect: ExplicitDeny
  - id: no-source-no-allow
    text: {vi: "Không có aws:SourceAccount thì không được", en: "Without aws:SourceAccount, no Allow"}
    request:
      {principal: trail-unsourced, action: "s3:PutObject", resource: logs/AWSLogs/222222222222/x.json.gz}
    expect: ImplicitDeny
"""


def _write(tmp_path: Path, text: str) -> Path:
    for name, document in (
        ("logs.bucket-policy.json", BUCKET_POLICY),
        ("perimeter.rcp.json", RCP),
        ("deny-all.scp.json", DENY_ALL_SCP),
    ):
        (tmp_path / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> ClaimsError:
    path = _write(tmp_path, text)
    with pytest.raises(ClaimsError) as caught:
        prove_claims(path)
    assert str(caught.value).startswith(f"{path}:{caught.value.line}:{caught.value.column}: "), str(
        caught.value
    )
    return caught.value


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_service_principal_source_is_loaded_with_names_resolved(tmp_path: Path) -> None:
    loaded = load_claims(_write(tmp_path, HEAD + PRINCIPALS + CLAIMS))
    trail_b = loaded.principals["trail-b"]
    assert (trail_b.arn, trail_b.account) == ("cloudtrail.amazonaws.com", None)
    assert trail_b.source is not None
    # The account comes from source_arn; the organization id from `organization` (B is a member).
    assert (trail_b.source.account, trail_b.source.org_id) == ("222222222222", ORG)
    assert trail_b.source.org_paths == ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",)
    trail_c = loaded.principals["trail-c"]
    assert (trail_c.source.account, trail_c.source.org_id) == ("333333333333", "o-f6g7h8i9j0")
    assert loaded.principals["trail-unsourced"].source is None


def test_claims_with_service_principals_prove(tmp_path: Path) -> None:
    results = {r.claim.id: r for r in prove_claims(_write(tmp_path, HEAD + PRINCIPALS + CLAIMS))}
    for result in results.values():
        assert result.passed, result.failure_message()
    own = results["own-trail-writes"]
    # The deny-all SCP is in the world but does not apply to a service principal; the RCP does.
    assert own.result is not None
    kinds = {p.kind for p in own.result.trace.policies}
    assert "scp" not in kinds and "rcp" in kinds, kinds
    filled = own.result.trace.to_dict()["facts"]["contextFilled"]
    assert filled["aws:SourceAccount"] == ["222222222222"]
    assert filled["aws:SourceOrgID"] == [ORG]
    assert filled["aws:PrincipalIsAWSService"] == ["true"]
    assert "aws:SourceAccount = 222222222222" in own.explain("vi")
    stopped = results["rcp-stops-c-first"]
    assert stopped.result is not None
    assert stopped.result.trace.rule.params["statement"] == '"EnforceConfusedDeputyProtection"'


def test_a_wrong_expectation_fails_with_the_engine_reason(tmp_path: Path) -> None:
    text = HEAD + PRINCIPALS + CLAIMS.replace("    expect: ExplicitDeny\n", "    expect: Allow\n")
    [failed] = [r for r in prove_claims(_write(tmp_path, text)) if not r.passed]
    assert failed.claim.id == "rcp-stops-c-first"
    assert "EnforceConfusedDeputyProtection" in failed.failure_message()


@pytest.mark.parametrize(
    ("principal", "fragment", "at"),
    [
        (
            "  p: {arn: 'arn:aws:iam::111111111111:role/x', service: cloudtrail.amazonaws.com}\n",
            "principals.p has both `arn` (an IAM principal) and `service`",
            "  p:",
        ),
        ("  p: {note: nothing}\n", "principals.p needs one of `arn` (an IAM principal) or `service`", "  p:"),
        (
            "  p: {arn: 'arn:aws:iam::111111111111:role/x', source_account: B}\n",
            "`source_account` describes the resource an AWS service principal acts for",
            "  p:",
        ),
        (
            "  p: {service: cloudtrail.amazonaws.com, policies: [x.identity-policy.json]}\n",
            "`policies` belongs to an IAM principal",
            "  p:",
        ),
        (
            "  p: {service: cloudtrail.amazonaws.com, source_account: C,\n"
            "      source_arn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/t'}\n",
            "differs from the account in source_arn (222222222222)",
            "  p:",
        ),
        (
            "  p: {service: cloudtrail.amazonaws.com, source_account: B, source_org_id: o-f6g7h8i9j0}\n",
            "so its aws:SourceOrgID is o-a1b2c3d4e5, not o-f6g7h8i9j0",
            "  p:",
        ),
        (
            "  p: {service: cloudtrail.amazonaws.com, source_account: C,\n"
            "      source_org_paths: ['o-f6g7h8i9j0/r-ab12/']}\n",
            "source_org_paths needs the source's organization",
            "source_org_paths:",
        ),
        (
            "  p: {service: cloudtrail.amazonaws.com, source_account: B,\n"
            "      source_org_paths: ['o-f6g7h8i9j0/r-ab12/']}\n",
            "is not a path in the source's organization o-a1b2c3d4e5",
            "source_org_paths:",
        ),
        (
            "  p: {service: cloudtrail.amazonaws.com, source_account: Z}\n",
            "unknown account 'Z'",
            "  p:",
        ),
        ("  p: {service: cloudtrail}\n", "principals.p.service 'cloudtrail' is not well formed", "  p:"),
        (
            "  p: {service: cloudtrail.amazonaws.com, source_org_id: org-1}\n",
            "principals.p.source_org_id 'org-1' is not well formed",
            "  p:",
        ),
    ],
    ids=[
        "arn-and-service",
        "neither",
        "source-on-iam",
        "policies-on-service",
        "arn-account-mismatch",
        "org-id-contradicts-membership",
        "paths-without-org",
        "path-other-org",
        "unknown-account",
        "service-shape",
        "org-id-shape",
    ],
)
def test_bad_service_principal_is_one_error_at_its_line(
    tmp_path: Path, principal: str, fragment: str, at: str
) -> None:
    claims = """\
claims:
  - id: c
    text: {vi: "v", en: "e"}
    request: {principal: p, action: "s3:PutObject", resource: logs/AWSLogs/x}
    expect: Allow
"""
    text = HEAD + "principals:\n" + principal + claims
    error = _error(tmp_path, text)
    assert fragment in error.message, error.message
    assert error.line == _line_of(text, at), (error.line, error.message)


def test_flows_refuse_a_service_principal(tmp_path: Path) -> None:
    claims = """\
claims:
  - id: c
    text: {vi: "v", en: "e"}
    flow: {name: s3-get-object, principal: trail-b, object: logs/AWSLogs/x}
    expect: Allow
"""
    text = HEAD + PRINCIPALS + claims
    error = _error(tmp_path, text)
    assert "is an AWS service principal; flows expand what an IAM principal does" in error.message
    assert error.line == _line_of(text, "flow:")


# ----- another service's resource policy: S3 event notifications to an SNS topic -----
# The pattern of the SNS Developer Guide's topic policy for S3 event notifications: s3.amazonaws.com
# may publish when aws:SourceArn is the bucket and aws:SourceAccount its owner (a bucket ARN names
# no account, and a deleted bucket's name can be taken by another account).

TOPIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowS3EventNotifications",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": "arn:aws:sns:us-east-1:111111111111:uploads",
            "Condition": {
                "ArnLike": {"aws:SourceArn": "arn:aws:s3:::amzn-s3-demo-bucket"},
                "StringEquals": {"aws:SourceAccount": "111111111111"},
            },
        }
    ],
}
TOPIC_CLAIMS = """\
accounts: {A: "111111111111", C: "333333333333"}
region: us-east-1
resources:
  uploads: {arn: "arn:aws:sns:us-east-1:111111111111:uploads", policy: uploads.resource-policy.json}
principals:
  s3-for-own-bucket:
    service: s3.amazonaws.com
    source_arn: arn:aws:s3:::amzn-s3-demo-bucket
    source_account: A
  s3-for-recreated-bucket:
    service: s3.amazonaws.com
    source_arn: arn:aws:s3:::amzn-s3-demo-bucket
    source_account: C
claims:
  - id: own-bucket-publishes
    text: {vi: "v", en: "e"}
    request: {principal: s3-for-own-bucket, action: "SNS:Publish", resource: uploads}
    expect: Allow
    rule: allow-resource
  - id: same-name-other-owner-cannot
    text: {vi: "v", en: "e"}
    request: {principal: s3-for-recreated-bucket, action: "SNS:Publish", resource: uploads}
    expect: ImplicitDeny
    rule: no-resource-allow
"""


def test_service_principal_on_another_services_resource_policy(tmp_path: Path) -> None:
    (tmp_path / "uploads.resource-policy.json").write_text(
        json.dumps(TOPIC_POLICY, indent=2), encoding="utf-8"
    )
    path = tmp_path / "claims.yaml"
    path.write_text(TOPIC_CLAIMS, encoding="utf-8")
    results = prove_claims(path)
    assert [r.claim.id for r in results if r.passed] == [
        "own-bucket-publishes",
        "same-name-other-owner-cannot",
    ], [r.failure_message() for r in results]
    denied = results[1].result
    assert denied is not None
    assert (
        'condition StringEquals on aws:SourceAccount fails: the request has "333333333333"'
        in denied.explain("en")
    )


def test_a_topic_policy_must_be_a_resource_policy_file(tmp_path: Path) -> None:
    (tmp_path / "uploads.bucket-policy.json").write_text(json.dumps(TOPIC_POLICY, indent=2), encoding="utf-8")
    path = tmp_path / "claims.yaml"
    path.write_text(
        TOPIC_CLAIMS.replace("uploads.resource-policy.json", "uploads.bucket-policy.json"), encoding="utf-8"
    )
    with pytest.raises(ClaimsError) as caught:
        prove_claims(path)
    assert caught.value.line == _line_of(TOPIC_CLAIMS, "uploads: {arn")
    assert "resource" in caught.value.message, caught.value.message
