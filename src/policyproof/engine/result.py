"""The engine's output: a decision plus a structured trace of how it was reached.

The trace keeps codes and parameters rather than sentences, so the same trace can be explained
in English or Vietnamese (``explain.py``) and compared by tests without parsing prose.

These are slotted dataclasses, not frozen ones: the engine builds several per request and a
frozen dataclass costs four times as much to construct. Treat them as read-only all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["Allow", "ImplicitDeny", "ExplicitDeny"]

ALLOW: Decision = "Allow"
IMPLICIT_DENY: Decision = "ImplicitDeny"
EXPLICIT_DENY: Decision = "ExplicitDeny"

# The policy kinds, in the order AWS documents its evaluation.
POLICY_KINDS = ("scp", "rcp", "resource", "identity", "boundary", "session")


@dataclass(slots=True)
class Mismatch:
    """Why one statement does not apply: which element failed (``Action``, ``NotResource``,
    ``Principal``, ``Condition`` ...), a reason code and its parameters."""

    element: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()}
        return {"element": self.element, "reason": self.reason, **params}


@dataclass(slots=True)
class StatementTrace:
    """One statement of one policy: did it apply to the request, and if not, why not."""

    index: int  # 0-based position in the Statement list
    sid: str | None
    effect: str
    applies: bool
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def label(self) -> str:
        """How explanations name the statement: its Sid, else its 1-based position."""
        return f'"{self.sid}"' if self.sid else f"#{self.index + 1}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"index": self.index, "effect": self.effect, "applies": self.applies}
        if self.sid:
            data["sid"] = self.sid
        if self.mismatches:
            data["mismatches"] = [m.to_dict() for m in self.mismatches]
        return data


@dataclass(slots=True)
class PolicyTrace:
    """One policy as evaluated. ``level`` is the organization level (0 = root) for SCPs/RCPs."""

    kind: str
    name: str
    statements: tuple[StatementTrace, ...]
    level: int | None = None
    implicit: bool = False  # added by the engine (RCPFullAWSAccess), not given by the caller
    details: dict[str, Any] | None = None  # what a KMS grant holds (grantee, operations, constraint)

    @property
    def allows(self) -> tuple[StatementTrace, ...]:
        return tuple(s for s in self.statements if s.applies and s.effect == "Allow")

    @property
    def denies(self) -> tuple[StatementTrace, ...]:
        return tuple(s for s in self.statements if s.applies and s.effect == "Deny")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "statements": [s.to_dict() for s in self.statements],
        }
        if self.level is not None:
            data["level"] = self.level
        if self.implicit:
            data["implicit"] = True
        if self.details:
            data["grant"] = dict(self.details)
        return data


@dataclass(slots=True, unsafe_hash=True)
class StatementRef:
    """A pointer to one statement, used by rules to cite what decided."""

    kind: str
    policy: str
    label: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "policy": self.policy, "statement": self.label}


@dataclass(slots=True)
class Rule:
    """The rule of AWS's evaluation logic that decided, with the statements it rests on.

    ``code`` is stable (tests and the explanation templates key on it); ``params`` fill in the
    explanation (policy names, levels, accounts, the action).
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    cites: tuple[StatementRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, **self.params}
        if self.cites:
            data["statements"] = [c.to_dict() for c in self.cites]
        return data


class Trace:
    """Everything the engine looked at: facts it derived, every policy, and the deciding rule.

    The engine decides without building the trace's facts and per-statement records: they are
    built, in full, the first time ``facts`` or ``policies`` is read (``source`` builds them from
    what the decision was computed on, so the trace is the same whenever it is read). The rule
    may be given in the engine's compact form, ``(code, params, cites)`` with each cite a
    ``(kind, policy, label)`` tuple or a ``StatementRef``; it becomes a ``Rule`` when first read.
    """

    __slots__ = ("_rule", "_facts", "_policies", "_source")

    def __init__(
        self,
        facts: dict[str, Any] | None,
        policies: tuple[PolicyTrace, ...] | None,
        rule: Rule | tuple[str, dict[str, Any], tuple[Any, ...]],
        source: Any = None,
    ) -> None:
        self._rule = rule
        self._facts = facts
        self._policies = policies
        self._source = source  # has .facts() and .policies(); dropped once both are built

    @property
    def rule(self) -> Rule:
        rule = self._rule
        if type(rule) is tuple:
            code, params, cites = rule
            rule = self._rule = Rule(
                code, params, tuple(c if type(c) is StatementRef else StatementRef(*c) for c in cites)
            )
        return rule  # type: ignore[return-value]

    @property
    def facts(self) -> dict[str, Any]:
        if self._facts is None:
            self._facts = self._build_facts()
            if self._policies is not None:
                self._source = None
        return self._facts

    @property
    def policies(self) -> tuple[PolicyTrace, ...]:
        if self._policies is None:
            self._policies = self._build_policies()
            if self._facts is not None:
                self._source = None
        return self._policies

    # How the lazy parts are built: from ``source``; the engine's own trace (a subclass that is
    # its evaluation record) builds them from itself.
    def _build_facts(self) -> dict[str, Any]:
        return self._source.facts()

    def _build_policies(self) -> tuple[PolicyTrace, ...]:
        return self._source.policies()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        return (self.facts, self.policies, self.rule) == (other.facts, other.policies, other.rule)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled and copied in full (what the engine decided on stays behind).
        return (Trace, (self.facts, self.policies, self.rule))

    def __repr__(self) -> str:
        return f"Trace(facts={self.facts!r}, policies={self.policies!r}, rule={self.rule!r})"

    def policies_of(self, kind: str) -> tuple[PolicyTrace, ...]:
        return tuple(p for p in self.policies if p.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "facts": dict(self.facts),
            "decidedBy": self.rule.to_dict(),
            "policies": [p.to_dict() for p in self.policies],
        }


@dataclass(slots=True)
class Result:
    """The decision for one request, with the trace that explains it."""

    decision: Decision
    trace: Trace

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOW

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: ``{"decision": ..., "trace": {...}}``."""
        return {"decision": self.decision, "trace": self.trace.to_dict()}

    def explain(self, lang: str = "en") -> str:
        """The decision in plain words (``lang`` is ``"en"`` or ``"vi"``)."""
        from policyproof.engine.explain import explain

        return explain(self, lang)
