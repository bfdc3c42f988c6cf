"""The ``mallcore`` command (also ``python -m mallcore``).

Exit codes: 0 success, 1 a business rule rejected the input (undeliverable,
zero payment), 2 bad input or usage. Errors print one line to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mallcore._version import __version__
from mallcore.errors import MallcoreError

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mallcore",
        description=(
            "Commerce logic for online malls: prices, promotions, freight, exact to the cent."
        ),
    )
    parser.add_argument("--version", action="version", version=f"mallcore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="run the main job end to end and explain each step")
    demo.add_argument("--locale", action="append", help="extra locale to format amounts in")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            from mallcore._demo import run_demo

            run_demo(sys.stdout, extra_locales=args.locale or [])
            return 0
    except MallcoreError as exc:
        print(f"mallcore: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    parser.print_help()
    return 2
