"""The symbolic form's decision for one concrete request: used to check, request by request, that
the formulas and the concrete engine agree (differential tests)."""

from __future__ import annotations

import ipaddress
from datetime import UTC
from decimal import Decimal, InvalidOperation

import z3

from policyproof.engine.arns import parse_principal
from policyproof.engine.conditions import _date
from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import PolicySet, Request
from policyproof.engine.result import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Decision
from policyproof.symbolic.evaluator import Slots
from policyproof.symbolic.keys import DERIVED_KEYS
from policyproof.symbolic.pieces import equals
from policyproof.symbolic.request import EPOCH, MICROSECOND, SymKey, SymRequest
from policyproof.symbolic.solve import Question


class OutsideDomain(Exception):  # noqa: N818 - a request the symbolic form does not range over
    pass


def symbolic_decision(request: Request, policies: PolicySet) -> Decision:
    """What the formulas decide for ``request``; ``OutsideDomain`` for a request outside the
    modelled domain (a wildcard resource, a derived key given by the caller ...)."""
    if "*" in request.resource or "?" in request.resource:
        raise OutsideDomain("wildcard resource")
    try:
        principal = parse_principal(request.principal, request.principal_account)
    except EngineInputError as error:
        raise OutsideDomain(str(error)) from None
    texts = (request.action, request.resource, request.resource_account or "", principal.account or "")
    question = Question({"policies": Slots.of(policies)}, texts=texts)
    symbolic, world, sides = question.setup(principal.kind)
    pins = _pins(symbolic, request, principal)
    evaluation = sides["policies"].evaluation
    base = [*symbolic.constraints, *world.constraints, *pins]
    base += symbolic.action_constraints()
    for outcome, formula in (
        (ALLOW, evaluation.allow),
        (EXPLICIT_DENY, z3.And(z3.Not(evaluation.allow), evaluation.explicit)),
    ):
        solver = z3.Solver()
        solver.set("timeout", 30_000)
        solver.add(*base, formula)
        answer = solver.check()
        if answer == z3.sat:
            return outcome
        if answer != z3.unsat:
            raise OutsideDomain(f"solver: {solver.reason_unknown()}")
    solver = z3.Solver()
    solver.add(*base)
    if solver.check() != z3.sat:
        raise OutsideDomain("the request is not in the symbolic domain")
    return IMPLICIT_DENY


def _pins(symbolic: SymRequest, request: Request, principal) -> list[z3.BoolRef]:
    index = symbolic.actions.index(request.action)
    if index is None:
        raise OutsideDomain(f"action {request.action} is not in the action domain")
    pins = [symbolic.action_is(index), *symbolic.pin_principal(principal.text)]
    pins.append(equals(symbolic.resource, request.resource))
    if request.resource_account is not None:
        if request.resource_account not in symbolic.accounts:
            raise OutsideDomain("resource account")
        pins.append(symbolic.resource_account.is_(request.resource_account))
    context = {k.lower(): v for k, v in request.context.items()}
    for lower, key in symbolic.keys.items():
        if key.derived:
            if lower in context:
                raise OutsideDomain(f"{lower} is set by AWS, not by the caller")
            continue
        given = context.get(lower)
        values = [given] if isinstance(given, str) else list(given or [])
        if len(values) > len(key.values) or (not key.info.multi and len(values) > 1):
            raise OutsideDomain(f"{lower}: more values than modelled")
        pins.append(key.count == len(values))
        for slot, value in zip(key.values, values, strict=False):
            pins.append(_pin_value(key, slot, value))
    for lower in context:
        if lower in DERIVED_KEYS and lower not in symbolic.keys:
            raise OutsideDomain(f"{lower} is set by AWS, not by the caller")
    return pins


def _pin_value(key: SymKey, slot: object, value: str) -> z3.BoolRef:
    if key.value_type == "string":
        return equals(slot, value)  # type: ignore[arg-type]
    if key.value_type == "bool":
        if value not in ("true", "false"):
            raise OutsideDomain("bool value")
        return equals(slot, value)  # type: ignore[arg-type]
    if key.value_type == "numeric":
        try:
            number = Decimal(value.strip()).scaleb(key.scale)
        except InvalidOperation:
            raise OutsideDomain("numeric value") from None
        if number != number.to_integral_value():
            raise OutsideDomain("numeric precision")
        return slot == int(number)  # type: ignore[operator]
    if key.value_type == "date":
        moment = _date(value)
        if moment is None:
            raise OutsideDomain("date value")
        return slot == (moment.astimezone(UTC) - EPOCH) // MICROSECOND  # type: ignore[operator]
    if key.value_type == "ip":
        try:
            address = ipaddress.ip_address(value.strip())
        except ValueError:
            raise OutsideDomain("ip value") from None
        v6, number = slot  # type: ignore[misc]
        return z3.And(v6 == (address.version == 6), number == int(address))
    raise OutsideDomain(key.value_type)
