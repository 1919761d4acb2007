"""Every claim of every page is proved against the page's own snippets.

One test per claim, id ``section/page::claim-id``. A failure names the claims file, the claim's
line, the expected and the actual decision, and the engine's explanation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.claims import ClaimsError, find_claims_files, load_claims, prove

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
_PROVED: dict[Path, dict] = {}


def _results(path: Path) -> dict:
    if path not in _PROVED:
        _PROVED[path] = {result.claim.id: result for result in prove(load_claims(path))}
    return _PROVED[path]


def test_there_are_claims() -> None:
    assert _CASES, f"no claims.yaml under {SNIPPETS}"


@pytest.mark.parametrize(("path", "claim_id", "load_error"), _CASES)
def test_claim(path: Path, claim_id: str | None, load_error: str | None) -> None:
    assert load_error is None, load_error
    result = _results(path)[claim_id]
    assert result.passed, result.failure_message()


def test_kms_page_covers_each_kind_of_claim() -> None:
    """The KMS page's claims exercise requests, every flow, drops, swaps and both decisions."""
    claims_file = load_claims(SNIPPETS / "kms/cross-account-encryption/claims.yaml")
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
        for claim in load_claims(path).claims:
            for lang in ("vi", "en"):
                assert claim.text.get(lang, "").strip(), (
                    f"{path}:{claim.line}: claim {claim.id} lacks text.{lang}"
                )


def test_results_serialise_for_the_site() -> None:
    """The site renders claims tables and sequence diagrams from ``ClaimResult.to_dict()``."""
    for path in find_claims_files(SNIPPETS):
        for result in prove(load_claims(path)):
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
