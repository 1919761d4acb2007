"""Solving one question for every kind of principal, and turning models into checked witnesses.

Every witness is decided a second time by the concrete engine (``policyproof.engine.evaluate``)
on the concrete policies the model stands for; a different decision raises ``WitnessMismatch``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import z3

from policyproof.engine import evaluate
from policyproof.engine.arns import ROLE, ROLE_SESSION, USER
from policyproof.engine.model import PolicySet, Request
from policyproof.engine.result import Decision, Result
from policyproof.symbolic.actions import action_domain
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
from policyproof.symbolic.pieces import equals, render, string_value
from policyproof.symbolic.request import PRINCIPAL_KINDS, READABLE_CHARS, SymRequest
from policyproof.symbolic.translate import compile_checked

TIMEOUT_MS = 15_000
TACTIC_TIMEOUT_MS = 2_500
CASE_TIMEOUT_MS = 4_000
PREFERENCE_TIMEOUT_MS = 1_000
PLAIN_TIMEOUT_MS = 250


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
        named, patterns = action_texts(list(sides.values()))
        self.actions = action_domain(named | {t for t in texts if ":" in t and "*" not in t}, patterns)
        if extra_keys:
            for lower, info in extra_keys.items():
                self.keys.setdefault(lower, info)
        self._setups: dict[str, tuple[SymRequest, World, dict[str, Side]]] = {}

    def setup(self, kind: str) -> tuple[SymRequest, World, dict[str, Side]]:
        """The symbolic request of ``kind`` and each side's decision for it, built once per
        question: every ``find`` for that kind (each a fresh solver) asks about the same formulas."""
        built = self._setups.get(kind)
        if built is None:
            request = SymRequest(kind, self.keys, self.accounts, self.actions)
            world = World(request)
            sides = {
                name: Side(name, slots, evaluate_symbolic(request, slots, world))
                for name, slots in self.sides.items()
            }
            request.setup_partial = len(request.partial)
            built = self._setups[kind] = (request, world, sides)
        return built

    def share_setups(self, other: Question) -> None:
        """Use the formulas ``other`` built: only for a question with the same sides, keys,
        account table and action domain (the formulas are then the same)."""
        assert other.keys == self.keys and other.accounts == self.accounts and other.actions is self.actions
        self._setups = other._setups

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
        world_extra: Callable[[World], list[z3.BoolRef]] | None = None,
        check: bool = True,
    ) -> Witness | None | bool:
        """A checked witness for which ``goal`` holds, or None (proved impossible). With
        ``check=False``, only whether one exists (no witness, no concrete check)."""
        request, world, sides = self.setup(kind)
        mark = len(request.partial)
        assertions = [*request.constraints, *world.constraints]
        if extra is not None:
            assertions += extra(request)
        if world_extra is not None:
            assertions += world_extra(world)
        assertions.append(goal(request, sides))
        assertions += request.action_constraints()
        solver = new_solver()
        solver.add(*assertions)
        # Patterns of the sides, and of this call's own constraints (not those of earlier calls).
        if request.partial[: request.setup_partial] or request.partial[mark:]:
            raise Unknown(
                "a pattern puts a wildcard inside an account id (such as 1111*); accounts are modelled "
                "as the ids the policies name plus unnamed ones, which cannot tell such ids apart"
            )
        if not check and _exists_plainly(assertions, request):
            return True
        answer = solver.check()
        model = solver.model() if answer == z3.sat else None
        case: z3.BoolRef = z3.BoolVal(True)
        if answer == z3.unknown:
            answer, model, case = _by_cases(assertions, sides)
        if answer == z3.unsat:
            return None
        if answer != z3.sat or model is None:
            raise Unknown(f"the solver gave up (timeout) for {kind} principals")
        if not check:
            return True
        # Witnesses are polished with an incremental solver: it finds models after small changes
        # faster than re-running the simplifying tactic each time.
        polish = z3.Solver()
        polish.add(*assertions, case)
        if case.eq(z3.BoolVal(True)):
            model = _prettier(polish, model, request, world, self.chars)
        else:  # a hard question: keep the witness as found, only with readable characters
            model = _readable(polish, model, request, self.chars)
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


def action_texts(slot_sets: list[Slots]) -> tuple[set[str], set[str]]:
    """Actions the policies name, and their wildcard patterns."""
    named: set[str] = set()
    patterns: set[str] = set()
    for slots in slot_sets:
        for kind, policy in slots.named():
            for st in compile_checked(policy, kind).statements:
                for pattern in (st.action or ()) + (st.not_action or ()):
                    (patterns if "*" in pattern or "?" in pattern else named).add(pattern)
    return named, patterns


def account_table(texts: set[str]) -> tuple[str, ...]:
    """Every 12-digit account id in ``texts``, plus two that none of them names."""
    named = sorted({m for text in texts for m in re.findall(r"(?<!\d)\d{12}(?!\d)", text)})
    fresh = [c for c in ("333333333333", "444444444444", "555555555555", "666666666666") if c not in named]
    return (*named, *fresh[:2])


def _exists_plainly(assertions: list[z3.BoolRef], request: SymRequest) -> bool:
    """Is there a request on a resource of a service no domain rule names (IAM and KMS have
    rules)? A shortcut for "is there any request": z3 finds such a request at once where choosing
    the service itself made it search. True is an answer (a model with one more constraint is a
    model); False, unsat or unknown, says nothing and the full question is asked."""
    solver = new_solver()
    solver.set("timeout", PLAIN_TIMEOUT_MS)
    solver.add(*assertions, request.resource_service.term == z3.StringVal("s3"))
    return solver.check() == z3.sat


def _by_cases(
    assertions: list[z3.BoolRef], sides: dict[str, Side]
) -> tuple[z3.CheckSatResult, z3.ModelRef | None, z3.BoolRef]:
    """When the whole question is too hard at once: one check per Allow statement that could
    apply, plus one for "none of them applies" (the cases cover every request, so the answer is
    exact). Each case fixes which statement grants, which is what the solver struggled to find."""
    allows = [
        f.applies
        for side in sides.values()
        for _, _, f in side.evaluation.statements
        if f.statement.effect == "Allow"
    ]
    cases = [*allows, z3.Not(z3.Or(allows))] if allows else [z3.BoolVal(True)]
    unknown = False
    for case in cases:
        solver = z3.Solver()
        solver.set("timeout", CASE_TIMEOUT_MS)
        solver.add(*assertions, case)
        answer = solver.check()
        if answer == z3.sat:
            return answer, solver.model(), case
        unknown = unknown or answer != z3.unsat
    solver = z3.SolverFor("QF_SLIA")
    solver.add(*assertions)
    if not unknown:
        return z3.unsat, None, z3.BoolVal(True)
    solver.set("timeout", TIMEOUT_MS)
    answer = solver.check()
    return answer, solver.model() if answer == z3.sat else None, z3.BoolVal(True)


def new_solver() -> z3.Solver:
    """A solver that simplifies in context first: on these formulas (many small Boolean
    combinations of regex memberships) it proves unsatisfiability several times faster."""
    solver = _tactic().solver()
    solver.set("timeout", TACTIC_TIMEOUT_MS)
    return solver


@lru_cache(maxsize=1)
def _tactic() -> z3.Tactic:
    return z3.Then("simplify", "propagate-values", "ctx-simplify", "simplify", "smt")


def _prettier(
    solver: z3.Solver, model: z3.ModelRef, request: SymRequest, world: World, chars: frozenset[str]
) -> z3.ModelRef:
    """Make the witness familiar when the question allows it: the fewest assumptions about other
    policies, partition aws, a real region, plain names, an action AWS has, readable characters.
    Each step is kept only if the answer stays satisfiable; none of them limits what is proved."""
    s = z3.StringVal
    p = request.principal
    preferences: list[z3.BoolRef] = [
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
    if p.path is not None:
        preferences.append(p.path == s(""))
    if p.kind in (USER, ROLE) and p.name is not None:
        preferences.append(equals(p.name, "alice" if p.kind == USER else "app"))
    if p.kind == ROLE_SESSION and p.role_name is not None:
        preferences.append(p.role_name == s("app"))
    solver.set("timeout", PREFERENCE_TIMEOUT_MS)
    better = _keep(solver, z3.And(preferences))
    if better is None:
        for preference in preferences:
            model = _keep(solver, preference) or model
    else:
        model = better
    return _readable(solver, model, request, chars)


def _readable(
    solver: z3.Solver, model: z3.ModelRef, request: SymRequest, chars: frozenset[str]
) -> z3.ModelRef:
    """Replace unreadable characters in free text, if the request still answers the question."""
    solver.set("timeout", PREFERENCE_TIMEOUT_MS)
    spare = next((c for c in "xyzqkw" if c not in chars), "x")
    pinned = []
    for term in request.free_strings:
        value = string_value(model, term)
        readable = "".join(c if c in READABLE_CHARS else spare for c in value)
        pinned.append(term == z3.StringVal(readable))
    model = _keep(solver, z3.And(pinned)) or model
    solver.set("timeout", TIMEOUT_MS)
    return model


def _keep(solver: z3.Solver, constraint: z3.BoolRef) -> z3.ModelRef | None:
    """Add ``constraint`` if the question stays satisfiable with it; the new model, else None."""
    solver.push()
    solver.add(constraint)
    if solver.check() == z3.sat:
        return solver.model()
    solver.pop()
    return None


ALL_KINDS = PRINCIPAL_KINDS
