"""The site's one verification: page rules, every snippet, every claim — one verdict.

:func:`verify_site` is the only function that decides whether the site may be published. The
MkDocs hook (``mkdocs build`` and ``mkdocs serve``), ``policyproof verify`` and pytest all call it
and print its findings with :meth:`Verification.lines`, so they cannot disagree on what is wrong
or on how it is said.

What it runs, in order:

1. **Page rules** (:mod:`policyproof.site.page_rules`), on the Markdown only: every page has its
   twin in every language, both include the same snippets in the same order, every heading has an
   explicit ``{ #id }``, no policy is written inline (a JSON block marked
   ``<!-- policyproof: not-a-policy -->`` may stay unless it looks like a policy), every include
   names an existing snippet and every snippet is shown. Different heading ids between twins are
   translation work: a warning, never a failure.
2. **Snippets**: each included snippet through the checker, as the policy of the resource the
   page's ``claims.yaml`` attaches it to (owner account, ARN), with the counter-examples the page
   declares in ``expected-findings.yaml``.
3. **Claims**: each claim of the pages' ``claims.yaml`` decided by the engine (request or flow),
   compared with its ``expect``, ``denied_at`` and ``rule``.

Each cause is reported once, at its source (file:line:column relative to the site's folder); no
follow-on error is derived from another (a claims file that cannot be read does not also make its
snippets' declared findings "not raised").

The proof part runs in worker processes (:class:`~policyproof.site.prover.PendingProof`) and is
waited for only when a caller asks for it, so the MkDocs hook can render pages meanwhile.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policyproof.check.findings import Finding, Severity
from policyproof.site import page_rules
from policyproof.site.proof_cache import cache_dir_for
from policyproof.site.proofs import SiteProof, _display_path
from policyproof.site.prover import PendingProof, SiteProver

BLOCKING = frozenset({Severity.ERROR, Severity.SECURITY_WARNING})

#: What each site-level code means (the checker's own codes are described by its rule registry).
SITE_RULES: dict[str, str] = {
    "missing-twin": "Every page exists in every language (page.md and page.en.md).",
    "snippet-order": "Both languages include the same snippets in the same order.",
    "heading-id": "Every heading carries an explicit { #id }, the same in both languages.",
    "heading-ids": "Translation work: the twins' heading ids differ (a warning, never a failure).",
    "inline-json": "Policies are included from snippets/, never written inline.",
    "missing-snippet": "An include names a snippet that does not exist.",
    "unused-snippet": "A snippet no page shows.",
    "snippet-input": "A snippet that cannot be checked at all (not strict JSON, unreadable).",
    "snippet-kind": "A snippet whose file name declares no policy kind.",
    "expected-findings": "An expected-findings.yaml that cannot be read.",
    "expected-finding-not-raised": "A declared counter-example finding the checker no longer raises.",
    "claims-file": "A claims.yaml that cannot be proved (bad YAML, wrong shape, unknown name).",
    "claim-not-proved": "A claim the engine does not prove (decision, denied_at or rule).",
}


@dataclass
class Verification:
    """The verdict on one site: the page rules' findings at once, the proof's when asked for."""

    root: Path
    docs_dir: Path
    page_problems: list[Finding]
    pending: PendingProof | None = field(default=None, repr=False)
    prover: SiteProver | None = field(default=None, repr=False)
    _proof: SiteProof | None = field(default=None, repr=False)
    _problems: list[Finding] | None = field(default=None, repr=False)

    @property
    def proof(self) -> SiteProof:
        """What was proved (waits for the proving workers; raises ProofError if one crashed)."""
        if self._proof is None:
            assert self.pending is not None, "a verification without a proof"
            proof = self.pending.result()
            proof.docs_prefix = _display_path(self.docs_dir, self.root).rstrip("/") + "/"
            self._proof = proof
        return self._proof

    def page_proof(self, src_uri: str) -> SiteProof | None:
        """What the page ``src_uri`` shows, without waiting for the rest of the site (the whole
        proof once it is known); None when it could not be proved (see :attr:`errors`, which
        waits for everything and says why)."""
        if self._proof is not None or self.pending is None:
            return self.proof
        partial = self.pending.page_proof(src_uri)
        if partial is not None:
            partial.docs_prefix = _display_path(self.docs_dir, self.root).rstrip("/") + "/"
        return partial

    @property
    def finished(self) -> bool:
        """The whole proof is known or a moment away (no worker still proving)."""
        return self._proof is not None or self.pending is None or self.pending.finished

    @property
    def page_errors(self) -> list[Finding]:
        """The page rules' errors (known without waiting for the proof)."""
        return [p for p in self.page_problems if p.severity in BLOCKING]

    @property
    def problems(self) -> list[Finding]:
        """Everything found, each cause once, sorted by file and position."""
        if self._problems is None:
            seen: set[tuple[str, int, str]] = set()
            unique: list[Finding] = []
            for problem in [*self.page_problems, *self.proof.problems()]:
                key = (problem.file, problem.line, problem.code)
                if key not in seen:
                    seen.add(key)
                    unique.append(problem)
            self._problems = sorted(unique, key=lambda p: (p.file, p.line, p.column, p.code, p.message))
        return self._problems

    @property
    def errors(self) -> list[Finding]:
        """What keeps the site from being published."""
        return [p for p in self.problems if p.severity in BLOCKING]

    @property
    def warnings(self) -> list[Finding]:
        """Reported, never failing: translation work (different heading ids between twins)."""
        return [p for p in self.problems if p.severity not in BLOCKING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self, problems: Iterable[Finding] | None = None) -> list[str]:
        """``file:line:column: severity code: message`` — the one wording every caller prints."""
        return [p.format() for p in (self.errors if problems is None else problems)]

    def failure_message(self) -> str:
        """The build's error: how many problems, then one line per problem."""
        errors = self.errors
        return f"policyproof: {len(errors)} problem(s); the site is not built:\n  " + "\n  ".join(
            self.lines(errors)
        )

    def summary(self) -> dict[str, Any]:
        proof = self.proof
        claims = proof.all_claims()
        return {
            "pages": len(proof.pages),
            "snippets": len(proof.snippets),
            "claims": len(claims),
            "proved": sum(claim.proved for claim in claims),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def to_json(self) -> dict[str, Any]:
        from policyproof import __version__

        return {
            "tool": "policyproof",
            "version": __version__,
            "summary": self.summary(),
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }

    def to_sarif(self) -> dict[str, Any]:
        """SARIF 2.1.0 (GitHub code scanning): one result per problem, paths relative to the site."""
        from policyproof import __version__
        from policyproof.check.rules.registry import RULES_BY_CODE, help_url

        levels = {
            Severity.ERROR: "error",
            Severity.SECURITY_WARNING: "warning",
            Severity.WARNING: "warning",
            Severity.SUGGESTION: "note",
        }
        codes = sorted({p.code for p in self.problems})
        rules = []
        for code in codes:
            rule = RULES_BY_CODE.get(code)
            text = rule.description_en if rule is not None else SITE_RULES.get(code, code)
            descriptor: dict[str, Any] = {"id": code, "name": code, "shortDescription": {"text": text}}
            if rule is not None:
                descriptor["helpUri"] = help_url(code)
            rules.append(descriptor)
        index = {code: i for i, code in enumerate(codes)}
        results = [
            {
                "ruleId": p.code,
                "ruleIndex": index[p.code],
                "level": levels[p.severity],
                "message": {"text": p.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": p.file},
                            "region": {"startLine": p.line, "startColumn": p.column},
                        }
                    }
                ],
            }
            for p in self.problems
        ]
        return {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "policyproof", "version": __version__, "rules": rules}},
                    "results": results,
                }
            ],
        }


def markdown_sources(docs_dir: Path) -> dict[str, str]:
    """Every Markdown page under ``docs_dir`` by its path as MkDocs names it (``src_uri``); hidden
    folders are skipped, as MkDocs skips them."""
    sources = {}
    for path in sorted(docs_dir.rglob("*.md")):
        relative = path.relative_to(docs_dir)
        if not any(part.startswith(".") for part in relative.parts):
            sources[relative.as_posix()] = path.read_text(encoding="utf-8-sig")
    return sources


def verify_site(
    root: str | Path,
    *,
    docs_dir: str | Path | None = None,
    snippet_bases: Sequence[str | Path] | None = None,
    prover: SiteProver | None = None,
    cache: bool = True,
) -> Verification:
    """Verify the site whose folder (the one holding ``mkdocs.yml``) is ``root``.

    ``docs_dir`` defaults to ``root/docs``, ``snippet_bases`` to ``[root/snippets]``. Pass the
    ``prover`` of an earlier call to reuse its proofs (``mkdocs serve``); otherwise proofs are
    kept in ``root/.cache/policyproof/`` (``cache=False``, or ``POLICYPROOF_CACHE=off``, to prove
    everything afresh). The page rules run at once; the proofs start in the background and are
    waited for by :attr:`Verification.proof` / :attr:`Verification.problems`.
    """
    root = Path(os.path.abspath(root))
    docs = Path(os.path.abspath(docs_dir)) if docs_dir is not None else root / "docs"
    bases = [Path(os.path.abspath(b)) for b in (snippet_bases or [root / "snippets"])]
    if prover is None or prover.bases != bases or prover.root != root:
        cache_dir = cache_dir_for(root) if cache else None
        prover = SiteProver(bases, root=root, cache_dir=cache_dir)
    # The proofs first: their workers run while the page rules are checked here.
    pending = prover.start(markdown_sources(docs))
    page_problems = _relative(root, _page_rule_problems(docs, bases))
    return Verification(root, docs, page_problems, pending, prover)


def _page_rule_problems(docs: Path, bases: list[Path]) -> list[Finding]:
    problems = page_rules.parity_problems(docs) + page_rules.inline_json_problems(docs)
    base = next((b for b in bases if b.is_dir()), bases[0])
    problems += page_rules.snippet_usage_problems(docs, base)
    return problems


def _relative(root: Path, problems: Iterable[Finding]) -> list[Finding]:
    return [
        Finding(_display_path(Path(p.file), root), p.line, p.column, p.code, p.severity, p.message)
        for p in problems
    ]


def format_summary(verification: Verification) -> str:
    """The closing line of ``policyproof verify``."""
    s = verification.summary()
    return (
        f"{s['pages']} pages, {s['snippets']} snippets, {s['proved']}/{s['claims']} claims proved: "
        f"{s['errors']} error(s), {s['warnings']} warning(s)"
    )


def print_json(verification: Verification) -> str:
    return json.dumps(verification.to_json(), indent=2, ensure_ascii=False)


__all__ = [
    "Verification",
    "verify_site",
    "markdown_sources",
    "format_summary",
    "SITE_RULES",
]
