"""Benchmark ``policyproof import-hugo`` on a generated Hugo tree in the learn theme's style.

    .venv/bin/python bench/bench_import_hugo.py [--pages 200] [--keep DIR]

Generates a bilingual workshop tree shaped like the public First Cloud Journey workshops: a
``config.toml`` with ``[Languages.en]``/``[Languages.vi]`` and no ``defaultContentLanguage`` (so
untagged pages are English, Hugo's default), ``.vi.md`` translations, chapters with
``chapter: true`` / ``pre`` index pages and ``{{% children %}}``; pages with numbered steps whose
screenshots sit inside the list items (3-space indentation) and whose commands are code blocks
at column 0 between the steps (Hugo renders ``<ol start="2">``); ``notice`` used most, then
``expand``; URL-style links; IAM policies with ``<account-id>`` placeholders. About 200 page
files and 1,000 images (11 per page, both languages showing the same files).

Imports it (target: under 2 s), builds the result with the site's ``mkdocs build --strict``,
checks that no ``{{`` is left in any page and that the result keeps the site's rules
(``policyproof.site.page_rules``: both languages with the same snippets, no inline JSON, every
snippet used; heading-id differences are warnings, as contract 2 says).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAV_HOOK = REPO / "src/policyproof/site/hooks/nav_order.py"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SERVICES = ["iam", "kms", "s3", "ec2", "sso", "guardduty", "cloudtrail", "config"]
# notice styles weighted as in real workshop trees: note, then tip, info, warning
NOTICE_CYCLE = ["note", "note", "note", "tip", "tip", "info", "warning", "note", "tip", "info"]


STEPS_PER_PAGE = 11


def _steps(lang: str, chapter: int, page: int) -> str:
    """Numbered steps with a screenshot in each item, a command between some of them."""
    vi = lang == "vi"
    rows = []
    for step in range(1, STEPS_PER_PAGE + 1):
        text = f"Bước {step}: chọn **Next**" if vi else f"Step {step}: choose **Next**"
        rows.append(f"{step}. {text}\n   - {'Kiểm tra cấu hình' if vi else 'Check the settings'}\n")
        rows.append(f"   ![{step}](/images/{chapter}/{page}-{step}.png?featherlight=false&width=90pc)\n")
        if step % 4 == 0:
            rows.append(f"```\naws iam list-users --max-items {step}\n```\n")
    return "\n".join(rows)


def _policy(chapter: int, page: int) -> str:
    service = SERVICES[(chapter + page) % len(SERVICES)]
    if page % 3 == 0:  # a bare key-policy statement, as notes often show
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{111111111111 + page:012d}:root"},
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
        }
        return json.dumps(statement, indent=2)
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"Read{service.capitalize()}",
                "Effect": "Allow",
                "Action": [f"{service}:Get*", f"{service}:List*"],
                "Resource": "*" if page % 2 else f"arn:aws:{service}:us-east-1:<account-id>:*",
            }
        ],
    }
    return json.dumps(document, indent=2)


def _page_text(lang: str, chapter: int, page: int, slugs: list[str], style_seed: int) -> str:
    vi = lang == "vi"
    number = f"{chapter}.{page}"
    title = f"{number} {'Bật' if vi else 'Enable'} {SERVICES[(chapter + page) % len(SERVICES)].upper()}"
    # weights deliberately run against the file names so the navigation order is tested
    weight = len(slugs) - page + 1
    sibling = slugs[(page) % len(slugs)]
    notices = []
    for index in range(3):
        style = NOTICE_CYCLE[(style_seed + index) % len(NOTICE_CYCLE)]
        text = "Ghi chú quan trọng về cấu hình." if vi else "An important note about the setup."
        notices.append(f"{{{{% notice {style} %}}}}\n{text} ({index + 1})\n{{{{% /notice %}}}}")
    expand_title = "Xem policy" if vi else "Show the policy"
    label = "**Policy mẫu:**" if vi else "**Sample policy:**"
    first_chapter = "chương đầu" if vi else "the first chapter"
    see_also = "Xem thêm" if vi else "See also"
    # Headings as workshop steps have them; "check" twice, so ids need a -2 suffix.
    prepare = "#### Chuẩn bị" if vi else "#### Preparation"
    check = "#### Kiểm tra" if vi else "#### Check"
    return f"""---
title: "{title}"
weight: {weight}
pre: "<b>{number}. </b>"
---

{prepare}

{"Trong bước này chúng ta cấu hình dịch vụ." if vi else "In this step we configure the service."}
{see_also} [{sibling}](../{sibling}/) {"và" if vi else "and"} [{first_chapter}](/1-chapter/).

{_steps(lang, chapter, page)}

{notices[0]}

{label}

```json
{_policy(chapter, page)}
```

{notices[1]}

{{{{%expand "{expand_title}" %}}}}
{check}

{"Nội dung chi tiết." if vi else "The details."}

{notices[2]}
{{{{% /expand %}}}}

{check}

```bash
# {"kiểm tra danh tính" if vi else "who am I"}
aws sts get-caller-identity
```
"""


def _chapter_text(lang: str, chapter: int, slugs: list[str], chapters: int) -> str:
    vi = lang == "vi"
    first = slugs[0]
    return f"""---
title: "{chapter}. {"Chương" if vi else "Chapter"} {chapter}"
weight: {chapters - chapter + 1}
chapter: true
pre: "<b>{chapter}. </b>"
---

### {"Chương" if vi else "Chapter"} {chapter}

# {SERVICES[chapter % len(SERVICES)].upper()}

{"Bắt đầu với" if vi else "Start with"} [{first}]({first}/).

![{chapter}](/images/{chapter}/0-chapter.png)

{{{{% children %}}}}
"""


def generate_tree(root: Path, pages: int) -> int:
    """Write ``root/content`` and ``root/static`` with about ``pages`` page files; return the count."""
    per_chapter = 9
    chapters = max(1, pages // (2 * (per_chapter + 1)))
    content = root / "content"
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(
        'theme = "hugo-theme-learn"\n\n[Languages]\n[Languages.en]\ntitle = "Workshop"\nweight = 1\n'
        '\n[Languages.vi]\ntitle = "Workshop"\nweight = 2\n',
        encoding="utf-8",
    )
    written = 0
    for lang, suffix in (("en", ""), ("vi", ".vi")):
        home = "Ghi chú workshop" if lang == "vi" else "Workshop notes"
        (content).mkdir(parents=True, exist_ok=True)
        (content / f"_index{suffix}.md").write_text(
            f'---\ntitle: "{home}"\nchapter: true\n---\n\n# {home}\n\n{{{{% children %}}}}\n',
            encoding="utf-8",
        )
        written += 1
    for chapter in range(1, chapters + 1):
        folder = content / f"{chapter}-chapter"
        folder.mkdir(parents=True, exist_ok=True)
        slugs = [
            f"{chapter}.{page}-{SERVICES[(chapter + page) % len(SERVICES)]}-setup"
            for page in range(1, per_chapter + 1)
        ]
        for lang, suffix in (("en", ""), ("vi", ".vi")):
            (folder / f"_index{suffix}.md").write_text(
                _chapter_text(lang, chapter, slugs, chapters), encoding="utf-8"
            )
            written += 1
            for page, slug in enumerate(slugs, start=1):
                text = _page_text(lang, chapter, page, slugs, chapter * 7 + page)
                (folder / f"{slug}{suffix}.md").write_text(text, encoding="utf-8")
                written += 1
        images = root / "static" / "images" / str(chapter)
        images.mkdir(parents=True, exist_ok=True)
        for page in range(1, per_chapter + 1):
            for step in range(1, STEPS_PER_PAGE + 1):
                (images / f"{page}-{step}.png").write_bytes(PNG)
        (images / "0-chapter.png").write_bytes(PNG)
    return written


def site_config(work: Path, docs: Path, snippets: Path) -> Path:
    """The repo's mkdocs.yml with relative paths made absolute, building into ``work/site``."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^docs_dir: .*$", f"docs_dir: {docs}\nsite_dir: {work / 'site'}", text)
    text = re.sub(r"(?m)^(\s*custom_dir:\s*)(\S+)\s*$", lambda m: f"{m.group(1)}{REPO / m.group(2)}", text)
    # Only the navigation hook: the site's other hooks check the real site's own pages (the
    # verification report, claims), which a tree of imported pages does not have.
    text = re.sub(r"(?m)^hooks:\n(?:[ \t]+-.*\n?)+", f"hooks:\n  - {NAV_HOOK}\n", text)
    text = re.sub(r"base_path:\s*\[snippets\]", f"base_path: [{snippets}]", text)
    config = work / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200, help="about how many page files to generate")
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (default: a temporary one)"
    )
    args = parser.parse_args()
    from policyproof.hugo import ImportOptions, import_tree
    from policyproof.site.page_rules import inline_json_problems, parity_problems, snippet_usage_problems

    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        count = generate_tree(work / "hugo", args.pages)
        docs, snippets = work / "docs", work / "snippets"
        snippets.mkdir(parents=True, exist_ok=True)
        config = site_config(work, docs, snippets)
        images = sum(1 for _ in (work / "hugo" / "static").rglob("*.png"))
        started, cpu_started = time.perf_counter(), time.process_time()
        report = import_tree(
            ImportOptions(source=work / "hugo", docs=docs, snippets=snippets, mkdocs_config=config)
        )
        import_seconds = time.perf_counter() - started
        import_cpu = time.process_time() - cpu_started
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        started = time.perf_counter()
        build = subprocess.run(
            [
                str(Path(sys.executable).with_name("mkdocs")),
                "build",
                "--strict",
                "-f",
                str(config),
            ],
            cwd=work,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            check=False,
        )
        build_seconds = time.perf_counter() - started
        left = [str(page) for page in docs.rglob("*.md") if "{{" in page.read_text(encoding="utf-8")]
        started = time.perf_counter()
        site_rules = [
            finding
            for finding in [
                *parity_problems(docs),
                *inline_json_problems(docs),
                *snippet_usage_problems(docs, snippets),
            ]
            if finding.severity.value == "error"
        ]
        rules_seconds = time.perf_counter() - started
        # The user's view: the same import as one `policyproof import-hugo` command (process start-up,
        # imports, checker, report), into fresh folders, with no flag but the target folders.
        cli_work = work / "cli"
        cli_docs, cli_snippets = cli_work / "docs", cli_work / "snippets"
        cli_snippets.mkdir(parents=True, exist_ok=True)
        cli_config = site_config(cli_work, cli_docs, cli_snippets)
        started = time.perf_counter()
        command = subprocess.run(
            [
                str(Path(sys.executable).with_name("policyproof")),
                "import-hugo",
                "--docs",
                str(cli_docs),
                "--snippets",
                str(cli_snippets),
                "--mkdocs-config",
                str(cli_config),
                str(work / "hugo"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        command_seconds = time.perf_counter() - started
        print(f"generated page files:  {count}; images: {images}")
        print(f"pages imported:        {sum(report.pages.values())} ({dict(sorted(report.pages.items()))})")
        converted = dict(sorted(report.shortcodes.items()))
        print(f"shortcodes converted:  {sum(report.shortcodes.values())} {converted}")
        print(f"snippets extracted:    {report.snippets}; images copied: {report.images}")
        print(f"heading ids added:     {report.heading_ids}")
        print(
            f"problems left:         {len(report.problems)}; site rules (import's own check): "
            f"{len(report.site_problems)}; malformed: {len(report.errors)}; "
            f"defects: {len(report.defects)}; translation work: {len(report.translation)}"
        )
        checked = "" if report.checker_available else " (checker not available)"
        print(f"checker findings:      {len(report.findings)}{checked}")
        print(
            f"import time:           {import_seconds:.2f} s wall, {import_cpu:.2f} s CPU "
            f"(target < 2 s; load average {load:.1f} on {os.cpu_count()} cores)"
        )
        print(
            f"as a command:          {command_seconds:.2f} s wall for `policyproof import-hugo` "
            f"(one process: start-up, import, checker, report), exit {command.returncode}"
        )
        print(
            f"mkdocs build --strict: {'ok' if build.returncode == 0 else 'FAILED'} in {build_seconds:.2f} s"
        )
        print(f"pages with '{{{{' left:  {len(left)}")
        print(
            f"site rules (parity, inline JSON, snippet use): {len(site_rules)} problems "
            f"in {rules_seconds:.2f} s"
        )
        for problem in site_rules[:20]:
            print(f"  {problem.format()}")
        if build.returncode != 0:
            print(build.stderr[-3000:], file=sys.stderr)
        ok = (
            build.returncode == 0
            and not left
            and not site_rules
            and report.exit_code == 0
            and import_seconds < 2
            and command.returncode == report.exit_code
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
