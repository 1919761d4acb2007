"""The same sources build the same site anywhere: two copies in two folders (one proving everything,
one taking every proof from the other's cache) give byte-identical sites, with no absolute path of
either folder in any file; and a build whose pages all come from the page cache gives the same
bytes as the build that converted them.

Nothing is excluded from the comparison: the only bytes that may depend on when a site is built
are its "last changed" dates, and those come from the files (git commit dates, else the front
matter date, else the file's modification time, which the copies keep), not from the clock.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, site_copy


def _build(folder: Path, site: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(folder / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "POLICYPROOF_CACHE_DIR": str(cache)},
        timeout=600,
    )


def _files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def test_two_folders_build_byte_identical_sites(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "notes", tmp_path / "elsewhere" / "deeper" / "notes"
    site_copy(first)
    site_copy(second)
    cache = tmp_path / "cache"
    a = _build(first, tmp_path / "site-a", cache)
    assert a.returncode == 0, a.stderr
    assert "taken from the proof cache: 0" in a.stderr, a.stderr
    # Each snippet and claims file proved once for both languages (mkdocs-static-i18n builds twice).
    counts = re.search(
        r"verified (\d+) snippets and (\d+) claims files; "
        r"proved by this process: (\d+) snippets, (\d+) claims",
        a.stderr,
    )
    assert counts and counts[1] == counts[3] and counts[2] == counts[4], a.stderr
    b = _build(second, tmp_path / "site-b", cache)
    assert b.returncode == 0, b.stderr
    # The second folder proved nothing itself: proofs are keyed by content, not by folder.
    assert "proved by this process: 0 snippets, 0 claims files" in b.stderr, b.stderr

    files_a, files_b = _files(tmp_path / "site-a"), _files(tmp_path / "site-b")
    assert sorted(files_a) == sorted(files_b)
    different = [name for name in files_a if files_a[name] != files_b[name]]
    assert not different, f"files that differ between the two builds: {different}"
    for folder in (first, second, tmp_path, REPO):
        leaked = [name for name, data in files_a.items() if str(folder).encode() in data]
        assert not leaked, f"{folder} appears in {leaked}"
    assert "verification.json" in files_a

    # The first folder built again: every page taken from the page cache (site/page_cache.py),
    # and still the same bytes as the build that converted them.
    c = _build(first, tmp_path / "site-c", cache)
    assert c.returncode == 0, c.stderr
    reused = re.search(
        r"pages converted (\d+), taken from the page cache (\d+); "
        r"search entries made (\d+), taken from the cache (\d+)",
        c.stderr,
    )
    assert reused and reused[1] == "0" and int(reused[2]) > 0 and reused[3] == "0", c.stderr
    files_c = _files(tmp_path / "site-c")
    assert sorted(files_c) == sorted(files_a)
    different = [name for name in files_a if files_a[name] != files_c[name]]
    assert not different, f"files that differ once the pages come from the page cache: {different}"
