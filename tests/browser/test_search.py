"""Material's search, typed into the real search box: Vietnamese with or without accents finds the
same pages, and each language's search shows only pages of that language."""

from __future__ import annotations

import re
from html import unescape as html_text
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from browser.served_site import REPO, ServedSite
from policyproof.site.hooks.search_fold import fold

pytestmark = pytest.mark.browser

NOTE = "kms/cross-account-encryption/"
NOTE_SOURCE = REPO / "docs" / "kms" / "cross-account-encryption.md"
NOTE_SOURCE_EN = REPO / "docs" / "kms" / "cross-account-encryption.en.md"
_PLACEHOLDERS = ("Nhập để bắt đầu tìm kiếm", "Type to start searching")
_NO_RESULTS = ("Không tìm thấy tài liệu liên quan", "No matching documents")


def search(page: Page, site: ServedSite, language_root: str, query: str) -> set[str]:
    """Type ``query`` into the search box of ``language_root``; the result pages' URL paths."""
    page.goto(site.page_url(language_root))
    search_box = page.locator("input.md-search__input")
    search_box.fill(query)
    # Material reads the box on keyup (or when its index is ready): end typing as a reader does.
    search_box.press("End")
    # Material writes the result count first, then the result list.
    page.wait_for_function(
        """([placeholders, none]) => {
             const meta = document.querySelector(".md-search-result__meta");
             const text = meta ? meta.textContent.trim() : "";
             if (!text || placeholders.includes(text)) return false;
             return none.includes(text) || document.querySelectorAll(".md-search-result__item").length > 0;
           }""",
        arg=[list(_PLACEHOLDERS), list(_NO_RESULTS)],
    )
    hrefs = page.eval_on_selector_all("a.md-search-result__link", "links => links.map(link => link.href)")
    return {urlsplit(href).path for href in hrefs}


@pytest.fixture(scope="module")
def search_page(chromium: Browser) -> Page:
    page = chromium.new_page()
    yield page
    page.close()


def _require_in_source(words: list[str]) -> None:
    text = NOTE_SOURCE.read_text(encoding="utf-8").lower()
    missing = [word for word in words if word.lower() not in text]
    assert not missing, f"{NOTE_SOURCE}:1: the search test expects the note to contain {missing}"


@pytest.mark.parametrize(
    ("with_accents", "without_accents"),
    [("khoá", "khoa"), ("Điều kiện", "dieu kien"), ("mã hoá", "ma hoa"), ("khoá", "khóa")],
)
def test_vietnamese_query_without_accents_finds_the_same_pages(
    search_page: Page, served_site: ServedSite, with_accents: str, without_accents: str
) -> None:
    _require_in_source([with_accents])
    accented = search(search_page, served_site, "", with_accents)
    plain = search(search_page, served_site, "", without_accents)
    assert f"/{NOTE}" in accented, f"{NOTE_SOURCE}: search for {with_accents!r} misses the note: {accented}"
    assert f"/{NOTE}" in plain, f"{NOTE_SOURCE}: search for {without_accents!r} misses the note: {plain}"
    # The plain spelling may match more words (khoa also matches khóa, khoà, ...), never fewer.
    assert accented <= plain, f"{without_accents!r} misses pages {with_accents!r} finds: {accented - plain}"


def test_vietnamese_search_shows_only_vietnamese_pages(search_page: Page, served_site: ServedSite) -> None:
    # "snapshot" and "policy" appear in both languages' notes: a merged index would return both.
    for query in ("snapshot", "policy", "KMS"):
        found = search(search_page, served_site, "", query)
        assert found, f"Vietnamese search for {query!r} found nothing"
        english = sorted(path for path in found if path.startswith("/en/"))
        assert not english, f"Vietnamese search for {query!r} shows English pages: {english}"


def test_english_search_works_and_shows_only_english_pages(
    search_page: Page, served_site: ServedSite
) -> None:
    english_text = NOTE_SOURCE_EN.read_text(encoding="utf-8")
    for query in ("snapshot", "policy", "encryption"):
        assert query in english_text.lower(), f"{NOTE_SOURCE_EN}:1: expected the word {query!r}"
        found = search(search_page, served_site, "en/", query)
        assert f"/en/{NOTE}" in found, f"{NOTE_SOURCE_EN}: English search {query!r} misses the note: {found}"
        others = sorted(path for path in found if not path.startswith("/en/"))
        assert not others, f"English search for {query!r} shows Vietnamese pages: {others}"


def test_every_page_title_is_found_with_and_without_accents(
    search_page: Page, served_site: ServedSite
) -> None:
    titles = _page_titles(served_site)
    assert titles, "no Vietnamese page titles found in the built site"
    failures = []
    for path, title in titles.items():
        for query in (title, fold(title)):
            found = search(search_page, served_site, "", query)
            if f"/{path}" not in found:
                failures.append(f"/{path}: search for {query!r} misses the page (found {sorted(found)})")
    assert not failures, "\n".join(failures)


def _page_titles(site: ServedSite) -> dict[str, str]:
    """Vietnamese pages' <h1> text from the built site, by URL path."""

    titles = {}
    for html in sorted(site.root.rglob("index.html")):
        relative = html.relative_to(site.root).as_posix()
        if relative.startswith(("en/", "assets/")):
            continue
        match = re.search(r"<h1[^>]*>(.*?)</h1>", html.read_text(encoding="utf-8"), re.S)
        if match:
            title = html_text(re.sub(r"<a class=\"headerlink\".*?</a>|<[^>]+>", "", match.group(1))).strip()
            titles[relative.removesuffix("index.html")] = title
    return titles
