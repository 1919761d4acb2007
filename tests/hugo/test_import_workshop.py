"""Import the fixture workshop (tests/hugo/fixtures/workshop): every shortcode, both languages,
nested sections, images, URL-style links, policies; then build it with the site's config."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policyproof.hugo import ImportOptions, ImportReport, import_tree
from policyproof.hugo.policies import parse_strict
from policyproof.site.page_rules import inline_json_problems, parity_problems, snippet_usage_problems
from policyproof.site.pages import headings

from .hugo_site import build

FIXTURE = Path(__file__).parent / "fixtures" / "workshop"
SNIPPET_INCLUDE = re.compile(r'--8<-- "([^"]+)"')


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    out = tmp_path_factory.mktemp("workshop")
    report = import_tree(
        ImportOptions(source=FIXTURE / "content", docs=out / "docs", snippets=out / "snippets")
    )
    return out, report


def _page(out: Path, name: str) -> str:
    return (out / "docs" / name).read_text(encoding="utf-8")


def test_summary_counts(imported: tuple[Path, ImportReport]) -> None:
    _, report = imported
    assert report.exit_code == 0, report.summary()
    assert dict(report.pages) == {"vi": 7, "en": 7}
    assert report.snippets == 3  # each policy once, shared by both languages
    assert report.shortcodes["notice"] == 10 and report.shortcodes["expand"] == 2
    assert report.shortcodes["tabs"] == 2 and report.shortcodes["tab"] == 4
    assert report.shortcodes["children"] == 8
    assert report.shortcodes["ref"] == 2 and report.shortcodes["relref"] == 2
    assert [note.text for note in report.notes if "tags" in note.text], report.summary()
    assert all(note.line == 6 for note in report.notes if "'tags'" in note.text), report.notes


def test_result_passes_the_site_rules(imported: tuple[Path, ImportReport]) -> None:
    out, report = imported
    assert report.site_problems == [], report.summary()
    problems = [
        *parity_problems(out / "docs"),
        *inline_json_problems(out / "docs"),
        *snippet_usage_problems(out / "docs", out / "snippets"),
    ]
    assert problems == [], "\n".join(problem.format() for problem in problems)
    # the English titles name both languages' sections
    for name in ("2-kms/2.1-keys/2.1.1-key-policy.md", "2-kms/2.1-keys/2.1.1-key-policy.en.md"):
        assert [h.id for h in headings(_page(out, name))] == ["default-key-policy"], name
    assert [h.id for h in headings(_page(out, "1-iam/index.md"))] == ["chapter-1", "iam"]


def test_languages_and_index_pages_map_to_suffix_layout(imported: tuple[Path, ImportReport]) -> None:
    out, _ = imported
    pages = sorted(path.relative_to(out / "docs").as_posix() for path in (out / "docs").rglob("*.md"))
    assert pages == [
        "1-iam/1.1-users.en.md",
        "1-iam/1.1-users.md",
        "1-iam/1.2-roles.en.md",
        "1-iam/1.2-roles.md",
        "1-iam/index.en.md",
        "1-iam/index.md",
        "2-kms/2.1-keys/2.1.1-key-policy.en.md",
        "2-kms/2.1-keys/2.1.1-key-policy.md",
        "2-kms/2.1-keys/index.en.md",
        "2-kms/2.1-keys/index.md",
        "2-kms/index.en.md",
        "2-kms/index.md",
        "index.en.md",
        "index.md",
    ]
    assert "title: 1.1 Người dùng IAM" in _page(out, "1-iam/1.1-users.md")
    assert "title: 1.1 IAM users" in _page(out, "1-iam/1.1-users.en.md")


def test_front_matter_kept_dropped_and_toml_converted(imported: tuple[Path, ImportReport]) -> None:
    out, _ = imported
    users = _page(out, "1-iam/1.1-users.md")
    assert users.startswith(
        "---\ntitle: 1.1 Người dùng IAM\nweight: 2\ndate: 2025-02-11\ntags:\n- iam\n- users\n---\n"
    )
    assert "pre:" not in users and "chapter:" not in _page(out, "1-iam/index.md")
    # the home page had TOML front matter
    assert _page(out, "index.md").startswith("---\ntitle: Ghi chú bảo mật AWS\nweight: 1\n---\n")


def test_every_shortcode_converted(imported: tuple[Path, ImportReport]) -> None:
    out, _ = imported
    users = _page(out, "1-iam/1.1-users.md")
    for expected in (
        "!!! note\n\n    Một IAM user",
        "!!! tip\n\n    Dùng role",
        '!!! info "Lưu ý về MFA"\n\n    Bật MFA',
        "!!! warning\n\n    Không chia sẻ",
        '??? note "Xem policy mẫu"\n\n    **Cho phép đọc bucket:**\n\n    ```json\n    --8<-- "',
        '=== "AWS CLI"\n\n    ```bash\n    aws iam list-users\n    ```\n\n=== "Python"',
        "[trang vai trò](1.2-roles.md)",
        "[khoá](../2-kms/2.1-keys/2.1.1-key-policy.md)",
    ):
        assert expected in users, f"1-iam/1.1-users.md lacks {expected!r}:\n{users}"
    assert "!!! danger\n\n    Đừng xoá" in _page(out, "2-kms/2.1-keys/2.1.1-key-policy.md")
    for path in (out / "docs").rglob("*.md"):
        assert "{{" not in path.read_text(encoding="utf-8"), f"{path}: a shortcode is left"


def test_children_lists_follow_weight_then_title(imported: tuple[Path, ImportReport]) -> None:
    out, _ = imported
    assert _page(out, "index.en.md").endswith(
        "Chapters:\n\n- [2. KMS](2-kms/index.md)\n    - [2.1 KMS keys](2-kms/2.1-keys/index.md)\n"
        "- [1. IAM](1-iam/index.md)\n    - [1.2 IAM roles](1-iam/1.2-roles.md)\n"
        "    - [1.1 IAM users](1-iam/1.1-users.md)\n"
    )
    assert _page(out, "1-iam/index.md").endswith(
        "- [1.2 Vai trò IAM](1.2-roles.md)\n- [1.1 Người dùng IAM](1.1-users.md)\n"
    )


def test_url_style_links_and_images(imported: tuple[Path, ImportReport]) -> None:
    out, _ = imported
    users_vi, users_en = _page(out, "1-iam/1.1-users.md"), _page(out, "1-iam/1.1-users.en.md")
    assert "[vai trò](1.2-roles.md) và [KMS](../2-kms/index.md)" in users_vi
    assert "[roles](1.2-roles.md) and [KMS](../2-kms/index.md)" in users_en  # '/en/2-kms/' too
    assert "![Sơ đồ người dùng](../images/iam/users.png)" in users_vi
    original = (FIXTURE / "static/images/iam/users.png").read_bytes()
    # stored once, where Hugo served it; the English page reaches it out of /en/ with HTML
    # (the English build has no untagged files: fallback_to_default is false)
    assert (out / "docs/images/iam/users.png").read_bytes() == original
    assert [path.name for path in (out / "docs").rglob("*.png")] == ["users.png"]
    assert '<img src="../../../images/iam/users.png" alt="User diagram">' in users_en


def test_policies_extracted_as_whole_documents(imported: tuple[Path, ImportReport]) -> None:
    out, _ = imported
    snippets = sorted(
        path.relative_to(out / "snippets").as_posix() for path in (out / "snippets").rglob("*.json")
    )
    assert snippets == [
        "1-iam/1.1-users/s3-getobject.identity-policy.json",
        "1-iam/1.2-roles/sts-assumerole.trust-policy.json",
        "2-kms/2.1-keys/2.1.1-key-policy/enable-iam-policies.key-policy.json",
    ]
    for name in snippets:
        document = parse_strict((out / "snippets" / name).read_text(encoding="utf-8"))
        assert document["Version"] == "2012-10-17", name
        assert isinstance(document["Statement"], list), name
    for vi_page in ("1-iam/1.1-users.md", "1-iam/1.2-roles.md", "2-kms/2.1-keys/2.1.1-key-policy.md"):
        en_page = vi_page.replace(".md", ".en.md")
        included = SNIPPET_INCLUDE.findall(_page(out, vi_page))
        assert included and included == SNIPPET_INCLUDE.findall(_page(out, en_page)), vi_page
        assert '"Effect"' not in _page(out, vi_page), f"{vi_page}: a policy is still inline"
    trust = json.loads((out / "snippets" / snippets[1]).read_text(encoding="utf-8"))
    assert trust["Statement"][0]["Action"] == "sts:AssumeRole"


def _nav_titles(html: str) -> list[str]:
    primary = html[html.index("md-nav--primary") :]
    primary = primary[: primary.find("md-nav--secondary")] if "md-nav--secondary" in primary else primary
    return [
        re.sub(r"\s+", " ", title).strip()
        for title in re.findall(r'<span class="md-ellipsis">(.*?)</span>', primary, re.S)
    ]


def test_builds_strict_with_weight_ordered_nav_in_both_languages(imported: tuple[Path, ImportReport]) -> None:
    out, _ = imported
    result = build(out, out / "docs", out / "snippets")
    assert result.returncode == 0, f"mkdocs build --strict of {out}/docs failed:\n{result.stderr}"
    vi = _nav_titles((out / "site/index.html").read_text(encoding="utf-8"))
    en = _nav_titles((out / "site/en/index.html").read_text(encoding="utf-8"))
    # File names sort 1-iam before 2-kms and 1.1 before 1.2; the weights say the opposite.
    assert vi == [
        "Ghi chú bảo mật AWS",
        "2. KMS",
        "2.1 Khoá KMS",
        "2.1.1 Key policy",
        "1. IAM",
        "1.2 Vai trò IAM",
        "1.1 Người dùng IAM",
    ], vi
    assert en == [
        "AWS security notes",
        "2. KMS",
        "2.1 KMS keys",
        "2.1.1 Key policy",
        "1. IAM",
        "1.2 IAM roles",
        "1.1 IAM users",
    ], en
    page = (out / "site/1-iam/1.1-users/index.html").read_text(encoding="utf-8")
    assert 'class="admonition tip"' in page and "<details" in page and "tabbed-set" in page
    assert '"Resource": "arn:aws:s3:::example-bucket/*"' in re.sub(r"<[^>]+>", "", page).replace(
        "&quot;", '"'
    )
    assert (out / "site/images/iam/users.png").is_file()
    english = (out / "site/en/1-iam/1.1-users/index.html").read_text(encoding="utf-8")
    [src] = re.findall(r'<img src="([^"]+)" alt="User diagram"', english)
    assert (out / "site/en/1-iam/1.1-users" / src).resolve() == (out / "site/images/iam/users.png").resolve()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    options = ImportOptions(
        source=FIXTURE / "content", docs=tmp_path / "docs", snippets=tmp_path / "snippets"
    )
    first = import_tree(options)
    before = _snapshot(tmp_path)
    second = import_tree(options)
    assert _snapshot(tmp_path) == before
    assert (second.files_written, second.files_unchanged) == (0, first.files_written)
    assert second.exit_code == 0, second.summary()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    options = ImportOptions(
        source=FIXTURE / "content", docs=tmp_path / "docs", snippets=tmp_path / "snippets", dry_run=True
    )
    report = import_tree(options)
    assert report.files_written > 0 and list(tmp_path.iterdir()) == []
    assert "dry run" in report.summary()
