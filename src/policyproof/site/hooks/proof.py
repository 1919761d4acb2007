"""MkDocs hook: the site's verification, and proof on the page.

During ``mkdocs build``/``serve`` this hook calls the site's one verification,
:func:`policyproof.site.pipeline.verify_site` (the function ``policyproof verify`` and pytest call):
page rules, every snippet the pages include, every claim of their ``claims.yaml``. Any problem
fails the build with the pipeline's own lines (file:line:column, the page that shows it), at a
step that is not a page's (so no page is wrongly blamed): a page rule's before any page is read, a
proof's once everything is proved (at the next language's start, or at the end of the build) or,
if everything is proved by then, before any page is built. Under ``mkdocs serve`` a failure does
not stop the server: it serves the last good site with the failure as a banner on every page, in
the page's language, until the next good build. Then it shows the proof on the pages:

* under each included snippet, a verification line in the page's language;
* ``<!-- claims -->`` (all claims of the page) or ``<!-- claims: s3-*, ebs-copy -->`` (claim ids,
  ``*`` wildcards) becomes a table of claims whose rows expand to the engine's trace;
* ``<!-- flow: CLAIM-ID -->`` becomes an inline SVG sequence diagram of that flow claim;
* ``<!-- verification-report: summary|snippets|claims -->`` (on ``docs/verification*.md``) becomes
  the report;
* ``verification.json`` and the policy JSON Schemas are written into the site.

``POLICYPROOF_PROOFS=off`` turns the proofs off (for the benchmark); that logs a warning, so a
``--strict`` build — every published build — fails instead of publishing unproved pages.

How: ``on_config`` starts the verification (the page rules at once, the proofs in worker
processes, see ``SiteProver.start``); ``on_files`` fails on a page rule's error before any page is
read (a missing include would otherwise end in pymdownx's traceback); ``on_page_markdown`` puts a
placeholder paragraph where each line, table or diagram goes; ``on_page_context`` — before the
search plugin indexes the page — swaps each placeholder for its HTML once everything is proved.
While the workers still prove (a cold build), ``mkdocs build`` writes the page at once with its
placeholders and finishes it at the end of the last language, on every core
(``proof_deferred.py``); ``mkdocs serve`` waits for the proofs of what the page shows only (the
workers send each claims file's proof when it is done). A page that shows something not proved is
left without proofs, and the build stops at its next step that is not a page's with the whole
verdict (``on_env`` checks it before any page when everything is proved already).
Generated markup so never goes through the Markdown parser (which would rewrite it), and works
inside admonitions and tabs. The parts kept out of the search index
(diagrams, traces, verification lines: most of the generated HTML) go in only in
``on_post_page``, so the search plugin does not parse them just to skip them; the searchable blocks
(claims tables, report sections) are indexed from a text stand-in that gives the same index entry
(``proof_page.search_standin``) and go in then too. Each page's proof HTML is kept beside the proof
cache, keyed by the records it shows: an unchanged page is not rendered again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from policyproof.site import pages
from policyproof.site.hooks import proof_deferred, serve_failures
from policyproof.site.hooks.site_languages import site_root
from policyproof.site.hooks.proof_page import (  # noqa: F401 - MARKER and schema_file are this hook's API
    _SLOT_HTML,
    JSON_NAME,
    MARKER,
    SCHEMA_DIR,
    PageRenderer,
    schema_file,
)
from policyproof.site.pipeline import Verification, verify_site
from policyproof.site.proof_cache import ProofCache
from policyproof.site.proofs import ProofError, SiteProof
from policyproof.site.prover import SiteProver

log = logging.getLogger("mkdocs.hooks.proof")

CSS_PATH = "assets/policyproof-proof.css"
REPORT_MARKER = "<!-- verification-report"
ENV_SWITCH = "POLICYPROOF_PROOFS"


class _State:
    """The verification of the current build and the placeholders waiting for it on each page."""

    def __init__(self) -> None:
        self.prover: SiteProver | None = None
        self.enabled = True
        self.serving = False  # ``mkdocs serve``: failures become a banner, the server never stalls
        self.verification: Verification | None = None
        self.proof: SiteProof | None = None
        self.written: SiteProof | None = None  # the proof whose files are in site_dir already
        self.pages: dict[str, PageRenderer] = {}  # page src_uri -> its placeholders
        self.late: dict[str, PageRenderer] = {}  # page src_uri -> the blocks held back from search
        self.failure: list[str] | None = None  # under serve: why this build cannot be shown
        self.last_good: Path | None = None  # under serve: a copy of the last site that verified
        self.json_writer: Any = None  # the process writing verification.json, if any
        self.render_cache: ProofCache | None = None  # the pages' proof HTML across builds
        # A page found something it shows not proved: the build stops at its next global step.
        self.doomed = False
        # Pages written before their proofs were known, finished at the end of the last language.
        self.deferred: list[proof_deferred.Deferred] = []
        self.writing: dict[str, proof_deferred.Deferred] = {}  # page src_uri -> its deferral, until written


# Module level on purpose: mkdocs-static-i18n builds each language as another build in the same
# process, and ``mkdocs serve`` rebuilds in it too; the prover's cache lives as long as the process.
_state = _State()


def on_startup(command: str, dirty: bool) -> None:
    _state.serving = command == "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    switch = os.environ.get(ENV_SWITCH, "on").strip().lower()
    if switch not in ("on", "off"):
        raise PluginError(f"{ENV_SWITCH}={switch!r}: use 'on' (the default) or 'off'")
    verified = None
    if (
        _nested_build(config)
        and _state.enabled
        and _state.verification is not None
        and _state.failure is None
    ):
        if _state.serving or _state.verification.finished:
            # The first language's pages are built: the whole verdict, before the next language
            # starts (this is where a failing proof stops the build, naming every problem).
            _proof()
        # The same build, the same sources: the next language shows the same verdict (the page
        # rules and the proof cover every language already). Still proving: its pages wait for
        # (or are finished after) their own proofs, as the first language's did.
        if _state.failure is None:
            verified = _state.verification
    _state.enabled = switch == "on"
    _state.verification = _state.proof = None
    _state.doomed = False
    _state.pages = {}
    _state.late = {}
    if not _nested_build(config):
        _state.failure = None  # a new build (not the next language of the same build)
        _state.deferred, _state.writing = [], {}
    if not _state.enabled:
        log.warning(f"{ENV_SWITCH}=off: policies and claims are NOT proved; do not publish this build")
        return config
    root = site_root(config)
    if verified is not None and verified.docs_dir == Path(os.path.abspath(config.docs_dir)):
        _state.verification = verified
        _state.proof = _proof() if verified.finished else None
    else:
        # Start now, from the sources, so the proofs run while MkDocs reads and renders the pages.
        _state.verification = verify_site(
            root, docs_dir=config.docs_dir, snippet_bases=_snippet_bases(config), prover=_state.prover
        )
    _state.prover = _state.verification.prover
    if CSS_PATH not in config.extra_css:
        config.extra_css.append(CSS_PATH)
    return config


# After mkdocs-static-i18n (priority -100) has chosen the language's files; before any page is read.
@event_priority(-150)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    verification = _state.verification
    if verification is not None and verification.page_errors:
        _failed(verification)
    if verification is not None:
        # MkDocs builds pages in this order. The report shows the whole site's proof: built last,
        # it does not hold up the other pages, each of which waits only for its own proofs.
        for file in [f for f in files.documentation_pages() if REPORT_MARKER in f.content_string]:
            files.remove(file)
            files.append(file)
    return files


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    """``mkdocs serve`` watches docs/ only: rebuild (and re-prove) when a snippet or claims file changes."""
    if _state.enabled:
        for base in _snippet_bases(config):
            if Path(base).is_dir():
                server.watch(os.path.abspath(base))
    return server


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not _state.enabled:
        return markdown
    if _state.failure is not None:
        # Serving a failed build: keep pymdownx from stopping on an include that is missing.
        return _drop_missing_includes(markdown)
    try:
        renderer = PageRenderer(page, files)
    except PluginError as error:
        if not _state.serving:
            raise
        _state.failure = [str(error).removeprefix("policyproof: ")]
        return _drop_missing_includes(markdown)
    markdown = renderer.add_verification_lines(markdown)
    markdown = renderer.replace_markers(markdown)
    _state.pages[page.file.src_uri] = renderer
    return markdown


@event_priority(50)
def on_env(env: Any, config: MkDocsConfig, files: Files) -> Any:
    """Every page is converted. If everything is proved already (a later language, a cached
    build), check the whole verdict now, before any page is built; otherwise the pages go on,
    written at once and finished later (``mkdocs build``) or each waiting only for its own proofs
    (``mkdocs serve``; see :func:`_page_proof`)."""
    if _state.enabled and _state.failure is None and _state.verification is not None:
        if not _state.verification.finished:
            return env
        _proof()
        _write_json_when_proved(config)
    return env


def _start_json_writer(proof: SiteProof, path: Path) -> Any:
    """Write ``verification.json`` in a forked process while MkDocs builds the pages (with many
    notes the file is large; serialising it is work the pages do not wait for)."""
    if _state.serving or "fork" not in multiprocessing.get_all_start_methods():
        return None  # the server has threads: write it in place at the end
    process = multiprocessing.get_context("fork").Process(target=_write_json, args=(proof, path), daemon=True)
    process.start()
    return process


def _write_json(proof: SiteProof, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(proof.json_file_text())
    os.chmod(temporary, 0o644)  # as a file the build writes itself (mkstemp makes it private)
    os.replace(temporary, path)


# Before the search plugin (priority 0) indexes the page, so the index holds the generated text.
@event_priority(50)
def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    renderer = _state.pages.pop(page.file.src_uri, None) if _state.enabled else None
    if renderer is None or not renderer.slots:
        return context
    _write_json_when_proved(config)
    if _deferrable(config) and _still_proving():
        _defer(renderer, page, config)
        return context
    proof = _page_proof(renderer) if _state.failure is None else None
    if proof is not None:
        try:
            page.content = renderer.fill(page.content or "", proof, cache=_render_cache())
        except PluginError as error:
            if not _state.serving:
                raise
            _state.failure = [str(error).removeprefix("policyproof: ")]
    if proof is None or _state.failure is not None:
        page.content = _SLOT_HTML.sub("", page.content or "")
        return context
    if renderer.late:
        _state.late[page.file.src_uri] = renderer
    return context


def _deferrable(config: MkDocsConfig) -> bool:
    """Whether a page may be written now and finished once the site is proved (see
    ``proof_deferred.py``). Not under ``mkdocs serve``: a failure there is a banner on the last
    good site, and proofs are cached after its first build."""
    return (
        not _state.serving
        and _state.failure is None
        and _state.proof is None
        and not _state.doomed
        and _state.verification is not None
        and proof_deferred.can_defer(config)
    )


def _still_proving() -> bool:
    """Whether to write a page now and finish it once the site is proved: while anything is still
    being proved. Even a page whose own proofs are in: its proof HTML is rendered then, on every
    core, instead of on the one building the pages while the workers hold the others."""
    verification = _state.verification
    return verification is not None and not verification.finished


def _defer(renderer: PageRenderer, page: Page, config: MkDocsConfig) -> None:
    deferred = proof_deferred.defer(renderer, page, config)
    _state.deferred.append(deferred)
    _state.writing[page.file.src_uri] = deferred


def _finish_deferred(config: MkDocsConfig) -> None:
    """Finish the pages written before the site was proved, in the last language's build."""
    if not _state.deferred or not proof_deferred.is_last_language(config):
        return
    deferred, _state.deferred = _state.deferred, []
    verification = _state.verification
    assert verification is not None

    def proved() -> None:
        _proof()  # raises PluginError, naming every problem, when something is not proved
        _write_json_when_proved(config)

    proofs = proof_deferred.Proofs(_page_proof, lambda: verification.finished, proved, _render_cache())
    elsewhere = proof_deferred.finish(deferred, config, proofs)
    log.info(
        f"policyproof: {len(deferred)} pages were written before their proofs were in and finished "
        f"once they were, {elsewhere} of them by other processes"
    )


def _write_json_when_proved(config: MkDocsConfig) -> None:
    """Start writing ``verification.json`` as soon as everything is proved (not only at a
    language's start): with pages finished after their proofs, that is often mid-language."""
    verification = _state.verification
    if _state.serving or _state.json_writer is not None or verification is None or _state.failure is not None:
        return
    if not verification.finished:
        return
    try:
        if verification.errors:
            return  # the build stops at its next global step, with the whole verdict
    except ProofError:
        return
    proof = verification.proof
    if _state.written is not proof:
        _state.json_writer = _start_json_writer(proof, Path(config.site_dir) / JSON_NAME)


def _page_proof(renderer: PageRenderer) -> SiteProof | None:
    """The proof a page shows, as soon as its own claims files and snippets are proved (the
    rest of the site may still be proving in the workers). None when something it shows is
    not proved: the page is left without proofs and the build stops at its next step that is
    not a page's (the next language, the pages' finishing, or the end), with every problem of
    the whole verdict, so no page is blamed for a proof (see :func:`_proof`)."""
    verification = _state.verification
    if verification is None or _state.doomed:
        return None
    if _state.proof is not None:
        return _state.proof
    try:
        if renderer.shows_everything:
            proof = verification.proof if not verification.errors else None
        else:
            proof = verification.page_proof(renderer.page.file.src_uri)
            proof = None if proof is None or proof.problems() else proof
    except ProofError:
        proof = None
    if proof is None:
        _state.doomed = True
    return proof


def _render_cache() -> ProofCache | None:
    """The pages' proof HTML, kept beside the proof cache (none when that is off)."""
    prover = _state.prover
    if prover is None or prover.disk is None:
        return None
    if _state.render_cache is None or _state.render_cache.directory.parent != prover.disk.directory.parent:
        _state.render_cache = ProofCache(prover.disk.directory.parent, kind="render")
    return _state.render_cache


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Put back the generated blocks the search plugin had no need to parse (diagrams, traces)."""
    deferred = _state.writing.pop(page.file.src_uri, None)
    if deferred is not None:  # written with its placeholders
        proof_deferred.written(deferred)
    renderer = _state.late.pop(page.file.src_uri, None)
    if renderer is None:
        return output
    try:
        return renderer.fill_late(output)
    except PluginError as error:
        if not _state.serving:
            raise
        _state.failure = _state.failure or [str(error).removeprefix("policyproof: ")]
        return output


def on_build_error(error: Exception) -> None:
    """The build stopped: the workers and their files are not needed any more."""
    verification = _state.verification
    if verification is not None and verification.pending is not None and not _state.serving:
        verification.pending.abandon()


def on_shutdown() -> None:
    serve_failures.forget(_state)


# Before the search plugin (0) and mkdocs-static-i18n (-100) write the search index.
@event_priority(100)
def _finish_pages(config: MkDocsConfig) -> None:
    if _state.enabled and _state.failure is None:
        _finish_deferred(config)


# After mkdocs-static-i18n's own on_post_build (-100), which builds the other languages: in the
# first build, this runs once every language is written.
@event_priority(-200)
def _verdict_and_site_files(config: MkDocsConfig) -> None:
    if not _state.enabled:
        return
    if _state.failure is None:
        _proof()  # the whole verdict (a failing proof stops the build here, or under serve: banner)
    if _state.failure is None:
        _write_site_files(config)
    if _state.serving and not _nested_build(config):
        serve_failures.finish_build(config, _state)


on_post_build = CombinedEvent(_finish_pages, _verdict_and_site_files)


def _write_site_files(config: MkDocsConfig) -> None:
    proof = _proof()
    if _state.written is proof:  # the second language pass writes the same files again otherwise
        return
    site = Path(config.site_dir)
    writer, _state.json_writer = _state.json_writer, None
    if writer is not None:
        writer.join()
    if writer is None or writer.exitcode != 0 or not (site / JSON_NAME).is_file():
        _write_json(proof, site / JSON_NAME)
    (site / SCHEMA_DIR).mkdir(parents=True, exist_ok=True)
    for kind, path in proof.schema_files.items():
        shutil.copyfile(path, site / SCHEMA_DIR / schema_file(kind))
    css = site / CSS_PATH
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_bytes(resources.files("policyproof").joinpath("site/assets/proof.css").read_bytes())
    _state.written = proof
    prover = _state.prover
    if prover is not None:
        cached = prover.disk.hits if prover.disk is not None else 0
        log.info(
            f"policyproof: verified {len(proof.snippets)} snippets and {len(proof.claims)} claims files; "
            f"proved by this process: {prover.runs['snippets']} snippets, {prover.runs['claims_files']} "
            f"claims files; taken from the proof cache: {cached}"
        )
        if not _state.serving:  # a server's process lives across builds: its totals would mislead
            own, workers = (
                resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
            log.info(
                f"policyproof: CPU time of this build: {own.ru_utime + own.ru_stime:.2f} s in the process "
                f"building the pages, {workers.ru_utime + workers.ru_stime:.2f} s in its helper processes "
                "(proof workers, pages finished on other cores, verification.json)"
            )


def _proof() -> SiteProof:
    """The build's proof, waiting for it if needed; a failing proof stops the build here."""
    if _state.proof is None:
        verification = _state.verification
        if verification is None:
            raise PluginError("policyproof: internal error: no verification was started for this build")
        try:
            errors = verification.errors
        except ProofError as error:
            raise PluginError(f"policyproof: {error}") from None
        for warning in verification.warnings:
            log.info(f"policyproof: {warning.format()}")
        if errors:
            _failed(verification)
            if _state.failure is not None:  # serving: the pages go on, without proofs
                return verification.proof
        _state.proof = verification.proof
    return _state.proof


def _failed(verification: Verification) -> None:
    """Stop the build with the verification's lines; under serve, remember them for the banner."""
    if not _state.serving:
        raise PluginError(verification.failure_message())
    if _state.failure is None:
        _state.failure = verification.lines()
        message = verification.failure_message()
        # INFO, not ERROR: under a strict config an error would abort the build, and the server
        # would stall again; the failure shows in the browser's banner and here.
        log.info(message.replace("the site is not built", "NOT PROVED; serving the last good site"))


def _nested_build(config: MkDocsConfig) -> bool:
    """True in the build mkdocs-static-i18n runs for a further language inside the first build."""
    i18n = config.plugins.get("i18n")
    return bool(getattr(i18n, "building", False))


def _drop_missing_includes(markdown: str) -> str:
    lines = markdown.split("\n")
    bases = [Path(b) for b in (_state.prover.bases if _state.prover else [])]
    for include in pages.includes(markdown):
        if not any((base / include.path).is_file() for base in bases):
            lines[include.line - 1] = ""
    return "\n".join(lines)


# --- helpers ---------------------------------------------------------------------------------


def _snippet_bases(config: MkDocsConfig) -> list[str]:
    options = config.mdx_configs.get("pymdownx.snippets", {})
    bases = options.get("base_path", ["."])
    return [bases] if isinstance(bases, str) else list(bases)
