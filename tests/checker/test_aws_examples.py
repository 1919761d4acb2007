"""AWS-authored example policies of every kind: each accepted, with no error and no false alarm.

The files in ``aws_examples/`` are rewritten from AWS's own collections (data-perimeter, SCP and
RCP example repositories, the IAM, Organizations, PrivateLink, S3, SNS, SQS, Secrets Manager,
Lambda, API Gateway, ECR and KMS guides); ``expected.yaml`` names the source of each and the only
findings it may raise, every one a true positive explained there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policyproof.check.checker import check_path
from policyproof.check.findings import Severity
from policyproof.check.kinds import KINDS, kind_from_filename

EXAMPLES = Path(__file__).parent / "aws_examples"
EXPECTED: dict = yaml.safe_load((EXAMPLES / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_aws_example_is_accepted_without_false_alarm(name: str) -> None:
    entry = EXPECTED[name]
    context = {key: entry[key] for key in ("attached_to", "owner_account", "service") if key in entry}
    findings = check_path(EXAMPLES / name, **context)
    unexpected = [f.format() for f in findings if f.code not in entry["codes"]]
    assert not unexpected, f"{EXAMPLES / name} ({entry['source']}): false alarms:\n  " + "\n  ".join(
        unexpected
    )
    assert {f.code for f in findings} == set(entry["codes"]), f"{EXAMPLES / name}: a labelled finding is gone"
    assert not [f for f in findings if f.severity is Severity.ERROR], (
        f"{EXAMPLES / name}: an AWS example errs"
    )


def test_every_example_is_labelled_with_its_source() -> None:
    files = {path.name for path in EXAMPLES.glob("*.json")}
    assert files == set(EXPECTED), f"unlabelled: {sorted(files - set(EXPECTED))}"
    for name, entry in EXPECTED.items():
        assert entry["source"].startswith(("https://docs.aws.amazon.com/", "aws-samples/")), name


def test_examples_cover_every_kind() -> None:
    assert len(EXPECTED) >= 60
    covered = {kind_from_filename(name) for name in EXPECTED}
    assert covered == set(KINDS), f"kinds without an AWS example: {sorted(set(KINDS) - covered)}"
