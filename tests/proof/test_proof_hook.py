"""The MkDocs hook on a tiny site, built in-process with fake proofs: placement, markers, failures."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from proof_helpers import Element, parse_html

from policyproof.check.findings import Finding, Severity
from policyproof.site import prover
from policyproof.site.proofs import ClaimProof, FlowStep
from policyproof.site.prover import GroupProof

HOOK = Path(__file__).resolve().parents[2] / "src" / "policyproof" / "site" / "hooks" / "proof.py"

CONFIG = f"""
site_name: Tiny
theme: {{name: mkdocs}}
markdown_extensions:
  - admonition
  - attr_list
  - pymdownx.superfences
  - pymdownx.tabbed: {{alternate_style: true}}
  - pymdownx.snippets: {{base_path: [snippets], check_paths: true}}
hooks:
  - {HOOK}
"""

PAGE = """# Page { #page }

```json
--8<-- "sec/page/key.key-policy.json"
```

!!! note "In an admonition"

    ```json
    --8<-- "sec/page/app.identity-policy.json"
    ```

=== "Tab one"

    ```json
    --8<-- "sec/page/key.key-policy.json"
    ```

<!-- claims -->

Only the b- claims:

<!-- claims: b-* -->

<!-- flow: get -->

```text
<!-- claims: not-a-marker-in-code -->
```
"""

REPORT = """# Report { #report }

<!-- verification-report: summary -->

## Snippets { #snippets }

<!-- verification-report: snippets -->

## Claims { #claims }

<!-- verification-report: claims -->
"""


def _claims() -> list[ClaimProof]:
    common = {
        "group": "sec/page",
        "text": {"vi": "khẳng định", "en": "a claim"},
        "principal": "app",
        "principal_arn": "arn:aws:iam::222222222222:role/app",
        "resource": "key",
        "resource_arn": "arn:aws:kms:us-east-1:111111111111:key/k",
        "explanation": {"vi": "vì", "en": "because"},
        "snippets": ("sec/page/key.key-policy.json",),
    }
    steps = (
        FlowStep("app", "S3", "s3:GetObject", "arn:aws:s3:::b/o", "Allow", ("bucket policy b.json #1",)),
        FlowStep(
            "S3", "KMS", "kms:Decrypt", "arn:aws:kms:us-east-1:111111111111:key/k", "Allow", ("key policy",)
        ),
    )
    return [
        ClaimProof(id="b-decrypts", action="kms:Decrypt", expect="Allow", decision="Allow", **common),
        ClaimProof(
            id="b-no-encrypt", action="kms:Encrypt", expect="ImplicitDeny", decision="ImplicitDeny", **common
        ),
        ClaimProof(
            id="get",
            action="s3-get-object",
            flow="s3-get-object",
            steps=steps,
            expect="Allow",
            decision="Allow",
            **common,
        ),
    ]


@pytest.fixture
def tiny_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "docs" / "page.en.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "docs" / "verification.md").write_text(REPORT, encoding="utf-8")
    (tmp_path / "docs" / "verification.en.md").write_text(REPORT, encoding="utf-8")
    snippets = tmp_path / "snippets" / "sec" / "page"
    snippets.mkdir(parents=True)
    for name in ("key.key-policy.json", "app.identity-policy.json"):
        (snippets / name).write_text('{"Version": "2012-10-17", "Statement": []}\n', encoding="utf-8")
    (snippets / "claims.yaml").write_text("# proved by the fake below\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # pymdownx.snippets and the prover resolve base_path from here
    monkeypatch.setattr(prover, "_library_check", lambda text, **kwargs: [])
    monkeypatch.setattr(prover, "_library_prove_claims_file", lambda path, group: GroupProof(_claims()))
    monkeypatch.delenv("POLICYPROOF_PROOFS", raising=False)
    # The fakes above change between builds of one test: proofs must not outlive the process.
    monkeypatch.setenv("POLICYPROOF_CACHE", "off")
    return tmp_path


def _forget_earlier_builds() -> None:
    """MkDocs keeps a hook module loaded for the whole process (that is what lets the proofs be
    cached across language passes); these tests swap the fake library between builds, so they
    start each build from an empty cache."""
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == str(HOOK):
            module._state = module._State()


def _build(folder: Path) -> Path:
    _forget_earlier_builds()
    site = folder / "site"
    build(load_config(str(folder / "mkdocs.yml"), site_dir=str(site)))
    return site


def _build_error(folder: Path, caplog: pytest.LogCaptureFixture) -> str:
    """Build, expecting failure; MkDocs logs a hook's PluginError and aborts: return what it logged."""
    caplog.clear()
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        _build(folder)
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


def _following_sibling(parent: Element, child: Element) -> Element | None:
    elements = [c for c in parent.children if c.tag != "#text"]
    index = next(i for i, c in enumerate(elements) if c is child)
    return elements[index + 1] if index + 1 < len(elements) else None


def test_every_include_gets_its_line_right_after_its_code_block(tiny_site: Path) -> None:
    site = _build(tiny_site)
    for page, words in (
        ("page", "đối chiếu với danh mục AWS"),
        ("page.en", "checked against the AWS catalog"),
    ):
        tree = parse_html(site / page / "index.html")
        lines = tree.find_all("div", "pp-proof")
        assert [line.attrs["data-snippet"] for line in lines] == [
            "sec/page/key.key-policy.json",
            "sec/page/app.identity-policy.json",
            "sec/page/key.key-policy.json",
        ], f"docs/{page}.md: verification lines missing or out of order"
        assert all(words in line.text() for line in lines), f"docs/{page}.md: not in the page's language"
        admonition = tree.find_all("div", "admonition")[0]
        assert admonition.find_all("div", "pp-proof"), f"docs/{page}.md: the line left its admonition"
        tab = tree.find_all("div", "tabbed-block")[0]
        assert tab.find_all("div", "pp-proof"), f"docs/{page}.md: the line left its tab"
        for container in (admonition, tab):
            block = container.find_all("div", "highlight") or container.find_all("pre")
            assert _following_sibling(container, block[0]) is container.find_all("div", "pp-proof")[0]


def test_markers_become_tables_and_diagrams_and_markers_in_code_stay_text(tiny_site: Path) -> None:
    site = _build(tiny_site)
    html_path = site / "page.en" / "index.html"
    tree = parse_html(html_path)
    tables = tree.find_all("table", "pp-claims")
    rows = [[tr.attrs["data-claim"] for tr in t.find_all("tr") if "data-claim" in tr.attrs] for t in tables]
    assert rows == [["b-decrypts", "b-no-encrypt", "get"], ["b-decrypts", "b-no-encrypt"]], rows
    figures = tree.find_all("figure", "pp-flow")
    assert len(figures) == 1 and figures[0].find_all("svg"), f"{html_path}: no inline SVG diagram"
    assert "&lt;!-- claims: not-a-marker-in-code --&gt;" in html_path.read_text(encoding="utf-8")
    report = parse_html(site / "verification.en" / "index.html")
    assert len(report.find_all("tr", "pp-snippet")) == 2
    entries = report.find_all("tr", "pp-claim")
    assert [d.attrs["data-claim"] for d in entries] == ["b-decrypts", "b-no-encrypt", "get"]
    # Each report row links to the claim's trace on the note page: the first table that shows the
    # claim gives its folded trace the claim's id (once per page: the second table does not).
    ids = [e.attrs["id"] for e in tree.iter() if "id" in e.attrs]
    for entry in entries:
        href = entry.find_all("a")[-1].attrs["href"]
        assert href == f"../page.en/#{entry.attrs['id']}", href
        assert ids.count(entry.attrs["id"]) == 1, f"{html_path}: no single trace with id {entry.attrs['id']}"
    traced = next(e for e in tree.iter() if e.attrs.get("id") == entries[0].attrs["id"])
    assert traced.tag == "details" and "b-decrypts" in traced.text()
    assert (site / "verification.json").is_file()
    assert (site / "schemas" / "key-policy.schema.json").is_file()


def test_the_links_of_a_line_lead_to_entries_of_the_report(tiny_site: Path) -> None:
    site = _build(tiny_site)
    page = site / "page" / "index.html"
    report_ids = {e.attrs.get("id") for e in parse_html(site / "verification" / "index.html").iter()}
    for line in parse_html(page).find_all("div", "pp-proof"):
        for link in line.find_all("a"):
            target, _, anchor = link.attrs["href"].partition("#")
            assert (page.parent / target / "index.html").resolve() == (site / "verification" / "index.html")
            assert anchor in report_ids, f"{page}: link to missing report entry #{anchor}"


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("<!-- claims: nothing-* -->", "no claim matches 'nothing-*'"),
        ("<!-- flow: b-decrypts -->", "is a single request, not a flow"),
        ("<!-- flow: unknown -->", "<!-- flow: unknown -->: no such claim"),
        ("<!-- verification-report: everything -->", "unknown section"),
    ],
)
def test_a_wrong_marker_fails_the_build_naming_page_and_marker(
    tiny_site: Path, caplog: pytest.LogCaptureFixture, marker: str, message: str
) -> None:
    (tiny_site / "docs" / "page.en.md").write_text(PAGE + f"\n{marker}\n", encoding="utf-8")
    error = _build_error(tiny_site, caplog)
    assert "docs/page.en.md" in error and message in error, error


def test_a_failing_snippet_or_claim_fails_the_build(
    tiny_site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bad = Finding(
        "snippets/sec/page/app.identity-policy.json", 2, 3, "unknown-action", Severity.ERROR, "no such"
    )
    monkeypatch.setattr(
        prover, "_library_check", lambda text, **kw: [bad] if kw["kind"] == "identity" else []
    )
    message = _build_error(tiny_site, caplog)
    # One line, at the source (the snippet, its line and column), naming the pages that show it.
    assert "snippets/sec/page/app.identity-policy.json:2:3: error unknown-action: no such" in message, message
    assert "[shown on docs/page.en.md, docs/page.md]" in message, message

    monkeypatch.setattr(prover, "_library_check", lambda text, **kw: [])
    wrong = _claims()
    wrong[0] = ClaimProof(**{**wrong[0].__dict__, "decision": "ImplicitDeny"})
    monkeypatch.setattr(prover, "_library_prove_claims_file", lambda path, group: GroupProof(wrong))
    message = _build_error(tiny_site, caplog)
    assert "claim 'b-decrypts'" in message and "expected Allow" in message, message


def test_a_missing_report_page_fails_the_build(tiny_site: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tiny_site / "docs" / "verification.en.md").unlink()
    # One language only: the page rules name the cause (the twin to create), once.
    error = _build_error(tiny_site, caplog)
    assert "docs/verification.md:1:1: error missing-twin: no 'en' twin: create verification.en.md" in error, (
        error
    )
    assert "is missing" not in error, error
    # No report page at all: the pages that link to it cannot be built.
    (tiny_site / "docs" / "verification.md").unlink()
    error = _build_error(tiny_site, caplog)
    assert "the verification report page docs/verification" in error and "is missing" in error, error


def test_proofs_off_is_loud_and_only_on_or_off_are_accepted(
    tiny_site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("POLICYPROOF_PROOFS", "off")
    with caplog.at_level(logging.WARNING):
        site = _build(tiny_site)
    assert any("NOT proved" in record.getMessage() for record in caplog.records), caplog.records
    assert not parse_html(site / "page" / "index.html").find_all("div", "pp-proof")
    monkeypatch.setenv("POLICYPROOF_PROOFS", "maybe")
    assert "POLICYPROOF_PROOFS='maybe': use 'on'" in _build_error(tiny_site, caplog)


def test_findings_in_the_report_link_to_the_rule_reference(
    tiny_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tiny_site / "docs" / "reference").mkdir()
    for name in ("rules.md", "rules.en.md"):
        (tiny_site / "docs" / "reference" / name).write_text(
            "# Rules { #rules }\n\n## `some-hint` { #some-hint }\n"
        )
    hint = Finding(
        "snippets/sec/page/key.key-policy.json", 1, 1, "some-hint", Severity.SUGGESTION, "consider"
    )
    monkeypatch.setattr(prover, "_library_check", lambda text, **kw: [hint] if kw["kind"] == "key" else [])
    site = _build(tiny_site)
    report = parse_html(site / "verification.en" / "index.html")
    finding = report.find_all("li", "pp-finding")[0]
    assert finding.attrs["data-code"] == "some-hint"
    href = finding.find_all("a")[0].attrs["href"]
    assert href == "../reference/rules.en/#some-hint", href
    target = (site / "verification.en" / href.split("#")[0] / "index.html").resolve()
    assert 'id="some-hint"' in target.read_text(encoding="utf-8"), f"{target}: no entry for the rule"
    line = parse_html(site / "page.en" / "index.html").find_all("div", "pp-proof")[0]
    assert "1 suggestion" in line.text(), line.text()


SEEN_BY_SEARCH_HOOK = """
import json
from pathlib import Path


def on_page_context(context, page, config, nav):  # runs where the search plugin indexes the page
    if page.file.src_uri == "page.en.md":
        Path("seen.json").write_text(json.dumps(page.content))
    page.content = page.content.replace(">pproof-late-1<", "><") if Path("eat").exists() else page.content
    return context
"""


def test_diagrams_and_traces_skip_the_search_index_yet_reach_the_page(
    tiny_site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tiny_site / "seen_by_search.py").write_text(SEEN_BY_SEARCH_HOOK, encoding="utf-8")
    config = tiny_site / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  - seen_by_search.py\n", encoding="utf-8")
    site = _build(tiny_site)
    seen = json.loads((tiny_site / "seen.json").read_text(encoding="utf-8"))
    # What the search plugin parses: the claims (searchable: the stand-in of each table, its text
    # only), not the diagram, the traces or the table's markup.
    assert "a claim" in seen and 'data-pproof-standin="' in seen, seen
    assert "<svg" not in seen and "<details" not in seen and 'data-claim="' not in seen, seen
    for page in ("page", "page.en", "verification", "verification.en"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert not re.search(r">pproof-(slot|late)-\d+<", html), f"{page}: a placeholder was published"
    written = parse_html(site / "page.en" / "index.html")
    assert written.find_all("figure", "pp-flow")[0].find_all("svg"), "the diagram did not reach the page"
    assert len(written.find_all("tr", "pp-trace-row")) == 5, "traces did not reach the page"
    # A block lost between the search index and the written page fails the build.
    (tiny_site / "eat").write_text("", encoding="utf-8")
    message = _build_error(tiny_site, caplog)
    assert re.search(r"docs/page(\.en)?\.md: .*went missing", message), message


def test_unchanged_pages_take_their_proof_html_from_the_cache(
    tiny_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages' proof HTML is kept beside the proof cache: a build with the same proofs and pages
    renders nothing again and writes the same pages; a changed claim is rendered again."""
    from dataclasses import replace

    from policyproof.site.hooks import proof_render, proof_report

    monkeypatch.setenv("POLICYPROOF_CACHE", "on")
    monkeypatch.setenv("POLICYPROOF_CACHE_DIR", str(tiny_site / "cache"))
    rendered: list[str] = []
    for module, name, label in ((proof_render, "claims_table", "table"), (proof_report, "render", "report")):
        real = getattr(module, name)

        def counted(*args: object, _real: object = real, _label: str = label, **kwargs: object) -> str:
            rendered.append(_label)
            return _real(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(module, name, counted)
    names = ("page", "page.en", "verification", "verification.en")
    first = _build(tiny_site)
    written = {name: (first / name / "index.html").read_text(encoding="utf-8") for name in names}
    assert rendered.count("table") == 4 and rendered.count("report") == 6, rendered
    entries = sorted((tiny_site / "cache").glob("render-v*/*/*.pickle"))
    assert len(entries) == 4, entries  # one per page with proofs
    rendered.clear()
    second = _build(tiny_site)  # the proofs now come from the disk cache
    assert rendered == [], f"rendered again: {rendered}"
    assert {name: (second / name / "index.html").read_text(encoding="utf-8") for name in names} == written
    changed = [replace(claim, text={"vi": "đã đổi", "en": "now changed"}) for claim in _claims()]
    monkeypatch.setattr(prover, "_library_prove_claims_file", lambda path, group: GroupProof(changed))
    (tiny_site / "snippets" / "sec" / "page" / "claims.yaml").write_text("# changed\n", encoding="utf-8")
    third = _build(tiny_site)
    assert "table" in rendered and "report" in rendered
    assert "now changed" in (third / "page.en" / "index.html").read_text(encoding="utf-8")
    assert "now changed" in (third / "verification.en" / "index.html").read_text(encoding="utf-8")
    # Each page's entry is replaced, not added to: the cache does not grow with every edit.
    assert sorted((tiny_site / "cache").glob("render-v*/*/*.pickle")) == entries
