"""AWS service principals acting for a source resource (CloudTrail writing a trail's logs).

What these tests hold the engine to (AWS pages cited in engine/context.py and evaluator.py):
- a service principal has no identity policies: only a resource policy lets it in;
- the request context carries aws:PrincipalIsAWSService = true, aws:PrincipalServiceName and,
  for the resource the service acts for, aws:SourceArn / aws:SourceAccount / aws:SourceOrgID /
  aws:SourceOrgPaths (IAM User Guide, "AWS global condition context keys"); the trace shows every
  value the engine filled in;
- SCPs do not apply to service principals; RCPs do, unless an RCP statement exempts them with
  aws:PrincipalIsAWSService (KMS Developer Guide, "Resource control policies in AWS KMS").

Policies are modelled on the CloudTrail bucket policies and the confused-deputy RCP of AWS's
examples, written here with the test's own values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_helpers import A, B, deny, doc, policy

from policyproof.cli import main
from policyproof.engine import EngineInputError, NamedPolicy, PolicySet, Request, evaluate
from policyproof.engine.model import ServiceSource

ORG = "o-a1b2c3d4e5"
OTHER_ORG = "o-f6g7h8i9j0"
C = "333333333333"
CLOUDTRAIL = "cloudtrail.amazonaws.com"
LOG = "arn:aws:s3:::bucket-a/AWSLogs/222222222222/log.json.gz"
TRAIL_B = f"arn:aws:cloudtrail:us-east-1:{B}:trail/org-trail"
TRAIL_C = f"arn:aws:cloudtrail:us-east-1:{C}:trail/foreign-trail"
OU_PATH = f"{ORG}/r-ab12/ou-ab12-11111111/"

OWN = ServiceSource(TRAIL_B, B, ORG, (OU_PATH,))
FOREIGN = ServiceSource(TRAIL_C, C, OTHER_ORG)


def bucket_policy(condition: dict) -> NamedPolicy:
    return policy(
        "bucket-a",
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::bucket-a/AWSLogs/*",
            "Condition": condition,
        },
    )


ORG_BUCKET = bucket_policy({"StringEquals": {"aws:SourceOrgID": ORG}})
ACCOUNT_BUCKET = bucket_policy({"StringEquals": {"aws:SourceAccount": B}})

# The two statements of a trusted-identities RCP (identity perimeter with the service-principal
# exception, and the confused-deputy protection for service principals).
IDENTITY_PERIMETER = {
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
CONFUSED_DEPUTY = {
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
}
PERIMETER_RCP = policy("perimeter.rcp", IDENTITY_PERIMETER, CONFUSED_DEPUTY)
NO_EXCEPTION_RCP = policy(
    "no-exception.rcp",
    {**IDENTITY_PERIMETER, "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}},
)
DENY_ALL_SCP = policy("deny-all.scp", deny())


def trail(
    source: ServiceSource | None = OWN, context: dict | None = None, action: str = "s3:PutObject"
) -> Request:
    return Request(CLOUDTRAIL, action, LOG, A, context or {}, source=source)


def test_every_source_key_is_filled_and_shown_in_the_trace() -> None:
    result = evaluate(trail(), PolicySet(resource=ORG_BUCKET))
    assert result.decision == "Allow"
    facts = result.trace.to_dict()["facts"]
    assert facts["contextFilled"] == {
        "aws:ResourceAccount": [A],
        "aws:PrincipalIsAWSService": ["true"],
        "aws:PrincipalServiceName": [CLOUDTRAIL],
        "aws:SourceArn": [TRAIL_B],
        "aws:SourceAccount": [B],
        "aws:SourceOrgID": [ORG],
        "aws:SourceOrgPaths": [OU_PATH],
    }
    for lang in ("en", "vi"):
        text = result.explain(lang)
        for shown in (
            "aws:PrincipalIsAWSService = true",
            f"aws:PrincipalServiceName = {CLOUDTRAIL}",
            f"aws:SourceArn = {TRAIL_B}",
            f"aws:SourceAccount = {B}",
            f"aws:SourceOrgID = {ORG}",
            f"aws:SourceOrgPaths = {OU_PATH}",
        ):
            assert shown in text, (lang, shown, text)


def test_no_source_no_source_keys() -> None:
    """A service that sends no source (or a request without one) has none of the keys: an
    aws:SourceOrgID condition then fails, and the Allow does not apply."""
    result = evaluate(trail(source=None), PolicySet(resource=ORG_BUCKET))
    assert result.decision == "ImplicitDeny"
    filled = result.trace.to_dict()["facts"]["contextFilled"]
    assert not any(key.startswith("aws:Source") for key in filled), filled


@pytest.mark.parametrize(
    ("bucket", "source", "expected"),
    [
        (ORG_BUCKET, OWN, "Allow"),
        (ORG_BUCKET, FOREIGN, "ImplicitDeny"),
        (ACCOUNT_BUCKET, OWN, "Allow"),
        (ACCOUNT_BUCKET, ServiceSource(TRAIL_C, C), "ImplicitDeny"),
    ],
    ids=["org-id-matches", "other-org", "account-matches", "other-account"],
)
def test_confused_deputy_condition_in_the_bucket_policy(
    bucket: NamedPolicy, source: ServiceSource, expected: str
) -> None:
    result = evaluate(trail(source), PolicySet(resource=bucket))
    assert result.decision == expected, result.explain("en")
    if expected == "ImplicitDeny":
        assert result.trace.rule.code == "no-resource-allow"


def test_identity_policies_never_let_a_service_principal_in() -> None:
    anything = policy("identity", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    result = evaluate(trail(), PolicySet(identity=[anything]))
    assert result.decision == "ImplicitDeny"
    assert result.trace.rule.code == "no-resource-allow"


def test_scps_do_not_apply_to_service_principals() -> None:
    result = evaluate(trail(), PolicySet(resource=ORG_BUCKET, scps=[[DENY_ALL_SCP]]))
    assert result.decision == "Allow"
    assert result.trace.to_dict()["facts"]["scpsApply"] is False
    assert not any(p.kind == "scp" for p in result.trace.policies)


def test_the_same_deny_all_as_an_rcp_does_apply() -> None:
    rcp = policy("deny-all.rcp", deny(Principal="*"))
    result = evaluate(trail(), PolicySet(resource=ORG_BUCKET, rcps=[[rcp]]))
    assert result.decision == "ExplicitDeny"
    assert result.trace.rule.params["policy"] == "deny-all.rcp"


def test_rcp_with_the_service_exception_lets_the_own_trail_in() -> None:
    result = evaluate(trail(), PolicySet(resource=ORG_BUCKET, rcps=[[PERIMETER_RCP]]))
    assert result.decision == "Allow", result.explain("en")


def test_rcp_without_the_service_exception_denies_the_service() -> None:
    result = evaluate(trail(), PolicySet(resource=ORG_BUCKET, rcps=[[NO_EXCEPTION_RCP]]))
    assert result.decision == "ExplicitDeny"
    params = result.trace.rule.params
    assert (params["kind"], params["policy"], params["statement"]) == (
        "rcp",
        "no-exception.rcp",
        '"EnforceOrgIdentities"',
    )


def test_rcp_confused_deputy_statement_denies_another_org() -> None:
    # The bucket policy here trusts the service without any condition: only the RCP stops it.
    open_bucket = bucket_policy({})
    open_bucket.document["Statement"][0].pop("Condition")
    assert evaluate(trail(FOREIGN), PolicySet(resource=open_bucket)).decision == "Allow"
    result = evaluate(trail(FOREIGN), PolicySet(resource=open_bucket, rcps=[[PERIMETER_RCP]]))
    assert result.decision == "ExplicitDeny"
    assert result.trace.rule.params["statement"] == '"EnforceConfusedDeputyProtection"'


def test_rcp_confused_deputy_statement_spares_a_service_that_sends_no_source_account() -> None:
    """The Null condition limits the check to requests that carry aws:SourceAccount."""
    open_bucket = policy(
        "bucket-a",
        {"Effect": "Allow", "Principal": {"Service": CLOUDTRAIL}, "Action": "s3:PutObject", "Resource": "*"},
    )
    result = evaluate(trail(source=None), PolicySet(resource=open_bucket, rcps=[[PERIMETER_RCP]]))
    assert result.decision == "Allow", result.explain("en")


def test_org_paths_are_multi_valued() -> None:
    bucket = bucket_policy(
        {"ForAnyValue:StringLike": {"aws:SourceOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/*"]}}
    )
    assert evaluate(trail(), PolicySet(resource=bucket)).decision == "Allow"
    elsewhere = ServiceSource(TRAIL_B, B, ORG, (f"{ORG}/r-ab12/ou-ab12-22222222/",))
    assert evaluate(trail(elsewhere), PolicySet(resource=bucket)).decision == "ImplicitDeny"


def test_a_value_the_caller_gives_wins_and_is_not_reported_as_filled() -> None:
    result = evaluate(trail(context={"aws:SourceOrgID": OTHER_ORG}), PolicySet(resource=ORG_BUCKET))
    assert result.decision == "ImplicitDeny"
    filled = result.trace.to_dict()["facts"]["contextFilled"]
    assert "aws:SourceOrgID" not in filled and filled["aws:SourceAccount"] == [B]


@pytest.mark.parametrize(
    ("principal", "source", "fragment"),
    [
        (f"arn:aws:iam::{A}:role/app", OWN, "is a role principal"),
        (CLOUDTRAIL, ServiceSource(account="22222222222"), "must be a 12-digit account id"),
        (CLOUDTRAIL, ServiceSource(org_id="o-BAD"), "is not an organization id"),
        (CLOUDTRAIL, ServiceSource(arn="trail/org-trail"), "is not an ARN"),
        (CLOUDTRAIL, ServiceSource(TRAIL_B, C), "AWS sets aws:SourceAccount to the account that owns"),
        (
            CLOUDTRAIL,
            ServiceSource(org_id=ORG, org_paths=("o-a1b2c3d4e5/ou-x/",)),
            "not an Organizations entity path",
        ),
        (
            CLOUDTRAIL,
            ServiceSource(org_id=ORG, org_paths=(f"{OTHER_ORG}/r-ab12/",)),
            "is not in organization",
        ),
        (CLOUDTRAIL, ServiceSource(org_paths=OU_PATH), "must be a non-empty list"),  # type: ignore[arg-type]
    ],
    ids=[
        "iam-principal",
        "short-account",
        "org-id",
        "arn",
        "arn-account",
        "path-shape",
        "path-org",
        "path-str",
    ],
)
def test_bad_source_is_an_input_error_never_a_decision(
    principal: str, source: ServiceSource, fragment: str
) -> None:
    with pytest.raises(EngineInputError) as caught:
        evaluate(Request(principal, "s3:PutObject", LOG, A, source=source), PolicySet(resource=ORG_BUCKET))
    assert fragment in caught.value.message


# ----- the same through `policyproof evaluate` case files -----


def _case(source: object, principal: str = CLOUDTRAIL, rcps: list | None = None) -> dict:
    case: dict = {
        "name": "cloudtrail",
        "request": {
            "principal": principal,
            "action": "s3:PutObject",
            "resource": {"resource": LOG, "accountId": A},
            "source": source,
        },
        "resourcePolicy": ORG_BUCKET.document,
    }
    if rcps is not None:
        case["resourceControlPolicies"] = [{"orgIdentifier": ORG, "policies": rcps}]
    return case


def _run(tmp_path: Path, content: object, *options: str) -> tuple[int, Path]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return main(["evaluate", str(path), *options]), path


def test_case_file_source_is_filled_and_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = {"arn": TRAIL_B, "account": B, "orgId": ORG, "orgPaths": [OU_PATH]}
    code, _ = _run(
        tmp_path,
        [
            _case(source),
            _case(
                {**source, "orgId": OTHER_ORG, "orgPaths": None, "account": None, "arn": TRAIL_C},
                rcps=[doc(CONFUSED_DEPUTY)],
            ),
        ],
    )
    out = capsys.readouterr().out
    assert code == 0
    first, second = out.split("== cloudtrail ==")[1:]
    assert (
        "Decision: Allow" in first
        and f"aws:SourceOrgID = {ORG}" in first
        and f"aws:SourceArn = {TRAIL_B}" in first
    )
    # aws:SourceAccount is absent: the Null condition keeps the confused-deputy statement out, and
    # the bucket policy's own condition is what denies.
    assert "Decision: ImplicitDeny" in second and f"aws:SourceOrgID = {OTHER_ORG}" in second
    assert "aws:SourceAccount" not in second.split("Policies:")[0]


def test_case_file_confused_deputy_rcp_denies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = {"arn": TRAIL_C, "account": C, "orgId": OTHER_ORG}
    code, _ = _run(tmp_path, _case(source, rcps=[doc(CONFUSED_DEPUTY)]), "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["decision"] == "ExplicitDeny"
    assert out["trace"]["facts"]["contextFilled"]["aws:SourceAccount"] == [C]


@pytest.mark.parametrize(
    ("source", "principal", "fragment", "key"),
    [
        ({"acount": B}, CLOUDTRAIL, "unknown key 'acount' (did you mean 'account'?)", '"acount"'),
        ({"orgId": "o-x"}, CLOUDTRAIL, "is not an organization id", '"orgId"'),
        ({"account": B}, f"arn:aws:iam::{A}:role/app", "is a role principal", '"source"'),
        (
            {"orgPaths": "o-a1b2c3d4e5/r-ab12/"},
            CLOUDTRAIL,
            "orgPaths: must be a non-empty list",
            '"orgPaths"',
        ),
        ("B", CLOUDTRAIL, "source: must be", '"source"'),
    ],
    ids=["typo", "org-id", "iam-principal", "paths-not-list", "not-object"],
)
def test_case_file_bad_source_is_one_line_exit_2_at_its_place(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    source: object,
    principal: str,
    fragment: str,
    key: str,
) -> None:
    code, path = _run(tmp_path, _case(source, principal))
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "\n" not in err and "Traceback" not in err, err
    assert fragment in err, err
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if key in line)
    assert err.startswith(f"policyproof evaluate: {path}:{number}:"), (err, number)


def test_a_negated_condition_that_fails_is_explained_the_right_way_round() -> None:
    """The confused-deputy statement does not apply to the organization's own trail: the trace
    must not read as if the policy wanted the very value the request has."""
    result = evaluate(trail(), PolicySet(resource=ORG_BUCKET, rcps=[[PERIMETER_RCP]]))
    lines = {lang: result.explain(lang) for lang in ("en", "vi")}
    assert (
        f'StringNotEqualsIfExists on aws:SourceOrgID fails: the request has "{ORG}", '
        f'the policy wants a value other than "{ORG}"'
    ) in lines["en"]
    assert f'request có "{ORG}", policy yêu cầu giá trị khác "{ORG}"' in lines["vi"]
    # A positive operator keeps the plain wording.
    denied = evaluate(trail(FOREIGN), PolicySet(resource=ORG_BUCKET))
    assert f'the request has "{OTHER_ORG}", the policy wants "{ORG}"' in denied.explain("en")
