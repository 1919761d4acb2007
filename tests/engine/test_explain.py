"""Explanations: every rule and every mismatch has a sentence in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from engine_helpers import KEY_A, OBJECT, USER_A, USER_B, A, B, allow, decide, deny, policy

from policyproof.engine import explain as explain_module
from policyproof.engine.explain import LANGUAGES, MISMATCH, RULES

# Every rule code the evaluator can produce (grep-able in evaluator.py as Rule("...")).
RULE_CODES_IN_EVALUATOR = set(
    re.findall(
        r'Rule\(\s*"([a-z-]+)"',
        Path(explain_module.__file__).with_name("evaluator.py").read_text(encoding="utf-8"),
    )
)
# codes that are also reached through the guardrails() helper
RULE_CODES_IN_EVALUATOR |= {
    "allow-cross-account",
    "allow-resource-names-principal",
    "allow-identity",
    "allow-identity-delegated",
}
VIETNAMESE_MARKS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def test_every_rule_code_has_both_languages() -> None:
    for lang in LANGUAGES:
        keys = {key.split(":")[0] for key in RULES[lang]}
        missing = RULE_CODES_IN_EVALUATOR - keys
        assert not missing, f"explain.py RULES[{lang!r}] lacks {sorted(missing)}"
    assert set(RULES["en"]) == set(RULES["vi"])
    assert set(MISMATCH["en"]) == set(MISMATCH["vi"])


def test_vietnamese_templates_are_written_with_diacritics() -> None:
    for key, template in RULES["vi"].items():
        assert VIETNAMESE_MARKS.search(template), f"RULES['vi'][{key!r}] has no Vietnamese diacritics"
        assert template != RULES["en"][key]


def test_explanation_names_the_deciding_statement_by_sid() -> None:
    result = decide(
        USER_A,
        "s3:GetObject",
        OBJECT,
        A,
        identity=[policy("team", allow("s3:*", Sid="ReadAll"), deny("s3:GetObject", Sid="NoReads"))],
    )
    english = result.explain("en")
    vietnamese = result.explain("vi")
    assert result.decision == "ExplicitDeny"
    assert 'statement "NoReads" of identity policy "team"' in english
    assert 'statement "NoReads" trong identity policy "team"' in vietnamese
    assert "Bị từ chối tường minh" in vietnamese


def test_explanation_names_statements_without_sid_by_position() -> None:
    result = decide(
        USER_A, "s3:GetObject", OBJECT, A, identity=[policy("p", allow("ec2:*"), allow("s3:GetObject"))]
    )
    assert 'statement #2 of identity policy "p"' in result.explain("en")
    assert (
        "statement #1 (Allow): does not apply: action s3:GetObject is not in Action (ec2:*)"
        in result.explain()
    )


def test_cross_account_explanation_says_which_side_is_missing() -> None:
    key = policy(
        "key",
        {
            "Sid": "AllowB",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        },
    )
    result = decide(USER_B, "kms:Decrypt", KEY_A, A, resource=key)
    assert result.trace.rule.code == "cross-account-no-identity-allow"
    assert "key policy allows it" in result.explain("en")
    assert f"account {B}" in result.explain("en")
    assert "cả hai account đều phải cho phép" in result.explain("vi")


def test_to_dict_is_json() -> None:
    result = decide(
        USER_A,
        "s3:GetObject",
        OBJECT,
        A,
        {"aws:SourceIp": "10.0.0.1"},
        identity=[policy("p", allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))],
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["decision"] == "ImplicitDeny"
    assert data["trace"]["decidedBy"]["code"] == "no-allow"
    mismatch = data["trace"]["policies"][0]["statements"][0]["mismatches"][0]
    assert mismatch == {
        "element": "Condition",
        "reason": "condition-not-met",
        "operator": "IpAddress",
        "key": "aws:SourceIp",
        "policyValues": ["192.0.2.0/24"],
        "requestValues": ["10.0.0.1"],
    }


def test_unknown_language_is_refused() -> None:
    result = decide(USER_A, "s3:GetObject", OBJECT, A)
    with pytest.raises(ValueError, match="unknown language"):
        result.explain("fr")


def _scenarios_for_every_rule() -> list:
    """One request per rule (and per rule variant with its own sentence)."""
    key_policy_b = policy(
        "key",
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
    )
    key_policy_a = policy(
        "key", {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "kms:*", "Resource": "*"}
    )
    role = f"arn:aws:iam::{A}:role/app"
    session = f"arn:aws:sts::{A}:assumed-role/app/s"
    names = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    everything = [policy("p", allow())]
    return [
        decide(USER_A, "sts:GetCallerIdentity", "*", A),
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=[policy("p", deny())]),
        decide(USER_A, "iam:DeletePolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess", A, identity=everything),
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=everything, scps=[[policy("s", allow("ec2:*"))]]),
        decide(
            USER_A, "s3:GetObject", OBJECT, A, identity=everything, endpoints=[policy("e", allow("ec2:*"))]
        ),
        decide("anonymous", "s3:GetObject", OBJECT, A),
        decide(USER_A, "kms:Decrypt", KEY_A, A, identity=everything),
        decide(USER_A, "sts:AssumeRole", role, A, identity=everything),
        decide(USER_B, "kms:DisableKey", KEY_A, A, identity=everything, resource=key_policy_b),
        decide(USER_B, "s3:GetObject", OBJECT, A, identity=everything),
        decide(USER_B, "kms:Decrypt", KEY_A, A, resource=key_policy_b),
        decide(
            USER_A, "s3:GetObject", OBJECT, A, identity=everything, boundaries=[policy("b", allow("ec2:*"))]
        ),
        decide(session, "s3:GetObject", OBJECT, A, identity=everything, session=policy("sp", allow("ec2:*"))),
        decide(USER_A, "kms:Decrypt", KEY_A, A, resource=key_policy_a),
        decide(USER_A, "s3:GetObject", OBJECT, A),
        decide("anonymous", "s3:GetObject", OBJECT, A, resource=policy("r", {**names, "Principal": "*"})),
        decide(USER_B, "kms:Decrypt", KEY_A, A, identity=everything, resource=key_policy_b),
        decide(
            USER_A, "s3:GetObject", OBJECT, A, resource=policy("r", {**names, "Principal": {"AWS": USER_A}})
        ),
        decide(
            session, "s3:GetObject", OBJECT, A, resource=policy("r", {**names, "Principal": {"AWS": role}})
        ),
        decide(USER_A, "s3:GetObject", OBJECT, A, identity=everything),
        decide(USER_A, "kms:Decrypt", KEY_A, A, identity=everything, resource=key_policy_a),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_rule_renders(lang: str) -> None:
    """Drive the engine into every rule and render it, so no template has a missing field."""
    codes = set()
    for result in _scenarios_for_every_rule():
        text = result.explain(lang)
        assert "{" not in text and "}" not in text, text
        assert json.loads(json.dumps(result.to_dict()))["decision"] == result.decision
        codes.add(result.trace.rule.code)
    assert codes == RULE_CODES_IN_EVALUATOR, f"not driven: {sorted(RULE_CODES_IN_EVALUATOR - codes)}"


def test_guardrails_that_do_not_apply_are_mentioned() -> None:
    deny_all = [[policy("scp", deny())]]
    result = decide("anonymous", "s3:GetObject", OBJECT, A, scps=deny_all)
    assert result.trace.facts["scpsApply"] is False
    assert "The SCPs given do not apply" in result.explain("en")
    assert "Các SCP được đưa vào không áp dụng" in result.explain("vi")
    assert "the caller belongs to no account" in result.explain("en")
