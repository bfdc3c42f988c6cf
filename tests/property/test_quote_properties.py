"""Invariants of the quote over generated scenarios.

The rules are those of docs/explanation/how-a-price-is-computed.rst (stages, stacking, points,
rejections) and docs/explanation/money-and-rounding.rst (allocation and rounding).
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import attrs
from hypothesis import assume, event, given, reject
from hypothesis import strategies as st

from mallcore.errors import UndeliverableError, ZeroPaymentError
from mallcore.money import Money, minor_units, to_minor
from mallcore.pricing import Cart, CartLine, CatalogItem, PricingContext, Quote, Scenario, quote
from mallcore.promotions import (
    BundlePrice,
    BuyXGetY,
    EveryOff,
    ItemPriceBenefit,
    NthItem,
    OrderBenefit,
    PercentOff,
    Promotion,
    ThresholdOff,
    ThresholdPercent,
)
from mallcore.shipping.templates import ChargeRule, FreightTemplate
from mallcore.testing.strategies import (
    DEFAULT_AT,
    carts,
    catalogs,
    promotions,
    scenarios,
)

TOTALS = (
    "list_subtotal",
    "item_discount",
    "promotion_discount",
    "coupon_discount",
    "points_deduction",
    "shipping",
    "shipping_discount",
    "tax",
    "total",
)
LINE_AMOUNTS = (
    "list_subtotal",
    "item_discount",
    "promotion_discount",
    "coupon_discount",
    "points_deduction",
    "shipping",
    "tax",
    "paid",
)
MINOR_FIELDS = (
    "list_price_minor",
    "list_subtotal_minor",
    "item_discount_minor",
    "promotion_discount_minor",
    "coupon_discount_minor",
    "points_deduction_minor",
    "shipping_minor",
    "tax_minor",
)


def _quote(cart: Cart, context: PricingContext) -> Quote:
    """Quote, treating a zero total or an undeliverable line as a legitimate outcome."""
    try:
        return quote(cart, context)
    except (ZeroPaymentError, UndeliverableError):
        reject()


def _stage3(promotion: Promotion) -> bool:
    return isinstance(promotion.benefit, OrderBenefit)


def _promotion_total(result: Quote) -> int:
    return sum(line.promotion_discount_minor for line in result.lines)


@given(scenarios())
def test_order_totals_are_never_negative(scenario: Scenario) -> None:
    result = _quote(scenario.cart, scenario.context)
    data = result.to_dict()
    for field in TOTALS:
        assert Decimal(data[field]) >= 0, (field, data[field])
    assert Decimal(data["shipping_discount"]) <= Decimal(data["shipping"])
    assert result.points_used >= 0
    assert result.points_earned >= 0


@given(scenarios())
def test_no_line_goes_below_zero(scenario: Scenario) -> None:
    result = _quote(scenario.cart, scenario.context)
    for line in result.lines:
        for field in MINOR_FIELDS:
            assert getattr(line, field) >= 0, (line.key, field, line)
        assert line.net_items_minor >= 0, line
        assert line.paid_minor >= 0, line


@given(scenarios())
def test_line_identity_holds_when_rebuilt_from_the_adjustments(scenario: Scenario) -> None:
    # Each line field is rebuilt from the adjustments' shares (not read back
    # from the line), then paid is recomputed with the line identity (paid = list_subtotal
    # minus the discounts, plus shipping and any added tax).
    result = _quote(scenario.cart, scenario.context)
    places = minor_units(result.currency)
    by_stage: dict[tuple[str, str], int] = defaultdict(int)
    for adjustment in result.adjustments:
        for key, part in adjustment.lines:
            by_stage[adjustment.stage, key] += part
    total = 0
    data = result.to_dict()
    for line, line_data in zip(result.lines, data["lines"], strict=True):
        key = line.key
        assert line.list_subtotal_minor == line.list_price_minor * line.quantity
        assert line.item_discount_minor == by_stage["item_price", key]
        assert line.promotion_discount_minor == by_stage["promotions", key]
        assert line.coupon_discount_minor == by_stage["coupons", key]
        assert line.points_deduction_minor == by_stage["points", key]
        shipping = by_stage["shipping", key] - by_stage["shipping_discount", key]
        assert line.shipping_minor == shipping
        added_tax = by_stage["tax", key]
        assert added_tax == (line.tax_minor if line.tax_added else 0)
        paid = (
            line.list_subtotal_minor
            - by_stage["item_price", key]
            - by_stage["promotions", key]
            - by_stage["coupons", key]
            - by_stage["points", key]
            + shipping
            + added_tax
        )
        assert paid == line.paid_minor
        assert Decimal(line_data["paid"]).scaleb(places) == paid
        total += paid
    assert total == result.total_minor
    assert Decimal(data["total"]).scaleb(places) == total
    for field in LINE_AMOUNTS[:-1]:
        if field == "shipping":
            continue
        column = sum(Decimal(line_data[field]) for line_data in data["lines"])
        assert Decimal(data[field]) == column, field
    net_shipping = Decimal(data["shipping"]) - Decimal(data["shipping_discount"])
    assert net_shipping == sum(Decimal(line_data["shipping"]) for line_data in data["lines"])


@given(scenarios())
def test_each_adjustment_splits_exactly_over_its_lines(scenario: Scenario) -> None:
    result = _quote(scenario.cart, scenario.context)
    keys = {line.key for line in result.lines}
    for adjustment in result.adjustments:
        assert adjustment.amount_minor > 0, adjustment
        assert sum(part for _, part in adjustment.lines) == adjustment.amount_minor, adjustment
        line_keys = [key for key, _ in adjustment.lines]
        assert len(line_keys) == len(set(line_keys)), adjustment
        assert set(line_keys) <= keys, adjustment
        assert all(part >= 0 for _, part in adjustment.lines), adjustment


@given(scenarios())
def test_every_listed_rule_either_applies_or_is_rejected_once(scenario: Scenario) -> None:
    # One rejection per promotion or coupon that gave nothing (see "Rejections" in
    # docs/explanation/how-a-price-is-computed.rst). Item-level promotions (stage-2
    # losers are not listed) and gifts (which write no adjustment) are left out.
    context, cart = scenario.context, scenario.cart
    result = _quote(cart, context)
    sources = [a.source for a in result.adjustments]
    rejected = [r.source for r in result.rejected]
    rules = [
        p.source
        for p in context.promotions
        if not isinstance(p.benefit, ItemPriceBenefit) and p.kind != "gift"
    ]
    rules += [f"coupon:{code}" for code in cart.coupons]
    for source in rules:
        outcomes = sources.count(source) + rejected.count(source)
        assert outcomes == 1, (source, sources, rejected)


@given(scenarios(max_promotions=6), st.data())
def test_an_exclusive_promotion_wins_only_when_strictly_larger(
    scenario: Scenario, data: st.DataObject
) -> None:
    # Make one or more stage-3 promotions exclusive, then compare the full quote
    # with two references built through the public API: the stacked combination
    # (exclusive ones removed) and each exclusive promotion on its own.
    context = scenario.context.evolve(allow_zero_payment=True)
    stage3 = [i for i, p in enumerate(context.promotions) if _stage3(p)]
    assume(stage3)
    chosen = data.draw(st.sets(st.sampled_from(stage3), min_size=1), label="exclusive")
    promotions = tuple(
        attrs.evolve(p, exclusive=i in chosen) if _stage3(p) else p
        for i, p in enumerate(context.promotions)
    )
    context = context.evolve(promotions=promotions)
    exclusive = [p for p in promotions if _stage3(p) and p.exclusive]
    cart = scenario.cart

    stacked = _quote(cart, context.evolve(promotions=[p for p in promotions if p not in exclusive]))
    stacked_total = _promotion_total(stacked)
    alone = {
        x.source: _promotion_total(
            _quote(
                cart, context.evolve(promotions=[p for p in promotions if not _stage3(p) or p is x])
            )
        )
        for x in exclusive
    }
    best_alone = max(alone.values())

    full = _quote(cart, context)
    applied = {a.source for a in full.adjustments if a.stage == "promotions"}
    exclusive_applied = applied & set(alone)
    if best_alone > stacked_total:
        event("an exclusive promotion wins")
        assert _promotion_total(full) == best_alone
        assert len(exclusive_applied) == 1
        assert applied == exclusive_applied
        assert alone[exclusive_applied.pop()] == best_alone
    else:
        event("the stacked combination wins")
        assert _promotion_total(full) == stacked_total
        assert not exclusive_applied


def test_a_max_first_tie_does_not_depend_on_the_order_of_cart_lines() -> None:
    catalog = {
        "A": CatalogItem("A", "PA", Money("1.00", "CNY"), freight_template="T0"),
        "B": CatalogItem("B", "PB", Money("1.00", "CNY"), freight_template="T1"),
    }
    rule = ChargeRule
    templates = {
        "T0": FreightTemplate(
            "T0", "piece", [rule(Decimal(1), Decimal(10), Decimal(1), Decimal(5))]
        ),
        "T1": FreightTemplate(
            "T1", "piece", [rule(Decimal(1), Decimal(10), Decimal(1), Decimal(1))]
        ),
    }
    context = PricingContext(
        currency="CNY",
        at=DEFAULT_AT,
        catalog=catalog,
        freight_templates=templates,
        combine="max_first",
        ship_to="4403",
    )
    # Equal first fees: the earlier template (T0, listed first and holding the
    # first SKU) pays its full fee 10 + 5 = 15.00 and T1 charges both pieces at
    # its additional rate, 2 x 1.00: 17.00 whatever the order of the lines.
    a_first = quote(Cart([CartLine("A", 2), CartLine("B", 2)]), context)
    b_first = quote(Cart([CartLine("B", 2), CartLine("A", 2)]), context)
    assert a_first.shipping == b_first.shipping == Money("17.00", "CNY")


@given(scenarios(max_coupons=4))
def test_a_coupon_never_takes_more_than_its_in_scope_amount_after_promotions(
    scenario: Scenario,
) -> None:
    context = scenario.context
    result = _quote(scenario.cart, context)
    after_promotions = {
        line.key: line.list_subtotal_minor
        - line.item_discount_minor
        - line.promotion_discount_minor
        for line in result.lines
    }
    for adjustment in result.adjustments:
        if adjustment.stage != "coupons":
            continue
        coupon = context.coupons[adjustment.source.removeprefix("coupon:")]
        in_scope = {
            line.key
            for line in result.lines
            if not line.gift and coupon.template.scope.matches(context.catalog[line.sku].scoped)
        }
        assert {key for key, _ in adjustment.lines} <= in_scope
        assert adjustment.amount_minor <= sum(after_promotions[key] for key in in_scope)
        template = coupon.template
        if template.max_discount is not None:
            assert adjustment.amount_minor <= template.max_discount.amount.scaleb(
                minor_units(result.currency)
            )
        if template.amount_off is not None:
            assert adjustment.amount_minor <= template.amount_off.amount.scaleb(
                minor_units(result.currency)
            )
    for line in result.lines:
        assert line.coupon_discount_minor <= after_promotions[line.key]


@given(scenarios(max_promotions=3, max_coupons=2, membership=True))
def test_points_used_never_exceed_balance_cap_or_ratio(scenario: Scenario) -> None:
    context, cart = scenario.context, scenario.cart
    settings = context.points
    assert settings is not None
    assume(cart.points is not None)
    result = _quote(cart, context)
    used = result.points_used
    deduction = sum(line.points_deduction_minor for line in result.lines)
    if used == 0:
        assert deduction == 0
        return
    per_major = 10 ** minor_units(result.currency)
    net = sum(
        line.list_subtotal_minor
        - line.item_discount_minor
        - line.promotion_discount_minor
        - line.coupon_discount_minor
        for line in result.lines
    )
    assert used <= context.customer.points
    if settings.max_points_per_order is not None:
        assert used <= settings.max_points_per_order
    if isinstance(cart.points, int):
        assert used <= cart.points
    assert used >= settings.min_points
    # The points are worth at most max_ratio % of the net item amount ...
    worth = Fraction(net) * Fraction(settings.max_ratio) / 100
    assert Fraction(used * per_major, settings.points_per_unit) <= worth
    assert deduction <= worth
    # ... and are exactly what the deduction costs, rounded up to a whole point.
    cost = Fraction(deduction * settings.points_per_unit, per_major)
    assert cost <= used < cost + 1


@given(scenarios())
def test_equal_quotes_are_deterministic(scenario: Scenario) -> None:
    cart, context = scenario.cart, scenario.context
    first = _quote(cart, context)
    assert _quote(cart, context) == first
    fresh = context.evolve()
    assert _quote(Cart(cart.lines, cart.coupons, cart.points), fresh).to_dict() == first.to_dict()
    assert _quote(cart, fresh).explain() == first.explain()


ORDER_KINDS = (
    "threshold_off",
    "every_off",
    "threshold_percent",
    "percent_off",
    "nth_item",
    "bundle_price",
    "buy_x_get_y",
)


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _oracle(promotion: Promotion, units: list[tuple[str, str, int]]) -> int:
    """Stage 3 of a lone promotion by brute force, per docs/explanation/how-a-price-is-computed.rst.

    *units* holds one (sku, product, unit amount) per in-scope unit, SKUs in order.
    """
    benefit = promotion.benefit
    base = sum(amount for _, _, amount in units)
    exact: Fraction
    if isinstance(benefit, ThresholdOff):
        reached = [t for t in benefit.tiers if to_minor(t.min_spend) <= base]
        best = max(reached, key=lambda t: to_minor(t.min_spend), default=None)
        return 0 if best is None else min(to_minor(best.amount_off), base)
    if isinstance(benefit, EveryOff):
        times = base // to_minor(benefit.per)
        if benefit.max_times is not None:
            times = min(times, benefit.max_times)
        return min(times * to_minor(benefit.amount_off), base)
    if isinstance(benefit, ThresholdPercent):
        reached = [
            t.percent_off
            for t in benefit.tiers
            if (t.min_spend is None or to_minor(t.min_spend) <= base)
            and (t.min_qty is None or t.min_qty <= len(units))
        ]
        exact = base * Fraction(max(reached)) / 100 if reached else Fraction(0)
        return min(_half_up(exact), base)
    if isinstance(benefit, PercentOff):
        discount = _half_up(base * Fraction(benefit.percent_off) / 100)
        if benefit.max_discount is not None:
            discount = min(discount, to_minor(benefit.max_discount))
        return min(discount, base)
    if isinstance(benefit, NthItem):
        # Each product's units, counted across its SKUs, give floor(count / n)
        # discounted units, its cheapest; every application takes the cheapest
        # such unit left in the cart, so under max_times the cheapest go first.
        offers: list[int] = []
        for product in {product for _, product, _ in units}:
            mine = sorted(amount for _, p, amount in units if p == product)
            offers.extend(mine[: len(mine) // benefit.n])
        times = benefit.max_times if benefit.max_times is not None else len(units)
        taken = sorted(offers)[:times]
        return min(_half_up(sum(taken) * Fraction(benefit.percent_off) / 100), base)
    dearest = sorted((amount for _, _, amount in units), reverse=True)
    if isinstance(benefit, BuyXGetY):
        size = benefit.x + benefit.y
        groups = len(dearest) // size
        if benefit.max_times is not None:
            groups = min(groups, benefit.max_times)
        free = [a for g in range(groups) for a in dearest[g * size + benefit.x : (g + 1) * size]]
        return min(_half_up(sum(free) * Fraction(benefit.percent_off) / 100), base)
    assert isinstance(benefit, BundlePrice)
    saving, price = 0, to_minor(benefit.price)
    groups = len(dearest) // benefit.n
    if benefit.max_times is not None:
        groups = min(groups, benefit.max_times)
    for g in range(groups):
        amount = sum(dearest[g * benefit.n : (g + 1) * benefit.n])
        if amount <= price:
            break
        saving += amount - price
    return min(saving, base)


@given(st.data())
def test_a_lone_order_promotion_matches_a_brute_force_oracle(data: st.DataObject) -> None:
    catalog = data.draw(catalogs(), label="catalog")
    cart = data.draw(carts(catalog), label="cart")
    code = next(iter(catalog.values())).price.currency.code
    drawn = data.draw(promotions(code, kinds=ORDER_KINDS, catalog=catalog), label="promotion")
    promotion = Promotion(drawn.id, drawn.benefit, scope=drawn.scope)  # always on, for everyone
    context = PricingContext(
        currency=code,
        at=DEFAULT_AT,
        catalog=catalog,
        promotions=[promotion],
        allow_zero_payment=True,
    )
    result = quote(cart, context)
    per_product: dict[str, int] = defaultdict(int)
    for line in cart.lines:
        per_product[catalog[line.sku].product_id] += line.quantity
    units = []
    for line in sorted(cart.lines, key=lambda line: line.sku):
        item = catalog[line.sku]
        if not promotion.scope.matches(item.scoped):
            continue
        # 阶梯价: the highest quantity tier the product's cart quantity reaches.
        reached = [t for t in item.quantity_tiers if t.min_qty <= per_product[item.product_id]]
        price = max(reached, key=lambda t: t.min_qty).price if reached else item.price
        units += [(line.sku, item.product_id, to_minor(price))] * line.quantity
    expected = _oracle(promotion, units)
    assert _promotion_total(result) == expected, (promotion.benefit, units, result.adjustments)
