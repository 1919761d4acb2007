"""Page-weight budget of the note page, measured in Chromium (search index excluded).

The test server does not compress, so the figure is the uncompressed bytes a reader's browser
receives (response headers + bodies); the gzip figure printed beside it estimates what a host
that compresses (GitHub Pages does) sends. Run with ``-s`` to see the figures; they are also
written to ``test-artifacts/page-weight.txt``.
"""

from __future__ import annotations

import gzip

import pytest
from browser.served_site import ARTIFACTS, ServedSite
from playwright.sync_api import Browser, Request

pytestmark = pytest.mark.browser

NOTE = "kms/cross-account-encryption/"
# Bytes for the note page, all resources included but the search index. Measured at about 590 kB
# uncompressed (HTML 250 kB, of which the claims tables, traces and diagrams are half; Material's CSS
# 150 kB and JS 155 kB) and 115 kB gzip-compressed, which is what a host such as GitHub Pages sends.
# The budgets leave room for the note and its proofs to grow, not for a new framework or a web font.
PAGE_WEIGHT_BUDGET = 800_000
GZIP_BUDGET = 160_000
EXCLUDED = ("/search/search_index.json",)


def _transfer(request: Request) -> tuple[int, int]:
    """(bytes received, gzip-compressed body bytes) for one finished request."""
    response = request.response()
    if response is None:
        return 0, 0
    body = response.body()
    headers = request.sizes()["responseHeadersSize"]
    return headers + len(body), headers + len(gzip.compress(body, compresslevel=6))


def _cold_load(chromium: Browser, url: str) -> list[tuple[str, int, int]]:
    """Every request of a first visit (fresh context, empty cache): (url, bytes, gzip bytes)."""
    context = chromium.new_context()
    finished: list[Request] = []
    try:
        page = context.new_page()
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(url)
        page.wait_for_load_state("networkidle")
        return [(request.url, *_transfer(request)) for request in finished]
    finally:
        context.close()


def test_note_page_weight_stays_within_budget(chromium: Browser, served_site: ServedSite) -> None:
    weights = {
        language: [
            row for row in _cold_load(chromium, served_site.page_url(prefix + NOTE))
            if not row[0].endswith(EXCLUDED)
        ]
        for language, prefix in (("vi", ""), ("en", "en/"))
    }
    report = []
    for language, rows in weights.items():
        total = sum(raw for _, raw, _ in rows)
        zipped = sum(packed for _, _, packed in rows)
        report.append(
            f"{language}: /{'' if language == 'vi' else 'en/'}{NOTE} {total:,} bytes in {len(rows)} requests "
            f"(≈{zipped:,} bytes gzip-compressed), search index excluded; "
            f"budgets {PAGE_WEIGHT_BUDGET:,} / {GZIP_BUDGET:,} gzip"
        )
        assert rows, f"/{NOTE} ({language}): no request recorded"
        heaviest = sorted(rows, key=lambda row: -row[1])[:5]
        assert total <= PAGE_WEIGHT_BUDGET, (
            f"/{NOTE} ({language}): {total:,} bytes, over the {PAGE_WEIGHT_BUDGET:,} budget; heaviest:\n"
            + "\n".join(f"  {raw:,} {url}" for url, raw, _ in heaviest)
        )
        assert zipped <= GZIP_BUDGET, (
            f"/{NOTE} ({language}): ≈{zipped:,} bytes gzip-compressed, over the {GZIP_BUDGET:,} budget; "
            "heaviest:\n" + "\n".join(f"  {packed:,} {url}" for url, _, packed in heaviest)
        )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    print("\n" + "\n".join(report))
