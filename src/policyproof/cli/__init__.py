"""The ``policyproof`` command line: a thin dispatcher over the library.

Each subcommand lives in its own module (``cli/<name>.py``) exposing ``add_parser(subparsers)``
and ``run(args) -> int``, so commands can grow independently. Modules are imported lazily so
``policyproof --help`` stays fast and one broken command cannot take the others down.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from policyproof import __version__

# subcommand name -> module that implements it
SUBCOMMANDS: dict[str, str] = {
    "check": "policyproof.cli.check",
    "evaluate": "policyproof.cli.evaluate",
    "import-hugo": "policyproof.cli.import_hugo",
    "verify": "policyproof.cli.verify",
}

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policyproof",
        description="Check AWS policy documents and prove what they allow.",
    )
    parser.add_argument("--version", action="version", version=f"policyproof {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMANDS.values():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue  # command not built yet
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("policyproof: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
