"""The wildcard matching behind the resource and action rules, against slow but obvious oracles.

The fast paths (literal heads cut off, one-placeholder formats answered without a regex, IAM
globs matched without fnmatch) must answer exactly what a brute-force search answers.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from policyproof.check import catalog
from policyproof.check.catalog import Token, patterns_overlap
from policyproof.check.rules.base import wildcard_match

ALPHABET = "ab:/"

literal = st.sampled_from(ALPHABET).map(lambda char: ("lit", char))
one = st.just(("one", ""))
policy_any = st.just(("any", ""))
format_any = st.sampled_from(["", ":", ":/"]).map(lambda excluded: ("any", excluded))

#: A policy resource: literals, '?' and '*'. An ARN format: literals and placeholders that may
#: exclude ':' (inner fields) or ':' and '/' (bucket names).
policy_tokens = st.lists(literal | one | policy_any, max_size=4).map(tuple)
format_tokens = st.lists(literal | format_any, max_size=4).map(tuple)


def _regex(tokens: tuple[Token, ...]) -> re.Pattern[str]:
    parts = []
    for kind, value in tokens:
        if kind == "lit":
            parts.append(re.escape(value))
        elif kind == "one":
            parts.append(".")
        else:
            parts.append(f"[^{re.escape(value)}]*" if value else ".*")
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


@cache
def _strings_up_to(length: int) -> tuple[str, ...]:
    return tuple(
        "".join(chars) for size in range(length + 1) for chars in itertools.product(ALPHABET, repeat=size)
    )


def _brute_force_overlap(left: tuple[Token, ...], right: tuple[Token, ...]) -> bool:
    # In a shortest common string every character is taken by a literal or '?' of one side (a
    # character inside wildcards on both sides could be dropped), so len(left) + len(right) bounds it.
    left_regex, right_regex = _regex(left), _regex(right)
    return any(
        left_regex.match(text) and right_regex.match(text) for text in _strings_up_to(len(left) + len(right))
    )


@settings(max_examples=300, deadline=None)
@given(policy_tokens, format_tokens)
def test_patterns_overlap_agrees_with_brute_force(left: tuple[Token, ...], right: tuple[Token, ...]) -> None:
    expected = _brute_force_overlap(left, right)
    assert patterns_overlap(left, right) == expected, (
        f"patterns_overlap({left}, {right}) should be {expected}"
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab*?", max_size=7), st.text(alphabet="ab", max_size=7))
def test_wildcard_match_agrees_with_a_regex(pattern: str, text: str) -> None:
    regex = re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + r"\Z", re.DOTALL)
    expected = regex.match(text) is not None
    assert wildcard_match(pattern, text) == expected, f"wildcard_match({pattern!r}, {text!r})"


def test_wildcard_match_has_no_character_classes() -> None:
    # IAM has no [...] classes: brackets are plain characters (fnmatch would read a class)
    assert wildcard_match("iam:[p]assrole", "iam:[p]assrole")
    assert not wildcard_match("iam:[p]assrole", "iam:passrole")


# (policy resource, ARN format, expected): formats with one trailing placeholder take the fast
# paths in catalog._arn_overlaps; the others still go through the regex or the full search.
ARN_CASES = [
    (
        "arn:aws:iam::111122223333:role/admin",
        "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
        True,
    ),
    (
        "arn:aws:iam::111122223333:role/a/b:c",
        "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
        True,
    ),
    (
        "arn:aws:iam::111122223333:user/admin",
        "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
        False,
    ),
    ("arn:aws:iam::111122223333:role", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", False),
    ("arn:aws:s3:::bucket", "arn:${Partition}:s3:::${BucketName}", True),
    ("arn:aws:s3:::bucket/key", "arn:${Partition}:s3:::${BucketName}", False),
    ("arn:aws:s3:::bucket/*", "arn:${Partition}:s3:::${BucketName}", False),
    ("arn:aws:s3:::bucket/*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", True),
    ("arn:aws:s3:::bucket*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", True),
    (
        "arn:aws:iam::*:role/aws-service-role/x*",
        "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
        True,
    ),
    ("arn:aws:iam::*:role/x:y*", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", True),
    (
        "arn:aws:ec2:*:*:instance/i-1/x*",
        "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}",
        True,
    ),
    (
        "arn:aws:logs:*:*:log-group:a:b*",
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
        True,
    ),
    ("arn:aws:ec2:*:*:volume/*", "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}", False),
    (
        "arn:aws:sqs:us-east-1:111122223333:queue",
        "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
        True,
    ),
    (
        "arn:aws:sqs:us-east-1:111122223333:a:b",
        "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
        True,
    ),
]


def test_arn_formats_with_one_placeholder() -> None:
    for resource, template, expected in ARN_CASES:
        full_search = patterns_overlap(
            catalog.glob_tokens(resource.split(":", 5)[5]), catalog.template_tokens(template.split(":", 5)[5])
        )
        assert catalog._arn_overlaps(resource, template) == expected, f"{resource} against {template}"
        # the resource part alone, by the full search, agrees with the fast path
        assert full_search == expected, f"full search: {resource} against {template}"


def test_arn_fields_before_the_resource_part_decide_first() -> None:
    ec2_instance = "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"
    assert not catalog._arn_overlaps("arn:aws:s3:*:*:instance/*", ec2_instance)
    assert not catalog._arn_overlaps("arn:aws:ec2:*:*:instance", ec2_instance)
    assert catalog._arn_overlaps("arn:aws:ec*:*:*:instance/i-1", ec2_instance)


def test_templated_condition_keys_without_regex() -> None:
    assert catalog.condition_key_type("ec2:ResourceTag/Owner") == "String"
    assert catalog.condition_key_type("kms:EncryptionContext:purpose") == "String"
    assert catalog.condition_key_type("ec2:ResourceTag/") is None  # the tag name is required
    assert catalog.condition_key_type("ec2:ResourceTagOwner") is None
