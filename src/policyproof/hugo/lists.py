"""Re-indent CommonMark lists (what Hugo renders) for Python-Markdown (what MkDocs renders).

Hugo's goldmark follows CommonMark: an item's content starts where its text starts (``1. `` ->
column 3, ``- `` -> column 2), so 2- and 3-space indentation nests; a list may follow a
paragraph line directly; a fence at a lower indentation ends the list. Python-Markdown nests by
4 spaces and needs a blank line before a list that follows a paragraph and after a fence. Start
numbers (``<ol start="5">``) and a new list at a change of type are kept by the
``pymdownx.fancylists`` extension configured in mkdocs.yml (decimal lists only, as CommonMark):
this module only moves lines, measured against Hugo's HTML in tests/hugo/test_real_trees.py.

The mapping keeps each line's position *relative to the innermost list item that contains it*,
so code blocks, admonitions and images inside items stay inside them, and continuation lines
that CommonMark reads lazily stay in their paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(r"^(?P<marker>[-+*]|(?P<number>\d{1,9})[.)])(?P<space>[ ]+|$)")
_THEMATIC = re.compile(r"^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^(?P<fence>`{3,}(?=[^`]*$)|~{3,})")
_ATX = re.compile(r"^#{1,6}(?:[ \t]|$)")
_ANY_BLOCK = re.compile(r"(?m)^[ \t]*(?:[-+*][ \t]|\d{1,9}[.)][ \t]|`{3}|~{3}|>|\|)")
_TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_OPENER = re.compile(r"^(?:!!!|\?\?\?\+?|===)[ \t]")
_HTML_BLOCK = re.compile(r"^<(?:/?[a-zA-Z][\w-]*|!--)")
STEP = 4
NOT_A_POLICY_MARKER = "<!-- policyproof: not-a-policy -->"  # contract 1, see policyproof.site.pages


@dataclass
class _Item:
    src_marker: int  # column of the marker in the source
    src_content: int  # column where the item's content starts in the source (CommonMark)
    dst_content: int  # column of the content in the output (multiple of 4)
    ordered: bool


def _expand(line: str) -> str:
    """Leading tabs to spaces (tab stops of 4, as CommonMark and Python-Markdown both use)."""
    if "\t" not in line:
        return line
    stripped = line.lstrip(" \t")
    lead = line[: len(line) - len(stripped)]
    column = 0
    for char in lead:
        column = column + STEP - column % STEP if char == "\t" else column + 1
    return " " * column + stripped


def _starts_block(text: str) -> bool:
    """A line that cannot be a lazy continuation of a paragraph."""
    return bool(
        _MARKER.match(text)
        or _ATX.match(text)
        or _FENCE.match(text)
        or _THEMATIC.match(text)
        or text.startswith(">")
    )


def _unquote(text: str, column: int) -> str:
    """A block quote line without its marker: ``>`` and one column after it (CommonMark's optional
    space). ``column``: where the ``>`` is; a tab after it reaches the next tab stop from there
    (``>\t- a`` is a list item indented 2 columns, not indented code)."""
    rest = text[1:]
    spaces = 0
    end = 0
    while end < len(rest) and rest[end] in " \t":
        at = column + 1 + spaces
        spaces += STEP - at % STEP if rest[end] == "\t" else 1
        end += 1
    return " " * max(spaces - 1, 0) + rest[end:]


def normalize_lists(markdown: str) -> str:
    """``markdown`` with list items re-indented for Python-Markdown (see the module docstring)."""
    if not _ANY_BLOCK.search(markdown):
        return markdown  # no list, fence or quote: nothing to move
    out: list[str] = []
    stack: list[_Item] = []
    prev = "blank"  # blank | para | item | code | other
    fence: tuple[str, int, int] | None = None  # (fence, source indent, output indent)
    comment: tuple[int, int] | None = None  # HTML comment open: (source indent, output indent)
    blank_after = False
    opener: tuple[int, int] | None = None  # an admonition or tab line: (source, output) indent
    rows = markdown.split("\n")
    skip_to = 0  # rows before this one were consumed by a block quote
    for number, raw in enumerate(rows):
        if number < skip_to:
            continue
        line = _expand(raw)
        text = line.lstrip(" ")
        indent = len(line) - len(text)
        if fence is not None:
            marks, src, dst = fence
            stripped = line.strip()
            if stripped.startswith(marks) and not stripped.strip(marks[0]) and indent - src < STEP:
                out.append(" " * dst + stripped)
                fence = None
                prev = "other"
                blank_after = True
            else:
                out.append(" " * dst + line[min(indent, src) :] if text else "")
            continue
        if comment is not None:
            src, dst = comment
            out.append(" " * (dst + max(indent - src, 0)) + text if text else "")
            if "-->" in text:
                comment = None
            continue
        if not text:
            out.append("")
            prev = "blank"
            blank_after = False
            continue
        if blank_after:
            out.append("")
            blank_after = False
            prev = "blank"
        depth = 0
        while depth < len(stack) and indent >= stack[depth].src_content:
            depth += 1
        lazy = prev in ("para", "item", "quote") and not _starts_block(text)
        closed: _Item | None = None
        if depth < len(stack) and not lazy:
            closed = stack[depth]
            del stack[depth:]
        if lazy and depth < len(stack):
            out.append(" " * stack[-1].dst_content + text)
            continue
        base_src = stack[-1].src_content if stack else 0
        base_dst = stack[-1].dst_content if stack else 0
        relative = indent - base_src
        if opener is not None and indent < opener[0] + STEP:
            opener = None
        if relative >= STEP:
            # indented code (after a blank line), more of a paragraph, or the body of an
            # admonition or tab made from a shortcode: kept relative to what contains it
            if opener is not None:
                out.append(" " * (opener[1] + indent - opener[0]) + text)
            else:
                out.append(" " * (base_dst + relative) + text)
            prev = "para" if prev in ("para", "item") else "code"
            continue
        marker = _MARKER.match(text)
        if marker and not _THEMATIC.match(text):
            number = marker.group("number")
            empty = not text[marker.end() :].strip()
            interrupts = prev in ("para", "item") and closed is None
            if interrupts and (empty or (number is not None and int(number) != 1)):
                # CommonMark: only a non-empty list starting at 1 may interrupt a paragraph
                out.append(" " * base_dst + text)
                continue
            spaces = len(marker.group("space"))
            width = len(marker.group("marker")) + (spaces if 1 <= spaces <= 4 else 1)
            sibling = (
                closed is not None and closed.ordered == (number is not None) and indent < closed.src_content
            )
            if (prev == "para" and not sibling) or prev == "quote":
                # Python-Markdown needs a blank line between a paragraph and a list, and after a
                # quote (or it reads the item as more of the quote)
                out.append("")
            stack.append(_Item(indent, indent + width, base_dst + STEP, number is not None))
            out.append(" " * base_dst + marker.group("marker") + " " + text[marker.end() :].lstrip(" "))
            prev = "item"
            continue
        if _FENCE.match(text):
            if prev != "blank" and not (out and out[-1].strip() == NOT_A_POLICY_MARKER):
                out.append("")  # the not-a-policy marker stays directly before its fence
            fence = (_FENCE.match(text).group("fence"), indent, base_dst)  # type: ignore[union-attr]
            out.append(" " * base_dst + text)
            continue
        if (
            text.startswith("|")
            and prev == "para"
            and number + 1 < len(rows)
            and _TABLE_DELIMITER.match(rows[number + 1])
        ):
            out.append("")  # a GFM table may follow a paragraph line; Python-Markdown needs a blank
        if text.startswith(">") and prev in ("para", "item"):
            out.append("")  # a block quote interrupts a paragraph in CommonMark, not in Python-Markdown
        if text.startswith(">"):
            if closed is not None and out and out[-1].strip():
                out.append("")  # it ends a list item: Python-Markdown would read it as more of the item
            # The quote's own lines, markers stripped, are Markdown of their own: its lists are
            # re-indented the same way, then each line gets its marker back.
            quoted = [_unquote(text, indent)]
            while number + len(quoted) < len(rows):
                following = _expand(rows[number + len(quoted)])
                body = following.lstrip(" ")
                relative = len(following) - len(body) - base_src
                # Code-indented, or left of the list item the quote is in (a quote of its own).
                if not body.startswith(">") or relative >= STEP or relative < 0:
                    break
                quoted.append(_unquote(body, len(following) - len(body)))
            skip_to = number + len(quoted)
            out += [
                " " * base_dst + (f"> {inner}" if inner else ">")
                for inner in normalize_lists("\n".join(quoted)).split("\n")
            ]
            prev = "quote"
            continue
        # up to 3 spaces more than the item's content column change nothing in CommonMark
        out.append(" " * base_dst + text)
        if _OPENER.match(text):
            opener = (indent, base_dst)
        if text.startswith("<!--") and "-->" not in text:
            comment = (indent, base_dst)
        if text.startswith(">"):
            prev = "quote"
        elif _ATX.match(text) or _HTML_BLOCK.match(text) or _THEMATIC.match(text):
            prev = "other"
        else:
            prev = "para"
    return "\n".join(out)


__all__ = ["normalize_lists"]
