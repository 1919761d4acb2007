"""Placeholder while the real evaluator is written (replaced within the hour)."""

from __future__ import annotations

from policyproof.engine.model import PolicySet, Request
from policyproof.engine.result import IMPLICIT_DENY, Result, Rule, Trace


def evaluate(request: Request, policies: PolicySet) -> Result:
    """Decide ``request`` against ``policies``."""
    return Result(IMPLICIT_DENY, Trace({}, (), Rule("no-allow")))
