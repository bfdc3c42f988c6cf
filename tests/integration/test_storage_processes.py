"""Concurrency and crashes with real processes, on SQLite and PostgreSQL.

Each test spawns worker processes (tests/integration/_storage_workers.py) that
open the same database and race; the parent then reads what is stored.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from _storage_workers import (
    AT,
    CRASH_ORDER,
    claim_coupons,
    member_with_points,
    pay,
    place_and_hang,
    reserve_last_units,
)

from mallcore.adapters.sql import SqlDatabase
from mallcore.ports import CouponBatch
from mallcore.testing.contracts import CONTRACT_TIERS, contract_order, contract_quote
from mallcore.usecases import cancel_due_orders

PROCESSES = 8
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database that worker processes open by path or DSN."""
    if request.param == "sqlite":
        path = tmp_path / "race.sqlite"
        SqlDatabase.open(path).close()
        yield str(path)
        return
    database = request.getfixturevalue("pg_database")
    yield database.engine.url.render_as_string(hide_password=False)


def _run(worker: Any, args_for: Any, n: int = PROCESSES) -> list[Any]:
    start, results = SPAWN.Barrier(n), SPAWN.Queue()
    processes = [
        SPAWN.Process(target=worker, args=(*args_for(i), start, results)) for i in range(n)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return reports


def test_eight_processes_reserving_the_last_100_units_get_exactly_100(target: str) -> None:
    with SqlDatabase.open(target) as database:
        database.inventory.set_stock("LAST", 100)
    reports = _run(reserve_last_units, lambda i: (target, i, 200))
    assert [other for *_, other in reports if other] == []
    assert sum(won for _, won, _, _ in reports) == 100
    assert sum(sold_out for _, _, sold_out, _ in reports) == PROCESSES * 200 - 100
    with SqlDatabase.open(target) as database:
        level = database.inventory.get("LAST")
        assert level is not None
        assert (level.on_hand, level.reserved, level.available) == (100, 100, 0)


def test_eight_processes_claiming_the_last_50_coupons_get_exactly_50(target: str) -> None:
    with SqlDatabase.open(target) as database:
        database.coupons.define(CouponBatch("LAST50", total_quantity=60))
        for n in range(10):
            database.coupons.claim("LAST50", f"early-{n}", code=f"E-{n}", at=AT)
    reports = _run(claim_coupons, lambda i: (target, i, 20))
    assert [other for *_, other in reports if other] == []
    assert sum(won for _, won, _, _ in reports) == 50
    with SqlDatabase.open(target) as database:
        assert database.coupons.claimed("LAST50") == 60


def test_two_processes_paying_one_order_pay_it_once(target: str) -> None:
    order = contract_order()
    with SqlDatabase.open(target, tiers=CONTRACT_TIERS) as database:
        database.inventory.set_stock("TEA-1", 10)
        database.inventory.set_stock("CUP-1", 10)
        database.inventory.reserve(order.number, {"TEA-1": 2, "CUP-1": 1}, AT + timedelta(hours=1))
        database.orders.add(order)
    reports = _run(pay, lambda i: (target, order.number, i), n=2)
    outcomes = sorted(outcome for _, outcome in reports)
    # One payment pays the order; the other lost the optimistic save, or (when it
    # read after the winner committed) was kept as a late payment to refund.
    assert outcomes in (["conflict", "paid"], ["late", "paid"])
    with SqlDatabase.open(target, tiers=CONTRACT_TIERS) as database:
        stored = database.orders.get(order.number)
        assert stored is not None and stored.state == "paid"
        assert len([p for p in stored.payments if not p.late]) == 1
        tea = database.inventory.get("TEA-1")
        assert tea is not None and (tea.on_hand, tea.reserved) == (8, 0)  # committed once


def _stock_and_coupon(target: str) -> None:
    with SqlDatabase.open(target, tiers=CONTRACT_TIERS) as database:
        database.inventory.set_stock("TEA-1", 10)
        database.inventory.set_stock("CUP-1", 10)
        database.coupons.define(CouponBatch("FIVE-OFF"))
        database.coupons.claim("FIVE-OFF", "c-1", code="SAVE-1", at=AT)
        database.members.add(member_with_points())


def _hang_and_kill(target: str, *, commit: bool) -> None:
    ready = SPAWN.Queue()
    process = SPAWN.Process(target=place_and_hang, args=(target, commit, ready))
    process.start()
    pid = ready.get(timeout=120)
    os.kill(pid, signal.SIGKILL)
    process.join(timeout=60)
    assert process.exitcode == -signal.SIGKILL


def _nothing_held(database: SqlDatabase) -> None:
    for sku in ("TEA-1", "CUP-1"):
        level = database.inventory.get(sku)
        assert level is not None and (level.on_hand, level.reserved) == (10, 0)
    held = database.coupons.get("SAVE-1")
    assert held is not None and (held.state, held.order_number) == ("available", None)
    account = database.members.get("c-1")
    assert account is not None and account.ledger.balance == 800


def test_a_process_killed_while_placing_an_order_leaves_nothing_held(target: str) -> None:
    _stock_and_coupon(target)
    _hang_and_kill(target, commit=False)
    with SqlDatabase.open(target, tiers=CONTRACT_TIERS) as database:
        _nothing_held(database)
        assert database.orders.get(CRASH_ORDER) is None
        assert database.inventory.get_reservation(CRASH_ORDER) is None


def test_an_order_left_unpaid_by_a_killed_process_gives_everything_back_on_expiry(
    target: str,
) -> None:
    _stock_and_coupon(target)
    _hang_and_kill(target, commit=True)
    with SqlDatabase.open(target, tiers=CONTRACT_TIERS) as database:
        tea = database.inventory.get("TEA-1")
        assert tea is not None and tea.reserved == 2  # placed and held until it times out
        account = database.members.get("c-1")
        assert account is not None and account.ledger.balance == 300
        with database.unit_of_work() as uow:
            assert cancel_due_orders(uow, AT + timedelta(minutes=29)) == []
        with database.unit_of_work() as uow:
            assert cancel_due_orders(uow, AT + timedelta(minutes=30)) == [CRASH_ORDER]
        _nothing_held(database)
        stored = database.orders.get(CRASH_ORDER)
        assert stored is not None and stored.state == "cancelled"
        with database.unit_of_work() as uow:
            assert cancel_due_orders(uow, AT + timedelta(hours=1)) == []


def test_the_worker_places_the_contract_quote() -> None:
    quote = contract_quote()
    assert (str(quote.total.amount), quote.points_used) == ("125.90", 500)
