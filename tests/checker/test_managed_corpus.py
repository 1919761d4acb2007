"""False-positive bar: the 1,570 AWS managed policies raise no error-level finding.

Actions of retired services and actions AWS uses but its catalog omits are warnings. The only
errors allowed are the true positives listed below, each checked by hand (the test fails if one
disappears, so the list cannot go stale). The corpus is AWS's content, not shipped here: this is the
extra suite ``managed-policies``, read from ``$POLICYPROOF_SHARED/corpora/aws-managed-policies``
(see tests/conftest.py; ``.ci/run`` requires it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import extra_suite_path

from policyproof.check.checker import check_path
from policyproof.check.findings import Severity

MANAGED = extra_suite_path("managed-policies")

#: (policy file, code) -> why the error is real. Empty: every policy AWS publishes passes; dead
#: entries next to working ones are warnings (resource-fits-no-action), keys AWS uses but does not
#: document are warnings (unlisted-condition-key).
KNOWN_TRUE_POSITIVES: dict[tuple[str, str], str] = {}

pytestmark = pytest.mark.extra_suite("managed-policies")


def _policies() -> list[Path]:
    return sorted(path for path in MANAGED.glob("*.json") if not path.name.startswith("_"))


def test_managed_policies_raise_no_unexpected_error() -> None:
    policies = _policies()
    assert len(policies) >= 1500, f"{MANAGED}: expected the 1,570 AWS managed policies, found {len(policies)}"
    errors = []
    seen_true_positives = set()
    for path in policies:
        for finding in check_path(path, kind="identity"):
            if finding.severity is not Severity.ERROR:
                continue
            if (path.name, finding.code) in KNOWN_TRUE_POSITIVES:
                seen_true_positives.add((path.name, finding.code))
            else:
                errors.append(finding.format())
    assert not errors, f"{len(errors)} error-level findings on AWS managed policies:\n" + "\n".join(
        errors[:50]
    )
    assert seen_true_positives == set(KNOWN_TRUE_POSITIVES), "a listed true positive is no longer found"


def test_retired_service_actions_are_warnings_naming_the_service() -> None:
    findings = [
        f
        for path in _policies()
        for f in check_path(path, kind="identity")
        if f.code == "retired-service-action"
    ]
    assert findings, "the corpus has actions of retired services (CodeStar, DeepLens ...)"
    assert all(f.severity is Severity.WARNING for f in findings)
    assert any("CodeStar" in f.message for f in findings)
