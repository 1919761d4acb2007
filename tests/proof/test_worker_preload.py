"""Proof workers of src/policyproof/site/prover.py (``PendingProof``, ``_preload_for_workers``):
when several workers prove claims files, the parent loads the checker, the claims and symbolic
modules and the AWS action list once before forking them, and what they prove is what proving in
place gives."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policyproof.site.prover import SiteProver

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import bench_site  # noqa: E402 - the scale benchmark's own generator of copies of the KMS note

COPIES = 5  # enough work for two workers (prover.PARALLEL_WEIGHT)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench_site.generated_site(tmp_path_factory.mktemp("workers") / "site", COPIES)


def _pages(site: Path) -> dict[str, str]:
    pages = {}
    for number in range(COPIES):
        for suffix in ("", ".en"):
            uri = f"generated/copy-{number:03d}{suffix}.md"
            pages[uri] = (site / "docs" / uri).read_text(encoding="utf-8")
    return pages


def test_two_workers_prove_what_proving_in_place_proves(site: Path) -> None:
    pages = _pages(site)
    pending = SiteProver([site / "snippets"], root=site, workers=2).start(pages)
    assert len(pending._workers) == 2, "five claims files and their snippets are work for two workers"
    forked = pending.result()
    in_place = SiteProver([site / "snippets"], root=site).prove(pages)
    assert json.loads(forked.json_file_text()) == json.loads(in_place.json_file_text())
    summary = json.loads(forked.json_file_text())["summary"]
    # Each copy: its for_all claims proved by the symbolic engine, with its own account B.
    assert summary["failures"] == 0 and summary["proved"] == summary["claims"] > 0, summary
    universal = [c for c in json.loads(forked.json_file_text())["claims"] if c.get("kind") == "for_all"]
    assert len(universal) == 3 * COPIES and all(c["proved"] for c in universal), universal[:1]


def test_the_parent_loads_the_proving_stack_once_before_forking_several_workers(site: Path) -> None:
    # A fresh process (this one has loaded everything already), as a `mkdocs build` starts.
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from policyproof.site.prover import SiteProver
        from policyproof.symbolic.actions import documented_actions
        site = Path({str(site)!r})
        pages = {{
            uri: (site / "docs" / uri).read_text(encoding="utf-8")
            for uri in {sorted(_pages(site))!r}
        }}
        assert "policyproof.symbolic.claims" not in sys.modules
        assert "policyproof.check.checker" not in sys.modules
        assert documented_actions.cache_info().currsize == 0
        pending = SiteProver([site / "snippets"], root=site, workers=2).start(pages)
        loaded = {{
            "workers": len(pending._workers),
            "symbolic": "policyproof.symbolic.claims" in sys.modules,
            "claims": "policyproof.site.claim_proofs" in sys.modules,
            "checker": "policyproof.check.checker" in sys.modules,
            "actions": documented_actions.cache_info().currsize,
        }}
        pending.result()
        print(json.dumps(loaded))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=site
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"workers": 2, "symbolic": True, "claims": True, "checker": True, "actions": 1}, loaded
