"""The proof on one page: snippet includes and ``<!-- claims/flow/verification-report -->``
markers become placeholders in the Markdown (while the proof may still be running), then HTML from
the proof (see ``site/hooks/proof.py``, the hook that drives it)."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from policyproof.check.kinds import KINDS
from policyproof.site import pages
from policyproof.site.hooks import proof_render, proof_report, proof_svg
from policyproof.site.proof_cache import ProofCache, code_fingerprint, digest, render_fingerprint
from policyproof.site.proofs import ClaimProof, SiteProof

REPORT_PAGE = "verification"  # docs/verification.md and docs/verification.en.md
JSON_NAME = "verification.json"
SCHEMA_DIR = "schemas"
RULES_PAGE = "reference/rules"

MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*(?P<name>claims|flow|verification-report)\s*(?::\s*(?P<arg>.*?))?\s*-->\s*$"
)
_SLOT = "pproof-slot-{}"
_SLOT_HTML = re.compile(r"<p>(pproof-slot-\d+)</p>")
# What Material's search plugin removes from a page's HTML once it has indexed it (its
# ``on_page_context``), copied from material/plugins/search/plugin.py.
_SEARCH_ATTRIBUTES = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")
# Generated elements the search index leaves out wait under these tokens until the page is written.
_LATE = "pproof-late-{}"
_LATE_HTML = re.compile(r"<(\w+) data-search-exclude>(pproof-late-\d+)</\1>")
_EXCLUDED_ELEMENT = re.compile(r"<(\w+)\b[^>]*\sdata-search-exclude[\s>]")
# A searchable generated block (a claims table, a report section) waits, while the search plugin
# indexes the page, as the text the plugin would take from it; the block goes in afterwards.
_STANDIN_HTML = re.compile(r'<div data-pproof-standin="(pproof-late-\d+)">.*?</div>', re.S)

# What Material's search plugin (material/plugins/search/plugin.py, ``Parser``) keeps of markup:
# the text between tags (a chunk of only whitespace becomes one space, dropped after another such
# chunk), these tags (bare), nothing of an element marked data-search-exclude.
_EXCLUDE_ATTRIBUTE = " data-search-exclude"
_TAG_NAME = re.compile(r"<(\w+)")
_KEPT_TAG = re.compile(r"<(/?)(p|code|pre|li|ol|ul|sub|sup)(?:\s[^>]*)?>")
_OTHER_TAG = re.compile(r"<(?!/?(?:p|code|pre|li|ol|ul|sub|sup)>)[^>]*>")
_BOUNDARIES = re.compile("\x00+")
_SPACE_CHUNK = re.compile(r"([\x00>])(\s+)(?=[\x00<]|$)")
_FIRST_SPACE_CHUNK = re.compile(r"\A(\s+)(?=[\x00<]|\Z)")

#: page src_uri -> the claim-id patterns of each of its ``<!-- claims -->`` tables, as read in its
#: Markdown (every page is read before any is rendered): the report links each claim to the page
#: whose table shows it, where its trace is.
CLAIMS_TABLES: dict[str, list[list[str]]] = {}


def search_standin(html: str) -> str:
    """``html`` (a block this hook generates) reduced to what Material's search plugin keeps of it,
    chunk for chunk: the text between tags (escaped as it is), the kept tags, nothing of an element
    marked ``data-search-exclude``. A chunk of only whitespace stays a chunk of its own (between
    void tags, which the plugin ignores): the plugin keeps or drops it depending on the chunk
    before. Indexing the stand-in gives the same entry as indexing the block (tested against the
    plugin's parser), at a fraction of the markup to parse: a claims table is mostly attributes.

    Regular expressions, not a parser: the generated blocks never nest an excluded element in
    another of the same tag, and escape ``<``/``>`` in text and attributes.
    """
    text = _without_excluded(html)
    text = _KEPT_TAG.sub(r"<\1\2>", text)
    text = _BOUNDARIES.sub("\x00", _OTHER_TAG.sub("\x00", text))
    text = _SPACE_CHUNK.sub(r"\1<wbr>\2<wbr>", text)
    text = _FIRST_SPACE_CHUNK.sub(r"<wbr>\1<wbr>", text)
    return text.replace("\x00", "")


def _without_excluded(html: str) -> str:
    """``html`` with each element marked ``data-search-exclude`` (start tag to end tag) replaced by
    a chunk boundary (NUL); found by the attribute, not by parsing every tag."""
    parts: list[str] = []
    position = 0
    while (found := html.find(_EXCLUDE_ATTRIBUTE, position)) != -1:
        start = html.rfind("<", position, found)
        in_tag = start != -1 and html.find(">", start, found) == -1
        name = _TAG_NAME.match(html, start) if in_tag else None
        end = html.find(f"</{name[1]}>", found) if name else -1
        if name is None or end == -1:  # not in a start tag (text saying it): keep it as it is
            parts.append(html[position : found + len(_EXCLUDE_ATTRIBUTE)])
            position = found + len(_EXCLUDE_ATTRIBUTE)
            continue
        parts += [html[position:start], "\x00"]
        position = end + len(name[1]) + 3
    parts.append(html[position:])
    return "".join(parts)


def _patterns(arg: str) -> list[str]:
    """The claim-id patterns of a ``<!-- claims: a, b-* -->`` marker (all claims when none)."""
    return [p for p in re.split(r"[\s,]+", arg) if p] or ["*"]


def schema_file(kind: str) -> str:
    """The stable published name of a kind's schema: ``schemas/<kind>-policy.schema.json``."""
    return f"{kind}-policy.schema.json"


class PageRenderer:
    """One page: its includes and markers become placeholders (while the proof may still be
    running), then each placeholder becomes HTML from the proof."""

    def __init__(self, page: Page, files: Files) -> None:
        self.page = page
        self.lang = pages.page_language(Path(page.file.src_uri))
        self.files = files
        self.slots: dict[str, tuple[str, str, str]] = {}  # token -> (what, argument, marker text)
        self.late: dict[str, str] = {}  # token -> a generated element kept out of the search index
        self._urls: dict[str, str | None] = {}  # src -> its URL from this page (the report asks often)
        self._titles: dict[str, str] = {}
        self.report_url = self._report_url()
        self.proof: SiteProof | None = None
        self.rendered: dict[str, str] = {}  # token -> its block, once :meth:`fill` has rendered them
        self.anchored: set[str] = set()  # claims whose trace on this page carries the claim's id
        self._claim_pages: dict[str, list[tuple[str, list[list[str]]]]] | None = None
        CLAIMS_TABLES[page.file.src_uri] = []

    @property
    def shows_everything(self) -> bool:
        """The page shows the verification report: it needs the whole site's proof."""
        return any(what == "verification-report" for what, _, _ in self.slots.values())

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
            if match["name"] == "claims":
                CLAIMS_TABLES[self.page.file.src_uri].append(_patterns(match["arg"] or ""))
            lines[index] = "\n" + match["indent"] + token + "\n"
        return "\n".join(lines)

    # phase 2, in the HTML

    def fill(self, html: str, proof: SiteProof, cache: ProofCache | None = None) -> str:
        """The page's HTML with its proofs in place (the searchable parts; the rest waits in
        :attr:`late`). ``cache``: the page's proof HTML is kept there, one entry per page, with
        what it depends on (the records of the claims files and snippets it shows, its markers,
        its language and URL, the rendering code; for the report, everything proved and every
        page's title, address and claims tables): an unchanged page is not rendered again."""
        self.proof = proof
        key = entry = ""
        cached = None
        if cache is not None:
            key, entry = self._cache_keys(proof)
            cached = cache.get(entry)
        if isinstance(cached, tuple) and len(cached) == 4 and cached[0] == key:
            _, rendered, late, anchored = cached
            self.late.update(late)
            self.anchored |= anchored
        else:
            rendered = {token: self._render(token, *spec) for token, spec in self.slots.items()}
            if cache is not None:
                # One entry per page, replaced when the page's proofs change: the cache does not
                # grow with every edit.
                cache.put(entry, (key, rendered, dict(self.late), set(self.anchored)))
        self.rendered = rendered
        return self.place(html)

    def place(self, html: str, *, indexed: bool = False) -> str:
        """``html`` with each placeholder replaced by its block as :meth:`fill` rendered it.
        ``indexed``: the blocks as they are once Material's search plugin has indexed the page
        (it drops every ``data-search-*="..."`` attribute from the page's HTML): for a page
        written before its proofs were known (see ``proof_deferred.py``, ``_finish_page``)."""
        rendered = self.rendered
        if indexed:
            rendered = {token: _SEARCH_ATTRIBUTES.sub("", block) for token, block in rendered.items()}
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

    def _cache_keys(self, proof: SiteProof) -> tuple[str, str]:
        """(what the page's proof HTML depends on, the name of its cache entry)."""
        src = self.page.file.src_uri
        page = proof.pages.get(src)
        groups = page.claim_groups if page else ()
        paths = sorted({include.path for include in page.includes}) if page else []
        parts = [
            "page-proof-html",
            render_fingerprint(),
            code_fingerprint(),  # the checker's kinds and words, the engine's: as the proofs'
            proof.catalog_version,
            src,
            self.page.file.url,
            self.lang,
            self.report_url,
            repr(sorted(self.slots.items())),
            repr(page),
            *(proof.record_digests.get(f"group:{group}", "") for group in groups),
            *(proof.record_digests.get(f"snippet:{path}", "") for path in paths),
            repr([proof.claims_errors.get(group) for group in groups]),
        ]
        if self.shows_everything:
            # The report shows everything, with every page's title, address and claims tables;
            # the tables of its own language's pages only (see _claim_url): those of the other
            # languages may or may not be read yet, whichever build renders it.
            tables = {
                src: CLAIMS_TABLES.get(src, []) for src, page in proof.pages.items() if page.lang == self.lang
            }
            parts += [
                proof.render_digest,
                repr(sorted(tables.items())),
                repr([(other, self._url_of(other), self._page_title(other)) for other in sorted(proof.pages)])
                + repr(self._rule_url("x")),
            ]
        return digest(*parts), digest("page-proof-html-entry", src, self.page.file.url)

    def _standin(self, html: str) -> str:
        """A searchable block as the search plugin reads it (see :func:`search_standin`); the
        block itself goes in with the held-back elements, once the page is indexed."""
        token = _LATE.format(len(self.late) + 1)
        self.late[token] = html
        return f'<div data-pproof-standin="{token}">{search_standin(html)}</div>'

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
            token = match.group(match.lastindex or 1)
            if token not in self.late:
                return match.group(0)
            used.add(token)
            return self.late[token]

        # The searchable blocks first: the elements they hold back are inside them.
        output = _STANDIN_HTML.sub(replace, output)
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
            return self._standin(self._claims_table(argument, marker))
        if what == "flow":
            return self._flow(argument, token)
        return self._standin(self._report(argument))

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
        patterns = _patterns(arg)
        chosen = []
        for pattern in patterns:
            matched = [c for c in claims if fnmatch.fnmatchcase(c.id, pattern)]
            if not matched:
                known = ", ".join(c.id for c in claims)
                raise self._fail(f"{marker}: no claim matches {pattern!r}; the page's claims are: {known}")
            chosen += [c for c in matched if c not in chosen]
        return proof_render.claims_table(
            chosen,
            lang=self.lang,
            report_url=self.report_url,
            marker=marker,
            later=self._later,
            anchored=self.anchored,
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
            claim_url=self._claim_url,
        )
        assert self.proof is not None
        return proof_report.render(section, self.proof, lang=self.lang, links=links, later=self._later)

    # URLs, relative to the page being rendered

    def _language_src(self, name: str) -> str:
        return f"{name}.md" if self.lang == pages.DEFAULT_LANG else f"{name}.{self.lang}.md"

    def _url_of(self, src: str) -> str | None:
        if src not in self._urls:
            file = self.files.get_file_from_path(src)
            self._urls[src] = None if file is None else get_relative_url(file.url, self.page.file.url)
        return self._urls[src]

    def _report_url(self) -> str:
        url = self._url_of(self._language_src(REPORT_PAGE))
        if url is None:
            missing = self._language_src(REPORT_PAGE)
            raise self._fail(f"the verification report page docs/{missing} is missing")
        return url

    def _page_url(self, src: str) -> str | None:
        return self._url_of(src)

    def _claim_url(self, claim: ClaimProof) -> str | None:
        """Where a claim's trace is: its row on the first page of this language whose claims table
        shows it (None when no table does)."""
        assert self.proof is not None
        if self._claim_pages is None:  # group -> (page, its claims tables), pages of this language
            self._claim_pages = {}
            for src, page in sorted(self.proof.pages.items()):
                if page.lang == self.lang:
                    for group in page.claim_groups:
                        self._claim_pages.setdefault(group, []).append((src, CLAIMS_TABLES.get(src, [])))
        for src, tables in self._claim_pages.get(claim.group, []):
            if any(any(fnmatch.fnmatchcase(claim.id, p) for p in table) for table in tables):
                url = self._url_of(src)
                if url is not None:
                    return f"{url}#{claim.anchor}"
        return None

    def _page_title(self, src: str) -> str:
        # Other pages may not be read yet: take the title from the front matter, as nav_order does.
        if src not in self._titles:
            file = self.files.get_file_from_path(src)
            if file is None:
                return src
            _, meta = get_data(file.content_string)
            self._titles[src] = str(meta.get("title") or src)
        return self._titles[src]

    def _rule_url(self, code: str) -> str | None:
        url = self._url_of(self._language_src(RULES_PAGE))
        return f"{url}#{code}" if url else None

    def _site_url(self, path: str) -> str:
        return get_relative_url(path, self.page.file.url)
