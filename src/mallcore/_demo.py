"""``mallcore demo``: the story of one order, told step by step with real numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import TextIO

import attrs

from mallcore.adapters.memory import InMemoryInventoryStore
from mallcore.membership import PointsSettings, Tier
from mallcore.money import Money, format_money, proportional_refund, sum_money
from mallcore.pricing import Cart, CartLine, CatalogItem, Customer, PricingContext, quote
from mallcore.promotions import (
    Coupon,
    CouponKind,
    CouponTemplate,
    Promotion,
    Scope,
    SpendTier,
    ThresholdOff,
    TimeLimited,
    Window,
)
from mallcore.shipping import ChargeBy, ChargeRule, FreeRule, FreightTemplate
from mallcore.sku import Product, Spec, SpecValue, build_matrix, make_product, make_sku

_LOCALES = ("zh_CN", "en_US", "de_DE", "ja_JP")
_CST = timezone(timedelta(hours=8))
_NOW = datetime(2026, 11, 11, 20, 0, tzinfo=_CST)


def _catalog() -> list[Product]:
    colour = Spec("colour", "Colour", [SpecValue("red", "Red"), SpecValue("black", "Black")])
    size = Spec("size", "Size", [SpecValue("s", "S"), SpecValue("m", "M"), SpecValue("l", "L")])
    exclusions = [{"colour": "black", "size": "s"}]
    matrix = build_matrix("tee", [colour, size], exclusions=exclusions)
    skus = [
        attrs.evolve(sku, price=Money("109.00", "CNY")) if sku.key.endswith("size=l") else sku
        for sku in matrix.to_skus(price=Money("99.00", "CNY"), weight_kg=Decimal("0.2"))
    ]
    tee = make_product(
        "tee",
        names={"zh": "亚麻T恤", "en": "Linen tee"},
        specs=[colour, size],
        exclusions=exclusions,
        skus=skus,
        category_id="apparel",
        freight_template_id="parcel",
        status="listed",
    )
    mug = make_product(
        "mug",
        names={"zh": "白瓷杯", "en": "White mug"},
        skus=[make_sku("MUG", "mug", price="35.50", currency="CNY", weight_kg="0.4")],
        category_id="home",
        freight_template_id="parcel",
        status="listed",
    )
    return [tee, mug]


def _context(products: list[Product]) -> PricingContext:
    catalog = {
        sku.id: CatalogItem.from_sku(product, sku) for product in products for sku in product.skus
    }
    eleven_eleven = Window(_NOW.replace(hour=0), _NOW.replace(hour=0) + timedelta(days=1))
    promotions = (
        Promotion(
            "double-11-tees",
            TimeLimited(percent_off=Decimal(20)),
            scope=Scope(categories=frozenset({"apparel"})),
            window=eleven_eleven,
        ),
        Promotion(
            "ladder",
            ThresholdOff(
                (
                    SpendTier(Money("150.00", "CNY"), Money("10.00", "CNY")),
                    SpendTier(Money("300.00", "CNY"), Money("30.00", "CNY")),
                )
            ),
        ),
    )
    coupon = Coupon(
        "HOME5",
        CouponTemplate(
            "home-5",
            CouponKind.AMOUNT_OFF,
            amount_off=Money("5.00", "CNY"),
            min_spend=Money("30.00", "CNY"),
            scope=Scope(categories=frozenset({"home"})),
        ),
        valid_until=_NOW + timedelta(days=7),
    )
    parcel = FreightTemplate(
        "parcel",
        ChargeBy.WEIGHT,
        [ChargeRule(Decimal(1), Decimal(8), Decimal(1), Decimal(3))],
        free_rules=[FreeRule(regions=("31",), min_amount=Decimal(99))],
    )
    return PricingContext(
        currency="CNY",
        at=_NOW,
        catalog=catalog,
        promotions=promotions,
        coupons={"HOME5": coupon},
        freight_templates={"parcel": parcel},
        tiers=(Tier("member"), Tier("gold", 1000, rate=Decimal(95))),
        points=PointsSettings(max_points_per_order=1000),
        customer=Customer("u-42", tier="gold", points=1800),
        ship_to="440305",
    )


def run_demo(out: TextIO, *, extra_locales: list[str]) -> None:
    """Print the demo to *out*."""
    say = out.write
    say("mallcore demo\n=============\n\n")

    products = _catalog()
    say("1. A catalog with a SKU matrix (colour × size, black/S excluded)\n")
    for product in products:
        say(f"   {product.id}: {product.name('zh')} / {product.name('en')}\n")
        for sku in product.skus:
            say(f"     {sku.code:<14} {sku.key:<22} {format_money(sku.price):>8}\n")

    store = InMemoryInventoryStore()
    for product in products:
        for sku in product.skus:
            store.set_stock(sku.id, 20, low_stock_threshold=3)
    say("\n2. Stock: 20 units of every SKU; an order reserves what it needs\n")
    change = store.reserve(
        "order-1", [("TEE-RED-M", 2), ("TEE-BLACK-L", 1), ("MUG", 1)], _NOW + timedelta(minutes=30)
    )
    for line in change.reservation.lines:
        level = store.get(line.sku_id)
        assert level is not None
        say(f"   {line.sku_id:<12} reserved {line.quantity}, available {level.available}\n")

    context = _context(products)
    cart = Cart(
        [CartLine("TEE-RED-M", 2), CartLine("TEE-BLACK-L", 1), CartLine("MUG", 1)],
        coupons=("HOME5",),
        points="max",
    )
    result = quote(cart, context)
    say("\n3. The quote, stage by stage (gold member, 11.11 sale, 满减, coupon, points)\n")
    for text in result.explain().splitlines():
        say(f"   {text}\n")

    say("\n4. The mug comes back: its line is refunded unit by unit, to the cent\n")
    mug = next(line for line in result.lines if line.sku == "MUG")
    paid = mug.paid
    refunds = [proportional_refund(paid, 1, 0, 1)]
    tee = next(line for line in result.lines if line.sku == "TEE-RED-M")
    tee_refunds = [proportional_refund(tee.paid, 2, before, 1) for before in range(2)]
    say(f"   MUG paid {format_money(paid)}, refund {format_money(refunds[0])}\n")
    say(
        f"   TEE-RED-M paid {format_money(tee.paid)}, refunds "
        f"{' + '.join(format_money(r) for r in tee_refunds)} = "
        f"{format_money(sum_money(tee_refunds))}\n"
    )

    say("\n5. One amount per currency, formatted for each locale\n")
    samples = (Money("1234.50", "CNY"), Money("1234.50", "EUR"), Money("1234", "JPY"))
    for locale in (*_LOCALES, *extra_locales):
        shown = "   ".join(format_money(sample, locale) for sample in samples)
        say(f"   {locale:<6} {shown}\n")
    say(f"\nDone at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n")
