"""The ``mallcore`` command (also ``python -m mallcore``).

Exit codes: 0 success, 1 a business rule rejected the input (undeliverable,
zero payment) or ``validate`` found problems, 2 bad input or usage. Errors
print one line to stderr naming the error class.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from mallcore._version import __version__
from mallcore.errors import MallcoreError, UndeliverableError, ZeroPaymentError

__all__ = ["main"]

#: Errors where the input was fine but a business rule rejected the cart.
_RULE_REJECTIONS = (UndeliverableError, ZeroPaymentError)


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
    demo.add_argument(
        "--db",
        default="mallcore-demo.sqlite",
        help="the SQLite file the demo stores its story in (default: ./mallcore-demo.sqlite; "
        "a second run starts it afresh)",
    )
    quote = commands.add_parser("quote", help="price the cart of a scenario file")
    quote.add_argument("scenario", help="scenario file (JSON, or YAML with PyYAML)")
    quote.add_argument("--json", action="store_true", help="print Quote.to_dict() as JSON")
    quote.add_argument(
        "--locale", default=None, help="locale the breakdown shows amounts in (default zh_CN)"
    )
    schema = commands.add_parser("schema", help="print the JSON Schema of a rule file")
    schema.add_argument("name", help="scenario, rules, promotion, coupon, membership, ...")
    story = commands.add_parser("story", help="run an order's life from a story file")
    story.add_argument("file", help="a story: a scenario plus 'steps' (JSON, or YAML with PyYAML)")
    story.add_argument("--json", action="store_true", help="print the steps and the order as JSON")
    whatif = commands.add_parser(
        "whatif", help="re-price a history of carts under rule sets and compare them"
    )
    whatif.add_argument("history", help="the carts: a Parquet or CSV history file")
    whatif.add_argument(
        "--rules",
        action="append",
        required=True,
        help="a rules (or scenario) file; repeat it, the first is the baseline",
    )
    whatif.add_argument("--out", required=True, help="the Parquet file to write, one row per cart")
    where = whatif.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="processes on this machine")
    where.add_argument("--scheduler", help="a Dask scheduler address (tcp://host:8786)")
    whatif.add_argument(
        "--coupons",
        choices=("best", "listed"),
        default="best",
        help="the best combination of the held coupons (default), or them as listed",
    )
    whatif.add_argument("--skip-bad", action="store_true", help="skip bad rows (listed at the end)")
    whatif.add_argument("--quiet", action="store_true", help="no progress bar")
    validate = commands.add_parser("validate", help="list every problem of a rule file")
    validate.add_argument("file", help="a scenario or rules file (JSON, or YAML with PyYAML)")
    return parser


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"mallcore: {type(exc).__name__}: {text}"


def _quote(path: str, as_json: bool, locale: str | None, out: TextIO) -> int:
    from mallcore.money import DEFAULT_LOCALE, get_locale
    from mallcore.pricing import quote
    from mallcore.pricing.scenario import load_scenario

    shown_in = get_locale(locale or DEFAULT_LOCALE)  # a bad --locale fails before any work
    scenario = load_scenario(Path(path))  # an argument is a file, never rule text
    result = quote(scenario.cart, scenario.context)
    if as_json:
        json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(result.explain(str(shown_in)) + "\n")
    return 0


def _story(path: str, as_json: bool, out: TextIO) -> int:
    """Exit 0 when the story ran (refused steps included); a bad file exits 2."""
    from mallcore._story import run_story, story_text

    result = run_story(path)
    if as_json:
        json.dump(result, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(story_text(result) + "\n")
    return 0


def _schema(name: str, out: TextIO) -> int:
    from mallcore.pricing.rules import SCHEMAS

    model = SCHEMAS.get(name)
    if model is None:
        known = ", ".join(sorted(SCHEMAS))
        print(f"mallcore: unknown schema {name!r}; known: {known}", file=sys.stderr)
        return 2
    json.dump(model.json_schema(), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0


def _validate(path: str, out: TextIO) -> int:
    """Every problem of the file on stdout, one per line with its JSON path; exit 1 if any.

    A file that is missing or does not parse is one problem, reported the same way.
    """
    from mallcore.errors import RulesValidationError
    from mallcore.pricing.rules import validate_rules

    try:
        kind = validate_rules(Path(path))
    except RulesValidationError as exc:
        problems = exc.problems
    except MallcoreError as exc:
        problems = [" ".join(str(exc).split())]
    else:
        out.write(f"{path}: a valid {kind}\n")
        return 0
    for problem in problems:
        out.write(f"{problem}\n")
    out.write(f"{len(problems)} problem(s) in {path}\n")
    return 1


def _whatif(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``mallcore whatif``: the result file, a progress bar on stderr, the summary on stdout."""
    from contextlib import nullcontext

    from mallcore.pricing import load_rule_set
    from mallcore.whatif import HistoryReader, run_whatif
    from mallcore.whatif.progress import final_summary, progress_bar

    reader = HistoryReader(args.history)
    total = sum(rows for _first, rows in reader.partitions())
    currency = load_rule_set(args.rules[0]).currency.code
    if args.scheduler:
        from mallcore.whatif.dask import dask_parts

        cluster: Any = dask_parts(args.scheduler)
    else:
        cluster = nullcontext(None)
    started = time.monotonic()
    with cluster as map_parts, progress_bar(total, enabled=not args.quiet) as update:
        result = run_whatif(
            args.history,
            args.rules,
            args.out,
            workers=1 if args.scheduler else args.workers,
            coupons=args.coupons,
            skip_bad=args.skip_bad,
            progress=update,
            map_parts=map_parts,
        )
    seconds = time.monotonic() - started
    out.write(final_summary(result, currency, seconds=seconds) + "\n")
    for problem in result.skipped[:20]:
        print(f"mallcore: skipped {problem}", file=sys.stderr)
    if len(result.skipped) > 20:
        print(f"mallcore: skipped {len(result.skipped) - 20} more rows", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            from mallcore._demo import run_demo

            run_demo(sys.stdout, extra_locales=args.locale or [], db=Path(args.db))
            return 0
        if args.command == "quote":
            return _quote(args.scenario, args.json, args.locale, sys.stdout)
        if args.command == "schema":
            return _schema(args.name, sys.stdout)
        if args.command == "validate":
            return _validate(args.file, sys.stdout)
        if args.command == "story":
            return _story(args.file, args.json, sys.stdout)
        if args.command == "whatif":
            return _whatif(args, sys.stdout)
    except BrokenPipeError:
        # The reader went away (``mallcore quote ... | head``): not an error of ours.
        sys.stderr.close()
        return 0
    except _RULE_REJECTIONS as exc:
        print(_one_line(exc), file=sys.stderr)
        return 1
    except MallcoreError as exc:
        print(_one_line(exc), file=sys.stderr)
        return 2
    parser.print_help()
    return 2
