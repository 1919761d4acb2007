"""Benchmark: policyproof's engine against iam-simulate on the strict conformance cases.

Runs every strict-mode core-engine case of ``<repo>/../shared/conformance/iam-simulate`` twice in
the same run: in this Python process through ``policyproof.engine``, and through
``@cloud-copilot/iam-simulate`` in ONE Node process (installed from the npm registry into
``bench/.node/`` on first use; that folder is git-ignored). Each side times the same work per
case (read the case JSON into the engine's input, then decide), first once cold, then the
median of ``--rounds`` warm runs. Prints per-case times and their ratio, the totals, both
decisions when they differ, and the peak memory (max RSS) of the Python process and of the
Node process.

    .venv/bin/python bench/bench_engine.py [--rounds 30] [--summary]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policyproof.engine import EngineInputError, evaluate
from policyproof.engine.cases import parse_case

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORE_ENGINE = REPO.parent / "shared" / "conformance" / "iam-simulate" / "core-engine"
NODE_PREFIX = BENCH / ".node"
IAM_SIMULATE = "@cloud-copilot/iam-simulate"
IAM_SIMULATE_VERSION = "0.1.173"  # the release the conformance README checked all 431 cases against
DRIVER = BENCH / "iam_simulate_driver.cjs"
RESPONSES = {"Allowed": "Allow", "ImplicitlyDenied": "ImplicitDeny", "ExplicitlyDenied": "ExplicitDeny"}


def strict_cases() -> list[dict]:
    if not CORE_ENGINE.is_dir():
        sys.exit(f"bench_engine: conformance cases not found at {CORE_ENGINE}")
    cases = []
    for path in sorted(CORE_ENGINE.rglob("*.json")):
        relative = path.relative_to(CORE_ENGINE).as_posix()
        for raw in json.loads(path.read_text(encoding="utf-8")):
            if (raw.get("simulation") or {}).get("mode") != "Discovery":
                cases.append({"id": f"{relative}::{raw['name']}", "raw": raw})
    return cases


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


def decide_in_python(raw: dict, case_id: str) -> str:
    """The same work the Node driver times: case JSON -> engine input -> decision."""
    try:
        case = parse_case(raw, case_id)
        return evaluate(case.request, case.policies).decision
    except EngineInputError:
        return "InputError"


def run_python(cases: list[dict], rounds: int) -> dict:
    cold_start = time.perf_counter_ns()
    decisions = [decide_in_python(c["raw"], c["id"]) for c in cases]
    cold_ns = time.perf_counter_ns() - cold_start
    samples: list[list[int]] = [[] for _ in cases]
    clock = time.perf_counter_ns  # a local name: the timing loop itself should cost next to nothing
    work = [(c["raw"], c["id"], samples[i]) for i, c in enumerate(cases)]
    for _ in range(rounds):
        for raw, case_id, case_samples in work:
            start = clock()
            try:
                case = parse_case(raw, case_id)
                evaluate(case.request, case.policies)
            except EngineInputError:
                pass
            case_samples.append(clock() - start)
    return {
        "coldNs": cold_ns,
        "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "results": [
            {"id": c["id"], "decision": d, "medianNs": statistics.median(s)}
            for c, d, s in zip(cases, decisions, samples, strict=True)
        ],
    }


def run_node(cases: list[dict], rounds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(cases, handle)
        cases_file = handle.name
    try:
        completed = subprocess.run(
            ["node", str(DRIVER), cases_file, str(rounds)], capture_output=True, text=True, check=False
        )
    finally:
        Path(cases_file).unlink(missing_ok=True)
    if completed.returncode != 0:
        sys.exit(f"bench_engine: the Node driver failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="warm runs per case (median is reported)")
    parser.add_argument("--summary", action="store_true", help="print only the summary, not every case")
    args = parser.parse_args()

    cases = strict_cases()
    ensure_iam_simulate()
    python = run_python(cases, args.rounds)
    node = run_node(cases, args.rounds)

    width = min(90, max(len(c["id"]) for c in cases))
    if not args.summary:
        print(f"{'case':<{width}}  {'policyproof µs':>14}  {'iam-simulate µs':>15}  {'ratio':>6}")
    ratios = []
    differing = []
    for py, js in zip(python["results"], node["results"], strict=True):
        py_us, js_us = py["medianNs"] / 1000, js["medianNs"] / 1000
        ratio = js_us / py_us if py_us else float("inf")
        ratios.append(ratio)
        if not args.summary:
            label = py["id"] if len(py["id"]) <= width else py["id"][: width - 1] + "…"
            print(f"{label:<{width}}  {py_us:>14.1f}  {js_us:>15.1f}  {ratio:>5.1f}x")
        node_decision = RESPONSES.get(js["decision"], js["decision"])
        if py["decision"] != node_decision:
            differing.append(f"  {py['id']}: policyproof {py['decision']}, iam-simulate {node_decision}")

    py_us = [r["medianNs"] / 1000 for r in python["results"]]
    js_us = [r["medianNs"] / 1000 for r in node["results"]]
    python_version = sys.version.split()[0]

    def row(label: str, mine: float, theirs: float, digits: int = 1) -> None:
        print(f"{label:<28}{mine:>14.{digits}f}{theirs:>16.{digits}f}")

    print()
    print(f"cases: {len(cases)} strict core-engine cases, {args.rounds} warm rounds each (median per case)")
    print(f"iam-simulate {node['version']} on Node {node['node']}; policyproof on Python {python_version}")
    print(f"{'':<28}{'policyproof':>14}{'iam-simulate':>16}")
    row("mean per case (µs)", statistics.mean(py_us), statistics.mean(js_us))
    row("median per case (µs)", statistics.median(py_us), statistics.median(js_us))
    row("all cases, warm (ms)", sum(py_us) / 1000, sum(js_us) / 1000, 2)
    row("all cases, first run (ms)", python["coldNs"] / 1e6, node["coldNs"] / 1e6, 2)
    row("peak memory, max RSS (MiB)", python["maxRssKb"] / 1024, node["maxRssKb"] / 1024)
    mean_ratio = statistics.mean(js_us) / statistics.mean(py_us)
    print(
        f"speed ratio iam-simulate / policyproof: {mean_ratio:.2f}x on the mean time per case, "
        f"{statistics.median(ratios):.2f}x median of per-case ratios; policyproof faster on "
        f"{sum(r > 1 for r in ratios)}/{len(ratios)} cases"
    )
    print(
        f"decisions differ on {len(differing)} cases (see tests/engine/test_conformance.py KNOWN_DIFFERENCES)"
    )
    for line in differing:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
