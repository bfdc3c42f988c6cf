"""Stage 4 of the quote: coupons, in the order the cart lists them.

Checks run in a fixed order and the first failure is the rejection reason:
validity window, scope, class limit, combinability with promotions, threshold.
Shipping coupons pass the same checks here and are applied to freight in
stage 6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from mallcore.money import RoundingPolicy
from mallcore.promotions.benefits import Outcome, allocate_over, percent_of
from mallcore.promotions.coupons import Coupon, CouponClass, CouponKind
from mallcore.promotions.lines import Lines

__all__ = ["CouponResult", "coupon_discount", "run_coupons"]


@attrs.frozen
class CouponResult:
    """Coupons applied in stage 4, shipping coupons accepted for stage 6, and rejections."""

    applied: tuple[tuple[Coupon, Outcome], ...]
    shipping: tuple[tuple[Coupon, tuple[int, ...]], ...]
    rejected: tuple[tuple[str, str, int | None], ...]


def coupon_discount(coupon: Coupon, base: int, rounding: RoundingPolicy) -> int:
    """What *coupon* takes off an in-scope amount of *base* minor units (capped at *base*)."""
    template = coupon.template
    if template.kind is CouponKind.PERCENT_OFF:
        discount = percent_of(base, template.percent_off or Decimal(0), rounding)
        if template.max_discount_minor is not None:
            discount = min(discount, template.max_discount_minor)
    else:
        discount = template.amount_off_minor or 0
    return max(0, min(discount, base))


def run_coupons(
    codes: Sequence[str],
    coupons: Mapping[str, Coupon],
    lines: Lines,
    *,
    touched: set[int],
    at: datetime,
    rounding: RoundingPolicy,
    max_per_class: int = 1,
) -> CouponResult:
    """Apply the cart's coupon *codes* to *lines* (mutated in place).

    Args:
        codes: Coupon codes in cart order.
        coupons: The customer's coupons by code.
        lines: Working state after stage 3.
        touched: Lines that a stage-3 promotion discounted.
        at: The pricing instant (coupon windows include both ends).
        rounding: For percent coupons (rounded once on the in-scope total).
        max_per_class: Coupons allowed per class (product, order, shipping).
    """
    after_promotions = list(lines.amount)
    used: dict[CouponClass, int] = {}
    applied: list[tuple[Coupon, Outcome]] = []
    shipping: list[tuple[Coupon, tuple[int, ...]]] = []
    rejected: list[tuple[str, str, int | None]] = []
    for code in codes:
        coupon = coupons.get(code)
        if coupon is None:
            rejected.append((f"coupon:{code}", "not_found", None))
            continue
        template = coupon.template
        state = coupon.validity_state(at)
        if state != "active":
            rejected.append((coupon.source, state, None))
            continue
        in_scope = lines.in_scope(coupon.source, template.scope)
        is_shipping = template.kind is CouponKind.SHIPPING
        ok = lines.coupons_ok
        indices = in_scope if is_shipping or False not in ok else [i for i in in_scope if ok[i]]
        if not indices:
            rejected.append((coupon.source, "activity_line" if in_scope else "out_of_scope", None))
            continue
        klass = coupon.coupon_class
        if used.get(klass, 0) >= max_per_class:
            rejected.append((coupon.source, "not_combinable", None))
            continue
        if not template.stack_with_promotions and touched.intersection(indices):
            rejected.append((coupon.source, "not_combinable", None))
            continue
        threshold_base = sum(lines.pick(after_promotions, indices))
        if template.min_spend_minor is not None and template.kind is not CouponKind.NO_THRESHOLD:
            need = template.min_spend_minor
            if threshold_base < need:
                rejected.append((coupon.source, "below_threshold", need - threshold_base))
                continue
        if is_shipping:
            used[klass] = used.get(klass, 0) + 1
            shipping.append((coupon, tuple(indices)))
            continue
        base = sum(lines.amounts_of(indices))
        discount = coupon_discount(coupon, base, rounding)
        if discount <= 0:
            rejected.append((coupon.source, "nothing_to_discount", None))
            continue
        used[klass] = used.get(klass, 0) + 1
        outcome = Outcome(discount, allocate_over(discount, lines, indices), base=base)
        for i, part in outcome.shares:
            lines.amount[i] -= part
        applied.append((coupon, outcome))
    return CouponResult(tuple(applied), tuple(shipping), tuple(rejected))
