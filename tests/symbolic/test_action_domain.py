"""The action domain of src/policyproof/symbolic/actions.py (index intervals found by bisection and
shared between questions) against a plain scan of the names, and the formulas a question shares
between its solver calls (src/policyproof/symbolic/solve.py ``Question.setup``)."""

from __future__ import annotations

import pytest

from policyproof.engine.model import NamedPolicy
from policyproof.engine.patterns import wildcard_regex
from policyproof.engine.result import ALLOW
from policyproof.symbolic import Unknown
from policyproof.symbolic.actions import action_domain, documented_actions
from policyproof.symbolic.evaluator import FREE, Slots
from policyproof.symbolic.pieces import glob_matches
from policyproof.symbolic.request import USER
from policyproof.symbolic.solve import Question

PATTERNS = (
    "*",
    "**",
    "kms:*",
    "KMS:De*",
    "s3:Get*Acl",
    "s3:?etObject",
    "*:Describe*",
    "?3:List*",
    "iam:PassRole",
    "example:do*",
    "kms:*key*",
    "custom:frob",
)


def _runs_of(names, predicate):
    runs: list[list[int]] = []
    for i, name in enumerate(names):
        if predicate(name):
            if runs and runs[-1][1] == i - 1:
                runs[-1][1] = i
            else:
                runs.append([i, i])
    return tuple((lo, hi) for lo, hi in runs)


@pytest.fixture(scope="module")
def domain():
    return action_domain({"Custom:Frob", "kms:Decrypt"}, {"example:do*", "kms:*"})


def test_named_actions_the_catalog_lacks_and_examples_join_the_domain(domain):
    documented = documented_actions()
    assert "custom:frob" in domain.names and "custom:frob" not in documented
    # example:do* matches no documented action: one example action stands for it.
    assert "example:do" in domain.names
    assert list(domain.names) == sorted(set(documented) | {"custom:frob", "example:do"})
    # A documented action named again, and a pattern documented actions match, add nothing.
    assert action_domain({"kms:Decrypt"}, {"kms:*"}) is action_domain(set(), set())
    assert action_domain(set(), set()).names == documented
    # The same extra names give the same (shared) domain, whatever the order they came in.
    assert action_domain({"kms:Decrypt", "Custom:Frob"}, {"kms:*", "example:do*"}) is domain


@pytest.mark.parametrize("pattern", PATTERNS)
def test_pattern_intervals_are_the_names_a_scan_finds(domain, pattern):
    regex = wildcard_regex(pattern, True)
    assert domain.intervals(pattern) == _runs_of(domain.names, lambda n: regex.fullmatch(n) is not None)


def test_action_sets_are_the_names_a_scan_finds(domain):
    names = domain.names
    chosen = frozenset({names[0], names[1], names[5], names[-1], "kms:decrypt", "custom:frob", "not:in-it"})
    assert domain.of_set(chosen) == _runs_of(names, lambda n: n in chosen)
    assert domain.of_set(frozenset()) == ()


def test_union_of_patterns_merges_their_intervals(domain):
    patterns = ("kms:*", "s3:Get*", "custom:frob")
    regexes = [wildcard_regex(p, True) for p in patterns]
    expected = _runs_of(domain.names, lambda n: any(r.fullmatch(n) for r in regexes))
    assert domain.union(patterns) == expected


def test_a_partial_account_pattern_of_one_call_does_not_leak_into_the_next_call_of_the_question():
    """A question builds its formulas once per principal kind and asks several solver calls about
    them: a wildcard inside an account id in one call's own constraints makes that call Unknown,
    never a later call that does not have it."""
    everyone = NamedPolicy(
        "everyone.bucket-policy.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
        },
    )
    question = Question({"p": Slots(identity=FREE, resource=everyone)}, texts=("111111111111",))

    def allowed(request, sides):
        return sides["p"].evaluation.allow

    def cuts_the_account(request):
        return [glob_matches(request.resource, "arn:aws:s3:us-east-1:1111*:thing")]

    with pytest.raises(Unknown, match="wildcard inside an account id"):
        question.find(USER, allowed, lambda d: d["p"] == ALLOW, cuts_the_account)
    witness = question.find(USER, allowed, lambda d: d["p"] == ALLOW)
    assert witness is not None and witness.decisions == {"p": ALLOW}


def test_a_partial_account_pattern_in_a_policy_makes_every_call_unknown():
    wildcard_account = NamedPolicy(
        "wild.bucket-policy.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::bucket/*",
                    "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1111*:root"}},
                }
            ],
        },
    )
    question = Question({"p": Slots(identity=FREE, resource=wildcard_account)})
    for _ in range(2):  # the second call reuses the formulas built by the first
        with pytest.raises(Unknown, match="wildcard inside an account id"):
            question.find(USER, lambda r, s: s["p"].evaluation.allow, lambda d: True)
