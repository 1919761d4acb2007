"""Parse Hugo shortcodes (``{{% name %}}``, ``{{< name >}}``) into a tree with source lines.

Hugo expands shortcodes before Markdown, anywhere in the page, so the parser works on the raw
body text. Paired shortcodes (``notice``, ``expand``, ``tabs``, ``tab`` and any name that has a
closing tag in the page) nest; an opening tag without its closing tag is malformed input and is
reported with its line, as is a closing tag that closes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policyproof.check.findings import InputError

#: Shortcodes of the learn/relearn themes that always wrap content.
PAIRED: frozenset[str] = frozenset({"notice", "expand", "tabs", "tab"})

# {{% name args %}}, {{< name args >}}, {{< /name >}}, {{< name args />}}, {{</* escaped */>}}
_TAG = re.compile(
    r"\{\{(?P<open>[<%])(?P<comment>/\*)?\s*(?P<close>/)?\s*(?P<name>[\w.\-/]+)(?P<args>.*?)"
    r"(?P<self>/)?\s*(?P<endcomment>\*/)?(?P<end>[>%])\}\}",
    re.DOTALL,
)
# HTML comments are left exactly as they are, shortcodes inside included.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ARG = re.compile(r"""(?:(?P<key>[\w\-]+)\s*=\s*)?(?P<value>"(?:[^"\\]|\\.)*"|`[^`]*`|'[^']*'|[^\s"'`]+)""")


@dataclass
class Text:
    text: str
    line: int


@dataclass
class Shortcode:
    name: str
    positional: list[str]
    named: dict[str, str]
    raw_open: str
    line: int
    indent: str | None  # the tag line's indentation when the tag starts its line, else None
    paired: bool
    children: list[Text | Shortcode] = field(default_factory=list)
    raw_close: str = ""

    def arg(self, name: str, position: int | None = None, default: str | None = None) -> str | None:
        """A named argument, else the positional one at ``position`` (Hugo allows either form)."""
        for key, value in self.named.items():
            if key.lower() == name.lower():
                return value
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return default


@dataclass
class Escaped:
    """``{{</* name */>}}``: Hugo prints the shortcode itself, without the comment marks."""

    literal: str
    line: int


Node = Text | Shortcode | Escaped


def parse_args(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in _ARG.finditer(text):
        value = match.group("value")
        if value[:1] in "\"'`" and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
            if match.group("value")[0] == '"':
                value = value.replace('\\"', '"')
        if match.group("key"):
            named[match.group("key")] = value
        else:
            positional.append(value)
    return positional, named


def parse(body: str, first_line: int, file: str) -> list[Node]:
    """The body as a tree of text and shortcodes; raises ``InputError`` on unbalanced tags."""
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(body)]
    matches = [m for m in _TAG.finditer(body) if not any(start <= m.start() < end for start, end in comments)]
    closed_names = {m.group("name") for m in matches if m.group("close") and not m.group("comment")}
    root: list[Node] = []
    stack: list[Shortcode] = []
    position = 0
    line = first_line

    def add(node: Node) -> None:
        (stack[-1].children if stack else root).append(node)

    for match in matches:
        if match.start() > position:
            add(Text(body[position : match.start()], line))
        line += body.count("\n", position, match.start())
        position = match.end()
        tag_line = line
        line += body.count("\n", match.start(), match.end())
        name = match.group("name")
        raw = match.group(0)
        if match.group("comment"):
            literal = re.sub(r"\s*\*/\s*(?=[>%]\}\}$)", " ", re.sub(r"^(\{\{[<%])/\*\s*", r"\1 ", raw))
            add(Escaped(literal, tag_line))
            continue
        if (match.group("open") == "<") != (match.group("end") == ">"):
            raise InputError(
                file, f"shortcode tag '{raw}' mixes delimiters: use '{{{{< >}}}}' or '{{{{% %}}}}'", tag_line
            )
        if match.group("close"):
            if not stack:
                raise InputError(
                    file, f"'{raw}' closes a shortcode that was never opened: remove it", tag_line
                )
            if stack[-1].name != name:
                opened = stack[-1]
                raise InputError(
                    file,
                    f"'{raw}' does not match '{opened.raw_open}' opened at line {opened.line}: "
                    f"close '{opened.name}' first",
                    tag_line,
                )
            stack.pop().raw_close = raw
            continue
        line_start = body.rfind("\n", 0, match.start()) + 1
        before = body[line_start : match.start()]
        positional, named = parse_args(match.group("args"))
        paired = (name in PAIRED or name in closed_names) and not match.group("self")
        node = Shortcode(
            name, positional, named, raw, tag_line, before if before.strip() == "" else None, paired
        )
        add(node)
        if paired:
            stack.append(node)
    if position < len(body):
        add(Text(body[position:], line))
    if stack:
        opened = stack[-1]
        raise InputError(
            file,
            f"'{opened.raw_open}' is never closed: add '{{{{{_delims(opened)[0]} /{opened.name} "
            f"{_delims(opened)[1]}}}}}' after its content",
            opened.line,
        )
    return root


def _delims(node: Shortcode) -> tuple[str, str]:
    return ("%", "%") if node.raw_open.startswith("{{%") else ("<", ">")
