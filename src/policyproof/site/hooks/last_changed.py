"""Shows on every page when it last changed, in the page's language (MkDocs hook).

Material prints ``page.meta.revision_date`` under the content (``partials/source-file.html``),
so no theme change and no git plugin are needed. A page changes when its Markdown file or one
of the policy snippets it includes (``--8<-- "..."``) changes, so the date is the newest of
those files' last commit dates, read with one ``git log`` per build. A file git does not know
(outside a clone, not yet committed) falls back to the front matter ``date``, then to the
file's modification time.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
from functools import cache
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from policyproof.site.hooks.site_languages import current_language

log = logging.getLogger("mkdocs.hooks.last_changed")

_SNIPPET_INCLUDE = re.compile(r"""^[ \t]*-{1,}8<-{1,}[ \t]+["']([^"'\n]+)["']""", re.M)


@cache
def git_commit_dates(directory: str) -> dict[Path, dt.datetime]:
    """Last commit date of every committed file of the git work tree holding ``directory``.

    Empty outside git. One ``git log`` for the whole tree: a page and its snippets share it.
    """
    try:
        root = subprocess.run(
            ["git", "-C", directory, "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        history = subprocess.run(
            ["git", "-C", root, "log", "--format=%x00%cI", "--name-only", "--no-renames"],
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    dates: dict[Path, dt.datetime] = {}
    when: dt.datetime | None = None
    for line in history.splitlines():
        if line.startswith("\x00"):
            when = dt.datetime.fromisoformat(line[1:])
        elif line and when is not None:
            dates.setdefault((Path(root) / line).resolve(), when)  # newest commit comes first
    return dates


def _front_matter_date(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def last_changed(files: list[Path], front_matter_date: object = None) -> dt.datetime:
    """The newest change among ``files`` (the first is the page source, the rest its snippets)."""
    committed = git_commit_dates(str(files[0].resolve().parent)) if files else {}
    known = [date for file in files if (date := committed.get(file.resolve())) is not None]
    if known:
        return max(known, key=lambda date: date.timestamp())
    from_meta = _front_matter_date(front_matter_date)
    if from_meta is not None:
        return from_meta
    mtimes = [file.stat().st_mtime for file in files if file.is_file()]
    return dt.datetime.fromtimestamp(max(mtimes, default=0), tz=dt.UTC)


_VI_LABEL = "Cập nhật lần cuối"
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def format_last_changed(date: dt.datetime, language: str) -> str:
    """``Cập nhật lần cuối: ngày 28 tháng 11 năm 2026`` / ``Last updated: 28 November 2026``."""
    if language == "vi":
        return f"{_VI_LABEL}: ngày {date.day} tháng {date.month} năm {date.year}"
    return f"Last updated: {date.day} {_EN_MONTHS[date.month - 1]} {date.year}"


def included_snippets(markdown: str, config: MkDocsConfig) -> list[Path]:
    """The snippet files a page includes, resolved against ``pymdownx.snippets`` base paths."""
    options = config.mdx_configs.get("pymdownx.snippets", {})
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    config_dir = Path(config.config_file_path or ".").parent
    found = []
    for name in _SNIPPET_INCLUDE.findall(markdown):
        for base in bases:
            candidate = config_dir / base / name
            if candidate.is_file():
                found.append(candidate)
                break
    return found


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.abs_src_path is None:
        return markdown
    sources = [Path(page.file.abs_src_path), *included_snippets(markdown, config)]
    date = last_changed(sources, page.meta.get("date"))
    page.meta["revision_date"] = format_last_changed(date, current_language(config))
    # The sitemap's <lastmod> is the same date, not the day of the build: output is reproducible.
    page.update_date = date.strftime("%Y-%m-%d")
    return markdown
