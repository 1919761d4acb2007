"""The request context: condition keys and their values, as the engine sees them.

Keys are case-insensitive in AWS, so they are stored lower-cased; values keep their case. Every
value is kept as a list so single- and multi-valued keys share one code path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from policyproof.engine.arns import ACCOUNT, FEDERATED_USER, ROLE, ROLE_SESSION, USER, Principal
from policyproof.engine.errors import EngineInputError


@dataclass(slots=True)
class RequestContext:
    values: dict[str, tuple[str, ...]]
    filled: tuple[str, ...]  # keys the engine added itself (reported in the trace)

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
    for key, lower, value in derived:
        if lower not in values:
            values[lower] = value
            filled.append(key)
    return RequestContext(values, tuple(filled))


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
    # user is the account id. Other principals' unique ids (AIDA..., AROA...:session) cannot be
    # derived from an ARN, so they are left to the caller.
    if principal.kind == USER:
        keys.append(("aws:username", principal.name))
    elif principal.kind == ACCOUNT:
        keys.append(("aws:userid", principal.account))
    return tuple((key, key.lower(), (value,)) for key, value in keys if value is not None)
