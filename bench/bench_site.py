"""How much the proofs add to ``mkdocs build``, on this site and on a generated site at scale.

    .venv/bin/python bench/bench_site.py [--runs 5] [--copies 60] [--scale-runs 3] [--no-scale]

Every build is a whole ``mkdocs build`` command in a fresh process, as an author or CI runs it.
Both kinds of build run with ``--no-strict``: with the proofs off (``POLICYPROOF_PROOFS=off``) the
hook logs a warning on purpose, which ``--strict`` turns into a failure (an unproved site must never
be published).

**This site** (built in place, in the repository): ``--runs`` rounds of three builds: without
proofs, with proofs (every cache empty), with proofs again (caches warm), interleaved so a
change in machine load hits all alike; each figure is the median of those ``--runs`` builds (min
beside it).

**At scale** (issue 14): a generated bilingual site of this site plus ``--copies`` copies of the
KMS note (``--copies 60`` = 120 generated note pages + the original pair), each copy with its own
snippets, ``claims.yaml`` and its own account B (a different 12-digit id in every file and page
of the copy), so no two proofs are the same work. In each of ``--scale-runs`` rounds, in a FRESH
copy of the generated site: build without proofs; build with proofs (cold); edit one snippet of
one copy (swap two actions of an identity policy: the same permissions, a different document);
build again; build once more without any change. Each figure is the median over the rounds.

What is cached: the OS file cache and Python's bytecode cache (written by an untimed warm-up
build; used even when ``PYTHONDONTWRITEBYTECODE`` is set, as on a developer's machine or in CI).
The build without proofs and the cold build each get their own fresh, empty ``XDG_CACHE_HOME``
and ``POLICYPROOF_CACHE_DIR`` (the proof cache, the pages' proof HTML, the page cache of converted
pages and search entries, the compiled templates: all start empty); the builds after the edit
reuse the cold build's, as a second ``mkdocs build`` by the same author would.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
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
ACCOUNT_B = "222222222222"
EDITED = "app-reader-uses-key-a.identity-policy.json"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: The CPU split the last build with proofs logged: (the process building the pages, its helpers).
last_cpu_split: tuple[float, float] | None = None
_CPU_SPLIT = re.compile(
    r"CPU time of this build: ([\d.]+) s in the process building the pages, "
    r"([\d.]+) s in its helper processes"
)


def build_once(folder: Path, site_dir: Path, proofs: bool, cache: Path) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (the build and its proof workers) of one build."""
    global last_cpu_split
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "POLICYPROOF_PROOFS": "on" if proofs else "off",
        "XDG_CACHE_HOME": str(cache / "xdg"),
        "POLICYPROOF_CACHE_DIR": str(cache / "policyproof"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see the module's docstring
    # Not ``-q``: an author's build prints its INFO lines, and the page cache keeps no page
    # converted under ``-q`` (MkDocs drops its warnings unheard there).
    command = [sys.executable, "-m", "mkdocs", "build", "--no-strict", "-f", "mkdocs.yml"]
    command += ["-d", str(site_dir)]
    cpu_before = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if result.returncode != 0:
        sys.exit(f"mkdocs build failed in {folder} (proofs {'on' if proofs else 'off'}):\n{result.stderr}")
    if proofs and not (site_dir / "verification.json").is_file():
        sys.exit(f"{site_dir}: the proofs did not run (no verification.json)")
    split = _CPU_SPLIT.search(result.stderr)
    last_cpu_split = (float(split[1]), float(split[2])) if split else None
    return elapsed, cpu


def _summary(site_dir: Path) -> str:
    summary = json.loads((site_dir / "verification.json").read_text(encoding="utf-8"))["summary"]
    pages = sum(summary["pages"].values()) if isinstance(summary["pages"], dict) else summary["pages"]
    return (
        f"{pages} pages, {summary['snippets']} snippets, "
        f"{summary.get('proved', '?')}/{summary['claims']} claims proved"
    )


def _html_pages(site_dir: Path) -> int:
    return sum(1 for _ in site_dir.rglob("*.html"))


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s (min {min(values):.2f})"


_SPIN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass\n"


def parallel_cores() -> float:
    """How many cores' worth of work two CPU-bound processes get side by side (2.0 on two free
    cores; less when the host's cores are shared or are hyper-threads of one)."""

    def run(count: int) -> float:
        start = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(count)]
        for process in processes:
            process.wait()
        return time.perf_counter() - start

    alone = min(run(1) for _ in range(2))
    together = min(run(2) for _ in range(2))
    return 2 * alone / together


def _machine() -> str:
    return (
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (the machine is shared with other "
        "processes: compare the ratios, measured in this run)"
    )


def measure_this_site(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        site_dir = Path(tmp) / "site"
        build_once(REPO, site_dir, True, Path(tmp) / "warm-up")  # OS file cache, bytecode cache
        on: list[float] = []
        off: list[float] = []
        on_cpu: list[float] = []
        off_cpu: list[float] = []
        cached: list[tuple[float, float]] = []
        for number in range(runs):
            cache = Path(tmp) / f"cache-{number}"
            wall, cpu = build_once(REPO, site_dir, False, Path(tmp) / f"cache-off-{number}")
            off.append(wall)
            off_cpu.append(cpu)
            wall, cpu = build_once(REPO, site_dir, True, cache)
            on.append(wall)
            on_cpu.append(cpu)
            cached.append(build_once(REPO, site_dir, True, cache))  # the same build again: caches warm
        described = _summary(site_dir)
        html = _html_pages(site_dir)
    print(f"THIS SITE ({REPO}): {described}, {html} HTML files")
    print(f"  median of {runs} builds of each kind, each a whole `mkdocs build` process; {_machine()}")
    print(f"  without proofs: wall {_fmt(off)}; CPU median {statistics.median(off_cpu):.2f} s")
    print(f"  with proofs:    wall {_fmt(on)}; CPU median {statistics.median(on_cpu):.2f} s")
    median_on, median_off = statistics.median(on), statistics.median(off)
    print(
        f"  proofs add (wall, median): {median_on - median_off:+.2f} s = "
        f"{(median_on - median_off) / median_off * 100:+.1f} %  (target <= 25 %)"
    )
    cpu_delta = statistics.median(on_cpu) - statistics.median(off_cpu)
    print(
        f"  proofs add (CPU, median):  {cpu_delta:+.2f} s = "
        f"{cpu_delta / statistics.median(off_cpu) * 100:+.1f} %  (proof workers may use a second core)"
    )
    again = [w for w, _ in cached]
    again_cpu = statistics.median(c for _, c in cached)
    print(
        f"  with proofs, run again (caches warm): wall {_fmt(again)}; CPU median {again_cpu:.2f} s "
        f"= {(statistics.median(again) - median_off) / median_off * 100:+.1f} % wall, "
        f"{(again_cpu - statistics.median(off_cpu)) / statistics.median(off_cpu) * 100:+.1f} % CPU "
        "over the build without proofs"
    )


def copy_account(number: int) -> str:
    """Account B of copy ``number``: 12 digits, distinct from A, from the original B and each other."""
    return f"3{number + 1:011d}"


def generated_site(dest: Path, copies: int) -> Path:
    """This site plus ``copies`` copies of the KMS note (both languages), each with its own account B."""
    shutil.copytree(REPO / "docs", dest / "docs")
    shutil.copytree(REPO / "snippets", dest / "snippets")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    # Hooks and theme overrides are files of the package: absolute paths so the copy uses them.
    config = re.sub(r"(?<![\w/])src/policyproof/", f"{REPO}/src/policyproof/", config)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    for number in range(copies):
        name = f"copy-{number:03d}"
        account = copy_account(number)
        folder = dest / "snippets" / "generated" / name
        shutil.copytree(REPO / "snippets" / NOTE, folder)
        for path in folder.iterdir():
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace(ACCOUNT_B, account), encoding="utf-8")
        for suffix in ("", ".en"):
            text = (REPO / "docs" / f"{NOTE}{suffix}.md").read_text(encoding="utf-8")
            text = text.replace(f'"{NOTE}/', f'"generated/{name}/').replace(ACCOUNT_B, account)
            text = _RELATIVE_LINK.sub(_from_generated_folder, text)
            page = dest / "docs" / "generated" / f"{name}{suffix}.md"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(text, encoding="utf-8")
    return dest


# A link to another page of the docs (not a URL, not an anchor of the same page).
_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)\)")


def _from_generated_folder(match: re.Match[str]) -> str:
    """The note's relative link as seen from docs/generated/ (the copies live there, the note in
    its own section): the copies must build without a broken-link warning, as the note does."""
    note_folder = posixpath.dirname(NOTE)
    return f"]({posixpath.normpath(posixpath.join('..', note_folder, match[1]))})"


def edit_one_snippet(site: Path) -> Path:
    """Swap the first two actions of one identity policy: same permissions, a different document."""
    path = site / "snippets" / "generated" / "copy-000" / EDITED
    document = json.loads(path.read_text(encoding="utf-8"))
    actions = document["Statement"][0]["Action"]
    actions[0], actions[1] = actions[1], actions[0]
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def measure_at_scale(copies: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        template = generated_site(Path(tmp) / "template", copies)
        site_dir = Path(tmp) / "site"
        build_once(template, site_dir, True, Path(tmp) / "warm-up")  # bytecode and file caches
        described = _summary(site_dir)
        html = _html_pages(site_dir)
        off: list[tuple[float, float]] = []
        cold: list[tuple[float, float]] = []
        splits: list[tuple[float, float]] = []  # the cold builds' CPU: page process, proof workers
        edited: list[tuple[float, float]] = []
        unchanged: list[tuple[float, float]] = []
        for number in range(runs):
            site = Path(tmp) / f"round-{number}"
            shutil.copytree(template, site)
            cache = Path(tmp) / f"cache-{number}"
            # Each of the two first builds starts with every cache empty (its own folder): the
            # cold build must not find pages the build without proofs converted.
            off.append(build_once(site, site_dir, False, Path(tmp) / f"cache-off-{number}"))
            cold.append(build_once(site, site_dir, True, cache))
            if last_cpu_split is not None:
                splits.append(last_cpu_split)
            edit_one_snippet(site)
            edited.append(build_once(site, site_dir, True, cache))
            unchanged.append(build_once(site, site_dir, True, cache))
            shutil.rmtree(site)
    print()
    print(
        f"AT SCALE: this site + {copies} copies of the KMS note ({2 * copies} generated note pages, "
        f"each copy with its own account B): {described}, {html} HTML files"
    )
    print(f"  median of {runs} rounds, each in a fresh copy of the generated site; {_machine()}")

    Builds = list[tuple[float, float]]  # (wall, CPU) of each round

    def line(label: str, builds: Builds, versus: str, base: Builds) -> None:
        wall = [w for w, _ in builds]
        cpu = [c for _, c in builds]
        ratio = ""
        if base is not builds:
            wall_ratio = statistics.median(wall) / statistics.median(w for w, _ in base)
            cpu_ratio = statistics.median(cpu) / statistics.median(c for _, c in base)
            ratio = f" = {wall_ratio:.2f} wall, {cpu_ratio:.2f} CPU {versus}"
        print(f"  {label:<28}{_fmt(wall)}, CPU {statistics.median(cpu):6.2f} s{ratio}")

    line("build without proofs:", off, "", off)
    line("build with proofs (cold):", cold, "of the build without proofs (target <= 1.25)", off)
    line("after editing one snippet:", edited, "of the cold build with proofs (target <= 0.65)", cold)
    line("again, nothing changed:", unchanged, "of the cold build with proofs", cold)
    if splits:
        page_cpu = statistics.median(p for p, _ in splits)
        worker_cpu = statistics.median(w for _, w in splits)
        off_cpu = statistics.median(c for _, c in off)
        cores = parallel_cores()
        floor = (page_cpu + worker_cpu) / cores / statistics.median(w for w, _ in off)
        print(
            f"  the cold build's CPU (as it logs it): {page_cpu:.2f} s in the process building the pages "
            f"(= {page_cpu / off_cpu:.2f} of the build without proofs), "
            f"{worker_cpu:.2f} s in its helper processes (proof workers, pages finished on other "
            "cores, verification.json)"
        )
        print(
            f"  two CPU-bound processes side by side get {cores:.2f} cores' worth here: even perfectly "
            f"shared, that CPU needs {floor:.2f} of the build without proofs"
        )
    per_file = statistics.median(w for w, _ in off) / html * 1000
    print(f"  without proofs that is {per_file:.0f} ms of wall time per HTML file")
    print(f"  (the edit: {EDITED} of generated/copy-000, its first two actions swapped)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="builds of each kind of this site (default 5)")
    parser.add_argument("--copies", type=int, default=60, help="copies of the KMS note at scale (default 60)")
    parser.add_argument("--scale-runs", type=int, default=3, help="rounds at scale (default 3)")
    parser.add_argument("--no-scale", action="store_true", help="only this site")
    parser.add_argument("--no-small", action="store_true", help="only the generated site at scale")
    args = parser.parse_args()
    if not args.no_small:
        measure_this_site(args.runs)
    if not args.no_scale:
        measure_at_scale(args.copies, args.scale_runs)


if __name__ == "__main__":
    main()
