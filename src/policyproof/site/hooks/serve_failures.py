"""Under ``mkdocs serve``: a failing verification never stalls the server.

MkDocs' live-reload server holds every request while a rebuild is unfinished and, when a rebuild
raises, "appears stuck until build errors are resolved". So under ``serve`` the proof hook does not
raise: it lets the build finish, then this module puts the last site that verified back in place
and adds a banner to every page naming each failure (page, file:line:column, why) in the page's
language. The next good build replaces it all, and the banner is gone.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from html import escape
from pathlib import Path
from typing import Any

BANNER_CLASS = "pp-serve-failure"

TEXT = {
    "vi": {
        "title": "policyproof: bản sửa mới nhất chưa được chứng minh — đây là bản dựng tốt gần nhất.",
        "first": "policyproof: trang web chưa được chứng minh — các trang hiển thị thiếu phần chứng minh.",
        "fix": "Sửa lỗi rồi lưu lại: thông báo này biến mất ở lần dựng tốt tiếp theo.",
    },
    "en": {
        "title": "policyproof: your latest edit is not proved — this is the last good build.",
        "first": "policyproof: the site is not proved — these pages are shown without their proofs.",
        "fix": "Fix it and save: this banner goes away with the next good build.",
    },
}

_BODY = re.compile(rb"<body\b[^>]*>")
_LANG = re.compile(rb'<html\b[^>]*\blang="([A-Za-z-]+)"')
_WHERE = re.compile(r"^(?P<where>[^\s:][^:]*:\d+:\d+): (?P<why>.*)$", re.DOTALL)
# Inline style: the banner must show on every page, whatever the theme's CSS.
_STYLE = (
    "position:sticky;top:0;z-index:1000;margin:0;padding:.8rem 1.2rem;background:#b71c1c;color:#fff;"
    "font:14px/1.45 system-ui,sans-serif;max-height:50vh;overflow:auto"
)


def banner_html(failures: list[str], lang: str, *, last_good: bool) -> str:
    words = TEXT.get(lang, TEXT["en"])
    items = []
    for failure in failures:
        match = _WHERE.match(failure)
        item = f"<code>{escape(match['where'])}</code> {escape(match['why'])}" if match else escape(failure)
        items.append(f'<li style="white-space:pre-wrap">{item}</li>')
    return (
        f'<div class="{BANNER_CLASS}" role="alert" data-search-exclude style="{_STYLE}">'
        f"<strong>{escape(words['title'] if last_good else words['first'])}</strong>"
        f'<ul style="margin:.4rem 0 .4rem 1.2rem;padding:0">{"".join(items)}</ul>'
        f'<p style="margin:0">{escape(words["fix"])}</p></div>'
    )


def add_banner(html: bytes, failures: list[str], *, last_good: bool) -> bytes:
    """The page with the banner first in its body, in the page's language (``<html lang>``)."""
    body = _BODY.search(html)
    if body is None:
        return html
    lang_match = _LANG.search(html)
    lang = lang_match.group(1).decode().split("-")[0] if lang_match else "en"
    banner = banner_html(failures, lang, last_good=last_good).encode("utf-8")
    return html[: body.end()] + banner + html[body.end() :]


def finish_build(config: Any, state: Any) -> None:
    """At the end of a whole ``serve`` build: remember a good site, or show the last one with the failure."""
    site = Path(config.site_dir)
    if state.failure is None:
        snapshot = state.last_good or Path(tempfile.mkdtemp(prefix="policyproof-last-good-"))
        if snapshot.exists():
            shutil.rmtree(snapshot)
        shutil.copytree(site, snapshot)
        state.last_good = snapshot
        return
    restored = state.last_good is not None and state.last_good.is_dir()
    if restored:
        for child in site.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        shutil.copytree(state.last_good, site, dirs_exist_ok=True)
    for page in site.rglob("*.html"):
        page.write_bytes(add_banner(page.read_bytes(), state.failure, last_good=restored))


def forget(state: Any) -> None:
    """The server stops: delete the copy of the last good site."""
    if state.last_good is not None:
        shutil.rmtree(state.last_good, ignore_errors=True)
        state.last_good = None
