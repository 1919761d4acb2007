"""Every page, in both languages, as Chromium loads it: no console error, no outside request,
the 404 page and the "last updated" line in the page's own language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser

from browser.served_site import PageVisit, ServedSite

pytestmark = pytest.mark.browser


def _source_of(path: str) -> str:
    return f"site page /{path}"


def test_the_site_has_pages_in_both_languages(page_visits: dict[str, PageVisit]) -> None:
    english = [path for path in page_visits if path.startswith("en/")]
    vietnamese = [path for path in page_visits if not path.startswith("en/")]
    assert vietnamese and len(english) == len(vietnamese), (
        f"expected as many English pages as Vietnamese ones, got {len(vietnamese)} vi, {len(english)} en"
    )


def test_every_page_loads_without_console_error(page_visits: dict[str, PageVisit]) -> None:
    failures = [
        f"{_source_of(path)}: {error}"
        for path, record in page_visits.items()
        for error in record.console_errors
    ]
    assert not failures, "console errors:\n" + "\n".join(failures)


def test_no_page_requests_anything_outside_127_0_0_1(page_visits: dict[str, PageVisit]) -> None:
    failures = [
        f"{_source_of(path)}: requested {url}" for path, record in page_visits.items()
        for url in record.outside_requests
    ]
    assert not failures, "requests leaving 127.0.0.1:\n" + "\n".join(failures)
    assert all(record.requests for record in page_visits.values()), "a page recorded no request at all"


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [("404.html", "vi", "Không tìm thấy trang"), ("en/404.html", "en", "Page not found")],
)
def test_404_page_speaks_the_language_of_its_folder(
    served_site: ServedSite, chromium: Browser, path: str, lang: str, heading: str
) -> None:
    page = chromium.new_page()
    try:
        page.goto(served_site.page_url(path))
        assert page.get_attribute("html", "lang") == lang, f"/{path}: <html lang> is not {lang}"
        assert page.inner_text("article h1").strip() == heading, f"/{path}: heading is not {heading!r}"
        home = page.get_attribute("article a", "href")
        expected_home = "/en/" if lang == "en" else "/"
        assert home in (expected_home, f"{expected_home}."), f"/{path}: home link {home!r} ≠ {expected_home}"
    finally:
        page.close()


_LAST_UPDATED = {
    "vi": re.compile(r"^Cập nhật lần cuối: ngày \d{1,2} tháng \d{1,2} năm \d{4}$"),
    "en": re.compile(r"^Last updated: \d{1,2} (January|February|March|April|May|June|July|August|"
                     r"September|October|November|December) \d{4}$"),
}


def test_every_page_says_when_it_last_changed_in_its_language(page_visits: dict[str, PageVisit]) -> None:
    failures = []
    for path, record in page_visits.items():
        if path.endswith("404.html"):
            continue
        lang = "en" if path.startswith("en/") else "vi"
        text = record.readings["last_updated"]
        if not _LAST_UPDATED[lang].match(text):
            failures.append(f"{_source_of(path)}: last-changed line is {text!r}, not {lang}")
    assert not failures, "\n".join(failures)
