"""Re-price a history under one or more rule sets: one row per cart, and summaries.

Each cart is priced exactly as :func:`price_cart` prices it alone: its
context comes from the rule set (built once per rule set) with the cart's
time, buyer, address and held coupons, and the buyer uses the best
combination of the coupons they hold (:func:`~mallcore.pricing.best_coupons`,
as a checkout that picks coupons for the customer does), or the coupons as
listed with ``coupons="listed"``. A cart a rule set refuses (an undeliverable
address, a SKU it no longer sells) gets ``ok = false`` and the error, and the
run goes on.

The result table has, per cart, ``cart_id``, ``row``, ``at`` (UTC), ``day``
(the UTC date), ``customer_id`` and ``currency``, then for each rule set ``N``
the columns ``N.ok``, ``N.error`` and the amounts in minor units
``N.total``, ``N.list_subtotal``, ``N.discount`` (every discount, freight
waived included), ``N.item_discount``, ``N.promotion_discount``,
``N.coupon_discount``, ``N.points_deduction``, ``N.shipping``,
``N.shipping_discount``, ``N.tax``; the points ``N.points_used`` and
``N.points_earned``; ``N.coupons`` (the codes used, ``;``-separated),
``N.applied`` (``source=amount`` of every adjustment) and ``N.rejected``
(``source:reason``). For each rule set after the first, ``A-N.total``,
``A-N.discount`` and ``A-N.shipping`` are the first's amounts minus its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any, Literal

from mallcore.errors import MallcoreError
from mallcore.pricing.best import best_coupons
from mallcore.pricing.pipeline import quote as price
from mallcore.pricing.quote import Quote, Stage
from mallcore.pricing.ruleset import RuleSet
from mallcore.whatif.history import HistoryCart

__all__ = ["AMOUNTS", "CouponChoice", "price_cart", "result_rows"]

#: How a cart uses the coupons its buyer holds.
CouponChoice = Literal["best", "listed"]

#: The amount columns of each rule set, in minor units.
AMOUNTS = (
    "total",
    "list_subtotal",
    "discount",
    "item_discount",
    "promotion_discount",
    "coupon_discount",
    "points_deduction",
    "shipping",
    "shipping_discount",
    "tax",
)


def price_cart(rules: RuleSet, cart: HistoryCart, *, coupons: CouponChoice = "best") -> Quote:
    """Price one history cart under *rules*, as the engine does for every cart.

    Raises:
        MallcoreError: The rule set refuses the cart (the run records it).
    """
    context = rules.context(
        at=cart.at, customer=cart.customer, ship_to=cart.ship_to, held=cart.held
    )
    usable = tuple(code for code in cart.held if code in rules.coupons)
    if coupons == "best" and usable:
        return best_coupons(cart.cart, context, usable).quote
    listed = type(cart.cart)(cart.cart.lines, usable, cart.cart.points)
    return price(listed, context)


def _amounts(quote: Quote) -> dict[str, int]:
    c = quote.columns
    shipping = sum(a.amount_minor for a in quote.adjustments if a.stage is Stage.SHIPPING)
    waived = sum(a.amount_minor for a in quote.adjustments if a.stage is Stage.SHIPPING_DISCOUNT)
    item, promotion = sum(c.item_discount), sum(c.promotion_discount)
    coupon, points = sum(c.coupon_discount), sum(c.points_deduction)
    return {
        "total": sum(c.paid),
        "list_subtotal": sum(c.list_subtotal),
        "discount": item + promotion + coupon + points + waived,
        "item_discount": item,
        "promotion_discount": promotion,
        "coupon_discount": coupon,
        "points_deduction": points,
        "shipping": shipping,
        "shipping_discount": waived,
        "tax": sum(c.tax),
    }


def _outcome(name: str, rules: RuleSet, cart: HistoryCart, choice: CouponChoice) -> dict[str, Any]:
    try:
        quote = price_cart(rules, cart, coupons=choice)
    except MallcoreError as exc:
        empty: dict[str, Any] = dict.fromkeys((f"{name}.{a}" for a in AMOUNTS), None)
        return {
            f"{name}.ok": False,
            f"{name}.error": f"{type(exc).__name__}: {' '.join(str(exc).split())}",
            **empty,
            f"{name}.points_used": None,
            f"{name}.points_earned": None,
            f"{name}.coupons": None,
            f"{name}.applied": None,
            f"{name}.rejected": None,
        }
    used = sorted(
        {
            a.source.removeprefix("coupon:")
            for a in quote.adjustments
            if a.source.startswith("coupon:")
        }
    )
    return {
        f"{name}.ok": True,
        f"{name}.error": None,
        **{f"{name}.{key}": value for key, value in _amounts(quote).items()},
        f"{name}.points_used": quote.points_used,
        f"{name}.points_earned": sum(quote.columns.points_earned),
        f"{name}.coupons": ";".join(used),
        f"{name}.applied": ";".join(f"{a.source}={a.amount_minor}" for a in quote.adjustments),
        f"{name}.rejected": ";".join(f"{r.source}:{r.reason.value}" for r in quote.rejected),
    }


def result_rows(
    carts: Iterable[HistoryCart], rule_sets: Sequence[RuleSet], *, coupons: CouponChoice = "best"
) -> list[dict[str, Any]]:
    """One result row per cart (see the module notes for the columns)."""
    names = [rules.name for rules in rule_sets]
    rows = []
    for cart in carts:
        at = cart.at.astimezone(UTC)
        row: dict[str, Any] = {
            "cart_id": cart.cart_id,
            "row": cart.row,
            "at": at,
            "day": at.date(),
            "customer_id": cart.customer.id,
            "currency": rule_sets[0].currency.code,
        }
        for name, rules in zip(names, rule_sets, strict=True):
            row.update(_outcome(name, rules, cart, coupons))
        first = names[0]
        for name in names[1:]:
            for amount in ("total", "discount", "shipping"):
                a, b = row[f"{first}.{amount}"], row[f"{name}.{amount}"]
                row[f"{first}-{name}.{amount}"] = None if a is None or b is None else a - b
        rows.append(row)
    return rows
