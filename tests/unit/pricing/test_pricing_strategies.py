"""The public pricing strategies: argument checks and the shape of what they draw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from moneyed import Money

from mallcore.pricing import Cart, CatalogItem, Scenario
from mallcore.promotions import Coupon, Promotion
from mallcore.testing.strategies import (
    DEFAULT_AT,
    carts,
    catalogs,
    coupon_templates,
    coupons,
    promotions,
    scenarios,
)


@pytest.mark.parametrize(
    "make",
    [
        lambda: catalogs(max_products=0),
        lambda: catalogs(max_skus_per_product=0),
        lambda: catalogs("ABC"),
        lambda: carts({}),
        lambda: promotions(kinds=("no_such_kind",)),
        lambda: promotions(kinds=()),
        lambda: promotions(at=datetime(2026, 11, 6, 21)),  # naive on purpose
        lambda: coupon_templates("ABC"),
        lambda: coupons(code=""),
        lambda: scenarios(max_lines=0),
        lambda: scenarios(max_promotions=-1),
    ],
)
def test_bad_arguments_raise_invalid_argument_at_once(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        make()


@given(catalogs().flatmap(lambda catalog: st.tuples(st.just(catalog), carts(catalog))))
def test_a_cart_uses_distinct_skus_of_its_single_currency_catalog(
    drawn: tuple[dict[str, CatalogItem], Cart],
) -> None:
    catalog, cart = drawn
    assert len({item.price.currency for item in catalog.values()}) == 1
    skus = [line.sku for line in cart.lines]
    assert len(skus) == len(set(skus)) <= 8
    assert set(skus) <= set(catalog)


@given(promotions("JPY"), coupons("KWD"))
def test_rules_are_domain_objects_in_the_requested_currency(
    promotion: Promotion, coupon: Coupon
) -> None:
    assert isinstance(promotion, Promotion)
    benefit = promotion.benefit
    fields = [getattr(benefit, field.name) for field in attrs.fields(type(benefit))]
    assert all(value.currency.code == "JPY" for value in fields if isinstance(value, Money))
    template = coupon.template
    for amount in (template.amount_off, template.max_discount, template.min_spend):
        assert amount is None or amount.currency.code == "KWD"


@given(scenarios(max_lines=3, max_promotions=2, max_coupons=1))
def test_a_scenario_stays_within_its_size_bounds(scenario: Scenario) -> None:
    cart, context = scenario.cart, scenario.context
    assert len(cart.lines) <= 3
    assert len(context.promotions) <= 2
    assert len(context.coupons) <= 1
    assert context.at == DEFAULT_AT
