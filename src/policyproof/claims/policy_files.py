"""The policy files a claims file names: the kind each file name declares, the policy kind of a
resource's policy, and how a file that stands for an AWS managed policy differs from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from policyproof.check.document import Node
from policyproof.check.kinds import KIND_DESCRIPTIONS, SUFFIX_KINDS, kind_from_filename
from policyproof.claims.model import Path_
from policyproof.claims.source import field_name

# The file-name kinds of the briefing's contract 4. The checker (check/kinds.py) learns the newer
# ones on another branch; until then claims still know them by suffix.
_CONTRACT_SUFFIXES: dict[str, str] = {
    ".rcp.json": "rcp",
    ".endpoint-policy.json": "endpoint",
    ".resource-policy.json": "resource",
    ".boundary-policy.json": "boundary",
    ".session-policy.json": "session",
}
_CONTRACT_DESCRIPTIONS: dict[str, str] = {
    "rcp": "resource control policy (AWS Organizations)",
    "endpoint": "VPC endpoint policy",
    "resource": "resource-based policy",
    "boundary": "permissions boundary policy",
    "session": "session policy",
}


def kind_of(name: str) -> str | None:
    """The policy kind a file name declares (the checker's suffixes, then the newer ones)."""
    found = kind_from_filename(name)
    if found is not None:
        return found
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix, kind in _CONTRACT_SUFFIXES.items():
        if base.endswith(suffix) and len(base) > len(suffix):
            return kind
    return None


def suffix_of(kind: str) -> str:
    """The file-name suffix of a policy kind."""
    for suffix, suffix_kind in {**SUFFIX_KINDS, **_CONTRACT_SUFFIXES}.items():
        if suffix_kind == kind:
            return suffix
    raise KeyError(kind)


def kind_words(kind: str) -> str:
    """A policy kind in words, for messages."""
    return KIND_DESCRIPTIONS.get(kind) or _CONTRACT_DESCRIPTIONS.get(kind, kind)


def accepted_kinds(expected_kind: str) -> tuple[str, ...]:
    """Kinds a reference expecting ``expected_kind`` accepts: a boundary may be written as an
    identity policy file (as before boundary files had their own suffix)."""
    return ("boundary", "identity") if expected_kind == "boundary" else (expected_kind,)


_RESOURCE_KIND_FOR_SERVICE = {"kms": "key", "s3": "bucket", "iam": "trust"}
# EC2 resources (snapshots) are shared by attribute, not by a policy.
_NO_RESOURCE_POLICY = frozenset({"ec2"})


def resource_policy_kind(service: str) -> str | None:
    """The policy kind of a resource's policy: key, bucket, trust, or ``resource`` for the resource
    policies of other services (SNS topics, SQS queues, Lambda functions …: the checker infers the
    service from the ARNs); None for resources that have none."""
    if service in _RESOURCE_KIND_FOR_SERVICE:
        return _RESOURCE_KIND_FOR_SERVICE[service]
    return None if service in _NO_RESOURCE_POLICY else "resource"


@dataclass(frozen=True)
class _At:
    """A position without a node (an unexpected key)."""

    line: int
    column: int


def first_difference(node: Node, expected: Any, path: Path_) -> tuple[Node | _At, str] | None:
    """The first place where the parsed JSON ``node`` differs from ``expected``, and how."""
    where = field_name(path) if path else "the policy"
    actual = node.value
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                return node, f"{where} lacks {key!r}"
            found = first_difference(actual[key], value, (*path, key))
            if found is not None:
                return found
        extra = [key for key in actual if key not in expected]
        if extra:
            line, column = node.key_position(extra[0])
            return _At(line, column), f"{where} has {extra[0]!r}, which the managed policy does not"
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (child, value) in enumerate(zip(actual, expected, strict=False)):
            found = first_difference(child, value, (*path, index))
            if found is not None:
                return found
        if len(actual) != len(expected):
            return node, f"{where} has {len(actual)} entries, the managed policy {len(expected)}"
        return None
    if node.to_python() != expected:
        shown, wanted = json.dumps(node.to_python()), json.dumps(expected)
        return node, f"{where} is {shown}, the managed policy has {wanted}"
    return None
