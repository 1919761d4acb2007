"""The engine's decision as a formula: ``policyproof.engine.evaluator._decide_in_full`` (the
whole decision; ``_decide`` only puts a shortcut for the commonest requests in front) over symbolic
requests, and the policies of a question that are *free*.

A question such as "does AFTER allow anything BEFORE does not?" is asked about one policy; the
other policies of the request (the caller's IAM policies, the resource's policy, boundaries,
session policies) are whatever they may be. A free slot is a handful of booleans, shared by both
sides of a comparison: whether the caller's IAM policies allow the request, how a resource policy
names the caller (directly, through its role, through its account), whether a permissions
boundary exists and allows, whether a session policy allows. Every combination the solver picks is
realised as concrete policies (``World.policies``) so the concrete engine can check the witness.
A free policy never denies: a Deny only removes access, on both sides alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from policyproof.engine.arns import ROLE, ROLE_SESSION
from policyproof.engine.model import NamedPolicy, PolicySet, Request
from policyproof.engine.result import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Decision
from policyproof.symbolic.keys import KeyInfo, collect_keys
from policyproof.symbolic.request import IDENTITY_KINDS, SymRequest, _name
from policyproof.symbolic.translate import (
    FULLY_DIRECT,
    StatementFormula,
    Translator,
    compile_checked,
    policy_strings,
)

FREE = "free"


@dataclass
class Slots:
    """A PolicySet in which identity, resource, boundaries and session may be ``FREE``."""

    identity: list[NamedPolicy] | str = field(default_factory=list)
    resource: NamedPolicy | None | str = None
    boundaries: list[NamedPolicy] | str = field(default_factory=list)
    session: NamedPolicy | None | str = None
    scps: list[list[NamedPolicy]] = field(default_factory=list)
    rcps: list[list[NamedPolicy]] = field(default_factory=list)
    endpoints: list[NamedPolicy] = field(default_factory=list)

    @classmethod
    def of(cls, policies: PolicySet) -> Slots:
        return cls(
            list(policies.identity),
            policies.resource,
            list(policies.boundaries),
            policies.session,
            [list(level) for level in policies.scps],
            [list(level) for level in policies.rcps],
            list(policies.endpoints),
        )

    def named(self) -> list[tuple[str, NamedPolicy]]:
        """(engine kind, policy) of every given policy."""
        out: list[tuple[str, NamedPolicy]] = []
        if isinstance(self.identity, list):
            out += [("identity", p) for p in self.identity]
        if isinstance(self.resource, NamedPolicy):
            out.append(("resource", self.resource))
        if isinstance(self.boundaries, list):
            out += [("boundary", p) for p in self.boundaries]
        if isinstance(self.session, NamedPolicy):
            out.append(("session", self.session))
        out += [("scp", p) for level in self.scps for p in level]
        out += [("rcp", p) for level in self.rcps for p in level]
        out += [("endpoint", p) for p in self.endpoints]
        return out


def analyse(slot_sets: list[Slots]) -> tuple[dict[str, KeyInfo], frozenset[str], set[str]]:
    """Condition keys and characters of every policy a question involves (all sides together)."""
    blocks: list[dict] = []
    chars: set[str] = set()
    texts: set[str] = set()
    seen: set[int] = set()
    for slots in slot_sets:
        for kind, policy in slots.named():
            if id(policy.document) in seen and kind != "resource":
                continue
            seen.add(id(policy.document))
            compiled = compile_checked(policy, kind)
            blocks.extend(st.condition for st in compiled.statements if st.condition)
            for text in policy_strings(compiled):
                chars.update(text)
                texts.add(text)
    keys = collect_keys(blocks)
    for info in keys.values():
        _ = info.value_type  # raises Unknown for keys the symbolic form cannot type
    chars.discard("*")
    chars.discard("?")
    return keys, frozenset(chars), texts


class World:
    """The free policies of one request, as booleans."""

    def __init__(self, request: SymRequest) -> None:
        kind = request.kind
        self.identity_allow = z3.Bool(_name("world.identity_allows"))
        self.resource_direct = z3.Bool(_name("world.resource_names_caller"))
        self.resource_role = z3.Bool(_name("world.resource_names_role"))
        self.resource_account = z3.Bool(_name("world.resource_names_account"))
        self.has_boundary = z3.Bool(_name("world.has_boundary"))
        self.boundary_ok = z3.Bool(_name("world.boundary_allows"))
        self.session_ok = z3.Bool(_name("world.session_allows"))
        self.constraints = [z3.Implies(z3.Not(self.has_boundary), self.boundary_ok)]
        if kind not in (ROLE, ROLE_SESSION):
            self.constraints.append(z3.Not(self.resource_role))
        if kind not in IDENTITY_KINDS:
            self.constraints += [
                z3.Not(self.resource_account),
                z3.Not(self.identity_allow),
                z3.Not(self.has_boundary),
                self.session_ok,
            ]

    def values(self, model: z3.ModelRef) -> dict[str, bool]:
        def value(term: z3.BoolRef) -> bool:
            return z3.is_true(model.eval(term, model_completion=True))

        return {
            "identity_allows": value(self.identity_allow),
            "resource_names_caller": value(self.resource_direct),
            "resource_names_role": value(self.resource_role),
            "resource_names_account": value(self.resource_account),
            "has_boundary": value(self.has_boundary),
            "boundary_allows": value(self.boundary_ok),
            "session_allows": value(self.session_ok),
        }


@dataclass
class Evaluation:
    allow: z3.BoolRef
    explicit: z3.BoolRef
    statements: list[tuple[str, str, StatementFormula]]  # (kind, policy name, formula)

    def decision(self, model: z3.ModelRef) -> Decision:
        if z3.is_true(model.eval(self.allow, model_completion=True)):
            return ALLOW
        if z3.is_true(model.eval(self.explicit, model_completion=True)):
            return EXPLICIT_DENY
        return IMPLICIT_DENY


def evaluate(request: SymRequest, slots: Slots, world: World) -> Evaluation:
    """The decision formulas for ``slots`` (the engine's ``_decide_in_full``, step by step)."""
    boundaries_free = slots.boundaries == FREE
    has_boundary = world.has_boundary if boundaries_free else z3.BoolVal(bool(slots.boundaries))
    tr = Translator(request, has_boundary)
    denies: list[z3.BoolRef] = []
    statements: list[tuple[str, str, StatementFormula]] = []

    def run(policy: NamedPolicy, kind: str, gate: z3.BoolRef | None = None) -> list[StatementFormula]:
        compiled = compile_checked(policy, kind)
        formulas = [tr.statement(st, kind) for st in compiled.statements]
        for formula in formulas:
            statements.append((kind, policy.name, formula))
            if formula.statement.effect == "Deny":
                denies.append(formula.applies if gate is None else z3.And(gate, formula.applies))
        return formulas

    def allows(formulas: list[StatementFormula]) -> z3.BoolRef:
        return z3.Or([f.applies for f in formulas if f.statement.effect == "Allow"])

    blocked: list[z3.BoolRef] = []
    for level in slots.scps:
        level_allows = z3.Or([allows(run(p, "scp", request.scps_apply)) for p in level])
        blocked.append(z3.And(request.scps_apply, z3.Not(level_allows)))
    for level in slots.rcps:
        for p in level:
            run(p, "rcp", request.rcps_apply)

    if slots.resource == FREE:
        resource_any = z3.Or(world.resource_direct, world.resource_role, world.resource_account)
        direct, role = world.resource_direct, world.resource_role
    elif slots.resource is None:
        resource_any = direct = role = z3.BoolVal(False)
    else:
        formulas = [f for f in run(slots.resource, "resource") if f.statement.effect == "Allow"]
        resource_any = z3.Or([f.applies for f in formulas])
        direct = z3.Or([c for f in formulas for k, c in f.matches.items() if k in FULLY_DIRECT])
        role = z3.Or([c for f in formulas for k, c in f.matches.items() if k == "role"])

    if slots.identity == FREE:
        identity_allow = world.identity_allow
    else:
        identity_allow = z3.Or([allows(run(p, "identity")) for p in slots.identity])

    if boundaries_free:
        boundary_ok = world.boundary_ok
    else:
        boundary_ok = z3.And([allows(run(p, "boundary")) for p in slots.boundaries])
    if slots.session == FREE:
        session_ok = world.session_ok
    elif slots.session is None:
        session_ok = z3.BoolVal(True)
    else:
        session_ok = allows(run(slots.session, "session"))
    endpoints_ok = z3.And([allows(run(p, "endpoint")) for p in slots.endpoints])

    any_deny = z3.Or(denies)
    if not request.has_identity_policies:
        body = resource_any
    else:
        guardrails = z3.And(boundary_ok, session_ok)
        cross = z3.And(
            z3.Not(z3.And(request.kms_key, z3.Not(request.kms_cross_account))),
            resource_any,
            identity_allow,
            guardrails,
        )
        same = z3.Or(
            direct,
            z3.And(
                guardrails, z3.Or(role, z3.And(identity_allow, z3.Or(z3.Not(request.required), resource_any)))
            ),
        )
        body = z3.If(request.same_account, same, cross)
    allow = z3.Or(
        request.always_allowed,
        z3.And(z3.Not(any_deny), z3.Not(request.protection), z3.Not(z3.Or(blocked)), endpoints_ok, body),
    )
    explicit = z3.And(z3.Not(request.always_allowed), any_deny)
    return Evaluation(allow, explicit, statements)


# ----- realising a model as concrete policies -----


def _statement(sid: str, action: str, **extra: object) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": "*", **extra}


def _document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def realise(
    slots: Slots, world: dict[str, bool], request: Request, role_arn: str | None, account: str | None
) -> PolicySet:
    """The concrete PolicySet for ``slots`` with its free policies as ``world`` says."""
    action = request.action
    nothing = "sts:GetCallerIdentity"  # an action that is always allowed anyway: grants nothing else
    if slots.identity == FREE:
        identity = (
            [NamedPolicy("free:identity", _document(_statement("CallerIamAllows", action)))]
            if world["identity_allows"]
            else []
        )
    else:
        identity = list(slots.identity)  # type: ignore[arg-type]
    if slots.resource == FREE:
        statements = []
        if world["resource_names_caller"]:
            statements.append(_statement("NamesEveryone", action, Principal="*"))
        if world["resource_names_role"] and role_arn:
            statements.append(_statement("NamesTheRole", action, Principal={"AWS": role_arn}))
        if world["resource_names_account"] and account:
            statements.append(
                _statement("NamesTheAccount", action, Principal={"AWS": f"arn:aws:iam::{account}:root"})
            )
        resource = NamedPolicy("free:resource", _document(*statements)) if statements else None
    else:
        resource = slots.resource  # type: ignore[assignment]
    if slots.boundaries == FREE:
        boundaries = (
            [
                NamedPolicy(
                    "free:boundary",
                    _document(_statement("Boundary", action if world["boundary_allows"] else nothing)),
                )
            ]
            if world["has_boundary"]
            else []
        )
    else:
        boundaries = list(slots.boundaries)  # type: ignore[arg-type]
    if slots.session == FREE:
        session = (
            None
            if world["session_allows"]
            else NamedPolicy("free:session", _document(_statement("Session", nothing)))
        )
    else:
        session = slots.session  # type: ignore[assignment]
    return PolicySet(
        identity=identity,
        resource=resource,
        boundaries=boundaries,
        session=session,
        scps=[list(level) for level in slots.scps],
        rcps=[list(level) for level in slots.rcps],
        endpoints=list(slots.endpoints),
    )
