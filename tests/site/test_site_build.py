"""The site builds with --strict in both languages, and a broken page fails the build."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import DOCS, build_site, site_copy

from policyproof.site.pages import default_language_pages, twin_path

SEED_PAGE = "kms/cross-account-encryption"


def _built_html(site_dir: Path, page: Path, lang: str) -> Path:
    """Where MkDocs (directory URLs) and static-i18n put a page of ``docs/``."""
    relative = page.relative_to(DOCS).as_posix()
    relative = re.sub(r"(\.en)?\.md$", "", relative)
    prefix = site_dir if lang == "vi" else site_dir / lang
    if relative == "index" or relative.endswith("/index"):
        return prefix / relative.removesuffix("index") / "index.html"
    return prefix / relative / "index.html"


def test_every_page_is_built_in_both_languages(built_site: Path) -> None:
    for vi_page in default_language_pages(DOCS):
        for lang in ("vi", "en"):
            html_path = _built_html(built_site, vi_page, lang)
            source = vi_page if lang == "vi" else twin_path(vi_page, lang)
            assert html_path.is_file(), f"{source}:1: no built page at {html_path.relative_to(built_site)}"
            html = html_path.read_text(encoding="utf-8")
            assert f'<html lang="{lang}"' in html, f"{source}:1: built page is not marked lang={lang}"


def test_seed_note_exists_in_both_languages_under_the_same_slug(built_site: Path) -> None:
    vi = built_site / SEED_PAGE / "index.html"
    en = built_site / "en" / SEED_PAGE / "index.html"
    assert vi.is_file(), f"docs/{SEED_PAGE}.md:1: not built at {vi}"
    assert en.is_file(), f"docs/{SEED_PAGE}.en.md:1: not built at {en}"
    # The language switcher of each version points at the other version of the same page.
    vi_html = vi.read_text(encoding="utf-8")
    en_html = en.read_text(encoding="utf-8")
    assert f'href="../../en/{SEED_PAGE}/" hreflang="en"' in vi_html, (
        f"docs/{SEED_PAGE}.md:1: the language switcher does not lead to the English twin"
    )
    assert f'href="../../../{SEED_PAGE}/" hreflang="vi"' in en_html, (
        f"docs/{SEED_PAGE}.en.md:1: the language switcher does not lead to the Vietnamese twin"
    )


_OUTSIDE_ASSET = re.compile(
    r"""<(?:script|img|iframe|source)\b[^>]*\bsrc=["'](?:https?:)?//"""
    r"""|<link\b[^>]*\brel=["'](?:stylesheet|preload|preconnect|modulepreload|icon)["'][^>]*\bhref=["'](?:https?:)?//"""
    r"""|@import\s+url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def test_no_page_loads_anything_from_an_outside_host(built_site: Path) -> None:
    offenders = []
    for html_path in sorted(built_site.rglob("*.html")):
        for number, line in enumerate(html_path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _OUTSIDE_ASSET.search(line)
            if match:
                offenders.append(f"{html_path.relative_to(built_site)}:{number}: {match.group(0)}")
    assert not offenders, "pages load assets from outside hosts:\n" + "\n".join(offenders)


def test_outside_asset_detector_catches_a_font_link() -> None:
    line = '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
    assert _OUTSIDE_ASSET.search(line)
    assert not _OUTSIDE_ASSET.search('<a href="https://aws.amazon.com/">AWS docs</a>')


def _append(page: Path, text: str) -> None:
    page.write_text(page.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_missing_snippet_fails_the_build(tmp_path: Path) -> None:
    config = site_copy(tmp_path / "src")
    include = '\n```json\n--8<-- "kms/no-such-policy.identity-policy.json"\n```\n'
    _append(tmp_path / "src/docs/index.md", include)
    result = build_site(config, tmp_path / "site")
    assert result.returncode != 0, "a page including a missing snippet was built without error"
    assert "no-such-policy.identity-policy.json" in result.stderr + result.stdout


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    config = site_copy(tmp_path / "src")
    _append(tmp_path / "src/docs/index.md", "\n[gone](kms/no-such-page.md)\n")
    result = build_site(config, tmp_path / "site")
    assert result.returncode != 0, "a page linking to a missing page was built without error"
    assert "no-such-page.md" in result.stderr + result.stdout


def test_a_broken_anchor_fails_the_build(tmp_path: Path) -> None:
    config = site_copy(tmp_path / "src")
    _append(tmp_path / "src/docs/index.md", "\n[gone](kms/cross-account-encryption.md#no-such-heading)\n")
    result = build_site(config, tmp_path / "site")
    assert result.returncode != 0, "a link to a missing anchor was built without error"
    assert "no-such-heading" in result.stderr + result.stdout
