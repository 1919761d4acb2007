"""How long ``mkdocs serve`` takes to show an author's edit (issue 14: within 2 s of saving).

    .venv/bin/python bench/bench_serve.py [--edits 5]

A copy of this site (docs/, snippets/, mkdocs.yml; hooks and theme from this checkout) is served by
a real ``mkdocs serve`` process, as an author runs it, with its own empty proof cache. After the
first build, each kind of edit is saved ``--edits`` times and the script polls the served page
(every 20 ms, as the live-reload script in the browser would fetch it after its long poll returns)
until the page shows the edit. Timed: from the moment the file is written to the moment the page
served shows it. That includes MkDocs' file watcher (it polls every 0.5 s), the rebuild of both
languages, the proofs of what the edit touches, and the copy of the site kept for a failing build.

The edits, on the KMS note:

* **snippet**: swap two actions of an identity policy (same permissions, a new document): the
  snippet's claims file is proved again; the page shows the new order of the actions;
* **page text**: a word added to the English page: nothing to prove again;
* **failing proof**: a claim of the note made to expect the wrong decision: the page shows the
  failure banner (the last good site stays served); then the claim restored: the banner is gone.

What is cached: the server process keeps its imports, its in-memory proof cache and the disk
proof cache across rebuilds, as it does for an author. The figure is the median of the edits
(the first build is reported apart, it proves everything).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_site  # noqa: E402 - the same copy of the site as the build benchmark

NOTE = bench_site.NOTE
POLICY = f"snippets/{NOTE}/{bench_site.EDITED}"
CLAIMS = f"snippets/{NOTE}/claims.yaml"
PAGE_EN = f"docs/{NOTE}.en.md"
URL_EN = f"en/{NOTE}/"
BANNER = 'class="pp-serve-failure"'
TIMEOUT = 120.0
SNIPPET, TEXT = "snippet edited (re-proved)", "page text edited"
FAILING, RESTORED = "claim made to fail (banner)", "claim restored (banner gone)"
LABELS = (SNIPPET, TEXT, FAILING, RESTORED)
LOG = Path(tempfile.gettempdir()) / "bench-serve.log"  # kept after the run: what the server said


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait(url: str, shows: Callable[[str], bool], started: float, what: str) -> float:
    """Seconds from ``started`` until the page at ``url`` satisfies ``shows``."""
    while time.perf_counter() - started < TIMEOUT:
        text = _fetch(url)
        if text is not None and shows(text):
            return time.perf_counter() - started
        time.sleep(0.02)
    sys.exit(f"the served page {url} did not show {what} within {TIMEOUT:.0f} s (the server's log: {LOG})")


def _write(path: Path, text: str) -> float:
    path.write_text(text, encoding="utf-8")
    return time.perf_counter()


def measure(edits: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        site = bench_site.generated_site(Path(tmp) / "site", 0)
        port = _free_port()
        base = f"http://127.0.0.1:{port}/"
        env = {
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "POLICYPROOF_CACHE_DIR": str(Path(tmp) / "proof-cache"),
            "XDG_CACHE_HOME": str(Path(tmp) / "xdg"),
        }
        log = LOG.open("w")
        command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
        started = time.perf_counter()
        server = subprocess.Popen(command, cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            first = _wait(base + URL_EN, lambda html: "pp-claims" in html, started, "the first build")
            policy, claims, page = site / POLICY, site / CLAIMS, site / PAGE_EN
            original = {path: path.read_text(encoding="utf-8") for path in (policy, claims, page)}
            times: dict[str, list[float]] = {label: [] for label in LABELS}
            url = base + URL_EN

            def save(label: str, path: Path, text: str, shows: Callable[[str], bool]) -> None:
                time.sleep(1.0)  # the watcher must see each save as a new change
                times[label].append(_wait(url, shows, _write(path, text), label))

            for number in range(edits):
                swapped = _swap_actions(original[policy]) if number % 2 == 0 else original[policy]
                first_action = _first_action(swapped)
                save(SNIPPET, policy, swapped, lambda html, a=first_action: _shows_first(html, a))
                word = f"benchword{number}"
                edited = original[page].replace("\n## ", f"\n{word}\n\n## ", 1)
                save(TEXT, page, edited, lambda html, w=word: w in html)
                save(FAILING, claims, _break_one_claim(original[claims]), lambda html: BANNER in html)
                save(RESTORED, claims, original[claims], lambda html: BANNER not in html)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    print(f"mkdocs serve on a copy of this site ({bench_site.REPO}); {bench_site._machine()}")
    print(f"  first build (everything proved, proof cache empty): page served after {first:.2f} s")
    print(f"  median of {edits} saves each, from the save to the served page showing it (target <= 2 s):")
    for label in LABELS:
        spread = f"(min {min(times[label]):.2f}, max {max(times[label]):.2f})"
        print(f"    {label + ':':<32}{statistics.median(times[label]):5.2f} s {spread}")
    rebuilds = [float(s) for s in re.findall(r"Documentation built in ([\d.]+) seconds", LOG.read_text())][1:]
    print(
        f"  in the server process, MkDocs' own 'Documentation built in' of the {len(rebuilds)} rebuilds: "
        f"median {statistics.median(rebuilds):.2f} s (min {min(rebuilds):.2f}, max {max(rebuilds):.2f})"
    )
    print("  (MkDocs' watcher polls every 0.5 s: about 0.25 s of each figure is waiting for it)")


def _swap_actions(text: str) -> str:
    return text.replace('"kms:Decrypt", "kms:DescribeKey"', '"kms:DescribeKey", "kms:Decrypt"', 1)


def _first_action(text: str) -> str:
    return "kms:DescribeKey" if '"kms:DescribeKey", "kms:Decrypt"' in text else "kms:Decrypt"


def _shows_first(html: str, action: str) -> bool:
    """The served page shows the policy with ``action`` first in its Action list."""
    other = "kms:Decrypt" if action == "kms:DescribeKey" else "kms:DescribeKey"
    at = html.find('"UseKeyOfAccountA"</span>')  # the highlighted snippet, not a trace naming it
    if at < 0:
        return False
    first, second = html.find(action, at), html.find(other, at)
    return 0 <= first < second


def _break_one_claim(text: str) -> str:
    """The claim b-decrypts-with-key-a made to expect a Deny it does not get."""
    head, sep, rest = text.partition("- id: b-decrypts-with-key-a")
    if not sep:
        sys.exit(f"{CLAIMS}: the claim b-decrypts-with-key-a is not there any more; update the benchmark")
    return head + sep + rest.replace("expect: Allow", "expect: Deny", 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5, help="saves of each kind (default 5)")
    measure(parser.parse_args().edits)


if __name__ == "__main__":
    main()
