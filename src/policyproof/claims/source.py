"""``claims.yaml`` as written: YAML composed with the line and column of every node (a
duplicate key refused), and its shape checked against the claims JSON Schema with messages that
say how to fix. Names are resolved next, by ``claims/loader.py``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources as package_files
from typing import Any

import jsonschema
import yaml

from policyproof.claims.model import ClaimsError, Path_


class Located:
    """The composed YAML tree, to find the line and column of any path in the document."""

    def __init__(self, root: yaml.Node, file: str) -> None:
        self.root = root
        self.file = file

    def node(self, path: Path_) -> yaml.Node:
        """The node at ``path``, or the deepest node on the way there."""
        node = self.root
        for part in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            node = child
        return node

    def key_node(self, path: Path_) -> yaml.Node:
        """The node of the *key* at the end of ``path`` (to point at an unknown field's name)."""
        parent = self.node(path[:-1])
        if isinstance(parent, yaml.MappingNode):
            for key, _ in parent.value:
                if key.value == path[-1]:
                    return key
        return self.node(path)

    def error(self, path: Path_, message: str, *, at_key: bool = False) -> ClaimsError:
        node = self.key_node(path) if at_key and path else self.node(path)
        return ClaimsError(self.file, message, node.start_mark.line + 1, node.start_mark.column + 1)


# libyaml's loader is about nine times faster and keeps the same line/column marks; claims are read
# on every site build, so it matters there. The pure-Python loader is the fallback.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str, file: str) -> tuple[Any, Located]:
    loader = _YamlLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ClaimsError(
                file, "the claims file is empty; it needs accounts, region, resources and claims"
            )
        _reject_duplicate_keys(root, file)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "cannot be read"
        raise ClaimsError(file, f"invalid YAML: {problem}", line, column) from None
    finally:
        loader.dispose()
    return data, Located(root, file)


def _reject_duplicate_keys(node: yaml.Node, file: str) -> None:
    # PyYAML silently keeps the last of two equal keys, which would hide a claim or a resource.
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for key, value in node.value:
            if key.value in seen:
                first = seen[key.value].start_mark.line + 1
                raise ClaimsError(
                    file,
                    f"duplicate key {key.value!r} (first on line {first}); remove one",
                    key.start_mark.line + 1,
                    key.start_mark.column + 1,
                )
            seen[key.value] = key
            _reject_duplicate_keys(value, file)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item, file)


# --------------------------------------------------------------------------------------------
# Shape: JSON Schema, with messages that say how to fix.
# --------------------------------------------------------------------------------------------


@cache
def claims_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a claims file."""
    text = package_files.files("policyproof").joinpath("data/claims.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def field_name(path: Path_) -> str:
    """``resources.key-a.arn``, ``claims[3].expect``: a path as a message names it."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "the document"


def _schema_message(error: jsonschema.ValidationError) -> tuple[str, bool]:
    """A readable message for one schema error, and whether it concerns a key (not a value)."""
    where = field_name(tuple(error.absolute_path))
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return f"unknown field {extra[0]!r} in {where}; allowed: {', '.join(allowed)}", True
    if error.validator == "required":
        return f"{where} is missing {error.message.split(' ')[0]}", False
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return f"{where} is {error.instance!r}; it must be one of {choices}", False
    if error.validator == "type":
        hint = " (quote account ids and numbers)" if error.validator_value == "string" else ""
        return (
            f"{where} must be of type {error.validator_value}, not {type(error.instance).__name__}{hint}",
            False,
        )
    if error.validator == "pattern":
        return (
            f"{where} {error.instance!r} is not well formed (expected pattern {error.validator_value})",
            False,
        )
    if error.validator == "oneOf" and where.startswith("principals."):
        both = isinstance(error.instance, dict) and "arn" in error.instance and "service" in error.instance
        return (
            f"{where} {'has both' if both else 'needs one of'} `arn` (an IAM principal) "
            f"{'and' if both else 'or'} `service` (an AWS service principal such as "
            f"cloudtrail.amazonaws.com){'; keep one' if both else ''}",
            False,
        )
    if error.validator == "anyOf" and ("polic" in where or "boundaries" in where):
        return f"{where} must be a policy file name ending in .json or {{name: …, document: {{…}}}}", False
    return f"{where}: {error.message}", False


@cache
def _claims_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(claims_schema())


def check_shape(data: Any, located: Located) -> None:
    """Raise the first schema error of ``data`` (in document order) at its line and column."""
    validator = _claims_validator()
    # A valid file (every file of a site that builds) is checked in one pass that stops at the
    # first error; only a file with errors is walked again for all of them (to name the first).
    if validator.is_valid(data):
        return
    errors = list(validator.iter_errors(data))

    def position(error: jsonschema.ValidationError) -> tuple[int, int]:
        node = located.node(tuple(error.absolute_path))
        return node.start_mark.line, node.start_mark.column

    error = min(errors, key=position)
    # Prefer the most specific error at that place (anyOf wraps its branches' errors), except for a
    # policy reference, whose two forms are best explained together.
    where = field_name(tuple(error.absolute_path))
    principal_choice = error.validator == "oneOf" and where.startswith("principals.")
    if error.context and not ("polic" in where or "boundaries" in where or principal_choice):
        error = jsonschema.exceptions.best_match(error.context) or error
    message, at_key = _schema_message(error)
    path = tuple(error.absolute_path)
    if at_key and isinstance(error.instance, dict):
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        path = (*path, extra[0])
    raise located.error(path, message, at_key=at_key)
