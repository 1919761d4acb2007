"""Rules that depend on what the policy is attached to: key, bucket and trust policies."""

from __future__ import annotations

from policyproof.check.rules.base import Context, Statement, strings_at, wildcard_match

#: kind -> the service prefix whose actions a resource policy of that kind can grant.
OWNING_SERVICE = {"key": "kms", "bucket": "s3", "trust": "sts"}
_KIND_NAMES = {"key": "a key policy", "bucket": "a bucket policy", "trust": "a trust policy"}


def check(context: Context) -> None:
    if context.kind not in OWNING_SERVICE:
        return
    for statement in context.statements():
        _owning_service_actions(context, statement)
        if context.kind == "key":
            _key_resource(context, statement)
        elif context.kind == "bucket":
            _bucket_resources(context, statement)
        else:
            _trust_actions(context, statement)
    if context.kind == "key":
        _lockout(context)


def _owning_service_actions(context: Context, statement: Statement) -> None:
    owner = OWNING_SERVICE[context.kind]
    for path, action in statement.strings("Action"):
        service = action.partition(":")[0].lower()
        if action != "*" and ":" in action and service != owner and "*" not in service:
            context.report(
                "action-not-for-this-resource",
                path,
                f"{action!r} is not a {owner}: action, and {_KIND_NAMES[context.kind]} only controls "
                f"{owner}: "
                f"actions: grant it in an identity policy instead",
            )


def _key_resource(context: Context, statement: Statement) -> None:
    for element in ("Resource", "NotResource"):
        for path, resource in statement.strings(element):
            if resource != "*":
                context.report(
                    "key-policy-resource",
                    path,
                    f'in a key policy, {element} is "*", which means "this KMS key"; {resource!r} can only '
                    'name this key again or nothing at all: write "*"',
                )


def bucket_name(attached_to: str | None) -> str | None:
    if not attached_to:
        return None
    if attached_to.startswith("arn:"):
        parts = attached_to.split(":", 5)
        return parts[5].split("/", 1)[0] if len(parts) == 6 and parts[2] == "s3" else None
    return attached_to


def _bucket_resources(context: Context, statement: Statement) -> None:
    expected = bucket_name(context.attached_to)
    for element in ("Resource", "NotResource"):
        for path, resource in statement.strings(element):
            parts = resource.split(":", 5)
            if resource == "*" or len(parts) != 6:
                if resource == "*" and expected:
                    context.report(
                        "bucket-policy-other-bucket",
                        path,
                        f'a bucket policy names its own bucket: write "arn:aws:s3:::{expected}" or '
                        f'"arn:aws:s3:::{expected}/*" instead of "*"',
                    )
                continue
            named = parts[5].split("/", 1)[0]
            if parts[2] != "s3" or (expected and not wildcard_match(named, expected)):
                target = expected or "this bucket"
                context.report(
                    "bucket-policy-other-bucket",
                    path,
                    f"{resource!r} is not {target} or one of its objects: a bucket policy can only name "
                    f"arn:aws:s3:::{target} and arn:aws:s3:::{target}/...",
                )


def _trust_actions(context: Context, statement: Statement) -> None:
    principal = statement.data.get("Principal")
    if not isinstance(principal, dict):
        return
    federated = [value for _, value in strings_at(principal.get("Federated"), ())]
    if not federated:
        return
    actions = [value.lower() for _, value in statement.strings("Action")]
    saml = any(":saml-provider/" in value for value in federated)
    oidc = any(":saml-provider/" not in value for value in federated)
    for wanted, present in (("sts:AssumeRoleWithSAML", saml), ("sts:AssumeRoleWithWebIdentity", oidc)):
        if present and not any(wildcard_match(action, wanted.lower()) for action in actions):
            context.report(
                "trust-action-mismatch",
                statement.path + ("Action",),
                f"a {'SAML' if wanted.endswith('SAML') else 'web identity (OIDC)'} provider assumes a "
                "role with "
                f"{wanted}: add it to Action",
            )
    if any("token.actions.githubusercontent.com" in value for value in federated):
        condition = statement.data.get("Condition")
        keys = (
            [key.lower() for block in condition.values() if isinstance(block, dict) for key in block]
            if isinstance(condition, dict)
            else []
        )
        if not any(key.endswith("token.actions.githubusercontent.com:sub") for key in keys):
            context.report(
                "oidc-without-subject",
                statement.path + ("Principal",),
                "without a condition on token.actions.githubusercontent.com:sub, every GitHub repository can "
                'assume this role: add StringLike {"token.actions.githubusercontent.com:sub": '
                '"repo:OWNER/REPO:*"}',
            )


def owner_account(context: Context) -> str | None:
    if context.owner_account:
        return context.owner_account
    if context.attached_to and context.attached_to.startswith("arn:"):
        parts = context.attached_to.split(":", 5)
        if len(parts) == 6 and parts[4]:
            return parts[4]
    return None


def _lockout(context: Context) -> None:
    account = owner_account(context)
    if account is None or not isinstance(context.data, dict) or "Statement" not in context.data:
        return
    for statement in context.statements():
        if statement.effect != "Allow" or "NotAction" in statement.data:
            continue
        if not any(
            wildcard_match(action.lower(), "kms:putkeypolicy") for _, action in statement.strings("Action")
        ):
            continue
        principal = statement.data.get("Principal")
        if principal == "*":
            return
        if isinstance(principal, dict):
            for _, value in strings_at(principal.get("AWS"), ()):
                if value == "*" or value == account or f":iam::{account}:" in value:
                    return
    context.report(
        "key-policy-lockout",
        ("Statement",),
        f"no statement lets account {account} (its root principal, arn:aws:iam::{account}:root) or one "
        "of its "
        "administrators call kms:PutKeyPolicy, so nobody could ever change this key policy: add the "
        "default statement allowing arn:aws:iam::" + account + ':root "kms:*"',
    )
