"""``policyproof import-hugo``: port a Hugo site (learn/relearn themes) into this site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policyproof.hugo import ImportOptions, import_tree

HELP = """Convert a Hugo site (its root folder, its content/ folder, or one page) into pages under
docs/ (page.md = Vietnamese, page.en.md = English) and policy snippets under the snippets folder.
The Hugo configuration gives the languages and the language of untagged pages (Hugo's default:
en). Prints the checker's findings, the site's rules on the pages written, the source defects
(each with file:line and a fix; shown to readers, never blocking) and a to-do list. Exit status:
0 converted (defects and translation work listed), 1 a checker error in an extracted policy, a
site rule broken or a file left unwritten (or any source defect with --strict-source), 2 input
that cannot be imported."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-hugo",
        help="import Hugo notes (learn/relearn themes) as pages and policy snippets",
        description=HELP,
    )
    parser.add_argument(
        "source", metavar="PATH", type=Path, help="Hugo site root, its content/ folder, or one page"
    )
    parser.add_argument(
        "--default-lang",
        choices=("vi", "en"),
        default=None,
        help="override the language of untagged page.md files "
        "(default: the site's defaultContentLanguage, else en)",
    )
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="pages go here (default: docs)")
    parser.add_argument(
        "--snippets",
        type=Path,
        default=Path("snippets"),
        help="policies go here, inside mkdocs.yml's snippets base_path (default: snippets)",
    )
    parser.add_argument(
        "--mkdocs-config", type=Path, default=None, help="mkdocs.yml (default: found from here up)"
    )
    parser.add_argument(
        "--static",
        type=Path,
        default=None,
        help="Hugo's static/ folder for site-absolute images (default: the static/ of the site)",
    )
    parser.add_argument(
        "--report", type=Path, default=None, metavar="FILE", help="also write the report as Markdown"
    )
    parser.add_argument(
        "--strict-source", action="store_true", help="source defects fail the import (exit 1)"
    )
    parser.add_argument("--dry-run", action="store_true", help="convert and report, write nothing")
    parser.add_argument("--force", action="store_true", help="overwrite existing files whose content differs")
    parser.set_defaults(run=run)


def _mkdocs_config(args: argparse.Namespace) -> Path | None:
    """--mkdocs-config, else the mkdocs.yml above the snippets folder, else the one of the folder
    the command runs in (so a snippets folder outside that site's base_path is an error)."""
    if args.mkdocs_config is not None:
        return args.mkdocs_config
    for folder in [*args.snippets.resolve().parents, Path.cwd()]:
        if (folder / "mkdocs.yml").is_file():
            return folder / "mkdocs.yml"
    return None


def run(args: argparse.Namespace) -> int:
    options = ImportOptions(
        source=args.source,
        docs=args.docs,
        snippets=args.snippets,
        default_lang=args.default_lang,
        static=args.static,
        dry_run=args.dry_run,
        force=args.force,
        strict_source=args.strict_source,
        mkdocs_config=_mkdocs_config(args),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    report = import_tree(options)
    for finding in report.findings:
        print(finding)
    print(report.summary())
    if args.report is not None:
        try:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            args.report.write_text(report.markdown() + "\n", encoding="utf-8")
        except OSError as error:
            print(f"{args.report}: cannot write the report: {error.strerror}", file=sys.stderr)
            return 2
    return report.exit_code
