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
from policyproof.engine.validate import blocking_findings

_SKIPPER = json.JSONDecoder()

EXIT_OK = 0
EXIT_BAD_INPUT = 2

HELP = """Evaluate one AWS request (or a JSON array of them) against its policies and print the
decision (Allow, ImplicitDeny or ExplicitDeny) with the trace that explains it. A case looks like
{"name": ..., "request": {"principal": ARN, "action": "kms:Decrypt", "resource": {"resource": ARN,
"accountId": "111122223333"}, "context": {...}}, "identityPolicies": [...], "resourcePolicy": {...},
"permissionBoundaries": [...], "sessionPolicy": {...}, "serviceControlPolicies": [{"orgIdentifier":
..., "policies": [...]}], "resourceControlPolicies": [...], "endpointPolicies": [...], "grants":
[{"keyArn", "grantee", "operations", "encryptionContextSubset"}]}. The request may also give
"rolePath" (the path of the role behind a session ARN), "principalTags", "principalUniqueId",
"principalOrgId", "resourceOrgId", "endpoint" ({"id": "vpce-…", "account", "vpc", "orgId"}) and,
for a service principal such as "cloudtrail.amazonaws.com", "source" ({"arn", "account", "orgId",
"orgPaths"}: the resource it acts for, filled into aws:SourceArn, aws:SourceAccount,
aws:SourceOrgID and aws:SourceOrgPaths).
Every policy is checked first: one the checker refuses is bad input. Exit status: 0 when every
case was decided (whatever the decision), 2 for bad input."""


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
    else:
        # A request field the engine refused (``("request", "source", "orgId")``), inside the case.
        path = case_path + path
    return locator.value_position(path)


def _policy_paths(case: Case) -> list[tuple[tuple[str | int, ...], str]]:
    """Every policy of a case: its JSON path inside the case and its kind."""
    p = case.policies
    found: list[tuple[tuple[str | int, ...], str]] = []
    found += [(("identityPolicies", i), "identity") for i in range(len(p.identity))]
    if p.resource is not None:
        found.append((("resourcePolicy",), _resource_kind(case.request.resource)))
    found += [(("permissionBoundaries", i), "boundary") for i in range(len(p.boundaries))]
    if p.session is not None:
        found.append((("sessionPolicy",), "session"))
    for field, kind, levels in (
        ("serviceControlPolicies", "scp", p.scps),
        ("resourceControlPolicies", "rcp", p.rcps),
    ):
        for level, policies in enumerate(levels):
            found += [((field, level, "policies", i), kind) for i in range(len(policies))]
    found += [(("endpointPolicies", i), "endpoint") for i in range(len(p.endpoints))]
    return found


def _resource_kind(resource: str) -> str:
    parts = resource.split(":", 5)
    service = parts[2] if len(parts) == 6 else ""
    if service == "kms":
        return "key"
    if service == "s3":
        return "bucket"
    if service == "iam" and parts[5].startswith("role/"):
        return "trust"
    return "resource"


def _check_policies(
    case: Case, case_path: tuple[str | int, ...], where: str, file: str, text: str, locator: Locator
) -> None:
    """Fail closed: refuse a policy the checker cannot accept, at its line and column."""
    for path, kind in _policy_paths(case):
        start = locator._walk(case_path + path)[0]
        end = _SKIPPER.raw_decode(text, start)[1]
        found = blocking_findings(text[start:end], kind)
        if not found:
            continue
        first = found[0]
        # The finding's line/column inside the policy's own text, moved to the case file.
        lines = text[start:end].split("\n")
        offset = start + sum(len(line) + 1 for line in lines[: first.line - 1]) + first.column - 1
        line, column = locator._source.line_column(offset)
        name = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".")
        raise InputError(
            file,
            f"{where}: {name} cannot be evaluated, the checker refuses it: {first.code}: {first.message}",
            line,
            column,
        )


def _evaluate_all(cases: list[Case], as_list: bool, file: str, locator: Locator, text: str) -> list[Result]:
    results = []
    for index, case in enumerate(cases):
        case_path: tuple[str | int, ...] = (index,) if as_list else ()
        where = f"case[{index}] ({case.name})" if as_list else "case"
        _check_policies(case, case_path, where, file, text, locator)
        try:
            results.append(evaluate(case.request, case.policies))
        except EngineInputError as error:
            line, column = _position(error, locator, case_path)
            where = f"case[{index}] ({case.name})" if as_list else "case"
            raise InputError(file, f"{where}: {error.message}", line, column) from None
    return results


def _read_case(path: Path) -> str:
    """The case file's text; one-line InputError if it is missing, binary or not UTF-8."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InputError(file, "is a directory, not a case file") from None
    except FileNotFoundError:
        raise InputError(file, "cannot read the case file: no such file (check the path)") from None
    except OSError as error:
        raise InputError(file, f"cannot read the case file: {error.strerror or error}") from None
    if b"\x00" in raw:
        raise InputError(file, "binary file (contains NUL bytes): a case file is UTF-8 JSON text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            file, f"not UTF-8 text (bad byte at offset {error.start}): save the case file as UTF-8 JSON"
        ) from None


def run(args: argparse.Namespace) -> int:
    file = str(args.case)
    try:
        text = _read_case(args.case)
        data, locator = load_json(text, file)
        try:
            cases, as_list = parse_cases(data, file)
        except EngineInputError as error:
            line, column = locator.value_position(error.path)
            raise InputError(file, error.message, line, column) from None
        results = _evaluate_all(cases, as_list, file, locator, text)
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
