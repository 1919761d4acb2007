"""The rule reference pages are exactly what the registry generates, and every code is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyproof.check.rules.registry import GROUPS, RULES, RULES_BY_CODE, help_url
from policyproof.check.rules_reference import DOCS_DIR, PAGES, main, render

SOURCE = Path(__file__).resolve().parents[2] / "src" / "policyproof"


def test_committed_pages_equal_the_generator_output() -> None:
    for lang, relative in PAGES.items():
        page = DOCS_DIR / relative
        assert page.read_text(encoding="utf-8") == render(lang), (
            f"{page} is out of date: run python -m policyproof.check.rules_reference --write"
        )
    assert main(["--check"]) == 0


def test_check_mode_detects_drift(tmp_path: Path) -> None:
    assert main(["--write", "--docs-dir", str(tmp_path)]) == 0
    assert main(["--check", "--docs-dir", str(tmp_path)]) == 0
    page = tmp_path / PAGES["en"]
    page.write_text(
        page.read_text(encoding="utf-8").replace("Unknown action", "Unknwon action"), encoding="utf-8"
    )
    assert main(["--check", "--docs-dir", str(tmp_path)]) == 1


def test_every_rule_has_a_heading_with_its_code_as_id_in_both_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SITE_URL", "https://example.github.io/notes/")  # as the deploy workflow sets it
    for lang in PAGES:
        page = render(lang)
        ids = re.findall(r"^### .* \{ #([a-z0-9-]+) \}$", page, flags=re.MULTILINE)
        assert ids == [rule.code for group in GROUPS for rule in RULES if rule.group == group]
        assert page.startswith("---\ntitle: ") and "\nweight: " in page
    for rule in RULES:
        assert rule.title_vi and rule.description_vi and rule.title_en and rule.description_en, rule.code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.code), rule.code
        assert help_url(rule.code) == f"https://example.github.io/notes/en/reference/rules/#{rule.code}"
        assert rule.url.startswith("https://"), rule.code  # the fallback link when no site is published


def test_every_code_used_in_the_source_is_registered() -> None:
    used = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:report|make_finding)\(\s*"([a-z-]+)"', text))
        used |= set(re.findall(r'^\s+\(?"([a-z]+(?:-[a-z]+)+)", path', text, flags=re.MULTILINE))
    assert used, "no codes found: the pattern is broken"
    assert used <= set(RULES_BY_CODE), f"codes without a registry entry: {sorted(used - set(RULES_BY_CODE))}"


def test_markdown_keeps_stars_and_angle_brackets_literal() -> None:
    from policyproof.check.rules_reference import to_markdown

    assert to_markdown("use arn:aws:s3:::b/* or Arn* and Date*, aws:ResourceTag/<key>.") == (
        "use `arn:aws:s3:::b/*` or Arn\\* and Date\\*, aws:ResourceTag/&lt;key>."
    )
    expected = 'name it `*.key-policy.json`; Resource `"*"`'
    assert to_markdown('name it *.key-policy.json; Resource "*"') == expected
