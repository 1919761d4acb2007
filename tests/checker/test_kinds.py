"""The policy kinds of issue 12 and the checker bugs that survived the suite, each pinned by a test.

Kinds: file names and ``--kind`` names (briefing contract 4), ``--service``, the rules each AWS
page states. Bugs: a negated aws:PrincipalOrgID condition is not narrowing, the key-policy lockout
check wants an admin of the key's own account, iam:PassRole on "*" is a security warning, and the
two false alarms (SAML trust with sts:SetSourceIdentity, an IP key compared with a variable).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.check.checker import check_text
from policyproof.check.findings import Severity
from policyproof.check.kinds import KINDS, SUFFIX_KINDS, kind_from_filename
from policyproof.check.rules.registry import RULES_BY_CODE
from policyproof.cli import main


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def _codes(text: str, kind: str, **context: str) -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in check_text(text, file=f"t.{kind}.json", kind=kind, **context)]


# -- kinds ------------------------------------------------------------------------------------------


def test_kind_names_match_the_file_suffixes() -> None:
    assert set(KINDS) == set(SUFFIX_KINDS.values())
    for suffix, kind in SUFFIX_KINDS.items():
        assert kind_from_filename(f"snippets/x/name{suffix}") == kind
    assert kind_from_filename("perimeter.rcp.json") == "rcp"
    assert kind_from_filename("perimeter.scp.json") == "scp"
    assert kind_from_filename("s3.endpoint-policy.json") == "endpoint"
    assert kind_from_filename("queue.resource-policy.json") == "resource"
    assert kind_from_filename("dev.boundary-policy.json") == "boundary"
    assert kind_from_filename("read.session-policy.json") == "session"


@pytest.mark.parametrize("kind", ["boundary", "session"])
@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_boundaries_and_session_policies_take_no_principal(kind: str, element: str) -> None:
    text = _policy({"Effect": "Allow", element: {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"})
    assert ("principal-not-allowed", 6, 7) in _codes(text, kind)


def test_rcp_rules_from_the_organizations_syntax_page() -> None:
    full_access = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    assert _codes(_policy(full_access), "rcp") == []
    allow = dict(full_access, Action="s3:GetObject")
    assert [c for c, *_ in _codes(_policy(allow), "rcp")] == ["rcp-allow-statement"]
    deny_all = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
    assert [c for c, *_ in _codes(_policy(deny_all), "rcp")] == ["rcp-action-wildcard"]
    ec2 = dict(deny_all, Action=["s3:*", "ec2:RunInstances"])
    found = _codes(_policy(ec2), "rcp")
    assert found == [("rcp-unsupported-service", 9, 9)], found
    named = dict(deny_all, Action="s3:*", Principal={"AWS": "111122223333"})
    assert [c for c, *_ in _codes(_policy(named), "rcp")] == ["rcp-principal-not-star"]
    for element in ("NotPrincipal", "NotAction"):
        statement = {k: v for k, v in dict(deny_all, Action="s3:*").items()}
        statement[element] = statement.pop("Principal" if element == "NotPrincipal" else "Action")
        assert "rcp-unsupported-element" in [c for c, *_ in _codes(_policy(statement), "rcp")]


def test_every_rcp_supported_service_is_accepted_and_ec2_is_not() -> None:
    from policyproof.check import catalog

    supported = catalog.rcp_supported_services()
    assert {"s3", "sts", "sqs", "kms", "secretsmanager"} <= supported and "ec2" not in supported


def test_endpoint_policy_needs_a_principal_and_its_own_service() -> None:
    no_principal = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}
    assert "missing-principal" in [c for c, *_ in _codes(_policy(no_principal), "endpoint")]
    mixed = dict(no_principal, Principal="*", Action=["s3:GetObject", "dynamodb:GetItem"])
    found = _codes(_policy(mixed), "endpoint")
    assert ("endpoint-action-other-service", 8, 9) in found, found
    # STS endpoints act on IAM role ARNs: sts actions fit a policy whose ARNs are iam ARNs
    sts = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::*:role/app",
    }
    assert _codes(_policy(sts), "endpoint") == []


def test_service_option_names_the_endpoint_or_resource_service() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["sqs:SendMessage", "sns:Publish"],
        "Resource": "*",
    }
    assert _codes(_policy(statement), "endpoint") == []  # nothing tells the service
    found = _codes(_policy(statement), "endpoint", service="sqs")
    assert [c for c, *_ in found] == ["endpoint-action-other-service"]
    queue = dict(statement, Principal={"AWS": "111122223333"})
    assert [c for c, *_ in _codes(_policy(queue), "resource", service="sqs")] == [
        "action-not-for-this-resource"
    ]


def test_cli_kind_and_service_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "queue.json"
    policy.write_text(
        _policy(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["sqs:SendMessage", "sns:Publish"],
                "Resource": "*",
            }
        )
    )
    assert main(["check", "--kind", "endpoint", "--service", "com.amazonaws.eu-west-1.sqs", str(policy)]) == 1
    out = capsys.readouterr().out
    assert f"{policy}:9:9: error endpoint-action-other-service: 'sns:Publish' is not a sqs: action" in out
    assert main(["check", "--kind", "endpoint", "--service", "sqz", str(policy)]) == 2
    assert "--service 'sqz' is not an AWS service prefix" in capsys.readouterr().err
    assert main(["check", "--kind", "rcpp", str(policy)]) == 2
    assert "use one of identity, key, bucket, trust, scp, rcp, endpoint, resource, boundary, session" in (
        capsys.readouterr().err
    )


def test_api_gateway_short_resource_form_is_an_arn_of_the_api() -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "execute-api:Invoke"}
    assert _codes(_policy(dict(statement, Resource="execute-api:/prod/GET/pets")), "resource") == []
    found = _codes(_policy(dict(statement, Resource="execute-api/prod/GET/pets")), "resource")
    assert [c for c, *_ in found] == ["malformed-arn"]


# -- surviving bugs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operator", ["StringNotEquals", "StringNotEqualsIfExists", "ForAnyValue:StringNotEquals", "StringNotLike"]
)
@pytest.mark.parametrize("kind", ["bucket", "resource", "key"])
def test_negated_principal_org_condition_does_not_narrow_a_public_principal(operator: str, kind: str) -> None:
    resource = "arn:aws:s3:::bucket/*" if kind == "bucket" else "*"
    action = {"bucket": "s3:GetObject", "resource": "secretsmanager:GetSecretValue", "key": "kms:Decrypt"}[
        kind
    ]
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {operator: {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    }
    findings = check_text(_policy(statement), file=f"open.{kind}.json", kind=kind)
    public = [f for f in findings if f.code == "public-principal"]
    assert [(f.line, f.column, f.severity) for f in public] == [(6, 20, Severity.SECURITY_WARNING)]
    statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    findings = check_text(_policy(statement), file=f"org.{kind}.json", kind=kind)
    assert "public-principal" not in {f.code for f in findings}


def test_a_deny_with_a_positive_condition_does_not_narrow_either() -> None:
    allow = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
    deny_some = dict(allow, Effect="Deny", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})
    assert "public-principal" in [c for c, *_ in _codes(_policy(allow, deny_some), "resource")]
    deny_outside = dict(deny_some, Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})
    assert "public-principal" not in [c for c, *_ in _codes(_policy(allow, deny_outside), "resource")]


@pytest.mark.parametrize(
    "admin",
    [
        "arn:aws:iam::444455556666:role/KeyAdmin",
        "arn:aws:iam::444455556666:root",
        "444455556666",
        "arn:aws:iam::444455556666:user/111122223333",
    ],
)
def test_lockout_is_satisfied_only_by_an_admin_of_the_keys_own_account(admin: str) -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": admin},
        "Action": "kms:PutKeyPolicy",
        "Resource": "*",
    }
    assert [c for c, *_ in _codes(_policy(statement), "key", owner_account="111122223333")] == [
        "key-policy-lockout"
    ]
    statement["Principal"] = {"AWS": [admin, "arn:aws:iam::111122223333:role/KeyAdmin"]}
    assert _codes(_policy(statement), "key", owner_account="111122223333") == []


@pytest.mark.parametrize(
    "action", ["iam:PassRole", ["ec2:RunInstances", "iam:PassRole"], "iam:Pass*", "iam:*"]
)
def test_passrole_on_every_role_is_a_security_warning(action: object) -> None:
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    findings = check_text(_policy(statement), file="p.identity-policy.json", kind="identity")
    assert [(f.code, f.severity) for f in findings] == [("passrole-star", Severity.SECURITY_WARNING)]
    narrowed = dict(statement, Resource="arn:aws:iam::111122223333:role/app-*")
    assert check_text(_policy(narrowed), file="p.identity-policy.json", kind="identity") == []
    # a boundary (or SCP) only caps what other policies grant: the same statement is no escalation there
    assert check_text(_policy(statement), file="p.boundary-policy.json", kind="boundary") == []


# -- false alarms ----------------------------------------------------------------------------------


def test_saml_trust_may_grant_source_identity_in_its_own_statement() -> None:
    provider = {"Federated": "arn:aws:iam::111122223333:saml-provider/ExampleIdP"}
    assume = {"Effect": "Allow", "Principal": provider, "Action": "sts:AssumeRoleWithSAML"}
    extras = {"Effect": "Allow", "Principal": provider, "Action": ["sts:SetSourceIdentity", "sts:TagSession"]}
    assert _codes(_policy(assume, extras), "trust") == []
    assert [c for c, *_ in _codes(_policy(extras), "trust")] == ["trust-action-mismatch"]
    wrong = dict(assume, Action=["sts:AssumeRole", "sts:AssumeRoleWithSAML"])
    findings = check_text(_policy(wrong), file="t.trust-policy.json", kind="trust")
    assert [(f.code, f.line) for f in findings] == [("trust-action-mismatch", 10)]
    assert "sts:AssumeRole never applies to a SAML provider" in findings[0].message
    assert (
        "id_credentials_temp_control-access_monitor.html"
        in RULES_BY_CODE["trust-action-mismatch"].description_en
    )


def test_ip_key_compared_with_a_policy_variable_is_no_type_mismatch() -> None:
    condition = {"StringNotEquals": {"aws:SourceIp": "${aws:PrincipalTag/allowed-ip}"}}
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}
    assert _codes(_policy(statement), "identity") == []
    condition["StringNotEquals"]["aws:SourceIp"] = "203.0.113.7"
    assert [c for c, *_ in _codes(_policy(statement), "identity")] == ["operator-type-mismatch"]
    rule = RULES_BY_CODE["operator-type-mismatch"]
    assert rule.url.endswith("reference_policies_elements_condition_operators.html#Conditions_IPAddress")
    assert "Policy variables – Not supported" in rule.description_en


# -- every rule cites AWS, in both languages -------------------------------------------------------


def test_every_rule_names_its_aws_page_in_both_reference_pages() -> None:
    from policyproof.check.rules_reference import render

    pages = {lang: render(lang) for lang in ("en", "vi")}
    for code, rule in RULES_BY_CODE.items():
        assert rule.url.startswith("https://docs.aws.amazon.com/"), code
        for lang, page in pages.items():
            section = page.split(f"{{ #{code} }}", 1)[1].split("\n### ", 1)[0]
            assert f"({rule.url})" in section, f"{code}: no AWS link in the {lang} page"
    assert "Nguồn: [tài liệu AWS]" in pages["vi"] and "Source: [AWS documentation]" in pages["en"]


def test_resource_policy_service_and_type_come_from_its_arns() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": ["sqs:SendMessage", "sns:Publish"],
        "Resource": "arn:aws:sqs:us-east-1:111122223333:orders",
    }
    findings = check_text(_policy(statement), file="q.resource-policy.json")
    mismatch = [f for f in findings if f.code == "action-not-for-this-resource"]
    assert [(f.line, f.column) for f in mismatch] == [(11, 9)]
    assert "belongs to a sqs queue (from its ARNs)" in mismatch[0].message


def test_attached_to_names_the_service_of_a_resource_policy() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "111122223333"},
        "Action": "sns:Publish",
        "Resource": "*",
    }
    assert _codes(_policy(statement), "resource") == []  # Resource "*": nothing tells the service
    found = check_text(
        _policy(statement),
        file="q.resource-policy.json",
        attached_to="arn:aws:sqs:us-east-1:111122223333:orders",
    )
    assert [f.code for f in found] == ["action-not-for-this-resource"]
    assert "(from --attached-to)" in found[0].message


def test_endpoint_statement_cannot_hold_principal_and_notprincipal() -> None:
    statement = {"Effect": "Allow", "Principal": "*", "NotPrincipal": {"AWS": "111122223333"}}
    statement["Action"] = "s3:*"
    found = check_text(_policy(dict(statement, Resource="*")), file="e.endpoint-policy.json")
    assert [(f.code, f.line) for f in found] == [("element-conflict", 7)]
    assert found[0].message.startswith("Principal and NotPrincipal cannot be used together")
    both_resources = {"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "sqs:*"}
    both_resources.update(Resource="*", NotResource="arn:aws:sqs:us-east-1:111122223333:q")
    found = check_text(_policy(both_resources), file="q.resource-policy.json")
    assert [f.code for f in found] == ["element-conflict"]
    assert found[0].message.startswith("Resource and NotResource cannot be used together")
