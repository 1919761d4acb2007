"""The library side of the site proofs: which snippets and claims a build proves, caching, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.check.findings import Finding, InputError, Severity
from policyproof.site import prover as prover_module
from policyproof.site.proofs import ClaimProof, ProofError
from policyproof.site.prover import GroupProof, SiteProver

PAGE = """---
title: T
---

# T

```json
--8<-- "sec/page/key.key-policy.json"
```

!!! note

    ```json
    --8<-- "sec/page/app.identity-policy.json"
    ```
"""


@pytest.fixture
def snippets(tmp_path: Path) -> Path:
    base = tmp_path / "snippets"
    (base / "sec" / "page").mkdir(parents=True)
    (base / "sec" / "page" / "key.key-policy.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    (base / "sec" / "page" / "app.identity-policy.json").write_text(
        '{"Version": "2012-10-17", "Statement": []}'
    )
    (base / "sec" / "page" / "claims.yaml").write_text("claims: []\n")
    return base


def _claim(claim_id: str, decision: str = "Allow") -> ClaimProof:
    return ClaimProof(
        group="sec/page",
        id=claim_id,
        text={"vi": "v", "en": "e"},
        principal="p",
        principal_arn="arn:p",
        action="kms:Decrypt",
        resource="key",
        resource_arn="arn:k",
        expect="Allow",
        decision=decision,
        explanation={"en": f"because {claim_id}", "vi": "vì"},
        snippets=("sec/page/key.key-policy.json",),
        source="snippets/sec/page/claims.yaml:7",
    )


class Recorder:
    """Fake library functions that count their calls."""

    def __init__(self, findings: list[Finding] | None = None, claims: list[ClaimProof] | None = None) -> None:
        self.checked: list[dict] = []
        self.claims_runs = 0
        self.findings = findings or []
        self.claims = claims if claims is not None else [_claim("b-decrypts")]

    def check(self, text: str, **kwargs: object) -> list[Finding]:
        self.checked.append(kwargs)
        return list(self.findings)

    def prove(self, claims_file: Path, group: str) -> GroupProof:
        self.claims_runs += 1
        return GroupProof(
            list(self.claims), {"key.key-policy.json": {"attached_to": "arn:k", "owner_account": "1"}}
        )


def _prover(snippets: Path, recorder: Recorder) -> SiteProver:
    return SiteProver(
        [snippets],
        check=recorder.check,
        prove_claims_file=recorder.prove,
        catalog_version="1.0",
        root=snippets.parent,
    )


def test_each_snippet_and_claims_file_is_proved_once_for_both_languages_and_rebuilds(snippets: Path) -> None:
    recorder = Recorder()
    prover = _prover(snippets, recorder)
    pages = {"sec/page.md": PAGE, "sec/page.en.md": PAGE}
    first = prover.prove(pages)
    second = prover.prove(pages)  # the English pass of mkdocs-static-i18n, or a serve rebuild
    assert len(recorder.checked) == 2 and recorder.claims_runs == 1, (recorder.checked, recorder.claims_runs)
    assert prover.runs == {"snippets": 2, "claims_files": 1}
    assert first.to_json() == second.to_json()
    # Nothing changed: the same proof object, so verification.json is not computed twice.
    assert second is first
    text = first.json_file_text()
    assert second.json_file_text() is text
    # verification.json says what the site is, not what this process happened to take from a
    # cache: the work counts stay on the prover (and in the build's log), out of the published file.
    assert "work" not in json.loads(text)
    # Changing a snippet proves it (and the claims beside it) again.
    (snippets / "sec" / "page" / "key.key-policy.json").write_text(
        '{"Version": "2012-10-17", "Statement": [ ]}'
    )
    third = prover.prove(pages)
    assert len(recorder.checked) == 3 and recorder.claims_runs == 2
    assert prover.runs == {"snippets": 3, "claims_files": 2}
    assert third is not first and third.json_text is None


def test_a_worker_process_proves_while_the_checker_is_not_loaded_here(
    snippets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    prover = _prover(snippets, recorder)
    pages = {"sec/page.md": PAGE, "sec/page.en.md": PAGE}
    # A little to prove, the checker and engine already loaded in this process: proved in place.
    monkeypatch.setattr(prover_module, "_stack_loaded", lambda: True)
    assert not prover.start(pages)._workers
    # A build process that has not loaded them (a `mkdocs build` whose proofs are mostly cached):
    # the loading and proving run in a worker while MkDocs renders the pages.
    recorder = Recorder()
    prover = _prover(snippets, recorder)
    monkeypatch.setattr(prover_module, "_stack_loaded", lambda: False)
    pending = prover.start(pages)
    assert pending._workers, "the proof did not start a worker process"
    proof = pending.result()
    # The worker's calls happened in its own process: the parent's fakes saw none, its counts did.
    assert recorder.checked == [] and recorder.claims_runs == 0
    assert prover.runs == {"snippets": 2, "claims_files": 1}, prover.runs
    data = json.loads(proof.json_file_text())
    assert [c["id"] for c in data["claims"]] == ["b-decrypts"]
    # The second language pass reuses the worker's proof from the prover's memory.
    assert prover.start(pages).result() is proof


def test_the_claims_file_gives_the_checker_its_context(snippets: Path) -> None:
    recorder = Recorder()
    _prover(snippets, recorder).prove({"sec/page.md": PAGE})
    by_kind = {call["kind"]: call for call in recorder.checked}
    assert by_kind["key"]["attached_to"] == "arn:k" and by_kind["key"]["owner_account"] == "1"
    assert "attached_to" not in by_kind["identity"]


def test_proof_lists_includes_in_order_and_links_snippets_to_claims(snippets: Path) -> None:
    proof = _prover(snippets, Recorder()).prove({"sec/page.md": PAGE, "sec/page.en.md": PAGE})
    page = proof.pages["sec/page.en.md"]
    assert page.lang == "en" and page.claim_groups == ("sec/page",)
    assert [i.path for i in page.includes] == [
        "sec/page/key.key-policy.json",
        "sec/page/app.identity-policy.json",
    ]
    assert [c.id for c in proof.claims_of_snippet("sec/page/key.key-policy.json")] == ["b-decrypts"]
    assert proof.claims_of_snippet("sec/page/app.identity-policy.json") == []
    assert proof.failures() == []
    data = json.loads(json.dumps(proof.to_json()))
    assert data["summary"] == {
        "pages": {"en": 1, "vi": 1},
        "snippets": 2,
        "claims": 1,
        "proved": 1,
        "failures": 0,
    }
    assert data["snippets"][1]["claims"] == ["claim-sec-page-b-decrypts"]


def test_an_error_finding_fails_naming_page_snippet_and_position(snippets: Path) -> None:
    finding = Finding(
        "snippets/sec/page/key.key-policy.json", 4, 9, "unknown-action", Severity.ERROR, "no such"
    )
    proof = _prover(snippets, Recorder(findings=[finding])).prove({"sec/page.md": PAGE})
    failures = proof.failures()
    assert len(failures) == 2  # both snippets got the fake finding
    assert all(f.endswith("[shown on docs/sec/page.md]") for f in failures), failures
    assert failures[1].startswith(
        "snippets/sec/page/key.key-policy.json:4:9: error unknown-action: no such"
    ), failures


def test_warnings_and_suggestions_do_not_fail_but_are_counted(snippets: Path) -> None:
    finding = Finding("f", 1, 1, "style", Severity.WARNING, "meh")
    proof = _prover(snippets, Recorder(findings=[finding])).prove({"sec/page.md": PAGE})
    assert proof.failures() == []
    assert proof.snippets["sec/page/key.key-policy.json"].counts()["warning"] == 1


def test_a_claim_the_engine_does_not_prove_fails_naming_page_claim_and_file(snippets: Path) -> None:
    recorder = Recorder(claims=[_claim("b-decrypts", decision="ImplicitDeny")])
    failures = _prover(snippets, recorder).prove({"sec/page.md": PAGE}).failures()
    assert failures == [
        "snippets/sec/page/claims.yaml:7:1: error claim-not-proved: claim 'b-decrypts' (docs/sec/page.md): "
        "expected Allow, the engine decided ImplicitDeny:\n      because b-decrypts"
    ]


def test_a_claims_file_that_cannot_be_proved_fails_with_its_one_line_error(snippets: Path) -> None:
    def broken(claims_file: Path, group: str) -> GroupProof:
        raise InputError(str(claims_file), "unknown principal 'x'", 12, 5)

    prover = SiteProver([snippets], check=Recorder().check, prove_claims_file=broken, catalog_version="1")
    failures = prover.prove({"sec/page.md": PAGE}).failures()
    assert len(failures) == 1, failures
    assert failures[0].endswith("claims.yaml:12:5: error claims-file: unknown principal 'x'"), failures

    def unavailable(claims_file: Path, group: str) -> GroupProof:
        raise ProofError("engine missing")

    prover = SiteProver(
        [snippets], check=Recorder().check, prove_claims_file=unavailable, catalog_version="1"
    )
    assert "engine missing" in prover.prove({"sec/page.md": PAGE}).failures()[0]


def test_missing_snippet_unknown_kind_and_bad_json_fail(snippets: Path) -> None:
    (snippets / "sec" / "page" / "plain.json").write_text("{}")
    page = (
        '```json\n--8<-- "sec/page/missing.key-policy.json"\n```\n\n'
        '```json\n--8<-- "sec/page/plain.json"\n```\n'
    )

    def bad_json(text: str, **kwargs: object) -> list[Finding]:
        raise InputError(str(kwargs["file"]), "trailing comma", 3, 14)

    recorder = Recorder()
    failures = _prover(snippets, recorder).prove({"other.md": page}).failures()
    assert any(
        f.startswith(
            "docs/other.md:2:1: error missing-snippet: included snippet not found: "
            "sec/page/missing.key-policy.json"
        )
        for f in failures
    ), failures
    assert any(
        "plain.json:1:1: error snippet-kind: the file name declares no policy kind" in f for f in failures
    ), failures
    prover = SiteProver([snippets], check=bad_json, prove_claims_file=recorder.prove, catalog_version="1")
    failures = prover.prove({"sec/page.md": PAGE}).failures()
    assert any("key.key-policy.json:3:14: error snippet-input: trailing comma" in f for f in failures), (
        failures
    )


def test_the_real_claims_adapter_reports_a_bad_claims_file_as_one_line(tmp_path: Path) -> None:
    base = tmp_path / "snippets"
    (base / "sec" / "page").mkdir(parents=True)
    (base / "sec" / "page" / "claims.yaml").write_text("accounts: {A: '111111111111'}\nregion: [\n")
    prover = SiteProver([base], check=Recorder().check, catalog_version="1")
    failures = prover.prove({"sec/page.md": "# page\n"}).failures()
    assert len(failures) == 1 and "claims.yaml" in failures[0] and "\n" not in failures[0], failures


def test_a_declared_counter_example_may_carry_its_expected_findings_and_only_those(snippets: Path) -> None:
    folder = snippets / "sec" / "page"
    (folder / "expected-findings.yaml").write_text(
        "# the pitfall the page shows\nkey.key-policy.json: [unknown-action]\n"
    )
    wrong = Finding("f", 2, 3, "unknown-action", Severity.ERROR, "no such action")
    recorder = Recorder(findings=[wrong])
    prover = SiteProver(
        [snippets],
        check=recorder.check,
        prove_claims_file=recorder.prove,
        catalog_version="1",
        root=snippets.parent,
    )
    proof = prover.prove({"sec/page.md": PAGE})
    key = proof.snippets["sec/page/key.key-policy.json"]
    assert key.expected_codes == {"unknown-action"} and key.problems() == []
    # The identity policy declares nothing: the same finding fails it.
    assert [f for f in proof.failures() if "key.key-policy.json" in f] == []
    assert any("app.identity-policy.json" in f for f in proof.failures())
    # A declared finding no longer raised fails too: the page would explain a mistake it no longer shows.
    prover = SiteProver(
        [snippets], check=Recorder().check, prove_claims_file=recorder.prove, catalog_version="1"
    )
    failures = prover.prove({"sec/page.md": PAGE}).failures()
    assert any(
        "error expected-finding-not-raised: " in f
        and "declares 'unknown-action'" in f
        and "does not raise" in f
        for f in failures
    ), failures
