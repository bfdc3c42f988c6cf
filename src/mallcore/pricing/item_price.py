"""Stage 2 of the quote: the item price (member price, 限时折扣, 秒杀, 拼团)."""

from __future__ import annotations

from decimal import Decimal

import attrs

from mallcore.membership.tiers import Tier
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext
from mallcore.pricing.quote import Adjustment, Rejection
from mallcore.pricing.work import Work
from mallcore.promotions.kinds import FlashSale, GroupPrice, TimeLimited
from mallcore.promotions.promotion import Promotion

__all__ = ["ItemPriceResult", "item_prices"]


@attrs.frozen
class ItemPriceResult:
    """Stage 2's adjustments and rejections."""

    adjustments: tuple[Adjustment, ...]
    rejected: tuple[Rejection, ...]


def _promotion_price(promotion: Promotion, unit: int, context: PricingContext) -> int:
    benefit = promotion.benefit
    if isinstance(benefit, TimeLimited):
        if benefit.unit_price_minor is not None:
            return benefit.unit_price_minor
        numerator, denominator = (Decimal(100) - (benefit.percent_off or 0)).as_integer_ratio()
        return context.rounding.divide(unit * numerator, denominator * 100)
    assert isinstance(benefit, FlashSale | GroupPrice)
    return benefit.unit_price_minor


def _member_price(
    item: CatalogItem, unit: int, tier: Tier | None, context: PricingContext
) -> int | None:
    if tier is None or not item.member_discount:
        return None
    if item.member_price_minor is not None:
        return item.member_price_minor
    if tier.rate is None:
        return None
    numerator, denominator = tier.rate.as_integer_ratio()
    return context.rounding.divide(unit * numerator, denominator * 100)


def _has_member_prices(context: PricingContext) -> bool:
    """Whether any SKU of the catalog has an explicit member price (cached on the context)."""
    cached = context._cache.get("has_member_prices")
    if cached is None:
        cached = context._cache["has_member_prices"] = any(
            item.member_price is not None for item in context.catalog.values()
        )
    return bool(cached)


def _within_limits(benefit: object, quantity: int) -> bool:
    if not isinstance(benefit, FlashSale | GroupPrice):
        return True
    limits = (benefit.per_customer_limit, benefit.total_limit)
    return all(limit is None or quantity <= limit for limit in limits)


def item_prices(work: Work, context: PricingContext) -> ItemPriceResult:
    """Stage 2: the lowest of member, 限时折扣, 秒杀 and 拼团 prices wins each line.

    Prices are per unit, rounded to the minor unit (the price, never the
    discount), then multiplied by the quantity. A tie goes to the member price,
    then to the earlier listed promotion. A line won by a flash-sale or group
    price becomes an activity line.
    """
    rejected: list[Rejection] = []
    candidates: list[Promotion] = []
    for promotion in context.promotions:
        if not promotion.is_item_level:
            continue
        reason = context.eligibility(promotion)
        if reason is None and promotion.usage_limit_reached:
            reason = "usage_limit_reached"
        if reason is not None:
            rejected.append(Rejection(promotion.source, reason))
        else:
            candidates.append(promotion)

    tier = context.tier
    if not candidates and (tier is None or (tier.rate is None and not _has_member_prices(context))):
        return ItemPriceResult((), tuple(rejected))  # nothing can change an item price

    shares: dict[str, list[tuple[int, int]]] = {}
    limited: set[str] = set()
    lines = work.lines
    covered = {p.source: set(lines.in_scope(p.source, p.scope)) for p in candidates}
    for i, item in enumerate(work.items):
        assert item is not None
        unit = work.list_unit[i]
        best_price, best_source, best_promotion = unit, "", None
        member = _member_price(item, unit, tier, context)
        if member is not None and member < best_price and tier is not None:
            best_price, best_source = member, f"member:{tier.id}"
        for promotion in candidates:
            if i not in covered[promotion.source]:
                continue
            if not _within_limits(promotion.benefit, work.qty[i]):
                limited.add(promotion.id)
                continue
            price = _promotion_price(promotion, unit, context)
            if price < best_price:
                best_price, best_source, best_promotion = price, promotion.source, promotion
        if not best_source:
            continue
        discount = (unit - best_price) * work.qty[i]
        work.item[i] = discount
        lines.amount[i] -= discount
        shares.setdefault(best_source, []).append((i, discount))
        if best_promotion is not None and isinstance(
            best_promotion.benefit, FlashSale | GroupPrice
        ):
            lines.activity[i] = True
            lines.promotions_ok[i] = best_promotion.benefit.allow_promotions
            lines.coupons_ok[i] = best_promotion.benefit.allow_coupons
    won = {source for source in shares}
    for promotion in candidates:
        if not covered[promotion.source]:
            rejected.append(Rejection(promotion.source, "out_of_scope"))
        elif promotion.id in limited and promotion.source not in won:
            rejected.append(Rejection(promotion.source, "usage_limit_reached"))
    adjustments = tuple(
        work.adjust(source, "item_price", line_shares) for source, line_shares in shares.items()
    )
    return ItemPriceResult(adjustments, tuple(rejected))
