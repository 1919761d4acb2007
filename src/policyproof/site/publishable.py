"""The rule for policies the site publishes: no error and no security warning, unless declared.

A page may show a deliberate counter-example (the "common pitfall" kind). It declares the finding
codes the snippet must raise in ``snippets/<section>/<page>/expected-findings.yaml``::

    wrong-resource.identity-policy.json: [resource-type-mismatch]

The declaration works both ways: every declared code must be raised, and nothing else of error or
security-warning severity may be. When the page's ``claims.yaml`` attaches a key or bucket policy
to a resource, the snippet is checked as that resource's policy (its ARN and owner account).

pytest and the build hook both call this module, so the rule is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from policyproof.check.findings import Finding, InputError, Severity

if TYPE_CHECKING:
    from policyproof.claims import ClaimsFile

EXPECTED_FINDINGS_FILE = "expected-findings.yaml"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same result
CLAIMS_FILE = "claims.yaml"
BLOCKING = frozenset({Severity.ERROR, Severity.SECURITY_WARNING})


def declared_findings(page_dir: Path) -> dict[str, frozenset[str]]:
    """snippet file name -> the finding codes it declares; ``{}`` when the page declares none."""
    path = page_dir / EXPECTED_FINDINGS_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(str(path), f"not valid YAML: {problem}", line, column) from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(name, str) and isinstance(codes, list) and all(isinstance(c, str) for c in codes)
        for name, codes in data.items()
    ):
        raise InputError(
            str(path), "expected a mapping of snippet file name to a list of finding codes, "
            "e.g. 'wrong.identity-policy.json: [resource-type-mismatch]'"
        )
    return {name: frozenset(codes) for name, codes in data.items()}


def checker_contexts(page_dir: Path) -> dict[str, dict[str, str]]:
    """snippet file name -> ``attached_to``/``owner_account`` from the page's claims file."""
    claims_path = page_dir / CLAIMS_FILE
    if not claims_path.is_file():
        return {}
    from policyproof.claims import load_claims  # the engine stack is only needed with claims

    return contexts_from_claims(load_claims(claims_path))


def contexts_from_claims(loaded: ClaimsFile) -> dict[str, dict[str, str]]:
    """The checker's context for each policy file a loaded claims file attaches to a resource."""
    return {
        spec.policy: {"attached_to": spec.arn, "owner_account": spec.account}
        for spec in loaded.resources.values()
        if spec.policy and spec.policy.endswith(".json")
    }


class PageContext:
    """What a snippets folder says about its snippets: the checker's context from ``claims.yaml``
    and the counter-examples declared in ``expected-findings.yaml`` (read once per folder)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.declaration = folder / EXPECTED_FINDINGS_FILE
        self.error: InputError | None = None
        self.declared: dict[str, frozenset[str]] = {}
        self.contexts: dict[str, dict[str, str]] = {}
        try:
            self.declared = declared_findings(folder)
            self.contexts = checker_contexts(folder)
        except InputError as error:
            self.error = error

    def context_of(self, snippet: Path) -> dict[str, str]:
        return self.contexts.get(snippet.name, {})

    def expected_of(self, snippet: Path) -> frozenset[str]:
        return self.declared.get(snippet.name, frozenset())


def undeclared_problems(
    snippet: Path, findings: list[Finding], declared: frozenset[str], declaration: Path
) -> list[str]:
    """What makes a snippet unpublishable, given its findings and its declared codes."""
    problems = [
        f"{finding.format()}  (declare it in {declaration} if it is a deliberate counter-example)"
        for finding in findings
        if Severity(finding.severity) in BLOCKING and finding.code not in declared
    ]
    raised = {finding.code for finding in findings}
    problems += [
        f"{snippet}: {declaration} declares {code!r} but the checker does not raise it"
        for code in sorted(declared - raised)
    ]
    return problems


def page_snippet_problems(
    page_dir: Path, contexts: Mapping[str, Mapping[str, str]] | None = None
) -> list[str]:
    """Every problem with the policy snippets of one page folder (empty when all is publishable)."""
    from policyproof.check.checker import check_path
    from policyproof.check.kinds import kind_from_filename

    declaration = page_dir / EXPECTED_FINDINGS_FILE
    try:
        declared = declared_findings(page_dir)
        contexts = checker_contexts(page_dir) if contexts is None else contexts
    except InputError as error:
        return [str(error)]
    snippets = sorted(page_dir.glob("*.json"))
    problems = [
        f"{declaration}: declares findings for {name!r}, which does not exist"
        for name in sorted(set(declared) - {path.name for path in snippets})
    ]
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
            problems.append(str(error))
            continue
        problems += undeclared_problems(path, findings, declared.get(path.name, frozenset()), declaration)
    return problems
