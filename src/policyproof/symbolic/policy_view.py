"""The symbolic layer's own reading of a policy document: one record per statement, by element.

The concrete engine compiles statements into a private, speed-tuned form that may change at any
time; the translation to z3 needs the elements by name instead. So a document is first compiled by
the engine (the engine's validation decides what is readable: a policy it refuses is refused here
too, fail closed), then read here element by element from the same document.
"""

from __future__ import annotations

from dataclasses import dataclass

from policyproof.engine.model import NamedPolicy
from policyproof.engine.statements import VARIABLES_VERSION, _principal_element, compile_policy


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    action: tuple[str, ...] | None
    not_action: tuple[str, ...] | None
    resource: tuple[str, ...] | None
    not_resource: tuple[str, ...] | None
    principal: object | None  # "*" or {type: (values...)}, as the engine reads it
    not_principal: object | None
    condition: dict | None  # operator -> {key: value(s)}, as written


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    name: str
    kind: str
    statements: tuple[Statement, ...]
    variables: bool  # Version 2012-10-17: ${...} are policy variables


def _strings(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]


def _principal(raw: dict, element: str) -> object | None:
    return _principal_element(raw[element], "", element) if element in raw else None


def read_policy(policy: NamedPolicy, kind: str) -> CompiledPolicy:
    """``policy`` element by element, after the engine accepted it (raises what the engine raises)."""
    compile_policy(policy, kind)  # validation: the engine's word on what can be evaluated
    document = policy.document
    raw_statements = document["Statement"]
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    statements = []
    for index, raw in enumerate(raw_statements):
        statements.append(
            Statement(
                index=index,
                sid=raw.get("Sid") or None,
                effect=raw["Effect"],
                action=_strings(raw.get("Action")),
                not_action=_strings(raw.get("NotAction")) if "Action" not in raw else None,
                resource=_strings(raw.get("Resource")),
                not_resource=_strings(raw.get("NotResource")),
                principal=_principal(raw, "Principal"),
                not_principal=_principal(raw, "NotPrincipal"),
                condition=raw.get("Condition") or None,
            )
        )
    return CompiledPolicy(policy.name, kind, tuple(statements), document.get("Version") == VARIABLES_VERSION)
