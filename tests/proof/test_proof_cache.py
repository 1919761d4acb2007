"""Proofs cached on disk across builds (issue 14): keyed by what they depend on, re-proved when that
changes, safe to delete, never trusted when corrupt; spread over worker processes when many."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyproof.check.findings import Finding
from policyproof.site import proof_cache
from policyproof.site.proofs import ClaimProof
from policyproof.site.prover import GroupProof, SiteProver

POLICY = '{"Version": "2012-10-17", "Statement": []}'


def _page(group: str) -> str:
    return (
        f'# P {{ #p }}\n\n```json\n--8<-- "{group}/key.key-policy.json"\n```\n\n'
        f'```json\n--8<-- "{group}/app.identity-policy.json"\n```\n'
    )


def _site(root: Path, groups: int) -> dict[str, str]:
    """``groups`` page folders, each with two snippets and a claims file; returns the pages."""
    pages = {}
    for number in range(groups):
        group = f"sec/page{number}"
        folder = root / "snippets" / group
        folder.mkdir(parents=True)
        (folder / "key.key-policy.json").write_text(POLICY)
        (folder / "app.identity-policy.json").write_text(POLICY)
        (folder / "claims.yaml").write_text(f"# claims of {group}\n")
        pages[f"{group}.md"] = _page(group)
    return pages


class Fakes:
    """Library stand-ins that count what they are asked to prove (picklable results)."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.claims: list[str] = []

    def check(self, text: str, **kwargs: object) -> list[Finding]:
        self.checked.append(str(kwargs["file"]))
        return []

    def prove(self, claims_file: Path, group: str) -> GroupProof:
        self.claims.append(group)
        claim = ClaimProof(
            group=group,
            id="c",
            text={"vi": "v", "en": "e"},
            principal="p",
            principal_arn="arn:aws:iam::111111111111:role/p",
            action="kms:Decrypt",
            resource="key",
            resource_arn="arn:k",
            expect="Allow",
            decision="Allow",
            explanation={"en": "because", "vi": "vì"},
        )
        return GroupProof([claim], {"key.key-policy.json": {"owner_account": "111111111111"}})


def _prover(root: Path, fakes: Fakes, *, catalog: str = "1", cache: Path | None = None) -> SiteProver:
    """A new prover: a new process, as far as its memory goes; only the disk cache is shared."""
    return SiteProver(
        [root / "snippets"],
        check=fakes.check,
        prove_claims_file=fakes.prove,
        catalog_version=catalog,
        root=root,
        cache_dir=cache if cache is not None else root / ".cache" / "policyproof",
    )


def test_a_second_build_proves_nothing_and_gives_the_same_proof(tmp_path: Path) -> None:
    pages = _site(tmp_path, 3)
    first = Fakes()
    proof = _prover(tmp_path, first).prove(pages)
    assert len(first.checked) == 6 and len(first.claims) == 3
    again = Fakes()
    prover = _prover(tmp_path, again)
    assert prover.prove(pages).to_json() == proof.to_json()
    assert again.checked == [] and again.claims == [], (again.checked, again.claims)
    assert prover.runs == {"snippets": 0, "claims_files": 0} and prover.disk.hits == 9


def test_an_edit_re_proves_only_what_it_touches(tmp_path: Path) -> None:
    pages = _site(tmp_path, 3)
    _prover(tmp_path, Fakes()).prove(pages)
    (tmp_path / "snippets/sec/page1/app.identity-policy.json").write_text(POLICY.replace("[]", "[ ]"))
    fakes = Fakes()
    _prover(tmp_path, fakes).prove(pages)
    # The edited snippet, and the claims file beside it (its claims evaluate that snippet); the
    # other snippet of that folder keeps its proof (same text, same context), other folders too.
    assert fakes.checked == ["snippets/sec/page1/app.identity-policy.json"], fakes.checked
    assert fakes.claims == ["sec/page1"], fakes.claims


def test_a_new_catalog_or_new_proving_code_re_proves_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = _site(tmp_path, 2)
    _prover(tmp_path, Fakes()).prove(pages)
    fakes = Fakes()
    _prover(tmp_path, fakes, catalog="2").prove(pages)
    assert len(fakes.checked) == 4 and len(fakes.claims) == 2, "a new AWS catalog version reused old proofs"
    monkeypatch.setattr(proof_cache, "code_fingerprint", lambda: "another engine")
    monkeypatch.setattr("policyproof.site.prover.code_fingerprint", lambda: "another engine")
    fakes = Fakes()
    _prover(tmp_path, fakes, catalog="2").prove(pages)
    assert len(fakes.checked) == 4 and len(fakes.claims) == 2, "new engine code reused old proofs"


def test_the_code_fingerprint_covers_the_engine_and_the_checker() -> None:
    package = Path(proof_cache.__file__).resolve().parents[1]
    assert (package / "engine" / "evaluator.py").is_file() and (package / "check" / "checker.py").is_file()
    assert "engine" in proof_cache._PROVING_CODE and "check" in proof_cache._PROVING_CODE
    assert len(proof_cache.code_fingerprint()) == 64


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "other-key"])
def test_a_corrupt_entry_is_ignored_and_proved_again(tmp_path: Path, damage: str) -> None:
    pages = _site(tmp_path, 1)
    cache = tmp_path / ".cache" / "policyproof"
    _prover(tmp_path, Fakes()).prove(pages)
    entries = sorted(cache.rglob("*.pickle"))
    assert len(entries) == 3, entries
    victim = entries[0]
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        victim.write_bytes(data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:])
    elif damage == "garbage":
        victim.write_bytes(b"not a proof at all")
    else:  # a valid entry of another key copied over this one
        victim.write_bytes(entries[1].read_bytes())
    fakes = Fakes()
    prover = _prover(tmp_path, fakes)
    proof = prover.prove(pages)
    assert len(fakes.checked) + len(fakes.claims) == 1, (fakes.checked, fakes.claims)
    assert prover.disk.ignored == 1 and prover.disk.hits == 2
    assert proof.failures() == []


def test_the_cache_is_safe_to_delete(tmp_path: Path) -> None:
    pages = _site(tmp_path, 2)
    _prover(tmp_path, Fakes()).prove(pages)
    import shutil

    shutil.rmtree(tmp_path / ".cache")
    fakes = Fakes()
    assert _prover(tmp_path, fakes).prove(pages).failures() == []
    assert len(fakes.checked) == 4 and len(fakes.claims) == 2


def test_the_default_cache_lives_outside_docs_and_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(proof_cache.ENV_DIR, raising=False)
    monkeypatch.delenv(proof_cache.ENV_SWITCH, raising=False)
    assert proof_cache.cache_dir_for(tmp_path) == tmp_path / ".cache" / "policyproof"
    monkeypatch.setenv(proof_cache.ENV_SWITCH, "off")
    assert proof_cache.cache_dir_for(tmp_path) is None
    gitignore = (Path(__file__).resolve().parents[2] / ".gitignore").read_text(encoding="utf-8")
    assert ".cache/" in gitignore.splitlines(), ".gitignore does not keep the proof cache out of git"


def test_much_to_prove_is_spread_over_the_cores(tmp_path: Path) -> None:
    pages = _site(tmp_path, 12)  # 12 claims files and 24 snippets: more than one worker's share
    fakes = Fakes()
    prover = _prover(tmp_path, fakes)
    prover.workers = 2
    pending = prover.start(pages)
    assert len(pending._workers) == 2, "a large proof did not use two worker processes"
    proof = pending.result()
    assert prover.runs == {"snippets": 24, "claims_files": 12}, prover.runs
    # The same result as proving everything in this process.
    in_place = _prover(tmp_path, Fakes(), cache=tmp_path / "other-cache").prove(pages)
    assert proof.to_json() == in_place.to_json()
    # Contexts from each claims file reached the snippets checked in the worker that proved it.
    assert {s.path for s in proof.snippets.values()} == {
        f"sec/page{n}/{name}"
        for n in range(12)
        for name in ("key.key-policy.json", "app.identity-policy.json")
    }


def test_a_claim_pickles_the_same_once_a_page_has_rendered_it() -> None:
    # site/proofs.py, ClaimProof.__getstate__: a page's proof HTML is kept under the digest of its
    # claims' pickle (SiteProof.record_digests). Rendering a claim works out its anchor, kept in the
    # instance: pickled with it, a page rendered later in the same build (a page finished after its
    # proofs, site/hooks/proof_deferred.py) got another digest, and the next build rendered it again.
    import pickle

    [claim] = Fakes().prove(Path("claims.yaml"), "sec/page0").claims
    before = pickle.dumps([claim], protocol=pickle.HIGHEST_PROTOCOL)
    assert claim.anchor == "claim-sec-page0-c"
    assert pickle.dumps([claim], protocol=pickle.HIGHEST_PROTOCOL) == before
    assert pickle.loads(before)[0].anchor == claim.anchor
