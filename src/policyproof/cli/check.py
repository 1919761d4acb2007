"""``policyproof check``: lint policy files; a thin caller of :mod:`policyproof.check.checker`."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from policyproof import __version__
from policyproof.check.catalog import normalize_service
from policyproof.check.checker import check_path
from policyproof.check.findings import Finding, InputError, Severity
from policyproof.check.kinds import KINDS, SUFFIX_KINDS, kind_from_filename
from policyproof.check.rules.registry import RULES_BY_CODE, help_url
from policyproof.check.sarif import to_sarif
from policyproof.site.publishable import PageContext

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_ACCOUNT = re.compile(r"[0-9]{12}\Z")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check policy files against the policy grammar and the AWS catalog",
        description=(
            "Check AWS policy documents. The kind comes from the file name ("
            + ", ".join(f"*{suffix}" for suffix in SUFFIX_KINDS)
            + ") unless --kind is given. A file in a site's snippets folder is checked as the site's "
            "build checks it: as the policy of the resource the folder's claims.yaml attaches it to (owner "
            "account, ARN), and with the counter-examples its expected-findings.yaml declares (reported, "
            "marked expected, not failing; a declared finding no longer raised is an error). Exit status: 0 "
            "no error, 1 an error-level finding, 2 usage error or unreadable input."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="policy files or directories to walk")
    parser.add_argument(
        "--kind",
        metavar="KIND",
        help=f"policy kind of every file: {', '.join(KINDS)} (default: from the file name)",
    )
    parser.add_argument(
        "--attached-to",
        metavar="ARN",
        help="ARN of the KMS key, S3 bucket or other resource the policy belongs to",
    )
    parser.add_argument("--owner-account", metavar="ID", help="12-digit account that owns the key or bucket")
    parser.add_argument(
        "--service",
        metavar="PREFIX",
        help="service a resource or endpoint policy belongs to (sqs, sns, secretsmanager, lambda, "
        "execute-api, ecr, or an endpoint service name such as com.amazonaws.us-east-1.s3); default: from "
        "the policy's ARNs",
    )
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    parser.add_argument(
        "--no-page-context",
        action="store_true",
        help="ignore claims.yaml and expected-findings.yaml beside the files",
    )
    parser.set_defaults(run=run)


def iter_policy_files(path: Path, kind: str | None) -> Iterator[Path]:
    """Policy files under a directory: known suffixes, or every *.json when the kind is given."""
    for root, directories, files in os.walk(path):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        for name in sorted(files):
            if kind_from_filename(name) or (kind is not None and name.endswith(".json")):
                yield Path(root) / name


def run(args: argparse.Namespace) -> int:
    if args.kind is not None and args.kind not in KINDS:
        print(
            f"policyproof check: unknown --kind {args.kind!r}: use one of {', '.join(KINDS)}", file=sys.stderr
        )
        return EXIT_USAGE
    if args.owner_account is not None and not _ACCOUNT.match(args.owner_account):
        print(
            f"policyproof check: --owner-account {args.owner_account!r} is not a 12-digit account ID",
            file=sys.stderr,
        )
        return EXIT_USAGE
    service = None
    if args.service is not None:
        service = normalize_service(args.service)
        if service is None:
            print(
                f"policyproof check: --service {args.service!r} is not an AWS service prefix: use the prefix "
                "of "
                "the service's actions (sqs, sns, secretsmanager, lambda, execute-api, ecr, s3 ...)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    findings: list[Finding] = []
    expected: set[Finding] = set()  # declared counter-example findings: shown, not failing
    input_errors: list[InputError] = []
    checked = 0
    contexts: dict[Path, PageContext] = {}
    for target in _targets(args.paths, args.kind, input_errors):
        context = None
        if not args.no_page_context:
            folder = target.parent
            if folder not in contexts:
                contexts[folder] = PageContext(folder)
                if contexts[folder].error is not None:
                    input_errors.append(contexts[folder].error)
            context = contexts[folder] if contexts[folder].error is None else None
        page = context.context_of(target) if context else {}
        try:
            found = check_path(
                target,
                kind=args.kind,
                attached_to=args.attached_to or page.get("attached_to"),
                owner_account=args.owner_account or page.get("owner_account"),
                service=service,
            )
            checked += 1
        except InputError as error:
            input_errors.append(error)
            continue
        findings.extend(found)
        declared = context.expected_of(target) if context else frozenset()
        expected.update(f for f in found if f.code in declared)
        for code in sorted(declared - {f.code for f in found}):
            findings.append(
                Finding(
                    str(target),
                    1,
                    1,
                    "expected-finding-not-raised",
                    Severity.ERROR,
                    f"{context.declaration if context else 'expected-findings.yaml'} declares {code!r} for "
                    "this file but the checker does not raise it any more: remove it from the declaration "
                    "or restore the counter-example",
                )
            )
    _print(args.format, findings, input_errors, checked, expected)
    if input_errors:
        return EXIT_USAGE
    failing = [f for f in findings if f.severity is Severity.ERROR and f not in expected]
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _targets(paths: list[str], kind: str | None, input_errors: list[InputError]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = list(iter_policy_files(path, kind))
            if not found:
                input_errors.append(
                    InputError(
                        raw,
                        "directory holds no policy files (*.identity-policy.json, "
                        "*.key-policy.json, ...); pass --kind to check every *.json",
                    )
                )
            yield from found
        else:
            yield path  # check_path reports a missing or unreadable file as an InputError


def _print(
    output: str,
    findings: list[Finding],
    input_errors: list[InputError],
    checked: int,
    expected: set[Finding] | None = None,
) -> None:
    expected = expected or set()
    if output == "json":
        document = {
            "tool": "policyproof",
            "version": __version__,
            "files_checked": checked,
            "findings": [
                dict(f.to_dict(), help_url=help_url(f.code), **({"expected": True} if f in expected else {}))
                for f in findings
            ],
            "input_errors": [
                {"file": e.file, "line": e.line, "column": e.column, "message": e.message}
                for e in input_errors
            ],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if output == "sarif":
        log = to_sarif([f for f in findings if f.code in RULES_BY_CODE], input_errors)
        results = log["runs"][0]["results"]
        listed = [f for f in findings if f.code in RULES_BY_CODE]
        for finding, result in zip(listed, results, strict=True):
            if finding in expected:  # SARIF's own way to say "reported on purpose"
                result["suppressions"] = [
                    {"kind": "inSource", "justification": "declared in expected-findings.yaml"}
                ]
        for finding in findings:
            if finding.code not in RULES_BY_CODE:  # expected-finding-not-raised: a tool notification
                log["runs"][0]["invocations"][0]["toolExecutionNotifications"].append(
                    {
                        "level": "error",
                        "message": {"text": finding.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": finding.file},
                                    "region": {"startLine": finding.line, "startColumn": finding.column},
                                }
                            }
                        ],
                    }
                )
        print(json.dumps(log, indent=2, ensure_ascii=False))
        return
    for error in input_errors:
        print(f"{error.file}:{error.line}:{error.column}: input-error: {error.message}", file=sys.stderr)
    for finding in findings:
        suffix = "  (expected: a declared counter-example)" if finding in expected else ""
        print(finding.format() + suffix)
    counts = Counter(finding.severity for finding in findings if finding not in expected)
    parts = [
        f"{counts[severity]} {severity.value}{'s' if counts[severity] != 1 else ''}" for severity in Severity
    ]
    unreadable = f", {len(input_errors)} unreadable" if input_errors else ""
    declared = f", {len(expected)} expected" if expected else ""
    print(f"{checked} file{'s' if checked != 1 else ''} checked{unreadable}: {', '.join(parts)}{declared}")
