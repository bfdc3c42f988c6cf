"""``mallcore demo``: the story of one order, told step by step with real numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import TextIO

import attrs

from mallcore.adapters.memory import InMemoryInventoryStore
from mallcore.adapters.sandbox_carrier import SandboxCarrier
from mallcore.adapters.sandbox_payment import SandboxGateway
from mallcore.clock import AdvancingClock
from mallcore.membership import PointsSettings, Tier
from mallcore.membership.account import MemberAccount
from mallcore.membership.ledger import EntryKind
from mallcore.money import Money, format_money, from_minor, sum_money
from mallcore.orders import Order, periods, statement
from mallcore.ports import InventoryStore, PaymentRequest
from mallcore.pricing import Cart, CartLine, CatalogItem, Customer, PricingContext, Quote, quote
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
from mallcore.usecases import (
    carry_out,
    pay_from_notification,
    redeem_for_order,
    reward_payment,
    ship_with_carrier,
    track_with_carrier,
)

_LOCALES = ("zh_CN", "en_US", "de_DE", "ja_JP")
_CST = timezone(timedelta(hours=8))
_NOW = datetime(2026, 11, 11, 20, 0, tzinfo=_CST)
#: The programme's tiers; the demo's customer is gold, 254 growth short of platinum.
_TIERS = (
    Tier("member"),
    Tier("gold", 1000, rate=Decimal(95)),
    Tier("platinum", 1300, rate=Decimal(92), free_shipping=True),
)


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
        tiers=_TIERS,
        points=PointsSettings(max_points_per_order=1000),
        customer=Customer("u-42", tier="gold", points=1800),
        ship_to="440305",
    )


def _member(at: datetime) -> MemberAccount:
    """The demo's customer: 1,800 points and 1,050 growth (gold) from earlier orders."""
    member = MemberAccount("u-42", _TIERS)
    earlier = at - timedelta(days=90)
    member.ledger.earn(1800, at=earlier, source="earlier orders", key="earn:earlier")
    member.earn_growth(1050, at=earlier, source="earlier orders", key="growth:earlier")
    return member


def _account_line(member: MemberAccount) -> str:
    return f"{member.ledger.balance} points, growth {member.growth}, tier {member.tier}"


def _order_story(say: Callable[[str], object], result: Quote, inventory: InventoryStore) -> None:
    """Place an order from *result*; pay, ship, deliver and refund it through the sandboxes."""
    clock = AdvancingClock(_NOW)
    gateway = SandboxGateway(b"mallcore-demo-secret-0123456789", clock)
    carrier = SandboxCarrier(clock=clock, name="sandbox-express")
    order = Order.place(
        result, customer_id="u-42", at=clock.now(), reservation_id="order-1", coupons=("HOME5",)
    )
    say(f"   placed {order.number}: {order.state}, payable {format_money(order.payable)}\n")
    member = _member(clock.now())
    say(f"   member {_account_line(member)}\n")
    redeemed = redeem_for_order(order, member, at=clock.now())
    used = -redeemed.points if redeemed is not None else 0
    say(f"   {used} points redeemed for the order: {_account_line(member)}\n")

    clock.advance(minutes=2)
    request = PaymentRequest(order.number, order.payable, "mallcore demo", f"pay:{order.number}")
    intent = gateway.create(request)
    headers, body = gateway.notify(intent.payment_id, "paid")
    outcome = pay_from_notification(order, headers, body, gateway=gateway, inventory=inventory)
    say(
        f"   paid {format_money(order.payable)} through the sandbox gateway "
        f"({intent.payment_id}, signed notification verified): {order.state}\n"
    )
    earned, growth = reward_payment(order, member, at=clock.now())
    points_in = earned.points if earned is not None else 0
    say(f"   earned {points_in} points and {growth} growth: {_account_line(member)}\n")
    reservation = inventory.get_reservation("order-1")
    assert reservation is not None
    coupons = ", ".join(code for effect in outcome.left for code in effect.coupons)
    say(f"   stock reservation {reservation.state.value}; coupon {coupons} used\n")

    clock.advance(hours=3)
    tee = next(line for line in order.snapshot.lines if line.sku == "TEE-RED-M")
    parcels = []
    for lines in ({tee.key: 2}, None):
        waybill = ship_with_carrier(
            order,
            carrier=carrier,
            service="standard",
            ship_to="440305",  # the customer's address region, as quoted
            at=clock.now(),
            lines=lines,
            weights_kg={line.sku: Decimal("0.2") for line in order.snapshot.lines},
        )
        parcels.append(waybill.tracking_no)
        what = "TEE-RED-M × 2" if lines else "the rest"
        say(f"   shipped {waybill.tracking_no} ({what}) with {waybill.carrier}: {order.state}\n")
        clock.advance(hours=2)
    for tracking_no in parcels:
        scans = carrier.deliver(tracking_no)
        steps = " → ".join(scan.status.value for scan in scans)
        say(f"   {tracking_no}: {steps}\n")
    delivered = track_with_carrier(order, carrier=carrier)
    assert delivered is not None
    say(f"   delivered (from the carrier's scans, {delivered.at:%Y-%m-%d %H:%M}): {order.state}\n")

    back = delivered.at + timedelta(days=2)
    mug = next(line for line in order.snapshot.lines if line.sku == "MUG")
    refunds: dict[str, list[Money]] = {}
    for line, reason, units in ((mug, "wrong_item", [1]), (tee, "damaged", [1, 1])):
        for quantity in units:
            case = order.request_after_sale(
                line.key, kind="return_and_refund", reason=reason, quantity=quantity, at=back
            )
            order.review_after_sale(case.id, approve=True, at=back)
            order.receive_return(case.id, at=back + timedelta(days=2))
            effects = order.refund_after_sale(case.id, at=back + timedelta(days=2))
            clock.current = max(clock.current, back + timedelta(days=2))
            done = carry_out(
                order,
                effects,
                inventory=inventory,
                gateway=gateway,
                account=member,
                at=clock.now(),
                reason=reason,
            )
            (refund,) = done.refunds
            refunds.setdefault(line.sku, []).append(refund.amount)
            say(
                f"   {case.id}: {line.sku} × {quantity} returned ({reason}): "
                f"refunded {format_money(refund.amount)} ({refund.refund_id}), case {case.state}\n"
            )
    for line in (mug, tee):
        parts = refunds[line.sku]
        paid = format_money(from_minor(line.paid, order.snapshot.currency))
        shown = " + ".join(format_money(part) for part in parts)
        tail = f" = {format_money(sum_money(parts))}" if len(parts) > 1 else ""
        label = "refunds" if len(parts) > 1 else "refund"
        say(f"   {line.sku} paid {paid}, {label} {shown}{tail}\n")
    say(
        f"   order {order.state}: refunded {format_money(order.refunded)} "
        f"of {format_money(order.payable)}; the gateway holds "
        f"{format_money(gateway.query(intent.payment_id).refundable)} of the payment\n"
    )
    moves = member.ledger.statement(_NOW, clock.now() + timedelta(seconds=1)).moves
    say(
        f"   after the refunds, {moves[EntryKind.RETURN]} redeemed points returned and "
        f"{-moves[EntryKind.CLAWBACK]} earned points clawed back: {_account_line(member)}\n"
    )

    say("\n5. Daily statements (days with activity)\n")
    reported = [(p.payment_id, intent.order_number, p.amount) for p in gateway.payments.values()]
    for start, end in periods(_NOW, clock.now() + timedelta(seconds=1), "day", zone=_CST):
        day = statement([order], start, end, payments=reported)
        if not (day.orders or day.refunded.amount):
            continue
        say(
            f"   {start:%Y-%m-%d}: orders {day.orders}, GMV {format_money(day.gmv)}, "
            f"paid {format_money(day.paid)}, refunded {format_money(day.refunded)}, "
            f"net {format_money(day.net_sales)}, "
            f"{'ties out' if day.ties_out else f'{len(day.mismatches)} mismatch(es)'}\n"
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

    say(
        "\n4. The order: placed, paid through the sandbox gateway, shipped in two parcels"
        " with the sandbox carrier, delivered; two lines come back\n"
    )
    _order_story(say, result, store)

    say("\n6. One amount per currency, formatted for each locale\n")
    samples = (Money("1234.50", "CNY"), Money("1234.50", "EUR"), Money("1234", "JPY"))
    for locale in (*_LOCALES, *extra_locales):
        shown = "   ".join(format_money(sample, locale) for sample in samples)
        say(f"   {locale:<6} {shown}\n")
    say(f"\nDone at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n")
