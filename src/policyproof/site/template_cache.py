"""Compiled theme templates kept between builds (Jinja's own bytecode cache).

Every ``mkdocs build`` compiles Material's templates from source, once per language (the i18n
plugin builds each language with a new Jinja environment), and ``mkdocs serve`` does it again on
every save: on this site that is about a third of a rebuild under ``serve``. Jinja can keep the
compiled code (``jinja2.BytecodeCache``); a bucket is only used when the template's source checksum
and Jinja's bytecode format (Python version included) match, so an edited template or another
Python compiles afresh: the cache cannot serve a stale template.

Kept in memory for the process (the other language, ``serve`` rebuilds) and on disk beside the
proof cache (``.cache/policyproof/templates/``, safe to delete; off with ``POLICYPROOF_CACHE=off``).
A module of the package, not a hook file, so the memory outlives MkDocs reloading its config.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from policyproof.site.proof_cache import cache_dir_for

FOLDER = "templates"


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates in memory, backed by one file per template in ``directory`` (if any)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.memory: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.memory.get(bucket.key)
        if data is None and self.directory is not None:
            try:
                data = (self.directory / f"{bucket.key}.jinja").read_bytes()
            except OSError:
                return
        if data is not None:
            # Checks Jinja's magic and the source checksum; a mismatch leaves the bucket empty.
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = bucket.bytecode_to_string()
        self.memory[bucket.key] = data
        if self.directory is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written whole then renamed: a reader never sees half a file.
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, self.directory / f"{bucket.key}.jinja")
        except OSError:
            pass  # a cache that cannot be written only costs time


_caches: dict[Path | None, TemplateCache] = {}


def for_site(root: Path) -> TemplateCache:
    """The template cache of the site at ``root``, one per process and folder."""
    base = cache_dir_for(root)
    directory = base / FOLDER if base is not None else None
    if directory not in _caches:
        _caches[directory] = TemplateCache(directory)
    return _caches[directory]
