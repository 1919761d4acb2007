"""Conditions: operators exist, keys exist, operator fits the key's type, values fit the operator."""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass

from policyproof.check import catalog
from policyproof.check.rules.base import Context

_SET_PREFIXES = ("forallvalues:", "foranyvalue:")
#: operator family -> key types it compares without surprise
_FITS: dict[str, frozenset[str]] = {
    "String": frozenset({"String", "ArrayOfString", "ARN", "ArrayOfARN"}),
    "ARN": frozenset({"ARN", "ArrayOfARN", "String", "ArrayOfString"}),
    "Numeric": frozenset({"Numeric", "ArrayOfNumeric"}),
    "Date": frozenset({"Date", "ArrayOfDate"}),
    "Bool": frozenset({"Bool", "ArrayOfBool"}),
    "IPAddress": frozenset({"IPAddress", "ArrayOfIPAddress"}),
}
_OPERATOR_FOR_TYPE = {
    "IPAddress": "IpAddress / NotIpAddress",
    "Bool": "Bool",
    "Numeric": "NumericEquals, NumericLessThan, ...",
    "Date": "DateGreaterThan, DateLessThan, ...",
    "ARN": "ArnEquals / ArnLike",
    "String": "StringEquals / StringLike",
}
_EXACT_STRING_OPERATORS = frozenset(
    {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?\Z|\d+\Z")


@dataclass(frozen=True)
class Operator:
    text: str
    base: str  # canonical name, e.g. "StringLike"
    set_prefix: str | None  # "ForAllValues" / "ForAnyValue"
    if_exists: bool

    @property
    def family(self) -> str:
        return catalog.operators()[self.base]["family"]

    @property
    def takes_wildcards(self) -> bool:
        return bool(catalog.operators()[self.base].get("wildcards"))


def parse_operator(text: str) -> Operator | None:
    rest = text
    set_prefix = None
    for prefix in _SET_PREFIXES:
        if rest.lower().startswith(prefix):
            set_prefix = "ForAllValues" if prefix == "forallvalues:" else "ForAnyValue"
            rest = rest[len(prefix) :]
            break
    if_exists = rest.lower().endswith("ifexists")
    base = catalog.operator_canonical(rest[: -len("IfExists")] if if_exists else rest)
    if base is None:
        return None
    return Operator(text, base, set_prefix, if_exists)


def check(context: Context) -> None:
    for statement in context.statements():
        condition = statement.data.get("Condition")
        if not isinstance(condition, dict):
            continue
        base = statement.path + ("Condition",)
        for operator_text, block in condition.items():
            _check_block(context, base + (operator_text,), operator_text, block)


def _check_block(context: Context, path: tuple, operator_text: str, block: object) -> None:
    operator = parse_operator(operator_text)
    if operator is None:
        _unknown_operator(context, path, operator_text)
        return
    if operator.base == "Null" and operator.if_exists:
        context.report("null-with-ifexists", path, "NullIfExists is not an operator: write Null", at_key=True)
        return
    if not isinstance(block, dict):
        return
    for key, raw_values in block.items():
        key_path = path + (key,)
        values = raw_values if isinstance(raw_values, list) else [raw_values]
        key_type = _key_type(context, key_path, key)
        if key_type is not None:
            _check_types(context, key_path, operator, key, key_type, values)
        _check_values(context, key_path, operator, key, values, isinstance(raw_values, list))


def _unknown_operator(context: Context, path: tuple, text: str) -> None:
    names = list(catalog.operators())
    candidates = names + [name + "IfExists" for name in names if name != "Null"]
    close = difflib.get_close_matches(text.split(":")[-1], candidates, n=1, cutoff=0.7)
    hint = f': did you mean "{close[0]}"?' if close else ": see the list of condition operators"
    context.report(
        "unknown-condition-operator", path, f"{text!r} is not a condition operator{hint}", at_key=True
    )


def _key_type(context: Context, path: tuple, key: str) -> str | None:
    """The key's type, or ``None`` after reporting an unknown key (or for provider keys)."""
    key_type = catalog.condition_key_type(key)
    if key_type is not None:
        return key_type
    if catalog.is_provider_key(key):
        return None
    prefix = key.split(":", 1)[0]
    if prefix.lower() in catalog.RETIRED_SERVICES and not catalog.service_exists(prefix):
        return None  # keys of a retired service; its actions are reported as retired already
    if prefix.lower() == "aws":
        if catalog.global_key_is_templated(key):
            context.report(
                "missing-tag-key",
                path,
                f"{key!r} needs a tag key: write {key}/<tag-key>, e.g. {key}/project",
                at_key=True,
            )
            return None
        suggestion = catalog.suggest_global_key(key)
        hint = f': did you mean "{suggestion}"?' if suggestion else ": check the global condition keys list"
        context.report(
            "unknown-condition-key", path, f"{key!r} is not an AWS global condition key{hint}", at_key=True
        )
        return None
    if ":" not in key or not catalog.service_exists(prefix):
        context.report(
            "unknown-condition-key",
            path,
            f"{key!r} is not a condition key: keys are written prefix:Name, e.g. aws:SourceAccount or "
            "s3:prefix, with a real service prefix",
            at_key=True,
        )
        return None
    unlisted_in = catalog.unlisted_condition_key_source(key)
    if unlisted_in:
        context.report(
            "unlisted-condition-key",
            path,
            f"{key!r} is not in the AWS catalog of {prefix} condition keys, though AWS uses it (managed "
            f"policy {unlisted_in}): keep it only if you know the service sets it",
            at_key=True,
        )
        return None
    suggestion = catalog.suggest_service_key(key)
    hint = f': did you mean "{suggestion}"?' if suggestion else f": check the condition keys of {prefix}"
    context.report(
        "unknown-condition-key", path, f"{key!r} is not a condition key of {prefix}{hint}", at_key=True
    )
    return None


#: Key types whose own operators do not support policy variables (IAM User Guide, condition
#: operators: IP address, numeric and date operators, "Policy variables – Not supported",
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
#: to compare such a key with a variable, AWS's own examples use a string operator.
_NO_VARIABLE_TYPES = frozenset({"IPAddress", "Numeric", "Date"})


def _compared_with_variables(family: str, key_type: str, values: list) -> bool:
    return (
        family == "String"
        and key_type.removeprefix("ArrayOf") in _NO_VARIABLE_TYPES
        and bool(values)
        and all(isinstance(value, str) and "${" in value for value in values)
    )


def _check_types(
    context: Context, path: tuple, operator: Operator, key: str, key_type: str, values: list
) -> None:
    family = operator.family
    if (
        family in _FITS
        and key_type not in _FITS[family]
        and not (key.lower() == "aws:epochtime" and family == "Numeric")
        and not _compared_with_variables(family, key_type, values)
    ):
        scalar_type = key_type.removeprefix("ArrayOf")
        context.report(
            "operator-type-mismatch",
            path,
            f"{operator.base} compares {family.lower()} values but {key!r} is of type {key_type}: "
            f"use {_OPERATOR_FOR_TYPE.get(scalar_type, 'an operator of that type')}",
            at_key=True,
        )
    multivalued = key_type.startswith("ArrayOf")
    if operator.set_prefix == "ForAllValues" and not multivalued:
        context.report(
            "forallvalues-single-valued",
            path,
            f"{key!r} holds a single value, and ForAllValues is true when the key is absent: "
            f"use {operator.base}{'IfExists' if operator.if_exists else ''} without ForAllValues",
            at_key=True,
        )
    if multivalued and operator.set_prefix is None and operator.base != "Null":
        context.report(
            "multivalued-key-without-qualifier",
            path,
            f"{key!r} can hold several values: write ForAnyValue:{operator.base} (any value matches) or "
            f"ForAllValues:{operator.base} (every value matches)",
            at_key=True,
        )


def _check_values(
    context: Context, path: tuple, operator: Operator, key: str, values: list, is_list: bool
) -> None:
    for index, value in enumerate(values):
        value_path = path + (index,) if is_list else path
        text = (
            value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        )
        if "${" in text:
            continue  # a policy variable: its value is only known at request time
        family = operator.family
        if family in ("Bool", "Null"):
            if text.lower() not in ("true", "false"):
                context.report(
                    "invalid-bool-value",
                    value_path,
                    f'{operator.base} takes "true" or "false", not {value!r}: write one of them',
                )
            elif (
                family == "Bool"
                and not operator.if_exists
                and key.lower() == "aws:multifactorauthpresent"
                and text.lower() == "false"
            ):
                context.report(
                    "mfa-bool-false",
                    value_path,
                    "aws:MultiFactorAuthPresent is absent, not false, for long-term access keys, so this "
                    "never "
                    'matches them: use BoolIfExists with "false" (or Null with "true")',
                )
        elif family == "IPAddress" and not _is_ip(text):
            context.report(
                "invalid-condition-value",
                value_path,
                f'{value!r} is not an IP address or CIDR range: write e.g. "203.0.113.0/24"',
            )
        elif family == "Numeric" and not _is_number(text):
            context.report(
                "invalid-condition-value", value_path, f'{value!r} is not a number: write e.g. "3600"'
            )
        elif family == "Date" and not _DATE.match(text):
            context.report(
                "invalid-condition-value",
                value_path,
                f'{value!r} is not a date: write ISO 8601 such as "2026-01-31T00:00:00Z" or epoch seconds',
            )
        elif operator.base in _EXACT_STRING_OPERATORS and ("*" in text or "?" in text):
            like = operator.base.replace("Equals", "Like").replace("IgnoreCase", "")
            context.report(
                "wildcard-without-like",
                value_path,
                f"{operator.base} compares exactly, so '*' and '?' in {value!r} are literal characters: "
                f"use {like} to match a pattern",
            )


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
