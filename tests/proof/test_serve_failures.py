"""Under ``mkdocs serve`` a failing proof never stalls the server: the last good site is served with
the failure as a banner on every page, in the page's language, gone on the next good build.

The first tests drive the hook's functions as ``mkdocs serve`` does (``on_startup("serve")``, then
one full build per save) on the tiny site of test_proof_hook; the last one runs a real
``mkdocs serve`` on 127.0.0.1 on a copy of the real site, with bounded waits.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from proof_helpers import copy_site
from test_proof_hook import _claims, tiny_site  # noqa: F401 - the tiny site fixture

from policyproof.site import prover
from policyproof.site.hooks import serve_failures
from policyproof.site.proofs import ClaimProof
from policyproof.site.prover import GroupProof

BANNER = 'class="pp-serve-failure"'


class Serve:
    """``mkdocs serve``'s builds in this process: one config, ``on_startup("serve")``, a build per save."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.site = folder / "site"
        config = load_config(str(folder / "mkdocs.yml"), site_dir=str(self.site))
        for module in list(sys.modules.values()):  # a fresh hook state, as in a new server process
            if str(getattr(module, "__file__", None) or "").endswith("site/hooks/proof.py"):
                module._state = module._State()
        config.plugins.on_startup(command="serve", dirty=False)
        self.plugins = config.plugins

    def build(self) -> None:
        config = load_config(str(self.folder / "mkdocs.yml"), site_dir=str(self.site))
        build(config, serve_url="http://127.0.0.1:8000/")  # raises if the build fails

    def page(self, name: str) -> str:
        return (self.site / name / "index.html").read_text(encoding="utf-8")

    def stop(self) -> None:
        self.plugins.on_shutdown()


def _wrong_claims() -> list[ClaimProof]:
    claims = _claims()
    claims[0] = ClaimProof(**{**claims[0].__dict__, "decision": "ImplicitDeny", "source": "claims.yaml:7"})
    return claims


def test_a_failing_proof_serves_the_last_good_site_with_a_banner_until_fixed(
    tiny_site: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serve = Serve(tiny_site)
    try:
        serve.build()
        good = serve.page("page.en")
        assert BANNER not in good and "pp-claims" in good

        # The author saves claims.yaml (its new text is what invalidates the proof) ...
        claims = tiny_site / "snippets/sec/page/claims.yaml"
        claims.write_text("# edited\n", encoding="utf-8")
        # ... and the engine no longer proves one claim.
        monkeypatch.setattr(
            prover, "_library_prove_claims_file", lambda path, group: GroupProof(_wrong_claims())
        )
        serve.build()  # does not raise: the server must not stall
        for name in ("page", "page.en", "verification", "verification.en"):
            html = serve.page(name)
            assert BANNER in html, f"{name}: no banner for the failing proof"
        failing = serve.page("page.en")
        banner = re.search(r'<div class="pp-serve-failure".*?</div>', failing, re.S)
        assert banner, failing[:2000]
        text = banner.group(0)
        assert "your latest edit is not proved" in text and "this is the last good build" in text, text
        assert "<code>claims.yaml:7:1</code> error claim-not-proved: claim &#x27;b-decrypts&#x27;" in text, (
            text
        )
        assert "expected Allow, the engine decided ImplicitDeny" in text, text
        # Under the banner, the last good page, unchanged.
        assert failing.replace(text, "") == good

        claims.write_text("# fixed\n", encoding="utf-8")
        claims.write_text("# fixed\n", encoding="utf-8")
        monkeypatch.setattr(prover, "_library_prove_claims_file", lambda path, group: GroupProof(_claims()))
        serve.build()
        assert BANNER not in serve.page("page.en"), "the banner stayed after a good build"
        assert serve.page("page.en") == good
    finally:
        serve.stop()


def test_a_missing_include_under_serve_is_a_banner_not_a_traceback(tiny_site: Path) -> None:  # noqa: F811
    serve = Serve(tiny_site)
    try:
        serve.build()
        page = tiny_site / "docs" / "page.md"
        text = page.read_text(encoding="utf-8")
        page.write_text(
            text + '\n```json\n--8<-- "sec/page/gone.identity-policy.json"\n```\n', encoding="utf-8"
        )
        serve.build()
        html = serve.page("page")
        line = text.count("\n") + 3
        assert f"<code>docs/page.md:{line}:1</code> error missing-snippet" in html, html[:3000]
    finally:
        serve.stop()


def test_the_banner_speaks_the_page_language() -> None:
    failures = [
        "snippets/a/b.key-policy.json:4:9: error unknown-action: no such action [shown on docs/a/b.md]"
    ]
    vi = serve_failures.add_banner(
        b'<html lang="vi"><body class="x"><p>trang</p></body></html>', failures, last_good=True
    )
    en = serve_failures.add_banner(
        b'<html lang="en"><body><p>page</p></body></html>', failures, last_good=True
    )
    assert "bản sửa mới nhất chưa được chứng minh" in vi.decode() and "last good build" not in vi.decode()
    assert "your latest edit is not proved" in en.decode()
    for html in (vi, en):
        assert b"<code>snippets/a/b.key-policy.json:4:9</code> error unknown-action: no such action" in html
        assert html.index(b"pp-serve-failure") > html.index(b"<body")
    first = serve_failures.add_banner(b'<html lang="vi"><body></body></html>', failures, last_good=False)
    assert "các trang hiển thị thiếu phần chứng minh" in first.decode()


# --- a real mkdocs serve ---------------------------------------------------------------------

PAGE = "kms/cross-account-encryption/"
CLAIMS = "snippets/kms/cross-account-encryption/claims.yaml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 10) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a local URL
        return response.read().decode("utf-8")


def _wait_for(check, what: str, deadline: float) -> str:
    last = ""
    while time.monotonic() < deadline:
        try:
            last = _get(check[0])
        except (urllib.error.URLError, OSError, TimeoutError):
            time.sleep(0.3)
            continue
        if check[1](last):
            return last
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}; last page:\n{last[:1500]}")


@contextmanager
def _served(folder: Path, log_path: Path) -> Iterator[str]:
    """A real ``mkdocs serve`` of ``folder`` (its output in ``log_path``); yields its base URL."""
    port = _free_port()
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "serve",
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(folder / "mkdocs.yml"),
        ],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
        log.close()


def test_a_real_mkdocs_serve_shows_a_failing_proof_and_recovers(tmp_path: Path) -> None:
    folder = copy_site(tmp_path / "notes")
    with _served(folder, tmp_path / "serve.log") as base:
        started = time.monotonic()
        good = _wait_for((base + PAGE, lambda html: "pp-claims" in html), "the first build", started + 180)
        assert BANNER not in good

        claims = folder / CLAIMS
        text = claims.read_text(encoding="utf-8")
        match = re.search(r"^(\s*)expect: Allow\s*$", text, re.MULTILINE)
        assert match, f"{claims}: no `expect: Allow` to flip"
        line = text[: match.start()].count("\n") + 1
        claims.write_text(
            text[: match.start()] + f"{match.group(1)}expect: ExplicitDeny" + text[match.end() :]
        )
        saved = time.monotonic()
        failing = _wait_for((base + PAGE, lambda html: BANNER in html), "the failure banner", saved + 120)
        print(f"\nmkdocs serve: failure banner {time.monotonic() - saved:.2f} s after saving")
        # Requests are answered (the server is not stuck) with the last good page under the banner.
        assert f"{CLAIMS}:{line}:" in failing and "error claim-not-proved" in failing, failing[:3000]
        assert "bản sửa mới nhất chưa được chứng minh" in failing
        english = _get(base + "en/" + PAGE)
        assert BANNER in english and "your latest edit is not proved" in english

        claims.write_text(text)
        _wait_for(
            (base + PAGE, lambda html: BANNER not in html and "pp-claims" in html),
            "recovery",
            time.monotonic() + 120,
        )


SNIPPET = "snippets/kms/cross-account-encryption/app-reader-uses-key-a.identity-policy.json"


def test_a_real_mkdocs_serve_converts_again_only_the_pages_an_edit_touches(tmp_path: Path) -> None:
    """src/policyproof/site/page_cache.py under ``mkdocs serve``: after a snippet is saved, the
    served note shows the edit, and only the note's two pages (one per language) are converted
    again; every other page comes from the page cache."""
    folder = copy_site(tmp_path / "notes")
    log_path = tmp_path / "serve.log"
    with _served(folder, log_path) as base:
        _wait_for((base + PAGE, lambda html: "pp-claims" in html), "the first build", time.monotonic() + 180)
        snippet = folder / SNIPPET
        text = snippet.read_text(encoding="utf-8")
        assert '"kms:Decrypt", "kms:DescribeKey"' in text, f"{snippet}: update the edit below"
        snippet.write_text(
            text.replace('"kms:Decrypt", "kms:DescribeKey"', '"kms:DescribeKey", "kms:Decrypt"')
        )

        def shows_edit(html: str) -> bool:
            at = html.find('"UseKeyOfAccountA"</span>')  # the highlighted snippet, not a trace
            return at >= 0 and 0 <= html.find("kms:DescribeKey", at) < html.find("kms:Decrypt", at)

        _wait_for((base + PAGE, shows_edit), "the edited snippet", time.monotonic() + 120)
        _wait_for((base + "en/" + PAGE, shows_edit), "the edited snippet in English", time.monotonic() + 30)
    builds = re.findall(r"pages converted (\d+), taken from the page cache (\d+)", log_path.read_text())
    assert len(builds) >= 2, log_path.read_text()[-3000:]
    first, edited = builds[0], builds[-1]
    assert first[1] == "0" and int(first[0]) > 2, builds
    assert edited[0] == "2" and int(edited[1]) == int(first[0]) - 2, builds
