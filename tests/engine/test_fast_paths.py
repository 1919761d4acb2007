"""The engine's fast paths (issue 14, "Engine speed, honestly") keep its answers and its trace.

The decision is computed without building the trace; the trace is built in full when it is read
(src/policyproof/engine/evaluator.py, ``_Evaluated._build_policies``), from the same compiled statements
and the same matching function (statements.py, ``statement_applies``). A policy's compiled form is
kept on its NamedPolicy (statements.py, ``compiled_of``); per-string caches can be emptied
(engine/caches.py) without changing any decision.
"""

from __future__ import annotations

import copy
import pickle

import pytest
from engine_helpers import BUCKET, OBJECT, USER_A, A, allow, decide, deny, doc, policy

from policyproof.engine import EngineInputError, NamedPolicy, PolicySet, Request, caches, evaluate


def test_a_document_changed_in_place_is_compiled_again() -> None:
    named = NamedPolicy("p", doc(allow("s3:GetObject", OBJECT)))
    for _ in range(3):  # the third evaluation trusts the copy taken at the second
        assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=[named]).decision == "Allow"
    named.document["Statement"][0]["Effect"] = "Deny"
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=[named])
    assert result.decision == "ExplicitDeny"
    assert result.trace.rule.code == "explicit-deny"


def test_a_deep_copy_changed_in_place_is_compiled_again() -> None:
    named = NamedPolicy("p", doc(allow("s3:GetObject", OBJECT)))
    decide(USER_A, "s3:GetObject", OBJECT, A, identity=[named])
    decide(USER_A, "s3:GetObject", OBJECT, A, identity=[named])
    copied = copy.deepcopy(named)
    copied.document["Statement"][0]["Action"] = "s3:PutObject"
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=[copied]).decision == "ImplicitDeny"
    assert decide(USER_A, "s3:GetObject", OBJECT, A, identity=[named]).decision == "Allow"


def test_the_trace_read_later_is_complete() -> None:
    identity = [
        policy(
            "p",
            allow("s3:PutObject", "arn:aws:s3:::other/x"),
            allow("s3:GetObject", "arn:aws:s3:::other/*"),
            allow("s3:GetObject", OBJECT, Condition={"Bool": {"aws:SecureTransport": "true"}}),
        )
    ]
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=identity)
    assert result.decision == "ImplicitDeny"
    statements = result.trace.policies[0].statements
    assert [m.element for m in statements[0].mismatches] == ["Action", "Resource"]
    assert [m.element for m in statements[1].mismatches] == ["Resource"]
    assert [m.reason for m in statements[2].mismatches] == ["condition-key-missing"]
    assert result.trace.facts["principal"] == USER_A
    assert "ImplicitDeny" in result.explain("en")


def test_the_trace_does_not_follow_later_changes_to_the_input() -> None:
    context = {"aws:SecureTransport": "true"}
    document = doc(allow("s3:GetObject", OBJECT, Condition={"Bool": {"aws:SecureTransport": "true"}}))
    result = evaluate(
        Request(USER_A, "s3:GetObject", OBJECT, A, context), PolicySet([NamedPolicy("p", document)])
    )
    context["aws:SecureTransport"] = "false"
    document["Statement"][0]["Action"] = "s3:PutObject"
    assert result.decision == "Allow"
    assert result.trace.policies[0].statements[0].applies
    assert result.trace.to_dict()["decidedBy"]["code"] == "allow-identity"


def test_a_pickled_result_carries_its_whole_trace() -> None:
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=[policy("p", deny("s3:GetObject", BUCKET))])
    restored = pickle.loads(pickle.dumps(result))
    assert restored.decision == result.decision
    assert restored.trace.to_dict() == result.trace.to_dict()


@pytest.mark.parametrize(
    ("statement", "path"),
    [
        # the short path (no NotAction/NotResource/NotPrincipal) and the general one fail alike
        (deny("s3:GetObject", "bucket-a"), ("Statement", 0, "Resource")),
        (
            {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "bucket-a"},
            ("Statement", 0, "Resource"),
        ),
        ({"Effect": "Allow", "Resource": "*"}, ("Statement", 0)),
        ({"Effect": "Allow", "Action": ["s3:GetObject", 3], "Resource": "*"}, ("Statement", 0)),
    ],
)
def test_malformed_statements_are_input_errors_on_every_path(statement: dict, path: tuple) -> None:
    with pytest.raises(EngineInputError) as caught:
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=[NamedPolicy("p", doc(statement))])
    assert caught.value.path == path
    assert caught.value.message.startswith("identity policy 'p' statement #1")


def test_clearing_the_caches_changes_no_decision() -> None:
    cases = [
        ("s3:GetObject", [policy("p", allow("s3:Get*", "arn:aws:s3:::bucket-a/*"))], "Allow"),
        ("s3:GetObject", [policy("p", allow("s3:*"), deny("s3:Get?bject", OBJECT))], "ExplicitDeny"),
        ("s3:PutObject", [policy("p", allow("S3:getobject"))], "ImplicitDeny"),
    ]
    for action, identity, expected in cases:
        before = decide(USER_A, action, OBJECT, A, identity=identity)
        caches.clear()
        after = decide(USER_A, action, OBJECT, A, identity=copy.deepcopy(identity))
        assert before.decision == after.decision == expected
        assert before.trace.to_dict() == after.trace.to_dict()
    assert "pattern cache: shared across cases" in caches.describe()


def test_parse_case_makes_the_objects_their_constructors_make() -> None:
    """cases.py sets the fields of Request, NamedPolicy, PolicySet and Case one by one (no
    __init__ call): every field must be set, and to what the constructor would set."""
    from dataclasses import fields

    from policyproof.engine.cases import Case, parse_case

    identity = doc(allow("s3:GetObject", OBJECT))
    resource = doc(allow("s3:GetObject", OBJECT, Principal={"AWS": A}))
    session = doc(allow())
    scp = doc(allow())
    raw = {
        "name": "every key",
        "description": "all of them",
        "request": {
            "principal": USER_A,
            "action": "s3:GetObject",
            "resource": {"resource": OBJECT, "accountId": A},
            "context": {"aws:SecureTransport": "true"},
            "wildcardOnlyAction": False,
        },
        "identityPolicies": [identity],
        "resourcePolicy": resource,
        "permissionBoundaries": [doc(allow())],
        "sessionPolicy": session,
        "serviceControlPolicies": [{"orgIdentifier": "r-1", "policies": [scp]}],
        "resourceControlPolicies": [{"orgIdentifier": "r-1", "policies": [scp]}],
        "endpointPolicies": [doc(allow())],
        "expected": {"response": "Allowed"},
        "simulation": {"mode": "Strict"},
        "skip": False,
    }
    case = parse_case(raw, "case.json")
    named = NamedPolicy
    expected = Case(
        "every key",
        Request(USER_A, "s3:GetObject", OBJECT, A, {"aws:SecureTransport": "true"}, None, False),
        PolicySet(
            [named("identityPolicies[0]", identity)],
            named("resourcePolicy", resource),
            [named("permissionBoundaries[0]", doc(allow()))],
            named("sessionPolicy", session),
            [[named("serviceControlPolicies[0].policies[0]", scp)]],
            [[named("resourceControlPolicies[0].policies[0]", scp)]],
            [named("endpointPolicies[0]", doc(allow()))],
            [],
        ),
        "Allow",
        False,
    )
    assert case == expected
    for made in (case, case.request, case.policies, case.policies.identity[0], case.policies.resource):
        for field in fields(made):  # every field set (an unset slot would raise here)
            getattr(made, field.name)
    assert case.policies.identity[0].compiled is None
    assert evaluate(case.request, case.policies).decision == "Allow"


def test_single_and_listed_patterns_show_alike_in_the_trace() -> None:
    """A statement's single Action/Resource pattern is compiled as the string itself (statements.py,
    Statement): the trace still shows the patterns as a list, as for a listed one."""
    identity = [
        policy(
            "p",
            allow("s3:PutObject", "arn:aws:s3:::other/x"),
            allow(["s3:PutObject"], ["arn:aws:s3:::other/x"]),
        )
    ]
    result = decide(USER_A, "s3:GetObject", OBJECT, A, identity=identity)
    assert result.decision == "ImplicitDeny"
    single, listed = (s.to_dict()["mismatches"] for s in result.trace.policies[0].statements)
    assert single == listed
    assert single[0] == {
        "element": "Action",
        "reason": "action-not-listed",
        "action": "s3:GetObject",
        "patterns": ["s3:PutObject"],
    }
    assert single[1]["patterns"] == ["arn:aws:s3:::other/x"]


def test_clearing_the_caches_forgets_the_request_settings() -> None:
    from policyproof.engine import evaluator

    decide(USER_A, "s3:GetObject", OBJECT, A, identity=[policy("p", allow())])
    assert evaluator._SETTINGS
    caches.clear()
    assert not evaluator._SETTINGS


def test_parse_case_of_just_the_four_common_keys_makes_what_the_constructors_make() -> None:
    """A case of just name, request, identityPolicies and expected takes a shorter path in
    cases.py: the same objects, every field set."""
    from dataclasses import fields

    from policyproof.engine.cases import Case, parse_case

    identity = doc(allow("s3:GetObject", OBJECT))
    raw = {
        "name": "four keys",
        "request": {
            "principal": USER_A,
            "action": "s3:GetObject",
            "resource": {"resource": OBJECT, "accountId": A},
        },
        "identityPolicies": [identity],
        "expected": {"response": "Allowed"},
    }
    case = parse_case(raw, "case.json")
    assert case == Case(
        "four keys",
        Request(USER_A, "s3:GetObject", OBJECT, A, {}, None, False),
        PolicySet([NamedPolicy("identityPolicies[0]", identity)]),
        "Allow",
        False,
    )
    for made in (case, case.request, case.policies, case.policies.identity[0]):
        for field in fields(made):
            getattr(made, field.name)
    assert evaluate(case.request, case.policies).decision == "Allow"
    with pytest.raises(EngineInputError, match="grants"):  # a fifth key takes the long path
        parse_case({**raw, "grants": "none"}, "case.json")
