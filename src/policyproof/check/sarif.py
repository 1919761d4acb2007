"""Findings as SARIF 2.1.0, the format GitHub code scanning reads."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from policyproof import __version__
from policyproof.check.findings import Finding, InputError, Severity
from policyproof.check.rules.registry import RULES, help_url

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {
    Severity.ERROR: "error",
    Severity.SECURITY_WARNING: "warning",
    Severity.WARNING: "warning",
    Severity.SUGGESTION: "note",
}
#: GitHub ranks security alerts by this property (0-10); "high" starts at 7.0.
_SECURITY_SEVERITY = "7.5"


def _uri(file: str) -> str:
    """A repository-relative URI when the file is under the working directory (what GitHub wants)."""
    path = Path(file)
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path.as_posix()
    return relative.as_posix()


def _rule_descriptor(index: int) -> dict:
    rule = RULES[index]
    descriptor = {
        "id": rule.code,
        "name": rule.code,
        "shortDescription": {"text": rule.title_en},
        "fullDescription": {"text": rule.description_en},
        "helpUri": help_url(rule.code),
        "help": {
            "text": f"{rule.description_en} AWS documentation: {rule.url}",
            "markdown": f"{rule.description_en}\n\n[AWS documentation]({rule.url})",
        },
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {
            "tags": ["security"] if rule.severity is Severity.SECURITY_WARNING else [],
            "awsDocumentation": rule.url,
        },
    }
    if rule.severity is Severity.SECURITY_WARNING:
        descriptor["properties"]["security-severity"] = _SECURITY_SEVERITY
    return descriptor


def _location(file: str, line: int, column: int) -> dict:
    # A finding and an input error point at their place in the same way.
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(file)},
            "region": {"startLine": line, "startColumn": column},
        }
    }


def to_sarif(findings: Iterable[Finding], input_errors: Iterable[InputError] = ()) -> dict:
    """A complete SARIF log with one run of policyproof."""
    rule_index = {rule.code: index for index, rule in enumerate(RULES)}
    results = [
        {
            "ruleId": finding.code,
            "ruleIndex": rule_index[finding.code],
            "level": _LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [_location(finding.file, finding.line, finding.column)],
        }
        for finding in findings
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [_location(error.file, error.line, error.column)],
        }
        for error in input_errors
    ]
    errors = list(notifications)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "policyproof",
                        "version": __version__,
                        "informationUri": help_url(RULES[0].code).split("#")[0],
                        "rules": [_rule_descriptor(index) for index in range(len(RULES))],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not errors,
                        "toolExecutionNotifications": errors,
                        "workingDirectory": {"uri": Path(os.getcwd()).as_uri()},
                    }
                ],
                "results": results,
            }
        ],
    }
