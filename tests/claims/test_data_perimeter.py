"""A data perimeter proved with claims: RCPs, a VPC endpoint policy and forward access sessions.

The policies follow the patterns of AWS's data perimeter examples (identity and network
perimeter RCPs with aws:PrincipalOrgID / aws:VpceOrgID, exemptions for AWS service principals and
for calls services make on a principal's behalf, an S3 endpoint policy limited to the
organization's principals and resources); written here for the test, with real values.
"""

from __future__ import annotations

import json
from pathlib import Path

from policyproof.claims import prove_claims

ORG = "o-a1b2c3d4e5"
KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"


def _deny_unless(sid: str, condition: dict) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": sid,
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*", "kms:*"],
                "Resource": "*",
                "Condition": condition,
            }
        ],
    }


FILES = {
    "identity-perimeter.rcp.json": _deny_unless(
        "EnforceOrgIdentities",
        {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    ),
    "network-perimeter.rcp.json": _deny_unless(
        "EnforceNetworkPerimeter",
        {
            "StringNotEqualsIfExists": {"aws:VpceOrgID": ORG},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"},
        },
    ),
    "s3.endpoint-policy.json": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OrgIdentitiesToOrgResources",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}},
            }
        ],
    },
    "key-a.key-policy.json": {
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
                "Sid": "AccountsB",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        ],
    },
    "bucket-a.bucket-policy.json": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Readers",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]},
                "Action": "s3:GetObject",
                "Resource": f"{BUCKET}/*",
            }
        ],
    },
    "reader.identity-policy.json": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}],
    },
}

CLAIMS = f"""\
accounts: {{A: "111111111111", B: "222222222222", C: "333333333333"}}
region: us-east-1
organization:
  id: {ORG}
  accounts: [A, B]
  rcps: [identity-perimeter.rcp.json, network-perimeter.rcp.json]
endpoints:
  s3-b: {{id: vpce-0a1b2c3d4e5f60718, account: B, vpc: vpc-0a1b2c3d, policy: s3.endpoint-policy.json}}
resources:
  key-a: {{arn: "{KEY_ARN}", policy: key-a.key-policy.json}}
  bucket-a: {{arn: "{BUCKET}", account: A, policy: bucket-a.bucket-policy.json, encryption: {{key: key-a}}}}
principals:
  reader-b: {{arn: "arn:aws:iam::222222222222:role/reader", policies: [reader.identity-policy.json]}}
  reader-c: {{arn: "arn:aws:iam::333333333333:role/reader", policies: [reader.identity-policy.json]}}
claims:
  - id: b-reads-through-its-endpoint
    text: {{vi: "B đọc object qua VPC endpoint của organization", en: "B reads through the org's endpoint"}}
    flow: {{name: s3-get-object, principal: reader-b, object: bucket-a/q1.csv, endpoint: s3-b}}
    expect: Allow
  - id: b-blocked-off-network
    text: {{vi: "Ngoài VPC endpoint thì bị chặn", en: "Off the network it is blocked"}}
    flow: {{name: s3-get-object, principal: reader-b, object: bucket-a/q1.csv}}
    expect: ExplicitDeny
    denied_at: s3:GetObject
  - id: b-off-network-without-network-rcp
    text: {{vi: "Bỏ RCP network thì đọc được", en: "Without the network RCP it works"}}
    flow: {{name: s3-get-object, principal: reader-b, object: bucket-a/q1.csv}}
    without: [network-perimeter.rcp.json]
    expect: Allow
  - id: c-outside-the-org
    text: {{vi: "C ngoài organization bị chặn", en: "C, outside the organization, is blocked"}}
    request: {{principal: reader-c, action: "s3:GetObject", resource: bucket-a/q1.csv}}
    expect: ExplicitDeny
    rule: explicit-deny
"""


def _write(folder: Path) -> Path:
    for name, document in FILES.items():
        (folder / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    path = folder / "claims.yaml"
    path.write_text(CLAIMS, encoding="utf-8")
    return path


def test_the_data_perimeter_claims_are_proved(tmp_path: Path) -> None:
    results = {r.claim.id: r for r in prove_claims(_write(tmp_path))}
    failed = [r.failure_message() for r in results.values() if not r.passed]
    assert not failed, "\n".join(failed)


def test_the_kms_call_is_exempt_as_a_forward_access_session(tmp_path: Path) -> None:
    results = {r.claim.id: r for r in prove_claims(_write(tmp_path))}
    flow = results["b-reads-through-its-endpoint"].flow
    assert flow is not None
    s3, kms = flow.steps
    s3_text = s3.explain("en")
    assert "aws:SourceVpce = vpce-0a1b2c3d4e5f60718" in s3_text and f"aws:VpceOrgID = {ORG}" in s3_text
    assert 'VPC endpoint policy "s3.endpoint-policy.json"' in s3_text
    # S3's call to KMS does not go through B's endpoint: it passes the network RCP because it is a
    # forward access session (aws:ViaAWSService = true), not because of an endpoint.
    assert kms.context["aws:ViaAWSService"] == "true"
    assert "aws:SourceVpce" not in kms.explain("en")
    assert kms.decision == "Allow"
    denied = (
        results["b-blocked-off-network"].result or results["b-blocked-off-network"].flow.failed_step.result
    )
    assert denied.trace.rule.params["policy"] == "network-perimeter.rcp.json"
    outside = results["c-outside-the-org"].result
    assert outside is not None and outside.trace.rule.params["policy"] == "identity-perimeter.rcp.json"
