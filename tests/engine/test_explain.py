"""Explanations: every rule and every mismatch has a sentence in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from engine_helpers import KEY_A, OBJECT, USER_A, USER_B, A, B, allow, decide, deny, policy

from policyproof.engine import explain as explain_module
from policyproof.engine.explain import (
    DROPPED_STATEMENTS_MARK,
    LANGUAGES,
    MISMATCH,
    RULES,
    policy_label,
)
from policyproof.engine.model import Grant

# Every rule code the evaluator can produce, grep-able in evaluator.py: it writes each rule in its
# compact form, ("code", {params}, cites), which the trace turns into a Rule when read.
RULE_CODES_IN_EVALUATOR = set(
    re.findall(
        r'\(\s*"([a-z][a-z-]+)",\s*\{',
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
        # a KMS grant to B's user on A's key, with no key policy statement for B
        decide(
            USER_B,
            "kms:Decrypt",
            KEY_A,
            A,
            resource=key_policy_a,
            grants=[Grant("g", KEY_A, USER_B, ("Decrypt",))],
        ),
        # ... whose encryption-context constraint the request does not meet
        decide(
            USER_B,
            "kms:Decrypt",
            KEY_A,
            A,
            {"kms:EncryptionContext:Department": "HR"},
            resource=key_policy_a,
            grants=[Grant("g", KEY_A, USER_B, ("Decrypt",), {"Department": "IT"})],
        ),
        # resource-policy-required when the key policy names the account but not the action
        decide(
            USER_B,
            "kms:Decrypt",
            KEY_A,
            A,
            identity=everything,
            resource=policy("k", {**names, "Principal": {"AWS": B}}),
        ),
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


# --- the key policy (or trust policy) sentence says only what is true ---------------------------

_UNNAMED_EN = "no Allow statement of the key policy names this principal or its account"
_NAMED_EN = (
    "Implicit deny: no statement of the key policy allows this request, whether for this principal or "
    "for its account (the action is not listed, or a condition is not met). For a KMS key the key policy "
    "itself must allow the request; IAM policies count only when a key policy statement allows the "
    "account principal (arn:aws:iam::ACCOUNT:root) for this action."
)
_NAMED_VI = (
    "Bị từ chối ngầm định: không có statement nào trong key policy cho phép request này, dù cho chính "
    "principal hay cho account của nó (action không được liệt kê hoặc condition không thoả). Với KMS key, "
    "chính key policy phải cho phép request; IAM policy chỉ có hiệu lực khi một statement của key policy "
    "cho phép account principal (arn:aws:iam::ACCOUNT:root) làm action này."
)


def _key_policy_naming_b(**extra: object) -> object:
    return policy(
        "key",
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Resource": "*", **extra},
    )


@pytest.mark.parametrize(
    "key_policy",
    [
        # B's account is named, but the action is not listed.
        _key_policy_naming_b(Action="kms:Encrypt"),
        # "*" is named (the AWS managed key pattern), but the condition fails for account B.
        policy(
            "aws/ebs",
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": A}},
            },
        ),
    ],
)
def test_key_policy_that_names_the_account_gets_the_review_sentence(key_policy: object) -> None:
    everything = [policy("p", allow())]
    result = decide(
        USER_B, "kms:Decrypt", KEY_A, A, {"kms:CallerAccount": B}, identity=everything, resource=key_policy
    )
    assert result.trace.rule.code == "resource-policy-required"
    assert _NAMED_EN in result.explain("en")
    assert _NAMED_VI in result.explain("vi")
    assert "neither" not in result.explain("en") and _UNNAMED_EN not in result.explain("en")
    assert "An identity policy allows it" in result.explain("en")


def test_key_policy_that_names_neither_principal_nor_account_says_so() -> None:
    only_a = policy(
        "key",
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
    )
    result = decide(USER_B, "kms:Decrypt", KEY_A, A, identity=[policy("p", allow())], resource=only_a)
    assert result.trace.rule.code == "resource-policy-required"
    assert _UNNAMED_EN in result.explain("en")
    assert (
        "không statement Allow nào trong key policy nêu principal này hay account của nó"
        in result.explain("vi")
    )
    assert _NAMED_EN not in result.explain("en")
    # No key policy at all names nobody either.
    bare = decide(USER_A, "kms:Decrypt", KEY_A, A, identity=[policy("p", allow())])
    assert _UNNAMED_EN in bare.explain("en")


def test_trust_policy_sentence_follows_the_same_rule() -> None:
    role = f"arn:aws:iam::{A}:role/app"
    trust = policy(
        "trust",
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
            "Action": "sts:AssumeRole",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
    )
    named = decide(USER_A, "sts:AssumeRole", role, A, identity=[policy("p", allow())], resource=trust)
    assert named.trace.rule.code == "resource-policy-required"
    assert "no statement of the role's trust policy allows this request" in named.explain("en")
    unnamed = decide(USER_A, "sts:AssumeRole", role, A, identity=[policy("p", allow())])
    assert "no Allow statement of the role's trust policy names this principal" in unnamed.explain("en")


# --- Vietnamese wording and language-neutral policy names ---------------------------------------


def test_vietnamese_uses_cross_account_and_the_agreed_terms() -> None:
    everything = [policy("p", allow())]
    texts = [result.explain("vi") for result in _scenarios_for_every_rule()]
    texts.append(
        decide(
            USER_B,
            "kms:ScheduleKeyDeletion",
            KEY_A,
            A,
            identity=everything,
            resource=_key_policy_naming_b(Action="kms:*"),
        ).explain("vi")
    )
    joined = "\n".join(texts)
    for wrong in (
        "chéo account",
        "xuyên account",
        "thao tác mã hoá",
        "trên kms:",
        "điều kiện IpAddress trên",
    ):
        assert wrong not in joined, f"explain.py still says {wrong!r}"
    assert "thao tác mật mã (cryptographic operations" in joined
    assert "request cross-account" in joined
    for lang in LANGUAGES:
        for template in list(RULES[lang].values()) + list(MISMATCH[lang].values()):
            assert "chéo" not in template and "xuyên" not in template, template
    condition = decide(
        USER_A,
        "s3:GetObject",
        OBJECT,
        A,
        {"aws:SourceIp": "10.0.0.1"},
        identity=[policy("p", allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))],
    )
    assert "điều kiện IpAddress với aws:SourceIp không thoả" in condition.explain("vi")


def test_policy_with_dropped_statements_is_named_in_each_language() -> None:
    name = DROPPED_STATEMENTS_MARK.join(["key.key-policy.json", "AllowB", "Enable IAM User Permissions"])
    assert policy_label("key.key-policy.json", "vi") == '"key.key-policy.json"'
    assert policy_label(name, "en") == (
        '"key.key-policy.json" without statements "AllowB", "Enable IAM User Permissions"'
    )
    assert policy_label(name, "vi") == (
        '"key.key-policy.json" đã bỏ các statement "AllowB", "Enable IAM User Permissions"'
    )
    one = DROPPED_STATEMENTS_MARK.join(["key.key-policy.json", "AllowB"])
    result = decide(
        USER_A,
        "kms:Decrypt",
        KEY_A,
        A,
        identity=[policy("p", allow())],
        resource=policy(one, allow(Principal="*", Condition={"Bool": {"aws:SecureTransport": "true"}})),
    )
    assert '- key policy "key.key-policy.json" without statement "AllowB":' in result.explain("en")
    assert '- key policy "key.key-policy.json" đã bỏ statement "AllowB":' in result.explain("vi")
    assert "without" not in result.explain("vi")
