"""Stage 4 of the quote: coupons, in the order the cart lists them.

Checks run in a fixed order and the first failure is the rejection reason:
held at all, validity window, scope (and activity lines), class limit,
combinability with promotions, threshold. The threshold compares the
in-scope lines after stage 3. Shipping coupons pass the same checks here and
are applied to freight in stage 6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from mallcore.money import RoundingPolicy
from mallcore.pricing.rulebook import RuleBook
from mallcore.pricing.sheet import PriceSheet
from mallcore.promotions.benefit import Outcome, allocate_over
from mallcore.promotions.coupons import Coupon, CouponClass, CouponKind
from mallcore.promotions.reasons import Reason

__all__ = ["CouponsApplied", "apply_coupons"]


@attrs.frozen
class CouponsApplied:
    """Coupons applied in stage 4, shipping coupons accepted for stage 6, and rejections."""

    applied: tuple[tuple[Coupon, Outcome], ...]
    shipping: tuple[tuple[Coupon, tuple[int, ...]], ...]
    rejected: tuple[tuple[str, Reason, int | None], ...]


def apply_coupons(
    codes: Sequence[str],
    coupons: Mapping[str, Coupon],
    sheet: PriceSheet,
    book: RuleBook,
    *,
    touched: frozenset[int],
    at: datetime,
    rounding: RoundingPolicy,
    max_per_class: int = 1,
) -> CouponsApplied:
    """Apply the cart's coupon *codes* to *sheet* (changed in place).

    Args:
        codes: Coupon codes in cart order.
        coupons: The customer's coupons by code.
        sheet: The price sheet after stage 3.
        book: The context's compiled rules (for scope lookups).
        touched: Lines that a stage-3 promotion discounted.
        at: The pricing instant (coupon windows include both ends).
        rounding: For percent coupons (rounded once on the in-scope total).
        max_per_class: Coupons allowed per class (product, order, shipping).
    """
    after_promotions = list(sheet.amount)
    used: dict[CouponClass, int] = {}
    applied: list[tuple[Coupon, Outcome]] = []
    shipping: list[tuple[Coupon, tuple[int, ...]]] = []
    rejected: list[tuple[str, Reason, int | None]] = []
    keys, scoped, ok, amount = sheet.keys, sheet.scoped, sheet.coupons_ok, sheet.amount
    for code in codes:
        coupon = coupons.get(code)
        if coupon is None:
            rejected.append((f"coupon:{code}", Reason.NOT_FOUND, None))
            continue
        template = coupon.template
        reason = coupon.closed_reason(at)
        if reason is not None:
            rejected.append((coupon.source, reason, None))
            continue
        in_scope = book.in_scope(coupon.source, template.scope, keys, scoped)
        is_shipping = template.kind is CouponKind.SHIPPING
        indices = in_scope if is_shipping or False not in ok else [i for i in in_scope if ok[i]]
        if not indices:
            reason = Reason.ACTIVITY_LINE if in_scope else Reason.OUT_OF_SCOPE
            rejected.append((coupon.source, reason, None))
            continue
        klass = coupon.coupon_class
        if used.get(klass, 0) >= max_per_class:
            rejected.append((coupon.source, Reason.NOT_COMBINABLE, None))
            continue
        if not template.stack_with_promotions and touched.intersection(indices):
            rejected.append((coupon.source, Reason.NOT_COMBINABLE, None))
            continue
        if template.kind is not CouponKind.NO_THRESHOLD:
            shortfall = template.shortfall(sum([after_promotions[i] for i in indices]))
            if shortfall is not None:
                rejected.append((coupon.source, Reason.BELOW_THRESHOLD, shortfall))
                continue
        if is_shipping:
            used[klass] = used.get(klass, 0) + 1
            shipping.append((coupon, tuple(indices)))
            continue
        base = sum([amount[i] for i in indices])
        discount = template.discount(base, rounding)
        if discount <= 0:
            rejected.append((coupon.source, Reason.NOTHING_TO_DISCOUNT, None))
            continue
        used[klass] = used.get(klass, 0) + 1
        outcome = Outcome(discount, allocate_over(discount, sheet, indices), base=base)
        for i, part in outcome.shares:
            amount[i] -= part
        applied.append((coupon, outcome))
    return CouponsApplied(tuple(applied), tuple(shipping), tuple(rejected))
