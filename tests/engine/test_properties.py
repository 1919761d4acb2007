"""Properties every AWS-faithful evaluator must have, checked on random policy sets.

The strategies draw from a small universe (two accounts, users, a role and its session, S3 and
KMS resources, a few condition keys) so that random statements often match the request and the
interesting rules (cross-account, key policy, boundaries, SCP levels) are exercised.
"""

from __future__ import annotations

import copy

from engine_helpers import KEY_A, OBJECT, ROLE_A, SESSION_A, SESSION_B, USER_A, USER_B, A, B
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policyproof.engine import NamedPolicy, PolicySet, Request, evaluate

PRINCIPALS = [USER_A, USER_B, ROLE_A, SESSION_A, SESSION_B, "anonymous"]
REQUESTS = [
    ("s3:GetObject", OBJECT),
    ("s3:PutObject", OBJECT),
    ("kms:Decrypt", KEY_A),
    ("kms:ScheduleKeyDeletion", KEY_A),
]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:GetObject", "s3:PutObject", "kms:*", "kms:Decrypt", "kms:Enc*"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::bucket-a/*", OBJECT, "arn:aws:s3:::other/*", KEY_A, "arn:aws:kms:*"]
PRINCIPAL_ELEMENTS = [
    "*",
    {"AWS": "*"},
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{B}:root"},
    {"AWS": USER_A},
    {"AWS": USER_B},
    {"AWS": ROLE_A},
    {"AWS": SESSION_A},
    {"Service": "s3.amazonaws.com"},
]
CONDITIONS = [
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"StringNotEquals": {"aws:PrincipalAccount": A}},
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}},
    {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}},
    {"Null": {"aws:SourceVpce": "true"}},
]
CONTEXTS = [{}, {"aws:SecureTransport": "true"}, {"aws:SecureTransport": "false", "aws:SourceVpce": "vpce-1"}]


@st.composite
def statements(draw: st.DrawFn, with_principal: bool, effect: str | None = None) -> dict:
    statement: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = actions
    resources = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
    statement["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = resources
    if with_principal:
        element = draw(st.sampled_from(PRINCIPAL_ELEMENTS))
        statement["NotPrincipal" if draw(st.integers(0, 7)) == 0 else "Principal"] = element
    if draw(st.integers(0, 3)) == 0:
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    return statement


def documents(with_principal: bool) -> st.SearchStrategy[dict]:
    return st.lists(statements(with_principal), min_size=0, max_size=3).map(
        lambda items: {"Version": "2012-10-17", "Statement": items}
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Request, PolicySet]:
    action, resource = draw(st.sampled_from(REQUESTS))
    principal = draw(st.sampled_from(PRINCIPALS))
    request = Request(principal, action, resource, A, draw(st.sampled_from(CONTEXTS)))

    def named(prefix: str, documents_: list[dict]) -> list[NamedPolicy]:
        return [NamedPolicy(f"{prefix}{i}", d) for i, d in enumerate(documents_)]

    policies = PolicySet(
        identity=named("identity", draw(st.lists(documents(False), max_size=2))),
        resource=draw(st.none() | documents(True).map(lambda d: NamedPolicy("resource", d))),
        boundaries=named("boundary", draw(st.lists(documents(False), max_size=1))),
        session=draw(st.none() | documents(False).map(lambda d: NamedPolicy("session", d))),
        scps=[
            named(f"scp{level}-", draw(st.lists(documents(False), min_size=1, max_size=2)))
            for level in range(draw(st.integers(0, 2)))
        ],
        rcps=[
            named(f"rcp{level}-", draw(st.lists(documents(True), max_size=1)))
            for level in range(draw(st.integers(0, 1)))
        ],
    )
    return request, policies


@st.composite
def mostly_allowed_scenarios(draw: st.DrawFn) -> tuple[Request, PolicySet]:
    """Random scenarios where every granting policy and guardrail also holds an Allow-all
    statement, so that many of them are allowed (random denies and conditions still bite)."""
    request, policies = draw(scenarios())
    allow_all = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    identity = policies.identity or [NamedPolicy("identity0", {"Version": "2012-10-17", "Statement": []})]
    for group in (identity, policies.boundaries, *policies.scps):
        for named_policy in group:
            named_policy.document["Statement"].append(dict(allow_all))
    resource = policies.resource
    if resource is not None:
        resource.document["Statement"].append({**allow_all, "Principal": "*"})
    if policies.session is not None:
        policies.session.document["Statement"].append(dict(allow_all))
    return request, PolicySet(
        identity=identity,
        resource=resource,
        boundaries=policies.boundaries,
        session=policies.session,
        scps=policies.scps,
        rcps=policies.rcps,
    )


# Where a statement can be added: (field of PolicySet, index inside it, takes a Principal?)
def _slots(policies: PolicySet) -> list[tuple[str, int, int, bool]]:
    slots: list[tuple[str, int, int, bool]] = [
        ("identity", i, 0, False) for i in range(len(policies.identity))
    ]
    if policies.resource is not None:
        slots.append(("resource", 0, 0, True))
    slots += [("boundaries", i, 0, False) for i in range(len(policies.boundaries))]
    if policies.session is not None:
        slots.append(("session", 0, 0, False))
    for level, level_policies in enumerate(policies.scps):
        slots += [("scps", level, i, False) for i in range(len(level_policies))]
    for level, level_policies in enumerate(policies.rcps):
        slots += [("rcps", level, i, True) for i in range(len(level_policies))]
    return slots


def _with_statement(policies: PolicySet, slot: tuple[str, int, int, bool], statement: dict) -> PolicySet:
    """A deep copy of ``policies`` with ``statement`` appended to the policy at ``slot``."""
    copied = copy.deepcopy(policies)
    field, first, second, _ = slot
    if field in ("resource", "session"):
        target = getattr(copied, field)
    elif field in ("scps", "rcps"):
        target = getattr(copied, field)[first][second]
    else:
        target = getattr(copied, field)[first]
    target.document["Statement"].append(statement)
    return copied


COMMON = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(scenarios() | mostly_allowed_scenarios(), st.data())
def test_adding_a_deny_never_turns_a_deny_into_an_allow(scenario: tuple, data: st.DataObject) -> None:
    request, policies = scenario
    before = evaluate(request, policies).decision
    assume(before != "Allow")
    slots = _slots(policies)
    assume(slots)
    slot = data.draw(st.sampled_from(slots))
    extra = data.draw(statements(with_principal=slot[3], effect="Deny"))
    after = evaluate(request, _with_statement(policies, slot, extra)).decision
    assert after != "Allow", f"adding Deny {extra} to {slot[:3]} turned {before} into Allow"


@COMMON
@given(mostly_allowed_scenarios(), st.data())
def test_adding_an_identity_allow_never_turns_an_allow_into_a_deny(
    scenario: tuple, data: st.DataObject
) -> None:
    request, policies = scenario
    assume(evaluate(request, policies).decision == "Allow")
    slot = ("identity", data.draw(st.integers(0, len(policies.identity) - 1)), 0, False)
    extra = data.draw(statements(with_principal=False, effect="Allow"))
    after = evaluate(request, _with_statement(policies, slot, extra)).decision
    assert after == "Allow", f"adding Allow {extra} to identity policy {slot[1]} turned Allow into {after}"


@COMMON
@given(scenarios() | mostly_allowed_scenarios(), st.data())
def test_an_explicit_deny_anywhere_always_wins(scenario: tuple, data: st.DataObject) -> None:
    request, policies = scenario
    slots = _slots(policies)
    if request.principal == "anonymous":
        # SCPs govern the principals of member accounts; anonymous callers have none (AWS
        # Organizations User Guide), so an SCP Deny cannot reach them.
        slots = [slot for slot in slots if slot[0] != "scps"]
    assume(slots)
    slot = data.draw(st.sampled_from(slots))
    deny_all = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    if slot[3]:
        deny_all["Principal"] = "*"
    result = evaluate(request, _with_statement(policies, slot, deny_all))
    assert result.decision == "ExplicitDeny", (
        f"Deny * in {slot[:3]} gave {result.decision}\n{result.explain()}"
    )
    assert result.trace.rule.code == "explicit-deny"


def _shuffled(policies: PolicySet, permute: st.DataObject) -> PolicySet:
    copied = copy.deepcopy(policies)

    def shuffle_document(policy: NamedPolicy | None) -> None:
        if policy is not None:
            items = policy.document["Statement"]
            policy.document["Statement"] = permute.draw(st.permutations(items)) if items else items

    for group in (copied.identity, copied.boundaries, *copied.scps, *copied.rcps):
        for named_policy in group:
            shuffle_document(named_policy)
    shuffle_document(copied.resource)
    shuffle_document(copied.session)
    identity = permute.draw(st.permutations(copied.identity)) if copied.identity else []
    return PolicySet(
        identity=list(identity),
        resource=copied.resource,
        boundaries=copied.boundaries,
        session=copied.session,
        scps=copied.scps,
        rcps=copied.rcps,
    )


@COMMON
@given(scenarios() | mostly_allowed_scenarios(), st.data())
def test_the_decision_does_not_depend_on_statement_order(scenario: tuple, data: st.DataObject) -> None:
    request, policies = scenario
    before = evaluate(request, policies).decision
    after = evaluate(request, _shuffled(policies, data)).decision
    assert before == after, "reordering statements changed the decision"
