"""WCAG 2.1 A/AA on every page of the built site, checked by axe-core in Chromium (issue 16).

Every page (both languages, the 404 pages included) in both colour schemes, at 1280 px and 390 px,
first as it loads (proofs folded), then with every ``<details>`` open. A failure names the page,
the variant, the axe rule, the element and what axe says is wrong. Also here: the keyboard can
open the folded proofs and sees where it is; names and ``lang`` are in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from browser.accessibility import (
    VARIANTS,
    Variant,
    axe_violations,
    color_scheme,
    scheme_context,
    svg_text_contrast,
    unfold_everything,
)
from browser.served_site import REPO, ServedSite, build_site, serve_directory, site_pages

pytestmark = pytest.mark.browser

NOTE = "kms/cross-account-encryption/"


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_no_wcag_a_or_aa_violation_on_any_page(
    chromium: Browser, served_site: ServedSite, variant: Variant
) -> None:
    context = scheme_context(chromium, variant)
    failures: list[str] = []
    unfolded: dict[str, int] = {}
    try:
        page = context.new_page()
        for path in site_pages(served_site.root):
            page.goto(served_site.page_url(path), wait_until="load")
            where = f"/{path} [{variant}]"
            assert color_scheme(page) == variant.scheme, f"{where}: the {variant.scheme} scheme did not apply"
            failures += axe_violations(page, f"{where} folded")
            unfolded[path] = unfold_everything(page)
            if unfolded[path]:  # a page with nothing folded looks the same unfolded
                failures += axe_violations(page, f"{where} unfolded")
    finally:
        context.close()
    # The unfolded run means something: the note's proofs were folded and got opened.
    assert unfolded.get(NOTE, 0) > 0 and unfolded.get(f"en/{NOTE}", 0) > 0, unfolded
    assert not failures, f"{len(failures)} WCAG A/AA violation(s) found by axe-core:\n" + "\n".join(failures)


def _note(chromium: Browser, site: ServedSite, lang: str) -> Page:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site.page_url(NOTE if lang == "vi" else f"en/{NOTE}"))
    return page


_FOLD_NAME = {
    "vi": re.compile(r"^Đã chứng minh \d+ khẳng định · xem$"),
    "en": re.compile(r"^\d+ claims proved · show$"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_folded_proofs_open_and_close_with_the_keyboard(
    chromium: Browser, served_site: ServedSite, lang: str
) -> None:
    page = _note(chromium, served_site, lang)
    try:
        summaries = page.locator("details.pp-claims-fold > summary")
        assert summaries.count() >= 3, f"/{NOTE} ({lang}): {summaries.count()} folded proofs"
        first = summaries.first
        # Reached with Tab like any control (not only by mouse), its name in the page's language.
        page.keyboard.press("Tab")
        for _ in range(400):
            if page.evaluate("document.activeElement?.matches('details.pp-claims-fold > summary') ?? false"):
                break
            page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.closest('details.pp-claims-fold') !== null")
        assert focused, f"/{NOTE} ({lang}): Tab never reaches a folded proof"
        name = page.evaluate("document.activeElement.innerText.replace(/^✓\\s*/, '').trim()")
        assert _FOLD_NAME[lang].match(name), f"/{NOTE} ({lang}): the fold reads {name!r}"
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        assert outline[0] != "none" and outline[1] >= 2, f"/{NOTE} ({lang}): no visible focus: {outline}"
        details = page.locator("details.pp-claims-fold").first
        page.keyboard.press("Enter")
        assert details.evaluate("d => d.open"), f"/{NOTE} ({lang}): Enter does not open the proof"
        assert page.locator("details.pp-claims-fold table.pp-claims").first.is_visible()
        page.keyboard.press("Space")
        assert not details.evaluate("d => d.open"), f"/{NOTE} ({lang}): Space does not close the proof"
        assert first.is_visible()
    finally:
        page.close()


_DIAGRAM_NAME = {"vi": "Sơ đồ tuần tự của luồng", "en": "Sequence diagram of the"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_diagrams_are_images_named_in_the_page_language(
    chromium: Browser, served_site: ServedSite, lang: str
) -> None:
    page = _note(chromium, served_site, lang)
    try:
        figures = page.locator("figure.pp-flow svg").count()
        named = page.get_by_role("img", name=re.compile(re.escape(_DIAGRAM_NAME[lang]))).count()
        assert figures >= 2 and named == figures, (
            f"/{NOTE} ({lang}): {figures} diagrams, {named} exposed as images named {_DIAGRAM_NAME[lang]!r}…"
        )
        langs = page.eval_on_selector_all(
            "figure.pp-flow svg", "svgs => svgs.map(s => s.closest('[lang]').getAttribute('lang'))"
        )
        assert set(langs) == {lang}, f"/{NOTE} ({lang}): diagrams are read as {langs}"
    finally:
        page.close()


def test_english_terms_in_vietnamese_proofs_are_marked_english(
    chromium: Browser, served_site: ServedSite
) -> None:
    page = _note(chromium, served_site, "vi")
    try:
        # Claim ids and engine decision codes are English words inside Vietnamese text.
        claim_links = page.locator(".pp-proof a[href*='#claim-']")
        marked = page.locator(".pp-proof a[href*='#claim-'][lang='en']")
        assert claim_links.count() > 0 and marked.count() == claim_links.count(), (
            f"/{NOTE}: {marked.count()} of {claim_links.count()} claim ids marked lang=en"
        )
        kinds = page.eval_on_selector_all(".pp-proof strong", "s => s.map(e => [e.textContent, e.lang])")
        english_kinds = [text for text, lang in kinds if text.endswith("policy") and lang != "en"]
        assert not english_kinds, f"/{NOTE}: English policy kinds not marked lang=en: {english_kinds}"
    finally:
        page.close()
    english = chromium.new_page()
    try:
        english.goto(served_site.page_url(f"en/{NOTE}"))
        stray = english.locator("article [lang]:not([lang='en'])").count()
        assert stray == 0, f"/en/{NOTE}: {stray} elements in the English note claim another language"
    finally:
        english.close()


@pytest.mark.parametrize(("path", "lang", "other"), [("", "vi", "en"), ("en/", "en", "vi")])
def test_language_menu_and_palette_toggle_speak_their_language(
    chromium: Browser, served_site: ServedSite, path: str, lang: str, other: str
) -> None:
    page = chromium.new_page()
    try:
        page.goto(served_site.page_url(path))
        entry = page.locator(f"a.md-select__link[hreflang={other}]")
        assert entry.get_attribute("lang") == other, f"/{path}: the {other} menu entry is not lang={other}"
        current = page.locator(f"a.md-select__link[hreflang={lang}]")
        assert current.get_attribute("aria-current") == "true", f"/{path}: current language not marked"
        labels = page.eval_on_selector_all("input[name=__palette]", "i => i.map(e => e.ariaLabel)")
        expected = "Chuyển sang chế độ" if lang == "vi" else "Switch to"
        assert labels and all(label.startswith(expected) for label in labels), f"/{path}: palette {labels}"
    finally:
        page.close()


_TABS_CONFIG = """\
site_name: Tabs
site_url: http://127.0.0.1/
theme:
  name: material
  custom_dir: {theme}
  language: en
  font: false
markdown_extensions:
  - attr_list
  - toc
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
"""

_TABS_PAGE = """\
# Two policies { #two-policies }

=== "Key policy"

    The key policy of account A, with a [link](#two-policies).

=== "IAM policy"

    The IAM policy of account B.
"""


@pytest.fixture(scope="module")
def tabs_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """Content tabs (pymdownx.tabbed) under the site's theme overrides: no note uses them yet,
    the next one may."""
    root = tmp_path_factory.mktemp("tabs")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text(_TABS_PAGE, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(_TABS_CONFIG.format(theme=REPO / "src/policyproof/site/theme"), encoding="utf-8")
    site_dir = root / "site"
    with serve_directory(site_dir, lambda url: build_site(site_dir, url, config)) as url:
        yield ServedSite(site_dir, url)


def test_content_tabs_are_reached_and_switched_with_the_keyboard(
    chromium: Browser, tabs_site: ServedSite
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(tabs_site.url)
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement?.matches('.tabbed-set > input') ?? false"):
                break
        else:
            pytest.fail("Tab never reaches the content tabs")
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.querySelector('.tabbed-labels'));"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        assert outline[0] != "none" and outline[1] >= 2, f"the focused tab bar shows no focus: {outline}"
        assert page.get_by_text("The key policy of account A").is_visible()
        page.keyboard.press("ArrowRight")
        assert page.get_by_text("The IAM policy of account B").is_visible(), "ArrowRight does not switch tabs"
        assert not page.get_by_text("The key policy of account A").is_visible()
        # Material fades the new tab label to its colour: judge the colours the reader ends up with,
        # not a frame of the transition (on a loaded machine axe may otherwise run mid-fade).
        page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
        assert axe_violations(page, "tabs page") == []
    finally:
        page.close()




@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.width == "desktop"], ids=str)
def test_diagram_labels_keep_their_contrast_in_both_schemes(
    chromium: Browser, served_site: ServedSite, variant: Variant
) -> None:
    context = scheme_context(chromium, variant)
    try:
        page = context.new_page()
        failures = []
        for path in (NOTE, f"en/{NOTE}"):
            page.goto(served_site.page_url(path))
            assert color_scheme(page) == variant.scheme
            failures += [f"/{path} [{variant}]: {low}" for low in svg_text_contrast(page)]
    finally:
        context.close()
    assert not failures, "diagram labels under 4.5:1:\n" + "\n".join(failures)
