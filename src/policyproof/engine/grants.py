"""KMS grants: does a grant on the requested key let this principal make this request?

KMS Developer Guide, "Grants in AWS KMS": a grant allows its grantee principal (a user, a role and
its sessions, an account, or an AWS service principal) to call the grant's operations on exactly one
KMS key, in any account, without a key policy or IAM policy statement for it. KMS API Reference,
GrantConstraints: encryption-context constraints apply only to the cryptographic operations that
take an encryption context (all cryptographic operations with a symmetric key), not to DescribeKey,
RetireGrant or other management operations; in a constraint "the key in each key-value pair is not
case sensitive, but the value is case sensitive". KMS Developer Guide, "Retiring and revoking
grants": the grant's retiring principal may retire it, and so may its grantee when the grant
includes the RetireGrant operation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policyproof.engine.arns import ROLE_SESSION, SERVICE, role_name_from_arn
from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import GRANT_OPERATIONS, Grant
from policyproof.engine.result import Mismatch, PolicyTrace, StatementRef, StatementTrace

_OPERATIONS = {op.lower(): op for op in GRANT_OPERATIONS}

# Cryptographic operations that accept an encryption context (KMS API Reference, each operation's
# EncryptionContext parameter): the ones grant constraints apply to.
CONTEXT_OPERATIONS = frozenset(
    op.lower()
    for op in (
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
    )
)

_CONTEXT_PREFIX = "kms:encryptioncontext:"


def check_grant(grant: object) -> Grant:
    """A grant of the right shape, or ``EngineInputError`` saying what is wrong."""
    if not isinstance(grant, Grant):
        raise EngineInputError(f"PolicySet.grants must hold Grant objects, got {grant!r}")
    if not grant.operations or not all(
        isinstance(op, str) and op.split(":", 1)[-1].lower() in _OPERATIONS for op in grant.operations
    ):
        raise EngineInputError(
            f"grant {grant.name!r}: operations {list(grant.operations)!r} must be KMS grant operations "
            f"({', '.join(GRANT_OPERATIONS)})"
        )
    if grant.encryption_context_subset is not None and grant.encryption_context_equals is not None:
        raise EngineInputError(
            f"grant {grant.name!r}: give one constraint, encryption_context_subset or _equals, not both"
        )
    return grant


def request_encryption_context(context: Mapping[str, Any]) -> dict[str, str]:
    """The encryption context of a request, from its ``kms:EncryptionContext:KEY`` keys (the key
    part keeps its case)."""
    found: dict[str, str] = {}
    for key, value in context.items():
        if isinstance(key, str) and key.lower().startswith(_CONTEXT_PREFIX):
            text = value if isinstance(value, str) else (value[0] if value else "")
            found[key[len(_CONTEXT_PREFIX) :]] = text
    return found


def _grantee_matches(grantee: str, principal: Any) -> bool:
    if principal.kind == SERVICE:
        return grantee.lower() == principal.text.lower()
    if grantee in (principal.text, principal.arn):
        return True
    if principal.kind == ROLE_SESSION:
        # A grant to a role serves every session of the role (the session ARN drops the path).
        role = role_name_from_arn(grantee)
        return role is not None and role == (principal.account, principal.name)
    return False


def _constraint_mismatch(grant: Grant, context: Mapping[str, Any]) -> Mismatch | None:
    wanted = grant.encryption_context_subset or grant.encryption_context_equals
    if not wanted:
        return None
    given = request_encryption_context(context)
    given_folded = {key.casefold(): value for key, value in given.items()}
    wanted_folded = {key.casefold(): value for key, value in wanted.items()}
    if grant.encryption_context_equals is not None:
        ok = given_folded == wanted_folded
        constraint = "EncryptionContextEquals"
    else:
        ok = all(given_folded.get(key) == value for key, value in wanted_folded.items())
        constraint = "EncryptionContextSubset"
    if ok:
        return None
    return Mismatch(
        "Constraints",
        "grant-constraint-not-met",
        {"constraint": constraint, "expected": dict(wanted), "actual": given},
    )


def evaluate_grants(
    grants: Sequence[Grant], setting: Any, context: Mapping[str, Any], key_arn: str
) -> tuple[list[PolicyTrace], list[StatementRef], list[tuple[str, Mismatch]]]:
    """The trace of every grant on ``key_arn``, the grants that allow the request, and the grants
    that would allow it but for their encryption-context constraint."""
    traces: list[PolicyTrace] = []
    allows: list[StatementRef] = []
    near: list[tuple[str, Mismatch]] = []
    principal = setting.principal
    operation = setting.action.split(":", 1)[1]
    for raw in grants:
        grant = check_grant(raw)
        if grant.key_arn != key_arn:
            continue
        operations = {op.split(":", 1)[-1].lower() for op in grant.operations}
        mismatches: list[Mismatch] = []
        retiring = (
            operation == "retiregrant"
            and grant.retiring_principal is not None
            and _grantee_matches(grant.retiring_principal, principal)
        )
        how = "retiring-principal" if retiring else "grantee"
        if not retiring:
            if not _grantee_matches(grant.grantee, principal):
                mismatches.append(
                    Mismatch(
                        "Grantee",
                        "grantee-not-matched",
                        {"principal": principal.text, "grantee": grant.grantee},
                    )
                )
            if operation not in operations:
                mismatches.append(
                    Mismatch(
                        "Operations",
                        "operation-not-in-grant",
                        {"action": setting.facts["action"], "patterns": list(grant.operations)},
                    )
                )
            elif not mismatches and operation in CONTEXT_OPERATIONS:
                mismatch = _constraint_mismatch(grant, context)
                if mismatch is not None:
                    mismatches.append(mismatch)
                    near.append((grant.name, mismatch))
        applies = not mismatches
        details: dict[str, Any] = {"grantee": grant.grantee, "operations": list(grant.operations)}
        if grant.encryption_context_subset is not None:
            details["encryptionContextSubset"] = dict(grant.encryption_context_subset)
        if grant.encryption_context_equals is not None:
            details["encryptionContextEquals"] = dict(grant.encryption_context_equals)
        if grant.retiring_principal is not None:
            details["retiringPrincipal"] = grant.retiring_principal
        statement = StatementTrace(0, None, "Allow", applies, tuple(mismatches))
        traces.append(PolicyTrace("grant", grant.name, (statement,), details=details))
        if applies:
            allows.append(StatementRef("grant", grant.name, how))
    return traces, allows, near
