"""z3 regular expressions for AWS wildcard patterns and character sets.

``*`` matches any run of characters (``/`` and ``:`` included) and ``?`` exactly one, as in the
concrete engine (``policyproof.engine.patterns``); every other character is literal.
"""

from __future__ import annotations

from functools import lru_cache

import z3

STRING = z3.StringSort()
RE = z3.ReSort(STRING)
ANY_CHAR = z3.AllChar(RE)
ANYTHING = z3.Full(RE)


def literal(text: str) -> z3.ReRef:
    return z3.Re(z3.StringVal(text))


def glob(pattern: str, char: z3.ReRef | None = None) -> z3.ReRef:
    """The strings the wildcard ``pattern`` matches (case-sensitive); ``char``, when given, is
    what one wildcard character may be (an ARN field's ``*`` cannot cover a ``:``)."""
    return _glob(pattern, char if char is not None else ANY_CHAR)


@lru_cache(maxsize=4096)
def _glob(pattern: str, char: z3.ReRef) -> z3.ReRef:
    star = ANYTHING if char.eq(ANY_CHAR) else z3.Star(char)
    parts: list[z3.ReRef] = []
    run: list[str] = []
    for char in pattern:
        if char in "*?":
            if run:
                parts.append(literal("".join(run)))
                run = []
            if char == "*":
                if not parts or not parts[-1].eq(star):  # "**" is "*"
                    parts.append(star)
            else:
                parts.append(char)
        else:
            run.append(char)
    if run:
        parts.append(literal("".join(run)))
    if not parts:
        return literal("")
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


@lru_cache(maxsize=1024)
def ignore_case(text: str) -> z3.ReRef:
    """``text`` compared without case (ASCII letters only; callers refuse other text)."""
    parts = []
    for char in text:
        if char.isascii() and char.isalpha():
            parts.append(z3.Union(literal(char.lower()), literal(char.upper())))
        else:
            parts.append(literal(char))
    if not parts:
        return literal("")
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def char_class(chars: set[str] | frozenset[str]) -> z3.ReRef:
    """One character out of ``chars`` (as ranges of consecutive code points)."""
    codes = sorted({ord(c) for c in chars})
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    pieces = [z3.Range(chr(lo), chr(hi)) for lo, hi in ranges]
    return pieces[0] if len(pieces) == 1 else z3.Union(*pieces)


def one_of(texts: frozenset[str] | set[str]) -> z3.ReRef:
    """Exactly one of the literal ``texts`` (a finite set as one automaton)."""
    items = sorted(texts)
    if not items:
        return z3.Empty(RE)
    pieces = [literal(t) for t in items]
    return pieces[0] if len(pieces) == 1 else z3.Union(*pieces)
