"""``policyproof verify [SITE_DIR]``: the site's whole verification, without building it.

A thin caller of :func:`policyproof.site.pipeline.verify_site`, the function ``mkdocs build``,
``mkdocs serve`` and pytest call: the same problems, in the same words, with the same verdict.
Exit status: 0 nothing keeps the site from being published, 1 a problem does, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="verify a whole site (page rules, snippets, claims) without building it",
        description=(
            "Verify the site in SITE_DIR (the folder of its mkdocs.yml) as `mkdocs build` does: page "
            "rules (language twins, same snippets in the same order, heading ids, no inline policy), "
            "every snippet through the checker with its page's context and declared counter-examples, "
            "every claim through the engine. Exit status: 0 publishable, 1 a problem, 2 usage error."
        ),
    )
    parser.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR", help="default: .")
    parser.add_argument("--docs", metavar="DIR", help="pages folder (default: SITE_DIR/docs)")
    parser.add_argument(
        "--snippets", metavar="DIR", action="append", help="snippets folder (default: SITE_DIR/snippets)"
    )
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    parser.add_argument(
        "--no-cache", action="store_true", help="prove everything afresh (ignore .cache/policyproof/)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from policyproof.site.pipeline import format_summary, verify_site
    from policyproof.site.proofs import ProofError

    root = Path(args.site_dir)
    docs = Path(args.docs) if args.docs else root / "docs"
    snippets = [Path(s) for s in args.snippets] if args.snippets else [root / "snippets"]
    for folder, what in ((docs, "pages folder"), *((s, "snippets folder") for s in snippets)):
        if not folder.is_dir():
            print(
                f"policyproof verify: {folder}: no such {what}; pass the folder of the site's mkdocs.yml "
                "(or --docs/--snippets)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    try:
        verification = verify_site(root, docs_dir=docs, snippet_bases=snippets, cache=not args.no_cache)
        problems = verification.problems
    except ProofError as error:
        print(f"policyproof verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(verification.to_json(), indent=2, ensure_ascii=False))
    elif args.format == "sarif":
        print(json.dumps(verification.to_sarif(), indent=2, ensure_ascii=False))
    else:
        for line in verification.lines(problems):
            print(line)
        print(format_summary(verification))
    return EXIT_CLEAN if verification.ok else EXIT_PROBLEMS
