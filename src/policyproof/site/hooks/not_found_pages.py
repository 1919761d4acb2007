"""A 404 page per language: ``/404.html`` in Vietnamese, ``/en/404.html`` in English (MkDocs hook).

mkdocs-static-i18n renders the theme's ``404.html`` once per language but always into the site
root, so the language built last (English) overwrites the default one. This hook keeps each
rendering and, once every language is built, writes it where that language lives.

``mkdocs serve`` answers every missing path with the root ``404.html``; ``on_serve`` makes it
answer a missing page under ``/en/`` with ``en/404.html``. A static host that only knows the root
404 page (GitHub Pages) gets the same result from the root page's script (theme/404.html).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

from policyproof.site.hooks.site_languages import (
    built_languages,
    current_language,
    is_nested_build,
    url_prefix,
)

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


def language_404(site_dir: Path, mount_path: str, request_path: str, languages: dict[str, str]) -> Path | None:
    """The 404 page for a missing ``request_path``: the page of the language folder it is in
    (``/en/...`` -> ``en/404.html``), or None for the default language (the root page)."""
    relative = request_path.removeprefix(mount_path.rstrip("/") + "/") if mount_path else request_path
    relative = relative.lstrip("/")
    for prefix in languages.values():
        if prefix and relative.startswith(prefix):
            page = site_dir / prefix / "404.html"
            return page if page.is_file() else None
    return None


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    """Under ``mkdocs serve``, a missing page below ``/en/`` gets the English 404 page.

    MkDocs' server calls ``error_handler(code)`` without the path: the path of the request being
    answered is kept per thread by wrapping the server's request handler.
    """
    languages = {language: url_prefix(language, config) for language in built_languages(config)}
    requests = threading.local()
    serve = server._serve_request
    default_handler = server.error_handler

    def remember_path(environ: dict[str, Any], start_response: Any) -> Any:
        requests.path = environ.get("PATH_INFO", "")
        return serve(environ, start_response)

    def error_handler(code: int) -> bytes | None:
        if code == 404:
            page = language_404(
                Path(config.site_dir), getattr(server, "mount_path", "/"), getattr(requests, "path", ""), languages
            )
            if page is not None:
                return page.read_bytes()
        return default_handler(code)

    server._serve_request = remember_path
    server.error_handler = error_handler
    return server
