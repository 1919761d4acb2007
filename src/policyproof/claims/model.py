"""The loaded claims file: accounts, resources, principals and claims, resolved to engine objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policyproof.check.findings import InputError
from policyproof.engine import NamedPolicy
from policyproof.engine.explain import DROPPED_STATEMENTS_MARK
from policyproof.engine.flows import (
    FULL_AWS_ACCESS,
    Organization,
    Principal,
    Resource,
    World,
)
from policyproof.engine.managed_keys import managed_key_policy
from policyproof.engine.model import Grant, ServiceSource, VpcEndpoint
from policyproof.engine.result import Decision

CLAIMS_FILE_NAME = "claims.yaml"
# ``without: ["grant:NAME"]`` leaves a KMS grant out of a claim's world.
GRANT_PREFIX = "grant:"

Path_ = tuple[str | int, ...]


class ClaimsError(InputError):
    """A claims file that cannot be proved: bad YAML, wrong shape, unknown name, missing file."""


# --------------------------------------------------------------------------------------------
# The loaded claims file.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    arn: str
    account: str
    policy: str | None = None  # key into ClaimsFile.policies
    managed: str | None = None  # alias of an AWS managed key, e.g. aws/s3
    encryption_key: str | None = None
    bucket_key: bool = False
    shared_with: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PrincipalSpec:
    """A caller. For an AWS service principal ``arn`` is the service principal's name
    (``cloudtrail.amazonaws.com``), ``account`` is None (it belongs to no account) and ``source``
    holds the resource it acts for."""

    name: str
    arn: str
    account: str | None
    policies: tuple[str, ...] = ()
    boundaries: tuple[str, ...] = ()
    session_policies: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    role_path: str | None = None
    unique_id: str | None = None
    source: ServiceSource | None = None

    @property
    def is_service(self) -> bool:
        return self.account is None


@dataclass(frozen=True)
class OrganizationSpec:
    id: str
    accounts: frozenset[str]  # 12-digit ids of the organization's accounts
    scps: tuple[str, ...] = ()
    rcps: tuple[str, ...] = ()
    full_aws_access: bool = True
    management_account: str | None = None  # one of ``accounts``: no SCP or RCP applies to it


@dataclass(frozen=True)
class EndpointSpec:
    name: str
    id: str
    account: str
    vpc: str | None = None
    policy: str | None = None


@dataclass(frozen=True)
class GrantSpec:
    name: str
    key: str  # resource name
    grantee: str  # principal ARN or service principal
    operations: tuple[str, ...]
    encryption_context_subset: Mapping[str, str] | None = None
    encryption_context_equals: Mapping[str, str] | None = None
    retiring_principal: str | None = None  # ARN


@dataclass(frozen=True)
class RequestSpec:
    principal: str
    action: str
    resource: str  # resource name, or name/suffix for an S3 object
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    endpoint: str | None = None  # name in ClaimsFile.endpoints


@dataclass(frozen=True)
class Claim:
    id: str
    text: Mapping[str, str]
    expect: Decision
    file: str
    line: int
    request: RequestSpec | None = None
    flow: Mapping[str, Any] | None = None
    without: tuple[str, ...] = ()
    replace: Mapping[str, str] = field(default_factory=dict)
    denied_at: str | None = None
    rule: str | None = None

    def describe(self) -> str:
        """The request or flow in one line, for tables and failure messages."""
        if self.request is not None:
            r = self.request
            return f"{r.principal} → {r.action} on {r.resource}"
        assert self.flow is not None
        params = ", ".join(f"{k}={v}" for k, v in self.flow.items() if k not in ("name", "principal"))
        return f"flow {self.flow['name']} as {self.flow['principal']} ({params})"


@dataclass(frozen=True)
class ClaimsFile:
    path: Path
    accounts: Mapping[str, str]
    region: str
    resources: Mapping[str, ResourceSpec]
    principals: Mapping[str, PrincipalSpec]
    policies: Mapping[str, NamedPolicy]  # every policy any resource, principal or claim refers to
    claims: tuple[Claim, ...]
    organization: OrganizationSpec | None = None
    endpoints: Mapping[str, EndpointSpec] = field(default_factory=dict)
    grants: Mapping[str, GrantSpec] = field(default_factory=dict)
    # ``for_all:`` universal claims (policyproof.symbolic.claims.ForAllSpec; typed loosely here:
    # the symbolic package imports this module).
    for_all: tuple[Any, ...] = ()

    def world(self, claim: Claim | None = None) -> World:
        """Principals and resources with their policies, after the claim's ``without``/``replace``."""
        edits = _PolicyEdits(self, claim) if claim is not None else None

        def policy(ref: str | None) -> NamedPolicy | None:
            if ref is None:
                return None
            return edits.apply(ref) if edits else self.policies[ref]

        def policies(refs: Sequence[str]) -> tuple[NamedPolicy, ...]:
            return tuple(p for p in (policy(ref) for ref in refs) if p is not None)

        world_resources = {}
        for spec in self.resources.values():
            if spec.managed and spec.policy is None:
                # No file shows it: the data's policy, under a language-neutral name.
                resource_policy: NamedPolicy | None = NamedPolicy(
                    f"{spec.managed} ({spec.account})",
                    managed_key_policy(spec.managed, spec.account, self.region),
                )
            else:
                # A managed key's file was checked against the data when loaded, so the policy
                # proved is the one the page shows (and claims can drop its statements).
                resource_policy = policy(spec.policy)
            world_resources[spec.name] = Resource(
                spec.name,
                spec.arn,
                spec.account,
                resource_policy,
                spec.encryption_key,
                spec.bucket_key,
                spec.shared_with,
                spec.managed,
            )
        world_principals = {
            spec.name: Principal(
                spec.name,
                spec.arn,
                spec.account,
                policies(spec.policies),
                policies(spec.boundaries),
                policies(spec.session_policies),
                dict(spec.tags),
                spec.role_path,
                spec.unique_id,
                spec.source,
            )
            for spec in self.principals.values()
        }
        organization = None
        if self.organization is not None:
            org = self.organization
            scps = list(policies(org.scps))
            if org.full_aws_access:
                scps.insert(0, FULL_AWS_ACCESS)
            organization = Organization(
                org.id, org.accounts, tuple(scps), policies(org.rcps), org.management_account
            )
        endpoints = {
            spec.name: (
                VpcEndpoint(
                    spec.id,
                    spec.account,
                    spec.vpc,
                    organization.id if organization and spec.account in organization.accounts else None,
                ),
                policy(spec.policy),
            )
            for spec in self.endpoints.values()
        }
        dropped_grants = {ref[len(GRANT_PREFIX) :] for ref in claim.without} if claim else set()
        grants = tuple(
            Grant(
                spec.name,
                self.resources[spec.key].arn,
                spec.grantee,
                spec.operations,
                spec.encryption_context_subset,
                spec.encryption_context_equals,
                spec.retiring_principal,
            )
            for spec in self.grants.values()
            if spec.name not in dropped_grants
        )
        return World(self.region, world_principals, world_resources, organization, endpoints, grants)


class _PolicyEdits:
    """A claim's ``without`` and ``replace`` applied to the file's policies."""

    def __init__(self, claims_file: ClaimsFile, claim: Claim) -> None:
        self.policies = claims_file.policies
        self.dropped = {ref for ref in claim.without if "#" not in ref}
        self.dropped_statements: dict[str, list[str]] = {}
        for ref in claim.without:
            if "#" in ref and not ref.startswith(GRANT_PREFIX):
                name, _, statement = ref.partition("#")
                self.dropped_statements.setdefault(name, []).append(statement)
        self.replacements = dict(claim.replace)

    def apply(self, ref: str) -> NamedPolicy | None:
        if ref in self.dropped:
            return None
        if ref in self.replacements:
            return self.policies[self.replacements[ref]]
        selectors = self.dropped_statements.get(ref)
        policy = self.policies[ref]
        return _without_statements(policy, selectors) if selectors else policy


def _statements(document: Mapping[str, Any]) -> list[Any]:
    statements = document.get("Statement", [])
    return list(statements) if isinstance(statements, list) else [statements]


def _statement_index(document: Mapping[str, Any], selector: str) -> int | None:
    statements = _statements(document)
    for index, statement in enumerate(statements):
        if isinstance(statement, dict) and statement.get("Sid") == selector:
            return index
    if selector.isdigit() and 1 <= int(selector) <= len(statements):
        return int(selector) - 1
    return None


def _without_statements(policy: NamedPolicy, selectors: Sequence[str]) -> NamedPolicy:
    # Resolve every selector against the original list first: removing one statement would
    # shift the 1-based positions of the next.
    drop = {_statement_index(policy.document, selector) for selector in selectors}
    assert None not in drop  # checked when the claims file was loaded
    statements = [st for index, st in enumerate(_statements(policy.document)) if index not in drop]
    # A language-neutral name ("file − Sid"): explanations put it into words in each language.
    name = DROPPED_STATEMENTS_MARK.join([policy.name, *selectors])
    return NamedPolicy(name, {**policy.document, "Statement": statements})
