"""The note reads as a note (issue 14): proofs folded to one line, diagrams in view, no sideways
scroll on a phone, a page height budget, a print stylesheet, titles and 404 pages per language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest
from playwright.sync_api import Browser

from browser.accessibility import WIDTHS, page_height, sideways_scroll, unfold_everything
from browser.served_site import ARTIFACTS, LOCAL_HOST, ServedSite, site_pages

pytestmark = pytest.mark.browser

NOTE = "kms/cross-account-encryption/"
# At 1280x900 the note was 26,293 px (en) and 24,719 px (vi) tall with every claims table open.
HEIGHT_BUDGET = 13_000


def test_the_note_is_at_most_13000_px_tall_at_1280(chromium: Browser, served_site: ServedSite) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    heights = {}
    try:
        for path in (NOTE, f"en/{NOTE}"):
            page.goto(served_site.page_url(path))
            page.wait_for_load_state("networkidle")
            heights[path] = page_height(page)
    finally:
        page.close()
    ARTIFACTS.mkdir(exist_ok=True)
    report = "\n".join(f"/{path}: {height:,} px tall at 1280x900" for path, height in heights.items())
    (ARTIFACTS / "note-height.txt").write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
    too_tall = {path: height for path, height in heights.items() if height > HEIGHT_BUDGET}
    assert not too_tall, f"over the {HEIGHT_BUDGET:,} px budget: {too_tall}"


def test_no_page_scrolls_sideways_on_a_390_px_phone(chromium: Browser, served_site: ServedSite) -> None:
    width, height = WIDTHS["phone"]
    page = chromium.new_page(viewport={"width": width, "height": height})
    failures = []
    try:
        for path in site_pages(served_site.root):
            page.goto(served_site.page_url(path), wait_until="load")
            for state in ("folded", "unfolded"):
                if state == "unfolded":
                    unfold_everything(page)
                found = sideways_scroll(page)
                if found["scrollWidth"] > found["width"] or found["found"]:
                    failures.append(
                        f"/{path} ({state}): page is {found['scrollWidth']} px wide at {width} px; "
                        + "; ".join(found["found"])
                    )
    finally:
        page.close()
    assert not failures, "pages that scroll sideways:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("vi", re.compile(r"^✓ Đã chứng minh (\d+) khẳng định · xem$")),
        ("en", re.compile(r"^✓ (\d+) claims proved · show$")),
    ],
)
def test_each_sections_proof_is_one_line_that_opens_its_table(
    chromium: Browser, served_site: ServedSite, lang: str, line: re.Pattern[str]
) -> None:
    path = NOTE if lang == "vi" else f"en/{NOTE}"
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served_site.page_url(path))
        folds = page.locator("details.pp-claims-fold")
        assert folds.count() >= 3, f"/{path}: {folds.count()} folded proofs"
        for index in range(folds.count()):
            fold = folds.nth(index)
            summary = fold.locator("> summary")
            text = " ".join(summary.inner_text().split())
            match = line.match(text)
            assert match, f"/{path}: proof line {index + 1} reads {text!r}"
            rows = fold.locator("tr[data-claim]")
            # Folded: one line on screen, yet every claim is in the page's HTML.
            assert not fold.evaluate("d => d.open") and not fold.locator("table").is_visible()
            assert rows.count() == int(match.group(1)), f"/{path}: {text!r} but {rows.count()} rows"
            assert summary.bounding_box()["height"] < 48, f"/{path}: proof line {index + 1} is not one line"
            summary.click()
            assert fold.locator("table.pp-claims").is_visible(), f"/{path}: the table does not open"
            hide = "ẩn" if lang == "vi" else "hide"
            assert summary.inner_text().strip().endswith(hide), summary.inner_text()
            summary.click()
            assert not fold.locator("table.pp-claims").is_visible(), f"/{path}: the table does not close"
        # Diagrams stay in view next to the text, outside any fold.
        diagrams = page.locator("figure.pp-flow")
        assert diagrams.count() >= 2
        for index in range(diagrams.count()):
            figure = diagrams.nth(index)
            assert figure.is_visible() and figure.evaluate("f => f.closest('details') === null"), (
                f"/{path}: diagram {index + 1} is hidden"
            )
    finally:
        page.close()


def test_proofs_stay_out_of_the_search_index_where_they_were(served_site: ServedSite) -> None:
    html = (served_site.root / NOTE / "index.html").read_text(encoding="utf-8")
    summaries = re.findall(r"<summary[^>]*>.*?</summary>", html)
    folds = [s for s in summaries if "pp-fold-mark" in s]
    assert folds and all("data-search-exclude" in s for s in folds), folds[:1]
    traces = re.findall(r'<tr class="pp-trace-row"[^>]*>', html)
    assert traces and all("data-search-exclude" in row for row in traces)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_print_shows_the_note_with_its_proofs_expanded(
    chromium: Browser, served_site: ServedSite, lang: str
) -> None:
    path = NOTE if lang == "vi" else f"en/{NOTE}"
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served_site.page_url(path))
        visible = "els => els.filter(e => e.checkVisibility()).length"
        total = page.locator("table.pp-claims").count()
        on_screen = page.eval_on_selector_all("table.pp-claims", visible)
        page.emulate_media(media="print")
        printed = page.eval_on_selector_all("table.pp-claims", visible)
        traces = page.locator(".pp-trace").count()
        printed_traces = page.eval_on_selector_all(".pp-trace", visible)
        hidden_chrome = page.eval_on_selector_all(".md-header, .md-sidebar--primary", visible)
        pdf = page.pdf(format="A4")
    finally:
        page.close()
    assert total >= 3 and on_screen == 0, f"/{path}: {on_screen} of {total} tables open on screen"
    assert printed == total, f"/{path}: printed, {printed} of {total} claims tables are shown"
    assert traces and printed_traces == traces, f"/{path}: printed, {printed_traces} of {traces} traces"
    assert hidden_chrome == 0, f"/{path}: the header or navigation is printed"
    assert pdf[:4] == b"%PDF" and len(pdf) > 100_000, f"/{path}: printing gave {len(pdf)} bytes"


def test_no_title_repeats_the_site_name(served_site: ServedSite) -> None:
    titles = {}
    for html in sorted(served_site.root.rglob("*.html")):
        if "assets" in html.parts:
            continue
        match = re.search(r"<title>([^<]*)</title>", html.read_text(encoding="utf-8"))
        assert match, f"{html}: no <title>"
        titles[html.relative_to(served_site.root).as_posix()] = match.group(1).strip()
    assert titles["en/index.html"] == "AWS Security Notes", titles["en/index.html"]
    repeated = {page: title for page, title in titles.items() if re.fullmatch(r"(.+) - \1", title)}
    assert not repeated, f"titles that say the same thing twice: {repeated}"


class _RootOnly404(SimpleHTTPRequestHandler):
    """A static host that knows one 404 page, the root one, for every missing path (GitHub Pages)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def pages_host(served_site: ServedSite) -> Iterator[str]:
    server = ThreadingHTTPServer((LOCAL_HOST, 0), partial(_RootOnly404, directory=str(served_site.root)))
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("missing", "lang", "heading"),
    [
        ("kms/no-such-note/", "vi", "Không tìm thấy trang"),
        ("en/kms/no-such-note/", "en", "Page not found"),
        ("en/no-such-page.html", "en", "Page not found"),
    ],
)
def test_a_missing_page_gets_the_404_of_its_language(
    chromium: Browser, served_site: ServedSite, pages_host: str, missing: str, lang: str, heading: str
) -> None:
    page = chromium.new_page()
    try:
        # The test server answers as `mkdocs serve` does (not_found_pages.on_serve); pages_host
        # as GitHub Pages does (one root 404.html, whose script sends English readers on).
        for base in (served_site.url, pages_host):
            response = page.goto(base + missing)
            assert response is not None and response.status == 404, f"{base}{missing}: not a 404"
            page.wait_for_load_state("load")
            page.wait_for_function(f"document.documentElement.lang === {lang!r}", timeout=5000)
            assert page.inner_text("article h1").strip() == heading, f"{base}{missing}: {page.url}"
    finally:
        page.close()
