"""Strict JSON with the position of every value.

Python's ``json`` module accepts ``NaN``, silently keeps the last of two duplicate keys and says
nothing about where a value was. A policy checker needs all three fixed: IAM rejects ``NaN``,
a duplicate ``"Action"`` hides one of the two lists from the reader, and every finding must point
at the exact line and column. So this module has its own small recursive-descent parser over
RFC 8259 JSON. Strings are decoded with the C ``scanstring`` that ``json`` itself uses, numbers with
one regular expression, so the parser stays fast enough to lint thousands of policies a second.

Two entry points:

* :func:`parse_json` builds a tree of :class:`Node` (value + position), for callers that walk
  the document and report positions.
* :func:`load_json` returns plain Python values and a :class:`Locator` that finds the position of
  any JSON path on demand. The checker uses it: most policies have no finding, so positions are
  computed only for the few documents that need them.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from json.decoder import scanstring

from policyproof.check.findings import InputError

#: The largest policy AWS accepts is a KMS key policy (32 KB); leave room for pretty-printing.
MAX_INPUT_CHARS = 1_000_000
#: Real policies nest about six levels deep (document, Statement, statement, Condition, operator,
#: key, values); anything far deeper is not a policy and would exhaust the parser's stack.
MAX_DEPTH = 64

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NON_JSON_CONSTANTS = ("NaN", "Infinity", "-Infinity", "undefined")

JsonPath = tuple[str | int, ...]


class JsonSyntaxError(InputError):
    """The text is not strict JSON (a defect of the policy, reported as a ``json-syntax`` finding).

    Other :class:`InputError` s (too large, too deep) mean the input is not a policy at all.
    """


class Source:
    """The text being parsed and a table of line starts, to turn offsets into line/column lazily."""

    __slots__ = ("text", "file", "_line_starts")

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self._line_starts: list[int] | None = None

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of ``offset``."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + 1, offset - self._line_starts[line_index] + 1


class Node:
    """One JSON value with its position.

    ``value`` is a ``dict[str, Node]`` for objects, a ``list[Node]`` for arrays and the plain
    Python value (``str``, ``int``, ``float``, ``bool``, ``None``) otherwise.
    """

    __slots__ = ("value", "offset", "source", "key_offsets")

    def __init__(self, value: object, offset: int, source: Source, key_offsets: dict[str, int] | None = None):
        self.value = value
        self.offset = offset
        self.source = source
        # Objects only: where each key's opening quote is, so a finding can point at the key.
        self.key_offsets = key_offsets

    @property
    def line(self) -> int:
        return self.source.line_column(self.offset)[0]

    @property
    def column(self) -> int:
        return self.source.line_column(self.offset)[1]

    @property
    def kind(self) -> str:
        """``object``, ``array``, ``string``, ``number``, ``boolean`` or ``null``."""
        return _kind_name(self.value)

    def key_position(self, key: str) -> tuple[int, int]:
        """Line and column of ``key`` in this object (of the object itself if it has no such key)."""
        if self.key_offsets and key in self.key_offsets:
            return self.source.line_column(self.key_offsets[key])
        return self.line, self.column

    def get(self, key: str) -> Node | None:
        """The member ``key`` of an object node, or ``None`` (also when this is not an object)."""
        return self.value.get(key) if isinstance(self.value, dict) else None

    def __iter__(self) -> Iterator[Node]:
        if isinstance(self.value, list):
            return iter(self.value)
        if isinstance(self.value, dict):
            return iter(self.value.values())
        return iter(())

    def to_python(self) -> object:
        """The plain Python value (dicts, lists, scalars), without positions."""
        value = self.value
        if isinstance(value, dict):
            return {key: child.to_python() for key, child in value.items()}
        if isinstance(value, list):
            return [child.to_python() for child in value]
        return value

    def __repr__(self) -> str:
        return f"Node({self.kind} at {self.line}:{self.column})"


def _kind_name(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


class _Parser:
    """Recursive descent over one text; builds :class:`Node` trees."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text

    # -- errors -------------------------------------------------------------------------------
    def fail(self, offset: int, message: str) -> InputError:
        line, column = self.source.line_column(offset)
        return JsonSyntaxError(self.source.file, message, line, column)

    def too_deep(self, offset: int) -> InputError:
        line, column = self.source.line_column(offset)
        return InputError(
            self.source.file,
            f"JSON nested more than {MAX_DEPTH} levels deep: this is not a policy document",
            line,
            column,
        )

    def describe(self, offset: int) -> str:
        if offset >= len(self.text):
            return "end of file"
        char = self.text[offset]
        return repr(char) if char.isprintable() else f"character U+{ord(char):04X}"

    # -- grammar ------------------------------------------------------------------------------
    def skip_ws(self, offset: int) -> int:
        return _WHITESPACE.match(self.text, offset).end()

    def parse_document(self) -> Node:
        offset = 1 if self.text.startswith("\ufeff") else 0  # tolerate a UTF-8 byte order mark
        offset = self.skip_ws(offset)
        if offset >= len(self.text):
            # not a defective policy but no policy at all: an InputError, not a json-syntax finding
            raise InputError(
                self.source.file,
                'the file is empty: a policy is a JSON object {"Version": ..., "Statement": [...]}',
            )
        node, offset = self.parse_value(offset, 1)
        offset = self.skip_ws(offset)
        if offset < len(self.text):
            raise self.fail(
                offset,
                f"unexpected {self.describe(offset)} after the end of the JSON value: "
                "a file holds exactly one policy; remove the extra text",
            )
        return node

    def parse_value(self, offset: int, depth: int) -> tuple[Node, int]:
        text = self.text
        if offset >= len(text):
            raise self.fail(offset, "unexpected end of file: a value is missing; complete the JSON")
        char = text[offset]
        if char == '"':
            value, end = self.parse_string(offset)
            return Node(value, offset, self.source), end
        if char == "{":
            return self.parse_object(offset, depth)
        if char == "[":
            return self.parse_array(offset, depth)
        if char in "-0123456789":
            match = _NUMBER.match(text, offset)
            if match is None or match.end() == offset:
                if text.startswith("-Infinity", offset):
                    raise self.not_json_constant(offset, "-Infinity")
                raise self.fail(offset, "malformed number: write digits such as 12 or 1.5")
            literal = match.group()
            end = match.end()
            if end < len(text) and (text[end].isalnum() or text[end] == "."):
                raise self.fail(offset, f"malformed number starting {literal!r}: remove the extra characters")
            try:
                number = (
                    float(literal) if "." in literal or "e" in literal or "E" in literal else int(literal)
                )
            except ValueError:  # more digits than Python converts safely
                raise self.fail(
                    offset, "number too long: policies use short numbers; quote it as a string"
                ) from None
            return Node(number, offset, self.source), end
        for literal, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(literal, offset):
                return Node(value, offset, self.source), offset + len(literal)
        for constant in _NON_JSON_CONSTANTS:
            if text.startswith(constant, offset):
                raise self.not_json_constant(offset, constant)
        if char == "'":
            raise self.fail(offset, 'single-quoted string: JSON strings use double quotes (")')
        if char in "}]":
            raise self.fail(offset, f"unexpected {char!r}: a value is missing here")
        if char in "TFN":
            raise self.fail(offset, "unknown literal: JSON literals are lower-case true, false and null")
        raise self.fail(
            offset,
            f"unexpected {self.describe(offset)}: expected a value "
            '(a "string", a number, {object}, [array], true, false or null)',
        )

    def not_json_constant(self, offset: int, constant: str) -> InputError:
        return self.fail(
            offset, f"{constant} is not valid JSON (IAM rejects it): write a number or a quoted string"
        )

    def parse_string(self, offset: int) -> tuple[str, int]:
        try:
            return scanstring(self.text, offset + 1, True)
        except json.JSONDecodeError as error:
            if error.msg.startswith("Unterminated string"):
                raise self.fail(offset, "unterminated string: add the closing double quote") from None
            if error.msg.startswith("Invalid control character"):
                raise self.fail(
                    error.pos,
                    "raw control character (such as a newline or tab) inside a string: write it as \\n "
                    "or \\t",
                ) from None
            raise self.fail(
                error.pos, f"{error.msg.lower()}: fix the backslash escape in this string"
            ) from None

    def parse_object(self, start: int, depth: int) -> tuple[Node, int]:
        if depth > MAX_DEPTH:
            raise self.too_deep(start)
        text = self.text
        members: dict[str, Node] = {}
        key_offsets: dict[str, int] = {}
        offset = self.skip_ws(start + 1)
        if offset < len(text) and text[offset] == "}":
            return Node(members, start, self.source, key_offsets), offset + 1
        while True:
            if offset >= len(text):
                raise self.fail(start, "unclosed object: add the closing '}'")
            if text[offset] != '"':
                if text[offset] == "}" and members:
                    raise self.fail(
                        self.previous_comma(offset), "trailing comma before '}': remove this comma"
                    )
                raise self.fail(
                    offset, f"unexpected {self.describe(offset)}: expected a member name in double quotes"
                )
            key, offset_after_key = self.parse_string(offset)
            if key in members:
                first_line, first_column = self.source.line_column(key_offsets[key])
                raise self.fail(
                    offset,
                    f"duplicate key {key!r} (first at line {first_line}, column {first_column}): "
                    "JSON readers keep only one of them; merge the two into one key",
                )
            key_offset = offset
            offset = self.skip_ws(offset_after_key)
            if offset >= len(text) or text[offset] != ":":
                raise self.fail(
                    offset, f"unexpected {self.describe(offset)}: expected ':' after the member name {key!r}"
                )
            offset = self.skip_ws(offset + 1)
            value, offset = self.parse_value(offset, depth + 1)
            members[key] = value
            key_offsets[key] = key_offset
            offset = self.skip_ws(offset)
            if offset < len(text) and text[offset] == ",":
                offset = self.skip_ws(offset + 1)
                continue
            if offset < len(text) and text[offset] == "}":
                return Node(members, start, self.source, key_offsets), offset + 1
            if offset >= len(text):
                raise self.fail(start, "unclosed object: add the closing '}'")
            raise self.fail(
                offset, f"unexpected {self.describe(offset)}: expected ',' or '}}' after the member {key!r}"
            )

    def parse_array(self, start: int, depth: int) -> tuple[Node, int]:
        if depth > MAX_DEPTH:
            raise self.too_deep(start)
        text = self.text
        items: list[Node] = []
        offset = self.skip_ws(start + 1)
        if offset < len(text) and text[offset] == "]":
            return Node(items, start, self.source), offset + 1
        while True:
            if offset < len(text) and text[offset] == "]" and items:
                raise self.fail(self.previous_comma(offset), "trailing comma before ']': remove this comma")
            if offset >= len(text):
                raise self.fail(start, "unclosed array: add the closing ']'")
            value, offset = self.parse_value(offset, depth + 1)
            items.append(value)
            offset = self.skip_ws(offset)
            if offset < len(text) and text[offset] == ",":
                offset = self.skip_ws(offset + 1)
                continue
            if offset < len(text) and text[offset] == "]":
                return Node(items, start, self.source), offset + 1
            if offset >= len(text):
                raise self.fail(start, "unclosed array: add the closing ']'")
            raise self.fail(offset, f"unexpected {self.describe(offset)}: expected ',' or ']' in this array")

    def previous_comma(self, offset: int) -> int:
        comma = self.text.rfind(",", 0, offset)
        return comma if comma >= 0 else offset


def _check_size(text: str, file: str) -> None:
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(
            file,
            f"input is {len(text):,} characters, more than the {MAX_INPUT_CHARS:,} a policy file may have "
            "(AWS's largest policies, KMS key policies, are at most 32 KB): check that this is a policy",
        )


def parse_json(text: str, file: str) -> Node:
    """Parse strict JSON into a :class:`Node` tree carrying the position of every value.

    Raises :class:`InputError` naming the line and column, and how to fix it, on bad syntax,
    a trailing comma, a duplicate key, ``NaN``/``Infinity``, nesting deeper than
    :data:`MAX_DEPTH` or input longer than :data:`MAX_INPUT_CHARS`.
    """
    _check_size(text, file)
    return _Parser(Source(text, file)).parse_document()


class Locator:
    """Finds the position of a value or key given its JSON path, on demand.

    Built by :func:`load_json` for text already known to be valid JSON, it walks only the path
    asked for, listing the containers on the way with the C decoder skipping their values, so
    locating a finding costs a fraction of a full positional parse.
    """

    def __init__(self, text: str, file: str, tree: Node | None = None) -> None:
        self._text = text
        self._file = file
        self._tree = tree
        self._source = tree.source if tree is not None else Source(text, file)
        # container offset -> its children: findings cluster in the same statements and lists
        self._children: dict[int, Children | None] = {}

    @property
    def tree(self) -> Node:
        """The full :class:`Node` tree (parsed on first use)."""
        if self._tree is None:
            self._tree = parse_json(self._text, self._file)
            self._source = self._tree.source
        return self._tree

    def _walk(self, path: JsonPath) -> tuple[int, int | None]:
        """Offset of the deepest value on ``path`` that exists, and of its key if the last step
        reached is an object member."""
        if self._tree is not None:
            node, key_offset = self._tree, None
            for step in path:
                value = node.value
                if isinstance(step, int) and isinstance(value, list) and 0 <= step < len(value):
                    node, key_offset = value[step], None
                elif isinstance(step, str) and isinstance(value, dict) and step in value:
                    key_offset = node.key_offsets[step] if node.key_offsets else None
                    node = value[step]
                else:
                    break
            return node.offset, key_offset
        text = self._text
        offset = _WHITESPACE.match(text, 1 if text.startswith("\ufeff") else 0).end()
        key_offset: int | None = None
        for step in path:
            if offset not in self._children:
                self._children[offset] = _children(text, offset)
            children = self._children[offset]
            if isinstance(step, str) and isinstance(children, dict) and step in children:
                offset, key_offset = children[step]
            elif isinstance(step, int) and isinstance(children, list) and 0 <= step < len(children):
                offset, key_offset = children[step], None
            else:
                break  # the rest of the path does not exist: stay on the deepest value that does
        return offset, key_offset

    def value_position(self, path: JsonPath) -> tuple[int, int]:
        return self._source.line_column(self._walk(path)[0])

    def key_position(self, path: JsonPath) -> tuple[int, int]:
        """Position of the key that ends ``path`` (a finding about a member name points there)."""
        value_offset, key_offset = self._walk(path)
        reached_key = key_offset is not None and bool(path) and isinstance(path[-1], str)
        if reached_key and self._walk(path[:-1])[0] != value_offset:
            return self._source.line_column(key_offset)
        return self._source.line_column(value_offset)


_SKIPPER = json.JSONDecoder()

#: What a container holds: for an object, member name -> (value offset, key offset); for an
#: array, the offsets of its items.
Children = dict[str, tuple[int, int]] | list[int]


def _children(text: str, offset: int) -> Children | None:
    """The members or items of the container at ``offset`` (``None`` for a scalar).

    Values are skipped with the C decoder, so a 3,000-action list costs 3,000 C calls, once.
    """
    if text[offset] == "{":
        members: dict[str, tuple[int, int]] = {}
        position = _WHITESPACE.match(text, offset + 1).end()
        while text[position] == '"':
            key_start = position
            key, position = scanstring(text, position + 1, True)
            position = _WHITESPACE.match(text, position).end() + 1  # past ':'
            position = _WHITESPACE.match(text, position).end()
            members[key] = (position, key_start)
            _, position = _SKIPPER.raw_decode(text, position)
            position = _WHITESPACE.match(text, position).end()
            if text[position] == ",":
                position = _WHITESPACE.match(text, position + 1).end()
        return members
    if text[offset] == "[":
        items: list[int] = []
        position = _WHITESPACE.match(text, offset + 1).end()
        while text[position] != "]":
            items.append(position)
            _, position = _SKIPPER.raw_decode(text, position)
            position = _WHITESPACE.match(text, position).end()
            if text[position] == ",":
                position = _WHITESPACE.match(text, position + 1).end()
        return items
    return None


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _NeedsExactParse
    return result


def _reject_constant(_name: str) -> object:
    raise _NeedsExactParse


class _NeedsExactParse(Exception):
    """The fast parser met something the exact parser must report with its position."""


_FAST_DECODER = json.JSONDecoder(object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)


def load_json(text: str, file: str) -> tuple[object, Locator]:
    """Plain Python values of strict JSON, plus a :class:`Locator` for positions on demand.

    Accepts exactly what :func:`parse_json` accepts and raises the same :class:`InputError`:
    the C decoder does the common case, and any input it dislikes (or would silently accept,
    like a duplicate key or ``NaN``) is re-parsed by the exact parser for a positioned error.
    """
    _check_size(text, file)
    body = text[1:] if text.startswith("\ufeff") else text
    try:
        data = _FAST_DECODER.decode(body)
    except (_NeedsExactParse, ValueError, RecursionError):
        tree = parse_json(text, file)  # raises the positioned InputError
        return tree.to_python(), Locator(text, file, tree)
    # fewer brackets than the limit cannot nest deeper than it: skip the walk (most policies)
    if body.count("[") + body.count("{") > MAX_DEPTH and _nesting_exceeds(data, MAX_DEPTH):
        tree = parse_json(text, file)
        return tree.to_python(), Locator(text, file, tree)
    return data, Locator(text, file)


def _nesting_exceeds(value: object, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` containers deep (iterative: no recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
