"""Pairs of policies whose answer AWS's documented semantics fix: each test asserts the answer of
``compare`` AND what its witness request shows (the witness was already decided again by the
concrete engine inside ``compare``; here the test reads it as a user would).

Sources: IAM User Guide, "Policy evaluation logic", "IAM JSON policy elements: Action / NotAction /
Resource / Condition operators", "Single-valued vs. multivalued context keys" (ForAllValues with an
empty or missing key is true); KMS Developer Guide, "Allowing users in other accounts to use a KMS key".
"""

from __future__ import annotations

import ipaddress
import re

import pytest

from policyproof.engine import NamedPolicy
from policyproof.symbolic import Filters, Unknown, compare

A = "111111111111"
B = "222222222222"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def pair(before: dict, after: dict) -> tuple[NamedPolicy, NamedPolicy]:
    return NamedPolicy("before", before), NamedPolicy("after", after)


def requests(comparison) -> list[dict]:
    return [item.to_dict()["request"] for item in comparison.new_access]


def test_narrowed_resource_adds_nothing_and_widening_back_adds_the_difference():
    wide = doc(allow("s3:GetObject", "arn:aws:s3:::reports/*"))
    narrow = doc(allow("s3:GetObject", "arn:aws:s3:::reports/public/*"))
    assert not compare(*pair(wide, narrow), "identity").adds_access
    widened = compare(*pair(narrow, wide), "identity")
    assert widened.adds_access
    for request in requests(widened):
        assert request["resource"].startswith("arn:aws:s3:::reports/")
        assert not request["resource"].startswith("arn:aws:s3:::reports/public/")
        assert request["action"] == "s3:getobject"


def test_action_wildcard_widens_to_actions_the_literal_does_not_name():
    comparison = compare(
        *pair(doc(allow("kms:GenerateDataKey")), doc(allow("kms:GenerateDataKey*"))), "identity"
    )
    assert comparison.adds_access
    actions = {r["action"] for r in requests(comparison)}
    # A literal action does not match its longer siblings (GenerateDataKeyWithoutPlaintext ...)
    assert all(a.startswith("kms:generatedatakey") and a != "kms:generatedatakey" for a in actions)


def test_added_deny_adds_nothing_and_removing_it_adds_exactly_the_denied_action():
    base = allow("s3:*", "arn:aws:s3:::data/*")
    denied = doc(base, {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    assert not compare(*pair(doc(base), denied), "identity").adds_access
    removed = compare(*pair(denied, doc(base)), "identity")
    assert removed.adds_access
    assert {r["action"] for r in requests(removed)} == {"s3:deleteobject"}
    assert all(item.to_dict()["before"] == "ExplicitDeny" for item in removed.new_access)


def test_removed_ip_condition_adds_requests_from_outside_the_range_or_without_an_address():
    network = ipaddress.ip_network("203.0.113.0/24")
    guarded = doc(allow("s3:GetObject", "*", Condition={"IpAddress": {"aws:SourceIp": str(network)}}))
    open_ = doc(allow("s3:GetObject", "*"))
    assert not compare(*pair(open_, guarded), "identity").adds_access
    comparison = compare(*pair(guarded, open_), "identity")
    assert comparison.adds_access
    for request in requests(comparison):
        source = (request.get("context") or {}).get("aws:SourceIp")
        assert source is None or ipaddress.ip_address(source) not in network


def test_action_case_does_not_matter_but_resource_case_does():
    lower = doc(allow("s3:getobject", "arn:aws:s3:::bucket/*"))
    mixed = doc(allow("S3:GetObject", "arn:aws:s3:::bucket/*"))
    assert not compare(*pair(lower, mixed), "identity").adds_access
    assert not compare(*pair(mixed, lower), "identity").adds_access
    upper_bucket = doc(allow("s3:GetObject", "arn:aws:s3:::Bucket/*"))
    comparison = compare(*pair(upper_bucket, lower), "identity")
    assert comparison.adds_access
    assert all(r["resource"].startswith("arn:aws:s3:::bucket/") for r in requests(comparison))


def test_for_all_values_holds_for_a_request_without_the_key():
    tags = ["team", "project"]
    any_value = doc(
        allow("ec2:CreateTags", "*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": tags}})
    )
    all_values = doc(
        allow("ec2:CreateTags", "*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": tags}})
    )
    comparison = compare(*pair(any_value, all_values), "identity")
    assert comparison.adds_access
    # Only the empty set tells the two apart: every non-empty subset of the tags satisfies both.
    assert all("aws:TagKeys" not in (r.get("context") or {}) for r in requests(comparison))
    # ...and ForAnyValue allows requests (a tag outside the list) that ForAllValues does not.
    reverse = compare(*pair(all_values, any_value), "identity")
    assert reverse.adds_access
    for request in requests(reverse):
        keys = request["context"]["aws:TagKeys"]
        assert set(keys) & set(tags) and set(keys) - set(tags)


def test_not_action_allow_grants_every_other_service():
    comparison = compare(
        *pair(doc(allow("s3:*")), doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})), "identity"
    )
    assert comparison.adds_access
    for request in requests(comparison):
        assert not request["action"].startswith(("iam:", "s3:"))
    assert not compare(
        *pair(doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), doc(allow("s3:*"))), "identity"
    ).adds_access


def test_bucket_policy_naming_a_role_instead_of_its_account_grants_without_iam_policy():
    account = doc(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": f"arn:aws:iam::{B}:root"}))
    role = doc(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": f"arn:aws:iam::{B}:role/reader"}))
    comparison = compare(*pair(account, role), "bucket")
    assert comparison.adds_access
    (item,) = comparison.new_access
    data = item.to_dict()
    # Same account: a resource policy naming the role grants by itself; naming the account only
    # delegates to the role's IAM policies, which (in this witness) allow nothing.
    assert data["request"]["principal"].startswith(f"arn:aws:iam::{B}:role/reader") or data["request"][
        "principal"
    ].startswith(f"arn:aws:sts::{B}:assumed-role/reader/")
    assert data["request"]["resource_account"] == B
    assert data["assuming"] == []


def test_key_policy_granting_an_external_account_a_non_cross_account_action_adds_nothing():
    key = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    base = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    extra = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
        "Action": "kms:ScheduleKeyDeletion",
        "Resource": "*",
    }
    # Only cryptographic operations and a few others work across accounts (KMS Developer Guide).
    filters = Filters(resource=key)
    assert not compare(*pair(doc(base), doc(base, extra)), "key", filters).adds_access
    extra["Action"] = "kms:Decrypt"
    comparison = compare(*pair(doc(base), doc(base, extra)), "key", filters)
    assert comparison.adds_access
    for request in requests(comparison):
        assert request["action"] == "kms:decrypt"
        assert re.match(rf"arn:aws:(iam|sts)::{B}:", request["principal"])


def test_public_principal_without_org_condition_opens_the_bucket_to_other_organizations():
    org = doc(
        allow(
            "s3:GetObject",
            "arn:aws:s3:::b/*",
            Principal="*",
            Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        )
    )
    public = doc(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*"))
    comparison = compare(*pair(org, public), "bucket")
    assert comparison.adds_access
    kinds = {item.witness.principal_kind for item in comparison.new_access}
    assert "anonymous" in kinds  # anonymous callers have no organization
    for request in requests(comparison):
        assert (request.get("context") or {}).get("aws:PrincipalOrgID") != "o-a1b2c3d4e5"


def test_policy_variables_are_unknown_never_proved():
    templated = doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    with pytest.raises(Unknown, match="policy variables"):
        compare(*pair(templated, templated), "identity")


def test_numeric_and_date_conditions():
    young = doc(allow("s3:*", "*", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    older = doc(allow("s3:*", "*", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "7200.5"}}))
    comparison = compare(*pair(young, older), "identity")
    assert comparison.adds_access
    for request in requests(comparison):
        age = float(request["context"]["aws:MultiFactorAuthAge"])
        assert 3600 <= age < 7200.5
    before = doc(allow("s3:*", "*", Condition={"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}))
    after = doc(allow("s3:*", "*", Condition={"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}))
    dated = compare(*pair(before, after), "identity")
    assert dated.adds_access
    for request in requests(dated):
        assert "2026-01-01" <= request["context"]["aws:CurrentTime"] < "2027-01-01"
    assert not compare(*pair(after, before), "identity").adds_access


def test_scp_allowing_one_more_region_adds_requests_in_that_region_only():
    full = allow()
    regions = ["us-east-1", "eu-west-1"]

    def guard(names):
        return {
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "organizations:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": names}},
        }

    comparison = compare(
        *pair(doc(full, guard(regions)), doc(full, guard([*regions, "ap-southeast-1"]))), "scp"
    )
    assert comparison.adds_access
    assert {r["context"]["aws:RequestedRegion"] for r in requests(comparison)} == {"ap-southeast-1"}
    assert not compare(
        *pair(doc(full, guard([*regions, "ap-southeast-1"])), doc(full, guard(regions))), "scp"
    ).adds_access


def test_rcp_perimeter_limited_to_callers_with_an_account_lets_anonymous_and_services_in():
    perimeter = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*", "kms:*"],
        "Resource": "*",
        "Condition": {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }
    narrowed = {
        **perimeter,
        "Condition": {**perimeter["Condition"], "Null": {"aws:PrincipalAccount": "false"}},
    }
    comparison = compare(*pair(doc(perimeter), doc(narrowed)), "rcp")
    assert comparison.adds_access
    kinds = {item.witness.principal_kind for item in comparison.new_access}
    assert "anonymous" in kinds and kinds <= {
        "anonymous",
        "service",
        "web-identity",
    }  # callers without an account
    assert not compare(*pair(doc(narrowed), doc(perimeter)), "rcp").adds_access


def test_boundary_widened_to_every_kms_action_but_one():
    before = doc(allow(["s3:*", "kms:Decrypt"]))
    after = doc(
        allow(["s3:*", "kms:*"]), {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}
    )
    comparison = compare(*pair(before, after), "boundary")
    assert comparison.adds_access
    for request in requests(comparison):
        assert request["action"].startswith("kms:")
        assert request["action"] not in ("kms:decrypt", "kms:schedulekeydeletion")
    # Replacing the boundary's explicit Deny with mere silence is new access too: a boundary's
    # implicit deny does not limit a same-account resource policy that names the caller directly
    # (IAM User Guide, policy evaluation logic), its explicit Deny does.
    reverse = compare(*pair(after, doc(allow("s3:*"))), "boundary")
    assert reverse.adds_access
    for item in reverse.new_access:
        data = item.to_dict()
        assert data["request"]["action"] == "kms:schedulekeydeletion"
        assert data["before"] == "ExplicitDeny"
        assert data["assuming"] and "resource policy" in " ".join(data["assuming"])


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"BinaryEquals": {"aws:SomeBlob": "QmluYXJ5"}}, "BinaryEquals"),
        ({"NumericLessThan": {"s3:max-keys": "10"}, "StringEquals": {"s3:max-keys": "5"}}, "compared as"),
        ({"StringLike": {"aws:PrincipalAccount": "1111*"}}, "wildcard inside an account id"),
    ],
)
def test_constructs_not_modelled_exactly_are_unknown(condition, reason):
    guarded = doc(allow("s3:ListBucket", "*", Condition=condition))
    with pytest.raises(Unknown, match=reason):
        compare(*pair(guarded, doc(allow("s3:ListBucket", "*"))), "identity")
