"""A managed key shown on the page (`managed:` plus `policy:` file) must be the policy AWS attaches.

The loader compares the file with ``managed_key_policy(alias, account, region)``: equal, the file
is the policy proved (and the site lists the claims under that snippet); different, loading fails
at the file's first differing line, naming the claims file line that uses it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.claims import ClaimsError, load_claims, prove
from policyproof.engine.managed_keys import managed_key_policy

A, B = "111111111111", "222222222222"
FILE = "aws-s3.key-policy.json"

CLAIMS = f"""\
accounts: {{A: "{A}", B: "{B}"}}
region: us-east-1
resources:
  aws-s3-key-a:
    arn: arn:aws:kms:us-east-1:{A}:key/5c6d7e8f-1111-2222-3333-444455556666
    managed: aws/s3
    policy: {FILE}
principals:
  admin-a:
    arn: arn:aws:iam::{A}:role/admin
    policies:
      - name: a-kms-everything
        document:
          Version: "2012-10-17"
          Statement: [{{Effect: Allow, Action: "kms:*", Resource: "*"}}]
claims:
  - id: a-reads-metadata
    text: {{vi: "A đọc được metadata của key", en: "A can read the key's metadata"}}
    request: {{principal: admin-a, action: "kms:DescribeKey", resource: aws-s3-key-a}}
    expect: Allow
  - id: a-cannot-decrypt-directly
    text: {{vi: "A không giải mã trực tiếp được", en: "A cannot decrypt directly"}}
    request: {{principal: admin-a, action: "kms:Decrypt", resource: aws-s3-key-a}}
    expect: ImplicitDeny
"""


def _page(tmp_path: Path, policy: dict) -> Path:
    (tmp_path / FILE).write_text(json.dumps(policy, indent=2), encoding="utf-8")
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS, encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_equal_file_is_the_policy_proved(tmp_path: Path) -> None:
    path = _page(tmp_path, managed_key_policy("aws/s3", A, "us-east-1"))
    loaded = load_claims(path)
    results = prove(loaded)
    assert all(result.passed for result in results), [r.failure_message() for r in results]
    # The trace names the file, so the site lists these claims under that snippet.
    names = {policy.name for result in results for policy in result.result.trace.policies}
    assert FILE in names, names
    assert loaded.resources["aws-s3-key-a"].managed == "aws/s3"


def test_changed_value_fails_at_its_line_in_the_file(tmp_path: Path) -> None:
    policy = managed_key_policy("aws/s3", A, "us-east-1")
    policy["Statement"][0]["Condition"]["StringEquals"]["kms:CallerAccount"] = B  # as if B were admitted
    path = _page(tmp_path, policy)
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    error = caught.value
    assert error.file == str(tmp_path / FILE)
    assert error.line == _line_of(tmp_path / FILE, f'"kms:CallerAccount": "{B}"'), str(error)
    assert "Statement[0].Condition.StringEquals.kms:CallerAccount" in error.message
    assert f'"{B}"' in error.message and f'"{A}"' in error.message
    assert f"claims.yaml:{_line_of(path, f'policy: {FILE}')}" in error.message
    assert str(error).startswith(f"{tmp_path / FILE}:{error.line}:{error.column}: ")


def test_extra_statement_and_extra_key_are_caught(tmp_path: Path) -> None:
    policy = managed_key_policy("aws/s3", A, "us-east-1")
    policy["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "kms:*", "Resource": "*"}
    )
    with pytest.raises(ClaimsError, match="Statement has 3 entries, the managed policy 2"):
        load_claims(_page(tmp_path, policy))

    policy = managed_key_policy("aws/s3", A, "us-east-1")
    policy["Statement"][1]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    with pytest.raises(ClaimsError) as caught:
        load_claims(_page(tmp_path, policy))
    assert "Statement[1] has 'Condition'" in caught.value.message
    lines = (tmp_path / FILE).read_text(encoding="utf-8").splitlines()
    second_condition = [n for n, line in enumerate(lines, start=1) if '"Condition"' in line][-1]
    assert caught.value.line == second_condition, str(caught.value)


def test_file_of_another_account_or_region_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClaimsError, match="kms:CallerAccount"):
        load_claims(_page(tmp_path, managed_key_policy("aws/s3", B, "us-east-1")))
    with pytest.raises(ClaimsError, match="kms:ViaService"):
        load_claims(_page(tmp_path, managed_key_policy("aws/s3", A, "eu-west-1")))


def test_the_page_snippet_is_checked_the_same_way() -> None:
    """The KMS page declares its aws/s3 key with the snippet the page shows."""
    page = Path(__file__).resolve().parents[2] / "snippets/kms/cross-account-encryption"
    loaded = load_claims(page / "claims.yaml")
    spec = loaded.resources["aws-s3-key-a"]
    assert (spec.managed, spec.policy) == ("aws/s3", "aws-s3-managed-key.key-policy.json")
    pitfalls = [
        result
        for result in prove(loaded)
        if any(
            policy.name == "aws-s3-managed-key.key-policy.json"
            for trace in (
                [result.result] if result.result else [s.result for s in result.flow.steps if s.result]
            )
            for policy in trace.trace.policies
        )
    ]
    assert {r.claim.id for r in pitfalls} >= {
        "aws-s3-object-access-denied-for-b",
        "a-cannot-use-aws-s3-key-directly",
        "b-cannot-read-aws-s3-key-metadata",
    }


def test_inline_policy_for_a_managed_key_is_refused(tmp_path: Path) -> None:
    path = _page(tmp_path, managed_key_policy("aws/s3", A, "us-east-1"))
    text = path.read_text(encoding="utf-8").replace(
        f"    policy: {FILE}\n",
        "    policy: {name: my-aws-s3, document: {Version: '2012-10-17', Statement: []}}\n",
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    assert "must be a file, not inline" in caught.value.message
    assert caught.value.file == str(path) and caught.value.line == _line_of(path, "policy: {name: my-aws-s3")
