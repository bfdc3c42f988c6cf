"""``mallcore demo``: the story of one order, told step by step with real numbers.

Everything is stored in the embedded SQLite database (``--db PATH``, default
``./mallcore-demo.sqlite``) and read back from it at every step: the catalog,
stock, coupons, the member and their points, the order. The file is the
demo's own: a second run starts it afresh, and a file the demo did not write
is refused rather than touched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import attrs

from mallcore.adapters.sandbox_carrier import SandboxCarrier
from mallcore.adapters.sandbox_payment import SandboxGateway
from mallcore.adapters.sql import SqlDatabase
from mallcore.checks import invalid
from mallcore.clock import AdvancingClock
from mallcore.membership import PointsSettings, Tier
from mallcore.membership.account import MemberAccount
from mallcore.membership.ledger import EntryKind
from mallcore.money import Money, format_money, from_minor, get_locale, sum_money
from mallcore.orders import Order, periods, statement
from mallcore.ports import CouponBatch, PaymentRequest, UnitOfWork
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
    pay_order,
    place_order,
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


#: The default database file, in the working directory.
DEFAULT_DB = Path("mallcore-demo.sqlite")
#: The key that marks a database file as the demo's own.
_MARK = "mallcore-demo:this file is the demo's"
_FOREVER = datetime(9999, 1, 1, tzinfo=UTC)


def _demo_database(path: Path) -> SqlDatabase:
    """Open a fresh demo database at *path*: a new file, or the demo's own file started over."""
    if path.exists():
        with SqlDatabase.open(path, tiers=_TIERS) as old:  # refuses corrupt and foreign files
            ours = old.idempotency.seen(_MARK, at=_NOW)
            empty = not any(old.row_counts().values())
        if not (ours or empty):
            reason = "holds data the demo did not write: give the demo a file of its own"
            raise invalid("--db", str(path), reason)
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
    database = SqlDatabase.open(path, tiers=_TIERS)
    database.idempotency.remember(_MARK, at=_NOW, keep_until=_FOREVER)
    return database


def _order_story(say: Callable[[str], object], result: Quote, db: SqlDatabase) -> None:
    """Place an order from *result* and pay, ship, deliver and refund it, all stored in *db*."""
    clock = AdvancingClock(_NOW)
    gateway = SandboxGateway(b"mallcore-demo-secret-0123456789", clock, nonces=db.idempotency)
    carrier = SandboxCarrier(clock=clock, name="sandbox-express")
    db.members.add(_member(clock.now()))
    db.coupons.define(CouponBatch("home-5", total_quantity=1000, per_customer_limit=1))
    db.coupons.claim("home-5", "u-42", code="HOME5", at=clock.now() - timedelta(days=1))
    member = db.members.get("u-42")
    assert member is not None
    say(f"   member {_account_line(member)}\n")
    with db.unit_of_work() as uow:
        placed = place_order(
            uow,
            result,
            customer_id="u-42",
            at=clock.now(),
            key="checkout:u-42:1",
            coupons=("HOME5",),
        )
    number = placed.number
    order = _stored(db, number)
    say(f"   placed {order.number}: {order.state}, payable {format_money(order.payable)}\n")
    reservation = db.inventory.get_reservation(number)
    assert reservation is not None
    for held in reservation.lines:
        level = db.inventory.get(held.sku_id)
        assert level is not None
        say(f"   {held.sku_id:<12} reserved {held.quantity}, available {level.available}\n")
    member = _stored_member(db)
    say(f"   {order.points_used} points redeemed for the order: {_account_line(member)}\n")

    clock.advance(minutes=2)
    request = PaymentRequest(number, order.payable, "mallcore demo", f"pay:{number}")
    intent = gateway.create(request)
    headers, body = gateway.notify(intent.payment_id, "paid")
    notification = gateway.verify_notification(headers, body)
    with db.unit_of_work() as uow:
        pay_order(
            uow,
            number,
            notification.amount,
            payment_id=notification.payment_id,
            at=notification.occurred_at,
        )
        member = _stored_member(uow)
        version = member.version
        paid_order = uow.orders.get(number)
        assert paid_order is not None
        earned, growth = reward_payment(paid_order, member, at=clock.now())
        uow.members.save(member, expected_version=version)
    order = _stored(db, number)
    say(
        f"   paid {format_money(order.payable)} through the sandbox gateway "
        f"({intent.payment_id}, signed notification verified): {order.state}\n"
    )
    points_in = earned.points if earned is not None else 0
    say(f"   earned {points_in} points and {growth} growth: {_account_line(_stored_member(db))}\n")
    reservation = db.inventory.get_reservation(number)
    coupon = db.coupons.get("HOME5")
    assert reservation is not None and coupon is not None
    say(f"   stock reservation {reservation.state.value}; coupon {coupon.code} {coupon.state}\n")

    clock.advance(hours=3)
    tee = next(line for line in order.snapshot.lines if line.sku == "TEE-RED-M")
    parcels = []
    for lines in ({tee.key: 2}, None):
        order = _stored(db, number)
        version = order.version
        waybill = ship_with_carrier(
            order,
            carrier=carrier,
            service="standard",
            ship_to="440305",  # the customer's address region, as quoted
            at=clock.now(),
            lines=lines,
            weights_kg={line.sku: Decimal("0.2") for line in order.snapshot.lines},
        )
        db.orders.save(order, expected_version=version)
        parcels.append(waybill.tracking_no)
        what = "TEE-RED-M × 2" if lines else "the rest"
        say(f"   shipped {waybill.tracking_no} ({what}) with {waybill.carrier}: {order.state}\n")
        clock.advance(hours=2)
    for tracking_no in parcels:
        scans = carrier.deliver(tracking_no)
        steps = " → ".join(scan.status.value for scan in scans)
        say(f"   {tracking_no}: {steps}\n")
    order = _stored(db, number)
    version = order.version
    delivered = track_with_carrier(order, carrier=carrier)
    assert delivered is not None
    db.orders.save(order, expected_version=version)
    say(f"   delivered (from the carrier's scans, {delivered.at:%Y-%m-%d %H:%M}): {order.state}\n")

    back = delivered.at + timedelta(days=2)
    mug = next(line for line in order.snapshot.lines if line.sku == "MUG")
    refunds: dict[str, list[Money]] = {}
    for line, reason, units in ((mug, "wrong_item", [1]), (tee, "damaged", [1, 1])):
        for quantity in units:
            clock.current = max(clock.current, back + timedelta(days=2))
            with db.unit_of_work() as uow:
                order = _stored(uow, number)
                member = _stored_member(uow)
                versions = order.version, member.version
                case = order.request_after_sale(
                    line.key, kind="return_and_refund", reason=reason, quantity=quantity, at=back
                )
                order.review_after_sale(case.id, approve=True, at=back)
                order.receive_return(case.id, at=back + timedelta(days=2))
                effects = order.refund_after_sale(case.id, at=back + timedelta(days=2))
                done = carry_out(
                    order,
                    effects,
                    inventory=uow.inventory,
                    gateway=gateway,
                    account=member,
                    at=clock.now(),
                    reason=reason,
                )
                uow.orders.save(order, expected_version=versions[0])
                uow.members.save(member, expected_version=versions[1])
            (refund,) = done.refunds
            refunds.setdefault(line.sku, []).append(refund.amount)
            say(
                f"   {case.id}: {line.sku} × {quantity} returned ({reason}): "
                f"refunded {format_money(refund.amount)} ({refund.refund_id}), case {case.state}\n"
            )
    order = _stored(db, number)
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
    member = _stored_member(db)
    moves = member.ledger.statement(_NOW, clock.now() + timedelta(seconds=1)).moves
    say(
        f"   after the refunds, {moves[EntryKind.RETURN]} redeemed points returned and "
        f"{-moves[EntryKind.CLAWBACK]} earned points clawed back: {_account_line(member)}\n"
    )

    say("\n5. Daily statements (days with activity), from the orders stored\n")
    stored = [_stored(db, n) for n in db.orders.numbers()]
    reported = [(p.payment_id, intent.order_number, p.amount) for p in gateway.payments.values()]
    for start, end in periods(_NOW, clock.now() + timedelta(seconds=1), "day", zone=_CST):
        day = statement(stored, start, end, payments=reported)
        if not (day.orders or day.refunded.amount):
            continue
        say(
            f"   {start:%Y-%m-%d}: orders {day.orders}, GMV {format_money(day.gmv)}, "
            f"paid {format_money(day.paid)}, refunded {format_money(day.refunded)}, "
            f"net {format_money(day.net_sales)}, "
            f"{'ties out' if day.ties_out else f'{len(day.mismatches)} mismatch(es)'}\n"
        )


def _stored(stores: SqlDatabase | UnitOfWork, number: str) -> Order:
    order = stores.orders.get(number)
    assert order is not None
    return order


def _stored_member(stores: SqlDatabase | UnitOfWork) -> MemberAccount:
    member = stores.members.get("u-42")
    assert member is not None
    return member


def run_demo(out: TextIO, *, extra_locales: list[str], db: Path = DEFAULT_DB) -> None:
    """Print the demo to *out*, storing everything in the SQLite file *db*."""
    for locale in extra_locales:
        get_locale(locale)  # an unknown locale fails before anything is written
    database = _demo_database(db)
    say = out.write
    say("mallcore demo\n=============\n\n")
    try:
        _run(say, database, extra_locales)
        counts = database.row_counts()
        entries = len(_stored_member(database).ledger.entries)
        say(
            f"\nStored in {db} (SQLite, schema {database.revision}): "
            f"{counts['mallcore_products']} products, "
            f"{counts['mallcore_stock_levels']} stock levels, "
            f"{counts['mallcore_held_coupons']} coupon, {counts['mallcore_orders']} order, "
            f"{counts['mallcore_members']} member with {entries} points entries; "
            "run again to start over.\n"
        )
    finally:
        database.close()
    say(f"\nDone at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n")


def _run(say: Callable[[str], object], db: SqlDatabase, extra_locales: list[str]) -> None:
    for product in _catalog():
        db.products.add(product)
    products = db.products.all()
    say("1. A catalog with a SKU matrix (colour × size, black/S excluded), stored and read back\n")
    for product in products:
        say(f"   {product.id}: {product.name('zh')} / {product.name('en')}\n")
        for sku in product.skus:
            say(f"     {sku.code:<14} {sku.key:<22} {format_money(sku.price):>8}\n")

    for product in products:
        for sku in product.skus:
            db.inventory.set_stock(sku.id, 20, low_stock_threshold=3)
    say("\n2. Stock: 20 units of every SKU; placing the order reserves what it needs (step 4)\n")

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
    _order_story(say, result, db)

    say("\n6. One amount per currency, formatted for each locale\n")
    samples = (Money("1234.50", "CNY"), Money("1234.50", "EUR"), Money("1234", "JPY"))
    for locale in (*_LOCALES, *extra_locales):
        shown = "   ".join(format_money(sample, locale) for sample in samples)
        say(f"   {locale:<6} {shown}\n")
