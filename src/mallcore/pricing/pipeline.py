"""``quote(cart, context)``: the eight stages of DESIGN.md section 4, in that order.

1 list price, 2 item price, 3 promotions, 4 coupons, 5 points, 6 shipping,
7 tax, 8 rewards. Each stage sees the amounts the previous one left and
records :class:`~mallcore.pricing.quote.Adjustment` objects with their split
over lines. Everything runs on integer minor units; Money appears only when
a caller reads the quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from operator import sub

import attrs

from mallcore.errors import ConfigError, CurrencyMismatchError, ZeroPaymentError
from mallcore.membership.points import points_to_earn, redeem
from mallcore.money import from_minor
from mallcore.pricing.cart import Cart, PointsRequest
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext
from mallcore.pricing.item_price import ItemPriceResult, item_prices
from mallcore.pricing.quote import Adjustment, Quote, Rejection
from mallcore.pricing.shipping_stage import shipping_stage
from mallcore.pricing.tax import tax_stage
from mallcore.pricing.work import Work, split
from mallcore.promotions.coupon_engine import run_coupons
from mallcore.promotions.engine import run_screened, screen
from mallcore.promotions.promotion import Promotion
from mallcore.shipping.regions import is_within, region_ancestors

__all__ = ["Prepared", "check_payable", "finish", "prepare", "quote"]


def _catalog_item(context: PricingContext, sku: str) -> tuple[CatalogItem, int]:
    """The SKU's catalog entry and its unit list price in the cart currency (minor units)."""
    item = context.catalog.get(sku)
    if item is None:
        msg = f"unknown SKU {sku!r}: it is not in the catalog"
        raise ConfigError(msg)
    if item.price_overrides:
        override = _override(item, context)
        if override is not None:
            return item, override
    if item.price.currency is not context.currency and item.price.currency != context.currency:
        raise CurrencyMismatchError(
            context.currency.code, item.price.currency.code, context=f"SKU {sku!r}"
        )
    return item, item.price_minor


def _override(item: CatalogItem, context: PricingContext) -> int | None:
    """The most specific price-book override that applies, in minor units, or None."""
    best: tuple[int, int, int] | None = None
    for override in item.price_overrides:
        if override.price.currency != context.currency:
            continue
        if override.channel is not None and override.channel != context.channel:
            continue
        depth = 0
        if override.region is not None:
            if context.ship_to is None or not is_within(context.ship_to, override.region):
                continue
            depth = len(region_ancestors(override.region))
        rank = (override.channel is not None, depth)
        if best is None or rank > best[:2]:
            best = (*rank, override.price_minor)
    return None if best is None else best[2]


def _list_prices(cart: Cart, context: PricingContext) -> list[tuple[CatalogItem, int, int]]:
    """Stage 1: each line's catalog item, unit list price (after 阶梯价) and quantity."""
    catalog = context.catalog
    currency = context.currency
    priced: list[tuple[CatalogItem, int, int]] = []
    tiered = False
    for line in cart.lines:
        item = catalog.get(line.sku)
        # The common case inline: a known SKU priced in the cart currency, no overrides.
        if item is None or item.price_overrides or item.price.currency is not currency:
            item, unit = _catalog_item(context, line.sku)
        else:
            unit = item.price_minor
        tiered = tiered or bool(item.tiers_minor)
        priced.append((item, unit, line.quantity))
    if not tiered:
        return priced
    per_product: dict[str, int] = {}
    for item, _, quantity in priced:
        per_product[item.product_id] = per_product.get(item.product_id, 0) + quantity
    out = []
    for item, unit, quantity in priced:
        # Quantity tiers are in the SKU's own currency: they apply only there.
        if item.tiers_minor and item.price.currency == currency:
            total = per_product[item.product_id]
            reached = [tier for tier in item.tiers_minor if tier[0] <= total]
            if reached:
                unit = max(reached)[1]
        out.append((item, unit, quantity))
    return out


@attrs.frozen
class Prepared:
    """The state after stages 1-3, which do not depend on coupons or points.

    :func:`finish` runs stages 4-8 on a copy, so one preparation can be
    finished with many coupon sets (that is how :func:`best_coupons` works).
    """

    work: Work
    adjustments: tuple[Adjustment, ...]
    rejected: tuple[Rejection, ...]
    touched: frozenset[int]
    gifts: tuple[tuple[str, int], ...]


def prepare(cart: Cart, context: PricingContext) -> Prepared:
    """Run stages 1 (list price), 2 (item price) and 3 (promotions) for *cart*."""
    work = Work.start(_list_prices(cart, context), context)
    adjustments: list[Adjustment] = []
    rejected: list[Rejection] = []

    stage2: ItemPriceResult = item_prices(work, context)
    adjustments.extend(stage2.adjustments)
    rejected.extend(stage2.rejected)

    candidates, screened_out = _stage3(context)
    before = list(work.lines.amount)
    result3 = run_screened(candidates, screened_out, work.lines, context.rounding)
    gifts: list[tuple[str, int]] = []
    for promotion, outcome in result3.applied:
        if outcome.discount:
            adjustments.append(
                work.adjust(promotion.source, "promotions", outcome.shares, base=outcome.base)
            )
        gifts.extend((gift.sku, gift.quantity) for gift in outcome.gifts)
    # The engine subtracted every winner's shares from the line amounts: what
    # stage 3 took from a line is the difference, summed over its promotions.
    work.promotion = list(map(sub, before, work.lines.amount))
    touched = {i for i, part in enumerate(work.promotion) if part}
    rejected.extend(
        Rejection(promotion.source, reason, shortfall)
        for promotion, reason, shortfall in result3.rejected
    )
    return Prepared(work, tuple(adjustments), tuple(rejected), frozenset(touched), tuple(gifts))


def _stage3(
    context: PricingContext,
) -> tuple[list[Promotion], list[tuple[Promotion, str, int | None]]]:
    """Stage-3 promotions screened for the context's time and customer (cached on it)."""
    cached = context._cache.get("stage3")
    if cached is None:
        promotions = [p for p in context.promotions if not p.is_item_level and not p.is_shipping]
        cached = context._cache["stage3"] = screen(
            promotions,
            at=context.at,
            tier=context.customer.tier,
            first_order=context.customer.first_order,
            channel=context.channel,
        )
    return cached  # type: ignore[return-value]


def finish(
    prepared: Prepared,
    context: PricingContext,
    coupon_codes: Sequence[str],
    points: PointsRequest,
    *,
    consume: bool = False,
) -> Quote:
    """Run stages 4 (coupons) to 8 (rewards) on a copy of *prepared*.

    With *consume*, on *prepared* itself: for a caller that finishes it once.
    """
    work = prepared.work if consume else prepared.work.copy()
    adjustments = list(prepared.adjustments)
    rejected = list(prepared.rejected)
    tier = context.tier

    # Stage 4: coupons in cart order.
    after_promotions = list(work.lines.amount)
    result4 = run_coupons(
        coupon_codes,
        context.coupons,
        work.lines,
        touched=set(prepared.touched),
        at=context.at,
        rounding=context.rounding,
        max_per_class=context.max_coupons_per_class,
    )
    for coupon, outcome in result4.applied:
        adjustments.append(work.adjust(coupon.source, "coupons", outcome.shares, base=outcome.base))
    if result4.applied:
        # As in stage 3: run_coupons subtracted the shares from the line amounts.
        work.coupon = list(map(sub, after_promotions, work.lines.amount))
    rejected.extend(
        Rejection(source, reason, shortfall) for source, reason, shortfall in result4.rejected
    )
    after_coupons = list(work.lines.amount)

    # Stage 5: points, on every line's net item amount (never on freight).
    points_used = 0
    if context.points is not None and points is not None:
        net = sum(after_coupons)
        redemption = redeem(
            context.points,
            balance=context.customer.points,
            requested=None if points == "max" else points,
            net_item_amount=net,
            per_major=work.per_major,
        )
        if redemption.deduction:
            shares = split(redemption.deduction, range(len(after_coupons)), after_coupons)
            adjustments.append(work.adjust("points", "points", shares, base=net))
            for i, part in shares:
                work.points[i] += part
                work.lines.amount[i] -= part
            points_used = redemption.points

    # Gift lines join after the price stages: zero price, no freight, no points.
    work.add_gifts(prepared.gifts, context)

    # Stage 6: shipping, shipping promotions, shipping coupons.
    ship = shipping_stage(work, context, after_coupons, result4.shipping)
    adjustments.extend(ship.adjustments)
    rejected.extend(ship.rejected)

    # Stage 7: tax.
    adjustments.extend(tax_stage(work, context))

    # Stage 8: points earned on what the items paid (not freight, not added tax).
    count = len(work.keys)
    earned = [0] * count
    if context.points is not None:
        paid_items = work.lines.amount  # gift lines are at zero
        multiplier = tier.points_multiplier if tier is not None else Decimal(1)
        total_points = points_to_earn(
            context.points,
            paid_items=sum(paid_items),
            per_major=work.per_major,
            multiplier=multiplier,
        )
        for i, part in split(total_points, range(count), paid_items):
            earned[i] = part

    return Quote(
        context.currency, work.rows(earned), tuple(adjustments), tuple(rejected), points_used
    )


def quote(cart: Cart, context: PricingContext) -> Quote:
    """Price *cart* under *context*: a pure function of its two arguments.

    Raises:
        ConfigError: Unknown SKU or bad cart data.
        CurrencyMismatchError: A SKU priced in another currency.
        UndeliverableError: A line cannot ship to ``context.ship_to``.
        ZeroPaymentError: The total is zero and ``allow_zero_payment`` is false.
    """
    result = finish(prepare(cart, context), context, cart.coupons, cart.points, consume=True)
    check_payable(result, context)
    return result


def check_payable(result: Quote, context: PricingContext) -> None:
    """Raise :class:`ZeroPaymentError` for a zero total unless the context allows it."""
    if result.total_minor == 0 and not context.allow_zero_payment:
        msg = f"the cart comes to {from_minor(0, context.currency)} and allow_zero_payment is false"
        raise ZeroPaymentError(msg)
