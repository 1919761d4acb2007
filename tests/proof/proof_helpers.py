"""Helpers for the proof-on-the-page tests: building site copies and reading the built HTML."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from conftest import site_copy

PROOF_HOOK_LINE = "src/policyproof/site/hooks/proof.py"

# Elements that never have children (HTML void elements): the parser must not wait for their end tag.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    data: str = ""  # the text of a "#text" node

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """All text inside, in document order."""
        return self.data + "".join(child.text() for child in self.children)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.iter()
            if e.tag != "#text" and (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, 0)
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element (tolerates the optional end tags HTML allows).
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Element("#text", {}, self.getpos()[0], data=data))


def parse_html(path: Path) -> Element:
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


def built_html_in(site_dir: Path, docs_dir: Path, page: Path) -> Path:
    """Where a page of ``docs_dir`` (either language) is built (directory URLs, suffix i18n)."""
    relative = page.relative_to(docs_dir).as_posix()
    lang = "en" if relative.endswith(".en.md") else "vi"
    name = re.sub(r"(\.en)?\.md$", "", relative)
    prefix = site_dir if lang == "vi" else site_dir / lang
    if name == "index" or name.endswith("/index"):
        return prefix / name.removesuffix("index") / "index.html"
    return prefix / name / "index.html"


def copy_site(dest: Path, edit: Callable[[Path], None] | None = None) -> Path:
    """A throw-away copy of the site (docs/, snippets/, mkdocs.yml), optionally edited; returns its folder."""
    config = site_copy(dest)
    assert PROOF_HOOK_LINE.split("/")[-1] in config.read_text(encoding="utf-8"), (
        f"{config}: the proof hook is not registered in mkdocs.yml"
    )
    if edit is not None:
        edit(dest)
    return dest


def build(
    folder: Path, site_dir: Path, *, env: dict[str, str] | None = None, strict: bool = True
) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` of a site copy, run from its folder (snippet paths are relative to it)."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml"), "-d", str(site_dir)]
    command.append("--strict" if strict else "--no-strict")
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=600,
    )
