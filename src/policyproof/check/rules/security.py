"""Security warnings: statements that are valid but grant far more than they seem to."""

from __future__ import annotations

from policyproof.check.kinds import GUARDRAIL_KINDS
from policyproof.check.rules.base import Context, Statement, strings_at, wildcard_match

#: Condition keys that tie a public principal to known callers (an organization, an account, a
#: source resource, a network path, or KMS's caller account / calling service).
NARROWING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:VpceAccount",
        "aws:VpceOrgID",
        "aws:VpceOrgPaths",
        "aws:userid",
        "aws:PrincipalServiceName",
        "kms:CallerAccount",
        "kms:ViaService",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
    )
)
#: A negated operator (StringNotEquals aws:PrincipalOrgID ...) matches everyone *outside* the list,
#: and Null only tests presence: neither narrows a public principal.
_NEGATIVE_OPERATOR_WORDS = ("not", "null")
#: Resource-based kinds whose Allow to Principal "*" opens a resource to the world. VPC endpoint
#: policies and RCPs are not among them: they only limit what other policies grant.
PUBLIC_PRINCIPAL_KINDS = frozenset({"key", "bucket", "trust", "resource"})

# An Allow with a negated element grants everything outside a list: the same finding, one per element.
_ALLOW_WITH_NEGATION = (
    (
        "NotPrincipal",
        "allow-with-notprincipal",
        "Allow with NotPrincipal grants access to everyone except the principals listed, anonymous "
        "callers included: use Principal with the principals to allow",
    ),
    (
        "NotResource",
        "allow-with-notresource",
        "Allow with NotResource grants the actions on every other resource, including ones created "
        "later: list the resources to allow under Resource",
    ),
)


def check(context: Context) -> None:
    # An Allow in an SCP, RCP, boundary, session or endpoint policy is a ceiling, never a grant (AWS
    # policy evaluation logic), so "grants too much" does not apply to them.
    grants = context.kind not in GUARDRAIL_KINDS
    for statement in context.statements():
        if statement.effect != "Allow":
            continue
        if grants:
            for element, code, message in _ALLOW_WITH_NEGATION:
                if element in statement.data:
                    context.report(code, statement.path + (element,), message, at_key=True)
            _wildcards(context, statement)
        if context.kind in PUBLIC_PRINCIPAL_KINDS:
            _public_principal(context, statement)


def _wildcards(context: Context, statement: Statement) -> None:
    actions = statement.strings("Action")
    star_resource = any(value == "*" for _, value in statement.strings("Resource"))
    if not star_resource or context.kind in ("key", "resource"):  # "*" is the policy's own resource there
        return
    if any(value == "*" for _, value in actions):
        context.report(
            "full-wildcard",
            statement.path + ("Action",),
            'Allow with Action "*" on Resource "*" is full administrator access: list the actions needed',
        )
        return
    for path, value in actions:
        lowered = value.lower()
        if lowered.startswith(("iam:", "*", "?")) and wildcard_match(lowered, "iam:passrole"):
            context.report(
                "passrole-star",
                path,
                'iam:PassRole on Resource "*" lets the holder hand any role (admin roles included) to a '
                "service: name the roles in Resource and add a Condition on iam:PassedToService",
            )
            return


def _public_principal(context: Context, statement: Statement) -> None:
    principal = statement.data.get("Principal")
    if principal == "*":
        path = statement.path + ("Principal",)
    elif isinstance(principal, dict) and any(v == "*" for _, v in strings_at(principal.get("AWS"), ())):
        path = statement.path + ("Principal", "AWS")
    else:
        return
    if _narrowed(statement.data.get("Condition")) or _denied_outside(context, statement):
        return
    context.report(
        "public-principal",
        path,
        'Principal "*" with no narrowing condition lets every AWS account (and anonymous callers) in: add a '
        "condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount or kms:CallerAccount, "
        "name the principals, or deny everyone else in a Deny statement (e.g. StringNotEquals "
        "aws:SourceVpce)",
    )


def _narrowed(condition: object) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if not isinstance(block, dict) or any(word in operator.lower() for word in _NEGATIVE_OPERATOR_WORDS):
            continue
        for key, values in block.items():
            if key.lower() not in NARROWING_KEYS:
                continue
            listed = values if isinstance(values, list) else [values]
            if listed and all(isinstance(v, str) and v.strip("*?") for v in listed):
                return True
    return False


def _public(principal: object) -> bool:
    return principal == "*" or (
        isinstance(principal, dict) and any(v == "*" for _, v in strings_at(principal.get("AWS"), ()))
    )


def _denied_outside(context: Context, allow: Statement) -> bool:
    """Whether a Deny to everyone in the same policy takes back the Allow from all but known callers.

    AWS's own private-API and perimeter examples pair ``Allow Principal "*"`` with ``Deny
    Principal "*"`` unless ``aws:SourceVpce`` / ``aws:PrincipalOrgID`` / ``aws:SourceIp`` matches
    (API Gateway developer guide, resource policy examples): a negated condition on a narrowing key
    in a Deny that covers every action of the Allow narrows it.
    """
    wanted = [value.lower() for _, value in allow.strings("Action")]
    if not wanted:
        return False
    for deny in context.statements():
        if deny.effect != "Deny" or "NotAction" in deny.data or not _public(deny.data.get("Principal")):
            continue
        patterns = [value.lower() for _, value in deny.strings("Action")]
        if not all(any(wildcard_match(p, action) for p in patterns) for action in wanted):
            continue
        if _negated_narrowing(deny.data.get("Condition")):
            return True
    return False


def _negated_narrowing(condition: object) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        lowered = operator.lower()
        if not isinstance(block, dict) or "not" not in lowered or "null" in lowered:
            continue
        for key, values in block.items():
            if key.lower() not in NARROWING_KEYS:
                continue
            listed = values if isinstance(values, list) else [values]
            if listed and all(isinstance(v, str) and v.strip("*?") for v in listed):
                return True
    return False
