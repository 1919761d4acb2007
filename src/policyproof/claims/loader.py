"""Loading ``claims.yaml``: read with positions and its shape checked (``claims/source.py``),
then its names resolved and its policy files read.

Every error names the file, line and column and says how to fix it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policyproof.check.document import Node, parse_json
from policyproof.check.findings import InputError
from policyproof.claims.model import (
    GRANT_PREFIX,
    Claim,
    ClaimsError,
    ClaimsFile,
    EndpointSpec,
    GrantSpec,
    OrganizationSpec,
    Path_,
    PrincipalSpec,
    RequestSpec,
    ResourceSpec,
    _statement_index,
)
from policyproof.claims.policy_files import (
    accepted_kinds,
    first_difference,
    kind_of,
    kind_words,
    resource_policy_kind,
    suffix_of,
)
from policyproof.claims.source import Located, check_shape, compose
from policyproof.engine import NamedPolicy
from policyproof.engine.arns import SERVICE_PRINCIPAL, parse_principal
from policyproof.engine.errors import EngineInputError
from policyproof.engine.flows import (
    FLOWS,
)
from policyproof.engine.managed_keys import managed_key_aliases, managed_key_policy
from policyproof.engine.model import GRANT_OPERATIONS, ServiceSource
from policyproof.engine.validate import blocking_findings
from policyproof.engine.validate import checker_kind as validate_checker_kind

# --------------------------------------------------------------------------------------------
# Loading: names resolved, policy files read.
# --------------------------------------------------------------------------------------------

# Principal fields for a service principal's source resource, and fields only IAM principals have.
_SOURCE_FIELDS = ("source_arn", "source_account", "source_org_id", "source_org_paths")
_IAM_ONLY_FIELDS = ("policies", "boundaries", "session_policies", "tags", "role_path", "unique_id")


def load_claims(path: str | Path) -> ClaimsFile:
    """Read and check ``path``; raises :class:`ClaimsError` naming file, line and column."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClaimsError(file, "claims file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ClaimsError(file, f"cannot read the claims file: {error}") from None
    data, located = compose(text, file)
    check_shape(data, located)
    return _Loader(path, data, located).load()


class _Loader:
    def __init__(self, path: Path, data: dict[str, Any], located: Located) -> None:
        self.folder = path.parent
        self.path = path
        self.data = data
        self.located = located
        self.accounts: dict[str, str] = dict(data["accounts"])
        self.policies: dict[str, NamedPolicy] = {}
        self.policy_nodes: dict[str, Node] = {}  # policy files as parsed, with positions

    def error(self, where: Path_, message: str, *, at_key: bool = False) -> ClaimsError:
        return self.located.error(where, message, at_key=at_key)

    def load(self) -> ClaimsFile:
        resources = {name: self.resource(name, spec) for name, spec in self.data["resources"].items()}
        principals = {
            name: self.principal(name, spec) for name, spec in (self.data.get("principals") or {}).items()
        }
        for name, spec in resources.items():
            if spec.encryption_key is not None:
                self.check_name(
                    spec.encryption_key, resources, ("resources", name, "encryption", "key"), "resource"
                )
        self.organization_spec = self.organization()
        self.endpoint_specs = {
            name: self.endpoint(name, spec) for name, spec in (self.data.get("endpoints") or {}).items()
        }
        self.grant_specs = {
            name: self.grant(name, spec, resources, principals)
            for name, spec in (self.data.get("grants") or {}).items()
        }
        claims = []
        seen_ids: dict[str, int] = {}
        for index, raw in enumerate(self.data["claims"]):
            claim = self.claim(index, raw, resources, principals)
            if claim.id in seen_ids:
                raise self.error(
                    ("claims", index, "id"),
                    f"claim id {claim.id!r} is used twice (first on line "
                    f"{seen_ids[claim.id]}); ids must be unique within the page",
                )
            seen_ids[claim.id] = claim.line
            claims.append(claim)
        for_all = []
        for index, raw in enumerate(self.data.get("for_all") or ()):
            spec = self.for_all_spec(index, raw, resources, principals)
            if spec.id in seen_ids:
                raise self.error(
                    ("for_all", index, "id"),
                    f"claim id {spec.id!r} is used twice (first on line "
                    f"{seen_ids[spec.id]}); ids must be unique within the page",
                )
            seen_ids[spec.id] = spec.line
            for_all.append(spec)
        return ClaimsFile(
            self.path,
            self.accounts,
            self.data["region"],
            resources,
            principals,
            self.policies,
            tuple(claims),
            self.organization_spec,
            self.endpoint_specs,
            self.grant_specs,
            tuple(for_all),
        )

    def for_all_spec(
        self,
        index: int,
        raw: dict[str, Any],
        resources: Mapping[str, ResourceSpec],
        principals: Mapping[str, PrincipalSpec],
    ) -> Any:
        """One ``for_all:`` entry as a ``ForAllSpec`` (names checked, positions kept)."""
        from policyproof.symbolic.claims import ForAllSpec

        where: Path_ = ("for_all", index)
        if "resource" not in raw and "principal" not in raw:
            raise self.error(
                (*where, "id"),
                f"universal claim {raw['id']!r} needs `resource`, `principal` or both "
                "(what the claim is about)",
            )
        if "actions" in raw and "actions_outside" in raw:
            raise self.error(
                (*where, "actions_outside"),
                "give `actions` (only these actions) or `actions_outside` (every action but these), not both",
                at_key=True,
            )
        if "resource" in raw:
            self.check_name(raw["resource"], resources, (*where, "resource"), "resource")
        if "principal" in raw:
            self.check_name(raw["principal"], principals, (*where, "principal"), "principal")
        outside = list(raw.get("accounts_outside") or ())
        for position, account in enumerate(outside):
            if account not in self.accounts and account not in self.accounts.values():
                known = ", ".join(sorted(self.accounts))
                raise self.error(
                    (*where, "accounts_outside", position),
                    f"unknown account {account!r}; name an account of `accounts` ({known}) or its id",
                )
        line = self.located.node((*where, "id")).start_mark.line + 1
        return ForAllSpec(
            id=raw["id"],
            expect=raw["expect"],
            text=dict(raw["text"]),
            resource=raw.get("resource"),
            principal=raw.get("principal"),
            actions=tuple(raw.get("actions") or ()),
            actions_outside=tuple(raw.get("actions_outside") or ()),
            accounts_outside=tuple(outside),
            file=str(self.path),
            line=line,
        )

    # -- accounts --------------------------------------------------------------------------

    def account(self, value: str, where: Path_) -> str:
        if value in self.accounts:
            return self.accounts[value]
        if value.isdigit() and len(value) == 12:
            return value
        raise self.error(
            where,
            f"unknown account {value!r}; use a name from `accounts` "
            f"({', '.join(self.accounts)}) or a 12-digit id",
        )

    def owner(self, arn: str, given: str | None, where: Path_) -> str:
        in_arn = arn.split(":")[4] if arn.count(":") >= 5 else ""
        if given is not None:
            account = self.account(given, (*where, "account"))
            if in_arn and in_arn != account:
                raise self.error(
                    (*where, "account"),
                    f"account {given} ({account}) differs from the account in the ARN ({in_arn})",
                )
            return account
        if not in_arn:
            raise self.error((*where, "arn"), f"{arn} names no account; add `account:` (e.g. account: A)")
        return in_arn

    # -- policies --------------------------------------------------------------------------

    def policy(
        self, ref: Any, where: Path_, expected_kind: str | None, inline_kind: str | None = None
    ) -> str:
        """Load the policy ``ref`` (file name or inline mapping); return its key in ``policies``."""
        if isinstance(ref, dict):
            name = ref["name"]
            if name in self.policies and self.policies[name].document != ref["document"]:
                raise self.error(where, f"two different inline policies are named {name!r}")
            kind = inline_kind or expected_kind or "identity"
            self._check_inline(ref["document"], (*where, "document"), kind, name)
            self.policies[name] = NamedPolicy(name, ref["document"])
            return name
        kind = kind_of(ref)
        if expected_kind is not None and kind not in accepted_kinds(expected_kind):
            raise self.error(
                where,
                f"{ref} is not a {kind_words(expected_kind)} file; its name must end in "
                f"{suffix_of(expected_kind)}",
            )
        if ref in self.policies:
            return ref
        file = self.folder / ref
        if "/" in ref or "\\" in ref or not file.is_file():
            raise self.error(
                where, f"policy file {ref!r} not found in {self.folder}; name a file beside {self.path.name}"
            )
        try:
            text = file.read_text(encoding="utf-8")
            node = parse_json(text, str(file))
        except UnicodeDecodeError as error:
            raise self.error(
                where, f"policy {ref} is not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8"
            ) from None
        except InputError as error:
            raise self.error(where, f"policy {ref} cannot be read: {error}") from None
        # Fail closed: the engine proves nothing with a policy the checker cannot accept.
        refused = blocking_findings(text, kind or "identity")
        if refused:
            first = refused[0]
            claims_line = self.located.node(where).start_mark.line + 1
            raise ClaimsError(
                str(file),
                f"{first.code}: {first.message} (the engine refuses to prove claims with it; used at "
                f"{self.path.name}:{claims_line})",
                first.line,
                first.column,
            )
        document = node.to_python()
        if not isinstance(document, dict):
            raise self.error(where, f"policy {ref} is not a JSON object")
        self.policies[ref] = NamedPolicy(ref, document)
        self.policy_nodes[ref] = node
        return ref

    def _check_inline(self, document: Any, where: Path_, kind: str, name: str) -> None:
        """An inline policy is a policy the site relies on like any snippet: the same checker
        passes it, so no claim is proved with a policy that would not be published."""

        from policyproof.check.checker import check_text
        from policyproof.check.findings import Severity

        text = json.dumps(document, indent=2)
        checker_kind = validate_checker_kind(kind)
        try:
            findings = check_text(text, file=f"{self.path.name} ({name})", kind=checker_kind)
        except InputError:
            findings = check_text(text, file=f"{self.path.name} ({name})", kind="identity")
        blocking = [f for f in findings if f.severity in (Severity.ERROR, Severity.SECURITY_WARNING)]
        if blocking:
            first = blocking[0]
            raise self.error(
                where,
                f"inline policy {name!r} does not pass the checker: {first.severity.value} {first.code}: "
                f"{first.message}",
            )

    # -- resources and principals ---------------------------------------------------------

    def resource(self, name: str, spec: dict[str, Any]) -> ResourceSpec:
        where: Path_ = ("resources", name)
        arn = spec["arn"]
        account = self.owner(arn, spec.get("account"), where)
        service = arn.split(":")[2]
        policy = None
        if "managed" in spec:
            if service != "kms":
                raise self.error((*where, "managed"), "`managed` is only for KMS keys (aws/s3, aws/ebs, …)")
            if spec["managed"] not in managed_key_aliases():
                raise self.error(
                    (*where, "managed"),
                    f"unknown AWS managed key {spec['managed']!r}; known: {', '.join(managed_key_aliases())}",
                )
        if "policy" in spec:
            policy_kind = resource_policy_kind(service)
            if policy_kind is None:
                raise self.error(
                    (*where, "policy"),
                    f"{service} resources have no resource-based policy here (an EBS snapshot is shared "
                    "with `shared_with`); policies belong to KMS keys, S3 buckets, IAM roles and the "
                    "resources of services with resource policies (SNS, SQS, Lambda …: "
                    "*.resource-policy.json)",
                )
            if "managed" in spec and not isinstance(spec["policy"], str):
                raise self.error(
                    (*where, "policy"),
                    f"the key policy of AWS managed key {spec['managed']} must be a file, not inline "
                    "(or leave `policy` out: the policy then comes from policyproof's data)",
                )
            policy = self.policy(spec["policy"], (*where, "policy"), policy_kind)
            if "managed" in spec:
                self.check_managed_file(policy, spec["managed"], account, (*where, "policy"))
        if "shared_with" in spec and ":snapshot/" not in arn:
            raise self.error(
                (*where, "shared_with"), "`shared_with` (createVolumePermission) is for EBS snapshots"
            )
        encryption = spec.get("encryption") or {}
        shared_with = frozenset(
            self.account(value, (*where, "shared_with", index))
            for index, value in enumerate(spec.get("shared_with", []))
        )
        return ResourceSpec(
            name,
            arn,
            account,
            policy,
            spec.get("managed"),
            encryption.get("key"),
            bool(encryption.get("bucket_key", False)),
            shared_with,
        )

    def check_managed_file(self, ref: str, alias: str, account: str, where: Path_) -> None:
        """A managed key's policy file must be exactly the policy AWS attaches (our data): AWS
        writes that policy and nobody can change it, so a page showing anything else is wrong."""
        node = self.policy_nodes[ref]
        expected = managed_key_policy(alias, account, self.data["region"])
        difference = first_difference(node, expected, ())
        if difference is None:
            return
        at, message = difference
        claims_line = self.located.node(where).start_mark.line + 1
        raise ClaimsError(
            str(self.folder / ref),
            f"{message}: the key policy of AWS managed key {alias} in account {account}, "
            f"{self.data['region']} is fixed by AWS (policyproof/data/managed-keys.json); "
            f"make this file equal to it (used at {self.path.name}:{claims_line})",
            at.line,
            at.column,
        )

    def principal(self, name: str, spec: dict[str, Any]) -> PrincipalSpec:
        where: Path_ = ("principals", name)
        if "service" in spec:
            return self.service_principal(name, spec)
        for key in _SOURCE_FIELDS:
            if key in spec:
                raise self.error(
                    (*where, key),
                    f"`{key}` describes the resource an AWS service principal acts for; this principal is "
                    "an IAM principal (`arn`): drop it, or write the caller as `service: "
                    "cloudtrail.amazonaws.com` (or another service principal)",
                    at_key=True,
                )
        arn = spec["arn"]
        account = self.owner(arn, None, where)
        policies = tuple(
            self.policy(ref, (*where, "policies", i), "identity")
            for i, ref in enumerate(spec.get("policies", []))
        )
        boundaries = tuple(
            self.policy(ref, (*where, "boundaries", i), "boundary")
            for i, ref in enumerate(spec.get("boundaries", []))
        )
        session_policies = tuple(
            self.policy(ref, (*where, "session_policies", i), "session")
            for i, ref in enumerate(spec.get("session_policies", []))
        )
        try:
            parsed = parse_principal(arn)
        except EngineInputError as error:
            raise self.error((*where, "arn"), error.message) from None
        if session_policies and parsed.kind not in ("role-session", "federated-user"):
            raise self.error(
                (*where, "session_policies"),
                "session policies belong to a session: give the principal an assumed-role session ARN "
                "(arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or a federated-user ARN",
            )
        if "role_path" in spec and parsed.kind != "role-session":
            raise self.error(
                (*where, "role_path"),
                "`role_path` is the path of the role behind a role session; this principal is not an "
                "assumed-role session (a role ARN already carries its path)",
            )
        return PrincipalSpec(
            name,
            arn,
            account,
            policies,
            boundaries,
            session_policies,
            dict(spec.get("tags", {})),
            spec.get("role_path"),
            spec.get("unique_id"),
        )

    def service_principal(self, name: str, spec: dict[str, Any]) -> PrincipalSpec:
        """An AWS service principal acting for a source resource (CloudTrail for a trail).

        It has no IAM policies: only a resource policy can let it in, SCPs do not apply to it, RCPs
        do (evaluator.py cites the AWS pages). The engine fills aws:PrincipalIsAWSService = true,
        aws:PrincipalServiceName and, from the source, aws:SourceArn, aws:SourceAccount,
        aws:SourceOrgID and aws:SourceOrgPaths (IAM User Guide, "AWS global condition context keys").
        """
        where: Path_ = ("principals", name)
        for key in _IAM_ONLY_FIELDS:
            if key in spec:
                raise self.error(
                    (*where, key),
                    f"`{key}` belongs to an IAM principal; {spec['service']} is an AWS service principal, "
                    "which has no IAM policies, boundaries, session, tags or unique id (only resource "
                    "policies let it in): drop it",
                    at_key=True,
                )
        source_arn = spec.get("source_arn")
        in_arn = source_arn.split(":")[4] if source_arn else ""
        account = None
        if "source_account" in spec:
            account = self.account(spec["source_account"], (*where, "source_account"))
            if in_arn and in_arn != account:
                raise self.error(
                    (*where, "source_account"),
                    f"source_account {spec['source_account']} ({account}) differs from the account in "
                    f"source_arn ({in_arn}); AWS sets aws:SourceAccount to the source resource's owner",
                )
        elif in_arn:
            account = in_arn
        org = self.data.get("organization")
        members = (
            {self.account(value, ("organization", "accounts", i)) for i, value in enumerate(org["accounts"])}
            if org
            else set()
        )
        org_id = spec.get("source_org_id")
        if account is not None and account in members:
            if org_id is None:
                org_id = org["id"]  # a member account's resource: its organization's id
            elif org_id != org["id"]:
                raise self.error(
                    (*where, "source_org_id"),
                    f"source account {account} is a member of organization {org['id']} (see "
                    f"`organization`), so its aws:SourceOrgID is {org['id']}, not {org_id}",
                )
        paths = spec.get("source_org_paths")
        if paths is not None:
            if org_id is None:
                raise self.error(
                    (*where, "source_org_paths"),
                    "source_org_paths needs the source's organization: give source_org_id, or a "
                    "source_account that is a member of `organization`",
                    at_key=True,
                )
            for i, path in enumerate(paths):
                if not path.startswith(org_id + "/"):
                    raise self.error(
                        (*where, "source_org_paths", i),
                        f"{path!r} is not a path in the source's organization {org_id}; paths start "
                        f"with {org_id}/",
                    )
        source = None
        if source_arn or account or org_id or paths:
            source = ServiceSource(source_arn, account, org_id, tuple(paths) if paths else None)
        return PrincipalSpec(name, spec["service"], None, source=source)

    # -- organization, endpoints, grants ---------------------------------------------------

    def organization(self) -> OrganizationSpec | None:
        spec = self.data.get("organization")
        if spec is None:
            return None
        where: Path_ = ("organization",)
        accounts = frozenset(
            self.account(value, (*where, "accounts", i)) for i, value in enumerate(spec["accounts"])
        )
        scps = tuple(
            self.policy(ref, (*where, "scps", i), "scp") for i, ref in enumerate(spec.get("scps", []))
        )
        rcps = tuple(
            self.policy(ref, (*where, "rcps", i), "rcp") for i, ref in enumerate(spec.get("rcps", []))
        )
        management = None
        if "management_account" in spec:
            management = self.account(spec["management_account"], (*where, "management_account"))
            if management not in accounts:
                raise self.error(
                    (*where, "management_account"),
                    f"{spec['management_account']!r} is not one of the organization's `accounts`; add it "
                    "there (its principals are in the organization, only its SCPs and RCPs do not apply)",
                )
        full_access = bool(spec.get("full_aws_access", True))
        return OrganizationSpec(spec["id"], accounts, scps, rcps, full_access, management)

    def endpoint(self, name: str, spec: dict[str, Any]) -> EndpointSpec:
        where: Path_ = ("endpoints", name)
        account = self.account(spec["account"], (*where, "account"))
        policy = self.policy(spec["policy"], (*where, "policy"), "endpoint") if "policy" in spec else None
        return EndpointSpec(name, spec["id"], account, spec.get("vpc"), policy)

    def principal_arn(self, value: str, principals: Mapping[str, PrincipalSpec], where: Path_) -> str:
        """A principal named in this file, an AWS service principal, or a principal ARN."""
        if value in principals:
            return principals[value].arn
        if SERVICE_PRINCIPAL.match(value):
            return value
        try:
            parsed = parse_principal(value)
        except EngineInputError:
            known = ", ".join(sorted(principals)) or "none"
            raise self.error(
                where,
                f"{value!r} is neither a principal of this file ({known}), a service principal "
                "(ec2.amazonaws.com) nor a principal ARN",
            ) from None
        return parsed.text

    def grant(
        self,
        name: str,
        spec: dict[str, Any],
        resources: Mapping[str, ResourceSpec],
        principals: Mapping[str, PrincipalSpec],
    ) -> GrantSpec:
        where: Path_ = ("grants", name)
        self.check_name(spec["key"], resources, (*where, "key"), "resource")
        key = resources[spec["key"]]
        if ":kms:" not in key.arn or ":key/" not in key.arn:
            raise self.error((*where, "key"), f"{spec['key']!r} is not a KMS key (its ARN is {key.arn})")
        if key.managed:
            raise self.error(
                (*where, "key"),
                f"{spec['key']!r} is an AWS managed key ({key.managed}): only the owning AWS service "
                "creates grants on it",
            )
        operations = []
        known = {op.lower(): op for op in GRANT_OPERATIONS}
        for i, raw in enumerate(spec["operations"]):
            bare = raw.split(":", 1)[-1]
            if bare.lower() not in known:
                import difflib

                close = difflib.get_close_matches(bare, GRANT_OPERATIONS, n=1)
                hint = (
                    f" (did you mean {close[0]}?)"
                    if close
                    else f"; grant operations: {', '.join(GRANT_OPERATIONS)}"
                )
                raise self.error((*where, "operations", i), f"{raw!r} is not a KMS grant operation{hint}")
            operations.append(known[bare.lower()])
        constraints = spec.get("constraints") or {}
        retiring = spec.get("retiring_principal")
        return GrantSpec(
            name,
            spec["key"],
            self.principal_arn(spec["grantee"], principals, (*where, "grantee")),
            tuple(operations),
            dict(constraints["encryption_context_subset"])
            if "encryption_context_subset" in constraints
            else None,
            dict(constraints["encryption_context_equals"])
            if "encryption_context_equals" in constraints
            else None,
            self.principal_arn(retiring, principals, (*where, "retiring_principal")) if retiring else None,
        )

    def check_name(self, name: str, known: Mapping[str, Any], where: Path_, what: str) -> None:
        if name not in known:
            raise self.error(where, f"unknown {what} {name!r}; known: {', '.join(sorted(known)) or 'none'}")

    # -- claims ----------------------------------------------------------------------------

    def used_policies(
        self, resources: Mapping[str, ResourceSpec], principals: Mapping[str, PrincipalSpec]
    ) -> set:
        used = {spec.policy for spec in resources.values() if spec.policy}
        for spec in principals.values():
            used.update(spec.policies, spec.boundaries, spec.session_policies)
        if self.organization_spec is not None:
            used.update(self.organization_spec.scps, self.organization_spec.rcps)
        used.update(spec.policy for spec in self.endpoint_specs.values() if spec.policy)
        return used

    def claim(
        self,
        index: int,
        raw: dict[str, Any],
        resources: Mapping[str, ResourceSpec],
        principals: Mapping[str, PrincipalSpec],
    ) -> Claim:
        where: Path_ = ("claims", index)
        line = self.located.node(where).start_mark.line + 1
        if ("request" in raw) == ("flow" in raw):
            raise self.error(where, f"claim {raw['id']!r} needs exactly one of `request` or `flow`")
        request = None
        flow = None
        if "request" in raw:
            spec = raw["request"]
            self.check_name(spec["principal"], principals, (*where, "request", "principal"), "principal")
            resource_name, _, suffix = spec["resource"].partition("/")
            self.check_name(resource_name, resources, (*where, "request", "resource"), "resource")
            if suffix and not resources[resource_name].arn.startswith("arn:aws:s3:::"):
                raise self.error(
                    (*where, "request", "resource"),
                    f"`{resource_name}/…` names an object, but {resource_name!r} is not an S3 bucket",
                )
            if "endpoint" in spec:
                self.check_name(
                    spec["endpoint"], self.endpoint_specs, (*where, "request", "endpoint"), "endpoint"
                )
            request = RequestSpec(
                spec["principal"],
                spec["action"],
                spec["resource"],
                dict(spec.get("context", {})),
                spec.get("endpoint"),
            )
        else:
            flow = dict(raw["flow"])
            self.check_flow(flow, (*where, "flow"), resources, principals)
        if "denied_at" in raw and (flow is None or raw["expect"] == "Allow"):
            raise self.error(
                (*where, "denied_at"),
                "`denied_at` names the failing step of a denied flow; "
                "drop it or use a flow with a Deny expectation",
            )
        used = self.used_policies(resources, principals)
        for i, ref in enumerate(raw.get("without", [])):
            if ref.startswith(GRANT_PREFIX):
                grant_name = ref[len(GRANT_PREFIX) :]
                if grant_name not in self.grant_specs:
                    known = ", ".join(sorted(self.grant_specs)) or "none"
                    raise self.error((*where, "without", i), f"unknown grant {grant_name!r}; known: {known}")
                continue
            name, _, statement = ref.partition("#")
            if name not in used:
                raise self.error(
                    (*where, "without", i),
                    f"{name!r} is not a policy of any resource or principal "
                    f"here; used: {', '.join(sorted(used))}",
                )
            if statement and _statement_index(self.policies[name].document, statement) is None:
                raise self.error(
                    (*where, "without", i),
                    f"{name} has no statement with Sid {statement!r} (or 1-based index)",
                )
        replacements: dict[str, str] = {}
        for old, new in raw.get("replace", {}).items():
            if old not in used:
                raise self.error(
                    (*where, "replace", old),
                    f"{old!r} is not a policy of any resource or principal here",
                    at_key=True,
                )
            # A replacement file must be of the same kind as the policy it replaces.
            old_kind = kind_of(old)
            expected = old_kind if isinstance(new, str) else None
            replacements[old] = self.policy(new, (*where, "replace", old), expected, inline_kind=old_kind)
            if any(ref.partition("#")[0] == old for ref in raw.get("without", [])):
                raise self.error(
                    (*where, "replace", old),
                    f"{old} is both dropped (`without`) and replaced (`replace`); keep one",
                    at_key=True,
                )
        return Claim(
            id=raw["id"],
            text=dict(raw["text"]),
            expect=raw["expect"],
            file=str(self.path),
            line=line,
            request=request,
            flow=flow,
            without=tuple(raw.get("without", [])),
            replace=replacements,
            denied_at=raw.get("denied_at"),
            rule=raw.get("rule"),
        )

    def check_flow(
        self,
        flow: dict[str, Any],
        where: Path_,
        resources: Mapping[str, ResourceSpec],
        principals: Mapping[str, PrincipalSpec],
    ) -> None:
        if flow["name"] not in FLOWS:
            raise self.error(
                (*where, "name"), f"unknown flow {flow['name']!r}; known: {', '.join(sorted(FLOWS))}"
            )
        spec = FLOWS[flow["name"]]
        params = {p.name: p for p in spec.params}
        for key, value in flow.items():
            if key == "name":
                continue
            if key not in params:
                raise self.error(
                    (*where, key),
                    f"flow {spec.name} has no parameter {key!r}; it takes: {', '.join(params)}",
                    at_key=True,
                )
            kind = params[key].kind
            if kind == "bool" and not isinstance(value, bool):
                raise self.error((*where, key), f"{key} must be true or false")
            if kind != "bool" and not isinstance(value, str):
                raise self.error((*where, key), f"{key} must be a name (a string)")
            if kind == "principal":
                self.check_name(value, principals, (*where, key), "principal")
                if principals[value].is_service:
                    raise self.error(
                        (*where, key),
                        f"{value!r} is an AWS service principal; flows expand what an IAM principal "
                        "does (with the calls services make for it): write a `request` claim instead",
                    )
            elif kind == "resource":
                self.check_name(value, resources, (*where, key), "resource")
            elif kind == "object":
                self.check_name(value.split("/", 1)[0], resources, (*where, key), "resource (bucket)")
            elif kind == "endpoint":
                self.check_name(value, self.endpoint_specs, (*where, key), "endpoint")
        for param in spec.params:
            if param.required and param.name not in flow:
                raise self.error(where, f"flow {spec.name} needs `{param.name}` ({param.help or param.kind})")
