"""Universal claims (``for_all:`` in claims.yaml): a statement about *every* request, proved by
the symbolic engine or refuted with a counterexample the concrete engine confirmed.

Takes an already-loaded ``ClaimsFile`` (``policyproof.claims``) and ``ForAllSpec`` values; the
loader's part (reading ``for_all:`` entries into ``ForAllSpec``) is described in ``ForAllSpec``.

Two shapes of claim, both "no such request is allowed" (``expect: Deny``):

- about a resource: ``resource: key-a, action: kms:Decrypt, accounts_outside: [A, B]`` — no
  principal of another account (nor an AWS service, nor an anonymous caller) can make the request,
  whatever its own IAM policies say (they are free, as IAM Access Analyzer assumes);
- about a principal: ``principal: app-reader-b, actions_outside: [kms:Decrypt, ...]`` — its
  identity policies (and boundaries) allow no other action on any resource, when the resource's
  owner delegates to IAM (a resource policy naming the account, as the default key policy does).
  A resource policy that names the principal directly could grant more; that is the resource's
  claim, not the principal's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import z3

from policyproof.claims.model import ClaimsFile
from policyproof.engine.arns import ANONYMOUS_KIND, SERVICE, parse_principal
from policyproof.engine.managed_keys import managed_key_policy
from policyproof.engine.model import NamedPolicy
from policyproof.engine.result import ALLOW
from policyproof.symbolic.errors import Unknown
from policyproof.symbolic.evaluator import FREE, Slots, World
from policyproof.symbolic.request import PRINCIPAL_KINDS, SymRequest
from policyproof.symbolic.solve import Question, Witness


@dataclass(frozen=True)
class ForAllSpec:
    """One ``for_all:`` entry. The loader fills it from YAML such as::

        for_all:
          - id: only-a-and-b-decrypt-with-key-a
            text: {vi: ..., en: ...}
            resource: key-a                  # a resource name of this file
            actions: ["kms:Decrypt"]         # optional: only these actions (default: every action)
            accounts_outside: [A, B]         # account names (or ids): requests by everyone else
            expect: Deny
          - id: app-reader-grants-only-key-use
            principal: app-reader-b          # a principal name of this file
            actions_outside: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
            expect: Deny

    ``resource`` and/or ``principal`` (at least one); ``actions`` and ``actions_outside`` are
    exclusive; ``expect`` is ``Deny`` ("no such request is allowed").
    """

    id: str
    expect: str = "Deny"
    text: Mapping[str, str] = field(default_factory=dict)
    resource: str | None = None
    principal: str | None = None
    actions: tuple[str, ...] = ()
    actions_outside: tuple[str, ...] = ()
    accounts_outside: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


@dataclass
class ForAllResult:
    spec: ForAllSpec
    proved: bool
    counterexample: Witness | None = None

    def to_dict(self) -> dict:
        data: dict = {
            "id": self.spec.id,
            "kind": "for_all",
            "expect": self.spec.expect,
            "proved": self.proved,
        }
        if self.counterexample is not None:
            w = self.counterexample
            data["counterexample"] = {
                "request": w.request_dict(),
                "decision": w.decisions["claim"],
                "assuming": w.free_policies_used(),
            }
        return data


def prove_for_all(claims: ClaimsFile, spec: ForAllSpec) -> ForAllResult:
    """Prove ``spec`` over every request, or return the counterexample. Raises ``Unknown`` when the
    answer cannot be computed exactly, ``ValueError`` for a spec that names unknown things."""
    if spec.expect != "Deny":
        raise ValueError(f"for_all {spec.id}: only `expect: Deny` (no such request is allowed) is supported")
    if spec.resource is None and spec.principal is None:
        raise ValueError(f"for_all {spec.id}: name a `resource`, a `principal`, or both")
    if spec.actions and spec.actions_outside:
        raise ValueError(f"for_all {spec.id}: give `actions` or `actions_outside`, not both")
    slots = Slots(identity=FREE, resource=FREE, boundaries=[], session=None)
    resource_arn = resource_account = None
    if spec.resource is not None:
        resource = _lookup(claims.resources, spec.resource, "resource", spec)
        resource_arn, resource_account = resource.arn, resource.account
        slots.resource = _resource_policy(claims, resource)
        for action in spec.actions:
            _check_acts_on(action, resource_arn, spec)
    principal_text = None
    if spec.principal is not None:
        principal = _lookup(claims.principals, spec.principal, "principal", spec)
        principal_text = principal.arn
        slots.identity = [claims.policies[name] for name in principal.policies]
        slots.boundaries = [claims.policies[name] for name in principal.boundaries]
    outside = tuple(claims.accounts.get(name, name) for name in spec.accounts_outside)
    named = (*spec.actions, *spec.actions_outside, resource_arn, resource_account, principal_text, *outside)
    texts = tuple(t for t in named if t)
    question = _shared(claims, (spec.resource, spec.principal), Question({"claim": slots}, texts=texts))

    kinds = PRINCIPAL_KINDS
    if principal_text is not None:
        kinds = (parse_principal(principal_text).kind,)

    def extra(request: SymRequest) -> list[z3.BoolRef]:
        out = []
        if resource_arn is not None:
            out += [request.resource_is(resource_arn), request.resource_account.is_(resource_account)]
        if principal_text is not None:
            out += request.pin_principal(principal_text)
        if spec.actions:
            out.append(request.action_in(frozenset(a.lower() for a in spec.actions)))
        elif resource_arn is not None:
            # Requests *on this resource*: actions of its service (sts:GetCallerIdentity, always
            # allowed, acts on no resource).
            out.append(request.action_in_service(resource_arn.split(":")[2]))
        out.append(z3.Not(request.always_allowed))
        if spec.actions_outside:
            out.append(z3.Not(request.action_in(frozenset(a.lower() for a in spec.actions_outside))))
        if outside and request.kind not in (SERVICE, ANONYMOUS_KIND):
            account = request.principal.account
            if account is not None:
                out.append(z3.Not(z3.Or([account.is_(a) for a in outside])))
        return out

    def world_extra(world: World) -> list[z3.BoolRef]:
        if slots.resource != FREE:
            return []
        # A principal's claim: the resource's owner only delegates to IAM (see the module docstring).
        return [z3.Not(world.resource_direct), z3.Not(world.resource_role)]

    def goal(request: SymRequest, sides: dict) -> z3.BoolRef:
        return sides["claim"].evaluation.allow

    # A claim about no request at all would be "proved" vacuously: make sure requests exist.
    if not any(question.find(kind, _anything, _any, extra, world_extra, check=False) for kind in kinds):
        raise Unknown(
            f"for_all {spec.id}: no request matches the claim (check its resource, principal, actions)"
        )
    for kind in kinds:
        witness = question.find(kind, goal, lambda d: d["claim"] == ALLOW, extra, world_extra)
        if witness is not None:
            return ForAllResult(spec, False, witness)
    return ForAllResult(spec, True)


def _check_acts_on(action: str, arn: str, spec: ForAllSpec) -> None:
    """Refuse a claim whose action never acts on its resource: the requests are fixed to the
    resource's own ARN, so ``s3:GetObject`` on a bucket (GetObject acts on objects,
    ``bucket/key``) would be "proved" about requests AWS never receives, and read as if no one
    could read the bucket's objects."""
    from policyproof.check.catalog import actions_of, resource_fits_type

    service, _, name = action.partition(":")
    if not name or "*" in action or "?" in action:
        return  # patterns and unknown names: the action set itself says what they cover
    known = actions_of(service).get(name.lower())
    if known is None:
        return
    types = [type_name for type_name, _ in known.resource_types]
    if not types:
        raise ValueError(
            f"for_all {spec.id}: {action} acts on no resource of its own (AWS authorizes it on "
            f'Resource "*"), so it is never a request on {spec.resource} ({arn}); drop the action '
            "or the resource"
        )
    fits = [resource_fits_type(arn, service, type_name) for type_name in types]
    if not any(fit is not False for fit in fits):
        raise ValueError(
            f"for_all {spec.id}: {action} acts on {' or '.join(types)}, not on {spec.resource} ({arn}); "
            "a universal claim covers requests on the resource's own ARN only"
        )


# The questions of the claims file being proved: claims about the same resource or principal
# (with the same account table and action domain) ask about the same formulas, built once.
_questions: tuple[ClaimsFile | None, dict] = (None, {})


def _shared(claims: ClaimsFile, subject: tuple, question: Question) -> Question:
    global _questions
    if _questions[0] is not claims:
        _questions = (claims, {})
    key = (subject, question.accounts, id(question.actions), tuple(sorted(question.keys)))
    found = _questions[1].get(key)
    if found is not None and found.actions is question.actions and found.keys == question.keys:
        question.share_setups(found)
    else:
        _questions[1][key] = question
    return question


def preload() -> None:
    """Load the tables every universal claim uses (the action list, the IAM and KMS action sets,
    the RCP services) and the domain of the documented actions: a process that forks proof
    workers calls this first, so that they share one copy instead of each loading its own."""
    from policyproof.symbolic import request
    from policyproof.symbolic.actions import action_domain

    request.iam_read_only_actions()
    request.kms_alias_actions()
    domain = action_domain(set(), set())
    domain.union(tuple(f"{service}:*" for service in sorted(request.rcp_services())))


def _anything(request: SymRequest, sides: dict) -> z3.BoolRef:
    return z3.BoolVal(True)


def _any(decisions: dict) -> bool:
    return True


def _lookup(table: Mapping, name: str, what: str, spec: ForAllSpec):
    if name not in table:
        raise ValueError(f"for_all {spec.id}: unknown {what} {name!r}; known: {', '.join(sorted(table))}")
    return table[name]


def _resource_policy(claims: ClaimsFile, resource) -> NamedPolicy | None:
    if resource.policy is not None:
        return claims.policies[resource.policy]
    if resource.managed is not None:
        document = managed_key_policy(resource.managed, resource.account, claims.region)
        return NamedPolicy(f"{resource.managed} key policy", document)
    if ":s3:::" in resource.arn or ":kms:" in resource.arn:
        return None  # no resource policy: only IAM grants (KMS keys then allow nothing)
    raise Unknown(f"resource {resource.name} has no policy the symbolic engine can read")
