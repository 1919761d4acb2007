"""Policy kinds and how a file name declares its kind.

A snippet's kind is part of its name (``cmk.key-policy.json``) so that the checker, the site and
a reader all know what the document is without opening it.
"""

from __future__ import annotations

#: file-name suffix -> kind; the kind names are the ones the command line's ``--kind`` accepts.
SUFFIX_KINDS: dict[str, str] = {
    ".identity-policy.json": "identity",
    ".key-policy.json": "key",
    ".bucket-policy.json": "bucket",
    ".trust-policy.json": "trust",
    ".scp.json": "scp",
}

KINDS: tuple[str, ...] = ("identity", "key", "bucket", "trust", "scp")

#: What each kind is, in words, for messages and the rule reference.
KIND_DESCRIPTIONS: dict[str, str] = {
    "identity": "IAM identity policy (attached to a user, group or role)",
    "key": "KMS key policy",
    "bucket": "S3 bucket policy",
    "trust": "IAM role trust policy",
    "scp": "service control policy (AWS Organizations)",
}

#: Kinds that are resource-based policies and therefore name a Principal in each statement.
RESOURCE_KINDS: frozenset[str] = frozenset({"key", "bucket", "trust"})


def kind_from_filename(name: str) -> str | None:
    """The kind declared by a file name's suffix (any directory part is ignored), or ``None``."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix, kind in SUFFIX_KINDS.items():
        if base.endswith(suffix) and len(base) > len(suffix):
            return kind
    return None


def suffix_for(kind: str) -> str:
    """The file-name suffix that declares ``kind``."""
    for suffix, suffix_kind in SUFFIX_KINDS.items():
        if suffix_kind == kind:
            return suffix
    raise KeyError(kind)
