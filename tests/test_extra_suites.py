"""The extra suites (tests/conftest.py): data the project may not ship, named when absent.

Each test runs pytest in a child process, as a user or GitHub Actions would, with
``POLICYPROOF_SHARED`` pointing at a folder built here, and asserts what that run prints and its
exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXTRA_SUITES, REPO, missing_suite_line

SUITE_FILES = ["tests/engine/test_conformance.py", "tests/checker/test_managed_corpus.py"]
#: A fast test with no data, so a run whose suites are all deselected still runs something.
ANCHOR = "tests/test_extra_suites.py::test_every_suite_line_says_what_where_and_how"


def _pytest(shared: Path, *args: str, require: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICYPROOF_SHARED": str(shared), "CI": "true", "GITHUB_ACTIONS": "true"}
    env.pop("POLICYPROOF_REQUIRE_SHARED", None)
    if require is not None:
        env["POLICYPROOF_REQUIRE_SHARED"] = require
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_suite_line_says_what_where_and_how() -> None:
    for name, suite in EXTRA_SUITES.items():
        line = missing_suite_line(name)
        assert "\n" not in line
        assert f"'{name}'" in line and suite.what in line and suite.folder in line
        assert "POLICYPROOF_SHARED" in line and "../shared" in line and "POLICYPROOF_REQUIRE_SHARED=1" in line


def test_missing_suites_are_named_once_each_and_the_run_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on GitHub (CI=true, no ../shared): the run passes and names each missing suite on one line."""
    monkeypatch.setenv("POLICYPROOF_SHARED", str(tmp_path))  # so missing_suite_line names the same folder
    result = _pytest(tmp_path, *SUITE_FILES, ANCHOR)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "extra suites not run" in out
    for name in EXTRA_SUITES:
        lines = [line for line in out.splitlines() if line.startswith(f"extra suite '{name}' not run")]
        assert lines == [missing_suite_line(name)], out
    assert "empty parameter set" not in out and "SKIPPED" not in out, out
    assert "1 passed, 6 deselected" in out, out


def test_required_suites_stop_the_run_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYPROOF_SHARED", str(tmp_path))
    result = _pytest(tmp_path, *SUITE_FILES, ANCHOR, require="1")
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert "POLICYPROOF_REQUIRE_SHARED=1 but 2 extra suite(s) are missing" in result.stderr
    for name in EXTRA_SUITES:
        assert missing_suite_line(name, required=True) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_require_value_is_a_usage_error(tmp_path: Path) -> None:
    result = _pytest(tmp_path, SUITE_FILES[0], ANCHOR, require="maybe")
    assert result.returncode == 4
    assert "POLICYPROOF_REQUIRE_SHARED='maybe': use 1 to require the extra suites" in result.stderr


def test_the_shared_folder_comes_from_the_variable(tmp_path: Path) -> None:
    """A corpus folder under $POLICYPROOF_SHARED is read: one policy is not the 1,570 the bar needs."""
    corpus = tmp_path / "corpora" / "aws-managed-policies"
    corpus.mkdir(parents=True)
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    (corpus / "OnePolicy.json").write_text(json.dumps(policy), encoding="utf-8")
    result = _pytest(tmp_path, SUITE_FILES[1] + "::test_managed_policies_raise_no_unexpected_error")
    assert result.returncode == 1, result.stdout
    assert f"{corpus}: expected the 1,570 AWS managed policies, found 1" in result.stdout
    assert "extra suites not run" not in result.stdout
