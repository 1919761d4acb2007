"""``policyproof import-hugo``: port a tree of Hugo notes (learn/relearn themes) into this site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policyproof.hugo import ImportOptions, import_tree

HELP = """Convert a Hugo content/ folder (or one page) into pages under docs/ (page.md = Vietnamese,
page.en.md = English) and policy snippets under snippets/<section>/<page>/. Headings get explicit
ids shared by both languages. Prints the checker's findings on the snippets, the site's rules on the
pages written (both languages, same snippets and heading ids, no inline JSON) and a summary. Exit
status: 0 everything converted, 1 something was left unconverted or breaks a site rule (listed with
file:line), 2 malformed input (page not imported)."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-hugo",
        help="import Hugo notes (learn/relearn themes) as pages and policy snippets",
        description=HELP,
    )
    parser.add_argument("source", metavar="SOURCE", type=Path, help="Hugo content/ folder, or a single page")
    parser.add_argument(
        "--default-lang",
        choices=("vi", "en"),
        default="vi",
        help="the Hugo site's default language, i.e. the language of an untagged page.md (default: vi)",
    )
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="pages go here (default: docs)")
    parser.add_argument(
        "--snippets", type=Path, default=Path("snippets"), help="policies go here (default: snippets)"
    )
    parser.add_argument(
        "--static",
        type=Path,
        default=None,
        help="Hugo's static/ folder for site-absolute images (default: the static/ beside content/)",
    )
    parser.add_argument("--dry-run", action="store_true", help="convert and report, write nothing")
    parser.add_argument("--force", action="store_true", help="overwrite existing files whose content differs")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = ImportOptions(
        source=args.source,
        docs=args.docs,
        snippets=args.snippets,
        default_lang=args.default_lang,
        static=args.static,
        dry_run=args.dry_run,
        force=args.force,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    report = import_tree(options)
    for finding in report.findings:
        print(finding)
    print(report.summary())
    return report.exit_code
