"""The order aggregate: place, pay, ship, deliver, confirm, cancel; timeouts as due actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import mallcore
from mallcore.errors import ConfigError, InvalidTransitionError, PaymentMismatchError
from mallcore.money import Money
from mallcore.orders import EffectKind, Order, OrderPolicy, due_actions
from mallcore.shipping.carriers import TrackingEvent, TrackingStatus

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"


def _order(**kwargs: object) -> Order:
    scenario = mallcore.load_scenario(EXAMPLE)
    quote = mallcore.quote(scenario.cart, scenario.context)
    return Order.place(
        quote,
        customer_id="c-1",
        at=AT,
        number="20261111120000ABCDEFGHJK",
        reservation_id="r-1",
        coupons=("SAVE10",),
        **kwargs,  # type: ignore[arg-type]
    )


def _state(order: Order) -> tuple[str, int, int, int]:
    return order.state, order.version, len(order.payments), len(order.shipments)


def test_a_placed_order_waits_for_its_payable_amount() -> None:
    order = _order()
    assert (order.state, order.version) == ("pending_payment", 0)
    assert order.payable == order.snapshot.total
    assert order.payable.amount > 0


def test_paying_the_payable_amount_pays_and_commits_stock_and_coupons() -> None:
    order = _order()
    effects = order.pay(order.payable, payment_id="p-1", at=AT + timedelta(minutes=3))
    assert order.state == "paid"
    assert [e.kind for e in effects] == [EffectKind.COMMIT_STOCK, EffectKind.USE_COUPONS]
    assert effects[0].reservation_id == "r-1" and effects[1].coupons == ("SAVE10",)


@pytest.mark.parametrize("delta", ["0.01", "-0.01"])
def test_a_payment_of_another_amount_is_refused_and_changes_nothing(delta: str) -> None:
    order = _order()
    before = _state(order)
    wrong = Money(order.payable.amount + Money(delta, "CNY").amount, "CNY")
    with pytest.raises(PaymentMismatchError):
        order.pay(wrong, payment_id="p-1", at=AT)
    assert _state(order) == before


def test_a_payment_in_another_currency_is_refused() -> None:
    order = _order()
    with pytest.raises(PaymentMismatchError):
        order.pay(Money(order.payable.amount, "USD"), payment_id="p-1", at=AT)
    assert order.state == "pending_payment"


def test_the_same_notification_twice_pays_once() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT, key="n-1")
    assert order.pay(order.payable, payment_id="p-1", at=AT, key="n-1") == []
    assert order.pay(order.payable, payment_id="p-1", at=AT) == []
    assert (order.version, len(order.payments)) == (1, 1)


def test_a_payment_after_cancellation_is_kept_and_flagged_for_refund() -> None:
    order = _order()
    order.cancel(at=AT, actor="buyer")
    effects = order.pay(order.payable, payment_id="p-late", at=AT + timedelta(minutes=1))
    assert order.state == "cancelled"
    assert [(e.kind, e.payment_id, e.amount) for e in effects] == [
        (EffectKind.REFUND_PAYMENT, "p-late", order.payable)
    ]
    assert order.refund_due() == order.payable
    assert order.pay(order.payable, payment_id="p-late", at=AT) == []  # not twice


def test_a_second_payment_of_a_paid_order_is_kept_and_flagged_for_refund() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    effects = order.pay(order.payable, payment_id="p-2", at=AT)
    assert [e.kind for e in effects] == [EffectKind.REFUND_PAYMENT]
    assert (order.state, order.version) == ("paid", 1)


def test_cancelling_gives_back_stock_coupons_and_points_once() -> None:
    order = _order()
    effects = order.cancel(at=AT, actor="seller", reason="out of stock", key="c-1")
    assert [e.kind for e in effects][:2] == [EffectKind.RELEASE_STOCK, EffectKind.UNLOCK_COUPONS]
    assert order.lifecycle.events[-1].reason == "out of stock"
    assert order.cancel(at=AT, actor="seller", key="c-1") == []
    with pytest.raises(InvalidTransitionError):
        order.cancel(at=AT, actor="buyer")


def test_a_paid_order_cannot_be_cancelled() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    with pytest.raises(InvalidTransitionError):
        order.cancel(at=AT, actor="buyer")


def test_partial_then_full_shipment_then_delivery_and_confirmation() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    first = order.snapshot.lines[0]
    order.ship(tracking_number="SF1", carrier="sf", at=AT, lines={first.key: 1})
    assert order.state == (
        "partially_shipped" if len(order.snapshot.lines) > 1 or first.quantity > 1 else "shipped"
    )
    order.ship(tracking_number="SF2", carrier="sf", at=AT + timedelta(hours=1))
    assert order.state == "shipped"
    assert order.shipped_units() == {line.key: line.quantity for line in order.snapshot.lines}
    order.deliver(at=AT + timedelta(days=2))
    order.confirm(at=AT + timedelta(days=3))
    assert order.state == "completed"


def test_shipping_more_than_is_left_is_refused_and_changes_nothing() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    line = order.snapshot.lines[0]
    before = _state(order)
    with pytest.raises(ConfigError, match="left to send"):
        order.ship(tracking_number="SF1", carrier="sf", at=AT, lines={line.key: line.quantity + 1})
    with pytest.raises(ConfigError, match="not a line"):
        order.ship(tracking_number="SF1", carrier="sf", at=AT, lines={"nope": 1})
    assert _state(order) == before


def test_an_unpaid_order_cannot_ship() -> None:
    order = _order()
    with pytest.raises(InvalidTransitionError):
        order.ship(tracking_number="SF1", carrier="sf", at=AT)
    assert order.shipments == []


def test_the_payment_timeout_is_a_due_cancel_and_firing_it_twice_is_once() -> None:
    order = _order()
    assert due_actions(order, AT + timedelta(minutes=29)) == []
    (due,) = due_actions(order, AT + timedelta(minutes=30))
    assert (due.action, due.due_at) == ("cancel", AT + timedelta(minutes=30))
    assert order.cancel(at=due.due_at, actor="system", key=due.key)
    assert order.cancel(at=due.due_at, actor="system", key=due.key) == []
    assert due_actions(order, AT + timedelta(days=1)) == []


def test_a_delivered_order_is_completed_ten_days_after_delivery() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    order.ship(tracking_number="SF1", carrier="sf", at=AT)
    order.deliver(at=AT + timedelta(days=2))
    assert due_actions(order, AT + timedelta(days=12) - timedelta(seconds=1)) == []
    (due,) = due_actions(order, AT + timedelta(days=12))  # due at exactly its boundary
    assert (due.action, due.due_at) == ("auto_confirm", AT + timedelta(days=12))
    order.auto_confirm(at=due.due_at, key=due.key)
    order.auto_confirm(at=due.due_at, key=due.key)  # a scheduler firing twice
    assert (order.state, order.version) == ("completed", 4)


def test_a_shipped_order_never_delivered_completes_ten_days_after_its_last_parcel() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    order.ship(tracking_number="SF1", carrier="sf", at=AT + timedelta(days=1))
    (due,) = due_actions(order, AT + timedelta(days=11))
    assert due.due_at == AT + timedelta(days=11)
    order.auto_confirm(at=due.due_at, key=due.key)
    assert order.state == "completed"


def _free_quote() -> mallcore.Quote:
    scenario = mallcore.load_scenario(
        {
            "currency": "CNY",
            "at": "2026-11-11T20:00:00+08:00",
            "allow_zero_payment": True,
            "catalog": {"products": [{"id": "gift", "skus": [{"sku": "G", "price": "0.00"}]}]},
            "cart": {"lines": [{"sku": "G", "quantity": 1}]},
        }
    )
    return mallcore.quote(scenario.cart, scenario.context)


def test_a_zero_total_goes_straight_to_paid_only_when_the_policy_allows() -> None:
    quote = _free_quote()
    assert quote.total_minor == 0
    with pytest.raises(ConfigError) as info:
        Order.place(quote, customer_id="c-1", at=AT)
    assert info.value.field == "total"
    order = Order.place(
        quote, customer_id="c-1", at=AT, policy=OrderPolicy(allow_zero_payment=True)
    )
    assert (order.state, order.lifecycle.events[0].reason) == ("paid", "nothing to pay")


def test_the_policy_refuses_non_positive_timeouts() -> None:
    with pytest.raises(ConfigError) as info:
        OrderPolicy(payment_timeout=timedelta(0))
    assert info.value.field == "payment_timeout"


def _scan(tracking_no: str, status: str, hours: int, event_id: str) -> TrackingEvent:
    return TrackingEvent(
        tracking_no, TrackingStatus(status), AT + timedelta(hours=hours), event_id=event_id
    )


def _two_parcels() -> Order:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    first = order.snapshot.lines[0]
    order.ship(tracking_number="SF1", carrier="sf", at=AT, lines={first.key: 1})
    order.ship(tracking_number="SF2", carrier="sf", at=AT + timedelta(hours=1))
    return order


def test_the_order_is_delivered_when_the_carrier_says_every_parcel_is() -> None:
    order = _two_parcels()
    scans = [_scan("SF1", "accepted", 1, "a1"), _scan("SF1", "delivered", 30, "a2")]
    assert order.track(scans) is None  # SF2 has not arrived
    assert order.state == "shipped"
    scans += [_scan("SF2", "delivered", 40, "b2"), _scan("SF2", "in_transit", 50, "b1")]
    event = order.track(reversed(scans))  # a late hub scan does not undo the delivery
    assert event is not None and event.actor == "carrier"
    delivered = order.lifecycle.last("deliver")
    assert delivered is not None and delivered.at == AT + timedelta(hours=40)
    assert order.state == "delivered"
    version = order.version
    assert order.track(scans) == event  # the same scans again: one delivery
    assert order.version == version


def test_a_parcel_sent_back_does_not_deliver_the_order() -> None:
    order = _two_parcels()
    scans = [
        _scan("SF1", "delivered", 30, "a1"),
        _scan("SF2", "delivered", 30, "b1"),
        _scan("SF2", "returned", 31, "b2"),
    ]
    assert order.track(scans) is None
    assert order.state == "shipped"


def test_scans_of_a_parcel_the_order_did_not_send_are_refused() -> None:
    order = _two_parcels()
    with pytest.raises(ConfigError, match="tracking_no='XX9' is not a parcel of the order"):
        order.track([_scan("XX9", "delivered", 30, "x")])
    assert order.state == "shipped"


def test_a_partly_shipped_order_is_not_delivered_by_its_first_parcel() -> None:
    order = _order()
    order.pay(order.payable, payment_id="p-1", at=AT)
    first = order.snapshot.lines[0]
    order.ship(tracking_number="SF1", carrier="sf", at=AT, lines={first.key: 1})
    assert order.state == "partially_shipped"
    assert order.track([_scan("SF1", "delivered", 30, "a1")]) is None
    assert order.state == "partially_shipped"
