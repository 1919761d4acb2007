"""axe-core in Chromium, and the page measurements the reading tests use.

axe-core comes bundled in the pinned ``axe-playwright-python`` wheel (``axe.min.js``): nothing is
downloaded at test time. Each violation is reported as one line naming the page, the variant
(width, colour scheme, proofs folded or not), the rule, the element and axe's own explanation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

# WCAG 2.0 and 2.1, levels A and AA (axe tags its rules with the success criteria they check).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
SCHEMES = ("default", "slate")  # Material's light and dark palettes (mkdocs.yml theme.palette)

_AXE = Axe()


@dataclass(frozen=True)
class Variant:
    width: str  # a key of WIDTHS
    scheme: str  # a Material palette scheme

    def __str__(self) -> str:
        return f"{WIDTHS[self.width][0]}px {'dark' if self.scheme == 'slate' else 'light'}"


VARIANTS = [Variant(width, scheme) for width in WIDTHS for scheme in SCHEMES]


def axe_violations(page: Page, where: str) -> list[str]:
    """Every WCAG A/AA violation axe-core finds on the page as it is now, one line per element."""
    response = _AXE.run(page, options=AXE_OPTIONS).response
    lines = []
    for violation in response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            snippet = " ".join(node.get("html", "").split())[:160]
            why = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(
                f"{where}: {violation['id']} ({violation.get('impact')}): {target} — {snippet} — {why}"
            )
    return lines


def scheme_context(browser: Browser, variant: Variant, site_path: str = "/") -> BrowserContext:
    """A browser context at the variant's width whose pages open in its colour scheme.

    Material keeps the reader's palette choice in ``localStorage["<site path>.__palette"]`` and
    applies it before the first paint: the same path a reader's toggle takes.
    """
    width, height = WIDTHS[variant.width]
    context = browser.new_context(viewport={"width": width, "height": height})
    palette = json.dumps({
        "index": SCHEMES.index(variant.scheme),
        "color": {"media": "", "scheme": variant.scheme, "primary": "indigo", "accent": "indigo"},
    })
    context.add_init_script(
        f"try {{ localStorage.setItem({site_path!r} + '.__palette', {palette!r}); }} catch (e) {{}}"
    )
    return context


def color_scheme(page: Page) -> str:
    return str(page.evaluate("document.body.getAttribute('data-md-color-scheme')"))


def unfold_everything(page: Page) -> int:
    """Open every ``<details>`` (the folded proofs and traces); how many were closed."""
    return int(
        page.evaluate(
            """() => {
                 const closed = [...document.querySelectorAll("details:not([open])")];
                 closed.forEach(d => { d.open = true; });
                 return closed.length;
               }"""
        )
    )


def page_height(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


# Elements whose right edge passes the viewport and that are not inside a box that scrolls or
# clips (a <pre>, a table wrapper): those make the page itself scroll sideways.
_SIDEWAYS = """
() => {
  const width = document.documentElement.clientWidth;
  const clipped = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX !== "visible" && box.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || clipped(element)) continue;
    const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
      (element.classList.length ? "." + [...element.classList].join(".") : "");
    found.push(`${name} reaches ${Math.round(box.right)}px`);
  }
  return { scrollWidth: document.documentElement.scrollWidth, width, found: found.slice(0, 8) };
}
"""


def sideways_scroll(page: Page) -> dict[str, Any]:
    """How wide the page scrolls and which elements make it so (empty when it fits)."""
    return dict(page.evaluate(_SIDEWAYS))


# axe-core does not check text drawn in SVG: the diagrams' labels are checked here, blended with
# their fill-opacity over the page background, against WCAG's 4.5:1.
_SVG_TEXT_CONTRAST = """
() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = rgb(getComputedStyle(document.body).backgroundColor);
  const low = [];
  for (const text of document.querySelectorAll("svg.pp-seq text")) {
    const style = getComputedStyle(text);
    let opacity = parseFloat(style.fillOpacity);
    for (let node = text; node && node.tagName !== "svg"; node = node.parentElement) {
      opacity *= parseFloat(getComputedStyle(node).opacity);
    }
    const fill = rgb(style.fill).slice(0, 3).map((c, i) => c * opacity + background[i] * (1 - opacity));
    const [a, b] = [luminance(fill), luminance(background)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) low.push(`${text.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}:1`);
  }
  return low;
}
"""


def svg_text_contrast(page: Page) -> list[str]:
    """Diagram labels (``svg.pp-seq text``) under 4.5:1 against the page, as "label: ratio"."""
    return list(page.evaluate(_SVG_TEXT_CONTRAST))
