"""What-if: re-price a history of carts under new rules, on every core (``analysis`` extra).

Before a campaign goes live, price last month's carts under the rules in
force and under the candidate rules, cart by cart, exactly as
:func:`mallcore.quote` would have priced each, and compare: the discount
given away, the orders pushed over a threshold, the coupons chosen, the
freight, the carts a rule now refuses.

- :mod:`mallcore.whatif.history`: the history format, its reader (Parquet or
  CSV through pyarrow, bad rows named by number) and a seeded generator.
- :mod:`mallcore.whatif.engine`: one cart under one rule set, and the result
  columns.
- :mod:`mallcore.whatif.run`: :func:`run_whatif`, partition by partition, in
  this process or a pool of processes.
- :mod:`mallcore.whatif.summary`: totals by day, by rule and rejections.
- :mod:`mallcore.whatif.dask`: the same partitions on a Dask cluster.
- :mod:`mallcore.whatif.progress`: a progress bar with carts per second, and a
  final summary in words.

The command line runs it all: ``mallcore whatif HISTORY --rules A.json
--rules B.json --out result.parquet [--workers N | --scheduler ADDR]``.
"""

from mallcore.whatif.dask import dask_parts
from mallcore.whatif.engine import AMOUNTS, price_cart, result_rows
from mallcore.whatif.history import (
    COLUMNS,
    HistoryCart,
    HistoryReader,
    parse_row,
    synthetic_history,
    write_history,
)
from mallcore.whatif.progress import final_summary, progress_bar
from mallcore.whatif.run import WhatIf, result_schema, run_whatif
from mallcore.whatif.summary import Summary

__all__ = [
    "AMOUNTS",
    "COLUMNS",
    "HistoryCart",
    "HistoryReader",
    "Summary",
    "WhatIf",
    "dask_parts",
    "final_summary",
    "parse_row",
    "price_cart",
    "progress_bar",
    "result_rows",
    "result_schema",
    "run_whatif",
    "synthetic_history",
    "write_history",
]
