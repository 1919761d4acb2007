"""Pages written before their proofs are in (src/policyproof/site/hooks/proof.py, ``_defer`` and
``_finish_deferred``): a cold build no longer holds every page of the first language until the
workers have proved it. Such a page is written with placeholders, then finished at the end of
the last language, and the site must be the one a build that waited would write, byte for byte.

The site is this site plus copies of the KMS note (the scale benchmark's generator), and one
claims file, the first page's, takes four seconds more to prove, so that every page is written
before the site is proved and most are finished once everything is (by several processes): a
runner wraps the prover's claims function before MkDocs starts (the proof workers are forked from
the build, so they inherit it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, require_verified_site

sys.path.insert(0, str(REPO / "bench"))
import bench_site  # noqa: E402 - the scale benchmark's own generator of copies of the KMS note

COPIES = 8

RUNNER = """
import os, runpy, sys, time
from policyproof.site import prover
from policyproof.site.hooks import proof_deferred

prove = prover._library_prove_claims_file


def slow(claims_file, group, *args, **kwargs):
    if group == "generated/copy-000":
        time.sleep(4.0)
    return prove(claims_file, group, *args, **kwargs)


prover._library_prove_claims_file = slow
if os.environ.get("FAIL_IN_HELPER"):  # a process finishing pages fails: the build must say so
    build, finish_page = os.getpid(), proof_deferred._finish_page

    def failing(*args, **kwargs):
        if os.getpid() != build:
            raise RuntimeError("the disk is full")
        return finish_page(*args, **kwargs)

    proof_deferred._finish_page = failing
sys.argv = ["mkdocs", *sys.argv[1:]]
runpy.run_module("mkdocs", run_name="__main__")
"""


def _build(
    folder: Path, site: Path, cache: Path, *, slow: bool, **env: str
) -> subprocess.CompletedProcess[str]:
    start = [sys.executable, str(folder / "slow_proofs.py")] if slow else [sys.executable, "-m", "mkdocs"]
    return subprocess.run(
        [*start, "build", "--strict", "-f", str(folder / "mkdocs.yml"), "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "POLICYPROOF_CACHE_DIR": str(cache), **env},
        timeout=600,
    )


_FINISHED = re.compile(
    r"policyproof: (\d+) pages were written before their proofs were in and finished once they were, "
    r"(\d+) of them by other processes"
)


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _copy(folder: Path) -> Path:
    require_verified_site()
    bench_site.generated_site(folder, COPIES)
    (folder / "slow_proofs.py").write_text(RUNNER, encoding="utf-8")
    return folder


def test_pages_finished_after_their_proofs_are_the_pages_a_waiting_build_writes(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "notes")
    cache = tmp_path / "cache"
    cold = _build(folder, tmp_path / "cold", cache, slow=True)
    assert cold.returncode == 0, cold.stderr
    finished = _FINISHED.search(cold.stderr)
    assert finished and int(finished[1]) >= COPIES + 3, cold.stderr  # the first language's notes at least
    if (os.cpu_count() or 1) > 1:  # once everything is proved, the pages are shared between cores
        assert int(finished[2]) > 0, cold.stderr

    # Every proof from the cache now: no page waits, none is deferred.
    warm = _build(folder, tmp_path / "warm", cache, slow=False)
    assert warm.returncode == 0, warm.stderr
    assert not _FINISHED.search(warm.stderr), warm.stderr
    # The search entries made for the finished pages are reused, though a page of the first language
    # was indexed during the last language's build (site/page_cache.py keys it by its own build).
    assert "search entries made 0," in warm.stderr, warm.stderr

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


def test_a_process_finishing_pages_that_fails_fails_the_build(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "notes")
    result = _build(folder, tmp_path / "site", tmp_path / "cache", slow=True, FAIL_IN_HELPER="1")
    if (os.cpu_count() or 1) == 1:
        assert result.returncode == 0, result.stderr  # no other process: nothing fails
        return
    assert result.returncode == 1, result.stderr
    assert "finishing pages failed" in result.stderr and "the disk is full" in result.stderr, result.stderr
