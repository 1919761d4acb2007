"""The request context: condition keys and their values, as the engine sees them.

Keys are case-insensitive in AWS, so they are stored lower-cased; values keep their case. Every
value is kept as a list so single- and multi-valued keys share one code path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    Principal,
    require_arn,
)
from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import Request, ServiceSource

# Organizations: an organization id, and an entity path "o-…/r-…/ou-…/" (AWS Organizations API
# Reference, Organization Id; IAM User Guide, aws:PrincipalOrgPaths / aws:SourceOrgPaths).
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
ORG_PATH = re.compile(r"^o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}/)*$")


@dataclass(slots=True)
class RequestContext:
    values: dict[str, tuple[str, ...]]
    filled: tuple[str, ...]  # keys the engine added itself (reported in the trace)
    filled_values: dict[str, list[str]] | None = None  # and their values, for the trace

    def get(self, key: str) -> tuple[str, ...] | None:
        return self.values.get(key.lower())


def build_context(
    given: Mapping[str, object],
    derived: tuple[tuple[str, str, tuple[str, ...]], ...],
) -> RequestContext:
    """Validate the caller's context and add the global keys AWS itself always sets
    (``derived``, from :func:`derived_keys`).

    AWS puts these keys in every authenticated request, so a policy conditioned on them must see
    them even when a claim does not spell them out; a value given by the caller always wins.
    """
    if type(given) is not dict and not isinstance(given, Mapping):
        raise EngineInputError(
            f"context must be an object of key -> string or list of strings, got {given!r}"
        )
    if not given:
        # The common case (no context given): every derived key is filled; built once per
        # distinct set of derived keys.
        # Shared, not copied: the engine only reads a context, and the trace's copy is read-only.
        return RequestContext(*_only_derived(derived))
    values: dict[str, tuple[str, ...]] = {}
    for key, value in given.items():
        if not isinstance(key, str) or not key:
            raise EngineInputError(f"context key {key!r} must be a non-empty string")
        if isinstance(value, str):
            values[key.lower()] = (value,)
        elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            values[key.lower()] = tuple(value)
        else:
            raise EngineInputError(
                f"context key {key!r} has value {value!r} of type {type(value).__name__}: give a string "
                'or a list of strings (write booleans and numbers as strings, e.g. "true", "3600")'
            )
    filled: list[str] = []
    filled_values: dict[str, list[str]] = {}
    shown = _only_derived(derived)[2]  # the values as the trace shows them, built once
    for key, lower, value in derived:
        if lower not in values:
            values[lower] = value
            filled.append(key)
            filled_values[key] = shown[key]
    return RequestContext(values, tuple(filled), filled_values)


@lru_cache(maxsize=1024)
def _only_derived(
    derived: tuple[tuple[str, str, tuple[str, ...]], ...],
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...], dict[str, list[str]]]:
    values: dict[str, tuple[str, ...]] = {}
    filled: list[str] = []
    for key, lower, value in derived:
        if lower not in values:
            values[lower] = value
            filled.append(key)
    return values, tuple(filled), {key: list(values[key.lower()]) for key in filled}


@lru_cache(maxsize=1024)
def derived_keys(
    principal: Principal, kms_action: bool, resource_account: str | None
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The global keys the engine can derive, as (key, lower-case key, values)."""
    keys: list[tuple[str, str | None]] = []
    # aws:PrincipalArn / aws:PrincipalAccount are set for every signed request; for a role
    # session AWS reports the role's ARN, not the session's.
    if principal.account is not None and principal.kind in (
        USER,
        ROLE,
        ROLE_SESSION,
        FEDERATED_USER,
        ACCOUNT,
    ):
        keys.append(("aws:PrincipalArn", principal.identity_arn))
        keys.append(("aws:PrincipalAccount", principal.account))
    # aws:ResourceAccount: the owner of the resource, known from the request.
    if resource_account is not None:
        keys.append(("aws:ResourceAccount", resource_account))
    # kms:CallerAccount: KMS sets it to the caller's account on every KMS request; the AWS managed
    # key policies rely on it to keep other accounts out.
    if kms_action and principal.account is not None:
        keys.append(("kms:CallerAccount", principal.account))
    # aws:username exists only for IAM users (the user's friendly name); aws:userid for the root
    # user is the account id, for a federated user ACCOUNT:NAME (IAM User Guide, "Policy
    # variables", principal key values). Users' and roles' unique ids (AIDA…, AROA…:session)
    # cannot be derived from an ARN: see request_keys.
    if principal.kind == USER:
        keys.append(("aws:username", principal.name))
    elif principal.kind == ACCOUNT:
        keys.append(("aws:userid", principal.account))
    elif principal.kind == FEDERATED_USER:
        keys.append(("aws:userid", f"{principal.account}:{principal.name}"))
    # aws:PrincipalIsAWSService is in every signed request: true only for AWS service principals,
    # which also set aws:PrincipalServiceName (IAM User Guide, global condition context keys).
    if principal.kind == SERVICE:
        keys.append(("aws:PrincipalIsAWSService", "true"))
        keys.append(("aws:PrincipalServiceName", principal.text))
    elif principal.account is not None and principal.kind in (
        USER,
        ROLE,
        ROLE_SESSION,
        FEDERATED_USER,
        ACCOUNT,
    ):
        keys.append(("aws:PrincipalIsAWSService", "false"))
        # The principal's own call (IAM User Guide, aws:ViaAWSService: present in every request);
        # a call a service makes for it, a forward access session, says "true": flows set that.
        keys.append(("aws:ViaAWSService", "false"))
    return tuple((key, key.lower(), (value,)) for key, value in keys if value is not None)


def request_keys(request: Request, principal: Principal) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Global keys from what the request says of the caller beyond its ARN (tags, unique id,
    organization) and of its path (a VPC endpoint). Empty for a plain request."""
    keys: list[tuple[str, str | tuple[str, ...]]] = []
    tags = request.principal_tags
    if tags:
        if not isinstance(tags, Mapping) or not all(
            isinstance(k, str) and k and isinstance(v, str) for k, v in tags.items()
        ):
            raise EngineInputError(f"principal_tags must map tag keys to string values, got {tags!r}")
        for tag, value in tags.items():
            keys.append((f"aws:PrincipalTag/{tag}", value))
    unique_id = request.principal_unique_id
    if unique_id:
        if principal.kind == USER:
            keys.append(("aws:userid", unique_id))
        elif principal.kind == ROLE_SESSION:
            keys.append(("aws:userid", f"{unique_id}:{principal.session_name}"))
    if request.principal_org_id and principal.account is not None:
        keys.append(("aws:PrincipalOrgID", request.principal_org_id))
    if request.resource_org_id:
        keys.append(("aws:ResourceOrgID", request.resource_org_id))
    endpoint = request.endpoint
    if endpoint is not None:
        # IAM User Guide, global condition context keys: requests through a VPC endpoint carry
        # aws:SourceVpce, aws:SourceVpc, and (for supported services) aws:VpceAccount and
        # aws:VpceOrgID of the endpoint's owner.
        keys.append(("aws:SourceVpce", endpoint.id))
        keys.append(("aws:VpceAccount", endpoint.account))
        if endpoint.vpc:
            keys.append(("aws:SourceVpc", endpoint.vpc))
        if endpoint.org_id:
            keys.append(("aws:VpceOrgID", endpoint.org_id))
    if request.source is not None:
        keys.extend(source_keys(request.source, principal))
    return tuple((key, key.lower(), value if isinstance(value, tuple) else (value,)) for key, value in keys)


# Where a source error points in a case file (``policyproof evaluate``): relative to the case.
_SOURCE = ("request", "source")


def source_keys(source: ServiceSource, principal: Principal) -> list[tuple[str, str | tuple[str, ...]]]:
    """aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, aws:SourceOrgPaths of a service principal
    acting for a resource (IAM User Guide, "AWS global condition context keys": each is in the
    request context only "when a call is made to your resource directly by an AWS service
    principal on behalf of a resource for which the configuration triggered the service-to-service
    request"; aws:SourceOrgID / aws:SourceOrgPaths only when that resource's account is a member
    of an organization). An IAM principal's request never carries them, so giving a source for one
    is an input error, not a silent extra key."""
    if not isinstance(source, ServiceSource):
        raise EngineInputError(
            f"source must be a ServiceSource(arn, account, org_id, org_paths), got {source!r}", path=_SOURCE
        )
    if principal.kind != SERVICE:
        raise EngineInputError(
            f"a source (aws:SourceArn, aws:SourceAccount, aws:SourceOrgID) belongs to an AWS service "
            f"principal acting for a resource, such as cloudtrail.amazonaws.com; {principal.text!r} is a "
            f"{principal.kind} principal: drop the source, or put the keys in the context if you mean them",
            path=_SOURCE,
        )
    keys: list[tuple[str, str | tuple[str, ...]]] = []
    if source.arn is not None:
        if not isinstance(source.arn, str):
            raise EngineInputError(f"source ARN must be a string, got {source.arn!r}", path=(*_SOURCE, "arn"))
        try:
            arn = require_arn(source.arn, "source ARN")
        except EngineInputError as error:
            raise EngineInputError(error.message, path=(*_SOURCE, "arn")) from None
        if source.account is not None and ACCOUNT_ID.match(arn.account) and arn.account != source.account:
            raise EngineInputError(
                f"source ARN {source.arn} is in account {arn.account}, but the source account is "
                f"{source.account!r}: AWS sets aws:SourceAccount to the account that owns the source "
                "resource",
                path=(*_SOURCE, "account"),
            )
        keys.append(("aws:SourceArn", source.arn))
    if source.account is not None:
        if not isinstance(source.account, str) or not ACCOUNT_ID.match(source.account):
            raise EngineInputError(
                f"source account {source.account!r} must be a 12-digit account id", path=(*_SOURCE, "account")
            )
        keys.append(("aws:SourceAccount", source.account))
    if source.org_id is not None:
        if not isinstance(source.org_id, str) or not ORG_ID.match(source.org_id):
            raise EngineInputError(
                f"source organization id {source.org_id!r} is not an organization id (o- and 10 to 32 "
                "lower-case letters or digits, e.g. o-a1b2c3d4e5)",
                path=(*_SOURCE, "orgId"),
            )
        keys.append(("aws:SourceOrgID", source.org_id))
    if source.org_paths is not None:
        paths = source.org_paths
        if isinstance(paths, str) or not isinstance(paths, list | tuple) or not paths:
            raise EngineInputError(
                f"source organization paths must be a non-empty list of paths, got {paths!r}",
                path=(*_SOURCE, "orgPaths"),
            )
        for path in paths:
            if not isinstance(path, str) or not ORG_PATH.match(path):
                raise EngineInputError(
                    f"source organization path {path!r} is not an Organizations entity path "
                    "(o-ORG/r-ROOT/ou-…/, ending with '/', e.g. o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/)",
                    path=(*_SOURCE, "orgPaths"),
                )
            if source.org_id is not None and not path.startswith(source.org_id + "/"):
                raise EngineInputError(
                    f"source organization path {path!r} is not in organization {source.org_id}",
                    path=(*_SOURCE, "orgPaths"),
                )
        keys.append(("aws:SourceOrgPaths", tuple(paths)))
    return keys
