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
    Rule,
    StatementRef,
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
from policyproof.engine.statements import MATCH_STRENGTH, RequestView, compiled_policy, match_statement
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


@dataclass(slots=True)
class _Evaluated:
    """Every policy's trace, plus the applicable statements the decision needs."""

    traces: list[PolicyTrace]
    denies: list[StatementRef]
    identity_allows: list[StatementRef]
    resource_allows: list[tuple[StatementRef, str]]  # with how the principal matched
    scp_levels_without_allow: list[int]
    boundaries_without_allow: list[str]
    session_without_allow: str | None
    endpoints_without_allow: list[str]
    grant_allows: list[StatementRef]
    grant_near: list  # (grant name, constraint mismatch): a grant that fails only on its constraint


def evaluate(request: Request, policies: PolicySet) -> Result:
    """Decide ``request`` against ``policies``. Raises ``EngineInputError`` on bad input."""
    if not isinstance(request, Request):
        raise EngineInputError(f"expected a Request, got {type(request).__name__}")
    if not isinstance(policies, PolicySet):
        raise EngineInputError(f"expected a PolicySet, got {type(policies).__name__}")
    try:
        setting = _setting(
            request.principal,
            request.principal_account,
            request.action,
            request.resource,
            request.resource_account,
            request.wildcard_only_action,
            request.role_path,
        )
    except TypeError:  # an unhashable field (a dict or list where a string belongs)
        raise EngineInputError(_wrong_field_types(request)) from None
    principal = setting.principal
    derived = setting.derived_context
    if (
        request.principal_tags
        or request.principal_unique_id
        or request.principal_org_id
        or request.resource_org_id
        or request.endpoint is not None
        or request.source is not None
    ):
        derived = derived + request_keys(request, principal)
    context = build_context(request.context, derived)
    facts = setting.facts.copy()
    facts["scpsApply"] = setting.scps_apply if policies.scps else None
    facts["rcpsApply"] = setting.rcps_apply if policies.rcps else None
    facts["contextFilledByEngine"] = list(context.filled)
    facts["contextFilled"] = context.filled_values or {}
    if setting.warnings:
        facts["warnings"] = list(setting.warnings)
    context_warnings = unknown_context_keys(tuple(request.context)) if request.context else ()
    if context_warnings:
        facts.setdefault("warnings", []).extend(context_warnings)

    view = RequestView(
        setting.action,
        setting.resource,
        principal,
        context,
        bool(policies.boundaries),
        setting.resource_is_pattern,
        request.action,
    )
    evaluated = _evaluate_policies(policies, view, context, setting.scps_apply, setting.rcps_apply)
    if policies.grants and setting.required == "kms-key":
        grant_traces, evaluated.grant_allows, evaluated.grant_near = evaluate_grants(
            policies.grants, setting, request.context, setting.resource
        )
        evaluated.traces.extend(grant_traces)
    decision, rule = _decide(setting, evaluated)
    if "action" in rule.params:  # report the action as the caller spelled it
        rule = Rule(rule.code, {**rule.params, "action": request.action}, rule.cites)
    return Result(decision, Trace(facts, tuple(evaluated.traces), rule))


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
    return _Setting(
        principal,
        action,
        resource,
        resource_account,
        required,
        same_account,
        _scps_apply(principal),
        _rcps_apply(principal, action),
        _resource_is_pattern(wildcard_only, action, resource),
        facts,
        derived_keys(principal, action.startswith("kms:"), resource_account),
        aws_owned_resource(action, resource),
        unknown_action(action_text) + _path_warning(principal, role_path),
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


def _evaluate_policies(
    policies: PolicySet, view: RequestView, context: RequestContext, scps_apply: bool, rcps_apply: bool
) -> _Evaluated:
    lookup = context.get  # resolves ${...} policy variables from the request context
    result = _Evaluated([], [], [], [], [], [], None, [], [], [])

    def run(policy: NamedPolicy, kind: str, level: int | None = None, implicit: bool = False) -> PolicyTrace:
        if type(policy) is not NamedPolicy and not isinstance(policy, NamedPolicy):
            raise EngineInputError(f"{kind} policy must be a NamedPolicy(name, document), got {policy!r}")
        name = policy.name
        compiled = compiled_policy(name, kind, policy.document)
        variable_lookup = lookup if compiled.variables else None
        statements: list[StatementTrace] = []
        for statement in compiled.statements:
            trace, match_kind = match_statement(statement, compiled, view, variable_lookup)
            statements.append(trace)
            if trace.applies:
                ref = StatementRef(kind, name, trace.label)
                if trace.effect == "Deny":
                    result.denies.append(ref)
                elif kind == "identity":
                    result.identity_allows.append(ref)
                elif kind == "resource":
                    result.resource_allows.append((ref, match_kind or "wildcard"))
        policy_trace = PolicyTrace(kind, name, tuple(statements), level, implicit)
        result.traces.append(policy_trace)
        return policy_trace

    if scps_apply and policies.scps:
        for level, level_policies in enumerate(_levels(policies.scps, "scps")):
            traces = [run(p, "scp", level) for p in level_policies]
            if not any(t.allows for t in traces):
                result.scp_levels_without_allow.append(level)
    if rcps_apply and policies.rcps:
        for level, level_policies in enumerate(_levels(policies.rcps, "rcps")):
            result.traces.append(_rcp_full_access_trace(level))
            for p in level_policies:
                run(p, "rcp", level)
    if policies.resource is not None:
        run(policies.resource, "resource")
    if policies.identity:
        for p in _policy_list(policies.identity, "identity"):
            run(p, "identity")
    if policies.boundaries:
        for p in _policy_list(policies.boundaries, "boundaries"):
            if not run(p, "boundary").allows:
                result.boundaries_without_allow.append(p.name)
    if policies.session is not None and not run(policies.session, "session").allows:
        result.session_without_allow = policies.session.name
    if policies.endpoints:
        for p in _policy_list(policies.endpoints, "endpoints"):
            if not run(p, "endpoint").allows:
                result.endpoints_without_allow.append(p.name)
    return result


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
        if not isinstance(level, list | tuple):
            raise EngineInputError(
                f"PolicySet.{field} must be a list of levels (root first), each a list of NamedPolicy"
            )
    return levels  # type: ignore[return-value]


# ----- the decision -----


def _strongest(resource_allows: list[tuple[StatementRef, str]]) -> tuple[StatementRef, str] | None:
    if not resource_allows:
        return None
    return max(resource_allows, key=lambda item: MATCH_STRENGTH.get(item[1], 0))


def _decide(setting: _Setting, ev: _Evaluated) -> tuple[Decision, Rule]:
    action, resource = setting.action, setting.resource
    if action in ALWAYS_ALLOWED_ACTIONS:
        return ALLOW, Rule("always-allowed", {"action": action})
    if ev.denies:
        first = ev.denies[0]
        return EXPLICIT_DENY, Rule(
            "explicit-deny",
            {"kind": first.kind, "policy": first.policy, "statement": first.label},
            tuple(ev.denies),
        )
    protection = setting.protection
    if protection:
        return IMPLICIT_DENY, Rule("aws-owned-resource", {"protection": protection, "resource": resource})
    if ev.scp_levels_without_allow:
        return IMPLICIT_DENY, Rule("scp-no-allow", {"level": ev.scp_levels_without_allow[0]})
    if ev.endpoints_without_allow:
        return IMPLICIT_DENY, Rule("endpoint-no-allow", {"policy": ev.endpoints_without_allow[0]})
    decision, rule = _decide_policies(setting, ev)
    if decision == IMPLICIT_DENY and ev.grant_allows and rule.code not in _GUARDRAIL_RULES:
        # KMS Developer Guide, "Grants in AWS KMS": a grant lets its grantee call the grant's
        # operations on the key, in any account, without a key policy or IAM policy statement for
        # it; an explicit Deny still wins ("KMS key access and permissions": no principal has a
        # permission that is "never denied"), and SCPs and endpoint policies were checked above.
        # Boundaries and session policies still cap a role session, as for a key policy naming
        # the role (this engine's reading: the KMS guide does not say).
        cites = tuple(ev.grant_allows)
        grant = cites[0]
        if ev.boundaries_without_allow:
            return IMPLICIT_DENY, Rule("boundary-no-allow", {"policy": ev.boundaries_without_allow[0]}, cites)
        if ev.session_without_allow:
            return IMPLICIT_DENY, Rule("session-no-allow", {"policy": ev.session_without_allow}, cites)
        return ALLOW, Rule("allow-grant", {"grant": grant.policy, "why": grant.label}, cites)
    if decision == IMPLICIT_DENY and ev.grant_near and rule.code not in _GUARDRAIL_RULES:
        # A grant names this principal and operation, but the request's encryption context does
        # not satisfy its constraint: that, not the key policy, is what the reader needs to hear.
        name, mismatch = ev.grant_near[0]
        return IMPLICIT_DENY, Rule(
            "grant-constraint-not-met",
            {
                "grant": name,
                "constraint": mismatch.params["constraint"],
                "expected": mismatch.params["expected"],
                "actual": mismatch.params["actual"],
                "otherwise": rule.code,
            },
            rule.cites,
        )
    return decision, rule


# Denials a grant cannot lift: the principal's own guardrails.
_GUARDRAIL_RULES = frozenset({"boundary-no-allow", "session-no-allow"})


def _guardrails(
    ev: _Evaluated, cites: tuple[StatementRef, ...], code: str, params: dict
) -> tuple[Decision, Rule]:
    """Allow under ``code``, unless a permissions boundary or session policy does not allow."""
    if ev.boundaries_without_allow:
        return IMPLICIT_DENY, Rule("boundary-no-allow", {"policy": ev.boundaries_without_allow[0]}, cites)
    if ev.session_without_allow:
        return IMPLICIT_DENY, Rule("session-no-allow", {"policy": ev.session_without_allow}, cites)
    return ALLOW, Rule(code, params, cites)


def _decide_policies(setting: _Setting, ev: _Evaluated) -> tuple[Decision, Rule]:
    action, principal = setting.action, setting.principal
    same_account, required = setting.same_account, setting.required

    best = _strongest(ev.resource_allows) if ev.resource_allows else None
    resource_refs = tuple([ref for ref, _ in ev.resource_allows]) if ev.resource_allows else ()
    identity_refs = tuple(ev.identity_allows)

    if not principal.has_identity_policies:
        # Anonymous callers and AWS services: only a resource policy can let them in.
        if best is None:
            return IMPLICIT_DENY, Rule("no-resource-allow", {"principalKind": principal.kind})
        return ALLOW, Rule("allow-resource", {"match": best[1]}, resource_refs)

    if required and best is None:
        return IMPLICIT_DENY, Rule(
            "resource-policy-required", {"required": required, "identityAllows": bool(identity_refs)}
        )

    if not same_account:
        if required == "kms-key" and action not in KMS_CROSS_ACCOUNT_ACTIONS:
            return IMPLICIT_DENY, Rule("kms-not-cross-account", {"action": action})
        if best is None:
            return IMPLICIT_DENY, Rule(
                "cross-account-no-resource-allow", {"identityAllows": bool(identity_refs)}, identity_refs
            )
        if not identity_refs:
            return IMPLICIT_DENY, Rule("cross-account-no-identity-allow", {"match": best[1]}, resource_refs)
        return _guardrails(ev, resource_refs + identity_refs, "allow-cross-account", {"match": best[1]})

    if best is not None and best[1] != "account":
        match = best[1]
        if match in _FULLY_DIRECT:
            return ALLOW, Rule("allow-resource-names-principal", {"match": match}, (best[0],))
        # A role named directly: its sessions still answer to their boundary and session policy.
        return _guardrails(ev, (best[0],), "allow-resource-names-principal", {"match": match})
    if identity_refs:
        if required:
            # The key or trust policy delegates to the account, so IAM policies count.
            return _guardrails(
                ev, identity_refs + resource_refs, "allow-identity-delegated", {"required": required}
            )
        return _guardrails(ev, identity_refs, "allow-identity", {})
    if best is not None:
        return IMPLICIT_DENY, Rule(
            "account-delegation-no-identity-allow", {"required": required}, resource_refs
        )
    return IMPLICIT_DENY, Rule("no-allow", {})
