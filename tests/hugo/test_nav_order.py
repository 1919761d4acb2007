"""The navigation hook orders pages and sections by front-matter weight, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from .hugo_site import build


def _write(docs: Path, name: str, title: str, weight: int | None) -> None:
    path = docs / name
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"title: {title}\n" + (f"weight: {weight}\n" if weight is not None else "")
    path.write_text(f"---\n{header}---\n\nText of {title}.\n", encoding="utf-8")


def _nav(html: str) -> list[str]:
    primary = html[html.index("md-nav--primary") :]
    if "md-nav--secondary" in primary:
        primary = primary[: primary.index("md-nav--secondary")]
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r'<span class="md-ellipsis">(.*?)</span>', primary, re.S)
    ]


def test_pages_and_sections_follow_weight_then_title(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    for lang, suffix in (("vi", ""), ("en", ".en")):
        _write(docs, f"index{suffix}.md", f"Home {lang}", None)
        _write(docs, f"a-second{suffix}.md", f"Alpha {lang}", 2)
        _write(docs, f"b-first{suffix}.md", f"Zeta {lang}", 1)
        _write(docs, f"c-unweighted{suffix}.md", f"Beta {lang}", None)
        _write(docs, f"d-tie{suffix}.md", f"Aaa {lang}", 2)
        _write(docs, f"z-section/index{suffix}.md", f"Section Z {lang}", 0)  # the section's weight
        _write(docs, f"z-section/late{suffix}.md", f"Late {lang}", 9)
        _write(docs, f"z-section/early{suffix}.md", f"Early {lang}", 3)
    (tmp_path / "snippets").mkdir()
    result = build(tmp_path, docs, tmp_path / "snippets")
    assert result.returncode == 0, f"mkdocs build --strict of {docs} failed:\n{result.stderr}"
    for lang, home in (("vi", tmp_path / "site/index.html"), ("en", tmp_path / "site/en/index.html")):
        html = home.read_text(encoding="utf-8")
        expected = [
            f"Home {lang}",
            f"Section Z {lang}",
            f"Early {lang}",
            f"Late {lang}",
            f"Zeta {lang}",
            f"Aaa {lang}",
            f"Alpha {lang}",
            f"Beta {lang}",
        ]
        assert _nav(html) == expected, f"{home}: navigation order {_nav(html)}"
