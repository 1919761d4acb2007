"""What every rule receives: the policy, its kind and context, and a way to report at a JSON path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from policyproof.check.document import JsonPath, Locator
from policyproof.check.findings import Finding
from policyproof.check.rules.registry import make_finding


@dataclass
class Statement:
    """One statement and where it is (``("Statement", 2)`` or ``("Statement",)`` for a lone object)."""

    path: JsonPath
    data: dict
    # element -> its (path, string) pairs; several rules read the same Action and Resource lists
    _strings: dict[str, list[tuple[JsonPath, str]]] = field(default_factory=dict, repr=False)

    @property
    def effect(self) -> str | None:
        effect = self.data.get("Effect")
        return effect if isinstance(effect, str) else None

    def strings(self, element: str) -> list[tuple[JsonPath, str]]:
        """The string values of an element (one string or a list), each with its path."""
        cached = self._strings.get(element)
        if cached is None:
            cached = self._strings[element] = strings_at(self.data.get(element), self.path + (element,))
        return cached

    def has(self, element: str) -> bool:
        return element in self.data


def strings_at(value: object, path: JsonPath) -> list[tuple[JsonPath, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, list):
        return [(path + (index,), item) for index, item in enumerate(value) if isinstance(item, str)]
    return []


@dataclass
class Context:
    file: str
    kind: str
    data: object
    locator: Locator
    attached_to: str | None = None
    owner_account: str | None = None
    #: the service a resource or endpoint policy belongs to (``--service``), lower case
    service: str | None = None
    findings: list[Finding] = field(default_factory=list)
    _statements: list[Statement] | None = field(default=None, repr=False)

    def report(self, code: str, path: JsonPath, message: str, *, at_key: bool = False) -> None:
        line, column = self.locator.key_position(path) if at_key else self.locator.value_position(path)
        self.findings.append(make_finding(self.file, line, column, code, message))

    def statements(self) -> list[Statement]:
        """The policy's statements (objects only), built once and shared by every rule."""
        if self._statements is None:
            self._statements = list(self._find_statements())
        return self._statements

    def _find_statements(self) -> Iterator[Statement]:
        if not isinstance(self.data, dict):
            return
        raw = self.data.get("Statement")
        if isinstance(raw, dict):
            yield Statement(("Statement",), raw)
        elif isinstance(raw, list):
            for index, item in enumerate(raw):
                if isinstance(item, dict):
                    yield Statement(("Statement", index), item)


_VARIABLE = re.compile(r"\$\{[^}]*\}")


def without_variables(text: str, replacement: str = "*") -> str:
    """``text`` with policy variables (``${aws:username}``) replaced: their value is unknown."""
    return _VARIABLE.sub(replacement, text) if "${" in text else text


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def wildcard_match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches the IAM wildcard ``pattern`` (``*`` any run, ``?`` one character),
    case-sensitively: lower both sides first for action names.

    Used instead of ``fnmatch``: IAM has no ``[...]`` character classes, and ``fnmatch`` compiles
    a regex for each new pattern (a corpus has hundreds) to test one string against it. The classic
    two-pointer match: on a mismatch, let the last ``*`` absorb one more character and retry.
    """
    p = t = 0
    star = -1  # index of the last '*' seen in pattern
    resume = 0  # where in text that '*' ends for the current attempt
    while t < len(text):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == text[t]):
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, resume = p, t
            p += 1
        elif star >= 0:
            resume += 1
            p, t = star + 1, resume
        else:
            return False
    return all(char == "*" for char in pattern[p:])
