"""Every published policy snippet is checked; only declared counter-examples may carry problems.

A snippet may carry no error and no security warning, unless the page declares it a
counter-example in ``snippets/<section>/<page>/expected-findings.yaml``::

    wrong-resource.identity-policy.json: [resource-type-mismatch]

The declaration works both ways: every declared code must be raised, and nothing else of error or
security-warning severity may be. When the page's ``claims.yaml`` names the resource a key or
bucket policy is attached to, the snippet is checked with that context (its ARN and account).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policyproof.checker import check_path
from policyproof.findings import InputError, Severity
from policyproof.kinds import kind_from_filename

SNIPPETS = Path(__file__).resolve().parents[1] / "snippets"
BLOCKING = (Severity.ERROR, Severity.SECURITY_WARNING)
EXPECTED_FILE = "expected-findings.yaml"


def _page_dirs(root: Path) -> list[Path]:
    return sorted({path.parent for path in root.rglob("*.json")})


def _contexts(page: Path) -> dict[str, dict[str, str]]:
    """snippet file name -> {attached_to, owner_account} from the page's claims.yaml, if any."""
    claims_file = page / "claims.yaml"
    if not claims_file.is_file():
        return {}
    claims = yaml.safe_load(claims_file.read_text(encoding="utf-8")) or {}
    accounts = claims.get("accounts") or {}
    contexts: dict[str, dict[str, str]] = {}
    for resource in (claims.get("resources") or {}).values():
        if (
            not isinstance(resource, dict)
            or not isinstance(resource.get("policy"), str)
            or "arn" not in resource
        ):
            continue
        context = {"attached_to": str(resource["arn"])}
        account = resource.get("account")
        if account is not None:
            context["owner_account"] = str(accounts.get(account, account))
        contexts[resource["policy"]] = context
    return contexts


def snippet_problems(page: Path) -> list[str]:
    """What is wrong with the snippets of one page directory (empty when all is well)."""
    expected_file = page / EXPECTED_FILE
    expected: dict[str, list[str]] = {}
    if expected_file.is_file():
        expected = yaml.safe_load(expected_file.read_text(encoding="utf-8")) or {}
    contexts = _contexts(page)
    problems = []
    snippets = sorted(page.glob("*.json"))
    for name in sorted(set(expected) - {path.name for path in snippets}):
        problems.append(f"{expected_file}: declares findings for {name!r}, which does not exist")
    for path in snippets:
        if kind_from_filename(path.name) is None:
            problems.append(
                f"{path}: not a policy file name: name it *.identity-policy.json, *.key-policy.json, "
                "*.bucket-policy.json, *.trust-policy.json or *.scp.json"
            )
            continue
        try:
            findings = check_path(path, **contexts.get(path.name, {}))
        except InputError as error:
            problems.append(f"{error.file}:{error.line}:{error.column}: {error.message}")
            continue
        declared = set(expected.get(path.name, []))
        blocking = [f for f in findings if f.severity in BLOCKING and f.code not in declared]
        problems += [
            f"{f.format()}  (declare it in {expected_file} if it is a counter-example)" for f in blocking
        ]
        raised = {f.code for f in findings}
        for code in sorted(declared - raised):
            problems.append(f"{path}: {expected_file} declares {code!r} but the checker does not raise it")
    return problems


@pytest.mark.parametrize("page", _page_dirs(SNIPPETS), ids=lambda page: str(page.relative_to(SNIPPETS)))
def test_published_snippets_carry_no_undeclared_problem(page: Path) -> None:
    problems = snippet_problems(page)
    assert not problems, "\n".join(problems)


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
        "accounts: {A: '111111111111'}\nresources:\n  k:\n"
        "    arn: arn:aws:kms:us-east-1:111111111111:key/k1\n    account: A\n"
        "    policy: k.key-policy.json\n",
    )
    (problem,) = snippet_problems(page)
    assert "key-policy-lockout" in problem
