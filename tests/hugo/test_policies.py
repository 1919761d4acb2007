"""Recognising policies in JSON blocks: whole documents, kinds, names."""

from __future__ import annotations

import pytest

from policyproof.hugo.policies import NotStrictJson, as_policy, parse_strict, snippet_name

ALLOW_READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def test_bare_statement_becomes_whole_identity_policy() -> None:
    policy = as_policy(ALLOW_READ)
    assert policy is not None and policy.was_partial
    assert policy.document == {"Version": "2012-10-17", "Statement": [ALLOW_READ]}
    assert policy.kind == "identity"


def test_statement_list_and_missing_version() -> None:
    listed = as_policy([ALLOW_READ, {**ALLOW_READ, "Effect": "Deny"}])
    assert listed is not None and len(listed.document["Statement"]) == 2
    versionless = as_policy({"Statement": [ALLOW_READ]})
    assert versionless is not None and list(versionless.document) == ["Version", "Statement"]


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
            "key",
        ),
        (
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            "bucket",
        ),
        (
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            "trust",
        ),
        ({"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": "sts:AssumeRoleWithSAML"}, "trust"),
        ({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}, "identity"),
        ({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}, None),
    ],
)
def test_kind_detection(statement: dict, kind: str | None) -> None:
    policy = as_policy(statement)
    assert policy is not None and policy.kind == kind


def test_not_a_policy() -> None:
    assert as_policy({"Name": "x"}) is None
    assert as_policy([1, 2]) is None


@pytest.mark.parametrize("text", ['{"a": 1,}', '{"a": 1, "a": 2}', '{"a": NaN}'])
def test_strict_json_rejects_what_aws_rejects(text: str) -> None:
    with pytest.raises(NotStrictJson):
        parse_strict(text)


def test_snippet_names_are_ascii_slugs() -> None:
    assert snippet_name(1, "**1. Key Policy (Account A — key owner):**", "key") == (
        "1-key-policy-account-a-key-owner.key-policy.json"
    )
    assert (
        snippet_name(2, "### Chính sách đọc khoá", "identity") == "2-chinh-sach-doc-khoa.identity-policy.json"
    )
    assert snippet_name(3, "", "trust") == "3-policy.trust-policy.json"
