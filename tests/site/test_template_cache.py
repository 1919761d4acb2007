"""The theme's compiled templates are kept between builds (src/policyproof/site/template_cache.py),
and a kept template is never served once its source changed or its file is damaged."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from policyproof.site import template_cache
from policyproof.site.template_cache import TemplateCache


def _render(cache: TemplateCache, source: str) -> str:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}), bytecode_cache=cache)
    return env.get_template("page.html").render(name="khoá")


def test_a_second_environment_reuses_the_compiled_template(tmp_path: Path, monkeypatch) -> None:
    cache = TemplateCache(tmp_path)
    assert _render(cache, "Hello {{ name }}") == "Hello khoá"
    assert len(list(tmp_path.glob("*.jinja"))) == 1
    compiled = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(
        jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(a) or original(self, *a, **k)
    )
    # A new process: nothing in memory, the file on disk.
    assert _render(TemplateCache(tmp_path), "Hello {{ name }}") == "Hello khoá"
    assert compiled == []


def test_an_edited_template_is_compiled_again_not_served_stale(tmp_path: Path) -> None:
    cache = TemplateCache(tmp_path)
    assert _render(cache, "Hello {{ name }}") == "Hello khoá"
    assert _render(cache, "Goodbye {{ name }}") == "Goodbye khoá"
    assert _render(TemplateCache(tmp_path), "Again {{ name }}") == "Again khoá"


def test_a_damaged_cache_file_is_ignored(tmp_path: Path) -> None:
    _render(TemplateCache(tmp_path), "Hello {{ name }}")
    (kept,) = tmp_path.glob("*.jinja")
    kept.write_bytes(b"not jinja bytecode at all")
    assert _render(TemplateCache(tmp_path), "Hello {{ name }}") == "Hello khoá"


@pytest.mark.parametrize("switch", ["off", "OFF"])
def test_with_the_cache_off_nothing_is_written(tmp_path: Path, monkeypatch, switch: str) -> None:
    monkeypatch.setenv("POLICYPROOF_CACHE", switch)
    cache = template_cache.for_site(tmp_path)
    assert cache.directory is None
    assert _render(cache, "Hello {{ name }}") == "Hello khoá"
    assert not (tmp_path / ".cache").exists()
