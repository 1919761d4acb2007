"""z3 regular expressions shared by the symbolic layer: literals, any character, character sets.
Wildcard patterns themselves are matched in ``pieces.py``."""

from __future__ import annotations

from functools import lru_cache

import z3

STRING = z3.StringSort()
RE = z3.ReSort(STRING)
ANY_CHAR = z3.AllChar(RE)
ANYTHING = z3.Full(RE)


@lru_cache(maxsize=4096)
def literal(text: str) -> z3.ReRef:
    return z3.Re(z3.StringVal(text))


@lru_cache(maxsize=256)
def prefix(text: str) -> z3.ReRef:
    """Every string that begins with ``text``."""
    return z3.Concat(literal(text), ANYTHING)


@lru_cache(maxsize=256)
def all_but(chars: str) -> z3.ReRef:
    """One character that is none of ``chars``."""
    return z3.Diff(ANY_CHAR, z3.Union(*[literal(c) for c in chars]) if len(chars) > 1 else literal(chars))


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
