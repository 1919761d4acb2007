"""Pages kept between builds: each page's Markdown converted to HTML, and its search index entries.

Without proofs, most of a ``mkdocs build`` of this site goes to two steps that MkDocs and
Material's search plugin redo for every page on every build (measured at scale, see
``bench/bench_site.py``): Python-Markdown converting the page (about half; most of it the
highlighted policies) and the search plugin parsing the HTML it produced (about two fifths; a
highlighted policy is hundreds of ``<span>`` tags). Editing one snippet changes two pages (its
note in each language); ``mkdocs serve`` and the next ``mkdocs build`` redid all of them.

This module keeps both results on disk beside the proof cache (``.cache/policyproof/pages-v…``),
one entry per page, replaced when the page changes, and reuses an entry only when everything the
step read is the same:

* **the conversion** (:meth:`PageCache.render`): the page's Markdown as the hooks left it, its
  source and output paths, each file its links and images looked up, as MkDocs finds it now
  (recorded while converting; every file of the build if the conversion read the collection in
  another way), so adding a page does not convert the others again, the Markdown configuration (extensions and their options, validation rules,
  URL style), the versions of MkDocs, Python-Markdown, pymdown-extensions, Pygments, Material and
  Python, and each file ``pymdownx.snippets`` looked up while converting the page, as pymdownx
  resolves it now and with the SHA-256 of its bytes (recorded while converting, so nested
  includes, sections and line ranges are covered without parsing them again here);
* **the search entries** (:meth:`PageCache.index_page`): the page's HTML as the search plugin
  reads it, its table of contents, URL, title and the front matter the plugin reads, the
  plugin's options and version.

What is reused is what MkDocs' own step sets, nothing else (:data:`RENDERED`; a test checks the
list against MkDocs' ``Page.render``). A conversion that logged anything (a broken link, an
unknown anchor...) is not kept: the message must come again on the next build, so a ``--strict``
build fails as often as the author has not fixed it; nor is one made under ``mkdocs -q``, whose
warnings are dropped before anyone hears them. Whether MkDocs records links to other pages'
anchors (not under ``mkdocs -v``) is part of the key. A configuration value that has no stable
text (an object printed with its address) turns the cache off for the build instead of keying
on something that changes every run. Entries are read through :class:`ProofCache`: an entry that
is not exactly as written is ignored. Off with ``POLICYPROOF_CACHE=off``; safe to delete.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import logging
import marshal
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from policyproof.site.proof_cache import ProofCache, cache_dir_for, digest

log = logging.getLogger("mkdocs.hooks.page_cache")

FOLDER_KIND = "pages"

#: What ``mkdocs.structure.pages.Page.render`` (MkDocs 1.6) sets on the page: all a cached
#: conversion restores (``tests/site/test_page_cache.py`` checks MkDocs sets nothing else).
RENDERED = ("content", "toc", "_title_from_render", "present_anchor_ids", "links_to_anchors")

_VERSIONED = ("mkdocs", "markdown", "pymdown-extensions", "pygments", "mkdocs-material", "mkdocs-static-i18n")


class Unstable(Exception):
    """A configuration value whose text is not the same from one run to the next."""


def stable_text(value: Any, depth: int = 0) -> str:
    """``value`` as text that is the same in every process for the same configuration: plain data
    as itself, a function by its module, name, defaults and closure (``pymdownx.slugs.slugify(
    case="lower")`` is a closure), another object by its class and attributes. Raises
    :class:`Unstable` rather than return text with a memory address in it."""
    if depth > 8:
        raise Unstable("nested too deep")
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(stable_text(item, depth + 1) for item in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(stable_text(item, depth + 1) for item in value)) + "}"
    if isinstance(value, dict):
        items = sorted((stable_text(k, depth + 1), stable_text(v, depth + 1)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if inspect.ismethod(value):  # a bound method: its function and the object it is bound to
        return (
            "method("
            + stable_text(value.__func__, depth + 1)
            + ","
            + stable_text(value.__self__, depth + 1)
            + ")"
        )
    if callable(value) and hasattr(value, "__code__"):
        cells = [cell.cell_contents for cell in (value.__closure__ or ())]
        # Its code too: a project's own function (a slugify in a hook file) may change with no
        # version number changing.
        code = hashlib.sha256(marshal.dumps(value.__code__)).hexdigest()
        parts = [str(value.__module__), value.__qualname__, code, stable_text(value.__defaults__, depth + 1)]
        return "fn(" + ",".join([*parts, stable_text(cells, depth + 1)]) + ")"
    if isinstance(value, type):
        return f"type({value.__module__}.{value.__qualname__})"
    if isinstance(value, functools.partial):  # state in C slots, not in __dict__
        parts = (value.func, value.args, value.keywords)
        return "partial(" + ",".join(stable_text(part, depth + 1) for part in parts) + ")"
    kind = type(value)
    attributes = getattr(value, "__dict__", None)
    if attributes is not None:
        # Its attributes are its state, whatever its repr shows.
        return f"{kind.__module__}.{kind.__qualname__}" + stable_text(dict(attributes), depth + 1)
    text = repr(value)
    if " at 0x" in text:
        raise Unstable(text)
    return text


@functools.lru_cache(maxsize=1)
def tool_versions() -> str:
    """The versions of everything that converts and indexes a page, and of this module."""
    parts = [f"python {sys.version}"]
    for name in _VERSIONED:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} -")
    parts.append(Path(__file__).read_text(encoding="utf-8"))
    return digest(*parts)


def config_text(config: MkDocsConfig) -> str:
    """The configuration a page's conversion reads (raises :class:`Unstable`)."""
    return stable_text(
        {
            "markdown_extensions": list(config.markdown_extensions),
            "mdx_configs": dict(config.mdx_configs or {}),
            "validation": dict(config.validation),
            "use_directory_urls": config.use_directory_urls,
            "site_url": config.site_url,
            "docs_dir": os.path.abspath(config.docs_dir),
            # pymdownx.snippets resolves its base paths from the working directory.
            "cwd": os.getcwd(),
        }
    )


def files_text(files: Files) -> str:
    """Every file of the build with where it goes (links and anchors resolve against them)."""
    rows = sorted((f.src_uri, f.dest_uri, f.url, str(f.inclusion), f.is_documentation_page()) for f in files)
    return digest(*(repr(row) for row in rows))


def _file_signature(file: Any) -> tuple | None:
    """What a conversion takes from a file it looks up: where it is and goes, and its kind."""
    if file is None:
        return None
    return (file.src_uri, file.dest_uri, file.url, str(file.inclusion), file.is_documentation_page())


# The ways to read a Files collection other than looking one file up (they are all of Files'
# public reading methods): a conversion using one depends on every file of the build.
_READING_ALL = (
    "__iter__",
    "__len__",
    "__contains__",
    "documentation_pages",
    "static_pages",
    "media_files",
    "javascript_files",
    "css_files",
)


@contextmanager
def _recording_files(files: Files, found: list[tuple[str, tuple | None]], wide: list[bool]) -> Iterator[None]:
    """Every file one conversion looks up in ``files`` (MkDocs resolves each link and image so),
    with what it found; ``wide[0]`` turns True if it reads the collection in another way.

    The lookup is wrapped on the instance (it shadows the method of its class, mkdocs-static-i18n's
    own included); the other reading methods on its class, for the one conversion (MkDocs converts
    one page at a time).
    """
    lookup = files.get_file_from_path

    def get_file_from_path(path: str) -> Any:
        result = lookup(path)
        found.append((path, _file_signature(result)))
        return result

    kind = type(files)
    saved = {name: kind.__dict__.get(name, _ABSENT) for name in _READING_ALL}

    def watching(name: str) -> Callable[..., Any]:
        method = getattr(kind, name)

        def read(self: Any, *args: Any, **kwargs: Any) -> Any:
            if self is files:
                wide[0] = True
            return method(self, *args, **kwargs)

        return read

    files.get_file_from_path = get_file_from_path  # type: ignore[method-assign]
    for name in _READING_ALL:
        setattr(kind, name, watching(name))
    try:
        yield
    finally:
        del files.get_file_from_path
        for name, original in saved.items():
            if original is _ABSENT:
                delattr(kind, name)
            else:
                setattr(kind, name, original)


_ABSENT = object()


@contextmanager
def _recording_snippets(found: list[tuple[str, str | None]]) -> Iterator[None]:
    """Every path ``pymdownx.snippets`` looks up while converting one page, with what it found.

    The preprocessor is made inside ``Page.render``; its lookups go through one method, wrapped
    for the duration of one conversion (MkDocs converts one page at a time, also under serve).
    """
    from pymdownx.snippets import SnippetPreprocessor

    original = SnippetPreprocessor.get_snippet_path

    def get_snippet_path(self: Any, path: str) -> str | None:
        result = original(self, path)
        found.append((path, result))
        return result

    SnippetPreprocessor.get_snippet_path = get_snippet_path  # type: ignore[method-assign]
    try:
        yield
    finally:
        SnippetPreprocessor.get_snippet_path = original  # type: ignore[method-assign]


class _Messages(logging.Handler):
    """Counts what is logged (at INFO or above) while a page is converted."""

    def __init__(self, counter: list[int], last_resort: bool) -> None:
        super().__init__(logging.INFO)
        self.counter = counter
        # Python prints a library's warning through ``logging.lastResort`` only while the root
        # logger has no handler: watching the root must not silence it.
        self.last_resort = last_resort

    def emit(self, record: logging.LogRecord) -> None:
        self.counter[0] += 1
        resort = logging.lastResort
        if self.last_resort and resort is not None and record.levelno >= resort.level:
            resort.handle(record)


@contextmanager
def _watching_logs() -> Iterator[list[int]]:
    """``[n]``: how many messages were logged inside the ``with``."""
    counter = [0]
    root = logging.getLogger()
    watched = [
        (root, _Messages(counter, last_resort=not root.handlers)),
        # MkDocs' logger does not propagate to the root one.
        (logging.getLogger("mkdocs"), _Messages(counter, last_resort=False)),
    ]
    for logger, handler in watched:
        logger.addHandler(handler)
    try:
        yield counter
    finally:
        for logger, handler in watched:
            logger.removeHandler(handler)


def _logging_text() -> str:
    """What of MkDocs' logging a conversion depends on: ``Page.render`` records the links to other
    pages' anchors (checked after every page is converted) only above DEBUG (``mkdocs -v``)."""
    return repr(logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG)


def _messages_heard() -> bool:
    """Whether a message MkDocs logs while converting would reach us: under ``mkdocs -q`` its
    warnings are dropped before any handler, so a page that has one must not be kept (a later
    build without ``-q`` would not print it)."""
    return logging.getLogger("mkdocs.structure.pages").isEnabledFor(logging.INFO)


class PageCache:
    """The conversions and search entries of one site's pages, across builds."""

    def __init__(self, directory: Path) -> None:
        self.store = ProofCache(directory, kind=FOLDER_KIND)
        self.context: str | None = None  # None: off for this build
        self.folder = ""
        self._snippets: Any = None  # a pymdownx.snippets preprocessor configured as the build's
        self._file_digests: dict[str, str | None] = {}
        self.converted = self.reused = self.indexed = self.index_reused = 0
        # (page src_uri, dest_uri) -> the context of the build (language) that converted it: a page
        # indexed later, in another language's build (see proof_deferred.py), keeps its own.
        self._page_contexts: dict[tuple[str, str], str | None] = {}

    # --- one build ------------------------------------------------------------------------

    def start(self, config: MkDocsConfig, files: Files, new_build: bool = True) -> None:
        """A new build (``new_build``) or the next language of one: what every page's key shares."""
        if new_build:
            self.converted = self.reused = self.indexed = self.index_reused = 0
            self._page_contexts = {}
        self._file_digests = {}
        self._files_text: str | None = None  # every file of this build, worked out once if needed
        self._snippets = None
        # Entries are named by the page and its docs folder: two checkouts sharing one cache
        # folder (POLICYPROOF_CACHE_DIR) do not replace each other's entries.
        self.folder = os.path.abspath(config.docs_dir)
        try:
            # Not the build's files: a page depends on those its links look up (recorded while
            # converting it), so adding a page does not convert every other page again.
            self.context = digest("page-conversion", tool_versions(), config_text(config))
        except Unstable as reason:
            log.info(f"policyproof: pages not cached in this build (a setting has no stable text: {reason})")
            self.context = None
            return
        options = (config.mdx_configs or {}).get("pymdownx.snippets")
        if "pymdownx.snippets" in config.markdown_extensions:
            if (options or {}).get("url_download"):
                self.context = None  # a downloaded snippet cannot be checked without downloading it
                return
            import markdown

            converter = markdown.Markdown(
                extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options or {}}
            )
            self._snippets = converter.preprocessors["snippet"]

    def summary(self) -> str:
        if self.context is None and not (self.converted or self.reused):
            return "the page cache was not used in this build (see the INFO line above)"
        return (
            f"pages converted {self.converted}, taken from the page cache {self.reused}; "
            f"search entries made {self.indexed}, taken from the cache {self.index_reused}"
        )

    # --- converting a page -------------------------------------------------------------------

    def render(self, page: Page, config: MkDocsConfig, files: Files, convert: Callable[[], None]) -> None:
        """``page.render(config, files)``: ``convert()`` it, or restore a conversion of the same
        inputs from the cache."""
        self._page_contexts[(page.file.src_uri, page.file.dest_uri)] = self.context
        if self.context is None or page.markdown is None:
            convert()
            return
        name = digest("page-entry", self.folder, page.file.src_uri, page.file.dest_uri)
        key = digest(
            self.context, _logging_text(), page.file.src_uri, page.file.dest_uri, page.file.url, page.markdown
        )
        cached = self.store.get(name)
        if self._restore(page, files, key, cached):
            self.reused += 1
            return
        looked_up: list[tuple[str, str | None]] = []
        lookups: list[tuple[str, tuple | None]] = []
        wide = [False]
        with (
            _recording_snippets(looked_up),
            _recording_files(files, lookups, wide),
            _watching_logs() as messages,
        ):
            convert()
        self.converted += 1
        if messages[0] or not _messages_heard():
            return  # its messages must come again next time
        snippets = tuple((path, found, self._file_digest(found)) for path, found in looked_up)
        # What the page read of the build's files: the ones its links looked up, or all of them
        # when something read the collection otherwise.
        read = ("every file", self._all_files(files)) if wide[0] else ("looked up", tuple(lookups))
        values = {attribute: getattr(page, attribute, None) for attribute in RENDERED}
        values["links_to_anchors"] = _anchors_by_path(values["links_to_anchors"])
        self.store.put(name, (key, snippets, read, values))

    def _all_files(self, files: Files) -> str:
        if self._files_text is None:
            self._files_text = files_text(files)
        return self._files_text

    def _restore(self, page: Page, files: Files, key: str, cached: Any) -> bool:
        if not (isinstance(cached, tuple) and len(cached) == 4 and cached[0] == key):
            return False
        _, snippets, read, values = cached
        for path, found, sha in snippets:
            if self._snippets is None or self._snippets.get_snippet_path(path) != found:
                return False
            if self._file_digest(found) != sha:
                return False
        how, what = read
        if how == "every file":
            if what != self._all_files(files):
                return False
        elif any(_file_signature(files.get_file_from_path(path)) != found for path, found in what):
            return False
        links = values.get("links_to_anchors")
        if links is not None:
            by_file = {}
            for src_uri, anchors in links.items():
                target = files.get_file_from_path(src_uri)
                if target is None:
                    return False
                by_file[target] = anchors
            values = {**values, "links_to_anchors": by_file}
        for attribute in RENDERED:
            setattr(page, attribute, values.get(attribute))
        return True

    def _file_digest(self, path: str | None) -> str | None:
        if path is None:
            return None
        if path not in self._file_digests:
            try:
                self._file_digests[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self._file_digests[path] = None
        return self._file_digests[path]

    # --- indexing a page ---------------------------------------------------------------------

    def index_page(self, index: Any, page: Page, add: Callable[[Page], None]) -> None:
        """Material's ``SearchIndex.add_entry_from_context(page)``: ``add(page)``, or the entries
        it made for the same HTML, table of contents, address and options."""
        context = self._page_contexts.get((page.file.src_uri, page.file.dest_uri), self.context)
        if context is None or (page.meta.get("search") or {}).get("exclude"):
            add(page)  # nothing to keep for a page left out of the index
            return
        from material.plugins.search import plugin as search

        name = digest("search-entry", self.folder, page.file.src_uri, page.file.dest_uri)
        meta = {field: page.meta.get(field) for field in ("search", "tags", "title")}
        try:
            key = digest(
                context,
                page.content or "",
                _toc_text(page.toc),
                page.url,
                str(page.title),
                stable_text(meta),
                stable_text(dict(index.config)),
                str(search.jieba is None),
            )
        except Unstable:
            add(page)
            return
        cached = self.store.get(name)
        if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == key:
            index.entries.extend(copy.deepcopy(cached[1]))
            self.index_reused += 1
            return
        before = len(index.entries)
        add(page)
        self.indexed += 1
        self.store.put(name, (key, copy.deepcopy(index.entries[before:])))


def _anchors_by_path(links: dict | None) -> dict | None:
    """``links_to_anchors`` keyed by the linked file's path (File objects are this build's)."""
    if links is None:
        return None
    return {target.src_uri: dict(anchors) for target, anchors in links.items()}


def _toc_text(toc: Any) -> str:
    def item(link: Any) -> str:
        children = ",".join(item(child) for child in link.children)
        return f"({link.id!r},{link.title!r},{link.level},{link.url!r},[{children}])"

    return "[" + ",".join(item(link) for link in toc or ()) + "]"


_caches: dict[Path, PageCache] = {}


def for_site(root: Path) -> PageCache | None:
    """The page cache of the site at ``root`` (None when the caches are off), one per process
    and folder: ``mkdocs serve`` and the next language reuse it."""
    base = cache_dir_for(root)
    if base is None:
        return None
    if base not in _caches:
        _caches[base] = PageCache(base)
    return _caches[base]
