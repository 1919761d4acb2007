"""Principal and NotPrincipal matching, account principals, services, anonymous callers."""

from __future__ import annotations

import pytest
from engine_helpers import (
    OBJECT,
    ROLE_A,
    SESSION_A,
    USER_A,
    USER_B,
    A,
    B,
    allow,
    decide,
    deny,
    policy,
)


def bucket_policy(principal: object, effect: str = "Allow", element: str = "Principal") -> object:
    statement = {
        "Sid": "Bucket",
        "Effect": effect,
        element: principal,
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::bucket-a/*",
    }
    return policy("bucket", statement)


@pytest.mark.parametrize("account_principal", [A, f"arn:aws:iam::{A}:root"])
def test_account_principal_delegates_to_iam(account_principal: str) -> None:
    """IAM User Guide (Principal, AWS account principals): the account principal and the bare
    account id both mean "any principal of the account that its IAM policies allow"."""
    resource = bucket_policy({"AWS": account_principal})
    without_iam = decide(USER_A, "s3:GetObject", OBJECT, A, resource=resource)
    with_iam = decide(
        USER_A, "s3:GetObject", OBJECT, A, resource=resource, identity=[policy("id", allow("s3:GetObject"))]
    )
    assert without_iam.decision == "ImplicitDeny"
    assert without_iam.trace.rule.code == "account-delegation-no-identity-allow"
    assert with_iam.decision == "Allow"


def test_account_principal_is_not_only_the_root_user() -> None:
    resource = bucket_policy({"AWS": f"arn:aws:iam::{A}:root"})
    identity = [policy("id", allow("s3:GetObject"))]
    assert (
        decide(SESSION_A, "s3:GetObject", OBJECT, A, resource=resource, identity=identity).decision == "Allow"
    )


def test_user_named_directly_needs_no_identity_policy_in_the_same_account() -> None:
    result = decide(USER_A, "s3:GetObject", OBJECT, A, resource=bucket_policy({"AWS": USER_A}))
    assert result.decision == "Allow"
    assert result.trace.rule.code == "allow-resource-names-principal"


def test_naming_a_role_covers_its_sessions() -> None:
    assert (
        decide(SESSION_A, "s3:GetObject", OBJECT, A, resource=bucket_policy({"AWS": ROLE_A})).decision
        == "Allow"
    )
    other_role = f"arn:aws:iam::{A}:role/other"
    assert decide(
        SESSION_A, "s3:GetObject", OBJECT, A, resource=bucket_policy({"AWS": other_role})
    ).decision == ("ImplicitDeny")


def test_naming_a_session_does_not_cover_other_sessions() -> None:
    resource = bucket_policy({"AWS": SESSION_A})
    other = f"arn:aws:sts::{A}:assumed-role/app/run-2"
    assert decide(SESSION_A, "s3:GetObject", OBJECT, A, resource=resource).decision == "Allow"
    assert decide(other, "s3:GetObject", OBJECT, A, resource=resource).decision == "ImplicitDeny"


def test_federated_user_session_named_directly() -> None:
    federated = f"arn:aws:sts::{A}:federated-user/carol"
    assert decide(
        federated, "s3:GetObject", OBJECT, A, resource=bucket_policy({"AWS": federated})
    ).decision == ("Allow")


@pytest.mark.parametrize("wildcard", ["*", {"AWS": "*"}])
def test_wildcard_principal_includes_anonymous(wildcard: object) -> None:
    assert (
        decide("anonymous", "s3:GetObject", OBJECT, A, resource=bucket_policy(wildcard)).decision == "Allow"
    )
    assert decide(USER_A, "s3:GetObject", OBJECT, A, resource=bucket_policy(wildcard)).decision == "Allow"


def test_anonymous_needs_a_public_resource_policy() -> None:
    result = decide("anonymous", "s3:GetObject", OBJECT, A, resource=bucket_policy({"AWS": A}))
    assert result.decision == "ImplicitDeny"
    assert result.trace.rule.code == "no-resource-allow"


def test_service_principal() -> None:
    resource = bucket_policy({"Service": "cloudtrail.amazonaws.com"})
    assert (
        decide("cloudtrail.amazonaws.com", "s3:GetObject", OBJECT, A, resource=resource).decision == "Allow"
    )
    assert (
        decide("config.amazonaws.com", "s3:GetObject", OBJECT, A, resource=resource).decision
        == "ImplicitDeny"
    )
    # a service principal is not an AWS account principal
    assert (
        decide(
            "cloudtrail.amazonaws.com", "s3:GetObject", OBJECT, A, resource=bucket_policy({"AWS": A})
        ).decision
        == "ImplicitDeny"
    )


def test_statement_without_principal_in_a_resource_policy_applies_to_no_one() -> None:
    resource = policy("bucket", allow("s3:GetObject"))
    result = decide(USER_A, "s3:GetObject", OBJECT, A, resource=resource)
    assert result.decision == "ImplicitDeny"
    assert result.trace.policies[0].statements[0].mismatches[0].reason == "no-principal-element"


def test_not_principal_allow_and_deny() -> None:
    allow_others = bucket_policy({"AWS": USER_B}, element="NotPrincipal")
    assert decide(USER_A, "s3:GetObject", OBJECT, A, resource=allow_others).decision == "Allow"
    assert decide(USER_B, "s3:GetObject", OBJECT, A, resource=allow_others).decision == "ImplicitDeny"
    # IAM User Guide (NotPrincipal): list the exempted user *and* its account; the account entry
    # exempts the account itself, not every principal in it.
    deny_all_but_alice = bucket_policy({"AWS": [USER_A, f"arn:aws:iam::{A}:root"]}, "Deny", "NotPrincipal")
    identity = [policy("id", allow("s3:GetObject"))]
    carol = f"arn:aws:iam::{A}:user/carol"
    assert decide(
        USER_A, "s3:GetObject", OBJECT, A, resource=deny_all_but_alice, identity=identity
    ).decision == ("Allow")
    assert decide(
        carol, "s3:GetObject", OBJECT, A, resource=deny_all_but_alice, identity=identity
    ).decision == ("ExplicitDeny")
    assert decide(
        USER_B, "s3:GetObject", OBJECT, A, resource=deny_all_but_alice, identity=identity
    ).decision == ("ExplicitDeny")


def test_not_principal_role_entry_exempts_its_sessions() -> None:
    resource = bucket_policy({"AWS": [ROLE_A, f"arn:aws:iam::{A}:root"]}, "Deny", "NotPrincipal")
    identity = [policy("id", allow("s3:GetObject"))]
    assert (
        decide(SESSION_A, "s3:GetObject", OBJECT, A, resource=resource, identity=identity).decision == "Allow"
    )


def test_not_principal_deny_always_applies_to_principals_with_a_boundary() -> None:
    """IAM User Guide (NotPrincipal): a Deny with NotPrincipal in a resource policy always denies
    principals that have a permissions boundary, whatever NotPrincipal lists."""
    resource = bucket_policy({"AWS": ROLE_A}, "Deny", "NotPrincipal")
    identity = [policy("id", allow("s3:GetObject"))]
    plain = decide(ROLE_A, "s3:GetObject", OBJECT, A, resource=resource, identity=identity)
    bounded = decide(
        ROLE_A,
        "s3:GetObject",
        OBJECT,
        A,
        resource=resource,
        identity=identity,
        boundaries=[policy("pb", allow())],
    )
    assert plain.decision == "Allow"
    assert bounded.decision == "ExplicitDeny"


def test_identity_policy_principal_element_is_ignored() -> None:
    identity = [policy("id", allow("s3:GetObject", Principal={"AWS": USER_B}))]
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=identity).decision == "Allow"


def test_deny_to_an_account_principal_covers_its_users() -> None:
    resource = policy("bucket", deny("s3:*", "*", Principal={"AWS": B}))
    identity = [policy("id", allow())]
    assert decide(USER_B, "s3:GetObject", OBJECT, A, resource=resource, identity=identity).decision == (
        "ExplicitDeny"
    )
