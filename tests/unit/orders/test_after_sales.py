"""After-sale cases: refunds that add up to what a line paid, freight only when the rules say so.

The order is the worked example of tests/examples (lines A ×2 paying 68.66 with
8.00 freight, B ×1 paying 25.62 with 4.00, C ×3 paying 58.22 with 15.00; 2,000
points redeemed, split 967 / 344 / 689 by the lines' points deductions).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mallcore
from mallcore.errors import AfterSaleWindowError, InvalidTransitionError
from mallcore.money import to_minor
from mallcore.orders import EffectKind, Order

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"
QUOTE = mallcore.quote(*(lambda s: (s.cart, s.context))(mallcore.load_scenario(EXAMPLE)))


def _paid(*, shipped: bool = False, delivered_at: datetime | None = None) -> Order:
    order = Order.place(QUOTE, customer_id="u1", at=AT, number="20261111120000ABCDEFGHJK")
    order.pay(order.payable, payment_id="p-1", at=AT)
    if shipped or delivered_at:
        order.ship(tracking_number="SF1", carrier="sf", at=AT + timedelta(hours=2))
    if delivered_at:
        order.deliver(at=delivered_at)
    return order


def _refund(order: Order, line: str, units: int, reason: str, kind: str = "refund_only") -> int:
    case = order.request_after_sale(
        line, kind=kind, reason=reason, quantity=units, at=order_now(order)
    )
    order.review_after_sale(case.id, approve=True, at=order_now(order))
    if kind == "return_and_refund":
        order.receive_return(case.id, at=order_now(order))
    (refund, *_) = order.refund_after_sale(case.id, at=order_now(order))
    assert refund.kind is EffectKind.REFUND_PAYMENT and refund.payment_id == "p-1"
    assert refund.amount is not None
    return int(refund.amount.amount * 100)


def order_now(order: Order) -> datetime:
    return AT + timedelta(days=3)


def test_a_partial_refund_before_shipment_refunds_the_items_only() -> None:
    order = _paid()
    # A: items 60.66 for 2 units (68.66 less 8.00 freight); one unit is 30.33.
    assert _refund(order, "A", 1, "other") == 3033
    assert order.state == "paid"


def test_refunding_the_whole_order_before_shipment_refunds_the_freight_and_closes_it() -> None:
    order = _paid()
    refunds = [_refund(order, "A", 2, "other"), _refund(order, "B", 1, "other")]
    refunds.append(_refund(order, "C", 3, "other"))
    assert refunds == [6066, 2162, 4322 + 800 + 400 + 1500]
    assert sum(refunds) == order.snapshot.total_minor
    assert order.state == "closed"
    assert order.refunded == order.payable


def test_a_no_reason_return_refunds_the_items_and_keeps_the_freight() -> None:
    order = _paid(delivered_at=AT + timedelta(days=1))
    assert _refund(order, "C", 3, "no_reason", "return_and_refund") == 5822 - 1500
    assert order.state == "delivered"


def test_a_seller_fault_refunds_the_freight_share_too() -> None:
    order = _paid(delivered_at=AT + timedelta(days=1))
    parts = [_refund(order, "C", 1, "damaged", "return_and_refund") for _ in range(3)]
    assert parts == [1941, 1940, 1941]
    assert sum(parts) == 5822  # exactly what the line paid


def test_the_no_reason_window_closes_seven_days_after_delivery() -> None:
    delivered = AT + timedelta(days=1)
    order = _paid(delivered_at=delivered)
    late = delivered + timedelta(days=7, seconds=1)
    with pytest.raises(AfterSaleWindowError, match="window closed"):
        order.request_after_sale(
            "A", kind="return_and_refund", reason="no_reason", quantity=1, at=late
        )
    assert order.after_sales == []
    case = order.request_after_sale(
        "A",
        kind="return_and_refund",
        reason="no_reason",
        quantity=1,
        at=late - timedelta(seconds=2),
    )
    assert case.state == "requested"


def test_a_return_needs_a_shipment_and_an_unpaid_order_has_no_after_sales() -> None:
    order = _paid()
    with pytest.raises(InvalidTransitionError, match="only 0 shipped unit"):
        order.request_after_sale("A", kind="return_and_refund", reason="damaged", quantity=1, at=AT)
    unpaid = Order.place(QUOTE, customer_id="u1", at=AT)
    with pytest.raises(InvalidTransitionError, match="only a paid order"):
        unpaid.request_after_sale("A", kind="refund_only", reason="other", quantity=1, at=AT)


def test_a_rejected_or_withdrawn_case_frees_its_units() -> None:
    order = _paid()
    case = order.request_after_sale("A", kind="refund_only", reason="other", quantity=2, at=AT)
    with pytest.raises(InvalidTransitionError, match="0 of the line not refunded or claimed"):
        order.request_after_sale("A", kind="refund_only", reason="other", quantity=1, at=AT)
    order.review_after_sale(case.id, approve=False, at=AT, reason="already packed")
    again = order.request_after_sale("A", kind="refund_only", reason="other", quantity=2, at=AT)
    order.withdraw_after_sale(again.id, at=AT)
    assert order.request_after_sale("A", kind="refund_only", reason="other", quantity=1, at=AT)


def test_a_refund_waits_for_approval_and_for_the_returned_parcel() -> None:
    order = _paid(delivered_at=AT + timedelta(days=1))
    case = order.request_after_sale(
        "B", kind="return_and_refund", reason="wrong_item", quantity=1, at=AT + timedelta(days=2)
    )
    with pytest.raises(InvalidTransitionError):
        order.refund_after_sale(case.id, at=AT)
    order.review_after_sale(case.id, approve=True, at=AT)
    assert case.state == "awaiting_return"
    with pytest.raises(InvalidTransitionError):
        order.refund_after_sale(case.id, at=AT)
    assert case.refunded == 0


def test_a_refund_returns_the_lines_redeemed_points_and_claws_back_what_it_earned() -> None:
    order = _paid()
    case = order.request_after_sale("A", kind="refund_only", reason="other", quantity=2, at=AT)
    order.review_after_sale(case.id, approve=True, at=AT)
    effects = order.refund_after_sale(case.id, at=AT)
    points = {e.kind: e.points for e in effects if e.kind.endswith("points")}
    assert points == {EffectKind.RETURN_POINTS: 967, EffectKind.CLAW_BACK_POINTS: 60}
    (rewards,) = (e for e in effects if e.kind is EffectKind.CLAW_BACK_REWARDS)
    # Growth value and brokerage are taken back on the items refunded, never on freight.
    assert (rewards.line_key, rewards.quantity, to_minor(rewards.amount)) == ("A", 2, 6066)
    with pytest.raises(InvalidTransitionError):  # refunding already
        order.refund_after_sale(case.id, at=AT)
    assert case.refunded == 6066


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["damaged", "no_reason"])),
        max_size=8,
    )
)
def test_successive_refunds_never_exceed_what_a_line_paid(
    requests: list[tuple[str, str]],
) -> None:
    order = _paid(delivered_at=AT + timedelta(days=1))
    for line_key, reason in requests:
        line = order.snapshot.line(line_key)
        if order._held_units(line_key) >= line.quantity:
            continue
        _refund(order, line_key, 1, reason, "return_and_refund")
    for line in order.snapshot.lines:
        cases = [c for c in order.after_sales if c.line_key == line.key]
        refunded = sum(c.refunded for c in cases)
        assert refunded <= line.paid
        if sum(c.quantity for c in cases) == line.quantity:
            freight = sum(c.freight_refunded for c in cases)
            assert refunded == line.items_paid + freight
            assert sum(c.points_returned for c in cases) == order._line_points(line.key)


def test_the_freight_of_an_order_refunded_before_shipment_counts_to_each_line() -> None:
    # The sequence Hypothesis found: B, A, then C in two cases, all before shipment. The
    # last refund pays back every line's freight; each line's refunds still equal what it paid.
    order = _paid()
    for line, units in (("B", 1), ("A", 2), ("C", 1), ("C", 2)):
        _refund(order, line, units, "no_reason")
    assert order.state == "closed"
    last = order.after_sales[-1]
    assert last.freight_refunded == sum(line.shipping for line in order.snapshot.lines)
    for line in order.snapshot.lines:
        items, freight = order.line_refunded(line.key)
        assert (items, freight) == (line.items_paid, line.shipping)
    assert to_minor(order.refunded) == order.snapshot.total_minor
