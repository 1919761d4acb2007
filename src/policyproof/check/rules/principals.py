"""Principals: valid keys were checked by the schema; here, the values of each key."""

from __future__ import annotations

import difflib
import re
from functools import cache

from policyproof.check import catalog
from policyproof.check.rules.base import Context, strings_at

_ACCOUNT_IN_ARN = re.compile(r"arn:[^:]*:(?:iam|sts)::([^:]*):")
_CANONICAL_USER = re.compile(r"[0-9a-f]{64}\Z")


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    table = catalog.principal_formats()
    compiled = {f"aws:{name}": re.compile(rx) for name, rx in table["aws_principal_patterns"].items()}
    compiled.update({f"federated:{name}": re.compile(rx) for name, rx in table["federated_patterns"].items()})
    compiled["unique-id"] = re.compile(table["unique_id_pattern"])
    compiled["service"] = re.compile(table["service_principal_pattern"])
    return compiled


def check(context: Context) -> None:
    for statement in context.statements():
        for element in ("Principal", "NotPrincipal"):
            principal = statement.data.get(element)
            if not isinstance(principal, dict):
                continue
            base = statement.path + (element,)
            for path, value in strings_at(principal.get("AWS"), base + ("AWS",)):
                _check_aws(context, path, value)
            for path, value in strings_at(principal.get("Service"), base + ("Service",)):
                _check_service(context, path, value)
            for path, value in strings_at(principal.get("Federated"), base + ("Federated",)):
                _check_federated(context, path, value)
            for path, value in strings_at(principal.get("CanonicalUser"), base + ("CanonicalUser",)):
                if not _CANONICAL_USER.match(value):
                    context.report(
                        "invalid-principal",
                        path,
                        f"{value!r} is not an S3 canonical user ID (64 lower-case hex digits): "
                        'copy it from the account\'s S3 settings, or use the account ID under "AWS"',
                    )


def _reported_bad_account_in_arn(context: Context, path: tuple, value: str) -> bool:
    """Report an ARN whose account field is not 12 digits; True if it did.

    AWS and Federated principals share this check: both are ARNs with an account field, and a
    short account ID there is the likelier mistake than a wrong principal kind.
    """
    account = _ACCOUNT_IN_ARN.match(value)
    if account and not re.fullmatch(r"[0-9]{12}", account.group(1)):
        context.report(
            "invalid-account-id",
            path,
            f"account {account.group(1)!r} in {value!r} is not a 12-digit AWS account ID: write all 12 "
            "digits",
        )
        return True
    return False


def _check_aws(context: Context, path: tuple, value: str) -> None:
    patterns = _patterns()
    if any(patterns[name].match(value) for name in patterns if name.startswith("aws:")):
        return
    if patterns["unique-id"].match(value):
        context.report(
            "unique-id-principal",
            path,
            f"{value!r} is a unique ID, which IAM shows when the role or user it named was deleted: "
            "write the ARN of the current role or user",
        )
        return
    if value.isdigit():
        context.report(
            "invalid-account-id",
            path,
            f"{value!r} is not a 12-digit AWS account ID: write all 12 digits, including leading zeros",
        )
        return
    if _reported_bad_account_in_arn(context, path, value):
        return
    context.report(
        "invalid-principal",
        path,
        f'{value!r} is not an AWS principal: write an account ID ("111122223333"), the account root '
        '("arn:aws:iam::111122223333:root"), or the ARN of a role, user or assumed-role session',
    )


def _check_service(context: Context, path: tuple, value: str) -> None:
    if value == "*" or not _patterns()["service"].match(value):
        context.report(
            "invalid-service-principal",
            path,
            f"{value!r} is not a service principal: write the service's DNS-style name, e.g. "
            '"ec2.amazonaws.com" or "logs.us-east-1.amazonaws.com"',
        )
        return
    known = catalog.service_principal_first_labels()
    labels = value.split(".")[:-2] if not value.endswith(".cn") else value.split(".")[:-3]
    if any(label in known for label in labels):
        return
    close = difflib.get_close_matches(labels[0], list(known), n=1, cutoff=0.75) if labels else []
    hint = f': did you mean "{close[0]}.amazonaws.com"?' if close else ": check the spelling"
    context.report("unknown-service-principal", path, f"{value!r} names no AWS service we know{hint}")


def _check_federated(context: Context, path: tuple, value: str) -> None:
    if value == "*" and context.kind == "endpoint":
        return  # AWS's STS endpoint policies let every federated user through: {"Federated": "*"}
    patterns = _patterns()
    if any(patterns[name].match(value) for name in patterns if name.startswith("federated:")):
        return
    if _reported_bad_account_in_arn(context, path, value):
        return
    context.report(
        "invalid-federated-principal",
        path,
        f"{value!r} is not a federated principal: write the ARN of an IAM identity provider, e.g. "
        '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"',
    )
