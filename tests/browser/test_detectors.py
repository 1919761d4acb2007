"""The browser checks fail when they should: deliberately broken pages and a broken build.

Each test builds a small broken fixture in ``tmp_path`` and shows that the same detector the
real-site tests use reports it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from browser.page_readings import badly_drawn, emoji_in_tables
from browser.served_site import MKDOCS_YML, REPO, ServedSite, build_site, serve_directory, visit
from browser.test_search import NOTE, search

pytestmark = pytest.mark.browser

_PAGES = {
    "clean.html": "<!doctype html><title>clean</title><p>nothing wrong</p>",
    "outside.html": (
        "<!doctype html><title>outside</title>"
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<img src="http://example.com/pixel.png" alt="">'
    ),
    "noisy.html": (
        "<!doctype html><title>noisy</title>"
        "<script>console.error('broken on purpose'); throw new Error('uncaught on purpose');</script>"
    ),
    "missing-asset.html": '<!doctype html><title>missing</title><script src="nowhere.js"></script>',
    # ✅ is drawn by Noto Color Emoji; U+1FC00 is an unassigned pictographic code point: no font
    # has it, so it is drawn as an empty box, as an emoji would be without a colour-emoji font.
    "emoji.html": (
        '<!doctype html><meta charset="utf-8"><title>emoji</title>'
        "<article><table><tr><td>\u2705</td><td>\U0001fc00</td></tr></table></article>"
    ),
}


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> ServedSite:
    root = tmp_path_factory.mktemp("broken-site")
    for name, html in _PAGES.items():
        (root / name).write_text(html, encoding="utf-8")
    with serve_directory(root) as url:
        yield ServedSite(root, url)


def test_outside_requests_are_reported_and_never_sent(chromium: Browser, broken_site: ServedSite) -> None:
    context = chromium.new_context()
    try:
        record = visit(context, broken_site.page_url("outside.html"))
        clean = visit(context, broken_site.page_url("clean.html"))
    finally:
        context.close()
    assert sorted(record.outside_requests) == [
        "http://example.com/pixel.png",
        "https://fonts.googleapis.com/css?family=Roboto",
    ], record.requests
    assert clean.outside_requests == [] and clean.requests, clean.requests


def test_console_errors_and_uncaught_exceptions_are_reported(
    chromium: Browser, broken_site: ServedSite
) -> None:
    context = chromium.new_context()
    try:
        noisy = visit(context, broken_site.page_url("noisy.html"))
        missing = visit(context, broken_site.page_url("missing-asset.html"))
        clean = visit(context, broken_site.page_url("clean.html"))
    finally:
        context.close()
    assert "broken on purpose" in noisy.console_errors, noisy.console_errors
    assert any("uncaught on purpose" in error for error in noisy.console_errors), noisy.console_errors
    assert any("404" in error for error in missing.console_errors), missing.console_errors
    assert clean.console_errors == []


def test_emoji_without_a_colour_glyph_is_reported(chromium: Browser, broken_site: ServedSite) -> None:
    page = chromium.new_page()
    try:
        page.goto(broken_site.page_url("emoji.html"))
        drawn = emoji_in_tables(page)
    finally:
        page.close()
    problems = badly_drawn(drawn)
    assert [item["char"] for item in drawn] == ["\u2705", "\U0001fc00"], drawn
    assert len(problems) == 1 and "U+1FC00" in problems[0], problems


def _config_without(tmp_path: Path, hook: str) -> Path:
    """A copy of mkdocs.yml, every path made absolute, without one of the hooks."""
    text = MKDOCS_YML.read_text(encoding="utf-8")
    text = re.sub(rf"^\s*- src/policyproof/site/hooks/{re.escape(hook)}\n", "", text, flags=re.M)
    text = re.sub(r"(?<![\w/])src/policyproof/", f"{REPO}/src/policyproof/", text)
    text = re.sub(r"^docs_dir: docs$", f"docs_dir: {REPO}/docs", text, flags=re.M)
    text = text.replace("base_path: [snippets]", f"base_path: [{REPO}/snippets]")
    assert hook not in text, f"{MKDOCS_YML}: could not remove hook {hook}"
    config = tmp_path / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def test_search_checks_fail_without_the_folding_hook(chromium: Browser, tmp_path: Path) -> None:
    """Material alone misses ``khoa`` and mixes both languages: the search tests would catch it."""
    config = _config_without(tmp_path, "search_fold.py")
    site_dir = tmp_path / "site"
    with serve_directory(site_dir, before_serving=lambda url: build_site(site_dir, url, config)) as url:
        site = ServedSite(site_dir, url)
        page = chromium.new_page()
        try:
            accented = search(page, site, "", "khoá")
            plain = search(page, site, "", "khoa")
            mixed = search(page, site, "", "snapshot")
        finally:
            page.close()
    assert f"/{NOTE}" in accented, accented
    assert f"/{NOTE}" not in plain, f"without the hook 'khoa' should miss the note, found {plain}"
    assert any(path.startswith("/en/") for path in mixed), f"without the hook results mix languages: {mixed}"
