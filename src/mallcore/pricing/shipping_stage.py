"""Stage 6 of the quote: freight and what waives it.

Freight by template, then free-shipping promotions (满包邮), the tier's free
shipping and shipping coupons.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext
from mallcore.pricing.quote import Adjustment, Rejection
from mallcore.pricing.work import Work, split
from mallcore.promotions.coupon_engine import coupon_discount
from mallcore.promotions.coupons import Coupon
from mallcore.promotions.kinds import FreeShipping
from mallcore.promotions.promotion import Promotion
from mallcore.shipping.freight import Combine, TemplateLoad, split_fee, template_fees
from mallcore.shipping.regions import is_within, region_ancestors
from mallcore.shipping.templates import ChargeBy, to_nano

_COMBINE = {combine.value: combine for combine in Combine}

__all__ = ["ShippingResult", "shipping_stage"]


@attrs.frozen
class ShippingResult:
    """Stage 6's adjustments (freight and shipping discounts) and rejections."""

    adjustments: tuple[Adjustment, ...]
    rejected: tuple[Rejection, ...]


#: Per SKU: its freight template, and its unit weight and volume in 10⁻⁹ units.
_ShippingFact = tuple[str | None, int, int]


def _shipping_facts(context: PricingContext) -> dict[str, _ShippingFact]:
    """Per SKU: template, unit weight and unit volume in 10⁻⁹ units (cached on the context)."""
    cache: dict[str, _ShippingFact] = context._cache.setdefault("shipping_facts", {})  # type: ignore[assignment]
    return cache


def _charge_freight(
    work: Work,
    context: PricingContext,
    region: str,
    paying: Sequence[int],
    after_coupons: Sequence[int],
    adjustments: list[Adjustment],
) -> None:
    """Freight per template, split over its lines by charged value (adds ``freight:`` adjustments).

    A template's fee depends only on its lines' total pieces, weight, volume
    and amount, so each template goes to :func:`template_fees` as one
    :class:`TemplateLoad` and its fee is split here with :func:`split_fee`:
    the same result as :func:`compute_shipping` on one shipping line per cart
    line, without building them.
    """
    facts = _shipping_facts(context)
    keys, qty, items = work.keys, work.qty, work.items
    groups: dict[str, list[int]] = {}
    for i in paying:
        fact = facts.get(keys[i]) or _shipping_fact(facts, items[i])
        if fact[0] is not None:
            groups.setdefault(fact[0], []).append(i)
    if not groups:
        region_ancestors(region)  # an invalid region is an error even for a free cart
        return
    templates = context.freight_templates
    loads = []
    values = []
    for template_id, members in groups.items():
        # Comprehensions and sum() rather than one loop: the hot path of every quote.
        quantities = [qty[i] for i in members]
        weights = [q * facts[keys[i]][1] for q, i in zip(quantities, members, strict=True)]
        volumes = [q * facts[keys[i]][2] for q, i in zip(quantities, members, strict=True)]
        amount = sum([after_coupons[i] for i in members])
        loads.append(
            TemplateLoad(
                template_id, keys[members[0]], sum(quantities), sum(weights), sum(volumes), amount
            )
        )
        values.append((quantities, weights, volumes))
    fees = template_fees(
        loads, templates, region, currency=context.currency, combine=_COMBINE[context.combine]
    )
    freight = work.freight
    for (template_id, members), fee, (quantities, weights, volumes) in zip(
        groups.items(), fees, values, strict=True
    ):
        if not fee:
            continue
        charge_by = templates[template_id].charge_by
        charged = (
            quantities
            if charge_by is ChargeBy.PIECE
            else weights
            if charge_by is ChargeBy.WEIGHT
            else volumes
        )
        shares = [
            (i, part)
            for i, part in zip(members, split_fee(fee, charged, quantities), strict=True)
            if part
        ]
        for i, part in shares:
            freight[i] += part
        adjustments.append(work.adjust(f"freight:{template_id}", "shipping", shares))


def _shipping_fact(facts: dict[str, _ShippingFact], item: CatalogItem | None) -> _ShippingFact:
    """Remember *item*'s template, unit weight and unit volume (10⁻⁹ units) in *facts*."""
    assert item is not None
    fact = facts[item.sku] = (
        item.freight_template,
        to_nano(item.weight_kg, f"SKU {item.sku!r} weight_kg"),
        to_nano(item.volume_m3, f"SKU {item.sku!r} volume_m3"),
    )
    return fact


def _shipping_promotions(context: PricingContext) -> list[Promotion]:
    """The context's 满包邮 promotions, in listing order (cached on the context)."""
    cached = context._cache.get("shipping_promotions")
    if cached is None:
        cached = context._cache["shipping_promotions"] = [
            p for p in context.promotions if isinstance(p.benefit, FreeShipping)
        ]
    return cached  # type: ignore[return-value]


def _in_region(region: str, regions: Sequence[str]) -> bool:
    return any(is_within(region, code) for code in regions)


def shipping_stage(
    work: Work,
    context: PricingContext,
    after_coupons: Sequence[int],
    shipping_coupons: Sequence[tuple[Coupon, tuple[int, ...]]],
) -> ShippingResult:
    """Stage 6: freight by template, then free-shipping promotions, tier benefit, shipping coupons.

    Free-shipping thresholds compare the net item amount after coupons (before
    points) of the promotion's in-scope lines; gift lines take no freight.
    """
    adjustments: list[Adjustment] = []
    rejected: list[Rejection] = []
    region = context.ship_to
    paying = [i for i in range(len(after_coupons)) if not work.gift[i]]
    if region is not None and paying:
        _charge_freight(work, context, region, paying, after_coupons, adjustments)

    def remaining(i: int) -> int:
        return work.freight[i] - work.shipping_discount[i]

    for promotion in _shipping_promotions(context):
        assert isinstance(promotion.benefit, FreeShipping)
        reason, shortfall, waived = _free_shipping(
            promotion, promotion.benefit, work, context, after_coupons
        )
        if reason is not None:
            rejected.append(Rejection(promotion.source, reason, shortfall))
            continue
        for i, part in waived:
            work.shipping_discount[i] += part
        adjustments.append(work.adjust(promotion.source, "shipping_discount", waived))

    tier = context.tier
    if tier is not None and tier.free_shipping:
        waived = [(i, remaining(i)) for i in range(len(work.keys)) if remaining(i) > 0]
        if waived:
            for i, part in waived:
                work.shipping_discount[i] += part
            adjustments.append(work.adjust(f"member:{tier.id}", "shipping_discount", waived))

    for coupon, indices in shipping_coupons:
        weighted = [(i, remaining(i)) for i in indices if remaining(i) > 0]
        left = sum(weight for _, weight in weighted)
        amount = coupon_discount(coupon, left, context.rounding)
        if amount <= 0:
            rejected.append(Rejection(coupon.source, "no_freight"))
            continue
        shares = split(amount, [i for i, _ in weighted], [weight for _, weight in weighted])
        for i, part in shares:
            work.shipping_discount[i] += part
        adjustments.append(work.adjust(coupon.source, "shipping_discount", shares))
    return ShippingResult(tuple(adjustments), tuple(rejected))


def _free_shipping(
    promotion: Promotion,
    benefit: FreeShipping,
    work: Work,
    context: PricingContext,
    after_coupons: Sequence[int],
) -> tuple[str | None, int | None, list[tuple[int, int]]]:
    reason = context.eligibility(promotion)
    if reason is not None:
        return reason, None, []
    # Lines.keys holds the cart lines only: gift lines take no freight.
    indices = work.lines.in_scope(promotion.source, promotion.scope)
    if not indices:
        return "out_of_scope", None, []
    if benefit.regions and (
        context.ship_to is None or not _in_region(context.ship_to, benefit.regions)
    ):
        return "region_not_covered", None, []
    if benefit.min_amount_minor is not None:
        need = benefit.min_amount_minor
        have = sum(after_coupons[i] for i in indices)
        if have < need:
            return "below_threshold", need - have, []
    if (
        benefit.min_quantity is not None
        and sum(work.qty[i] for i in indices) < benefit.min_quantity
    ):
        return "below_threshold", None, []
    left = [(i, work.freight[i] - work.shipping_discount[i]) for i in indices]
    waived = [(i, part) for i, part in left if part > 0]
    if not waived:
        return "no_freight", None, []
    return None, None, waived
