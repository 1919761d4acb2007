"""SCPs, RCPs, permissions boundaries and session policies: they never grant, they only limit."""

from __future__ import annotations

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

ADMIN = [policy("admin", allow())]
FULL_ACCESS = policy("FullAWSAccess", allow())


# ----- SCPs -----


def test_every_scp_level_must_allow() -> None:
    levels = [[FULL_ACCESS], [policy("ou", allow("s3:*"))], [policy("account", allow("ec2:*"))]]
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=ADMIN, scps=levels)
    assert result.decision == "ImplicitDeny"
    assert result.trace.rule.code == "scp-no-allow"
    assert result.trace.rule.params["level"] == 2


def test_scps_never_grant() -> None:
    assert decide(USER_A, "s3:GetObject", OBJECT, A, scps=[[FULL_ACCESS]]).decision == "ImplicitDeny"


def test_scp_deny_with_not_action_is_the_usual_guardrail() -> None:
    guard = policy("deny-outside-s3", {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})
    levels = [[FULL_ACCESS, guard]]
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=ADMIN, scps=levels).decision == "Allow"
    instance = "arn:aws:ec2:us-east-1:111111111111:instance/i-1"
    assert (
        decide(USER_A, "ec2:StopInstances", instance, A, identity=ADMIN, scps=levels).decision
        == "ExplicitDeny"
    )


def test_scps_of_the_principal_account_apply_to_cross_account_requests() -> None:
    bucket = policy("bucket", {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:*", "Resource": "*"})
    result = decide(
        USER_B,
        "s3:GetObject",
        OBJECT,
        A,
        identity=ADMIN,
        resource=bucket,
        scps=[[policy("no-s3", allow("ec2:*"))]],
    )
    assert result.decision == "ImplicitDeny"


def test_scps_do_not_apply_to_anonymous_or_service_principals() -> None:
    public = policy(
        "bucket", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    )
    deny_all = [[policy("deny", deny())]]
    assert decide("anonymous", "s3:GetObject", OBJECT, A, resource=public, scps=deny_all).decision == "Allow"
    assert (
        decide("s3.amazonaws.com", "s3:GetObject", OBJECT, A, resource=public, scps=deny_all).decision
        == "Allow"
    )


def test_scps_do_not_apply_to_service_linked_roles() -> None:
    linked = f"arn:aws:iam::{A}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForELB"
    result = decide(linked, "s3:GetObject", OBJECT, A, identity=ADMIN, scps=[[policy("deny", deny())]])
    assert result.decision == "Allow"
    assert result.trace.facts["scpsApply"] is False


# ----- RCPs -----


def test_rcp_levels_include_rcp_full_aws_access() -> None:
    """Organizations User Guide (RCPs): RCPFullAWSAccess is attached at every level, so an empty
    level restricts nothing."""
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=ADMIN, rcps=[[], []])
    assert result.decision == "Allow"
    implicit = [p for p in result.trace.policies if p.kind == "rcp"]
    assert len(implicit) == 2 and all(p.implicit and p.name == "RCPFullAWSAccess" for p in implicit)


def test_rcp_deny_blocks_outsiders() -> None:
    perimeter = policy(
        "perimeter",
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": A}},
        },
    )
    bucket = policy("bucket", {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:*", "Resource": "*"})
    outsider = decide(USER_B, "s3:GetObject", OBJECT, A, identity=ADMIN, resource=bucket, rcps=[[perimeter]])
    insider = decide(USER_A, "s3:GetObject", OBJECT, A, identity=ADMIN, rcps=[[perimeter]])
    assert outsider.decision == "ExplicitDeny"
    assert outsider.trace.rule.params["kind"] == "rcp"
    assert insider.decision == "Allow"


def test_rcps_never_grant() -> None:
    grant = policy("rcp", {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    assert decide(USER_A, "s3:GetObject", OBJECT, A, rcps=[[grant]]).decision == "ImplicitDeny"


def test_rcps_only_restrict_supported_services() -> None:
    instance = "arn:aws:ec2:us-east-1:111111111111:instance/i-1"
    deny_all = [[policy("rcp", {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})]]
    assert decide(USER_A, "ec2:StopInstances", instance, A, identity=ADMIN, rcps=deny_all).decision == "Allow"


# ----- permissions boundaries -----


def test_boundary_limits_identity_policies() -> None:
    boundary = [policy("pb", allow("s3:*"))]
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=ADMIN, boundaries=boundary).decision == "Allow"
    key = "arn:aws:kms:us-east-1:111111111111:key/k"
    key_policy = policy(
        "key", {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "kms:*", "Resource": "*"}
    )
    result = decide(USER_A, "kms:Decrypt", key, A, identity=ADMIN, boundaries=boundary, resource=key_policy)
    assert (result.decision, result.trace.rule.code) == ("ImplicitDeny", "boundary-no-allow")


def test_boundary_never_grants() -> None:
    assert (
        decide(USER_A, "s3:GetObject", OBJECT, A, boundaries=[policy("pb", allow())]).decision
        == "ImplicitDeny"
    )


def bucket_for(principal: str) -> object:
    return policy(
        "bucket",
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject", "Resource": "*"},
    )


def test_same_account_resource_policy_naming_the_user_is_not_limited_by_the_boundary() -> None:
    """IAM User Guide, policy evaluation logic: a resource policy naming the IAM user's ARN is not
    limited by an implicit deny in the identity policy or the boundary."""
    tight = [policy("pb", allow("ec2:*"))]
    assert decide(
        USER_A, "s3:GetObject", OBJECT, A, resource=bucket_for(USER_A), boundaries=tight
    ).decision == ("Allow")


def test_same_account_resource_policy_naming_the_role_is_limited_by_the_boundary() -> None:
    tight = [policy("pb", allow("ec2:*"))]
    assert decide(
        SESSION_A, "s3:GetObject", OBJECT, A, resource=bucket_for(ROLE_A), boundaries=tight
    ).decision == ("ImplicitDeny")
    assert decide(
        ROLE_A, "s3:GetObject", OBJECT, A, resource=bucket_for(ROLE_A), boundaries=tight
    ).decision == ("ImplicitDeny")


def test_same_account_resource_policy_naming_the_session_is_not_limited() -> None:
    tight = [policy("pb", allow("ec2:*"))]
    session_policy = policy("session", allow("ec2:*"))
    result = decide(
        SESSION_A,
        "s3:GetObject",
        OBJECT,
        A,
        resource=bucket_for(SESSION_A),
        boundaries=tight,
        session=session_policy,
    )
    assert result.decision == "Allow"


def test_cross_account_boundary_still_limits() -> None:
    tight = [policy("pb", allow("ec2:*"))]
    result = decide(
        USER_B, "s3:GetObject", OBJECT, A, identity=ADMIN, resource=bucket_for(USER_B), boundaries=tight
    )
    assert (result.decision, result.trace.rule.code) == ("ImplicitDeny", "boundary-no-allow")


def test_boundary_explicit_deny_wins() -> None:
    result = decide(
        USER_A,
        "s3:GetObject",
        OBJECT,
        A,
        resource=bucket_for(USER_A),
        boundaries=[policy("pb", allow(), deny("s3:GetObject"))],
    )
    assert result.decision == "ExplicitDeny"


# ----- session policies -----


def test_session_policy_limits_the_role_identity_policies() -> None:
    narrow = policy("session", allow("s3:ListBucket"))
    result = decide(SESSION_A, "s3:GetObject", OBJECT, A, identity=ADMIN, session=narrow)
    assert (result.decision, result.trace.rule.code) == ("ImplicitDeny", "session-no-allow")
    assert (
        decide(
            SESSION_A, "s3:GetObject", OBJECT, A, identity=ADMIN, session=policy("session", allow("s3:*"))
        ).decision
        == "Allow"
    )


def test_session_policy_never_grants() -> None:
    assert decide(SESSION_A, "s3:GetObject", OBJECT, A, session=policy("session", allow())).decision == (
        "ImplicitDeny"
    )


def test_session_policy_limits_a_resource_policy_naming_the_role() -> None:
    narrow = policy("session", allow("ec2:*"))
    assert decide(
        SESSION_A, "s3:GetObject", OBJECT, A, resource=bucket_for(ROLE_A), session=narrow
    ).decision == ("ImplicitDeny")


def test_federated_user_session_named_directly_ignores_session_policy_implicit_deny() -> None:
    federated = f"arn:aws:sts::{A}:federated-user/carol"
    narrow = policy("session", allow("ec2:*"))
    assert (
        decide(federated, "s3:GetObject", OBJECT, A, resource=bucket_for(federated), session=narrow).decision
        == "Allow"
    )


def test_wildcard_resource_policy_in_the_same_account() -> None:
    public = policy(
        "bucket", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    )
    assert decide(USER_A, "s3:GetObject", OBJECT, A, resource=public).decision == "Allow"
    assert decide(USER_B, "s3:GetObject", OBJECT, A, resource=public).decision == "ImplicitDeny"
