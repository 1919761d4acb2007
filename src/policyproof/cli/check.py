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
from policyproof.check.rules.registry import help_url
from policyproof.check.sarif import to_sarif

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_ACCOUNT = re.compile(r"[0-9]{12}\Z")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check policy files against the policy grammar and the AWS catalog",
        description=(
            "Check AWS policy documents. The kind comes from the file name ("
            + ", ".join(f"*{suffix}" for suffix in SUFFIX_KINDS)
            + ") unless --kind is given. Exit status: 0 no error, 1 an error-level finding, 2 usage error or "
            "unreadable input."
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
    input_errors: list[InputError] = []
    checked = 0
    for target in _targets(args.paths, args.kind, input_errors):
        try:
            findings.extend(
                check_path(
                    target,
                    kind=args.kind,
                    attached_to=args.attached_to,
                    owner_account=args.owner_account,
                    service=service,
                )
            )
            checked += 1
        except InputError as error:
            input_errors.append(error)
    _print(args.format, findings, input_errors, checked)
    if input_errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if any(f.severity is Severity.ERROR for f in findings) else EXIT_CLEAN


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


def _print(output: str, findings: list[Finding], input_errors: list[InputError], checked: int) -> None:
    if output == "json":
        document = {
            "tool": "policyproof",
            "version": __version__,
            "files_checked": checked,
            "findings": [dict(f.to_dict(), help_url=help_url(f.code)) for f in findings],
            "input_errors": [
                {"file": e.file, "line": e.line, "column": e.column, "message": e.message}
                for e in input_errors
            ],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if output == "sarif":
        print(json.dumps(to_sarif(findings, input_errors), indent=2, ensure_ascii=False))
        return
    for error in input_errors:
        print(f"{error.file}:{error.line}:{error.column}: input-error: {error.message}", file=sys.stderr)
    for finding in findings:
        print(finding.format())
    counts = Counter(finding.severity for finding in findings)
    parts = [
        f"{counts[severity]} {severity.value}{'s' if counts[severity] != 1 else ''}" for severity in Severity
    ]
    unreadable = f", {len(input_errors)} unreadable" if input_errors else ""
    print(f"{checked} file{'s' if checked != 1 else ''} checked{unreadable}: {', '.join(parts)}")
