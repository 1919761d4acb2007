"""Matching wildcard patterns against strings built from pieces.

A request's ARN is a sequence of literal text and variables (``"arn:"``, partition, ``":"``,
service ...). z3 is slow at regular-expression constraints on a concatenation of variables (it
must guess where each variable ends), and fast at regular-expression constraints on one variable.
So the pattern's automaton is run over the pieces here, in Python: literal pieces advance it
directly, and for a variable piece every way the automaton can cross it becomes one regex
constraint on that variable alone. The result is exact (a disjunction over alignments), not an
approximation.

A pattern is a tuple of tokens: ``("lit", c)`` one character, ``("one", cls)`` any one character
of a class, ``("star", cls)`` any run of them; ``cls`` is ``"any"`` or ``"nocolon"`` (inside an
ARN field a wildcard cannot cover a ``:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import z3

from policyproof.symbolic.regex import ANY_CHAR, ANYTHING, literal

Token = tuple[str, str]
ANY = "any"
NOCOLON = "nocolon"

_NOCOLON_CHAR = z3.Diff(ANY_CHAR, literal(":"))


@dataclass(frozen=True)
class Var:
    """A variable piece, with what the domain already says about it (used to prune alignments)."""

    term: z3.SeqRef
    forbidden: frozenset[str] = frozenset()
    nonempty: bool = False


@dataclass(frozen=True)
class Choice:
    """A piece that is one of finitely many texts (an account id): ``index`` picks ``table[index]``.
    ``partial`` collects patterns that cut into the text with a wildcard (the finite table could
    miss a value only such a pattern tells apart; the question is then answered "unknown")."""

    index: z3.ArithRef
    table: tuple[str, ...]
    partial: list = None  # type: ignore[assignment]

    def is_(self, text: str) -> z3.BoolRef:
        return z3.Or([self.index == i for i, t in enumerate(self.table) if t == text])

    def value(self, model: z3.ModelRef) -> str:
        return self.table[model.eval(self.index, model_completion=True).as_long()]


Piece = str | Var | Choice


@lru_cache(maxsize=8192)
def glob_tokens(pattern: str, cls: str = ANY) -> tuple[Token, ...]:
    """``*`` and ``?`` are wildcards, every other character literal."""
    tokens: list[Token] = []
    for char in pattern:
        if char == "*":
            if not tokens or tokens[-1] != ("star", cls):
                tokens.append(("star", cls))
        elif char == "?":
            tokens.append(("one", cls))
        else:
            tokens.append(("lit", char))
    return tuple(tokens)


@lru_cache(maxsize=8192)
def literal_tokens(text: str) -> tuple[Token, ...]:
    return tuple(("lit", c) for c in text)


@lru_cache(maxsize=4096)
def ignore_case_tokens(text: str) -> tuple[Token, ...]:
    """``text`` without case (ASCII letters; callers refuse other text)."""
    return tuple(("ci", c.lower()) if c.isascii() and c.isalpha() else ("lit", c) for c in text)


def _char_ok(token: Token, char: str) -> bool:
    kind, value = token
    if kind == "lit":
        return value == char
    if kind == "ci":
        return value == char.lower()
    return value == ANY or char != ":"


def _closure(tokens: tuple[Token, ...], states: set[int]) -> set[int]:
    out = set(states)
    todo = list(states)
    while todo:
        q = todo.pop()
        if q < len(tokens) and tokens[q][0] == "star" and q + 1 not in out:
            out.add(q + 1)
            todo.append(q + 1)
    return out


def _step(tokens: tuple[Token, ...], states: set[int], char: str) -> set[int]:
    nxt: set[int] = set()
    for q in states:
        if q >= len(tokens):
            continue
        token = tokens[q]
        if token[0] == "star":
            if _char_ok(token, char):
                nxt.add(q)
        elif _char_ok(token, char):  # "lit", "ci", "one"
            nxt.add(q + 1)
    return _closure(tokens, nxt)


def _run_literal(tokens: tuple[Token, ...], states: set[int], text: str) -> set[int]:
    for char in text:
        states = _step(tokens, states, char)
        if not states:
            break
    return states


@lru_cache(maxsize=65536)
def tokens_regex(tokens: tuple[Token, ...]) -> z3.ReRef:
    parts: list[z3.ReRef] = []
    run: list[str] = []
    for kind, value in tokens:
        if kind == "lit":
            run.append(value)
            continue
        if run:
            parts.append(literal("".join(run)))
            run = []
        if kind == "ci":
            parts.append(z3.Union(literal(value), literal(value.upper())))
            continue
        char = ANY_CHAR if value == ANY else _NOCOLON_CHAR
        if kind == "one":
            parts.append(char)
        else:
            parts.append(ANYTHING if value == ANY else z3.Star(char))
    if run:
        parts.append(literal("".join(run)))
    if not parts:
        return literal("")
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def _segment(tokens: tuple[Token, ...], start: int, end: int) -> tuple[Token, ...]:
    """What a variable consumes going from state ``start`` to state ``end``: the tokens between,
    plus the star at ``end`` (which may already have consumed part of the variable)."""
    if end < len(tokens) and tokens[end][0] == "star":
        return tokens[start : end + 1]
    return tokens[start:end]


def _possible(segment: tuple[Token, ...], var: Var) -> bool:
    if any(kind in ("lit", "ci") and value in var.forbidden for kind, value in segment):
        return False
    if var.nonempty and all(kind == "star" for kind, _ in segment):
        return any(kind == "star" for kind, _ in segment)
    return True


def matches(pieces: list[Piece], tokens: tuple[Token, ...]) -> z3.BoolRef:
    """Does the concatenation of ``pieces`` match the pattern ``tokens``?"""
    n = len(tokens)
    reach: dict[int, z3.BoolRef] = {q: z3.BoolVal(True) for q in _closure(tokens, {0})}
    for index, piece in enumerate(pieces):
        if not reach:
            return z3.BoolVal(False)
        if isinstance(piece, Choice):
            nxt = {}
            for q, cond in reach.items():
                if piece.partial is not None and _cuts_from(tokens, q):
                    piece.partial.append(tokens)
                for i, text in enumerate(piece.table):
                    for q2 in _run_literal(tokens, {q}, text):
                        nxt.setdefault(q2, []).append(z3.And(cond, piece.index == i))
            reach = {q: _or(conds) for q, conds in nxt.items()}
            continue
        if isinstance(piece, str):
            nxt: dict[int, list[z3.BoolRef]] = {}
            for q, cond in reach.items():
                for q2 in _run_literal(tokens, {q}, piece):
                    nxt.setdefault(q2, []).append(cond)
            reach = {q: _or(conds) for q, conds in nxt.items()}
            continue
        last = index + 1 == len(pieces)
        follow = None if last else pieces[index + 1]
        nxt = {}
        for q, cond in reach.items():
            # The last piece must end the match: only the final state counts.
            for q2 in (n,) if last else range(q, n + 1):
                if isinstance(follow, str) and follow and not _run_literal(tokens, {q2}, follow[:1]):
                    continue  # the next literal could not follow from there
                segment = _segment(tokens, q, q2)
                if not _possible(segment, piece):
                    continue
                regex = tokens_regex(segment)
                nxt.setdefault(q2, []).append(z3.And(cond, z3.InRe(piece.term, regex)))
        reach = {q: _or(conds) for q, conds in nxt.items()}
    final = [cond for q, cond in reach.items() if q == n]
    return _or(final)


def _cuts_from(tokens: tuple[Token, ...], start: int) -> bool:
    """Could a 12-digit text read from state ``start`` meet both wildcards and literal digits
    (``1111*``, ``*0000``)? The tokens up to the first literal non-digit are the ones it can meet."""
    wildcard = digit = False
    for kind, value in tokens[start:]:
        if kind in ("lit", "ci"):
            if not value.isdigit():
                break
            digit = True
        else:
            wildcard = True
    return wildcard and digit


def _or(conds: list[z3.BoolRef]) -> z3.BoolRef:
    if not conds:
        return z3.BoolVal(False)
    return conds[0] if len(conds) == 1 else z3.Or(conds)


def glob_matches(pieces: list[Piece], pattern: str, cls: str = ANY) -> z3.BoolRef:
    return matches(pieces, glob_tokens(pattern, cls))


def equals(pieces: list[Piece], text: str) -> z3.BoolRef:
    return matches(pieces, literal_tokens(text))


_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}")


def string_value(model: z3.ModelRef, term: z3.SeqRef) -> str:
    """The Python text of a string term in ``model`` (z3 writes other characters as \\u{...})."""
    text = model.eval(term, model_completion=True).as_string()
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def render(pieces: list[Piece], model: z3.ModelRef) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, Choice):
            out.append(piece.value(model))
        else:
            out.append(string_value(model, piece.term))
    return "".join(out)


def arn_tokens(policy: str) -> tuple[Token, ...] | None:
    """``ArnLike``/``ArnEquals``: an ARN whose six fields each match the policy's field pattern
    (engine: conditions._arn_like). None when no value can match."""
    if policy == "*":
        fields = ["*", "*", "*", "*", "*"]
    else:
        parts = policy.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        fields = parts[1:]
    nonempty = (True, True, False, False, True)
    tokens: list[Token] = list(literal_tokens("arn:"))
    for index, (pattern, must_fill) in enumerate(zip(fields, nonempty, strict=True)):
        cls = ANY if index == 4 else NOCOLON
        if index:
            tokens.append(("lit", ":"))
        field = glob_tokens(pattern, cls)
        if must_fill:
            if not field:
                return None
            if all(kind == "star" for kind, _ in field):
                field = (("one", cls), ("star", cls))
        tokens.extend(field)
    return tuple(tokens)
