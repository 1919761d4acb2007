"""Fail closed (issue 12): a policy the engine cannot read is an input error, never a silent
non-match, so no malformed Deny can turn into an Allow.

IAM User Guide, "Condition operators": Bool takes true/false, Numeric* numbers, Date* ISO 8601
dates or epoch seconds, IpAddress addresses or CIDR ranges, Null true/false; "IAM JSON policy
elements: Version": only "2012-10-17" and "2008-10-17".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_helpers import OBJECT, USER_A, A, allow, decide, deny, doc, policy
from hypothesis import given, settings
from hypothesis import strategies as st

from policyproof.cli import main
from policyproof.engine import EngineInputError, NamedPolicy

MALFORMED = [
    ("Bool", "aws:SecureTransport", "yes"),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "no"),
    ("DateLessThan", "aws:CurrentTime", "yesterday"),
    ("DateGreaterThan", "aws:TokenIssueTime", "2026-13-45"),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "ten"),
    ("NumericGreaterThanEquals", "s3:max-keys", "1e"),
    ("Null", "aws:SourceVpce", "maybe"),
    ("IpAddress", "aws:SourceIp", "10.0.0.300/8"),
    ("NotIpAddress", "aws:SourceIp", "example.com"),
]


def _deny_unless(operator: str, key: str, value: object) -> list[NamedPolicy]:
    """Allow everything, but deny s3:GetObject under a condition with ``value``."""
    return [policy("p", allow(), deny("s3:GetObject", Condition={operator: {key: value}}))]


@pytest.mark.parametrize(("operator", "key", "value"), MALFORMED)
def test_malformed_condition_value_is_an_input_error(operator: str, key: str, value: str) -> None:
    with pytest.raises(EngineInputError) as caught:
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=_deny_unless(operator, key, value))
    error = caught.value
    assert f"not {value!r}" in error.message
    assert error.policy == "p"
    assert error.path == ("Statement", 1, "Condition", operator, key)


def test_the_bad_value_in_a_list_is_pointed_at() -> None:
    with pytest.raises(EngineInputError) as caught:
        decide(
            USER_A,
            "s3:GetObject",
            OBJECT,
            A,
            identity=_deny_unless("Bool", "aws:SecureTransport", ["false", "nope"]),
        )
    assert caught.value.path == ("Statement", 1, "Condition", "Bool", "aws:SecureTransport", 1)


@pytest.mark.parametrize("value", ["false", False, "FALSE", "${aws:PrincipalTag/x}"])
def test_well_formed_values_still_work(value: object) -> None:
    result = decide(
        USER_A,
        "s3:GetObject",
        OBJECT,
        A,
        {"aws:SecureTransport": "false"},
        identity=_deny_unless("Bool", "aws:SecureTransport", value),
    )
    assert result.decision in ("ExplicitDeny", "Allow")


@pytest.mark.parametrize("version", [2012, "2012-10-18", None, ["2012-10-17"]])
def test_unknown_version_is_an_input_error(version: object) -> None:
    bad = NamedPolicy("p", {"Version": version, "Statement": [allow()]})
    with pytest.raises(EngineInputError, match="Version must be the string") as caught:
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=[bad])
    assert caught.value.path == ("Version",)


# ----- property: whatever the malformation, never Allow -----

_FAMILIES = {
    "Bool": "aws:SecureTransport",
    "Null": "aws:SourceVpce",
    "NumericLessThan": "aws:MultiFactorAuthAge",
    "DateGreaterThan": "aws:CurrentTime",
    "IpAddress": "aws:SourceIp",
}
_garbage = st.text(min_size=1, max_size=12).filter(
    lambda s: "${" not in s and s.strip().lower() not in ("true", "false")
)


@settings(max_examples=200, deadline=None)
@given(
    operator=st.sampled_from(sorted(_FAMILIES)),
    prefix=st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]),
    suffix=st.sampled_from(["", "IfExists"]),
    value=_garbage,
    extra=st.lists(st.sampled_from(["true", "1", "2026-01-01T00:00:00Z", "10.0.0.0/8"]), max_size=2),
    effect=st.sampled_from(["Deny", "Allow"]),
)
def test_a_malformed_policy_never_allows(
    operator: str, prefix: str, suffix: str, value: str, extra: list[str], effect: str
) -> None:
    from decimal import Decimal, InvalidOperation

    from policyproof.engine.conditions import _date

    full = f"{prefix}{operator}{suffix}" if operator != "Null" else "Null"
    values = [*extra, value]
    statement = {
        "Effect": effect,
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {full: {_FAMILIES[operator]: values}},
    }
    document = doc(allow("s3:ListBucket"), statement) if effect == "Deny" else doc(statement)
    if effect == "Deny":
        document["Statement"].insert(0, allow())
    try:
        result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=[NamedPolicy("p", document)])
    except EngineInputError:
        return
    # Not refused: then the value must in fact be readable for its operator.
    if operator in ("Bool", "Null"):
        pytest.fail(f"{value!r} accepted as a {operator} value")
    if operator == "NumericLessThan":
        try:
            Decimal(value.strip())
        except InvalidOperation:
            pytest.fail(f"{value!r} accepted as a number")
    if operator == "DateGreaterThan":
        assert _date(value) is not None
    assert result.decision is not None


@settings(max_examples=100, deadline=None)
@given(version=st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=12), st.booleans()))
def test_a_policy_with_a_bad_version_never_allows(version: object) -> None:
    if version in ("2012-10-17", "2008-10-17"):
        return
    document = {"Version": version, "Statement": [allow()]}
    with pytest.raises(EngineInputError):
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=[NamedPolicy("p", document)])


# ----- the command line: exit 2, file:line:column -----


def _case(tmp_path: Path, identity: list[dict]) -> Path:
    case = {
        "name": "malformed deny",
        "request": {
            "principal": USER_A,
            "action": "s3:GetObject",
            "resource": {"resource": OBJECT, "accountId": A},
        },
        "identityPolicies": identity,
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, indent=2), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("operator", "key", "value"), MALFORMED[:7])
def test_cli_refuses_a_malformed_value_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], operator: str, key: str, value: str
) -> None:
    path = _case(tmp_path, [doc(allow(), deny("s3:GetObject", Condition={operator: {key: value}}))])
    code = main(["evaluate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err and "Traceback" not in err
    line = _line_of(path, f'"{key}": "{value}"')
    assert err.startswith(f"policyproof evaluate: {path}:{line}:"), err
    assert "identityPolicies[0]" in err


def test_cli_refuses_a_numeric_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _case(tmp_path, [{"Version": 2012, "Statement": [allow()]}])
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    line = _line_of(path, '"Version": 2012')
    assert f"{path}:{line}:" in err and "Version" in err


def test_cli_refuses_non_utf8_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"policyproof evaluate: {path}:1:1: not UTF-8 text (bad byte at offset 13): "
        "save the case file as UTF-8 JSON"
    )


def test_cli_warns_about_a_misspelled_action(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = {
        "request": {
            "principal": USER_A,
            "action": "kms:Decrpyt",
            "resource": {"resource": "*", "accountId": A},
        },
        "identityPolicies": [doc(allow("kms:Decrypt"))],
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Decision: ImplicitDeny" in out
    assert "kms:Decrpyt is not an action of any AWS service" in out and "did you mean kms:Decrypt?" in out


def test_a_deny_on_a_resource_that_is_no_arn_is_refused() -> None:
    bad = [policy("p", allow(), deny("s3:GetObject", "bucket-a/report.csv"))]
    with pytest.raises(EngineInputError, match="is not an ARN") as caught:
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=bad)
    assert caught.value.path == ("Statement", 1, "Resource")
    # In an Allow it only grants nothing, and wildcard ARNs stay fine in a Deny.
    assert not decide(
        USER_A, "s3:GetObject", OBJECT, A, identity=[policy("p", allow("*", "bucket-a/x"))]
    ).allowed
    wildcard = [policy("p", allow(), deny("s3:GetObject", "arn:aws:s3:*"))]
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=wildcard).decision == "ExplicitDeny"


# Every way a Deny statement can be malformed that the engine knows of: the request it denies must
# never come out allowed (an input error, or still a deny).
_MALFORMATIONS = {
    "effect lower case": lambda s: {**s, "Effect": "deny"},
    "effect missing": lambda s: {k: v for k, v in s.items() if k != "Effect"},
    "action a number": lambda s: {**s, "Action": 3},
    "action empty list": lambda s: {**s, "Action": []},
    "both Action and NotAction": lambda s: {**s, "NotAction": "s3:PutObject"},
    "resource not an ARN": lambda s: {**s, "Resource": "bucket-a/*"},
    "resource a dict": lambda s: {**s, "Resource": {"arn": OBJECT}},
    "unknown operator": lambda s: {**s, "Condition": {"StringEqualz": {"aws:SourceIp": "x"}}},
    "operator prefix": lambda s: {**s, "Condition": {"ForSomeValues:StringLike": {"aws:TagKeys": "x"}}},
    "condition a list": lambda s: {**s, "Condition": [{"Bool": {"aws:SecureTransport": "false"}}]},
    "condition value an object": lambda s: {**s, "Condition": {"StringEquals": {"aws:SourceIp": {"a": 1}}}},
    "bool yes": lambda s: {**s, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}},
    "date yesterday": lambda s: {**s, "Condition": {"DateLessThan": {"aws:CurrentTime": "yesterday"}}},
    "numeric ten": lambda s: {**s, "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "ten"}}},
    "null maybe": lambda s: {**s, "Condition": {"Null": {"aws:SourceVpce": "maybe"}}},
    "ip not an ip": lambda s: {**s, "Condition": {"IpAddress": {"aws:SourceIp": "intranet"}}},
    "statement a string": lambda s: "Deny everything",
}


@settings(max_examples=120, deadline=None)
@given(
    malformation=st.sampled_from(sorted(_MALFORMATIONS)),
    version=st.sampled_from(["2012-10-17", "2008-10-17", None, 2012]),
    where=st.sampled_from(["identity", "boundaries", "scps", "resource"]),
)
def test_a_malformed_deny_never_becomes_an_allow(malformation: str, version: object, where: str) -> None:
    deny_statement = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": OBJECT}
    if where == "resource":
        deny_statement["Principal"] = "*"
    broken = _MALFORMATIONS[malformation](deny_statement)
    document: dict = {"Statement": [broken]}
    if version is not None:
        document["Version"] = version
    allow_all = [policy("allow", allow())]
    policies: dict = {"identity": allow_all}
    if where == "identity":
        policies["identity"] = [*allow_all, NamedPolicy("broken", document)]
    elif where == "boundaries":
        document["Statement"].insert(0, allow())
        policies["boundaries"] = [NamedPolicy("broken", document)]
    elif where == "scps":
        document["Statement"].insert(0, allow())
        policies["scps"] = [[NamedPolicy("broken", document)]]
    else:
        policies["resource"] = NamedPolicy("broken", document)
    try:
        result = decide(USER_A, "s3:GetObject", OBJECT, A, **policies)
    except EngineInputError:
        return
    assert result.decision != "Allow", f"{malformation} ({where}, Version {version!r}) gave Allow"
