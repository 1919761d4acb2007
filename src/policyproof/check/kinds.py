"""Policy kinds and how a file name declares its kind.

A snippet's kind is part of its name (``cmk.key-policy.json``) so that the checker, the site and
a reader all know what the document is without opening it.
"""

from __future__ import annotations

#: file-name suffix -> kind; the kind names are the ones the command line's ``--kind`` accepts.
SUFFIX_KINDS: dict[str, str] = {
    ".identity-policy.json": "identity",
    ".key-policy.json": "key",
    ".bucket-policy.json": "bucket",
    ".trust-policy.json": "trust",
    ".scp.json": "scp",
    ".rcp.json": "rcp",
    ".endpoint-policy.json": "endpoint",
    ".resource-policy.json": "resource",
    ".boundary-policy.json": "boundary",
    ".session-policy.json": "session",
}

KINDS: tuple[str, ...] = (
    "identity",
    "key",
    "bucket",
    "trust",
    "scp",
    "rcp",
    "endpoint",
    "resource",
    "boundary",
    "session",
)

#: What each kind is, in words, for messages and the rule reference.
KIND_DESCRIPTIONS: dict[str, str] = {
    "identity": "IAM identity policy (attached to a user, group or role)",
    "key": "KMS key policy",
    "bucket": "S3 bucket policy",
    "trust": "IAM role trust policy",
    "scp": "service control policy (AWS Organizations)",
    "rcp": "resource control policy (AWS Organizations)",
    "endpoint": "VPC endpoint policy",
    "resource": "resource-based policy of another service (SQS, SNS, Secrets Manager, Lambda, API Gateway, "
    "ECR ...)",
    "boundary": "permissions boundary (a managed policy set as a user's or role's boundary)",
    "session": "session policy (passed when assuming a role or federating a user)",
}

#: The same, in Vietnamese (AWS terms stay in English).
KIND_DESCRIPTIONS_VI: dict[str, str] = {
    "identity": "IAM identity policy (gắn vào user, group hoặc role)",
    "key": "KMS key policy",
    "bucket": "S3 bucket policy",
    "trust": "trust policy của IAM role",
    "scp": "service control policy (AWS Organizations)",
    "rcp": "resource control policy (AWS Organizations)",
    "endpoint": "VPC endpoint policy",
    "resource": "resource-based policy của service khác (SQS, SNS, Secrets Manager, Lambda, API Gateway, "
    "ECR ...)",
    "boundary": "permissions boundary (managed policy đặt làm boundary của user hoặc role)",
    "session": "session policy (truyền vào khi assume role hoặc federate user)",
}

#: The AWS page that states each kind's grammar and rules.
KIND_PAGES: dict[str, str] = {
    "identity": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html",
    "key": "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
    "bucket": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html",
    "trust": "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html",
    "scp": "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html",
    "rcp": "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html",
    "endpoint": "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
    "resource": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html",
    "boundary": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    "session": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session",
}

#: Kinds whose statements name a Principal (resource-based policies, trust policies, RCPs and VPC
#: endpoint policies); the other kinds apply to whoever they are attached to and have none.
PRINCIPAL_KINDS: frozenset[str] = frozenset({"key", "bucket", "trust", "rcp", "endpoint", "resource"})

#: Kinds with no Principal: identity policies and the guardrails attached to identities.
NO_PRINCIPAL_KINDS: frozenset[str] = frozenset({"identity", "scp", "boundary", "session"})

#: Kinds that only ever limit what other policies grant (AWS policy evaluation logic; a VPC endpoint
#: policy "does not override or replace identity-based policies or resource-based policies"): an
#: Allow in them is a ceiling, not a grant, so "grants too much" warnings do not apply to them.
GUARDRAIL_KINDS: frozenset[str] = frozenset({"scp", "rcp", "boundary", "session", "endpoint"})


def kind_from_filename(name: str) -> str | None:
    """The kind declared by a file name's suffix (any directory part is ignored), or ``None``."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix, kind in SUFFIX_KINDS.items():
        if base.endswith(suffix) and len(base) > len(suffix):
            return kind
    return None


def suffix_for(kind: str) -> str:
    """The file-name suffix that declares ``kind``."""
    for suffix, suffix_kind in SUFFIX_KINDS.items():
        if suffix_kind == kind:
            return suffix
    raise KeyError(kind)
