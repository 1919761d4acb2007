"""``help_url`` / SARIF ``helpUri``: findings link to the published rule page when its address is known,
else to the AWS page the rule enforces; never to localhost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policyproof.check.rules.registry import RULES_BY_CODE

TYPO = Path(__file__).parent / "corpus" / "typo-action.identity-policy.json"


def _check(fmt: str, site_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    if site_url is not None:
        env["SITE_URL"] = site_url
    result = subprocess.run(
        [sys.executable, "-m", "policyproof.cli", "check", "--format", fmt, str(TYPO)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr  # the typo is an error-level finding
    return json.loads(result.stdout)


@pytest.mark.parametrize("site_url", [None, "http://127.0.0.1:8000/", "http://localhost:8123"])
def test_without_a_published_address_findings_link_to_the_aws_page_of_the_rule(site_url: str | None) -> None:
    aws_page = RULES_BY_CODE["unknown-action"].url
    assert aws_page.startswith("https://docs.aws.amazon.com/"), aws_page
    report = _check("json", site_url)
    urls = [finding["help_url"] for finding in report["findings"]]
    assert aws_page in urls, urls
    sarif = json.dumps(_check("sarif", site_url))
    assert f'"{aws_page}"' in sarif
    assert "127.0.0.1" not in sarif and "localhost" not in sarif


def test_a_deploy_site_url_is_used_as_the_deploy_sets_it() -> None:
    """The deploy workflow builds with SITE_URL = the Pages address (a fork has its own)."""
    report = _check("json", "https://example.github.io/fork")
    assert report["findings"][0]["help_url"].startswith("https://example.github.io/fork/en/reference/rules/#")
