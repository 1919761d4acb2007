"""Universal claims on the KMS note's world (snippets/kms/cross-account-encryption/claims.yaml),
proved by src/policyproof/symbolic/claims.py or refuted with a counterexample the concrete engine
confirmed. The answers follow the KMS Developer Guide: the key policy of key-a delegates to
account A and grants account B three operations; cross-account use is limited to cryptographic
and a few other operations; the aws/s3 key only serves its own account through S3."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyproof.claims.loader import load_claims
from policyproof.symbolic import Unknown
from policyproof.symbolic.claims import ForAllSpec, prove_for_all

CLAIMS = Path(__file__).resolve().parents[2] / "snippets" / "kms" / "cross-account-encryption" / "claims.yaml"
A, B = "111111111111", "222222222222"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def world():
    return load_claims(CLAIMS)


def test_nobody_outside_a_and_b_decrypts_with_key_a(world):
    result = prove_for_all(
        world, ForAllSpec("outside", resource="key-a", actions=("kms:Decrypt",), accounts_outside=("A", "B"))
    )
    assert result.proved and result.counterexample is None
    assert result.to_dict() == {"id": "outside", "kind": "for_all", "expect": "Deny", "proved": True}


def test_account_b_is_outside_a_so_the_narrower_claim_fails_with_a_b_principal(world):
    result = prove_for_all(
        world, ForAllSpec("only-a", resource="key-a", actions=("kms:Decrypt",), accounts_outside=("A",))
    )
    assert not result.proved
    counterexample = result.to_dict()["counterexample"]
    assert counterexample["decision"] == "Allow"
    assert counterexample["request"]["resource"] == KEY_A
    assert f"::{B}:" in counterexample["request"]["principal"]


def test_b_cannot_schedule_deletion_of_key_a_even_if_the_key_policy_allowed_it(world):
    result = prove_for_all(
        world,
        ForAllSpec(
            "no-delete", resource="key-a", actions=("kms:ScheduleKeyDeletion",), accounts_outside=("A",)
        ),
    )
    assert result.proved


def test_app_reader_policy_grants_only_its_three_kms_actions(world):
    three = ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey")
    assert prove_for_all(world, ForAllSpec("three", principal="app-reader-b", actions_outside=three)).proved
    result = prove_for_all(world, ForAllSpec("two", principal="app-reader-b", actions_outside=three[:2]))
    assert not result.proved
    request = result.to_dict()["counterexample"]["request"]
    assert request["action"] == "kms:generatedatakey"
    assert request["principal"] == f"arn:aws:iam::{B}:role/app-reader"


def test_aws_managed_s3_key_serves_no_other_account(world):
    assert prove_for_all(world, ForAllSpec("aws-s3", resource="aws-s3-key-a", accounts_outside=("A",))).proved


def test_a_claim_about_no_request_is_unknown_not_proved(world):
    with pytest.raises(Unknown, match="no request matches"):
        # app-reader-b is a principal of B, so "principals outside B" leaves no request at all.
        prove_for_all(
            world, ForAllSpec("empty", resource="key-a", principal="app-reader-b", accounts_outside=("B",))
        )


def test_bad_specs_are_refused(world):
    with pytest.raises(ValueError, match="unknown resource"):
        prove_for_all(world, ForAllSpec("x", resource="nope"))
    with pytest.raises(ValueError, match="only `expect: Deny`"):
        prove_for_all(world, ForAllSpec("x", resource="key-a", expect="Allow"))


def test_an_action_that_never_acts_on_the_resource_is_refused_not_proved(world):
    """symbolic/claims.py _check_acts_on: the requests are fixed to the resource's own ARN, so an
    action that acts on another resource type (s3:GetObject acts on objects, a key's action on
    keys) would be "proved" about requests AWS never receives. The claim fails instead."""
    with pytest.raises(ValueError, match=r"s3:GetObject acts on accesspointobject or object, not on key-a"):
        prove_for_all(
            world, ForAllSpec("x", resource="key-a", actions=("s3:GetObject",), accounts_outside=("A",))
        )
    with pytest.raises(
        ValueError, match=r"kms:ListKeys acts on no resource of its own \(AWS authorizes it on"
    ):
        prove_for_all(
            world, ForAllSpec("x", resource="key-a", actions=("kms:ListKeys",), accounts_outside=("A",))
        )


def test_an_object_action_on_a_bucket_is_refused():
    perimeter = load_claims(CLAIMS.parents[2] / "organizations" / "data-perimeter" / "claims.yaml")
    assert perimeter.resources["bucket-a"].arn.startswith("arn:aws:s3:::")
    spec = ForAllSpec("objects", resource="bucket-a", actions=("s3:GetObject",), accounts_outside=("A", "B"))
    with pytest.raises(ValueError, match="acts on accesspointobject or object, not on bucket-a"):
        prove_for_all(perimeter, spec)
    # A bucket action on the bucket is a claim about real requests: proved as before.
    spec = ForAllSpec(
        "bucket", resource="bucket-a", actions=("s3:PutBucketPolicy",), accounts_outside=("A", "B")
    )
    assert prove_for_all(perimeter, spec).proved
