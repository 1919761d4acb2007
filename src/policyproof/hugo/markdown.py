"""Rewrite the Markdown prose of a page: links, images and JSON policy fences.

Hugo links by published URL (``2.1-enable-sso/``, ``/section/page/``) and serves images from
``static/`` at site-absolute paths (``/images/x.png``). MkDocs validates links to ``.md`` files and
copies files that sit in ``docs/``, so links become relative ``.md`` paths and images are copied
beside the pages. Code (fenced blocks and inline code spans) is never rewritten, except JSON
fences holding a policy, which become ``--8<--`` includes of a snippet.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from policyproof.hugo.policies import (
    NotStrictJson,
    Policy,
    as_policy,
    looks_like_policy,
    parse_strict,
    replace_placeholders,
    strip_json_extras,
)

if TYPE_CHECKING:
    from policyproof.hugo.convert import PageContext

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_CODE_SPAN = re.compile(r"<!--.*?-->|(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_MD_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\(\s*"
    r"(?P<url><[^>\n]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?P<title>(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*)\)"
)
_HTML_URL = re.compile(
    r"(?P<head><(?P<tag>img|a|source)\b[^>]*?\b(?:src|href)\s*=\s*)(?P<q>[\"'])(?P<url>.*?)(?P=q)", re.I
)
_REF_DEF = re.compile(r"^(?P<head>[ ]{0,3}\[[^\]\n]+\]:[ \t]*)(?P<url>\S+)", re.MULTILINE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".ico"})


def is_external(url: str) -> bool:
    return not url or url.startswith(("#", "//")) or bool(_SCHEME.match(url))


def convert_text(text: str, first_line: int, ctx: PageContext) -> str:
    """Rewrite one stretch of page text (between shortcodes) that starts at ``first_line``."""
    lines = text.split("\n")
    out: list[str] = []
    prose: list[str] = []
    prose_line = first_line
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            if not prose:
                prose_line = first_line + index
            prose.append(lines[index])
            if lines[index].strip():
                ctx.last_label = lines[index].strip()
            index += 1
            continue
        if prose:
            out.append(rewrite_links(convert_alerts("\n".join(prose), ctx), prose_line, ctx))
            prose = []
        fence = match.group("fence")
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(index + 1, len(lines)) if closing.match(lines[j])), None)
        if end is None:  # not closed here: Markdown treats the rest as code, so do we
            out.extend(lines[index:])
            return "\n".join(out)
        block = lines[index : end + 1]
        out.append("\n".join(_convert_fence(block, match, first_line + index, ctx)))
        index = end + 1
    if prose:
        out.append(rewrite_links(convert_alerts("\n".join(prose), ctx), prose_line, ctx))
    return "\n".join(out)


#: GitHub alerts (``> [!TIP]``), which Hugo's relearn theme and GitHub show as callouts
ALERT_TYPES = {"note": "note", "tip": "tip", "important": "info", "warning": "warning", "caution": "danger"}
_ALERT = re.compile(r"^(?P<indent>[ \t]*)>[ \t]?\[!(?P<type>[A-Za-z]+)\][ \t]*(?P<title>.*)$")


def convert_alerts(text: str, ctx: PageContext | None = None) -> str:
    """``> [!TIP]`` blocks as admonitions, line for line (so messages keep their line numbers)."""
    if "[!" not in text:
        return text
    rows = text.split("\n")
    index = 0
    while index < len(rows):
        match = _ALERT.match(rows[index])
        kind = ALERT_TYPES.get(match.group("type").lower()) if match else None
        if match is None or kind is None:
            index += 1
            continue
        indent = match.group("indent")
        title = match.group("title").strip()
        rows[index] = f"{indent}!!! {kind}" + (f' "{title}"' if title else "")
        if ctx is not None:
            ctx.report.shortcodes["alert"] += 1
        index += 1
        quoted = re.compile(rf"^{re.escape(indent)}>[ \t]?(?P<rest>.*)$")
        while index < len(rows):
            line = quoted.match(rows[index])
            if line is None:
                break
            rows[index] = f"{indent}    {line.group('rest')}" if line.group("rest").strip() else ""
            index += 1
    return "\n".join(rows)


NOT_A_POLICY_MARKER = "<!-- policyproof: not-a-policy -->"
_HUGO_FENCE_ATTRIBUTES = re.compile(r"\{([^}]*)\}\s*$")


def _fence_options(text: str) -> str:
    """Hugo's code fence options as pymdownx.highlight reads them (line numbers, marked lines)."""
    options = []
    lines = re.search(r"hl_lines\s*=\s*(\[[^\]]*\]|\"[^\"]*\"|\S+?)(?:,|$)", text)
    if lines:
        marked = re.findall(r"\d+(?:-\d+)?", lines.group(1))
        if marked:
            options.append(f'hl_lines="{" ".join(marked)}"')
    numbers = re.search(r"linenos\s*=\s*(\w+)", text)
    if numbers and numbers.group(1).lower() not in ("false", "0"):
        start = re.search(r"linenostart\s*=\s*(\d+)", text)
        options.append(f'linenums="{start.group(1) if start else 1}"')
    return " ".join(options)


#: the note under a snippet whose placeholders were replaced, in the page's language
PLACEHOLDER_NOTE = {
    "vi": ("Giá trị ví dụ", "Chính sách này dùng giá trị ví dụ của AWS thay cho chỗ trống trong bản gốc:"),
    "en": ("Example values", "This policy uses AWS's example values where the original had placeholders:"),
}


def _convert_fence(block: list[str], opening: re.Match[str], line: int, ctx: PageContext) -> list[str]:
    info = opening.group("info").strip()
    language = info.split()[0].lstrip(".{").lower() if info else ""
    if language != "json":
        attributes = _HUGO_FENCE_ATTRIBUTES.search(info)
        if attributes:  # ```go {linenos=table,hl_lines=[2,"4-5"]} -> ```go linenums="1" hl_lines="2 4-5"
            new_info = (
                info[: attributes.start()].strip() + " " + _fence_options(attributes.group(1))
            ).strip()
            block = [f"{opening.group('indent')}{opening.group('fence')}{new_info}", *block[1:]]
        return block
    indent = opening.group("indent")
    content = "\n".join(row[len(indent) :] if row.startswith(indent) else row.lstrip() for row in block[1:-1])
    try:
        value = parse_strict(content)
    except NotStrictJson as error:
        cleaned, removed = strip_json_extras(content) if looks_like_policy(content) else (content, [])
        try:
            value = parse_strict(cleaned) if removed else None
        except NotStrictJson:
            value = None
        if value is not None and as_policy(value) is not None:
            ctx.report.defect(
                ctx.page.display,
                line + error.line,
                f"the policy has {' and '.join(removed)}, which AWS rejects ({error}); "
                "the snippet is the policy without them",
                f"remove the {' and '.join(removed)} from the page",
            )
            return _policy_block(value, block, opening, line, ctx)
        if looks_like_policy(content):
            ctx.report.defect(
                ctx.page.display,
                line + error.line,
                f"JSON policy block is not strict JSON ({error}); shown as plain text, not checked",
                "make it strict JSON (no comments, no trailing commas) and import again",
            )
            return [f"{indent}{opening.group('fence')}text", *block[1:]]
        return _not_a_policy(block, indent)
    return _policy_block(value, block, opening, line, ctx, content)


def _policy_block(
    value: object, block: list[str], opening: re.Match[str], line: int, ctx: PageContext, content: str = ""
) -> list[str]:
    indent = opening.group("indent")
    policy = as_policy(value)
    if policy is None:
        if looks_like_policy(content):
            ctx.report.defect(
                ctx.page.display,
                line,
                "JSON block looks like a policy but is neither a policy document nor statements; "
                "shown as text",
                "give it a Statement list, or remove 'Statement'/'Effect' if it is not a policy",
            )
            return [f"{indent}{opening.group('fence')}text", *block[1:]]
        return _not_a_policy(block, indent)
    fixed, replaced = replace_placeholders(policy.document)
    policy = Policy(fixed, policy.kind, policy.was_partial)
    path = ctx.add_snippet(policy, line)
    out = [block[0], f'{indent}--8<-- "{path}"', block[-1]]
    if replaced:
        pairs = ", ".join(f"`{item.placeholder}` → `{item.value}`" for item in replaced)
        ctx.report.note(
            ctx.page.display,
            line,
            f"placeholders replaced by AWS example values so the policy can be proved: {pairs}",
        )
        title, lead = PLACEHOLDER_NOTE.get(ctx.page.lang, PLACEHOLDER_NOTE["en"])
        out += ["", f'{indent}!!! info "{title}"', "", f"{indent}    {lead}", ""]
        out += [f"{indent}    - `{item.placeholder}` → `{item.value}`" for item in replaced]
    return out


def _not_a_policy(block: list[str], indent: str) -> list[str]:
    """A JSON block that is not a policy (a sample event, a metric) stays inline, marked (contract 1)."""
    return [f"{indent}{NOT_A_POLICY_MARKER}", *block]


def _outside_code(text: str, rewrite: Callable[[str, int], str], first_line: int) -> str:
    """Apply ``rewrite(piece, piece_line)`` to the text between inline code spans and HTML
    comments (left exactly as they are: Hugo does not show them, so neither do we)."""
    pieces: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        piece = text[position : match.start()]
        pieces.append(rewrite(piece, first_line + text.count("\n", 0, position)))
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(rewrite(text[position:], first_line + text.count("\n", 0, position)))
    return "".join(pieces)


def rewrite_links(text: str, first_line: int, ctx: PageContext) -> str:
    def rewrite(piece: str, piece_line: int) -> str:
        def line_of(offset: int) -> int:
            return piece_line + piece.count("\n", 0, offset)

        def markdown_link(match: re.Match[str]) -> str:
            url = match.group("url")
            bracketed = url.startswith("<")
            raw = url[1:-1] if bracketed else url
            text = match.group("text")
            if match.group("bang"):
                return ctx.image(text, raw, match.group("title"), line_of(match.start()))
            ctx.asset_link = False
            new = ctx.rewrite_url(raw, line_of(match.start()), image=False, html=False)
            if new is None:
                return text  # a link to nothing: its text stays, without the link
            if ctx.asset_link and ctx.page.lang != "vi":
                return f'<a href="{new}">{text}</a>'
            new = f"<{new}>" if bracketed else new
            return f"[{text}]({new}{match.group('title')})"

        def html_url(match: re.Match[str]) -> str:
            image = match.group("tag").lower() != "a"
            new = ctx.rewrite_url(match.group("url"), line_of(match.start()), image=image, html=True)
            new = match.group("url") if new is None else new
            return f"{match.group('head')}{match.group('q')}{new}{match.group('q')}"

        def reference(match: re.Match[str]) -> str:
            new = ctx.rewrite_url(match.group("url"), line_of(match.start()), image=False, html=False)
            return f"{match.group('head')}{match.group('url') if new is None else new}"

        # HTML first: the Markdown links of English pages become HTML, not to be rewritten twice
        piece = _HTML_URL.sub(html_url, piece)
        piece = _REF_DEF.sub(reference, piece)
        return _MD_LINK.sub(markdown_link, piece)

    return _outside_code(text, rewrite, first_line)


def looks_like_file(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in _IMAGE_EXTENSIONS or bool(
        re.search(r"\.(pdf|zip|txt|csv|yaml|yml|json|drawio|mp4|gz)$", path, re.I)
    )


def relative(target: PurePosixPath, start_dir: PurePosixPath) -> str:
    return posixpath.relpath(str(target), str(start_dir) if str(start_dir) else ".")
