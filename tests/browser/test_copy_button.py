"""The copy button of each policy on a page puts on the clipboard exactly the snippet file's JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from browser.served_site import REPO, ServedSite

pytestmark = pytest.mark.browser

DOCS = REPO / "docs"
SNIPPETS = REPO / "snippets"
COPY_BUTTONS = "article pre > nav.md-code__nav > button[data-md-type=copy]"
_INCLUDE = re.compile(r"""^[ \t]*-{1,}8<-{1,}[ \t]+["']([^"'\n]+\.json)["']""", re.M)


def included_policies(markdown_file: Path) -> list[Path]:
    """The JSON snippet files a page includes, in page order."""
    return [SNIPPETS / name for name in _INCLUDE.findall(markdown_file.read_text(encoding="utf-8"))]


def page_path(markdown_file: Path) -> str:
    """URL path of a Markdown page (``docs/kms/x.en.md`` → ``en/kms/x/``)."""
    relative = markdown_file.relative_to(DOCS).as_posix()
    lang_prefix = "en/" if relative.endswith(".en.md") else ""
    stem = re.sub(r"(\.en)?\.md$", "", relative)
    stem = "" if stem == "index" else stem.removesuffix("/index") + "/"
    return lang_prefix + stem.lstrip("/")


def copied_code_blocks(page: Page) -> list[str]:
    """Click every code block's copy button and read the clipboard after each click."""
    # Material 9.8 adds the buttons from JavaScript after load, one per <pre><code>:
    # <pre><nav class="md-code__nav"><button data-md-type="copy" data-clipboard-target=...>.
    page.wait_for_function(
        f"() => document.querySelectorAll({COPY_BUTTONS!r}).length"
        " === document.querySelectorAll('article pre > code').length"
    )
    # Code in a folded block (the CLI commands of a note) is copied after opening it, as a reader does.
    page.evaluate("() => document.querySelectorAll('article details').forEach(d => { d.open = true; })")
    texts = []
    buttons = page.locator(COPY_BUTTONS)
    for index in range(buttons.count()):
        page.evaluate("() => navigator.clipboard.writeText('')")
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        button.click()
        texts.append(page.evaluate("() => navigator.clipboard.readText()"))
    return texts


def _as_policy(text: str) -> object | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "Statement" in value else None


PAGES_WITH_POLICIES = sorted(path for path in DOCS.rglob("*.md") if included_policies(path))


def test_the_site_has_policy_snippets_to_copy() -> None:
    assert PAGES_WITH_POLICIES, f"no page under {DOCS} includes a JSON snippet with --8<--"


@pytest.mark.parametrize("markdown_file", PAGES_WITH_POLICIES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_copy_button_copies_the_exact_json_of_each_snippet(
    chromium: Browser, served_site: ServedSite, markdown_file: Path
) -> None:
    context = chromium.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site.url.rstrip("/"))
    page = context.new_page()
    try:
        page.goto(served_site.page_url(page_path(markdown_file)))
        copied = [text for text in copied_code_blocks(page) if _as_policy(text) is not None]
    finally:
        context.close()
    expected = included_policies(markdown_file)
    assert len(copied) == len(expected), (
        f"{markdown_file}: {len(expected)} policy snippets included, {len(copied)} policy code blocks copied"
    )
    for position, (text, snippet) in enumerate(zip(copied, expected, strict=True), start=1):
        snippet_text = snippet.read_text(encoding="utf-8")
        assert _as_policy(text) == json.loads(snippet_text), (
            f"{markdown_file}: policy block {position} copies JSON different from {snippet}"
        )
        assert text.rstrip("\n") == snippet_text.rstrip("\n"), (
            f"{markdown_file}: policy block {position} copies text that differs from {snippet} "
            "(same JSON, different layout)"
        )
