"""Pages converted and indexed once, reused while unchanged (src/policyproof/site/page_cache.py,
hook src/policyproof/site/hooks/page_cache.py): a reused page is the page MkDocs would make.

Each test builds a small site with ``mkdocs build`` in a subprocess, as an author does, and looks
at the written HTML, the search index and the build's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from policyproof.site import page_cache
from policyproof.site.page_cache import RENDERED, Unstable, stable_text

REPO = Path(__file__).resolve().parents[2]
HOOK = REPO / "src" / "policyproof" / "site" / "hooks" / "page_cache.py"

CONFIG = f"""\
site_name: Cache test
site_url: http://127.0.0.1:8000/
theme:
  name: material
  font: false
plugins:
  - search
markdown_extensions:
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - pymdownx.superfences
  - pymdownx.snippets:
      base_path: [snippets]
      check_paths: true
validation:
  links:
    unrecognized_links: warn
    anchors: warn
hooks:
  - {HOOK}
"""


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "snippets").mkdir()
    (site / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (site / "docs" / "index.md").write_text("# Trang chủ\n\nXem [ghi chú](note.md).\n", encoding="utf-8")
    (site / "docs" / "note.md").write_text(
        '# Ghi chú\n\n## Chính sách { #policy }\n\n```json\n--8<-- "policy.json"\n```\n\n--8<-- "outer.md"\n',
        encoding="utf-8",
    )
    (site / "snippets" / "policy.json").write_text('{"Effect": "Allow"}\n', encoding="utf-8")
    # A snippet that includes another: the inner file is a dependency of the page too.
    (site / "snippets" / "outer.md").write_text('Bên ngoài.\n\n--8<-- "inner.md"\n', encoding="utf-8")
    (site / "snippets" / "inner.md").write_text("Văn bản bên trong: một.\n", encoding="utf-8")
    return site


def _build(site: Path, cache: Path, *extra: str, strict: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICYPROOF_CACHE_DIR": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    env.pop("POLICYPROOF_CACHE", None)
    command = [sys.executable, "-m", "mkdocs", "build", "-d", str(site / "out")]
    command += ["--strict"] if strict else []
    return subprocess.run([*command, *extra], cwd=site, env=env, capture_output=True, text=True)


def _note(site: Path) -> str:
    return (site / "out" / "note" / "index.html").read_text(encoding="utf-8")


def _index_texts(site: Path) -> str:
    index = json.loads((site / "out" / "search" / "search_index.json").read_text(encoding="utf-8"))
    return " ".join(entry["text"] for entry in index["docs"])


def _output(site: Path) -> dict[str, bytes]:
    out = site / "out"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_second_build_reuses_every_page_and_writes_the_same_site(tmp_path: Path) -> None:
    site, cache = _site(tmp_path), tmp_path / "cache"
    first = _build(site, cache)
    assert first.returncode == 0, first.stderr
    assert "pages converted 2, taken from the page cache 0" in first.stderr
    written = _output(site)
    second = _build(site, cache)
    assert second.returncode == 0, second.stderr
    assert "pages converted 0, taken from the page cache 2" in second.stderr
    assert "search entries made 0, taken from the cache 2" in second.stderr
    assert _output(site) == written


def test_an_edited_snippet_shows_on_the_next_build(tmp_path: Path) -> None:
    site, cache = _site(tmp_path), tmp_path / "cache"
    assert _build(site, cache).returncode == 0
    (site / "snippets" / "policy.json").write_text('{"Effect": "Deny"}\n', encoding="utf-8")
    result = _build(site, cache)
    assert result.returncode == 0, result.stderr
    assert "Deny" in _note(site) and "Allow" not in _note(site)
    assert "pages converted 1, taken from the page cache 1" in result.stderr  # the home page is reused


def test_an_edited_nested_snippet_shows_on_the_next_build(tmp_path: Path) -> None:
    """inner.md is included by outer.md, not by the page: it is still what the page is made of."""
    site, cache = _site(tmp_path), tmp_path / "cache"
    assert _build(site, cache).returncode == 0
    assert "bên trong: một" in _note(site)
    (site / "snippets" / "inner.md").write_text("Văn bản bên trong: hai.\n", encoding="utf-8")
    assert _build(site, cache).returncode == 0
    assert "bên trong: hai" in _note(site) and "bên trong: một" not in _note(site)
    assert "bên trong: hai" in _index_texts(site)


def test_a_snippet_that_disappears_fails_the_build_again(tmp_path: Path) -> None:
    site, cache = _site(tmp_path), tmp_path / "cache"
    assert _build(site, cache).returncode == 0
    (site / "snippets" / "inner.md").unlink()
    result = _build(site, cache)
    assert result.returncode != 0
    assert "inner.md" in result.stderr


def test_a_broken_link_warns_on_every_build_not_only_the_first(tmp_path: Path) -> None:
    """A conversion that logged something is not kept: --strict fails until the link is fixed."""
    site, cache = _site(tmp_path), tmp_path / "cache"
    (site / "docs" / "index.md").write_text("# Trang chủ\n\nXem [ghi chú](missing.md).\n", encoding="utf-8")
    for _ in range(2):
        result = _build(site, cache)
        assert result.returncode == 1
        assert "contains a link 'missing.md'" in result.stderr


def test_a_quiet_build_keeps_no_page_whose_warning_it_dropped(tmp_path: Path) -> None:
    """``mkdocs -q`` drops warnings before any handler hears them: the page must not be kept as
    if it had none, or the next ``--strict`` build would pass."""
    site, cache = _site(tmp_path), tmp_path / "cache"
    (site / "docs" / "index.md").write_text("# Trang chủ\n\nXem [ghi chú](missing.md).\n", encoding="utf-8")
    assert _build(site, cache, "-q", strict=False).returncode == 0
    result = _build(site, cache)
    assert result.returncode == 1
    assert "contains a link 'missing.md'" in result.stderr


def test_anchors_are_still_checked_after_a_verbose_build(tmp_path: Path) -> None:
    """Under ``mkdocs -v`` MkDocs does not record links to other pages' anchors; a page converted
    then must not be reused by a normal build, which checks them."""
    site, cache = _site(tmp_path), tmp_path / "cache"
    (site / "docs" / "index.md").write_text("# Trang chủ\n\nXem [mục](note.md#nope).\n", encoding="utf-8")
    assert _build(site, cache, "-v", strict=False).returncode == 0
    for _ in range(2):
        result = _build(site, cache)
        assert result.returncode == 1
        assert "does not contain an anchor '#nope'" in result.stderr


def test_a_new_page_changes_the_links_of_the_others(tmp_path: Path) -> None:
    """A page's key holds the files its links look up: a link that was broken resolves once its
    target exists, with no stale warning or stale href."""
    site, cache = _site(tmp_path), tmp_path / "cache"
    (site / "docs" / "index.md").write_text("# Trang chủ\n\nXem [mới](new.md).\n", encoding="utf-8")
    assert _build(site, cache, strict=False).returncode == 0
    (site / "docs" / "new.md").write_text("# Mới\n", encoding="utf-8")
    result = _build(site, cache)
    assert result.returncode == 0, result.stderr
    assert 'href="new/"' in (site / "out" / "index.html").read_text(encoding="utf-8")


def test_a_new_page_leaves_the_others_in_the_cache(tmp_path: Path) -> None:
    # page_cache.py, PageCache.render: a conversion depends on the files its links look up, not on
    # every file of the build; the site is still the site a build without the cache writes.
    site, cache = _site(tmp_path), tmp_path / "cache"
    assert _build(site, cache).returncode == 0
    (site / "docs" / "other.md").write_text("# Khác\n\nVề [trang chủ](index.md).\n", encoding="utf-8")
    result = _build(site, cache)
    assert result.returncode == 0, result.stderr
    assert "pages converted 1, taken from the page cache 2" in result.stderr, result.stderr
    written = _output(site)
    fresh = _build(site, tmp_path / "fresh-cache")
    assert "pages converted 3, taken from the page cache 0" in fresh.stderr, fresh.stderr
    assert _output(site) == written


def test_a_link_whose_target_is_gone_warns_again(tmp_path: Path) -> None:
    # The index links to note.md, which resolved when the index was kept: once note.md is gone,
    # the index is converted again and its broken link fails the strict build.
    site, cache = _site(tmp_path), tmp_path / "cache"
    assert _build(site, cache).returncode == 0
    (site / "docs" / "note.md").unlink()
    result = _build(site, cache)
    assert result.returncode == 1, result.stderr
    assert "contains a link 'note.md'" in result.stderr, result.stderr


def test_a_changed_markdown_option_converts_every_page_again(tmp_path: Path) -> None:
    site, cache = _site(tmp_path), tmp_path / "cache"
    assert _build(site, cache).returncode == 0
    config = (site / "mkdocs.yml").read_text(encoding="utf-8").replace("permalink: true", "permalink: '§'")
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = _build(site, cache)
    assert "pages converted 2, taken from the page cache 0" in result.stderr
    assert "§</a>" in _note(site)


def test_a_damaged_cache_entry_is_ignored(tmp_path: Path) -> None:
    site, cache = _site(tmp_path), tmp_path / "cache"
    assert _build(site, cache).returncode == 0
    written = _output(site)
    entries = list((cache / f"{page_cache.FOLDER_KIND}-v2").rglob("*.pickle"))
    assert len(entries) == 4  # two pages: a conversion and search entries each
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[:-20] + b"x" * 20)
    result = _build(site, cache)
    assert result.returncode == 0, result.stderr
    assert "pages converted 2, taken from the page cache 0" in result.stderr
    assert _output(site) == written


def test_with_the_caches_off_nothing_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, cache = _site(tmp_path), tmp_path / "cache"
    env = {**os.environ, "POLICYPROOF_CACHE": "off", "POLICYPROOF_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site / "out")]
    result = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not cache.exists()
    assert "taken from the page cache" not in result.stderr


def test_the_cache_restores_everything_mkdocs_render_sets(tmp_path: Path) -> None:
    """page_cache.RENDERED against MkDocs' Page.render: a new MkDocs that sets another attribute
    would otherwise be restored without it."""
    site = _site(tmp_path)
    config = load_config(str(site / "mkdocs.yml"))
    files = Files(
        [File(name, str(site / "docs"), str(site / "out"), True) for name in ("index.md", "note.md")]
    )
    page = Page(None, files.get_file_from_path("note.md"), config)
    cwd = os.getcwd()
    os.chdir(site)
    try:
        page.read_source(config)
        before = dict(vars(page))
        page.render(config, files)
    finally:
        os.chdir(cwd)
    changed = {name for name, value in vars(page).items() if name not in before or before[name] is not value}
    assert changed <= set(RENDERED), changed - set(RENDERED)
    assert {"content", "toc"} <= changed


def test_configuration_text_is_stable_and_tells_options_apart() -> None:
    from pymdownx.slugs import slugify

    assert stable_text({"slugify": slugify(case="lower")}) == stable_text({"slugify": slugify(case="lower")})
    assert stable_text({"slugify": slugify(case="lower")}) != stable_text({"slugify": slugify(case="upper")})
    assert stable_text(markdown.extensions.toc.TocExtension) == "type(markdown.extensions.toc.TocExtension)"

    # Two functions of the same name and place, different code (a project's own slugify edited).
    first: dict = {}
    second: dict = {}
    exec("def slug(text, sep):\n    return text.lower()", first)
    exec("def slug(text, sep):\n    return text.upper()", second)
    assert stable_text(first["slug"]) != stable_text(second["slug"])

    class Opaque:
        __slots__ = ()

    with pytest.raises(Unstable):
        stable_text([Opaque()])
