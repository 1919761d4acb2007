"""Strict JSON with positions: values located exactly, bad JSON rejected with line and column."""

from __future__ import annotations

import json

import pytest

from policyproof.check.document import MAX_DEPTH, JsonSyntaxError, load_json, parse_json
from policyproof.check.findings import InputError

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "*"
    }
  ]
}
"""


def test_every_value_has_its_line_and_column() -> None:
    tree = parse_json(POLICY, "p.json")
    statement = tree.get("Statement").value[0]
    actions = statement.get("Action").value
    assert (actions[1].line, actions[1].column) == (6, 34)
    assert (statement.get("Resource").line, statement.get("Resource").column) == (7, 19)
    assert statement.key_position("Effect") == (5, 7)
    assert tree.to_python() == json.loads(POLICY)
    assert statement.kind == "object" and actions[0].kind == "string"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{"a": 1,}', 1, 8, "trailing comma"),
        ("[1,\n 2,\n]", 2, 3, "trailing comma"),
        ('{"a": 1,\n "a": 2}', 2, 2, "duplicate key 'a' (first at line 1, column 2)"),
        ('{"a": NaN}', 1, 7, "NaN is not valid JSON"),
        ('{"a": Infinity}', 1, 7, "Infinity is not valid JSON"),
        ("{'a': 1}", 1, 2, "double quotes"),
        ('{"a": True}', 1, 7, "lower-case true"),
        ('{"a" 1}', 1, 6, "expected ':'"),
        ('{"a": "x\ny"}', 1, 9, "control character"),
        ('{"a": 1} {"b": 2}', 1, 10, "exactly one policy"),
        ('{"a": [1, 2}', 1, 12, "expected ',' or ']'"),
    ],
)
def test_bad_json_names_line_column_and_fix(text: str, line: int, column: int, words: str) -> None:
    for parse in (parse_json, lambda t, f: load_json(t, f)[0]):
        with pytest.raises(JsonSyntaxError) as caught:
            parse(text, "bad.json")
        error = caught.value
        assert (error.line, error.column) == (line, column), f"{text!r}: {error}"
        assert words in error.message, f"{text!r}: {error.message}"


def test_empty_input_is_an_input_error_not_a_syntax_finding() -> None:
    for text in ("", "  \n\t "):
        for parse in (parse_json, load_json):
            with pytest.raises(InputError, match="the file is empty") as caught:
                parse(text, "empty.json")
            assert not isinstance(caught.value, JsonSyntaxError)


def test_deep_nesting_and_huge_input_are_input_errors_not_crashes() -> None:
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    very_deep = "[" * 100_000
    for text in (deep, very_deep):
        for parse in (parse_json, load_json):
            with pytest.raises(InputError) as caught:
                parse(text, "deep.json")
            assert not isinstance(caught.value, JsonSyntaxError)
            assert "nested more than" in caught.value.message
    with pytest.raises(InputError, match="characters, more than"):
        load_json(" " * 2_000_000, "big.json")


def test_fast_loader_agrees_with_the_exact_parser_and_locates_lazily() -> None:
    data, locator = load_json(POLICY, "p.json")
    assert data == parse_json(POLICY, "p.json").to_python()
    assert locator.value_position(("Statement", 0, "Action", 1)) == (6, 34)
    assert locator.key_position(("Statement", 0, "Resource")) == (7, 7)
    # a path that does not exist resolves to its deepest existing ancestor
    assert locator.value_position(("Statement", 0, "Nope", 3)) == (4, 5)
