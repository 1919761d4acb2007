"""``policyproof who-can``: which principals can reach a resource, like IAM Access Analyzer's
findings, each with a witness request the concrete engine confirmed.

Exit status: 0 when the answer was computed (whatever it is), 2 for bad input or an unknown
answer (with the reason).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policyproof.check.findings import InputError
from policyproof.engine.errors import EngineInputError
from policyproof.symbolic.errors import Unknown, WitnessMismatch
from policyproof.symbolic.files import read_policy
from policyproof.symbolic.questions import Filters, WhoCan, who_can

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_BUG = 3

HELP = """List the principals that can reach the resource the given policies protect: accounts,
roles, users, AWS services, federated identities, and "*" (anyone else), each with the conditions
that let it in and a witness request. Give the resource's policy (*.key-policy.json,
*.bucket-policy.json, *.trust-policy.json, *.resource-policy.json) and any RCPs, SCPs or VPC
endpoint policies in its path. As IAM Access Analyzer does, a principal's own IAM policies are
assumed to allow what it asks."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "who-can", help="who can reach a resource, with witnesses", description=HELP
    )
    parser.add_argument("policies", metavar="POLICY", type=Path, nargs="+")
    parser.add_argument("--action", help="only this action (e.g. kms:Decrypt)")
    parser.add_argument("--resource", help="the resource ARN the policies protect")
    parser.add_argument("--resource-account", help="the 12-digit account that owns the resource")
    parser.add_argument("--kind", help="policy kind of every file (default: from the file names)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        files = [read_policy(path, args.kind) for path in args.policies]
        try:
            answer = who_can(
                [(f.kind, f.policy) for f in files],
                Filters(args.action, args.resource, args.resource_account),
            )
        except EngineInputError as error:
            raise InputError(str(args.policies[0]), error.message) from None
    except InputError as error:
        print(f"policyproof who-can: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Unknown as unknown:
        print(f"policyproof who-can: unknown: {unknown.reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WitnessMismatch as bug:
        print(f"policyproof who-can: internal error, the two engines disagree: {bug}", file=sys.stderr)
        return EXIT_BUG
    if args.format == "json":
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(_text(answer))
    return EXIT_OK


def _text(answer: WhoCan) -> str:
    if not answer.findings:
        return "Nobody can reach the resource: no request is allowed (proved for every request)."
    out = []
    for number, finding in enumerate(answer.findings, 1):
        data = finding.to_dict()
        who = {
            "anyone": "anyone (*) not listed above",
            "account": f"principals of account {finding.principal}",
            "arn": finding.principal,
            "service": f"the AWS service {finding.principal}",
            "federated": f"identities of {finding.principal}",
        }[finding.kind]
        where = "external" if finding.external else "same account"
        out.append(f"{number}. {who} ({where}), granted by {', '.join(finding.statements) or '-'}")
        for block in finding.conditions:
            out.append("   with condition " + json.dumps(block, ensure_ascii=False))
        request = data["request"]
        out.append(
            f"   witness: {request['principal']} {request['action']} {request['resource']} "
            f"(account {request['resource_account']})"
            + (
                f" context {json.dumps(request['context'], ensure_ascii=False)}"
                if request.get("context")
                else ""
            )
        )
    return "\n".join(out)
