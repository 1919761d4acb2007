"""Wildcards in actions and resources, request patterns, and bad input to the engine."""

from __future__ import annotations

import pytest
from engine_helpers import OBJECT, USER_A, A, allow, decide, deny, policy

from policyproof.check.findings import InputError
from policyproof.engine import EngineInputError, NamedPolicy, PolicySet, Request, evaluate
from policyproof.engine.patterns import glob_covers, globs_intersect


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:getobject", True),  # action names are case-insensitive
        ("S3:Get*", "s3:GetObjectAcl", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", False),  # literal means exact
        ("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", True),
        ("*", "ec2:RunInstances", True),
        ("s3:GetObject,PutObject", "s3:GetObject", False),
        ("s3:GetObject ", "s3:GetObject", False),
    ],
)
def test_action_wildcards(pattern: str, action: str, expected: bool) -> None:
    result = decide(USER_A, action, OBJECT, A, identity=[policy("id", allow(pattern))])
    assert (result.decision == "Allow") is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-a/deep/path/file", True),  # * crosses "/"
        ("arn:aws:s3:::bucket-?/x", "arn:aws:s3:::bucket-a/x", True),
        ("arn:aws:s3:::Bucket-a/x", "arn:aws:s3:::bucket-a/x", False),  # resources are case-sensitive
        ("arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-a/x", False),
        ("arn:aws:s3:::*", "arn:aws:s3:::bucket-a/x", True),
    ],
)
def test_resource_wildcards(pattern: str, resource: str, expected: bool) -> None:
    result = decide(
        USER_A, "s3:GetObject", resource, A, identity=[policy("id", allow("s3:GetObject", pattern))]
    )
    assert (result.decision == "Allow") is expected


def test_not_action_and_not_resource() -> None:
    everything_but_delete = policy("id", {"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": "*"})
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=[everything_but_delete]).decision == "Allow"
    assert (
        decide(USER_A, "s3:DeleteObject", OBJECT, A, identity=[everything_but_delete]).decision
        == "ImplicitDeny"
    )
    not_secret = policy(
        "id", {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::bucket-a/secret/*"}
    )
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=[not_secret]).decision == "Allow"
    assert (
        decide(USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/secret/k", A, identity=[not_secret]).decision
        == "ImplicitDeny"
    )


def test_wildcard_only_actions_take_star_literally() -> None:
    """s3:ListAllMyBuckets takes only Resource "*": a statement naming a bucket does not grant it."""
    specific = [policy("id", allow("s3:ListAllMyBuckets", "arn:aws:s3:::bucket-a"))]
    star = [policy("id", allow("s3:ListAllMyBuckets", "*"))]
    assert decide(USER_A, "s3:ListAllMyBuckets", "*", A, identity=specific).decision == "ImplicitDeny"
    assert decide(USER_A, "s3:ListAllMyBuckets", "*", A, identity=star).decision == "Allow"


def test_request_patterns_overlap_for_allow_and_cover_for_deny() -> None:
    identity = [
        policy(
            "id",
            allow("s3:GetObject", "arn:aws:s3:::bucket-a/*"),
            deny("s3:GetObject", "arn:aws:s3:::bucket-a/private/*"),
        )
    ]
    assert decide(USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/*", A, identity=identity).decision == "Allow"
    assert (
        decide(USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/private/*", A, identity=identity).decision
        == "ExplicitDeny"
    )


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("arn:aws:s3:::*/AWSLogs/*", "arn:aws:s3:::example/*", True),
        ("arn:aws:s3:::a/*", "arn:aws:s3:::b/*", False),
        ("a?c", "a*", True),
        ("*x", "*y", False),
        ("ab*", "*cd", True),
    ],
)
def test_globs_intersect(left: str, right: str, expected: bool) -> None:
    assert globs_intersect(left, right) is expected
    assert globs_intersect(right, left) is expected


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("arn:aws:s3:::a/*", "arn:aws:s3:::a/private/*", True),
        ("arn:aws:s3:::a/private/*", "arn:aws:s3:::a/*", False),
        ("*", "anything*", True),
        ("a?", "a*", False),
        ("a*", "a?", True),
    ],
)
def test_glob_covers(outer: str, inner: str, expected: bool) -> None:
    assert glob_covers(outer, inner) is expected


# ----- bad input: one clear message, never a traceback -----


@pytest.mark.parametrize(
    ("request_", "fragment"),
    [
        (Request(USER_A, "GetObject", OBJECT, A), "service:Action"),
        (Request(USER_A, "s3:Get*", OBJECT, A), "service:Action"),
        (Request(USER_A, "s3:GetObject", "bucket-a/x", A), "not an ARN"),
        (Request(USER_A, "s3:GetObject", "arn:aws:s3", A), "not an ARN"),
        (Request("alice", "s3:GetObject", OBJECT, A), "principal 'alice'"),
        (Request("arn:aws:iam::12345:user/x", "s3:GetObject", OBJECT, A), "12-digit"),
        (Request("arn:aws:s3:::bucket", "s3:GetObject", OBJECT, A), "not a principal"),
        (Request(USER_A, "s3:GetObject", OBJECT, None), "resource_account"),
        (Request(USER_A, "s3:GetObject", OBJECT, "1234"), "12-digit"),
        (Request(USER_A, "s3:GetObject", OBJECT, A, {"aws:SecureTransport": True}), "type bool"),
        (Request(USER_A, "s3:GetObject", OBJECT, A, {"aws:TagKeys": ["a", 1]}), "list of strings"),
        (Request(USER_A, "s3:GetObject", OBJECT, A, principal_account="999999999999"), "does not match"),
    ],
)
def test_bad_request(request_: Request, fragment: str) -> None:
    with pytest.raises(EngineInputError) as raised:
        evaluate(request_, PolicySet())
    assert isinstance(raised.value, InputError)
    assert fragment in raised.value.message, raised.value.message


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([], "not a policy document"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": "Allow everything"}, "Statement must be"),
        ({"Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}, "Effect must be"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Action or NotAction"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}]},
            "Action or NotAction",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": 42, "Resource": "*"}]}, "Action must be"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": {"User": "x"}}]},
            "unknown",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": 3}]}, "Sid"),
    ],
)
def test_bad_policy(document: object, fragment: str) -> None:
    with pytest.raises(EngineInputError) as raised:
        evaluate(
            Request(USER_A, "s3:GetObject", OBJECT, A), PolicySet(identity=[NamedPolicy("mine", document)])
        )
    assert fragment in raised.value.message, raised.value.message
    assert "'mine'" in raised.value.message


def test_request_fields_of_the_wrong_type() -> None:
    with pytest.raises(EngineInputError, match="principal is dict"):
        evaluate(Request({"type": "Anonymous"}, "s3:GetObject", OBJECT, A), PolicySet())  # type: ignore[arg-type]
    with pytest.raises(EngineInputError, match="service:Action"):
        evaluate(Request(USER_A, 42, OBJECT, A), PolicySet())  # type: ignore[arg-type]
    with pytest.raises(EngineInputError, match="context must be an object"):
        evaluate(Request(USER_A, "s3:GetObject", OBJECT, A, ["k"]), PolicySet())  # type: ignore[arg-type]


def test_policy_set_fields_must_have_the_right_shape() -> None:
    with pytest.raises(EngineInputError, match="list of levels"):
        evaluate(Request(USER_A, "s3:GetObject", OBJECT, A), PolicySet(scps=[NamedPolicy("x", {})]))  # type: ignore[list-item]
    with pytest.raises(EngineInputError, match="NamedPolicy"):
        evaluate(Request(USER_A, "s3:GetObject", OBJECT, A), PolicySet(identity=[{"Statement": []}]))  # type: ignore[list-item]
