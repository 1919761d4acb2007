"""Drops the ``<link rel="alternate" hreflang>`` tags from page heads (MkDocs hook).

Material's JavaScript fetches ``sitemap.xml`` under every ``link[rel=alternate]`` of the head,
expecting each to be a language root. mkdocs-static-i18n points them at the page's
translation instead (``/en/kms/cross-account-encryption/``), so every page load made two
requests that 404 and logged console errors, and Material's language-switch logic never
applied anyway. Search engines still get the per-page hreflang pairs from the site's
``sitemap.xml`` (static-i18n writes ``xhtml:link`` alternates there), and the visible language
switcher is rendered from the same data, untouched; ``language-switch.js`` in the theme
overrides keeps the reader's heading when switching.
"""

from __future__ import annotations

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

# Only language alternates (they carry hreflang); feeds and other alternates are left alone.
_HREFLANG_LINK = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


def drop_hreflang_links(html: str) -> str:
    head_end = html.find("</head>")
    if head_end < 0:
        return html
    return _HREFLANG_LINK.sub("", html[:head_end]) + html[head_end:]


# The header's language menu: ``<a href="/en/" hreflang="en" class="md-select__link">English</a>``.
_SWITCHER_LINK = re.compile(r'<a href="([^"]*)" hreflang="([\w-]+)" class="md-select__link">')


def mark_switcher_languages(html: str) -> str:
    """Each entry of the language menu carries ``lang``: "English" is read with English
    pronunciation on a Vietnamese page, "Tiếng Việt" with Vietnamese on an English one (WCAG 3.1.2).
    The entry of the page's own language is marked as the current one."""
    page_lang = re.search(r'<html lang="([\w-]+)"', html)
    current = page_lang.group(1) if page_lang else ""

    def mark(match: re.Match[str]) -> str:
        href, lang = match.group(1), match.group(2)
        extra = ' aria-current="true"' if lang == current else ""
        return f'<a href="{href}" hreflang="{lang}" lang="{lang}"{extra} class="md-select__link">'

    return _SWITCHER_LINK.sub(mark, html)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return mark_switcher_languages(drop_hreflang_links(output))


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    if not template_name.endswith(".html"):
        return output_content
    return mark_switcher_languages(drop_hreflang_links(output_content))
