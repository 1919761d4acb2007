"""Sequence diagrams of proved flows, as inline SVG: no script, no web font, no outside request.

The diagram is drawn only from the engine's flow steps (``FlowStep``): a participant exists because
a step names it, an arrow because the engine decided that request, and its label is the action and
the statements that decided. A denied step is drawn as denied (red, dashed, ✗), never as allowed.

Text widths are estimated (no font metrics without a browser): labels are wrapped by character
count and the picture scales down with ``max-width: 100%``.
"""

from __future__ import annotations

import textwrap

from policyproof.site.hooks.proof_render import (
    DECISION_NAMES,
    Later,
    escape,
    now,
    participant_text,
    says_decision,
    step_reason,
)
from policyproof.site.proofs import ClaimProof, FlowStep, slug

FONT_SIZE = 13
CHAR_WIDTH = 7.4  # a generous average advance for 13px system sans-serif fonts (Arial: about 6)
BOLD_SHARE = 0.88  # bold text fits this share of the characters of regular text
LINE_HEIGHT = 17
MARGIN = 16
BOX_HEIGHT = 34
MIN_COLUMN_GAP = 340
DENY_COLOR = "#c62828"

WORDS = {
    "vi": {
        "title": "Sơ đồ tuần tự của luồng {flow} (khẳng định {claim})",
        "desc": "{count} bước, mỗi bước do policy evaluation engine quyết định.",
        "allowed_by": "cho phép bởi",
        "denied": "bị từ chối",
        "no_statement": "không có statement nào cho phép",
        "not_reached": "AWS dừng ở bước trước; bước này không được gọi",
        "step": "Bước {n}: {caller} gọi {action} tới {callee}: {decision}",
        "check": "Bước {n}: {callee} {action}: {decision}",
    },
    "en": {
        "title": "Sequence diagram of the {flow} flow (claim {claim})",
        "desc": "{count} steps, each decided by the policy evaluation engine.",
        "allowed_by": "allowed by",
        "denied": "denied",
        "no_statement": "no statement allows it",
        "not_reached": "AWS stops at an earlier step; this one is not called",
        "step": "Step {n}: {caller} calls {action} on {callee}: {decision}",
        "check": "Step {n}: {callee} does the {action}: {decision}",
    },
}


def participants(steps: tuple[FlowStep, ...]) -> list[str]:
    """Everyone who calls or is called, in order of first appearance."""
    seen: list[str] = []
    for step in steps:
        for name in (step.caller, step.callee):
            if name not in seen:
                seen.append(name)
    return seen


def sequence_svg(claim: ClaimProof, *, lang: str, instance: str = "", later: Later = now) -> str:
    """A ``<figure>`` holding the inline SVG sequence diagram of a flow claim.

    ``instance`` keeps the SVG's ids unique when a page shows the same flow twice.
    """
    words = WORDS.get(lang, WORDS["en"])
    steps = claim.steps
    actors = participants(steps)
    # The principal as the page names it (role/app-reader, its account below), services by name.
    names = [claim.participant(actor) for actor in actors]
    box_widths = [max(120.0, max(len(line) for line in lines) * (CHAR_WIDTH + 0.6) + 24) for lines in names]
    box_height = BOX_HEIGHT + LINE_HEIGHT * (max((len(lines) for lines in names), default=1) - 1)
    gap = max([MIN_COLUMN_GAP] + [w + 40 for w in box_widths])
    centers = [MARGIN + box_widths[0] / 2 + i * gap for i in range(len(actors))]
    width = centers[-1] + box_widths[-1] / 2 + MARGIN if actors else 2 * MARGIN
    if any(step.caller == step.callee == actors[-1] for step in steps):
        width += gap / 2  # a loop on the last lifeline: room for its labels on the right
    if any(step.is_check and step.callee == actors[-1] for step in steps):
        width = max(width, centers[-1] + gap * 0.8)  # a check note right of the last lifeline

    ident = "pp-seq-" + slug(f"{claim.group}/{claim.id}/{instance}")
    body: list[str] = []
    y = MARGIN + box_height + 28
    step_descriptions = []
    for number, step in enumerate(steps, start=1):
        draw = _check if step.is_check else _step
        block, y = draw(step, number, actors, centers, y, width, ident, words, lang)
        body.append(block)
        step_descriptions.append(
            words["check" if step.is_check else "step"].format(
                n=number,
                caller=participant_text(claim, step.caller),
                callee=participant_text(claim, step.callee),
                action=step.describe(lang),
                # Read aloud in the page's language ("Cho phép"), not as the engine's code.
                decision=DECISION_NAMES.get(lang, DECISION_NAMES["en"]).get(step.decision, step.decision),
            )
        )
    height = y + MARGIN

    heads = []
    for lines, center, box_width in zip(names, centers, box_widths, strict=True):
        left = center - box_width / 2
        top = MARGIN + box_height / 2 + 5 - LINE_HEIGHT * (len(lines) - 1) / 2
        label = "".join(
            f'<text x="{center:.1f}" y="{top + i * LINE_HEIGHT:.1f}" text-anchor="middle"'
            + (' font-weight="bold">' if i == 0 else ' font-size="12" fill-opacity="0.8">')
            + f"{escape(line)}</text>"
            for i, line in enumerate(lines)
        )
        heads.append(
            f'<g class="pp-actor"><rect x="{left:.1f}" y="{MARGIN}" width="{box_width:.1f}" '
            f'height="{box_height}" rx="6" fill="currentColor" fill-opacity="0.06" stroke="currentColor"/>'
            + label
            + f'<line x1="{center:.1f}" y1="{MARGIN + box_height}" x2="{center:.1f}" y2="{height - MARGIN}" '
            'stroke="currentColor" stroke-opacity="0.45" stroke-dasharray="4 4"/></g>'
        )

    title = words["title"].format(flow=claim.flow or claim.action, claim=claim.id)
    desc = words["desc"].format(count=len(steps)) + " " + " ".join(step_descriptions)
    return later(
        f'<figure class="pp-flow" data-flow="{escape(claim.flow or "")}" data-claim="{escape(claim.id)}"'
        # Focusable: on a phone the figure scrolls sideways, and a keyboard must be able to scroll it.
        ' tabindex="0" data-search-exclude>'
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pp-seq" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" '
        f'style="max-width:100%;height:auto;font-family:inherit;font-size:{FONT_SIZE}px">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
        f"<defs>{_marker(ident + '-ok', 'currentColor')}{_marker(ident + '-deny', DENY_COLOR)}</defs>"
        + "".join(heads)
        + "".join(body)
        + "</svg>"
        f"<figcaption>{escape(claim.text.get(lang) or title)}</figcaption></figure>"
    )


def _marker(ident: str, color: str) -> str:
    return (
        f'<marker id="{ident}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
    )


# An arrow (_step) and a check note (_check) open with the same title and heading lines.
def _title(step: FlowStep, number: int, lang: str) -> str:
    """``4. kms:DescribeKey ✓`` for an allowed step (short enough to share its line with the step's
    purpose), ``2. kms:Decrypt ✗ ImplicitDeny`` for the step that fails."""
    if step.decision == "Allow":
        return f"{number}. {step.describe(lang)} ✓"
    return f"{number}. {step.describe(lang)} ✗ {step.decision}"


def _heading(step: FlowStep, words: dict[str, str], lang: str) -> list[str]:
    """The lines under a step's title: its purpose, and a note when the flow stopped before it."""
    purpose = step.purpose.get(lang, "")
    heading = [purpose] if purpose else []
    if not step.reached:
        heading.append(f"({words['not_reached']})")
    return heading


def _step(
    step: FlowStep,
    number: int,
    actors: list[str],
    centers: list[float],
    y: float,
    width: float,
    ident: str,
    words: dict[str, str],
    lang: str,
) -> tuple[str, float]:
    """One arrow with its labels; returns the markup and the next free y."""
    allowed = step.decision == "Allow"
    start = centers[actors.index(step.caller)]
    end = centers[actors.index(step.callee)]
    left = min(start, end)
    # Labels start at the arrow's left end and stop before the next lifeline to the right (or the
    # picture's edge): a long "allowed by" line is wrapped rather than drawn across a lifeline.
    right = next((center for center in centers if center > left + 1), width - MARGIN)
    label_chars = max(20, int((right - left - 20) / CHAR_WIDTH))
    faded = "" if step.reached else ' opacity="0.55"'
    color = "currentColor" if allowed else DENY_COLOR
    parts = [
        f'<g class="pp-step" data-decision="{escape(step.decision)}" data-action="{escape(step.action)}"'
        f' data-reached="{str(step.reached).lower()}"{faded}>'
    ]
    # Bold letters are wider: the step's title wraps a little earlier than the other labels.
    title_lines = textwrap.wrap(_title(step, number, lang), int(label_chars * BOLD_SHARE))
    for index, piece in enumerate(title_lines):
        y += LINE_HEIGHT if index else 0
        parts.append(
            f'<text x="{left + 8:.1f}" y="{y:.1f}" font-weight="bold" fill="{color}">{escape(piece)}</text>'
        )
    heading = _heading(step, words, lang)
    # A short purpose goes on the title's line, after it ("4. kms:DescribeKey ✓ Allow  check the key"):
    # a seventeen-step flow stays one screen tall instead of two.
    title_room = len(title_lines[-1]) / BOLD_SHARE + 2 if title_lines else 0
    if len(title_lines) == 1 and len(heading) == 1 and title_room + len(heading[0]) <= label_chars:
        x = left + 8 + title_room * CHAR_WIDTH
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" fill="{color}" class="pp-purpose">{escape(heading[0])}</text>'
        )
        heading = []
    for line in heading:
        for piece in textwrap.wrap(line, label_chars) or [""]:
            y += LINE_HEIGHT
            parts.append(f'<text x="{left + 8:.1f}" y="{y:.1f}" fill="{color}">{escape(piece)}</text>')
    y += 8
    if start == end:  # a service calling itself: a small loop to the right
        parts.append(
            f'<path d="M{start:.1f},{y:.1f} h40 v14 h-40" fill="none" stroke="{color}" '
            f'marker-end="url(#{ident}-{"ok" if allowed else "deny"})"/>'
        )
        y += 14
    else:
        dash = "" if allowed else ' stroke-dasharray="6 4"'
        parts.append(
            f'<line x1="{start:.1f}" y1="{y:.1f}" x2="{end:.1f}" y2="{y:.1f}" stroke="{color}" '
            f'stroke-width="1.6"{dash} marker-end="url(#{ident}-{"ok" if allowed else "deny"})"/>'
        )
    arrow_y = y
    y += LINE_HEIGHT
    if step.fact:  # no policy decided it: say which fact did
        lines = [step.reason(lang)]
    elif allowed:
        # The statements that allowed the step are named in the claim's trace (and the report), and
        # shown here on hover: listed under every arrow they made a long flow four times as tall.
        lines = []
        if step.deciding:
            parts.insert(1, f"<title>{escape(words['allowed_by'] + ': ' + '; '.join(step.deciding))}</title>")
    else:
        reason = step_reason(step, lang) or "; ".join(step.deciding) or words["no_statement"]
        # The engine's reason opens with the decision ("Implicit deny: …"): not said twice.
        lines = [reason if says_decision(reason) else f"{words['denied']}: {reason}"]
    for line in lines:
        for piece in textwrap.wrap(line, label_chars, subsequent_indent="  ") or [""]:
            parts.append(
                f'<text x="{left + 8:.1f}" y="{y:.1f}" fill="{color}" fill-opacity="0.85">'
                f"{escape(piece)}</text>"
            )
            y += LINE_HEIGHT
    parts.append("</g>")
    if not lines:  # nothing under the arrow: the next step's title follows closely
        return "".join(parts), arrow_y + 22
    return "".join(parts), y + 14


def _check(
    step: FlowStep,
    number: int,
    actors: list[str],
    centers: list[float],
    y: float,
    width: float,
    ident: str,
    words: dict[str, str],
    lang: str,
) -> tuple[str, float]:
    """A check the service makes itself (createVolumePermission): a note on its lifeline, right
    of it, not an arrow from the principal — nobody calls it; no policy decides it."""
    del ident  # a note has no arrow head
    allowed = step.decision == "Allow"
    color = "currentColor" if allowed else DENY_COLOR
    lifeline = centers[actors.index(step.callee)]
    right = next((center for center in centers if center > lifeline + 1), width - MARGIN)
    left = lifeline + 10
    note_width = right - left - 14
    chars = max(20, int((note_width - 16) / CHAR_WIDTH))
    faded = "" if step.reached else ' opacity="0.55"'
    lines: list[tuple[str, str]] = []  # (text, extra attributes)
    title = _title(step, number, lang)
    lines += [(piece, ' font-weight="bold"') for piece in textwrap.wrap(title, int(chars * BOLD_SHARE))]
    for line in _heading(step, words, lang) + [step.reason(lang)]:
        lines += [(piece, ' fill-opacity="0.85"') for piece in textwrap.wrap(line, chars)]
    top = y - LINE_HEIGHT + 4
    height = LINE_HEIGHT * len(lines) + 10
    dash = "" if allowed else ' stroke-dasharray="6 4"'
    parts = [
        f'<g class="pp-step pp-check" data-decision="{escape(step.decision)}" '
        f'data-action="{escape(step.action)}" data-kind="check" '
        f'data-reached="{str(step.reached).lower()}"{faded}>',
        # The note touches its lifeline: the check is the service's own.
        f'<line x1="{lifeline:.1f}" y1="{top + height / 2:.1f}" x2="{left:.1f}" y2="{top + height / 2:.1f}" '
        f'stroke="{color}"/>',
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{note_width:.1f}" height="{height:.1f}" rx="3" '
        f'fill="currentColor" fill-opacity="0.06" stroke="{color}"{dash}/>',
    ]
    for index, (piece, extra) in enumerate(lines):
        parts.append(
            f'<text x="{left + 8:.1f}" y="{y + 4 + index * LINE_HEIGHT:.1f}" fill="{color}"{extra}>'
            f"{escape(piece)}</text>"
        )
    parts.append("</g>")
    return "".join(parts), top + height + 28
