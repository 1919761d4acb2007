"""ARNs and principals: parse what the caller gives, and say who the principal is.

The evaluation rules depend on the *kind* of principal (an IAM user, a role, a role session,
a federated-user session, an account, an AWS service, anonymous), so the engine classifies the
principal once, up front, instead of re-reading strings in every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policyproof.engine.errors import EngineInputError

ACCOUNT_ID = re.compile(r"^\d{12}$")
# A service principal: "s3.amazonaws.com", "ec2.amazonaws.com.cn", "elasticloadbalancing.amazonaws.com".
SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")

ANONYMOUS = "anonymous"
# An IAM path: "/" or "/division/team/" (IAM API Reference, Role: Path).
ROLE_PATH = re.compile(r"^/([\x21-\x7e]+/)*$")

# Principal kinds
USER = "user"
ROLE = "role"
ROLE_SESSION = "role-session"
FEDERATED_USER = "federated-user"
ACCOUNT = "account"
SERVICE = "service"
ANONYMOUS_KIND = "anonymous"
WEB_IDENTITY = "web-identity"  # a SAML or OIDC provider acting in sts:AssumeRoleWith*


@dataclass(frozen=True)
class Arn:
    """The six fields of an ARN. ``resource`` keeps everything after the fifth colon."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def text(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


@lru_cache(maxsize=4096)
def parse_arn(text: str) -> Arn | None:
    """The fields of ``text``, or None when it is not shaped like an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def require_arn(text: str, what: str) -> Arn:
    arn = parse_arn(text)
    if arn is None:
        raise EngineInputError(
            f"{what} {text!r} is not an ARN: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE "
            "(or '*' for actions that take no resource)"
        )
    return arn


@dataclass(frozen=True)
class Principal:
    """Who makes the request.

    ``arn`` is the principal as given (for an account principal, its root ARN). ``role_arn`` is the
    IAM role behind a role session, with the role's path when it was given (the session ARN does
    not carry it, but aws:PrincipalArn does).
    ``identity_arn`` is what AWS reports as ``aws:PrincipalArn``: the role ARN for a role session,
    the principal's own ARN otherwise.
    """

    kind: str
    text: str
    arn: str | None = None
    account: str | None = None
    partition: str = "aws"
    name: str | None = None  # user name, role name, federated user name
    role_arn: str | None = None
    session_name: str | None = None

    @property
    def identity_arn(self) -> str | None:
        return self.role_arn if self.kind == ROLE_SESSION else self.arn

    @property
    def has_identity_policies(self) -> bool:
        """Anonymous callers and AWS services carry no IAM identity policies of the customer."""
        return self.kind not in (ANONYMOUS_KIND, SERVICE, WEB_IDENTITY)

    @property
    def is_service_linked_role(self) -> bool:
        """Service-linked roles live under the ``/aws-service-role/`` path; SCPs do not apply to them.
        A session ARN drops the path, so only a role ARN given with its path can be recognised."""
        return self.kind == ROLE and bool(self.arn) and ":role/aws-service-role/" in (self.arn or "")


@lru_cache(maxsize=1024)
def parse_principal(text: str, account: str | None = None, role_path: str | None = None) -> Principal:
    """Classify the request's principal. ``account`` fills in the account for forms that carry
    none (a federated web identity); for ARNs and account ids it must agree with the ARN.
    ``role_path`` is the path of the role behind a role session (``/aws-reserved/sso.amazonaws.com/``)."""
    if not isinstance(text, str) or not text:
        raise EngineInputError(f"principal must be a non-empty string, got {text!r}")
    if text.lower() == ANONYMOUS:
        return Principal(ANONYMOUS_KIND, text)
    if ACCOUNT_ID.match(text):
        if account is not None and account != text:
            raise EngineInputError(f"principal_account {account!r} does not match principal {text!r}")
        return Principal(ACCOUNT, text, arn=f"arn:aws:iam::{text}:root", account=text)
    if SERVICE_PRINCIPAL.match(text):
        return Principal(SERVICE, text, account=account)
    arn = parse_arn(text)
    if arn is None:
        raise EngineInputError(
            f"principal {text!r} is not understood: give an IAM ARN (user, role, assumed-role session, "
            "federated user, account root), a 12-digit account id, a service principal such as "
            "'s3.amazonaws.com', or 'anonymous'"
        )
    kind_and_name = _classify_arn(arn)
    if kind_and_name is None:
        raise EngineInputError(
            f"principal ARN {text!r} is not a principal: expected iam ...:user/NAME, :role/NAME, :root, "
            "or sts ...:assumed-role/ROLE/SESSION, :federated-user/NAME"
        )
    if kind_and_name[0] != WEB_IDENTITY and not ACCOUNT_ID.match(arn.account):
        raise EngineInputError(f"principal ARN {text!r} has no 12-digit account id in its fifth field")
    if account is not None and arn.account and account != arn.account:
        raise EngineInputError(
            f"principal_account {account!r} does not match the account {arn.account!r} in principal {text!r}"
        )
    kind, name, session = kind_and_name
    if role_path is not None:
        if kind != ROLE_SESSION:
            raise EngineInputError(
                f"role_path {role_path!r} is for a role session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/"
                f"SESSION); {text!r} is not one (a role ARN carries its own path)"
            )
        if not isinstance(role_path, str) or not ROLE_PATH.match(role_path) or len(role_path) > 512:
            raise EngineInputError(
                f"role_path {role_path!r} is not an IAM path: it starts and ends with '/', "
                "e.g. '/' or '/aws-reserved/sso.amazonaws.com/'"
            )
    path = role_path or "/"
    role_arn = f"arn:{arn.partition}:iam::{arn.account}:role{path}{name}" if kind == ROLE_SESSION else None
    return Principal(
        kind,
        text,
        arn=text,
        account=arn.account or account,
        partition=arn.partition,
        name=name,
        role_arn=role_arn,
        session_name=session,
    )


def _classify_arn(arn: Arn) -> tuple[str, str | None, str | None] | None:
    resource = arn.resource
    if arn.service == "iam":
        if resource == "root":
            return ACCOUNT, None, None
        if resource.startswith("user/"):
            return USER, resource.rsplit("/", 1)[-1], None
        if resource.startswith("role/"):
            return ROLE, resource.rsplit("/", 1)[-1], None
        if resource.startswith(("saml-provider/", "oidc-provider/")):
            return WEB_IDENTITY, resource, None
        return None
    if arn.service == "sts":
        if resource.startswith("assumed-role/"):
            parts = resource.split("/")
            if len(parts) == 3 and parts[1] and parts[2]:
                return ROLE_SESSION, parts[1], parts[2]
            return None
        if resource.startswith("federated-user/"):
            return FEDERATED_USER, resource.split("/", 1)[1], None
    return None


def role_name_from_arn(text: str) -> tuple[str, str] | None:
    """(account, role name) of an IAM role ARN (path dropped), or None."""
    arn = parse_arn(text)
    if arn is None or arn.service != "iam" or not arn.resource.startswith("role/"):
        return None
    return arn.account, arn.resource.rsplit("/", 1)[-1]
