"""Loading ``claims.yaml``: YAML with positions, its shape checked by JSON Schema, names resolved.

Every error names the file, line and column and says how to fix it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from policyproof.check.document import Node, parse_json
from policyproof.check.findings import InputError
from policyproof.check.kinds import KIND_DESCRIPTIONS, SUFFIX_KINDS, kind_from_filename
from policyproof.claims.model import (
    Claim,
    ClaimsError,
    ClaimsFile,
    Path_,
    PrincipalSpec,
    RequestSpec,
    ResourceSpec,
    _statement_index,
)
from policyproof.engine import NamedPolicy
from policyproof.engine.flows import (
    FLOWS,
)
from policyproof.engine.managed_keys import managed_key_aliases, managed_key_policy

# --------------------------------------------------------------------------------------------
# YAML with positions.
# --------------------------------------------------------------------------------------------


class _Located:
    """The composed YAML tree, to find the line and column of any path in the document."""

    def __init__(self, root: yaml.Node, file: str) -> None:
        self.root = root
        self.file = file

    def node(self, path: Path_) -> yaml.Node:
        """The node at ``path``, or the deepest node on the way there."""
        node = self.root
        for part in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            node = child
        return node

    def key_node(self, path: Path_) -> yaml.Node:
        """The node of the *key* at the end of ``path`` (to point at an unknown field's name)."""
        parent = self.node(path[:-1])
        if isinstance(parent, yaml.MappingNode):
            for key, _ in parent.value:
                if key.value == path[-1]:
                    return key
        return self.node(path)

    def error(self, path: Path_, message: str, *, at_key: bool = False) -> ClaimsError:
        node = self.key_node(path) if at_key and path else self.node(path)
        return ClaimsError(self.file, message, node.start_mark.line + 1, node.start_mark.column + 1)


# libyaml's loader is about nine times faster and keeps the same line/column marks; claims are read
# on every site build, so it matters there. The pure-Python loader is the fallback.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str, file: str) -> tuple[Any, _Located]:
    loader = _YamlLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ClaimsError(
                file, "the claims file is empty; it needs accounts, region, resources and claims"
            )
        _reject_duplicate_keys(root, file)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "cannot be read"
        raise ClaimsError(file, f"invalid YAML: {problem}", line, column) from None
    finally:
        loader.dispose()
    return data, _Located(root, file)


def _reject_duplicate_keys(node: yaml.Node, file: str) -> None:
    # PyYAML silently keeps the last of two equal keys, which would hide a claim or a resource.
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for key, value in node.value:
            if key.value in seen:
                first = seen[key.value].start_mark.line + 1
                raise ClaimsError(
                    file,
                    f"duplicate key {key.value!r} (first on line {first}); remove one",
                    key.start_mark.line + 1,
                    key.start_mark.column + 1,
                )
            seen[key.value] = key
            _reject_duplicate_keys(value, file)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item, file)


# --------------------------------------------------------------------------------------------
# Shape: JSON Schema, with messages that say how to fix.
# --------------------------------------------------------------------------------------------


@cache
def claims_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a claims file."""
    text = package_files.files("policyproof").joinpath("data/claims.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _field(path: Path_) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "the document"


def _schema_message(error: jsonschema.ValidationError) -> tuple[str, bool]:
    """A readable message for one schema error, and whether it concerns a key (not a value)."""
    where = _field(tuple(error.absolute_path))
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return f"unknown field {extra[0]!r} in {where}; allowed: {', '.join(allowed)}", True
    if error.validator == "required":
        return f"{where} is missing {error.message.split(' ')[0]}", False
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return f"{where} is {error.instance!r}; it must be one of {choices}", False
    if error.validator == "type":
        hint = " (quote account ids and numbers)" if error.validator_value == "string" else ""
        return (
            f"{where} must be of type {error.validator_value}, not {type(error.instance).__name__}{hint}",
            False,
        )
    if error.validator == "pattern":
        return (
            f"{where} {error.instance!r} is not well formed (expected pattern {error.validator_value})",
            False,
        )
    if error.validator == "anyOf" and ("polic" in where or "boundaries" in where):
        return f"{where} must be a policy file name ending in .json or {{name: …, document: {{…}}}}", False
    return f"{where}: {error.message}", False


def _check_shape(data: Any, located: _Located) -> None:
    validator = jsonschema.Draft202012Validator(claims_schema())
    errors = list(validator.iter_errors(data))
    if not errors:
        return

    def position(error: jsonschema.ValidationError) -> tuple[int, int]:
        node = located.node(tuple(error.absolute_path))
        return node.start_mark.line, node.start_mark.column

    error = min(errors, key=position)
    # Prefer the most specific error at that place (anyOf wraps its branches' errors), except for a
    # policy reference, whose two forms are best explained together.
    where = _field(tuple(error.absolute_path))
    if error.context and not ("polic" in where or "boundaries" in where):
        error = jsonschema.exceptions.best_match(error.context) or error
    message, at_key = _schema_message(error)
    path = tuple(error.absolute_path)
    if at_key and isinstance(error.instance, dict):
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        path = (*path, extra[0])
    raise located.error(path, message, at_key=at_key)


# --------------------------------------------------------------------------------------------
# Loading: names resolved, policy files read.
# --------------------------------------------------------------------------------------------

_RESOURCE_KIND_FOR_SERVICE = {"kms": "key", "s3": "bucket", "iam": "trust"}


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
    data, located = _compose(text, file)
    _check_shape(data, located)
    return _Loader(path, data, located).load()


class _Loader:
    def __init__(self, path: Path, data: dict[str, Any], located: _Located) -> None:
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
        return ClaimsFile(
            self.path, self.accounts, self.data["region"], resources, principals, self.policies, tuple(claims)
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
        kind = kind_from_filename(ref)
        if expected_kind is not None and kind != expected_kind:
            suffix = next(s for s, k in SUFFIX_KINDS.items() if k == expected_kind)
            raise self.error(
                where,
                f"{ref} is not a {KIND_DESCRIPTIONS[expected_kind]} file; its name must end in {suffix}",
            )
        if ref in self.policies:
            return ref
        file = self.folder / ref
        if "/" in ref or "\\" in ref or not file.is_file():
            raise self.error(
                where, f"policy file {ref!r} not found in {self.folder}; name a file beside {self.path.name}"
            )
        try:
            node = parse_json(file.read_text(encoding="utf-8"), str(file))
        except InputError as error:
            raise self.error(where, f"policy {ref} cannot be read: {error}") from None
        document = node.to_python()
        if not isinstance(document, dict):
            raise self.error(where, f"policy {ref} is not a JSON object")
        self.policies[ref] = NamedPolicy(ref, document)
        self.policy_nodes[ref] = node
        return ref

    def _check_inline(self, document: Any, where: Path_, kind: str, name: str) -> None:
        """An inline policy is a policy the site relies on like any snippet: the same checker
        passes it, so no claim is proved with a policy that would not be published."""
        import json

        from policyproof.check.checker import check_text
        from policyproof.check.findings import Severity

        text = json.dumps(document, indent=2)
        findings = check_text(text, file=f"{self.path.name} ({name})", kind=kind)
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
            if service not in _RESOURCE_KIND_FOR_SERVICE:
                raise self.error(
                    (*where, "policy"),
                    f"{service} resources have no resource-based policy here; policies belong to KMS keys "
                    "and S3 buckets (an EBS snapshot is shared with `shared_with`)",
                )
            if "managed" in spec and not isinstance(spec["policy"], str):
                raise self.error(
                    (*where, "policy"),
                    f"the key policy of AWS managed key {spec['managed']} must be a file, not inline "
                    "(or leave `policy` out: the policy then comes from policyproof's data)",
                )
            policy = self.policy(spec["policy"], (*where, "policy"), _RESOURCE_KIND_FOR_SERVICE[service])
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
        difference = _first_difference(node, expected, ())
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
        arn = spec["arn"]
        account = self.owner(arn, None, where)
        policies = tuple(
            self.policy(ref, (*where, "policies", i), "identity")
            for i, ref in enumerate(spec.get("policies", []))
        )
        boundaries = tuple(
            self.policy(ref, (*where, "boundaries", i), "identity")
            for i, ref in enumerate(spec.get("boundaries", []))
        )
        return PrincipalSpec(name, arn, account, policies, boundaries)

    def check_name(self, name: str, known: Mapping[str, Any], where: Path_, what: str) -> None:
        if name not in known:
            raise self.error(where, f"unknown {what} {name!r}; known: {', '.join(sorted(known)) or 'none'}")

    # -- claims ----------------------------------------------------------------------------

    def used_policies(
        self, resources: Mapping[str, ResourceSpec], principals: Mapping[str, PrincipalSpec]
    ) -> set:
        used = {spec.policy for spec in resources.values() if spec.policy}
        for spec in principals.values():
            used.update(spec.policies, spec.boundaries)
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
            request = RequestSpec(
                spec["principal"], spec["action"], spec["resource"], dict(spec.get("context", {}))
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
            old_kind = kind_from_filename(old)
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
            elif kind == "resource":
                self.check_name(value, resources, (*where, key), "resource")
            elif kind == "object":
                self.check_name(value.split("/", 1)[0], resources, (*where, key), "resource (bucket)")
        for param in spec.params:
            if param.required and param.name not in flow:
                raise self.error(where, f"flow {spec.name} needs `{param.name}` ({param.help or param.kind})")


@dataclass(frozen=True)
class _At:
    """A position without a node (an unexpected key)."""

    line: int
    column: int


def _first_difference(node: Node, expected: Any, path: Path_) -> tuple[Node | _At, str] | None:
    """The first place where the parsed JSON ``node`` differs from ``expected``, and how."""
    where = _field(path) if path else "the policy"
    actual = node.value
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                return node, f"{where} lacks {key!r}"
            found = _first_difference(actual[key], value, (*path, key))
            if found is not None:
                return found
        extra = [key for key in actual if key not in expected]
        if extra:
            line, column = node.key_position(extra[0])
            return _At(line, column), f"{where} has {extra[0]!r}, which the managed policy does not"
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (child, value) in enumerate(zip(actual, expected, strict=False)):
            found = _first_difference(child, value, (*path, index))
            if found is not None:
                return found
        if len(actual) != len(expected):
            return node, f"{where} has {len(actual)} entries, the managed policy {len(expected)}"
        return None
    if node.to_python() != expected:
        shown, wanted = json.dumps(node.to_python()), json.dumps(expected)
        return node, f"{where} is {shown}, the managed policy has {wanted}"
    return None
