"""Statements: a period's orders, payments and refunds, tied out, with what does not listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import mallcore
from mallcore.errors import ConfigError
from mallcore.money import Money
from mallcore.orders import Order, periods, statement

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"
_SCENARIO = mallcore.load_scenario(EXAMPLE)
QUOTE = mallcore.quote(_SCENARIO.cart, _SCENARIO.context)
DAY = (AT.replace(hour=0), AT.replace(hour=0) + timedelta(days=1))


def _order(n: int, *, paid: bool = True, at: datetime = AT) -> Order:
    order = Order.place(QUOTE, customer_id="u1", at=at, number=f"O-{n}", coupons=("SAVE10P",))
    if paid:
        order.pay(order.payable, payment_id=f"p-{n}", at=at + timedelta(minutes=5))
    return order


def _refund_one_of_c(order: Order, at: datetime) -> None:
    case = order.request_after_sale("C", kind="refund_only", reason="damaged", quantity=1, at=at)
    order.review_after_sale(case.id, approve=True, at=at)
    order.refund_after_sale(case.id, at=at)


def test_a_day_of_paid_orders_ties_out() -> None:
    orders = [_order(1), _order(2), _order(3, paid=False)]
    day = statement(orders, *DAY)
    total = QUOTE.total
    assert (day.orders, day.gmv, day.paid) == (2, total + total, total + total)
    assert day.refunded == Money("0.00", "CNY") and day.net_sales == day.paid
    assert day.points_redeemed == 2 * QUOTE.points_used
    assert day.coupons_used == 2
    discount = sum(
        (a.amount for a in QUOTE.adjustments if a.stage.value not in ("shipping", "tax")),
        Money("0.00", "CNY"),
    )
    assert sum(day.discounts.values(), Money("0.00", "CNY")) == discount + discount
    assert day.ties_out


def test_a_refund_counts_in_the_period_it_went_out_and_gmv_keeps_the_order() -> None:
    order = _order(1)
    _refund_one_of_c(order, AT + timedelta(days=1, hours=1))
    first = statement([order], *DAY)
    second = statement([order], DAY[1], DAY[1] + timedelta(days=1))
    refund = order.after_sales[0].refunded
    assert (first.gmv, first.refunded) == (QUOTE.total, Money("0.00", "CNY"))
    assert (second.orders, second.refunded.amount * 100) == (0, refund)
    assert second.net_sales == -second.refunded
    assert first.ties_out and second.ties_out


def test_a_late_payment_and_an_unknown_payment_are_mismatches() -> None:
    cancelled = _order(1, paid=False)
    cancelled.cancel(at=AT, actor="buyer")
    cancelled.pay(cancelled.payable, payment_id="late-1", at=AT + timedelta(minutes=1))
    reported = [("late-1", "O-1", cancelled.payable), ("ghost", None, Money("9.90", "CNY"))]
    day = statement([cancelled], *DAY, payments=reported)
    assert [(m.kind, m.reference) for m in day.mismatches] == [
        ("late_payment", "late-1"),
        ("unknown_payment", "ghost"),
    ]
    assert not day.ties_out


def test_a_statement_needs_an_aware_non_empty_period_in_one_currency() -> None:
    with pytest.raises(ConfigError):
        statement([], AT, AT)
    with pytest.raises(ConfigError):
        statement([], datetime(2026, 11, 11), AT)  # naive, on purpose
    with pytest.raises(ConfigError):
        statement([_order(1)], *DAY, currency="USD")


def test_periods_cut_days_weeks_and_months_in_the_shops_time_zone() -> None:
    cst = timezone(timedelta(hours=8))
    start, end = datetime(2026, 11, 30, 9, tzinfo=cst), datetime(2026, 12, 15, tzinfo=cst)
    weeks = list(periods(start, end, "week", zone=cst))
    assert weeks[0][0] == datetime(2026, 11, 30, tzinfo=cst)  # a Monday
    assert all(b - a == timedelta(days=7) for a, b in weeks)
    months = list(periods(start, end, "month", zone=cst))
    assert months == [
        (datetime(2026, 11, 1, tzinfo=cst), datetime(2026, 12, 1, tzinfo=cst)),
        (datetime(2026, 12, 1, tzinfo=cst), datetime(2027, 1, 1, tzinfo=cst)),
    ]
    assert len(list(periods(start, end, "day", zone=cst))) == 15  # 30 November to 14 December
    with pytest.raises(ConfigError):
        list(periods(start, end, "year", zone=cst))
