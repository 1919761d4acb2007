"""Fail closed: the policies the engine evaluates must be ones the checker accepts.

The engine itself refuses what it cannot read (a malformed condition value, an unknown operator,
a numeric Version: see ``statements.py`` and ``conditions.py``), quickly, on every request. The
command line and the claims loader also run the policy checker on each policy's own text, once per
distinct text (cached by its SHA-256), and refuse the findings below: errors that mean AWS would
not accept the document, so evaluating it would prove nothing. Errors about where a policy is
attached (a Principal in an identity policy, a key policy's Resource) and catalog errors (an
action no service has) are left to ``policyproof check``: AWS evaluates such documents, and the
statements simply match nothing. A malformed ARN is refused by the engine itself only where it
could fail open (the Resource of a Deny, the NotResource of an Allow: ``statements.py``); in an
Allow's Resource it only grants nothing, and a proof then fails on the claim that relied on it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from policyproof.check.findings import Finding, Severity

#: Checker codes that make a policy unreadable for the engine (see the module docstring).
BLOCKING_CODES = frozenset(
    {
        "json-syntax",
        "schema-type",
        "missing-element",
        "unknown-element",
        "element-conflict",
        "invalid-version",
        "invalid-effect",
        "malformed-action",
        "invalid-principal-key",
        "unknown-condition-operator",
        "invalid-bool-value",
        "invalid-condition-value",
        "null-with-ifexists",
        "missing-tag-key",
    }
)

# Engine policy kinds -> the checker kind that reads them. The checker learns "rcp", "endpoint",
# "resource", "boundary" and "session" on another branch; until then the nearest kind is used
# (only kind-independent codes block, so the choice does not change what is refused).
_NEAREST = {
    "identity": "identity",
    "boundary": "identity",
    "session": "identity",
    "scp": "scp",
    "rcp": "bucket",
    "endpoint": "bucket",
    "resource": "bucket",
    "key": "key",
    "bucket": "bucket",
    "trust": "trust",
}


def checker_kind(kind: str) -> str:
    from policyproof.check.kinds import KINDS

    return kind if kind in KINDS else _NEAREST.get(kind, "identity")


@lru_cache(maxsize=4096)
def _blocking(digest: str, kind: str, text: str) -> tuple[Finding, ...]:
    from policyproof.check.checker import check_text
    from policyproof.check.findings import InputError

    try:
        findings = check_text(text, file="policy.json", kind=checker_kind(kind))
    except InputError:
        # A kind the checker cannot apply to this text on its own (e.g. one that needs a service
        # named): the kind-independent codes are the same under the nearest kind.
        findings = check_text(text, file="policy.json", kind=_NEAREST.get(kind, "identity"))
    return tuple(f for f in findings if f.severity == Severity.ERROR and f.code in BLOCKING_CODES)


def blocking_findings(text: str, kind: str) -> tuple[Finding, ...]:
    """The checker's findings that make ``text`` (one policy, as written) unreadable, with lines
    and columns relative to ``text``. Cached by the text's SHA-256 and the kind."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _blocking(digest, kind, text)
