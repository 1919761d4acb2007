"""KMS grants and the context keys the engine fills in (issue 12).

Grants: KMS Developer Guide, "Grants in AWS KMS" and "Retiring and revoking grants"; KMS API
Reference, GrantConstraints. Context keys: IAM User Guide, "AWS global condition context keys".
"""

from __future__ import annotations

import pytest
from engine_helpers import KEY_A, SESSION_B, USER_A, USER_B, A, B, allow, decide, deny, doc, policy

from policyproof.engine import EngineInputError, NamedPolicy, PolicySet, Request, evaluate
from policyproof.engine.model import Grant, VpcEndpoint

ROLE_B = f"arn:aws:iam::{B}:role/reader"
OWNER_ONLY = policy(
    "key.json",
    {
        "Sid": "Owner",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
        "Action": "kms:*",
        "Resource": "*",
    },
)
CONTEXT_IT = {"kms:EncryptionContext:Department": "IT"}


def grant(**overrides: object) -> Grant:
    values: dict = {"name": "b-decrypt", "key_arn": KEY_A, "grantee": USER_B, "operations": ("Decrypt",)}
    values.update(overrides)
    return Grant(**values)  # type: ignore[arg-type]


def test_grant_lets_another_account_decrypt_without_key_policy_or_iam_statement() -> None:
    # B's user has no identity policy at all: for a grant, none is needed.
    result = decide(USER_B, "kms:Decrypt", KEY_A, A, resource=OWNER_ONLY, grants=[grant()])
    assert result.decision == "Allow"
    assert result.trace.rule.code == "allow-grant"
    assert result.trace.rule.params["grant"] == "b-decrypt"
    text = result.explain("en")
    assert 'KMS grant "b-decrypt"' in text and "without a key policy or IAM policy statement" in text
    assert 'KMS grant "b-decrypt"' in result.explain("vi")
    assert result.to_dict()["trace"]["policies"][-1]["grant"]["operations"] == ["Decrypt"]


def test_without_the_grant_the_same_request_is_denied() -> None:
    assert decide(USER_B, "kms:Decrypt", KEY_A, A, resource=OWNER_ONLY).decision == "ImplicitDeny"


def test_operation_outside_the_grant_is_denied() -> None:
    result = decide(USER_B, "kms:Encrypt", KEY_A, A, resource=OWNER_ONLY, grants=[grant()])
    assert result.decision == "ImplicitDeny"
    assert "is not one of the grant's operations (Decrypt)" in result.explain("en")


def test_subset_constraint_matches_only_with_its_pairs() -> None:
    g = grant(encryption_context_subset={"Department": "IT"})
    ok = decide(
        USER_B,
        "kms:Decrypt",
        KEY_A,
        A,
        {**CONTEXT_IT, "kms:EncryptionContext:x": "y"},
        resource=OWNER_ONLY,
        grants=[g],
    )
    assert ok.decision == "Allow"
    wrong = decide(
        USER_B,
        "kms:Decrypt",
        KEY_A,
        A,
        {"kms:EncryptionContext:Department": "HR"},
        resource=OWNER_ONLY,
        grants=[g],
    )
    assert wrong.decision == "ImplicitDeny"
    assert wrong.trace.rule.code == "grant-constraint-not-met"
    assert wrong.trace.rule.params["otherwise"] == "resource-policy-required"
    assert "constraint EncryptionContextSubset (Department: IT) does not match" in wrong.explain("en")
    assert 'Implicit deny: KMS grant "b-decrypt" names this principal' in wrong.explain("en")
    assert "không khớp encryption context" in wrong.explain("vi")
    # GrantConstraints: keys are compared case-insensitively, values case-sensitively.
    key_case = decide(
        USER_B,
        "kms:Decrypt",
        KEY_A,
        A,
        {"kms:EncryptionContext:department": "IT"},
        resource=OWNER_ONLY,
        grants=[g],
    )
    assert key_case.decision == "Allow"
    value_case = decide(
        USER_B,
        "kms:Decrypt",
        KEY_A,
        A,
        {"kms:EncryptionContext:Department": "it"},
        resource=OWNER_ONLY,
        grants=[g],
    )
    assert value_case.decision == "ImplicitDeny"


def test_equals_constraint_refuses_extra_pairs() -> None:
    g = grant(encryption_context_equals={"Department": "IT"})
    assert decide(USER_B, "kms:Decrypt", KEY_A, A, CONTEXT_IT, resource=OWNER_ONLY, grants=[g]).allowed
    extra = decide(
        USER_B,
        "kms:Decrypt",
        KEY_A,
        A,
        {**CONTEXT_IT, "kms:EncryptionContext:x": "y"},
        resource=OWNER_ONLY,
        grants=[g],
    )
    assert extra.decision == "ImplicitDeny"


def test_constraints_do_not_apply_to_describe_key() -> None:
    g = grant(operations=("Decrypt", "DescribeKey"), encryption_context_subset={"Department": "IT"})
    assert decide(USER_B, "kms:DescribeKey", KEY_A, A, resource=OWNER_ONLY, grants=[g]).allowed


def test_grant_to_a_role_serves_its_sessions() -> None:
    g = grant(grantee=ROLE_B)
    assert decide(SESSION_B, "kms:Decrypt", KEY_A, A, resource=OWNER_ONLY, grants=[g]).allowed
    assert not decide(USER_B, "kms:Decrypt", KEY_A, A, resource=OWNER_ONLY, grants=[g]).allowed


def test_explicit_deny_and_scps_still_win_over_a_grant() -> None:
    denying = policy(
        "key.json",
        OWNER_ONLY.document["Statement"][0],
        {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
    )
    assert (
        decide(USER_B, "kms:Decrypt", KEY_A, A, resource=denying, grants=[grant()]).decision == "ExplicitDeny"
    )
    scp = [[policy("scp", allow("s3:*"))]]
    result = decide(USER_B, "kms:Decrypt", KEY_A, A, resource=OWNER_ONLY, scps=scp, grants=[grant()])
    assert result.trace.rule.code == "scp-no-allow"


def test_retiring_principal_may_retire_the_grant() -> None:
    g = grant(retiring_principal=f"arn:aws:iam::{A}:user/alice")
    result = decide(
        USER_A,
        "kms:RetireGrant",
        KEY_A,
        A,
        resource=policy("k", allow("kms:Decrypt", Principal={"AWS": USER_B})),
        grants=[g],
    )
    assert result.allowed
    assert "its retiring principal" in result.explain("en")


def test_grant_on_another_key_is_ignored() -> None:
    other = KEY_A.replace("1234abcd", "9999abcd")
    assert not decide(
        USER_B, "kms:Decrypt", KEY_A, A, resource=OWNER_ONLY, grants=[grant(key_arn=other)]
    ).allowed


def test_bad_grant_operation_is_an_input_error() -> None:
    with pytest.raises(EngineInputError, match="KMS grant operations"):
        decide(USER_B, "kms:Decrypt", KEY_A, A, resource=OWNER_ONLY, grants=[grant(operations=("Decrpyt",))])


# ----- context the engine fills in -----

SSO_SESSION = f"arn:aws:sts::{A}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice"
SSO_ROLE = f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
EXEMPT_SSO = policy(
    "scp",
    deny(
        "s3:DeleteBucket",
        Condition={
            "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}
        },
    ),
)


def test_principal_arn_of_a_session_is_the_role_arn_with_its_path() -> None:
    request = Request(
        SSO_SESSION,
        "s3:DeleteBucket",
        "arn:aws:s3:::bucket-a",
        A,
        {},
        role_path="/aws-reserved/sso.amazonaws.com/",
    )
    result = evaluate(
        request, PolicySet(identity=[policy("p", allow())], scps=[[policy("full", allow()), *[EXEMPT_SSO]]])
    )
    assert result.decision == "Allow"
    assert result.trace.facts["contextFilled"]["aws:PrincipalArn"] == [SSO_ROLE]
    assert f"aws:PrincipalArn = {SSO_ROLE}" in result.explain("en")


def test_principal_arn_of_a_session_is_never_the_session_arn() -> None:
    result = decide(SESSION_B, "s3:GetObject", "arn:aws:s3:::bucket-a/x", B)
    assert result.trace.facts["contextFilled"]["aws:PrincipalArn"] == [ROLE_B]
    only_session = policy("p", allow(Condition={"ArnEquals": {"aws:PrincipalArn": SESSION_B}}))
    assert (
        decide(SESSION_B, "s3:GetObject", "arn:aws:s3:::bucket-a/x", B, identity=[only_session]).decision
        == "ImplicitDeny"
    )


def test_role_path_must_be_an_iam_path_and_only_for_sessions() -> None:
    with pytest.raises(EngineInputError, match="not an IAM path"):
        evaluate(Request(SSO_SESSION, "s3:GetObject", "*", A, role_path="aws-reserved"), PolicySet())
    with pytest.raises(EngineInputError, match="is for a role session"):
        evaluate(Request(USER_A, "s3:GetObject", "*", A, role_path="/x/"), PolicySet())


def test_tags_org_endpoint_and_userid_are_filled_and_shown() -> None:
    request = Request(
        SESSION_B,
        "s3:GetObject",
        "arn:aws:s3:::bucket-a/x",
        A,
        {},
        principal_tags={"team": "blue"},
        principal_unique_id="AROAEXAMPLEROLEID0001",
        principal_org_id="o-a1b2c3d4e5",
        resource_org_id="o-a1b2c3d4e5",
        endpoint=VpcEndpoint("vpce-1a2b3c4d", B, "vpc-11aa22bb", "o-a1b2c3d4e5"),
    )
    result = evaluate(request, PolicySet())
    filled = result.trace.facts["contextFilled"]
    assert filled["aws:PrincipalTag/team"] == ["blue"]
    assert filled["aws:userid"] == ["AROAEXAMPLEROLEID0001:s1"]
    assert filled["aws:PrincipalOrgID"] == ["o-a1b2c3d4e5"]
    assert filled["aws:ResourceOrgID"] == ["o-a1b2c3d4e5"]
    assert filled["aws:SourceVpce"] == ["vpce-1a2b3c4d"]
    assert filled["aws:VpceAccount"] == [B]
    assert filled["aws:VpceOrgID"] == ["o-a1b2c3d4e5"]
    assert filled["aws:SourceVpc"] == ["vpc-11aa22bb"]
    assert filled["aws:PrincipalIsAWSService"] == ["false"]
    assert "aws:SourceVpce = vpce-1a2b3c4d" in result.explain("en")
    # A value the caller gives always wins over the engine's.
    given = evaluate(
        Request(
            SESSION_B,
            "s3:GetObject",
            "*",
            B,
            {"aws:PrincipalTag/team": "red"},
            principal_tags={"team": "blue"},
        ),
        PolicySet(),
    )
    assert "aws:PrincipalTag/team" not in given.trace.facts["contextFilled"]


def test_federated_user_and_service_principal_keys() -> None:
    federated = decide(f"arn:aws:sts::{B}:federated-user/bob", "s3:GetObject", "*", B)
    assert federated.trace.facts["contextFilled"]["aws:userid"] == [f"{B}:bob"]
    service = decide("cloudtrail.amazonaws.com", "s3:PutObject", "arn:aws:s3:::bucket-a/x", A)
    filled = service.trace.facts["contextFilled"]
    assert filled["aws:PrincipalIsAWSService"] == ["true"]
    assert filled["aws:PrincipalServiceName"] == ["cloudtrail.amazonaws.com"]


def test_misspelled_action_is_warned_with_did_you_mean() -> None:
    granted = policy("p", allow("kms:Decrypt"))
    result = decide(USER_A, "kms:Decrpyt", KEY_A, A, resource=OWNER_ONLY, identity=[granted])
    assert result.decision == "ImplicitDeny"
    assert result.trace.facts["warnings"][0]["suggestion"] == "kms:Decrypt"
    assert "did you mean kms:Decrypt?" in result.explain("en")
    assert "có phải ý bạn là kms:Decrypt?" in result.explain("vi")
    assert "warnings" not in decide(USER_A, "kms:Decrypt", KEY_A, A).trace.facts


def test_unknown_context_key_is_warned() -> None:
    result = decide(
        USER_A,
        "s3:GetObject",
        "arn:aws:s3:::bucket-a/x",
        A,
        {"aws:SourceIP": "10.0.0.1", "aws:SourceVpcee": "vpce-1"},
    )
    warnings = result.trace.facts["warnings"]
    assert [w["value"] for w in warnings] == ["aws:SourceVpcee"]  # key names are case-insensitive
    assert warnings[0]["suggestion"] == "aws:SourceVpce"


def test_doc_helper_builds_empty_policies() -> None:
    assert NamedPolicy("x", doc()).document["Statement"] == []


# ----- the same from a case file (policyproof evaluate) -----


def _sso_case(**request_extra: object) -> dict:
    scp = doc(
        allow(),
        deny(
            "s3:DeleteBucket",
            Condition={
                "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}
            },
        ),
    )
    return {
        "name": "sso exemption",
        "request": {
            "principal": SSO_SESSION,
            "action": "s3:DeleteBucket",
            "resource": {"resource": "arn:aws:s3:::bucket-a", "accountId": A},
            **request_extra,
        },
        "identityPolicies": [doc(allow())],
        "serviceControlPolicies": [{"orgIdentifier": "r-root", "policies": [scp]}],
    }


def test_cli_role_path_gives_the_sso_exemption(tmp_path, capsys) -> None:  # noqa: ANN001
    import json

    from policyproof.cli import main

    path = tmp_path / "case.json"
    path.write_text(json.dumps(_sso_case(rolePath="/aws-reserved/sso.amazonaws.com/")), encoding="utf-8")
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Decision: Allow")
    assert f"aws:PrincipalArn = {SSO_ROLE}" in out
    # Without the path the engine cannot know it, and the trace shows the value it used.
    path.write_text(json.dumps(_sso_case()), encoding="utf-8")
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Decision: ExplicitDeny")
    assert f"aws:PrincipalArn = arn:aws:iam::{A}:role/AWSReservedSSO_Admin_0123456789abcdef" in out


def test_cli_case_with_a_grant_and_an_endpoint(tmp_path, capsys) -> None:  # noqa: ANN001
    import json

    from policyproof.cli import main

    case = {
        "name": "grant",
        "request": {
            "principal": USER_B,
            "action": "kms:Decrypt",
            "resource": {"resource": KEY_A, "accountId": A},
            "context": CONTEXT_IT,
            "endpoint": {"id": "vpce-1a2b3c4d", "account": B, "vpc": "vpc-11aa22bb"},
        },
        "resourcePolicy": OWNER_ONLY.document,
        "grants": [
            {
                "name": "g1",
                "keyArn": KEY_A,
                "grantee": USER_B,
                "operations": ["Decrypt"],
                "encryptionContextSubset": {"Department": "IT"},
            }
        ],
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    assert main(["evaluate", "--format", "json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decision"] == "Allow"
    assert data["trace"]["decidedBy"]["code"] == "allow-grant"
    assert data["trace"]["facts"]["contextFilled"]["aws:SourceVpce"] == ["vpce-1a2b3c4d"]
    case["grants"][0]["operations"] = ["Decrpyt"]
    path.write_text(json.dumps(case, indent=2), encoding="utf-8")
    assert main(["evaluate", str(path)]) == 2
    assert "KMS grant operations" in capsys.readouterr().err


def test_an_identity_center_session_without_its_path_is_warned() -> None:
    result = decide(SSO_SESSION, "s3:GetObject", "arn:aws:s3:::bucket-a/x", A)
    warning = result.trace.facts["warnings"][0]
    assert warning["code"] == "role-path-unknown"
    assert "Give the role's path (role_path in claims.yaml, rolePath in a case)" in result.explain("en")
    assert "Hãy khai báo path của role" in result.explain("vi")
    with_path = evaluate(
        Request(SSO_SESSION, "s3:GetObject", "*", A, role_path="/aws-reserved/sso.amazonaws.com/"),
        PolicySet(),
    )
    assert "warnings" not in with_path.trace.facts
