"""Policies shaped like AWS's public data-perimeter examples (aws-samples/data-perimeter-policy-
examples, resource_based_policies/kms_key_policy.json): an identity perimeter (aws:PrincipalOrgID
unless an AWS service calls) and a network perimeter with IfExists operators and ArnNotLike
exceptions. The fixture is written for these tests (tests/symbolic/fixtures/perimeter.key-policy.json)."""

from __future__ import annotations

import json
from pathlib import Path

from policyproof.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "perimeter.key-policy.json"
KEY = "arn:aws:kms:us-east-1:111111111111:key/k1"


def test_who_can_decrypt_only_the_owner_account_from_inside_the_perimeter(capsys):
    assert (
        main(["who-can", str(FIXTURE), "--action", "kms:Decrypt", "--resource", KEY, "--format", "json"]) == 0
    )
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [f["principal"] for f in findings] == ["111111111111"]
    context = findings[0]["request"]["context"]
    # The witness is inside the organization and not an AWS service (a role never is one).
    assert context["aws:PrincipalOrgID"] == "o-a1b2c3d4e5"
    assert context["aws:PrincipalIsAWSService"] == "false"
    # ...and one exception of the network perimeter holds, or its Deny would apply.
    exceptions = [
        context.get("aws:SourceIp", "").startswith("198.51.100."),
        context.get("aws:SourceVpc") == "vpc-11aa22bb",
        context.get("aws:PrincipalTag/network-perimeter-exception") == "true",
        context.get("aws:ViaAWSService") == "true",
    ]
    assert any(exceptions), context


def test_dropping_the_network_perimeter_is_new_access(tmp_path, capsys):
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document["Statement"] = document["Statement"][:2]
    after = tmp_path / "no-network.key-policy.json"
    after.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert main(["compare", str(FIXTURE), str(after), "--resource", KEY, "--format", "json"]) == 1
    witnesses = json.loads(capsys.readouterr().out)["witnesses"]
    assert witnesses and all(w["before"] == "ExplicitDeny" and w["after"] == "Allow" for w in witnesses)
    for witness in witnesses:
        context = witness["request"].get("context", {})
        assert not context.get("aws:SourceIp", "").startswith("198.51.100.")
        assert context.get("aws:SourceVpc") != "vpc-11aa22bb"
