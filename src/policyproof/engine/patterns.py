"""Wildcards and policy variables.

AWS matches ``*`` (any run of characters, ``/`` and ``:`` included) and ``?`` (one character) in
actions, resources and ``*Like`` conditions. Policies are evaluated many times with the same
patterns, so every pattern is translated to a regular expression once and cached.

Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${*}``, ``${?}``, ``${$}``,
and ``${key, 'default'}``) are replaced by request-context values before matching; only
documents with ``"Version": "2012-10-17"`` support them, older ones read ``${...}`` literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import product

# ${key} or ${key, 'default value'}
_VARIABLE = re.compile(r"\$\{\s*([^}',]+?)\s*(?:,\s*'([^']*)'\s*)?\}")
# ${*}, ${?}, ${$} stand for the literal character (so "*" can be matched exactly).
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@lru_cache(maxsize=8192)
def wildcard_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """``*``/``?`` wildcard pattern as a compiled regex (use ``fullmatch``)."""
    return re.compile(_wildcards_to_regex(pattern), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _wildcards_to_regex(text: str) -> str:
    out = []
    for char in text:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "".join(out)


@lru_cache(maxsize=8192)
def _compiled(regex: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@dataclass(frozen=True)
class Piece:
    """One piece of a value that may hold variables: literal text (wildcards active), a literal
    character from ``${*}``-style escapes, or a variable reference."""

    kind: str  # "text" | "char" | "var"
    value: str
    default: str | None = None


@lru_cache(maxsize=8192)
def split_variables(text: str) -> tuple[Piece, ...] | None:
    """Pieces of ``text``, or None when it holds no ``${...}`` at all (the common, fast case)."""
    if "${" not in text:
        return None
    pieces: list[Piece] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        if match.start() > position:
            pieces.append(Piece("text", text[position : match.start()]))
        name = match.group(1)
        if name in _SPECIAL and match.group(2) is None:
            pieces.append(Piece("char", _SPECIAL[name]))
        else:
            pieces.append(Piece("var", name, match.group(2)))
        position = match.end()
    if position < len(text):
        pieces.append(Piece("text", text[position:]))
    return tuple(pieces)


# Looks a variable up in the request context: the values of the key, or None when absent.
Lookup = Callable[[str], Sequence[str] | None]


def _resolve(pieces: tuple[Piece, ...], lookup: Lookup) -> list[list[tuple[Piece, str]]] | None:
    """Every way to fill the variables (a multi-valued key gives several), or None when a
    variable has no value and no default: AWS then treats the element as not matching."""
    choices: list[list[tuple[Piece, str]]] = []
    for piece in pieces:
        if piece.kind != "var":
            choices.append([(piece, piece.value)])
            continue
        values = lookup(piece.value)
        if not values:
            if piece.default is None:
                return None
            values = [piece.default]
        choices.append([(piece, value) for value in values])
    return [list(combination) for combination in product(*choices)]


def expand_literal(text: str, lookup: Lookup | None) -> list[str] | None:
    """``text`` with variables replaced, for exact comparisons (``StringEquals``, ``ArnEquals`` ...).
    Returns the possible values, or None when a variable is missing."""
    pieces = split_variables(text) if lookup is not None else None
    if pieces is None:
        return [text]
    filled = _resolve(pieces, lookup)
    if filled is None:
        return None
    return ["".join(value for _, value in combination) for combination in filled]


def pattern_matchers(
    text: str, lookup: Lookup | None, ignore_case: bool = False
) -> list[re.Pattern[str]] | None:
    """Compiled wildcard regexes for ``text`` after variable substitution. Substituted values and
    ``${*}``-style characters match literally; wildcards in the policy text stay wildcards."""
    pieces = split_variables(text) if lookup is not None else None
    if pieces is None:
        return [wildcard_regex(text, ignore_case)]
    filled = _resolve(pieces, lookup)
    if filled is None:
        return None
    regexes = []
    for combination in filled:
        regex = "".join(
            _wildcards_to_regex(value) if piece.kind == "text" else re.escape(value)
            for piece, value in combination
        )
        regexes.append(_compiled(regex, ignore_case))
    return regexes


def matches_pattern(text: str, value: str, lookup: Lookup | None, ignore_case: bool = False) -> bool:
    """Does ``value`` match the wildcard pattern ``text`` (with variables)?"""
    matchers = pattern_matchers(text, lookup, ignore_case)
    return matchers is not None and any(m.fullmatch(value) for m in matchers)


# ----- patterns against patterns -----
# A request may name a *set* of resources with wildcards ("arn:aws:s3:::bucket/*", or "*" for an
# action that does take resources), as iam-simulate allows. Statements are then compared with
# the whole set: an Allow applies when its pattern overlaps the set, a Deny only when its pattern
# covers all of it, so a pattern request is allowed only if no resource in it is denied outright.


@lru_cache(maxsize=8192)
def globs_intersect(left: str, right: str) -> bool:
    """Is there a string that both wildcard patterns match?"""

    @cache
    def common(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        if i < len(left) and left[i] == "*":
            # the star ends here, or it produces the next character the other side produces
            return common(i + 1, j) or (j < len(right) and common(i, j + 1))
        if j < len(right) and right[j] == "*":
            return common(i, j + 1) or (i < len(left) and common(i + 1, j))
        if i == len(left) or j == len(right):
            return False
        a, b = left[i], right[j]
        return (a == b or a == "?" or b == "?") and common(i + 1, j + 1)

    return common(0, 0)


@lru_cache(maxsize=8192)
def glob_covers(outer: str, inner: str) -> bool:
    """Does every string matched by ``inner`` also match ``outer``? (Sound: a ``*`` of ``inner``
    must meet a ``*`` of ``outer``, a ``?`` a ``?`` or ``*``; exact for the patterns policies use.)"""

    @cache
    def covers(i: int, j: int) -> bool:
        if i == len(outer):
            return j == len(inner)
        token = outer[i]
        if token == "*":
            return covers(i + 1, j) or (j < len(inner) and covers(i, j + 1))
        if j == len(inner):
            return False
        other = inner[j]
        if token == "?":
            return other != "*" and covers(i + 1, j + 1)
        return other == token and covers(i + 1, j + 1)

    return covers(0, 0)
