"""A generated learn-theme-style tree (the benchmark's generator, smaller) imports cleanly and builds."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from policyproof.hugo import ImportOptions, import_tree, importer
from policyproof.site.page_rules import inline_json_problems, parity_problems, snippet_usage_problems

from .hugo_site import build

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_import_hugo.py"


def _generator():
    spec = importlib.util.spec_from_file_location("bench_import_hugo", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_tree


def test_generated_tree_imports_and_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "PROGRESS_SECONDS", 0.0)  # a line per page instead of one a second
    count = _generator()(tmp_path / "hugo", 60)
    progress: list[str] = []
    report = import_tree(
        ImportOptions(
            source=tmp_path / "hugo" / "content",
            docs=tmp_path / "docs",
            snippets=tmp_path / "snippets",
            default_lang="en",
            progress=progress.append,
        )
    )
    assert report.exit_code == 0, report.summary()
    assert sum(report.pages.values()) == count and report.pages["vi"] == report.pages["en"]
    assert report.shortcodes["notice"] > report.shortcodes["expand"] > report.shortcodes["children"] > 0
    assert len(progress) == count and re.fullmatch(
        rf"import-hugo: {count}/{count} pages converted \(\d+\.\d s\)", progress[-1]
    )
    left = [
        str(page) for page in (tmp_path / "docs").rglob("*.md") if "{{" in page.read_text(encoding="utf-8")
    ]
    assert left == [], f"shortcodes left in {left}"
    assert report.heading_ids > 0 and report.site_problems == [], report.summary()
    problems = [
        *parity_problems(tmp_path / "docs"),
        *inline_json_problems(tmp_path / "docs"),
        *snippet_usage_problems(tmp_path / "docs", tmp_path / "snippets"),
    ]
    assert problems == [], "\n".join(problem.format() for problem in problems)
    result = build(tmp_path, tmp_path / "docs", tmp_path / "snippets")
    assert result.returncode == 0, f"mkdocs build --strict of {tmp_path}/docs failed:\n{result.stderr}"
