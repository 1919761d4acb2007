"""One verdict: ``mkdocs build``, ``policyproof verify`` and the pytest-facing API
(:func:`policyproof.site.pipeline.verify_site`) report the same problems in the same words.

The same broken copy of the real site (a wrong ``rule:``, a page without its twin, a snippet shown
in one language only, a heading without id) goes through all three; each must fail and print
exactly the same problem lines.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_site, real_site_verification, site_copy

from policyproof.site.pipeline import verify_site

PAGE_EN = "docs/kms/cross-account-encryption.en.md"
PAGE_VI = "docs/kms/cross-account-encryption.md"
CLAIMS = "snippets/kms/cross-account-encryption/claims.yaml"
IDENTITY = "kms/cross-account-encryption/app-reader-s3-sse-kms.identity-policy.json"


def _replace(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path``; returns the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: the test expected to find {old!r} to break"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _break(folder: Path) -> dict[str, str]:
    """Break the copy in four ways; returns cause -> the start of the line that must report it."""
    rule_line = _replace(
        folder / CLAIMS, "    rule: cross-account-no-identity-allow\n", "    rule: resource-policy-required\n"
    )
    (folder / "docs/kms/orphan.md").write_text(
        "---\ntitle: Mồ côi\n---\n\n# Trang mồ côi { #orphan }\n", encoding="utf-8"
    )
    # The English page stops showing one snippet (the Vietnamese one still does).
    en = folder / PAGE_EN
    text = en.read_text(encoding="utf-8")
    block = f'```json\n--8<-- "{IDENTITY}"\n```\n'
    assert block in text, f"{en}: no include of {IDENTITY} to remove"
    at = text.index(block)
    edited = text.replace(block, "", 1)
    en.write_text(edited, encoding="utf-8")
    # Where the two lists of includes part ways: the English page's next include.
    include_line = edited[: edited.index("--8<--", at)].count("\n") + 1
    heading_line = _replace(folder / PAGE_VI, " { #key-types }", "")
    return {
        "rule": f"{CLAIMS}:{rule_line}:5: error claim-not-proved: claim 'key-policy-alone-is-not-enough' "
        f"(docs/kms/cross-account-encryption.en.md, docs/kms/cross-account-encryption.md): expected "
        "ImplicitDeny by rule resource-policy-required, the engine decided ImplicitDeny by rule "
        "cross-account-no-identity-allow",
        "twin": "docs/kms/orphan.md:1:1: error missing-twin: no 'en' twin: create orphan.en.md",
        "one-language": f"{PAGE_EN}:{include_line}:1: error snippet-order: snippet include #4 differs from "
        f"cross-account-encryption.md: expected '{IDENTITY}'",
        "heading": f"{PAGE_VI}:{heading_line}:1: error heading-id: heading ",
    }


def _build_lines(stderr: str) -> list[str]:
    """The problem lines of a failed build: those under ``policyproof: N problem(s); ...``."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if "problem(s); the site is not built:" in line), None)
    assert start is not None, f"the build did not fail with the verification's message:\n{stderr}"
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        block.append(line[2:])
    return _first_lines(block)


def _first_lines(lines: list[str]) -> list[str]:
    """One line per problem (a claim's explanation continues on indented lines)."""
    return [line for line in lines if re.match(r"^\S+:\d+:\d+: ", line)]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("broken")
    site_copy(folder)
    return folder, _break(folder)


def test_build_verify_and_pytest_report_the_same_problems_in_the_same_words(
    broken: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, expected = broken
    build = build_site(folder / "mkdocs.yml", tmp_path / "site")
    assert build.returncode != 0, "mkdocs build --strict published the broken site"
    from_build = _build_lines(build.stderr)

    verify = subprocess.run(
        [sys.executable, "-m", "policyproof.cli", "verify", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "POLICYPROOF_CACHE": "off"},
        timeout=600,
    )
    assert verify.returncode == 1, f"verify exit {verify.returncode}:\n{verify.stdout}{verify.stderr}"
    from_cli = _first_lines(verify.stdout.splitlines())

    verification = verify_site(folder, cache=False)
    from_api = _first_lines("\n".join(verification.lines()).splitlines())

    assert from_build == from_cli == from_api, f"build:\n{from_build}\nverify:\n{from_cli}\napi:\n{from_api}"
    for cause, start in expected.items():
        matching = [line for line in from_api if line.startswith(start)]
        assert len(matching) == 1, f"{cause}: no one line starting {start!r} in:\n" + "\n".join(from_api)
    # One error per cause: nothing else is reported (no follow-on errors).
    assert len(from_api) == len(expected), "\n".join(from_api)
    # The build fails before any page is built, so it blames no page (not verification.md).
    assert "Error building page" not in build.stderr and "Error reading page" not in build.stderr, (
        build.stderr
    )
    assert "Traceback" not in build.stderr, build.stderr


# Which test reports each kind of problem of the real site (each cause fails exactly one test).
_OWNERS = {
    "missing-twin": "tests/site/test_site_consistency.py",
    "snippet-order": "tests/site/test_site_consistency.py",
    "heading-id": "tests/site/test_site_consistency.py",
    "inline-json": "tests/site/test_site_consistency.py",
    "missing-snippet": "tests/site/test_site_consistency.py",
    "unused-snippet": "tests/site/test_site_consistency.py",
    "claims-file": "tests/claims/test_page_claims.py",
    "claim-not-proved": "tests/claims/test_page_claims.py",
}


def test_the_real_site_verification_has_work_and_every_problem_has_its_test() -> None:
    """pytest reads the real site's verdict from the pipeline the build runs; each problem fails
    one itemised test (page rules, snippet folder, claim). This test checks there is work, and
    that no kind of problem could go unreported by those tests."""
    verification = real_site_verification()
    summary = verification.summary()
    assert summary["pages"] > 0 and summary["snippets"] > 0, summary
    # A claims file that does not load has no claims to count: test_claim[...::<load>] reports it.
    assert summary["claims"] > 0 or verification.proof.claims_errors, summary
    for problem in verification.errors:
        if problem.code not in _OWNERS:  # a snippet's finding: tests/test_snippets_checked.py
            assert problem.file.startswith("snippets/"), f"no test reports: {problem.format()}"
