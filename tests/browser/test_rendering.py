"""How the note page looks: emoji in tables drawn in colour, and a screenshot per language
saved under test-artifacts/ (CI uploads the folder)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from browser.page_readings import badly_drawn
from browser.served_site import ARTIFACTS, PageVisit, ServedSite

pytestmark = pytest.mark.browser

NOTE = "kms/cross-account-encryption/"


def test_emoji_in_tables_render_in_colour(page_visits: dict[str, PageVisit]) -> None:
    checked = 0
    failures = []
    for path, record in page_visits.items():
        emoji = record.readings["emoji"]
        checked += len(emoji)
        failures += [f"/{path}: {problem}" for problem in badly_drawn(emoji)]
    assert checked, f"no emoji in any table of the site (the note /{NOTE} has ✅/❌ in its key-type table)"
    assert not failures, (
        "emoji not drawn by a colour emoji font (install fonts-noto-color-emoji):\n" + "\n".join(failures)
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshot_of_the_note_page(chromium: Browser, served_site: ServedSite, lang: str) -> None:
    path = NOTE if lang == "vi" else f"en/{NOTE}"
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served_site.page_url(path))
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "lang") == lang, f"/{path}: not marked lang={lang}"
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"kms-cross-account-encryption.{lang}.png"
        target.unlink(missing_ok=True)
        page.screenshot(path=str(target), full_page=True)
    finally:
        page.close()
    assert target.is_file() and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{target}: no PNG written"
    assert target.stat().st_size > 50_000, f"{target}: suspiciously small ({target.stat().st_size} bytes)"
