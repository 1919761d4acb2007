"""The reader-facing build hooks, without a browser: accent folding, per-language search indexes,
404 pages per language, language links, and the "last updated" date."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from policyproof.site.hooks.language_links import drop_hreflang_links, mark_switcher_languages
from policyproof.site.hooks.last_changed import format_last_changed, included_snippets, last_changed
from policyproof.site.hooks.search_fold import (
    fold,
    other_tone_placement,
    point_base_at_language_root,
    searchable_variants,
    split_and_fold_index,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Điều kiện", "Dieu kien"),
        ("khoá", "khoa"),
        ("Mã hoá xuyên account", "Ma hoa xuyen account"),
        ("đường ĐI", "duong DI"),
        ("thuỷ, Nguyễn, ưu tiên", "thuy, Nguyen, uu tien"),
        ("kho\u0301a", "khoa"),  # decomposed input folds the same as composed
        ("key policy", "key policy"),
    ],
)
def test_fold_strips_vietnamese_diacritics(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("khoá", "khóa"), ("khóa", "khoá"), ("hoà", "hòa"), ("Hòa", "Hoà"), ("thuỷ", "thủy"),
        ("loè", "lòe"), ("quý", None), ("toàn", None), ("hoặc", None), ("khoa", None), ("key", None),
    ],
)
def test_other_tone_placement(word: str, other: str | None) -> None:
    assert other_tone_placement(word) == other


def test_searchable_variants_only_for_text_with_diacritics() -> None:
    assert searchable_variants("Cross-account KMS access") is None
    assert searchable_variants("Mã hoá") == "Ma hoa hóa"
    # Only changed words, every occurrence: no markup, no code, no unaccented word twice.
    assert searchable_variants("<p>Key policy <code>kms:Decrypt</code> khoá, khoá</p>") == (
        "khoa khóa khoa khóa"
    )


def _index() -> dict[str, object]:
    return {
        "config": {"lang": ["vi"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"],
                   "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}},
        "docs": [
            {"location": "", "title": "Ghi chú", "text": "<p>Điều kiện</p>"},
            {"location": "kms/#x", "title": "Key policy", "text": "same text"},
            {"location": "en/", "title": "Notes", "text": "<p>Conditions</p>"},
            {"location": "en/kms/#x", "title": "Key policy", "text": "same text"},
        ],
    }


def test_split_gives_each_language_its_own_entries_relative_to_its_root() -> None:
    split = split_and_fold_index(_index(), {"vi": "", "en": "en/"})
    assert [entry["location"] for entry in split["vi"]["docs"]] == ["", "kms/#x"]
    assert [entry["location"] for entry in split["en"]["docs"]] == ["", "kms/#x"]
    assert split["vi"]["docs"][0]["title_folded"] == "chu"  # "Ghi" has no accent
    assert split["vi"]["docs"][0]["text_folded"] == "Dieu kien"
    assert "title_folded" not in split["en"]["docs"][0]  # nothing to fold in English
    assert split["vi"]["config"]["fields"]["title_folded"] == {"boost": 1000.0}
    assert split["vi"]["config"]["lang"] == ["vi", "en"] and split["en"]["config"]["lang"] == ["en"]


_CONFIG_HTML = (
    '<head><script id="__config" type="application/json">{"base": "../..", "search": "x.js",'
    ' "translations": {"clipboard.copy": "Copy \\u003ccode\\u003e"}}</script></head>'
)


@pytest.mark.parametrize(("base", "expected"), [("../..", "../../en/"), ("/", "/en/"), ("..", "../en/")])
def test_non_default_language_pages_point_material_at_their_root(base: str, expected: str) -> None:
    html = _CONFIG_HTML.replace('"base": "../.."', f'"base": "{base}"')
    rewritten = point_base_at_language_root(html, "en/")
    settings = json.loads(rewritten.split('json">')[1].split("</script>")[0])
    assert settings["base"] == expected
    assert "<code>" not in rewritten and settings["translations"]["clipboard.copy"] == "Copy <code>"
    assert point_base_at_language_root(html, "") == html


def test_hreflang_links_leave_the_head_but_not_the_body() -> None:
    html = (
        '<head>\n  <link rel="alternate" href="/" hreflang="vi">\n'
        '  <link rel="alternate" type="application/rss+xml" href="feed.xml">\n</head>'
        '<body><a href="/en/" hreflang="en" class="md-select__link">English</a></body>'
    )
    result = drop_hreflang_links(html)
    assert 'hreflang="vi"' not in result
    assert "application/rss+xml" in result and 'class="md-select__link"' in result


def test_language_menu_entries_carry_their_language_and_the_current_one_is_marked() -> None:
    html = (
        '<html lang="vi"><body><a href="/" hreflang="vi" class="md-select__link">Tiếng Việt</a>'
        '<a href="/en/" hreflang="en" class="md-select__link">English</a></body></html>'
    )
    result = mark_switcher_languages(html)
    assert '<a href="/en/" hreflang="en" lang="en" class="md-select__link">English</a>' in result
    assert '<a href="/" hreflang="vi" lang="vi" aria-current="true" class="md-select__link">' in result


def test_mkdocs_serve_answers_a_missing_english_page_with_the_english_404(tmp_path: Path) -> None:
    from policyproof.site.hooks import not_found_pages

    (tmp_path / "en").mkdir()
    (tmp_path / "404.html").write_text("vi 404", encoding="utf-8")
    (tmp_path / "en" / "404.html").write_text("en 404", encoding="utf-8")

    class FakeServer:  # what mkdocs.livereload.LiveReloadServer offers the hook
        mount_path = "/"

        def _serve_request(self, environ: dict, start_response: object) -> None:
            return None  # nothing found: the server then asks error_handler for the page

        def error_handler(self, code: int) -> bytes:
            return (tmp_path / "404.html").read_bytes()

        def request(self, path: str) -> bytes:
            assert self._serve_request({"PATH_INFO": path}, None) is None
            return self.error_handler(404)

    config = SimpleNamespace(
        site_dir=str(tmp_path),
        plugins={"i18n": SimpleNamespace(default_language="vi", build_languages=["vi", "en"])},
        theme={"language": "vi"},
    )
    server = not_found_pages.on_serve(FakeServer(), config, builder=None)  # type: ignore[arg-type]
    assert server.request("/en/kms/missing/") == b"en 404"
    assert server.request("/kms/missing/") == b"vi 404"
    assert server.request("/english-is-not-a-folder/") == b"vi 404"


def test_built_site_has_one_search_index_and_one_404_page_per_language(built_site: Path) -> None:
    vi_index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    en_index = json.loads((built_site / "en" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert vi_index["docs"] and en_index["docs"]
    leaked = [entry["location"] for entry in vi_index["docs"] if entry["location"].startswith("en/")]
    assert not leaked, f"{built_site}/search/search_index.json holds English entries: {leaked}"
    assert any("title_folded" in entry for entry in vi_index["docs"]), "no folded Vietnamese entry"
    vi_404 = (built_site / "404.html").read_text(encoding="utf-8")
    en_404 = (built_site / "en" / "404.html").read_text(encoding="utf-8")
    assert '<html lang="vi"' in vi_404 and "Không tìm thấy trang" in vi_404
    assert '<html lang="en"' in en_404 and "Page not found" in en_404
    head = (built_site / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert "hreflang" not in head, f"{built_site}/index.html: <link hreflang> left in the head"


def test_last_changed_in_each_language() -> None:
    date = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    assert format_last_changed(date, "vi") == "Cập nhật lần cuối: ngày 5 tháng 3 năm 2026"
    assert format_last_changed(date, "en") == "Last updated: 5 March 2026"


def _git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    command = ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args]
    subprocess.run(command, check=True, capture_output=True, env=env)


def test_last_changed_is_the_newest_commit_of_the_page_and_its_snippets(tmp_path: Path) -> None:
    page, snippet, untracked = tmp_path / "page.md", tmp_path / "policy.json", tmp_path / "new.md"
    _git(tmp_path, "init", "-q")
    page.write_text("# page\n", encoding="utf-8")
    _git(tmp_path, "add", "page.md")
    _git(tmp_path, "commit", "-q", "-m", "page", when="2025-01-02T10:00:00+07:00")
    snippet.write_text("{}\n", encoding="utf-8")
    _git(tmp_path, "add", "policy.json")
    _git(tmp_path, "commit", "-q", "-m", "snippet", when="2025-06-30T09:00:00+00:00")
    untracked.write_text("# new\n", encoding="utf-8")

    assert last_changed([page]).date() == dt.date(2025, 1, 2)
    assert last_changed([page, snippet]).date() == dt.date(2025, 6, 30)
    # Not in git: the front matter date, else the file's modification time.
    assert last_changed([untracked], dt.date(2024, 12, 24)).date() == dt.date(2024, 12, 24)
    os.utime(untracked, (1_700_000_000, 1_700_000_000))
    assert last_changed([untracked]).date() == dt.date(2023, 11, 14)


def test_included_snippets_resolve_against_the_snippets_base_path(tmp_path: Path) -> None:
    (tmp_path / "snippets" / "kms").mkdir(parents=True)
    policy = tmp_path / "snippets" / "kms" / "key.key-policy.json"
    policy.write_text("{}", encoding="utf-8")
    config = SimpleNamespace(
        mdx_configs={"pymdownx.snippets": {"base_path": ["snippets"]}},
        config_file_path=str(tmp_path / "mkdocs.yml"),
    )
    markdown = '```json\n--8<-- "kms/key.key-policy.json"\n```\n--8<-- "kms/missing.json"\n'
    assert included_snippets(markdown, config) == [policy]  # type: ignore[arg-type]
