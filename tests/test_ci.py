"""CI runs what the README tells a user to run, lints, and says how it treats the extra suites."""

from __future__ import annotations

import re

from conftest import REPO

README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"
WORKFLOW = REPO / ".github" / "workflows" / "docs.yml"


def _readme_test_command() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"# 2\. Install and run the whole test suite\n(.+)\n", text)
    assert match, f"{README}: the Quick start has no '# 2. Install and run the whole test suite' command"
    return match.group(1).strip()


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = _readme_test_command()
    lines = [line.strip() for line in CI_RUN.read_text(encoding="utf-8").splitlines()]
    assert command in lines, f"{CI_RUN}: does not run the README's test command {command!r} verbatim"


def test_ci_lints_with_ruff_and_requires_the_extra_suites_by_an_explicit_variable() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    assert ".venv/bin/ruff check src tests bench" in script, f"{CI_RUN}: ruff check is not run"
    assert 'POLICYPROOF_REQUIRE_SHARED="${POLICYPROOF_REQUIRE_SHARED:-1}"' in script, CI_RUN
    assert not re.search(r"\$\{?CI\b", script), f"{CI_RUN}: must not depend on the CI variable"


def test_github_workflow_runs_ci_without_the_data_it_cannot_have() -> None:
    workflow = WORKFLOW.read_text(encoding="utf-8")
    assert "run: bash .ci/run" in workflow, WORKFLOW
    assert 'POLICYPROOF_REQUIRE_SHARED: "0"' in workflow, f"{WORKFLOW}: GitHub has no ../shared"


def test_readme_documents_the_shared_folder_and_the_variables() -> None:
    text = README.read_text(encoding="utf-8")
    for word in ("../shared", "POLICYPROOF_SHARED", "POLICYPROOF_REQUIRE_SHARED", "conformance", "managed"):
        assert word in text, f"{README}: does not explain {word}"
