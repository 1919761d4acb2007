"""Pages written before their proofs are in (src/policyproof/site/hooks/proof.py, ``_defer`` and
``_finish_deferred``): a cold build no longer holds every page of the first language until the
workers have proved it. Such a page is written with placeholders, then finished at the end of
the last language, and the site must be the one a build that waited would write, byte for byte.

The proofs are slowed down here (every claims file takes three seconds more to prove), so that every
page with claims is deferred: by a runner that wraps the prover's claims function before MkDocs
starts (the proof workers are forked from the build, so they inherit it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import site_copy

RUNNER = """
import runpy, sys, time
from policyproof.site import prover

prove = prover._library_prove_claims_file


def slow(*args, **kwargs):
    time.sleep(3.0)
    return prove(*args, **kwargs)


prover._library_prove_claims_file = slow
sys.argv = ["mkdocs", *sys.argv[1:]]
runpy.run_module("mkdocs", run_name="__main__")
"""


def _build(folder: Path, site: Path, cache: Path, *, slow: bool) -> subprocess.CompletedProcess[str]:
    start = [sys.executable, str(folder / "slow_proofs.py")] if slow else [sys.executable, "-m", "mkdocs"]
    return subprocess.run(
        [*start, "build", "--strict", "-f", str(folder / "mkdocs.yml"), "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "POLICYPROOF_CACHE_DIR": str(cache)},
        timeout=600,
    )


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _copy(folder: Path) -> Path:
    site_copy(folder)
    (folder / "slow_proofs.py").write_text(RUNNER, encoding="utf-8")
    return folder


def test_pages_finished_after_their_proofs_are_the_pages_a_waiting_build_writes(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "notes")
    cache = tmp_path / "cache"
    cold = _build(folder, tmp_path / "cold", cache, slow=True)
    assert cold.returncode == 0, cold.stderr
    deferred = re.search(r"policyproof: (\d+) pages were written before their proofs were in", cold.stderr)
    assert deferred and int(deferred[1]) >= 6, cold.stderr  # at least the three notes, in both languages

    # Every proof from the cache now: no page waits, none is deferred.
    warm = _build(folder, tmp_path / "warm", cache, slow=False)
    assert warm.returncode == 0, warm.stderr
    assert "were written before their proofs were in" not in warm.stderr

    cold_files, warm_files = _files(tmp_path / "cold"), _files(tmp_path / "warm")
    assert sorted(cold_files) == sorted(warm_files)
    different = [name for name in cold_files if cold_files[name] != warm_files[name]]
    assert not different, f"a deferred page differs from the page a waiting build writes: {different}"
    # (The tokens also name the diagrams' SVG ids: only a placeholder itself is a leftover.)
    placeholder = re.compile(rb"<p>pproof-slot-\d+</p>|>pproof-late-\d+<|data-pproof-standin")
    leftovers = [name for name, data in cold_files.items() if placeholder.search(data)]
    assert not leftovers, f"placeholders left in {leftovers}"
    # The claims tables of deferred pages are in the search index of their language.
    index = (tmp_path / "cold" / "en" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "can create the grant for B" in index, (
        "the English claims table of the grants note is not searchable"
    )


def test_a_deferred_page_whose_claim_fails_stops_the_build_with_the_verdict(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "notes")
    claims = folder / "snippets" / "kms" / "grants" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    broken = text.replace("    expect: Allow\n", "    expect: ExplicitDeny\n", 1)
    assert broken != text
    claims.write_text(broken, encoding="utf-8")
    result = _build(folder, tmp_path / "site", tmp_path / "cache", slow=True)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "snippets/kms/grants/claims.yaml:" in result.stderr
    assert "grant-admin-creates-the-grant-for-app-b" in result.stderr
