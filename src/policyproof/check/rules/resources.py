"""Resource ARNs: well formed, 12-digit accounts, and of a type the statement's actions act on."""

from __future__ import annotations

import os
import re
from functools import lru_cache

from policyproof.check import catalog
from policyproof.check.rules.actions import concrete_actions
from policyproof.check.rules.base import Context, Statement, has_wildcard, without_variables

PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
#: Services whose resource types per action are precise in the catalog: a mismatch there is an error.
STRICT_RESOURCE_SERVICES = frozenset({"s3", "kms", "sqs", "sns", "dynamodb", "secretsmanager", "lambda"})
_ACCOUNT = re.compile(r"[0-9]{12}\Z")
#: Account fields that are not account IDs but still valid: AWS managed policies, public S3 ARNs...
_SPECIAL_ACCOUNTS = frozenset({"aws", "cloudfront"})


#: API Gateway resource policies may name the API with a short form that API Gateway expands to the
#: full ARN when the policy is saved: ``execute-api:/stage/GET/pets`` ->
#: ``arn:aws:execute-api:REGION:ACCOUNT:API-ID/stage/GET/pets`` (API Gateway developer guide,
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html).
_API_GATEWAY_SHORT = "execute-api:/"


def expand_short_arn(value: str, kind: str) -> str:
    """The full-ARN pattern a resource policy's short form stands for (other values unchanged)."""
    if kind == "resource" and value.startswith(_API_GATEWAY_SHORT):
        return "arn:aws:execute-api:*:*:*/" + value[len(_API_GATEWAY_SHORT) :]
    return value


def check(context: Context) -> None:
    for statement in context.statements():
        for element in ("Resource", "NotResource"):
            for path, resource in statement.strings(element):
                check_arn(context, path, expand_short_arn(resource, context.kind), what="resource")
        if context.kind != "trust":
            _check_types(context, statement)


def split_arn(arn: str) -> list[str] | None:
    """The six fields of an ARN (partition, service, region, account, resource) after ``arn``."""
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def check_arn(context: Context, path: tuple, value: str, *, what: str) -> bool:
    """Report a malformed ARN or account id; True when ``value`` is a usable ARN (or wildcard)."""
    if value == "*":
        return True
    text = without_variables(value)
    parts = split_arn(text)
    if parts is None:
        if text.lower().startswith("arn:") or ":" in text or what == "resource":
            context.report(
                "malformed-arn",
                path,
                f"{value!r} is not a valid ARN: write arn:partition:service:region:account:resource "
                '(or "*" for every resource)',
            )
        return False
    _, partition, service, _region, account, resource = parts
    if not has_wildcard(partition) and partition not in PARTITIONS:
        context.report(
            "malformed-arn",
            path,
            f'{partition!r} is not an AWS partition in {value!r}: use "aws" (or aws-cn, aws-us-gov)',
        )
        return False
    if not service or (not resource and not has_wildcard(text)):
        field = "service" if not service else "resource"
        context.report(
            "malformed-arn", path, f"the {field} field of ARN {value!r} is empty: complete the ARN"
        )
        return False
    if (
        account
        and not has_wildcard(account)
        and account not in _SPECIAL_ACCOUNTS
        and not _ACCOUNT.match(account)
    ):
        context.report(
            "invalid-account-id",
            path,
            f"account {account!r} in {value!r} is not a 12-digit AWS account ID: write all 12 digits, "
            "including leading zeros",
        )
        return False
    return True


def _check_types(context: Context, statement: Statement) -> None:
    actions = statement.strings("Action")
    resources = [
        (path, expand_short_arn(value, context.kind))
        for path, value in statement.strings("Resource")
        if value != "*"
    ]
    if not actions or not resources:
        return
    patterns = tuple(value for _, value in actions)
    known = concrete_actions(patterns)
    if known is None:
        return  # "*", "svc:*" or unknown actions: every ARN may fit
    strict_fitting: set[str] = set()
    some_resource_fits = False
    unfit: list[tuple[tuple, str, str, str]] = []
    for path, resource in resources:
        arn = without_variables(resource)
        parts = split_arn(arn)
        if parts is None:
            continue
        fits_any, strict_fits = _fit_summary(patterns, arn)
        strict_fitting.update(strict_fits)
        some_resource_fits = some_resource_fits or fits_any
        if not fits_any:
            unfit.append((path, resource, arn, parts[2]))
    if not some_resource_fits:
        # The statement grants nothing at all through these resources: a real mistake.
        for path, resource, arn, arn_service in unfit:
            _report_unfit(context, path, resource, arn, arn_service, known)
        return
    # Other resources of the statement fit, so it still grants what it means to: the unfit entry
    # is dead weight (AWS's own policies list "bucket" next to "bucket/*" for object actions).
    for path, resource, _arn, _service in unfit:
        context.report(
            "resource-fits-no-action",
            path,
            f"{resource!r} fits none of this statement's actions ({_action_names(known)}), so it grants "
            "nothing; the statement works through its other resources: remove it, or "
            + _expected(known, resource),
        )
    for path, action in actions:
        matched = concrete_actions((action,)) or ()
        typed = [a for a in matched if a.resource_types and a.service in STRICT_RESOURCE_SERVICES]
        if typed and not any(f"{a.service}:{a.name}" in strict_fitting for a in typed):
            context.report(
                "action-resource-mismatch",
                path,
                f"{action!r} applies to none of this statement's resources: "
                f"{_expected(tuple(typed), resources[0][1])}, or move it to its own statement",
            )


@lru_cache(maxsize=16384)
def _fit_summary(patterns: tuple[str, ...], arn: str) -> tuple[bool, tuple[str, ...]]:
    """Whether any action named by ``patterns`` can act on ``arn``, and which actions of the
    strict services can (only those get the per-action warning, so only those are all tested).

    A tuple of names rather than a frozenset: thousands of these stay cached, and the garbage
    collector stops tracking tuples of strings, never sets, so they would slow every collection.
    """
    known = concrete_actions(patterns) or ()
    # Computed once here, not per action: "ec2:Describe*" alone names 200 actions without types.
    names_every_resource = _all_wildcard(arn)
    strict = tuple(
        f"{action.service}:{action.name}"
        for action in known
        if action.service in STRICT_RESOURCE_SERVICES and _fits(action, arn, names_every_resource)
    )
    if strict:
        return True, strict
    for action in known:
        if action.service not in STRICT_RESOURCE_SERVICES and _fits(action, arn, names_every_resource):
            return True, strict
    return False, strict


def _report_unfit(
    context: Context,
    path: tuple,
    resource: str,
    arn: str,
    arn_service: str,
    known: tuple[catalog.Action, ...],
) -> None:
    names = _action_names(known)
    services = {action.service for action in known}
    recognized = (
        catalog.matching_resource_types(arn, arn_service.lower()) if not has_wildcard(arn_service) else ()
    )
    # Only an ARN that is unmistakably one resource type of the actions' own service, for a service
    # whose action-to-resource-type table is precise, is an error: elsewhere the catalog has gaps
    # (API Gateway v2 paths, ELB, EC2 ...) that AWS's own managed policies run into.
    if (
        len(recognized) == 1
        and services == {arn_service.lower()}
        and arn_service.lower() in STRICT_RESOURCE_SERVICES
        and all(a.resource_types for a in known)
    ):
        context.report(
            "resource-type-mismatch",
            path,
            f"{resource!r} names a resource of type {recognized[0]!r}, which {names} cannot act on: "
            f"{_expected(known, resource)}",
        )
    elif split_arn(arn)[4] != "aws":
        # Resources AWS itself owns (account field "aws": CloudFormation transforms, Image Builder
        # components, managed policies) are named by AWS's own examples but often missing from the
        # catalog's resource types, so only the customer's own ARNs get this warning.
        context.report(
            "resource-not-in-catalog",
            path,
            f"the AWS catalog lists no resource of {names} that {resource!r} can name: "
            f"{_expected(known, resource)}",
        )


def _action_names(actions: tuple[catalog.Action, ...]) -> str:
    names = sorted({f"{action.service}:{action.name}" for action in actions})
    return ", ".join(names[:3]) + (f" (and {len(names) - 3} more)" if len(names) > 3 else "")


def _expected(actions: tuple[catalog.Action, ...], near: str = "") -> str:
    """The ARN formats the actions take, the ones most like ``near`` (the resource written) first."""
    templates: list[str] = []
    for action in actions[:3]:
        table = catalog.resource_arn_templates(action.service)
        for type_name, _ in action.resource_types:
            for template in table.get(type_name.lower(), ()):
                readable = template.replace("${Partition}", "aws")
                if readable not in templates:
                    templates.append(readable)
    if not templates:
        return 'these actions take Resource "*"'
    if near:  # the format sharing the longest start with what was written first
        templates.sort(key=lambda template: -len(os.path.commonprefix([near.lower(), template.lower()])))
    return "use " + " or ".join(templates[:2])


def _fits(action: catalog.Action, resource: str, names_every_resource: bool) -> bool:
    """Whether ``action`` can act on ``resource``; an action without resource types only on a
    resource that names every resource (``names_every_resource``, see :func:`_all_wildcard`)."""
    if not action.resource_types:
        return names_every_resource
    for type_name, _ in action.resource_types:
        if catalog.resource_fits_type(resource, action.service, type_name) is not False:
            return True
    return False


def _all_wildcard(resource: str) -> bool:
    """``arn:aws:svc:*:*:*`` style: names every resource, so it also covers actions without types."""
    parts = split_arn(resource)
    return parts is not None and parts[5] == "*" and parts[3] in ("", "*")
