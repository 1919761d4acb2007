"""Evaluation cases in the shape of iam-simulate's core-engine tests.

One case is ``{"name", "request": {"principal", "action", "resource": {"resource", "accountId"},
"context"}, "identityPolicies", "resourcePolicy", "permissionBoundaries", "sessionPolicy",
"serviceControlPolicies": [{"orgIdentifier", "policies"}], "resourceControlPolicies",
"endpointPolicies", "expected": {"response"}}``; policyproof's request additions include
``"source": {"arn", "account", "orgId", "orgPaths"}`` for a service principal acting for a
resource. Used by ``policyproof evaluate`` and by the
conformance test; policies get names that are their JSON paths in the case, so a trace points at
the place to edit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import Grant, NamedPolicy, PolicySet, Request, ServiceSource, VpcEndpoint
from policyproof.engine.result import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Decision

CASE_KEYS = (
    "name",
    "description",
    "request",
    "identityPolicies",
    "resourcePolicy",
    "permissionBoundaries",
    "sessionPolicy",
    "serviceControlPolicies",
    "resourceControlPolicies",
    "endpointPolicies",
    "grants",
    "simulation",
    "expected",
    "skip",
)
REQUEST_KEYS = (
    "principal",
    "action",
    "resource",
    "context",
    "wildcardOnlyAction",
    # policyproof's additions: what AWS knows of the caller beyond its ARN, and the path it takes
    "rolePath",
    "principalTags",
    "principalUniqueId",
    "principalOrgId",
    "resourceOrgId",
    "endpoint",
    "source",
)
ENDPOINT_KEYS = ("id", "account", "vpc", "orgId")
# A service principal's source resource: aws:SourceArn, aws:SourceAccount, aws:SourceOrgID,
# aws:SourceOrgPaths.
SOURCE_KEYS = ("arn", "account", "orgId", "orgPaths")
GRANT_KEYS = (
    "name",
    "keyArn",
    "grantee",
    "operations",
    "encryptionContextSubset",
    "encryptionContextEquals",
    "retiringPrincipal",
)
LEVEL_KEYS = ("orgIdentifier", "policies")
RESOURCE_KEYS = ("resource", "accountId")
_KEY_SETS = {
    keys: frozenset(keys)
    for keys in (CASE_KEYS, REQUEST_KEYS, LEVEL_KEYS, RESOURCE_KEYS, ENDPOINT_KEYS, GRANT_KEYS, SOURCE_KEYS)
}
_CASE_KEY_SET = _KEY_SETS[CASE_KEYS]
_CASE_SLOTS = {key: index for index, key in enumerate(CASE_KEYS)}
_CASE_KEY_COUNT = len(CASE_KEYS)
_REQUEST_KEY_SET = _KEY_SETS[REQUEST_KEYS]
_RESOURCE_KEY_SET = _KEY_SETS[RESOURCE_KEYS]
_PLAIN_REQUEST_KEY_SET = frozenset(("principal", "action", "resource", "context", "wildcardOnlyAction"))
EXPECTED_RESPONSES: dict[str, Decision] = {
    "Allowed": ALLOW,
    "ImplicitlyDenied": IMPLICIT_DENY,
    "ExplicitlyDenied": EXPLICIT_DENY,
}


@dataclass(slots=True)
class Case:
    name: str
    request: Request
    policies: PolicySet
    expected: Decision | None
    discovery: bool  # iam-simulate's "Discovery" mode: not an AWS decision, skipped by strict runs


def _path(where: str) -> tuple[str | int, ...]:
    """``case[3].request.resource`` -> (3, "request", "resource"); ``case`` is the document itself."""
    steps: list[str | int] = []
    for part in where.replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name and name != "case":
            steps.append(name)
        if index:
            steps.append(int(index))
    return tuple(steps)


def _fail(file: str, where: str, message: str) -> EngineInputError:
    return EngineInputError(f"{where}: {message}", file=file, path=_path(where))


def _singular(key: str) -> str:
    """``resourcePolicies`` and ``ResourcePolicy`` both become ``resourcepolicy``."""
    key = key.lower()
    if key.endswith("ies"):
        return key[:-3] + "y"
    return key[:-1] if key.endswith("s") else key


def _unknown_keys(data: dict, allowed: tuple[str, ...], file: str, where: str, suffix: str = "") -> None:
    if data.keys() <= _KEY_SETS[allowed]:
        return  # the common case: nothing unknown
    where += suffix
    for key in data:
        if key not in allowed:
            singular = _singular(key) if isinstance(key, str) else None
            close = [k for k in allowed if _SINGULARS[k] == singular]  # cheap, common typos first
            close = close or difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(allowed)})"
            raise EngineInputError(
                f"{where}: unknown key {key!r}{hint}", file=file, path=(*_path(where), key)
            )


_SINGULARS = {key: _singular(key) for keys in _KEY_SETS for key in keys}


_EMPTY: list = []


def _document(value: object, file: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(file, where, "must be a policy document (a JSON object with Version and Statement)")
    return value


def _document_list(value: object, file: str, name: str, at: str) -> list[NamedPolicy]:
    """Policies named by their JSON path in the case (``identityPolicies[0]``); errors carry the
    full path from the file's root (``case[3].identityPolicies[0]``)."""
    if type(value) is not list:
        raise _fail(file, f"{at}.{name}", "must be a list of policy documents")
    names = _names(name, len(value))
    policies = []
    for i, document in enumerate(value):
        if type(document) is not dict:
            _document(document, file, f"{at}.{name}[{i}]")  # raises with the message
        policies.append(_named(names[i], document))
    return policies


_NAMES: dict[tuple[str, int], tuple[str, ...]] = {}
_IDENTITY_NAMES = tuple(f"identityPolicies[{i}]" for i in range(16))


def _names(name: str, count: int) -> tuple[str, ...]:
    """``("identityPolicies[0]", "identityPolicies[1]", ...)``: the same few names for every case."""
    names = _NAMES.get((name, count))
    if names is None:
        names = tuple(f"{name}[{i}]" for i in range(count))
        if len(_NAMES) < 1024:
            _NAMES[(name, count)] = names
    return names


def _levels(value: object, file: str, name: str, at: str) -> list[list[NamedPolicy]]:
    if not isinstance(value, list):
        raise _fail(
            file, f"{at}.{name}", 'must be a list of {"orgIdentifier", "policies"} levels, root first'
        )
    if not value:
        return []
    levels = []
    for i, level in enumerate(value):
        here = f"{name}[{i}]"
        if not isinstance(level, dict) or "policies" not in level:
            raise _fail(file, f"{at}.{here}", 'must be an object {"orgIdentifier": ..., "policies": [...]}')
        _unknown_keys(level, LEVEL_KEYS, file, f"{at}.{here}")
        levels.append(_document_list(level["policies"], file, f"{here}.policies", at))
    return levels


def parse_case(data: object, file: str, index: int | None = None) -> Case:
    """One case; raises ``EngineInputError`` naming the file and the JSON path that is wrong."""
    # Read with ``in`` and subscripts, not ``dict.get``: in CPython a method call costs several
    # subscripts, and a case is read once per request. Key sets are checked by counting the keys
    # read against the object's size, falling back to the full check when they differ.
    where = f"case[{index}]" if index is not None else "case"
    if type(data) is not dict and not isinstance(data, dict):
        raise _fail(file, where, "must be a JSON object with request and identityPolicies")
    if len(data) == 4 and "request" in data and "identityPolicies" in data and "name" in data and (
        "expected" in data
    ):
        # The commonest case: just these four keys (``values`` None: every other one is absent).
        name = data["name"]
        request_data = data["request"]
        identity = data["identityPolicies"]
        expected_data = data["expected"]
        values = None
    else:
        # One pass over the case's keys puts each value in its place (CASE_KEYS order); a key that
        # has no place is unknown.
        values = [_MISSING] * _CASE_KEY_COUNT
        try:
            for key, value in data.items():
                values[_CASE_SLOTS[key]] = value
        except (KeyError, TypeError):
            _unknown_keys(data, CASE_KEYS, file, where)  # raises
            raise
        (
            name,
            _description,
            request_data,
            identity,
            resource_policy,
            boundaries,
            session,
            scps,
            rcps,
            endpoints,
            grants,
            simulation,
            expected_data,
            _skip,
        ) = values
    if name is _MISSING:
        name = where
    elif type(name) is not str and not isinstance(name, str):
        raise _fail(file, f"{where}.name", "must be a string")
    if type(request_data) is not dict and not isinstance(request_data, dict):
        raise _fail(file, f"{where}.request", "is missing or not an object with principal, action, resource")
    try:
        principal = request_data["principal"]
        action = request_data["action"]
        resource_data = request_data["resource"]
    except KeyError:
        principal = action = resource_data = _MISSING
    # principal, action, resource, and the two optional keys of a plain request
    known = 3
    if "context" in request_data:
        context = request_data["context"]
        known += 1
    else:
        context = _MISSING
    if "wildcardOnlyAction" in request_data:
        wildcard_only = request_data["wildcardOnlyAction"]
        known += 1
    else:
        wildcard_only = False
    # policyproof's additions to a request are rare: their checks are skipped when it has none.
    plain = len(request_data) == known and resource_data is not _MISSING
    if not plain and not request_data.keys() <= _REQUEST_KEY_SET:
        _unknown_keys(request_data, REQUEST_KEYS, file, where, ".request")
    if resource_data is _MISSING:
        for key in ("principal", "action", "resource"):
            if key not in request_data:
                raise _fail(file, f"{where}.request", f"has no {key!r}")
    if type(principal) is not str and isinstance(principal, dict):
        if principal.get("type") != "Anonymous":
            raise _fail(
                file, f"{where}.request.principal", 'an object principal must be {"type": "Anonymous"}'
            )
        principal = "anonymous"
    if (
        type(resource_data) is dict
        and "resource" in resource_data
        and type(resource := resource_data["resource"]) is str
    ):
        if "accountId" in resource_data:
            account = resource_data["accountId"]
            if len(resource_data) != 2:
                _unknown_keys(resource_data, RESOURCE_KEYS, file, where, ".request.resource")
        else:
            account = None
            if len(resource_data) != 1:
                _unknown_keys(resource_data, RESOURCE_KEYS, file, where, ".request.resource")
    elif isinstance(resource_data, str):
        resource, account = resource_data, None
    elif isinstance(resource_data, dict) and isinstance(resource_data.get("resource"), str):
        if not resource_data.keys() <= _RESOURCE_KEY_SET:
            _unknown_keys(resource_data, RESOURCE_KEYS, file, where, ".request.resource")
        resource, account = resource_data["resource"], resource_data.get("accountId")
    else:
        raise _fail(
            file, f"{where}.request.resource", 'must be {"resource": ARN, "accountId": "123456789012"}'
        )
    if context is _MISSING:
        context = {}
    elif type(context) is not dict and not isinstance(context, dict):
        raise _fail(file, f"{where}.request.context", "must be an object of key -> string or list of strings")
    if wildcard_only is not False and wildcard_only is not True:
        raise _fail(file, f"{where}.request.wildcardOnlyAction", "must be true or false")
    if plain:
        request = _new(Request)  # Request(principal, action, resource, account, context, None,
        request.principal = principal  # wildcard_only), fields set one by one (see _named)
        request.action = action
        request.resource = resource
        request.resource_account = account
        request.context = context
        request.principal_account = None
        request.wildcard_only_action = wildcard_only
        request.role_path = None
        request.principal_tags = None
        request.principal_unique_id = None
        request.principal_org_id = None
        request.resource_org_id = None
        request.endpoint = None
        request.source = None
    else:
        request = Request(
            principal,
            action,
            resource,
            account,
            context,
            wildcard_only_action=wildcard_only,
            **_request_extras(request_data, file, where),
        )

    grants = [] if values is None or grants is _MISSING else _grants(grants, file, where)
    if identity is _MISSING:
        identity = []
    elif type(identity) is list and len(identity) <= 16:  # len(_IDENTITY_NAMES)
        # The common case, inline: a short list of documents.
        documents = identity
        identity = []
        for i, document in enumerate(documents):
            if type(document) is not dict:
                _document(document, file, f"{where}.identityPolicies[{i}]")  # raises with the message
            named = _new(NamedPolicy)  # _named, inline
            named.name = _IDENTITY_NAMES[i]
            named.document = document
            named.compiled = None
            identity.append(named)
    else:
        identity = _document_list(identity, file, "identityPolicies", where)
    # PolicySet's fields set one by one (see _named): its __init__, with four default factories,
    # costs more than the rest of the policy set.
    policies = _new(PolicySet)
    policies.identity = identity
    if values is None:  # only identity policies
        policies.resource = policies.session = None
        policies.boundaries = []
        policies.scps = []
        policies.rcps = []
        policies.endpoints = []
    else:
        if resource_policy is _MISSING or resource_policy is None:
            resource_policy = None
        else:
            if type(resource_policy) is not dict:
                _document(resource_policy, file, f"{where}.resourcePolicy")
            resource_policy = _named("resourcePolicy", resource_policy)
        if session is _MISSING or session is None:
            session = None
        else:
            if type(session) is not dict:
                _document(session, file, f"{where}.sessionPolicy")
            session = _named("sessionPolicy", session)
        policies.resource = resource_policy
        policies.boundaries = (
            [] if boundaries is _MISSING else _document_list(boundaries, file, "permissionBoundaries", where)
        )
        policies.session = session
        policies.scps = [] if scps is _MISSING else _levels(scps, file, "serviceControlPolicies", where)
        policies.rcps = [] if rcps is _MISSING else _levels(rcps, file, "resourceControlPolicies", where)
        policies.endpoints = (
            [] if endpoints is _MISSING else _document_list(endpoints, file, "endpointPolicies", where)
        )
    policies.grants = grants
    expected = None
    if isinstance(expected_data, dict) and "response" in expected_data:
        response = expected_data["response"]
        try:
            expected = EXPECTED_RESPONSES[response]
        except (KeyError, TypeError):
            raise _fail(
                file,
                f"{where}.expected.response",
                f"must be one of {', '.join(EXPECTED_RESPONSES)}, got {response!r}",
            ) from None
    discovery = False
    if values is not None and simulation is not _MISSING:
        discovery = (
            simulation is not None and isinstance(simulation, dict) and simulation.get("mode") == "Discovery"
        )
    case = _new(Case)  # Case(name, request, policies, expected, discovery) (see _named)
    case.name = name
    case.request = request
    case.policies = policies
    case.expected = expected
    case.discovery = discovery
    return case


# A dataclass's __init__ is a Python call from C, which costs more than the object's few fields:
# the objects parse_case makes for every request are made with ``object.__new__`` and their fields
# set one by one (tests/engine/test_fast_paths.py checks they equal the ones __init__ makes).
_new = object.__new__


def _named(name: str, document: dict) -> NamedPolicy:
    """``NamedPolicy(name, document)``, fields set one by one."""
    policy = _new(NamedPolicy)
    policy.name = name
    policy.document = document
    policy.compiled = None
    return policy


_MISSING = object()


def _optional_string(data: dict, key: str, file: str, at: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise _fail(file, f"{at}.{key}", "must be a non-empty string")
    return value


def _string_map(value: object, file: str, at: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _fail(file, at, "must be an object of string keys to string values")
    return value


def _request_extras(request: dict, file: str, where: str) -> dict:
    at = f"{where}.request"
    extras: dict = {
        "role_path": _optional_string(request, "rolePath", file, at),
        "principal_unique_id": _optional_string(request, "principalUniqueId", file, at),
        "principal_org_id": _optional_string(request, "principalOrgId", file, at),
        "resource_org_id": _optional_string(request, "resourceOrgId", file, at),
    }
    if "principalTags" in request:
        extras["principal_tags"] = _string_map(request["principalTags"], file, f"{at}.principalTags")
    endpoint = request.get("endpoint")
    if endpoint is not None:
        here = f"{at}.endpoint"
        if not isinstance(endpoint, dict) or "id" not in endpoint or "account" not in endpoint:
            raise _fail(
                file, here, 'must be {"id": "vpce-…", "account": "111122223333", "vpc": …, "orgId": …}'
            )
        _unknown_keys(endpoint, ENDPOINT_KEYS, file, here)
        fields = [_optional_string(endpoint, key, file, here) for key in ENDPOINT_KEYS]
        extras["endpoint"] = VpcEndpoint(*fields)  # type: ignore[arg-type]
    source = request.get("source")
    if source is not None:
        here = f"{at}.source"
        if not isinstance(source, dict) or not source:
            raise _fail(
                file,
                here,
                'must be {"arn": "arn:aws:cloudtrail:…:trail/NAME", "account": "111122223333", '
                '"orgId": "o-…", "orgPaths": ["o-…/r-…/ou-…/"]} (any of them)',
            )
        _unknown_keys(source, SOURCE_KEYS, file, here)
        paths = source.get("orgPaths")
        if paths is not None and (
            not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths)
        ):
            raise _fail(file, f"{here}.orgPaths", "must be a non-empty list of strings")
        extras["source"] = ServiceSource(
            _optional_string(source, "arn", file, here),
            _optional_string(source, "account", file, here),
            _optional_string(source, "orgId", file, here),
            tuple(paths) if paths is not None else None,
        )
    return extras


def _grants(value: object, file: str, where: str) -> list[Grant]:
    if not isinstance(value, list):
        raise _fail(file, f"{where}.grants", "must be a list of KMS grants")
    grants = []
    for index, raw in enumerate(value):
        here = f"{where}.grants[{index}]"
        if not isinstance(raw, dict):
            raise _fail(file, here, 'must be {"keyArn", "grantee", "operations": [...], ...}')
        _unknown_keys(raw, GRANT_KEYS, file, here)
        for key in ("keyArn", "grantee", "operations"):
            if key not in raw:
                raise _fail(file, here, f"has no {key!r}")
        operations = raw["operations"]
        if not isinstance(operations, list) or not all(isinstance(op, str) for op in operations):
            raise _fail(file, f"{here}.operations", "must be a list of KMS operation names")
        grants.append(
            Grant(
                _optional_string(raw, "name", file, here) or f"grants[{index}]",
                _optional_string(raw, "keyArn", file, here),  # type: ignore[arg-type]
                _optional_string(raw, "grantee", file, here),  # type: ignore[arg-type]
                tuple(operations),
                _string_map(raw["encryptionContextSubset"], file, f"{here}.encryptionContextSubset")
                if "encryptionContextSubset" in raw
                else None,
                _string_map(raw["encryptionContextEquals"], file, f"{here}.encryptionContextEquals")
                if "encryptionContextEquals" in raw
                else None,
                _optional_string(raw, "retiringPrincipal", file, here),
            )
        )
    return grants


def parse_cases(data: object, file: str) -> tuple[list[Case], bool]:
    """The cases of a file and whether it held a list (``True``) or a single case."""
    if isinstance(data, list):
        return [parse_case(item, file, i) for i, item in enumerate(data)], True
    return [parse_case(data, file)], False
