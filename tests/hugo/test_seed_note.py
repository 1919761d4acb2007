"""The original Hugo note (../shared/seeds) imports to a page that builds with --strict."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from policyproof.check.checker import check_text
from policyproof.check.document import parse_json
from policyproof.check.findings import Severity
from policyproof.hugo import ImportOptions, ImportReport, import_tree

from .hugo_site import build

# A byte-for-byte copy of ../shared/seeds/000_78773a2d6c4f0eac.txt, so the test runs anywhere.
SEED = Path(__file__).parent / "fixtures" / "seed" / "cross-account-encryption.md"
PAGE = "kms/cross-account-encryption"
EXPECTED_SNIPPETS = [
    f"{PAGE}/kms-decrypt-describekey.identity-policy.json",
    f"{PAGE}/kms-decrypt-describekey.key-policy.json",
]


def _hugo_tree(root: Path) -> Path:
    page = root / "content" / f"{PAGE}.md"
    page.parent.mkdir(parents=True)
    shutil.copyfile(SEED, page)
    return page


def _home_pages(docs: Path) -> None:
    (docs / "index.md").write_text(
        "---\ntitle: Trang chủ\n---\n\n[KMS](kms/cross-account-encryption.md)\n", encoding="utf-8"
    )
    (docs / "index.en.md").write_text("---\ntitle: Home\n---\n\nNotes.\n", encoding="utf-8")


def _assert_converted_but_twin_missing(report: ImportReport, docs: Path) -> None:
    """The seed has one language: all of it converts, and its English twin is a marked copy
    listed as translation work."""
    assert report.problems == [] and report.errors == [] and report.site_problems == [], report.summary()
    assert [m.text for m in report.translation] == [
        "no 'en' version: published a copy of this page with a 'not translated' banner"
    ]
    assert '!!! warning "Not translated yet"' in (docs / f"{PAGE}.en.md").read_text(encoding="utf-8")
    assert report.exit_code == 0


@pytest.fixture(scope="module")
def seed_import(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed")
    page = _hugo_tree(out / "hugo")
    report = import_tree(
        ImportOptions(source=page.parents[1], docs=out / "docs", snippets=out / "snippets", default_lang="vi")
    )
    _assert_converted_but_twin_missing(report, out / "docs")
    assert (report.snippets, dict(report.shortcodes), report.heading_ids) == (2, {"notice": 2}, 12)
    return out


def test_seed_page_converted(seed_import: Path) -> None:
    text = re.sub(
        r' <a id="[^"]*"></a>', "", (seed_import / "docs" / f"{PAGE}.md").read_text(encoding="utf-8")
    )
    assert text.startswith(
        "---\ntitle: 2.2.6 Encryption Across Account Boundaries\nweight: 6\ndate: 2025-02-11\n---\n"
    )
    assert "{{" not in text
    assert "!!! tip\n\n    **Exam Tip:** Cross-account encryption = Customer Managed Key only." in text
    for name in EXPECTED_SNIPPETS:
        assert f'```json\n--8<-- "{name}"\n```' in text, f"{PAGE}.md does not include {name}"
    assert text.index("key-policy.json") < text.index("identity-policy.json")  # the page's order
    assert '"Effect"' not in text
    assert "\n## Encryption Across Account Boundaries { #encryption-across-account-boundaries }\n" in text
    assert "\n### Key Types & Cross-Account { #key-types-cross-account }\n" in text


def test_seed_snippets_are_strict_whole_policies_the_checker_accepts(seed_import: Path) -> None:
    found = sorted(
        path.relative_to(seed_import / "snippets").as_posix()
        for path in (seed_import / "snippets").rglob("*.json")
    )
    assert found == EXPECTED_SNIPPETS
    for name in found:
        path = seed_import / "snippets" / name
        text = path.read_text(encoding="utf-8")
        document = parse_json(text, str(path)).to_python()
        assert document["Version"] == "2012-10-17" and len(document["Statement"]) == 1, name
        errors = [f.format() for f in check_text(text, file=str(path)) if f.severity == Severity.ERROR]
        assert errors == [], errors


def test_seed_page_builds_strict(seed_import: Path) -> None:
    _home_pages(seed_import / "docs")
    result = build(seed_import, seed_import / "docs", seed_import / "snippets")
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    html = (seed_import / "site" / PAGE / "index.html").read_text(encoding="utf-8")
    assert "kms:GenerateDataKey" in html and 'class="admonition tip"' in html


def test_single_file_source_gives_the_same_result(seed_import: Path, tmp_path: Path) -> None:
    page = _hugo_tree(tmp_path / "hugo")
    report = import_tree(
        ImportOptions(source=page, docs=tmp_path / "docs", snippets=tmp_path / "snippets", default_lang="vi")
    )
    _assert_converted_but_twin_missing(report, tmp_path / "docs")
    produced = (tmp_path / "docs" / f"{PAGE}.md").read_text(encoding="utf-8")
    assert produced == (seed_import / "docs" / f"{PAGE}.md").read_text(encoding="utf-8")
    for name in EXPECTED_SNIPPETS:
        assert (tmp_path / "snippets" / name).read_bytes() == (seed_import / "snippets" / name).read_bytes()
