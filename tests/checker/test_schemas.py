"""The published schemas: valid Draft 2020-12, one per kind, errors reported as positioned findings."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from policyproof.check.checker import check_text
from policyproof.check.kinds import KINDS
from policyproof.check.schemas import load_schema, schema_path


@pytest.mark.parametrize("kind", KINDS)
def test_schema_file_is_valid_draft_2020_12(kind: str) -> None:
    path = schema_path(kind)
    assert path.name == f"{kind}.schema.json" and path.is_file()
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert load_schema(kind) == schema


def test_unknown_kind_has_no_schema() -> None:
    with pytest.raises(KeyError, match="unknown policy kind"):
        schema_path("lambda")


def test_schema_error_deep_in_a_statement_points_at_the_value() -> None:
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n'
        '    {"Effect": "Allow", "Action": ["s3:GetObject", 7], "Resource": "*"}\n  ]\n}\n'
    )
    (finding,) = check_text(text, file="p.identity-policy.json")
    assert finding.code == "schema-type"
    assert (finding.line, finding.column) == (5, 52)
    assert "Statement[1].Action[1]" in finding.message and "string" in finding.message


@pytest.mark.parametrize("kind", KINDS)
def test_schema_speaks_both_languages(kind: str) -> None:
    """Every title and description has a Vietnamese twin (``x-title-vi``, ``x-description-vi``):
    annotations that Draft 2020-12 validators ignore, for the site and for Vietnamese editors."""
    pending = [load_schema(kind)]
    pairs = 0
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            for key in ("title", "description"):
                if isinstance(node.get(key), str):
                    twin = node.get(f"x-{key}-vi")
                    assert isinstance(twin, str) and twin, (
                        f"{schema_path(kind)}: {node[key]!r} has no x-{key}-vi"
                    )
                    pairs += 1
            pending.extend(value for name, value in node.items() if name not in ("title", "description"))
    assert pairs >= 8
    text = schema_path(kind).read_text(encoding="utf-8")
    assert any(word in text for word in ("Cấu trúc", "không", "phải")), (
        "Vietnamese text has lost its diacritics"
    )
