"""Run a what-if: a history through rule sets, partition by partition, on one core or many.

The history's partitions (a Parquet file's row groups, a CSV file's blocks)
are the unit of work: a worker reads its partition itself, prices its carts
under every rule set (each built once per worker) and returns its part of the
result. Parts are written in partition order, one row group each, so the
output file is the same, byte for byte, whatever ran it: one process, a pool
of processes (``workers=N``), or a Dask cluster (``map_parts`` from
:func:`mallcore.whatif.dask.dask_parts`). Memory holds the parts in flight,
never the whole history.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import attrs

from mallcore.checks import check_count, invalid
from mallcore.errors import HistoryRowError
from mallcore.pricing.ruleset import RuleSet, load_rule_set
from mallcore.whatif.engine import AMOUNTS, CouponChoice, result_rows
from mallcore.whatif.history import HistoryReader
from mallcore.whatif.summary import Summary

__all__ = ["WhatIf", "result_schema", "run_whatif"]


def result_schema(names: Sequence[str]) -> Any:
    """The Arrow schema of a result for rule sets named *names* (see :mod:`.engine`)."""
    import pyarrow as pa

    fields = [
        ("cart_id", pa.string()),
        ("row", pa.int64()),
        ("at", pa.timestamp("us", tz="UTC")),
        ("day", pa.date32()),
        ("customer_id", pa.string()),
        ("currency", pa.string()),
    ]
    for name in names:
        fields += [(f"{name}.ok", pa.bool_()), (f"{name}.error", pa.string())]
        fields += [(f"{name}.{amount}", pa.int64()) for amount in AMOUNTS]
        fields += [
            (f"{name}.points_used", pa.int64()),
            (f"{name}.points_earned", pa.int64()),
            (f"{name}.coupons", pa.string()),
            (f"{name}.applied", pa.string()),
            (f"{name}.rejected", pa.string()),
        ]
    for name in names[1:]:
        fields += [
            (f"{names[0]}-{name}.{a}", pa.int64()) for a in ("total", "discount", "shipping")
        ]
    return pa.schema(fields)


@attrs.frozen
class _Job:
    """Everything a worker needs to price one partition (picklable: paths, not objects)."""

    history: str
    partition: int
    rules: tuple[str, ...]
    names: tuple[str, ...]
    coupons: CouponChoice
    skip_bad: bool
    csv_rows: int


_BUILT: dict[tuple[str, str, str], RuleSet] = {}


def _rule_sets(job: _Job) -> list[RuleSet]:
    # Built once per worker process and rule file, however many partitions it prices;
    # keyed by the file's content too, so a file edited between runs is built afresh.
    sets = []
    for path, name in zip(job.rules, job.names, strict=True):
        key = (path, name, hashlib.sha256(Path(path).read_bytes()).hexdigest())
        if key not in _BUILT:
            _BUILT[key] = load_rule_set(path, name=name)
        sets.append(_BUILT[key])
    return sets


def price_partition(job: _Job) -> tuple[bytes, list[HistoryRowError]]:
    """Price one partition: its result part as Arrow IPC bytes, and the rows skipped."""
    import pyarrow as pa

    reader = HistoryReader(job.history, skip_bad=job.skip_bad, csv_rows=job.csv_rows)
    carts = reader.read(job.partition)
    rows = result_rows(carts, _rule_sets(job), coupons=job.coupons)
    table = pa.Table.from_pylist(rows, schema=result_schema(job.names))
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue(), reader.problems


@attrs.define
class WhatIf:
    """What :func:`run_whatif` did: where the result is, its summary and the rows skipped."""

    out: Path
    names: tuple[str, ...]
    carts: int
    summary: Summary
    skipped: list[HistoryRowError]


def run_whatif(
    history: str | Path,
    rules: Sequence[str | Path],
    out: str | Path,
    *,
    names: Sequence[str] | None = None,
    workers: int = 1,
    coupons: CouponChoice = "best",
    skip_bad: bool = False,
    csv_rows: int = 10_000,
    progress: Callable[[int], object] | None = None,
    map_parts: Callable[[Callable[[_Job], Any], list[_Job]], Iterator[Any]] | None = None,
) -> WhatIf:
    """Price every cart of *history* under each rule file of *rules*; write the result to *out*.

    Args:
        history: A Parquet or CSV history (see :mod:`mallcore.whatif.history`).
        rules: Rule (or scenario) files; the first is the baseline of the differences.
        out: The Parquet file to write (one row per cart).
        names: What to call the rule sets (default: the files' names, before the first dot).
        workers: Processes to price with (1: this process).
        coupons: ``best`` (the best combination of the held coupons) or ``listed``.
        skip_bad: Skip bad history rows instead of stopping at the first.
        csv_rows: Rows per partition of a CSV history.
        progress: Called with the number of carts done after each partition.
        map_parts: How to run the partitions (the default is this process, or a
            process pool for ``workers > 1``); :mod:`mallcore.whatif.dask` gives
            one for a Dask cluster.

    Raises:
        HistoryRowError: A bad row (unless *skip_bad*).
        RulesValidationError: A rule file is invalid.
        ConfigError: No rule files, names that repeat, a bad worker count.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not rules:
        raise invalid("rules", [], "must name at least one rule file")
    check_count("workers", workers, minimum=1, maximum=256)
    paths = tuple(str(Path(path)) for path in rules)
    built = [load_rule_set(path) for path in paths]  # validated here, in the caller's process
    labels = tuple(names) if names is not None else tuple(r.name for r in built)
    if len(set(labels)) != len(labels) or len(labels) != len(paths):
        raise invalid("names", list(labels), "must give each rule file a name of its own")
    for label in labels:
        if not label or any(ch in label for ch in ".;= \t"):
            raise invalid("names", label, "must be a name without '.', ';', '=' or spaces")
    currencies = {r.currency.code for r in built}
    if len(currencies) > 1:
        raise invalid("rules", sorted(currencies), "must all price in one currency")
    reader = HistoryReader(history, skip_bad=skip_bad, csv_rows=csv_rows)
    jobs = [
        _Job(str(reader.path), index, paths, labels, coupons, skip_bad, csv_rows)
        for index in range(len(reader.partitions()))
    ]
    schema = result_schema(labels)
    summary = Summary(labels, currency=built[0].currency.code)
    skipped: list[HistoryRowError] = []
    done = 0
    with _mapper(workers, map_parts) as run, pq.ParquetWriter(Path(out), schema) as writer:
        for part, problems in run(price_partition, jobs):
            table = pa.ipc.open_stream(part).read_all()
            writer.write_table(table)
            summary.add(table)
            skipped.extend(problems)
            done += table.num_rows
            if progress is not None:
                progress(done)
    return WhatIf(Path(out), labels, done, summary, skipped)


class _mapper:  # noqa: N801 - used as a context manager, reads as a verb
    """The partitions' runner: in order, in this process or in a process pool."""

    def __init__(
        self,
        workers: int,
        given: Callable[[Callable[[_Job], Any], list[_Job]], Iterator[Any]] | None,
    ) -> None:
        self._workers, self._given = workers, given
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Callable[[Callable[[_Job], Any], list[_Job]], Iterator[Any]]:
        if self._given is not None:
            return self._given
        if self._workers == 1:
            return lambda function, jobs: map(function, jobs)
        self._pool = ProcessPoolExecutor(self._workers, mp_context=get_context("spawn"))
        pool = self._pool
        return lambda function, jobs: pool.map(function, jobs)

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
