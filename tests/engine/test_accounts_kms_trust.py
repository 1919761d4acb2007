"""Same account versus cross account, KMS key policies, and role trust policies."""

from __future__ import annotations

import pytest
from engine_helpers import (
    KEY_A,
    OBJECT,
    ROLE_B,
    SESSION_A,
    SESSION_B,
    USER_A,
    USER_B,
    A,
    B,
    allow,
    decide,
    deny,
    policy,
)

ROOT_A = f"arn:aws:iam::{A}:root"
ROOT_B = f"arn:aws:iam::{B}:root"
ROLE_IN_A = f"arn:aws:iam::{A}:role/deploy"


def default_key_policy(*extra: dict) -> object:
    """The KMS default key policy: the account principal may do everything, so IAM policies count."""
    return policy(
        "key",
        {
            "Sid": "EnableIAM",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT_A},
            "Action": "kms:*",
            "Resource": "*",
        },
        *extra,
    )


def grant(principal: str, actions: list[str] | str, sid: str = "Grant") -> dict:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": actions,
        "Resource": "*",
    }


# ----- same account / cross account -----


def test_same_account_identity_policy_alone_is_enough() -> None:
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=[policy("id", allow("s3:GetObject"))])
    assert result.decision == "Allow"
    assert result.trace.facts["sameAccount"] is True


def test_cross_account_needs_both_sides() -> None:
    identity = [policy("id", allow("s3:GetObject"))]
    bucket = policy("bucket", grant(ROOT_B, "s3:GetObject", "ForB"))
    only_identity = decide(USER_B, "s3:GetObject", OBJECT, A, identity=identity)
    only_resource = decide(USER_B, "s3:GetObject", OBJECT, A, resource=bucket)
    both = decide(USER_B, "s3:GetObject", OBJECT, A, identity=identity, resource=bucket)
    assert only_identity.trace.rule.code == "cross-account-no-resource-allow"
    assert only_resource.trace.rule.code == "cross-account-no-identity-allow"
    assert (only_identity.decision, only_resource.decision, both.decision) == (
        "ImplicitDeny",
        "ImplicitDeny",
        "Allow",
    )


def test_cross_account_resource_policy_naming_the_user_still_needs_its_identity_policy() -> None:
    bucket = policy("bucket", grant(USER_B, "s3:GetObject"))
    assert decide(USER_B, "s3:GetObject", OBJECT, A, resource=bucket).decision == "ImplicitDeny"


def test_missing_resource_account_is_taken_from_the_arn() -> None:
    identity = [policy("id", allow("kms:Decrypt"))]
    result = decide(USER_B, "kms:Decrypt", KEY_A, None, identity=identity, resource=default_key_policy())
    assert result.trace.facts["resourceAccount"] == A
    assert result.decision == "ImplicitDeny"


# ----- KMS -----


def test_kms_iam_policy_alone_is_not_enough() -> None:
    """KMS Developer Guide (Key policies): IAM policies allow nothing on a key unless its key
    policy allows the account principal."""
    identity = [policy("id", allow("kms:Decrypt"))]
    no_root = policy("key", grant(f"arn:aws:iam::{A}:user/admin", "kms:*", "AdminOnly"))
    result = decide(USER_A, "kms:Decrypt", KEY_A, A, identity=identity, resource=no_root)
    assert result.decision == "ImplicitDeny"
    assert result.trace.rule.code == "resource-policy-required"
    assert decide(USER_A, "kms:Decrypt", KEY_A, A, identity=identity).decision == "ImplicitDeny"


def test_kms_default_key_policy_enables_iam_policies() -> None:
    identity = [policy("id", allow("kms:Decrypt", KEY_A))]
    result = decide(USER_A, "kms:Decrypt", KEY_A, A, identity=identity, resource=default_key_policy())
    assert result.decision == "Allow"
    assert result.trace.rule.code == "allow-identity-delegated"
    assert decide(USER_A, "kms:Decrypt", KEY_A, A, resource=default_key_policy()).decision == "ImplicitDeny"


def test_kms_key_policy_naming_a_same_account_principal_grants_on_its_own() -> None:
    key = policy("key", grant(USER_A, "kms:Decrypt"))
    assert decide(USER_A, "kms:Decrypt", KEY_A, A, resource=key).decision == "Allow"


def test_kms_iam_deny_works_without_the_root_statement() -> None:
    key = policy("key", grant(USER_A, "kms:Decrypt"))
    identity = [policy("id", deny("kms:Decrypt"))]
    assert decide(USER_A, "kms:Decrypt", KEY_A, A, resource=key, identity=identity).decision == "ExplicitDeny"


def test_kms_key_policy_is_the_outer_limit_of_delegation() -> None:
    """Only the actions the key policy allows the account principal can be delegated by IAM."""
    key = default_key_policy()
    key.document["Statement"][0]["Action"] = ["kms:Encrypt"]
    identity = [policy("id", allow("kms:*"))]
    assert decide(USER_A, "kms:Encrypt", KEY_A, A, resource=key, identity=identity).decision == "Allow"
    assert decide(USER_A, "kms:Decrypt", KEY_A, A, resource=key, identity=identity).decision == "ImplicitDeny"


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("kms:Decrypt", "Allow"),
        ("kms:Encrypt", "Allow"),
        ("kms:GenerateDataKey", "Allow"),
        ("kms:GenerateDataKeyWithoutPlaintext", "Allow"),
        ("kms:ReEncryptFrom", "Allow"),
        ("kms:CreateGrant", "Allow"),
        ("kms:DescribeKey", "Allow"),
        ("kms:ListGrants", "Allow"),
        ("kms:ScheduleKeyDeletion", "ImplicitDeny"),
        ("kms:PutKeyPolicy", "ImplicitDeny"),
        ("kms:DisableKey", "ImplicitDeny"),
    ],
)
def test_kms_cross_account_only_for_the_listed_operations(action: str, expected: str) -> None:
    """KMS Developer Guide (Allowing users in other accounts): only cryptographic operations,
    CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant and
    RevokeGrant work across accounts; a key policy granting others more still fails."""
    key = default_key_policy(grant(ROOT_B, "kms:*", "AllowB"))
    identity = [policy("id", allow("kms:*", KEY_A))]
    result = decide(USER_B, action, KEY_A, A, resource=key, identity=identity)
    assert result.decision == expected, result.explain()
    if expected != "Allow":
        assert result.trace.rule.code == "kms-not-cross-account"


def test_kms_cross_account_needs_key_policy_and_iam_policy() -> None:
    key = default_key_policy(grant(ROOT_B, ["kms:Decrypt"], "AllowB"))
    identity = [policy("id", allow("kms:Decrypt", KEY_A))]
    assert decide(USER_B, "kms:Decrypt", KEY_A, A, resource=key).decision == "ImplicitDeny"
    assert decide(
        USER_B, "kms:Decrypt", KEY_A, A, identity=identity, resource=default_key_policy()
    ).decision == ("ImplicitDeny")
    assert decide(USER_B, "kms:Decrypt", KEY_A, A, identity=identity, resource=key).decision == "Allow"


def test_kms_caller_account_is_filled_for_kms_actions() -> None:
    """The AWS managed key pattern: kms:CallerAccount + kms:ViaService keep other accounts out."""
    managed = policy(
        "aws/s3",
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:CallerAccount": A, "kms:ViaService": "s3.us-east-1.amazonaws.com"}
            },
        },
    )
    via_s3 = {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    same = decide(SESSION_A, "kms:Decrypt", KEY_A, A, via_s3, resource=managed)
    other = decide(
        SESSION_B, "kms:Decrypt", KEY_A, A, via_s3, resource=managed, identity=[policy("id", allow("kms:*"))]
    )
    direct = decide(SESSION_A, "kms:Decrypt", KEY_A, A, resource=managed)
    assert same.decision == "Allow"
    assert other.decision == "ImplicitDeny"
    assert direct.decision == "ImplicitDeny"


def test_kms_alias_resources_use_ordinary_rules() -> None:
    alias = f"arn:aws:kms:us-east-1:{A}:alias/app"
    identity = [policy("id", allow("kms:UpdateAlias", alias))]
    assert decide(USER_A, "kms:UpdateAlias", alias, A, identity=identity).decision == "Allow"
    reserved = f"arn:aws:kms:us-east-1:{A}:alias/aws/s3"
    result = decide(USER_A, "kms:DeleteAlias", reserved, A, identity=[policy("id", allow())])
    assert (result.decision, result.trace.rule.code) == ("ImplicitDeny", "aws-owned-resource")


# ----- role trust policies -----


def trust(principal: object, sid: str = "Trust") -> object:
    return policy(
        "trust", {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    )


def test_trust_policy_is_required_even_in_the_same_account() -> None:
    identity = [policy("id", allow("sts:AssumeRole", ROLE_IN_A))]
    result = decide(USER_A, "sts:AssumeRole", ROLE_IN_A, A, identity=identity)
    assert (result.decision, result.trace.rule.code) == ("ImplicitDeny", "resource-policy-required")
    assert result.trace.facts["resourcePolicyRequired"] == "role-trust"


def test_trust_policy_naming_the_user_is_enough_in_the_same_account() -> None:
    assert decide(USER_A, "sts:AssumeRole", ROLE_IN_A, A, resource=trust({"AWS": USER_A})).decision == "Allow"


def test_trust_policy_naming_the_account_delegates_to_iam() -> None:
    identity = [policy("id", allow("sts:AssumeRole", ROLE_IN_A))]
    assert decide(USER_A, "sts:AssumeRole", ROLE_IN_A, A, resource=trust({"AWS": ROOT_A})).decision == (
        "ImplicitDeny"
    )
    assert (
        decide(
            USER_A, "sts:AssumeRole", ROLE_IN_A, A, resource=trust({"AWS": ROOT_A}), identity=identity
        ).decision
        == "Allow"
    )


def test_cross_account_assume_role() -> None:
    identity = [policy("id", allow("sts:AssumeRole", ROLE_IN_A))]
    assert decide(USER_B, "sts:AssumeRole", ROLE_IN_A, A, resource=trust({"AWS": USER_B})).decision == (
        "ImplicitDeny"
    )
    assert (
        decide(
            USER_B, "sts:AssumeRole", ROLE_IN_A, A, resource=trust({"AWS": USER_B}), identity=identity
        ).decision
        == "Allow"
    )


def test_service_assumes_a_role() -> None:
    result = decide(
        "lambda.amazonaws.com",
        "sts:AssumeRole",
        ROLE_IN_A,
        A,
        resource=trust({"Service": "lambda.amazonaws.com"}),
    )
    assert result.decision == "Allow"


def test_get_caller_identity_is_always_allowed() -> None:
    """STS API Reference: no permission is needed, and an explicit deny does not block it."""
    result = decide(ROLE_B, "sts:GetCallerIdentity", "*", B, identity=[policy("id", deny())])
    assert (result.decision, result.trace.rule.code) == ("Allow", "always-allowed")


def test_aws_managed_policies_cannot_be_changed() -> None:
    managed = "arn:aws:iam::aws:policy/AdministratorAccess"
    admin = [policy("id", allow())]
    assert decide(USER_A, "iam:CreatePolicyVersion", managed, A, identity=admin).decision == "ImplicitDeny"
    assert decide(USER_A, "iam:GetPolicy", managed, A, identity=admin).decision == "Allow"


def test_kms_key_actions_need_the_key_arn_not_an_alias() -> None:
    """KMS authorizes kms:Decrypt and the like against the key behind an alias, under its key
    policy, so an alias ARN cannot be decided without knowing the key: a clear input error."""
    from policyproof.engine import EngineInputError

    alias = f"arn:aws:kms:us-east-1:{A}:alias/app"
    with pytest.raises(EngineInputError, match="give the key ARN"):
        decide(USER_A, "kms:Decrypt", alias, A, identity=[policy("id", allow())])
