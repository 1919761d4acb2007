"""Flows expand one user action into the requests AWS authorizes, in order, with who calls whom."""

from __future__ import annotations

import json

import pytest

from policyproof.engine import NamedPolicy
from policyproof.engine.flows import (
    FLOWS,
    FlowError,
    Principal,
    Resource,
    World,
    default_ebs_key,
    run_flow,
)
from policyproof.engine.managed_keys import managed_key_arn, managed_key_policy

A, B = "111111111111", "222222222222"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_B = f"arn:aws:kms:us-east-1:{B}:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
SNAPSHOT = "arn:aws:ec2:us-east-1::snapshot/snap-1234567890abcdef0"
ROLE_B = f"arn:aws:iam::{B}:role/app"


def _policy(name: str, *statements: dict) -> NamedPolicy:
    return NamedPolicy(name, {"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str | list, resource: str | list, principal: str | None = None, **extra: object) -> dict:
    statement: dict = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if principal:
        statement["Principal"] = {"AWS": principal}
    return statement


KEY_A_POLICY = _policy(
    "key-a",
    {**_allow("kms:*", "*", f"arn:aws:iam::{A}:root"), "Sid": "Owner"},
    {
        **_allow(
            [
                "kms:Decrypt",
                "kms:GenerateDataKey",
                "kms:DescribeKey",
                "kms:ReEncrypt*",
                "kms:CreateGrant",
                "kms:GenerateDataKeyWithoutPlaintext",
            ],
            "*",
            f"arn:aws:iam::{B}:root",
        ),
        "Sid": "B",
    },
)
KEY_B_POLICY = _policy("key-b", _allow("kms:*", "*", f"arn:aws:iam::{B}:root"))
BUCKET_POLICY = _policy(
    "bucket", {**_allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*", ROLE_B), "Sid": "ReadWriteForB"}
)
B_IAM = _policy(
    "b-iam",
    {**_allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*"), "Sid": "S3"},
    {**_allow("kms:*", [KEY_A, KEY_B]), "Sid": "Kms"},
    {
        **_allow(
            ["ec2:CopySnapshot", "ec2:CreateVolume"],
            ["arn:aws:ec2:us-east-1::snapshot/*", f"arn:aws:ec2:us-east-1:{B}:volume/*"],
        ),
        "Sid": "Ec2",
    },
)


def _world(*, bucket_key: bool = False, shared: bool = True, identity: tuple = (B_IAM,)) -> World:
    return World(
        "us-east-1",
        {"b": Principal("b", ROLE_B, B, identity)},
        {
            "key-a": Resource("key-a", KEY_A, A, KEY_A_POLICY),
            "key-b": Resource("key-b", KEY_B, B, KEY_B_POLICY),
            "bucket": Resource(
                "bucket", BUCKET, A, BUCKET_POLICY, encryption_key="key-a", bucket_key=bucket_key
            ),
            "snap": Resource(
                "snap",
                SNAPSHOT,
                A,
                encryption_key="key-a",
                shared_with=frozenset({B}) if shared else frozenset(),
            ),
        },
    )


def test_get_object_steps_name_caller_callee_and_context() -> None:
    flow = run_flow("s3-get-object", _world(), "b", object="bucket/reports/q1.csv")
    assert flow.decision == "Allow"
    s3, kms = flow.steps
    assert (s3.caller, s3.callee, s3.action, s3.resource) == (
        "b",
        "S3",
        "s3:GetObject",
        f"{BUCKET}/reports/q1.csv",
    )
    assert (kms.caller, kms.callee, kms.action, kms.resource) == ("S3", "KMS", "kms:Decrypt", KEY_A)
    assert kms.principal == "b", "S3 calls KMS as the same principal"
    assert kms.context["kms:ViaService"] == "s3.us-east-1.amazonaws.com"
    assert kms.context["kms:CallerAccount"] == B
    assert kms.context["kms:EncryptionContext:aws:s3:arn"] == f"{BUCKET}/reports/q1.csv"
    # Both steps cite the statements that allowed them: the resource policy's and B's IAM policy's.
    assert {(ref.policy, ref.label) for ref in s3.deciding} >= {
        ("bucket", '"ReadWriteForB"'),
        ("b-iam", '"S3"'),
    }
    assert {(ref.policy, ref.label) for ref in kms.deciding} >= {("key-a", '"B"'), ("b-iam", '"Kms"')}


def test_bucket_key_sends_the_bucket_arn_as_encryption_context() -> None:
    flow = run_flow("s3-get-object", _world(bucket_key=True), "b", object="bucket/reports/q1.csv")
    assert flow.steps[1].context["kms:EncryptionContext:aws:s3:arn"] == BUCKET
    flow = run_flow("s3-get-object", _world(), "b", object="bucket/reports/q1.csv", bucket_key=True)
    assert flow.steps[1].context["kms:EncryptionContext:aws:s3:arn"] == BUCKET


def test_put_and_multipart_need_the_right_kms_actions() -> None:
    put = run_flow("s3-put-object", _world(), "b", object="bucket/x")
    assert [step.action for step in put.steps] == ["s3:PutObject", "kms:GenerateDataKey"]
    multipart = run_flow("s3-multipart-upload", _world(), "b", object="bucket/x")
    assert [step.action for step in multipart.steps] == [
        "s3:PutObject",
        "kms:GenerateDataKey",
        "s3:PutObject",
        "kms:Decrypt",
        "s3:PutObject",
    ]
    assert multipart.decision == "Allow"


def test_put_naming_the_key_carries_the_sse_headers() -> None:
    put = run_flow("s3-put-object", _world(), "b", object="bucket/x", key="key-a")
    assert put.steps[0].context == {
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_A,
    }
    assert run_flow("s3-put-object", _world(), "b", object="bucket/x").steps[0].context == {}


def test_flow_stops_at_the_first_denied_step() -> None:
    without_kms = _policy("b-iam-s3-only", _allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*"))
    flow = run_flow("s3-multipart-upload", _world(identity=(without_kms,)), "b", object="bucket/x")
    assert flow.decision == "ImplicitDeny"
    assert flow.failed_step is not None and flow.failed_step.number == 2
    assert [step.reached for step in flow.steps] == [True, True, False, False, False]
    assert "step 2" in flow.explain("en") and "bước 2" in flow.explain("vi")


def test_explicit_deny_in_a_step_is_the_flow_decision() -> None:
    deny = _policy("deny-decrypt", {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"})
    flow = run_flow("s3-get-object", _world(identity=(B_IAM, deny)), "b", object="bucket/x")
    assert (flow.decision, flow.failed_step.action) == ("ExplicitDeny", "kms:Decrypt")


def test_ebs_copy_checks_sharing_then_both_keys() -> None:
    flow = run_flow(
        "ebs-copy-snapshot", _world(), "b", snapshot="snap", destination_key="key-b", create_volume=True
    )
    assert flow.decision == "Allow", flow.explain()
    fact = flow.steps[0]
    assert fact.result is None and fact.fact is not None and fact.action == "ec2:CopySnapshot"
    kms_steps = [(step.action, step.resource) for step in flow.steps if step.callee == "KMS"]
    assert kms_steps[:8] == [
        ("kms:DescribeKey", KEY_A),
        ("kms:CreateGrant", KEY_A),
        ("kms:Decrypt", KEY_A),
        ("kms:ReEncryptFrom", KEY_A),
        ("kms:DescribeKey", KEY_B),
        ("kms:CreateGrant", KEY_B),
        ("kms:GenerateDataKeyWithoutPlaintext", KEY_B),
        ("kms:ReEncryptTo", KEY_B),
    ]
    grants = [step for step in flow.steps if step.action == "kms:CreateGrant"]
    assert all(step.context["kms:GrantIsForAWSResource"] == "true" for step in grants)
    assert all(step.context["kms:ViaService"] == "ec2.us-east-1.amazonaws.com" for step in grants)
    volume = [step for step in flow.steps if step.action == "ec2:CreateVolume"]
    assert [step.resource for step in volume] == [
        f"arn:aws:ec2:us-east-1:{B}:volume/vol-from-snap-1234567890abcdef0-copy",
        "arn:aws:ec2:us-east-1::snapshot/snap-1234567890abcdef0-copy",
    ]


def test_unshared_snapshot_fails_on_the_fact_step() -> None:
    flow = run_flow("ebs-copy-snapshot", _world(shared=False), "b", snapshot="snap", destination_key="key-b")
    assert flow.decision == "ImplicitDeny"
    assert flow.failed_step is flow.steps[0]
    assert "is not shared" in flow.explain("en") and "không được share" in flow.explain("vi")


def test_own_snapshot_has_no_sharing_step() -> None:
    world = _world()
    own = Resource("own", "arn:aws:ec2:us-east-1::snapshot/snap-0b", B, encryption_key="key-b")
    world = World(world.region, world.principals, {**world.resources, "own": own})
    flow = run_flow("ebs-create-volume", world, "b", snapshot="own")
    assert flow.steps[0].action == "ec2:CreateVolume" and flow.steps[0].result is not None
    assert flow.decision == "Allow", flow.explain()


def test_flow_result_is_json() -> None:
    flow = run_flow("ebs-copy-snapshot", _world(), "b", snapshot="snap", destination_key="key-b")
    data = json.loads(json.dumps(flow.to_dict()))
    assert data["decision"] == "Allow" and data["failedStep"] is None
    first = data["steps"][1]
    assert {"caller", "callee", "action", "resource", "decision", "deciding", "purpose", "source"} <= set(
        first
    )


@pytest.mark.parametrize(
    ("name", "params", "param", "words"),
    [
        ("s3-get-object", {"object": "nobucket/x"}, "object", "no resource named 'nobucket'"),
        ("s3-get-object", {"object": "bucket"}, "object", "bucket-name/object-key"),
        ("s3-get-object", {"object": "key-a/x"}, "object", "not an S3 bucket"),
        ("s3-get-object", {"object": "bucket/x", "key": "bucket"}, "key", "not a KMS key"),
        ("s3-get-object", {"object": "bucket/x", "colour": "red"}, "colour", "no parameter"),
        ("s3-get-object", {}, "object", "needs `object`"),
        ("ebs-copy-snapshot", {"snapshot": "bucket"}, "snapshot", "not an EBS snapshot"),
        ("nope", {}, "name", "unknown flow"),
    ],
)
def test_bad_parameters(name: str, params: dict, param: str, words: str) -> None:
    with pytest.raises(FlowError, match=words) as caught:
        run_flow(name, _world(), "b", **params)
    assert caught.value.param == param


def test_unknown_principal() -> None:
    with pytest.raises(FlowError, match="no principal named 'x'"):
        run_flow("s3-get-object", _world(), "x", object="bucket/x")


def test_every_flow_documents_its_parameters() -> None:
    for spec in FLOWS.values():
        assert spec.description.get("en") and spec.description.get("vi"), spec.name
        assert spec.params[0].name == "principal", spec.name


# --- which key encrypts a new volume or snapshot copy -----------------------------------------


def _kms_steps(flow) -> list[tuple[str, str]]:
    return [(step.action, step.resource) for step in flow.steps if step.callee == "KMS"]


def test_volume_from_a_shared_snapshot_goes_under_the_callers_aws_ebs_key() -> None:
    """EBS encryption outcomes: a volume made from an encrypted snapshot shared with you is
    encrypted with your default EBS key; the owner's key only serves to read the snapshot."""
    flow = run_flow("ebs-create-volume", _world(), "b", snapshot="snap")
    assert flow.decision == "Allow", flow.explain()
    aws_ebs_b = default_ebs_key(_world(), B)
    assert aws_ebs_b.account == B and aws_ebs_b.managed == "aws/ebs"
    assert aws_ebs_b.arn == managed_key_arn("aws/ebs", B, "us-east-1")
    assert _kms_steps(flow) == [
        ("kms:DescribeKey", KEY_A),
        ("kms:CreateGrant", KEY_A),
        ("kms:Decrypt", KEY_A),
        ("kms:ReEncryptFrom", KEY_A),
        ("kms:DescribeKey", aws_ebs_b.arn),
        ("kms:CreateGrant", aws_ebs_b.arn),
        ("kms:GenerateDataKeyWithoutPlaintext", aws_ebs_b.arn),
        ("kms:ReEncryptTo", aws_ebs_b.arn),
        ("kms:Decrypt", aws_ebs_b.arn),
    ]
    # A's key sees the snapshot id, B's key the volume id, as encryption context.
    by_key = {step.resource: step for step in flow.steps if step.action == "kms:Decrypt"}
    assert by_key[KEY_A].context["kms:EncryptionContext:aws:ebs:id"] == "snap-1234567890abcdef0"
    assert by_key[aws_ebs_b.arn].context["kms:EncryptionContext:aws:ebs:id"].startswith("vol-")
    # B's aws/ebs key policy (from the managed-key data) is what allowed those steps.
    volume_steps = [s for s in flow.steps if s.resource == aws_ebs_b.arn]
    assert all(
        ref.policy == f"aws/ebs ({B})" for s in volume_steps for ref in s.deciding if ref.kind == "resource"
    )


def test_a_declared_aws_ebs_key_is_used_and_volume_key_overrides_it() -> None:
    world = _world()
    declared = Resource(
        "aws-ebs-b",
        f"arn:aws:kms:us-east-1:{B}:key/7e6f5a4b-1111-2222-3333-444455556666",
        B,
        NamedPolicy("aws/ebs of B", managed_key_policy("aws/ebs", B, "us-east-1")),
        managed="aws/ebs",
    )
    world = World(world.region, world.principals, {**world.resources, "aws-ebs-b": declared})
    flow = run_flow("ebs-create-volume", world, "b", snapshot="snap")
    assert {resource for _, resource in _kms_steps(flow)} == {KEY_A, declared.arn}
    named = run_flow("ebs-create-volume", world, "b", snapshot="snap", volume_key="key-b")
    assert {resource for _, resource in _kms_steps(named)} == {KEY_A, KEY_B}
    assert named.decision == "Allow", named.explain()
    with pytest.raises(FlowError, match="not a KMS key") as caught:
        run_flow("ebs-create-volume", world, "b", snapshot="snap", volume_key="bucket")
    assert caught.value.param == "volume_key"


def test_volume_from_ones_own_snapshot_stays_under_its_key() -> None:
    world = _world()
    own = Resource("own", "arn:aws:ec2:us-east-1::snapshot/snap-0b", B, encryption_key="key-b")
    world = World(world.region, world.principals, {**world.resources, "own": own})
    flow = run_flow("ebs-create-volume", world, "b", snapshot="own")
    assert {resource for _, resource in _kms_steps(flow)} == {KEY_B}
    assert "kms:ReEncryptFrom" not in [action for action, _ in _kms_steps(flow)]


def test_copy_without_a_destination_key_uses_the_callers_aws_ebs_key() -> None:
    """CopySnapshot without KmsKeyId: the copy is encrypted with the caller's default EBS key,
    not with the source snapshot's key."""
    flow = run_flow("ebs-copy-snapshot", _world(), "b", snapshot="snap")
    aws_ebs_b = managed_key_arn("aws/ebs", B, "us-east-1")
    destination = [resource for action, resource in _kms_steps(flow) if action == "kms:ReEncryptTo"]
    assert destination == [aws_ebs_b]
    assert flow.decision == "Allow", flow.explain()


# --- step labels ------------------------------------------------------------------------------


def test_steps_name_their_api_and_kind() -> None:
    multipart = run_flow("s3-multipart-upload", _world(), "b", object="bucket/x")
    assert [step.api for step in multipart.steps] == [
        "CreateMultipartUpload",
        "GenerateDataKey",
        "UploadPart",
        "Decrypt",
        "CompleteMultipartUpload",
    ]
    assert {step.kind for step in multipart.steps} == {"call"}
    assert multipart.steps[2].describe() == "s3:PutObject (UploadPart)"
    assert multipart.steps[1].describe() == "kms:GenerateDataKey"

    copy = run_flow("ebs-copy-snapshot", _world(), "b", snapshot="snap", destination_key="key-b")
    check, source, target = copy.steps[:3]
    assert (check.kind, check.api, check.result) == ("check", "CopySnapshot", None)
    assert check.label == {"en": "createVolumePermission check", "vi": "kiểm tra createVolumePermission"}
    assert (source.kind, source.api, target.api) == ("call", "CopySnapshot", "CopySnapshot")
    volume = run_flow("ebs-create-volume", _world(), "b", snapshot="snap")
    assert [step.api for step in volume.steps[:3]] == ["CreateVolume"] * 3
    assert [step.kind for step in volume.steps[:3]] == ["check", "call", "call"]

    data = json.loads(json.dumps(copy.to_dict(), ensure_ascii=False))
    first, second = data["steps"][:2]
    assert (first["api"], first["kind"], first["label"]["vi"]) == (
        "CopySnapshot",
        "check",
        "kiểm tra createVolumePermission",
    )
    assert (second["api"], second["kind"], second["what"]["en"]) == (
        "CopySnapshot",
        "call",
        "ec2:CopySnapshot",
    )


def test_flow_wording_counts_steps_and_states_the_decision_once() -> None:
    get = run_flow("s3-get-object", _world(), "b", object="bucket/x")
    assert get.explain("en") == "Both steps of flow s3-get-object are allowed."
    assert get.explain("vi") == "Cả hai bước của flow s3-get-object đều được cho phép."
    multipart = run_flow("s3-multipart-upload", _world(), "b", object="bucket/x")
    assert multipart.explain("en").startswith("All 5 steps")

    without_kms = _policy("b-iam-s3-only", _allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*"))
    denied = run_flow("s3-get-object", _world(identity=(without_kms,)), "b", object="bucket/x")
    for lang, word in (("en", "Decision:"), ("vi", "Kết quả:")):
        text = denied.explain(lang)
        assert text.count("ImplicitDeny") == 1 and text.count(word) == 1, text
    unshared = run_flow(
        "ebs-copy-snapshot", _world(shared=False), "b", snapshot="snap", destination_key="key-b"
    )
    text = unshared.explain("en")
    assert "createVolumePermission check" in text and text.count("ImplicitDeny") == 1, text


def test_ebs_flows_show_the_grant_step() -> None:
    """The CreateGrant EC2 sends on the caller's behalf is the grant step: it names the grant it
    creates (created by EC2, for the snapshot or volume id) in the step and its JSON."""
    flow = run_flow("ebs-create-volume", _world(), "b", snapshot="snap", volume_key="key-b")
    grant_steps = [step for step in flow.steps if step.action == "kms:CreateGrant"]
    assert [step.resource for step in grant_steps] == [KEY_A, KEY_B]
    first = grant_steps[0].to_dict()["grant"]
    assert first["createdBy"] == "ec2.us-east-1.amazonaws.com"
    assert first["onBehalfOf"] == ROLE_B
    assert first["constraint"] == {"encryptionContextSubset": {"aws:ebs:id": "snap-1234567890abcdef0"}}
    assert first["words"]["en"].startswith("Grant step: ec2.us-east-1.amazonaws.com creates a KMS grant")
    assert first["words"]["vi"].startswith("Bước tạo grant:")
    assert all(step.grant is None for step in flow.steps if step.action != "kms:CreateGrant")


def test_a_world_grant_lets_the_copy_use_a_key_without_a_key_policy_statement() -> None:
    """KMS Developer Guide, "Grants in AWS KMS": a grant to B's role on A's key stands in for the
    key policy statement for B, in the steps of a flow too, and the step's trace names it."""
    from policyproof.engine.model import Grant

    owner_only = _policy("key-a", {**_allow("kms:*", "*", f"arn:aws:iam::{A}:root"), "Sid": "Owner"})
    base = _world()
    resources = dict(base.resources)
    resources["key-a"] = Resource("key-a", KEY_A, A, owner_only)
    without = World(base.region, base.principals, resources)
    denied = run_flow("ebs-copy-snapshot", without, "b", snapshot="snap", destination_key="key-b")
    assert denied.decision == "ImplicitDeny" and denied.failed_step.resource == KEY_A
    grant = Grant("b-uses-key-a", KEY_A, ROLE_B, ("DescribeKey", "CreateGrant", "Decrypt", "ReEncryptFrom"))
    world = World(base.region, base.principals, resources, grants=(grant,))
    flow = run_flow("ebs-copy-snapshot", world, "b", snapshot="snap", destination_key="key-b")
    assert flow.decision == "Allow", flow.explain()
    on_key_a = [step for step in flow.steps if step.resource == KEY_A]
    assert {step.result.trace.rule.code for step in on_key_a} == {"allow-grant"}
    assert 'KMS grant "b-uses-key-a"' in on_key_a[0].explain("en")


def test_service_calls_are_forward_access_sessions() -> None:
    """IAM User Guide, "Forward access sessions": S3 calling KMS for the principal sets
    aws:ViaAWSService = true and aws:CalledVia* = s3.amazonaws.com, which a data perimeter's
    network control exempts; the principal's own S3 call has aws:ViaAWSService = false."""
    perimeter = _policy(
        "network-perimeter",
        {
            "Effect": "Deny",
            "Action": ["s3:*", "kms:*"],
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"},
                "BoolIfExists": {"aws:ViaAWSService": "false"},
            },
        },
    )
    world = _world(identity=(B_IAM, perimeter))
    flow = run_flow("s3-get-object", world, "b", object="bucket/reports/q1.csv")
    s3, kms = flow.steps
    assert kms.context["aws:ViaAWSService"] == "true"
    assert kms.context["aws:CalledVia"] == ["s3.amazonaws.com"]
    assert kms.result.decision == "Allow", kms.explain()
    assert s3.result.decision == "ExplicitDeny"
    assert s3.result.trace.facts["contextFilled"]["aws:ViaAWSService"] == ["false"]
