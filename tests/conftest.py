"""Shared test helpers: the repository's paths and throw-away copies of the site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
SNIPPETS = REPO / "snippets"
MKDOCS_YML = REPO / "mkdocs.yml"


def site_copy(dest: Path) -> Path:
    """Copy docs/, snippets/ and mkdocs.yml into ``dest`` and point the hooks at the repo.

    Returns the copied mkdocs.yml. Tests break the copy on purpose; the real site stays intact.
    A copy of a site that does not verify would fail for the wrong reason: such tests are skipped
    (see :func:`require_verified_site`).
    """
    require_verified_site()
    shutil.copytree(DOCS, dest / "docs")
    shutil.copytree(SNIPPETS, dest / "snippets")
    text = MKDOCS_YML.read_text(encoding="utf-8")
    # Hooks and theme overrides are files of the package: make their paths absolute so the copy
    # still uses them.
    text = re.sub(r"(?<![\w/])src/policyproof/", f"{REPO}/src/policyproof/", text)
    config = dest / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def build_site(config: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of one config into ``site_dir``; returns the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        capture_output=True,
        text=True,
        # pymdownx.snippets resolves base_path from the working directory, not from the config.
        cwd=config.parent,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
    )


_VERIFICATION: list = []


def real_site_verification():
    """The real site's verification (``policyproof.site.pipeline.verify_site``), once per session."""
    if not _VERIFICATION:
        from policyproof.site.pipeline import verify_site

        _VERIFICATION.append(verify_site(REPO))
    return _VERIFICATION[0]


def require_verified_site() -> None:
    """Skip a test that needs the real site to verify. Each problem of the site fails its own test
    once (tests/site/test_site_consistency.py, tests/test_snippets_checked.py,
    tests/claims/test_page_claims.py); the tests that build or copy the site would only repeat it."""
    verification = real_site_verification()
    if not verification.ok:
        first = verification.lines()[0].splitlines()[0]
        pytest.skip(
            f"blocked: the real site does not verify ({len(verification.errors)} problem(s), each failing "
            f"its own test); first: {first}"
        )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once per test session with ``--strict`` (when it verifies)."""
    require_verified_site()
    site_dir = tmp_path_factory.mktemp("site")
    result = build_site(MKDOCS_YML, site_dir)
    assert result.returncode == 0, f"mkdocs build --strict failed for {MKDOCS_YML}:\n{result.stderr}"
    return site_dir
