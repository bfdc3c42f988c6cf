"""The working state of one quote and the stages that are not promotions or coupons.

Stage 2 (item price), stage 6 (shipping and shipping discounts) and stage 7
(tax) live here; stages 3 and 4 live in :mod:`mallcore.promotions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import repeat

import attrs
from moneyed import Money

from mallcore.membership.tiers import Tier
from mallcore.money import _largest_remainder, minor_units
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext, TaxMode
from mallcore.pricing.quote import Adjustment, Rejection, Row
from mallcore.promotions.coupon_engine import coupon_discount
from mallcore.promotions.coupons import Coupon
from mallcore.promotions.engine import Lines, eligibility
from mallcore.promotions.kinds import FlashSale, FreeShipping, GroupPrice, TimeLimited
from mallcore.promotions.promotion import Promotion
from mallcore.shipping.freight import Combine, TemplateLoad, split_fee, template_fees
from mallcore.shipping.regions import is_within, region_ancestors
from mallcore.shipping.templates import ChargeBy, to_nano

_COMBINE = {combine.value: combine for combine in Combine}

__all__ = [
    "ItemPriceResult",
    "ShippingResult",
    "Work",
    "item_prices",
    "shipping_stage",
    "split",
    "tax_stage",
]


@attrs.define
class Work:
    """Per-line amounts of one quote in minor units (parallel lists, internal)."""

    per_major: int
    keys: list[str]
    items: list[CatalogItem | None]
    qty: list[int]
    list_unit: list[int]
    lines: Lines
    item: list[int]
    promotion: list[int]
    coupon: list[int]
    points: list[int]
    freight: list[int]
    shipping_discount: list[int]
    tax: list[int]
    gift: list[bool]
    tax_added: bool = False
    #: Working index of each cart line, in cart order (see :meth:`start`).
    cart_order: list[int] = attrs.field(factory=list)

    @classmethod
    def start(cls, priced: Sequence[tuple[CatalogItem, int, int]], context: PricingContext) -> Work:
        """The state after stage 1: list prices and quantities.

        Lines are worked on in SKU order, not cart order, so that every tie
        "to the earlier position" (allocation remainders, unit ordering, the
        max_first template) is decided the same way however the cart is
        sorted: order totals never depend on the order of cart lines. Rows
        come out in cart order again.
        """
        n = len(priced)
        skus = [entry[0].sku for entry in priced]
        canonical = sorted(range(n), key=skus.__getitem__)
        cart_order = [0] * n
        for position, i in enumerate(canonical):
            cart_order[i] = position
        priced = [priced[i] for i in canonical]
        keys = [skus[i] for i in canonical]
        qty = [quantity for _, _, quantity in priced]
        lines = Lines(
            keys=list(keys),  # gift lines join Work.keys only
            qty=qty,
            scoped=[item.scoped for item, _, _ in priced],
            amount=[unit * quantity for _, unit, quantity in priced],
            activity=[False] * n,
            promotions_ok=[True] * n,
            coupons_ok=[True] * n,
            scope_cache=context._cache.setdefault("scope", {}),  # type: ignore[arg-type]
        )
        return cls(
            per_major=10 ** _places(context),
            keys=keys,
            items=[item for item, _, _ in priced],
            qty=list(qty),
            list_unit=[unit for _, unit, _ in priced],
            lines=lines,
            item=[0] * n,
            promotion=[0] * n,
            coupon=[0] * n,
            points=[0] * n,
            freight=[0] * n,
            shipping_discount=[0] * n,
            tax=[0] * n,
            gift=[False] * n,
            cart_order=cart_order,
        )

    def copy(self) -> Work:
        """A copy whose lists can be changed without touching this one."""
        lines = self.lines
        return Work(
            self.per_major,
            list(self.keys),
            list(self.items),
            list(self.qty),
            list(self.list_unit),
            Lines(
                keys=list(lines.keys),
                qty=lines.qty,
                scoped=list(lines.scoped),
                amount=list(lines.amount),
                activity=lines.activity,
                promotions_ok=lines.promotions_ok,
                coupons_ok=lines.coupons_ok,
                consumed=list(lines.consumed),
                scope_cache=lines.scope_cache,
            ),
            list(self.item),
            list(self.promotion),
            list(self.coupon),
            list(self.points),
            list(self.freight),
            list(self.shipping_discount),
            list(self.tax),
            list(self.gift),
            self.tax_added,
            self.cart_order,
        )

    def adjust(
        self,
        source: str,
        stage: str,
        shares: Sequence[tuple[int, int]],
        *,
        base: int | None = None,
        detail: str = "",
    ) -> Adjustment:
        """An adjustment from (line index, amount) *shares*, in ascending line order.

        Every stage produces its shares in line order already (that is the SKU
        order of :meth:`start`), so nothing is sorted here.
        """
        keys = self.keys
        return Adjustment(
            source,
            stage,
            sum([part for _, part in shares]),
            tuple([(keys[i], part) for i, part in shares]),
            detail,
            base,
        )

    def net_items(self, i: int) -> int:
        """Line *i*'s item amount after points, in minor units."""
        return (
            self.list_unit[i] * self.qty[i]
            - self.item[i]
            - self.promotion[i]
            - self.coupon[i]
            - self.points[i]
        )

    def add_gifts(self, gifts: Sequence[tuple[str, int]], context: PricingContext) -> None:
        """Append zero-priced gift lines keyed ``gift:SKU`` (merged by SKU)."""
        merged: dict[str, int] = {}
        for sku, quantity in gifts:
            merged[sku] = merged.get(sku, 0) + quantity
        for sku, quantity in merged.items():
            self.keys.append(f"gift:{sku}")
            self.items.append(context.catalog.get(sku))
            self.qty.append(quantity)
            self.list_unit.append(0)
            self.lines.amount.append(0)
            for column in (
                self.item, self.promotion, self.coupon, self.points,
                self.freight, self.shipping_discount, self.tax,
            ):  # fmt: skip
                column.append(0)
            self.gift.append(True)

    def net_amounts(self) -> list[int]:
        """Every line's item amount after points (see :meth:`net_items`), in minor units."""
        return [
            unit * quantity - item - promotion - coupon - points
            for unit, quantity, item, promotion, coupon, points in zip(
                self.list_unit,
                self.qty,
                self.item,
                self.promotion,
                self.coupon,
                self.points,
                strict=True,
            )
        ]

    def rows(self, earned: Sequence[int]) -> tuple[Row, ...]:
        """The finished lines as :class:`Quote` rows (see :data:`ROW_FIELDS`), in cart order.

        Gift lines come last. Built column by column: the line identity of
        DESIGN.md section 4 (``paid``) is computed here, once.
        """
        n = len(self.keys)
        shipping = [f - d for f, d in zip(self.freight, self.shipping_discount, strict=True)]
        # Every stage subtracts what it takes from lines.amount as it records it
        # in its own column, so the amount left is the net of the columns; the
        # line identity property test checks the two never drift apart.
        net = self.lines.amount
        if self.tax_added:
            paid = [a + s + t for a, s, t in zip(net, shipping, self.tax, strict=True)]
        else:
            paid = [a + s for a, s in zip(net, shipping, strict=True)]
        activity = self.lines.activity
        rows: list[Row] = list(
            zip(
                self.keys,
                [key[5:] if gift else key for key, gift in zip(self.keys, self.gift, strict=True)],
                self.qty,
                self.list_unit,
                [unit * quantity for unit, quantity in zip(self.list_unit, self.qty, strict=True)],
                self.item,
                self.promotion,
                self.coupon,
                self.points,
                shipping,
                self.tax,
                repeat(self.tax_added, n),
                earned,
                [*activity, *repeat(False, n - len(activity))],
                self.gift,
                paid,
                strict=True,
            )
        )
        order = [*self.cart_order, *range(len(self.cart_order), n)]
        return tuple(map(rows.__getitem__, order))


def _places(context: PricingContext) -> int:
    return minor_units(context.currency)


def split(total: int, indices: Iterable[int], weights: Sequence[int]) -> list[tuple[int, int]]:
    """Allocate *total* minor units over the lines *indices* by *weights*; drop zero shares."""
    whole = sum(weights)
    if total <= 0 or not whole:
        return []
    # Weights here are line amounts or freight, never negative: no checks needed.
    parts = _largest_remainder(total, weights, whole)
    return [(i, part) for i, part in zip(indices, parts, strict=True) if part]


# --------------------------------------------------------------------------- stage 2


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
        reason = eligibility(
            promotion,
            at=context.at,
            tier=context.customer.tier,
            first_order=context.customer.first_order,
            channel=context.channel,
        )
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


# --------------------------------------------------------------------------- stage 6


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
    reason = eligibility(
        promotion,
        at=context.at,
        tier=context.customer.tier,
        first_order=context.customer.first_order,
        channel=context.channel,
    )
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


# --------------------------------------------------------------------------- stage 7


def _has_tax_rates(context: PricingContext) -> bool:
    """Whether any SKU of the catalog sets its own tax rate (cached on the context)."""
    cached = context._cache.get("has_tax_rates")
    if cached is None:
        cached = context._cache["has_tax_rates"] = any(
            item.tax_rate for item in context.catalog.values() if item.tax_rate is not None
        )
    return bool(cached)


def _rate(item: CatalogItem | None, context: PricingContext) -> Decimal:
    if item is not None and item.tax_rate is not None:
        return item.tax_rate
    return context.tax.rate


def tax_stage(work: Work, context: PricingContext) -> tuple[Adjustment, ...]:
    """Stage 7: the tax part of each line (inclusive) or the tax added to it.

    Inclusive (default): ``amount - amount / (1 + rate)`` per line, rounded per
    line; nothing is added. Exclusive: ``amount × rate`` per line, added.
    Cross-border: ``(VAT + consumption tax) × 70 %`` of the line's items and
    freight while the order and the customer's year stay within the limits,
    else the full rates; added.
    """
    settings = context.tax
    rounding = context.rounding
    n = len(work.keys)
    if settings.mode is TaxMode.INCLUSIVE and not settings.rate and not _has_tax_rates(context):
        return ()  # every rate is zero: every line's tax part is zero
    if settings.mode is TaxMode.INCLUSIVE:
        for i in range(n):
            rate = _rate(work.items[i], context)
            amount = work.net_items(i)
            if rate and amount > 0:
                # The tax part amount × rate / (100 + rate) is what gets rounded, exactly.
                numerator, denominator = rate.as_integer_ratio()
                work.tax[i] = rounding.divide(amount * numerator, 100 * denominator + numerator)
        return ()
    work.tax_added = True
    shares: list[tuple[int, int]] = []
    concession = Decimal(1)
    if settings.mode is TaxMode.CROSS_BORDER:
        order_items = sum(work.net_items(i) for i in range(n))
        order_major = Decimal(order_items) / work.per_major
        spent = context.customer.year_to_date
        year = (spent.amount if isinstance(spent, Money) else Decimal(0)) + order_major
        if order_major <= settings.order_limit and year <= settings.annual_limit:
            concession = settings.concession / 100
    for i in range(n):
        item = work.items[i]
        rate = _rate(item, context)
        base = work.net_items(i)
        if settings.mode is TaxMode.CROSS_BORDER:
            rate = (
                rate + (item.consumption_tax_rate if item is not None else Decimal(0))
            ) * concession
            base += work.freight[i] - work.shipping_discount[i]
        if rate and base > 0:
            numerator, denominator = (rate / 100).as_integer_ratio()
            work.tax[i] = rounding.divide(base * numerator, denominator)
            if work.tax[i]:
                shares.append((i, work.tax[i]))
    return (work.adjust("tax", "tax", shares),) if shares else ()
