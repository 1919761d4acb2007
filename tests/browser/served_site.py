"""The built site served on 127.0.0.1, and Debian's Chromium driven by Playwright.

Shared by ``tests/browser`` and ``tests/site_checks``. Chromium is never downloaded
(``playwright install`` is not used): the tests drive the distribution's ``/usr/bin/chromium``,
and fail, never skip, when it is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
MKDOCS_YML = REPO / "mkdocs.yml"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(os.environ.get("POLICYPROOF_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "sudo apt-get install chromium fonts-noto-color-emoji"
# No first-run, sync, update or background traffic: every request a test sees comes from the page.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServedSite:
    """A built site and the 127.0.0.1 URL it is served at (ends with ``/``)."""

    root: Path
    url: str

    def page_url(self, path: str) -> str:
        return self.url + path.lstrip("/")


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files; a missing path gets the 404 page of its language, as a host would serve."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def end_headers(self) -> None:
        # linkchecker throttles a host to ~3 requests/s unless the server answers with a
        # "LinkChecker" header (its documented opt-in for higher `maxrequestspersecond`).
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def copyfile(self, source: object, outputfile: object) -> None:
        # The client may stop reading early (a page closed mid-load): not an error of the site.
        with suppress(BrokenPipeError, ConnectionResetError):
            super().copyfile(source, outputfile)  # type: ignore[arg-type]

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        root = Path(self.directory)
        language_dir = self.path.split("/")[1] if self.path.count("/") > 1 else ""
        page = root / language_dir / "404.html"
        if code != 404 or not language_dir or not page.is_file():
            page = root / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve_directory(root: Path, before_serving: Callable[[str], None] | None = None) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port; yields the base URL (``http://127.0.0.1:N/``).

    ``before_serving(url)`` runs once the port is known and before the first request: the site
    is built there, so its absolute URLs (sitemap, canonical links) name the real port.
    """
    server = ThreadingHTTPServer((LOCAL_HOST, 0), partial(_QuietHandler, directory=str(root)))
    url = f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    if before_serving is not None:
        before_serving(url)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def build_site(site_dir: Path, site_url: str, config: Path = MKDOCS_YML) -> None:
    """``mkdocs build --strict`` into ``site_dir``; fails the test session with MkDocs' output."""
    from conftest import require_verified_site  # tests/conftest.py: skip while the site does not verify

    require_verified_site()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config), "-d", str(site_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    if result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        pytest.fail(f"{config}: mkdocs build --strict failed:\n{output}", pytrace=False)


def require_chromium() -> Path:
    """Debian's Chromium, or a failure that says how to install it (CI never skips these tests)."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests drive Debian's Chromium. Install it with:\n"
            f"    {INSTALL_HINT}\n"
            "(never `playwright install`; set POLICYPROOF_CHROMIUM to use another Chromium binary)",
            pytrace=False,
        )
    return CHROMIUM


def site_pages(site_dir: Path) -> list[str]:
    """URL paths of every HTML page of the built site (both languages, 404 pages included)."""
    paths = []
    for html in sorted(site_dir.rglob("*.html")):
        relative = html.relative_to(site_dir).as_posix()
        if relative.startswith("assets/"):
            continue
        paths.append(relative.removesuffix("index.html"))
    return paths


def is_local(url: str) -> bool:
    """True for a request that stays on this machine's test server (or never hits the network)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == LOCAL_HOST


@dataclass
class PageVisit:
    """What one page did while loading: its console errors and every URL it requested."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    # What the ``settle`` callback read from the loaded page, by name.
    readings: dict[str, Any] = field(default_factory=dict)

    @property
    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]


def _open(context: Any, url: str) -> tuple[Any, PageVisit]:
    record = PageVisit(url)
    page = context.new_page()
    page.on("console", lambda message: record.console_errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: record.console_errors.append(f"uncaught: {error}"))
    page.on("request", lambda request: record.requests.append(request.url))
    page.route(lambda target: not is_local(target), lambda route: route.abort())
    page.goto(url, wait_until="commit")
    return page, record


def visit_many(
    context: Any, urls: list[str], settle: Callable[[Any], dict[str, Any]] | None = None, at_once: int = 4
) -> list[PageVisit]:
    """Open each URL in its own page, record console errors and requests, then close the page.

    ``settle(page)``, if given, runs once the page is idle; what it returns is kept as readings.
    Requests to any host but 127.0.0.1 are recorded and aborted, so a broken page never reaches
    the internet during a test, yet is still reported. Pages load ``at_once`` at a time: most of
    a visit is waiting for the network to go idle.
    """
    records = []
    for start in range(0, len(urls), at_once):
        opened = [_open(context, url) for url in urls[start : start + at_once]]
        for page, record in opened:
            try:
                page.wait_for_load_state("load")
                # Material fetches the search index (and its worker's scripts) after load.
                page.wait_for_load_state("networkidle")
                if settle is not None:
                    record.readings = settle(page)
            finally:
                page.close()
            records.append(record)
    return records


def visit(context: Any, url: str, settle: Callable[[Any], dict[str, Any]] | None = None) -> PageVisit:
    """:func:`visit_many` for one URL."""
    return visit_many(context, [url], settle)[0]


@dataclass
class _SharedResource:
    value: Any = None
    users: int = 0
    stack: ExitStack = field(default_factory=ExitStack)


_SHARED: dict[str, _SharedResource] = {}


@contextmanager
def shared(name: str, make: Callable[[ExitStack], Any]) -> Iterator[Any]:
    """One instance of a costly resource for every conftest that asks for it by ``name``.

    tests/browser and tests/site_checks each declare the session fixtures; within one pytest run
    they share the built site and the browser (Playwright allows one sync instance per thread).
    ``make`` registers its cleanup on the stack it gets; the last user closes it.
    """
    resource = _SHARED.setdefault(name, _SharedResource())
    if resource.users == 0:
        resource.stack = ExitStack()
        resource.value = make(resource.stack)
    resource.users += 1
    try:
        yield resource.value
    finally:
        resource.users -= 1
        if resource.users == 0:
            resource.stack.close()
            del _SHARED[name]
