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
if os.environ.get("NO_DEFER"):  # the reference: every page waits for its proofs, as before
    proof_deferred.can_defer = lambda config: False
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
    cold = _build(folder, tmp_path / "cold", tmp_path / "cache", slow=True)
    assert cold.returncode == 0, cold.stderr
    finished = _FINISHED.search(cold.stderr)
    assert finished and int(finished[1]) >= COPIES + 3, cold.stderr  # the first language's notes at least
    if (os.cpu_count() or 1) > 1:  # once everything is proved, the pages are shared between cores
        assert int(finished[2]) > 0, cold.stderr

    # The reference: a build whose pages wait for their proofs, with caches of its own (nothing it
    # shows comes from the build above).
    waited = _build(folder, tmp_path / "waited", tmp_path / "cache-waited", slow=True, NO_DEFER="1")
    assert waited.returncode == 0, waited.stderr
    assert not _FINISHED.search(waited.stderr), waited.stderr
    cold_files, waited_files = _files(tmp_path / "cold"), _files(tmp_path / "waited")
    assert sorted(cold_files) == sorted(waited_files)
    different = [name for name in cold_files if cold_files[name] != waited_files[name]]
    assert not different, f"a finished page differs from the page a waiting build writes: {different}"
    # (The tokens also name the diagrams' SVG ids: only a placeholder itself is a leftover.)
    placeholder = re.compile(rb"<p>pproof-slot-\d+</p>|>pproof-late-\d+<|data-pproof-standin")
    leftovers = [name for name, data in cold_files.items() if placeholder.search(data)]
    assert not leftovers, f"placeholders left in {leftovers}"
    # The claims tables of finished pages are in the search index of their language.
    index = (tmp_path / "cold" / "en" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "can create the grant for B" in index, (
        "the English claims table of the grants note is not searchable"
    )

    # Every proof from the cold build's cache now: nothing waits, nothing is finished later, and
    # what the finished pages were made of is reused: no proof HTML rendered, no search entry
    # made (a first-language page was indexed during the last language's build: the page cache
    # keys it by its own build, site/page_cache.py).
    warm = _build(folder, tmp_path / "warm", tmp_path / "cache", slow=False)
    assert warm.returncode == 0, warm.stderr
    assert not _FINISHED.search(warm.stderr), warm.stderr
    assert "search entries made 0," in warm.stderr, warm.stderr
    assert _files(tmp_path / "warm") == cold_files


def test_a_deferred_page_whose_claim_fails_stops_the_build_with_the_verdict(tmp_path: Path) -> None:
    # The failing claim is the slow claims file's (copy-000): the build learns of it only when it
    # finishes its pages, every page being written by then.
    folder = _copy(tmp_path / "notes")
    claims = folder / "snippets" / "generated" / "copy-000" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    broken = text.replace("    expect: Allow\n", "    expect: ExplicitDeny\n", 1)
    assert broken != text
    claims.write_text(broken, encoding="utf-8")
    scratch = tmp_path / "tmp"  # where the workers hand over their proofs (tempfile's folder)
    scratch.mkdir()
    result = _build(folder, tmp_path / "site", tmp_path / "cache", slow=True, TMPDIR=str(scratch))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not list(scratch.iterdir()), "the failed build left its workers' files behind"
    assert "1 problem(s); the site is not built" in result.stderr, result.stderr
    assert "snippets/generated/copy-000/claims.yaml:" in result.stderr, result.stderr
    assert "expected ExplicitDeny, the engine decided Allow" in result.stderr, result.stderr
    assert not _FINISHED.search(result.stderr), "no page is finished with a failing proof"


def test_a_process_finishing_pages_that_fails_fails_the_build(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "notes")
    result = _build(folder, tmp_path / "site", tmp_path / "cache", slow=True, FAIL_IN_HELPER="1")
    if (os.cpu_count() or 1) == 1:
        assert result.returncode == 0, result.stderr  # no other process: nothing fails
        return
    assert result.returncode == 1, result.stderr
    assert "finishing pages failed" in result.stderr and "the disk is full" in result.stderr, result.stderr


def test_pages_wait_for_their_proofs_beside_a_plugin_that_could_read_them_unfinished(tmp_path: Path) -> None:
    # proof_deferred.can_defer: another search plugin would index the placeholders, a feed or a
    # minifier would read a page before its proofs are in.
    import types

    from mkdocs.config import load_config
    from mkdocs.plugins import BasePlugin

    from policyproof.site.hooks import proof_deferred

    folder = _copy(tmp_path / "notes")
    config = load_config(str(folder / "mkdocs.yml"))
    assert proof_deferred.can_defer(config)

    class Feed(BasePlugin):
        pass

    config.plugins["feed"] = Feed()
    assert not proof_deferred.can_defer(config)
    del config.plugins["feed"]
    hook = types.ModuleType("minify")
    hook.__file__ = str(tmp_path / "hooks" / "minify.py")
    config.plugins["hooks/minify.py"] = hook
    assert not proof_deferred.can_defer(config)
