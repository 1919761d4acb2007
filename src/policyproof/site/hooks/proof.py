"""MkDocs hook: the site's verification, and proof on the page.

During ``mkdocs build``/``serve`` this hook calls the site's one verification,
:func:`policyproof.site.pipeline.verify_site` (the function ``policyproof verify`` and pytest call):
page rules, every snippet the pages include, every claim of their ``claims.yaml``. Any problem
fails the build with the pipeline's own lines (file:line:column, the page that shows it), before
any page is built, so no page is wrongly blamed. Under ``mkdocs serve`` a failure does not stop the
server: it serves the last good site with the failure as a banner on every page, in the page's
language, until the next good build. Then it shows the proof on the pages:

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
placeholder paragraph where each line, table or diagram goes; ``on_env`` — once every page is
converted — waits for the proof and fails the build if anything is not proved;
``on_page_context`` — before the search plugin indexes the page — swaps each placeholder for its
HTML. Generated markup so never goes through the Markdown parser (which
would rewrite it), and works inside admonitions and tabs. The parts kept out of the search index
(diagrams, traces, verification lines: most of the generated HTML) go in only in
``on_post_page``, so the search plugin does not parse them just to skip them.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from policyproof.check.kinds import KINDS
from policyproof.site import pages
from policyproof.site.hooks import proof_render, proof_report, proof_svg, serve_failures
from policyproof.site.pipeline import Verification, verify_site
from policyproof.site.proofs import ClaimProof, ProofError, SiteProof
from policyproof.site.prover import SiteProver

log = logging.getLogger("mkdocs.hooks.proof")

REPORT_PAGE = "verification"  # docs/verification.md and docs/verification.en.md
JSON_NAME = "verification.json"
SCHEMA_DIR = "schemas"
RULES_PAGE = "reference/rules"
CSS_PATH = "assets/policyproof-proof.css"
ENV_SWITCH = "POLICYPROOF_PROOFS"

MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*(?P<name>claims|flow|verification-report)\s*(?::\s*(?P<arg>.*?))?\s*-->\s*$"
)
_SLOT = "pproof-slot-{}"
_SLOT_HTML = re.compile(r"<p>(pproof-slot-\d+)</p>")
# Generated elements the search index leaves out wait under these tokens until the page is written.
_LATE = "pproof-late-{}"
_LATE_HTML = re.compile(r"<(\w+) data-search-exclude>(pproof-late-\d+)</\1>")
_EXCLUDED_ELEMENT = re.compile(r"<(\w+)\b[^>]*\sdata-search-exclude[\s>]")


class _State:
    """The verification of the current build and the placeholders waiting for it on each page."""

    def __init__(self) -> None:
        self.prover: SiteProver | None = None
        self.enabled = True
        self.serving = False  # ``mkdocs serve``: failures become a banner, the server never stalls
        self.verification: Verification | None = None
        self.proof: SiteProof | None = None
        self.written: SiteProof | None = None  # the proof whose files are in site_dir already
        self.pages: dict[str, _PageRenderer] = {}  # page src_uri -> its placeholders
        self.late: dict[str, _PageRenderer] = {}  # page src_uri -> the blocks held back from search
        self.failure: list[str] | None = None  # under serve: why this build cannot be shown
        self.last_good: Path | None = None  # under serve: a copy of the last site that verified


# Module level on purpose: mkdocs-static-i18n builds each language as another build in the same
# process, and ``mkdocs serve`` rebuilds in it too; the prover's cache lives as long as the process.
_state = _State()


def on_startup(command: str, dirty: bool) -> None:
    _state.serving = command == "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    switch = os.environ.get(ENV_SWITCH, "on").strip().lower()
    if switch not in ("on", "off"):
        raise PluginError(f"{ENV_SWITCH}={switch!r}: use 'on' (the default) or 'off'")
    _state.enabled = switch == "on"
    _state.verification = _state.proof = None
    _state.pages = {}
    _state.late = {}
    if not _nested_build(config):
        _state.failure = None  # a new build (not the next language of the same build)
    if not _state.enabled:
        log.warning(f"{ENV_SWITCH}=off: policies and claims are NOT proved; do not publish this build")
        return config
    root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
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
    renderer = _PageRenderer(page, files)
    markdown = renderer.add_verification_lines(markdown)
    markdown = renderer.replace_markers(markdown)
    _state.pages[page.file.src_uri] = renderer
    return markdown


@event_priority(50)
def on_env(env: Any, config: MkDocsConfig, files: Files) -> Any:
    """Every page is converted: wait for the proofs, and fail before any page is built."""
    if _state.enabled and _state.failure is None:
        _proof()
    return env


# Before the search plugin (priority 0) indexes the page, so the index holds the generated text.
@event_priority(50)
def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    renderer = _state.pages.pop(page.file.src_uri, None) if _state.enabled else None
    if renderer is None or not renderer.slots:
        return context
    if _state.failure is None:
        try:
            page.content = renderer.fill(page.content or "", _proof())
        except PluginError as error:
            if not _state.serving:
                raise
            _state.failure = [str(error).removeprefix("policyproof: ")]
    if _state.failure is not None:
        page.content = _SLOT_HTML.sub("", page.content or "")
        return context
    if renderer.late:
        _state.late[page.file.src_uri] = renderer
    return context


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Put back the generated blocks the search plugin had no need to parse (diagrams, traces)."""
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


def on_shutdown() -> None:
    serve_failures.forget(_state)


# After mkdocs-static-i18n's own on_post_build (-100), which builds the other languages: in the
# first build, this runs once every language is written.
@event_priority(-200)
def on_post_build(config: MkDocsConfig) -> None:
    if not _state.enabled:
        return
    if _state.failure is None:
        _write_site_files(config)
    if _state.serving and not _nested_build(config):
        serve_failures.finish_build(config, _state)


def _write_site_files(config: MkDocsConfig) -> None:
    proof = _proof()
    if _state.written is proof:  # the second language pass writes the same files again otherwise
        return
    site = Path(config.site_dir)
    (site / JSON_NAME).write_text(proof.json_file_text(), encoding="utf-8")
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
        log.error(message.replace("the site is not built", "serving the last good site"))


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


def schema_file(kind: str) -> str:
    """The stable published name of a kind's schema: ``schemas/<kind>-policy.schema.json``."""
    return f"{kind}-policy.schema.json"


def _snippet_bases(config: MkDocsConfig) -> list[str]:
    options = config.mdx_configs.get("pymdownx.snippets", {})
    bases = options.get("base_path", ["."])
    return [bases] if isinstance(bases, str) else list(bases)


class _PageRenderer:
    """One page: its includes and markers become placeholders (while the proof may still be
    running), then each placeholder becomes HTML from the proof."""

    def __init__(self, page: Page, files: Files) -> None:
        self.page = page
        self.lang = pages.page_language(Path(page.file.src_uri))
        self.files = files
        self.slots: dict[str, tuple[str, str, str]] = {}  # token -> (what, argument, marker text)
        self.late: dict[str, str] = {}  # token -> a generated element kept out of the search index
        self.report_url = self._report_url()
        self.proof: SiteProof | None = None

    def _slot(self, what: str, argument: str, marker: str = "") -> str:
        token = _SLOT.format(len(self.slots) + 1)
        self.slots[token] = (what, argument, marker)
        return token

    def _fail(self, message: str) -> PluginError:
        return PluginError(f"policyproof: docs/{self.page.file.src_uri}: {message}")

    # phase 1, in the Markdown

    def add_verification_lines(self, markdown: str) -> str:
        lines = markdown.split("\n")
        blocks = pages.code_blocks(markdown)
        after_line: dict[int, list[str]] = {}  # 1-based line -> placeholder lines to insert after it
        for include in pages.includes(markdown):
            end_line, indent = self._after(include, blocks, lines)
            after_line.setdefault(end_line, []).append(indent + self._slot("snippet", include.path))
        out: list[str] = []
        for number, line in enumerate(lines, start=1):
            out.append(line)
            for placeholder in after_line.get(number, []):
                out += ["", placeholder, ""]
        return "\n".join(out)

    @staticmethod
    def _after(include: pages.Include, blocks: list[pages.CodeBlock], lines: list[str]) -> tuple[int, str]:
        """The line after which the verification goes (the closing fence) and its indentation."""
        for block in blocks:
            last_body_line = block.line + len(block.body)
            if block.line < include.line <= last_body_line:
                fence_line = lines[block.line - 1]
                indent = fence_line[: len(fence_line) - len(fence_line.lstrip())]
                return min(last_body_line + 1, len(lines)), indent
        line = lines[include.line - 1]
        return include.line, line[: len(line) - len(line.lstrip())]

    def replace_markers(self, markdown: str) -> str:
        lines = markdown.split("\n")
        in_code: set[int] = set()
        for block in pages.code_blocks(markdown):
            in_code.update(range(block.line, block.line + len(block.body) + 2))
        for index, line in enumerate(lines):
            match = MARKER.match(line)
            if not match or index + 1 in in_code:
                continue
            token = self._slot(match["name"], (match["arg"] or "").strip(), line.strip())
            lines[index] = "\n" + match["indent"] + token + "\n"
        return "\n".join(lines)

    # phase 2, in the HTML

    def fill(self, html: str, proof: SiteProof) -> str:
        self.proof = proof
        rendered = {token: self._render(token, *spec) for token, spec in self.slots.items()}
        used: set[str] = set()

        def replace(match: re.Match[str]) -> str:
            token = match.group(1)
            if token not in rendered:
                return match.group(0)
            used.add(token)
            return rendered[token]

        html = _SLOT_HTML.sub(replace, html)
        if set(rendered) - used:
            # Never publish a page with a proof silently missing.
            raise self._fail(
                f"could not place {len(set(rendered) - used)} generated proof block(s); keep snippet "
                "includes and <!-- claims/flow --> markers on lines of their own"
            )
        return html

    def _later(self, html: str) -> str:
        """A short stand-in for an element marked ``data-search-exclude`` (see ``fill_late``)."""
        match = _EXCLUDED_ELEMENT.match(html)
        if match is None:  # searchable markup is never held back
            return html
        token = _LATE.format(len(self.late) + 1)
        self.late[token] = html
        return f"<{match[1]} data-search-exclude>{token}</{match[1]}>"

    def fill_late(self, output: str) -> str:
        """The written page with every held-back element in place (or the build fails)."""
        used: set[str] = set()

        def replace(match: re.Match[str]) -> str:
            token = match.group(2)
            if token not in self.late:
                return match.group(0)
            used.add(token)
            return self.late[token]

        output = _LATE_HTML.sub(replace, output)
        if used != set(self.late):
            raise self._fail(
                f"{len(set(self.late) - used)} generated proof block(s) went missing from the page "
                "between the search index and the written HTML"
            )
        return output

    def _render(self, token: str, what: str, argument: str, marker: str) -> str:
        if what == "snippet":
            return self._verification_line(argument)
        if what == "claims":
            return self._claims_table(argument, marker)
        if what == "flow":
            return self._flow(argument, token)
        return self._report(argument)

    def _verification_line(self, path: str) -> str:
        assert self.proof is not None
        snippet = self.proof.snippets.get(path)
        if snippet is None:
            raise self._fail(f"snippet {path} was not proved (is the page outside docs_dir?)")
        return proof_render.verification_line(
            snippet,
            [c for c in self.proof.claims_of_snippet(path) if c.group in self._groups()],
            lang=self.lang,
            catalog_version=self.proof.catalog_version,
            report_url=self.report_url,
            later=self._later,
        )

    def _groups(self) -> tuple[str, ...]:
        assert self.proof is not None
        page = self.proof.pages.get(self.page.file.src_uri)
        return page.claim_groups if page else ()

    def _page_claims(self) -> list[ClaimProof]:
        assert self.proof is not None
        return [claim for group in self._groups() for claim in self.proof.claims.get(group, [])]

    def _claims_table(self, arg: str, marker: str) -> str:
        claims = self._page_claims()
        if not self._groups():
            raise self._fail(
                f"{marker}: this page has no claims.yaml (expected snippets/<section>/<page>/claims.yaml)"
            )
        patterns = [p for p in re.split(r"[\s,]+", arg) if p] or ["*"]
        chosen = []
        for pattern in patterns:
            matched = [c for c in claims if fnmatch.fnmatchcase(c.id, pattern)]
            if not matched:
                known = ", ".join(c.id for c in claims)
                raise self._fail(f"{marker}: no claim matches {pattern!r}; the page's claims are: {known}")
            chosen += [c for c in matched if c not in chosen]
        return proof_render.claims_table(
            chosen, lang=self.lang, report_url=self.report_url, marker=marker, later=self._later
        )

    def _flow(self, claim_id: str, token: str) -> str:
        claims = {c.id: c for c in self._page_claims()}
        claim = claims.get(claim_id)
        if claim is None:
            raise self._fail(
                f"<!-- flow: {claim_id} -->: no such claim; flow claims: "
                + ", ".join(c.id for c in claims.values() if c.flow)
            )
        if not claim.steps:
            raise self._fail(f"<!-- flow: {claim_id} -->: claim {claim_id!r} is a single request, not a flow")
        return proof_svg.sequence_svg(claim, lang=self.lang, instance=token, later=self._later)

    def _report(self, section: str) -> str:
        if section not in proof_report.SECTIONS:
            raise self._fail(
                f"<!-- verification-report: {section} -->: unknown section; "
                f"use one of {', '.join(proof_report.SECTIONS)}"
            )
        links = proof_report.ReportLinks(
            page_url=self._page_url,
            page_title=self._page_title,
            rule_url=self._rule_url,
            schema_url=lambda kind: self._site_url(f"{SCHEMA_DIR}/{schema_file(kind)}"),
            json_url=self._site_url(JSON_NAME),
            kinds=KINDS,
        )
        assert self.proof is not None
        return proof_report.render(section, self.proof, lang=self.lang, links=links, later=self._later)

    # URLs, relative to the page being rendered

    def _language_src(self, name: str) -> str:
        return f"{name}.md" if self.lang == pages.DEFAULT_LANG else f"{name}.{self.lang}.md"

    def _url_of(self, src: str) -> str | None:
        file = self.files.get_file_from_path(src)
        if file is None:
            return None
        return get_relative_url(file.url, self.page.file.url)

    def _report_url(self) -> str:
        url = self._url_of(self._language_src(REPORT_PAGE))
        if url is None:
            missing = self._language_src(REPORT_PAGE)
            raise self._fail(f"the verification report page docs/{missing} is missing")
        return url

    def _page_url(self, src: str) -> str | None:
        return self._url_of(src)

    def _page_title(self, src: str) -> str:
        # Other pages may not be read yet: take the title from the front matter, as nav_order does.
        file = self.files.get_file_from_path(src)
        if file is None:
            return src
        _, meta = get_data(file.content_string)
        return str(meta.get("title") or src)

    def _rule_url(self, code: str) -> str | None:
        url = self._url_of(self._language_src(RULES_PAGE))
        return f"{url}#{code}" if url else None

    def _site_url(self, path: str) -> str:
        return get_relative_url(path, self.page.file.url)
