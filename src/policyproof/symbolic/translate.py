"""One policy statement as a z3 formula over a ``SymRequest``: the same matching as
``policyproof.engine.statements.match_statement`` and ``engine.conditions.evaluate_key``.

Documents are read by the engine's own ``compile_policy`` first, so a document the engine refuses
is refused here with the same message.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal, InvalidOperation

import z3

from policyproof.engine.arns import (
    ACCOUNT,
    ACCOUNT_ID,
    FEDERATED_USER,
    ROLE,
    ROLE_SESSION,
    SERVICE,
    USER,
    WEB_IDENTITY,
    parse_arn,
    parse_principal,
    role_name_from_arn,
)
from policyproof.engine.conditions import Operator, _date, parse_operator
from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import NamedPolicy
from policyproof.symbolic.errors import Unknown
from policyproof.symbolic.keys import policy_values
from policyproof.symbolic.pieces import arn_tokens, equals, glob_matches, ignore_case_tokens, matches
from policyproof.symbolic.policy_view import CompiledPolicy, Statement, read_policy
from policyproof.symbolic.request import EPOCH, MICROSECOND, SymKey, SymRequest

TRUE = z3.BoolVal(True)
FALSE = z3.BoolVal(False)
# Match kinds with which a same-account resource policy grants on its own (engine/evaluator.py).
FULLY_DIRECT = frozenset({"user", "session", "wildcard", "not-principal"})


def compile_checked(policy: NamedPolicy, kind: str) -> CompiledPolicy:
    """The engine's reading of the document, refusing what the symbolic form cannot model."""
    compiled = read_policy(policy, kind)
    if compiled.variables:
        for statement in compiled.statements:
            texts = list(statement.resource or ()) + list(statement.not_resource or ())
            for block in (statement.condition or {}).values():
                for raw in block.values():
                    texts.extend(policy_values(raw))
            if any("${" in text for text in texts):
                where = (
                    f"statement {statement.sid!r}" if statement.sid else f"statement #{statement.index + 1}"
                )
                raise Unknown(
                    f"{kind} policy {policy.name!r}, {where}: policy variables (${{...}}) are not modelled; "
                    "the answer depends on values AWS substitutes per request"
                )
    for statement in compiled.statements:
        for values in _principal_values(statement):
            principal_type, value = values
            if principal_type == "CanonicalUser":
                try:
                    parse_principal(value)
                except EngineInputError:
                    continue
                raise Unknown(
                    f"{kind} policy {policy.name!r}: CanonicalUser {value!r} reads as an IAM principal"
                )
    return compiled


def _principal_values(statement: Statement) -> list[tuple[str, str]]:
    out = []
    for spec in (statement.principal, statement.not_principal):
        if isinstance(spec, dict):
            out.extend((t, v) for t, values in spec.items() for v in values)
    return out


def policy_strings(compiled: CompiledPolicy) -> set[str]:
    """Every string of the document that a request could be compared with (for the alphabet)."""
    out: set[str] = set()
    for st in compiled.statements:
        for group in (st.action, st.not_action, st.resource, st.not_resource):
            out.update(group or ())
        out.update(v for _, v in _principal_values(st))
        for block in (st.condition or {}).values():
            for raw in block.values():
                out.update(policy_values(raw))
    return out


@dataclass
class StatementFormula:
    statement: Statement
    applies: z3.BoolRef
    # resource-side Allow statements: how the principal is named (kind -> condition)
    matches: dict[str, z3.BoolRef]


class Translator:
    def __init__(self, request: SymRequest, has_boundary: z3.BoolRef) -> None:
        self.request = request
        self.has_boundary = has_boundary

    # ----- elements -----

    def action(self, st: Statement) -> z3.BoolRef:
        patterns = st.action if st.action is not None else st.not_action or ()
        for pattern in patterns:
            if not pattern.isascii():
                raise Unknown(
                    f"action pattern {pattern!r} holds non-ASCII characters (case folding not modelled)"
                )
        listed = self.request.action_matches_any(tuple(patterns))
        return listed if st.action is not None else z3.Not(listed)

    def resource(self, st: Statement) -> z3.BoolRef:
        if st.resource is None and st.not_resource is None:
            return TRUE
        patterns = st.resource if st.resource is not None else st.not_resource or ()
        listed = z3.Or([self._resource_matches(p) for p in patterns])
        return listed if st.resource is not None else z3.Not(listed)

    def _resource_matches(self, pattern: str) -> z3.BoolRef:
        if pattern == "*":
            return TRUE
        return glob_matches(self.request.resource, pattern)

    def _aws_value(self, value: str) -> list[tuple[str, z3.BoolRef]]:
        p = self.request.principal
        if value == "*":
            return [("wildcard", TRUE)]
        if p.account is None or p.kind in (SERVICE, WEB_IDENTITY):
            return []
        if ACCOUNT_ID.match(value):
            return [("account", p.account.is_(value))]
        arn = parse_arn(value)
        if arn is None:
            return []
        if arn.service == "iam" and arn.resource == "root":
            return [("account", p.account.is_(arn.account))]
        out = []
        kind = {
            USER: "user",
            ROLE: "role",
            ROLE_SESSION: "session",
            FEDERATED_USER: "session",
            ACCOUNT: "account",
        }
        if p.kind in kind:
            out.append((kind[p.kind], equals(p.arn, value)))
        if p.kind == ROLE_SESSION:
            role = role_name_from_arn(value)
            if role is not None:
                out.append(("role", z3.And(p.account.is_(role[0]), p.role_name == z3.StringVal(role[1]))))
        return out

    def principal_matches(self, spec: object) -> dict[str, z3.BoolRef]:
        """kind -> when ``spec`` names the request's principal that way (engine: principal_match)."""
        if spec == "*":
            return {"wildcard": TRUE}
        p = self.request.principal
        found: dict[str, list[z3.BoolRef]] = {}
        for principal_type, values in spec.items():  # type: ignore[union-attr]
            for value in values:
                if principal_type == "AWS":
                    pairs = self._aws_value(value)
                elif principal_type == "Service":
                    pairs = [("service", equals(p.text, value.lower()))] if p.kind == SERVICE else []
                elif principal_type == "Federated":
                    if p.kind == SERVICE:
                        pairs = [("federated", equals(p.text, value))]
                    elif p.kind == WEB_IDENTITY:
                        pairs = [("federated", z3.Or(equals(p.text, value), equals(p.name, value)))]
                    else:
                        pairs = []
                else:  # CanonicalUser: compile_checked made sure it names no principal of the domain
                    pairs = []
                for kind, condition in pairs:
                    found.setdefault(kind, []).append(condition)
        return {kind: z3.Or(conditions) for kind, conditions in found.items()}

    # ----- conditions -----

    def condition(self, block: dict | None) -> z3.BoolRef:
        if not block:
            return TRUE
        parts = []
        for operator_text, tests in block.items():
            operator = parse_operator(operator_text)
            for key, raw in tests.items():
                parts.append(self.key_test(operator, key, policy_values(raw)))
        return z3.And(parts)

    def key_test(self, operator: Operator, key: str, values: tuple[str, ...]) -> z3.BoolRef:
        sym = self.request.keys[key.lower()]
        if operator.family == "null":
            missing = z3.Not(sym.present)
            return z3.Or([missing if v.lower() == "true" else sym.present for v in values])
        if operator.if_exists or operator.set_operator == "ForAllValues":
            when_missing = TRUE
        elif operator.set_operator == "ForAnyValue":
            when_missing = FALSE
        else:
            when_missing = z3.BoolVal(operator.negated)

        def value_ok(value: object) -> z3.BoolRef:
            hit = z3.Or([self._single(operator.family, sym, value, policy) for policy in values])
            return z3.Not(hit) if operator.negated else hit

        every = operator.set_operator == "ForAllValues" or (
            operator.set_operator is None and operator.negated
        )
        if every:
            body = z3.And(
                [z3.Implies(inside, value_ok(v)) for inside, v in zip(sym.inside, sym.values, strict=True)]
            )
        else:
            body = z3.Or(
                [z3.And(inside, value_ok(v)) for inside, v in zip(sym.inside, sym.values, strict=True)]
            )
        return z3.If(sym.present, body, when_missing)

    def _single(self, family: str, key: SymKey, value: object, policy: str) -> z3.BoolRef:
        if family == "string":
            return equals(value, policy)
        if family == "string-ignore-case":
            if not policy.isascii():
                raise Unknown(
                    "StringEqualsIgnoreCase with non-ASCII text: Unicode case folding is not modelled"
                )
            return matches(value, ignore_case_tokens(policy))
        if family == "string-like":
            return glob_matches(value, policy)
        if family == "bool":
            return equals(value, policy.strip().lower())
        if family == "arn":
            tokens = arn_tokens(policy)
            return FALSE if tokens is None else matches(value, tokens)
        if family.startswith("numeric"):
            try:
                number = Decimal(policy.strip())
            except InvalidOperation:
                return FALSE
            if not number.is_finite():
                raise Unknown(f"numeric condition value {policy!r} is not a finite number")
            scaled = number.scaleb(key.scale)
            return _compare(family, z3.ToReal(value), z3.RealVal(str(scaled)))
        if family.startswith("date"):
            moment = _date(policy)
            if moment is None:
                return FALSE
            micros = (moment.astimezone(UTC) - EPOCH) // MICROSECOND
            return _compare(family, value, z3.IntVal(micros))
        if family == "ip":
            try:
                network = ipaddress.ip_network(policy.strip(), strict=False)
            except ValueError:
                return FALSE
            v6, address = value
            return z3.And(
                v6 == z3.BoolVal(network.version == 6),
                address >= int(network.network_address),
                address <= int(network.broadcast_address),
            )
        raise Unknown(f"condition operator family {family!r} is not modelled")

    # ----- statements -----

    def statement(self, st: Statement, policy_kind: str) -> StatementFormula:
        base = z3.And(self.action(st), self.resource(st))
        matches: dict[str, z3.BoolRef] = {}
        if policy_kind in ("resource", "rcp", "endpoint"):
            if st.principal is not None:
                matches = self.principal_matches(st.principal)
                principal_ok = z3.Or(list(matches.values())) if matches else FALSE
            elif st.not_principal is not None:
                named = self.principal_matches(st.not_principal)
                excluded_parts = [
                    c for k, c in named.items() if k != "account" or self.request.kind == ACCOUNT
                ]
                excluded = z3.Or(excluded_parts) if excluded_parts else FALSE
                if st.effect == "Deny":
                    excluded = z3.And(z3.Not(self.has_boundary), excluded)
                principal_ok = z3.Not(excluded)
                matches = {"not-principal": principal_ok}
            elif policy_kind == "endpoint":
                principal_ok = TRUE
                matches = {"wildcard": TRUE}
            else:
                principal_ok = FALSE
            base = z3.And(base, principal_ok)
        cond = self.condition(st.condition)
        applies = z3.And(base, cond)
        return StatementFormula(st, applies, {k: z3.And(v, base, cond) for k, v in matches.items()})


def _compare(family: str, left: z3.ArithRef, right: z3.ArithRef) -> z3.BoolRef:
    op = family.rsplit("-", 1)[1]
    return {
        "eq": left == right,
        "lt": left < right,
        "le": left <= right,
        "gt": left > right,
        "ge": left >= right,
    }[op]
