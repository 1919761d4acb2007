"""Pages written before the site's proofs are in, and finished once they are (not a hook: the
proof hook, ``proof.py``, drives it).

Why: mkdocs-static-i18n builds one language after the other, and a page that waited for its
proofs held the whole build while the workers proved. A cold build at scale spent about a third
of its time so. Now, while the site is still being proved, a page is written at once with its
placeholders (:func:`defer`); at the end of the last language, the pages are finished
(:func:`finish`): their proof HTML rendered, their search entries made, their files written again.
Once every proof is in, that work is shared with forked processes, one per core: the workers
are done by then and the cores would otherwise idle.

A finished page is the page a build that waited would have written, byte for byte, and so is the
search index (``tests/site/test_deferred_pages.py``): the page's place in the search index is kept
by one stand-in entry, replaced by the page's entries once they are made, as Material's search
plugin makes them from the same HTML.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from policyproof.site import page_cache
from policyproof.site.hooks.page_cache import search_index
from policyproof.site.hooks.proof_page import PageRenderer
from policyproof.site.hooks.site_languages import built_languages, current_language, site_root
from policyproof.site.proof_cache import ProofCache
from policyproof.site.proofs import SiteProof

#: Pages below which finishing them in other processes costs more than it saves.
PARALLEL_PAGES = 8

_NO_META = object()


@dataclass
class Deferred:
    """A page written with its placeholders, to be finished once its proofs are in."""

    renderer: PageRenderer
    page: Page
    content: str  # its HTML with the placeholders, as the search plugin would index it
    index: Any  # Material's search index of the page's build (None: no search plugin)
    entry: dict | None  # the stand-in for its search entries (None: the page is not indexed)
    search_meta: Any  # the page's own ``search`` front matter (``_NO_META``: none)
    last_language: bool  # built in the last language's build (its entries not merged yet)


@dataclass
class Proofs:
    """What finishing needs from the proof hook."""

    page_proof: Callable[[PageRenderer], SiteProof | None]  # waits for the page's proofs
    finished: Callable[[], bool]  # every proof is in (never waits)
    proved: Callable[[], None]  # the whole verdict: raises PluginError when something is not proved
    cache: ProofCache | None  # the pages' proof HTML across builds


#: The plugins known to read a page only as :func:`defer` and :func:`finish` expect: Material's
#: search plugin (its place in the index is kept, its entries made when the page is finished) and
#: mkdocs-static-i18n (which keeps every language's entries in ``search_entries``).
_KNOWN_PLUGINS = ("material.plugins.search.", "mkdocs_static_i18n.")
# This package's hooks folder, wherever the package is (a site's mkdocs.yml may name the hooks of
# a checkout while the package imported is an installed copy of the same files).
_HOOKS = ("policyproof", "site", "hooks")


def can_defer(config: MkDocsConfig) -> bool:
    """Whether pages may be written before their proofs are in. Not with a plugin this module
    does not know (another search plugin would index the placeholders; a feed or a minifier
    would read the page before its proofs are in), nor when mkdocs-static-i18n keeps the
    languages' search entries somewhere else than expected (see :func:`_splice`): the pages then
    wait for their proofs."""
    for plugin in config.plugins.values():
        module = getattr(plugin, "__file__", None) if isinstance(plugin, ModuleType) else None
        if module is not None:  # a hook: one of this package's own
            if Path(module).resolve().parent.parts[-3:] != _HOOKS:
                return False
        elif not type(plugin).__module__.startswith(_KNOWN_PLUGINS):
            return False
    i18n = config.plugins.get("i18n")
    return i18n is None or isinstance(getattr(i18n, "search_entries", None), list)


def defer(renderer: PageRenderer, page: Page, config: MkDocsConfig) -> Deferred:
    """Hold the page's place in the search index and keep the search plugin, which indexes the
    page next, from indexing its placeholders (:func:`written` puts its front matter back)."""
    index = search_index(config)
    search_meta = page.meta.get("search", _NO_META)
    entry = None
    if index is not None and not (page.meta.get("search") or {}).get("exclude"):
        entry = {"location": page.url, "title": "", "text": ""}
        index.entries.append(entry)
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return Deferred(renderer, page, page.content or "", index, entry, search_meta, is_last_language(config))


def written(item: Deferred) -> None:
    """The page is written (with its placeholders): its own front matter back."""
    if item.search_meta is _NO_META:
        item.page.meta.pop("search", None)
    else:
        item.page.meta["search"] = item.search_meta


def is_last_language(config: MkDocsConfig) -> bool:
    """Pages are finished in the last language's build, before the search index is written
    (mkdocs-static-i18n writes every language's after it; without it, the search plugin)."""
    return current_language(config) == built_languages(config)[-1]


def finish(items: list[Deferred], config: MkDocsConfig, proofs: Proofs) -> int:
    """Finish the pages, in the order they were built: here while the workers still prove, then,
    with everything proved, shared between this process and forked ones (as many in all as the
    cores this process may use, one per :data:`PARALLEL_PAGES` pages at most). Returns how many
    pages the other processes finished."""
    pending = list(items)
    while pending and not proofs.finished():
        item = pending.pop(0)
        _splice(item, _finish_page(item, proofs), config)
    if not pending:
        return 0
    proofs.proved()  # a failing proof stops the build here, naming every problem
    count = min(_usable_cores(), math.ceil(len(pending) / PARALLEL_PAGES))
    # Forking a process with other threads running can leave a lock held forever in the child.
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        for item in pending:
            _splice(item, _finish_page(item, proofs), config)
        return 0
    shares = [pending[k::count] for k in range(count)]  # interleaved: alike in size and kind
    context = multiprocessing.get_context("fork")
    helpers: list[tuple[Any, Any, list[Deferred]]] = []
    gc.freeze()  # the helpers only read what this process holds: no collector copying its pages
    try:
        for share in shares[1:]:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_finish_share, args=(share, proofs, sender, site_root(config)), daemon=True
            )
            process.start()
            sender.close()
            helpers.append((process, receiver, share))
    finally:
        gc.unfreeze()
    try:
        for item in shares[0]:
            _splice(item, _finish_page(item, proofs), config)
        store = page_cache.for_site(site_root(config))
        for process, receiver, share in helpers:
            try:
                status, payload = receiver.recv()
            except EOFError:
                status, payload = "error", f"the process finishing pages ended without an answer ({process})"
            if status != "ok":
                raise PluginError(f"policyproof: {payload}")
            entries_of_each, made, reused = payload
            if store is not None:  # the log's count of search entries made and reused
                store.indexed += made
                store.index_reused += reused
            for item, entries in zip(share, entries_of_each, strict=True):
                _splice(item, entries, config)
    finally:  # whatever happened here, no helper outlives it
        for process, receiver, _ in helpers:
            receiver.close()
            if process.is_alive():
                process.terminate()
            process.join()
    return sum(len(share) for share in shares[1:])


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (not all of a host's)
    except AttributeError:  # no affinity on this platform
        return os.cpu_count() or 1


def _finish_share(items: list[Deferred], proofs: Proofs, connection: Any, root: Path) -> None:
    """In a forked process: finish these pages (their files written here), and send back their
    search entries for the build to put in its index."""
    try:
        store = page_cache.for_site(root)
        made, reused = (store.indexed, store.index_reused) if store is not None else (0, 0)
        entries = [_finish_page(item, proofs) for item in items]
        if store is not None:
            made, reused = store.indexed - made, store.index_reused - reused
        connection.send(("ok", (entries, made, reused)))
    except PluginError as error:
        connection.send(("error", str(error).removeprefix("policyproof: ")))
    except BaseException:  # noqa: BLE001 - whatever it is, the build must fail and say it
        connection.send(("error", "finishing pages failed:\n" + traceback.format_exc()))
    finally:
        connection.close()


def _finish_page(item: Deferred, proofs: Proofs) -> list[dict] | None:
    """The page's proofs in its written HTML; returns its search entries (None: not indexed)."""
    renderer, page = item.renderer, item.page
    proof = proofs.page_proof(renderer)
    if proof is None:
        proofs.proved()  # stops the build with the whole verdict
        raise PluginError(f"policyproof: docs/{page.file.src_uri}: its proofs are missing")
    content = renderer.fill(item.content, proof, cache=proofs.cache)
    entries = _entries(item, content) if item.entry is not None else None
    path = Path(page.file.abs_dest_path)
    try:
        # Bytes, decoded and encoded as MkDocs wrote them (``utils.write_file``): no newline
        # translation, no character the page could not hold.
        output = path.read_bytes().decode("utf-8")
        output = renderer.fill_late(renderer.place(output, indexed=True))
        path.write_bytes(output.encode("utf-8", errors="xmlcharrefreplace"))
    except (OSError, UnicodeDecodeError) as error:
        raise PluginError(
            f"policyproof: docs/{page.file.src_uri}: its page {path} could not be finished: {error}"
        ) from None
    return entries


def _entries(item: Deferred, content: str) -> list[dict]:
    """The search entries Material's search plugin makes of the page with its proofs."""
    page, index = item.page, item.index
    before, saved = len(index.entries), page.content
    page.content = content
    try:
        index.add_entry_from_context(page)  # through the page cache: kept for the next build
    finally:
        page.content = saved
    entries = index.entries[before:]
    del index.entries[before:]
    return entries


def _splice(item: Deferred, entries: list[dict] | None, config: MkDocsConfig) -> None:
    """Put the page's search entries where its stand-in is: in its build's search index and, once
    that build is over, in mkdocs-static-i18n's list of every language's entries
    (``search_entries``, which it writes as the site's index after the last language)."""
    if item.entry is None or entries is None:
        return
    holders = [item.index.entries]
    i18n = config.plugins.get("i18n")
    if i18n is not None and not item.last_language:
        holders.append(i18n.search_entries)
    for holder in holders:
        at = next((n for n, entry in enumerate(holder) if entry is item.entry), None)
        if at is None:
            if holder is item.index.entries:
                continue  # a build already over: its entries live on in the merged list only
            raise PluginError(
                f"policyproof: internal error: docs/{item.page.file.src_uri}: its place in the search "
                "index is lost (mkdocs-static-i18n no longer keeps the languages' entries as expected)"
            )
        holder[at : at + 1] = entries
