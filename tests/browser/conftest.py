"""Session fixtures: the real site built once and served on 127.0.0.1, and one Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from browser.served_site import CHROMIUM_ARGS, ServedSite, build_site, require_chromium, serve_directory


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The real site, built once with --strict for the port it is served on."""
    site_dir = tmp_path_factory.mktemp("served-site")
    with serve_directory(site_dir, before_serving=lambda url: build_site(site_dir, url)) as url:
        yield ServedSite(site_dir, url)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
