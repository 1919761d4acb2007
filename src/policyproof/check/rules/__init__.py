"""Semantic rules over a parsed policy, one module per theme; :data:`ALL_RULES` runs them in order."""

from __future__ import annotations

from collections.abc import Callable

from policyproof.check.rules import (
    actions,
    conditions,
    document_rules,
    kind_rules,
    principals,
    resources,
    security,
)
from policyproof.check.rules.base import Context

ALL_RULES: tuple[Callable[[Context], None], ...] = (
    document_rules.check,
    actions.check,
    resources.check,
    principals.check,
    conditions.check,
    kind_rules.check,
    security.check,
)


def run_rules(context: Context) -> None:
    """Run every rule; findings accumulate in ``context.findings``."""
    for rule in ALL_RULES:
        rule(context)
