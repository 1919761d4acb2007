"""Explicit heading ids, the same in both languages of a page.

The site links sections by explicit ids (``## Title { #id }``) that both languages share, so a
link to ``page.md#id`` works in Vietnamese and English alike and the language switch lands on the
same section (``policyproof.site.page_rules.parity_problems`` checks it). The ids are added to the Hugo body
before conversion, so every message keeps the source's line numbers and headings inside
shortcodes (a ``notice``'s content) get theirs too. Twins are paired heading by heading; both take
the English title's slug. An id the author already gave (``{#id}``) is kept.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from policyproof.hugo.policies import slug
from policyproof.hugo.report import ImportReport
from policyproof.hugo.source import SourcePage

# CommonMark ATX heading: up to 3 spaces, 1-6 '#', then a space or the end of the line.
_ATX = re.compile(r"^(?P<indent> {0,3})(?P<hashes>#{1,6})(?:[ \t]+(?P<rest>.*?))?[ \t]*$")
_EXPLICIT_ID = re.compile(r"[ \t]*\{\s*#(?P<id>[^\s}]+)[^}]*\}$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
# An opening fence, as markdown.py reads it (a backtick fence's info string has no backtick).
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}(?=[^`]*$)|~{3,})")
# Shortcodes whose content is code, not Markdown: a '# comment' in them is not a heading.
_VERBATIM = ("highlight", "code", "mermaid", "math", "katex", "openapi")
_VERBATIM_OPEN = re.compile(r"\{\{[<%]\s*(?P<name>" + "|".join(_VERBATIM) + r")\b[^}]*?(?<!/)[>%]\}\}")
# Title text for the slug: no shortcodes, images, link targets, HTML tags or code marks.
_TITLE_NOISE = (
    (re.compile(r"\{\{[<%].*?[>%]\}\}"), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"<[^>]+>"), ""),
)
FALLBACK_ID = "section"


@dataclass(frozen=True)
class SourceHeading:
    """An ATX heading of a Hugo body: where it is, its level, title and any id given."""

    index: int  # 0-based line index in the body
    line: int  # 1-based line in the source file
    level: int
    title: str  # without closing '#'s and without the '{#id}'
    explicit_id: str | None
    setext: bool = False  # 'Title' over a line of '=' or '-': rewritten as an ATX heading

    def describe(self) -> str:
        return f"{'#' * self.level} {self.title}".rstrip()


def find_headings(body: str, first_line: int) -> list[SourceHeading]:
    """ATX headings of ``body`` (which starts on ``first_line``), outside code fences and code shortcodes."""
    found: list[SourceHeading] = []
    fence = ""
    verbatim_close: re.Pattern[str] | None = None
    previous = ""
    in_comment = False
    for index, row in enumerate(body.split("\n")):
        fence_match = _FENCE.match(row)
        if fence:
            if _closes(row, fence):
                fence = ""
            continue
        if in_comment:
            in_comment = "-->" not in row
            continue
        if verbatim_close is not None:
            if verbatim_close.search(row):
                verbatim_close = None
            continue
        if fence_match:
            fence = fence_match["fence"]
            previous = ""
            continue
        if "<!--" in row and "-->" not in row.split("<!--", 1)[1]:
            in_comment = True
            previous = ""
            continue
        opened = _VERBATIM_OPEN.search(row)
        if opened:
            close = re.compile(r"\{\{[<%]\s*/\s*" + opened["name"] + r"\s*[>%]\}\}")
            if not close.search(row, opened.end()):
                verbatim_close = close
            previous = ""
            continue
        match = _ATX.match(row)
        if match:
            found.append(_heading(match, index, first_line + index))
            previous = ""
            continue
        underline = _SETEXT.match(row)
        if underline and _can_be_setext_title(previous):
            level = 1 if underline["char"] == "=" else 2
            title = previous.strip()
            explicit = _EXPLICIT_ID.search(title)
            given = explicit["id"] if explicit else None
            if explicit:
                title = title[: explicit.start()].strip()
            found.append(SourceHeading(index - 1, first_line + index - 1, level, title, given, setext=True))
            previous = ""
            continue
        previous = row
    return found


_SETEXT = re.compile(r"^ {0,3}(?P<char>[=-])(?P=char)*[ \t]*$")
_NOT_A_TITLE = re.compile(r"^\s*(?:[-+*]\s|\d{1,9}[.)]\s|>|#|\||<|!!!|\?\?\?|===|\{\{)|^ {4,}")


def _can_be_setext_title(row: str) -> bool:
    """A paragraph line a setext underline turns into a heading (not a list item, quote, table...)."""
    return bool(row.strip()) and not _NOT_A_TITLE.match(row)


def _closes(row: str, fence: str) -> bool:
    """A closing fence: the opening's character, at least as many, nothing after."""
    stripped = row.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def _heading(match: re.Match[str], index: int, line: int) -> SourceHeading:
    rest = match["rest"] or ""
    explicit = _EXPLICIT_ID.search(rest)
    if explicit:
        rest = rest[: explicit.start()]
    title = _CLOSING_HASHES.sub("", rest).strip()
    return SourceHeading(index, line, len(match["hashes"]), title, explicit["id"] if explicit else None)


def heading_slug(title: str) -> str:
    """Lowercase ASCII slug of a heading title: Vietnamese marks folded (đ -> d), words joined by '-'."""
    for pattern, replacement in _TITLE_NOISE:
        title = pattern.sub(replacement, title)
    return slug(html.unescape(title), max_words=None) or FALLBACK_ID


def headings_pair(first: list[SourceHeading], second: list[SourceHeading]) -> bool:
    """Twins pair up when they have as many headings, level for level."""
    return [h.level for h in first] == [h.level for h in second]


def first_difference(first: list[SourceHeading], second: list[SourceHeading]) -> int:
    """Position of the first heading whose level differs (or that one page lacks)."""
    for position, (a, b) in enumerate(zip(first, second, strict=False)):
        if a.level != b.level:
            return position
    return min(len(first), len(second))


def unique_ids(proposed: list[tuple[str, bool]]) -> list[str]:
    """Ids made unique within the page: given ids stay; a generated one that repeats gets -2, -3, ..."""
    used = {identifier for identifier, given in proposed if given}
    result: list[str] = []
    for identifier, given in proposed:
        if not given:
            candidate, number = identifier, 1
            while candidate in used:
                number += 1
                candidate = f"{identifier}-{number}"
            identifier = candidate
            used.add(identifier)
        result.append(identifier)
    return result


def own_ids(headings: list[SourceHeading]) -> list[str]:
    """Ids of a page on its own: given ids, else the slug of its own titles."""
    return unique_ids([(h.explicit_id or heading_slug(h.title), h.explicit_id is not None) for h in headings])


def shared_ids(vi: list[SourceHeading], en: list[SourceHeading]) -> list[str]:
    """Ids of paired twins: a given id (English first), else the English title's slug."""
    proposed = []
    for vi_heading, en_heading in zip(vi, en, strict=True):
        given = en_heading.explicit_id or vi_heading.explicit_id
        proposed.append((given or heading_slug(en_heading.title), given is not None))
    return unique_ids(proposed)


def hugo_anchor(title: str) -> str:
    """The id Hugo's goldmark gives a heading (``autoHeadingIDType = "github"``, Hugo's default):
    letters (any script), digits and '_' kept in lower case, spaces and '-' to '-', the rest
    dropped (https://gohugo.io/getting-started/configuration-markup/#goldmark)."""
    for pattern, replacement in _TITLE_NOISE:
        title = pattern.sub(replacement, title)
    title = re.sub(r"(\*\*|__|\*|_|`|~~)(?=\S)(.+?)(?<=\S)\1", r"\2", html.unescape(title))
    out = []
    for char in title.strip():
        if char in "- ":
            out.append("-")
        elif char == "_" or char.isalpha() or char.isdigit():
            out.append(char.lower())
    return "".join(out) or "heading"


def hugo_anchors(headings: list[SourceHeading]) -> list[str]:
    """Hugo's ids of a page's headings: an explicit id, else the title's; repeats get -1, -2 ..."""
    seen: dict[str, int] = {}
    result = []
    for heading in headings:
        anchor = heading.explicit_id or hugo_anchor(heading.title)
        if anchor in seen:
            seen[anchor] += 1
            anchor = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 0
        result.append(anchor)
    return result


def with_ids(body: str, headings: list[SourceHeading], ids: list[str], old: list[str] | None = None) -> str:
    """``body`` with ``{ #id }`` after each heading that has no id yet (other lines untouched).

    Setext headings become ATX headings (their underline a blank line, so line numbers stay);
    when Hugo's own anchor differs from the new id it stays on the heading as an extra anchor
    (``<a id="tạo-iam-group"></a>``), so deep links into the old site still land there.
    """
    rows = body.split("\n")
    old = old or list(ids)
    for heading, identifier, previous in zip(headings, ids, old, strict=True):
        if heading.explicit_id is None or heading.setext or previous != identifier:
            row = rows[heading.index]
            indent = row[: len(row) - len(row.lstrip(" "))]
            title = f" {heading.title}" if heading.title else ""
            extra = f' <a id="{html.escape(previous)}"></a>' if previous != identifier else ""
            rows[heading.index] = f"{indent}{'#' * heading.level}{title}{extra} {{ #{identifier} }}"
            if heading.setext:
                rows[heading.index + 1] = ""
    return "\n".join(rows)


@dataclass(frozen=True)
class _Version:
    """One language of a page and its headings."""

    page: SourcePage
    headings: list[SourceHeading]


@dataclass
class HeadingIds:
    """Bodies with explicit heading ids, and Hugo's anchors of each page mapped to the new ids."""

    bodies: dict[tuple[PurePosixPath, str], str]
    anchors: dict[tuple[PurePosixPath, str], dict[str, str]]


def add_heading_ids(pages: list[SourcePage], report: ImportReport) -> HeadingIds:
    """Page bodies with explicit heading ids, keyed by (link path, language); problems go to ``report``."""
    twins: dict[PurePosixPath, dict[str, _Version]] = {}
    for page in pages:
        headings = find_headings(page.front.body, page.front.body_line)
        twins.setdefault(page.link_path, {})[page.lang] = _Version(page, headings)
    result = HeadingIds({}, {})
    for link, versions in twins.items():
        ids = {lang: own_ids(version.headings) for lang, version in versions.items()}
        vi, en = versions.get("vi"), versions.get("en")
        if vi is not None and en is not None:
            if headings_pair(vi.headings, en.headings):
                ids["vi"] = ids["en"] = shared_ids(vi.headings, en.headings)
                _report_conflicting_given_ids(vi, en, report)
            else:
                _report_unpaired(vi, en, report)
        for lang, version in versions.items():
            report.heading_ids += sum(1 for heading in version.headings if heading.explicit_id is None)
            old = hugo_anchors(version.headings)
            result.bodies[(link, lang)] = with_ids(version.page.front.body, version.headings, ids[lang], old)
            result.anchors[(link, lang)] = dict(zip(old, ids[lang], strict=True)) | {
                identifier: identifier for identifier in ids[lang]
            }
    return result


def _report_unpaired(vi: _Version, en: _Version, report: ImportReport) -> None:
    position = first_difference(vi.headings, en.headings)
    here = vi.headings[position] if position < len(vi.headings) else None
    there = en.headings[position] if position < len(en.headings) else None
    line = here.line if here else (vi.headings[-1].line if vi.headings else vi.page.front.body_line)
    if there is not None:
        where = f"{en.page.display}:{there.line} has '{there.describe()}'"
    else:
        where = f"{en.page.display} has no more headings"
    report.translation_work(
        vi.page.display,
        line,
        f"headings do not pair up with the English page (vi {len(vi.headings)}, en {len(en.headings)}): "
        f"heading #{position + 1} is '{here.describe() if here else '(none)'}' here, {where}; "
        "each language got ids from its own titles; the language switch lands at the top of the twin "
        "until both pages have the same headings",
    )


def _report_conflicting_given_ids(vi: _Version, en: _Version, report: ImportReport) -> None:
    for here, there in zip(vi.headings, en.headings, strict=True):
        if here.explicit_id and there.explicit_id and here.explicit_id != there.explicit_id:
            report.translation_work(
                vi.page.display,
                here.line,
                f"heading id '#{here.explicit_id}' differs from '#{there.explicit_id}' at "
                f"{en.page.display}:{there.line}; both languages need the same id: change one of them",
            )
