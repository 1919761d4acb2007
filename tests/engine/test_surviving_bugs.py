"""One test per deliberate bug that survived the suite before (issue 12, "Gaps no test covers").
Each assertion fails if the bug comes back."""

from __future__ import annotations

import pytest
from engine_helpers import KEY_A, OBJECT, SESSION_B, USER_A, USER_B, A, B, allow, decide, policy

# ----- StringLike is case-sensitive (IAM User Guide, "Condition operators": StringLike is a
# case-sensitive match with wildcards; only StringEqualsIgnoreCase ignores case) -----


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("Team-*", "Team-A", "Allow"),
        ("Team-*", "team-a", "ImplicitDeny"),
        ("team-?", "TEAM-A", "ImplicitDeny"),
        ("arn:aws:iam::*:role/Admin*", "arn:aws:iam::111111111111:role/admin-x", "ImplicitDeny"),
    ],
)
def test_stringlike_is_case_sensitive(pattern: str, value: str, expected: str) -> None:
    identity = [policy("p", allow(Condition={"StringLike": {"aws:PrincipalTag/team": pattern}}))]
    result = decide(USER_A, "s3:GetObject", OBJECT, A, {"aws:PrincipalTag/team": value}, identity=identity)
    assert result.decision == expected


def test_stringnotlike_is_case_sensitive_too() -> None:
    identity = [policy("p", allow(Condition={"StringNotLike": {"aws:PrincipalTag/team": "Team-*"}}))]
    assert decide(
        USER_A, "s3:GetObject", OBJECT, A, {"aws:PrincipalTag/team": "team-a"}, identity=identity
    ).allowed


# ----- aws:PrincipalArn of a role session is the role's ARN, not the session's -----


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (f"arn:aws:iam::{B}:role/reader", "Allow"),
        (SESSION_B, "ImplicitDeny"),
        (f"arn:aws:sts::{B}:assumed-role/reader/*", "ImplicitDeny"),
    ],
)
def test_principal_arn_of_a_session(pattern: str, expected: str) -> None:
    identity = [policy("p", allow(Condition={"ArnLike": {"aws:PrincipalArn": pattern}}))]
    assert decide(SESSION_B, "s3:GetObject", OBJECT, B, identity=identity).decision == expected


# ----- ArnLike / ArnEquals on ARNs whose resource part has colons (CloudWatch Logs) -----

LOG_GROUP = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/app"
LOG_STREAM = f"{LOG_GROUP}:log-stream:2026/01/01/abc"


@pytest.mark.parametrize(
    ("operator", "pattern", "value", "expected"),
    [
        ("ArnLike", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/*", LOG_STREAM, True),
        ("ArnLike", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/app:*", LOG_STREAM, True),
        ("ArnLike", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/ecs/*", LOG_STREAM, False),
        ("ArnLike", "arn:aws:logs:*:*:log-group:/aws/lambda/app:log-stream:*", LOG_STREAM, True),
        # the account field is compared on its own: a wildcard resource part cannot reach into it
        ("ArnLike", "arn:aws:logs:us-east-1:222222222222:log-group:*", LOG_STREAM, False),
        ("ArnEquals", LOG_STREAM, LOG_STREAM, True),
        ("ArnEquals", LOG_GROUP, LOG_STREAM, False),
        ("ArnNotLike", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/*", LOG_STREAM, False),
    ],
)
def test_arn_operators_on_resource_parts_with_colons(
    operator: str, pattern: str, value: str, expected: bool
) -> None:
    identity = [policy("p", allow(Condition={operator: {"aws:SourceArn": pattern}}))]
    result = decide(USER_A, "s3:GetObject", OBJECT, A, {"aws:SourceArn": value}, identity=identity)
    assert result.allowed is expected


def test_resource_with_colons_matches_its_statement() -> None:
    identity = [
        policy("p", allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/*"))
    ]
    assert decide(USER_A, "logs:PutLogEvents", LOG_STREAM, A, identity=identity).allowed
    other = [
        policy("p", allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/ecs/*"))
    ]
    assert not decide(USER_A, "logs:PutLogEvents", LOG_STREAM, A, identity=other).allowed


# ----- the full KMS cross-account operation list -----
# KMS Developer Guide, "Allowing users in other accounts to use a KMS key": cross-account
# permissions are effective only for the cryptographic operations and CreateGrant, DescribeKey,
# GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant, RevokeGrant (each operation's
# "Cross-account use: Yes" in the KMS API Reference).

CROSS_ACCOUNT = [
    "Decrypt",
    "DeriveSharedSecret",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "VerifyMac",
    "CreateGrant",
    "DescribeKey",
    "GetKeyRotationStatus",
    "GetPublicKey",
    "ListGrants",
    "RetireGrant",
    "RevokeGrant",
]
NOT_CROSS_ACCOUNT = [
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "DisableKey",
    "EnableKey",
    "PutKeyPolicy",
    "GetKeyPolicy",
    "EnableKeyRotation",
    "DisableKeyRotation",
    "TagResource",
    "UntagResource",
    "UpdateKeyDescription",
    "ListResourceTags",
    "ListKeyPolicies",
    "RotateKeyOnDemand",
]
KEY_POLICY_FOR_B = policy(
    "key.json",
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "kms:*", "Resource": "*"},
)


@pytest.mark.parametrize("operation", CROSS_ACCOUNT)
def test_every_cross_account_kms_operation_works_from_another_account(operation: str) -> None:
    identity = [policy("id", allow("kms:*", KEY_A))]
    result = decide(USER_B, f"kms:{operation}", KEY_A, A, resource=KEY_POLICY_FOR_B, identity=identity)
    assert result.decision == "Allow", result.explain()


@pytest.mark.parametrize("operation", NOT_CROSS_ACCOUNT)
def test_other_kms_operations_never_work_from_another_account(operation: str) -> None:
    identity = [policy("id", allow("kms:*", KEY_A))]
    result = decide(USER_B, f"kms:{operation}", KEY_A, A, resource=KEY_POLICY_FOR_B, identity=identity)
    assert result.decision == "ImplicitDeny"
    assert result.trace.rule.code == "kms-not-cross-account"
    # ... while the same operation works for the key's own account.
    same = decide(USER_A, f"kms:{operation}", KEY_A, A, resource=KEY_POLICY_FOR_B, identity=identity)
    assert same.decision == "Allow"
