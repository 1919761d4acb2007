"""Rules that depend on what the policy is attached to: each policy kind's own grammar.

Key, bucket and trust policies; resource policies of other services; VPC endpoint policies;
resource control policies. Boundaries and session policies have no rule of their own beyond the
schema (no Principal, no NotPrincipal). Each rule cites the AWS page it enforces in the registry.
"""

from __future__ import annotations

from policyproof.check import catalog
from policyproof.check.rules.base import (
    Context,
    Statement,
    has_wildcard,
    strings_at,
    wildcard_match,
    without_variables,
)
from policyproof.check.rules.conditions import parse_operator
from policyproof.check.rules.resources import expand_short_arn

#: kind -> the service prefix whose actions a resource policy of that kind can grant.
OWNING_SERVICE = {"key": "kms", "bucket": "s3", "trust": "sts"}
_KIND_NAMES = {
    "key": "a key policy",
    "bucket": "a bucket policy",
    "trust": "a trust policy",
    "resource": "this resource policy",
}


def check(context: Context) -> None:
    kind = context.kind
    if kind in OWNING_SERVICE:
        for statement in context.statements():
            _owning_service_actions(context, statement, OWNING_SERVICE[kind])
            if kind == "key":
                _key_resource(context, statement)
            elif kind == "bucket":
                _bucket_resources(context, statement)
        if kind == "key":
            _lockout(context)
        elif kind == "trust":
            _trust_actions(context)
    elif kind in ("resource", "endpoint"):
        service, source = policy_service(context)
        if service is not None:
            for statement in context.statements():
                _other_service_actions(context, statement, service, source)
        if kind == "endpoint":
            _endpoint_conditions(context)
    elif kind == "rcp":
        for statement in context.statements():
            _rcp_statement(context, statement)


# -- the service a resource or endpoint policy belongs to ------------------------------------------


def _policy_arns(context: Context) -> list[str]:
    """The concrete ARNs of the policy's Resource and NotResource elements (short forms expanded)."""
    arns = []
    for statement in context.statements():
        for element in ("Resource", "NotResource"):
            for _, resource in statement.strings(element):
                arn = without_variables(expand_short_arn(resource, context.kind))
                fields = arn.split(":", 5)
                if len(fields) == 6 and fields[0] == "arn" and fields[2] and not has_wildcard(fields[2]):
                    arns.append(arn)
    return arns


def policy_service(context: Context) -> tuple[str | None, str]:
    """The service the policy's resource (or endpoint) belongs to, and where that came from.

    ``--service`` wins, then the ARN the policy is attached to (``--attached-to``, resource policies);
    otherwise the service field of the policy's ARNs when they all agree (``arn:aws:sqs:...`` ->
    ``sqs``). ``None`` when nothing tells.
    """
    if context.service:
        return context.service.lower(), "given"
    attached = (context.attached_to or "").split(":", 5)
    if context.kind == "resource" and len(attached) == 6 and attached[0] == "arn" and attached[2]:
        return attached[2].lower(), "attached"
    services = {arn.split(":", 5)[2].lower() for arn in _policy_arns(context)}
    if len(services) == 1:
        return services.pop(), "arns"
    return None, ""


def resource_words(context: Context, service: str) -> str:
    """``an sqs queue``: the service and, when the ARNs tell, the resource type the policy is on."""
    types: list[str] = []
    for arn in _policy_arns(context):
        if arn.split(":", 5)[2].lower() == service:
            for name in catalog.matching_resource_types(arn, service):
                if name not in types:
                    types.append(name)
    noun = types[0] if len(types) == 1 else "resource"
    article = "an" if service[:1] in "aeiou" else "a"
    return f"{article} {service} {noun}"


def _other_service_actions(context: Context, statement: Statement, service: str, source: str) -> None:
    code = "endpoint-action-other-service" if context.kind == "endpoint" else "action-not-for-this-resource"
    for path, action in statement.strings("Action"):
        prefix, colon, _ = action.partition(":")
        prefix = prefix.lower()
        if action == "*" or not colon or has_wildcard(prefix) or not catalog.service_exists(prefix):
            continue
        if source in ("given", "attached"):
            fits = prefix == service
        else:  # the ARNs name the service: an action fits when it acts on resources of that service
            fits = prefix == service or service in catalog.arn_services_of(prefix)
        if fits:
            continue
        where = {"given": "--service", "attached": "--attached-to"}.get(source, "its ARNs")
        if context.kind == "endpoint":
            message = (
                f"{action!r} is not a {service}: action, and this VPC endpoint serves {service} (from "
                f"{where}): "
                f"requests to {prefix} never go through it; remove the action or use the {prefix} endpoint's "
                "policy"
            )
        else:
            message = (
                f"{action!r} is not a {service}: action, and {_KIND_NAMES['resource']} belongs to "
                f"{resource_words(context, service)} (from {where}): it only controls {service}: actions; "
                f"grant {prefix}: actions in an identity policy or in the {prefix} resource's own policy"
            )
        context.report(code, path, message)


# -- key, bucket and trust policies ---------------------------------------------------------------


def _owning_service_actions(context: Context, statement: Statement, owner: str) -> None:
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


#: provider type -> (the action that assumes the role, every sts action that applies to it).
#: Session tags and source identity ride along with the assume call, and the IAM User Guide requires
#: sts:TagSession / sts:SetSourceIdentity in the trust policy when the IdP passes them
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html,
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
_FEDERATED_ACTIONS = {
    "SAML": ("sts:AssumeRoleWithSAML", ("sts:assumerolewithsaml", "sts:tagsession", "sts:setsourceidentity")),
    "web identity (OIDC)": (
        "sts:AssumeRoleWithWebIdentity",
        ("sts:assumerolewithwebidentity", "sts:tagsession", "sts:setsourceidentity"),
    ),
}


def _provider_types(principal: object) -> list[str]:
    if not isinstance(principal, dict):
        return []
    federated = [value for _, value in strings_at(principal.get("Federated"), ())]
    types = []
    if any(":saml-provider/" in value for value in federated):
        types.append("SAML")
    if any(":saml-provider/" not in value for value in federated):
        types.append("web identity (OIDC)")
    return types


def _trust_actions(context: Context) -> None:
    first_statement: dict[str, Statement] = {}
    assumable: set[str] = set()
    for statement in context.statements():
        principal = statement.data.get("Principal")
        types = _provider_types(principal)
        if not types:
            continue
        actions = statement.strings("Action")
        only_federated = isinstance(principal, dict) and principal.keys() == {"Federated"}
        for provider in types:
            wanted, applicable = _FEDERATED_ACTIONS[provider]
            if statement.effect == "Allow":
                first_statement.setdefault(provider, statement)
            if statement.effect == "Allow" and any(
                wildcard_match(action.lower(), wanted.lower()) for _, action in actions
            ):
                assumable.add(provider)
            if not only_federated or len(types) > 1:
                continue
            for path, action in actions:
                lowered = action.lower()
                if has_wildcard(lowered) or lowered in applicable or not lowered.startswith("sts:"):
                    continue  # other services' actions are action-not-for-this-resource already
                context.report(
                    "trust-action-mismatch",
                    path,
                    f"{action} never applies to a {provider} provider, which assumes the role with {wanted}: "
                    f"write {wanted} (sts:TagSession and sts:SetSourceIdentity may stay beside it)",
                )
        _github_subject(context, statement, principal)
    for provider, statement in first_statement.items():
        if provider not in assumable:
            wanted = _FEDERATED_ACTIONS[provider][0]
            context.report(
                "trust-action-mismatch",
                statement.path + ("Action",),
                f"a {provider} provider assumes a role with {wanted}, and no Allow statement for it grants "
                f"that: add {wanted} to Action",
            )


def _github_subject(context: Context, statement: Statement, principal: object) -> None:
    federated = (
        [value for _, value in strings_at(principal.get("Federated"), ())]
        if isinstance(principal, dict)
        else []
    )
    if not any("token.actions.githubusercontent.com" in value for value in federated):
        return
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


# -- key policy lockout ---------------------------------------------------------------------------


def owner_account(context: Context) -> str | None:
    if context.owner_account:
        return context.owner_account
    if context.attached_to and context.attached_to.startswith("arn:"):
        parts = context.attached_to.split(":", 5)
        if len(parts) == 6 and parts[4]:
            return parts[4]
    return None


def _lockout(context: Context) -> None:
    """KMS refuses a key policy that no principal of the key's own account could change later
    (the lockout safety check, https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
    only the owner account's root, or a user or role of that account, counts; an administrator of
    another account does not."""
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


# -- resource control policies --------------------------------------------------------------------


def _is_full_access(statement: Statement) -> bool:
    """The one Allow statement RCPs may hold: AWS's RCPFullAWSAccess (everything, no condition)."""
    data = statement.data
    return (
        data.get("Principal") == "*"
        and [value for _, value in statement.strings("Action")] == ["*"]
        and [value for _, value in statement.strings("Resource")] == ["*"]
        and "Condition" not in data
        and "NotResource" not in data
    )


def _rcp_statement(context: Context, statement: Statement) -> None:
    if statement.effect == "Allow":
        if not _is_full_access(statement):
            context.report(
                "rcp-allow-statement",
                statement.path + ("Effect",),
                'Allow is only supported in AWS\'s RCPFullAWSAccess policy (Principal "*", Action "*", '
                'Resource "*", no Condition); an RCP you write uses "Effect": "Deny" with a condition that '
                "exempts what may pass",
            )
        return
    supported = catalog.rcp_supported_services()
    for path, action in statement.strings("Action"):
        if action == "*":
            context.report(
                "rcp-action-wildcard",
                path,
                'an RCP you write cannot use "*" alone in Action: name the services to restrict, e.g. '
                '"s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"',
            )
            continue
        prefix, colon, _ = action.partition(":")
        prefix = prefix.lower()
        if not colon or not prefix:
            continue
        if has_wildcard(prefix):
            matched = any(wildcard_match(prefix, service) for service in supported)
        else:
            matched = prefix in supported or not catalog.service_exists(prefix)  # unknown: reported already
        if not matched:
            context.report(
                "rcp-unsupported-service",
                path,
                f"{prefix} does not support resource control policies, so {action!r} restricts nothing in "
                "an RCP: use an SCP (or the resource's own policy) for it; services that support RCPs: "
                + ", ".join(sorted(supported)[:8])
                + " ...",
            )


# -- VPC endpoint policies ------------------------------------------------------------------------

#: Global keys whose values are identifiers AWS generates (account, organization, VPC and endpoint
#: IDs): endpoint policies take no wildcard and no numeric operator on them (AWS PrivateLink guide).
SYSTEM_ID_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:VpceAccount",
        "aws:VpceOrgID",
    )
)
_MIN_LITERAL_RUN = 6


def _endpoint_conditions(context: Context) -> None:
    for statement in context.statements():
        for element in ("Resource", "NotResource"):
            for path, resource in statement.strings(element):
                _arn_account(context, path, resource)
        condition = statement.data.get("Condition")
        if not isinstance(condition, dict):
            continue
        for operator_text, block in condition.items():
            operator = parse_operator(operator_text)
            if operator is None or not isinstance(block, dict):
                continue
            family = operator.family
            for key, raw in block.items():
                key_path = statement.path + ("Condition", operator_text, key)
                values = strings_at(raw, key_path)
                if key.lower() in SYSTEM_ID_KEYS:
                    if family == "Numeric":
                        context.report(
                            "endpoint-system-key-pattern",
                            key_path,
                            f"{key} holds an identifier AWS generates, and endpoint policies take no numeric "
                            f"operator on it: use StringEquals with the full value",
                            at_key=True,
                        )
                    for path, value in values:
                        if has_wildcard(without_variables(value, "")):
                            context.report(
                                "endpoint-system-key-pattern",
                                path,
                                f"{key} holds an identifier AWS generates, and endpoint policies take no "
                                f"wildcard in it: write the full value of {value!r} with StringEquals",
                            )
                    continue
                for path, value in values:
                    if value.startswith("arn:"):
                        _arn_account(context, path, value)
                    if family == "String" and _short_wildcard(without_variables(value, "$" * 6)):
                        context.report(
                            "endpoint-short-wildcard",
                            path,
                            f"in an endpoint policy, each wildcard in a string condition needs at least six "
                            f"characters right before or after it, and {value!r} has fewer: write more of "
                            "the "
                            "value",
                        )


def _short_wildcard(text: str) -> bool:
    """Whether a wildcard in ``text`` has fewer than six literal characters on both sides."""
    for index, char in enumerate(text):
        if char not in "*?":
            continue
        before = 0
        while before < _MIN_LITERAL_RUN and index - before - 1 >= 0 and text[index - before - 1] not in "*?":
            before += 1
        after = 0
        while (
            after < _MIN_LITERAL_RUN and index + after + 1 < len(text) and text[index + after + 1] not in "*?"
        ):
            after += 1
        if before < _MIN_LITERAL_RUN and after < _MIN_LITERAL_RUN:
            return True
    return False


def _arn_account(context: Context, path: tuple, value: str) -> None:
    fields = value.split(":", 5)
    if len(fields) != 6 or fields[0] != "arn":
        return
    account = fields[4]
    if has_wildcard(account) and any(char.isdigit() for char in account):
        context.report(
            "endpoint-arn-account-mixed",
            path,
            f"the account field {account!r} of {value!r} mixes an account ID and a wildcard, which endpoint "
            'policies do not accept: write the full 12-digit account ID or only "*"',
        )
