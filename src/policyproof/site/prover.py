"""What the site proves: every included snippet checked, every claim evaluated, once per build.

The MkDocs hook (``site/hooks/proof.py``) is a thin caller of this module: it hands over the
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

from policyproof.site import pages
from policyproof.check.findings import Finding, InputError, Severity

from policyproof.site.proofs import CLAIMS_FILE, ClaimProof, PageProof, ProofError, SiteProof, SnippetProof, catalog_version
from policyproof.site.proofs import _display_path

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
            from policyproof.check.kinds import KINDS
            from policyproof.check.schemas import schema_path

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
        from policyproof.check.kinds import kind_from_filename

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


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


# --- the library functions the prover calls by default --------------------------------------


def _library_check(text: str, **kwargs: Any) -> list[Finding]:
    from policyproof.check.checker import check_text

    return check_text(text, **kwargs)


def _library_expected_codes(snippet: Path) -> frozenset[str]:
    """The finding codes a deliberate counter-example declares (``expected-findings.yaml``)."""
    from policyproof.site.publishable import declared_findings

    return declared_findings(snippet.parent).get(snippet.name, frozenset())


def _library_prove_claims_file(claims_file: Path, group: str) -> GroupProof:
    from policyproof.site.claim_proofs import prove_claims_file

    return prove_claims_file(claims_file, group)
