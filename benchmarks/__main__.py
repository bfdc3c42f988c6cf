"""Run every ``bench_*.py`` module and print one ratio table (``make bench``).

Usage: ``python -m benchmarks [--only money,sku] [--quick] [--out FILE]``.
``--quick`` shortens the timing loops for a smoke run; its numbers are noisy.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--only", default="", help="module suffixes, e.g. money,sku")
    parser.add_argument("--quick", action="store_true", help="short timing loops (smoke run)")
    parser.add_argument("--out", default=str(HERE / "results" / "latest.md"))
    args = parser.parse_args()
    if args.quick:
        os.environ.setdefault("BENCH_TARGET_S", "0.02")
        os.environ.setdefault("BENCH_REPEATS", "2")
    from benchmarks._harness import render

    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    workloads = []
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        if wanted and info.name.removeprefix("bench_") not in wanted:
            continue
        print(f"running {info.name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"benchmarks.{info.name}")
        workloads.extend(module.run(quick=args.quick))
    table, all_met = render(workloads)
    header = (
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores; median of repeats, same process run.\n"
    )
    print(header)
    print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + "\n" + table + "\n", encoding="utf-8")
    print(f"\n(written to {out})", file=sys.stderr)
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
