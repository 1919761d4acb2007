"""Condition operators, set operators, missing keys, IfExists and policy variables."""

from __future__ import annotations

import pytest
from engine_helpers import OBJECT, USER_A, A, allow, decide, policy

from policyproof.engine import EngineInputError


def allowed_with(condition: dict, context: dict, principal: str = USER_A, resource: str = OBJECT) -> bool:
    result = decide(
        principal,
        "s3:GetObject",
        resource,
        A,
        context,
        identity=[policy("id", allow("s3:GetObject", "*", Condition=condition))],
    )
    return result.decision == "Allow"


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        # String operators: values case-sensitive, keys case-insensitive
        ({"StringEquals": {"aws:PrincipalTag/team": "blue"}}, {"aws:principaltag/team": "blue"}, True),
        ({"StringEquals": {"aws:PrincipalTag/team": "blue"}}, {"aws:PrincipalTag/team": "Blue"}, False),
        (
            {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "blue"}},
            {"aws:PrincipalTag/team": "BLUE"},
            True,
        ),
        ({"StringNotEquals": {"aws:PrincipalTag/team": "red"}}, {"aws:PrincipalTag/team": "blue"}, True),
        (
            {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "BLUE"}},
            {"aws:PrincipalTag/team": "blue"},
            False,
        ),
        ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/alice/docs"}, True),
        ({"StringLike": {"s3:prefix": "home/?"}}, {"s3:prefix": "home/ab"}, False),
        ({"StringLike": {"s3:prefix": "home/??"}}, {"s3:prefix": "home/ab"}, True),
        ({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "home/x"}, True),
        ({"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}, False),  # no wildcards
        # several values for one key are ORed
        (
            {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
            {"aws:PrincipalTag/team": "blue"},
            True,
        ),
        # Numeric
        ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "100"}, True),
        ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "3600"}, False),
        (
            {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}},
            {"aws:MultiFactorAuthAge": "3600"},
            True,
        ),
        ({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.5"}, True),
        ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, False),
        ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, False),
        ({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, True),
        # Date: ISO 8601 and epoch seconds, compared as instants
        (
            {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-11-28T10:00:00Z"},
            True,
        ),
        (
            {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01"}},
            {"aws:CurrentTime": "2026-11-28T10:00:00Z"},
            False,
        ),
        ({"DateEquals": {"aws:EpochTime": "1767225600"}}, {"aws:EpochTime": "2026-01-01T00:00:00Z"}, True),
        (
            {"DateLessThanEquals": {"aws:CurrentTime": "2026-01-01T01:00:00+01:00"}},
            {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            True,
        ),
        (
            {"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-01-02T00:00:00Z"},
            True,
        ),
        (
            {"DateGreaterThanEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "yesterday"},
            False,
        ),
        # Bool compares case-insensitively, JSON booleans allowed in the policy
        ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "TRUE"}, True),
        ({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "false"}, False),
        # BinaryEquals compares the decoded bytes
        ({"BinaryEquals": {"aws:Tag/blob": "QmluYXJ5VmFsdWU="}}, {"aws:Tag/blob": "QmluYXJ5VmFsdWU="}, True),
        ({"BinaryEquals": {"aws:Tag/blob": "QmluYXJ5VmFsdWU="}}, {"aws:Tag/blob": "b3RoZXI="}, False),
        # IpAddress / NotIpAddress, IPv4 and IPv6
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.7"}, False),
        ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.5"}, True),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.7"}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "not-an-ip"}, False),
        # ARN operators compare field by field, with wildcards
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket-*"}},
            {"aws:SourceArn": "arn:aws:s3:::bucket-a"},
            True,
        ),
        (
            {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:111111111111:topic"}},
            {"aws:SourceArn": "arn:aws:sns:eu-west-1:111111111111:topic"},
            True,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}},
            {"aws:SourceArn": "arn:aws:sns:eu-west-1:111111111111:topic"},
            False,
        ),
        (
            {"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::other-*"}},
            {"aws:SourceArn": "arn:aws:s3:::bucket-a"},
            True,
        ),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, {"aws:SourceArn": "not an arn"}, False),
        # Keys in one block are ANDed
        (
            {"StringEquals": {"aws:PrincipalTag/team": "blue", "aws:PrincipalTag/env": "prod"}},
            {"aws:PrincipalTag/team": "blue", "aws:PrincipalTag/env": "dev"},
            False,
        ),
        (
            {"StringEquals": {"aws:PrincipalTag/team": "blue"}, "Bool": {"aws:SecureTransport": "true"}},
            {"aws:PrincipalTag/team": "blue", "aws:SecureTransport": "true"},
            True,
        ),
    ],
)
def test_operator(condition: dict, context: dict, expected: bool) -> None:
    assert allowed_with(condition, context) is expected, f"{condition} with context {context}"


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        # IAM User Guide, condition operators: a missing key fails positive operators, satisfies
        # negated ones, IfExists variants and ForAllValues; Null tests presence.
        ("StringEquals", False),
        ("StringLike", False),
        ("NumericLessThan", False),
        ("DateGreaterThan", False),
        ("Bool", False),
        ("IpAddress", False),
        ("ArnLike", False),
        ("StringNotEquals", True),
        ("StringNotLike", True),
        ("NotIpAddress", True),
        ("ArnNotEquals", True),
        ("StringEqualsIfExists", True),
        ("NumericLessThanIfExists", True),
        ("BoolIfExists", True),
        ("ForAllValues:StringEquals", True),
        ("ForAnyValue:StringEquals", False),
    ],
)
def test_missing_key(operator: str, expected: bool) -> None:
    value = (
        "arn:aws:s3:::x"
        if "Arn" in operator
        else "10.0.0.0/8"
        if "Ip" in operator
        else "true"
        if operator.startswith("Bool")
        else "1"
    )
    assert allowed_with({operator: {"aws:RequestTag/missing": value}}, {}) is expected


@pytest.mark.parametrize(
    ("null_value", "context", "expected"),
    [
        ("true", {}, True),
        ("true", {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}, False),
        ("false", {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}, True),
        (False, {}, False),
    ],
)
def test_null(null_value: object, context: dict, expected: bool) -> None:
    assert allowed_with({"Null": {"aws:TokenIssueTime": null_value}}, context) is expected


@pytest.mark.parametrize(
    ("operator", "tags", "expected"),
    [
        ("ForAllValues:StringEquals", ["team", "env"], True),
        ("ForAllValues:StringEquals", ["team", "owner"], False),
        ("ForAllValues:StringEquals", [], True),  # empty set: vacuously true
        ("ForAnyValue:StringEquals", ["owner", "env"], True),
        ("ForAnyValue:StringEquals", ["owner"], False),
        ("ForAnyValue:StringEquals", [], False),
        ("ForAllValues:StringLike", ["team-a", "team-b"], True),
        ("ForAnyValue:StringNotEquals", ["team", "owner"], True),  # owner is not in the list
        ("ForAllValues:StringNotEquals", ["owner", "cost"], True),
        ("ForAllValues:StringNotEquals", ["owner", "team"], False),
        ("StringEquals", ["owner", "team"], True),  # plain operator on a list: any value may match
        ("StringNotEquals", ["owner", "team"], False),  # a negated one: no value may match
    ],
)
def test_set_operators(operator: str, tags: list[str], expected: bool) -> None:
    values = ["team*"] if "Like" in operator else ["team", "env"]
    assert allowed_with({operator: {"aws:TagKeys": values}}, {"aws:TagKeys": tags}) is expected


def test_policy_variables_in_resource_and_condition() -> None:
    home = policy("home", allow("s3:GetObject", "arn:aws:s3:::bucket-a/home/${aws:username}/*"))
    mine = decide(USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/home/alice/a.txt", A, identity=[home])
    theirs = decide(USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/home/bob/a.txt", A, identity=[home])
    assert mine.decision == "Allow", mine.explain()
    assert theirs.decision == "ImplicitDeny"
    tagged = policy(
        "tag",
        allow(
            "s3:GetObject",
            "*",
            Condition={"StringEquals": {"s3:ExistingObjectTag/owner": "${aws:PrincipalTag/team}"}},
        ),
    )
    context = {"aws:PrincipalTag/team": "blue", "s3:ExistingObjectTag/owner": "blue"}
    assert decide(USER_A, "s3:GetObject", OBJECT, A, context, identity=[tagged]).decision == "Allow"
    context["s3:ExistingObjectTag/owner"] = "red"
    assert decide(USER_A, "s3:GetObject", OBJECT, A, context, identity=[tagged]).decision == "ImplicitDeny"


def test_a_missing_variable_does_not_match_but_a_default_does() -> None:
    role = "arn:aws:sts::111111111111:assumed-role/app/s"  # roles have no aws:username
    home = policy("home", allow("s3:GetObject", "arn:aws:s3:::bucket-a/home/${aws:username}/*"))
    assert decide(role, "s3:GetObject", "arn:aws:s3:::bucket-a/home/app/x", A, identity=[home]).decision == (
        "ImplicitDeny"
    )
    shared = policy("shared", allow("s3:GetObject", "arn:aws:s3:::bucket-a/${aws:username, 'shared'}/*"))
    assert (
        decide(role, "s3:GetObject", "arn:aws:s3:::bucket-a/shared/x", A, identity=[shared]).decision
        == "Allow"
    )


def test_special_character_variables_match_literally() -> None:
    literal_star = policy("star", allow("s3:GetObject", "arn:aws:s3:::bucket-a/${*}/file"))
    assert decide(
        USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/*/file", A, identity=[literal_star]
    ).decision == ("Allow")
    assert decide(
        USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/x/file", A, identity=[literal_star]
    ).decision == ("ImplicitDeny")
    dollar = policy(
        "dollar", allow("s3:GetObject", "*", Condition={"StringEquals": {"s3:prefix": "a${$}b${?}"}})
    )
    assert (
        decide(USER_A, "s3:GetObject", OBJECT, A, {"s3:prefix": "a$b?"}, identity=[dollar]).decision
        == "Allow"
    )


def test_variables_need_version_2012_10_17() -> None:
    old = {
        "Version": "2008-10-17",
        "Statement": [allow("s3:GetObject", "arn:aws:s3:::bucket-a/${aws:username}")],
    }
    from policyproof.engine import NamedPolicy

    result = decide(
        USER_A, "s3:GetObject", "arn:aws:s3:::bucket-a/alice", A, identity=[NamedPolicy("old", old)]
    )
    assert result.decision == "ImplicitDeny", "2008-10-17 documents read ${...} literally"


def test_engine_fills_global_keys_it_can_derive() -> None:
    condition = {
        "StringEquals": {
            "aws:PrincipalAccount": A,
            "aws:ResourceAccount": A,
            "aws:username": "alice",
            "aws:PrincipalArn": USER_A,
        }
    }
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=[policy("id", allow(Condition=condition))])
    assert result.decision == "Allow", result.explain()
    assert set(result.trace.facts["contextFilledByEngine"]) >= {"aws:PrincipalAccount", "aws:username"}
    # a value the caller gives wins over the derived one
    given = decide(
        USER_A,
        "s3:GetObject",
        OBJECT,
        A,
        {"aws:username": "mallory"},
        identity=[policy("id", allow(Condition=condition))],
    )
    assert given.decision == "ImplicitDeny"


def test_condition_failure_is_traced() -> None:
    result = decide(
        USER_A,
        "s3:GetObject",
        OBJECT,
        A,
        {},
        identity=[
            policy(
                "id",
                allow("s3:GetObject", "*", Sid="Tls", Condition={"Bool": {"aws:SecureTransport": "true"}}),
            )
        ],
    )
    statement = result.trace.policies[0].statements[0]
    assert not statement.applies
    assert statement.mismatches[0].element == "Condition"
    assert statement.mismatches[0].reason == "condition-key-missing"
    assert "aws:SecureTransport" in result.explain("en")


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEqualz": {"k": "v"}},
        {"ForSomeValues:StringEquals": {"k": "v"}},
        {"ForAnyValue:Null": {"k": "true"}},
        {"StringEquals": "k=v"},
        {"StringEquals": {"k": {"nested": 1}}},
        ["StringEquals"],
    ],
)
def test_malformed_condition_is_an_input_error(condition: object) -> None:
    with pytest.raises(EngineInputError) as raised:
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=[policy("bad", allow(Condition=condition))])
    assert "bad" in str(raised.value)
