"""Hugo front matter: split it from the body, parse it (YAML or TOML), map its keys to this site.

Hugo pages start with YAML between ``---`` lines or TOML between ``+++`` lines. This site keeps
``title``, ``weight`` (the navigation hook orders by it) and ``date``; keys that only steer the
Hugo theme's menu are dropped; any other key is kept and reported so nothing is lost silently.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

from policyproof.check.findings import InputError
from policyproof.hugo.report import ImportReport

#: Keys this site uses, kept as they are.
KEPT_KEYS: tuple[str, ...] = ("title", "weight", "date", "lastmod", "description")

#: Keys that only drive the learn/relearn theme's menu and page chrome: no meaning in MkDocs.
THEME_ONLY_KEYS: frozenset[str] = frozenset(
    {
        "chapter",
        "pre",
        "post",
        "menutitle",
        "linktitle",
        "alwaysopen",
        "collapsibleMenu",
        "disabletoc",
        "disablemathjax",
        "disablemermaid",
        "disablenextprev",
        "disablebreadcrumb",
        "ordersectionsby",
        "menupre",
        "menupost",
        "hidden",
        "headless",
        "archetype",
        "layout",
        "type",
        "toc",
        "icon",
        "collapsiblemenu",
    }
)

#: Keys with a Hugo meaning the importer acts on itself (URL and publication), then drops.
HANDLED_KEYS: frozenset[str] = frozenset({"slug", "url", "draft", "aliases"})

_TOML_POSITION = re.compile(r"at line (\d+), column (\d+)")


@dataclass
class FrontMatter:
    """A page's parsed front matter and where its body starts (1-based line)."""

    data: dict[str, Any]
    body: str
    body_line: int
    unknown_keys: list[str] = field(default_factory=list)


def split_front_matter(text: str, file: str, report: ImportReport | None = None) -> FrontMatter:
    """Parse the front matter at the top of ``text``.

    Without ``report`` a malformed header raises ``InputError`` (file, line, column); with one, it
    is reported as a source defect and the page is imported with what could be read (no keys),
    so one broken page never blocks the rest.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() not in ("---", "+++"):
        return FrontMatter({}, text, 1)
    fence = lines[0].strip()
    for index in range(1, len(lines)):
        if lines[index].strip() == fence:
            header = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            try:
                data = _parse_yaml(header, file) if fence == "---" else _parse_toml(header, file)
            except InputError as error:
                if report is None:
                    raise
                report.defect(
                    file,
                    error.line,
                    f"column {error.column}: {error.message}; imported without its front matter "
                    "(title from the first heading or the file name)",
                    "fix the front matter syntax and import again",
                )
                return FrontMatter({}, body, index + 2)
            if report is not None:
                _check_dates(data, header, file, report)
            return FrontMatter(data, body, index + 2)
    error = InputError(
        file, f"front matter opened with '{fence}' is never closed: add a '{fence}' line after it", 1
    )
    if report is None:
        raise error
    report.defect(
        file, 1, error.message.split(":")[0] + "; imported as plain text", f"add a '{fence}' line after it"
    )
    return FrontMatter({}, text, 1)


_DATE_KEYS = ("date", "lastmod", "publishdate", "expirydate")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$")


def _check_dates(data: dict[str, Any], header: str, file: str, report: ImportReport) -> None:
    """Drop date keys whose value is not a date (Hugo then shows no date either) and report them."""
    for key in list(data):
        if key.lower() not in _DATE_KEYS:
            continue
        value = data[key]
        if isinstance(value, datetime.date):
            continue
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            continue
        line = next(
            (
                number
                for number, row in enumerate(header.splitlines(), start=2)
                if re.match(rf"\s*{key}\s*[:=]", row)
            ),
            2,
        )
        del data[key]
        report.defect(
            file,
            line,
            f"'{key}' is {value!r}, which is not a date; left out of the page",
            f"write a date such as {key}: 2024-05-01, or remove the line",
        )


def _parse_yaml(header: str, file: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # +2: the header starts on the line after the opening '---'
        line = mark.line + 2 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(
            file, f"bad YAML front matter: {problem}; fix the YAML syntax", line, column
        ) from None
    return _as_mapping(data, file)


def _parse_toml(header: str, file: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_POSITION.search(str(error))
        line, column = (int(match.group(1)) + 1, int(match.group(2))) if match else (1, 1)
        reason = _TOML_POSITION.sub("", str(error)).strip(" ()")
        raise InputError(
            file, f"bad TOML front matter: {reason}; fix the TOML syntax", line, column
        ) from None
    return _as_mapping(data, file)


def _as_mapping(data: object, file: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(file, "front matter must be a mapping of keys to values (like 'title: ...')", 2)
    return {str(key): value for key, value in data.items()}


def site_front_matter(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The front matter this site keeps, and the unknown keys among it (kept, to be reported)."""
    kept: dict[str, Any] = {key: data[key] for key in KEPT_KEYS if key in data}
    unknown: list[str] = []
    for key, value in data.items():
        lowered = key.lower()
        if key in kept or lowered in THEME_ONLY_KEYS or lowered in HANDLED_KEYS:
            continue
        kept[key] = value
        unknown.append(key)
    return kept, unknown


def dump_front_matter(data: dict[str, Any]) -> str:
    """YAML front matter block, or nothing when there is no key to write."""
    if not data:
        return ""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return f"---\n{text}---\n\n"
