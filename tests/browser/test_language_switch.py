"""The language switcher keeps the reader on the same page, and on the same heading."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from browser.served_site import ServedSite, site_pages

pytestmark = pytest.mark.browser


def switch_language(page: Page, lang: str) -> str:
    """Open the header's language menu and pick ``lang``; the URL the browser lands on."""
    page.hover("div.md-select")
    with page.expect_navigation():
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
        page.goto(served_site.page_url(path))
        landed = urlsplit(switch_language(page, target_lang)).path
        if landed != f"/{_twin(path)}":
            failures.append(f"/{path}: switching to {target_lang} lands on {landed}, not /{_twin(path)}")
        elif page.get_attribute("html", "lang") != target_lang:
            failures.append(f"/{path}: the {target_lang} twin is not marked lang={target_lang}")
    assert not failures, "\n".join(failures)


def test_switching_language_keeps_the_heading(page: Page, served_site: ServedSite) -> None:
    note = "kms/cross-account-encryption/"
    page.goto(served_site.page_url(note))
    heading_ids = page.eval_on_selector_all("article h2[id], article h3[id]", "hs => hs.map(h => h.id)")
    assert len(heading_ids) >= 2, f"/{note}: expected headings with ids, found {heading_ids}"
    failures = []
    for heading in (heading_ids[1], heading_ids[-1]):
        for start, lang in ((note, "en"), (f"en/{note}", "vi")):
            page.goto(served_site.page_url(start) + "#" + heading)
            landed = urlsplit(switch_language(page, lang))
            expected = f"/{_twin(start)}"
            if (landed.path, landed.fragment) != (expected, heading):
                failures.append(
                    f"/{start}#{heading}: switching to {lang} lands on {landed.path}#{landed.fragment}"
                )
            elif not page.locator(f"[id='{heading}']").count():
                failures.append(f"/{expected}: has no heading #{heading} to land on")
            elif not page.evaluate(
                "id => { const r = document.getElementById(id).getBoundingClientRect();"
                " return r.top >= 0 && r.top < window.innerHeight; }",
                heading,
            ):
                failures.append(f"/{expected}#{heading}: the heading is not scrolled into view")
    assert not failures, "\n".join(failures)
