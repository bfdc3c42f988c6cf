"""What-if: re-pricing a history of carts, on one core, two cores, Dask, and at scale.

The rules are W1's (``benchmarks/_quote_w1.py``): the 200-product W1 catalogue,
offers (a) 10 % off apparel, (c) buy 2 get 1 on snacks, (b) 满300减30, coupon
SAVE50 and the by-weight freight template, written as a rules file
(``currency``, ``catalog``, ``promotions``, ``coupons``, ``freight_templates``)
from scenario ``exclusive``. The history is made here, seeded: 20-line W1
baskets (20 distinct products, 1 to 5 units each, as ``gen_workloads.py``
makes W1's), shipped to 440305 (Shenzhen, as in W1), at times spread over
November 2026, bought by guests, **with no coupons held**, so that the batch
engine and a quote loop do the same work (no best-coupon search on either).

1. *One core.* 2,000 carts in 4 row groups. The peer is a loop over
   the parsed carts that builds each cart's context with ``RuleSet.context``
   and calls :func:`mallcore.pricing.quote` (a second row adds
   ``quote.to_dict()``: information). The subjects are :func:`result_rows`
   over the same parsed carts (the batch engine) and
   ``run_whatif(workers=1)`` end to end: validating the rules file, reading
   and parsing the Parquet history, pricing, writing the Parquet result.
   Target for each: at least 1.0x the loop's carts per second. All of them
   run interleaved, ``SPEED_REPEATS`` (5) times; the table shows the median.
2. *Two cores.* 20,000 carts in 40 row groups of 500: ``run_whatif`` wall
   time end to end with ``workers=2`` (a spawned process pool, started and
   stopped inside the timing) against ``workers=1``, interleaved, 3 runs each.
   Target: at least 1.7x. Before each pair, :func:`parallel_capacity` measures
   how much of two cores the machine gives right now (a shared VM may give
   much less than 2.00), and ``workers=2`` on a 2-cart history measures what
   a 2-worker run costs besides its carts (spawn, imports, rule set builds,
   first-call costs, shutdown); both are printed as notes.
3. *Dask.* The same 20,000 carts through
   :func:`mallcore.whatif.dask.dask_parts` (a ``LocalCluster`` of 2 worker
   processes), timed with the cluster's start and stop included and without
   them, against the process pool: information, no target. If
   ``mallcore.whatif.dask`` cannot be imported the row says so.
4. *Scale and memory.* Synthetic orders (:func:`synthetic_history`: 1 to 5
   lines, members with tiers and points, some holding coupons, so the
   best-coupon search runs) in row groups of 10,000, priced under two rule
   sets (W1 and ``rich_scenario``'s ten promotions and five coupons, both
   with a two-tier membership programme) with ``workers=2``. Each size runs
   ``run_whatif`` in a child process of its own
   (``python -m benchmarks.bench_whatif memory ...``); the child reports the
   wall time of ``run_whatif`` and the peak RSS of its main process
   (``RUSAGE_SELF``) and of its largest worker (``RUSAGE_CHILDREN``, read
   after the pool is joined), and the parent samples the sum of the RSS of
   the child and its workers every 0.1 s with psutil (when installed).
   Sizes: 100,000 and 200,000 orders; ``BENCH_WHATIF_FULL=1`` adds
   1,000,000 (564 s on the 2-core VM on 2026-12-04).

Every result is checked: before timing, the batch engine's and
``run_whatif``'s totals equal the loop's, cart by cart; after the two-core
runs, the ``workers=1``, ``workers=2`` and Dask output files hold the same
table. ``--quick`` uses tiny sizes (about 20 seconds; the numbers are noise).

``python -m benchmarks.bench_whatif profile`` prints a cProfile of
``result_rows`` over the one-core carts (cumulative and own time).
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from benchmarks._harness import Target, Timing, Workload
from benchmarks._quote_w1 import SHIP_TO, load_peer_data, rich_scenario, w1_scenario

ROOT = Path(__file__).resolve().parent.parent
SUBJECT_RR = "mallcore result_rows (batch engine)"
SUBJECT_RUN1 = "mallcore run_whatif(workers=1): Parquet in, Parquet out"
LOOP = "loop: RuleSet.context + quote()"
LOOP_DICT = "loop: RuleSet.context + quote() + to_dict()"
POOL1 = "run_whatif(workers=1)"
POOL2 = "run_whatif(workers=2), process pool"
DASK_START = "run_whatif on Dask LocalCluster(2), cluster start and stop included"
DASK_UP = "run_whatif on Dask LocalCluster(2), cluster already up"
SYNTH = "run_whatif(workers=2), 2 rule sets"

LINES = 20
#: (carts, rows per row group) of the one-core and the two-core workloads.
SPEED, QUICK_SPEED = (2_000, 500), (60, 30)
SCALE, QUICK_SCALE = (20_000, 500), (400, 100)
SPEED_REPEATS, SCALE_REPEATS = 5, 3
#: Synthetic orders per memory run, and rows per row group.
MEMORY_SIZES, FULL_SIZES, QUICK_SIZES = (
    (100_000, 200_000),
    (100_000, 200_000, 1_000_000),
    (1_000, 2_000),
)
MEMORY_GROUP, QUICK_MEMORY_GROUP = 10_000, 500
#: Additions in one pure-Python burn of the two-core capacity probe (about 0.5 s alone).
BURN = 5_000_000
#: Peak RSS may grow by this much from the smallest to the largest history and count as flat.
FLAT = 1.10

SHANGHAI = timezone(timedelta(hours=8))
MEMBERSHIP = {
    "tiers": [{"id": "member", "min_growth": 0}, {"id": "gold", "min_growth": 1000, "rate": "95"}],
    "points": {
        "points_per_unit": 100,
        "max_points_per_order": 2000,
        "max_ratio": "50",
        "earn_rate": "1",
    },
}
RULE_KEYS = ("currency", "catalog", "promotions", "coupons", "freight_templates")


# --------------------------------------------------------------------------- inputs


def write_rules(directory: Path) -> dict[str, Path]:
    """The rules files: W1 as it is, and W1 and the rich rules with a membership programme."""
    _, products, _ = load_peer_data()
    w1 = {key: w1_scenario(products, "exclusive")[key] for key in RULE_KEYS}
    rich = {key: rich_scenario(products)[0][key] for key in RULE_KEYS}
    files = {
        "w1": w1,
        "w1m": w1 | {"membership": MEMBERSHIP},
        "rich": rich | {"membership": MEMBERSHIP},
    }
    paths = {}
    for name, data in files.items():
        path = directory / f"{name}.rules.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths[name] = path
    return paths


def w1_rows(carts: int, *, seed: int) -> Iterator[dict[str, str]]:
    """Seeded history rows of 20-line W1 baskets: no coupons, no points, guests, ship to 440305."""
    _, products, _ = load_peer_data()
    skus = [product["skus"][0]["sku"] for product in products]
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    for index in range(carts):
        at = start + timedelta(minutes=rng.randrange(30 * 24 * 60))
        lines = ";".join(f"{sku}:{rng.randint(1, 5)}" for sku in rng.sample(skus, LINES))
        yield {
            "cart_id": f"W1-{seed}-{index:07d}",
            "at": at.isoformat(),
            "customer_id": "guest",
            "tier": "",
            "points": "0",
            "ship_to": SHIP_TO,
            "lines": lines,
            "coupons": "",
            "points_request": "",
        }


def _median(samples: list[float]) -> Timing:
    return Timing(statistics.median(samples), min(samples))


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _table(path: Path) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


# --------------------------------------------------------------------------- one core


def _loops(rules: Any, carts: list[Any]) -> tuple[Callable[[], list[int]], Callable[[], None]]:
    from mallcore.pricing import quote

    def loop() -> list[int]:
        # Keeps each total, not the quotes: holding 2,000 quotes would slow the loop's GC.
        return [
            quote(
                cart.cart,
                rules.context(
                    at=cart.at, customer=cart.customer, ship_to=cart.ship_to, held=cart.held
                ),
            ).total_minor
            for cart in carts
        ]

    def loop_dict() -> None:
        for cart in carts:
            context = rules.context(
                at=cart.at, customer=cart.customer, ship_to=cart.ship_to, held=cart.held
            )
            quote(cart.cart, context).to_dict()

    return loop, loop_dict


def _one_core(tmp: Path, rules_path: Path, quick: bool) -> list[Workload]:
    from mallcore.pricing import load_rule_set
    from mallcore.whatif import HistoryReader, result_rows, run_whatif, write_history

    carts_n, group = QUICK_SPEED if quick else SPEED
    repeats = 2 if quick else SPEED_REPEATS
    history = write_history(w1_rows(carts_n, seed=1), tmp / "speed.parquet", row_group_rows=group)
    rules = load_rule_set(rules_path)
    carts = list(HistoryReader(history))
    assert len(carts) == carts_n and all(len(c.cart.lines) == LINES and not c.held for c in carts)
    loop, loop_dict = _loops(rules, carts)
    out = tmp / "speed-out.parquet"

    # Checked before timing: the batch engine and run_whatif price every cart as the loop does.
    want = loop()
    rows = result_rows(carts, [rules])
    assert all(row["w1.ok"] for row in rows)
    assert [row["w1.total"] for row in rows] == want
    run_whatif(history, [rules_path], out, workers=1)
    assert _table(out).column("w1.total").to_pylist() == want

    samples: dict[str, list[float]] = {SUBJECT_RR: [], SUBJECT_RUN1: [], LOOP: [], LOOP_DICT: []}
    ops: dict[str, Callable[[], object]] = {
        LOOP: loop,
        SUBJECT_RR: lambda: result_rows(carts, [rules]),
        SUBJECT_RUN1: lambda: run_whatif(history, [rules_path], out, workers=1),
        LOOP_DICT: loop_dict,
    }
    for _ in range(repeats):
        for impl, op in ops.items():
            samples[impl].append(_timed(op) / carts_n)
    timings = {impl: _median(per_cart) for impl, per_cart in samples.items()}
    what = f"{carts_n:,} 20-line W1 carts ({carts_n // group} row groups), 1 core"
    batch = Workload(name=f"what-if: batch engine, {what}", subject=SUBJECT_RR)
    batch.timings = {SUBJECT_RR: timings[SUBJECT_RR], LOOP: timings[LOOP]}
    batch.timings[LOOP_DICT] = timings[LOOP_DICT]
    batch.targets.append(Target(peer=LOOP, at_least=1.0))
    batch.notes.append(
        "ops/s = carts per second on one core; the history holds no coupons, so neither side "
        "searches for the best coupons; totals checked equal to the loop's, cart by cart; "
        f"the to_dict() loop is information only; {repeats} interleaved runs, median"
    )
    end_to_end = Workload(name=f"what-if: run_whatif end to end, {what}", subject=SUBJECT_RUN1)
    end_to_end.timings = {SUBJECT_RUN1: timings[SUBJECT_RUN1], LOOP: timings[LOOP]}
    end_to_end.targets.append(Target(peer=LOOP, at_least=1.0))
    end_to_end.notes.append(
        "run_whatif also validates the rules file, reads and parses the Parquet history and "
        "writes the Parquet result; the loop starts from the parsed carts"
    )
    return [batch, end_to_end]


# --------------------------------------------------------------------------- two cores, Dask


def _dask_parts() -> tuple[Callable[..., Any] | None, str]:
    try:
        from mallcore.whatif.dask import dask_parts
    except ImportError:
        return None, "skipped: mallcore.whatif.dask not available"
    return dask_parts, ""


def _burn(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def parallel_capacity(n: int = BURN) -> float:
    """How many cores' worth of pure Python two processes get right now (2.0: two free cores).

    One burn alone in a spawned worker, then one in each of two at once:
    ``2 × alone / slower of the pair``. A VM whose other tenants are busy gives less.
    """
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_burn, [n // 50, n // 50]))  # both workers up and warm
        alone = pool.submit(_burn, n).result()
        pair = max(pool.map(_burn, [n, n]))
    return 2 * alone / pair


def _two_cores(tmp: Path, rules_path: Path, quick: bool) -> list[Workload]:
    from mallcore.whatif import write_history

    carts_n, group = QUICK_SCALE if quick else SCALE
    repeats = 1 if quick else SCALE_REPEATS
    history = write_history(w1_rows(carts_n, seed=2), tmp / "scale.parquet", row_group_rows=group)
    rules = [rules_path]
    dask_parts, skipped = _dask_parts()
    outs = {POOL1: tmp / "pool1.parquet", POOL2: tmp / "pool2.parquet"}
    outs[DASK_START] = tmp / "dask.parquet"
    samples: dict[str, list[float]] = {POOL1: [], POOL2: [], DASK_START: [], DASK_UP: []}
    dask_error = ""
    load = os.getloadavg()[0]
    burn = BURN // 5 if quick else BURN
    # A 2-cart history in 2 row groups: what a 2-worker run costs besides its carts.
    tiny = write_history(w1_rows(2, seed=3), tmp / "tiny.parquet", row_group_rows=1)
    capacity: list[float] = []
    startups: list[float] = []
    for _ in range(repeats):
        capacity.append(parallel_capacity(burn))
        startups.append(_timed(lambda: _run(tiny, rules, tmp / "tiny-out.parquet", workers=2)))
        samples[POOL1].append(_timed(lambda: _run(history, rules, outs[POOL1], workers=1)))
        samples[POOL2].append(_timed(lambda: _run(history, rules, outs[POOL2], workers=2)))
        if dask_parts is None or dask_error:
            continue
        try:
            started, up = _dask_run(dask_parts, history, rules, outs[DASK_START])
        except Exception as error:  # reported in the table, the rest still runs
            dask_error = f"skipped: the Dask run failed: {type(error).__name__}: {error}"
            continue
        samples[DASK_START].append(started)
        samples[DASK_UP].append(up)
    capacity.append(parallel_capacity(burn))
    reference = _table(outs[POOL1])
    assert reference.num_rows == carts_n and all(reference.column("w1.ok").to_pylist())
    assert _table(outs[POOL2]).equals(reference), "workers=2 wrote a different table"
    per_cart = {impl: [s / carts_n for s in runs] for impl, runs in samples.items() if runs}
    cores = os.cpu_count() or 1

    scale = Workload(
        name=f"what-if: {carts_n:,} 20-line W1 carts in {carts_n // group} row groups, "
        "2 workers vs 1, wall time",
        subject=POOL2,
    )
    scale.timings = {POOL2: _median(per_cart[POOL2]), POOL1: _median(per_cart[POOL1])}
    scale.targets.append(Target(peer=POOL1, at_least=1.7))
    runs = "; ".join(
        f"{impl}: " + ", ".join(f"{s:.2f} s" for s in samples[impl]) for impl in (POOL1, POOL2)
    )
    scale.notes.append(
        f"{cores} cores; wall time of run_whatif end to end, the pool's start-up included; "
        f"output tables checked equal; {repeats} interleaved runs ({runs})"
    )
    startup = statistics.median(startups)
    one, two = scale.timings[POOL1].median_s, scale.timings[POOL2].median_s
    work = two - startup / carts_n
    net = (
        f"without that, 2 workers would be {one / work:.2f}x faster than 1"
        if work > two / 5
        else "that is most of the 2-worker run at this size"
    )
    scale.notes.append(
        f"run_whatif(workers=2) on a 2-cart history (2 row groups) takes {startup:.2f} s "
        f"(median): the pool's spawn, imports, rule set builds, first-call costs and shutdown; "
        + net
    )
    scale.notes.append(
        "two-core capacity of the machine before each pair of runs and after the last (a "
        "pure-Python burn in 2 processes at once against 1 alone; 2.00: two free cores): "
        + ", ".join(f"{c:.2f}x" for c in capacity)
        + f"; 1-minute load average {load:.2f} before the runs"
    )

    dask = Workload(name=f"what-if: Dask vs process pool, {carts_n:,} W1 carts", subject=POOL2)
    dask.timings = {POOL2: scale.timings[POOL2]}
    if skipped or dask_error:
        dask.notes.append(skipped or dask_error)
        return [scale, dask]
    assert _table(outs[DASK_START]).equals(reference), "Dask wrote a different table"
    dask.timings[DASK_START] = _median(per_cart[DASK_START])
    dask.timings[DASK_UP] = _median(per_cart[DASK_UP])
    dask.notes.append(
        "information, no target: the Dask overhead against the process pool (1 thread per "
        "worker process); output table checked equal to the process pool's"
    )
    return [scale, dask]


def _run(history: Path, rules: list[Path], out: Path, **options: Any) -> Any:
    from mallcore.whatif import run_whatif

    return run_whatif(history, rules, out, **options)


def _dask_run(
    dask_parts: Callable[..., Any], history: Path, rules: list[Path], out: Path
) -> tuple[float, float]:
    """Seconds with the cluster's start and stop, and without them."""
    gc.collect()
    start = time.perf_counter()
    with dask_parts(workers=2) as map_parts:
        up = time.perf_counter()
        _run(history, rules, out, map_parts=map_parts)
        done = time.perf_counter()
    return time.perf_counter() - start, done - up


# --------------------------------------------------------------------------- scale and memory


def _memory_child(history: str, out: str, rules: list[str], workers: int) -> None:
    """In the child process: run the what-if, print wall time and peak RSS as JSON."""
    import resource

    from mallcore.whatif import run_whatif

    start = time.perf_counter()
    result = run_whatif(history, rules, out, workers=workers)
    wall = time.perf_counter() - start
    report = {
        "wall_s": wall,
        "carts": result.carts,
        "main_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "worker_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    print(json.dumps(report), flush=True)


def _sample_tree(pid: int, stop: threading.Event, peak: list[int]) -> None:
    try:
        import psutil
    except ImportError:
        return
    try:
        parent = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        total = 0
        try:
            processes = [parent, *parent.children(recursive=True)]
        except psutil.Error:
            break
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
        peak[0] = max(peak[0], total)
        stop.wait(0.1)


def _memory_run(history: Path, out: Path, rules: list[Path], workers: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.bench_whatif", "memory", str(history), str(out)]
    command += [str(workers), *map(str, rules)]
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=_sample_tree, args=(child.pid, stop, peak), daemon=True)
    sampler.start()
    stdout, _ = child.communicate()
    stop.set()
    sampler.join()
    if child.returncode != 0:
        raise AssertionError(f"the what-if child failed with status {child.returncode}")
    report: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    report["tree_bytes"] = peak[0]
    return report


def _mb(kb: float) -> str:
    return f"{kb / 1024:,.0f} MB"


def _scale(tmp: Path, paths: dict[str, Path], quick: bool) -> list[Workload]:
    from mallcore.pricing import load_rule_set
    from mallcore.whatif import synthetic_history, write_history

    if quick:
        sizes, group = QUICK_SIZES, QUICK_MEMORY_GROUP
    else:
        full = os.environ.get("BENCH_WHATIF_FULL") == "1"
        sizes, group = (FULL_SIZES if full else MEMORY_SIZES), MEMORY_GROUP
    rules = [paths["w1m"], paths["rich"]]
    candidate = load_rule_set(paths["rich"])
    start = datetime(2026, 11, 1, tzinfo=UTC)
    workloads: list[Workload] = []
    reports: dict[int, dict[str, Any]] = {}
    for size in sizes:
        history = tmp / f"synthetic-{size}.parquet"
        rows = synthetic_history(candidate, size, seed=11, start=start, days=30)
        write_history(rows, history, row_group_rows=group)
        out = tmp / f"synthetic-{size}-out.parquet"
        report = _memory_run(history, out, rules, workers=2)
        assert report["carts"] == size, report
        reports[size] = report
        history.unlink()
        out.unlink()
        wall = report["wall_s"]
        workload = Workload(
            name=f"what-if: {size:,} synthetic orders, 2 rule sets, 2 workers ({size // group} "
            "row groups)",
            subject=SYNTH,
        )
        workload.timings[SYNTH] = Timing(wall / size, wall / size)
        tree = report["tree_bytes"]
        workload.notes.append(
            f"wall time {wall:.1f} s; peak RSS: main process {_mb(report['main_kb'])}, largest "
            f"worker {_mb(report['worker_kb'])}"
            + (f", child and workers together (sampled) {_mb(tree / 1024)}" if tree else "")
        )
        workloads.append(workload)
    small, large = reports[sizes[0]], reports[sizes[-1]]
    labels = {"main_kb": "main process", "worker_kb": "largest worker", "tree_bytes": "together"}
    growth = {
        label: large[key] / small[key] for key, label in labels.items() if small[key] and large[key]
    }
    flat = all(value <= FLAT for value in growth.values())
    workloads[-1].notes.append(
        f"peak RSS from {sizes[0]:,} to {sizes[-1]:,} orders: "
        + ", ".join(f"{label} x{value:.2f}" for label, value in growth.items())
        + (" (flat)" if flat else f" (NOT flat: more than x{FLAT:.2f})")
    )
    if not quick and sizes[-1] < FULL_SIZES[-1]:
        workloads[-1].notes.append("BENCH_WHATIF_FULL=1 adds a 1,000,000-order run")
    return workloads


# --------------------------------------------------------------------------- entry points


def run(quick: bool) -> list[Workload]:
    """One core, two cores, Dask, then scale and memory; *quick*: tiny sizes."""
    with tempfile.TemporaryDirectory(prefix="mallcore-bench-whatif-") as name:
        tmp = Path(name)
        paths = write_rules(tmp)
        workloads = _one_core(tmp, paths["w1"], quick)
        workloads += _two_cores(tmp, paths["w1"], quick)
        workloads += _scale(tmp, paths, quick)
    return workloads


def profile(carts_n: int = SPEED[0], top: int = 25) -> None:
    """Print a cProfile of ``result_rows`` over *carts_n* 20-line W1 carts."""
    import cProfile
    import pstats

    from mallcore.pricing import load_rule_set
    from mallcore.whatif import HistoryReader, result_rows, write_history

    with tempfile.TemporaryDirectory(prefix="mallcore-bench-whatif-") as name:
        tmp = Path(name)
        rules = load_rule_set(write_rules(tmp)["w1"])
        history = write_history(w1_rows(carts_n, seed=1), tmp / "profile.parquet")
        carts = list(HistoryReader(history))
    result_rows(carts[:50], [rules])  # warm-up
    profiler = cProfile.Profile()
    profiler.enable()
    result_rows(carts, [rules])
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str]) -> int:
    if argv[:1] == ["memory"]:
        history, out, workers, *rules = argv[1:]
        _memory_child(history, out, rules, int(workers))
        return 0
    if argv[:1] == ["profile"]:
        profile(*(int(arg) for arg in argv[1:2]))
        return 0
    print("usage: python -m benchmarks.bench_whatif memory|profile ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
