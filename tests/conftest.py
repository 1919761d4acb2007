"""Shared test helpers: the repository's paths, throw-away copies of the site, and the extra suites.

Extra suites are tests that read data the project may not ship (see ``EXTRA_SUITES``). They are
marked ``@pytest.mark.extra_suite("<name>")`` and read their data from the shared folder
(``$POLICYPROOF_SHARED``, default ``<repo>/../shared``). When a suite's data is absent its tests are
deselected and the run ends with one line per missing suite saying what it is and how to provide it;
with ``POLICYPROOF_REQUIRE_SHARED=1`` (``.ci/run`` sets it) a missing suite stops the run instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
SNIPPETS = REPO / "snippets"
MKDOCS_YML = REPO / "mkdocs.yml"

#: Environment variable naming the folder that holds the extra suites' data.
SHARED_VARIABLE = "POLICYPROOF_SHARED"
#: Environment variable that turns a missing extra suite into an error (``1``) instead of a note.
REQUIRE_VARIABLE = "POLICYPROOF_REQUIRE_SHARED"
DEFAULT_SHARED = REPO.parent / "shared"


@dataclass(frozen=True)
class ExtraSuite:
    """Tests over data the repository may not ship, read from the shared folder at test time."""

    name: str
    folder: str  # relative to the shared folder
    what: str


EXTRA_SUITES: dict[str, ExtraSuite] = {
    suite.name: suite
    for suite in (
        ExtraSuite(
            "conformance",
            "conformance/iam-simulate/core-engine",
            "iam-simulate's 359 strict core-engine cases (AGPL test data, never copied here)",
        ),
        ExtraSuite(
            "managed-policies",
            "corpora/aws-managed-policies",
            "the 1,570 AWS managed policies, one JSON file each (the checker's false-positive bar)",
        ),
    )
}


def shared_folder() -> Path:
    """``$POLICYPROOF_SHARED`` if set, else ``../shared`` beside the clone."""
    value = os.environ.get(SHARED_VARIABLE, "").strip()
    return Path(value).expanduser().resolve() if value else DEFAULT_SHARED


def extra_suite_path(name: str) -> Path:
    """Where the data of extra suite ``name`` is read from (it may not exist)."""
    return shared_folder() / EXTRA_SUITES[name].folder


def extra_suite_present(name: str) -> bool:
    """The suite's folder exists and holds at least one JSON file."""
    folder = extra_suite_path(name)
    return folder.is_dir() and next(folder.rglob("*.json"), None) is not None


def extra_suites_required() -> bool:
    """``POLICYPROOF_REQUIRE_SHARED``: 1/true/yes -> required; unset, empty, 0/false/no -> optional."""
    value = os.environ.get(REQUIRE_VARIABLE, "").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("", "0", "false", "no"):
        return False
    raise pytest.UsageError(
        f"{REQUIRE_VARIABLE}={value!r}: use 1 to require the extra suites, 0 (or unset) not to"
    )


def missing_suite_line(name: str, required: bool = False) -> str:
    """The one line printed for a missing suite: what it is, where it was looked for, how to provide it."""
    suite = EXTRA_SUITES[name]
    state = f"is required ({REQUIRE_VARIABLE}=1) but missing" if required else "not run"
    line = (
        f"extra suite {name!r} {state}: {suite.what}; not found at {extra_suite_path(name)}. "
        f"Provide it: set {SHARED_VARIABLE} to the folder holding {suite.folder}/ "
        "(default: ../shared beside the clone)"
    )
    return line + ("." if required else f"; {REQUIRE_VARIABLE}=1 makes a missing suite an error.")


_MISSING = pytest.StashKey[set[str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests of missing extra suites (or stop the run when they are required)."""
    missing: set[str] = set()
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("extra_suite")
        if marker is None:
            keep.append(item)
            continue
        name = marker.args[0]
        if name not in EXTRA_SUITES:
            raise pytest.UsageError(
                f"{item.nodeid}: unknown extra suite {name!r}; known: {sorted(EXTRA_SUITES)}"
            )
        if extra_suite_present(name):
            keep.append(item)
        else:
            drop.append(item)
            missing.add(name)
    if missing and extra_suites_required():
        lines = [missing_suite_line(name, required=True) for name in sorted(missing)]
        raise pytest.UsageError(
            f"{REQUIRE_VARIABLE}=1 but {len(missing)} extra suite(s) are missing:\n" + "\n".join(lines)
        )
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    config.stash[_MISSING] = missing


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    missing = config.stash.get(_MISSING, set())
    if missing:
        terminalreporter.write_sep("=", "extra suites not run")
        for name in sorted(missing):
            terminalreporter.write_line(missing_suite_line(name))


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
