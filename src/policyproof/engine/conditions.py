"""Condition operators, exactly as the IAM User Guide describes them.

A ``Condition`` block is ``{operator: {key: value-or-values}}``. Operators and keys are ANDed; the
values listed for one key are ORed. Each operator may carry the ``IfExists`` suffix (a missing
key then matches) and the ``ForAnyValue:`` / ``ForAllValues:`` set prefixes for multi-valued keys.

Missing keys (IAM User Guide, "Condition operators"): positive operators do not match, negated
ones (``StringNotEquals``, ``NotIpAddress``, ``ArnNotLike`` ...) do; ``ForAllValues`` matches,
``ForAnyValue`` does not; ``...IfExists`` matches; ``Null`` tests presence.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from policyproof.engine.arns import parse_arn
from policyproof.engine.context import RequestContext
from policyproof.engine.errors import EngineInputError
from policyproof.engine.patterns import Lookup, expand_literal, matches_pattern, pattern_matchers
from policyproof.engine.result import Mismatch

# base operator (lower case) -> (canonical name, comparison family, negated)
_BASE_OPERATORS: dict[str, tuple[str, str, bool]] = {}


def _register(name: str, family: str, negated: bool = False) -> None:
    _BASE_OPERATORS[name.lower()] = (name, family, negated)


for _name, _family in (
    ("StringEquals", "string"),
    ("StringEqualsIgnoreCase", "string-ignore-case"),
    ("StringLike", "string-like"),
    ("NumericEquals", "numeric-eq"),
    ("NumericLessThan", "numeric-lt"),
    ("NumericLessThanEquals", "numeric-le"),
    ("NumericGreaterThan", "numeric-gt"),
    ("NumericGreaterThanEquals", "numeric-ge"),
    ("DateEquals", "date-eq"),
    ("DateLessThan", "date-lt"),
    ("DateLessThanEquals", "date-le"),
    ("DateGreaterThan", "date-gt"),
    ("DateGreaterThanEquals", "date-ge"),
    ("Bool", "bool"),
    ("BinaryEquals", "binary"),
    ("IpAddress", "ip"),
    ("ArnEquals", "arn"),
    ("ArnLike", "arn"),
):
    _register(_name, _family)
for _name, _family in (
    ("StringNotEquals", "string"),
    ("StringNotEqualsIgnoreCase", "string-ignore-case"),
    ("StringNotLike", "string-like"),
    ("NumericNotEquals", "numeric-eq"),
    ("DateNotEquals", "date-eq"),
    ("NotIpAddress", "ip"),
    ("ArnNotEquals", "arn"),
    ("ArnNotLike", "arn"),
):
    _register(_name, _family, negated=True)


@dataclass(frozen=True)
class Operator:
    name: str  # as written in the policy
    family: str
    negated: bool
    if_exists: bool
    set_operator: str | None  # "ForAnyValue" | "ForAllValues" | None


@lru_cache(maxsize=512)
def parse_operator(text: str) -> Operator:
    """Split ``ForAllValues:StringLikeIfExists`` into its parts; unknown operators are input errors
    (AWS refuses to save such a policy, so evaluating it would prove nothing)."""
    rest = text
    set_operator = None
    if ":" in rest:
        prefix, rest = rest.split(":", 1)
        if prefix.lower() == "foranyvalue":
            set_operator = "ForAnyValue"
        elif prefix.lower() == "forallvalues":
            set_operator = "ForAllValues"
        else:
            raise EngineInputError(
                f"condition operator {text!r} has unknown prefix {prefix!r}: "
                "use ForAnyValue: or ForAllValues:"
            )
    if rest.lower() == "null":
        if set_operator:
            raise EngineInputError(
                f"condition operator {text!r}: Null takes no ForAnyValue/ForAllValues prefix"
            )
        return Operator(text, "null", False, False, None)
    if_exists = rest.lower().endswith("ifexists")
    base = rest[: -len("IfExists")] if if_exists else rest
    known = _BASE_OPERATORS.get(base.lower())
    if known is None:
        raise EngineInputError(
            f"unknown condition operator {text!r}: expected a String*, Numeric*, Date*, Bool, BinaryEquals, "
            "IpAddress/NotIpAddress, Arn* or Null operator, optionally with IfExists"
        )
    _, family, negated = known
    return Operator(text, family, negated, if_exists, set_operator)


def _policy_values(operator: str, key: str, raw: object) -> tuple[str, ...]:
    """Policy values as strings. JSON booleans and numbers are allowed (``"Bool": {"k": true}``)."""
    items = raw if isinstance(raw, list) else [raw]
    values = []
    for item in items:
        if isinstance(item, bool):
            values.append("true" if item else "false")
        elif isinstance(item, int | float | str):
            values.append(str(item))
        else:
            raise EngineInputError(
                f"condition {operator} on {key!r}: value {item!r} must be a string, number or boolean"
            )
    return tuple(values)


# ----- single comparisons: does one request value match one policy value? -----


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None


@lru_cache(maxsize=2048)
def _date(text: str) -> datetime | None:
    """ISO 8601 (date or date-time, ``Z`` or offset) or epoch seconds, as AWS accepts both."""
    text = text.strip()
    number = _number(text)
    if number is not None:
        try:
            return datetime.fromtimestamp(float(number), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ip_in(value: str, network: str) -> bool:
    try:
        address = ipaddress.ip_address(value.strip())
        net = ipaddress.ip_network(network.strip(), strict=False)
    except ValueError:
        return False
    return address.version == net.version and address in net


def _binary_equal(value: str, policy: str) -> bool:
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(policy, validate=True)
    except (binascii.Error, ValueError):
        return value == policy


def _split_arn_pattern(text: str) -> list[str]:
    """Split an ARN pattern on the colons that are not inside ``${...}`` (``${aws:username}``
    holds a colon of its own)."""
    parts, depth, current = [], 0, []
    for index, char in enumerate(text):
        if char == "$" and text.startswith("${", index):
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        if char == ":" and not depth and len(parts) < 5:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _arn_like(value: str, policy: str, lookup: Lookup | None) -> bool:
    """ArnEquals/ArnLike: the six ARN fields are compared one by one, each with wildcards, so a
    ``*`` in the region field cannot swallow the account field. (AWS documents ArnEquals and
    ArnLike as behaving the same way.)"""
    request_arn = parse_arn(value)
    if request_arn is None:
        return False
    if policy == "*":
        return True
    parts = _split_arn_pattern(policy)
    if len(parts) != 6:
        # The whole ARN comes from a variable such as ${aws:PrincipalArn}: substitute, then split.
        expanded = expand_literal(policy, lookup) or []
        return any(parse_arn(text) is not None and text == value for text in expanded)
    if parts[0] != "arn":
        return False
    fields = (
        request_arn.partition,
        request_arn.service,
        request_arn.region,
        request_arn.account,
        request_arn.resource,
    )
    return all(
        matches_pattern(pattern, field, lookup) for pattern, field in zip(parts[1:], fields, strict=True)
    )


def _compare_numbers(family: str) -> Callable[[Decimal, Decimal], bool]:
    return {
        "eq": lambda a, b: a == b,
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
    }[family.rsplit("-", 1)[1]]


def _single_match(family: str, value: str, policy: str, lookup: Lookup | None) -> bool:
    if family == "string":
        expanded = expand_literal(policy, lookup)
        return expanded is not None and value in expanded
    if family == "string-ignore-case":
        expanded = expand_literal(policy, lookup)
        return expanded is not None and value.casefold() in {e.casefold() for e in expanded}
    if family == "string-like":
        matchers = pattern_matchers(policy, lookup)
        return matchers is not None and any(m.fullmatch(value) for m in matchers)
    if family.startswith("numeric"):
        left, right = _number(value), _number(policy)
        return left is not None and right is not None and _compare_numbers(family)(left, right)
    if family.startswith("date"):
        left, right = _date(value), _date(policy)
        return left is not None and right is not None and _compare_numbers(family)(left, right)
    if family == "bool":
        return value.strip().lower() == policy.strip().lower()
    if family == "binary":
        return _binary_equal(value, policy)
    if family == "ip":
        return _ip_in(value, policy)
    if family == "arn":
        return _arn_like(value, policy, lookup)
    raise AssertionError(family)  # pragma: no cover - parse_operator guards the families


# ----- one operator on one key -----


def evaluate_key(
    operator: Operator,
    key: str,
    policy_values: tuple[str, ...],
    context: RequestContext,
    lookup: Lookup | None,
) -> bool:
    """Does the condition ``operator: {key: policy_values}`` hold for this request?"""
    request_values = context.get(key)
    if operator.family == "null":
        missing = not request_values
        return any((policy.lower() == "true") == missing for policy in policy_values)
    if not request_values:
        if operator.if_exists:
            return True
        if operator.set_operator == "ForAllValues":
            return True  # vacuously true: every one of zero values matches
        if operator.set_operator == "ForAnyValue":
            return False
        return operator.negated

    def value_ok(value: str) -> bool:
        hit = any(_single_match(operator.family, value, policy, lookup) for policy in policy_values)
        return not hit if operator.negated else hit

    if operator.set_operator == "ForAllValues":
        return all(value_ok(v) for v in request_values)
    if operator.set_operator == "ForAnyValue":
        return any(value_ok(v) for v in request_values)
    # Plain operator on a multi-valued key: a positive operator needs one value to match, a
    # negated one needs every value to stay clear of the policy values.
    if operator.negated:
        return all(value_ok(v) for v in request_values)
    return any(value_ok(v) for v in request_values)


def check_condition_block(block: dict, context: RequestContext, lookup: Lookup | None) -> list[Mismatch]:
    """Every (operator, key) pair of the block that does not hold, as trace entries."""
    failures: list[Mismatch] = []
    for operator_text, keys in block.items():
        operator = parse_operator(operator_text)
        for key, raw in keys.items():
            policy_values = _policy_values(operator_text, key, raw)
            if not evaluate_key(operator, key, policy_values, context, lookup):
                request_values = context.get(key)
                failures.append(
                    Mismatch(
                        "Condition",
                        "condition-key-missing" if not request_values else "condition-not-met",
                        {
                            "operator": operator_text,
                            "key": key,
                            "policyValues": list(policy_values),
                            "requestValues": list(request_values) if request_values else None,
                        },
                    )
                )
    return failures


def _value_problem(family: str, value: str) -> str | None:
    """Why ``value`` cannot be a value of an operator of ``family`` (None when it can).

    Fail closed: a value AWS cannot read (IAM refuses to save such a policy) would otherwise make
    the condition silently false, so a Deny guarded by it would never apply. The same values the
    checker refuses (rules invalid-bool-value and invalid-condition-value).
    """
    if "${" in value:
        return None  # a policy variable: known only at request time
    if family in ("bool", "null"):
        if value.strip().lower() not in ("true", "false"):
            return 'takes "true" or "false"'
    elif family.startswith("numeric"):
        if _number(value) is None:
            return 'takes a number, e.g. "3600"'
    elif family.startswith("date"):
        if _date(value) is None:
            return 'takes a date: ISO 8601 such as "2026-01-31T00:00:00Z", or epoch seconds'
    elif family == "ip":
        try:
            ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            return 'takes an IP address or CIDR range, e.g. "203.0.113.0/24"'
    return None


def validate_condition_block(block: object, where: str) -> None:
    """Shape and value check, so that bad policies fail with a message (and the JSON path of the
    bad value, relative to the statement) rather than silently not matching."""
    if not isinstance(block, dict):
        raise EngineInputError(
            f"{where}: Condition must be an object of operator -> {{key: values}}", path=("Condition",)
        )
    for operator_text, keys in block.items():
        path: tuple[str | int, ...] = ("Condition", operator_text)
        try:
            operator = parse_operator(operator_text)
            if not isinstance(keys, dict) or not keys:
                raise EngineInputError(
                    f"condition operator {operator_text!r} must map to an object of key -> value(s)"
                )
            for key, raw in keys.items():
                path = ("Condition", operator_text, key)
                values = _policy_values(operator_text, key, raw)
                for index, value in enumerate(values):
                    problem = _value_problem(operator.family, value)
                    if problem is not None:
                        if isinstance(raw, list):
                            path = ("Condition", operator_text, key, index)
                        raise EngineInputError(
                            f"condition {operator_text} on {key!r}: {problem}, not {value!r}; AWS refuses "
                            "this policy, so it cannot be evaluated (fix the value)"
                        )
        except EngineInputError as error:
            raise EngineInputError(f"{where}: {error.message}", path=path) from None
