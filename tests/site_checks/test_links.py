"""linkchecker over the served site: no broken link. Only 127.0.0.1 is ever contacted; links to
other hosts are checked for syntax only. (Anchors are checked by `mkdocs build --strict`.)"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from browser.served_site import ServedSite, serve_directory

LINKCHECKER = Path(sys.executable).with_name("linkchecker")


def broken_links(url: str, workdir: Path) -> list[str]:
    """Run linkchecker recursively from ``url``; each broken link as ``page: link (result)``."""
    config = workdir / "linkcheckerrc"
    # Our server sends the "LinkChecker" header, which lets linkchecker go past 10 requests/s.
    config.write_text("[checking]\nmaxrequestspersecond=1000\n", encoding="utf-8")
    workdir.chmod(0o755)  # linkchecker drops root privileges to "nobody" and must read the file
    config.chmod(0o644)
    result = subprocess.run(
        [
            str(LINKCHECKER), "--config", str(config), "--no-robots", "--no-status", "--threads", "4",
            "--output", "csv", "--ignore-url", rf"^(?!{url})", url,
        ],
        capture_output=True, text=True, timeout=300,
    )
    if result.returncode not in (0, 1):
        raise AssertionError(f"linkchecker failed to run (exit {result.returncode}):\n{result.stderr}")
    rows = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    broken = [
        f"{row['parentname'] or url}:{row['line'] or '?'}: {row['urlname']} ({row['result']})"
        for row in csv.DictReader(rows, delimiter=";")
        if row["valid"] != "True"
    ]
    if result.returncode == 1 and not broken:
        broken.append(f"linkchecker reported errors it did not list:\n{result.stdout}")
    return broken


def test_linkchecker_finds_no_broken_link(served_site: ServedSite, tmp_path: Path) -> None:
    broken = broken_links(served_site.url, tmp_path)
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_linkchecker_reports_a_broken_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<a href="exists.html">fine</a> <a href="missing/page.html">broken</a>'
        ' <a href="https://example.com/">outside: syntax only, never fetched</a>',
        encoding="utf-8",
    )
    (site / "exists.html").write_text("<p>here</p>", encoding="utf-8")
    with serve_directory(site) as url:
        broken = broken_links(url, tmp_path)
    assert len(broken) == 1 and "missing/page.html" in broken[0] and "404" in broken[0], broken
