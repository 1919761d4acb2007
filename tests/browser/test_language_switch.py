"""The language switcher keeps the reader on the same page, and on the same heading."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from browser.served_site import ServedSite, site_pages

pytestmark = pytest.mark.browser


def switch_language(page: Page, lang: str, wait_until: str = "load") -> str:
    """Open the header's language menu and pick ``lang``; the URL the browser lands on."""
    page.hover("div.md-select")
    with page.expect_navigation(wait_until=wait_until):
        page.click(f"a.md-select__link[hreflang={lang}]")
    return page.url


def _twin(path: str) -> str:
    return path.removeprefix("en/") if path.startswith("en/") else f"en/{path}"


@pytest.fixture(scope="module")
def page(chromium: Browser) -> Page:
    page = chromium.new_page()
    yield page
    page.close()


def test_switching_language_keeps_the_page(page: Page, served_site: ServedSite) -> None:
    failures = []
    for path in site_pages(served_site.root):
        if path.endswith("404.html"):
            continue
        target_lang = "vi" if path.startswith("en/") else "en"
        # The switcher's script runs before DOMContentLoaded (end of <body>): no need to wait more.
        page.goto(served_site.page_url(path), wait_until="domcontentloaded")
        landed = urlsplit(switch_language(page, target_lang, "domcontentloaded")).path
        if landed != f"/{_twin(path)}":
            failures.append(f"/{path}: switching to {target_lang} lands on {landed}, not /{_twin(path)}")
        elif page.get_attribute("html", "lang") != target_lang:
            failures.append(f"/{path}: the {target_lang} twin is not marked lang={target_lang}")
    assert not failures, "\n".join(failures)


NOTE = "kms/cross-account-encryption/"


def heading_switch_problems(page: Page, site: ServedSite, headings: list[str]) -> list[str]:
    """Open the note at each heading, switch language both ways; what went wrong, if anything."""
    problems = []
    for heading in headings:
        for start, lang in ((NOTE, "en"), (f"en/{NOTE}", "vi")):
            page.goto(site.page_url(start) + "#" + heading)
            landed = urlsplit(switch_language(page, lang))
            expected = f"/{_twin(start)}"
            if (landed.path, landed.fragment) != (expected, heading):
                problems.append(
                    f"/{start}#{heading}: switching to {lang} lands on {landed.path}#{landed.fragment}"
                )
            elif not page.locator(f"[id='{heading}']").count():
                problems.append(f"/{expected}: has no heading #{heading} to land on")
            elif not _in_view(page, heading):
                problems.append(f"/{expected}#{heading}: the heading is not scrolled into view")
    return problems


def _in_view(page: Page, element_id: str) -> bool:
    box = page.locator(f"[id='{element_id}']").bounding_box()  # relative to the viewport
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def _note_headings(page: Page, site: ServedSite) -> list[str]:
    page.goto(site.page_url(NOTE))
    heading_ids = page.eval_on_selector_all("article h2[id], article h3[id]", "hs => hs.map(h => h.id)")
    assert len(heading_ids) >= 2, f"/{NOTE}: expected headings with ids, found {heading_ids}"
    return [heading_ids[1], heading_ids[-1]]


def test_switching_language_keeps_the_heading(page: Page, served_site: ServedSite) -> None:
    problems = heading_switch_problems(page, served_site, _note_headings(page, served_site))
    assert not problems, "\n".join(problems)


def test_without_the_switcher_script_the_heading_is_lost(chromium: Browser, served_site: ServedSite) -> None:
    """The check above fails when language-switch.js does not run (here: JavaScript disabled)."""
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        problems = heading_switch_problems(page, served_site, _note_headings(page, served_site)[:1])
    finally:
        context.close()
    assert len(problems) == 2 and all("lands on" in problem for problem in problems), problems
