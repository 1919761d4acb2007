"""Every published policy snippet is checked; only declared counter-examples may carry problems.

On the real site, each snippet folder's verdict comes from the site's one verification
(``policyproof.site.pipeline.verify_site``, once per session), as the build judges it. The rule
itself (:mod:`policyproof.site.publishable`) is also run on small broken pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import real_site_verification

from policyproof.site.publishable import EXPECTED_FINDINGS_FILE as EXPECTED_FILE
from policyproof.site.publishable import page_snippet_problems as snippet_problems

SNIPPETS = Path(__file__).resolve().parents[1] / "snippets"


def _page_dirs(root: Path) -> list[Path]:
    return sorted({path.parent for path in root.rglob("*.json")})


# Problems of claims files are the claims tests' (tests/claims/test_page_claims.py): one cause, one failure.
_CLAIMS_CODES = {"claims-file", "claim-not-proved"}


@pytest.mark.parametrize("page", _page_dirs(SNIPPETS), ids=lambda page: str(page.relative_to(SNIPPETS)))
def test_published_snippets_carry_no_undeclared_problem(page: Path) -> None:
    folder = f"snippets/{page.relative_to(SNIPPETS).as_posix()}/"
    problems = [
        problem
        for problem in real_site_verification().errors
        if problem.file.startswith(folder) and problem.code not in _CLAIMS_CODES
    ]
    assert not problems, "\n".join(problem.format() for problem in problems)


def test_there_are_snippets_to_check() -> None:
    assert _page_dirs(SNIPPETS), f"no *.json under {SNIPPETS}"


def _write(page: Path, name: str, document: str) -> None:
    page.mkdir(parents=True, exist_ok=True)
    (page / name).write_text(document, encoding="utf-8")


STATEMENT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "%s", "Resource": "%s"}]}'
GOOD = STATEMENT % ("s3:ListBucket", "arn:aws:s3:::b")
WRONG = STATEMENT % ("s3:GetObject", "arn:aws:s3:::b")  # the bucket ARN: s3:GetObject acts on objects


def test_counter_example_mechanism_works_both_ways(tmp_path: Path) -> None:
    page = tmp_path / "section" / "page"
    _write(page, "good.identity-policy.json", GOOD)
    _write(page, "wrong.identity-policy.json", WRONG)
    (problem,) = snippet_problems(page)  # undeclared: reported with file, line and code
    assert "wrong.identity-policy.json:1:" in problem and "resource-type-mismatch" in problem

    _write(page, EXPECTED_FILE, "wrong.identity-policy.json: [resource-type-mismatch]\n")
    assert snippet_problems(page) == []  # declared: accepted

    _write(
        page,
        EXPECTED_FILE,
        "wrong.identity-policy.json: [resource-type-mismatch]\ngood.identity-policy.json: [unknown-action]\n",
    )
    (problem,) = snippet_problems(page)  # declared but not raised: reported
    assert "declares 'unknown-action'" in problem

    _write(
        page,
        EXPECTED_FILE,
        "gone.identity-policy.json: [unknown-action]\nwrong.identity-policy.json: [resource-type-mismatch]\n",
    )
    (problem,) = snippet_problems(page)
    assert "gone.identity-policy.json" in problem and "does not exist" in problem


def test_claims_give_the_context_rules_their_resource(tmp_path: Path) -> None:
    page = tmp_path / "s" / "p"
    key = (
        '{"Version": "2012-10-17", "Statement": [{"Sid": "UseOnly", "Effect": "Allow", '
        '"Principal": {"AWS": "arn:aws:iam::111111111111:role/app"}, "Action": "kms:Decrypt", '
        '"Resource": "*"}]}'
    )
    _write(page, "k.key-policy.json", key)
    assert snippet_problems(page) == []  # no claims: no context, lockout cannot be judged
    _write(
        page,
        "claims.yaml",
        "accounts: {A: '111111111111'}\nregion: us-east-1\nresources:\n  k:\n"
        "    arn: arn:aws:kms:us-east-1:111111111111:key/k1\n    account: A\n"
        "    policy: k.key-policy.json\n"
        "principals:\n  app: {arn: 'arn:aws:iam::111111111111:role/app'}\n"
        "claims:\n  - id: app-decrypts\n    text: {vi: 'app giải mã được', en: 'app can decrypt'}\n"
        "    request: {principal: app, action: 'kms:Decrypt', resource: k}\n    expect: Allow\n",
    )
    (problem,) = snippet_problems(page)
    assert "key-policy-lockout" in problem
