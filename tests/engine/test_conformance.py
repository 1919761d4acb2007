"""Conformance: every strict-mode core-engine case of iam-simulate, read from the shared folder.

The cases are AGPL-licensed test data of another project, so they are read at test time from
``$POLICYPROOF_SHARED/conformance/iam-simulate/core-engine`` (default ``<repo>/../shared``) and never
copied here: this is the extra suite ``conformance`` (tests/conftest.py). Without the folder its
tests are not run and pytest names the suite and how to provide it; ``.ci/run`` sets
``POLICYPROOF_REQUIRE_SHARED=1``, so there a missing folder stops the run. Discovery-mode cases
test iam-simulate's own "what could allow this" feature, not AWS decisions, and are left out.

The bar: agree with at least 355 of the 359 strict cases. Every case where policyproof decides
differently is listed in ``KNOWN_DIFFERENCES`` with the reason and the AWS documentation that
says who is right; each listed case is asserted to *still* differ, so a case that starts agreeing
must be removed from the list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from conftest import extra_suite_path

from policyproof.engine import EngineInputError, evaluate
from policyproof.engine.cases import parse_case

CORE_ENGINE = extra_suite_path("conformance")
STRICT_CASES = 359
REQUIRED_AGREEMENT = 355

pytestmark = pytest.mark.extra_suite("conformance")


@dataclass(frozen=True)
class KnownDifference:
    kind: str  # "disputed": policyproof follows the AWS documentation; "malformed": the case is bad input
    reason: str


KNOWN_DIFFERENCES: dict[str, KnownDifference] = {
    "sessionPolicies.json::Implicit deny in session policy denies even if session ARN in resource policy": (
        KnownDifference(
            "disputed",
            "iam-simulate expects ImplicitDeny; policyproof says Allow. The IAM User Guide, 'Policy "
            "evaluation logic' (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-"
            "logic.html, same-account table for resource-based policies) says a resource-based policy "
            "that names the role session ARN is NOT limited by an implicit deny in the identity policy, "
            "the permissions boundary or the session policy; only naming the role ARN is. The STS API "
            "reference (GetFederationToken, Policy parameter) says the same: resource-policy grants to "
            "the session are 'granted in addition to the permissions that are granted by the session "
            "policies'. The conformance README marks this case as disputed.",
        )
    ),
    "resourceWildcards/requestWildcards.json::Deny/Resource: specific resource does not match request "
    "wildcard '*'": KnownDifference(
        "malformed",
        "The case spells the key 'resourcePolicies' (plural), which the core-engine format does not "
        "have; iam-simulate's runner silently ignores it, so its expectation was computed without the "
        "resource policy (README: vacuous). policyproof refuses the case as bad input rather than drop "
        "a policy silently. Read as 'resourcePolicy', policyproof gives the expected decision (checked "
        "below): per the IAM User Guide, a Deny applies only to the resources its Resource matches.",
    ),
    "resourceWildcards/requestWildcards.json::Deny/Resource: wildcard resource does not match request "
    "wildcard '*'": KnownDifference(
        "malformed",
        "Same malformed 'resourcePolicies' key as above (README: vacuous); read as 'resourcePolicy' "
        "policyproof agrees with the expected decision.",
    ),
    "resourceWildcards/requestWildcards.json::Deny/NotResource: specific resource matches request "
    "wildcard '*'": KnownDifference(
        "malformed",
        "Same malformed 'resourcePolicies' key as above (README: vacuous); read as 'resourcePolicy' "
        "policyproof agrees with the expected decision.",
    ),
}


def _strict_cases() -> list[tuple[str, dict]]:
    if not CORE_ENGINE.is_dir():
        return []
    cases = []
    for path in sorted(CORE_ENGINE.rglob("*.json")):
        relative = path.relative_to(CORE_ENGINE).as_posix()
        for raw in json.loads(path.read_text(encoding="utf-8")):
            if (raw.get("simulation") or {}).get("mode") == "Discovery":
                continue
            cases.append((f"{relative}::{raw['name']}", raw))
    return cases


# Empty when the folder is absent: the conftest then deselects this module's tests and says why.
CASES = _strict_cases()


def _outcome(case_id: str, raw: dict) -> tuple[str | None, str]:
    """(decision or None for an input error, explanation or error message)."""
    try:
        case = parse_case(raw, case_id)
        result = evaluate(case.request, case.policies)
    except EngineInputError as error:
        return None, str(error)
    return result.decision, result.explain("en")


def _expected(raw: dict) -> str:
    return {"Allowed": "Allow", "ImplicitlyDenied": "ImplicitDeny", "ExplicitlyDenied": "ExplicitDeny"}[
        raw["expected"]["response"]
    ]


def test_conformance_folder_is_present_and_complete() -> None:
    assert len(CASES) == STRICT_CASES, (
        f"{CORE_ENGINE}: expected {STRICT_CASES} strict cases, found {len(CASES)}"
    )
    ids = [case_id for case_id, _ in CASES]
    assert len(set(ids)) == len(ids), "case ids file::name must be unique"
    unknown = set(KNOWN_DIFFERENCES) - set(ids)
    assert not unknown, f"KNOWN_DIFFERENCES names cases that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize(("case_id", "raw"), CASES, ids=[case_id for case_id, _ in CASES])
def test_case(case_id: str, raw: dict) -> None:
    expected = _expected(raw)
    decision, detail = _outcome(case_id, raw)
    known = KNOWN_DIFFERENCES.get(case_id)
    if known is None:
        assert decision == expected, (
            f"{CORE_ENGINE / case_id.split('::')[0]}: case {raw['name']!r}: expected {expected}, "
            f"policyproof says {decision}\n{detail}"
        )
        return
    assert decision != expected, (
        f"{case_id} now agrees with iam-simulate ({expected}): remove it from KNOWN_DIFFERENCES"
    )
    if known.kind == "malformed":
        assert decision is None and "resourcePolicies" in detail, detail
        # The only problem is the misspelt key: with it read as intended, the decision agrees.
        fixed = {k: v for k, v in raw.items() if k != "resourcePolicies"}
        fixed["resourcePolicy"] = raw["resourcePolicies"][0]
        fixed_decision, fixed_detail = _outcome(case_id, fixed)
        assert fixed_decision == expected, fixed_detail
    else:
        assert decision is not None, detail


def test_agreement_meets_the_bar() -> None:
    agree = sum(1 for case_id, raw in CASES if _outcome(case_id, raw)[0] == _expected(raw))
    assert agree >= REQUIRED_AGREEMENT, f"policyproof agrees with {agree}/{len(CASES)} cases"
    assert agree == len(CASES) - len(KNOWN_DIFFERENCES), (
        f"agreement {agree}/{len(CASES)} does not match the {len(KNOWN_DIFFERENCES)} listed differences"
    )


def test_the_decision_shortcut_agrees_with_the_full_decision() -> None:
    """evaluator._decide decides the commonest requests in fewer steps; on every case its decision
    and rule are the ones _decide_in_full reaches by the long way."""
    from policyproof.engine import evaluator

    shortcut = 0
    for case_id, raw in CASES:
        try:
            case = parse_case(raw, case_id)
            result = evaluate(case.request, case.policies)
        except EngineInputError:
            continue
        evaluated = result.trace
        decision, (code, params, cites) = evaluator._decide_in_full(evaluated.setting, evaluated)
        rule = result.trace.rule
        assert (result.decision, rule.code, rule.params) == (decision, code, params), case_id
        assert [c.to_dict() for c in rule.cites] == [
            {"kind": c[0], "policy": c[1], "statement": c[2]} for c in cites
        ], case_id
        shortcut += evaluated.setting.plain and code in ("allow-identity", "no-allow")
    assert shortcut > 100  # the shortcut is taken on many cases (and agrees on all of them)
