"""What the site proves: every included snippet checked, every claim evaluated, once per build.

The verification pipeline (``site/pipeline.py``) hands over the Markdown of the pages and gets back
a :class:`SiteProof`: the checker's findings for every snippet the pages include and the engine's
decision for every claim of those pages.

Proofs are remembered by what they depend on (:mod:`policyproof.site.proof_cache`): in memory for
the process (the second language pass of mkdocs-static-i18n, ``mkdocs serve`` rebuilds) and on disk
across builds. What is not remembered is proved in forked worker processes (several when there is
a lot to prove), while MkDocs reads and renders the pages.
"""

from __future__ import annotations

import gc
import inspect
import math
import multiprocessing
import multiprocessing.connection
import os
import pickle
import shutil
import sys
import tempfile
import traceback
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policyproof.check.findings import Finding, InputError, Severity
from policyproof.check.kinds import SUFFIX_KINDS
from policyproof.site import pages
from policyproof.site.proof_cache import ProofCache, code_fingerprint, digest
from policyproof.site.proofs import (
    CLAIMS_FILE,
    ClaimProof,
    PageProof,
    ProofError,
    SiteProof,
    SnippetProof,
    _display_path,
    catalog_version,
)

# --- proving -------------------------------------------------------------------------------

#: Work above which proving is spread over the machine's cores (a claims file weighs 10, a snippet 1).
#: Below it one worker loads the checker and the engine and proves everything: several would each
#: load them, or this process would load them for them before forking, on the build's critical
#: path (measured on this site, 3 claims files and 20 snippets: +25 % at 40, +17 % at 80).
PARALLEL_WEIGHT = 80
_CLAIMS_WEIGHT = 10
#: How much lower the workers' scheduling priority is than the build's (``os.nice``). The process
#: building the pages is the build's critical path: a worker takes the CPU it leaves, never its share.
WORKER_NICENESS = 10

# From the checker's own table, so a new kind is named here the day it exists.
_KIND_NAMES = ", ".join(f"*{suffix}" for suffix in SUFFIX_KINDS)


@dataclass(frozen=True)
class GroupProof:
    """One claims file proved: its claims, and what it says about the snippets beside it."""

    claims: list[ClaimProof]
    # snippet file name -> the checker's context for it (``attached_to``, ``owner_account``): a key
    # or bucket policy is checked as the policy of the resource the claims file attaches it to.
    contexts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    error: Finding | None = None


CheckFunction = Callable[..., list[Finding]]
ClaimsFunction = Callable[[Path, str], GroupProof]
ExpectedFunction = Callable[[Path], frozenset[str]]


@dataclass
class _SnippetJob:
    path: str  # as included
    file: Path
    kind: str
    text: str
    expected: frozenset[str]
    group: str  # the folder whose claims file gives the snippet its context
    missed: bool = False  # already looked up in the caches (and not found)


@dataclass
class _Unit:
    """Work for one process: a claims file (then the snippets that wait for its context), or snippets."""

    group: str | None = None
    group_key: str = ""
    snippets: list[_SnippetJob] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return (_CLAIMS_WEIGHT if self.group else 0) + len(self.snippets)


class SiteProver:
    """Proves pages, remembering results by what they depend on, across builds and language passes.

    The functions that do the work are injectable so tests can count calls or fake failures;
    the defaults are the library's checker and claims modules. ``root`` is the site's folder:
    messages name files relative to it. ``cache_dir`` keeps proofs on disk between processes.
    """

    def __init__(
        self,
        snippet_bases: Iterable[str | Path],
        *,
        check: CheckFunction | None = None,
        prove_claims_file: ClaimsFunction | None = None,
        expected_codes: ExpectedFunction | None = None,
        catalog_version: str | None = None,
        root: str | Path | None = None,
        cache_dir: str | Path | None = None,
        workers: int | None = None,
    ) -> None:
        # Resolved the way pymdownx.snippets resolves base_path (against the working directory),
        # so the prover checks exactly the files the pages include.
        self.bases = [Path(os.path.abspath(base)) for base in snippet_bases]
        self.root = Path(os.path.abspath(root)) if root is not None else None
        # None: the library's functions, looked up when called (tests replace them in the module).
        self._check_function = check
        self._claims_function = prove_claims_file
        self._expected_function = expected_codes
        self._catalog_version = catalog_version
        self._schema_files: dict[str, str] | None = None
        self._memory: dict[str, Any] = {}  # key -> SnippetProof | GroupProof
        self.disk = ProofCache(Path(cache_dir)) if cache_dir is not None else None
        self.workers = workers or os.cpu_count() or 1
        self.runs = {"snippets": 0, "claims_files": 0}  # work actually done (not found in a cache)
        self.last: SiteProof | None = None  # the latest proof
        self._pending: PendingProof | None = None

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

    def display(self, path: Path) -> str:
        return _display_path(path, self.root)

    def resolve(self, include_path: str) -> Path | None:
        for base in self.bases:
            candidate = base / include_path
            if candidate.is_file():
                return candidate
        return None

    def start(self, markdown_by_page: Mapping[str, str]) -> PendingProof:
        """Start proving; the result is collected with :meth:`PendingProof.result`."""
        if self._pending is not None:
            self._pending.abandon()  # an earlier build stopped before its end: end its workers
        self._pending = PendingProof(self, markdown_by_page)
        return self._pending

    def prove(self, markdown_by_page: Mapping[str, str]) -> SiteProof:
        """Prove every snippet included and every claim of the given pages (``src_uri -> text``)."""
        return PendingProof(self, markdown_by_page, in_place=True).result()

    # keys

    def _versions(self) -> tuple[str, ...]:
        return (self.catalog_version, code_fingerprint())

    def _group_key(self, group: str, directory: Path) -> str:
        # The claims file refers to the policies beside it: all of them are part of the key.
        parts = ["claims", group, self.display(directory), *self._versions()]
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                parts += [file.relative_to(directory).as_posix(), file.read_bytes().hex()]
        return digest(*parts)

    def _snippet_key(self, job: _SnippetJob, context: Mapping[str, str | None]) -> str:
        return digest(
            "snippet",
            job.path,
            self.display(job.file),
            job.text,
            job.kind,
            repr(sorted(context.items())),
            repr(sorted(job.expected)),
            *self._versions(),
        )

    def _recall(self, key: str) -> Any | None:
        value = self._memory.get(key)
        if value is None and self.disk is not None:
            value = self.disk.get(key)
            if value is not None:
                self._memory[key] = value
        return value

    def _remember(self, key: str, value: Any, *, to_disk: bool = True) -> None:
        self._memory[key] = value
        if to_disk and self.disk is not None:
            self.disk.put(key, value)

    # the work

    def group_dir(self, group: str) -> Path:
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

    def _prove_group(self, group: str) -> GroupProof:
        claims_file = self.group_dir(group) / CLAIMS_FILE
        self.runs["claims_files"] += 1
        try:
            if self._claims_function is not None:
                return self._claims_function(claims_file, group)
            function = _library_prove_claims_file
            if "root" in inspect.signature(function).parameters:
                return function(claims_file, group, root=self.root)
            return function(claims_file, group)
        except ProofError as error:
            where = self.display(claims_file)
            return GroupProof([], error=Finding(where, 1, 1, "claims-file", Severity.ERROR, str(error)))
        except InputError as error:  # already names the file, line and column
            return GroupProof([], error=self._input_finding(error, "claims-file"))

    def _check_snippet(self, job: _SnippetJob, context: Mapping[str, str | None]) -> SnippetProof:
        self.runs["snippets"] += 1
        common = {"file": self.display(job.file), "declaration": self._declaration(job.file)}
        try:
            check = self._check_function or _library_check
            findings = check(job.text, file=self.display(job.file), kind=job.kind, **context)
            return SnippetProof(job.path, job.kind, tuple(sorted(findings)), job.expected, **common)
        except InputError as error:
            finding = self._input_finding(error, "snippet-input")
            return SnippetProof(
                job.path,
                job.kind,
                expected_codes=job.expected,
                error=finding.message,
                error_line=finding.line,
                error_column=finding.column,
                **common,
            )

    def _expected_codes(self, snippet: Path, read: dict[Path, Any]) -> frozenset[str]:
        """The codes ``snippet`` declares; each folder's declaration is read once per proof."""
        if self._expected_function is not None:
            return self._expected_function(snippet)
        from policyproof.site.publishable import declared_findings

        folder = snippet.parent
        if folder not in read:
            try:
                read[folder] = declared_findings(folder)
            except InputError as error:
                read[folder] = error
        declared = read[folder]
        if isinstance(declared, InputError):
            raise declared
        return declared.get(snippet.name, frozenset())

    def _declaration(self, snippet: Path) -> str:
        from policyproof.site.publishable import EXPECTED_FINDINGS_FILE

        return self.display(snippet.parent / EXPECTED_FINDINGS_FILE)

    def _input_finding(self, error: InputError, code: str) -> Finding:
        file = self.display(Path(error.file)) if error.file else ""
        return Finding(file, error.line, error.column, code, Severity.ERROR, error.message)

    def _run(
        self,
        units: list[_Unit],
        contexts: Mapping[str, Mapping[str, str | None]],
        report: Callable[[list[tuple]], None] | None = None,
    ) -> list[tuple]:
        """Prove the units here; returns ``(what, name, key, proof)`` rows (and remembers them), where
        ``what`` is "group" (name: the claims group) or "snippet" (name: the include path).
        ``report``, if given, receives each unit's rows as soon as that unit is proved."""
        done: list[tuple] = []
        for unit in units:
            first = len(done)
            unit_contexts = dict(contexts)
            if unit.group is not None:
                proof = self._prove_group(unit.group)
                self._remember(unit.group_key, proof, to_disk=proof.error is None)
                done.append(("group", unit.group, unit.group_key, proof))
                for name, context in proof.contexts.items():
                    unit_contexts[f"{unit.group}/{name}"] = context
            for job in unit.snippets:
                context = unit_contexts.get(job.path, {})
                key = self._snippet_key(job, context)
                snippet = None if job.missed else self._recall(key)
                if snippet is None:
                    snippet = self._check_snippet(job, context)
                    self._remember(key, snippet)
                done.append(("snippet", job.path, key, snippet))
            if report is not None:
                report(done[first:])
        return done


class PendingProof:
    """A proof being computed: planned here, the work not found in a cache done in worker
    processes (or in place), then assembled into a :class:`SiteProof` by :meth:`result`."""

    def __init__(
        self, prover: SiteProver, markdown_by_page: Mapping[str, str], *, in_place: bool = False
    ) -> None:
        self._prover = prover
        self._proof: SiteProof | None = None
        self._workers: list[tuple[Any, Any]] = []  # (process, connection) of workers still running
        self._failures: list[str] = []  # why a worker could not prove its share
        # Where the workers put each unit's proof; the pipe carries only its file name (see
        # ``_prove_in_worker``). Made when workers start, removed when the last one has ended.
        self._outbox: Path | None = None
        self._runs_before = dict(prover.runs)
        self._plan(markdown_by_page)
        units = self._units
        weight = sum(unit.weight for unit in units)
        # A worker process overlaps the proving with MkDocs rendering the pages. Worth it when there
        # is a lot to prove, or when this process has not loaded the checker and the engine yet (the
        # AWS catalog, the schemas: seconds of work a cached build would otherwise wait for).
        if units and not in_place and (weight >= PARALLEL_WEIGHT or not _stack_loaded()) and _can_fork():
            count = max(1, min(prover.workers, math.ceil(weight / PARALLEL_WEIGHT), len(units)))
            chunks: list[list[_Unit]] = [[] for _ in range(count)]
            loads = [0] * count
            for unit in sorted(units, key=lambda u: -u.weight):  # heaviest first, to the lightest worker
                index = loads.index(min(loads))
                chunks[index].append(unit)
                loads[index] += unit.weight
            if count > 1:
                claims = prover._claims_function is None and any(unit.group for unit in units)
                _preload_for_workers(checker=prover._check_function is None, claims=claims)
            context = multiprocessing.get_context("fork")
            self._outbox = Path(tempfile.mkdtemp(prefix="policyproof-proofs-"))
            # Removed at the latest when this process ends (a build stopped by an error, Ctrl-C).
            self._outbox_finalizer = weakref.finalize(self, shutil.rmtree, self._outbox, True)
            # What this process holds is the workers' to read, not to collect: frozen, the garbage
            # collector of a worker never walks it (nor copies its memory pages by doing so).
            gc.freeze()
            try:
                for chunk in chunks:
                    receiver, sender = context.Pipe(duplex=False)
                    process = context.Process(
                        target=_prove_in_worker,
                        args=(prover, chunk, self._contexts, sender, self._outbox),
                        daemon=True,
                    )
                    process.start()
                    sender.close()
                    self._workers.append((process, receiver))
            finally:
                gc.unfreeze()  # here (a long `mkdocs serve`), collected as before
        else:
            self._collect(prover._run(units, self._contexts))

    def _plan(self, markdown_by_page: Mapping[str, str]) -> None:
        prover = self._prover
        from policyproof.check.kinds import kind_from_filename

        self._pages: dict[str, PageProof] = {}
        for src_uri, text in sorted(markdown_by_page.items()):
            found = tuple(pages.includes(text))
            groups = prover._claim_groups(src_uri, found)
            self._pages[src_uri] = PageProof(src_uri, pages.page_language(Path(src_uri)), found, groups)

        self._groups: dict[str, GroupProof | str] = {}  # group -> proof, or its key while pending
        self._contexts: dict[str, Mapping[str, str | None]] = {}
        waiting: dict[str, _Unit] = {}
        for group in sorted({g for page in self._pages.values() for g in page.claim_groups}):
            key = prover._group_key(group, prover.group_dir(group))
            proof = prover._recall(key)
            if proof is None:
                waiting[group] = _Unit(group=group, group_key=key)
                self._groups[group] = key
            else:
                self._groups[group] = proof
                for name, context in proof.contexts.items():
                    self._contexts[f"{group}/{name}"] = context

        self._snippets: dict[str, SnippetProof | str] = {}  # path -> proof, or its key while pending
        declarations: dict[Path, Any] = {}  # folder -> its expected-findings.yaml, read once
        loose = _Unit()
        for page in self._pages.values():
            for include in page.includes:
                path = include.path
                if path in self._snippets:
                    continue
                file = prover.resolve(path)
                kind = kind_from_filename(path)
                if file is None:
                    where = ", ".join(prover.display(base) for base in prover.bases)
                    self._snippets[path] = SnippetProof(
                        path, kind, error=f"{path} (looked in {where})", error_code="missing-snippet"
                    )
                    continue
                common = {"file": prover.display(file), "declaration": prover._declaration(file)}
                if kind is None:
                    self._snippets[path] = SnippetProof(
                        path,
                        None,
                        error=f"the file name declares no policy kind; name it {_KIND_NAMES}",
                        error_code="snippet-kind",
                        **common,
                    )
                    continue
                try:
                    text = file.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as error:
                    self._snippets[path] = SnippetProof(
                        path, kind, error=f"cannot be read: {error}", **common
                    )
                    continue
                try:
                    expected = prover._expected_codes(file, declarations)
                except InputError as error:
                    finding = prover._input_finding(error, "expected-findings")
                    # One error for the declaration file, however many snippets it declares.
                    self._snippets[path] = SnippetProof(
                        path,
                        kind,
                        error=finding.message,
                        error_code="expected-findings",
                        error_line=finding.line,
                        error_column=finding.column,
                        file=finding.file,
                    )
                    continue
                group = path.rsplit("/", 1)[0] if "/" in path else ""
                job = _SnippetJob(path, file, kind, text, expected, group)
                if group in waiting:  # its context comes from a claims file not proved yet
                    waiting[group].snippets.append(job)
                    self._snippets[path] = "waiting"
                    continue
                key = prover._snippet_key(job, self._contexts.get(path, {}))
                proof = prover._recall(key)
                if proof is None:
                    job.missed = True
                    loose.snippets.append(job)
                    self._snippets[path] = key
                else:
                    self._snippets[path] = proof
        self._units = list(waiting.values())
        if loose.snippets:
            # Spread loose snippets so that several workers can share them.
            size = max(1, PARALLEL_WEIGHT // 2)
            self._units += [
                _Unit(snippets=loose.snippets[i : i + size]) for i in range(0, len(loose.snippets), size)
            ]

    def _collect(self, done: list[tuple]) -> None:
        prover = self._prover
        for what, name, key, value in done:
            prover._memory.setdefault(key, value)  # a worker's result: it wrote the disk cache itself
            if what == "group":
                self._groups[name] = value
                for snippet_name, context in value.contexts.items():
                    self._contexts[f"{name}/{snippet_name}"] = context
            else:
                self._snippets[name] = value

    def result(self) -> SiteProof:
        """The proof (waits for the workers); their results join the prover's memory."""
        if self._proof is not None:
            return self._proof
        prover = self._prover
        while self._workers:
            self._receive()
        if self._failures:
            raise ProofError("proving the site failed:\n" + "\n".join(self._failures))
        claims: dict[str, list[ClaimProof]] = {}
        claims_errors: dict[str, Finding] = {}
        for group, state in sorted(self._groups.items()):
            assert isinstance(state, GroupProof), f"claims of {group} were not proved"
            claims[group] = state.claims
            if state.error is not None:
                claims_errors[group] = state.error
        snippets = {}
        for path, state in self._snippets.items():
            assert isinstance(state, SnippetProof), f"snippet {path} was not proved"
            snippets[path] = state
        proof = SiteProof(
            prover.catalog_version, self._pages, snippets, claims, claims_errors, dict(prover.schema_files)
        )
        if prover.runs == self._runs_before and proof == prover.last:
            # The second language pass (or a rebuild that changed nothing): the same proof object,
            # so what was rendered or written for it (verification.json) is not done again.
            self._proof = prover.last
        else:
            prover.last = self._proof = proof
        return self._proof

    def wait_for(self, groups: Iterable[str], snippets: Iterable[str]) -> bool:
        """Wait until these claims groups and snippets are proved (not the rest of the site).

        False when a worker failed (the whole :meth:`result` then raises, naming why)."""
        groups, snippets = tuple(groups), tuple(snippets)

        def ready() -> bool:
            return all(not isinstance(self._groups.get(g), str) for g in groups) and all(
                not isinstance(self._snippets.get(s), str) for s in snippets
            )

        while not ready():
            if not self._workers or self._failures:
                return not self._failures and ready()
            self._receive()
        return True

    def page_proof(self, src_uri: str) -> SiteProof | None:
        """What one page shows (its claims files and snippets), as soon as that much is proved,
        while the rest of the site may still be proving; None when a worker failed."""
        page = self._pages.get(src_uri)
        if page is None:
            return None
        paths = list(dict.fromkeys(include.path for include in page.includes))
        if not self.wait_for(page.claim_groups, paths):
            return None
        groups = {group: self._groups[group] for group in page.claim_groups}
        prover = self._prover
        return SiteProof(
            prover.catalog_version,
            {src_uri: page},
            {path: self._snippets[path] for path in paths},  # type: ignore[misc] - proved (waited for)
            {group: proof.claims for group, proof in groups.items()},  # type: ignore[union-attr]
            {group: proof.error for group, proof in groups.items() if proof.error is not None},  # type: ignore[union-attr]
            dict(prover.schema_files),
        )

    def poll(self) -> None:
        """Take every message the workers have sent so far, without waiting for more."""
        while self._workers and self._receive(timeout=0):
            pass

    @property
    def finished(self) -> bool:
        """Every worker has sent everything (the whole proof is a moment away)."""
        self.poll()
        return not self._workers

    def _receive(self, timeout: float | None = None) -> bool:
        """Take the next message of any worker: a unit proved, or its end. With a ``timeout``,
        False when none came in that time."""
        connections = [connection for _, connection in self._workers]
        ready = multiprocessing.connection.wait(connections, timeout)
        if not ready:
            return False
        for connection in ready:
            process = next(p for p, c in self._workers if c is connection)
            try:
                status, payload = connection.recv()
            except EOFError:
                status, payload = "error", f"the proof worker ended without an answer ({process})"
            if status == "unit":
                rows = self._unit_rows(payload, process)
                if rows is not None:
                    self._collect(rows)
                continue
            connection.close()
            process.join()
            self._workers = [(p, c) for p, c in self._workers if c is not connection]
            if status == "ok":
                for name, count in payload.items():
                    self._prover.runs[name] += count
            else:
                self._failures.append(str(payload))
        if not self._workers:
            self._empty_outbox()
        return True

    def _unit_rows(self, name: str, process: Any) -> list[tuple] | None:
        """The rows a worker put in the outbox under ``name`` (the file is removed once read)."""
        assert self._outbox is not None
        file = self._outbox / name
        try:
            with file.open("rb") as stream:
                rows = pickle.load(stream)
            file.unlink()
        except (OSError, pickle.UnpicklingError, EOFError) as error:
            self._failures.append(
                f"the proofs of a proof worker ({process}) could not be read from {file}: {error}"
            )
            return None
        return rows

    def _empty_outbox(self) -> None:
        if self._outbox is not None:
            shutil.rmtree(self._outbox, ignore_errors=True)
            self._outbox = None

    def abandon(self) -> None:
        """Stop waiting for this proof (the build it was for has stopped)."""
        for process, connection in self._workers:
            connection.close()
            if process.is_alive():
                process.terminate()
            process.join()
        self._workers = []
        self._empty_outbox()


def _stack_loaded() -> bool:
    """The checker, its catalog and the engine are loaded in this process already."""
    return all(name in sys.modules for name in _STACK)


_STACK = ("policyproof.check.checker", "policyproof.claims.prove", "policyproof.site.claim_proofs")


def _preload_for_workers(*, checker: bool, claims: bool) -> None:
    """Load what the workers need (the checker and its rules; for claims files the claims and
    symbolic modules and the AWS action list of the universal claims) here, once, before forking
    several workers: each inherits it instead of loading its own copy (a few tenths of a second
    of each worker's time)."""
    if checker:
        from policyproof.check import checker as _checker  # noqa: F401 - imported for the workers
        from policyproof.site import publishable  # noqa: F401 - the expected-findings files
    if claims:
        from policyproof.site import claim_proofs  # noqa: F401 - imported for the workers
        from policyproof.symbolic.claims import preload

        preload()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _prove_in_worker(
    prover: SiteProver,
    units: list[_Unit],
    contexts: Mapping[str, Mapping[str, str | None]],
    connection: Any,
    outbox: Path,
) -> None:
    try:
        _lower_priority()
        before = dict(prover.runs)
        sent = 0

        def report(rows: list[tuple]) -> None:
            # Each unit's proof is sent as soon as it is done: a page waits only for its own
            # proofs. It goes through a file, the pipe carrying only the file's name: a proof is
            # far larger than a pipe's buffer, and the build reads the pipe only when a page waits
            # (never while MkDocs converts the pages), so a proof sent through the pipe would stop
            # the worker until then.
            nonlocal sent
            sent += 1
            name = f"{os.getpid()}-{sent}.pickle"
            partial = outbox / f".{name}"
            with partial.open("wb") as stream:
                pickle.dump(rows, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, outbox / name)
            connection.send(("unit", name))

        prover._run(units, contexts, report=report)
        runs = {name: prover.runs[name] - before.get(name, 0) for name in prover.runs}
        connection.send(("ok", runs))
    except BaseException:  # noqa: BLE001 - anything that goes wrong must reach the build as a failure
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def _lower_priority() -> None:
    """Let the process building the pages go first (see :data:`WORKER_NICENESS`)."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() on this platform, or not allowed: same priority
        pass


# --- the library functions the prover calls by default --------------------------------------


def _library_check(text: str, **kwargs: Any) -> list[Finding]:
    from policyproof.check.checker import check_text

    return check_text(text, **kwargs)


def _library_expected_codes(snippet: Path) -> frozenset[str]:
    """The finding codes a deliberate counter-example declares (``expected-findings.yaml``)."""
    from policyproof.site.publishable import declared_findings

    return declared_findings(snippet.parent).get(snippet.name, frozenset())


def _library_prove_claims_file(claims_file: Path, group: str, root: Path | None = None) -> GroupProof:
    from policyproof.site.claim_proofs import prove_claims_file

    return prove_claims_file(claims_file, group, root=root)
