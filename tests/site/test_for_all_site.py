"""Universal claims (``for_all:`` in claims.yaml) in the site: loaded with file:line errors, proved by
the symbolic engine, failing the verification with the counterexample request, and rendered in the
page's claims tables in both languages (src/policyproof/site/claim_proofs.py, proofs.py,
hooks/proof_render.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SNIPPETS, site_copy

from policyproof.claims import ClaimsError, load_claims
from policyproof.site.claim_proofs import prove_claims_file
from policyproof.site.hooks.proof_render import claims_table
from policyproof.site.pipeline import verify_site

SEED = "kms/cross-account-encryption"
B = "222222222222"
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Owner",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "B",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        },
    ],
}
BASE = """\
accounts: {A: "111111111111", B: "222222222222"}
region: us-east-1
resources:
  key-a: {arn: "arn:aws:kms:us-east-1:111111111111:key/1234abcd", policy: key.key-policy.json}
principals:
  admin-a: {arn: "arn:aws:iam::111111111111:role/admin", policies: [{name: admin, document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}}]}
claims:
  - id: owner-decrypts
    text: {vi: "A giải mã được", en: "A can decrypt"}
    request: {principal: admin-a, action: "kms:Decrypt", resource: key-a}
    expect: Allow
for_all:
"""
GOOD_ITEM = """\
  - id: nobody-outside-a-and-b
    text: {vi: "Ngoài A và B không ai giải mã được", en: "Nobody outside A and B can decrypt"}
    resource: key-a
    actions: ["kms:Decrypt"]
    accounts_outside: [A, B]
    expect: Deny
"""
ONLY_A_ITEM = """\
  - id: nobody-outside-a
    text: {vi: "Ngoài A không ai giải mã được", en: "Nobody outside A can decrypt"}
    resource: key-a
    actions: ["kms:Decrypt"]
    accounts_outside: [A]
    expect: Deny
"""


def _write(tmp_path: Path, items: str) -> Path:
    (tmp_path / "key.key-policy.json").write_text(json.dumps(KEY_POLICY, indent=2), encoding="utf-8")
    path = tmp_path / "claims.yaml"
    path.write_text(BASE + items, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "words"),
    [
        ("resource: key-a\n", "resource: key-z\n", 15, 15, "unknown resource 'key-z'"),
        ("accounts_outside: [A, B]", "accounts_outside: [A, C]", 17, 27, "unknown account 'C'"),
        ("expect: Deny", "expect: Allow", 18, 13, "for_all[0].expect is 'Allow'; it must be one of Deny"),
        ("    resource: key-a\n", "", 13, 9, "needs `resource`, `principal` or both"),
        (
            'actions: ["kms:Decrypt"]',
            'actions: ["kms:Decrypt"]\n    actions_outside: ["kms:Encrypt"]',
            17,
            5,
            "give `actions` (only these actions) or `actions_outside`",
        ),
        ("    accounts_outside", "    principals_outside", 17, 5, "unknown field 'principals_outside'"),
    ],
)
def test_a_bad_for_all_item_is_one_error_at_its_file_line_and_column(
    tmp_path: Path, old: str, new: str, line: int, column: int, words: str
) -> None:
    assert old in GOOD_ITEM
    path = _write(tmp_path, GOOD_ITEM.replace(old, new, 1))
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    assert str(caught.value).startswith(f"{path}:{line}:{column}: "), str(caught.value)
    assert words in str(caught.value)


def test_a_for_all_id_used_by_a_claim_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_ITEM.replace("nobody-outside-a-and-b", "owner-decrypts"))
    with pytest.raises(ClaimsError, match="'owner-decrypts' is used twice") as caught:
        load_claims(path)
    assert caught.value.line == 13


def test_the_loader_keeps_for_all_specs_with_their_line(tmp_path: Path) -> None:
    [spec] = load_claims(_write(tmp_path, GOOD_ITEM)).for_all
    assert (spec.id, spec.resource, spec.actions, spec.accounts_outside, spec.line) == (
        "nobody-outside-a-and-b",
        "key-a",
        ("kms:Decrypt",),
        ("A", "B"),
        13,
    )


def test_a_proved_universal_claim_and_a_refuted_one_become_records(tmp_path: Path) -> None:
    group = prove_claims_file(_write(tmp_path, GOOD_ITEM + ONLY_A_ITEM), "g", root=tmp_path)
    by_id = {claim.id: claim for claim in group.claims}
    proved, refuted = by_id["nobody-outside-a-and-b"], by_id["nobody-outside-a"]
    assert proved.proved and proved.problem("page") is None
    assert proved.to_dict()["kind"] == "for_all" and proved.to_dict()["forAll"]["proved"] is True
    assert not refuted.proved
    problem = refuted.problem("docs/page.md")
    assert problem is not None and (problem.file, problem.line) == ("claims.yaml", 19)
    assert "expected Deny for every request, but this request is allowed" in problem.message
    assert f"arn:aws:iam::{B}:" in problem.message and "kms:decrypt" in problem.message.lower()
    counterexample = refuted.to_dict()["forAll"]["counterexample"]
    assert counterexample["decision"] == "Allow"
    assert counterexample["request"]["resource"] == "arn:aws:kms:us-east-1:111111111111:key/1234abcd"


def test_rows_say_every_request_in_the_page_language(tmp_path: Path) -> None:
    group = prove_claims_file(_write(tmp_path, GOOD_ITEM + ONLY_A_ITEM), "g", root=tmp_path)
    vi = claims_table(group.claims, lang="vi", report_url="r/", marker="m")
    en = claims_table(group.claims, lang="en", report_url="r/", marker="m")
    assert "mọi request của principal ngoài account A, B với kms:Decrypt trên key-a" in vi
    assert "Deny với mọi request" in vi and "Phản ví dụ (được Allow)" in vi
    assert "every request by a principal outside accounts A, B for kms:Decrypt on key-a" in en
    assert "Deny for all" in en and "Counterexample (allowed)" in en
    # The proved row has a ✓; the refuted one shows the allowed request (English code on a vi page).
    proved_row = en.split('<tr data-claim="nobody-outside-a-and-b">')[1].split("</tr>")[0]
    assert "✓" in proved_row and "✗" not in proved_row
    refuted_vi = vi.split('<tr data-claim="nobody-outside-a">')[1].split("</tr>")[0]
    assert f'<code class="pp-counterexample" lang="en">arn:aws:iam::{B}:' in refuted_vi
    assert "✗" in refuted_vi


def test_the_site_fails_with_the_counterexample_request(tmp_path: Path) -> None:
    site_copy(tmp_path)
    claims = tmp_path / "snippets" / SEED / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    old = "    accounts_outside: [A, B]\n"
    assert old in text
    line = text[: text.index("  - id: only-a-and-b-decrypt-with-key-a")].count("\n") + 1
    claims.write_text(text.replace(old, "    accounts_outside: [A]\n", 1), encoding="utf-8")
    lines = verify_site(tmp_path, cache=False).lines()
    assert len(lines) == 1, "\n".join(lines)
    assert lines[0].startswith(f"snippets/{SEED}/claims.yaml:{line}:5: error claim-not-proved: "), lines[0]
    assert "universal claim 'only-a-and-b-decrypt-with-key-a'" in lines[0]
    assert (
        f"principal arn:aws:iam::{B}:" in lines[0]
        and "resource arn:aws:kms:us-east-1:111111111111:key/" in lines[0]
    )


@pytest.mark.parametrize(
    ("group", "ids"),
    [
        (
            SEED,
            {
                "only-a-and-b-decrypt-with-key-a",
                "b-never-schedules-deletion-of-key-a",
                "app-reader-b-grants-only-key-use",
            },
        ),
        (
            "organizations/data-perimeter",
            {"no-outsider-changes-bucket-a-policy", "only-account-a-uses-key-a"},
        ),
    ],
)
def test_the_notes_universal_claims_are_proved_and_shown_on_both_pages(group: str, ids: set[str]) -> None:
    proofs = prove_claims_file(SNIPPETS / group / "claims.yaml", group, root=SNIPPETS.parent)
    universal = {claim.id: claim for claim in proofs.claims if claim.universal}
    assert set(universal) == ids
    assert all(claim.proved for claim in universal.values())
    docs = SNIPPETS.parent / "docs"
    page = group.split("/")
    for suffix in (".md", ".en.md"):
        text = (docs / page[0] / f"{page[1]}{suffix}").read_text(encoding="utf-8")
        markers = " ".join(line for line in text.splitlines() if line.startswith("<!-- claims:"))
        for claim_id in ids - {"b-never-schedules-deletion-of-key-a"}:  # that one by `b-*-key-a`
            assert claim_id in markers, (suffix, claim_id)
    assert verify_site(SNIPPETS.parent, cache=False).lines() == []
