"""place_order, pay_order and cancel_due_orders through units of work, in memory and on SQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mallcore.adapters.memory import InMemoryDatabase
from mallcore.adapters.sql import SqlDatabase
from mallcore.errors import (
    ConfigError,
    ConflictError,
    CouponStateError,
    InsufficientPointsError,
    InsufficientStockError,
    PaymentMismatchError,
)
from mallcore.membership.account import MemberAccount
from mallcore.money import Money
from mallcore.orders import EffectKind, OrderPolicy
from mallcore.ports import CouponBatch
from mallcore.testing.contracts import CONTRACT_TIERS, contract_quote
from mallcore.usecases import cancel_due_orders, pay_order, place_order

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    database: Any
    if request.param == "memory":
        database = InMemoryDatabase()
    else:
        database = SqlDatabase.open(tmp_path / "shop.sqlite", tiers=CONTRACT_TIERS)
    database.inventory.set_stock("TEA-1", 5)
    database.inventory.set_stock("CUP-1", 5)
    database.coupons.define(CouponBatch("FIVE-OFF"))
    database.coupons.claim("FIVE-OFF", "c-1", code="SAVE-1", at=AT)
    member = MemberAccount("c-1", CONTRACT_TIERS)
    member.ledger.earn(800, at=AT - timedelta(days=1), source="welcome", key="earn:welcome")
    database.members.add(member)
    yield database
    if isinstance(database, SqlDatabase):
        database.close()


def _place(db: Any, key: str = "checkout:c-1:1", **cart: Any) -> Any:
    with db.unit_of_work() as uow:
        return place_order(
            uow, contract_quote(**cart), customer_id="c-1", at=AT, key=key, coupons=["SAVE-1"]
        )


def _points(db: Any) -> int:
    account = db.members.get("c-1")
    assert account is not None
    return int(account.ledger.balance)


def test_the_quote_behind_these_tests() -> None:
    quote = contract_quote()
    assert str(quote.total.amount) == "125.90" and quote.points_used == 500


def test_placing_reserves_locks_redeems_and_stores_the_order(db: Any) -> None:
    order = _place(db)
    stored = db.orders.get(order.number)
    assert stored is not None and stored.state == "pending_payment"
    assert stored.payable == Money("125.90", "CNY")
    tea = db.inventory.get("TEA-1")
    assert tea is not None and tea.reserved == 2
    reservation = db.inventory.get_reservation(order.number)
    assert reservation is not None and reservation.expires_at == AT + timedelta(minutes=30)
    coupon = db.coupons.get("SAVE-1")
    assert coupon is not None and (coupon.state, coupon.order_number) == ("locked", order.number)
    assert _points(db) == 300


def test_placing_again_with_the_same_key_returns_the_first_order(db: Any) -> None:
    first = _place(db)
    again = _place(db)
    assert again.number == first.number
    assert db.orders.numbers() == [first.number]
    tea = db.inventory.get("TEA-1")
    assert tea is not None and tea.reserved == 2
    assert _points(db) == 300


def test_an_order_that_does_not_fit_leaves_stock_coupon_and_points_alone(db: Any) -> None:
    db.inventory.set_stock("TEA-1", 1)
    with pytest.raises(InsufficientStockError, match="TEA-1"):
        _place(db)
    assert db.orders.numbers() == []
    coupon = db.coupons.get("SAVE-1")
    assert coupon is not None and coupon.state == "available"
    assert _points(db) == 800
    cup = db.inventory.get("CUP-1")
    assert cup is not None and cup.reserved == 0


def test_a_coupon_locked_by_another_order_stops_the_placement(db: Any) -> None:
    first = _place(db)
    with pytest.raises(CouponStateError, match=first.number):
        _place(db, key="checkout:c-1:2")
    tea = db.inventory.get("TEA-1")
    assert tea is not None and tea.reserved == 2  # the first order's units only
    assert _points(db) == 300


def test_points_the_member_no_longer_has_stop_the_placement(db: Any) -> None:
    account = db.members.get("c-1")
    version = account.version
    account.ledger.redeem(600, at=AT, source="elsewhere", key="redeem:elsewhere")
    db.members.save(account, expected_version=version)
    with pytest.raises(InsufficientPointsError):
        _place(db)
    coupon = db.coupons.get("SAVE-1")
    assert coupon is not None and coupon.state == "available"
    assert db.inventory.get("TEA-1").reserved == 0


def test_paying_commits_the_stock_and_uses_the_coupon(db: Any) -> None:
    order = _place(db)
    with db.unit_of_work() as uow:
        left = pay_order(uow, order.number, Money("125.90", "CNY"), payment_id="p-1", at=AT)
    assert left == []
    stored = db.orders.get(order.number)
    assert stored is not None and stored.state == "paid"
    tea = db.inventory.get("TEA-1")
    assert tea is not None and (tea.on_hand, tea.reserved) == (3, 0)
    coupon = db.coupons.get("SAVE-1")
    assert coupon is not None and coupon.state == "used"


def test_a_second_payment_after_the_first_is_a_late_payment_to_refund(db: Any) -> None:
    order = _place(db)
    with db.unit_of_work() as uow:
        pay_order(uow, order.number, Money("125.90", "CNY"), payment_id="p-1", at=AT)
    with db.unit_of_work() as uow:
        left = pay_order(uow, order.number, Money("125.90", "CNY"), payment_id="p-2", at=AT)
    assert [(e.kind, e.payment_id) for e in left] == [(EffectKind.REFUND_PAYMENT, "p-2")]
    tea = db.inventory.get("TEA-1")
    assert tea is not None and tea.on_hand == 3  # committed once


def test_a_payment_racing_a_stale_read_loses_and_changes_nothing(db: Any) -> None:
    order = _place(db)
    stale = db.orders.get(order.number)
    with db.unit_of_work() as uow:
        pay_order(uow, order.number, Money("125.90", "CNY"), payment_id="p-1", at=AT)
    stale.cancel(at=AT, actor="buyer")
    with pytest.raises(ConflictError, match="version"):
        db.orders.save(stale, expected_version=0)
    assert db.orders.get(order.number).state == "paid"


def test_a_wrong_amount_or_an_unknown_order_changes_nothing(db: Any) -> None:
    order = _place(db)
    with pytest.raises(PaymentMismatchError), db.unit_of_work() as uow:
        pay_order(uow, order.number, Money("1.00", "CNY"), payment_id="p-1", at=AT)
    assert db.orders.get(order.number).state == "pending_payment"
    with pytest.raises(ConfigError, match="number"), db.unit_of_work() as uow:
        pay_order(uow, "NOPE", Money("1.00", "CNY"), payment_id="p-1", at=AT)


def test_the_sweep_cancels_unpaid_orders_at_their_timeout_and_gives_everything_back(
    db: Any,
) -> None:
    order = _place(db)
    with db.unit_of_work() as uow:
        assert cancel_due_orders(uow, AT + timedelta(minutes=29, seconds=59)) == []
    with db.unit_of_work() as uow:
        assert cancel_due_orders(uow, AT + timedelta(minutes=30)) == [order.number]
    stored = db.orders.get(order.number)
    assert stored is not None and stored.state == "cancelled"
    assert stored.lifecycle.events[-1].actor == "system"
    assert db.inventory.get("TEA-1").reserved == 0
    coupon = db.coupons.get("SAVE-1")
    assert coupon is not None and (coupon.state, coupon.order_number) == ("available", None)
    assert _points(db) == 800
    with db.unit_of_work() as uow:
        assert cancel_due_orders(uow, AT + timedelta(hours=2)) == []
    assert _points(db) == 800


def test_a_longer_payment_timeout_holds_the_stock_longer(db: Any) -> None:
    policy = OrderPolicy(payment_timeout=timedelta(hours=1))
    with db.unit_of_work() as uow:
        order = place_order(
            uow,
            contract_quote(),
            customer_id="c-1",
            at=AT,
            key="k",
            coupons=["SAVE-1"],
            policy=policy,
        )
    with db.unit_of_work() as uow:
        assert cancel_due_orders(uow, AT + timedelta(minutes=45), policy=policy) == []
    with db.unit_of_work() as uow:
        assert cancel_due_orders(uow, AT + timedelta(hours=1), policy=policy) == [order.number]
