"""Flows: one user action that AWS authorizes as several single requests.

"Account B reads an SSE-KMS object" is not one request: S3 authorizes ``s3:GetObject``, then S3
calls KMS *as the same principal* to decrypt the object's data key, and KMS authorizes
``kms:Decrypt`` against the key policy. The action succeeds only if every request is allowed, and
it fails at the first one that is not. A flow expands the action into those requests (steps), asks
the engine about each, and keeps who called whom, so the site can draw a sequence diagram.

Which KMS permissions each step needs comes from the AWS pages cited beside each step
(also summarised in ``shared/reference/aws-authorization.md`` §2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policyproof.engine.evaluator import evaluate
from policyproof.engine.managed_keys import managed_key_arn, managed_key_policy
from policyproof.engine.model import (
    ContextValue,
    Grant,
    NamedPolicy,
    PolicySet,
    Request,
    ServiceSource,
    VpcEndpoint,
)
from policyproof.engine.result import ALLOW, IMPLICIT_DENY, Decision, Result, StatementRef

# --------------------------------------------------------------------------------------------
# The world a flow runs in: named principals and resources with their policies.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """An IAM principal (user, role or session) with the policies attached to it, or an AWS
    service principal (``arn`` is then its name, ``cloudtrail.amazonaws.com``; ``account`` is None;
    ``source`` is the resource it acts for, for aws:SourceArn / aws:SourceAccount /
    aws:SourceOrgID / aws:SourceOrgPaths)."""

    name: str
    arn: str
    account: str | None
    identity: tuple[NamedPolicy, ...] = ()
    boundaries: tuple[NamedPolicy, ...] = ()
    session_policies: tuple[NamedPolicy, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    role_path: str | None = None  # the path of the role behind a role session ARN
    unique_id: str | None = None  # AIDA…/AROA…, for aws:userid
    source: ServiceSource | None = None  # a service principal's source resource


# The AWS managed SCP attached to every root, OU and account when SCPs are enabled
# (Organizations User Guide, "Service control policies": FullAWSAccess).
FULL_AWS_ACCESS = NamedPolicy(
    "FullAWSAccess",
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
)


@dataclass(frozen=True)
class Organization:
    """The AWS Organization of the world: its id, its account ids, the SCPs that apply to the
    principals of member accounts and the RCPs that apply to their resources (one level each).

    ``management_account`` is in ``accounts`` (its principals are in the organization:
    ``aws:PrincipalOrgID``) but neither kind of policy applies to it: "SCPs don't affect users or
    roles in the management account" and "RCPs don't affect resources in the management account"
    (AWS Organizations User Guide, *Service control policies* and *Resource control policies*)."""

    id: str
    accounts: frozenset[str]
    scps: tuple[NamedPolicy, ...] = ()
    rcps: tuple[NamedPolicy, ...] = ()
    management_account: str | None = None

    def members(self, account: str | None) -> bool:
        """``account`` is one the organization's policies (SCPs, RCPs) apply to."""
        return account in self.accounts and account != self.management_account


@dataclass(frozen=True)
class Resource:
    """A resource: a KMS key, an S3 bucket or an EBS snapshot.

    ``encryption_key`` names the KMS key resource that encrypts it (a bucket's default encryption
    key, a snapshot's key); ``bucket_key`` is the bucket's S3 Bucket Key setting;
    ``shared_with`` holds the account ids a snapshot is shared with (``createVolumePermission``);
    ``managed`` is the alias of an AWS managed key (``aws/ebs``), so flows can find an account's
    default EBS key.
    """

    name: str
    arn: str
    account: str
    policy: NamedPolicy | None = None
    encryption_key: str | None = None
    bucket_key: bool = False
    shared_with: frozenset[str] = frozenset()
    managed: str | None = None

    @property
    def resource_id(self) -> str:
        """The last part of the ARN (``snap-…``, a bucket name, a key id)."""
        return self.arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


@dataclass(frozen=True)
class World:
    region: str
    principals: Mapping[str, Principal]
    resources: Mapping[str, Resource]
    organization: Organization | None = None
    # name -> (endpoint, its endpoint policy or None)
    endpoints: Mapping[str, tuple[VpcEndpoint, NamedPolicy | None]] = field(default_factory=dict)
    grants: tuple[Grant, ...] = ()


class FlowError(ValueError):
    """A flow cannot be built from its parameters. ``param`` names the parameter at fault."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


# --------------------------------------------------------------------------------------------
# Steps and flow results.
# --------------------------------------------------------------------------------------------

Words = Mapping[str, str]  # {"en": ..., "vi": ...}

CALL = "call"  # a request the engine decides against policies
CHECK = "check"  # a resource attribute AWS checks (a snapshot's createVolumePermission), no policy


@dataclass(frozen=True)
class Step:
    """One request of a flow, as the site draws it: ``caller`` sends ``action`` to ``callee``.

    ``caller`` is the principal's name for a call the principal makes itself, or the service
    ("S3", "EC2") for a call a service makes on the principal's behalf; the request is always
    authorized as ``principal``. ``api`` is the API operation the step belongs to
    (``CreateMultipartUpload``, ``UploadPart``, ``CopySnapshot``, ``Decrypt`` …): several APIs are
    authorized as one IAM action (all three multipart APIs as ``s3:PutObject``), so ``action``
    alone does not tell the steps apart. ``kind`` is ``call`` for a request the engine decides, or
    ``check`` for a resource attribute that is not a policy (an EBS snapshot's
    ``createVolumePermission``); a check has no engine ``result``, and ``label`` says what it checks.
    """

    number: int
    caller: str
    callee: str
    principal: str
    action: str
    resource: str
    resource_name: str
    resource_account: str
    context: Mapping[str, ContextValue]
    purpose: Words
    source: str
    decision: Decision
    result: Result | None = None
    fact: Words | None = None
    reached: bool = True
    api: str = ""
    kind: str = CALL
    label: Words = field(default_factory=dict)
    # The grant step: the KMS grant a service creates for the principal (grantee, operations,
    # constraint, and what it is for, in words), shown on the step.
    grant: Mapping[str, Any] | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOW

    @property
    def deciding(self) -> tuple[StatementRef, ...]:
        """The statements the engine cites for this step's decision (empty for a fact step)."""
        return self.result.trace.rule.cites if self.result is not None else ()

    def describe(self, lang: str = "en") -> str:
        """What the step does, in short: ``kms:Decrypt``, ``s3:PutObject (UploadPart)`` when the API
        is not the action's name, or the check's label."""
        if self.kind == CHECK:
            return self.label.get(lang) or self.label.get("en") or self.action
        if self.api and self.api.lower() != self.action.split(":", 1)[-1].lower():
            return f"{self.action} ({self.api})"
        return self.action

    def explain(self, lang: str = "en") -> str:
        if self.result is None:
            fact = self.fact or {}
            return fact.get(lang) or fact.get("en", "")
        return self.result.explain(lang)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number,
            "caller": self.caller,
            "callee": self.callee,
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "resourceName": self.resource_name,
            "resourceAccount": self.resource_account,
            "context": dict(self.context),
            "purpose": dict(self.purpose),
            "source": self.source,
            "decision": self.decision,
            "reached": self.reached,
            "deciding": [ref.to_dict() for ref in self.deciding],
            "api": self.api,
            "kind": self.kind,
            "label": dict(self.label),
            "what": {lang: self.describe(lang) for lang in ("en", "vi")},
        }
        if self.fact is not None:
            data["fact"] = dict(self.fact)
        if self.result is not None:
            data["rule"] = self.result.trace.rule.code
        if self.grant is not None:
            data["grant"] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.grant.items()}
        return data


@dataclass(frozen=True)
class FlowResult:
    """Every step of one flow. The flow is allowed only when every step is; otherwise it fails
    at the first step that is not allowed (later steps are marked ``reached=False``: AWS would
    stop there, but the site still shows what they would have needed)."""

    name: str
    principal: str
    steps: tuple[Step, ...]

    @property
    def failed_step(self) -> Step | None:
        return next((step for step in self.steps if not step.allowed), None)

    @property
    def decision(self) -> Decision:
        failed = self.failed_step
        return ALLOW if failed is None else failed.decision

    def explain(self, lang: str = "en") -> str:
        failed = self.failed_step
        if failed is None:
            return _all_allowed(self.name, len(self.steps), lang)
        what = failed.describe(lang)
        if lang == "vi":
            head = (
                f"Flow {self.name} dừng ở bước {failed.number} ({failed.caller} → {failed.callee}: "
                f"{what} trên {failed.resource})."
            )
        else:
            head = (
                f"Flow {self.name} stops at step {failed.number} ({failed.caller} → {failed.callee}: "
                f"{what} on {failed.resource})."
            )
        if failed.result is None:
            # A check has no engine trace, so its decision is said here, once.
            return f"{head} {failed.explain(lang)} {_DECISION_WORDS[lang].format(decision=failed.decision)}"
        # An engine explanation opens with the decision itself: not repeated in the head.
        return f"{head} {failed.explain(lang)}"

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed_step
        return {
            "name": self.name,
            "principal": self.principal,
            "decision": self.decision,
            "failedStep": failed.number if failed else None,
            "steps": [step.to_dict() for step in self.steps],
        }


_DECISION_WORDS = {"en": "Decision: {decision}.", "vi": "Kết quả: {decision}."}


def _all_allowed(name: str, count: int, lang: str) -> str:
    if lang == "vi":
        if count == 1:
            return f"Bước duy nhất của flow {name} được cho phép."
        if count == 2:
            return f"Cả hai bước của flow {name} đều được cho phép."
        return f"Cả {count} bước của flow {name} đều được cho phép."
    if count == 1:
        return f"The one step of flow {name} is allowed."
    if count == 2:
        return f"Both steps of flow {name} are allowed."
    return f"All {count} steps of flow {name} are allowed."


# --------------------------------------------------------------------------------------------
# Planning: each flow turns its parameters into planned calls.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    caller: str
    callee: str
    action: str
    resource: Resource
    arn: str
    context: Mapping[str, ContextValue]
    purpose: Words
    source: str
    # For a call whose cross-account half is a resource attribute rather than a policy, the
    # account the engine evaluates it in (see ``_share_check``).
    evaluate_in_account: str | None = None
    fact: tuple[bool, Words] | None = None
    # The API operation (CreateMultipartUpload, CopySnapshot, Decrypt …); default: the action's name.
    api: str = ""
    # For a CreateGrant a service sends on the principal's behalf: the grant it creates.
    grant: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class FlowParam:
    """A flow parameter: ``kind`` is ``principal`` or ``resource`` (a name in the world),
    ``object`` (``bucket-name/object/key``), ``bool``."""

    name: str
    kind: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class FlowSpec:
    name: str
    params: tuple[FlowParam, ...]
    plan: Callable[[World, Principal, Mapping[str, Any]], list[_Call]]
    description: Words = field(default_factory=dict)


# Pages cited by the steps (titles as in shared/reference/aws-authorization.md §3).
_S3_SSE_KMS = (
    "Amazon S3 User Guide, Using server-side encryption with AWS KMS keys (SSE-KMS): GetObject needs "
    "kms:Decrypt, PutObject kms:GenerateDataKey; encryption context aws:s3:arn = object ARN, or "
    "bucket ARN with an S3 Bucket Key; Knowledge Center cross-account-access-denied-error-s3"
)
_S3_MULTIPART = (
    "Amazon S3 API Reference, CreateMultipartUpload: kms:GenerateDataKey for CreateMultipartUpload, "
    "kms:Decrypt for UploadPart and UploadPartCopy; S3 User Guide, Multipart upload API and permissions"
)
_S3_AUTH = "Amazon S3 User Guide, Required permissions for Amazon S3 API operations"
_EBS_SHARE = (
    "Amazon EBS User Guide, Share an Amazon EBS snapshot with other AWS accounts (createVolumePermission)"
)
_EBS_COPY = (
    "Service Authorization Reference, Amazon EC2 CopySnapshot: resource-level permissions apply to both "
    "the snapshot copy and the source snapshot"
)
_EBS_SHARED_KEY = (
    "Amazon EBS User Guide, Share the KMS key used to encrypt a shared Amazon EBS snapshot: users of the "
    "shared key need kms:DescribeKey, kms:CreateGrant, kms:GenerateDataKey, "
    "kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt, kms:Decrypt"
)
_EBS_DEST_KEY = (
    "Copy an Amazon EBS snapshot (the destination key must be usable by the copier; DescribeKey on it); "
    "Amazon EBS encryption, Permissions for IAM users: kms:CreateGrant, kms:Decrypt, kms:DescribeKey, "
    "kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt"
)
_EBS_VOLUME = (
    "Service Authorization Reference, Amazon EC2 CreateVolume (volume, and snapshot when created from one); "
    "Amazon EBS encryption, Permissions for IAM users"
)
_GRANT_CONDITION = (
    "AWS KMS condition keys, kms:GrantIsForAWSResource: true when an integrated AWS service creates the "
    "grant on the principal's behalf"
)


def _kms_context(world: World, principal: Principal, service: str, **extra: ContextValue) -> dict:
    # AWS KMS condition keys: when a service uses KMS for a principal, the request is made as that
    # principal, kms:ViaService names the service endpoint and kms:CallerAccount the principal's
    # account (reference §1.11).
    # It is a forward access session (IAM User Guide, "Forward access sessions"): the request
    # carries aws:ViaAWSService = true and aws:CalledVia/First/Last = the calling service's
    # principal, which data-perimeter policies use to exempt such calls from network controls.
    calling = f"{service}.amazonaws.com"
    return {
        "kms:ViaService": f"{service}.{world.region}.amazonaws.com",
        "kms:CallerAccount": principal.account,
        "aws:ViaAWSService": "true",
        "aws:CalledVia": [calling],
        "aws:CalledViaFirst": calling,
        "aws:CalledViaLast": calling,
        **extra,
    }


def _resource(world: World, name: str, param: str) -> Resource:
    if name not in world.resources:
        raise FlowError(param, f"no resource named {name!r}; known: {', '.join(sorted(world.resources))}")
    return world.resources[name]


def _key_of(world: World, owner: Resource, params: Mapping[str, Any], param: str, what: str) -> Resource:
    key_name = params.get(param) or owner.encryption_key
    if key_name is None:
        raise FlowError(
            param, f"{what} {owner.name!r} has no encryption key; give its `encryption: {{key: …}}`"
        )
    key = _resource(world, key_name, param)
    if ":kms:" not in key.arn:
        raise FlowError(param, f"{key_name!r} is not a KMS key (its ARN is {key.arn})")
    return key


def _s3_object(world: World, params: Mapping[str, Any]) -> tuple[Resource, str]:
    bucket_name, _, object_key = str(params["object"]).partition("/")
    bucket = _resource(world, bucket_name, "object")
    if not object_key:
        raise FlowError("object", "object must be `bucket-name/object-key`, e.g. bucket/reports/2025.csv")
    if not bucket.arn.startswith("arn:aws:s3:::"):
        raise FlowError("object", f"{bucket_name!r} is not an S3 bucket (its ARN is {bucket.arn})")
    return bucket, f"{bucket.arn}/{object_key}"


@dataclass(frozen=True)
class _S3Target:
    """The SSE-KMS object an S3 flow reads or writes: every S3 flow looks these up the same way."""

    bucket: Resource
    object_arn: str
    key: Resource
    bucket_key: bool


def _s3_target(world: World, params: Mapping[str, Any]) -> _S3Target:
    bucket, object_arn = _s3_object(world, params)
    key = _key_of(world, bucket, params, "key", "bucket")
    return _S3Target(bucket, object_arn, key, bool(params.get("bucket_key", bucket.bucket_key)))


def _s3_kms_call(
    world: World, principal: Principal, target: _S3Target, action: str, purpose: Words, source: str
) -> _Call:
    # S3 passes the object ARN as encryption context, or the bucket ARN when the object is
    # protected by an S3 Bucket Key (S3 User Guide, Configuring an S3 Bucket Key).
    context_arn = target.bucket.arn if target.bucket_key else target.object_arn
    context = _kms_context(
        world,
        principal,
        "s3",
        **{"kms:EncryptionContext:aws:s3:arn": context_arn, "kms:EncryptionContextKeys": ["aws:s3:arn"]},
    )
    return _Call("S3", "KMS", action, target.key, target.key.arn, context, purpose, source)


def _s3_call(
    target: _S3Target,
    action: str,
    purpose: Words,
    context: Mapping | None = None,
    api: str = "",
) -> _Call:
    return _Call(
        "", "S3", action, target.bucket, target.object_arn, dict(context or {}), purpose, _S3_AUTH, api=api
    )


def _put_context(key: Resource, params: Mapping[str, Any]) -> dict:
    # Only a request that names its key carries the SSE headers a bucket policy can test.
    if not params.get("key"):
        return {}
    return {
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": key.arn,
    }


def _plan_get(world: World, principal: Principal, params: Mapping[str, Any]) -> list[_Call]:
    target = _s3_target(world, params)
    return [
        _s3_call(target, "s3:GetObject", {"en": "read the object", "vi": "đọc object"}),
        _s3_kms_call(
            world,
            principal,
            target,
            "kms:Decrypt",
            {"en": "decrypt the object's data key", "vi": "giải mã data key của object"},
            _S3_SSE_KMS,
        ),
    ]


def _plan_put(world: World, principal: Principal, params: Mapping[str, Any]) -> list[_Call]:
    target = _s3_target(world, params)
    return [
        _s3_call(
            target,
            "s3:PutObject",
            {"en": "upload the object", "vi": "tải object lên"},
            _put_context(target.key, params),
        ),
        _s3_kms_call(
            world,
            principal,
            target,
            "kms:GenerateDataKey",
            {"en": "get a data key to encrypt the object", "vi": "lấy data key để mã hoá object"},
            _S3_SSE_KMS,
        ),
    ]


def _plan_multipart(world: World, principal: Principal, params: Mapping[str, Any]) -> list[_Call]:
    target = _s3_target(world, params)
    # CreateMultipartUpload, UploadPart and CompleteMultipartUpload are all authorized as
    # s3:PutObject (S3 User Guide, Multipart upload API and permissions), so each step also names
    # its API.
    return [
        _s3_call(
            target,
            "s3:PutObject",
            {"en": "start the multipart upload", "vi": "bắt đầu multipart upload"},
            _put_context(target.key, params),
            api="CreateMultipartUpload",
        ),
        _s3_kms_call(
            world,
            principal,
            target,
            "kms:GenerateDataKey",
            {"en": "data key for the upload", "vi": "data key cho lần upload"},
            _S3_MULTIPART,
        ),
        _s3_call(
            target, "s3:PutObject", {"en": "upload a part", "vi": "tải lên từng phần"}, api="UploadPart"
        ),
        _s3_kms_call(
            world,
            principal,
            target,
            "kms:Decrypt",
            {
                "en": "decrypt the upload's data key to encrypt the part",
                "vi": "giải mã data key để mã hoá phần",
            },
            _S3_MULTIPART,
        ),
        _s3_call(
            target,
            "s3:PutObject",
            {"en": "assemble the parts", "vi": "ghép các phần"},
            api="CompleteMultipartUpload",
        ),
    ]


def _ebs_kms_calls(
    world: World,
    principal: Principal,
    key: Resource,
    actions: list[tuple[str, Words]],
    ebs_id: str,
    source: str,
) -> list[_Call]:
    calls = []
    for action, purpose in actions:
        extra: dict[str, ContextValue] = {}
        if action == "kms:CreateGrant":
            # EC2 creates the grant for the volume or snapshot on the principal's behalf.
            extra["kms:GrantIsForAWSResource"] = "true"
        elif action != "kms:DescribeKey":
            # EBS binds each data key to the snapshot or volume id (How Amazon EBS uses AWS KMS).
            extra["kms:EncryptionContext:aws:ebs:id"] = ebs_id
            extra["kms:EncryptionContextKeys"] = ["aws:ebs:id"]
        if action.startswith("kms:ReEncrypt"):
            extra["kms:ReEncryptOnSameKey"] = "false"
        call_source = f"{source}; {_GRANT_CONDITION}" if action == "kms:CreateGrant" else source
        context = _kms_context(world, principal, "ec2", **extra)
        grant = _ebs_grant(world, principal, key, ebs_id) if action == "kms:CreateGrant" else None
        calls.append(_Call("EC2", "KMS", action, key, key.arn, context, purpose, call_source, grant=grant))
    return calls


def _ebs_grant(world: World, principal: Principal, key: Resource, ebs_id: str) -> dict[str, Any]:
    """The grant EC2 creates for an encrypted EBS resource (KMS Developer Guide, "How Amazon EBS
    uses AWS KMS": EBS sends CreateGrant on the user's behalf so that EC2 can use the key for the
    volume or snapshot; the request carries kms:GrantIsForAWSResource = true and kms:ViaService)."""
    service = f"ec2.{world.region}.amazonaws.com"
    return {
        "createdBy": service,
        "onBehalfOf": principal.arn,
        "key": key.arn,
        "grantee": "EC2 (the instance's infrastructure role that attaches the volume)",
        "operations": ["Decrypt", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"],
        "constraint": {"encryptionContextSubset": {"aws:ebs:id": ebs_id}},
        "words": {
            "en": f"Grant step: {service} creates a KMS grant on {key.name} for {ebs_id}, on behalf of "
            f"{principal.name} (kms:GrantIsForAWSResource = true); EBS then uses the key through that grant "
            "while the resource exists.",
            "vi": f"Bước tạo grant: {service} tạo một KMS grant trên {key.name} cho {ebs_id}, thay mặt "
            f"{principal.name} (kms:GrantIsForAWSResource = true); sau đó EBS dùng key qua grant này "
            "suốt thời gian resource còn tồn tại.",
        },
    }


_DESCRIBE = ("kms:DescribeKey", {"en": "check the key", "vi": "kiểm tra key"})
_GRANT = ("kms:CreateGrant", {"en": "grant EBS use of the key", "vi": "tạo grant cho EBS dùng key"})

# Reading an encrypted snapshot under its own key (the source of a copy or of a re-encrypted volume).
_READ_SOURCE_KEY = [
    _DESCRIBE,
    _GRANT,
    (
        "kms:Decrypt",
        {"en": "decrypt the source snapshot's data key", "vi": "giải mã data key của snapshot nguồn"},
    ),
    ("kms:ReEncryptFrom", {"en": "re-encrypt from the source key", "vi": "mã hoá lại từ key nguồn"}),
]

_EBS_DEFAULT_KEY = (
    "Amazon EBS User Guide, Copy an Amazon EBS snapshot and Amazon EBS encryption (Encryption outcomes): "
    "with no KMS key given, a snapshot copy, and a volume made from a snapshot shared with you, are "
    "encrypted with the caller account's default EBS key (aws/ebs unless the account chose another)"
)


def _share_check(principal: Principal, snapshot: Resource, api: str) -> list[_Call]:
    """The createVolumePermission check for a snapshot of another account (none for one's own)."""
    if snapshot.account == principal.account:
        return []
    # Snapshot sharing is an attribute of the snapshot, not a policy: A adds B's account to
    # createVolumePermission. It stands in for the resource-policy half of a cross-account
    # request, so the EC2 request on the snapshot is then evaluated against the caller's own
    # policies only (EC2 snapshots have no resource-based policy).
    shared = principal.account in snapshot.shared_with
    words = {
        "en": f"Snapshot {snapshot.resource_id} (account {snapshot.account}) {'is' if shared else 'is not'} "
        f"shared with account {principal.account} (createVolumePermission).",
        "vi": f"Snapshot {snapshot.resource_id} (account {snapshot.account}) "
        f"{'được' if shared else 'không được'} share cho account {principal.account} "
        "(createVolumePermission).",
    }
    purpose = {
        "en": "is the snapshot shared with the caller's account?",
        "vi": "snapshot có được share cho account của caller không?",
    }
    return [
        _Call(
            "",
            "EC2",
            f"ec2:{api}",
            snapshot,
            snapshot.arn,
            {},
            purpose,
            _EBS_SHARE,
            fact=(shared, words),
            api=api,
        )
    ]


def _snapshot(world: World, params: Mapping[str, Any]) -> Resource:
    snapshot = _resource(world, str(params["snapshot"]), "snapshot")
    if ":snapshot/" not in snapshot.arn:
        raise FlowError("snapshot", f"{snapshot.name!r} is not an EBS snapshot (its ARN is {snapshot.arn})")
    return snapshot


def default_ebs_key(world: World, account: str) -> Resource:
    """The KMS key EBS uses in ``account`` when a request names none: its aws/ebs key.

    (An account may choose another default key for EBS encryption; a claim then names that key
    with ``destination_key``/``volume_key``.) A world that does not declare the account's aws/ebs
    key gets it from the managed-key data, with its fixed key policy.
    """
    for resource in world.resources.values():
        if resource.managed == "aws/ebs" and resource.account == account:
            return resource
    policy = NamedPolicy(f"aws/ebs ({account})", managed_key_policy("aws/ebs", account, world.region))
    arn = managed_key_arn("aws/ebs", account, world.region)
    return Resource(f"aws-ebs-key-{account}", arn, account, policy, managed="aws/ebs")


def _named_key(world: World, params: Mapping[str, Any], param: str) -> Resource | None:
    """The KMS key a flow parameter names, or None when the parameter is not given."""
    name = params.get(param)
    if not name:
        return None
    key = _resource(world, str(name), param)
    if ":kms:" not in key.arn:
        raise FlowError(param, f"{name!r} is not a KMS key (its ARN is {key.arn})")
    return key


def _plan_ebs_copy(world: World, principal: Principal, params: Mapping[str, Any]) -> list[_Call]:
    snapshot = _snapshot(world, params)
    source_key = _key_of(world, snapshot, {}, "snapshot", "snapshot")
    # CopySnapshot without KmsKeyId encrypts the copy with the caller's default EBS key, not with
    # the source snapshot's key (EC2 API Reference, CopySnapshot, KmsKeyId; EBS User Guide,
    # Copy an Amazon EBS snapshot, Encryption outcomes for snapshot copies).
    destination_key = _named_key(world, params, "destination_key") or default_ebs_key(
        world, principal.account
    )
    copy_id = str(params.get("copy_id") or f"{snapshot.resource_id}-copy")
    copy_arn = f"arn:aws:ec2:{world.region}::snapshot/{copy_id}"
    copy = Resource(copy_id, copy_arn, principal.account, encryption_key=destination_key.name)
    calls = _share_check(principal, snapshot, "CopySnapshot")
    calls.append(
        _Call(
            "",
            "EC2",
            "ec2:CopySnapshot",
            snapshot,
            snapshot.arn,
            {},
            {"en": "read the source snapshot", "vi": "đọc snapshot nguồn"},
            _EBS_COPY,
            evaluate_in_account=principal.account,
        )
    )
    calls.append(
        _Call(
            "",
            "EC2",
            "ec2:CopySnapshot",
            copy,
            copy_arn,
            {},
            {"en": "create the snapshot copy", "vi": "tạo bản copy của snapshot"},
            _EBS_COPY,
        )
    )
    calls += _ebs_kms_calls(
        world, principal, source_key, _READ_SOURCE_KEY, snapshot.resource_id, _EBS_SHARED_KEY
    )
    destination_source = (
        _EBS_DEST_KEY if params.get("destination_key") else f"{_EBS_DEST_KEY}; {_EBS_DEFAULT_KEY}"
    )
    calls += _ebs_kms_calls(
        world,
        principal,
        destination_key,
        [
            _DESCRIBE,
            _GRANT,
            (
                "kms:GenerateDataKeyWithoutPlaintext",
                {"en": "new data key for the copy", "vi": "data key mới cho bản copy"},
            ),
            (
                "kms:ReEncryptTo",
                {"en": "re-encrypt to the destination key", "vi": "mã hoá lại sang key đích"},
            ),
        ],
        copy_id,
        destination_source,
    )
    if params.get("create_volume"):
        calls += _volume_calls(world, principal, copy, destination_key, destination_key, _EBS_DEST_KEY)
    return calls


def _volume_calls(
    world: World,
    principal: Principal,
    snapshot: Resource,
    snapshot_key: Resource,
    volume_key: Resource,
    volume_key_source: str,
) -> list[_Call]:
    volume_id = f"vol-from-{snapshot.resource_id}"
    volume_arn = f"arn:aws:ec2:{world.region}:{principal.account}:volume/{volume_id}"
    volume = Resource(volume_id, volume_arn, principal.account, encryption_key=volume_key.name)
    calls = _share_check(principal, snapshot, "CreateVolume")
    calls.append(
        _Call(
            "",
            "EC2",
            "ec2:CreateVolume",
            volume,
            volume.arn,
            {},
            {"en": "create the volume", "vi": "tạo volume"},
            _EBS_VOLUME,
        )
    )
    calls.append(
        _Call(
            "",
            "EC2",
            "ec2:CreateVolume",
            snapshot,
            snapshot.arn,
            {},
            {"en": "create it from the snapshot", "vi": "tạo volume từ snapshot"},
            _EBS_VOLUME,
            evaluate_in_account=principal.account,
        )
    )
    use_volume = (
        "kms:Decrypt",
        {"en": "decrypt the volume's data key to use it", "vi": "giải mã data key để dùng volume"},
    )
    if volume_key.arn == snapshot_key.arn:
        # The volume stays under the snapshot's key: one key, no re-encryption.
        calls += _ebs_kms_calls(
            world,
            principal,
            volume_key,
            [
                _DESCRIBE,
                _GRANT,
                (
                    "kms:GenerateDataKeyWithoutPlaintext",
                    {"en": "data key for the volume", "vi": "data key cho volume"},
                ),
                use_volume,
            ],
            volume_id,
            volume_key_source,
        )
        return calls
    # The volume goes under another key: the snapshot's key only serves to read the snapshot.
    calls += _ebs_kms_calls(
        world, principal, snapshot_key, _READ_SOURCE_KEY, snapshot.resource_id, _EBS_SHARED_KEY
    )
    calls += _ebs_kms_calls(
        world,
        principal,
        volume_key,
        [
            _DESCRIBE,
            _GRANT,
            (
                "kms:GenerateDataKeyWithoutPlaintext",
                {"en": "new data key for the volume", "vi": "data key mới cho volume"},
            ),
            (
                "kms:ReEncryptTo",
                {"en": "re-encrypt to the volume's key", "vi": "mã hoá lại sang key của volume"},
            ),
            use_volume,
        ],
        volume_id,
        volume_key_source,
    )
    return calls


def _plan_volume(world: World, principal: Principal, params: Mapping[str, Any]) -> list[_Call]:
    # Which key encrypts the new volume (Amazon EBS User Guide, Amazon EBS encryption, Encryption
    # outcomes): the one the request names; else, for a snapshot the caller owns, the snapshot's
    # own key; else (a snapshot shared with the caller) the caller's default EBS key: B's aws/ebs,
    # never A's key. A's key is then used only to read the snapshot, and must be shared with B for
    # that (Share the KMS key used to encrypt a shared Amazon EBS snapshot).
    snapshot = _snapshot(world, params)
    snapshot_key = _key_of(world, snapshot, {}, "snapshot", "snapshot")
    named = _named_key(world, params, "volume_key")
    if named is not None:
        return _volume_calls(world, principal, snapshot, snapshot_key, named, _EBS_DEST_KEY)
    if snapshot.account == principal.account:
        return _volume_calls(world, principal, snapshot, snapshot_key, snapshot_key, _EBS_DEST_KEY)
    default = default_ebs_key(world, principal.account)
    return _volume_calls(
        world, principal, snapshot, snapshot_key, default, f"{_EBS_DEST_KEY}; {_EBS_DEFAULT_KEY}"
    )


_S3_PARAMS = (
    FlowParam("principal", "principal"),
    FlowParam("object", "object", help="bucket-name/object/key"),
    FlowParam(
        "key", "resource", required=False, help="the KMS key that encrypts the object (default: the bucket's)"
    ),
    FlowParam("bucket_key", "bool", required=False, help="S3 Bucket Key (default: the bucket's setting)"),
    FlowParam(
        "endpoint",
        "endpoint",
        required=False,
        help="the VPC endpoint the principal's own S3 calls go through (S3's calls to KMS do not)",
    ),
)

FLOWS: dict[str, FlowSpec] = {
    spec.name: spec
    for spec in (
        FlowSpec(
            "s3-get-object",
            _S3_PARAMS,
            _plan_get,
            {"en": "GetObject on an SSE-KMS object", "vi": "GetObject một object mã hoá SSE-KMS"},
        ),
        FlowSpec(
            "s3-put-object",
            _S3_PARAMS,
            _plan_put,
            {"en": "PutObject with SSE-KMS", "vi": "PutObject với SSE-KMS"},
        ),
        FlowSpec(
            "s3-multipart-upload",
            _S3_PARAMS,
            _plan_multipart,
            {"en": "multipart upload with SSE-KMS", "vi": "multipart upload với SSE-KMS"},
        ),
        FlowSpec(
            "ebs-copy-snapshot",
            (
                FlowParam("principal", "principal"),
                FlowParam("snapshot", "resource"),
                FlowParam(
                    "destination_key",
                    "resource",
                    required=False,
                    help="the key the copy is encrypted with (default: the caller account's aws/ebs key)",
                ),
                FlowParam("create_volume", "bool", required=False, help="then create a volume from the copy"),
                FlowParam("copy_id", "string", required=False, help="id of the new snapshot"),
            ),
            _plan_ebs_copy,
            {
                "en": "copy an encrypted EBS snapshot (and create a volume from the copy)",
                "vi": "copy một EBS snapshot đã mã hoá (và tạo volume từ bản copy)",
            },
        ),
        FlowSpec(
            "ebs-create-volume",
            (
                FlowParam("principal", "principal"),
                FlowParam("snapshot", "resource"),
                FlowParam(
                    "volume_key",
                    "resource",
                    required=False,
                    help="the key the volume is encrypted with (default: the snapshot's key for one's own "
                    "snapshot, the caller account's aws/ebs key for a shared one)",
                ),
            ),
            _plan_volume,
            {"en": "create a volume from an encrypted snapshot", "vi": "tạo volume từ snapshot đã mã hoá"},
        ),
    )
}


# --------------------------------------------------------------------------------------------
# Running a flow.
# --------------------------------------------------------------------------------------------


_CHECK_LABEL: Words = {"en": "createVolumePermission check", "vi": "kiểm tra createVolumePermission"}


def _session_policy(principal: Principal) -> NamedPolicy | None:
    """A session's policies act as one session policy (the inline policy and the managed
    policies passed with AssumeRole together): their statements are read as one document."""
    if not principal.session_policies:
        return None
    if len(principal.session_policies) == 1:
        return principal.session_policies[0]
    statements: list[Any] = []
    for policy in principal.session_policies:
        found = policy.document.get("Statement", [])
        statements.extend(found if isinstance(found, list) else [found])
    name = " + ".join(p.name for p in principal.session_policies)
    return NamedPolicy(name, {"Version": "2012-10-17", "Statement": statements})


def policies_for(
    principal: Principal,
    resource: Resource | None,
    world: World | None = None,
    endpoint: str | None = None,
    resource_account: str | None = None,
) -> PolicySet:
    """The policies that decide a request of ``principal`` on ``resource``: its identity policies,
    boundaries and session policies, the resource's policy, the organization's SCPs (principal in
    a member account) and RCPs (resource in a member account), the endpoint policy of the VPC
    endpoint the request goes through, and the KMS grants on the key."""
    policies = PolicySet(
        identity=list(principal.identity),
        resource=resource.policy if resource is not None else None,
        boundaries=list(principal.boundaries),
        session=_session_policy(principal),
    )
    if world is None:
        return policies
    org = world.organization
    owner = resource_account or (resource.account if resource is not None else None)
    if org is not None:
        if org.members(principal.account) and org.scps:
            policies.scps = [list(org.scps)]
        if org.members(owner) and org.rcps:
            policies.rcps = [list(org.rcps)]
    if endpoint is not None:
        endpoint_policy = world.endpoints[endpoint][1]
        if endpoint_policy is not None:
            policies.endpoints = [endpoint_policy]
    if resource is not None and world.grants:
        policies.grants = [grant for grant in world.grants if grant.key_arn == resource.arn]
    return policies


def request_for(
    world: World,
    principal: Principal,
    action: str,
    resource: str,
    resource_account: str,
    context: Mapping[str, ContextValue],
    endpoint: str | None = None,
) -> Request:
    """The engine request for ``principal`` in ``world``: with what AWS knows of the caller (role
    path, tags, unique id, organization) and of the path (the VPC endpoint)."""
    org = world.organization
    return Request(
        principal=principal.arn,
        action=action,
        resource=resource,
        resource_account=resource_account,
        context=dict(context),
        principal_account=principal.account,
        role_path=principal.role_path,
        principal_tags=dict(principal.tags) or None,
        principal_unique_id=principal.unique_id,
        principal_org_id=org.id if org is not None and principal.account in org.accounts else None,
        resource_org_id=org.id if org is not None and resource_account in org.accounts else None,
        endpoint=world.endpoints[endpoint][0] if endpoint is not None else None,
        source=principal.source,
    )


def run_flow(name: str, world: World, principal: str, **params: Any) -> FlowResult:
    """Expand flow ``name`` for ``principal`` (a name in ``world``) and decide every step."""
    if name not in FLOWS:
        raise FlowError("name", f"unknown flow {name!r}; known: {', '.join(sorted(FLOWS))}")
    spec = FLOWS[name]
    if principal not in world.principals:
        raise FlowError(
            "principal", f"no principal named {principal!r}; known: {', '.join(sorted(world.principals))}"
        )
    actor = world.principals[principal]
    known = {p.name for p in spec.params}
    for param in params:
        if param not in known:
            raise FlowError(
                param, f"flow {name} has no parameter {param!r}; it takes: {', '.join(sorted(known))}"
            )
    for param in spec.params:
        if param.required and param.name != "principal" and param.name not in params:
            raise FlowError(param.name, f"flow {name} needs `{param.name}` ({param.help or param.kind})")

    endpoint = params.get("endpoint")
    if endpoint is not None and endpoint not in world.endpoints:
        known = ", ".join(sorted(world.endpoints)) or "none"
        raise FlowError("endpoint", f"no VPC endpoint named {endpoint!r}; known: {known}")
    steps: list[Step] = []
    stopped = False
    for number, call in enumerate(spec.plan(world, actor, params), start=1):
        caller = call.caller or actor.name
        api = call.api or call.action.split(":", 1)[1]
        if call.fact is not None:
            holds, words = call.fact
            decision: Decision = ALLOW if holds else IMPLICIT_DENY
            result = None
            fact: Words | None = words
        else:
            account = call.evaluate_in_account or call.resource.account
            # Only the principal's own calls travel through its VPC endpoint; a service's call on
            # its behalf (S3 to KMS) leaves from the service.
            via = endpoint if not call.caller else None
            request = request_for(world, actor, call.action, call.arn, account, call.context, via)
            result = evaluate(request, policies_for(actor, call.resource, world, via, account))
            decision = result.decision
            fact = None
        steps.append(
            Step(
                number=number,
                caller=caller,
                callee=call.callee,
                principal=actor.name,
                action=call.action,
                resource=call.arn,
                resource_name=call.resource.name,
                resource_account=call.resource.account,
                context=dict(call.context),
                purpose=call.purpose,
                source=call.source,
                decision=decision,
                result=result,
                fact=fact,
                reached=not stopped,
                api=api,
                kind=CHECK if call.fact is not None else CALL,
                label=_CHECK_LABEL if call.fact is not None else {"en": api, "vi": api},
                grant=call.grant,
            )
        )
        stopped = stopped or decision != ALLOW
    return FlowResult(name, actor.name, tuple(steps))
