"""The contract every :class:`~mallcore.ports.InventoryStore` adapter must pass."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from mallcore.errors import (
    ConfigError,
    InsufficientStockError,
    ReservationStateError,
    UnknownReservationError,
)
from mallcore.ports import InventoryStore
from mallcore.sku.inventory import (
    DeductOn,
    LowStockAlerted,
    ReservationChange,
    ReservationCommitted,
    ReservationExpired,
    ReservationLine,
    ReservationReleased,
    ReservationState,
    StockAdjusted,
    StockReserved,
    StockRestocked,
)

__all__ = ["InventoryStoreContract"]

PLACED = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)
DUE = PLACED + timedelta(minutes=30)
THREADS = 16


def _stock(store: InventoryStore, sku_id: str) -> tuple[int, int]:
    level = store.get(sku_id)
    assert level is not None, f"{sku_id} has no level"
    return level.on_hand, level.reserved


def _race(n: int, action: Callable[[int], object]) -> list[object]:
    """Run *action(i)* for i in range(n) on n threads released at the same moment.

    Returns each call's result, or the exception it raised.
    """
    start = threading.Barrier(n)

    def attempt(i: int) -> object:
        start.wait(timeout=30)
        try:
            return action(i)
        except Exception as exc:  # collected and checked by the caller
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(attempt, i) for i in range(n)]
        return [future.result(timeout=60) for future in futures]


class InventoryStoreContract:
    """Behaviour shared by every :class:`~mallcore.ports.InventoryStore` adapter.

    It checks the reserve / commit / release / expire life cycle and ``deduct_on``,
    all-or-nothing multi-line reservations, what
    :exc:`~mallcore.errors.InsufficientStockError` reports, idempotency by
    reservation id, refused transitions, stock never going negative, on-hand plus
    sold units being conserved, one low-stock alert per crossing, and threads racing
    for the last units or for one reservation's payment.

    Subclass it in your test suite and provide a ``store`` fixture that returns a new,
    empty store; pytest then runs every ``test_*`` method against it. The concurrency
    tests call the store from several threads at once, so the fixture's store must be
    usable from any thread (open one connection per thread, or use a pool)::

        class TestMyInventoryStore(InventoryStoreContract):
            @pytest.fixture
            def store(self) -> InventoryStore:
                return MyInventoryStore(...)
    """

    # -- levels ---------------------------------------------------------------------

    def test_get_returns_none_for_a_sku_never_stocked(self, store: InventoryStore) -> None:
        assert store.get("NOPE") is None

    def test_set_stock_creates_a_level_and_reports_the_adjustment(
        self, store: InventoryStore
    ) -> None:
        change = store.set_stock("A", 10, low_stock_threshold=3)
        assert change.events == (StockAdjusted("A", 0, 10, 3),)
        level = store.get("A")
        assert level is not None
        assert (level.on_hand, level.reserved, level.available, level.low_stock_threshold) == (
            10,
            0,
            10,
            3,
        )

    def test_set_stock_keeps_reserved_units_and_refuses_to_go_below_them(
        self, store: InventoryStore
    ) -> None:
        store.set_stock("A", 10)
        store.reserve("o-1", {"A": 4}, DUE)
        store.set_stock("A", 6)
        assert _stock(store, "A") == (6, 4)
        with pytest.raises(ConfigError, match="on_hand=3"):
            store.set_stock("A", 3)
        assert _stock(store, "A") == (6, 4)

    def test_restock_adds_units(self, store: InventoryStore) -> None:
        store.set_stock("A", 2)
        change = store.restock("A", 5)
        assert change.events == (StockRestocked("A", 5, 7),)
        assert _stock(store, "A") == (7, 0)

    def test_restock_creates_the_level_of_a_new_sku(self, store: InventoryStore) -> None:
        store.restock("NEW", 4)
        assert _stock(store, "NEW") == (4, 0)

    @pytest.mark.parametrize("quantity", [0, -1, True, 1.5, "2"])
    def test_bad_quantities_are_refused_naming_the_field(
        self, store: InventoryStore, quantity: object
    ) -> None:
        store.set_stock("A", 5)
        with pytest.raises(ConfigError, match="quantity="):
            store.reserve("o-1", {"A": quantity}, DUE)  # type: ignore[arg-type]
        with pytest.raises(ConfigError, match="quantity="):
            store.restock("A", quantity)  # type: ignore[arg-type]
        assert _stock(store, "A") == (5, 0)
        assert store.get_reservation("o-1") is None

    def test_a_naive_expiry_is_refused(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        with pytest.raises(ConfigError, match="expires_at"):
            store.reserve("o-1", {"A": 1}, datetime(2026, 11, 11, 20, 30))

    # -- the reservation life cycle ------------------------------------------------------

    def test_reserve_holds_units_without_touching_on_hand(self, store: InventoryStore) -> None:
        store.set_stock("A", 10)
        change = store.reserve("o-1", {"A": 3}, DUE)
        assert change.reservation.state is ReservationState.OPEN
        assert change.events == (
            StockReserved("o-1", (ReservationLine("A", 3),), DeductOn.PLACEMENT, DUE),
        )
        assert _stock(store, "A") == (10, 3)
        assert store.get_reservation("o-1") == change.reservation

    def test_commit_deducts_on_hand_and_reserved(self, store: InventoryStore) -> None:
        store.set_stock("A", 10)
        store.reserve("o-1", {"A": 3}, DUE)
        change = store.commit("o-1")
        assert change.reservation.state is ReservationState.COMMITTED
        assert change.events == (
            ReservationCommitted("o-1", (ReservationLine("A", 3),), DeductOn.PLACEMENT),
        )
        assert _stock(store, "A") == (7, 0)

    def test_release_makes_the_units_available_again(self, store: InventoryStore) -> None:
        store.set_stock("A", 10)
        store.reserve("o-1", {"A": 3}, DUE)
        change = store.release("o-1")
        assert change.reservation.state is ReservationState.RELEASED
        assert change.events == (
            ReservationReleased("o-1", (ReservationLine("A", 3),), DeductOn.PLACEMENT),
        )
        assert _stock(store, "A") == (10, 0)

    def test_expire_due_expires_only_open_reservations_that_are_due(
        self, store: InventoryStore
    ) -> None:
        store.set_stock("A", 10)
        store.reserve("late", {"A": 1}, DUE + timedelta(minutes=5))
        store.reserve("b", {"A": 2}, DUE)
        store.reserve("a", {"A": 3}, DUE)
        store.reserve("paid", {"A": 4}, DUE - timedelta(minutes=1))
        store.commit("paid")
        assert store.expire_due(DUE - timedelta(seconds=1)) == []
        expired = store.expire_due(DUE)
        # Earliest expires_at first, then by id: a and b are both due at DUE.
        assert [change.reservation.id for change in expired] == ["a", "b"]
        assert expired[0].events == (
            ReservationExpired("a", (ReservationLine("A", 3),), DeductOn.PLACEMENT, DUE),
        )
        # 10 - 4 paid = 6 on hand; only "late" (1) is still held.
        assert _stock(store, "A") == (6, 1)
        assert store.expire_due(DUE) == []

    def test_a_payment_that_beats_the_expiry_sweep_still_commits(
        self, store: InventoryStore
    ) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 2}, DUE)
        store.commit("o-1")
        assert store.expire_due(DUE + timedelta(hours=1)) == []
        assert _stock(store, "A") == (3, 0)

    def test_multi_line_reservations_are_all_or_nothing(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.set_stock("B", 1)
        store.set_stock("C", 5)
        with pytest.raises(InsufficientStockError):
            store.reserve("o-1", {"A": 2, "B": 2, "C": 2}, DUE)
        assert [_stock(store, sku) for sku in "ABC"] == [(5, 0), (1, 0), (5, 0)]
        assert store.get_reservation("o-1") is None
        store.reserve("o-1", [("C", 1), ("A", 2), ("C", 1), ("B", 1)], DUE)
        assert [_stock(store, sku) for sku in "ABC"] == [(5, 2), (1, 1), (5, 2)]
        store.commit("o-1")
        assert [_stock(store, sku) for sku in "ABC"] == [(3, 0), (0, 0), (3, 0)]

    def test_insufficient_stock_names_the_sku_the_request_and_what_is_available(
        self, store: InventoryStore
    ) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 3}, DUE)
        with pytest.raises(InsufficientStockError) as caught:
            store.reserve("o-2", {"A": 4}, DUE)
        assert (caught.value.sku, caught.value.requested, caught.value.available) == ("A", 4, 2)

    def test_an_unstocked_sku_has_nothing_available(self, store: InventoryStore) -> None:
        with pytest.raises(InsufficientStockError) as caught:
            store.reserve("o-1", {"GHOST": 1}, DUE)
        assert (caught.value.sku, caught.value.requested, caught.value.available) == (
            "GHOST",
            1,
            0,
        )

    def test_unknown_reservations_are_reported(self, store: InventoryStore) -> None:
        for action in (store.commit, store.release):
            with pytest.raises(UnknownReservationError) as caught:
                action("nope")
            assert caught.value.reservation_id == "nope"

    # -- idempotency and refusals ---------------------------------------------------------

    def test_reserving_again_under_one_id_holds_once(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        first = store.reserve("o-1", {"A": 2}, DUE)
        again = store.reserve("o-1", [("A", 1), ("A", 1)], DUE + timedelta(minutes=1))
        assert not again.changed
        assert again.reservation == first.reservation
        assert _stock(store, "A") == (5, 2)

    def test_reserving_other_lines_under_a_used_id_is_refused(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 2}, DUE)
        with pytest.raises(ReservationStateError):
            store.reserve("o-1", {"A": 3}, DUE)
        with pytest.raises(ReservationStateError):
            store.reserve("o-1", {"A": 2}, DUE, deduct_on=DeductOn.PAYMENT)
        assert _stock(store, "A") == (5, 2)

    def test_a_replayed_payment_commits_once(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 2}, DUE)
        store.commit("o-1")
        replay = store.commit("o-1")
        assert not replay.changed
        assert replay.reservation.state is ReservationState.COMMITTED
        assert _stock(store, "A") == (3, 0)

    def test_release_is_idempotent_also_after_expiry(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("cancelled", {"A": 1}, DUE)
        store.reserve("timed-out", {"A": 2}, DUE)
        store.release("cancelled")
        assert not store.release("cancelled").changed
        store.expire_due(DUE)
        replay = store.release("timed-out")
        assert not replay.changed
        assert replay.reservation.state is ReservationState.EXPIRED
        assert _stock(store, "A") == (5, 0)

    def test_paying_a_released_reservation_is_refused(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 2}, DUE)
        store.release("o-1")
        with pytest.raises(ReservationStateError) as caught:
            store.commit("o-1")
        assert (caught.value.reservation_id, caught.value.state) == ("o-1", "released")
        assert _stock(store, "A") == (5, 0)

    def test_releasing_a_committed_reservation_is_refused(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 2}, DUE)
        store.commit("o-1")
        with pytest.raises(ReservationStateError):
            store.release("o-1")
        assert _stock(store, "A") == (3, 0)

    # -- deduct_on=payment ---------------------------------------------------------------

    def test_deduct_on_payment_holds_nothing_until_paid(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 4}, DUE, deduct_on=DeductOn.PAYMENT)
        assert _stock(store, "A") == (5, 0)
        with pytest.raises(InsufficientStockError):
            store.reserve("o-2", {"A": 6}, DUE, deduct_on=DeductOn.PAYMENT)
        store.commit("o-1")
        assert _stock(store, "A") == (1, 0)

    def test_deduct_on_payment_fails_at_payment_when_others_paid_first(
        self, store: InventoryStore
    ) -> None:
        store.set_stock("A", 3)
        store.reserve("slow", {"A": 2}, DUE, deduct_on=DeductOn.PAYMENT)
        store.reserve("fast", {"A": 2}, DUE, deduct_on=DeductOn.PAYMENT)
        store.commit("fast")
        with pytest.raises(InsufficientStockError) as caught:
            store.commit("slow")
        assert (caught.value.requested, caught.value.available) == (2, 1)
        assert _stock(store, "A") == (1, 0)
        slow = store.get_reservation("slow")
        assert slow is not None
        assert slow.state is ReservationState.OPEN
        assert store.release("slow").changed

    # -- invariants ----------------------------------------------------------------------

    def test_on_hand_plus_sold_is_conserved(self, store: InventoryStore) -> None:
        store.set_stock("A", 8)
        store.reserve("o-1", {"A": 3}, DUE)
        store.reserve("o-2", {"A": 2}, DUE)
        store.reserve("o-3", {"A": 1}, DUE + timedelta(hours=1), deduct_on=DeductOn.PAYMENT)
        store.commit("o-1")
        store.release("o-2")
        store.restock("A", 4)
        store.commit("o-3")
        store.expire_due(DUE + timedelta(hours=2))
        sold = 3 + 1
        on_hand, reserved = _stock(store, "A")
        assert (on_hand + sold, reserved) == (8 + 4, 0)

    def test_low_stock_is_alerted_once_per_crossing(self, store: InventoryStore) -> None:
        def alerts(change: ReservationChange) -> list[LowStockAlerted]:
            return [e for e in change.events if isinstance(e, LowStockAlerted)]

        store.set_stock("A", 10, low_stock_threshold=3)
        assert alerts(store.reserve("o-1", {"A": 6}, DUE)) == []  # available 4 > 3
        assert alerts(store.reserve("o-2", {"A": 1}, DUE)) == [LowStockAlerted("A", 3, 3)]
        assert alerts(store.reserve("o-3", {"A": 2}, DUE)) == []  # still low: no repeat
        store.release("o-3")
        store.release("o-2")  # available 4: above the threshold again, alert re-armed
        assert alerts(store.reserve("o-4", {"A": 4}, DUE)) == [LowStockAlerted("A", 0, 3)]

    # -- concurrency -------------------------------------------------------------------

    def test_racing_for_the_last_units_never_oversells(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        results = _race(THREADS, lambda i: store.reserve(f"o-{i}", {"A": 1}, DUE))
        won = [r for r in results if isinstance(r, ReservationChange)]
        lost = [r for r in results if isinstance(r, InsufficientStockError)]
        assert (len(won), len(lost)) == (5, THREADS - 5), results
        assert _stock(store, "A") == (5, 5)
        _race(len(won), lambda i: store.commit(won[i].reservation.id))
        assert _stock(store, "A") == (0, 0)

    def test_racing_multi_line_reservations_never_oversell(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.set_stock("B", 3)
        # Half the threads list B first, so an adapter that locks in the given order
        # instead of a fixed one would deadlock here.
        results = _race(
            THREADS,
            lambda i: store.reserve(f"o-{i}", [("A", 1), ("B", 1)][:: 1 - 2 * (i % 2)], DUE),
        )
        won = [r for r in results if isinstance(r, ReservationChange)]
        assert len(won) == 3, results
        assert all(isinstance(r, ReservationChange | InsufficientStockError) for r in results)
        assert (_stock(store, "A"), _stock(store, "B")) == ((5, 3), (3, 3))

    def test_racing_payment_notifications_deduct_once(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 2}, DUE)
        results = _race(THREADS, lambda i: store.commit("o-1"))
        changed = [r for r in results if isinstance(r, ReservationChange) and r.changed]
        assert len(changed) == 1, results
        assert _stock(store, "A") == (3, 0)

    def test_racing_cancel_and_payment_let_exactly_one_win(self, store: InventoryStore) -> None:
        store.set_stock("A", 5)
        store.reserve("o-1", {"A": 2}, DUE)
        results = _race(2, lambda i: (store.commit, store.release)[i]("o-1"))
        refused = [r for r in results if isinstance(r, ReservationStateError)]
        assert len(refused) == 1, results
        reservation = store.get_reservation("o-1")
        assert reservation is not None
        expected = {ReservationState.COMMITTED: (3, 0), ReservationState.RELEASED: (5, 0)}
        assert _stock(store, "A") == expected[reservation.state]
