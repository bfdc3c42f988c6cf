"""Hypothesis strategies for the quote: catalogs, carts, promotions, coupons and scenarios.

Everything is built from the domain classes directly (no rules files), in a
mix of 0-, 2- and 3-decimal currencies. Sizes stay small (at most 8 cart
lines, 6 promotions and 4 coupons by default) so a property test of
:func:`mallcore.quote` runs fast. Windows and validities are drawn around the
pricing instant *at*: active, not started, expired, exactly on a boundary, or
recurring (RRULE) with the instant inside or outside a slot.

>>> from hypothesis import given, settings
>>> from mallcore.errors import UndeliverableError, ZeroPaymentError
>>> from mallcore.pricing import quote
>>> @settings(max_examples=20)
... @given(scenarios(max_promotions=2, max_coupons=1))
... def test_never_negative(scenario):
...     try:
...         result = quote(scenario.cart, scenario.context)
...     except (UndeliverableError, ZeroPaymentError):
...         return
...     assert result.total_minor >= 0
>>> test_never_negative()
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Final

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mallcore.errors import ConfigError
from mallcore.membership.points import PointsSettings
from mallcore.membership.tiers import Tier
from mallcore.money import Money, RoundingPolicy, from_minor, minor_units
from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.catalog import CatalogItem, QuantityTier
from mallcore.pricing.context import Customer, PricingContext, TaxMode, TaxSettings
from mallcore.pricing.scenario import Scenario
from mallcore.promotions.coupons import Coupon, CouponKind, CouponTemplate, Validity
from mallcore.promotions.kinds import (
    BundlePrice,
    BuyXGetY,
    EveryOff,
    FlashSale,
    FreeShipping,
    Gift,
    GiftItem,
    GroupPrice,
    NthItem,
    PercentOff,
    PromotionKind,
    SpendTier,
    ThresholdOff,
    ThresholdPercent,
    ThresholdPercentTier,
    TimeLimited,
)
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.scope import Scope
from mallcore.promotions.windows import Window
from mallcore.shipping.templates import FreightTemplate
from mallcore.testing.strategies._money import currency_codes
from mallcore.testing.strategies._shipping import freight_templates, region_codes

__all__ = [
    "DEFAULT_AT",
    "PROMOTION_KINDS",
    "carts",
    "catalogs",
    "coupon_templates",
    "coupons",
    "promotions",
    "scenarios",
]

#: The default pricing instant: a Friday, 21:00 in China (inside "Friday 20:00-22:00").
DEFAULT_AT: Final = datetime(2026, 11, 6, 21, 0, tzinfo=timezone(timedelta(hours=8)))

#: Every promotion kind :func:`promotions` can draw: stage 2, stage 3 and free shipping.
PROMOTION_KINDS: Final = (
    "time_limited",
    "flash_sale",
    "group_price",
    "threshold_off",
    "every_off",
    "threshold_percent",
    "percent_off",
    "nth_item",
    "bundle_price",
    "buy_x_get_y",
    "gift",
    "free_shipping",
)

_CATEGORIES: Final = ("apparel", "food", "books")
_BRANDS: Final = ("acme", "zenith", "orchard")
_TAGS: Final = ("new", "sale", "imported")
_TIERS: Final = ("member", "gold")
_REGIONS: Final = ("44", "4403", "11", "31")
_RECURRENCES: Final = (
    # Every Friday 20:00: DEFAULT_AT falls inside a 2-hour slot.
    "FREQ=WEEKLY;BYDAY=FR;BYHOUR=20;BYMINUTE=0;BYSECOND=0",
    # Every Monday 10:00: DEFAULT_AT falls outside.
    "FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;BYSECOND=0",
)


def _check_size(name: str, low: int, high: int) -> None:
    if low < 0 or high < low:
        msg = f"need 0 <= min_{name}={low!r} <= max_{name}={high!r}"
        raise InvalidArgument(msg)


def _currencies(currency: str | None) -> st.SearchStrategy[str]:
    if currency is None:
        return currency_codes()
    try:
        minor_units(currency)
    except ConfigError as exc:
        raise InvalidArgument(f"currency={currency!r}: {exc}") from None
    return st.just(currency)


def _amounts(code: str, low_major: int, high_major: int) -> st.SearchStrategy[Money]:
    """Whole minor units of *code* between the bounds (major units; low 0 means one minor unit)."""
    scale = 10 ** minor_units(code)
    return st.integers(max(1, low_major * scale), high_major * scale).map(
        lambda units: from_minor(units, code)
    )


def _at_most(amount: Money, limit: Money) -> Money:
    """*amount*, lowered to *limit* when above it."""
    return limit if amount > limit else amount


def _percents() -> st.SearchStrategy[Decimal]:
    """Percent units: whole percentages and some with one or two decimals (12.5, 33.33)."""
    return st.one_of(
        st.integers(1, 100).map(Decimal),
        st.integers(1, 9999).map(lambda hundredths: Decimal(hundredths).scaleb(-2)),
    )


def _rarely(draw: st.DrawFn) -> bool:
    """True about one time in six (shrinks to False)."""
    return draw(st.integers(0, 5)) == 5


def _at(at: datetime | None) -> datetime:
    if at is None:
        return DEFAULT_AT
    if at.tzinfo is None or at.utcoffset() is None:
        msg = f"at={at.isoformat()} must be time-zone aware"
        raise InvalidArgument(msg)
    return at


# --------------------------------------------------------------------------- catalog and cart


@st.composite
def _catalog(
    draw: st.DrawFn,
    codes: st.SearchStrategy[str],
    products: tuple[int, int],
    max_skus: int,
    max_price: int,
    template_ids: tuple[str, ...],
) -> dict[str, CatalogItem]:
    code = draw(codes)
    catalog: dict[str, CatalogItem] = {}
    for p in range(draw(st.integers(*products))):
        product = f"P{p}"
        category = draw(st.none() | st.sampled_from(_CATEGORIES))
        brand = draw(st.none() | st.sampled_from(_BRANDS))
        tags = frozenset(draw(st.sets(st.sampled_from(_TAGS), max_size=2)))
        template = draw(st.none() | st.sampled_from(template_ids)) if template_ids else None
        for s in range(draw(st.integers(1, max_skus))):
            price = draw(_amounts(code, 0, max_price))
            units = int(price.amount.scaleb(minor_units(code)))
            tiers = tuple(
                QuantityTier(min_qty, from_minor(max(1, units * 9 // 10 - step), code))
                for step, min_qty in enumerate(sorted(draw(st.sets(st.integers(2, 6), max_size=2))))
            )
            member_price = draw(st.none() | _amounts(code, 0, max_price)) if _rarely(draw) else None
            sku = f"{product}-{s}"
            catalog[sku] = CatalogItem(
                sku,
                product,
                price,
                category=category,
                brand=brand,
                tags=tags,
                freight_template=template,
                weight_kg=Decimal(draw(st.integers(0, 5000))).scaleb(-3),
                member_discount=not _rarely(draw),
                member_price=member_price,
                quantity_tiers=tiers,
                tax_rate=Decimal(draw(st.sampled_from((0, 6, 9, 13)))),
            )
    return catalog


def catalogs(
    currency: str | None = None,
    *,
    min_products: int = 1,
    max_products: int = 4,
    max_skus_per_product: int = 3,
    max_price: int = 200,
    freight_template_ids: tuple[str, ...] = (),
) -> st.SearchStrategy[dict[str, CatalogItem]]:
    """Price books: SKU id → :class:`~mallcore.pricing.CatalogItem`, all in one currency.

    Products are ``P0, P1, …`` with SKUs ``P0-0, P0-1, …``; each product draws a
    category, brand and tags from a small vocabulary so scopes overlap.
    Prices are whole minor units from one minor unit to *max_price* major
    units; some SKUs carry quantity tiers (阶梯价, below the list price), an
    explicit member price, ``member_discount=False`` or a VAT rate.

    Args:
        currency: ISO code, or None to draw one from :func:`currency_codes`.
        min_products: Fewest products.
        max_products: Most products.
        max_skus_per_product: Most SKUs of one product (at least one each).
        max_price: Largest list price, in major units.
        freight_template_ids: Template ids products may use (each product
            draws one or None); empty means every product ships free.
    """
    _check_size("products", min_products, max_products)
    if min_products < 1:
        msg = f"min_products={min_products!r} must be at least 1"
        raise InvalidArgument(msg)
    if max_skus_per_product < 1:
        msg = f"max_skus_per_product={max_skus_per_product!r} must be at least 1"
        raise InvalidArgument(msg)
    if max_price < 1:
        msg = f"max_price={max_price!r} must be at least 1 (major unit)"
        raise InvalidArgument(msg)
    return _catalog(
        _currencies(currency),
        (min_products, max_products),
        max_skus_per_product,
        max_price,
        tuple(freight_template_ids),
    )


def carts(
    catalog: Mapping[str, CatalogItem],
    *,
    min_lines: int = 1,
    max_lines: int = 8,
    max_quantity: int = 5,
    coupon_codes: tuple[str, ...] = (),
    points: bool = False,
) -> st.SearchStrategy[Cart]:
    """Carts over *catalog*'s SKUs: distinct SKUs in random order, 1..*max_quantity* each.

    Args:
        catalog: The price book whose SKUs the lines use.
        min_lines: Fewest lines (at least 1).
        max_lines: Most lines (capped by the number of SKUs).
        max_quantity: Largest quantity of a line.
        coupon_codes: Codes the cart may list (a drawn subset, in drawn order).
        points: Whether to draw a points request (None, ``"max"`` or a number).
    """
    _check_size("lines", min_lines, max_lines)
    if not catalog:
        msg = "catalog={} must hold at least one SKU"
        raise InvalidArgument(msg)
    if min_lines < 1 or min_lines > len(catalog):
        msg = f"min_lines={min_lines!r} must be between 1 and the {len(catalog)} SKUs of catalog"
        raise InvalidArgument(msg)
    if max_quantity < 1:
        msg = f"max_quantity={max_quantity!r} must be at least 1"
        raise InvalidArgument(msg)
    skus = st.lists(
        st.sampled_from(sorted(catalog)),
        min_size=min_lines,
        max_size=min(max_lines, len(catalog)),
        unique=True,
    )
    lines = skus.flatmap(
        lambda chosen: st.tuples(*(st.integers(1, max_quantity) for _ in chosen)).map(
            lambda quantities: tuple(map(CartLine, chosen, quantities))
        )
    )
    codes = (
        st.lists(st.sampled_from(coupon_codes), unique=True, max_size=len(coupon_codes))
        if coupon_codes
        else st.just([])
    )
    requests: st.SearchStrategy[int | str | None] = (
        st.one_of(st.none(), st.just("max"), st.integers(0, 20_000)) if points else st.none()
    )
    return st.builds(Cart, lines, codes, requests)


# --------------------------------------------------------------------------- rules


def _vocabulary(catalog: Mapping[str, CatalogItem] | None) -> dict[str, tuple[str, ...]]:
    if not catalog:
        return {
            "products": ("P0", "P1"),
            "categories": _CATEGORIES,
            "brands": _BRANDS,
            "tags": _TAGS,
        }
    items = catalog.values()
    return {
        "products": tuple(sorted({i.product_id for i in items})),
        "categories": tuple(sorted({i.category for i in items if i.category})) or _CATEGORIES,
        "brands": tuple(sorted({i.brand for i in items if i.brand})) or _BRANDS,
        "tags": tuple(sorted({t for i in items for t in i.tags})) or _TAGS,
    }


def _listing(field: str, values: set[str], exclude: Scope | None = None) -> Scope:
    def pick(name: str) -> frozenset[str]:
        return frozenset(values) if field == name else frozenset()

    return Scope(pick("products"), pick("categories"), pick("brands"), pick("tags"), exclude)


@st.composite
def _scopes(draw: st.DrawFn, vocabulary: dict[str, tuple[str, ...]]) -> Scope:
    """Mostly everything; otherwise one listed dimension, sometimes with an exclusion."""
    if draw(st.booleans()):
        return Scope()
    field = draw(st.sampled_from(sorted(vocabulary)))
    listed = draw(st.sets(st.sampled_from(vocabulary[field]), min_size=1, max_size=2))
    exclude = None
    if _rarely(draw):
        other = draw(st.sampled_from(sorted(vocabulary)))
        exclude = _listing(other, {draw(st.sampled_from(vocabulary[other]))})
    return _listing(field, listed, exclude)


@st.composite
def _windows(draw: st.DrawFn, at: datetime) -> Window:
    """Always, active, on a boundary (``starts_at`` or ``ends_at`` is *at*), closed, recurring."""
    hours = draw(st.integers(1, 72))
    span = timedelta(hours=hours)
    shape = draw(
        st.sampled_from(
            ("always", "active", "starts_now", "ends_now", "not_started", "expired", "recurring")
        )
    )
    if shape == "always" or draw(st.booleans()):
        return Window()
    if shape == "active":
        return Window(at - span, at + span)
    if shape == "starts_now":
        return Window(at, at + span)
    if shape == "ends_now":
        return Window(at - span, at)
    if shape == "not_started":
        return Window(at + span, at + 2 * span)
    if shape == "expired":
        return Window(at - 2 * span, at - span)
    start = at - timedelta(days=draw(st.integers(7, 30)))
    return Window(start, None, draw(st.sampled_from(_RECURRENCES)), timedelta(hours=2))


def _limit() -> st.SearchStrategy[int | None]:
    return st.none() | st.integers(1, 3)


@st.composite
def _benefit(draw: st.DrawFn, kind: str, code: str, gift_skus: tuple[str, ...]) -> PromotionKind:
    money = _amounts
    if kind == "time_limited":
        if draw(st.booleans()):
            return TimeLimited(percent_off=draw(_percents()))
        return TimeLimited(unit_price=draw(money(code, 0, 150)))
    if kind in ("flash_sale", "group_price"):
        cls = FlashSale if kind == "flash_sale" else GroupPrice
        return cls(
            draw(money(code, 0, 100)),
            allow_promotions=draw(st.booleans()),
            allow_coupons=draw(st.booleans()),
            per_customer_limit=draw(st.none() | st.integers(1, 5)),
            total_limit=draw(st.none() | st.integers(1, 10)),
        )
    if kind == "threshold_off":
        spends = sorted(draw(st.sets(money(code, 0, 400), min_size=1, max_size=3)))
        # A tier never takes off more than its own threshold (满10减50 is refused).
        return ThresholdOff(
            tuple(SpendTier(s, _at_most(draw(money(code, 0, 60)), s)) for s in spends)
        )
    if kind == "every_off":
        per = draw(money(code, 1, 200))
        return EveryOff(per, _at_most(draw(money(code, 0, 40)), per), draw(_limit()))
    if kind == "threshold_percent":
        tiers = []
        for _ in range(draw(st.integers(1, 3))):
            if draw(st.booleans()):
                tiers.append(
                    ThresholdPercentTier(draw(_percents()), min_spend=draw(money(code, 0, 400)))
                )
            else:
                tiers.append(
                    ThresholdPercentTier(draw(_percents()), min_qty=draw(st.integers(1, 6)))
                )
        return ThresholdPercent(tuple(tiers))
    if kind == "percent_off":
        return PercentOff(draw(_percents()), draw(st.none() | money(code, 0, 80)))
    if kind == "nth_item":
        return NthItem(draw(st.integers(2, 4)), draw(_percents()), draw(_limit()))
    if kind == "bundle_price":
        return BundlePrice(draw(st.integers(2, 4)), draw(money(code, 0, 300)), draw(_limit()))
    if kind == "buy_x_get_y":
        percent = draw(st.just(Decimal(100)) | _percents())
        return BuyXGetY(draw(st.integers(1, 3)), draw(st.integers(1, 2)), percent, draw(_limit()))
    if kind == "gift":
        skus = draw(st.lists(st.sampled_from(gift_skus), min_size=1, max_size=2, unique=True))
        gifts = tuple(GiftItem(sku, draw(st.integers(1, 2))) for sku in skus)
        return Gift(draw(money(code, 0, 300)), gifts)
    return FreeShipping(
        draw(st.none() | money(code, 0, 300)),
        draw(st.none() | st.integers(1, 6)),
        tuple(draw(st.lists(st.sampled_from(_REGIONS), max_size=2, unique=True))),
    )


@st.composite
def _promotion(
    draw: st.DrawFn,
    codes: st.SearchStrategy[str],
    promotion_id: str,
    kinds: tuple[str, ...],
    catalog: Mapping[str, CatalogItem] | None,
    at: datetime,
) -> Promotion:
    kind = draw(st.sampled_from(kinds))
    gift_skus = tuple(sorted(catalog)) if catalog else ("GIFT",)
    return Promotion(
        promotion_id,
        draw(_benefit(kind, draw(codes), gift_skus)),
        priority=draw(st.integers(0, 3)),
        group=draw(st.sampled_from(("", "", "g1", "g2"))),
        exclusive=_rarely(draw),
        scope=draw(_scopes(_vocabulary(catalog))),
        window=draw(_windows(at)),
        channels=frozenset({"app"}) if _rarely(draw) else frozenset(),
        member_tiers=frozenset({"gold"}) if _rarely(draw) else frozenset(),
        first_order_only=_rarely(draw),
        usage_limit_reached=_rarely(draw) and _rarely(draw),
    )


def promotions(
    currency: str | None = None,
    *,
    promotion_id: str = "PR",
    kinds: tuple[str, ...] = PROMOTION_KINDS,
    catalog: Mapping[str, CatalogItem] | None = None,
    at: datetime | None = None,
) -> st.SearchStrategy[Promotion]:
    """Domain :class:`~mallcore.promotions.Promotion` objects of the given *kinds*.

    Each draws a scope over *catalog*'s products, categories, brands and tags
    (a default vocabulary without a catalog), a group (its kind, ``g1`` or
    ``g2``), a priority 0..3, sometimes ``exclusive``, a channel (``app``) or
    tier (``gold``) limit, first-order-only or an exhausted usage limit, and
    a window around *at* that may be closed.

    Args:
        currency: ISO code of the amounts, or None to draw one.
        promotion_id: The id of every drawn promotion.
        kinds: Kind names to draw from (a subset of :data:`PROMOTION_KINDS`).
        catalog: Scopes and gift SKUs come from it when given.
        at: The pricing instant windows are drawn around (default :data:`DEFAULT_AT`).
    """
    unknown = sorted(set(kinds) - set(PROMOTION_KINDS))
    if not kinds or unknown:
        msg = f"kinds={kinds!r} must be a non-empty subset of {PROMOTION_KINDS!r}"
        raise InvalidArgument(msg)
    return _promotion(_currencies(currency), promotion_id, tuple(kinds), catalog, _at(at))


@st.composite
def _coupon_template(
    draw: st.DrawFn,
    codes: st.SearchStrategy[str],
    template_id: str,
    catalog: Mapping[str, CatalogItem] | None,
) -> CouponTemplate:
    code = draw(codes)
    kind = draw(st.sampled_from(CouponKind))
    scope = Scope() if kind is CouponKind.SHIPPING else draw(_scopes(_vocabulary(catalog)))
    threshold = st.none() | _amounts(code, 0, 300)
    amount_off = percent_off = max_discount = min_spend = None
    if kind is CouponKind.PERCENT_OFF:
        percent_off = draw(_percents())
        max_discount = draw(st.none() | _amounts(code, 0, 50))
        min_spend = draw(threshold)
    else:
        amount_off = draw(_amounts(code, 0, 50))
        if kind is not CouponKind.NO_THRESHOLD:
            min_spend = draw(threshold)
        if min_spend is not None and kind is not CouponKind.SHIPPING:
            amount_off = _at_most(amount_off, min_spend)
    return CouponTemplate(
        template_id,
        kind,
        amount_off=amount_off,
        percent_off=percent_off,
        max_discount=max_discount,
        min_spend=min_spend,
        scope=scope,
        stack_with_promotions=not _rarely(draw),
    )


def coupon_templates(
    currency: str | None = None,
    *,
    template_id: str = "CT",
    catalog: Mapping[str, CatalogItem] | None = None,
) -> st.SearchStrategy[CouponTemplate]:
    """Coupon templates of every kind (满减券, 折扣券, 无门槛, 运费券).

    Product-class templates get a scope over *catalog* (or a default
    vocabulary); shipping templates cover everything. Some refuse to stack
    with promotions. Validity is left to :func:`coupons`.

    Args:
        currency: ISO code of the amounts, or None to draw one.
        template_id: The id of every drawn template.
        catalog: Scopes come from it when given.
    """
    return _coupon_template(_currencies(currency), template_id, catalog)


@st.composite
def _coupon(
    draw: st.DrawFn, templates: st.SearchStrategy[CouponTemplate], code: str, at: datetime
) -> Coupon:
    template = draw(templates)
    span = timedelta(hours=draw(st.integers(1, 72)))
    shape = draw(
        st.sampled_from(
            ("open", "valid", "from_now", "until_now", "not_started", "expired", "relative")
        )
    )
    if shape == "relative":
        days = draw(st.integers(0, 3))
        validity = Validity(starts_after=timedelta(days=days), lasts=timedelta(days=7))
        claimed = at - timedelta(days=draw(st.integers(0, 12)), hours=1)
        relative = attrs.evolve(template, validity=validity)
        return Coupon.claim(code, relative, claimed)
    windows = {
        "open": (None, None),
        "valid": (at - span, at + span),
        "from_now": (at, at + span),
        "until_now": (at - span, at),
        "not_started": (at + span, at + 2 * span),
        "expired": (at - 2 * span, at - span),
    }
    start, end = windows[shape]
    return Coupon(code, template, start, end)


def coupons(
    currency: str | None = None,
    *,
    code: str = "C",
    catalog: Mapping[str, CatalogItem] | None = None,
    at: datetime | None = None,
    templates: st.SearchStrategy[CouponTemplate] | None = None,
) -> st.SearchStrategy[Coupon]:
    """Coupons a customer holds, with a validity window around *at*.

    Windows are open, valid, exactly on a boundary (``valid_from == at`` or
    ``valid_until == at``, both valid since coupon windows include both ends),
    not yet started, expired, or relative to a claim time.

    Args:
        currency: ISO code of the amounts, or None to draw one.
        code: The code of every drawn coupon.
        catalog: Scopes come from it when given.
        at: The pricing instant (default :data:`DEFAULT_AT`).
        templates: Where templates come from (default :func:`coupon_templates`).
    """
    if not code:
        msg = "code='' must be a non-empty coupon code"
        raise InvalidArgument(msg)
    drawn = templates if templates is not None else coupon_templates(currency, catalog=catalog)
    return _coupon(drawn, code, _at(at))


# --------------------------------------------------------------------------- scenarios


@st.composite
def _scenario(
    draw: st.DrawFn,
    codes: st.SearchStrategy[str],
    at: datetime,
    sizes: tuple[int, int, int, int],
    shipping: bool | None,
    membership: bool | None,
) -> Scenario:
    min_lines, max_lines, max_promotions, max_coupons = sizes
    code = draw(codes)
    template_ids = ("T0", "T1") if shipping is not False else ()
    # Enough products that a cart can have min_lines distinct SKUs.
    catalog = draw(
        catalogs(
            code,
            min_products=min_lines,
            max_products=max(4, min_lines),
            freight_template_ids=template_ids,
        )
    )
    kept = st.sampled_from(PROMOTION_KINDS)
    rules = [
        draw(promotions(code, promotion_id=f"PR{i}", catalog=catalog, at=at, kinds=(draw(kept),)))
        for i in range(draw(st.integers(0, max_promotions)))
    ]
    held = {
        f"C{i}": draw(coupons(code, code=f"C{i}", catalog=catalog, at=at))
        for i in range(draw(st.integers(0, max_coupons)))
    }
    listed = (*held, "MISSING") if held and _rarely(draw) else tuple(held)
    # The catalog's products name these templates, so the context must hold them;
    # without a ship-to region no freight is quoted.
    templates: dict[str, FreightTemplate] = {
        template_id: draw(freight_templates(template_id=template_id, currency=code, max_fee=20))
        for template_id in template_ids
    }
    ship_to = None
    if shipping or (shipping is None and draw(st.booleans())):
        ship_to = draw(region_codes(foreign=False))
    tiers: tuple[Tier, ...] = ()
    points = None
    customer = Customer(first_order=draw(st.booleans()))
    if membership or (membership is None and draw(st.booleans())):
        tiers = (
            Tier("member", 0, draw(st.none() | st.integers(80, 99).map(Decimal))),
            Tier("gold", 1000, draw(st.integers(70, 95).map(Decimal)), Decimal(2), _rarely(draw)),
        )
        points = PointsSettings(
            points_per_unit=draw(st.sampled_from((1, 10, 100, 1000))),
            max_points_per_order=draw(st.none() | st.integers(0, 5000)),
            max_ratio=draw(st.sampled_from((Decimal(50), Decimal(100), Decimal("33.3")))),
            min_points=draw(st.sampled_from((0, 0, 100))),
        )
        customer = Customer(
            "c-1",
            draw(st.none() | st.sampled_from(_TIERS)),
            draw(st.integers(0, 20_000)),
            customer.first_order,
        )
    cart = draw(
        carts(
            catalog,
            min_lines=min_lines,
            max_lines=max(min_lines, max_lines),
            coupon_codes=listed,
            points=points is not None,
        )
    )
    modes = [TaxMode.INCLUSIVE, TaxMode.INCLUSIVE, TaxMode.EXCLUSIVE]
    if code == "CNY":
        modes.append(TaxMode.CROSS_BORDER)
    mode = draw(st.sampled_from(modes))
    context = PricingContext(
        currency=code,
        at=at,
        catalog=catalog,
        promotions=rules,
        coupons=held,
        freight_templates=templates,
        combine=draw(st.sampled_from(("sum", "max_first"))),
        tiers=tiers,
        points=points,
        customer=customer,
        ship_to=ship_to,
        channel=draw(st.sampled_from((None, "app", "web"))),
        allow_zero_payment=draw(st.booleans()),
        rounding=draw(st.sampled_from(RoundingPolicy)),
        tax=TaxSettings(mode=mode, rate=Decimal(draw(st.sampled_from((0, 6, 13))))),
    )
    return Scenario(cart, context)


def scenarios(
    *,
    currency: str | None = None,
    at: datetime | None = None,
    min_lines: int = 1,
    max_lines: int = 8,
    max_promotions: int = 6,
    max_coupons: int = 4,
    shipping: bool | None = None,
    membership: bool | None = None,
) -> st.SearchStrategy[Scenario]:
    """Whole :class:`~mallcore.pricing.Scenario` objects built from domain objects.

    A catalog (:func:`catalogs`), up to *max_promotions* promotions of any
    kind (:func:`promotions`), up to *max_coupons* held coupons listed by the
    cart in a drawn order (sometimes with a code the customer does not hold),
    optionally membership tiers with a points program and a points request,
    optionally freight templates and a mainland ship-to region, a rounding
    policy, a channel (None, ``app``, ``web``), inclusive or exclusive tax
    (cross-border too in CNY), and ``allow_zero_payment`` either way.
    Quoting one may raise :class:`~mallcore.errors.ZeroPaymentError`.

    Args:
        currency: ISO code, or None to draw one from :func:`currency_codes`.
        at: The pricing instant (default :data:`DEFAULT_AT`).
        min_lines: Fewest cart lines.
        max_lines: Most cart lines.
        max_promotions: Most promotions.
        max_coupons: Most held coupons.
        shipping: Freight templates and a ship-to address: always (True),
            never (False) or drawn (None).
        membership: Tiers, a points program, a points request and a member
            customer: always (True), never (False) or drawn (None).
    """
    _check_size("lines", min_lines, max_lines)
    if min_lines < 1:
        msg = f"min_lines={min_lines!r} must be at least 1"
        raise InvalidArgument(msg)
    sizes = (min_lines, max_lines, max_promotions, max_coupons)
    _check_size("promotions", 0, max_promotions)
    _check_size("coupons", 0, max_coupons)
    return _scenario(_currencies(currency), _at(at), sizes, shipping, membership)
