"""What the tests read from a loaded page, besides console errors and requests."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

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


def last_updated_text(page: Page) -> str:
    """The "last updated" line Material prints under the content (``aside.md-source-file``)."""
    facts = page.locator("aside.md-source-file")
    return " ".join(facts.inner_text().split()) if facts.count() else "(no md-source-file)"


def read_page(page: Page) -> dict[str, Any]:
    """Readings taken on every page of the site during the single visit of each page."""
    return {"emoji": emoji_in_tables(page), "last_updated": last_updated_text(page)}
