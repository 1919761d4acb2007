"""The trace in plain words, in English or Vietnamese.

Every sentence comes from a template keyed by the trace's codes, so both languages say the same
thing and a new rule cannot go unexplained (tests check every rule code has both templates).
"""

from __future__ import annotations

import re
from typing import Any

from policyproof.engine.result import Mismatch, PolicyTrace, Result, StatementRef, StatementTrace

LANGUAGES = ("en", "vi")

DECISION = {
    "en": {
        "Allow": "Allow",
        "ImplicitDeny": "ImplicitDeny (implicit deny)",
        "ExplicitDeny": "ExplicitDeny (explicit deny)",
    },
    "vi": {
        "Allow": "Allow (được cho phép)",
        "ImplicitDeny": "ImplicitDeny (bị từ chối ngầm định)",
        "ExplicitDeny": "ExplicitDeny (bị từ chối tường minh)",
    },
}

# Policy kinds keep their English names in Vietnamese too (as Vietnamese engineers say them), so
# both languages share one table.
_POLICY_KIND_NAMES = {
    "scp": "SCP",
    "rcp": "RCP",
    "resource": "resource policy",
    "identity": "identity policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "endpoint": "VPC endpoint policy",
    "key": "key policy",
    "trust": "trust policy",
    "grant": "KMS grant",
}
KIND = {"en": dict(_POLICY_KIND_NAMES), "vi": dict(_POLICY_KIND_NAMES)}

PRINCIPAL_KIND = {
    "en": {
        "user": "IAM user",
        "role": "IAM role",
        "role-session": "role session",
        "federated-user": "federated user session",
        "account": "account principal",
        "service": "AWS service principal",
        "anonymous": "anonymous caller",
        "web-identity": "web identity provider",
    },
    "vi": {
        "user": "IAM user",
        "role": "IAM role",
        "role-session": "role session",
        "federated-user": "federated user session",
        "account": "account principal",
        "service": "service principal của AWS",
        "anonymous": "người gọi ẩn danh",
        "web-identity": "web identity provider",
    },
}

PROTECTION = {
    "en": {
        "aws-managed-policy": "an AWS managed policy",
        "aws-reserved-role": "a role reserved for IAM Identity Center",
        "aws-managed-alias": "an alias reserved for AWS managed keys",
    },
    "vi": {
        "aws-managed-policy": "một AWS managed policy",
        "aws-reserved-role": "một role dành riêng cho IAM Identity Center",
        "aws-managed-alias": "một alias dành riêng cho AWS managed key",
    },
}

KMS_CROSS_ACCOUNT = (
    "CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant, RevokeGrant"
)

RULES: dict[str, dict[str, str]] = {
    "en": {
        "always-allowed": "{action} is always allowed: AWS requires no permission for it, and even an "
        "explicit Deny does not block it.",
        "explicit-deny": "Explicit deny: statement {statement} of {kind_label} {policy} denies this "
        "request. An explicit Deny in any policy overrides every Allow.",
        "aws-owned-resource": "Implicit deny: {resource} is {protection_label}, owned by AWS; no policy can "
        "let a customer change it. Only Read and List actions work on it.",
        "scp-no-allow": "Implicit deny: no SCP at organization level {level} (0 = root) allows this action; "
        "every level from the root down to the account must allow it.",
        "endpoint-no-allow": "Implicit deny: the VPC endpoint policy {policy} does not allow this request.",
        "no-resource-allow": "Implicit deny: {who} has no identity policies, so only a resource policy can "
        "allow the request, and none does.",
        # Used when some Allow statement of the key policy names the principal, its account or "*"
        # but does not apply (action not listed, condition not met): see _names_caller().
        "resource-policy-required:kms-key": "Implicit deny: no statement of the key policy allows this "
        "request, whether for this principal or for its account (the action is not listed, or a "
        "condition is not met). For a KMS key the key policy itself must allow the request; IAM policies "
        "count only when a key policy statement allows the account principal (arn:aws:iam::ACCOUNT:root) "
        "for this action.{identity_note}",
        "resource-policy-required:kms-key:unnamed": "Implicit deny: no Allow statement of the key policy "
        "names this principal or its account. For a KMS key the key policy itself must allow the request; "
        "IAM policies count only when a key policy statement allows the account principal "
        "(arn:aws:iam::ACCOUNT:root) for this action.{identity_note}",
        "resource-policy-required:role-trust": "Implicit deny: no statement of the role's trust policy "
        "allows this request, whether for this principal or for its account (the action is not listed, "
        "or a condition is not met). To assume a role, its trust policy must allow the caller."
        "{identity_note}",
        "resource-policy-required:role-trust:unnamed": "Implicit deny: no Allow statement of the role's "
        "trust policy names this principal or its account. To assume a role, its trust policy must allow "
        "the caller.{identity_note}",
        "kms-not-cross-account": "Implicit deny: {action} cannot be used on a KMS key of another account, "
        "whatever the policies say. Only cryptographic operations (Encrypt, Decrypt, GenerateDataKey, …) "
        "and " + KMS_CROSS_ACCOUNT + " work across accounts.",
        "cross-account-no-resource-allow": "Implicit deny: cross-account request (principal in account "
        "{principal_account}, resource in account {resource_account}). "
        "The {resource_label} of account {resource_account} must allow it, "
        "and none does.{identity_note}",
        "cross-account-no-identity-allow": "Implicit deny: cross-account request: the {resource_label} "
        "allows "
        "it ({resource_cites}), but no identity policy of the principal "
        "in account {principal_account} does. Both accounts must allow a "
        "cross-account request.",
        "boundary-no-allow": "Implicit deny: the permissions boundary {policy} does not allow this "
        "action; a boundary caps what the other policies grant.",
        "session-no-allow": "Implicit deny: the session policy {policy} does not allow this action; a "
        "session can do only what both its identity's policies and its session policy "
        "allow.",
        "account-delegation-no-identity-allow": "Implicit deny: the {resource_label} allows account "
        "{principal_account} as a whole ({resource_cites}), which only "
        "hands the decision to that account's IAM policies, and no "
        "identity policy of the principal allows it.",
        "no-allow": "Implicit deny: no policy allows this request.",
        "allow-resource": "Allowed: the resource policy allows {who} ({resource_cites}).",
        "allow-cross-account": "Allowed: cross-account request, and both accounts allow it: the "
        "{resource_label} of account {resource_account} ({resource_cites}) and the "
        "identity policy in account {principal_account} ({identity_cites}).",
        "allow-resource-names-principal": "Allowed: in the same account, the {resource_label} names this "
        "principal ({resource_cites}), which is enough on its own.",
        "allow-resource-names-principal:role": "Allowed: in the same account, the {resource_label} names the "
        "role ({resource_cites}); its sessions stay within their "
        "permissions boundary and session policy, which allow it too.",
        "allow-identity": "Allowed: {identity_cites} allows it, and nothing denies it.",
        "allow-identity-delegated": "Allowed: the {resource_label} allows the account principal "
        "({resource_cites}), which lets IAM policies grant access, and "
        "{identity_cites} allows it.",
        "grant-constraint-not-met": 'Implicit deny: KMS grant "{grant}" names this principal and '
        "operation, but its constraint {constraint} {expected} does not match the request's encryption "
        "context {actual}; and no key policy statement allows the request on its own.",
        "allow-grant": 'Allowed: KMS grant "{grant}" lets this principal ({grant_how}) call {action} on the '
        "key, in any account and without a key policy or IAM policy statement for it; nothing denies it.",
    },
    "vi": {
        "always-allowed": "{action} luôn được cho phép: AWS không yêu cầu quyền nào cho action này, kể cả "
        "một Deny tường minh cũng không chặn được.",
        "explicit-deny": "Bị từ chối tường minh: statement {statement} trong {kind_label} {policy} từ chối "
        "request này. Một Deny tường minh ở bất kỳ policy nào cũng thắng mọi Allow.",
        "aws-owned-resource": "Bị từ chối ngầm định: {resource} là {protection_label}, do AWS quản lý; không "
        "policy nào cho phép khách hàng thay đổi nó. Chỉ các action Read và List dùng "
        "được trên nó.",
        "scp-no-allow": "Bị từ chối ngầm định: không SCP nào ở cấp {level} của organization (0 là root) cho "
        "phép action này; mọi cấp từ root xuống đến account đều phải cho phép.",
        "endpoint-no-allow": "Bị từ chối ngầm định: VPC endpoint policy {policy} không cho phép request này.",
        "no-resource-allow": "Bị từ chối ngầm định: {who} không có identity policy, "
        "nên chỉ resource policy mới "
        "cho phép được request, mà không resource policy nào cho phép.",
        "resource-policy-required:kms-key": "Bị từ chối ngầm định: không có statement nào trong key policy "
        "cho phép request này, dù cho chính principal hay cho account của nó (action không được liệt kê "
        "hoặc condition không thoả). Với KMS key, chính key policy phải cho phép request; IAM policy chỉ có "
        "hiệu lực khi một statement của key policy cho phép account principal (arn:aws:iam::ACCOUNT:root) "
        "làm action này.{identity_note}",
        "resource-policy-required:kms-key:unnamed": "Bị từ chối ngầm định: không statement Allow nào trong "
        "key policy nêu principal này hay account của nó. Với KMS key, chính key policy phải cho phép "
        "request; IAM policy chỉ có hiệu lực khi một statement của key policy cho phép account principal "
        "(arn:aws:iam::ACCOUNT:root) làm action này.{identity_note}",
        "resource-policy-required:role-trust": "Bị từ chối ngầm định: không có statement nào trong trust "
        "policy của role cho phép request này, dù cho chính principal hay cho account của nó (action không "
        "được liệt kê hoặc condition không thoả). Muốn assume một role thì trust policy của role phải cho "
        "phép người gọi.{identity_note}",
        "resource-policy-required:role-trust:unnamed": "Bị từ chối ngầm định: không statement Allow nào "
        "trong trust policy của role nêu principal này hay account của nó. Muốn assume một role thì trust "
        "policy của role phải cho phép người gọi.{identity_note}",
        "kms-not-cross-account": "Bị từ chối ngầm định: không thể dùng {action} "
        "trên KMS key của account khác, "
        "dù policy viết gì đi nữa. Chỉ các thao tác mật mã (cryptographic operations: Encrypt, Decrypt, "
        "GenerateDataKey, …) và " + KMS_CROSS_ACCOUNT + " mới dùng được cross-account.",
        "cross-account-no-resource-allow": "Bị từ chối ngầm định: request cross-account "
        "(principal thuộc account "
        "{principal_account}, resource thuộc account {resource_account}). "
        "{resource_label_cap} của account {resource_account} phải cho phép, "
        "nhưng không có statement nào cho phép.{identity_note}",
        "cross-account-no-identity-allow": "Bị từ chối ngầm định: request cross-account: {resource_label} "
        "cho phép ({resource_cites}), nhưng không identity policy nào của "
        "principal bên account {principal_account} cho phép. Với request "
        "cross-account, cả hai account đều phải cho phép.",
        "boundary-no-allow": "Bị từ chối ngầm định: permissions boundary {policy} không cho phép action "
        "này; boundary giới hạn những gì các policy khác cấp.",
        "session-no-allow": "Bị từ chối ngầm định: session policy {policy} không cho phép action này; một "
        "session chỉ làm được những gì vừa được policy của identity vừa được session policy "
        "cho phép.",
        "account-delegation-no-identity-allow": "Bị từ chối ngầm định: {resource_label} cho phép cả account "
        "{principal_account} ({resource_cites}), tức là chỉ giao quyền "
        "quyết định cho IAM policy của account đó, mà không identity "
        "policy nào của principal cho phép.",
        "no-allow": "Bị từ chối ngầm định: không policy nào cho phép request này.",
        "allow-resource": "Được cho phép: resource policy cho phép {who} ({resource_cites}).",
        "allow-cross-account": "Được cho phép: request cross-account và cả hai account đều cho phép: "
        "{resource_label} của account {resource_account} ({resource_cites}) và identity "
        "policy bên account {principal_account} ({identity_cites}).",
        "allow-resource-names-principal": "Được cho phép: trong cùng account, {resource_label} nêu đích danh "
        "principal này ({resource_cites}), như vậy là đủ.",
        "allow-resource-names-principal:role": "Được cho phép: trong cùng account, {resource_label} nêu đích "
        "danh role ({resource_cites}); session của role vẫn bị giới hạn "
        "bởi permissions boundary và session policy, và chúng cũng cho "
        "phép.",
        "allow-identity": "Được cho phép: {identity_cites} cho phép, và không có gì từ chối.",
        "allow-identity-delegated": "Được cho phép: {resource_label} cho phép account principal "
        "({resource_cites}), nhờ đó IAM policy có hiệu lực, và {identity_cites} cho "
        "phép.",
        "grant-constraint-not-met": 'Bị từ chối ngầm định: KMS grant "{grant}" có nêu principal và '
        "operation này, nhưng constraint {constraint} {expected} của grant không khớp encryption context "
        "{actual} của request; và không statement nào trong key policy tự cho phép request.",
        "allow-grant": 'Được cho phép: KMS grant "{grant}" cho principal này ({grant_how}) gọi {action} '
        "trên key, từ bất kỳ account nào và không cần statement nào trong key policy hay IAM policy; "
        "không có gì từ chối.",
    },
}

# Claims name a policy with statements left out as "<policy> − <Sid> − <Sid>" (claims.py): a
# language-neutral name, which explanations put into words in the reader's language.
DROPPED_STATEMENTS_MARK = " − "
DROPPED = {
    "en": ('"{policy}" without statement {statements}', '"{policy}" without statements {statements}'),
    "vi": ('"{policy}" đã bỏ statement {statements}', '"{policy}" đã bỏ các statement {statements}'),
}

IDENTITY_NOTE = {
    "en": " An identity policy allows it, but that is not enough on its own.",
    "vi": " Có identity policy cho phép, nhưng riêng như vậy thì chưa đủ.",
}

WHO = {
    "en": {
        "anonymous": "an anonymous caller",
        "service": "the AWS service principal {principal}",
        "web-identity": "the identity provider {principal}",
    },
    "vi": {
        "anonymous": "người gọi ẩn danh",
        "service": "service principal {principal} của AWS",
        "web-identity": "identity provider {principal}",
    },
}

MISMATCH = {
    "en": {
        "action-not-listed": "action {action} is not in Action ({patterns})",
        "action-excluded": "action {action} is excluded by NotAction ({patterns})",
        "resource-not-listed": "the resource is not in Resource ({patterns})",
        "resource-excluded": "the resource is excluded by NotResource ({patterns})",
        "principal-not-listed": "principal {principal} is not in Principal ({principals})",
        "principal-excluded": "principal {principal} is excluded by NotPrincipal ({principals})",
        "no-principal-element": "the statement has no Principal, so it applies to no one",
        "condition-key-missing": "condition {operator} on {key} fails: the request has no {key}",
        "condition-not-met": "condition {operator} on {key} fails: the request has {request_values}, "
        "the policy wants {policy_values}",
        "condition-not-met-negated": "condition {operator} on {key} fails: the request has "
        "{request_values}, the policy wants a value other than {policy_values}",
        "grantee-not-matched": "the grantee is {grantee}, not {principal}",
        "operation-not-in-grant": "{action} is not one of the grant's operations ({patterns})",
        "grant-constraint-not-met": "the grant's constraint {constraint} {expected} does not match the "
        "request's encryption context {actual}",
    },
    "vi": {
        "action-not-listed": "action {action} không có trong Action ({patterns})",
        "action-excluded": "action {action} bị loại trừ bởi NotAction ({patterns})",
        "resource-not-listed": "resource không khớp Resource ({patterns})",
        "resource-excluded": "resource bị loại trừ bởi NotResource ({patterns})",
        "principal-not-listed": "principal {principal} không có trong Principal ({principals})",
        "principal-excluded": "principal {principal} bị loại trừ bởi NotPrincipal ({principals})",
        "no-principal-element": "statement không có Principal nên không áp dụng cho ai",
        "condition-key-missing": "điều kiện {operator} với {key} không thoả: request không có {key}",
        "condition-not-met": "điều kiện {operator} với {key} không thoả: request có {request_values}, "
        "policy yêu cầu {policy_values}",
        "condition-not-met-negated": "điều kiện {operator} với {key} không thoả: request có "
        "{request_values}, policy yêu cầu giá trị khác {policy_values}",
        "grantee-not-matched": "grantee là {grantee}, không phải {principal}",
        "operation-not-in-grant": "{action} không nằm trong các operation của grant ({patterns})",
        "grant-constraint-not-met": "constraint {constraint} {expected} của grant không khớp encryption "
        "context của request {actual}",
    },
}

TEXT = {
    "en": {
        "decision": "Decision: {decision}",
        "request": "Request: {principal} ({principal_kind}{principal_account}) calls {action} on {resource}"
        "{resource_account}; {scope}.",
        "account": ", account {account}",
        "resource_account": " (account {account})",
        "same": "same account",
        "cross": "cross-account",
        "no_account": "the caller belongs to no account",
        "scps_skipped": "The SCPs given do not apply: SCPs limit only the IAM users and roles of member "
        "accounts (not anonymous callers, AWS services or service-linked roles).",
        "rcps_skipped": "The RCPs given do not apply: this service does not support RCPs, or the caller is "
        "a service-linked role.",
        "why": "Why: {sentence}",
        "filled": "Context keys filled in by the engine: {keys}.",
        "warning:unknown-action": "Warning: {value} is not an action of any AWS service, so no policy "
        "can allow it{suggestion}.",
        "warning:unknown-service": "Warning: {value} names no AWS service{suggestion}.",
        "warning:unknown-context-key": "Warning: context key {value} is not a condition key of any AWS "
        "service{suggestion}.",
        "warning:role-path-unknown": "Warning: this session's role is an IAM Identity Center role, "
        "whose ARN has a path (/aws-reserved/sso.amazonaws.com/…) the session ARN does not show; "
        "aws:PrincipalArn was filled as {value}. Give the role's path (role_path in claims.yaml, "
        "rolePath in a case) for the exact value{suggestion}.",
        "suggestion": " (did you mean {suggestion}?)",
        "grant_line": "    grant ({operations}): {state}",
        "grant_applies": "applies",
        "grant_how:grantee": "its grantee",
        "grant_how:retiring-principal": "its retiring principal, for RetireGrant",
        "policies": "Policies:",
        "policy": "- {kind_label} {name}{level}{implicit}:",
        "level": " (level {level})",
        "implicit": " (attached by AWS at every level)",
        "empty": "    (no statements)",
        "applies": "    statement {label} ({effect}): applies",
        "not_applies": "    statement {label} ({effect}): does not apply: {reasons}",
        "cite": "statement {statement} of {kind_label} {policy}",
        "and": " and ",
        "missing": "(missing)",
    },
    "vi": {
        "decision": "Kết quả: {decision}",
        "request": "Request: {principal} ({principal_kind}{principal_account}) gọi {action} trên {resource}"
        "{resource_account}; {scope}.",
        "account": ", account {account}",
        "resource_account": " (account {account})",
        "same": "cùng account",
        "cross": "cross-account",
        "no_account": "người gọi không thuộc account nào",
        "scps_skipped": "Các SCP được đưa vào không áp dụng: SCP chỉ giới hạn IAM user và role của các "
        "member account (không áp dụng cho người gọi ẩn danh, AWS service hay service-linked role).",
        "rcps_skipped": "Các RCP được đưa vào không áp dụng: service này không hỗ trợ RCP, hoặc người gọi là "
        "service-linked role.",
        "why": "Lý do: {sentence}",
        "filled": "Context key do engine tự điền: {keys}.",
        "warning:unknown-action": "Cảnh báo: {value} không phải action của AWS service nào, nên không "
        "policy nào cho phép được{suggestion}.",
        "warning:unknown-service": "Cảnh báo: {value} không thuộc AWS service nào{suggestion}.",
        "warning:unknown-context-key": "Cảnh báo: context key {value} không phải condition key của AWS "
        "service nào{suggestion}.",
        "warning:role-path-unknown": "Cảnh báo: role của session này là role của IAM Identity Center, "
        "ARN của nó có path (/aws-reserved/sso.amazonaws.com/…) mà ARN của session không cho thấy; "
        "aws:PrincipalArn được điền là {value}. Hãy khai báo path của role (role_path trong "
        "claims.yaml, rolePath trong case) để có giá trị chính xác{suggestion}.",
        "suggestion": " (có phải ý bạn là {suggestion}?)",
        "grant_line": "    grant ({operations}): {state}",
        "grant_applies": "áp dụng",
        "grant_how:grantee": "grantee của grant",
        "grant_how:retiring-principal": "retiring principal của grant, để RetireGrant",
        "policies": "Các policy:",
        "policy": "- {kind_label} {name}{level}{implicit}:",
        "level": " (cấp {level})",
        "implicit": " (AWS tự gắn ở mọi cấp)",
        "empty": "    (không có statement)",
        "applies": "    statement {label} ({effect}): áp dụng",
        "not_applies": "    statement {label} ({effect}): không áp dụng: {reasons}",
        "cite": "statement {statement} trong {kind_label} {policy}",
        "and": " và ",
        "missing": "(không có)",
    },
}


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use 'en' or 'vi'")
    return lang


def policy_label(name: str, lang: str = "en") -> str:
    """A policy's name as explanations quote it: ``"name"``, or for a claim's edited copy
    ``"key.json" without statement "Sid"`` in the reader's language."""
    lang = _language(lang)
    if DROPPED_STATEMENTS_MARK not in name:
        return f'"{name}"'
    policy, *dropped = name.split(DROPPED_STATEMENTS_MARK)
    one, several = DROPPED[lang]
    template = one if len(dropped) == 1 else several
    return template.format(policy=policy, statements=", ".join(f'"{sid}"' for sid in dropped))


def _kind_label(kind: str, lang: str, required: str | None) -> str:
    if kind == "resource" and required == "kms-key":
        return KIND[lang]["key"]
    if kind == "resource" and required == "role-trust":
        return KIND[lang]["trust"]
    return KIND[lang][kind]


def _cites(refs: list[dict[str, str]], lang: str, required: str | None) -> str:
    text = TEXT[lang]
    return text["and"].join(
        text["cite"].format(
            statement=ref["statement"],
            kind_label=_kind_label(ref["kind"], lang, required),
            policy=policy_label(ref["policy"], lang),
        )
        for ref in refs
    )


def _values(values: list[str] | None, lang: str) -> str:
    if not values:
        return TEXT[lang]["missing"]
    return ", ".join(f'"{v}"' for v in values)


# The negated condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators").
_NEGATED = re.compile(r"(^|:)(String|Numeric|Date|Arn)?Not|NotIpAddress")


def explain_mismatch(mismatch: Mismatch, lang: str = "en") -> str:
    lang = _language(lang)
    p = mismatch.params
    reason = mismatch.reason
    if reason == "condition-not-met" and _NEGATED.search(p.get("operator", "")):
        # StringNotEquals, ArnNotLike, NotIpAddress …: "wants X" would read as the opposite.
        reason = "condition-not-met-negated"
    return MISMATCH[lang][reason].format(
        action=p.get("action", ""),
        patterns=", ".join(p.get("patterns", [])),
        principal=p.get("principal", ""),
        principals=", ".join(p.get("principals", [])),
        operator=p.get("operator", ""),
        key=p.get("key", ""),
        request_values=_values(p.get("requestValues"), lang),
        policy_values=_values(p.get("policyValues"), lang),
        grantee=p.get("grantee", ""),
        constraint=p.get("constraint", ""),
        expected=_pairs(p.get("expected")),
        actual=_pairs(p.get("actual")),
    )


def _pairs(value: dict[str, str] | None) -> str:
    """An encryption context in words: ``(Department: IT, Project: x)``, ``()`` when empty."""
    return "(" + ", ".join(f"{k}: {v}" for k, v in (value or {}).items()) + ")"


_PRINCIPAL_MISMATCHES = frozenset({"principal-not-listed", "principal-excluded", "no-principal-element"})


def _names_caller(result: Result) -> bool:
    """Whether some Allow statement of the resource policy names the caller, its account or "*"
    (and so failed on its action, resource or condition instead): then "the policy names neither
    the principal nor its account" would be false, and another sentence says why it was denied."""
    for policy in result.trace.policies:
        if policy.kind != "resource":
            continue
        for statement in policy.statements:
            if statement.effect == "Allow" and not any(
                m.reason in _PRINCIPAL_MISMATCHES for m in statement.mismatches
            ):
                return True
    return False


def explain_rule(result: Result, lang: str = "en") -> str:
    """The one sentence that says which rule decided."""
    lang = _language(lang)
    rule = result.trace.rule
    facts = result.trace.facts
    required = facts.get("resourcePolicyRequired")
    key = rule.code
    if rule.code == "resource-policy-required":
        key = f"{rule.code}:{rule.params['required']}"
        if not _names_caller(result):
            key += ":unnamed"
    elif rule.code == "allow-resource-names-principal" and rule.params.get("match") == "role":
        key = f"{rule.code}:role"
    refs = [c.to_dict() for c in rule.cites]
    resource_refs = [r for r in refs if r["kind"] == "resource"]
    identity_refs = [r for r in refs if r["kind"] == "identity"]
    resource_label = _kind_label("resource", lang, required)
    who_template = WHO[lang].get(facts.get("principalKind", ""), "{principal}")
    values: dict[str, Any] = {
        "action": facts.get("action", ""),
        "resource": facts.get("resource", ""),
        "principal_account": facts.get("principalAccount") or "?",
        "resource_account": facts.get("resourceAccount") or "?",
        "resource_label": resource_label,
        "resource_label_cap": resource_label[:1].upper() + resource_label[1:],
        "resource_cites": _cites(resource_refs, lang, required),
        "identity_cites": _cites(identity_refs, lang, required),
        "who": who_template.format(principal=facts.get("principal", "")),
        "identity_note": IDENTITY_NOTE[lang] if rule.params.get("identityAllows") else "",
        "policy": policy_label(rule.params["policy"], lang) if "policy" in rule.params else "",
        "statement": rule.params.get("statement", ""),
        "level": rule.params.get("level", ""),
        "kind_label": _kind_label(rule.params["kind"], lang, required) if "kind" in rule.params else "",
        "protection_label": PROTECTION[lang].get(rule.params.get("protection", ""), ""),
        "grant": rule.params.get("grant", ""),
        "constraint": rule.params.get("constraint", ""),
        "expected": _pairs(rule.params.get("expected")),
        "actual": _pairs(rule.params.get("actual")),
        "grant_how": TEXT[lang].get(f"grant_how:{rule.params.get('why', '')}", ""),
    }
    if rule.code == "always-allowed":
        values["action"] = facts.get("action", "")
    return RULES[lang][key].format(**values)


def _policy_lines(policy: PolicyTrace, lang: str, required: str | None) -> list[str]:
    text = TEXT[lang]
    lines = [
        text["policy"].format(
            kind_label=_kind_label(policy.kind, lang, required),
            name=policy_label(policy.name, lang),
            level=text["level"].format(level=policy.level) if policy.level is not None else "",
            implicit=text["implicit"] if policy.implicit else "",
        )
    ]
    if not policy.statements:
        lines.append(text["empty"])
    for statement in policy.statements:
        if policy.kind == "grant":
            state = (
                text["grant_applies"]
                if statement.applies
                else "; ".join(explain_mismatch(m, lang) for m in statement.mismatches)
            )
            operations = ", ".join((policy.details or {}).get("operations", ()))
            lines.append(text["grant_line"].format(operations=operations, state=state))
            continue
        lines.append(_statement_line(statement, lang))
    return lines


def _statement_line(statement: StatementTrace, lang: str) -> str:
    text = TEXT[lang]
    if statement.applies:
        return text["applies"].format(label=statement.label, effect=statement.effect)
    reasons = "; ".join(explain_mismatch(m, lang) for m in statement.mismatches)
    return text["not_applies"].format(label=statement.label, effect=statement.effect, reasons=reasons)


def _scope(facts: dict[str, Any], text: dict[str, str]) -> str:
    if not facts.get("principalAccount"):
        return text["no_account"]
    return text["same"] if facts.get("sameAccount") else text["cross"]


def explain(result: Result, lang: str = "en") -> str:
    """Decision, the request, the deciding rule, then every policy statement by statement."""
    lang = _language(lang)
    text = TEXT[lang]
    facts = result.trace.facts
    principal_account = facts.get("principalAccount")
    resource_account = facts.get("resourceAccount")
    lines = [
        text["decision"].format(decision=DECISION[lang][result.decision]),
        text["request"].format(
            principal=facts.get("principal", ""),
            principal_kind=PRINCIPAL_KIND[lang].get(facts.get("principalKind", ""), ""),
            principal_account=text["account"].format(account=principal_account) if principal_account else "",
            action=facts.get("action", ""),
            resource=facts.get("resource", ""),
            resource_account=text["resource_account"].format(account=resource_account)
            if resource_account
            else "",
            scope=_scope(facts, text),
        ),
        text["why"].format(sentence=explain_rule(result, lang)),
    ]
    if facts.get("scpsApply") is False:
        lines.append(text["scps_skipped"])
    if facts.get("rcpsApply") is False:
        lines.append(text["rcps_skipped"])
    for warning in facts.get("warnings", ()):
        suggestion = warning.get("suggestion")
        lines.append(
            text[f"warning:{warning['code']}"].format(
                value=warning["value"],
                suggestion=text["suggestion"].format(suggestion=suggestion) if suggestion else "",
            )
        )
    if facts.get("contextFilledByEngine"):
        filled = facts.get("contextFilled") or {}
        keys = ", ".join(
            f"{key} = {', '.join(filled[key])}" if key in filled else key
            for key in facts["contextFilledByEngine"]
        )
        lines.append(text["filled"].format(keys=keys))
    if result.trace.policies:
        lines.append(text["policies"])
        for policy in result.trace.policies:
            lines.extend(_policy_lines(policy, lang, facts.get("resourcePolicyRequired")))
    return "\n".join(lines)


def cite(ref: StatementRef, lang: str = "en", required: str | None = None) -> str:
    """``statement "Sid" of identity policy "name"`` in the chosen language."""
    return _cites([ref.to_dict()], _language(lang), required)
