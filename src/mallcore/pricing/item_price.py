"""Stage 2 of the quote: the item price (member price, 限时折扣, 秒杀, 拼团), one winner per line.

Each candidate proposes a unit price (rounded to the minor unit: the price,
never the discount); the lowest wins the line and the discount is list minus
that price, times the quantity. A tie goes to the member price, then to the
earlier listed promotion. A line won by a flash-sale or group price becomes
an activity line.
"""

from __future__ import annotations

from mallcore.membership.tiers import Tier
from mallcore.money import RoundingPolicy, percent_of_minor
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.quote import Adjustment, Rejection, Stage
from mallcore.pricing.rulebook import RuleBook
from mallcore.pricing.sheet import PriceSheet
from mallcore.promotions.reasons import Reason

__all__ = ["item_prices"]


def _member_price(item: CatalogItem, unit: int, tier: Tier, rounding: RoundingPolicy) -> int | None:
    if not item.member_discount:
        return None
    if item.member_price_minor is not None:
        return item.member_price_minor
    if tier.rate is None:
        return None
    return percent_of_minor(unit, tier.rate, rounding)


def item_prices(
    sheet: PriceSheet, book: RuleBook, rounding: RoundingPolicy
) -> tuple[list[Adjustment], list[Rejection]]:
    """Stage 2 on *sheet* (changed in place): the adjustments it wrote and the rejections."""
    rejected = list(book.item_rejected)
    rules = book.item_rules
    tier = book.tier
    if not rules and not book.member_prices:
        return [], rejected  # nothing can change an item price
    member = tier if book.member_prices else None
    keys, scoped = sheet.keys, sheet.scoped
    covered = [set(book.in_scope(p.source, p.scope, keys, scoped)) for p, _ in rules]
    shares: dict[str, list[tuple[int, int]]] = {}
    limited: set[str] = set()
    qty, list_unit, amount = sheet.qty, sheet.list_unit, sheet.amount
    for i, item in enumerate(sheet.items):
        unit = list_unit[i]
        best_price, best_source, best_benefit = unit, "", None
        if member is not None:
            price = _member_price(item, unit, member, rounding)
            if price is not None and price < best_price:
                best_price, best_source = price, f"member:{member.id}"
        for (promotion, benefit), lines in zip(rules, covered, strict=True):
            if i not in lines:
                continue
            if not benefit.allows(qty[i]):
                limited.add(promotion.source)
                continue
            price = benefit.price_for(unit, rounding)
            if price < best_price:
                best_price, best_source, best_benefit = price, promotion.source, benefit
        if not best_source:
            continue
        discount = (unit - best_price) * qty[i]
        sheet.item[i] = discount
        amount[i] -= discount
        shares.setdefault(best_source, []).append((i, discount))
        if best_benefit is not None and best_benefit.activity:
            sheet.activity[i] = True
            sheet.promotions_ok[i] = best_benefit.allow_promotions
            sheet.coupons_ok[i] = best_benefit.allow_coupons
    currency = book.currency
    for (promotion, _), lines in zip(rules, covered, strict=True):
        if not lines:
            rejected.append(Rejection(promotion.source, Reason.OUT_OF_SCOPE, None, currency))
        elif promotion.source in limited and promotion.source not in shares:
            rejected.append(Rejection(promotion.source, Reason.USAGE_LIMIT_REACHED, None, currency))
    adjustments = [
        sheet.adjust(source, Stage.ITEM_PRICE, line_shares)
        for source, line_shares in shares.items()
    ]
    return adjustments, rejected
