"""Solving one question for every kind of principal, and turning models into checked witnesses.

Every witness is decided a second time by the concrete engine (``policyproof.engine.evaluate``)
on the concrete policies the model stands for; a different decision raises ``WitnessMismatch``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import z3

from policyproof.engine import evaluate
from policyproof.engine.arns import ROLE, ROLE_SESSION, USER
from policyproof.engine.model import PolicySet, Request
from policyproof.engine.result import Decision, Result
from policyproof.symbolic.errors import Unknown, WitnessMismatch
from policyproof.symbolic.evaluator import (
    Evaluation,
    Slots,
    World,
    analyse,
    realise,
)
from policyproof.symbolic.evaluator import (
    evaluate as evaluate_symbolic,
)
from policyproof.symbolic.keys import KeyInfo
from policyproof.symbolic.pieces import equals, render
from policyproof.symbolic.regex import char_class
from policyproof.symbolic.request import PRINCIPAL_KINDS, READABLE_CHARS, SymRequest

TIMEOUT_MS = 30_000
PREFERENCE_TIMEOUT_MS = 2_000


@dataclass
class Side:
    """One PolicySet of a question with its decision formulas for the current request."""

    name: str
    slots: Slots
    evaluation: Evaluation


@dataclass
class Witness:
    """A concrete request (and the free policies it needs), decided by both engines."""

    principal_kind: str
    request: Request
    world: dict[str, bool]
    decisions: dict[str, Decision]  # side name -> decision of the concrete engine
    results: dict[str, Result] = field(repr=False, default_factory=dict)
    policy_sets: dict[str, PolicySet] = field(repr=False, default_factory=dict)

    def free_policies_used(self) -> list[str]:
        w = self.world
        out = []
        if w.get("identity_allows"):
            out.append("the caller's IAM policies allow the request")
        if w.get("resource_names_caller"):
            out.append('a resource policy allows it to Principal "*"')
        if w.get("resource_names_role"):
            out.append("a resource policy allows it to the caller's role")
        if w.get("resource_names_account"):
            out.append("a resource policy allows it to the caller's account")
        if w.get("has_boundary"):
            out.append(
                "a permissions boundary " + ("allows it" if w.get("boundary_allows") else "does not allow it")
            )
        if w.get("session_allows") is False:
            out.append("a session policy does not allow it")
        return out

    def request_dict(self) -> dict:
        r = self.request
        data: dict = {"principal": r.principal, "action": r.action, "resource": r.resource}
        data["resource_account"] = r.resource_account
        if r.context:
            data["context"] = dict(r.context)
        return data


class Question:
    """Policy sets sharing one symbolic request per principal kind."""

    def __init__(
        self,
        sides: dict[str, Slots],
        extra_keys: dict[str, KeyInfo] | None = None,
        texts: tuple[str, ...] = (),
    ) -> None:
        self.sides = sides
        self.keys, self.chars, found = analyse(list(sides.values()))
        self.accounts = account_table(found | set(texts))
        if extra_keys:
            for lower, info in extra_keys.items():
                self.keys.setdefault(lower, info)

    def setup(self, kind: str) -> tuple[SymRequest, World, dict[str, Side]]:
        request = SymRequest(kind, self.keys, self.accounts)
        world = World(request)
        sides = {
            name: Side(name, slots, evaluate_symbolic(request, slots, world))
            for name, slots in self.sides.items()
        }
        return request, world, sides

    def solve(
        self,
        kinds: tuple[str, ...],
        goal: Callable[[SymRequest, dict[str, Side]], z3.BoolRef],
        expect: Callable[[dict[str, Decision]], bool],
        extra: Callable[[SymRequest], list[z3.BoolRef]] | None = None,
    ) -> list[Witness]:
        """One checked witness per principal kind for which ``goal`` can hold."""
        witnesses = []
        for kind in kinds:
            witness = self.find(kind, goal, expect, extra)
            if witness is not None:
                witnesses.append(witness)
        return witnesses

    def find(
        self,
        kind: str,
        goal: Callable[[SymRequest, dict[str, Side]], z3.BoolRef],
        expect: Callable[[dict[str, Decision]], bool],
        extra: Callable[[SymRequest], list[z3.BoolRef]] | None = None,
    ) -> Witness | None:
        request, world, sides = self.setup(kind)
        solver = new_solver()
        solver.add(*request.constraints, *world.constraints)
        if extra is not None:
            solver.add(*extra(request))
        solver.add(goal(request, sides))
        if request.partial:
            raise Unknown(
                "a pattern puts a wildcard inside an account id (such as 1111*); accounts are modelled "
                "as the ids the policies name plus unnamed ones, which cannot tell such ids apart"
            )
        answer = solver.check()
        if answer == z3.unsat:
            return None
        if answer != z3.sat:
            raise Unknown(f"the solver gave up ({solver.reason_unknown()}) for {kind} principals")
        _prettier(solver, request, world)
        model = solver.model()
        return self.witness(kind, request, world, sides, model, expect)

    def witness(
        self,
        kind: str,
        request: SymRequest,
        world: World,
        sides: dict[str, Side],
        model: z3.ModelRef,
        expect: Callable[[dict[str, Decision]], bool],
    ) -> Witness:
        concrete = request.concrete(model)
        flags = world.values(model)
        role_arn = account = None
        p = request.principal
        if kind == ROLE_SESSION and p.role_arn is not None:
            role_arn = render(p.role_arn, model)
        elif kind == ROLE:
            role_arn = concrete.principal
        if p.account is not None:
            account = p.account.value(model)
        decisions: dict[str, Decision] = {}
        results: dict[str, Result] = {}
        sets: dict[str, PolicySet] = {}
        for name, side in sides.items():
            policy_set = realise(side.slots, flags, concrete, role_arn, account)
            result = evaluate(concrete, policy_set)
            symbolic = side.evaluation.decision(model)
            if result.decision != symbolic:
                raise WitnessMismatch(
                    f"{name}: the symbolic form decides {symbolic} but the engine decides "
                    f"{result.decision} for "
                    f"{concrete} with free policies {flags}"
                )
            decisions[name] = result.decision
            results[name] = result
            sets[name] = policy_set
        if not expect(decisions):
            raise WitnessMismatch(f"witness {concrete} does not show what was asked: {decisions}")
        return Witness(kind, concrete, flags, decisions, results, sets)


def account_table(texts: set[str]) -> tuple[str, ...]:
    """Every 12-digit account id in ``texts``, plus two that none of them names."""
    named = sorted({m for text in texts for m in re.findall(r"(?<!\d)\d{12}(?!\d)", text)})
    fresh = [c for c in ("333333333333", "444444444444", "555555555555", "666666666666") if c not in named]
    return (*named, *fresh[:2])


def new_solver() -> z3.Solver:
    """A solver that simplifies in context first: on these formulas (many small Boolean
    combinations of regex memberships) it proves unsatisfiability several times faster."""
    solver = z3.Then("simplify", "propagate-values", "ctx-simplify", "simplify", "smt").solver()
    solver.set("timeout", TIMEOUT_MS)
    return solver


def _prettier(solver: z3.Solver, request: SymRequest, world: World) -> None:
    """Prefer familiar values in the witness (partition aws, a real region, plain names, the fewest
    assumptions about other policies) when the question allows them. All preferences are tried
    together, then one by one; each is kept only if the answer stays satisfiable."""
    s = z3.StringVal
    p = request.principal
    readable = z3.Star(char_class(READABLE_CHARS))
    preferences: list[z3.BoolRef] = [
        z3.And([z3.InRe(term, readable) for term in request.free_strings]),
        z3.Not(world.resource_direct),
        z3.Not(world.resource_role),
        z3.Not(world.resource_account),
        z3.Not(world.has_boundary),
        world.session_ok,
        request.resource_partition.term == s("aws"),
        z3.Or(request.resource_region.term == s("us-east-1"), request.resource_region.term == s("")),
    ]
    if p.partition is not None:
        preferences.append(p.partition == s("aws"))
    if p.kind in (USER, ROLE) and p.name is not None:
        preferences.append(equals(p.name, "alice" if p.kind == USER else "app"))
    if p.kind == ROLE_SESSION and p.role_name is not None:
        preferences.append(p.role_name == s("app"))
    solver.set("timeout", PREFERENCE_TIMEOUT_MS)
    solver.push()
    solver.add(*preferences)
    if solver.check() == z3.sat:
        return  # the model of this check is the witness
    solver.pop()
    for preference in preferences:
        solver.push()
        solver.add(preference)
        if solver.check() == z3.sat:
            continue
        solver.pop()
    solver.set("timeout", TIMEOUT_MS)
    if solver.check() != z3.sat:  # pragma: no cover - each preference was checked
        raise Unknown("the solver lost the witness while making it readable")


ALL_KINDS = PRINCIPAL_KINDS
