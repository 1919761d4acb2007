"""The accessibility and reading checks fail when they should: each detector on a broken fixture.

Every fixture is a small page written in ``tmp_path`` with one fault (and a twin without it); the
same helpers the real-site tests use must report the fault, naming the rule, element and page.
"""

from __future__ import annotations

from importlib import resources

import pytest
from playwright.sync_api import Browser

from browser.accessibility import (
    axe_violations,
    page_height,
    sideways_scroll,
    svg_text_contrast,
    unfold_everything,
)
from browser.served_site import ServedSite, serve_directory

pytestmark = pytest.mark.browser

_HEAD = '<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title>'
PROOF_CSS = resources.files("policyproof").joinpath("site/assets/proof.css").read_text(encoding="utf-8")

_PAGES = {
    "clean.html": _HEAD.format(title="clean")
    + "<main><h1>Fine</h1><p>Plain text with an <a href='#x' style='text-decoration:underline'>underlined"
    " link</a>.</p><svg role='img' aria-label='A diagram' width='10' height='10'></svg></main>",
    # #717171 on #f5f5f5 is 4.47:1: the code comments of the original site.
    "low-contrast.html": _HEAD.format(title="contrast")
    + "<main><pre style='background:#f5f5f5'><span class='c1' style='color:#717171'>// comment"
    "</span></pre></main>",
    # A link coloured like the text around it (1.48:1) and not underlined.
    "link-in-text.html": _HEAD.format(title="link")
    + "<main><p style='color:#777'>See the <a href='#r' style='color:#5c6bc0;text-decoration:none'>"
    "verification report</a> for the claims of this policy.</p></main>",
    "unnamed-diagram.html": _HEAD.format(title="diagram")
    + "<main><svg role='img' width='40' height='40'><rect width='40' height='40'/></svg></main>",
    "no-lang.html": "<!doctype html><html><meta charset='utf-8'><title>no lang</title><main><p>x</p></main>",
    "bad-lang.html": _HEAD.format(title="bad lang") + "<main><p lang='english'>policy</p></main>",
    "folded-contrast.html": _HEAD.format(title="folded")
    + "<main><details><summary>Show</summary><p style='color:#aaa;background:#fff'>hidden text</p>"
    "</details></main>",
    # A 600 px table on a 390 px page, then the same table inside a box that scrolls.
    "wide-table.html": _HEAD.format(title="wide")
    + "<meta name='viewport' content='width=device-width'><main><table class='claims' style='width:600px'>"
    "<tr><td>wide</td></tr></table></main>",
    "wide-table-boxed.html": _HEAD.format(title="boxed")
    + "<meta name='viewport' content='width=device-width'><main><div style='overflow-x:auto'>"
    "<table style='width:600px'><tr><td>wide</td></tr></table></div></main>",
    # Diagram labels: one grey at 2.8:1 on white (axe does not look at SVG text), one black.
    "pale-diagram.html": _HEAD.format(title="pale")
    + "<body style='background:#fff'><svg class='pp-seq' width='200' height='60'>"
    "<text x='5' y='20' fill='#999'>pale label</text><text x='5' y='40' fill='#000'>dark label</text>"
    "</svg></body>",
    "tall.html": _HEAD.format(title="tall") + "<main><div style='height:20000px'>long</div></main>",
    # A folded table without the site's print stylesheet, and with it.
    "print-bare.html": _HEAD.format(title="print")
    + "<main class='md-typeset'><details><summary>3 claims</summary><table><tr><td>claim</td></tr>"
    "</table></details></main>",
    "print-styled.html": _HEAD.format(title="print styled")
    + f"<style>{PROOF_CSS}</style><main class='md-typeset'><details><summary>3 claims</summary>"
    "<table><tr><td>claim</td></tr></table></details></main>",
}


@pytest.fixture(scope="module")
def broken_pages(tmp_path_factory: pytest.TempPathFactory) -> ServedSite:
    root = tmp_path_factory.mktemp("broken-reading")
    for name, html in _PAGES.items():
        (root / name).write_text(html, encoding="utf-8")
    with serve_directory(root) as url:
        yield ServedSite(root, url)


def _axe(chromium: Browser, site: ServedSite, name: str, *, unfold: bool = False) -> list[str]:
    page = chromium.new_page()
    try:
        page.goto(site.page_url(name))
        if unfold:
            unfold_everything(page)
        return axe_violations(page, f"/{name}")
    finally:
        page.close()


@pytest.mark.parametrize(
    ("name", "rule", "element"),
    [
        ("low-contrast.html", "color-contrast", '<span class="c1"'),
        ("link-in-text.html", "link-in-text-block", '<a href="#r"'),
        ("unnamed-diagram.html", "svg-img-alt", '<svg role="img"'),
        ("no-lang.html", "html-has-lang", "<html>"),
        ("bad-lang.html", "valid-lang", '<p lang="english">'),
    ],
)
def test_axe_names_the_rule_the_element_and_the_page(
    chromium: Browser, broken_pages: ServedSite, name: str, rule: str, element: str
) -> None:
    found = _axe(chromium, broken_pages, name)
    hits = [line for line in found if f": {rule} (" in line]
    assert hits, f"{name}: axe did not report {rule}; it reported {found}"
    assert all(line.startswith(f"/{name}: ") for line in hits), hits
    # The element: axe's CSS selector, then its markup.
    assert any(f" — {element}" in line for line in hits), f"{name}: element {element} not named: {hits}"


def test_axe_finds_nothing_on_a_clean_page(chromium: Browser, broken_pages: ServedSite) -> None:
    assert _axe(chromium, broken_pages, "clean.html") == []


def test_a_fault_inside_a_fold_is_found_only_once_unfolded(
    chromium: Browser, broken_pages: ServedSite
) -> None:
    """Why every page is checked twice: axe skips what a closed <details> hides."""
    assert _axe(chromium, broken_pages, "folded-contrast.html") == []
    unfolded = _axe(chromium, broken_pages, "folded-contrast.html", unfold=True)
    assert any(": color-contrast (" in line for line in unfolded), unfolded


def test_sideways_scroll_is_found_and_a_scrolling_box_is_not(
    chromium: Browser, broken_pages: ServedSite
) -> None:
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(broken_pages.page_url("wide-table.html"))
        wide = sideways_scroll(page)
        page.goto(broken_pages.page_url("wide-table-boxed.html"))
        boxed = sideways_scroll(page)
    finally:
        page.close()
    assert wide["scrollWidth"] > 390 and any(item.startswith("table.claims") for item in wide["found"]), wide
    assert boxed["scrollWidth"] <= 390 and boxed["found"] == [], boxed


def test_page_height_sees_a_page_over_budget(chromium: Browser, broken_pages: ServedSite) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(broken_pages.page_url("tall.html"))
        assert page_height(page) > 13_000
        page.goto(broken_pages.page_url("clean.html"))
        assert page_height(page) <= 900
    finally:
        page.close()


def test_printing_a_fold_shows_it_only_with_the_print_stylesheet(
    chromium: Browser, broken_pages: ServedSite
) -> None:
    page = chromium.new_page()
    shown = {}
    try:
        for name in ("print-bare.html", "print-styled.html"):
            page.goto(broken_pages.page_url(name))
            page.emulate_media(media="print")
            shown[name] = page.eval_on_selector("table", "t => t.checkVisibility()")
            page.emulate_media(media="screen")
            shown[f"{name} on screen"] = page.eval_on_selector("table", "t => t.checkVisibility()")
    finally:
        page.close()
    assert shown == {
        "print-bare.html": False,
        "print-bare.html on screen": False,
        "print-styled.html": True,
        "print-styled.html on screen": False,
    }, shown


def test_pale_diagram_labels_are_found(chromium: Browser, broken_pages: ServedSite) -> None:
    page = chromium.new_page()
    try:
        page.goto(broken_pages.page_url("pale-diagram.html"))
        low = svg_text_contrast(page)
        axe = axe_violations(page, "/pale-diagram.html")
    finally:
        page.close()
    assert low == ["pale label: 2.85:1"], low
    assert axe == [], f"axe now checks SVG text: {axe}"
