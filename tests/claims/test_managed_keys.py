"""AWS managed keys as data: their key policies, and what the engine decides with them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.engine import EngineInputError, NamedPolicy, PolicySet, Request, evaluate
from policyproof.engine.managed_keys import managed_key_aliases, managed_key_policy, via_service

REPO = Path(__file__).resolve().parents[2]
A, B = "111111111111", "222222222222"
KEY = f"arn:aws:kms:us-east-1:{A}:key/5c6d7e8f-1111-2222-3333-444455556666"


def _decide(alias: str, principal: str, action: str, context: dict, identity: list | None = None) -> str:
    policy = NamedPolicy(alias, managed_key_policy(alias, A, "us-east-1"))
    request = Request(principal, action, KEY, A, context)
    return evaluate(request, PolicySet(identity=identity or [], resource=policy)).decision


def test_aliases() -> None:
    assert {"aws/s3", "aws/ebs"} <= set(managed_key_aliases())


def test_the_page_shows_the_aws_s3_policy_of_the_data() -> None:
    snippet = REPO / "snippets/kms/cross-account-encryption/aws-s3-managed-key.key-policy.json"
    shown = json.loads(snippet.read_text(encoding="utf-8"))
    assert shown == managed_key_policy("aws/s3", A, "us-east-1"), (
        f"{snippet}: the aws/s3 key policy shown on the page differs from policyproof/data/managed-keys.json"
    )


@pytest.mark.parametrize(
    ("alias", "service"), [("aws/s3", "s3"), ("aws/ebs", "ec2"), ("aws/rds", "rds"), ("aws/lambda", "lambda")]
)
def test_policy_shape(alias: str, service: str) -> None:
    policy = managed_key_policy(alias, A, "eu-west-3")
    use, metadata = policy["Statement"]
    assert use["Principal"] == {"AWS": "*"}
    assert use["Condition"]["StringEquals"] == {
        "kms:CallerAccount": A,
        "kms:ViaService": f"{service}.eu-west-3.amazonaws.com",
    }
    assert {"kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"} <= set(use["Action"])
    assert metadata["Principal"] == {"AWS": f"arn:aws:iam::{A}:root"}
    assert via_service(alias, "eu-west-3") == f"{service}.eu-west-3.amazonaws.com"


@pytest.mark.parametrize("alias", ["aws/s3", "aws/ebs", "aws/rds", "aws/lambda"])
def test_owner_account_uses_it_through_the_service_only(alias: str) -> None:
    via = {"kms:ViaService": via_service(alias, "us-east-1"), "kms:CallerAccount": A}
    role_a = f"arn:aws:iam::{A}:role/app"
    assert _decide(alias, role_a, "kms:Decrypt", via) == "Allow"
    # Directly (no kms:ViaService), even an IAM policy allowing kms:* does not help.
    everything = [
        NamedPolicy(
            "kms-everything",
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]},
        )
    ]
    assert _decide(alias, role_a, "kms:Decrypt", {"kms:CallerAccount": A}, everything) == "ImplicitDeny"


@pytest.mark.parametrize("alias", ["aws/s3", "aws/ebs", "aws/rds", "aws/lambda"])
def test_another_account_never_uses_it(alias: str) -> None:
    everything = [
        NamedPolicy(
            "kms-everything",
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]},
        )
    ]
    via = {"kms:ViaService": via_service(alias, "us-east-1"), "kms:CallerAccount": B}
    assert _decide(alias, f"arn:aws:iam::{B}:role/app", "kms:Decrypt", via, everything) == "ImplicitDeny"


def test_other_service_is_refused() -> None:
    via = {"kms:ViaService": "ec2.us-east-1.amazonaws.com", "kms:CallerAccount": A}
    assert _decide("aws/s3", f"arn:aws:iam::{A}:role/app", "kms:Decrypt", via) == "ImplicitDeny"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("aws/nope", A, "us-east-1"), "unknown AWS managed key"),
        (("aws/s3", "1111", "us-east-1"), "12-digit"),
        (("aws/s3", A, "mars"), "Region"),
    ],
)
def test_bad_arguments(args: tuple, words: str) -> None:
    with pytest.raises(EngineInputError, match=words):
        managed_key_policy(*args)
