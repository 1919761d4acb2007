"""Benchmark: lint the AWS managed policies with policyproof and with parliament, the same work.

    .venv/bin/python bench/bench_check.py [CORPUS_DIR] [--runs 3]

The corpus is the extra suite ``managed-policies`` (README, "Extra suites"): by default
``$POLICYPROOF_SHARED/corpora/aws-managed-policies`` (``../shared`` beside the clone). parliament
is the optional ``bench`` dependency (``pip install -e '.[bench]'``); without it only
policyproof's figures are printed.

Two views, both measured in this one run, each tool on exactly the same policies:

* **The user's view**: the whole command as a user runs it, one process on real files in one
  folder: ``policyproof check --kind identity DIR`` against ``parliament --directory DIR``. Wall
  time from process start to exit (interpreter start, imports, data loading, reading the files,
  printing the findings), and each process's peak resident memory. Nothing is cached between
  runs except what the OS caches (files, Python bytecode), alike for both.
* **In-process**: each tool in its own fresh Python process, the policy texts already in memory.
  "first pass" = import the tool + lint every policy once (policyproof loads its catalog on the
  way, parliament loads its IAM definition on import); "second pass" = lint them all again in the
  same process (both tools' data cached, as in a long-running process such as the MkDocs build).
  The ratios compare first pass with first pass and second with second.

parliament 1.6.4 raises on some policies (newer catalog types such as ArrayOfARN); in the
in-process view those are counted; the user's view leaves them out of the folder for BOTH tools
(parliament's CLI would stop at the first one) and says how many.

Each figure is the median of ``--runs`` runs, interleaved so a change in machine load hits both
tools alike; the min is printed beside it. CPU seconds (user + system of the process) are printed
too: on a machine shared with other work they vary far less than wall time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("POLICYPROOF_SHARED") or BENCH.parent.parent / "shared")
DEFAULT_CORPUS = SHARED / "corpora" / "aws-managed-policies"
BIN = Path(sys.executable).parent


def policy_files(corpus: Path) -> list[Path]:
    return sorted(path for path in corpus.glob("*.json") if not path.name.startswith("_"))


# ---- in-process worker (runs in a fresh child process per measurement) -------------------------


def worker(tool: str, corpus: Path) -> None:
    """Print one JSON line: import+first pass, second pass (wall and CPU), crashes, peak RSS."""
    import resource

    texts = [(str(path), path.read_text(encoding="utf-8")) for path in policy_files(corpus)]

    def lint() -> int:
        crashes = 0
        for name, text in texts:
            if tool == "policyproof":
                for _finding in check_text(text, file=name, kind="identity"):
                    pass
            else:
                try:
                    analyze_policy_string(text, filepath=name)
                except Exception:  # parliament 1.6.4 raises on newer catalog types (e.g. ArrayOfARN)
                    crashes += 1
        return crashes

    start, start_cpu = time.perf_counter(), time.process_time()
    if tool == "policyproof":
        from policyproof.check.checker import check_text
    else:
        from parliament import analyze_policy_string
    crashes = lint()
    first, first_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    start, start_cpu = time.perf_counter(), time.process_time()
    lint()
    second, second_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(
        json.dumps(
            {
                "first": first,
                "first_cpu": first_cpu,
                "second": second,
                "second_cpu": second_cpu,
                "crashes": crashes,
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def in_process(tool: str, corpus: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", tool, str(corpus)], capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"bench_check: the {tool} worker failed:\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1])


def parliament_crashes(corpus: Path) -> list[str]:
    """Names of the policies parliament 1.6.4 raises on (found in a child process)."""
    code = (
        "import sys, json, pathlib\n"
        "from parliament import analyze_policy_string\n"
        "bad = []\n"
        "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.json')):\n"
        "    if p.name.startswith('_'): continue\n"
        "    try: analyze_policy_string(p.read_text(encoding='utf-8'), filepath=str(p))\n"
        "    except Exception: bad.append(p.name)\n"
        "print(json.dumps(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(corpus)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_check: listing parliament's crashes failed:\n{result.stderr}")
    return json.loads(result.stdout)


# ---- the user's view: whole commands on real files ----------------------------------------------


def timed_command(command: list[str], cwd: Path) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS (MB), exit code and CPU seconds of one whole command, output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode, usage.ru_utime + usage.ru_stime


def median_min(values: list[float]) -> str:
    return f"{statistics.median(values):7.3f} s (min {min(values):.3f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median shown)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(
            f"bench_check: corpus not found at {corpus} (the 'managed-policies' extra suite: set "
            "POLICYPROOF_SHARED or pass CORPUS_DIR; see the README)",
            file=sys.stderr,
        )
        return 2
    if args.worker:
        worker(args.worker, corpus)
        return 0

    files = policy_files(corpus)
    megabytes = sum(path.stat().st_size for path in files) / 1e6
    # Not imported here: a child's peak RSS counts this process's pages until it execs, so this
    # process stays small (standard library only) and the children's figures stay their own.
    have_parliament = importlib.util.find_spec("parliament") is not None and (BIN / "parliament").exists()
    tools = ["policyproof", "parliament"] if have_parliament else ["policyproof"]
    print(f"corpus: {len(files)} policies, {megabytes:.1f} MB, {corpus}")
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
        "(shared with other processes: compare the ratios, measured in this run)"
    )
    if not have_parliament:
        print("parliament not installed (pip install -e '.[bench]'): policyproof's figures only")

    # The user's view: a folder of the real files both tools can read.
    crashes = parliament_crashes(corpus) if have_parliament else []
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        folder = Path(tmp) / "policies"
        folder.mkdir()
        for path in files:
            if path.name not in crashes:
                shutil.copyfile(path, folder / path.name)
        commands = {
            "policyproof": [str(BIN / "policyproof"), "check", "--kind", "identity", str(folder)],
            "parliament": [str(BIN / "parliament"), "--directory", str(folder)],
        }
        user: dict[str, list[tuple[float, float, int, float]]] = {tool: [] for tool in tools}
        for _ in range(args.runs):
            for tool in tools:
                user[tool].append(timed_command(commands[tool], Path(tmp)))
        count = len(list(folder.iterdir()))
        # One file, as a pre-commit hook or an editor checks the policy just saved: start-up dominates.
        single = folder / "AmazonS3ReadOnlyAccess.json"
        if not single.exists():
            single = sorted(folder.iterdir())[0]
        one_file = {
            "policyproof": [str(BIN / "policyproof"), "check", "--kind", "identity", str(single)],
            "parliament": [str(BIN / "parliament"), "--file", str(single)],
        }
        one: dict[str, list[tuple[float, float, int, float]]] = {tool: [] for tool in tools}
        for _ in range(args.runs):
            for tool in tools:
                one[tool].append(timed_command(one_file[tool], Path(tmp)))

    inproc: dict[str, list[dict]] = {tool: [] for tool in tools}
    for _ in range(args.runs):
        for tool in tools:
            inproc[tool].append(in_process(tool, corpus))

    print()
    print(f"USER'S VIEW: whole command, one process, {count} real files in one folder, median of {args.runs}")
    if crashes:
        print(f"  ({len(crashes)} policies parliament raises on are left out for both tools)")
    for tool in tools:
        walls = [run[0] for run in user[tool]]
        rss = max(run[1] for run in user[tool])
        codes = sorted({run[2] for run in user[tool]})
        cpu = statistics.median(run[3] for run in user[tool])
        print(f"  {tool:<12} {median_min(walls)}, CPU {cpu:.3f} s, peak RSS {rss:5.1f} MB, exit {codes}")
        print(f"  {'':<12} $ {' '.join(commands[tool]).replace(str(folder), 'DIR')}")
    if have_parliament:
        def ratio(index: int) -> float:
            theirs = statistics.median(run[index] for run in user["parliament"])
            return theirs / statistics.median(run[index] for run in user["policyproof"])

        print(f"  ratio parliament / policyproof: {ratio(0):.1f}x wall, {ratio(3):.1f}x CPU")
    print(f"  one file ({single.name}), the same commands on it, median of {args.runs}:")
    for tool in tools:
        walls = [run[0] for run in one[tool]]
        cpu = statistics.median(run[3] for run in one[tool])
        rss = max(run[1] for run in one[tool])
        print(f"  {tool:<12} {median_min(walls)}, CPU {cpu:.3f} s, peak RSS {rss:5.1f} MB")

    print()
    print(
        f"IN-PROCESS: {len(files)} policy texts already in memory, each tool in a fresh process, "
        f"median of {args.runs}"
    )
    for tool in tools:
        runs = inproc[tool]
        first = [r["first"] for r in runs]
        second = [r["second"] for r in runs]
        print(
            f"  {tool:<12} first pass (import + load data + lint) {median_min(first)}, "
            f"CPU {statistics.median(r['first_cpu'] for r in runs):.3f} s"
        )
        print(
            f"  {'':<12} second pass (data cached)             {median_min(second)}, "
            f"CPU {statistics.median(r['second_cpu'] for r in runs):.3f} s"
        )
        print(
            f"  {'':<12} peak RSS {max(r['max_rss_mb'] for r in runs):.1f} MB; "
            f"policies that made it raise: {runs[0]['crashes']}"
        )
    if have_parliament:
        for label, key in (("first pass vs first pass", "first"), ("second pass vs second pass", "second")):
            mine = statistics.median(r[key] for r in inproc["policyproof"])
            theirs = statistics.median(r[key] for r in inproc["parliament"])
            mine_cpu = statistics.median(r[key + "_cpu"] for r in inproc["policyproof"])
            theirs_cpu = statistics.median(r[key + "_cpu"] for r in inproc["parliament"])
            print(
                f"  ratio parliament / policyproof, {label}: {theirs / mine:.1f}x wall, "
                f"{theirs_cpu / mine_cpu:.1f}x CPU"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
