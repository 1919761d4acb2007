"""Recognise IAM policies in JSON code blocks, make them whole documents, and name them.

Hugo notes often show a bare statement (``{"Effect": ..., "Action": ...}``) or a list of them;
readers copy what the page shows, so the snippet is always a whole policy document
(``Version`` 2012-10-17 + ``Statement``). Its kind goes in the file name, as the checker expects.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

POLICY_VERSION = "2012-10-17"

#: kind -> file-name suffix (see policyproof.check.kinds)
KIND_SUFFIXES: dict[str, str] = {
    "identity": "identity-policy",
    "key": "key-policy",
    "bucket": "bucket-policy",
    "trust": "trust-policy",
    "resource": "resource-policy",  # another service's resource policy (SNS, SQS, ...): contract 4
}


class NotStrictJson(ValueError):
    """JSON that strict parsers (and AWS) reject; ``line`` is 1-based inside the block."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Policy:
    document: dict[str, Any]
    kind: str | None  # None: a resource policy of a service this site has no kind for
    was_partial: bool  # the block held a statement or a list of statements

    def text(self) -> str:
        return json.dumps(self.document, indent=2, ensure_ascii=False) + "\n"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_strict(text: str) -> Any:
    """Parse JSON as AWS does: no duplicate keys, no NaN/Infinity, no trailing commas."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise NotStrictJson(error.msg, error.lineno) from None
    except ValueError as error:
        raise NotStrictJson(str(error), 1) from None


def strip_json_extras(text: str) -> tuple[str, list[str]]:
    """``text`` without ``//`` and ``/* */`` comments and trailing commas (JSONC habits AWS
    rejects), and what was removed; strings are left alone."""
    out: list[str] = []
    removed: set[str] = set()
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == '"':
            end = index + 1
            while end < length and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[index : end + 1])
            index = end + 1
        elif text.startswith("//", index):
            end = text.find("\n", index)
            index = length if end == -1 else end
            removed.add("comments")
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = length if end == -1 else end + 2
            removed.add("comments")
        elif char == ",":
            rest = text[index + 1 :].lstrip()
            if rest[:1] in ("]", "}"):
                removed.add("trailing commas")
            else:
                out.append(char)
            index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out), sorted(removed)


def looks_like_policy(text: str) -> bool:
    return '"Effect"' in text or '"Statement"' in text


def _is_statement(value: object) -> bool:
    return isinstance(value, dict) and "Effect" in value and ("Action" in value or "NotAction" in value)


def as_policy(value: object) -> Policy | None:
    """The whole policy document a JSON value stands for, or None when it is not a policy."""
    if isinstance(value, dict) and "Statement" in value:
        document = dict(value)
        if "Version" not in document:
            document = {"Version": POLICY_VERSION, **document}
        partial = False
    elif _is_statement(value):
        document = {"Version": POLICY_VERSION, "Statement": [value]}
        partial = True
    elif isinstance(value, list) and value and all(_is_statement(item) for item in value):
        document = {"Version": POLICY_VERSION, "Statement": list(value)}
        partial = True
    else:
        return None
    return Policy(document, detect_kind(document) or "resource", partial)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def detect_kind(document: dict[str, Any]) -> str | None:
    """identity (no Principal), else trust / key / bucket by the actions the statements name."""
    statements = document.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    statements = [s for s in statements if isinstance(s, dict)]
    if not any("Principal" in s or "NotPrincipal" in s for s in statements):
        return "identity"
    actions = [a.lower() for s in statements for key in ("Action", "NotAction") for a in _strings(s.get(key))]
    resources = [r.lower() for s in statements for r in _strings(s.get("Resource"))]
    if any(a.startswith("sts:assumerole") for a in actions):
        return "trust"
    if any(a.startswith("kms:") for a in actions):
        return "key"
    if any(a.startswith("s3:") for a in actions) or any(r.startswith("arn:aws:s3:") for r in resources):
        return "bucket"
    return None


def slug(text: str, max_words: int | None = 6) -> str:
    """ASCII slug of a label: Vietnamese letters lose their marks (đ -> d); ``None``: every word."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words])


_LABEL_NOISE = re.compile(r"^\s*(?:#+\s*|[-*+]\s+|\d+[.)]\s+)*")


def label_slug(label: str) -> str:
    """Slug of the prose line before a block, without heading marks or a leading list number."""
    label = _LABEL_NOISE.sub("", label)
    label = re.sub(r"\{[^}]*\}", "", label)  # attribute lists such as { #id }
    label = re.sub(r"^\W*\d+[.)]\s*", "", label.strip("*_ :"))
    return slug(label)


def snippet_stem(document: dict[str, Any]) -> str:
    """What the policy is, as a file name: its statement ids, else its services and actions.

    ``AllowGlueStartJob`` -> ``allow-glue-start-job``; no Sid -> ``glue-startjobrun``,
    ``s3-getobject-listbucket``; a Deny policy says so (``deny-s3-deletebucket``).
    """
    statements = document.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    statements = [s for s in statements if isinstance(s, dict)]
    sids = [str(s["Sid"]) for s in statements if isinstance(s.get("Sid"), str) and s["Sid"].strip()]
    sids = [sid for sid in sids if not re.fullmatch(r"(?i)(stmt|statement|visualeditor|sid)?\d*", sid)]
    if sids:
        words = "-".join(_camel_words(sid) for sid in sids[:2])
        return "-".join(words.split("-")[:8])
    effects = {str(s.get("Effect", "")).lower() for s in statements}
    actions = [a for s in statements for key in ("Action", "NotAction") for a in _strings(s.get(key))]
    services: list[str] = []
    names: list[str] = []
    for action in actions:
        service, _, name = action.partition(":")
        if service and service.lower() not in services:
            services.append(service.lower())
        if name and name != "*" and name.lower() not in names:
            names.append(name.lower().replace("*", "all"))
    parts = (["deny"] if effects == {"deny"} else []) + services[:2] + names[:2]
    return slug("-".join(parts), max_words=6) or "policy"


def _camel_words(text: str) -> str:
    return slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text), max_words=8)


def snippet_name(stem: str, kind: str, taken: set[str]) -> str:
    """``<stem>.<kind>.json``, made unique among ``taken`` with -2, -3 ..."""
    suffix = KIND_SUFFIXES[kind]
    name, number = f"{stem}.{suffix}.json", 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}.{suffix}.json"
    return name


# -- placeholders ----------------------------------------------------------------------------
#: AWS's documented example values. The account ID 111122223333 is the example AWS documentation
#: uses in ARNs (for example https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html);
#: account IDs are 12 digits (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html);
#: amzn-s3-demo-bucket is the example bucket name of the Amazon S3 User Guide.
EXAMPLE_ACCOUNT = "111122223333"
EXAMPLE_REGION = "us-east-1"
EXAMPLE_BUCKET = "amzn-s3-demo-bucket"

_ANGLE = re.compile(r"<(?P<name>[A-Za-z][\w .\-]{0,40})>")
# ${AccountId}, ${var.aws_region}; IAM policy variables (${aws:username}) have a ':' and stay
_BRACE = re.compile(r"\$\{(?P<name>[A-Za-z][\w.\-]{0,40})\}")
_CAPS = re.compile(
    r"(?<![\w-])(?P<name>(?:YOUR|MY)[_-][A-Z0-9_-]+|[A-Z0-9_-]*(?:ACCOUNT|REGION|BUCKET)[A-Z0-9_-]*)(?![\w-])"
)


@dataclass(frozen=True)
class Replacement:
    placeholder: str
    value: str


def _value_for(name: str, field_index: int | None) -> str:
    lowered = name.lower()
    if field_index == 4 or "account" in lowered:
        return EXAMPLE_ACCOUNT
    if field_index == 3 or "region" in lowered:
        return EXAMPLE_REGION
    if "bucket" in lowered:
        return EXAMPLE_BUCKET
    return "example-" + (slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name), max_words=5) or "value")


def replace_placeholders(document: Any) -> tuple[Any, list[Replacement]]:
    """The document with placeholders (``<account-id>``, ``AWS_ACCOUNT_ID``, ``${BucketName}``)
    replaced by AWS's example values, and what was replaced (each placeholder once)."""
    found: dict[str, str] = {}

    def fix(text: str) -> str:
        fields = text.split(":") if text.startswith("arn:") else []

        def field_of(start: int) -> int | None:
            if not fields:
                return None
            return text.count(":", 0, start) if text.count(":", 0, start) < 5 else None

        def swap(match: re.Match[str]) -> str:
            value = _value_for(match.group("name"), field_of(match.start()))
            found.setdefault(match.group(0), value)
            return value

        for pattern in (_ANGLE, _BRACE, _CAPS):
            text = pattern.sub(swap, text)
        return text

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return fix(value)
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        return value

    fixed = walk(document)
    return fixed, [Replacement(placeholder, value) for placeholder, value in found.items()]
