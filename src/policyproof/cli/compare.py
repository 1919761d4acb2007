"""``policyproof compare``: does a policy change add access, for any request at all?

Exit status: 0 when AFTER allows nothing BEFORE does not (proved for every request), 1 when it
does (each kind of new access is printed with a witness request the concrete engine confirmed), 2
for bad input or when the answer is unknown (the reason is printed; nothing is claimed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policyproof.check.findings import InputError
from policyproof.check.sarif import SARIF_SCHEMA
from policyproof.engine.errors import EngineInputError
from policyproof.symbolic.errors import Unknown, WitnessMismatch
from policyproof.symbolic.files import PolicyFile, kind_of, read_policy
from policyproof.symbolic.questions import (
    KIND_SLOTS,
    SLOT_ENGINE_KIND,
    Comparison,
    Filters,
    compare,
    granting_statements,
)

EXIT_SAME = 0
EXIT_NEW_ACCESS = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 3

HELP = """Compare two versions of one policy for every possible request: exit 0 when AFTER allows
nothing that BEFORE does not, 1 when it allows more (each kind of new access is shown with a
request that proves it, checked by the concrete engine), 2 for bad input or an answer that cannot
be computed exactly (for example a policy with ${...} variables). The other policies of a request
(the caller's IAM policies, the resource's policy, a permissions boundary, a session policy) may be
anything, so new access found under some of them is reported with what it assumes."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="prove that a policy change adds no access", description=HELP
    )
    parser.add_argument("before", metavar="BEFORE.json", type=Path)
    parser.add_argument("after", metavar="AFTER.json", type=Path)
    parser.add_argument(
        "--kind",
        choices=sorted(KIND_SLOTS),
        help="policy kind (default: from the file names, *.key-policy.json ...)",
    )
    parser.add_argument("--action", help="only requests for this action (e.g. kms:Decrypt)")
    parser.add_argument("--resource", help="only requests on this resource ARN")
    parser.add_argument("--resource-account", help="the 12-digit account that owns --resource")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.set_defaults(run=run)


def _read(args: argparse.Namespace) -> tuple[PolicyFile, PolicyFile]:
    before = read_policy(args.before, args.kind)
    after = read_policy(args.after, args.kind or kind_of(args.after) or before.kind)
    if before.kind != after.kind:
        raise InputError(
            str(args.after),
            f"BEFORE is a {before.kind} policy but AFTER is a {after.kind} policy: compare two versions of "
            "one policy, or give --kind",
        )
    return before, after


def run(args: argparse.Namespace) -> int:
    try:
        before, after = _read(args)
        filters = Filters(args.action, args.resource, args.resource_account)
        try:
            comparison = compare(before.policy, after.policy, before.kind, filters)
        except EngineInputError as error:
            raise InputError(str(args.after), error.message) from None
    except InputError as error:
        print(f"policyproof compare: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Unknown as unknown:
        print(f"policyproof compare: unknown: {unknown.reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WitnessMismatch as bug:
        print(f"policyproof compare: internal error, the two engines disagree: {bug}", file=sys.stderr)
        return EXIT_BUG

    if args.format == "json":
        print(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "sarif":
        print(json.dumps(to_sarif(comparison, before, after), indent=2, ensure_ascii=False))
    else:
        print(_text(comparison, before, after))
    return EXIT_NEW_ACCESS if comparison.adds_access else EXIT_SAME


def _request_lines(data: dict) -> list[str]:
    lines = [
        f"principal: {data['principal']}",
        f"action: {data['action']}",
        f"resource: {data['resource']} (account {data['resource_account']})",
    ]
    if data.get("context"):
        lines.append("context: " + json.dumps(data["context"], ensure_ascii=False))
    return lines


def _text(comparison: Comparison, before: PolicyFile, after: PolicyFile) -> str:
    if not comparison.adds_access:
        return (
            f"{after.path} allows nothing that {before.path} does not ({comparison.kind} policy): "
            "proved for every request."
        )
    out = [f"{after.path} allows requests that {before.path} does not ({comparison.kind} policy):"]
    for number, item in enumerate(comparison.new_access, 1):
        data = item.to_dict()
        granted = ", ".join(item.statements) or "(no statement of AFTER: a Deny or condition was removed)"
        out.append(f"{number}. new access for {_who(data['principal_kind'])}, granted by {granted}")
        out.extend("   " + line for line in _request_lines(data["request"]))
        out.append(f"   before: {data['before']}; after: {data['after']}")
        if data["assuming"]:
            out.append("   assuming " + "; ".join(data["assuming"]))
    return "\n".join(out)


_WHO = {
    "user": "an IAM user",
    "role": "an IAM role",
    "role-session": "a role session",
    "federated-user": "a federated user",
    "account": "an account root",
    "service": "an AWS service",
    "anonymous": "anonymous callers",
    "web-identity": "a SAML/OIDC identity",
}


def _who(kind: str) -> str:
    return _WHO.get(kind, kind)


def to_sarif(comparison: Comparison, before: PolicyFile, after: PolicyFile) -> dict:
    """One SARIF result per kind of new access, located at the AFTER statement that grants it."""
    from policyproof import __version__

    engine_kind = SLOT_ENGINE_KIND[KIND_SLOTS[comparison.kind]]
    results = []
    for item in comparison.new_access:
        data = item.to_dict()
        statements = granting_statements(item.witness, "after", engine_kind)
        line, column = after.statement_position(statements[0][1]) if statements else (1, 1)
        request = data["request"]
        message = (
            f"New access for {_who(data['principal_kind'])} that {before.path.name} does not allow: "
            f"{request['principal']} can {request['action']} on {request['resource']}"
            + (f" with context {json.dumps(request['context'])}" if request.get("context") else "")
            + (f" (assuming {'; '.join(data['assuming'])})" if data["assuming"] else "")
        )
        results.append(
            {
                "ruleId": "new-access",
                "level": "error",
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": after.path.as_posix()},
                            "region": {"startLine": line, "startColumn": column},
                        }
                    }
                ],
                "properties": {"witness": data},
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "policyproof compare",
                        "version": __version__,
                        "rules": [
                            {
                                "id": "new-access",
                                "name": "NewAccess",
                                "shortDescription": {
                                    "text": "The changed policy allows requests the old one did not"
                                },
                            }
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
