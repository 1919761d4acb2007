"""Every claim of every page is proved against the page's own snippets.

One test per claim, id ``section/page::claim-id``, each reading its verdict from the site's one
verification (``policyproof.site.pipeline.verify_site``, run once per session): the decision,
``denied_at`` and ``rule``, as the build judges them. A failure is the pipeline's own line (the
claims file, the line and column of the key that is wrong, the expected and the actual decision)
with the engine's explanation. A claims file that does not load is one failure (``::<load>``); the
other tests of this module that need it are skipped, naming that test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import real_site_verification

from policyproof.claims import ClaimsError, ClaimsFile, find_claims_files, load_claims, prove

REPO = Path(__file__).resolve().parents[2]
SNIPPETS = REPO / "snippets"


def _cases() -> list:
    cases = []
    for path in find_claims_files(SNIPPETS):
        page = path.parent.relative_to(SNIPPETS).as_posix()
        try:
            claims_file = load_claims(path)
        except ClaimsError as error:
            # A broken claims file is one failing test with its message, not a collection error.
            cases.append(pytest.param(path, None, str(error), id=f"{page}::<load>"))
            continue
        for claim in claims_file.claims:
            cases.append(pytest.param(path, claim.id, None, id=f"{page}::{claim.id}"))
    return cases


_CASES = _cases()


def _loaded(path: Path) -> ClaimsFile:
    """The claims file, or a skip naming the one test that fails for it."""
    try:
        return load_claims(path)
    except ClaimsError:
        page = path.parent.relative_to(SNIPPETS).as_posix()
        pytest.skip(f"blocked: {path} does not load (reported once by test_claim[{page}::<load>])")


def test_there_are_claims() -> None:
    assert _CASES, f"no claims.yaml under {SNIPPETS}"


@pytest.mark.parametrize(("path", "claim_id", "load_error"), _CASES)
def test_claim(path: Path, claim_id: str | None, load_error: str | None) -> None:
    group = path.parent.relative_to(SNIPPETS).as_posix()
    verification = real_site_verification()
    if claim_id is None:
        error = verification.proof.claims_errors.get(group)
        assert error is None and load_error is None, error.format() if error else load_error
        return
    claims = {claim.id: claim for claim in verification.proof.claims.get(group, [])}
    if group in verification.proof.claims_errors:
        pytest.skip(f"blocked: {path} cannot be proved (reported once by test_claim[{group}::<load>])")
    assert claim_id in claims, (
        f"{path}: claim {claim_id} is not shown on any page, so the site never proves it"
    )
    claim = claims[claim_id]
    problem = claim.problem(verification.proof.pages_of_group(group))
    assert problem is None, problem.format()


def test_kms_page_covers_each_kind_of_claim() -> None:
    """The KMS page's claims exercise requests, every flow, drops, swaps and both decisions."""
    claims_file = _loaded(SNIPPETS / "kms/cross-account-encryption/claims.yaml")
    flows = {claim.flow["name"] for claim in claims_file.claims if claim.flow}
    assert flows == {
        "s3-get-object",
        "s3-put-object",
        "s3-multipart-upload",
        "ebs-copy-snapshot",
        "ebs-create-volume",
    }, f"{claims_file.path}: flows used: {sorted(flows)}"
    assert any(claim.without for claim in claims_file.claims)
    assert any(claim.replace for claim in claims_file.claims)
    assert {claim.expect for claim in claims_file.claims} >= {"Allow", "ImplicitDeny"}
    managed = {spec.managed for spec in claims_file.resources.values() if spec.managed}
    assert managed == {"aws/s3", "aws/ebs"}


def test_every_claim_has_both_languages() -> None:
    for path in find_claims_files(SNIPPETS):
        for claim in _loaded(path).claims:
            for lang in ("vi", "en"):
                assert claim.text.get(lang, "").strip(), (
                    f"{path}:{claim.line}: claim {claim.id} lacks text.{lang}"
                )


def test_results_serialise_for_the_site() -> None:
    """The site renders claims tables and sequence diagrams from ``ClaimResult.to_dict()``."""
    for path in find_claims_files(SNIPPETS):
        for result in prove(_loaded(path)):
            data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
            where = f"{path}:{result.claim.line}: claim {result.claim.id}"
            assert data["expected"] == result.expected and data["actual"] == result.actual, where
            assert set(data["explanation"]) == {"en", "vi"}, where
            if result.flow is None:
                assert "trace" in data, where
                continue
            for step in data["flow"]["steps"]:
                assert step["caller"] and step["callee"] and step["action"] and step["resource"], where
                if step["decision"] == "Allow" and "fact" not in step:
                    assert step["deciding"], f"{where}: step {step['number']} names no deciding statement"
