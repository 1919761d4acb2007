"""Policy documents: shape checks, and whether one statement applies to one request.

A statement applies when its action, resource and principal elements match and all its
conditions hold. The trace records, for a statement that does not apply, every element that
failed (conditions are only examined once the other elements match: a condition on a statement
for another action would only add noise to an explanation).
"""

from __future__ import annotations

import copy
import json
import re
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
from policyproof.engine.conditions import check_condition_block, validate_condition_block
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


@dataclass(slots=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    action: tuple[str, ...] | None
    not_action: tuple[str, ...] | None
    resource: tuple[str, ...] | None
    not_resource: tuple[str, ...] | None
    principal: object | None  # "*" or {type: (values...)}
    not_principal: object | None
    condition: dict | None
    # Precompiled once per document: regexes of Action/NotAction (case-insensitive), and of
    # Resource/NotResource when no pattern holds a policy variable (None: substitute per request).
    action_regexes: tuple[re.Pattern[str], ...] = ()
    resource_regexes: tuple[re.Pattern[str], ...] | None = None


@dataclass(slots=True)
class CompiledPolicy:
    name: str
    kind: str
    statements: tuple[Statement, ...]
    variables: bool  # Version 2012-10-17: ${...} are policy variables


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


# Claims and benchmarks evaluate the same documents over and over. Documents are dicts (not
# hashable), so the cache is keyed by identity and keeps the document alive (its id cannot be
# reused). A document changed in place must be compiled again, so a hit is trusted only against a
# copy taken when it was compiled. The copy costs more than most compilations, so it is taken only
# the second time a document is seen: a document seen once (every policy of a benchmark's unique
# pass, or of a one-off CLI case) is compiled and never copied.
_COMPILED: dict[tuple[int, str, str], tuple[object, object, CompiledPolicy]] = {}
_COMPILED_LIMIT = 4096
_NOT_COPIED = object()
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _copy(document: object) -> object:
    try:
        return json.loads(_encode(document))  # the C codec: several times faster than deepcopy
    except (TypeError, ValueError, RecursionError):
        return copy.deepcopy(document)


def compiled_policy(name: str, kind: str, document: object) -> CompiledPolicy:
    """``compile_policy`` with a cache; raises ``EngineInputError`` for a malformed document."""
    key = (id(document), name, kind)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is document:
        if hit[1] is not _NOT_COPIED and hit[1] == document:
            return hit[2]
        compiled = _compile(name, kind, document)
        _COMPILED[key] = (document, _copy(document), compiled)
        return compiled
    compiled = _compile(name, kind, document)
    if len(_COMPILED) >= _COMPILED_LIMIT:
        _COMPILED.clear()
    _COMPILED[key] = (document, _NOT_COPIED, compiled)
    return compiled


def _compile(name: str, kind: str, document: object) -> CompiledPolicy:
    where = f"{kind} policy {name!r}"
    if not isinstance(document, dict):
        raise EngineInputError(
            f"{where} is not a policy document: expected a JSON object with a Statement", policy=name
        )
    if "Statement" not in document:
        raise EngineInputError(f"{where} is not a policy document: it has no Statement element", policy=name)
    raw_statements = document["Statement"]
    single = isinstance(raw_statements, dict)
    if single:
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise EngineInputError(
            f"{where}: Statement must be an object or a list of objects", path=("Statement",), policy=name
        )
    statements = []
    version = document.get("Version")
    if "Version" in document and version not in KNOWN_VERSIONS:
        raise EngineInputError(
            f'{where}: Version must be the string "2012-10-17" (or the older "2008-10-17"), got '
            f"{version!r}; AWS refuses any other value",
            path=("Version",),
            policy=name,
        )
    variables = version == VARIABLES_VERSION
    for index, raw in enumerate(raw_statements):
        try:
            statements.append(_statement(raw, index, f"{where} statement #{index + 1}", variables))
        except EngineInputError as error:
            error.path = (("Statement",) if single else ("Statement", index)) + error.path
            error.policy = name
            raise
    return CompiledPolicy(name, kind, tuple(statements), variables)


def _statement(raw: object, index: int, where: str, variables: bool) -> Statement:
    if not isinstance(raw, dict):
        raise EngineInputError(f"{where} must be an object")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise EngineInputError(f"{where}: Sid must be a string")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise EngineInputError(f'{where}: Effect must be "Allow" or "Deny", got {effect!r}')
    if ("Action" in raw) == ("NotAction" in raw):
        raise EngineInputError(f"{where}: give exactly one of Action or NotAction")
    if "Resource" in raw and "NotResource" in raw:
        raise EngineInputError(f"{where}: give only one of Resource or NotResource")
    if "Principal" in raw and "NotPrincipal" in raw:
        raise EngineInputError(f"{where}: give only one of Principal or NotPrincipal")
    condition = raw.get("Condition")
    if condition is not None:
        validate_condition_block(condition, where)

    action = _strings(raw["Action"], where, "Action") if "Action" in raw else None
    not_action = _strings(raw["NotAction"], where, "NotAction") if action is None else None
    resource = _strings(raw["Resource"], where, "Resource") if "Resource" in raw else None
    not_resource = _strings(raw["NotResource"], where, "NotResource") if "NotResource" in raw else None
    resource_patterns = resource if resource is not None else not_resource
    # Fail closed: a Deny's Resource (an Allow's NotResource) that is not an ARN would silently
    # match nothing, and so deny (exclude) nothing. AWS refuses such a policy.
    risky = resource if effect == "Deny" else not_resource
    for pattern in risky or ():
        if _not_an_arn(pattern):
            element = "Resource" if effect == "Deny" else "NotResource"
            raise EngineInputError(
                f"{where}: {element} {pattern!r} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:"
                f'RESOURCE) or "*"; a {effect} with it would silently not apply, so it cannot be evaluated',
                path=(element,),
            )
    has_variables = variables and any("${" in p for p in resource_patterns or ())
    return Statement(
        index=index,
        sid=sid or None,
        effect=effect,
        action=action,
        not_action=not_action,
        resource=resource,
        not_resource=not_resource,
        principal=_principal_element(raw["Principal"], where, "Principal") if "Principal" in raw else None,
        not_principal=(
            _principal_element(raw["NotPrincipal"], where, "NotPrincipal") if "NotPrincipal" in raw else None
        ),
        condition=condition or None,
        # Action names are case-insensitive; resources are not.
        action_regexes=tuple(
            wildcard_regex(p, True) for p in (action if action is not None else not_action or ())
        ),
        resource_regexes=(
            None if has_variables else tuple(wildcard_regex(p) for p in resource_patterns or ())
        ),
    )


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


def _any_fullmatch(regexes: Sequence[re.Pattern[str]], text: str) -> bool:
    for regex in regexes:  # noqa: SIM110 - a plain loop beats any(generator) on this hot path
        if regex.fullmatch(text):
            return True
    return False


def _resource_matches(
    statement: Statement, patterns: Sequence[str], resource: str, lookup: Lookup | None
) -> bool:
    if statement.resource_regexes is not None:
        return _any_fullmatch(statement.resource_regexes, resource)
    return any(matches_pattern(pattern, resource, lookup) for pattern in patterns)


def _expanded(patterns: Sequence[str], lookup: Lookup | None) -> list[str]:
    out: list[str] = []
    for pattern in patterns:
        out.extend(expand_literal(pattern, lookup) or [])
    return out


def _resource_in(
    statement: Statement,
    patterns: Sequence[str],
    request: RequestView,
    lookup: Lookup | None,
    set_test: Callable[[str, str], bool],
) -> bool:
    """Whether the request's resource falls under ``patterns`` (Resource and NotResource alike).

    A resource given as a pattern is a set of resources: ``set_test`` (covers or intersects) says
    which relation between two sets counts, and the caller chooses it by the statement's effect.
    """
    if request.resource_is_pattern:
        return any(set_test(p, request.resource) for p in _expanded(patterns, lookup))
    return _resource_matches(statement, patterns, request.resource, lookup)


def _resource_mismatch(statement: Statement, request: RequestView, lookup: Lookup | None) -> Mismatch | None:
    """None when the Resource/NotResource element lets the statement apply."""
    resource = request.resource
    if statement.resource is not None:
        patterns = statement.resource
        # An Allow needs to overlap the requested set; a Deny must cover all of it.
        test = glob_covers if statement.effect == "Deny" else globs_intersect
        if not _resource_in(statement, patterns, request, lookup, test):
            return Mismatch("Resource", "resource-not-listed", {"resource": resource, "patterns": patterns})
        return None
    if statement.not_resource is not None:
        patterns = statement.not_resource
        # An Allow applies unless the exclusion covers the whole set; a Deny only when no
        # resource of the set falls inside the exclusion.
        test = glob_covers if statement.effect == "Allow" else globs_intersect
        if _resource_in(statement, patterns, request, lookup, test):
            return Mismatch("NotResource", "resource-excluded", {"resource": resource, "patterns": patterns})
    return None


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


def match_statement(
    statement: Statement,
    policy: CompiledPolicy,
    request: RequestView,
    lookup: Lookup | None,
) -> tuple[StatementTrace, str | None]:
    """Trace of one statement for the request, and how it matched the principal (resource-side
    policies only; None elsewhere or when it does not apply). ``lookup`` resolves policy
    variables (None for documents whose Version does not support them)."""
    mismatches: list[Mismatch] = []

    # Action / NotAction (the loops are inlined: this is the engine's innermost path)
    action_listed = False
    for regex in statement.action_regexes:
        if regex.fullmatch(request.action):
            action_listed = True
            break
    if statement.action is not None:
        if not action_listed:
            mismatches.append(
                Mismatch(
                    "Action",
                    "action-not-listed",
                    {"action": request.action_text or request.action, "patterns": statement.action},
                )
            )
    elif action_listed:
        mismatches.append(
            Mismatch(
                "NotAction",
                "action-excluded",
                {
                    "action": request.action_text or request.action,
                    "patterns": statement.not_action or (),
                },
            )
        )

    # Resource / NotResource: precompiled regexes for a concrete resource, else the general path
    regexes = statement.resource_regexes
    if regexes is not None and not request.resource_is_pattern:
        resource_listed = False
        for regex in regexes:
            if regex.fullmatch(request.resource):
                resource_listed = True
                break
        if statement.resource is not None:
            if not resource_listed:
                mismatches.append(
                    Mismatch(
                        "Resource",
                        "resource-not-listed",
                        {"resource": request.resource, "patterns": statement.resource},
                    )
                )
        elif statement.not_resource is not None and resource_listed:
            mismatches.append(
                Mismatch(
                    "NotResource",
                    "resource-excluded",
                    {"resource": request.resource, "patterns": statement.not_resource},
                )
            )
    else:
        resource_mismatch = _resource_mismatch(statement, request, lookup)
        if resource_mismatch is not None:
            mismatches.append(resource_mismatch)

    match_kind: str | None = None
    if policy.kind in PRINCIPAL_KINDS:
        principal = request.principal
        if statement.principal is not None:
            match_kind = principal_match(statement.principal, principal)
            if match_kind is None:
                mismatches.append(
                    Mismatch(
                        "Principal",
                        "principal-not-listed",
                        {"principal": principal.text, "principals": _principals_listed(statement.principal)},
                    )
                )
        elif statement.not_principal is not None:
            excluded = principal_match(statement.not_principal, principal)
            if excluded == "account" and principal.kind != ACCOUNT:
                # IAM User Guide (NotPrincipal): AWS checks the account, then the user or role, then
                # the session; listing the account exempts the account, not everyone in it.
                excluded = None
            if statement.effect == "Deny" and request.has_boundary:
                # IAM User Guide (NotPrincipal): a Deny with NotPrincipal always denies principals
                # that have a permissions boundary, whatever it lists.
                excluded = None
            if excluded is not None:
                mismatches.append(
                    Mismatch(
                        "NotPrincipal",
                        "principal-excluded",
                        {
                            "principal": principal.text,
                            "principals": _principals_listed(statement.not_principal),
                        },
                    )
                )
            else:
                match_kind = "not-principal"
        elif policy.kind == "endpoint":
            match_kind = "wildcard"  # a VPC endpoint policy without Principal applies to everyone
        else:
            mismatches.append(Mismatch("Principal", "no-principal-element", {}))

    if not mismatches and statement.condition:
        mismatches.extend(check_condition_block(statement.condition, request.context, lookup))

    applies = not mismatches
    trace = StatementTrace(statement.index, statement.sid, statement.effect, applies, tuple(mismatches))
    return trace, (match_kind if applies else None)
