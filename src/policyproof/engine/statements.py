"""Policy documents: shape checks, and whether one statement applies to one request.

A statement applies when its action, resource and principal elements match and all its
conditions hold. The trace records, for a statement that does not apply, every element that
failed (conditions are only examined once the other elements match: a condition on a statement
for another action would only add noise to an explanation).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from policyproof.engine.arns import (
    ACCOUNT,
    ACCOUNT_ID,
    FEDERATED_USER,
    ROLE,
    ROLE_SESSION,
    SERVICE,
    USER,
    WEB_IDENTITY,
    Principal,
    parse_arn,
    role_name_from_arn,
)
from policyproof.engine.conditions import compile_condition_block, condition_failures, conditions_hold
from policyproof.engine.context import RequestContext
from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import NamedPolicy
from policyproof.engine.patterns import (
    Lookup,
    expand_literal,
    glob_covers,
    globs_intersect,
    matches_pattern,
    wildcard_regex,
)
from policyproof.engine.result import Mismatch, StatementTrace

# Policy kinds whose statements name a principal.
PRINCIPAL_KINDS = frozenset({"resource", "rcp", "endpoint"})
# Only this policy language version supports ${...} policy variables.
VARIABLES_VERSION = "2012-10-17"
# IAM JSON policy elements: Version (the only two versions AWS accepts).
KNOWN_VERSIONS = ("2012-10-17", "2008-10-17")
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

# How a resource-policy statement matched the principal, strongest first. The evaluator needs
# the difference: an account match only delegates to the account's IAM policies, naming a user
# or a session exempts it from identity-policy and boundary implicit denies, naming a role does not
# exempt its sessions from boundaries and session policies.
MATCH_STRENGTH = {
    "session": 5,
    "user": 5,
    "wildcard": 4,
    "role": 3,
    "service": 5,
    "federated": 5,
    "canonical": 5,
    "not-principal": 4,
    "account": 1,
}


# A compiled statement is a plain tuple (building one costs a tenth of building an object, and
# every unique policy is compiled once per request): its fields, in order, are
#   index          0-based position in the Statement list
#   sid            the Sid, or None
#   effect         "Allow" | "Deny"
#   actions        the Action (or NotAction) patterns, as written: a tuple of strings, or a
#                  single pattern as the string itself (matching then needs no loop)
#   not_action     True for NotAction
#   resources      the Resource (or NotResource) patterns, likewise; None when neither is given
#   not_resource   True for NotResource
#   variables      the resource patterns hold ${...} policy variables (substituted per request)
#   principal      the Principal element: "*" or {type: (values, ...)}, or None
#   not_principal  the NotPrincipal element, likewise
#   condition      the Condition block compiled and checked (conditions.compile_condition_block),
#                  or None
Statement = tuple


# A compiled policy: (statements, lookup, document, copy), where ``lookup`` says whether matching
# its statements reads the request context through a lookup: ``${...}`` are policy variables in it
# (Version 2012-10-17) and some statement has them in its resources or has a Condition (whose
# values may hold them); without a lookup, ``${...}`` is read literally. The statements are a
# list, never changed once compiled. ``document`` and ``copy`` are what ``compiled_of`` checks a
# remembered form against (the tuple is itself what a NamedPolicy keeps: no second tuple).
CompiledPolicy = tuple[list[Statement], bool, object, object]


def _strings(value: object, where: str, element: str) -> tuple[str, ...]:
    if type(value) is str:
        return (value,)
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        raise EngineInputError(f"{where}: {element} must be a string or a non-empty list of strings")
    return tuple(items)


def _principal_element(value: object, where: str, element: str) -> object:
    if value == "*":
        return "*"
    if isinstance(value, str):
        # Not valid AWS grammar (a string Principal must be "*"), but common in hand-written
        # examples and accepted by iam-simulate: read it as {"AWS": value}. The checker flags it.
        return {"AWS": (value,)}
    if not isinstance(value, dict) or not value:
        raise EngineInputError(
            f'{where}: {element} must be "*" or an object such as {{"AWS": "arn:aws:iam::111122223333:root"}}'
        )
    normalized = {}
    for principal_type, values in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            raise EngineInputError(
                f"{where}: {element} type {principal_type!r} is unknown; "
                f"use one of {', '.join(_PRINCIPAL_TYPES)}"
            )
        normalized[principal_type] = _strings(values, where, f"{element}.{principal_type}")
    return normalized


def compile_policy(policy: NamedPolicy, kind: str) -> CompiledPolicy:
    """Check the document's shape and turn it into statements. Raises ``EngineInputError``."""
    return _compile(policy.name, kind, policy.document)


# Claims and benchmarks evaluate the same policies over and over, so a NamedPolicy keeps its
# compiled form (``NamedPolicy.compiled``), and it dies with it: a policy seen once (every
# policy of a benchmark's unique pass, or of a one-off CLI case) costs nothing to remember. A
# document changed in place must be compiled again, so a hit is trusted only against a copy taken
# when it was compiled; the copy costs more than most compilations, so it is taken only the second
# time a policy is evaluated. The compiled form does not depend on the policy's kind or name (they
# only appear in error messages, and a policy that fails to compile is never remembered).
_NOT_COPIED = object()
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _copy(document: object) -> object:
    try:
        return json.loads(_encode(document))  # the C codec: several times faster than deepcopy
    except (TypeError, ValueError, RecursionError):
        return copy.deepcopy(document)


def compiled_of(policy: NamedPolicy, kind: str) -> CompiledPolicy:
    """The compiled form of ``policy`` (kept on it); raises ``EngineInputError`` for a malformed
    document."""
    document = policy.document
    hit = policy.compiled
    if hit is not None and hit[2] is document:
        if hit[3] is not _NOT_COPIED and hit[3] == document:
            return hit
        statements, lookup, _, _ = _compile(policy.name, kind, document)
        compiled = policy.compiled = (statements, lookup, document, _copy(document))
        return compiled
    compiled = policy.compiled = _compile(policy.name, kind, document)
    return compiled


def compiled_policy(name: str, kind: str, document: object) -> CompiledPolicy:
    """``compile_policy`` for a bare document (not remembered)."""
    return _compile(name, kind, document)


def _compile(name: str, kind: str, document: object) -> CompiledPolicy:
    if type(document) is not dict and not isinstance(document, dict):
        raise EngineInputError(
            f"{kind} policy {name!r} is not a policy document: expected a JSON object with a Statement",
            policy=name,
        )
    # Subscripts and ``in`` rather than ``dict.get`` throughout: in CPython a method call costs
    # several times a subscript, and every unique policy is read once per request.
    raw_statements = document["Statement"] if "Statement" in document else _MISSING  # noqa: SIM401
    single = False
    if type(raw_statements) is list:
        pass
    elif raw_statements is _MISSING:
        raise EngineInputError(
            f"{kind} policy {name!r} is not a policy document: it has no Statement element", policy=name
        )
    elif isinstance(raw_statements, dict):
        single = True
        raw_statements = [raw_statements]
    elif not isinstance(raw_statements, list):
        raise EngineInputError(
            f"{kind} policy {name!r}: Statement must be an object or a list of objects",
            path=("Statement",),
            policy=name,
        )
    version = document["Version"] if "Version" in document else _MISSING  # noqa: SIM401
    if version is not _MISSING and version not in KNOWN_VERSIONS:
        raise EngineInputError(
            f'{kind} policy {name!r}: Version must be the string "2012-10-17" (or the older "2008-10-17"), '
            f"got {version!r}; AWS refuses any other value",
            path=("Version",),
            policy=name,
        )
    variables = version == VARIABLES_VERSION
    lookup = False  # some statement reads the request context: ${...} in resources, or conditions
    statements = []
    index = 0
    try:
        for raw in raw_statements:
            # The common statement (an object without NotAction, NotResource or NotPrincipal) is
            # read here, inline: _statement's checks, in its order. The commonest of all, just
            # Effect, Action and Resource, is recognised by its size and those three keys.
            if (
                type(raw) is dict
                and len(raw) == 3
                and "Effect" in raw
                and "Action" in raw
                and "Resource" in raw
            ):
                sid = condition = entries = None
                principal = _MISSING
                effect = raw["Effect"]
                if effect != "Allow" and effect != "Deny":
                    raise EngineInputError(f': Effect must be "Allow" or "Deny", got {effect!r}')
                action = raw["Action"]
                resource = raw["Resource"]
            elif type(raw) is not dict or "NotAction" in raw or "NotResource" in raw or "NotPrincipal" in raw:
                statement = _statement(raw, index, variables)
                if variables and (statement[7] or statement[10] is not None):
                    lookup = True
                statements.append(statement)
                index += 1
                continue
            else:
                sid = raw["Sid"] if "Sid" in raw else None  # noqa: SIM401
                if sid is not None and type(sid) is not str and not isinstance(sid, str):
                    raise EngineInputError(": Sid must be a string")
                effect = raw["Effect"] if "Effect" in raw else None  # noqa: SIM401
                if effect != "Allow" and effect != "Deny":
                    raise EngineInputError(f': Effect must be "Allow" or "Deny", got {effect!r}')
                if "Action" not in raw:
                    raise EngineInputError(": give exactly one of Action or NotAction")
                action = raw["Action"]
                resource = raw["Resource"] if "Resource" in raw else _MISSING  # noqa: SIM401
                principal = raw["Principal"] if "Principal" in raw else _MISSING  # noqa: SIM401
                condition = raw["Condition"] if "Condition" in raw else None  # noqa: SIM401
                entries = compile_condition_block(condition, "") if condition is not None else None
            # A single Action or Resource pattern is kept as the string itself (see Statement).
            actions = action if type(action) is str else _strings(action, "", "Action")
            has_variables = False
            if resource is _MISSING:
                patterns = None
            elif type(resource) is str:
                patterns = resource
                if variables and "${" in resource:
                    has_variables = True
                # Fail closed: a Deny's Resource that is not an ARN would silently match nothing.
                if effect == "Deny" and _not_an_arn(resource):
                    raise _not_arn_error("Resource", resource, effect)
            else:
                patterns = _strings(resource, "", "Resource")
                if variables:
                    for pattern in patterns:
                        if "${" in pattern:
                            has_variables = True
                            break
                if effect == "Deny":
                    for pattern in patterns:
                        if _not_an_arn(pattern):
                            raise _not_arn_error("Resource", pattern, effect)
            statements.append(
                (
                    index,
                    sid or None,
                    effect,
                    actions,
                    False,
                    patterns,
                    False,
                    has_variables,
                    None if principal is _MISSING else _principal_element(principal, "", "Principal"),
                    None,
                    entries or None,
                )
            )
            if variables and (has_variables or entries):
                lookup = True
            index += 1
    except EngineInputError as error:
        # Messages are built here, once, rather than a "where" string for every statement.
        raise EngineInputError(
            f"{kind} policy {name!r} statement #{index + 1}{error.message}",
            path=(("Statement",) if single else ("Statement", index)) + error.path,
            policy=name,
        ) from None
    return (statements, lookup, document, _NOT_COPIED)


_MISSING = object()


def _statement(raw: object, index: int, variables: bool) -> Statement:
    """One statement, checked in full. Error messages start where the statement's name ends
    (``" must be an object"``, ``": Effect must be ..."``): the caller puts the name in front."""
    if type(raw) is not dict and not isinstance(raw, dict):
        raise EngineInputError(" must be an object")
    get = raw.get
    sid = get("Sid")
    if sid is not None and type(sid) is not str and not isinstance(sid, str):
        raise EngineInputError(": Sid must be a string")
    effect = get("Effect")
    if effect != "Allow" and effect != "Deny":
        raise EngineInputError(f': Effect must be "Allow" or "Deny", got {effect!r}')
    action = get("Action", _MISSING)
    not_action = get("NotAction", _MISSING)
    if (action is _MISSING) == (not_action is _MISSING):
        raise EngineInputError(": give exactly one of Action or NotAction")
    resource = get("Resource", _MISSING)
    not_resource = get("NotResource", _MISSING)
    if resource is not _MISSING and not_resource is not _MISSING:
        raise EngineInputError(": give only one of Resource or NotResource")
    principal = get("Principal", _MISSING)
    not_principal = get("NotPrincipal", _MISSING)
    if principal is not _MISSING and not_principal is not _MISSING:
        raise EngineInputError(": give only one of Principal or NotPrincipal")
    condition = get("Condition")
    entries = compile_condition_block(condition, "") if condition is not None else None

    if action is not _MISSING:
        actions = (action,) if type(action) is str else _strings(action, "", "Action")
    else:
        actions = (not_action,) if type(not_action) is str else _strings(not_action, "", "NotAction")
    if resource is not _MISSING:
        patterns = (resource,) if type(resource) is str else _strings(resource, "", "Resource")
    elif not_resource is not _MISSING:
        patterns = (not_resource,) if type(not_resource) is str else _strings(not_resource, "", "NotResource")
    else:
        patterns = None
    # Fail closed: a Deny's Resource (an Allow's NotResource) that is not an ARN would silently
    # match nothing, and so deny (exclude) nothing. AWS refuses such a policy.
    if (resource is not _MISSING) if effect == "Deny" else (not_resource is not _MISSING):
        for pattern in patterns:  # type: ignore[union-attr]
            if _not_an_arn(pattern):
                raise _not_arn_error("Resource" if effect == "Deny" else "NotResource", pattern, effect)
    has_variables = False
    if variables and patterns is not None:
        for pattern in patterns:
            if "${" in pattern:
                has_variables = True
                break
    return (
        index,
        sid or None,
        effect,
        actions,
        action is _MISSING,
        patterns,
        resource is _MISSING,
        has_variables,
        None if principal is _MISSING else _principal_element(principal, "", "Principal"),
        None if not_principal is _MISSING else _principal_element(not_principal, "", "NotPrincipal"),
        entries or None,
    )


def _not_arn_error(element: str, pattern: str, effect: str) -> EngineInputError:
    return EngineInputError(
        f": {element} {pattern!r} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:"
        f'RESOURCE) or "*"; a {effect} with it would silently not apply, so it cannot be '
        "evaluated",
        path=(element,),
    )


@lru_cache(maxsize=8192)
def _not_an_arn(pattern: str) -> bool:
    """Neither ``*``, nor an ARN (wildcards allowed: ``arn:aws:kms:*``), nor a policy variable."""
    if pattern == "*" or "${" in pattern:
        return False
    if parse_arn(pattern) is not None:
        return False
    return not (pattern.startswith("arn:") and ("*" in pattern or "?" in pattern))


# ----- matching -----


@dataclass(slots=True)
class RequestView:
    """What statement matching needs to know about the request."""

    action: str
    resource: str
    principal: Principal
    context: RequestContext
    has_boundary: bool  # AWS: a Deny with NotPrincipal always applies to principals with a boundary
    resource_is_pattern: bool = False  # the request names a set of resources with wildcards
    action_text: str = ""  # the action as the caller spelled it, for the trace


# How one pattern string is tested, cached by the string (patterns repeat across policies, so
# this cache is shared by every policy and request, like the regex cache of ``wildcard_regex``):
# True for "*", the literal text for a pattern without wildcards (compared with ==), else the
# compiled regular expression. Actions are compared case-insensitively (the request's action is
# lower case), resources exactly.
_ACTION_TESTS: dict[str, object] = {}
_RESOURCE_TESTS: dict[str, object] = {}
_TESTS_LIMIT = 8192


def _action_test(pattern: str) -> object:
    if pattern == "*":
        test: object = True
    elif "*" in pattern or "?" in pattern or not pattern.isascii():
        test = wildcard_regex(pattern, True)
    else:
        # An ASCII literal against an ASCII action (the request's action is checked to be one):
        # lower-case equality is exactly the case-insensitive full match.
        test = pattern.lower()
    if len(_ACTION_TESTS) >= _TESTS_LIMIT:
        _ACTION_TESTS.clear()
    _ACTION_TESTS[pattern] = test
    return test


def _resource_test(pattern: str) -> object:
    if pattern == "*":
        test: object = True
    elif "*" in pattern or "?" in pattern:
        test = wildcard_regex(pattern)
    else:
        test = pattern
    if len(_RESOURCE_TESTS) >= _TESTS_LIMIT:
        _RESOURCE_TESTS.clear()
    _RESOURCE_TESTS[pattern] = test
    return test


def clear_caches() -> None:
    """Forget the per-pattern tests (for benchmarks that measure with nothing cached)."""
    _ACTION_TESTS.clear()
    _RESOURCE_TESTS.clear()
    _not_an_arn.cache_clear()
    _aws_principal_match.cache_clear()


def _tuple(patterns: str | tuple[str, ...]) -> tuple[str, ...]:
    """A statement's Action or Resource patterns as a tuple (a single one is kept as a string)."""
    return (patterns,) if type(patterns) is str else patterns  # type: ignore[return-value]


def _expanded(patterns: Sequence[str], lookup: Lookup | None) -> list[str]:
    out: list[str] = []
    for pattern in patterns:
        out.extend(expand_literal(pattern, lookup) or [])
    return out


def _resource_in(
    patterns: Sequence[str],
    request: RequestView,
    lookup: Lookup | None,
    set_test: Callable[[str, str], bool],
) -> bool:
    """Whether the request's resource falls under ``patterns`` (Resource and NotResource alike),
    for patterns with policy variables or a request that names a set of resources.

    A resource given as a pattern is a set of resources: ``set_test`` (covers or intersects) says
    which relation between two sets counts, and the caller chooses it by the statement's effect.
    """
    if request.resource_is_pattern:
        return any(set_test(p, request.resource) for p in _expanded(patterns, lookup))
    return any(matches_pattern(pattern, request.resource, lookup) for pattern in patterns)


@lru_cache(maxsize=4096)
def _aws_principal_match(value: str, principal: Principal) -> str | None:
    """How the ``AWS`` principal ``value`` from a policy matches the request's principal."""
    if value == "*":
        return "wildcard"
    if principal.account is None or principal.kind in (SERVICE, WEB_IDENTITY):
        return None
    if ACCOUNT_ID.match(value):
        return "account" if value == principal.account else None
    arn = parse_arn(value)
    if arn is None:
        return None
    if arn.service == "iam" and arn.resource == "root":
        return "account" if arn.account == principal.account else None
    if value == principal.arn:
        return {
            USER: "user",
            ROLE: "role",
            ROLE_SESSION: "session",
            FEDERATED_USER: "session",
            ACCOUNT: "account",
        }.get(principal.kind)
    if principal.kind == ROLE_SESSION:
        role = role_name_from_arn(value)
        # Naming a role covers every session of that role (the session ARN omits the role's path).
        if role is not None and role == (principal.account, principal.name):
            return "role"
    return None


def principal_match(spec: object, principal: Principal) -> str | None:
    """The strongest way ``spec`` (a Principal element) names the request's principal, or None."""
    if spec == "*":
        return "wildcard"
    best: str | None = None
    for principal_type, values in spec.items():  # type: ignore[union-attr]
        for value in values:
            if principal_type == "AWS":
                kind = _aws_principal_match(value, principal)
            elif principal_type == "Service":
                kind = (
                    "service"
                    if principal.kind == SERVICE and value.lower() == principal.text.lower()
                    else None
                )
            elif principal_type == "Federated":
                # An identity provider: a provider ARN, or a name such as cognito-identity.amazonaws.com
                kind = (
                    "federated"
                    if principal.kind in (WEB_IDENTITY, SERVICE) and value in (principal.text, principal.name)
                    else None
                )
            else:  # CanonicalUser: an S3 canonical user id, given as the principal itself
                kind = "canonical" if value == principal.text else None
            if kind is not None and (best is None or MATCH_STRENGTH[kind] > MATCH_STRENGTH[best]):
                best = kind
    return best


def _principals_listed(spec: object) -> list[str]:
    if spec == "*":
        return ["*"]
    return [f"{t} {v}" for t, values in spec.items() for v in values]  # type: ignore[union-attr]


def statement_applies(
    statement: Statement,
    kind: str,
    request: RequestView,
    lookup: Lookup | None,
    why: list[Mismatch] | None = None,
) -> str | bool:
    """Whether one statement applies to the request: False when it does not; otherwise, for the
    policies that name principals (resource, RCP, endpoint), how it matched the principal
    ("wildcard", "account", "role" ...), and True for the others.

    ``lookup`` resolves policy variables (None for documents whose Version does not support
    them). Without ``why`` it stops at the first element that fails (the decision needs no
    more); with ``why`` it records in it every element that fails, as the trace shows them
    (conditions only once the other elements match: a condition on a statement for another
    action would only add noise to an explanation). One function for both, so the decision and
    its trace cannot disagree.
    """
    (
        _,
        _,
        effect,
        patterns,
        not_action,
        resources,
        not_resource,
        variables,
        principal_spec,
        not_principal,
        condition,
    ) = statement

    # Action / NotAction: each pattern's test is cached by its text (_action_test); a single
    # pattern is kept as the string itself (no loop)
    action = request.action
    if type(patterns) is str:
        try:  # a subscript, not .get: the cheapest lookup of a hit
            test = _ACTION_TESTS[patterns]
        except KeyError:
            test = _action_test(patterns)
        listed = test is True or (
            test == action if type(test) is str else test.fullmatch(action) is not None  # type: ignore[union-attr]
        )
    else:
        listed = False
        for pattern in patterns:
            try:
                test = _ACTION_TESTS[pattern]
            except KeyError:
                test = _action_test(pattern)
            if test is True or (test == action if type(test) is str else test.fullmatch(action)):  # type: ignore[union-attr]
                listed = True
                break
    if listed is not_action:
        if why is None:
            return False
        why.append(
            Mismatch(
                "NotAction" if not_action else "Action",
                "action-excluded" if not_action else "action-not-listed",
                {"action": request.action_text or action, "patterns": _tuple(patterns)},
            )
        )

    # Resource / NotResource: cached tests for a concrete resource, else the general path
    if resources is not None:
        if variables or request.resource_is_pattern:
            # An Allow needs to overlap the requested set, a Deny must cover all of it; for
            # NotResource, an Allow applies unless the exclusion covers the whole set, a Deny only
            # when no resource of the set falls inside the exclusion.
            covers = (effect == "Deny") is not not_resource
            listed = _resource_in(
                _tuple(resources), request, lookup, glob_covers if covers else globs_intersect
            )
        elif type(resources) is str:
            try:
                test = _RESOURCE_TESTS[resources]
            except KeyError:
                test = _resource_test(resources)
            resource = request.resource
            listed = test is True or (
                test == resource if type(test) is str else test.fullmatch(resource) is not None  # type: ignore[union-attr]
            )
        else:
            resource = request.resource
            listed = False
            for pattern in resources:
                try:
                    test = _RESOURCE_TESTS[pattern]
                except KeyError:
                    test = _resource_test(pattern)
                if test is True or (test == resource if type(test) is str else test.fullmatch(resource)):  # type: ignore[union-attr]
                    listed = True
                    break
        if listed is not_resource:
            if why is None:
                return False
            why.append(
                Mismatch(
                    "NotResource" if not_resource else "Resource",
                    "resource-excluded" if not_resource else "resource-not-listed",
                    {"resource": request.resource, "patterns": _tuple(resources)},
                )
            )

    match_kind: str | bool = True
    if kind in PRINCIPAL_KINDS:
        principal = request.principal
        if principal_spec is not None:
            matched = principal_match(principal_spec, principal)
            if matched is None:
                if why is None:
                    return False
                why.append(
                    Mismatch(
                        "Principal",
                        "principal-not-listed",
                        {"principal": principal.text, "principals": _principals_listed(principal_spec)},
                    )
                )
            else:
                match_kind = matched
        elif not_principal is not None:
            excluded = principal_match(not_principal, principal)
            if excluded == "account" and principal.kind != ACCOUNT:
                # IAM User Guide (NotPrincipal): AWS checks the account, then the user or role, then
                # the session; listing the account exempts the account, not everyone in it.
                excluded = None
            if effect == "Deny" and request.has_boundary:
                # IAM User Guide (NotPrincipal): a Deny with NotPrincipal always denies principals
                # that have a permissions boundary, whatever it lists.
                excluded = None
            if excluded is not None:
                if why is None:
                    return False
                why.append(
                    Mismatch(
                        "NotPrincipal",
                        "principal-excluded",
                        {"principal": principal.text, "principals": _principals_listed(not_principal)},
                    )
                )
            else:
                match_kind = "not-principal"
        elif kind == "endpoint":
            match_kind = "wildcard"  # a VPC endpoint policy without Principal applies to everyone
        else:
            if why is None:
                return False
            why.append(Mismatch("Principal", "no-principal-element", {}))

    if condition is not None:
        if why is None:
            if not conditions_hold(condition, request.context.values, lookup):
                return False
        elif not why:
            why.extend(condition_failures(condition, request.context.values, lookup))
    if why:
        return False
    return match_kind


def statement_trace(
    statement: Statement, kind: str, request: RequestView, lookup: Lookup | None
) -> tuple[StatementTrace, str | None]:
    """The trace of one statement for the request (every element that fails), and how it matched
    the principal (resource-side policies only; None elsewhere or when it does not apply)."""
    why: list[Mismatch] = []
    applies = statement_applies(statement, kind, request, lookup, why)
    trace = StatementTrace(statement[0], statement[1], statement[2], applies is not False, tuple(why))
    return trace, (applies if type(applies) is str else None)
