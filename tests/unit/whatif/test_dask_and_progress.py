"""What-ifs on one process, a process pool and Dask give the same file; progress and summary."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
distributed = pytest.importorskip("distributed")
pytest.importorskip("rich")

from rich.console import Console  # noqa: E402

from mallcore.errors import ConfigError, HistoryRowError  # noqa: E402
from mallcore.money import format_money, from_minor  # noqa: E402
from mallcore.pricing import load_rule_set  # noqa: E402
from mallcore.whatif import WhatIf, run_whatif, synthetic_history, write_history  # noqa: E402
from mallcore.whatif.dask import _mapper, dask_parts  # noqa: E402
from mallcore.whatif.progress import final_summary, progress_bar  # noqa: E402

EXAMPLE = Path(__file__).parents[2] / "examples" / "01-stacked-cart.scenario.json"
CARTS = 2_000
ROW_GROUP = 250  # 8 partitions
INSTALL = r"pip install 'mallcore\[analysis\]'"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A history of 2,000 carts in 8 row groups, and two rule files (another 满减 ladder)."""
    root = tmp_path_factory.mktemp("whatif-dask")
    history = write_history(
        synthetic_history(load_rule_set(EXAMPLE), CARTS, seed=11),
        root / "history.parquet",
        row_group_rows=ROW_GROUP,
    )
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    (ladder,) = (p for p in data["promotions"] if p["id"] == "ladder")
    ladder["tiers"] = [
        {"min_spend": "80.00", "amount_off": "8.00"},
        {"min_spend": "200.00", "amount_off": "25.00"},
    ]
    candidate = root / "candidate.json"
    candidate.write_text(json.dumps(data), encoding="utf-8")
    return {"history": history, "baseline": EXAMPLE, "candidate": candidate, "root": root}


@pytest.fixture(scope="module")
def single(files: dict[str, Path]) -> WhatIf:
    """The reference run: one process."""
    return _run(files, files["root"] / "one.parquet", workers=1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A LocalCluster of our own, reached by its address (as a production scheduler is)."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        yield local


def _run(files: dict[str, Path], out: Path, **options: Any) -> WhatIf:
    return run_whatif(
        files["history"],
        [files["baseline"], files["candidate"]],
        out,
        names=("now", "new"),
        **options,
    )


def _same_summary(left: WhatIf, right: WhatIf) -> None:
    assert left.carts == right.carts == CARTS
    assert left.summary.totals() == right.summary.totals()
    assert left.summary.by_day() == right.summary.by_day()
    assert left.summary.by_rule() == right.summary.by_rule()
    assert left.summary.rejections() == right.summary.rejections()
    assert left.skipped == right.skipped == []


# --------------------------------------------------------------------------- same results


def test_one_two_and_dask_workers_write_the_same_bytes(
    files: dict[str, Path], single: WhatIf
) -> None:
    pool = _run(files, files["root"] / "two.parquet", workers=2)
    with dask_parts(workers=2) as map_parts:
        on_dask = _run(files, files["root"] / "dask.parquet", map_parts=map_parts)

    reference = single.out.read_bytes()
    assert pool.out.read_bytes() == reference
    assert on_dask.out.read_bytes() == reference
    _same_summary(single, pool)
    _same_summary(single, on_dask)
    # The two rule sets do differ: the new ladder changes what carts pay.
    totals = single.summary.totals()
    assert totals["now"]["discount"] != totals["new"]["discount"]
    assert {row["rule"] for row in single.summary.by_rule()} >= {"promotion:ladder"}


def test_a_scheduler_address_runs_on_that_cluster_and_leaves_it_running(
    files: dict[str, Path], single: WhatIf, cluster: Any
) -> None:
    with dask_parts(cluster.scheduler_address, timeout=10) as map_parts:
        first = _run(files, files["root"] / "address.parquet", map_parts=map_parts)
    assert first.out.read_bytes() == single.out.read_bytes()
    _same_summary(single, first)
    # Only the client was closed: the cluster still takes work.
    with dask_parts(cluster.scheduler_address) as map_parts:
        assert list(map_parts(abs, [-1, -2])) == [1, 2]


def test_results_come_back_in_job_order_whatever_finishes_first(cluster: Any) -> None:
    jobs = list(range(12))
    with dask_parts(cluster.scheduler_address) as map_parts:
        # The first job takes longest, so the next ones finish before it.
        results = list(map_parts(lambda n: (time.sleep(0.5 if n == 0 else 0), n)[1], jobs))
    assert results == jobs


def test_a_bad_row_on_a_worker_is_raised_here_with_its_row_number(
    files: dict[str, Path], cluster: Any
) -> None:
    rows = list(synthetic_history(load_rule_set(EXAMPLE), 40, seed=3))
    rows[24]["lines"] = "A:two"
    history = write_history(rows, files["root"] / "bad.parquet", row_group_rows=10)
    with (
        dask_parts(cluster.scheduler_address) as map_parts,
        pytest.raises(HistoryRowError) as caught,
    ):
        run_whatif(history, [EXAMPLE], files["root"] / "bad-out.parquet", map_parts=map_parts)
    assert caught.value.row == 25
    assert caught.value.field == "lines"


def test_an_unreachable_scheduler_is_a_config_error_naming_it() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    started = time.monotonic()
    reaches = pytest.raises(ConfigError, match="cannot reach the Dask scheduler")
    with reaches as caught, dask_parts(address, timeout=0.5):
        pytest.fail("connected to nothing")  # pragma: no cover
    assert address in str(caught.value)
    assert isinstance(caught.value.__cause__, OSError)
    assert time.monotonic() - started < 10


def test_a_malformed_address_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="nonsense://x"), dask_parts("nonsense://x"):
        pass  # pragma: no cover


def test_a_bad_worker_count_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="workers"), dask_parts(workers=0):
        pass  # pragma: no cover


def test_without_distributed_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ConfigError, match=INSTALL), dask_parts():
        pass  # pragma: no cover


class _Future:
    def __init__(self, log: list[str], value: int) -> None:
        self._log, self._value = log, value

    def result(self) -> int:
        self._log.append(f"result {self._value}")
        return self._value

    def release(self) -> None:
        pass


class _Client:
    """Stands for a distributed.Client with two threads: records submits and collections."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.cancelled: list[Any] = []

    def nthreads(self) -> dict[str, int]:
        return {"tcp://a": 1, "tcp://b": 1}

    def submit(self, function: Any, job: int, *, pure: bool) -> _Future:
        assert pure is False
        self.log.append(f"submit {job}")
        return _Future(self.log, function(job))

    def cancel(self, futures: list[Any]) -> None:
        self.cancelled.extend(futures)


def test_at_most_a_window_of_parts_is_in_flight() -> None:
    client = _Client()
    assert list(_mapper(client)(lambda n: n * 10, list(range(10)))) == [n * 10 for n in range(10)]
    in_flight = peak = 0
    for entry in client.log:
        in_flight += 1 if entry.startswith("submit") else -1
        peak = max(peak, in_flight)
    assert peak == 4  # twice the cluster's threads
    assert client.cancelled == []


def test_stopping_early_cancels_the_parts_not_collected() -> None:
    client = _Client()
    parts = _mapper(client)(lambda n: n, list(range(10)))
    assert next(parts) == 0
    parts.close()
    assert len(client.cancelled) == 4


# --------------------------------------------------------------------------- progress


def test_progress_bar_shows_carts_done_and_carts_per_second() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    with progress_bar(2_000, stream=console) as update:
        update(1_000)
        update(2_000)
    text = out.getvalue()
    assert "Pricing carts" in text
    assert "2000/2000" in text
    assert "carts/s" in text


def test_progress_bar_on_a_plain_stream_writes_its_final_line_only() -> None:
    out = io.StringIO()
    with progress_bar(100, stream=out, description="What-if") as update:
        update(40)
        assert out.getvalue() == ""  # not a terminal: nothing while running
        update(100)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert "What-if" in lines[0]
    assert "100/100" in lines[0]
    assert "carts/s" in lines[0]


def test_progress_bar_writes_to_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(10) as update:
        update(10)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "10/10" in captured.err


def test_a_disabled_progress_bar_draws_nothing() -> None:
    out = io.StringIO()
    with progress_bar(10, enabled=False, stream=out) as update:
        assert update(5) is None
    assert out.getvalue() == ""


def test_a_run_that_stops_short_shows_where_it_got_to() -> None:
    out = io.StringIO()
    with progress_bar(100, stream=out) as update:
        update(60)
    assert "60/100" in out.getvalue()


def test_progress_bar_follows_a_run(files: dict[str, Path]) -> None:
    out = io.StringIO()
    seen: list[int] = []
    with progress_bar(CARTS, stream=out) as update:

        def record(done: int) -> None:
            seen.append(done)
            update(done)

        _run(files, files["root"] / "progress.parquet", progress=record)
    assert seen == [ROW_GROUP * (n + 1) for n in range(CARTS // ROW_GROUP)]
    assert f"{CARTS}/{CARTS}" in out.getvalue()


def test_progress_bar_needs_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)
    with pytest.raises(ConfigError, match=INSTALL), progress_bar(10):
        pass  # pragma: no cover


# --------------------------------------------------------------------------- final summary


def test_final_summary_gives_each_rule_sets_totals(single: WhatIf) -> None:
    text = final_summary(single, "CNY", seconds=2.0)
    assert final_summary(single, seconds=2.0) == text  # the currency read from the result
    lines = text.splitlines()
    assert lines[0] == (
        f"What-if: 2,000 carts under 2 rule sets in 2.0 s, 1,000 carts/s, written to {single.out}"
    )
    totals = single.summary.totals()
    now, new = totals["now"], totals["new"]

    def money(minor: int) -> str:
        return format_money(from_minor(minor, "CNY"))

    assert lines[1] == (
        f"  now: 2,000 of 2,000 priced; revenue {money(now['revenue'])}; "
        f"discount {money(now['discount'])} ({now['discount_rate'] * 100:.2f}% of list prices)"
    )
    delta = new["revenue"] - now["revenue"]
    sign = "-" if delta < 0 else "+"
    assert lines[2].startswith(
        f"  new: 2,000 of 2,000 priced; revenue {money(new['revenue'])} "
        f"({sign}{money(abs(delta))} vs now); discount {money(new['discount'])}"
    )
    assert lines[3] == "Skipped rows: 0"
    assert len(lines) == 4


def test_final_summary_counts_skipped_rows(files: dict[str, Path]) -> None:
    rows = list(synthetic_history(load_rule_set(EXAMPLE), 30, seed=5))
    rows[6]["lines"] = ""
    rows[20]["at"] = "2026-10-02T10:00:00"
    history = write_history(rows, files["root"] / "skips.parquet", row_group_rows=10)
    whatif = run_whatif(history, [EXAMPLE], files["root"] / "skips-out.parquet", skip_bad=True)
    text = final_summary(whatif)
    assert "What-if: 28 carts under 1 rule set, written to " in text
    assert "  01-stacked-cart: 28 of 28 priced; revenue ¥" in text
    assert text.splitlines()[-1].startswith("Skipped rows: 2 (first: row 7: lines=")
