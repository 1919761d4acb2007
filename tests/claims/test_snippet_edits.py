"""A wrong edit to a snippet makes the page's claims fail (on a throw-away copy of the page)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from policyproof.claims import ClaimsError, prove_claims

PAGE = Path(__file__).resolve().parents[2] / "snippets/kms/cross-account-encryption"


def _copy(tmp_path: Path) -> Path:
    # Each edit must be the only thing wrong with the copy: a page that already fails is
    # reported once, by its own tests (tests/claims/test_page_claims.py).
    try:
        failing = [r.claim.id for r in prove_claims(PAGE / "claims.yaml") if not r.passed]
    except ClaimsError as error:
        pytest.skip(f"blocked: {PAGE / 'claims.yaml'} does not load ({error.message})")
    if failing:
        pytest.skip(f"blocked: claims of the real page fail already: {', '.join(failing)}")
    folder = tmp_path / "kms/cross-account-encryption"
    shutil.copytree(PAGE, folder)
    return folder


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def _failing(folder: Path) -> dict[str, str]:
    return {r.claim.id: r.failure_message() for r in prove_claims(folder / "claims.yaml") if not r.passed}


def test_the_copy_passes_unchanged(tmp_path: Path) -> None:
    assert _failing(_copy(tmp_path)) == {}


def test_removing_b_from_the_key_policy_fails_the_allow_claims(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder,
        "key-a-shared-with-b.key-policy.json",
        lambda doc: doc["Statement"][1]["Principal"].update(AWS="arn:aws:iam::333333333333:root"),
    )
    failing = _failing(folder)
    assert {
        "b-decrypts-with-key-a",
        "b-reads-sse-kms-object",
        "b-writes-sse-kms-object",
        "b-multipart-uploads-sse-kms-object",
        "fix-with-customer-managed-key",
    } <= set(failing)
    message = failing["b-decrypts-with-key-a"]
    assert message.startswith(f"{folder / 'claims.yaml'}:")
    assert "expected Allow, got ImplicitDeny" in message


def test_deleting_the_statement_a_claim_drops_is_a_clear_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "key-a-shared-with-b.key-policy.json", lambda doc: doc["Statement"].pop(1))
    with pytest.raises(ClaimsError) as caught:
        prove_claims(folder / "claims.yaml")
    assert "no statement with Sid 'AllowAccountBToUseTheKey'" in caught.value.message
    line = (folder / "claims.yaml").read_text(encoding="utf-8").splitlines()[caught.value.line - 1]
    assert "#AllowAccountBToUseTheKey" in line


def test_dropping_decrypt_from_the_key_policy_fails_reads_and_multipart_only(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder,
        "key-a-shared-with-b.key-policy.json",
        lambda doc: doc["Statement"][1]["Action"].remove("kms:Decrypt"),
    )
    failing = _failing(folder)
    assert "b-reads-sse-kms-object" in failing and "b-multipart-uploads-sse-kms-object" in failing
    assert "b-writes-sse-kms-object" not in failing, "PutObject needs only kms:GenerateDataKey"


def test_weakening_the_create_grant_condition_is_caught(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder,
        "snapshot-key-a-shared-with-b.key-policy.json",
        lambda doc: doc["Statement"][2].pop("Condition"),
    )
    assert set(_failing(folder)) == {"create-grant-only-through-ebs"}


def test_bucket_policy_naming_another_role_fails_the_s3_claims(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder,
        "bucket-a-shared-with-b.bucket-policy.json",
        lambda doc: doc["Statement"][0]["Principal"].update(
            AWS="arn:aws:iam::222222222222:role/someone-else"
        ),
    )
    failing = _failing(folder)
    assert "b-reads-sse-kms-object" in failing
    assert "s3:GetObject" in failing["b-reads-sse-kms-object"]


def test_iam_policy_with_a_key_id_instead_of_the_key_arn_is_caught(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(
        folder,
        "app-reader-uses-key-a.identity-policy.json",
        lambda doc: doc["Statement"][0].update(Resource="1234abcd-12ab-34cd-56ef-1234567890ab"),
    )
    assert "b-decrypts-with-key-a" in _failing(folder)
