"""A proved ``claims.yaml`` turned into the site's :class:`ClaimProof` records: who, what, which
resources, each flow step in words, in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from policyproof.site.proofs import ClaimProof, FlowStep, _display_path, why_line
from policyproof.site.proofs import policy_lines as policy_lines  # noqa: F401 - its old home
from policyproof.site.prover import GroupProof

# How the engine's policy kinds read in a step label; resource policies are named by their file.
_POLICY_KIND_WORDS = {
    "identity": "identity policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "SCP",
    "rcp": "RCP",
    "resource": "resource policy",
}
_RESOURCE_KIND_WORDS = {"key": "key policy", "bucket": "bucket policy", "trust": "trust policy"}


def statement_words(kind: str, policy: str, label: str) -> str:
    """``key policy key-a.key-policy.json "AllowAccountB"``: a deciding statement, for labels."""
    from policyproof.check.kinds import kind_from_filename

    words = _POLICY_KIND_WORDS.get(kind, kind)
    if kind == "resource":
        words = _RESOURCE_KIND_WORDS.get(kind_from_filename(policy) or "", words)
    return f"{words} {policy} {label}"


def prove_claims_file(claims_file: Path, group: str, root: Path | None = None) -> GroupProof:
    """Prove one ``claims.yaml`` with :mod:`policyproof.claims` and turn it into :class:`ClaimProof`.

    Files are named relative to ``root`` (the site's folder; the working directory by default), so
    messages and ``verification.json`` never carry the machine's own folders.
    """
    from policyproof.claims import load_claims, prove

    loaded = load_claims(claims_file)
    directory = claims_file.parent
    shown = _display_path(claims_file, root)
    lines = claims_file.read_text(encoding="utf-8").splitlines()
    account_names = {number: name for name, number in loaded.accounts.items()}
    proofs = []
    for result in prove(loaded):
        claim = result.claim
        traces = (
            [result.result]
            if result.result is not None
            else [
                step.result for step in (result.flow.steps if result.flow else ()) if step.result is not None
            ]
        )
        used: list[str] = []
        for trace_result in traces:
            for policy in trace_result.trace.policies:
                if policy.name.endswith(".json") and (directory / policy.name).is_file():
                    path = f"{group}/{policy.name}"
                    if path not in used:
                        used.append(path)
        if claim.request is not None:
            principal_name = claim.request.principal
            resource_name, _, suffix = claim.request.resource.partition("/")
            resource_arn = loaded.resources[resource_name].arn + (f"/{suffix}" if suffix else "")
            action, resource_label, flow_name = claim.request.action, claim.request.resource, None
            resources = ((resource_label, resource_arn),)
            description: dict[str, str] = {}
        else:
            assert claim.flow is not None and result.flow is not None
            principal_name = str(claim.flow["principal"])
            params = {k: v for k, v in claim.flow.items() if k not in ("name", "principal")}
            action = flow_name = str(claim.flow["name"])
            resources = _flow_resources(loaded, flow_name, params, result.flow.steps)
            resource_label = ", ".join(name for name, _ in resources)
            resource_arn = resources[0][1] if resources else ""
            description = _flow_description(flow_name)
        steps = tuple(_flow_step(step) for step in (result.flow.steps if result.flow else ()))
        spec = loaded.principals.get(principal_name)
        account = spec.account if spec is not None else ""
        proofs.append(
            ClaimProof(
                group=group,
                id=claim.id,
                text=dict(claim.text),
                principal=principal_name,
                principal_arn=_principal_arn(loaded, principal_name),
                action=action,
                resource=resource_label,
                resource_arn=resource_arn,
                expect=result.expected,
                decision=result.actual,
                explanation={lang: result.explain(lang) for lang in LANGS},
                trace=_lean_trace(claim, result),
                snippets=tuple(used),
                flow=flow_name,
                steps=steps,
                denied_at=claim.denied_at,
                source=f"{shown}:{claim.line}",
                rule=result.deciding_rule,
                expected_rule=claim.rule,
                positions=claim_positions(lines, claim.line),
                principal_account=account,
                principal_account_name=account_names.get(account, ""),
                resources=resources,
                description=description,
            )
        )
    for spec in loaded.for_all:
        proofs.append(_universal_proof(loaded, spec, group, shown, lines))
    from policyproof.site.publishable import contexts_from_claims

    return GroupProof(proofs, contexts_from_claims(loaded))


LANGS = ("vi", "en")


def _flow_step(step: Any) -> FlowStep:
    """A flow step, lean: its own words are one line (the fact a check found, or why a call is
    denied); the whole explanation of the failing step is the claim's, stored once."""
    if step.result is None:  # a check: the fact is all there is to say
        words = {lang: step.explain(lang) for lang in LANGS}
    elif step.decision != "Allow":
        words = {lang: why_line(step.explain(lang)) for lang in LANGS}
    else:  # allowed: the statements that allowed it say it
        words = {}
    return FlowStep(
        caller=step.caller,
        callee=step.callee,
        action=step.action,
        resource=step.resource,
        decision=step.decision,
        deciding=tuple(statement_words(ref.kind, ref.policy, ref.label) for ref in step.deciding),
        explanation=words,
        purpose=dict(step.purpose),
        reached=step.reached,
        fact=step.result is None,
        api=step.api,
        kind=step.kind,
        label=dict(step.label),
        what={lang: step.describe(lang) for lang in LANGS},
        rule=step.result.trace.rule.code if step.result is not None else "",
    )


def _lean_trace(claim: Any, result: Any) -> dict[str, Any]:
    """What the claim changed in its world and the statements that decided a single request, as
    data (the prose is the claim's explanation)."""
    trace: dict[str, Any] = {}
    if claim.without:
        trace["without"] = list(claim.without)
    if claim.replace:
        trace["replace"] = dict(claim.replace)
    if result.result is not None:
        trace["decidedBy"] = [ref.to_dict() for ref in result.result.trace.rule.cites]
    return trace


def universal_scope(loaded: Any, spec: Any) -> dict[str, str]:
    """lang -> what a ``for_all:`` claim is about, in words: ``every request by a principal outside
    accounts A, B for kms:Decrypt on key-a``."""
    outside = ", ".join(spec.accounts_outside)
    vi: list[str] = []
    en: list[str] = []
    if spec.principal:
        vi.append(f"của {spec.principal}")
        en.append(f"by {spec.principal}")
    if outside:
        vi.append(f"của principal ngoài account {outside}")
        en.append(f"by a principal outside accounts {outside}")
    if spec.actions:
        vi.append("với " + ", ".join(spec.actions))
        en.append("for " + ", ".join(spec.actions))
    elif spec.actions_outside:
        vi.append("với action ngoài " + ", ".join(spec.actions_outside))
        en.append("for an action other than " + ", ".join(spec.actions_outside))
    if spec.resource:
        vi.append(f"trên {spec.resource}")
        en.append(f"on {spec.resource}")
    return {"vi": " ".join(["mọi request", *vi]), "en": " ".join(["every request", *en])}


def _universal_proof(loaded: Any, spec: Any, group: str, shown: str, lines: list[str]) -> ClaimProof:
    """A ``for_all:`` claim proved by the symbolic engine: proved, or refuted by a counterexample.
    An answer the engine cannot compute (``Unknown``) fails the build with its reason."""
    from policyproof.claims.model import ClaimsError
    from policyproof.symbolic import Unknown
    from policyproof.symbolic.claims import prove_for_all

    try:
        result = prove_for_all(loaded, spec)
    except Unknown as error:
        message = f"universal claim {spec.id!r} cannot be decided: {error}"
        raise ClaimsError(shown, message, spec.line, 1) from None
    except ValueError as error:
        raise ClaimsError(shown, str(error), spec.line, 1) from None
    data = result.to_dict()
    scope = universal_scope(loaded, spec)
    data["scope"] = scope
    request = (data.get("counterexample") or {}).get("request", {})
    if request:
        explanation = {
            "vi": f"Phản ví dụ (được Allow): {request['principal']} gọi {request['action']} "
            f"trên {request['resource']}",
            "en": f"Counterexample (allowed): {request['principal']} calls {request['action']} "
            f"on {request['resource']}",
        }
    else:
        explanation = {"vi": f"Đã chứng minh cho {scope['vi']}.", "en": f"Proved for {scope['en']}."}
    resource_arn = loaded.resources[spec.resource].arn if spec.resource else ""
    return ClaimProof(
        group=group,
        id=spec.id,
        text=dict(spec.text),
        principal=spec.principal or "",
        principal_arn=_principal_arn(loaded, spec.principal) if spec.principal else "",
        action=", ".join(spec.actions) or "*",
        resource=spec.resource or "",
        resource_arn=resource_arn,
        expect=spec.expect,
        decision="Deny" if result.proved else "Allow",
        explanation=explanation,
        source=f"{shown}:{spec.line}",
        positions=claim_positions(lines, spec.line),
        resources=((spec.resource, resource_arn),) if spec.resource else (),
        universal=data,
    )


_KEY = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[A-Za-z_]+)\s*:")


def claim_positions(lines: list[str], line: int) -> dict[str, tuple[int, int]]:
    """``key -> (line, column)`` for the top-level keys of the claim that starts at ``line``
    (1-based, the ``- id:`` line), so a failure points at the key that is wrong."""
    positions: dict[str, tuple[int, int]] = {}
    if not 0 < line <= len(lines):
        return positions
    first = _KEY.match(lines[line - 1])
    if first is None:
        return positions
    indent = len(first["lead"])  # the column of the claim's keys
    positions[first["key"]] = (line, indent + 1)
    for number in range(line + 1, len(lines) + 1):
        text = lines[number - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = _KEY.match(text)
        depth = len(text) - len(text.lstrip())
        if depth < indent or (match and match["lead"].strip() == "-"):
            break  # the next claim, or the end of the list
        if match and depth == indent:
            positions.setdefault(match["key"], (number, indent + 1))
    return positions


def _principal_arn(loaded: Any, name: str) -> str:
    spec = loaded.principals.get(name)
    return spec.arn if spec is not None else ""


def _flow_description(name: str) -> dict[str, str]:
    from policyproof.engine.flows import FLOWS

    spec = FLOWS.get(name)
    return dict(spec.description) if spec is not None else {}


def _flow_resources(
    loaded: Any, name: str, params: Mapping[str, Any], steps: Iterable[Any]
) -> tuple[tuple[str, str], ...]:
    """One ``(name, ARN)`` per resource parameter of a flow, in the claim's order."""
    from policyproof.engine.flows import FLOWS

    kinds = {param.name: param.kind for param in FLOWS[name].params}
    step_arns = [step.resource for step in steps]
    lines: list[tuple[str, str]] = []
    for param, value in params.items():
        kind, value = kinds.get(param), str(value)
        arn = ""
        if kind == "resource" and value in loaded.resources:
            arn = loaded.resources[value].arn
        elif kind == "object":
            bucket, _, key = value.partition("/")
            if bucket in loaded.resources:
                arn = f"{loaded.resources[bucket].arn}/{key}"
        elif kind == "string":
            # An id the flow gives a new resource (the copy's snapshot id): its ARN is a step's.
            arn = next((a for a in step_arns if a.rsplit("/", 1)[-1] == value), "")
        else:
            continue  # a switch (bucket_key, create_volume), not a resource
        lines.append((value, arn))
    return tuple(lines)
