"""Stage 6 of the quote: freight and what waives it.

Freight by template (split over each template's lines by their charged
value), then free-shipping promotions (满包邮), the tier's free shipping and
shipping coupons. Free-shipping thresholds compare the net item amount after
coupons (before points); gift lines take no freight.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from mallcore.money import RoundingPolicy
from mallcore.pricing.quote import Adjustment, Rejection, Stage
from mallcore.pricing.rulebook import RuleBook
from mallcore.pricing.sheet import PriceSheet, split
from mallcore.promotions.coupons import Coupon
from mallcore.promotions.reasons import Reason
from mallcore.shipping.freight import Combine, TemplateLoad, split_fee, template_fees
from mallcore.shipping.regions import region_ancestors
from mallcore.shipping.templates import FreightTemplate, charged_values

__all__ = ["charge_shipping"]


def _charge_freight(
    sheet: PriceSheet,
    book: RuleBook,
    templates: Mapping[str, FreightTemplate],
    region: str,
    combine: Combine,
    after_coupons: Sequence[int],
    adjustments: list[Adjustment],
) -> None:
    """Freight per template, split over its lines by charged value (adds ``freight:`` adjustments).

    A template's fee depends only on its lines' total pieces, weight, volume
    and amount, so each template goes to :func:`template_fees` as one
    :class:`TemplateLoad` and its fee is split here with :func:`split_fee`.
    """
    qty, keys = sheet.qty, sheet.keys
    n = sheet.cart_lines
    facts = list(map(book.skus.__getitem__, keys[:n]))  # stage 1 noted every cart SKU
    # Per template: its lines' positions, pieces, weights and volumes (10⁻⁹ units).
    lines: defaultdict[str | None, list[tuple[int, int, int, int]]] = defaultdict(list)
    for i, (_, _, template_id, weight, volume) in enumerate(facts):
        quantity = qty[i]
        lines[template_id].append((i, quantity, quantity * weight, quantity * volume))
    groups = {template_id: members for template_id, members in lines.items() if template_id}
    if not groups:
        region_ancestors(region)  # an invalid region is an error even for a free cart
        return
    columns = [tuple(zip(*members, strict=True)) for members in groups.values()]
    loads = [
        TemplateLoad(
            template_id,
            keys[index[0]],
            sum(pieces),
            sum(weights),
            sum(volumes),
            sum([after_coupons[i] for i in index]),
        )
        for template_id, (index, pieces, weights, volumes) in zip(groups, columns, strict=True)
    ]
    fees = template_fees(loads, templates, region, currency=sheet.currency, combine=combine)
    freight = sheet.freight
    for template_id, (index, pieces, weights, volumes), fee in zip(
        groups, columns, fees, strict=True
    ):
        if not fee:
            continue
        charged = charged_values(templates[template_id].charge_by, pieces, weights, volumes)
        parts = split_fee(fee, charged, pieces)
        shares = [(i, part) for i, part in zip(index, parts, strict=True) if part]
        for i, part in shares:
            freight[i] += part
        adjustments.append(sheet.adjust(f"freight:{template_id}", Stage.SHIPPING, shares))


def charge_shipping(
    sheet: PriceSheet,
    book: RuleBook,
    *,
    templates: Mapping[str, FreightTemplate],
    region: str | None,
    combine: Combine,
    rounding: RoundingPolicy,
    after_coupons: Sequence[int],
    shipping_coupons: Sequence[tuple[Coupon, tuple[int, ...]]],
) -> tuple[list[Adjustment], list[Rejection]]:
    """Stage 6 on *sheet* (in place): freight, 满包邮, tier free shipping, shipping coupons."""
    adjustments: list[Adjustment] = []
    rejected: list[Rejection] = []
    currency = book.currency
    if region is not None and sheet.cart_lines:
        _charge_freight(sheet, book, templates, region, combine, after_coupons, adjustments)
    freight, waived_so_far = sheet.freight, sheet.shipping_discount

    def waive(source: str, shares: Sequence[tuple[int, int]]) -> None:
        for i, part in shares:
            waived_so_far[i] += part
        adjustments.append(sheet.adjust(source, Stage.SHIPPING_DISCOUNT, shares))

    keys, scoped, qty = sheet.keys[: sheet.cart_lines], sheet.scoped, sheet.qty
    for promotion, benefit, closed in book.shipping_rules:
        reason, shortfall = closed, None
        indices: list[int] = []
        if reason is None:
            indices = book.in_scope(promotion.source, promotion.scope, keys, scoped)
            if not indices:
                reason = Reason.OUT_OF_SCOPE
        if reason is None:
            reason, shortfall = benefit.qualifies(
                amount=sum([after_coupons[i] for i in indices]),
                quantity=sum([qty[i] for i in indices]),
                region=region,
            )
        if reason is None:
            waived = [(i, freight[i] - waived_so_far[i]) for i in indices]
            waived = [(i, part) for i, part in waived if part > 0]
            if waived:
                waive(promotion.source, waived)
                continue
            reason = Reason.NO_FREIGHT
        rejected.append(Rejection(promotion.source, reason, shortfall, currency))

    tier = book.tier
    if tier is not None and tier.free_shipping:
        left = [(i, freight[i] - waived_so_far[i]) for i in range(len(freight))]
        waived = [(i, part) for i, part in left if part > 0]
        if waived:
            waive(f"member:{tier.id}", waived)

    for coupon, coupon_lines in shipping_coupons:
        left = [(i, freight[i] - waived_so_far[i]) for i in coupon_lines]
        weighted = [(i, weight) for i, weight in left if weight > 0]
        amount = coupon.template.discount(sum(weight for _, weight in weighted), rounding)
        if amount <= 0:
            rejected.append(Rejection(coupon.source, Reason.NO_FREIGHT, None, currency))
            continue
        waive(coupon.source, split(amount, [i for i, _ in weighted], [w for _, w in weighted]))
    return adjustments, rejected
