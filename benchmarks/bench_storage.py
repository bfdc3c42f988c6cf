"""Storage: one-unit reservations per second with 1, 4 and 8 processes racing for one SKU.

For each backend and each process count *N*, one SKU is stocked with
``S = N × attempts × 3/4`` units; *N* processes (``multiprocessing`` "spawn")
each open their own connection and warm up with ten reservations of another
SKU (untimed), wait at one barrier and then try ``attempts`` one-unit
reservations with distinct ids, so the stock runs out about three quarters of
the way through and the sold-out path runs too. The
wall time runs from the first process leaving the barrier to the last one
finishing (``time.time()`` stamps sent back through a queue); one op is one
attempt, successful or refused, so ops/s is attempts per second.

After every run the benchmark **asserts zero oversell** and fails loudly
otherwise: exactly ``S`` attempts succeeded, every other one was refused as
sold out, and the level shows ``reserved == S`` and ``available == 0`` (for
mallcore SQL, also one reservation row per success; for Redis, a counter at
0 and one recorded take per success).

- SQLite (a file in a temporary directory, WAL): mallcore's
  ``SqlInventoryStore.reserve`` (a ``BEGIN IMMEDIATE`` transaction: the
  conditional ``UPDATE ... RETURNING``, guarded against a reused id, and the
  insert of the reservation), against a
  plain ``sqlite3`` loop of ``BEGIN IMMEDIATE``, the conditional ``UPDATE``
  and ``COMMIT`` with the same pragmas: information, no target.
- PostgreSQL (a database ``mallcore_bench_<random>`` created for the run and
  dropped after it): the same store call (one statement in autocommit: the
  conditional ``UPDATE`` feeds the ``INSERT`` in a CTE), against the limit: a psycopg 3
  loop of the bare conditional ``UPDATE`` in autocommit, one statement per
  attempt. Target: mallcore within 2x of it at every *N*.
- Redis (keys under a prefix of the run's own, deleted after it):
  ``FlashSaleCounters.take`` (one Lua script), against a bare redis-py Lua
  script that decrements a counter if it is at least 1: information.

``MALLCORE_PG_DSN`` and ``MALLCORE_REDIS_URL`` name the servers (defaults
``postgresql://postgres@127.0.0.1:5432/test`` and
``redis://127.0.0.1:6379/0``); a backend whose server does not answer is
skipped with a note. Each *N* has one pool of worker processes, reused for
every run at that *N*; every implementation runs ``REPEATS`` (5) times with
``ATTEMPTS`` (300) attempts per process, the runs interleaved, and the table
shows the median run; ``--quick`` runs once with 40.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._harness import Target, Timing, Workload

PG_DSN = os.environ.get("MALLCORE_PG_DSN") or "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("MALLCORE_REDIS_URL") or "redis://127.0.0.1:6379/0"
PROCESSES = (1, 4, 8)
#: Attempts per process, and runs of each implementation at each process count.
ATTEMPTS, REPEATS = 300, 5
QUICK_ATTEMPTS, QUICK_REPEATS = 40, 1
#: The warm-up SKU (WARMUPS untimed reservations per process and run) and its stock.
WARM, WARM_STOCK, WARMUPS = "WARM", 10**6, 10
BARRIER_TIMEOUT_S = 180.0

SPAWN = multiprocessing.get_context("spawn")

# The implementations, as the table names them.
MALLCORE_SQL = "mallcore SqlInventoryStore.reserve"
PLAIN_SQLITE = "plain sqlite3: BEGIN IMMEDIATE; UPDATE ... WHERE on_hand - reserved >= 1; COMMIT"
PLAIN_PG = "plain psycopg: UPDATE ... WHERE on_hand - reserved >= 1, autocommit (limit)"
MALLCORE_REDIS = "mallcore FlashSaleCounters.take"
PLAIN_REDIS = "bare redis-py Lua: DECR if the counter >= 1"

PLAIN_TABLE = "bench_plain"
PLAIN_UPDATE = (
    f"UPDATE {PLAIN_TABLE} SET reserved = reserved + 1 WHERE sku_id = {{}} "
    "AND on_hand - reserved >= 1"
)
PLAIN_CREATE = (
    f"CREATE TABLE {PLAIN_TABLE} (sku_id VARCHAR(200) PRIMARY KEY, "
    "on_hand BIGINT NOT NULL, reserved BIGINT NOT NULL, "
    "CHECK (reserved >= 0 AND reserved <= on_hand))"
)
PLAIN_LUA = """
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left < 1 then
  return -1
end
return redis.call('DECR', KEYS[1])
"""
SALE = "bench"


# --------------------------------------------------------------------------- the workers
# Spawned processes import this module by name, so everything they run is top level.


@dataclass(frozen=True)
class Job:
    """One worker's part of one run."""

    impl: str
    target: str  # a SQLite path, a PostgreSQL DSN or a Redis URL
    sku: str
    tag: str  # makes the run's reservation ids distinct from every other run's
    worker: int
    attempts: int
    prefix: str = ""  # Redis key prefix


@dataclass(frozen=True)
class Report:
    """What one worker did: its own start and end stamps, successes and refusals."""

    worker: int
    start: float
    end: float
    won: int
    refused: int
    errors: tuple[str, ...]


Op = Callable[[int], bool]  # attempt number -> reserved (True) or sold out (False)


def _expires() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


def _mallcore_sql(job: Job) -> tuple[Op, Callable[[], None]]:
    from mallcore.adapters.sql import SqlDatabase
    from mallcore.errors import InsufficientStockError

    database = SqlDatabase.open(job.target, upgrade=False)
    reserve, expires, sku = database.inventory.reserve, _expires(), job.sku
    prefix = f"{job.tag}-{job.worker}-"
    for j in range(WARMUPS):
        reserve(f"warm-{prefix}{j}", {WARM: 1}, expires)

    def op(i: int) -> bool:
        try:
            reserve(f"{prefix}{i}", {sku: 1}, expires)
        except InsufficientStockError:
            return False
        return True

    return op, database.close


def _plain_sqlite(job: Job) -> tuple[Op, Callable[[], None]]:
    conn = sqlite3.connect(job.target, timeout=30, isolation_level=None)
    for pragma in ("busy_timeout = 30000", "journal_mode = WAL", "synchronous = NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    execute, update = conn.execute, PLAIN_UPDATE.format("?")
    sku = (job.sku,)

    def op(_i: int, sku: tuple[str] = sku) -> bool:
        execute("BEGIN IMMEDIATE")
        won = execute(update, sku).rowcount == 1
        execute("COMMIT")
        return won

    for j in range(WARMUPS):
        op(j, (WARM,))
    return op, conn.close


def _plain_pg(job: Job) -> tuple[Op, Callable[[], None]]:
    import psycopg

    conn = psycopg.connect(job.target, autocommit=True)
    cursor = conn.cursor()
    execute, update = cursor.execute, PLAIN_UPDATE.format("%s")
    sku = (job.sku,)

    def op(_i: int, sku: tuple[str] = sku) -> bool:
        return execute(update, sku).rowcount == 1

    for j in range(WARMUPS):
        op(j, (WARM,))
    return op, conn.close


def _mallcore_redis(job: Job) -> tuple[Op, Callable[[], None]]:
    from mallcore.adapters.redis import FlashSaleCounters
    from mallcore.errors import InsufficientStockError

    counters = FlashSaleCounters(job.target, prefix=job.prefix)
    take, sku = counters.take, job.sku
    prefix = f"{job.tag}-{job.worker}-"
    for j in range(WARMUPS):
        take(SALE, WARM, f"c-warm-{prefix}{j}", 1, order_ref=f"warm-{prefix}{j}")

    def op(i: int) -> bool:
        try:
            take(SALE, sku, f"c-{prefix}{i}", 1, order_ref=f"{prefix}{i}")
        except InsufficientStockError:
            return False
        return True

    return op, counters.close


def _plain_redis(job: Job) -> tuple[Op, Callable[[], None]]:
    import redis

    client = redis.Redis.from_url(job.target)
    script = client.register_script(PLAIN_LUA)
    keys = [f"{job.prefix}:plain:{job.sku}"]

    def op(_i: int, keys: list[str] = keys) -> bool:
        return int(script(keys=keys)) >= 0

    for j in range(WARMUPS):
        op(j, [f"{job.prefix}:plain:{WARM}"])
    return op, client.close


PREPARE: dict[str, Callable[[Job], tuple[Op, Callable[[], None]]]] = {
    MALLCORE_SQL: _mallcore_sql,
    PLAIN_SQLITE: _plain_sqlite,
    PLAIN_PG: _plain_pg,
    MALLCORE_REDIS: _mallcore_redis,
    PLAIN_REDIS: _plain_redis,
}


def serve(tasks: Any, results: Any, barrier: Any) -> None:
    """A worker process: run jobs from *tasks* until ``None``; one report per job."""
    while (job := tasks.get()) is not None:
        try:
            op, close = PREPARE[job.impl](job)  # connect and warm up: not timed
        except Exception as error:
            barrier.abort()  # the others stop waiting; the parent fails the run
            results.put(Report(job.worker, 0.0, 0.0, 0, 0, (f"setup: {error!r}",)))
            continue
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT_S)
        except threading.BrokenBarrierError:
            close()
            results.put(Report(job.worker, 0.0, 0.0, 0, 0, ("the barrier broke",)))
            continue
        start = time.time()
        won = refused = 0
        errors: list[str] = []
        for i in range(job.attempts):
            try:
                if op(i):
                    won += 1
                else:
                    refused += 1
            except Exception as error:  # reported; the parent fails the run
                errors.append(repr(error))
        end = time.time()
        close()
        results.put(Report(job.worker, start, end, won, refused, tuple(errors[:3])))


class Pool:
    """*n* spawned worker processes, released together by one barrier for every run."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.tasks, self.results, self.barrier = SPAWN.Queue(), SPAWN.Queue(), SPAWN.Barrier(n)
        self.processes = [
            SPAWN.Process(target=serve, args=(self.tasks, self.results, self.barrier), daemon=True)
            for _ in range(n)
        ]
        for process in self.processes:
            process.start()

    def run(self, impl: str, target: str, sku: str, tag: str, attempts: int, prefix: str) -> Run:
        for worker in range(self.n):
            self.tasks.put(Job(impl, target, sku, tag, worker, attempts, prefix))
        reports: list[Report] = []
        deadline = time.monotonic() + 600
        while len(reports) < self.n:
            try:
                reports.append(self.results.get(timeout=1))
            except queue.Empty:
                dead = [p.pid for p in self.processes if not p.is_alive()]
                if dead or time.monotonic() > deadline:
                    msg = f"{impl} on {sku}: worker processes {dead or 'hung'}, no report"
                    raise AssertionError(msg) from None
        errors = [f"worker {r.worker}: {e}" for r in reports for e in r.errors]
        if errors:
            msg = f"{impl} on {sku}: " + "; ".join(errors[:5])
            raise AssertionError(msg)
        wall = max(r.end for r in reports) - min(r.start for r in reports)
        won = sum(r.won for r in reports)
        refused = sum(r.refused for r in reports)
        return Run(impl, self.n * attempts, won, refused, wall)

    def close(self) -> None:
        for _ in self.processes:
            self.tasks.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():  # pragma: no cover - a hung worker
                process.terminate()


@dataclass(frozen=True)
class Run:
    """One run: attempts made by all processes, successes, refusals, wall seconds."""

    impl: str
    attempts: int
    won: int
    refused: int
    wall_s: float

    @property
    def per_s(self) -> float:
        return self.attempts / self.wall_s


def _check_counts(run: Run, stock: int, sku: str) -> None:
    """Exactly min(stock, attempts) successes; every other attempt refused, none lost."""
    want = min(stock, run.attempts)
    if run.won != want or run.won + run.refused != run.attempts:
        msg = (
            f"OVERSELL CHECK FAILED: {run.impl} on {sku}: {run.won} reserved and "
            f"{run.refused} refused of {run.attempts} attempts with {stock} units in stock "
            f"(want exactly {want} reserved)"
        )
        raise AssertionError(msg)


def _check_level(run: Run, sku: str, stock: int, on_hand: int, reserved: int) -> None:
    available = on_hand - reserved
    if (on_hand, reserved, available) != (stock, run.won, stock - run.won) or available < 0:
        msg = (
            f"OVERSELL CHECK FAILED: {run.impl} on {sku}: the level is on_hand={on_hand}, "
            f"reserved={reserved}, available={available} after {run.won} reservations of "
            f"{stock} units"
        )
        raise AssertionError(msg)


# --------------------------------------------------------------------------- the backends


@dataclass
class Backend:
    """One database or Redis: how to stock a SKU before a run and check it after."""

    name: str
    impls: tuple[str, ...]
    targets: dict[str, str]  # impl -> the path, DSN or URL its workers open
    prefix: str = ""
    stock: Callable[[str, str, int], None] = field(default=lambda impl, sku, n: None)
    check: Callable[[Run, str, str, int], None] = field(default=lambda run, sku, tag, n: None)


@contextmanager
def _sql_backend(name: str, target: str, plain: str, plain_target: str) -> Iterator[Backend]:
    """Migrate the database at *target*, add the plain loop's table; yield the backend."""
    import sqlalchemy as sa

    from mallcore.adapters.sql import SqlDatabase
    from mallcore.adapters.sql._schema import reservations

    database = SqlDatabase.open(target)
    try:
        database.inventory.set_stock(WARM, WARM_STOCK)
        with database.engine.begin() as conn:
            conn.exec_driver_sql(PLAIN_CREATE)
            conn.execute(
                sa.text(f"INSERT INTO {PLAIN_TABLE} VALUES (:sku, :n, 0)"),
                {"sku": WARM, "n": WARM_STOCK},
            )

        def stock(impl: str, sku: str, n: int) -> None:
            if impl == MALLCORE_SQL:
                database.inventory.set_stock(sku, n)
                return
            with database.engine.begin() as conn:
                conn.execute(
                    sa.text(f"INSERT INTO {PLAIN_TABLE} VALUES (:sku, :n, 0)"),
                    {"sku": sku, "n": n},
                )

        def check(run: Run, sku: str, tag: str, n: int) -> None:
            _check_counts(run, n, sku)
            if run.impl == MALLCORE_SQL:
                level = database.inventory.get(sku)
                assert level is not None
                _check_level(run, sku, n, level.on_hand, level.reserved)
                if level.available != n - run.won:
                    raise AssertionError(f"OVERSELL CHECK FAILED: {sku}: {level}")
                with database.engine.connect() as conn:
                    rows = conn.execute(
                        sa.select(sa.func.count()).where(reservations.c.id.like(f"{tag}-%"))
                    ).scalar_one()
                if rows != run.won:
                    msg = f"OVERSELL CHECK FAILED: {sku}: {rows} reservation rows, {run.won} won"
                    raise AssertionError(msg)
                return
            with database.engine.connect() as conn:
                on_hand, reserved = conn.execute(
                    sa.text(f"SELECT on_hand, reserved FROM {PLAIN_TABLE} WHERE sku_id = :sku"),
                    {"sku": sku},
                ).one()
            _check_level(run, sku, n, on_hand, reserved)

        targets = {MALLCORE_SQL: target, plain: plain_target}
        yield Backend(name, (MALLCORE_SQL, plain), targets, stock=stock, check=check)
    finally:
        database.close()


@contextmanager
def sqlite_backend() -> Iterator[Backend]:
    """A SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="mallcore-bench-") as tmp:
        path = str(Path(tmp) / "bench.sqlite")
        with _sql_backend("SQLite", path, PLAIN_SQLITE, path) as backend:
            yield backend


def _pg_unreachable() -> str | None:
    try:
        import psycopg
        import sqlalchemy  # noqa: F401 - SqlDatabase needs it
    except ImportError as error:
        return f"{error.name} is not installed (pip install 'mallcore[postgres]')"
    try:
        with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        return f"PostgreSQL at {_where(PG_DSN)} does not answer ({reason})"
    return None


@contextmanager
def pg_backend() -> Iterator[Backend]:
    """A database of the run's own on the server, created here and dropped after."""
    import psycopg
    import sqlalchemy as sa

    name = f"mallcore_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_DSN).set(database=name)
    try:
        dsn = url.render_as_string(hide_password=False)
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with _sql_backend("PostgreSQL", dsn, PLAIN_PG, plain) as backend:
            yield backend
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_unreachable() -> str | None:
    try:
        import redis
    except ImportError:
        return "redis is not installed (pip install 'mallcore[redis]')"
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as error:
        return f"Redis at {_where(REDIS_URL)} does not answer ({error})"
    return None


@contextmanager
def redis_backend() -> Iterator[Backend]:
    """Keys under a prefix of the run's own, deleted after it."""
    import redis

    from mallcore.adapters.redis import FlashSaleCounters

    prefix = f"mallcore_bench_{uuid.uuid4().hex[:12]}"
    client = redis.Redis.from_url(REDIS_URL)
    counters = FlashSaleCounters(client, prefix=prefix)
    ends = datetime.now(UTC) + timedelta(hours=1)
    try:
        counters.open_sale(SALE, WARM, WARM_STOCK, per_customer_limit=None, ends_at=ends)
        client.set(f"{prefix}:plain:{WARM}", WARM_STOCK)

        def stock(impl: str, sku: str, n: int) -> None:
            if impl == MALLCORE_REDIS:
                counters.open_sale(SALE, sku, n, per_customer_limit=None, ends_at=ends)
            else:
                client.set(f"{prefix}:plain:{sku}", n)

        def check(run: Run, sku: str, tag: str, n: int) -> None:
            _check_counts(run, n, sku)
            if run.impl == MALLCORE_REDIS:
                left = counters.remaining(SALE, sku)
                taken = sum(quantity for _, quantity in counters.taken(SALE, sku).values())
                _check_level(run, sku, n, n, n - left)
                if taken != run.won:
                    msg = f"OVERSELL CHECK FAILED: {sku}: {taken} takes recorded, {run.won} won"
                    raise AssertionError(msg)
            else:
                left = int(client.get(f"{prefix}:plain:{sku}") or -1)
                _check_level(run, sku, n, n, n - left)

        impls = (MALLCORE_REDIS, PLAIN_REDIS)
        targets = dict.fromkeys(impls, REDIS_URL)
        yield Backend("Redis", impls, targets, prefix, stock=stock, check=check)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        client.close()


def _where(url: str) -> str:
    """*url* without its user and password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or ''}{parts.path}"


# --------------------------------------------------------------------------- the workloads


def _name(backend: str, n: int) -> str:
    what = "flash-sale takes" if backend == "Redis" else "1-unit reservations"
    return f"storage {backend}: {what}, {n} process{'es' if n > 1 else ''} racing for 1 SKU"


def _workload(backend: Backend, n: int, runs: dict[str, list[Run]], attempts: int) -> Workload:
    subject = backend.impls[0]
    targets = [Target(peer=PLAIN_PG, at_least=0.5)] if backend.name == "PostgreSQL" else []
    workload = Workload(name=_name(backend.name, n), subject=subject, targets=targets)
    for impl in backend.impls:
        per_op = [run.wall_s / run.attempts for run in runs[impl]]
        workload.timings[impl] = Timing(statistics.median(per_op), min(per_op))
    first = runs[subject][0]
    rates = "; ".join(
        f"{impl.split(':')[0]}: " + ", ".join(f"{run.per_s:,.0f}" for run in runs[impl])
        for impl in backend.impls
    )
    workload.notes.append(
        f"{n} x {attempts} attempts on a stock of {first.won}: every run reserved exactly "
        f"{first.won} and refused {first.refused} as sold out; zero oversell asserted after "
        f"each of the {len(runs[subject])} runs per implementation (attempts/s per run: {rates})"
    )
    if backend.name != "PostgreSQL":
        workload.notes.append("no target: the plain loop is shown for information")
    return workload


def _skipped(backend: str, reason: str) -> Workload:
    workload = Workload(name=f"storage {backend}", subject=MALLCORE_SQL)
    workload.notes.append(f"skipped: {reason}")
    return workload


def run(quick: bool) -> list[Workload]:
    """Race 1, 4 and 8 processes on each reachable backend; *quick*: 40 attempts, one run."""
    attempts, repeats = (QUICK_ATTEMPTS, QUICK_REPEATS) if quick else (ATTEMPTS, REPEATS)
    skipped: list[Workload] = []
    with ExitStack() as stack:
        backends = [stack.enter_context(sqlite_backend())]
        reason = _pg_unreachable()
        if reason is None:
            backends.append(stack.enter_context(pg_backend()))
        else:
            skipped.append(_skipped("PostgreSQL", reason))
        reason = _redis_unreachable()
        if reason is None:
            backends.append(stack.enter_context(redis_backend()))
        else:
            skipped.append(_skipped("Redis", reason))
        workloads: dict[tuple[str, int], Workload] = {}
        for n in PROCESSES:
            pool = Pool(n)
            try:
                for backend in backends:
                    runs: dict[str, list[Run]] = {impl: [] for impl in backend.impls}
                    for repeat in range(repeats):
                        for k, impl in enumerate(backend.impls):
                            tag = f"n{n}-r{repeat}-i{k}"
                            sku, stock = f"SKU-{tag}", n * attempts * 3 // 4
                            backend.stock(impl, sku, stock)
                            target = backend.targets[impl]
                            result = pool.run(impl, target, sku, tag, attempts, backend.prefix)
                            backend.check(result, sku, tag, stock)
                            runs[impl].append(result)
                    workloads[backend.name, n] = _workload(backend, n, runs, attempts)
            finally:
                pool.close()
    order = [workloads[b.name, n] for b in backends for n in PROCESSES]
    return [*order, *skipped]
