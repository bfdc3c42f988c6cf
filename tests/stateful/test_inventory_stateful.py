"""Random reserve / commit / release / expire / restock sequences against a plain model.

The model is bookkeeping a clerk could do by hand: units on hand, units sold, units
restocked and the open reservations; the store must agree with it after every step.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from mallcore.adapters.memory import InMemoryInventoryStore
from mallcore.adapters.sql import SqlDatabase
from mallcore.adapters.sql._schema import metadata
from mallcore.errors import InsufficientStockError, ReservationStateError
from mallcore.sku.inventory import DeductOn, LowStockAlerted, ReservationChange

SKUS = ("A", "B", "C")
START = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)

lines_strategy = st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1, max_size=3)


class OpenOrder:
    """The model's view of one reservation."""

    def __init__(self, lines: dict[str, int], deduct_on: DeductOn, expires_at: datetime) -> None:
        self.lines = lines
        self.deduct_on = deduct_on
        self.expires_at = expires_at
        self.state = "open"

    def held(self, sku: str) -> int:
        open_hold = self.state == "open" and self.deduct_on is DeductOn.PLACEMENT
        return self.lines.get(sku, 0) if open_hold else 0


class InventoryMachine(RuleBasedStateMachine):
    reservations = Bundle("reservations")

    def __init__(self) -> None:
        super().__init__()
        self.store = InMemoryInventoryStore()
        self.now = START
        self.orders: dict[str, OpenOrder] = {}
        self.on_hand: dict[str, int] = {}
        self.threshold: dict[str, int] = {}
        self.initial: dict[str, int] = {}
        self.sold = dict.fromkeys(SKUS, 0)
        self.restocked = dict.fromkeys(SKUS, 0)
        self.counter = 0

    # -- the model ------------------------------------------------------------------

    def reserved(self, sku: str) -> int:
        return sum(order.held(sku) for order in self.orders.values())

    def available(self, sku: str) -> int:
        return self.on_hand[sku] - self.reserved(sku)

    def low(self) -> dict[str, bool]:
        return {sku: self.available(sku) <= self.threshold[sku] for sku in SKUS}

    def shortage(self, lines: dict[str, int]) -> tuple[str, int, int] | None:
        for sku in sorted(lines):
            if lines[sku] > self.available(sku):
                return sku, lines[sku], self.available(sku)
        return None

    def check_alerts(self, before: dict[str, bool], changes: list[ReservationChange]) -> None:
        after = self.low()
        crossed = {sku for sku in SKUS if after[sku] and not before[sku]}
        alerted = [
            event.sku_id
            for change in changes
            for event in change.events
            if isinstance(event, LowStockAlerted)
        ]
        assert sorted(alerted) == sorted(crossed)

    # -- rules ----------------------------------------------------------------------

    @initialize(
        stock=st.fixed_dictionaries({sku: st.integers(0, 8) for sku in SKUS}),
        thresholds=st.fixed_dictionaries({sku: st.integers(0, 3) for sku in SKUS}),
    )
    def stock_up(self, stock: dict[str, int], thresholds: dict[str, int]) -> None:
        for sku in SKUS:
            self.store.set_stock(sku, stock[sku], low_stock_threshold=thresholds[sku])
        self.on_hand, self.initial, self.threshold = dict(stock), dict(stock), thresholds

    @rule(
        target=reservations,
        lines=lines_strategy,
        deduct_on=st.sampled_from(DeductOn),
        timeout=st.integers(1, 60),
    )
    def reserve(self, lines: dict[str, int], deduct_on: DeductOn, timeout: int) -> object:
        self.counter += 1
        rid = f"o-{self.counter}"
        expires_at = self.now + timedelta(minutes=timeout)
        before, shortage = self.low(), self.shortage(lines)
        try:
            change = self.store.reserve(rid, lines, expires_at, deduct_on=deduct_on)
        except InsufficientStockError as exc:
            assert (exc.sku, exc.requested, exc.available) == shortage
            assert self.store.get_reservation(rid) is None
            return multiple()
        assert shortage is None
        self.orders[rid] = OpenOrder(lines, deduct_on, expires_at)
        self.check_alerts(before, [change])
        return rid

    @rule(rid=reservations)
    def reserve_again(self, rid: str) -> None:
        order = self.orders[rid]
        change = self.store.reserve(rid, order.lines, self.now, deduct_on=order.deduct_on)
        assert not change.changed

    @rule(rid=reservations)
    def commit(self, rid: str) -> None:
        order, before = self.orders[rid], self.low()
        try:
            change = self.store.commit(rid)
        except ReservationStateError:
            assert order.state in {"released", "expired"}
            return
        except InsufficientStockError:
            assert order.deduct_on is DeductOn.PAYMENT
            assert self.shortage(order.lines) is not None
            return
        if order.state == "committed":
            assert not change.changed
            return
        assert order.state == "open"
        if order.deduct_on is DeductOn.PAYMENT:
            assert self.shortage(order.lines) is None
        order.state = "committed"
        for sku, quantity in order.lines.items():
            self.on_hand[sku] -= quantity
            self.sold[sku] += quantity
        self.check_alerts(before, [change])

    @rule(rid=reservations)
    def release(self, rid: str) -> None:
        order, before = self.orders[rid], self.low()
        try:
            change = self.store.release(rid)
        except ReservationStateError:
            assert order.state == "committed"
            return
        assert change.changed == (order.state == "open")
        if order.state == "open":
            order.state = "released"
        self.check_alerts(before, [change])

    @rule(minutes=st.integers(0, 45))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        before = self.low()
        due = sorted(
            (order.expires_at, rid)
            for rid, order in self.orders.items()
            if order.state == "open" and order.expires_at <= self.now
        )
        changes = self.store.expire_due(self.now)
        assert [change.reservation.id for change in changes] == [rid for _, rid in due]
        for _, rid in due:
            self.orders[rid].state = "expired"
        self.check_alerts(before, changes)

    @rule(sku=st.sampled_from(SKUS), quantity=st.integers(1, 5))
    def restock(self, sku: str, quantity: int) -> None:
        self.store.restock(sku, quantity)
        self.on_hand[sku] += quantity
        self.restocked[sku] += quantity

    # -- invariants -----------------------------------------------------------------

    @invariant()
    def stock_never_goes_negative(self) -> None:
        for sku in self.on_hand:
            level = self.store.get(sku)
            assert level is not None
            assert level.on_hand >= 0
            assert level.reserved >= 0
            assert level.available >= 0

    @invariant()
    def on_hand_plus_sold_is_conserved(self) -> None:
        for sku in self.on_hand:
            level = self.store.get(sku)
            assert level is not None
            assert level.on_hand + self.sold[sku] == self.initial[sku] + self.restocked[sku]

    @invariant()
    def reserved_is_what_open_reservations_hold(self) -> None:
        for sku in self.on_hand:
            level = self.store.get(sku)
            assert level is not None
            assert (level.on_hand, level.reserved) == (self.on_hand[sku], self.reserved(sku))

    @invariant()
    def stored_reservations_follow_the_model(self) -> None:
        for rid, order in self.orders.items():
            stored = self.store.get_reservation(rid)
            assert stored is not None
            assert stored.state.value == order.state


TestInventoryMachine = InventoryMachine.TestCase


# ----------------------------------------------------------------- the same on SQLite

_SQLITE: list[SqlDatabase] = []


def _empty_sqlite_store() -> SqlDatabase:
    """One SQLite database for the whole run, emptied before each example (migrating is slow)."""
    if not _SQLITE:
        path = Path(tempfile.mkdtemp(prefix="mallcore-stateful-")) / "inventory.sqlite"
        _SQLITE.append(SqlDatabase.open(path))
    database = _SQLITE[0]
    with database.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    return database


class SqliteInventoryMachine(InventoryMachine):
    """The model against the SQL adapter: its conditional updates must keep the same books."""

    def __init__(self) -> None:
        super().__init__()
        self.store = _empty_sqlite_store().inventory  # type: ignore[assignment]


TestSqliteInventoryMachine = SqliteInventoryMachine.TestCase
TestSqliteInventoryMachine.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None
)
