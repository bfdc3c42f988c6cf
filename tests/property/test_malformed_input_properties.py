"""Bad input never silently changes money: malformed objects get a mallcore error when built.

Every value object and rule is built from a mix of good values and junk (None,
floats, NaN, negative and over-precise amounts, money in the wrong currency,
naive datetimes, strings where numbers belong, huge numbers, containers). Each
attempt must either build or raise a :class:`~mallcore.errors.MallcoreError`,
never a builtin exception; and a cart priced under whatever was accepted gets
a mallcore error or a quote whose total and line amounts are non-negative and
in the cart currency.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import moneyed
from hypothesis import given, settings
from hypothesis import strategies as st

from mallcore.errors import MallcoreError
from mallcore.membership import PointsSettings, Tier
from mallcore.money import Money
from mallcore.pricing import (
    Cart,
    CartLine,
    CatalogItem,
    Customer,
    PriceOverride,
    PricingContext,
    QuantityTier,
    TaxSettings,
    quote,
)
from mallcore.promotions import (
    BundlePrice,
    BuyXGetY,
    Coupon,
    CouponKind,
    CouponTemplate,
    EveryOff,
    FlashSale,
    FreeShipping,
    Gift,
    GiftItem,
    GroupPrice,
    NthItem,
    PercentOff,
    Promotion,
    Scope,
    SpendTier,
    ThresholdOff,
    ThresholdPercent,
    ThresholdPercentTier,
    TimeLimited,
    Validity,
    Window,
)
from mallcore.shipping import ChargeBy, ChargeRule, FreeRule, FreightTemplate, Surcharge

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)


def _money(currency: str = "CNY") -> st.SearchStrategy[Money]:
    return st.integers(0, 100_000).map(lambda cents: Money(Decimal(cents).scaleb(-2), currency))


def _junk() -> st.SearchStrategy[Any]:
    """Values no field should accept as they are."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**40), 10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=5),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.sampled_from([Decimal("-1"), Decimal("0.001"), Decimal("1E+40"), Decimal("NaN")]),
        st.builds(lambda d: moneyed.Money(d, "CNY"), st.decimals(allow_nan=True)),
        st.builds(lambda c: Money(Decimal(c).scaleb(-2), "USD"), st.integers(-5000, 5000)),
        st.builds(lambda c: Money(Decimal(-c).scaleb(-2), "CNY"), st.integers(1, 5000)),
        st.builds(lambda c: Money(Decimal(c).scaleb(-3), "CNY"), st.integers(1, 5000)),
        st.just(Money("1E+12", "CNY")),
        st.just(datetime(2026, 11, 11, 12)),  # naive
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
        st.just(object()),
    )


def _maybe_junk(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, good, _junk())


def _text() -> st.SearchStrategy[str]:
    return st.sampled_from(["A", "B", "tee", "gold"])


def _percent() -> st.SearchStrategy[Decimal]:
    return st.integers(1, 100).map(Decimal)


def _count() -> st.SearchStrategy[int]:
    return st.integers(1, 5)


def _calls(
    make: Callable[..., Any], **fields: st.SearchStrategy[Any]
) -> st.SearchStrategy[Callable[[], Any]]:
    """A call of *make* with each keyword drawn from its strategy or from junk."""
    drawn = st.fixed_dictionaries({name: _maybe_junk(s) for name, s in fields.items()})
    return drawn.map(lambda kwargs: lambda: make(**kwargs))


def _tiers() -> st.SearchStrategy[list[SpendTier]]:
    return st.lists(
        st.integers(1, 50_000).map(
            lambda c: SpendTier(Money(Decimal(c).scaleb(-2), "CNY"), Money("0.01", "CNY"))
        ),
        min_size=1,
        max_size=2,
        unique_by=lambda tier: tier.min_spend,
    )


CONSTRUCTORS = st.one_of(
    _calls(
        CatalogItem,
        sku=_text(),
        product_id=_text(),
        price=_money(),
        category=st.none() | _text(),
        tags=st.just(frozenset({"new"})),
        weight_kg=st.just(Decimal("0.5")),
        volume_m3=st.just(Decimal(0)),
        member_discount=st.booleans(),
        member_price=st.none() | _money(),
        quantity_tiers=st.just(()),
        tax_rate=st.none() | _percent(),
    ),
    _calls(PriceOverride, price=_money(), region=st.none() | st.just("44"), channel=st.none()),
    _calls(QuantityTier, min_qty=st.integers(2, 9), price=_money()),
    _calls(CartLine, sku=_text(), quantity=_count()),
    _calls(Cart, lines=st.just([CartLine("A", 1)]), coupons=st.just(()), points=st.none()),
    _calls(SpendTier, min_spend=st.just(Money("100", "CNY")), amount_off=_money()),
    _calls(ThresholdOff, tiers=_tiers()),
    _calls(EveryOff, per=st.just(Money("100", "CNY")), amount_off=_money(), max_times=_count()),
    _calls(ThresholdPercentTier, percent_off=_percent(), min_spend=_money(), min_qty=st.none()),
    _calls(
        ThresholdPercent,
        tiers=st.just([ThresholdPercentTier(Decimal(10), min_qty=2)]),
    ),
    _calls(PercentOff, percent_off=_percent(), max_discount=st.none() | _money()),
    _calls(NthItem, n=_count(), percent_off=_percent(), max_times=st.none() | _count()),
    _calls(BundlePrice, n=_count(), price=_money(), max_times=st.none()),
    _calls(BuyXGetY, x=_count(), y=_count(), percent_off=_percent(), max_times=st.none()),
    _calls(TimeLimited, percent_off=st.none() | _percent(), unit_price=st.none() | _money()),
    _calls(FlashSale, unit_price=_money(), per_customer_limit=st.none() | _count()),
    _calls(GroupPrice, unit_price=_money(), total_limit=st.none() | _count()),
    _calls(GiftItem, sku=_text(), quantity=_count()),
    _calls(Gift, min_spend=_money(), gifts=st.just([GiftItem("A")])),
    _calls(FreeShipping, min_amount=st.none() | _money(), min_quantity=st.none() | _count()),
    _calls(Scope, products=st.just(["A"]), categories=st.just(()), exclude=st.none()),
    _calls(Window, starts_at=st.just(AT), ends_at=st.just(AT + timedelta(days=1))),
    _calls(Validity, valid_from=st.none(), valid_until=st.just(AT)),
    _calls(
        CouponTemplate,
        id=_text(),
        kind=st.sampled_from(list(CouponKind)),
        amount_off=st.none() | _money(),
        percent_off=st.none() | _percent(),
        max_discount=st.none() | _money(),
        min_spend=st.none() | _money(),
    ),
    _calls(
        Coupon,
        code=_text(),
        template=st.just(CouponTemplate("t", CouponKind.NO_THRESHOLD, Money("5", "CNY"))),
        valid_until=st.just(AT),
    ),
    _calls(
        Promotion,
        id=_text(),
        benefit=st.just(PercentOff(Decimal(10))),
        priority=st.integers(-3, 3),
        group=st.just(""),
        exclusive=st.booleans(),
        scope=st.just(Scope()),
        window=st.just(Window()),
    ),
    _calls(Customer, id=_text(), tier=st.none(), points=st.integers(0, 10**6)),
    _calls(Tier, id=_text(), min_growth=st.integers(0, 10), rate=st.none() | _percent()),
    _calls(PointsSettings, points_per_unit=_count(), max_ratio=_percent(), min_points=_count()),
    _calls(TaxSettings, rate=st.just(Decimal(13))),
    _calls(
        ChargeRule,
        first=st.just(Decimal(1)),
        first_fee=st.just(Decimal(8)),
        additional=st.just(Decimal(1)),
        additional_fee=st.just(Decimal(2)),
    ),
    _calls(FreeRule, min_amount=st.none() | st.just(Decimal(99)), min_quantity=st.none()),
    _calls(Surcharge, regions=st.just(["54"]), amount=st.just(Decimal(10))),
    _calls(
        FreightTemplate,
        id=_text(),
        charge_by=st.sampled_from(list(ChargeBy)),
        rules=st.just([ChargeRule(Decimal(1), Decimal(8), Decimal(1), Decimal(2))]),
    ),
    _calls(Money, amount=st.decimals(-100, 100, places=2), currency=st.just("CNY")),
)


@settings(max_examples=int(os.environ.get("MALLCORE_FUZZ_EXAMPLES", "400")))
@given(CONSTRUCTORS)
def test_a_constructor_builds_or_raises_a_mallcore_error(build: Callable[[], Any]) -> None:
    try:
        build()
    except MallcoreError as error:
        # A person can act on it: the message names the field that was refused.
        assert error.field, f"{error!r} names no field"
        assert error.field.split("[")[0].split(".")[0] in str(error)


def _attempt(build: Callable[[], Any]) -> Any:
    try:
        return build()
    except MallcoreError:
        return None


@settings(max_examples=int(os.environ.get("MALLCORE_FUZZ_EXAMPLES", "200")))
@given(
    _calls(
        CatalogItem,
        sku=st.just("A"),
        product_id=st.just("P"),
        price=_money(),
        member_price=st.none() | _money(),
        tax_rate=st.none() | _percent(),
    ),
    _calls(CartLine, sku=st.just("A"), quantity=_count()),
    st.lists(
        _calls(
            Promotion,
            id=st.sampled_from(["p1", "p2", "p3"]),
            benefit=st.sampled_from(
                [
                    PercentOff(Decimal(20)),
                    ThresholdOff([SpendTier(Money("10", "CNY"), Money("10", "CNY"))]),
                    TimeLimited(unit_price=Money("1", "CNY")),
                    PercentOff(Decimal(10), Money("1", "USD")),
                    FlashSale(Money("0", "CNY")),
                ]
            ),
        ),
        max_size=3,
    ),
    _calls(Customer, id=st.just("c"), points=st.integers(-100, 10**6)),
    st.booleans(),
)
def test_a_quote_under_whatever_was_accepted_is_never_negative_nor_in_another_currency(
    item: Callable[[], Any],
    line: Callable[[], Any],
    promotions: list[Callable[[], Any]],
    customer: Callable[[], Any],
    allow_zero: bool,
) -> None:
    catalog_item, cart_line = _attempt(item), _attempt(line)
    accepted = [p for p in map(_attempt, promotions) if p is not None]
    buyer = _attempt(customer)
    if catalog_item is None or cart_line is None or buyer is None:
        return
    try:
        context = PricingContext(
            currency="CNY",
            at=AT,
            catalog={"A": catalog_item},
            promotions=accepted,
            customer=buyer,
            points=PointsSettings(),
            allow_zero_payment=allow_zero,
        )
        result = quote(Cart([cart_line], points="max"), context)
    except MallcoreError:
        return
    assert result.total.currency.code == "CNY"
    assert result.total_minor >= 0
    for priced in result.lines:
        assert priced.paid_minor >= 0
        assert priced.net_items_minor >= 0
