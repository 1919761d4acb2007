"""AWS policy evaluation for one request.

The order follows the IAM User Guide, "Policy evaluation logic" and "Cross-account policy
evaluation logic", and the KMS Developer Guide, "Key policies in AWS KMS":

1. An applicable Deny in any policy (SCP, RCP, resource, identity, boundary, session, endpoint)
   is final.
2. RCPs (the resource's account) and SCPs (the principal's account): every level must allow.
   RCPFullAWSAccess sits at every RCP level, so RCPs only ever remove permissions.
3. Same account: an Allow in the identity policy *or* the resource policy is enough, with the
   nuances for boundaries and session policies of a principal the resource policy names directly.
   KMS key policies and role trust policies must allow by themselves; IAM policies count only
   when that policy delegates to the account principal.
4. Cross account: the resource policy (trusting account) *and* the identity policy, boundary and
   session policy (trusted account) must all allow. For KMS, only the operations the KMS API
   marks "Cross-account use: Yes" can work at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policyproof.engine.arns import (
    ACCOUNT_ID,
    ANONYMOUS_KIND,
    ROLE_SESSION,
    SERVICE,
    WEB_IDENTITY,
    Principal,
    parse_arn,
    parse_principal,
    require_arn,
)
from policyproof.engine.context import RequestContext, build_context, derived_keys, request_keys
from policyproof.engine.errors import EngineInputError
from policyproof.engine.grants import evaluate_grants
from policyproof.engine.model import NamedPolicy, PolicySet, Request
from policyproof.engine.result import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    PolicyTrace,
    Result,
    StatementTrace,
    Trace,
)
from policyproof.engine.services import (
    ALWAYS_ALLOWED_ACTIONS,
    KMS_CROSS_ACCOUNT_ACTIONS,
    aws_owned_resource,
    is_kms_key,
    is_role_trust,
    kms_alias_used_for_key_action,
    rcp_applies_to_service,
    takes_only_wildcard_resource,
)
from policyproof.engine.statements import (
    MATCH_STRENGTH,
    RequestView,
    _compile,
    compiled_of,
    statement_applies,
    statement_trace,
)
from policyproof.engine.warnings import unknown_action, unknown_context_keys

# The AWS managed RCP that Organizations attaches at every level once RCPs are enabled.
RCP_FULL_AWS_ACCESS = NamedPolicy(
    "RCPFullAWSAccess",
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    },
)

_ACTION_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*:[A-Za-z0-9][A-Za-z0-9_-]*$")

# Match kinds with which a same-account resource policy grants on its own, whatever the identity
# policy and the permissions boundary say (IAM User Guide, policy evaluation logic, same-account
# table): the IAM user's ARN, the role session's ARN, the federated-user session's ARN.
# A wildcard (or NotPrincipal) grant names everyone, and is read the same way (as iam-simulate
# does; the IAM User Guide's table does not list it).
_FULLY_DIRECT = frozenset({"user", "session", "wildcard", "not-principal"})


# A statement that applied, as (kind, policy name, label): a StatementRef's fields.
Ref = tuple[str, str, str]
# The shared empty list of statements, guardrails or cites (a tuple: never appended to).
_NO_CITES: tuple = ()


class _Evaluated(Trace):
    """What the decision needs from the policies (the applicable statements, the guardrails that
    do not allow), and, once decided, the result's ``Trace`` itself: its facts and policies are
    built from this record when first read (``_build_facts``, ``_build_policies``).

    The lists start as the shared empty tuple and become lists at their first entry: most
    requests fill one or two of them. A statement that applies is recorded as a ``Ref``, the
    fields of its ``StatementRef`` (built only if the rule is read). Made without an ``__init__``
    call (``_Evaluated()``, then ``evaluate`` sets every field): a Python ``__init__`` costs more
    than the whole record. What every decision reads is slotted and set on each record (CPython
    3.11 reads a slot several times faster than a class-level default through an instance); what
    only some requests fill (the guardrails that do not allow, KMS grants) keeps a class-level
    default, and ``guarded`` says whether any of it was filled."""

    __init__ = object.__init__  # type: ignore[assignment]
    __slots__ = (
        "setting",  # _Setting
        "view",  # RequestView
        # per policy, in evaluation order: (kind, name, compiled policy, level, applied statements
        # as a bit mask), or a PolicyTrace built already (grants), or (level,) for RCPFullAWSAccess
        "entries",
        "denies",  # list[Ref]
        "identity_allows",  # list[Ref]
        "resource_allows",  # list[tuple[Ref, str]]: with the match
        "guarded",  # some field below was filled: a guardrail that does not allow, or a KMS grant
        "context_keys",  # the keys the caller gave, warned about in the facts
        "__dict__",  # for the fields below, when set
    )
    scp_levels_without_allow: list[int] = _NO_CITES  # type: ignore[assignment]
    boundaries_without_allow: list[str] = _NO_CITES  # type: ignore[assignment]
    session_without_allow: str | None = None
    endpoints_without_allow: list[str] = _NO_CITES  # type: ignore[assignment]
    grant_allows: list = _NO_CITES  # type: ignore[assignment]  # StatementRefs (grants.py builds them)
    # (grant name, constraint mismatch): a grant that fails only on its constraint
    grant_near: list = _NO_CITES  # type: ignore[assignment]
    scps_given = False  # the request came with SCP levels (the facts say whether they apply)
    rcps_given = False

    def _build_facts(self) -> dict[str, object]:
        setting, context = self.setting, self.view.context
        facts = setting.facts.copy()
        facts["scpsApply"] = setting.scps_apply if self.scps_given else None
        facts["rcpsApply"] = setting.rcps_apply if self.rcps_given else None
        facts["contextFilledByEngine"] = list(context.filled)
        facts["contextFilled"] = context.filled_values or {}
        if setting.warnings:
            facts["warnings"] = list(setting.warnings)
        context_warnings = unknown_context_keys(self.context_keys) if self.context_keys else ()
        if context_warnings:
            facts.setdefault("warnings", []).extend(context_warnings)
        return facts

    def _build_policies(self) -> tuple[PolicyTrace, ...]:
        """Every policy's trace, every statement with every element that failed."""
        traces = []
        for entry in self.entries:
            if type(entry) is PolicyTrace:
                traces.append(entry)
            elif len(entry) == 1:
                traces.append(_rcp_full_access_trace(entry[0]))
            else:
                kind, name, (compiled, variables, _, _), level, applied = entry
                view = self.view
                lookup = view.context.get if variables else None
                statements = tuple(statement_trace(st, kind, view, lookup)[0] for st in compiled)
                mask = 0
                for number, statement in enumerate(statements):
                    if statement.applies:
                        mask |= 1 << number
                if mask != applied:  # one matching function serves both: this cannot happen
                    raise AssertionError(f"the trace of {kind} policy {name!r} disagrees with the decision")
                traces.append(PolicyTrace(kind, name, statements, level))
        return tuple(traces)


def evaluate(request: Request, policies: PolicySet) -> Result:
    """Decide ``request`` against ``policies``. Raises ``EngineInputError`` on bad input.

    The result's trace (facts, every statement of every policy) is built when it is first read."""
    if type(request) is not Request and not isinstance(request, Request):
        raise EngineInputError(f"expected a Request, got {type(request).__name__}")
    if type(policies) is not PolicySet and not isinstance(policies, PolicySet):
        raise EngineInputError(f"expected a PolicySet, got {type(policies).__name__}")
    principal_account = request.principal_account
    role_path = request.role_path
    try:
        if principal_account is None and role_path is None:  # the common request: a plain dict
            key = (
                request.principal,
                request.action,
                request.resource,
                request.resource_account,
                request.wildcard_only_action,
            )
            try:
                setting = _SETTINGS[key]
            except KeyError:
                setting = _setting(key[0], None, key[1], key[2], key[3], key[4], None)
                if len(_SETTINGS) >= _SETTINGS_LIMIT:
                    _SETTINGS.clear()
                _SETTINGS[key] = setting
        else:
            setting = _setting(
                request.principal,
                principal_account,
                request.action,
                request.resource,
                request.resource_account,
                request.wildcard_only_action,
                role_path,
            )
    except TypeError:  # an unhashable field (a dict or list where a string belongs)
        raise EngineInputError(_wrong_field_types(request)) from None
    given = request.context
    if (
        request.principal_tags
        or request.principal_unique_id
        or request.principal_org_id
        or request.resource_org_id
        or request.endpoint is not None
        or request.source is not None
    ):
        view = _view(
            setting,
            build_context(given, setting.derived_context + request_keys(request, setting.principal)),
            policies,
        )
    elif type(given) is dict and not given:
        # No context given, nothing beyond the principal's ARN: the context holds only the keys
        # the engine derives, the same for every request of this setting (read-only, shared).
        view = setting.views[1 if policies.boundaries else 0]
    else:
        view = _view(setting, build_context(given, setting.derived_context), policies)
    evaluated = _Evaluated()
    evaluated.setting = setting
    evaluated.view = view
    evaluated.entries = []
    evaluated.denies = evaluated.identity_allows = evaluated.resource_allows = _NO_CITES
    evaluated.guarded = False
    evaluated.context_keys = tuple(given) if given else _NO_CITES  # warned about in the facts
    evaluated._facts = evaluated._policies = evaluated._source = None
    # Every policy, in AWS's order (inline: one call less per request).
    scps, rcps = policies.scps, policies.rcps
    if scps:
        evaluated.scps_given = True
        if setting.scps_apply:
            for level, level_policies in enumerate(_levels(scps, "scps")):
                allowed = False
                for p in level_policies:
                    if _run(evaluated, p, "scp", level):
                        allowed = True
                if not allowed:
                    evaluated.scp_levels_without_allow = [*evaluated.scp_levels_without_allow, level]
                    evaluated.guarded = True
    if rcps:
        evaluated.rcps_given = True
        if setting.rcps_apply:
            for level, level_policies in enumerate(_levels(rcps, "rcps")):
                evaluated.entries.append((level,))  # RCPFullAWSAccess: allows everything to everyone
                for p in level_policies:
                    _run(evaluated, p, "rcp", level)
    if policies.resource is not None:
        _run(evaluated, policies.resource, "resource")
    identity = policies.identity
    if identity:
        for p in identity if type(identity) is list else _policy_list(identity, "identity"):
            _run(evaluated, p, "identity")
    if policies.boundaries:
        for p in _policy_list(policies.boundaries, "boundaries"):
            if not _run(evaluated, p, "boundary"):
                evaluated.boundaries_without_allow = [*evaluated.boundaries_without_allow, p.name]
                evaluated.guarded = True
    if policies.session is not None and not _run(evaluated, policies.session, "session"):
        evaluated.session_without_allow = policies.session.name
        evaluated.guarded = True
    if policies.endpoints:
        for p in _policy_list(policies.endpoints, "endpoints"):
            if not _run(evaluated, p, "endpoint"):
                evaluated.endpoints_without_allow = [*evaluated.endpoints_without_allow, p.name]
                evaluated.guarded = True
    if policies.grants and setting.required == "kms-key":
        grant_traces, evaluated.grant_allows, evaluated.grant_near = evaluate_grants(
            policies.grants, setting, given, setting.resource
        )
        evaluated.guarded = True
        evaluated.entries.extend(grant_traces)
    decision, evaluated._rule = _decide(setting, evaluated)
    result = _new(Result)  # Result(decision, evaluated), without an __init__ call
    result.decision = decision
    result.trace = evaluated
    return result


_new = object.__new__


def _view(setting: _Setting, context: RequestContext, policies: PolicySet) -> RequestView:
    return RequestView(
        setting.action,
        setting.resource,
        setting.principal,
        context,
        bool(policies.boundaries),
        setting.resource_is_pattern,
        setting.action_text,
    )


@dataclass(frozen=True)
class _Setting:
    """Everything about a request that does not depend on its policies or context: computed once
    per distinct (principal, action, resource, owner) and cached, since claims and benchmarks ask
    about the same request against many policy variants."""

    principal: Principal
    action: str  # lower case
    resource: str
    resource_account: str | None
    required: str | None  # "kms-key" | "role-trust" | None
    same_account: bool
    scps_apply: bool
    rcps_apply: bool
    resource_is_pattern: bool
    facts: dict[str, object]  # copied into each trace, never handed out itself
    derived_context: tuple[tuple[str, str, tuple[str, ...]], ...]  # global keys the engine fills
    protection: str | None  # an AWS-owned resource no customer policy can change (services.py)
    warnings: tuple[str, ...] = ()  # e.g. an action no AWS service has, with "did you mean"
    action_text: str = ""  # the action as the caller spelled it
    # What statement matching sees of a request without context or caller details, without and
    # with a permissions boundary (the context then holds only the derived keys).
    views: tuple[RequestView, ...] = ()
    identity_policies: bool = True  # principal.has_identity_policies
    # Nothing about the request itself shapes its decision beyond its policies: an action that is
    # not always allowed, no AWS-owned resource, an IAM principal of the resource's own account,
    # no resource policy required (_decide's shortcut).
    plain: bool = False


# _setting's results for the common request (no principal_account, no role_path), by (principal,
# action, resource, resource_account, wildcard_only_action): a plain dict is a cheaper look-up
# than the lru_cache's. A per-string cache like _setting's own (caches.py clears both).
_SETTINGS: dict[tuple, _Setting] = {}
_SETTINGS_LIMIT = 4096


@lru_cache(maxsize=4096)
def _setting(
    principal_text: str,
    principal_account: str | None,
    action_text: str,
    resource_text: str,
    resource_account_given: str | None,
    wildcard_only: bool | None,
    role_path: str | None = None,
) -> _Setting:
    action = _check_action(action_text)
    resource = _check_resource(resource_text)
    if kms_alias_used_for_key_action(action, resource):
        raise EngineInputError(
            f"{action_text} on alias {resource!r}: KMS authorizes this call against the key the alias "
            "points to (under that key's key policy); give the key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)"
        )
    principal = parse_principal(principal_text, principal_account, role_path)
    resource_account = _resource_account(resource_account_given, principal, resource)
    required = (
        "kms-key"
        if is_kms_key(action, resource)
        else "role-trust"
        if is_role_trust(action, resource)
        else None
    )
    same_account = principal.account is not None and principal.account == resource_account
    facts = {
        "principal": principal.text,
        "principalKind": principal.kind,
        "principalAccount": principal.account,
        "action": action_text,
        "resource": resource,
        "resourceAccount": resource_account,
        "sameAccount": same_account,
        "resourcePolicyRequired": required,
    }
    derived = derived_keys(principal, action.startswith("kms:"), resource_account)
    resource_is_pattern = _resource_is_pattern(wildcard_only, action, resource)
    context = build_context({}, derived)
    return _Setting(
        principal,
        action,
        resource,
        resource_account,
        required,
        same_account,
        _scps_apply(principal),
        _rcps_apply(principal, action),
        resource_is_pattern,
        facts,
        derived,
        aws_owned_resource(action, resource),
        unknown_action(action_text) + _path_warning(principal, role_path),
        action_text,
        tuple(
            RequestView(action, resource, principal, context, boundary, resource_is_pattern, action_text)
            for boundary in (False, True)
        ),
        principal.has_identity_policies,
        action not in ALWAYS_ALLOWED_ACTIONS
        and not aws_owned_resource(action, resource)
        and principal.has_identity_policies
        and same_account
        and not required,
    )


def _path_warning(principal: Principal, role_path: str | None) -> tuple[dict[str, object], ...]:
    """IAM Identity Center's roles live under /aws-reserved/sso.amazonaws.com/ (sometimes with a
    Region segment), which a session ARN does not show: without the path given, the engine's
    aws:PrincipalArn lacks it, and policies that exempt these roles by path would not match."""
    if (
        principal.kind == ROLE_SESSION
        and role_path is None
        and (principal.name or "").startswith("AWSReservedSSO_")
    ):
        return ({"code": "role-path-unknown", "value": principal.role_arn, "suggestion": None},)
    return ()


# ----- input checks -----


def _wrong_field_types(request: Request) -> str:
    wrong = [
        f"{name} is {type(value).__name__}"
        for name, value, optional in (
            ("principal", request.principal, False),
            ("action", request.action, False),
            ("resource", request.resource, False),
            ("principal_account", request.principal_account, True),
            ("resource_account", request.resource_account, True),
        )
        if not isinstance(value, str) and not (optional and value is None)
    ]
    return "Request fields must be strings: " + ", ".join(wrong or ["wildcard_only_action must be a bool"])


def _check_action(action: object) -> str:
    if not isinstance(action, str) or not _ACTION_SHAPE.match(action):
        raise EngineInputError(
            f"action {action!r} is not shaped service:Action (for example 's3:GetObject'); "
            "a request names one action, without wildcards or spaces"
        )
    return action.lower()


def _check_resource(resource: object) -> str:
    if not isinstance(resource, str) or not resource:
        raise EngineInputError(f"resource must be an ARN or '*', got {resource!r}")
    if resource != "*":
        require_arn(resource, "resource")
    return resource


def _resource_is_pattern(wildcard_only: bool | None, action: str, resource: str) -> bool:
    if "*" not in resource and "?" not in resource:
        return False
    if resource == "*":
        if wildcard_only is None:
            wildcard_only = takes_only_wildcard_resource(action)
        return not wildcard_only
    return True


def _resource_account(account: str | None, principal: Principal, resource: str) -> str | None:
    """The account that owns the resource: given, else read from the ARN, else (for ``*``, the
    actions that take no resource) the caller's own account."""
    if account is not None:
        if not isinstance(account, str) or not ACCOUNT_ID.match(account):
            raise EngineInputError(f"resource_account {account!r} must be a 12-digit account id")
        return account
    arn = parse_arn(resource)
    if arn is not None and ACCOUNT_ID.match(arn.account):
        return arn.account
    if resource == "*" and principal.account is not None:
        return principal.account
    raise EngineInputError(
        f"resource {resource!r} carries no owner account and none was given: set resource_account "
        "(the 12-digit account that owns it), since same- and cross-account requests are decided differently"
    )


def _scps_apply(principal: Principal) -> bool:
    """SCPs limit the IAM users and roles of member accounts: not anonymous callers, not AWS
    services, not service-linked roles (Organizations User Guide, SCPs; "Authorization policies in
    AWS Organizations": SCPs are principal-centric, on the principals of member accounts, so a
    service principal such as cloudtrail.amazonaws.com, which belongs to no member account, is
    outside them)."""
    return (
        principal.kind not in (ANONYMOUS_KIND, SERVICE, WEB_IDENTITY) and not principal.is_service_linked_role
    )


def _rcps_apply(principal: Principal, action: str) -> bool:
    """RCPs restrict requests to resources of supported services, whoever makes them, except
    service-linked roles (Organizations User Guide, RCPs). That includes AWS service principals:
    the KMS Developer Guide, "Resource control policies in AWS KMS", exempts them from its identity
    perimeter RCP with aws:PrincipalIsAWSService and gives a second RCP that denies them unless
    aws:SourceOrgID is the organization's (confused deputy protection); both only make sense
    because RCPs apply to service principals."""
    return not principal.is_service_linked_role and rcp_applies_to_service(action.split(":", 1)[0])


# ----- evaluating every policy -----


# How the trace names a statement without a Sid: its 1-based position (StatementTrace.label).
_POSITIONS = tuple(f"#{index + 1}" for index in range(64))


def _run(evaluated: _Evaluated, policy: NamedPolicy, kind: str, level: int | None = None) -> bool:
    """Match every statement of one policy; True when one of its Allow statements applies."""
    if type(policy) is not NamedPolicy and not isinstance(policy, NamedPolicy):
        raise EngineInputError(f"{kind} policy must be a NamedPolicy(name, document), got {policy!r}")
    name = policy.name
    if policy.compiled is None:  # seen for the first time: compiled_of's first branch, inline
        compiled = policy.compiled = _compile(name, kind, policy.document)
    else:
        compiled = compiled_of(policy, kind)
    statements, variables, _, _ = compiled
    view = evaluated.view
    lookup = view.context.get if variables else None  # resolves ${...} from the request context
    allows = False
    applied = 0
    for statement in statements:
        applies = statement_applies(statement, kind, view, lookup)
        if applies is not False:
            index = statement[0]  # its position in the policy
            applied |= 1 << index
            sid = statement[1]
            ref = (kind, name, f'"{sid}"' if sid else _POSITIONS[index] if index < 64 else f"#{index + 1}")
            if statement[2] == "Deny":
                if evaluated.denies:
                    evaluated.denies.append(ref)
                else:
                    evaluated.denies = [ref]
            else:
                allows = True
                if kind == "identity":
                    if evaluated.identity_allows:
                        evaluated.identity_allows.append(ref)
                    else:
                        evaluated.identity_allows = [ref]
                elif kind == "resource":
                    match = (ref, applies if type(applies) is str else "wildcard")
                    if evaluated.resource_allows:
                        evaluated.resource_allows.append(match)
                    else:
                        evaluated.resource_allows = [match]
    evaluated.entries.append((kind, name, compiled, level, applied))
    return allows


def _rcp_full_access_trace(level: int) -> PolicyTrace:
    """RCPFullAWSAccess allows everything to everyone, so its trace is known without matching."""
    statement = RCP_FULL_AWS_ACCESS.document["Statement"][0]
    return PolicyTrace(
        "rcp",
        RCP_FULL_AWS_ACCESS.name,
        (StatementTrace(0, None, statement["Effect"], True),),
        level,
        implicit=True,
    )


def _policy_list(value: object, field: str) -> list[NamedPolicy]:
    if type(value) is list:
        return value  # type: ignore[return-value]
    if not isinstance(value, list | tuple):
        raise EngineInputError(f"PolicySet.{field} must be a list of NamedPolicy, got {type(value).__name__}")
    return list(value)


def _levels(value: object, field: str) -> list[list[NamedPolicy]]:
    levels = _policy_list(value, field)
    for level in levels:
        if type(level) is not list and not isinstance(level, list | tuple):
            raise EngineInputError(
                f"PolicySet.{field} must be a list of levels (root first), each a list of NamedPolicy"
            )
    return levels  # type: ignore[return-value]


# ----- the decision -----

# The rule that decided, in the compact form ``Trace`` reads: (code, params, cites), each cite a
# ``Ref`` or a ``StatementRef``; it becomes a ``Rule`` only when the trace's rule is read. The
# cites may be one of the record's lists itself (never changed once the decision is made).
CompactRule = tuple[str, dict, tuple]


def _strongest(resource_allows: list[tuple[Ref, str]]) -> tuple[Ref, str] | None:
    if not resource_allows:
        return None
    if len(resource_allows) == 1:
        return resource_allows[0]
    return max(resource_allows, key=lambda item: MATCH_STRENGTH.get(item[1], 0))


def _decide(setting: _Setting, ev: _Evaluated) -> tuple[Decision, CompactRule]:
    """The decision and the rule that made it."""
    if (
        setting.plain and not ev.denies and not ev.resource_allows and not ev.guarded
    ):
        # The commonest requests, decided in fewer steps: a same-account request of an IAM
        # principal that needs no resource policy, where only identity policies applied (or
        # nothing did), and no guardrail or grant is in play. _decide_in_full reaches the same
        # rules by its longer way (tests/engine/test_conformance.py checks it on every case).
        if ev.identity_allows:
            return ALLOW, ("allow-identity", {}, ev.identity_allows)
        return IMPLICIT_DENY, ("no-allow", {}, _NO_CITES)
    return _decide_in_full(setting, ev)


def _decide_in_full(setting: _Setting, ev: _Evaluated) -> tuple[Decision, CompactRule]:
    action, resource = setting.action, setting.resource
    if action in ALWAYS_ALLOWED_ACTIONS:  # the action as the caller spelled it, in the rule
        return ALLOW, ("always-allowed", {"action": setting.action_text}, _NO_CITES)
    denies = ev.denies
    if denies:
        first = denies[0]
        return EXPLICIT_DENY, (
            "explicit-deny",
            {"kind": first[0], "policy": first[1], "statement": first[2]},
            tuple(denies),
        )
    protection = setting.protection
    if protection:
        return IMPLICIT_DENY, (
            "aws-owned-resource",
            {"protection": protection, "resource": resource},
            _NO_CITES,
        )
    if not ev.guarded:  # no guardrail that does not allow, no KMS grant: the common case
        return _decide_policies(setting, ev)
    if ev.scp_levels_without_allow:
        return IMPLICIT_DENY, ("scp-no-allow", {"level": ev.scp_levels_without_allow[0]}, _NO_CITES)
    if ev.endpoints_without_allow:
        return IMPLICIT_DENY, ("endpoint-no-allow", {"policy": ev.endpoints_without_allow[0]}, _NO_CITES)
    if not ev.grant_allows and not ev.grant_near:  # no KMS grant in play
        return _decide_policies(setting, ev)
    decision, rule = _decide_policies(setting, ev)
    if decision != IMPLICIT_DENY:
        return decision, rule
    if ev.grant_allows and rule[0] not in _GUARDRAIL_RULES:
        # KMS Developer Guide, "Grants in AWS KMS": a grant lets its grantee call the grant's
        # operations on the key, in any account, without a key policy or IAM policy statement for
        # it; an explicit Deny still wins ("KMS key access and permissions": no principal has a
        # permission that is "never denied"), and SCPs and endpoint policies were checked above.
        # Boundaries and session policies still cap a role session, as for a key policy naming
        # the role (this engine's reading: the KMS guide does not say).
        cites = tuple(ev.grant_allows)
        grant = cites[0]
        if ev.boundaries_without_allow:
            return IMPLICIT_DENY, ("boundary-no-allow", {"policy": ev.boundaries_without_allow[0]}, cites)
        if ev.session_without_allow:
            return IMPLICIT_DENY, ("session-no-allow", {"policy": ev.session_without_allow}, cites)
        return ALLOW, ("allow-grant", {"grant": grant.policy, "why": grant.label}, cites)
    if ev.grant_near and rule[0] not in _GUARDRAIL_RULES:
        # A grant names this principal and operation, but the request's encryption context does
        # not satisfy its constraint: that, not the key policy, is what the reader needs to hear.
        name, mismatch = ev.grant_near[0]
        return IMPLICIT_DENY, (
            "grant-constraint-not-met",
            {
                "grant": name,
                "constraint": mismatch.params["constraint"],
                "expected": mismatch.params["expected"],
                "actual": mismatch.params["actual"],
                "otherwise": rule[0],
            },
            rule[2],
        )
    return decision, rule


# Denials a grant cannot lift: the principal's own guardrails.
_GUARDRAIL_RULES = frozenset({"boundary-no-allow", "session-no-allow"})


def _guardrails(ev: _Evaluated, cites: tuple, code: str, params: dict) -> tuple[Decision, CompactRule]:
    """Allow under ``code``, unless a permissions boundary or session policy does not allow."""
    if not ev.guarded:
        return ALLOW, (code, params, cites)
    if ev.boundaries_without_allow:
        return IMPLICIT_DENY, ("boundary-no-allow", {"policy": ev.boundaries_without_allow[0]}, cites)
    if ev.session_without_allow:
        return IMPLICIT_DENY, ("session-no-allow", {"policy": ev.session_without_allow}, cites)
    return ALLOW, (code, params, cites)


def _decide_policies(setting: _Setting, ev: _Evaluated) -> tuple[Decision, CompactRule]:
    resource_allows = ev.resource_allows
    if resource_allows:
        best = _strongest(resource_allows)
        resource_refs = tuple([ref for ref, _ in resource_allows])
    else:
        best = None
        resource_refs = _NO_CITES
    identity_refs = ev.identity_allows  # a list, or the empty tuple
    required = setting.required

    if not setting.identity_policies:
        # Anonymous callers and AWS services: only a resource policy can let them in.
        if best is None:
            return IMPLICIT_DENY, ("no-resource-allow", {"principalKind": setting.principal.kind}, _NO_CITES)
        return ALLOW, ("allow-resource", {"match": best[1]}, resource_refs)

    if required and best is None:
        return IMPLICIT_DENY, (
            "resource-policy-required",
            {"required": required, "identityAllows": bool(identity_refs)},
            _NO_CITES,
        )

    if not setting.same_account:
        if required == "kms-key" and setting.action not in KMS_CROSS_ACCOUNT_ACTIONS:
            # the action as the caller spelled it, in the rule
            return IMPLICIT_DENY, ("kms-not-cross-account", {"action": setting.action_text}, _NO_CITES)
        if best is None:
            return IMPLICIT_DENY, (
                "cross-account-no-resource-allow",
                {"identityAllows": bool(identity_refs)},
                identity_refs,
            )
        if not identity_refs:
            return IMPLICIT_DENY, ("cross-account-no-identity-allow", {"match": best[1]}, resource_refs)
        return _guardrails(ev, (*resource_refs, *identity_refs), "allow-cross-account", {"match": best[1]})

    if best is not None and best[1] != "account":
        match = best[1]
        if match in _FULLY_DIRECT:
            return ALLOW, ("allow-resource-names-principal", {"match": match}, (best[0],))
        # A role named directly: its sessions still answer to their boundary and session policy.
        return _guardrails(ev, (best[0],), "allow-resource-names-principal", {"match": match})
    if identity_refs:
        if required:
            # The key or trust policy delegates to the account, so IAM policies count.
            return _guardrails(
                ev, (*identity_refs, *resource_refs), "allow-identity-delegated", {"required": required}
            )
        if ev.guarded:
            return _guardrails(ev, identity_refs, "allow-identity", {})
        return ALLOW, ("allow-identity", {}, identity_refs)
    if best is not None:
        return IMPLICIT_DENY, ("account-delegation-no-identity-allow", {"required": required}, resource_refs)
    return IMPLICIT_DENY, ("no-allow", {}, _NO_CITES)
