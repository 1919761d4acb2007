"""Proofs kept on disk between builds and ``mkdocs serve`` rebuilds.

An entry is keyed by everything its proof depends on (see :func:`proof_key`): the snippet texts and
the claims file with the policies beside it, the checker's context, the declared counter-examples,
the AWS catalog version, the package version and a fingerprint of the library's own code (the
checker, the engine, the claims and the proving modules). Any change to one of these gives another
key, so an edit re-proves only what it touches and a new engine or catalog re-proves everything.

The cache lives outside ``docs/`` and ``site/`` (``.cache/policyproof/`` at the project root by
default), is safe to delete, and an entry that cannot be read back exactly as written (truncated,
edited, from another format) is ignored and proved again, never trusted: each file starts with a
header naming its key and the SHA-256 of its payload.

The same folder keeps the proof HTML of each page (``render-v…``, :func:`render_fingerprint`): a
build whose proofs and pages did not change does not render them again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 2
DEFAULT_DIR = Path(".cache") / "policyproof"
ENV_DIR = "POLICYPROOF_CACHE_DIR"
ENV_SWITCH = "POLICYPROOF_CACHE"

# The modules whose code decides what a proof says: a change to any of them re-proves everything.
_PROVING_CODE = ("check", "engine", "claims", "symbolic", "data")
_PROVING_MODULES = ("site/prover.py", "site/claim_proofs.py", "site/proofs.py", "site/publishable.py")


def digest(*parts: str) -> str:
    """SHA-256 of the parts, each ended by a NUL (so ``("ab", "c")`` and ``("a", "bc")`` differ)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the library code that proves (and of its data tables), with the package version."""
    from policyproof.site.proofs import package_version

    package = Path(__file__).resolve().parents[1]
    hasher = hashlib.sha256(f"policyproof {package_version('policyproof')}\0".encode())
    files: list[Path] = []
    for folder in _PROVING_CODE:
        files += [
            p for p in (package / folder).rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".yaml")
        ]
    files += [package / name for name in _PROVING_MODULES]
    for path in sorted(set(files)):
        hasher.update(path.relative_to(package).as_posix().encode())
        hasher.update(b"\0")
        hasher.update(path.read_bytes())
        hasher.update(b"\0")
    return hasher.hexdigest()


_RENDERING_MODULES = (
    "site/proofs.py",
    "site/hooks/proof_page.py",
    "site/hooks/proof_render.py",
    "site/hooks/proof_svg.py",
    "site/hooks/proof_report.py",
)


@lru_cache(maxsize=1)
def render_fingerprint() -> str:
    """A digest of the code that turns proofs into HTML, with the package version."""
    from policyproof.site.proofs import package_version

    package = Path(__file__).resolve().parents[1]
    parts = [f"policyproof {package_version('policyproof')}"]
    for name in _RENDERING_MODULES:
        parts += [name, (package / name).read_text(encoding="utf-8")]
    return digest(*parts)


def cache_dir_for(root: Path) -> Path | None:
    """Where the proof cache of the site at ``root`` lives (None when turned off)."""
    if os.environ.get(ENV_SWITCH, "on").strip().lower() == "off":
        return None
    configured = os.environ.get(ENV_DIR)
    return Path(configured) if configured else root / DEFAULT_DIR


class ProofCache:
    """A folder of proofs, one file per key; readers never trust an entry they cannot verify."""

    def __init__(self, directory: Path, kind: str = "proofs") -> None:
        self.directory = Path(directory) / f"{kind}-v{FORMAT}"
        self.hits = 0
        self.ignored = 0  # entries found but unreadable or corrupt

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Any | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        header, newline, payload = data.partition(b"\n")
        expected = f"policyproof-proof {FORMAT} {key} {hashlib.sha256(payload).hexdigest()}".encode()
        if not newline or header != expected:
            self.ignored += 1
            return None
        try:
            value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a payload that does not load is a miss, whatever the reason
            self.ignored += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        """Store a proof; a cache that cannot be written (read-only disk, full) is simply not used."""
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable proof (a test's fake) is just not cached
            return
        header = f"policyproof-proof {FORMAT} {key} {hashlib.sha256(payload).hexdigest()}\n".encode()
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(header + payload)
            os.replace(temporary, path)  # readers see the old entry or the whole new one
        except OSError:
            return
