"""Property tests: no crash on any JSON value, positions always valid, the schema fast path sound."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyproof.check.checker import check_text
from policyproof.check.document import Locator, load_json, parse_json
from policyproof.check.kinds import KINDS
from policyproof.check.schemas import _surely_valid, validator

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)

# Values shaped like policies, so that the rules (not only the schema) get exercised.
ELEMENT_NAMES = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "action",
]
strings = st.sampled_from(
    [
        "*",
        "s3:GetObject",
        "s3:Get*",
        "kms:*",
        "iam:PassRole",
        "sts:AssumeRole",
        "s3:GetObjekt",
        "nope",
        "arn:aws:s3:::b",
        "arn:aws:s3:::b/*",
        "arn:aws:kms:us-east-1:111122223333:key/k",
        "arn:aws:iam::1:root",
        "111122223333",
        "ec2.amazonaws.com",
        "Allow",
        "Deny",
        "aws:SourceIp",
        "203.0.113.0/24",
        "true",
        "${aws:username}",
    ]
) | st.text(max_size=10)
scalar = strings | st.booleans() | st.integers() | st.none()
element_value = st.one_of(
    scalar,
    st.lists(strings, max_size=3),
    st.dictionaries(
        st.sampled_from(["AWS", "Service", "Federated", "Aws"]),
        strings | st.lists(strings, max_size=2),
        max_size=2,
    ),
    st.dictionaries(
        st.sampled_from(["StringEquals", "Bool", "ForAllValues:StringLike", "IpAddress", "Nope"]),
        st.dictionaries(
            st.sampled_from(
                ["aws:SourceIp", "aws:TagKeys", "s3:prefix", "kms:CallerAccount", "aws:ResourceTag", "x:y"]
            ),
            scalar | st.lists(scalar, max_size=2),
            max_size=2,
        ),
        max_size=2,
    ),
)
statement = st.dictionaries(st.sampled_from(ELEMENT_NAMES), element_value, max_size=6)
policy_like = st.fixed_dictionaries(
    {"Statement": st.one_of(statement, st.lists(statement, max_size=3), scalar)},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020-01-01"]), "Id": scalar},
)


def _assert_positions_valid(text: str, findings: list) -> None:
    lines = text.split("\n")
    for finding in findings:
        assert 1 <= finding.line <= len(lines), finding
        assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1, finding


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values, kind=st.sampled_from(KINDS), indent=st.sampled_from([None, 2]))
def test_any_json_value_is_checked_without_crashing(value: object, kind: str, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    findings = check_text(text, file="p.json", kind=kind, owner_account="111122223333")
    _assert_positions_valid(text, findings)
    assert parse_json(text, "p.json").to_python() == json.loads(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=policy_like, kind=st.sampled_from(KINDS))
def test_policy_shaped_values_are_checked_without_crashing(value: dict, kind: str) -> None:
    text = json.dumps(value, indent=2)
    findings = check_text(
        text, file="p.json", kind=kind, attached_to="arn:aws:s3:::b", owner_account="111122223333"
    )
    _assert_positions_valid(text, findings)


@settings(max_examples=400, deadline=None)
@given(value=policy_like | json_values, kind=st.sampled_from(KINDS))
def test_schema_fast_path_never_accepts_what_the_schema_rejects(value: object, kind: str) -> None:
    if _surely_valid(value, kind):
        errors = [error.message for error in validator(kind).iter_errors(value)]
        assert not errors, f"fast path accepted a {kind} policy the schema rejects: {errors}"


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, prefix + (index,))
    return paths


@settings(max_examples=200, deadline=None)
@given(value=json_values | policy_like, indent=st.sampled_from([None, 1, 4]))
def test_lazy_locator_agrees_with_the_positional_parser(value: object, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    data, lazy = load_json(text, "p.json")
    exact = Locator(text, "p.json", parse_json(text, "p.json"))
    for path in _paths(data) + [("Statement", 99, "Nope"), ("nope",)]:
        assert lazy.value_position(path) == exact.value_position(path), path
        assert lazy.key_position(path) == exact.key_position(path), path
