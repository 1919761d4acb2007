"""What the importer cannot convert is reported with file, line and a fix and left visible; source
defects never block the rest (``--strict-source`` makes them fail); checker errors and files it
may not overwrite fail the run; bad input is one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyproof.cli import main
from policyproof.hugo import ImportOptions, ImportReport, import_tree

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf50000003010100c9fe92ef0000000049454e44ae426082"
)


def _tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root / "content"


def _import(tmp_path: Path, files: dict[str, str | bytes], **options: object) -> ImportReport:
    source = _tree(tmp_path / "hugo", files)
    return import_tree(
        ImportOptions(
            source=source,
            docs=tmp_path / "docs",
            snippets=tmp_path / "snippets",
            **{"default_lang": "vi", **options},
        )
    )


def test_unknown_shortcode_is_reported_and_left_visible(tmp_path: Path) -> None:
    page = "---\ntitle: A\n---\n\nWatch:\n\n{{< youtube abc123 >}}\n\n{{% vimeo 42 %}}\n"
    report = _import(tmp_path, {"content/a.md": page, "content/a.en.md": page})
    assert report.exit_code == 0, report.summary()  # a source defect: listed, never blocking
    located = {(d.file.rsplit("/", 1)[-1], d.line) for d in report.defects}
    assert located == {("a.md", 7), ("a.md", 9), ("a.en.md", 7), ("a.en.md", 9)}, report.summary()
    written = (tmp_path / "docs/a.md").read_text(encoding="utf-8")
    assert "{{< youtube abc123 >}}" in written and "{{% vimeo 42 %}}" in written
    assert "a.md:7: shortcode '{{< youtube abc123 >}}'" in report.summary()
    assert (
        _import(
            tmp_path / "strict", {"content/a.md": page, "content/a.en.md": page}, strict_source=True
        ).exit_code
        == 1
    )


def test_broken_links_and_missing_images_are_shown_and_reported(tmp_path: Path) -> None:
    page = "---\ntitle: A\n---\n\n[gone](/nowhere/)\n\n![x](/images/missing.png)\n"
    report = _import(tmp_path, {"content/a.md": page, "content/a.en.md": page})
    messages = {(d.file.rsplit("/", 1)[-1], d.line): d for d in report.defects}
    assert "matches no imported page" in messages[("a.md", 5)].text and messages[("a.md", 5)].fix
    assert "not found" in messages[("a.md", 7)].text
    written = (tmp_path / "docs/a.md").read_text(encoding="utf-8")
    assert "\ngone\n" in written and "*⚠ [ảnh bị thiếu: x]*" in written
    assert "*⚠ [image missing: x]*" in (tmp_path / "docs/a.en.md").read_text(encoding="utf-8")
    assert report.exit_code == 0


def test_policy_like_json_that_is_not_json_is_shown_as_text(tmp_path: Path) -> None:
    page = '---\ntitle: A\n---\n\n```json\n{\n  "Effect": "Allow",\n  "Action": s3:*\n}\n```\n'
    report = _import(tmp_path, {"content/a.md": page, "content/a.en.md": page})
    assert [(d.line, "not strict JSON" in d.text) for d in report.defects if d.file.endswith("a.md")] == [
        (8, True)
    ]
    written = (tmp_path / "docs/a.md").read_text(encoding="utf-8")
    assert '```text\n{\n  "Effect": "Allow"' in written
    assert report.site_problems == [], report.summary()


def test_trailing_commas_and_comments_are_removed_from_the_snippet(tmp_path: Path) -> None:
    page = (
        '---\ntitle: A\n---\n\n```json\n{\n  "Effect": "Allow", // read\n  "Action": "s3:GetObject",\n'
        '  "Resource": "arn:aws:s3:::b/*",\n}\n```\n'
    )
    report = _import(tmp_path, {"content/a.md": page, "content/a.en.md": page})
    [snippet] = (tmp_path / "snippets").rglob("*.json")
    assert snippet.name == "s3-getobject.identity-policy.json"
    [defect] = [d for d in report.defects if d.file.endswith("a.md")]
    assert "comments and trailing commas, which AWS rejects" in defect.text and defect.line == 7
    assert report.exit_code == 0, report.summary()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: A\n---\n\n{{% notice tip %}}\nnever closed\n", 5, "never closed"),
        ("---\ntitle: [A\n---\nbody\n", 3, "bad YAML front matter"),
        ('+++\ntitle = "A\n+++\n', 2, "bad TOML front matter"),
        (b"---\ntitle: A\n---\n\xff\xfe bad bytes\n", 1, "not UTF-8"),
    ],
)
def test_malformed_page_is_a_defect_with_file_and_line(
    tmp_path: Path, text: str | bytes, line: int, words: str
) -> None:
    report = _import(tmp_path, {"content/sec/bad.md": text, "content/good.md": "---\ntitle: G\n---\nok\n"})
    [defect] = [d for d in report.defects if d.file.endswith("content/sec/bad.md")]
    assert defect.line == line and words in defect.text and defect.fix, defect
    assert (tmp_path / "docs/good.md").is_file()  # the rest is still imported
    assert report.exit_code == 0
    assert _import(tmp_path / "strict", {"content/sec/bad.md": text}, strict_source=True).exit_code == 1


def test_cli_prints_one_line_defects_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _tree(tmp_path / "hugo", {"content/x.md": "---\ntitle: A\n---\n{{< tabs >}}\n"})
    code = main(
        [
            "import-hugo",
            str(source),
            "--docs",
            str(tmp_path / "docs"),
            "--snippets",
            str(tmp_path / "s"),
            "--default-lang",
            "vi",
            "--mkdocs-config",
            str(tmp_path / "none.yml"),
        ]
    )
    out = capsys.readouterr()
    assert code == 0
    assert f"{source}/x.md:4: '{{{{< tabs >}}}}' is never closed" in out.out
    assert "Traceback" not in out.out + out.err


def test_cli_missing_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-hugo", str(tmp_path / "nope"), "--dry-run"]) == 2
    assert "no such file or folder" in capsys.readouterr().out


def test_default_language_en_maps_untagged_pages_to_english(tmp_path: Path) -> None:
    files = {
        "content/_index.md": "---\ntitle: Home\n---\nHello\n",
        "content/_index.vi.md": "---\ntitle: Trang chủ\n---\nXin chào\n",
        "content/s/p.md": "---\ntitle: Page\n---\nEnglish\n",
        "content/s/p.vi.md": "---\ntitle: Trang\n---\nTiếng Việt\n",
        "content/s/p.fr.md": "---\ntitle: Page\n---\nFrançais\n",
    }
    report = _import(tmp_path, files, default_lang="en")
    assert (tmp_path / "docs/index.en.md").read_text(encoding="utf-8").endswith("Hello\n")
    assert (tmp_path / "docs/index.md").read_text(encoding="utf-8").endswith("Xin chào\n")
    assert (tmp_path / "docs/s/p.en.md").read_text(encoding="utf-8").endswith("English\n")
    assert (tmp_path / "docs/s/p.md").read_text(encoding="utf-8").endswith("Tiếng Việt\n")
    assert [note.text for note in report.notes if "'fr'" in note.text] == [
        "language 'fr' is not one of this site's (vi, en); page skipped"
    ]


def test_same_page_twice_in_one_language_is_reported(tmp_path: Path) -> None:
    files = {"content/p.md": "---\ntitle: A\n---\n", "content/p.vi.md": "---\ntitle: B\n---\n"}
    report = _import(tmp_path, files)
    assert [d.fix for d in report.defects if "same page and language" in d.text] == [
        "merge the two files, or tag one with its language (page.vi.md)"
    ]


def test_existing_different_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/a.md").write_text("hand-written\n", encoding="utf-8")
    files = {"content/a.md": "---\ntitle: A\n---\nnew\n", "content/a.en.md": "---\ntitle: A\n---\nnew en\n"}
    report = _import(tmp_path, files)
    assert report.exit_code == 1 and "--force" in report.problems[0].text
    assert (tmp_path / "docs/a.md").read_text(encoding="utf-8") == "hand-written\n"
    forced = _import(tmp_path, files, force=True)
    assert forced.exit_code == 0, forced.summary()
    assert (tmp_path / "docs/a.md").read_text(encoding="utf-8").endswith("new\n")


def test_drafts_are_skipped_with_a_note(tmp_path: Path) -> None:
    report = _import(tmp_path, {"content/d.md": "---\ntitle: D\ndraft: true\n---\n"})
    assert report.exit_code == 0 and not (tmp_path / "docs/d.md").exists()
    assert "draft" in report.notes[0].text


def test_checker_errors_on_extracted_policies_change_the_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (
        '---\ntitle: A\n---\n\n```json\n{"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}\n```\n'
    )
    source = _tree(tmp_path / "hugo", {"content/a.md": page, "content/a.en.md": page})
    code = main(
        ["import-hugo", str(source), "--docs", str(tmp_path / "docs"), "--snippets", str(tmp_path / "s")]
        + ["--default-lang", "vi", "--mkdocs-config", str(tmp_path / "none.yml")]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "s3-getobjekt.identity-policy.json:6:17: error unknown-action" in out
        and 'did you mean "s3:GetObject"' in out
    )
    assert "- fix 1 checker error(s) in the extracted policies" in out


def test_decomposed_accents_in_file_names_and_regional_language_codes(tmp_path: Path) -> None:
    """A tree written on macOS (NFD names) linked in NFC text; languages named vi-VN / en-US."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "sơ-đồ.png")
    page = "---\ntitle: A\n---\n\n![Sơ đồ](/images/sơ-đồ.png)\n"
    report = _import(
        tmp_path,
        {
            "config.toml": 'defaultContentLanguage = "vi-VN"\n[languages.vi-VN]\n[languages.en-US]\n',
            "content/a.md": page,
            "content/a.en-US.md": page,
            f"static/images/{decomposed}": PNG,
        },
        default_lang=None,
    )
    assert dict(report.pages) == {"vi": 1, "en": 1}, report.summary()
    assert report.defects == [], report.summary()
    assert "*⚠" not in (tmp_path / "docs/a.md").read_text(encoding="utf-8")


def test_cli_refuses_a_snippets_folder_outside_the_sites_base_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "mkdocs.yml").write_text(
        "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: [snippets]\n", encoding="utf-8"
    )
    source = _tree(tmp_path / "hugo", {"content/a.md": "---\ntitle: A\n---\nx\n"})
    monkeypatch.chdir(site)
    assert main(["import-hugo", str(source), "--snippets", str(tmp_path / "elsewhere")]) == 2
    out = capsys.readouterr().out
    assert "the snippets folder is outside mkdocs.yml's snippets base_path" in out and "Traceback" not in out
