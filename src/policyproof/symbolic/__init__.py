"""The engine's semantics as z3 constraints: questions about *every* request.

    from policyproof.symbolic import compare, who_can
    compare(before, after, "bucket")        # does AFTER allow anything BEFORE does not?
    who_can([("key", key_policy)])          # which principals can reach the resource?

Answers are exact for what the layer models, and come with witness requests that the concrete
engine (``policyproof.engine``) decides again; a construct that cannot be modelled exactly (policy
variables, BinaryEquals, a wildcard inside an account id ...) raises ``Unknown`` with the reason,
never a proof.
"""

from policyproof.symbolic.errors import Unknown, WitnessMismatch
from policyproof.symbolic.questions import Comparison, Filters, Finding, WhoCan, compare, who_can

__all__ = ["Comparison", "Filters", "Finding", "Unknown", "WhoCan", "WitnessMismatch", "compare", "who_can"]
