"""Reading the site's Markdown pages: language twins, snippet includes, heading ids, JSON blocks.

The site tests, the proof hook and the Hugo importer all need to know which snippets a page
shows and in which order; this module is the one place that reads that from the Markdown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# A pymdownx.snippets include line: --8<-- "path" (single or double quotes, optional indent).
_INCLUDE = re.compile(r"""^(?P<indent>\s*)-{2}8<-{2}\s+(?P<q>["'])(?P<path>[^"']+)(?P=q)\s*$""")
# An opening code fence, with its info string (``` json, ~~~json {.x}, ...).
_FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`{]*)")
# A heading with an explicit id: ## Title { #some-id }  (attr_list syntax)
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(?:\{\s*#(?P<id>[^\s}]+)[^}]*\})?\s*$")

#: The line that lets a JSON block that is not a policy (a sample event, a metric spec) stay inline:
#: it must be exactly this, on the line directly before the opening fence (shared with import-hugo).
NOT_A_POLICY_MARKER = "<!-- policyproof: not-a-policy -->"
_POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_KEY = re.compile(r'"Statement"\s*:')
_VERSION_VALUE = re.compile(r'"Version"\s*:\s*"(?:2012-10-17|2008-10-17)"')

DEFAULT_LANG = "vi"
OTHER_LANGS = ("en",)


@dataclass(frozen=True)
class Include:
    """One ``--8<--`` include: the snippet path (relative to ``snippets/``) and where it is."""

    path: str
    line: int
    in_json_fence: bool


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its language, first line (1-based, the fence) and body lines."""

    lang: str
    line: int
    body: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    id: str | None
    line: int


def page_language(path: Path) -> str:
    """``page.en.md`` -> ``en``; ``page.md`` -> the default language (Vietnamese)."""
    parts = path.name.split(".")
    if len(parts) >= 3 and parts[-2] in OTHER_LANGS:
        return parts[-2]
    return DEFAULT_LANG


def twin_path(path: Path, lang: str) -> Path:
    """The same page in another language (suffix layout)."""
    stem = path.name.removesuffix(".md")
    for other in OTHER_LANGS:
        stem = stem.removesuffix(f".{other}")
    name = f"{stem}.md" if lang == DEFAULT_LANG else f"{stem}.{lang}.md"
    return path.with_name(name)


def default_language_pages(docs_dir: Path) -> list[Path]:
    """Every Vietnamese (default-language) page under ``docs_dir``, sorted."""
    return sorted(p for p in docs_dir.rglob("*.md") if page_language(p) == DEFAULT_LANG)


@lru_cache(maxsize=1024)
def code_blocks(text: str) -> tuple[CodeBlock, ...]:
    """Fenced code blocks of a Markdown text (unterminated fences run to the end, as Markdown does).

    Cached by text: the page rules, the prover and the hook all ask for the blocks of each page."""
    lines = text.splitlines()
    blocks: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence = match["fence"]
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        blocks.append(CodeBlock(lang=match["info"].lower(), line=start + 1, body=tuple(body)))
        i += 1
    return tuple(blocks)


def includes(text: str) -> list[Include]:
    """The snippet includes of a page, in order of appearance."""
    fenced_lines: dict[int, str] = {}
    for block in code_blocks(text):
        for offset in range(len(block.body)):
            fenced_lines[block.line + 1 + offset] = block.lang
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _INCLUDE.match(line)
        if match:
            found.append(Include(match["path"], number, fenced_lines.get(number) == "json"))
    return found


def looks_like_policy(body: str) -> bool:
    """A JSON text that reads as a policy: an object with a ``Statement`` key, or a ``Version`` of
    "2012-10-17"/"2008-10-17" (text that is not valid JSON is judged by the same keys)."""
    try:
        data = json.loads(body)
    except ValueError:
        return bool(_STATEMENT_KEY.search(body) or _VERSION_VALUE.search(body))
    return isinstance(data, dict) and ("Statement" in data or data.get("Version") in _POLICY_VERSIONS)


def inline_json_blocks(text: str) -> list[CodeBlock]:
    """JSON code blocks that hold anything other than ``--8<--`` includes: unchecked policies.

    A block marked ``<!-- policyproof: not-a-policy -->`` on the line directly before its fence may
    stay, unless it looks like a policy.
    """
    lines = text.splitlines()
    found = []
    for block in code_blocks(text):
        if block.lang != "json" or not any(line.strip() and not _INCLUDE.match(line) for line in block.body):
            continue
        marked = block.line >= 2 and lines[block.line - 2].strip() == NOT_A_POLICY_MARKER
        if marked and not looks_like_policy("\n".join(block.body)):
            continue
        found.append(block)
    return found


def front_matter_end(text: str) -> int:
    """Line number of the closing ``---`` of a YAML front matter, or 0 when there is none."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return 0
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return number
    return 0


def headings(text: str) -> list[Heading]:
    """ATX headings outside code blocks, with their explicit ``{ #id }`` when present."""
    in_code: set[int] = set(range(1, front_matter_end(text) + 1))
    for block in code_blocks(text):
        in_code.update(range(block.line, block.line + len(block.body) + 2))
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if number in in_code:
            continue
        match = _HEADING.match(line)
        if match:
            found.append(Heading(len(match["hashes"]), match["title"], match["id"], number))
    return found
