"""Session fixtures: the real site built once and served on 127.0.0.1, and one Chromium.

tests/site_checks re-exports these fixtures; ``shared`` makes both directories use the same
built site and browser in one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from browser.page_readings import read_page
from browser.served_site import (
    CHROMIUM_ARGS,
    PageVisit,
    ServedSite,
    build_site,
    require_chromium,
    serve_directory,
    shared,
    site_pages,
    visit_many,
)


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The real site, built once with --strict for the port it is served on."""

    def build_and_serve(stack: ExitStack) -> ServedSite:
        site_dir: Path = tmp_path_factory.mktemp("served-site")
        url = stack.enter_context(serve_directory(site_dir, lambda url: build_site(site_dir, url)))
        return ServedSite(site_dir, url)

    with shared("served_site", build_and_serve) as site:
        yield site


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless; fails (never skips) with install steps when it is missing."""

    def launch(stack: ExitStack) -> Browser:
        executable = require_chromium()
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        return browser

    with shared("chromium", launch) as browser:
        yield browser


@pytest.fixture(scope="session")
def page_visits(served_site: ServedSite, chromium: Browser) -> dict[str, PageVisit]:
    """Each page of the built site (both languages, 404 pages) opened once, by URL path.

    The tests read what was recorded: console errors, requests, and the page readings.
    """
    context = chromium.new_context()
    try:
        paths = site_pages(served_site.root)
        records = visit_many(context, [served_site.page_url(path) for path in paths], settle=read_page)
        return dict(zip(paths, records, strict=True))
    finally:
        context.close()
