"""Imported headings get explicit ids, the same in both languages, as the site's parity rule asks;
the pages an import writes are checked against the site's rules (twins, inline JSON, snippets)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyproof.hugo import ImportOptions, ImportReport, import_tree
from policyproof.hugo.headings import find_headings, heading_slug
from policyproof.site.page_rules import parity_problems
from policyproof.site.pages import headings

from .hugo_site import build

VI = """---
title: Khoá KMS
weight: 1
---

# Khoá KMS

## Chính sách đọc khoá

Đoạn văn.

```bash
# không phải tiêu đề
## cũng không
```

{{% notice tip %}}
### Mẹo nhỏ
Nội dung.
{{% /notice %}}

## Ví dụ

## Ví dụ khác { #example }

### Đường dẫn `kms:Decrypt` ###

~~~~
# code
~~~~
"""
EN = """---
title: KMS keys
weight: 1
---

# KMS keys

## Key policy for reading {#read-policy}

A paragraph.

```bash
# not a heading
## nor this
```

{{% notice tip %}}
### A small tip
Content.
{{% /notice %}}

## Example

## Example

### Path [`kms:Decrypt`](https://docs.aws.amazon.com/) ###

~~~~
# code
~~~~
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _import(tmp_path: Path, files: dict[str, str], **options: object) -> ImportReport:
    _write(tmp_path / "hugo", files)
    return import_tree(
        ImportOptions(
            source=tmp_path / "hugo/content",
            docs=tmp_path / "docs",
            snippets=tmp_path / "snippets",
            **{"default_lang": "vi", **options},
        )
    )


def _plain(text: str) -> str:
    """The page without the extra anchors that keep Hugo's old ids (``<a id="..."></a>``)."""
    return re.sub(r' <a id="[^"]*"></a>', "", text)


def _ids(path: Path) -> list[tuple[int, str | None]]:
    return [(heading.level, heading.id) for heading in headings(path.read_text(encoding="utf-8"))]


def _site(report: ImportReport, docs: Path) -> set[tuple[str, int, str]]:
    """(docs-relative file, line, rule code) of each site-rule problem."""
    return {
        (Path(problem.file).relative_to(docs).as_posix(), problem.line, problem.text.split(":")[0])
        for problem in report.site_problems
    }


# --- finding headings and making slugs ---------------------------------------------------------


def test_headings_outside_code_with_given_ids_and_closing_hashes() -> None:
    found = find_headings(EN.split("---\n", 2)[2], first_line=5)
    assert [(h.line, h.level, h.title, h.explicit_id) for h in found] == [
        (6, 1, "KMS keys", None),
        (8, 2, "Key policy for reading", "read-policy"),
        (18, 3, "A small tip", None),
        (22, 2, "Example", None),
        (24, 2, "Example", None),
        (26, 3, "Path [`kms:Decrypt`](https://docs.aws.amazon.com/)", None),
    ]


@pytest.mark.parametrize(
    "body",
    [
        "{{< highlight bash >}}\n# comment\n{{< /highlight >}}\n",
        "````md\n```\n# inside a longer fence\n```\n````\n",
        "    # indented code\n",
        "#hashtag is not a heading in Hugo\n",
    ],
    ids=["highlight-shortcode", "nested-fence", "indented-code", "no-space"],
)
def test_code_is_not_a_heading(body: str) -> None:
    assert find_headings(body, 1) == []


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Chính sách đọc khoá", "chinh-sach-doc-khoa"),
        ("ĐƯỜNG DẪN & Quyền", "duong-dan-quyen"),
        ("Path [`kms:Decrypt`](https://docs.aws.amazon.com/)", "path-kms-decrypt"),
        ("2.2.6 Encryption {{< ref x >}} <b>Across</b>", "2-2-6-encryption-across"),
        ("🙂", "section"),
    ],
)
def test_slugs_are_lowercase_ascii_with_vietnamese_marks_folded(title: str, slug: str) -> None:
    assert heading_slug(title) == slug


# --- twins share ids ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    out = tmp_path_factory.mktemp("twins")
    homes = {
        "content/_index.md": "---\ntitle: Trang chủ\n---\n",
        "content/_index.en.md": "---\ntitle: Home\n---\n",
    }
    report = _import(out, {**homes, "content/kms/keys.md": VI, "content/kms/keys.en.md": EN})
    return out, report


def test_paired_headings_get_the_english_ids_in_both_languages(twins: tuple[Path, ImportReport]) -> None:
    out, report = twins
    assert report.exit_code == 0, report.summary()
    expected = [
        (1, "kms-keys"),
        (2, "read-policy"),  # given in English: kept, and given to the Vietnamese heading too
        (2, "example-2"),  # "example" is taken by the id given on the next heading
        (2, "example"),  # given in Vietnamese: kept, and given to the English heading too
        (3, "path-kms-decrypt"),
    ]
    assert _ids(out / "docs/kms/keys.md") == expected, (out / "docs/kms/keys.md").read_text(encoding="utf-8")
    assert _ids(out / "docs/kms/keys.en.md") == expected
    assert report.heading_ids == 2 * 6 - 2  # every heading but the two with an id already
    assert parity_problems(out / "docs") == []


def test_generated_duplicates_get_a_suffix(twins: tuple[Path, ImportReport]) -> None:
    out, _ = twins
    # "## Ví dụ" / "## Example" would be "example", which the given id of the next heading holds.
    vi = _plain((out / "docs/kms/keys.md").read_text(encoding="utf-8"))
    assert "\n## Ví dụ { #example-2 }\n" in vi and "\n## Ví dụ khác { #example }\n" in vi
    assert "\n## Example { #example-2 }\n\n## Example { #example }\n" in _plain(
        (out / "docs/kms/keys.en.md").read_text(encoding="utf-8")
    )


def test_given_ids_kept_and_closing_hashes_dropped(twins: tuple[Path, ImportReport]) -> None:
    out, _ = twins
    en = _plain((out / "docs/kms/keys.en.md").read_text(encoding="utf-8"))
    assert "\n## Key policy for reading {#read-policy}\n" in en  # as the author wrote it
    assert "\n### Path [`kms:Decrypt`](https://docs.aws.amazon.com/) { #path-kms-decrypt }\n" in en
    vi = _plain((out / "docs/kms/keys.md").read_text(encoding="utf-8"))
    assert "\n## Chính sách đọc khoá { #read-policy }\n" in vi
    assert "\n### Đường dẫn `kms:Decrypt` { #path-kms-decrypt }\n" in vi


def test_code_fence_headings_untouched(twins: tuple[Path, ImportReport]) -> None:
    out, _ = twins
    vi = _plain((out / "docs/kms/keys.md").read_text(encoding="utf-8"))
    assert "```bash\n# không phải tiêu đề\n## cũng không\n```" in vi
    assert "~~~~\n# code\n~~~~" in vi


def test_headings_inside_shortcodes_get_ids_and_build(twins: tuple[Path, ImportReport]) -> None:
    out, _ = twins
    assert "!!! tip\n\n    ### Mẹo nhỏ { #a-small-tip }\n" in _plain(
        (out / "docs/kms/keys.md").read_text(encoding="utf-8")
    )
    result = build(out, out / "docs", out / "snippets")
    assert result.returncode == 0, f"mkdocs build --strict of {out}/docs failed:\n{result.stderr}"
    for page in ("site/kms/keys/index.html", "site/en/kms/keys/index.html"):
        html = (out / page).read_text(encoding="utf-8")
        for identifier in (
            "kms-keys",
            "read-policy",
            "example-2",
            "example",
            "a-small-tip",
            "path-kms-decrypt",
        ):
            assert f'id="{identifier}"' in html, f"{page} has no element with id {identifier!r}"


# --- twins that do not pair, conflicting ids ------------------------------------------------------


def test_unpaired_headings_are_translation_work_with_file_and_line(tmp_path: Path) -> None:
    vi = "---\ntitle: A\n---\n\n## Một\n\n### Hai\n\n## Ba\n"
    en = "---\ntitle: A\n---\n\n## One\n\n## Three\n"
    report = _import(tmp_path, {"content/a.md": vi, "content/a.en.md": en})
    work = [m for m in report.translation if "do not pair up" in m.text]
    assert [(m.file, m.line) for m in work] == [(f"{tmp_path}/hugo/content/a.md", 7)], report.summary()
    assert f"{tmp_path}/hugo/content/a.en.md:7" in work[0].text
    # each page falls back to its own titles' slugs, and both are published
    assert _ids(tmp_path / "docs/a.md") == [(2, "mot"), (3, "hai"), (2, "ba")]
    assert _ids(tmp_path / "docs/a.en.md") == [(2, "one"), (2, "three")]
    assert report.site_problems == [] and report.exit_code == 0, report.summary()


def test_different_given_ids_are_translation_work(tmp_path: Path) -> None:
    vi = "---\ntitle: A\n---\n\n## Một {#one}\n"
    en = "---\ntitle: A\n---\n\n## One {#first}\n"
    report = _import(tmp_path, {"content/a.md": vi, "content/a.en.md": en})
    work = [m for m in report.translation if "'#one' differs from '#first'" in m.text]
    assert [(m.file.rsplit("/", 1)[-1], m.line) for m in work] == [("a.md", 5)], report.summary()
    assert report.exit_code == 0


# --- the site's rules on what was written ----------------------------------------------------------


def test_single_language_page_gets_a_marked_copy_in_the_other_language(tmp_path: Path) -> None:
    files = {
        "content/vi-only.md": "---\ntitle: A\n---\n\n## Đường dẫn\n\n## Đường dẫn\n",
        "content/en-only.en.md": "---\ntitle: B\n---\n\n## Paths\n",
    }
    report = _import(tmp_path, files)
    assert report.site_problems == [] and report.exit_code == 0, report.summary()
    assert '!!! warning "Not translated yet"' in (tmp_path / "docs/vi-only.en.md").read_text(encoding="utf-8")
    assert '!!! warning "Chưa dịch"' in (tmp_path / "docs/en-only.md").read_text(encoding="utf-8")
    assert sum("no 'en' version" in m.text or "no 'vi' version" in m.text for m in report.translation) == 2
    assert _ids(tmp_path / "docs/vi-only.md") == [(2, "duong-dan"), (2, "duong-dan-2")]


def test_only_the_pages_of_this_import_are_checked(tmp_path: Path) -> None:
    _write(tmp_path, {"docs/hand-written.md": "# No twin, no id\n"})
    report = _import(
        tmp_path, {"content/a.md": "---\ntitle: A\n---\nx\n", "content/a.en.md": "---\ntitle: A\n---\nx\n"}
    )
    assert report.exit_code == 0, report.summary()


def test_a_twin_already_in_the_site_is_compared(tmp_path: Path) -> None:
    _write(tmp_path, {"docs/a.en.md": "---\ntitle: A\n---\n\n## One { #other }\n"})
    report = _import(tmp_path, {"content/a.md": "---\ntitle: A\n---\n\n## Một\n"})
    # the import made its own English copy, which differs from the page already there: not overwritten
    assert any("already exists" in m.text for m in report.problems), report.summary()


def test_sample_json_is_kept_inline_with_the_marker(tmp_path: Path) -> None:
    page = '---\ntitle: A\n---\n\n```json\n{"Records": []}\n```\n'
    report = _import(tmp_path, {"content/a.md": page, "content/a.en.md": page})
    assert report.site_problems == [], report.summary()
    written = (tmp_path / "docs/a.md").read_text(encoding="utf-8")
    assert '<!-- policyproof: not-a-policy -->\n```json\n{"Records": []}\n```' in written


POLICY_PAGE = '---\ntitle: C\n---\n\n```json\n{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}\n```\n'


def test_dry_run_checks_the_same_without_writing(tmp_path: Path) -> None:
    files = {
        "content/c.md": POLICY_PAGE,
        "content/c.en.md": POLICY_PAGE.replace("title: C", "title: C en"),
    }
    dry = _import(tmp_path, files, dry_run=True)
    assert not (tmp_path / "docs").exists() and not (tmp_path / "snippets").exists()
    real = _import(tmp_path, files)
    assert (dry.snippets, dry.exit_code, dry.site_problems) == (
        real.snippets,
        real.exit_code,
        real.site_problems,
    )
    assert [p.name for p in (tmp_path / "snippets").rglob("*.json")] == ["s3.identity-policy.json"]
