"""How much the proofs add to ``mkdocs build``.

Builds the site with the proofs (the normal build) and with ``POLICYPROOF_PROOFS=off``, each in a
fresh process (as CI and a reader's first ``mkdocs build`` run it: nothing cached), several times,
and prints the median of each and the overhead. ``--pages N`` also generates a bilingual site of N
copies of the KMS note (each with its own snippets and claims.yaml, so nothing is shared between
copies) to measure the proofs at scale.

Both kinds of build run with ``--no-strict``: with the proofs off the hook logs a warning on
purpose, which a ``--strict`` build turns into a failure (an unproved site must never be published).

Python's bytecode cache is used as on a developer's machine or in CI (the warm-up build writes
it), even when ``PYTHONDONTWRITEBYTECODE`` is set in the environment: without it every build
compiles the policyproof modules it imports, and only the proofs import the checker and engine.

    .venv/bin/python bench/bench_site.py [--runs 5] [--pages 150]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTE = "kms/cross-account-encryption"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_once(folder: Path, site_dir: Path, proofs: bool) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (the build and its proof worker) of one build."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "POLICYPROOF_PROOFS": "on" if proofs else "off"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see the module's docstring
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--no-strict",
        "-q",
        "-f",
        "mkdocs.yml",
        "-d",
        str(site_dir),
    ]
    cpu_before = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if result.returncode != 0:
        sys.exit(f"mkdocs build failed in {folder} (proofs {'on' if proofs else 'off'}):\n{result.stderr}")
    if proofs and not (site_dir / "verification.json").is_file():
        sys.exit(f"{site_dir}: the proofs did not run (no verification.json)")
    return elapsed, cpu


def measure(folder: Path, runs: int, label: str) -> None:
    site_dir = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        build_once(folder, site_dir, True)  # warm the OS file cache and Python's bytecode cache
        on: list[float] = []
        off: list[float] = []
        on_cpu: list[float] = []
        off_cpu: list[float] = []
        for _ in range(runs):  # interleaved, so drift in machine load hits both alike
            wall, cpu = build_once(folder, site_dir, False)
            off.append(wall)
            off_cpu.append(cpu)
            wall, cpu = build_once(folder, site_dir, True)
            on.append(wall)
            on_cpu.append(cpu)
        summary = json.loads((site_dir / "verification.json").read_text(encoding="utf-8"))["summary"]
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)
    median_on, median_off = statistics.median(on), statistics.median(off)
    pages = sum(summary["pages"].values())
    print(
        f"{label}: {pages} pages, {summary['snippets']} snippets, {summary['claims']} claims, "
        f"{runs} builds of each kind, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  without proofs: wall median {median_off:6.2f} s, min {min(off):.2f} s; CPU median "
        f"{statistics.median(off_cpu):.2f} s"
    )
    print(
        f"  with proofs:    wall median {median_on:6.2f} s, min {min(on):.2f} s; CPU median "
        f"{statistics.median(on_cpu):.2f} s"
    )
    print(
        f"  overhead (wall, median): {median_on - median_off:+.2f} s = "
        f"{(median_on - median_off) / median_off * 100:+.1f} %  (target <= 25 %)"
    )
    best = min(on) - min(off)
    print(
        f"  overhead (wall, min):    {best:+.2f} s = {best / min(off) * 100:+.1f} %"
        "  (the machine at its quietest)"
    )
    cpu_delta = statistics.median(on_cpu) - statistics.median(off_cpu)
    print(
        f"  proof work (CPU, median): {cpu_delta:+.2f} s = "
        f"{cpu_delta / statistics.median(off_cpu) * 100:+.1f} %  (runs beside the rendering on a second core)"
    )


def generated_site(dest: Path, copies: int) -> Path:
    """``copies`` copies of the KMS note (both languages), each with its own snippets and claims."""
    shutil.copytree(REPO / "docs", dest / "docs")
    shutil.copytree(REPO / "snippets", dest / "snippets")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (dest / "mkdocs.yml").write_text(
        re.sub(r"(?<![\w/])src/policyproof/", f"{REPO}/src/policyproof/", config)
    )
    for number in range(copies):
        name = f"copy-{number:03d}"
        shutil.copytree(REPO / "snippets" / NOTE, dest / "snippets" / "generated" / name)
        for suffix in ("", ".en"):
            text = (REPO / "docs" / f"{NOTE}{suffix}.md").read_text(encoding="utf-8")
            text = text.replace(f'"{NOTE}/', f'"generated/{name}/')
            page = dest / "docs" / "generated" / f"{name}{suffix}.md"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(text, encoding="utf-8")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="builds of each kind (default 5)")
    parser.add_argument(
        "--pages", type=int, default=0, help="also measure a generated site of N copies of the note"
    )
    args = parser.parse_args()
    measure(REPO, args.runs, "this site")
    if args.pages:
        with tempfile.TemporaryDirectory(prefix="bench-generated-") as tmp:
            measure(generated_site(Path(tmp), args.pages), max(1, args.runs // 2), "generated site")


if __name__ == "__main__":
    main()
