"""Decide one AWS request against its policies, with a trace that explains the decision.

    from policyproof.engine import Request, PolicySet, NamedPolicy, evaluate
    result = evaluate(Request(principal, action, resource, resource_account, context), PolicySet(...))
    result.decision        # "Allow" | "ImplicitDeny" | "ExplicitDeny"
    result.trace           # structured: every policy, every statement, the deciding rule
    result.explain("vi")   # plain words, English ("en") or Vietnamese ("vi")

The logic follows AWS's documented policy evaluation (see ``evaluator.py``).
"""

from policyproof.engine.errors import EngineInputError
from policyproof.engine.evaluator import evaluate
from policyproof.engine.model import ContextValue, NamedPolicy, PolicySet, Request
from policyproof.engine.result import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    Mismatch,
    PolicyTrace,
    Result,
    Rule,
    StatementRef,
    StatementTrace,
    Trace,
)

__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "ContextValue",
    "Decision",
    "EngineInputError",
    "Mismatch",
    "NamedPolicy",
    "PolicySet",
    "PolicyTrace",
    "Request",
    "Result",
    "Rule",
    "StatementRef",
    "StatementTrace",
    "Trace",
    "evaluate",
]
