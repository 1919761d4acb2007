"""``policyproof evaluate``: decide evaluation cases and explain the decisions.

CASE.json holds one case or a JSON array of cases in the shape of iam-simulate's core-engine
tests (see ``policyproof.engine.cases``). The exit status does not depend on the decisions: 0
when every case was evaluated, 2 when the input is bad (one line naming the file, the place and
what is wrong).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policyproof.check.document import Locator, load_json
from policyproof.check.findings import InputError
from policyproof.engine import EngineInputError, Result, evaluate
from policyproof.engine.cases import Case, parse_cases

EXIT_OK = 0
EXIT_BAD_INPUT = 2

HELP = """Evaluate one AWS request (or a JSON array of them) against its policies and print the
decision (Allow, ImplicitDeny or ExplicitDeny) with the trace that explains it. A case looks like
{"name": ..., "request": {"principal": ARN, "action": "kms:Decrypt", "resource": {"resource": ARN,
"accountId": "111122223333"}, "context": {...}}, "identityPolicies": [...], "resourcePolicy": {...},
"permissionBoundaries": [...], "sessionPolicy": {...}, "serviceControlPolicies": [{"orgIdentifier":
..., "policies": [...]}], "resourceControlPolicies": [...]}. Exit status: 0 when every case was
decided (whatever the decision), 2 for bad input."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="decide requests against their policies, with an explanation",
        description=HELP,
    )
    parser.add_argument("case", metavar="CASE.json", type=Path, help="one case or a JSON array of cases")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text explanation or JSON trace (default: text)",
    )
    parser.add_argument(
        "--lang", choices=("en", "vi"), default="en", help="language of the text explanation (default: en)"
    )
    parser.set_defaults(run=run)


def _position(error: EngineInputError, locator: Locator, case_path: tuple[str | int, ...]) -> tuple[int, int]:
    """Line and column of what the error is about: its JSON path, else the policy it names, else
    the case."""
    path: tuple[str | int, ...] = error.path
    if error.policy is not None:
        # Case policies are named by their JSON path inside the case, e.g. "identityPolicies[0]".
        policy_path = tuple(
            int(step) if step.isdigit() else step
            for step in error.policy.replace("]", "").replace("[", ".").split(".")
            if step
        )
        path = case_path + policy_path + error.path
    elif not path:
        path = case_path
    return locator.value_position(path)


def _evaluate_all(cases: list[Case], as_list: bool, file: str, locator: Locator) -> list[Result]:
    results = []
    for index, case in enumerate(cases):
        case_path: tuple[str | int, ...] = (index,) if as_list else ()
        try:
            results.append(evaluate(case.request, case.policies))
        except EngineInputError as error:
            line, column = _position(error, locator, case_path)
            where = f"case[{index}] ({case.name})" if as_list else "case"
            raise InputError(file, f"{where}: {error.message}", line, column) from None
    return results


def run(args: argparse.Namespace) -> int:
    file = str(args.case)
    try:
        try:
            text = args.case.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(file, f"cannot read the case file: {error.strerror or error}") from None
        data, locator = load_json(text, file)
        try:
            cases, as_list = parse_cases(data, file)
        except EngineInputError as error:
            line, column = locator.value_position(error.path)
            raise InputError(file, error.message, line, column) from None
        results = _evaluate_all(cases, as_list, file, locator)
    except InputError as error:
        print(f"policyproof evaluate: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    if args.format == "json":
        if as_list:
            payload: object = [
                {"name": case.name, **result.to_dict()} for case, result in zip(cases, results, strict=True)
            ]
        else:
            payload = results[0].to_dict()
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        blocks = []
        for case, result in zip(cases, results, strict=True):
            explanation = result.explain(args.lang)
            blocks.append(f"== {case.name} ==\n{explanation}" if as_list else explanation)
        print("\n\n".join(blocks))
    return EXIT_OK
