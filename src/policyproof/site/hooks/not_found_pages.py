"""A 404 page per language: ``/404.html`` in Vietnamese, ``/en/404.html`` in English (MkDocs hook).

mkdocs-static-i18n renders the theme's ``404.html`` once per language but always into the site
root, so the language built last (English) overwrites the default one. This hook keeps each
rendering and, once every language is built, writes it where that language lives.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

from policyproof.site.hooks.site_languages import current_language, is_nested_build, url_prefix

_rendered: dict[str, str] = {}


# Late, so the page is kept after other hooks (search_fold) have edited it.
@event_priority(-50)
def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    if template_name == "404.html":
        _rendered[current_language(config)] = output_content
    return output_content


# After mkdocs-static-i18n (priority -100) has built every language.
@event_priority(-200)
def on_post_build(config: MkDocsConfig) -> None:
    if is_nested_build(config):
        return
    for language, html in _rendered.items():
        target = Path(config.site_dir) / url_prefix(language, config) / "404.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    _rendered.clear()
