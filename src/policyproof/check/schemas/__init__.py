"""JSON Schemas (Draft 2020-12), one per policy kind, and their errors as positioned findings.

The ``.schema.json`` files are the published contract (the site serves them so editors can
validate as you type). ``jsonschema`` is thorough but slow for policies with thousands of actions,
so :func:`schema_findings` first runs :func:`_surely_valid`, a plain-Python check of the common
well-formed shape that only ever says "valid" for documents the schema accepts (a hypothesis test
holds it to that); everything else goes through ``jsonschema``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from policyproof.check.document import JsonPath, Locator
from policyproof.check.findings import Finding
from policyproof.check.kinds import KIND_DESCRIPTIONS, KINDS, NO_PRINCIPAL_KINDS
from policyproof.check.rules.registry import make_finding


def schema_path(kind: str) -> Path:
    """Path of the ``.schema.json`` file for ``kind`` (for the site to publish)."""
    if kind not in KINDS:
        raise KeyError(f"unknown policy kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return Path(str(resources.files("policyproof.check.schemas").joinpath(f"{kind}.schema.json")))


@cache
def load_schema(kind: str) -> dict:
    return json.loads(schema_path(kind).read_text(encoding="utf-8"))


@cache
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind))


# -- fast path --------------------------------------------------------------------------------

_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
_PRINCIPAL_KEYS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_SCALARS = (str, bool, int, float)


def _strings(value: object) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    )


def _principal(value: object) -> bool:
    if value == "*":
        return True
    return (
        isinstance(value, dict)
        and bool(value)
        and value.keys() <= _PRINCIPAL_KEYS
        and all(_strings(item) for item in value.values())
    )


def _condition(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    for block in value.values():
        if not isinstance(block, dict):
            return False
        for item in block.values():
            if isinstance(item, list):
                if not all(isinstance(element, _SCALARS) for element in item):
                    return False
            elif not isinstance(item, _SCALARS):
                return False
    return True


def _statement_surely_valid(statement: object, kind: str) -> bool:
    if not isinstance(statement, dict) or not statement.keys() <= _STATEMENT_KEYS:
        return False
    if statement.get("Effect") not in ("Allow", "Deny"):
        return False
    if ("Action" in statement) == ("NotAction" in statement):
        return False
    has_principal = "Principal" in statement
    has_not_principal = "NotPrincipal" in statement
    has_resource = "Resource" in statement or "NotResource" in statement
    if kind == "trust":
        if has_resource or has_not_principal or not has_principal:
            return False
    elif kind == "resource":  # Resource is optional (ECR), but never both
        if "Resource" in statement and "NotResource" in statement:
            return False
        if has_principal == has_not_principal:
            return False
    else:
        if ("Resource" in statement) == ("NotResource" in statement):
            return False
        if kind in NO_PRINCIPAL_KINDS and (has_principal or has_not_principal):
            return False
        if kind in ("key", "bucket") and has_principal == has_not_principal:
            return False
        if kind == "endpoint" and (not has_principal or has_not_principal):
            return False
        if kind == "rcp" and (
            statement.get("Principal") != "*" or has_not_principal or "NotAction" in statement
        ):
            return False
    for name in ("Action", "NotAction", "Resource", "NotResource"):
        if name in statement and not _strings(statement[name]):
            return False
    for name in ("Principal", "NotPrincipal"):
        if name in statement and not _principal(statement[name]):
            return False
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        return False
    return not ("Condition" in statement and not _condition(statement["Condition"]))


def _surely_valid(data: object, kind: str) -> bool:
    """True only for documents the kind's schema accepts (False means: ask ``jsonschema``)."""
    if not isinstance(data, dict) or not data.keys() <= _TOP_KEYS or "Statement" not in data:
        return False
    if "Version" in data and data["Version"] not in ("2012-10-17", "2008-10-17"):
        return False
    if "Id" in data and not isinstance(data["Id"], str):
        return False
    statements = data["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    elif not isinstance(statements, list) or not statements:
        return False
    return all(_statement_surely_valid(statement, kind) for statement in statements)


# -- errors as findings -------------------------------------------------------------------------

_TYPE_WORDS = {
    "stringOrStrings": "a string or a list of strings",
    "principal": '"*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}',
    "condition": 'an object such as {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}',
    "statement": "a statement object (or a list of them)",
}


def schema_findings(data: object, kind: str, file: str, locator: Locator) -> list[Finding]:
    """Schema violations of ``data`` for ``kind``, each as a finding at the offending value."""
    if _surely_valid(data, kind):
        return []
    findings: dict[tuple, Finding] = {}
    for error in validator(kind).iter_errors(data):
        for code, path, at_key, message in _explain(error, data, kind):
            line, column = locator.key_position(path) if at_key else locator.value_position(path)
            finding = make_finding(file, line, column, code, message)
            findings.setdefault((line, column, code, message), finding)
    return sorted(findings.values())


def _explain(error: ValidationError, data: object, kind: str) -> list[tuple[str, JsonPath, bool, str]]:
    """(code, path, point-at-key?, message) for one jsonschema error, in the policy's own words."""
    path: JsonPath = tuple(error.absolute_path)
    where = _element_name(path)
    validator_name = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    if validator_name == "not":
        return [_explain_forbidden(path, error.validator_value, kind)]
    if validator_name == "const" and kind == "rcp" and path and path[-1] == "Principal":
        return [
            (
                "rcp-principal-not-star",
                path,
                False,
                'an RCP applies to every principal: write "Principal": "*" and narrow who is denied with a '
                "Condition (e.g. aws:PrincipalOrgID)",
            )
        ]
    if validator_name == "oneOf" and _is_required_choice(schema):
        return [_explain_choice(schema, error.instance, path)]
    if validator_name == "required":
        missing = [
            name
            for name in error.validator_value
            if not isinstance(error.instance, dict) or name not in error.instance
        ]
        return [_missing(name, path, kind) for name in missing]
    if validator_name == "additionalProperties":
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))
        if path and path[-1] in ("Principal", "NotPrincipal"):
            return [_bad_principal_key(path, name) for name in extra]
        allowed = ", ".join(schema.get("properties", {}))
        return [
            (
                "unknown-element",
                path + (name,),
                True,
                f"unknown element {name!r} in {where}: check the spelling (element names are "
                f"case-sensitive); allowed: {allowed}",
            )
            for name in extra
        ]
    if validator_name == "propertyNames":
        return [_bad_principal_key(path, str(error.instance))]
    if "propertyNames" in error.schema_path:  # the name itself failed (an enum inside propertyNames)
        return [_bad_principal_key(path, str(error.instance))]
    if validator_name == "enum" and path and path[-1] == "Version":
        return [
            (
                "invalid-version",
                path,
                False,
                f'Version {error.instance!r} is not a policy language version: use "2012-10-17"',
            )
        ]
    if validator_name == "enum" and path and path[-1] == "Effect":
        return [
            (
                "invalid-effect",
                path,
                False,
                f'Effect {error.instance!r} is not valid: write "Allow" or "Deny" (case-sensitive)',
            )
        ]
    if validator_name == "minItems":
        return [("empty-statement", path, False, "Statement is an empty list: add at least one statement")]
    if validator_name == "minProperties":
        return [
            (
                "invalid-principal",
                path,
                False,
                'Principal is an empty object: name at least one principal, e.g. {"AWS": "111122223333"}',
            )
        ]
    if validator_name in ("oneOf", "anyOf") and error.context:
        deeper = _deeper_branch_errors(error)
        if deeper:
            return [item for sub in deeper for item in _explain(sub, data, kind)]
    expected = _expected_words(error)
    return [
        (
            "schema-type",
            path,
            False,
            f"{where} has the wrong type ({_json_type(error.instance)}): it must be {expected}",
        )
    ]


def _explain_forbidden(path: JsonPath, forbidden: object, kind: str) -> tuple[str, JsonPath, bool, str]:
    """An element the kind's schema forbids (``"not": {}``), or Resource with NotResource
    (``"not": {"required": [...]}`` on the statement)."""
    if isinstance(forbidden, dict) and "required" in forbidden:
        first, second = forbidden["required"][:2]
        return (
            "element-conflict",
            path + (second,),
            True,
            f"{first} and {second} cannot be used together in one statement: keep one of them",
        )
    element = path[-1] if path else ""
    if element in ("Principal", "NotPrincipal") and kind in NO_PRINCIPAL_KINDS:
        return (
            "principal-not-allowed",
            path,
            True,
            f"{element} is not allowed in this policy ({KIND_DESCRIPTIONS[kind]}): it applies to whoever it "
            "is attached to; remove it (or check the file as a resource policy)",
        )
    if kind == "rcp":
        return (
            "rcp-unsupported-element",
            path,
            True,
            f"{element} is not supported in resource control policies: "
            + (
                'write "Principal": "*" and exempt principals with a Condition'
                if element == "NotPrincipal"
                else "list the actions to deny under Action"
            ),
        )
    if element in ("Resource", "NotResource"):
        return (
            "resource-in-trust-policy",
            path,
            True,
            f"{element} is not allowed in a role trust policy: the resource is the role itself; remove it",
        )
    return (
        "notprincipal-in-trust-policy",
        path,
        True,
        "NotPrincipal is not supported in a role trust policy: name the principals with Principal",
    )


def _is_required_choice(schema: dict) -> bool:
    branches = schema.get("oneOf", [])
    return bool(branches) and all(set(branch) == {"required"} for branch in branches)


def _explain_choice(schema: dict, instance: object, path: JsonPath) -> tuple[str, JsonPath, bool, str]:
    names = [branch["required"][0] for branch in schema["oneOf"]]
    present = [name for name in names if isinstance(instance, dict) and name in instance]
    if len(present) > 1:
        return (
            "element-conflict",
            path + (present[1],),
            True,
            f"{present[0]} and {present[1]} cannot be used together in one statement: keep one of them",
        )
    if names[0] == "Principal":
        return (
            "missing-principal",
            path,
            False,
            "this statement has no Principal: a resource policy must say who it applies to; "
            'add "Principal" (e.g. {"AWS": "arn:aws:iam::111122223333:root"})',
        )
    return (
        "missing-element",
        path,
        False,
        f"this statement has neither {names[0]} nor {names[1]}: add {names[0]}",
    )


def _missing(name: str, path: JsonPath, kind: str) -> tuple[str, JsonPath, bool, str]:
    if name == "Principal":
        return (
            "missing-principal",
            path,
            False,
            f"this statement has no Principal: a {KIND_DESCRIPTIONS[kind]} must say who may act; add "
            '"Principal"',
        )
    if name == "Statement":
        return ("missing-element", path, False, 'the policy has no "Statement": add a list of statements')
    if name == "Effect":
        return (
            "missing-element",
            path,
            False,
            'this statement has no "Effect": add "Effect": "Allow" or "Deny"',
        )
    return ("missing-element", path, False, f"this statement has no {name!r}: add it")


def _bad_principal_key(path: JsonPath, name: str) -> tuple[str, JsonPath, bool, str]:
    return (
        "invalid-principal-key",
        path + (name,),
        True,
        f"principal type {name!r} is not valid: use AWS, Service, Federated or CanonicalUser "
        "(case-sensitive)",
    )


def _deeper_branch_errors(error: ValidationError) -> list[ValidationError]:
    """For a failed oneOf/anyOf, the errors of the one branch whose type fitted the value.

    "Statement is not valid under any of the given schemas" helps nobody; "Statement[2].Effect
    must be Allow or Deny" does. A branch fits when none of its errors is a type (or const)
    error on the value itself.
    """
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    fitting = [
        errors
        for errors in branches.values()
        if not any(sub.validator in ("type", "const") and not sub.relative_path for sub in errors)
    ]
    return fitting[0] if len(fitting) == 1 else []


def _expected_words(error: ValidationError) -> str:
    path = [step for step in error.absolute_path if isinstance(step, str)]
    element = path[-1] if path else ""
    if path[-2:-1] == ["Condition"]:
        return 'an object mapping condition keys to values, e.g. {"aws:PrincipalOrgID": "o-abc123"}'
    if "Condition" in path[:-1]:
        return "a string, number or boolean, or a list of them"
    if element == "Condition":
        return _TYPE_WORDS["condition"]
    if element in ("Principal", "NotPrincipal"):
        return _TYPE_WORDS["principal"]
    if element in ("Action", "NotAction", "Resource", "NotResource") or (
        path[-2:-1] and path[-2] in ("Principal", "NotPrincipal")
    ):
        return _TYPE_WORDS["stringOrStrings"]
    if element == "Statement":
        return _TYPE_WORDS["statement"]
    if element in ("Sid", "Id"):
        return "a string"
    if not error.absolute_path:
        return 'a JSON object {"Version": "2012-10-17", "Statement": [...]}'
    return "a value of the documented shape"


def _element_name(path: JsonPath) -> str:
    if not path:
        return "the policy"
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _json_type(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
