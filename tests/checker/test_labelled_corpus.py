"""The labelled corpus: every policy in corpus/ raises exactly the codes expected.yaml lists."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policyproof.check.checker import check_path
from policyproof.check.kinds import KINDS, kind_from_filename
from policyproof.check.rules.registry import RULES_BY_CODE

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


def _entry(name: str) -> tuple[list[str], dict]:
    entry = EXPECTED[name]
    if isinstance(entry, list):
        return entry, {}
    context = {key: entry[key] for key in ("attached_to", "owner_account", "service") if key in entry}
    return entry["codes"], context


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_policy_raises_exactly_its_labelled_codes(name: str) -> None:
    codes, context = _entry(name)
    findings = check_path(CORPUS / name, **context)
    found = {finding.code for finding in findings}
    unexpected = [f.format() for f in findings if f.code not in codes]
    missing = sorted(set(codes) - found)
    assert not unexpected and not missing, (
        f"{CORPUS / name}: missing codes {missing}; unexpected findings:\n  " + "\n  ".join(unexpected)
    )


def test_every_corpus_file_is_labelled_and_every_label_has_a_file() -> None:
    files = {path.name for path in CORPUS.iterdir() if path.suffix == ".json"}
    assert files == set(EXPECTED), (
        f"unlabelled files: {sorted(files - set(EXPECTED))}; labels without file: "
        f"{sorted(set(EXPECTED) - files)}"
    )


def test_every_rule_is_exercised_by_the_corpus() -> None:
    labelled = {code for name in EXPECTED for code in _entry(name)[0]}
    unexercised = sorted(set(RULES_BY_CODE) - labelled)
    assert not unexercised, f"rules no corpus policy raises (add one to {CORPUS}): {unexercised}"


def test_corpus_is_large_and_covers_every_kind() -> None:
    kinds = {kind_from_filename(name) for name in EXPECTED}
    assert len(EXPECTED) >= 60
    assert kinds == set(KINDS)
    valid = [name for name in EXPECTED if not _entry(name)[0]]
    assert {kind_from_filename(name) for name in valid} == set(KINDS), "each kind needs valid examples too"
