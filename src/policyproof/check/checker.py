"""Check one policy: parse (positions), schema of its kind, then the semantic rules.

The library entry points behind ``policyproof check``, the snippet tests and the site hooks.
Problems in the policy are returned as findings; input that cannot be checked at all (not text,
too large, too deep, no way to tell its kind) raises :class:`InputError`.
"""

from __future__ import annotations

from pathlib import Path

from policyproof.check.document import JsonSyntaxError, load_json
from policyproof.check.findings import Finding, InputError
from policyproof.check.kinds import KINDS, SUFFIX_KINDS, kind_from_filename
from policyproof.check.rules import run_rules
from policyproof.check.rules.base import Context
from policyproof.check.rules.registry import make_finding
from policyproof.check.schemas import schema_findings

#: Refuse to read more than this many bytes: a policy is at most 32 KB (see document.MAX_INPUT_CHARS).
MAX_FILE_BYTES = 1_000_000


def decide_kind(file: str, kind: str | None) -> str:
    """The kind given, else the one the file name declares; InputError when neither says."""
    if kind is not None:
        if kind not in KINDS:
            raise InputError(file, f"unknown policy kind {kind!r}: use one of {', '.join(KINDS)}")
        return kind
    found = kind_from_filename(file)
    if found is None:
        suffixes = ", ".join(f"*{suffix}" for suffix in SUFFIX_KINDS)
        raise InputError(
            file, f"cannot tell the policy kind from the file name: name it {suffixes}, or pass --kind"
        )
    return found


def check_text(
    text: str,
    *,
    file: str,
    kind: str | None = None,
    attached_to: str | None = None,
    owner_account: str | None = None,
    service: str | None = None,
) -> list[Finding]:
    """All findings for one policy given as text, sorted by position.

    ``service`` is the service prefix a resource or endpoint policy belongs to (``--service``); without
    it the service is inferred from the policy's ARNs when they all name one.
    """
    policy_kind = decide_kind(file, kind)
    try:
        data, locator = load_json(text, file)
    except JsonSyntaxError as error:
        return [make_finding(file, error.line, error.column, "json-syntax", error.message)]
    findings = schema_findings(data, policy_kind, file, locator)
    context = Context(
        file,
        policy_kind,
        data,
        locator,
        attached_to=attached_to,
        owner_account=owner_account,
        service=service,
    )
    run_rules(context)
    findings.extend(context.findings)
    return sorted(set(findings))


def read_policy_text(path: str | Path) -> str:
    """The text of a policy file; InputError (one line, no traceback) if it cannot be one."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise InputError(name, "is a directory, not a policy file") from None
    except FileNotFoundError:
        raise InputError(name, "no such file: check the path") from None
    except PermissionError:
        raise InputError(name, "permission denied: the file cannot be read") from None
    except OSError as error:
        raise InputError(name, f"cannot be read: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(
            name,
            f"file is larger than {MAX_FILE_BYTES:,} bytes; AWS policies are at most 32 KB (KMS key "
            "policies): "
            "check that this is a policy",
        )
    if b"\x00" in raw:
        raise InputError(name, "binary file (contains NUL bytes): a policy is UTF-8 JSON text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            name, f"not UTF-8 text (bad byte at offset {error.start}): save the policy as UTF-8 JSON"
        ) from None


def check_path(
    path: str | Path,
    *,
    kind: str | None = None,
    attached_to: str | None = None,
    owner_account: str | None = None,
    service: str | None = None,
) -> list[Finding]:
    """All findings for one policy file (kind from ``kind`` or the file-name suffix)."""
    name = str(path)
    text = read_policy_text(path)
    return check_text(
        text, file=name, kind=kind, attached_to=attached_to, owner_account=owner_account, service=service
    )
