"""Proving: every claim of a loaded file decided by the engine (one request or one flow)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policyproof.claims.loader import load_claims
from policyproof.claims.model import CLAIMS_FILE_NAME, Claim, ClaimsError, ClaimsFile, RequestSpec
from policyproof.engine import EngineInputError, Request, Result, evaluate
from policyproof.engine.flows import (
    FlowError,
    FlowResult,
    Resource,
    World,
    policies_for,
    request_for,
    run_flow,
)
from policyproof.engine.result import Decision

# --------------------------------------------------------------------------------------------
# Proving.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimResult:
    """One claim and what the engine decided. ``result`` is set for a request claim, ``flow``
    for a flow claim (its steps carry caller, callee, action, resource, decision and the
    deciding statements, for sequence diagrams)."""

    claim: Claim
    actual: Decision
    result: Result | None = None
    flow: FlowResult | None = None
    # Sentences added to the engine's explanation, by language: why an organization's policies
    # were left out of the decision (they never reach the engine for the management account).
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def expected(self) -> Decision:
        return self.claim.expect

    @property
    def failed_at(self) -> str | None:
        failed = self.flow.failed_step if self.flow else None
        return failed.action if failed else None

    @property
    def deciding_rule(self) -> str:
        """The engine rule that decided: the request's, or the flow's failing step's (``fact`` for a
        resource attribute such as snapshot sharing; ``all-steps-allowed`` for an allowed flow)."""
        if self.result is not None:
            return self.result.trace.rule.code
        assert self.flow is not None
        failed = self.flow.failed_step
        if failed is None:
            return "all-steps-allowed"
        return failed.result.trace.rule.code if failed.result is not None else "fact"

    @property
    def passed(self) -> bool:
        if self.actual != self.expected:
            return False
        if self.claim.rule is not None and self.claim.rule != self.deciding_rule:
            return False
        return self.claim.denied_at is None or self.claim.denied_at.lower() == (self.failed_at or "").lower()

    def explain(self, lang: str = "en") -> str:
        if self.flow is not None:
            return self.flow.explain(lang)
        assert self.result is not None
        notes = [text for note_lang, text in self.notes if note_lang == lang]
        return "\n".join([self.result.explain(lang), *notes])

    def failure_message(self) -> str:
        """``file:line: claim ID: expected …, got …`` and why, for pytest and the command line."""
        got = self.actual + (f" at {self.failed_at}" if self.failed_at and self.claim.denied_at else "")
        wanted = self.expected + (f" at {self.claim.denied_at}" if self.claim.denied_at else "")
        if self.claim.rule is not None:
            got += f" by rule {self.deciding_rule}"
            wanted += f" by rule {self.claim.rule}"
        return (
            f"{self.claim.file}:{self.claim.line}: claim {self.claim.id} ({self.claim.describe()}): "
            f"expected {wanted}, got {got}.\n  The page says: {self.claim.text['en']}\n"
            f"  Engine: {self.explain('en')}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the site: the claims table and the sequence diagrams."""
        data: dict[str, Any] = {
            "id": self.claim.id,
            "file": self.claim.file,
            "line": self.claim.line,
            "text": dict(self.claim.text),
            "what": self.claim.describe(),
            "without": list(self.claim.without),
            "replace": dict(self.claim.replace),
            "expected": self.expected,
            "actual": self.actual,
            "passed": self.passed,
            "explanation": {"en": self.explain("en"), "vi": self.explain("vi")},
        }
        data["rule"] = self.deciding_rule
        if self.claim.rule:
            data["expectedRule"] = self.claim.rule
        if self.claim.denied_at:
            data["deniedAt"] = self.claim.denied_at
        if self.flow is not None:
            data["flow"] = self.flow.to_dict()
        if self.result is not None:
            data["trace"] = self.result.trace.to_dict()
        return data


def _request(world: World, spec: RequestSpec) -> tuple[Request, Resource]:
    principal = world.principals[spec.principal]
    name, _, suffix = spec.resource.partition("/")
    resource = world.resources[name]
    arn = f"{resource.arn}/{suffix}" if suffix else resource.arn
    context = dict(spec.context)
    if spec.action.lower().startswith("kms:") and principal.account is not None:
        # KMS puts the caller's account in every request's context (AWS KMS condition keys,
        # kms:CallerAccount); a direct call carries no kms:ViaService.
        context.setdefault("kms:CallerAccount", principal.account)
    request = request_for(world, principal, spec.action, arn, resource.account, context, spec.endpoint)
    return request, resource


def prove(claims_file: ClaimsFile) -> list[ClaimResult]:
    """Decide every claim of an already loaded file."""
    results = []
    file = str(claims_file.path)
    for claim in claims_file.claims:
        world = claims_file.world(claim)
        try:
            if claim.request is not None:
                request, resource = _request(world, claim.request)
                actor = world.principals[claim.request.principal]
                result = evaluate(request, policies_for(actor, resource, world, claim.request.endpoint))
                notes = _management_notes(world, actor.account, resource.account)
                results.append(ClaimResult(claim, result.decision, result=result, notes=notes))
            else:
                assert claim.flow is not None
                params = {k: v for k, v in claim.flow.items() if k not in ("name", "principal")}
                flow = run_flow(claim.flow["name"], world, claim.flow["principal"], **params)
                results.append(ClaimResult(claim, flow.decision, flow=flow))
        except FlowError as error:
            raise ClaimsError(
                file, f"claim {claim.id}: flow parameter {error.param}: {error.message}", claim.line
            ) from None
        except EngineInputError as error:
            raise ClaimsError(
                file, f"claim {claim.id}: the engine cannot evaluate it: {error.message}", claim.line
            ) from None
    return results


def _management_notes(world: World, caller: str | None, owner: str | None) -> tuple[tuple[str, str], ...]:
    """Why the organization's SCPs or RCPs are not in the decision when the caller or the
    resource is in its management account (AWS Organizations User Guide: SCPs do not affect its
    users and roles, RCPs do not affect its resources)."""
    org = world.organization
    if org is None or org.management_account is None:
        return ()
    notes: list[tuple[str, str]] = []
    if org.scps and caller == org.management_account:
        notes += [
            (
                "en",
                f"The organization's SCPs do not apply: the caller is in its management account {caller}.",
            ),
            ("vi", f"Các SCP của tổ chức không áp dụng: người gọi thuộc management account {caller}."),
        ]
    if org.rcps and owner == org.management_account:
        notes += [
            (
                "en",
                f"The organization's RCPs do not apply: the resource is in its management account {owner}.",
            ),
            ("vi", f"Các RCP của tổ chức không áp dụng: tài nguyên thuộc management account {owner}."),
        ]
    return tuple(notes)


def prove_claims(claims_file: str | Path) -> list[ClaimResult]:
    """Load ``claims_file`` and decide every claim in it."""
    return prove(load_claims(claims_file))


def find_claims_files(snippets_root: str | Path) -> list[Path]:
    """Every ``claims.yaml`` under ``snippets_root``, sorted."""
    return sorted(Path(snippets_root).rglob(CLAIMS_FILE_NAME))
