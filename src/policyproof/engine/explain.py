"""Placeholder explanation (replaced by the real bilingual explanation)."""

from __future__ import annotations

from policyproof.engine.result import Result


def explain(result: Result, lang: str = "en") -> str:
    return f"{result.decision} ({result.trace.rule.code})"
