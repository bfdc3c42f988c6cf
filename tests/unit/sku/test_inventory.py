"""Stock levels, reservations and their life cycle, as pure functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from mallcore.errors import (
    ConfigError,
    InsufficientStockError,
    InventoryError,
    ReservationStateError,
)
from mallcore.sku.inventory import (
    DeductOn,
    LowStockAlerted,
    Reservation,
    ReservationChange,
    ReservationCommitted,
    ReservationExpired,
    ReservationLine,
    ReservationReleased,
    ReservationState,
    StockAdjusted,
    StockLevel,
    StockReserved,
    StockRestocked,
    commit,
    expire,
    release,
    reserve,
    restock,
    set_stock,
)

PLACED = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)
DUE = PLACED + timedelta(minutes=30)
OPEN, COMMITTED, RELEASED, EXPIRED = (
    ReservationState.OPEN,
    ReservationState.COMMITTED,
    ReservationState.RELEASED,
    ReservationState.EXPIRED,
)


def levels(*items: StockLevel) -> dict[str, StockLevel]:
    return {level.sku_id: level for level in items}


def held(
    lines: dict[str, int],
    *,
    state: ReservationState = OPEN,
    deduct_on: DeductOn = DeductOn.PLACEMENT,
) -> Reservation:
    return Reservation("o-1", lines, DUE, deduct_on, state)


def by_sku(change: ReservationChange) -> dict[str, tuple[int, int]]:
    return {level.sku_id: (level.on_hand, level.reserved) for level in change.levels}


# -- StockLevel ---------------------------------------------------------------------------


def test_available_is_on_hand_minus_reserved() -> None:
    level = StockLevel("A", on_hand=10, reserved=3, low_stock_threshold=7)
    assert (level.available, level.is_low) == (7, True)
    assert not attrs.evolve(level, reserved=2).is_low  # 8 > 7


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on_hand": -1}, "on_hand=-1"),
        ({"on_hand": 1.0}, "on_hand=1.0"),
        ({"on_hand": True}, "on_hand=True"),
        ({"on_hand": 5, "reserved": -1}, "reserved=-1"),
        ({"on_hand": 5, "reserved": 6}, "reserved=6"),
        ({"on_hand": 5, "low_stock_threshold": -2}, "low_stock_threshold=-2"),
    ],
)
def test_a_level_outside_its_invariants_is_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        StockLevel("A", **kwargs)  # type: ignore[arg-type]


def test_a_level_needs_a_sku_id() -> None:
    with pytest.raises(ConfigError, match="sku_id=''"):
        StockLevel("", on_hand=1)


# -- Reservation --------------------------------------------------------------------------


def test_reservation_lines_are_merged_per_sku_and_sorted() -> None:
    r = Reservation("o-1", [("B", 1), ("A", 2), ("B", 3)], DUE)
    assert r.lines == (ReservationLine("A", 2), ReservationLine("B", 4))
    assert r.quantity == 6
    assert r == Reservation("o-1", {"A": 2, "B": 4}, DUE)
    assert (r.state, r.deduct_on) == (OPEN, DeductOn.PLACEMENT)


@pytest.mark.parametrize("quantity", [0, -3, 2.0, True, None])
def test_a_reservation_line_needs_a_positive_whole_quantity(quantity: object) -> None:
    with pytest.raises(ConfigError, match=f"quantity={quantity!r}"):
        Reservation("o-1", {"A": quantity}, DUE)  # type: ignore[arg-type]


def test_a_reservation_needs_lines_an_id_and_an_aware_expiry() -> None:
    with pytest.raises(ConfigError, match="lines"):
        Reservation("o-1", {}, DUE)
    with pytest.raises(ConfigError, match="reservation_id"):
        Reservation("", {"A": 1}, DUE)
    with pytest.raises(ConfigError, match="expires_at"):
        Reservation("o-1", {"A": 1}, datetime(2026, 11, 11, 20, 30))


def test_lines_may_come_as_parsed_json_pairs() -> None:
    assert Reservation("o-1", [["A", 1], ["A", 2]], DUE).lines == (ReservationLine("A", 3),)  # type: ignore[arg-type]


@pytest.mark.parametrize("lines", ["AB", [("A", 1, 2)], [{"A": 1}]])
def test_malformed_lines_are_refused(lines: object) -> None:
    with pytest.raises(ConfigError, match="must be a \\(sku_id, quantity\\) pair"):
        Reservation("o-1", lines, DUE)  # type: ignore[arg-type]


def test_only_open_placement_reservations_hold_stock() -> None:
    assert held({"A": 1}).holds_stock
    assert not held({"A": 1}, deduct_on=DeductOn.PAYMENT).holds_stock
    assert not held({"A": 1}, state=COMMITTED).holds_stock


# -- reserve --------------------------------------------------------------------------------


def test_reserve_at_placement_raises_reserved_and_keeps_on_hand() -> None:
    change = reserve(levels(StockLevel("A", 10), StockLevel("B", 4, 1)), held({"A": 3, "B": 2}))
    # A: reserved 0 + 3; B: reserved 1 + 2; on_hand untouched.
    assert by_sku(change) == {"A": (10, 3), "B": (4, 3)}
    assert change.events == (
        StockReserved(
            "o-1", (ReservationLine("A", 3), ReservationLine("B", 2)), DeductOn.PLACEMENT, DUE
        ),
    )
    assert change.reservation == held({"A": 3, "B": 2})


def test_reserve_for_payment_only_checks_availability() -> None:
    stock = levels(StockLevel("A", 3, 1))
    change = reserve(stock, held({"A": 2}, deduct_on=DeductOn.PAYMENT))
    assert (change.levels, change.changed) == ((), True)
    with pytest.raises(InsufficientStockError):
        reserve(stock, held({"A": 3}, deduct_on=DeductOn.PAYMENT))  # 3 - 1 = 2 available


def test_reserve_refuses_the_first_line_that_does_not_fit() -> None:
    stock = levels(StockLevel("A", 10), StockLevel("B", 1), StockLevel("C", 0))
    with pytest.raises(InsufficientStockError) as caught:
        reserve(stock, held({"C": 1, "A": 1, "B": 2}))
    # Lines are checked in SKU order: A fits, B (2 > 1) is the first that does not.
    assert (caught.value.sku, caught.value.requested, caught.value.available) == ("B", 2, 1)
    assert "asked for 2, 1 available" in str(caught.value)


def test_a_sku_without_a_level_has_nothing_available() -> None:
    with pytest.raises(InsufficientStockError) as caught:
        reserve({}, held({"GHOST": 1}))
    assert caught.value.available == 0


def test_reserving_again_returns_the_existing_reservation_unchanged() -> None:
    existing = held({"A": 2}, state=RELEASED)
    again = Reservation("o-1", [("A", 1), ("A", 1)], DUE + timedelta(hours=1))
    change = reserve(levels(StockLevel("A", 5)), again, existing=existing)
    assert change == ReservationChange(existing)
    assert not change.changed


@pytest.mark.parametrize(
    "other",
    [held({"A": 3}), held({"A": 2, "B": 1}), held({"A": 2}, deduct_on=DeductOn.PAYMENT)],
)
def test_reserving_other_lines_under_a_used_id_is_refused(other: Reservation) -> None:
    with pytest.raises(ReservationStateError, match="reserve other lines for reservation 'o-1'"):
        reserve(levels(StockLevel("A", 5)), other, existing=held({"A": 2}))


def test_only_an_open_reservation_can_be_reserved() -> None:
    with pytest.raises(ReservationStateError):
        reserve(levels(StockLevel("A", 5)), held({"A": 1}, state=COMMITTED))


# -- commit, release, expire ----------------------------------------------------------------


def test_commit_after_placement_deducts_on_hand_and_reserved() -> None:
    change = commit(levels(StockLevel("A", 10, 5)), held({"A": 3}))
    assert by_sku(change) == {"A": (7, 2)}
    assert change.reservation.state is COMMITTED
    assert change.events == (
        ReservationCommitted("o-1", (ReservationLine("A", 3),), DeductOn.PLACEMENT),
    )


def test_commit_for_payment_deducts_on_hand_only() -> None:
    change = commit(levels(StockLevel("A", 10, 5)), held({"A": 3}, deduct_on=DeductOn.PAYMENT))
    assert by_sku(change) == {"A": (7, 5)}


def test_commit_for_payment_fails_when_the_units_are_gone() -> None:
    with pytest.raises(InsufficientStockError) as caught:
        commit(levels(StockLevel("A", 4, 2)), held({"A": 3}, deduct_on=DeductOn.PAYMENT))
    assert (caught.value.requested, caught.value.available) == (3, 2)


def test_release_and_expire_give_held_units_back() -> None:
    stock = levels(StockLevel("A", 10, 5))
    released = release(stock, held({"A": 3}))
    expired = expire(stock, held({"A": 3}), DUE)
    assert by_sku(released) == by_sku(expired) == {"A": (10, 2)}
    assert released.events == (
        ReservationReleased("o-1", (ReservationLine("A", 3),), DeductOn.PLACEMENT),
    )
    assert expired.events == (
        ReservationExpired("o-1", (ReservationLine("A", 3),), DeductOn.PLACEMENT, DUE),
    )


def test_ending_a_payment_reservation_moves_no_stock() -> None:
    stock = levels(StockLevel("A", 10, 5))
    change = release(stock, held({"A": 3}, deduct_on=DeductOn.PAYMENT))
    assert (change.levels, change.reservation.state) == ((), RELEASED)


def test_expiry_waits_until_the_reservation_is_due() -> None:
    with pytest.raises(ReservationStateError, match="not due yet"):
        expire(levels(StockLevel("A", 10, 5)), held({"A": 3}), DUE - timedelta(seconds=1))
    with pytest.raises(ConfigError, match="now="):
        expire(levels(StockLevel("A", 10, 5)), held({"A": 3}), datetime(2026, 11, 12))


# The life-cycle table of the module docstring, written out: for each action and state,
# the state afterwards, None for a refusal; "same" marks a no-op replay.
LIFE_CYCLE = {
    ("commit", COMMITTED): "same",
    ("commit", RELEASED): None,
    ("commit", EXPIRED): None,
    ("release", COMMITTED): None,
    ("release", RELEASED): "same",
    ("release", EXPIRED): "same",
    ("expire", COMMITTED): None,
    ("expire", RELEASED): "same",
    ("expire", EXPIRED): "same",
}


def expire_later(stock: Mapping[str, StockLevel], reservation: Reservation) -> ReservationChange:
    return expire(stock, reservation, DUE + timedelta(days=1))


ACTIONS: dict[str, Callable[[Mapping[str, StockLevel], Reservation], ReservationChange]] = {
    "commit": commit,
    "release": release,
    "expire": expire_later,
}


@pytest.mark.parametrize(("action", "state"), sorted(LIFE_CYCLE, key=str))
def test_final_states_replay_or_refuse(action: str, state: ReservationState) -> None:
    reservation = held({"A": 3}, state=state)
    stock = levels(StockLevel("A", 10, 0))
    if LIFE_CYCLE[action, state] is None:
        with pytest.raises(ReservationStateError) as caught:
            ACTIONS[action](stock, reservation)
        assert (caught.value.state, caught.value.action) == (state.value, action)
        assert isinstance(caught.value, InventoryError)
    else:
        assert ACTIONS[action](stock, reservation) == ReservationChange(reservation)


def test_the_refusal_says_what_and_why() -> None:
    with pytest.raises(ReservationStateError) as caught:
        commit({}, held({"A": 1}, state=RELEASED))
    assert str(caught.value) == "Can't commit reservation 'o-1' while it is released."


# -- restock, set_stock, alerts ---------------------------------------------------------------


def test_restock_adds_to_on_hand() -> None:
    change = restock(StockLevel("A", 2, 1), 5)
    assert change.level == StockLevel("A", 7, 1)
    assert change.events == (StockRestocked("A", 5, 7),)
    with pytest.raises(ConfigError, match="quantity=0"):
        restock(StockLevel("A", 2), 0)


def test_set_stock_keeps_reserved_and_the_threshold() -> None:
    change = set_stock(StockLevel("A", 9, 4, 1), "A", 6)
    assert change.level == StockLevel("A", 6, 4, 1)
    # available 6 - 4 = 2 stays above the threshold 1: no alert.
    assert change.events == (StockAdjusted("A", 9, 6, 1),)


def test_set_stock_refuses_what_would_break_the_level() -> None:
    with pytest.raises(ConfigError, match="on_hand=3 for SKU 'A' is below the 4 units"):
        set_stock(StockLevel("A", 9, 4), "A", 3)
    with pytest.raises(ConfigError, match="on_hand=-1"):
        set_stock(None, "A", -1)
    with pytest.raises(ConfigError, match="low_stock_threshold=-1"):
        set_stock(None, "A", 1, low_stock_threshold=-1)
    with pytest.raises(ConfigError, match="sku_id='B'"):
        set_stock(StockLevel("A", 9), "B", 3)


def test_a_new_sku_at_or_below_its_threshold_alerts_at_once() -> None:
    change = set_stock(None, "A", 2, low_stock_threshold=2)
    assert change.events == (StockAdjusted("A", 0, 2, 2), LowStockAlerted("A", 2, 2))


def test_raising_the_threshold_over_available_is_a_crossing() -> None:
    change = set_stock(StockLevel("A", 5, 0, 1), "A", 5, low_stock_threshold=5)
    assert change.events[-1] == LowStockAlerted("A", 5, 5)


def test_low_stock_alerts_once_per_crossing_and_after_the_operation_event() -> None:
    level = StockLevel("A", 10, 0, low_stock_threshold=4)
    first = reserve(levels(level), Reservation("o-1", {"A": 6}, DUE))  # 10 -> 4
    assert [type(e) for e in first.events] == [StockReserved, LowStockAlerted]
    assert first.events[1] == LowStockAlerted("A", 4, 4)
    second = reserve(levels(*first.levels), Reservation("o-2", {"A": 1}, DUE))  # 4 -> 3
    assert [type(e) for e in second.events] == [StockReserved]


def test_a_commit_after_placement_cannot_cross_the_threshold() -> None:
    # on_hand and reserved drop together, so available stays 4 > 3.
    change = commit(levels(StockLevel("A", 10, 6, 3)), held({"A": 6}))
    assert [type(e) for e in change.events] == [ReservationCommitted]


def test_a_payment_commit_can_cross_the_threshold() -> None:
    # available 10 - 0 = 10 > 3, then 10 - 7 = 3 <= 3.
    change = commit(levels(StockLevel("A", 10, 0, 3)), held({"A": 7}, deduct_on=DeductOn.PAYMENT))
    assert change.events[-1] == LowStockAlerted("A", 3, 3)


def test_the_reservation_machine_is_the_table_of_the_module_docstring() -> None:
    from mallcore.sku.inventory import RESERVATION_MACHINE

    assert RESERVATION_MACHINE.actions("open") == ("commit", "release", "expire")
    for state in ("committed", "released", "expired"):
        assert RESERVATION_MACHINE.actions(state) == ()
    assert set(RESERVATION_MACHINE.final) == {"committed", "released", "expired"}
    assert RESERVATION_MACHINE.to_mermaid().splitlines()[1] == "    [*] --> open"
