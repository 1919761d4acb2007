"""Recognising policies in JSON blocks: whole documents, kinds, names."""

from __future__ import annotations

import pytest

from policyproof.hugo.policies import (
    NotStrictJson,
    as_policy,
    parse_strict,
    replace_placeholders,
    snippet_name,
    snippet_stem,
)

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
        # another service's resource policy: contract 4's *.resource-policy.json
        ({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}, "resource"),
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


def test_snippets_are_named_after_what_the_policy_is() -> None:
    with_sid = {
        "Statement": [
            {"Sid": "AllowGlueStartJob", "Effect": "Allow", "Action": "glue:StartJobRun", "Resource": "*"}
        ]
    }
    assert snippet_stem(with_sid) == "allow-glue-start-job"
    generic_sid = {
        "Statement": [
            {
                "Sid": "VisualEditor0",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": "*",
            }
        ]
    }
    assert snippet_stem(generic_sid) == "s3-getobject-listbucket"
    deny = {"Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}
    assert snippet_stem(deny) == "deny-s3-deletebucket"
    assert snippet_name("s3-getobject", "identity", set()) == "s3-getobject.identity-policy.json"
    taken = {"s3-getobject.identity-policy.json"}
    assert snippet_name("s3-getobject", "identity", taken) == "s3-getobject-2.identity-policy.json"


def test_placeholders_become_aws_example_values() -> None:
    document = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "logs:PutLogEvents",
                "Resource": [
                    "arn:aws:logs:<region>:<account-id>:log-group:ops:*",
                    "arn:aws:s3:::YOUR_BUCKET_NAME/${aws:username}/*",
                ],
            }
        ]
    }
    fixed, replaced = replace_placeholders(document)
    assert fixed["Statement"][0]["Resource"] == [
        "arn:aws:logs:us-east-1:111122223333:log-group:ops:*",
        "arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*",  # a policy variable is not a placeholder
    ]
    assert [(r.placeholder, r.value) for r in replaced] == [
        ("<region>", "us-east-1"),
        ("<account-id>", "111122223333"),
        ("YOUR_BUCKET_NAME", "amzn-s3-demo-bucket"),
    ]
