"""Small builders shared by the engine tests (named so it cannot clash with other test folders)."""

from __future__ import annotations

from policyproof.engine import NamedPolicy, PolicySet, Request, Result, evaluate

A = "111111111111"  # the resource owner in most tests
B = "222222222222"  # another account
USER_A = f"arn:aws:iam::{A}:user/alice"
USER_B = f"arn:aws:iam::{B}:user/bob"
ROLE_A = f"arn:aws:iam::{A}:role/app"
SESSION_A = f"arn:aws:sts::{A}:assumed-role/app/run-1"
ROLE_B = f"arn:aws:iam::{B}:role/reader"
SESSION_B = f"arn:aws:sts::{B}:assumed-role/reader/s1"
BUCKET = "arn:aws:s3:::bucket-a"
OBJECT = "arn:aws:s3:::bucket-a/report.csv"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str] = "*", resource: str | list[str] = "*", **extra: object) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str] = "*", resource: str | list[str] = "*", **extra: object) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def policy(name: str, *statements: dict) -> NamedPolicy:
    return NamedPolicy(name, doc(*statements))


def decide(
    principal: str,
    action: str,
    target: str,
    resource_account: str | None = A,
    context: dict | None = None,
    **policies: object,
) -> Result:
    """Evaluate with keyword policy sets: identity=[...], resource=..., boundaries=[...], ..."""
    request = Request(principal, action, target, resource_account, context or {})
    return evaluate(request, PolicySet(**policies))  # type: ignore[arg-type]
