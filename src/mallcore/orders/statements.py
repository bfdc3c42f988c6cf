"""Statements: what a period's orders sold, took in, gave back and gave away, tied out.

A :class:`Statement` covers ``[start, end)``. An order counts in the period
in which it was paid (GMV counts placed-and-paid orders, refunds included);
refunds count in the period the refund went out. The totals must tie out:
``net_sales = paid - refunded`` and ``paid = gmv`` for the orders paid in the
period (a payment of another amount cannot be accepted). What does not tie
out is listed as a :class:`Mismatch`: a payment the shop received for no
known order, a late payment (after cancellation, or a second one) still
awaiting its refund.

:func:`periods` cuts a range into days, ISO weeks (Monday first) or months in
a given time zone.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, time, timedelta, tzinfo

import attrs
from dateutil.relativedelta import relativedelta

from mallcore.checks import check_choice, invalid
from mallcore.clock import aware
from mallcore.money import Currency, Money, from_minor, resolve_currency, to_minor
from mallcore.orders.order import Order

__all__ = ["Mismatch", "Period", "Statement", "periods", "statement"]


class Period(enum.StrEnum):
    """How :func:`periods` cuts time."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@attrs.frozen
class Mismatch:
    """Something that does not tie out: what, for which order or payment, and how much."""

    kind: str
    reference: str
    amount: Money
    detail: str = ""


@attrs.frozen
class Statement:
    """One period's figures, in the statement currency.

    Attributes:
        start: The first instant covered.
        end: The first instant not covered.
        orders: Orders paid in the period.
        gmv: What those orders came to (their payable amounts).
        paid: What the shop received for them.
        refunded: Refunds that went out in the period (whatever the order's period).
        net_sales: ``paid - refunded``.
        shipping: Freight the paid orders charged (after shipping discounts).
        discounts: Money taken off the paid orders, by adjustment source.
        points_redeemed: Points the paid orders used.
        points_earned: Points the paid orders earn.
        coupons_used: Coupon codes the paid orders used.
        mismatches: What does not tie out.
    """

    start: datetime
    end: datetime
    currency: Currency
    orders: int
    gmv: Money
    paid: Money
    refunded: Money
    net_sales: Money
    shipping: Money
    discounts: dict[str, Money]
    points_redeemed: int
    points_earned: int
    coupons_used: int
    mismatches: tuple[Mismatch, ...]

    @property
    def ties_out(self) -> bool:
        """Whether the figures agree and nothing is left unexplained."""
        return (
            not self.mismatches
            and self.net_sales == self.paid - self.refunded
            and self.paid == self.gmv
        )


def statement(
    orders: Iterable[Order],
    start: datetime,
    end: datetime,
    *,
    currency: str | Currency = "CNY",
    payments: Sequence[tuple[str, str | None, Money]] = (),
) -> Statement:
    """The statement of *orders* for ``[start, end)``.

    Args:
        orders: The orders to look at (any period; those outside are skipped).
        start: The first instant covered (timezone-aware).
        end: The first instant not covered.
        currency: The statement currency; orders in another are refused.
        payments: What the payment provider reports for the period, as
            ``(payment id, order number or None, amount)``; a payment naming no
            known order, or one the orders do not record, is a mismatch.

    Raises:
        ConfigError: A naive or empty period, or an order in another currency.
    """
    begin, finish = aware(start, field="start"), aware(end, field="end")
    if finish <= begin:
        raise invalid("end", finish.isoformat(), f"must be after start={begin.isoformat()}")
    cur = resolve_currency(currency)
    known = list(orders)
    by_number = {order.number: order for order in known}
    count = gmv = paid = refunded = shipping = redeemed = earned = coupons = 0
    discounts: dict[str, int] = {}
    mismatches: list[Mismatch] = []
    for order in known:
        if order.snapshot.currency != cur:
            raise invalid(
                "orders", order.number, f"is in {order.snapshot.currency.code}, not {cur.code}"
            )
        for case in order.after_sales:
            refund = case.lifecycle.last("refund")  # a case is refunded once
            if refund is not None and begin <= refund.at < finish:
                refunded += case.refunded
        for payment in order.payments:
            if payment.late and begin <= payment.at < finish:
                mismatches.append(
                    Mismatch(
                        "late_payment",
                        payment.payment_id,
                        payment.amount,
                        f"order {order.number} is {order.state}: refund it",
                    )
                )
        paid_event = order.lifecycle.last("pay")  # an order is paid once
        if paid_event is None or not begin <= paid_event.at < finish:
            continue
        count += 1
        gmv += order.snapshot.total_minor
        paid += sum(to_minor(p.amount) for p in order.payments if not p.late)
        shipping += sum(line.shipping for line in order.snapshot.lines)
        redeemed += order.points_used
        earned += sum(line.points_earned for line in order.snapshot.lines)
        coupons += len(order.coupons)
        for adjustment in order.snapshot.adjustments:
            if adjustment.stage in ("shipping", "tax"):
                continue
            discounts[adjustment.source] = discounts.get(adjustment.source, 0) + adjustment.amount
    for payment_id, number, amount in payments:
        found = by_number.get(number) if number else None
        recorded = found is not None and any(p.payment_id == payment_id for p in found.payments)
        if not recorded:
            detail = "no known order" if found is None else f"not recorded on order {number}"
            mismatches.append(Mismatch("unknown_payment", payment_id, amount, detail))

    def money(units: int) -> Money:
        return from_minor(units, cur)

    return Statement(
        start=begin,
        end=finish,
        currency=cur,
        orders=count,
        gmv=money(gmv),
        paid=money(paid),
        refunded=money(refunded),
        net_sales=money(paid - refunded),
        shipping=money(shipping),
        discounts={source: money(units) for source, units in discounts.items()},
        points_redeemed=redeemed,
        points_earned=earned,
        coupons_used=coupons,
        mismatches=tuple(mismatches),
    )


def periods(
    start: datetime, end: datetime, every: Period | str, *, zone: tzinfo
) -> Iterator[tuple[datetime, datetime]]:
    """``[start, end)`` cut into whole days, ISO weeks or months of *zone*.

    The first period starts at the beginning of the day, week or month that
    holds *start*; the last one ends after *end*.

    >>> from datetime import timezone
    >>> cst = timezone(timedelta(hours=8))
    >>> [(a.day, b.day) for a, b in periods(datetime(2026, 11, 30, 9, tzinfo=cst),
    ...                                     datetime(2026, 12, 2, tzinfo=cst), "day", zone=cst)]
    [(30, 1), (1, 2)]
    """
    unit = check_choice("every", every, Period)
    local = aware(start, field="start").astimezone(zone)
    finish = aware(end, field="end")
    day = datetime.combine(local.date(), time(), tzinfo=zone)
    if unit is Period.WEEK:
        cursor = day - timedelta(days=day.weekday())
        step = relativedelta(weeks=1)
    elif unit is Period.MONTH:
        cursor = day.replace(day=1)
        step = relativedelta(months=1)
    else:
        cursor = day
        step = relativedelta(days=1)
    while cursor < finish:
        following = cursor + step
        yield cursor, following
        cursor = following
