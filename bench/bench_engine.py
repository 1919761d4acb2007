"""Benchmark: policyproof's engine against iam-simulate on the strict conformance cases.

    .venv/bin/python bench/bench_engine.py [--rounds 30] [--repeat 5] [--summary]

The cases are the extra suite ``conformance`` (README, "Extra suites"): every strict-mode
core-engine case of ``$POLICYPROOF_SHARED/conformance/iam-simulate/core-engine`` (default
``../shared`` beside the clone). iam-simulate (``@cloud-copilot/iam-simulate``, pinned below) is
installed from the npm registry into ``bench/.node/`` on first use (git-ignored).

Both engines run in their own fresh process (Python: this script's ``--worker`` mode; Node:
``iam_simulate_driver.cjs``), read the same input file and do the same work, in one run:

* **unique** (the headline): ``--rounds`` passes after one untimed warm-up pass; in every pass
  each case's JSON text carries the pass number in every policy's ``Id``, so no policy is ever the
  same object or the same text twice and neither side can reuse a compiled policy. Timed per case:
  parse the JSON text, compile/load the policies, build the request, decide. Median per case
  (both sides take the same one: the upper middle sample of an even count).
  What stays warm: the runtime itself (JIT on Node, bytecode on Python) and per-string caches
  each engine keeps (policyproof: see ``policyproof.engine.caches.describe()``, printed with the
  figures: per-string caches of patterns, condition values, ARNs and a request's setting, which
  repeat across passes; never a compiled policy).
* **unique, JSON decoded untimed**: in the same passes, timed right after each case's unique
  measure (so both see the same machine load), a second unique copy of the case (its own ``Id``s)
  whose JSON text was decoded to objects before timing. Timed: compile/load the policies, build the
  request, decide ("parse" read as the policy grammar, not the JSON text).
* **warm** (decide only): policies compiled/loaded once before timing and reused; timed: decide.
* **first pass**: one pass over every case right after start-up, nothing cached.
* **whole process**: each worker started as a command with no timed rounds: interpreter start,
  imports, reading the cases, one first pass, exit.

Each side runs ``--repeat`` times, the two sides alternating, so a change in machine load hits
both alike; a figure is the median over those runs. It prints both decisions when they differ,
and the peak memory (max RSS) of each side's processes. (Linux counts a child's peak from before
it starts the program, when it is still a copy of this process; this process stays at about 16 MB,
below both workers, so their figures are their own.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = Path(os.environ.get("POLICYPROOF_SHARED") or REPO.parent / "shared")
CORE_ENGINE = SHARED / "conformance" / "iam-simulate" / "core-engine"
NODE_PREFIX = BENCH / ".node"
IAM_SIMULATE = "@cloud-copilot/iam-simulate"
IAM_SIMULATE_VERSION = "0.1.173"  # the release the conformance README checked all 431 cases against
DRIVER = BENCH / "iam_simulate_driver.cjs"
RESPONSES = {"Allowed": "Allow", "ImplicitlyDenied": "ImplicitDeny", "ExplicitlyDenied": "ExplicitDeny"}
PLACEHOLDER = "@@PASS@@"


def strict_cases() -> list[dict]:
    if not CORE_ENGINE.is_dir():
        sys.exit(
            f"bench_engine: conformance cases not found at {CORE_ENGINE} (the 'conformance' extra suite: "
            "set POLICYPROOF_SHARED; see the README)"
        )
    cases = []
    for path in sorted(CORE_ENGINE.rglob("*.json")):
        relative = path.relative_to(CORE_ENGINE).as_posix()
        for raw in json.loads(path.read_text(encoding="utf-8")):
            if (raw.get("simulation") or {}).get("mode") != "Discovery":
                cases.append({"id": f"{relative}::{raw['name']}", "raw": raw})
    return cases


def _documents(raw: dict):
    """Every policy document of a case (the same places the engines read)."""
    for key in ("identityPolicies", "permissionBoundaries", "endpointPolicies"):
        yield from raw.get(key) or []
    for key in ("resourcePolicy", "sessionPolicy"):
        if raw.get(key) is not None:
            yield raw[key]
    for key in ("serviceControlPolicies", "resourceControlPolicies"):
        for level in raw.get(key) or []:
            yield from level.get("policies") or []


def template(raw: dict, index: int) -> str:
    """The case's JSON text with a per-pass marker in every policy's Id (an Id changes no decision)."""
    copy = json.loads(json.dumps(raw))
    for number, document in enumerate(_documents(copy)):
        if isinstance(document, dict):
            document["Id"] = f"bench-{PLACEHOLDER}-{index}-{number}"
    return json.dumps(copy)


def bench_input(cases: list[dict]) -> dict:
    return {
        "placeholder": PLACEHOLDER,
        "cases": [
            {"id": c["id"], "text": json.dumps(c["raw"]), "template": template(c["raw"], i)}
            for i, c in enumerate(cases)
        ],
    }


def ensure_iam_simulate() -> None:
    package = NODE_PREFIX / "node_modules" / "@cloud-copilot" / "iam-simulate" / "package.json"
    if package.exists() and json.loads(package.read_text())["version"] == IAM_SIMULATE_VERSION:
        return
    NODE_PREFIX.mkdir(exist_ok=True)
    print(f"installing {IAM_SIMULATE}@{IAM_SIMULATE_VERSION} into {NODE_PREFIX} ...", file=sys.stderr)
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(NODE_PREFIX),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--no-save",
            f"{IAM_SIMULATE}@{IAM_SIMULATE_VERSION}",
        ],
        check=True,
    )


# ---- the Python worker: the same steps as iam_simulate_driver.cjs ------------------------------


def worker(cases_file: str, rounds: int) -> None:
    from policyproof.engine import EngineInputError, evaluate
    from policyproof.engine.cases import parse_case

    data = json.loads(Path(cases_file).read_text(encoding="utf-8"))
    placeholder, cases = data["placeholder"], data["cases"]
    ids = [c["id"] for c in cases]
    clock = time.perf_counter_ns  # a local name: the timing loop itself should cost next to nothing

    def from_text(text: str, case_id: str) -> str:
        try:
            case = parse_case(json.loads(text), case_id)
            return evaluate(case.request, case.policies).decision
        except EngineInputError:
            return "InputError"

    start = clock()
    decisions = [from_text(c["text"], c["id"]) for c in cases]
    cold_ns = clock() - start

    # unique and objects are timed case by case, side by side, so both see the same machine load.
    unique: list[list[int]] = [[] for _ in cases]
    objects: list[list[int]] = [[] for _ in cases]
    unique_decisions: list[str] = []
    for number in range(-1, rounds):
        texts = [c["template"].replace(placeholder, str(number + 1)) for c in cases]
        raws = [json.loads(c["template"].replace(placeholder, f"o{number + 1}")) for c in cases]
        seen = []
        for i, text in enumerate(texts):
            start = clock()
            seen.append(from_text(text, ids[i]))
            elapsed = clock() - start
            start = clock()
            try:
                case = parse_case(raws[i], ids[i])
                evaluate(case.request, case.policies)
            except EngineInputError:
                pass
            elapsed_objects = clock() - start
            if number >= 0:
                unique[i].append(elapsed)
                objects[i].append(elapsed_objects)
        unique_decisions = seen

    prepared = []
    for c in cases:
        try:
            prepared.append(parse_case(json.loads(c["text"]), c["id"]))
        except EngineInputError:
            prepared.append(None)
    warm: list[list[int]] = [[] for _ in cases]
    for number in range(-1, rounds):
        for i, case in enumerate(prepared):
            start = clock()
            if case is not None:
                with contextlib.suppress(EngineInputError):
                    evaluate(case.request, case.policies)
            elapsed = clock() - start
            if number >= 0:
                warm[i].append(elapsed)

    def median(values: list[int]) -> float | None:
        # The same median as iam_simulate_driver.cjs: the upper middle value of an even count.
        return sorted(values)[len(values) // 2] if values else None

    print(
        json.dumps(
            {
                "runtime": f"Python {sys.version.split()[0]}",
                "coldNs": cold_ns,
                "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "results": [
                    {
                        "id": ids[i],
                        "decision": decisions[i],
                        "uniqueDecision": unique_decisions[i] if unique_decisions else None,
                        "uniqueNs": median(unique[i]),
                        "objectsNs": median(objects[i]),
                        "warmNs": median(warm[i]),
                    }
                    for i in range(len(cases))
                ],
            }
        )
    )


# ---- driving both sides -------------------------------------------------------------------------


def run(command: list[str]) -> tuple[dict, float]:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"bench_engine: {' '.join(command)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout), elapsed


def merge(runs: list[dict]) -> dict:
    """One side's runs as one: per case the median of the runs' medians; peak memory the max."""
    merged = dict(runs[0])
    merged["coldNs"] = statistics.median(r["coldNs"] for r in runs)
    merged["maxRssKb"] = max(r["maxRssKb"] for r in runs)
    merged["results"] = [
        {
            **results[0],
            **{
                key: statistics.median(r[key] for r in results)
                for key in ("uniqueNs", "objectsNs", "warmNs")
            },
        }
        for results in zip(*(r["results"] for r in runs), strict=True)
    ]
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed passes per case (median is reported)")
    parser.add_argument("--summary", action="store_true", help="print only the summary, not every case")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each side, alternating (median of their medians)"
    )
    parser.add_argument("--worker", nargs=2, metavar=("CASES", "ROUNDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return 0

    cases = strict_cases()
    ensure_iam_simulate()
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        cases_file = Path(tmp) / "cases.json"
        cases_file.write_text(json.dumps(bench_input(cases)), encoding="utf-8")
        commands = {
            "policyproof": [sys.executable, __file__, "--worker", str(cases_file)],
            "iam-simulate": ["node", str(DRIVER), str(cases_file)],
        }
        # The user's view first (each worker as one command, no timed rounds), then the timed runs.
        # Alternate the two sides --repeat times, so a change in machine load hits both alike.
        whole: dict[str, list[float]] = {name: [] for name in commands}
        runs: dict[str, list[dict]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                whole[name].append(run([*command, "0"])[1])
                runs[name].append(run([*command, str(args.rounds)])[0])
        python, node = merge(runs["policyproof"]), merge(runs["iam-simulate"])
        whole_median = {name: statistics.median(times) for name, times in whole.items()}

    width = min(90, max(len(c["id"]) for c in cases))
    if not args.summary:
        header = f"{'policyproof µs':>14}  {'iam-simulate µs':>15}  {'ratio':>6}"
        print(f"{'case (unique measure)':<{width}}  {header}")
    differing = []
    for py, js in zip(python["results"], node["results"], strict=True):
        if not args.summary:
            py_us, js_us = py["uniqueNs"] / 1000, js["uniqueNs"] / 1000
            label = py["id"] if len(py["id"]) <= width else py["id"][: width - 1] + "…"
            print(f"{label:<{width}}  {py_us:>14.1f}  {js_us:>15.1f}  {js_us / py_us:>5.1f}x")
        node_decision = RESPONSES.get(js["decision"], js["decision"])
        if py["decision"] != node_decision:
            differing.append(f"  {py['id']}: policyproof {py['decision']}, iam-simulate {node_decision}")
        for side in (py, js):
            if side["uniqueDecision"] != side["decision"]:
                sys.exit(f"bench_engine: {side['id']}: the per-pass Id changed a decision: a bench bug")

    def us(result: dict, key: str) -> list[float]:
        return [r[key] / 1000 for r in result["results"]]

    print()
    print(
        f"{len(cases)} strict core-engine cases; {args.rounds} timed passes after 1 warm-up pass "
        f"(median per case); each engine in its own process, {args.repeat} processes per side "
        "alternating (median of their per-case medians)"
    )
    print(f"iam-simulate {node['version']} on {node['runtime']}; policyproof on {python['runtime']}")
    from policyproof.engine import caches

    print(f"what policyproof keeps across cases: {caches.describe()}")
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (shared with other "
        "processes: compare the ratios, measured in this run)"
    )
    print(f"{'':<44}{'policyproof':>12}{'iam-simulate':>14}{'ratio':>8}")

    def row(label: str, mine: float, theirs: float, digits: int = 1) -> None:
        print(f"{label:<44}{mine:>12.{digits}f}{theirs:>14.{digits}f}{theirs / mine:>7.2f}x")

    py_unique, js_unique = us(python, "uniqueNs"), us(node, "uniqueNs")
    py_warm, js_warm = us(python, "warmNs"), us(node, "warmNs")
    row("unique: parse+compile+decide, mean µs/case", statistics.mean(py_unique), statistics.mean(js_unique))
    row("unique: median µs/case", statistics.median(py_unique), statistics.median(js_unique))
    py_objects, js_objects = us(python, "objectsNs"), us(node, "objectsNs")
    row("unique, JSON decoded untimed: mean µs", statistics.mean(py_objects), statistics.mean(js_objects))
    row("warm: decide only, mean µs/case", statistics.mean(py_warm), statistics.mean(js_warm))
    row("first pass after start-up, all cases (ms)", python["coldNs"] / 1e6, node["coldNs"] / 1e6)
    row(
        "whole process, one pass, as a command (ms)",
        whole_median["policyproof"] * 1e3,
        whole_median["iam-simulate"] * 1e3,
    )
    row("peak memory, max RSS (MiB)", python["maxRssKb"] / 1024, node["maxRssKb"] / 1024)
    ratios = [js / py for py, js in zip(py_unique, js_unique, strict=True)]
    print(
        f"unique measure: policyproof faster on {sum(r > 1 for r in ratios)}/{len(ratios)} cases; "
        f"median of per-case ratios {statistics.median(ratios):.2f}x"
    )
    print(
        f"decisions differ on {len(differing)} cases (see tests/engine/test_conformance.py KNOWN_DIFFERENCES)"
    )
    for line in differing:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
