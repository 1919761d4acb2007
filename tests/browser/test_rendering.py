"""How the note page looks: emoji in tables drawn in colour, and a screenshot per language
saved under test-artifacts/ (CI uploads the folder)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from browser.served_site import ARTIFACTS, ServedSite, site_pages

pytestmark = pytest.mark.browser

NOTE = "kms/cross-account-encryption/"

# For each emoji in a table cell: its rendered width, and whether drawing it with the cell's own
# font paints coloured pixels. A missing colour-emoji font falls back to a monochrome glyph or an
# empty box ("tofu"), which paints only greys.
_EMOJI_IN_TABLES = """
() => {
  const pictographic = /\\p{Extended_Pictographic}/u;
  const found = [];
  for (const cell of document.querySelectorAll("article table td, article table th")) {
    for (const char of Array.from(cell.textContent)) {
      if (!pictographic.test(char)) continue;
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 64;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const style = getComputedStyle(cell);
      context.font = `40px ${style.fontFamily}`;
      context.textBaseline = "top";
      context.fillStyle = "#000";
      context.fillText(char, 4, 4);
      const pixels = context.getImageData(0, 0, 64, 64).data;
      let coloured = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
        if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
      }
      found.push({ char, width: context.measureText(char).width, coloured, cell: cell.textContent.trim() });
    }
  }
  return found;
}
"""


def emoji_in_tables(page: Page) -> list[dict[str, object]]:
    return page.evaluate(_EMOJI_IN_TABLES)


def badly_drawn(emoji: list[dict[str, object]]) -> list[str]:
    """Emoji drawn without width or without colour, described for a failure message."""
    return [
        f"{item['char']!r} (U+{ord(str(item['char'])):04X}) in cell {item['cell']!r}: "
        f"width {item['width']:.0f}px, {item['coloured']} coloured pixels"
        for item in emoji
        if not (float(item["width"]) > 0 and int(item["coloured"]) > 20)
    ]


def test_emoji_in_tables_render_in_colour(chromium: Browser, served_site: ServedSite) -> None:
    page = chromium.new_page()
    checked = 0
    failures = []
    try:
        for path in site_pages(served_site.root):
            page.goto(served_site.page_url(path))
            emoji = emoji_in_tables(page)
            checked += len(emoji)
            failures += [f"/{path}: {problem}" for problem in badly_drawn(emoji)]
    finally:
        page.close()
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
