"""Benchmark: lint the AWS managed policies in-process with policyproof, then with parliament.

    .venv/bin/python bench/bench_check.py [CORPUS_DIR]

Prints the time of policyproof's first pass (catalog files loaded on the way), of a second pass
(catalog cached, as in a long-running process such as the MkDocs build), the peak memory of a
first pass (tracemalloc, measured in a fresh child process so the timing runs untraced) and the
process's peak resident size, then parliament's time on the same files in the same process and
the ratios. parliament is an optional dependency
(``pip install parliament==1.6.4``); without it only policyproof's figures are printed.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "aws-managed-policies"


def load(corpus: Path) -> list[tuple[str, str]]:
    files = sorted(path for path in corpus.glob("*.json") if not path.name.startswith("_"))
    return [(str(path), path.read_text(encoding="utf-8")) for path in files]


def run_policyproof(texts: list[tuple[str, str]]) -> tuple[float, float, Counter]:
    """Wall time, CPU time (less sensitive to other processes on a busy machine), findings."""
    from policyproof.check.checker import check_text

    severities: Counter = Counter()
    start, start_cpu = time.perf_counter(), time.process_time()
    for name, text in texts:
        for finding in check_text(text, file=name, kind="identity"):
            severities[finding.severity.value] += 1
    return time.perf_counter() - start, time.process_time() - start_cpu, severities


def run_parliament(texts: list[tuple[str, str]]) -> tuple[float, float, int] | None:
    """parliament's time over the same texts, and how many policies made it raise."""
    try:
        from parliament import analyze_policy_string
    except ImportError:
        return None
    analyze_policy_string('{"Version": "2012-10-17", "Statement": []}')  # let it load its data first
    crashes = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for name, text in texts:
        try:
            analyze_policy_string(text, filepath=name)
        except Exception:  # parliament 1.6.4 raises on newer catalog types (e.g. ArrayOfARN)
            crashes += 1
    return time.perf_counter() - start, time.process_time() - start_cpu, crashes


def main() -> int:
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    corpus = Path(arguments[0]) if arguments else DEFAULT_CORPUS
    if not corpus.is_dir():
        print(f"corpus not found: {corpus}", file=sys.stderr)
        return 2
    texts = load(corpus)
    megabytes = sum(len(text) for _, text in texts) / 1e6
    print(f"corpus: {len(texts)} policies, {megabytes:.1f} MB, {corpus}")

    if "--memory-only" in sys.argv:
        tracemalloc.start()
        run_policyproof(texts)
        print(tracemalloc.get_traced_memory()[1])
        return 0
    first, first_cpu, severities = run_policyproof(texts)
    second, second_cpu, _ = run_policyproof(texts)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    child = subprocess.run(
        [sys.executable, __file__, str(corpus), "--memory-only"], capture_output=True, text=True, check=True
    )
    peak = int(child.stdout.split()[-1])
    print(f"policyproof first pass (loads the catalog): {first:.3f} s wall, {first_cpu:.3f} s CPU")
    print(f"policyproof second pass (catalog cached):   {second:.3f} s wall, {second_cpu:.3f} s CPU")
    print(f"policyproof findings: {dict(sorted(severities.items()))}")
    print(f"policyproof peak traced memory, first pass: {peak / 1e6:.1f} MB (tracemalloc)")
    print(f"process peak resident memory so far:        {rss_mb:.1f} MB")

    parliament = run_parliament(texts)
    if parliament is None:
        print("parliament not installed (pip install parliament==1.6.4): no comparison")
        return 0
    parliament_time, parliament_cpu, crashes = parliament
    print(
        f"parliament 1.6.4:                           {parliament_time:.3f} s wall, "
        f"{parliament_cpu:.3f} s CPU ({crashes} policies made it raise)"
    )
    print(
        f"ratio parliament / policyproof, first pass:  {parliament_time / first:.1f}x wall, "
        f"{parliament_cpu / first_cpu:.1f}x CPU"
    )
    print(
        f"ratio parliament / policyproof, second pass: {parliament_time / second:.1f}x wall, "
        f"{parliament_cpu / second_cpu:.1f}x CPU"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
