"""Proof workers of src/policyproof/site/prover.py send each claims file's proof as soon as it is
done (``PendingProof.wait_for``): a page waits for its own proofs, not for the whole site's."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from policyproof.site import prover as prover_module
from policyproof.site.prover import ProofError, SiteProver

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import bench_site  # noqa: E402 - the scale benchmark's own generator of copies of the KMS note

COPIES = 5  # enough work for worker processes (prover.PARALLEL_WEIGHT)
SLOW = "generated/copy-002"
SLEEP = 6.0


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench_site.generated_site(tmp_path_factory.mktemp("streaming") / "site", COPIES)


def _pages(site: Path) -> dict[str, str]:
    uris = [f"generated/copy-{n:03d}{suffix}.md" for n in range(COPIES) for suffix in ("", ".en")]
    return {uri: (site / "docs" / uri).read_text(encoding="utf-8") for uri in uris}


def _slow_for(group_that_waits: str, *, fail: bool = False):
    def prove(claims_file: Path, group: str, root: Path | None = None):
        if group == group_that_waits:
            if fail:
                raise RuntimeError(f"{group}: the claims file could not be proved")
            time.sleep(SLEEP)
        return prover_module._library_prove_claims_file(claims_file, group, root)

    return prove


def _snippets_of(site: Path, group: str) -> list[str]:
    return sorted(f"{group}/{p.name}" for p in (site / "snippets" / group).glob("*.json"))


def test_a_page_gets_its_proofs_while_another_claims_file_is_still_being_proved(site: Path) -> None:
    # One worker, which proves the claims files in order: copy-000 first, the slow copy-002 last.
    # Without streaming, copy-000's proof would arrive with the last one.
    prover = SiteProver([site / "snippets"], root=site, workers=1, prove_claims_file=_slow_for(SLOW))
    started = time.perf_counter()
    pending = prover.start(_pages(site))
    assert len(pending._workers) == 1
    fast = "generated/copy-000"
    assert pending.wait_for([fast], _snippets_of(site, fast))
    waited = time.perf_counter() - started
    assert waited < SLEEP - 1, f"copy-000's proof took {waited:.1f} s: it waited for {SLOW}"
    assert pending._workers, "the worker proving the slow claims file is still running"
    proof = pending.result()
    assert time.perf_counter() - started >= SLEEP
    assert all(claim.proved for group in proof.claims.values() for claim in group)
    assert set(proof.claims) == {f"generated/copy-{n:03d}" for n in range(COPIES)}


def test_a_worker_that_fails_is_reported_by_the_whole_result(site: Path) -> None:
    failing = _slow_for(SLOW, fail=True)
    prover = SiteProver([site / "snippets"], root=site, workers=2, prove_claims_file=failing)
    pending = prover.start(_pages(site))
    assert not pending.wait_for([SLOW], [])
    with pytest.raises(ProofError, match="copy-002: the claims file could not be proved"):
        pending.result()


def test_a_worker_finishes_while_the_build_reads_nothing(site: Path) -> None:
    # MkDocs converts every page before it builds the first one, and the build reads the workers
    # only when a page waits for its proofs. A proof is far larger than a pipe's buffer (64 KiB on
    # Linux): sent through the pipe, it held the worker until the first page (prover.py,
    # ``_prove_in_worker``). Through a file, the worker proves all of its share meanwhile.
    prover = SiteProver([site / "snippets"], root=site, workers=1)
    pending = prover.start(_pages(site))
    [(process, _)] = pending._workers
    process.join(timeout=120)
    assert not process.is_alive(), "the worker waited for the build to read its proofs"
    outbox = pending._outbox
    assert outbox is not None and len(list(outbox.glob("*.pickle"))) >= COPIES
    biggest = max(path.stat().st_size for path in outbox.glob("*.pickle"))
    assert biggest > 64 * 1024, "this test needs a proof larger than a pipe's buffer"
    proof = pending.result()
    assert set(proof.claims) == {f"generated/copy-{n:03d}" for n in range(COPIES)}
    assert all(claim.proved for group in proof.claims.values() for claim in group)
    assert not outbox.exists(), "the proofs' files are removed once read"


def test_workers_run_at_a_lower_priority_than_the_build(site: Path) -> None:
    # The process building the pages is the critical path: a worker takes the CPU it leaves.
    prover = SiteProver(
        [site / "snippets"], root=site, workers=1, prove_claims_file=_slow_for("generated/copy-000")
    )
    pending = prover.start(_pages(site))
    [(process, _)] = pending._workers
    try:
        build = os.getpriority(os.PRIO_PROCESS, 0)
        expected = min(build + prover_module.WORKER_NICENESS, 19)  # 19: the lowest there is
        deadline = time.perf_counter() + 10
        while os.getpriority(os.PRIO_PROCESS, process.pid) != expected:
            assert time.perf_counter() < deadline, "the worker kept the build's priority"
            time.sleep(0.05)
    finally:
        pending.abandon()


def test_the_workers_files_are_removed_when_the_build_stops_early(site: Path, tmp_path: Path) -> None:
    # prover.py, PendingProof: a build that stops while its workers prove (a page-rule error, an
    # exception, Ctrl-C) never collects their proofs; their folder goes when the process ends.
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from policyproof.site.prover import SiteProver
        site = Path({str(site)!r})
        pages = {{uri: (site / "docs" / uri).read_text(encoding="utf-8") for uri in {sorted(_pages(site))!r}}}
        pending = SiteProver([site / "snippets"], root=site, workers=1).start(pages)
        print(pending._outbox, flush=True)
        raise SystemExit("the build stopped")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == 1 and "the build stopped" in done.stderr, done.stderr
    outbox = Path(done.stdout.strip().splitlines()[-1])
    assert outbox.parent == tmp_path
    assert not outbox.exists()
