"""The best set of held coupons for a cart: exact, by branch and bound.

Stages 1-3 (list price, item price, promotions) do not depend on coupons, so
they run once; each candidate set then runs stages 4-8. Candidate sets obey
the class limit (at most ``max_coupons_per_class`` product, order and
shipping coupons, one each by default) and are applied in class order:
product, order, shipping; within a class, in the order they are held. Sets are explored by
decreasing upper bound on their saving (the sum of each coupon's discount on
its own, which no combination can exceed), and the search stops as soon as no
remaining set could beat the best found.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs

from mallcore.pricing.cart import Cart
from mallcore.pricing.context import PricingContext, TaxMode
from mallcore.pricing.coupon_stage import apply_coupons
from mallcore.pricing.pipeline import (
    BeforeCoupons,
    check_payable,
    price_before_coupons,
    price_from_coupons,
)
from mallcore.pricing.quote import Quote
from mallcore.promotions.coupons import Coupon, CouponClass, CouponKind

__all__ = ["BestCoupons", "best_coupons"]

_CLASS_ORDER = (CouponClass.PRODUCT, CouponClass.ORDER, CouponClass.SHIPPING)


@attrs.frozen
class BestCoupons:
    """The chosen codes (in the order they apply), the resulting quote, and the sets tried."""

    codes: tuple[str, ...]
    quote: Quote
    evaluated: int


def _expiry_key(coupons: Sequence[Coupon]) -> tuple[float, ...]:
    # Prefer using up the coupons that expire first: compare sorted expiry instants.
    return tuple(
        sorted(c.valid_until.timestamp() if c.valid_until else float("inf") for c in coupons)
    )


def _usable(
    priced: BeforeCoupons, context: PricingContext, held: Sequence[str]
) -> list[tuple[Coupon, int]]:
    """Held coupons that pass every check on their own, with an upper bound on their saving."""
    usable: list[tuple[Coupon, int]] = []
    for code in dict.fromkeys(held):
        coupon = context.coupons.get(code)
        if coupon is None:
            continue
        result = apply_coupons(
            [code],
            context.coupons,
            priced.sheet.copy(),
            context.rulebook,
            touched=priced.touched,
            at=context.at,
            rounding=context.rounding,
        )
        if result.rejected:
            continue
        if coupon.template.kind is CouponKind.SHIPPING:
            bound = coupon.template.amount_off_minor or 0
        else:
            bound = result.applied[0][1].discount if result.applied else 0
        usable.append((coupon, bound))
    return usable


def best_coupons(cart: Cart, context: PricingContext, held: Sequence[str]) -> BestCoupons:
    """The subset of *held* coupon codes that minimises what the cart pays.

    Obeys the class limit (``max_coupons_per_class``), combinability with promotions and
    thresholds. Ties prefer fewer coupons, then the coupons that expire
    first. The cart's own coupon list is ignored; its points request is kept.
    The result equals a brute-force search over all subsets applied in class
    order (product, order, shipping).

    Raises:
        ConfigError, CurrencyMismatchError, UndeliverableError: As :func:`~mallcore.pricing.quote`.
        ZeroPaymentError: If the best set leaves a zero total that the context forbids.
    """
    priced = price_before_coupons(cart, context)
    by_class: dict[CouponClass, list[tuple[Coupon, int]]] = {klass: [] for klass in _CLASS_ORDER}
    for coupon, bound in _usable(priced, context, held):
        by_class[coupon.coupon_class].append((coupon, bound))

    # Per class, every choice of up to max_coupons_per_class coupons, in held order.
    limit = context.max_coupons_per_class
    options = [
        [
            choice
            for size in range(min(limit, len(by_class[klass])) + 1)
            for choice in itertools.combinations(by_class[klass], size)
        ]
        for klass in _CLASS_ORDER
    ]
    candidates = []
    for combo in itertools.product(*options):
        chosen = [entry for choice in combo for entry in choice]
        bound = sum(entry[1] for entry in chosen)
        candidates.append((bound, [entry[0] for entry in chosen]))
    candidates.sort(key=lambda candidate: -candidate[0])

    # Added tax grows with the amount it is levied on, so a coupon can save more
    # than its face value there: the bound only holds for tax-inclusive prices.
    prune = context.tax.mode is TaxMode.INCLUSIVE
    best_quote = price_from_coupons(priced, context, [], cart.points)
    best_set: list[Coupon] = []
    baseline = best_quote.total_minor
    evaluated = 1
    for bound, coupons in candidates:
        if not coupons:
            continue
        if prune and baseline - bound > best_quote.total_minor:
            break  # sorted by bound: no remaining set can save enough to beat the best
        result = price_from_coupons(priced, context, [c.code for c in coupons], cart.points)
        evaluated += 1
        if _better(result, coupons, best_quote, best_set):
            best_quote, best_set = result, coupons
    check_payable(best_quote, context)
    return BestCoupons(tuple(c.code for c in best_set), best_quote, evaluated)


def _better(quote: Quote, coupons: list[Coupon], best: Quote, best_set: list[Coupon]) -> bool:
    if quote.total_minor != best.total_minor:
        return quote.total_minor < best.total_minor
    if len(coupons) != len(best_set):
        return len(coupons) < len(best_set)
    return _expiry_key(coupons) < _expiry_key(best_set)
