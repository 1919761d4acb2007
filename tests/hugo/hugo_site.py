"""Build a throw-away copy of this site (the repo's mkdocs.yml, navigation hook only)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NAV_HOOK = REPO / "src/policyproof/site/hooks/nav_order.py"
MKDOCS = Path(sys.executable).with_name("mkdocs")


def site_config(tmp: Path, docs: Path, snippets: Path) -> Path:
    """The repo's mkdocs.yml with every relative path made absolute, building into ``tmp/site``."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^docs_dir: .*$", f"docs_dir: {docs}\nsite_dir: {tmp / 'site'}", text)
    text = re.sub(r"(?m)^(\s*custom_dir:\s*)(\S+)\s*$", lambda m: f"{m.group(1)}{REPO / m.group(2)}", text)
    # Only the navigation hook: the site's other hooks check the real site's own pages (the
    # verification report, claims), which a tree of imported pages does not have.
    text = re.sub(r"(?m)^hooks:\n(?:[ \t]+-.*\n?)+", f"hooks:\n  - {NAV_HOOK}\n", text)
    text = re.sub(r"base_path:\s*\[snippets\]", f"base_path: [{snippets}]", text)
    config = tmp / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def build(tmp: Path, docs: Path, snippets: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``docs`` with the site's configuration."""
    config = site_config(tmp, docs, snippets)
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "-f", str(config)],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
