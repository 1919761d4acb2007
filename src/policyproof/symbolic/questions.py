"""The questions users ask: what a policy change adds (``compare``), and who can reach a resource
(``who_can``). Both answer for *every* request, not for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from policyproof.engine.arns import (
    ACCOUNT,
    ACCOUNT_ID,
    ANONYMOUS_KIND,
    FEDERATED_USER,
    ROLE,
    ROLE_SESSION,
    SERVICE,
    USER,
    WEB_IDENTITY,
    parse_arn,
    role_name_from_arn,
)
from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import NamedPolicy
from policyproof.engine.result import ALLOW
from policyproof.engine.services import TRUST_ACTIONS
from policyproof.symbolic.evaluator import FREE, Slots
from policyproof.symbolic.pieces import equals
from policyproof.symbolic.request import PRINCIPAL_KINDS, SymRequest, starts
from policyproof.symbolic.solve import Question, Witness
from policyproof.symbolic.translate import compile_checked

_IAM = (ROLE, USER, ROLE_SESSION, FEDERATED_USER, ACCOUNT)  # the order witnesses are looked for in
# Kinds of access a finding or a new-access witness reports separately: IAM principals (whatever
# their exact kind), SAML/OIDC federated identities, anonymous callers, AWS services.
PRINCIPAL_GROUPS = (_IAM, (WEB_IDENTITY,), (ANONYMOUS_KIND,), (SERVICE,))

# --kind names (briefing, contract 4) -> where the policy sits in a request's PolicySet.
KIND_SLOTS = {
    "identity": "identity",
    "key": "resource",
    "bucket": "resource",
    "trust": "resource",
    "resource": "resource",
    "scp": "scps",
    "rcp": "rcps",
    "boundary": "boundaries",
    "session": "session",
    "endpoint": "endpoints",
}
# The engine's name for the kind of policy in each slot.
SLOT_ENGINE_KIND = {
    "identity": "identity",
    "resource": "resource",
    "scps": "scp",
    "rcps": "rcp",
    "boundaries": "boundary",
    "session": "session",
    "endpoints": "endpoint",
}


def slots_with(kind: str, policy: NamedPolicy, free_others: bool = True) -> Slots:
    """``policy`` in its slot; identity, resource, boundary and session free unless it sits there."""
    slot = KIND_SLOTS[kind]
    slots = Slots(
        identity=FREE if free_others else [],
        resource=FREE if free_others else None,
        boundaries=FREE if free_others else [],
        session=FREE if free_others else None,
    )
    if slot == "identity":
        slots.identity = [policy]
    elif slot == "resource":
        slots.resource = policy
    elif slot == "boundaries":
        slots.boundaries = [policy]
    elif slot == "session":
        slots.session = policy
    elif slot == "scps":
        slots.scps = [[policy]]
    elif slot == "rcps":
        slots.rcps = [[policy]]
    else:
        slots.endpoints = [policy]
    return slots


def kind_domain(kind: str, request: SymRequest) -> list[z3.BoolRef]:
    """Requests a policy of ``kind`` governs: a key policy only KMS actions on its key, a bucket
    policy only S3 actions on S3 resources, a trust policy only STS role actions on its role."""
    s = z3.StringVal
    if kind == "key":
        return [request.kms_key]
    if kind == "bucket":
        return [request.action_in_service("s3"), request.resource_service.term == s("s3")]
    if kind == "trust":
        return [
            request.action_in(TRUST_ACTIONS),
            request.resource_service.term == s("iam"),
            starts(request.resource_rest.term, "role/"),
        ]
    return []


@dataclass
class Filters:
    """Optional limits on the requests a question is about."""

    action: str | None = None
    resource: str | None = None
    resource_account: str | None = None
    principal_kinds: tuple[str, ...] = PRINCIPAL_KINDS

    def check(self) -> None:
        if self.action is not None and (":" not in self.action or "*" in self.action or "?" in self.action):
            raise EngineInputError(f"--action {self.action!r} must name one action, such as kms:Decrypt")
        if self.resource is not None:
            if "*" in self.resource or "?" in self.resource:
                raise EngineInputError(
                    f"--resource {self.resource!r} must name one resource, without wildcards"
                )
            if parse_arn(self.resource) is None:
                raise EngineInputError(
                    f"--resource {self.resource!r} is not an ARN (arn:aws:SERVICE:REGION:ACCOUNT:...)"
                )
        if self.resource_account is not None and not ACCOUNT_ID.match(self.resource_account):
            raise EngineInputError(
                f"--resource-account {self.resource_account!r} must be a 12-digit account id"
            )

    def texts(self) -> tuple[str, ...]:
        return tuple(t for t in (self.action, self.resource, self.resource_account) if t)

    def constraints(self, request: SymRequest) -> list[z3.BoolRef]:
        out = []
        if self.action is not None:
            out.append(request.action_in(frozenset({self.action.lower()})))
        if self.resource is not None:
            out.append(equals(request.resource, self.resource))
        if self.resource_account is not None:
            out.append(request.resource_account.is_(self.resource_account))
        return out


# ----- compare -----


@dataclass
class NewAccess:
    witness: Witness
    statements: list[str]  # the AFTER statements that grant it

    def to_dict(self) -> dict:
        w = self.witness
        return {
            "principal_kind": w.principal_kind,
            "request": w.request_dict(),
            "before": w.decisions["before"],
            "after": w.decisions["after"],
            "granted_by": self.statements,
            "assuming": w.free_policies_used(),
        }


@dataclass
class Comparison:
    kind: str
    new_access: list[NewAccess] = field(default_factory=list)

    @property
    def adds_access(self) -> bool:
        return bool(self.new_access)

    def to_dict(self) -> dict:
        return {"new_access": self.adds_access, "witnesses": [n.to_dict() for n in self.new_access]}


def _granting(witness: Witness, side: str, engine_kind: str) -> list[str]:
    return [label for label, _ in granting_statements(witness, side, engine_kind)]


def granting_statements(witness: Witness, side: str, engine_kind: str) -> list[tuple[str, int]]:
    """(label, index) of the statements of the compared policy that allow the witness."""
    result = witness.results[side]
    out = []
    for trace in result.trace.policies:
        if trace.kind == engine_kind and not trace.implicit and not trace.name.startswith("free:"):
            out.extend((s.label, s.index) for s in trace.allows)
    return out


def compare(before: NamedPolicy, after: NamedPolicy, kind: str, filters: Filters | None = None) -> Comparison:
    """Does ``after`` allow any request ``before`` does not, whatever the other policies are?

    One witness per kind of principal that gains access, then one more for every Allow statement of
    ``after`` that grants new access none of those witnesses used. Raises ``Unknown`` when the
    answer cannot be computed exactly, ``EngineInputError`` for a malformed policy.
    """
    if kind not in KIND_SLOTS:
        raise EngineInputError(f"unknown policy kind {kind!r}: use one of {', '.join(KIND_SLOTS)}")
    filters = filters or Filters()
    filters.check()
    question = Question(
        {"before": slots_with(kind, before), "after": slots_with(kind, after)}, texts=filters.texts()
    )
    engine_kind = SLOT_ENGINE_KIND[KIND_SLOTS[kind]]

    def goal(request: SymRequest, sides: dict) -> z3.BoolRef:
        return z3.And(sides["after"].evaluation.allow, z3.Not(sides["before"].evaluation.allow))

    def extra(request: SymRequest) -> list[z3.BoolRef]:
        return kind_domain(kind, request) + filters.constraints(request)

    def expect(decisions: dict) -> bool:
        return decisions["after"] == ALLOW and decisions["before"] != ALLOW

    comparison = Comparison(kind)
    for group in PRINCIPAL_GROUPS:
        for principal_kind in group:
            if principal_kind not in filters.principal_kinds:
                continue
            witness = question.find(principal_kind, goal, expect, extra)
            if witness is not None:
                comparison.new_access.append(NewAccess(witness, _granting(witness, "after", engine_kind)))
                break
    if not comparison.new_access:
        return comparison
    # Allow statements of AFTER that add access the witnesses above do not show.
    used = {label for n in comparison.new_access for label in n.statements}
    compiled = compile_checked(after, engine_kind)
    for st in compiled.statements:
        label = f'"{st.sid}"' if st.sid else f"#{st.index + 1}"
        if st.effect != "Allow" or label in used:
            continue
        for principal_kind in filters.principal_kinds:

            def goal_with(request: SymRequest, sides: dict, index: int = st.index) -> z3.BoolRef:
                formulas = [
                    f.applies
                    for k, name, f in sides["after"].evaluation.statements
                    if name == after.name and k == engine_kind and f.statement.index == index
                ]
                return z3.And(goal(request, sides), z3.Or(formulas))

            witness = question.find(principal_kind, goal_with, expect, extra)
            if witness is not None:
                comparison.new_access.append(NewAccess(witness, _granting(witness, "after", engine_kind)))
                used.update(comparison.new_access[-1].statements)
                break
    return comparison


# ----- who can -----


@dataclass
class Finding:
    """A class of principals that can reach the resource (like an Access Analyzer finding)."""

    principal: str  # "*", an account id, an ARN, a service principal, a federated provider
    kind: str  # "anyone" | "account" | "arn" | "service" | "federated"
    witness: Witness
    external: bool
    conditions: list[dict]
    statements: list[str]

    def to_dict(self) -> dict:
        w = self.witness
        return {
            "principal": self.principal,
            "kind": self.kind,
            "external": self.external,
            "conditions": self.conditions,
            "granted_by": self.statements,
            "request": w.request_dict(),
            "decision": w.decisions["policies"],
            "assuming": w.free_policies_used(),
        }


@dataclass
class PrincipalClass:
    label: str
    kind: str
    kinds: tuple[str, ...]  # principal kinds that can belong to it

    def constraint(self, request: SymRequest) -> z3.BoolRef:
        p = request.principal
        s = z3.StringVal
        if self.kind == "account":
            return (
                p.account.is_(self.label)
                if p.account is not None and request.kind in _IAM
                else z3.BoolVal(False)
            )
        if self.kind == "service":
            return equals(p.text, self.label.lower()) if request.kind == SERVICE else z3.BoolVal(False)
        if self.kind == "federated":
            if request.kind == WEB_IDENTITY:
                return z3.Or(equals(p.text, self.label), equals(p.name, self.label))
            if request.kind == SERVICE:
                return equals(p.text, self.label)
            return z3.BoolVal(False)
        if self.kind == "arn":
            parts = [equals(p.arn, self.label)] if p.arn is not None else []
            role = role_name_from_arn(self.label)
            if request.kind == ROLE_SESSION and role is not None:
                parts.append(z3.And(p.account.is_(role[0]), p.role_name == s(role[1])))
            return z3.Or(parts) if parts else z3.BoolVal(False)
        raise AssertionError(self.kind)


def _classes(policies: list[tuple[str, NamedPolicy]]) -> list[PrincipalClass]:
    found: dict[tuple[str, str], PrincipalClass] = {}
    for kind, policy in policies:
        if KIND_SLOTS.get(kind) != "resource":
            continue
        for st in compile_checked(policy, "resource").statements:
            if st.effect != "Allow" or not isinstance(st.principal, dict):
                continue
            for principal_type, values in st.principal.items():
                for value in values:
                    cls = _class_of(principal_type, value)
                    if cls is not None:
                        found.setdefault((cls.kind, cls.label), cls)
    return list(found.values())


def _class_of(principal_type: str, value: str) -> PrincipalClass | None:
    if principal_type == "Service":
        return PrincipalClass(value.lower(), "service", (SERVICE,))
    if principal_type == "Federated":
        return PrincipalClass(value, "federated", (WEB_IDENTITY, SERVICE))
    if principal_type != "AWS" or value == "*":
        return None
    if ACCOUNT_ID.match(value):
        return PrincipalClass(value, "account", _IAM)
    arn = parse_arn(value)
    if arn is None:
        return None
    if arn.service == "iam" and arn.resource == "root":
        return PrincipalClass(arn.account, "account", _IAM)
    return PrincipalClass(value, "arn", (USER, ROLE, ROLE_SESSION, FEDERATED_USER))


@dataclass
class WhoCan:
    findings: list[Finding]

    def to_dict(self) -> dict:
        return {"findings": [f.to_dict() for f in self.findings]}


def who_can(policies: list[tuple[str, NamedPolicy]], filters: Filters | None = None) -> WhoCan:
    """Which principals can reach the resource the resource-side ``policies`` protect, assuming
    (as IAM Access Analyzer does) that their own IAM policies allow it. ``policies`` are
    (kind, policy) pairs; identity policies are refused (they say what one principal can do)."""
    filters = filters or Filters()
    filters.check()
    slots = Slots(identity=FREE)
    for kind, policy in policies:
        slot = KIND_SLOTS.get(kind)
        if slot is None:
            raise EngineInputError(f"unknown policy kind {kind!r}: use one of {', '.join(KIND_SLOTS)}")
        if slot in ("identity", "boundaries", "session"):
            raise EngineInputError(
                f"{policy.name}: who-can reads the policies of a resource (key, bucket, trust, resource, "
                f"rcp, scp, endpoint); a {kind} policy belongs to one principal (use `policyproof compare`)"
            )
        if slot == "resource":
            if isinstance(slots.resource, NamedPolicy):
                raise EngineInputError(f"{policy.name}: a resource has one resource policy; give only one")
            slots.resource = policy
        elif slot == "scps":
            slots.scps.append([policy])
        elif slot == "rcps":
            slots.rcps.append([policy])
        else:
            slots.endpoints.append(policy)
    question = Question({"policies": slots}, texts=filters.texts())
    classes = _classes(policies)
    resource_kinds = [kind for kind, _ in policies if KIND_SLOTS[kind] == "resource"]

    def extra_for(cls: PrincipalClass | None):
        def extra(request: SymRequest) -> list[z3.BoolRef]:
            out = filters.constraints(request)
            for kind in resource_kinds:
                out += kind_domain(kind, request)
            if cls is not None:
                out.append(cls.constraint(request))
            else:  # anyone else: none of the named classes
                out += [z3.Not(c.constraint(request)) for c in classes]
            return out

        return extra

    def goal(request: SymRequest, sides: dict) -> z3.BoolRef:
        evaluation = sides["policies"].evaluation
        if not isinstance(slots.resource, NamedPolicy):
            return evaluation.allow
        # Access the resource policy grants: not what a same-account principal's IAM policy grants
        # by itself (IAM Access Analyzer reports the former).
        grants = [
            f.applies
            for kind, _, f in evaluation.statements
            if kind == "resource" and f.statement.effect == "Allow"
        ]
        return z3.And(evaluation.allow, z3.Or(grants))

    def expect(decisions: dict) -> bool:
        return decisions["policies"] == ALLOW

    findings = []
    # Named classes first; then "anyone else" for IAM principals, anonymous callers and services.
    groups: list[tuple[PrincipalClass | None, tuple[str, ...]]] = [(cls, cls.kinds) for cls in classes]
    groups += [(None, _IAM + (WEB_IDENTITY,)), (None, (ANONYMOUS_KIND,)), (None, (SERVICE,))]
    for cls, kinds in groups:
        for principal_kind in kinds:
            if principal_kind not in filters.principal_kinds:
                continue
            witness = question.find(principal_kind, goal, expect, extra_for(cls))
            if witness is not None:
                findings.append(_finding(cls, witness, slots))
                break
    return WhoCan(findings)


def _finding(cls: PrincipalClass | None, witness: Witness, slots: Slots) -> Finding:
    result = witness.results["policies"]
    conditions: list[dict] = []
    labels: list[str] = []
    documents = {p.name: p.document for _, p in slots.named()}
    for trace in result.trace.policies:
        if trace.kind != "resource" or trace.name not in documents:
            continue
        raw = documents[trace.name]["Statement"]
        raw = raw if isinstance(raw, list) else [raw]
        for st in trace.allows:
            labels.append(st.label)
            block = raw[st.index].get("Condition") if isinstance(raw[st.index], dict) else None
            if block:
                conditions.append(block)
    request = witness.request
    principal_account = None
    if witness.principal_kind not in (SERVICE, ANONYMOUS_KIND):
        arn = parse_arn(request.principal)
        principal_account = arn.account if arn is not None else None
    external = principal_account != request.resource_account
    if cls is None:
        return Finding("*", "anyone", witness, external, conditions, labels)
    return Finding(cls.label, cls.kind, witness, external, conditions, labels)
