"""``quote(cart, context)``: the eight stages of the quote, in their fixed order.

1 list price, 2 item price, 3 promotions, 4 coupons, 5 points, 6 shipping,
7 tax, 8 rewards. Each stage sees the amounts the previous one left and
records :class:`~mallcore.pricing.quote.Adjustment` objects with their split
over lines. Everything runs on integer minor units in a
:class:`~mallcore.pricing.sheet.PriceSheet`; Money appears only when a caller
reads the quote.

Stages 1-3 do not depend on coupons or points: :func:`price_before_coupons`
runs them once, and :func:`price_from_coupons` finishes that state with one
coupon set (:func:`~mallcore.pricing.best.best_coupons` tries many).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from operator import sub

import attrs

from mallcore.errors import ZeroPaymentError
from mallcore.membership.points import points_to_earn, redeem
from mallcore.money import from_minor
from mallcore.pricing.cart import Cart, PointsRequest
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext
from mallcore.pricing.coupon_stage import apply_coupons
from mallcore.pricing.item_price import item_prices
from mallcore.pricing.list_price import list_prices
from mallcore.pricing.promotion_stage import apply_promotions
from mallcore.pricing.quote import Adjustment, Quote, Rejection, Stage
from mallcore.pricing.sheet import PriceSheet, split
from mallcore.pricing.shipping_stage import charge_shipping
from mallcore.pricing.tax import add_tax

__all__ = [
    "BeforeCoupons",
    "check_payable",
    "is_points_mall_order",
    "price_before_coupons",
    "price_from_coupons",
    "quote",
]


@attrs.frozen
class BeforeCoupons:
    """A cart priced through stages 1-3 (list price, item price, promotions).

    Attributes:
        sheet: The price sheet after stage 3.
        adjustments: What stages 2 and 3 wrote.
        rejected: What stages 2 and 3 rejected.
        touched: Lines that a stage-3 promotion discounted (for coupons that
            do not stack with promotions).
        gifts: Gift lines that stage 3 earned, as (catalog item, quantity).
    """

    sheet: PriceSheet
    adjustments: tuple[Adjustment, ...]
    rejected: tuple[Rejection, ...]
    touched: frozenset[int]
    gifts: tuple[tuple[CatalogItem, int], ...]


def price_before_coupons(cart: Cart, context: PricingContext) -> BeforeCoupons:
    """Run stages 1 (list price), 2 (item price) and 3 (promotions) for *cart*."""
    book = context.rulebook
    rounding = context.rounding
    sheet = list_prices(cart, context)
    adjustments, rejected = item_prices(sheet, book, rounding)

    before = list(sheet.amount)
    promotions = apply_promotions(sheet, book, rounding)
    gifts: list[tuple[CatalogItem, int]] = []
    catalog = context.catalog
    for promotion, outcome in promotions.applied:
        if outcome.discount:
            adjustments.append(
                sheet.adjust(promotion.source, Stage.PROMOTIONS, outcome.shares, base=outcome.base)
            )
        if outcome.gifts:
            gifts.extend([(catalog[gift.sku], gift.quantity) for gift in outcome.gifts])
    # The engine subtracted every winner's shares from the line amounts: what
    # stage 3 took from a line is the difference, summed over its promotions.
    sheet.promotion = list(map(sub, before, sheet.amount))
    touched = frozenset([i for i, part in enumerate(sheet.promotion) if part])
    currency = context.currency
    rejected.extend(
        [
            Rejection(promotion.source, reason, shortfall, currency)
            for promotion, reason, shortfall in promotions.rejected
        ]
    )
    return BeforeCoupons(sheet, tuple(adjustments), tuple(rejected), touched, tuple(gifts))


def price_from_coupons(
    priced: BeforeCoupons,
    context: PricingContext,
    coupon_codes: Sequence[str],
    points: PointsRequest,
    *,
    consume: bool = False,
) -> Quote:
    """Run stages 4 (coupons) to 8 (rewards) on a copy of *priced*.

    With *consume*, on *priced* itself: for a caller that finishes it once.
    """
    sheet = priced.sheet if consume else priced.sheet.copy()
    book = context.rulebook
    rounding = context.rounding
    currency = context.currency
    adjustments = list(priced.adjustments)
    rejected = list(priced.rejected)

    # Stage 4: coupons in cart order.
    after_promotions = list(sheet.amount)
    coupons = apply_coupons(
        coupon_codes,
        context.coupons,
        sheet,
        book,
        touched=priced.touched,
        at=context.at,
        rounding=rounding,
        max_per_class=context.max_coupons_per_class,
    )
    for coupon, outcome in coupons.applied:
        adjustments.append(
            sheet.adjust(coupon.source, Stage.COUPONS, outcome.shares, base=outcome.base)
        )
    if coupons.applied:
        # As in stage 3: the coupons subtracted their shares from the line amounts.
        sheet.coupon = list(map(sub, after_promotions, sheet.amount))
    rejected.extend(
        [
            Rejection(source, reason, shortfall, currency)
            for source, reason, shortfall in coupons.rejected
        ]
    )
    after_coupons = list(sheet.amount)

    # Stage 5: points, on every line's net item amount (never on freight).
    points_used = 0
    if context.points is not None and points is not None:
        net = sum(after_coupons)
        redemption = redeem(
            context.points,
            balance=context.customer.points,
            requested=None if points == "max" else points,
            net_item_amount=net,
            per_major=sheet.per_major,
        )
        if redemption.deduction:
            shares = split(redemption.deduction, range(len(after_coupons)), after_coupons)
            adjustments.append(sheet.adjust("points", Stage.POINTS, shares, base=net))
            for i, part in shares:
                sheet.points[i] += part
                sheet.amount[i] -= part
            points_used = redemption.points

    # Gift lines join after the price stages: zero price, no freight, no points.
    sheet.add_gifts(priced.gifts)

    # Stage 6: shipping, shipping promotions, shipping coupons.
    shipping, shipping_rejected = charge_shipping(
        sheet,
        book,
        templates=context.freight_templates,
        region=context.ship_to,
        combine=context.combine,
        rounding=rounding,
        after_coupons=after_coupons,
        shipping_coupons=coupons.shipping,
    )
    adjustments.extend(shipping)
    rejected.extend(shipping_rejected)

    # Stage 7: tax.
    adjustments.extend(add_tax(sheet, book, context.tax, context.customer, rounding))

    # Stage 8: points earned on what the items paid (not freight, not added tax).
    paid_items = sheet.amount  # gift lines are at zero
    earned = [0] * len(paid_items)
    if context.points is not None:
        tier = book.tier
        total_points = points_to_earn(
            context.points,
            paid_items=sum(paid_items),
            per_major=sheet.per_major,
            multiplier=tier.points_multiplier if tier is not None else Decimal(1),
        )
        for i, part in split(total_points, range(len(paid_items)), paid_items):
            earned[i] = part

    return Quote(currency, sheet.columns(earned), tuple(adjustments), tuple(rejected), points_used)


def quote(cart: Cart, context: PricingContext) -> Quote:
    """Price *cart* under *context*: a pure function of its two arguments.

    Raises:
        ConfigError: Unknown SKU.
        CurrencyMismatchError: A SKU priced in another currency.
        UndeliverableError: A line cannot ship to ``context.ship_to``.
        ZeroPaymentError: The total is zero and ``allow_zero_payment`` is false,
            unless it is a pure points-mall order (:func:`is_points_mall_order`).
    """
    result = price_from_coupons(
        price_before_coupons(cart, context), context, cart.coupons, cart.points, consume=True
    )
    check_payable(result, context)
    return result


def is_points_mall_order(result: Quote) -> bool:
    """Whether points paid for every line of a zero-total quote (积分商城): no ZeroPaymentError.

    A pure points-mall order is one whose total is zero and in which every
    line that is not a gift was paid with points (its points deduction is
    above zero): the customer exchanged points for the goods. A zero total
    reached any other way (a coupon as large as the cart) still needs
    ``allow_zero_payment``.
    """
    columns = result.columns
    return (
        result.total_minor == 0
        and result.points_used > 0
        and all(
            points > 0 or gift
            for points, gift in zip(columns.points_deduction, columns.gift, strict=True)
        )
    )


def check_payable(result: Quote, context: PricingContext) -> None:
    """Raise :class:`ZeroPaymentError` for a zero total unless allowed or a points-mall order."""
    if (
        result.total_minor == 0
        and not context.allow_zero_payment
        and not is_points_mall_order(result)
    ):
        msg = f"the cart comes to {from_minor(0, context.currency)} and allow_zero_payment is false"
        raise ZeroPaymentError(msg)
