"""Use cases: an order paid through the sandbox gateway, shipped and tracked through the carrier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import mallcore
from mallcore.adapters.memory import InMemoryInventoryStore
from mallcore.adapters.sandbox_carrier import SandboxCarrier, SandboxFaults
from mallcore.adapters.sandbox_payment import SandboxGateway
from mallcore.clock import AdvancingClock
from mallcore.errors import (
    CarrierTimeoutError,
    ConfigError,
    InvalidTransitionError,
    PaymentMismatchError,
    ReplayedNotificationError,
)
from mallcore.membership import Tier
from mallcore.membership.account import MemberAccount
from mallcore.membership.distribution import (
    CommissionPlan,
    LevelRate,
    PromoterNetwork,
    available_balance,
)
from mallcore.money import Money, to_minor
from mallcore.orders import Effect, EffectKind, Order
from mallcore.ports import PaymentRequest
from mallcore.shipping.carriers import ParcelItem, Shipment
from mallcore.sku.inventory import ReservationState
from mallcore.usecases import (
    Outcome,
    carry_out,
    commissions_for_order,
    growth_of_lines,
    pay_from_notification,
    redeem_for_order,
    release_commissions,
    reward_payment,
    ship_with_carrier,
    track_with_carrier,
)

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "01-stacked-cart.scenario.json"
SECRET = b"use-case-test-secret-0123456789ab"


class Shop:
    """One order with its ports: stock in memory, the sandbox gateway and carrier."""

    def __init__(self) -> None:
        self.clock = AdvancingClock(AT)
        self.gateway = SandboxGateway(SECRET, self.clock)
        self.carrier = SandboxCarrier(clock=self.clock)
        self.inventory = InMemoryInventoryStore()
        scenario = mallcore.load_scenario(EXAMPLE)
        quote = mallcore.quote(scenario.cart, scenario.context)
        units = {line.sku: line.quantity for line in quote.lines}
        for sku in units:
            self.inventory.set_stock(sku, 10)
        self.inventory.reserve("r-1", units, AT + timedelta(minutes=30))
        self.order = Order.place(
            quote, customer_id="c-1", at=AT, number="20261111120000ABCDEFGHJK", reservation_id="r-1"
        )
        self.units = units

    def notification(self, amount: Money | None = None) -> tuple[dict[str, str], bytes]:
        request = PaymentRequest(
            self.order.number, amount or self.order.payable, "Order", f"pay:{self.order.number}"
        )
        intent = self.gateway.create(request)
        return self.gateway.notify(intent.payment_id, "paid")

    def pay(self) -> Outcome:
        headers, body = self.notification()
        return pay_from_notification(
            self.order, headers, body, gateway=self.gateway, inventory=self.inventory
        )

    def carry_out(self, effects: list[Effect], **ports: Any) -> Outcome:
        return carry_out(
            self.order, effects, inventory=self.inventory, gateway=self.gateway, **ports
        )

    def on_hand(self) -> dict[str, int]:
        levels = {sku: self.inventory.get(sku) for sku in self.units}
        return {sku: level.on_hand for sku, level in levels.items() if level is not None}


def _paid() -> Shop:
    shop = Shop()
    shop.pay()
    return shop


def test_a_verified_notification_pays_the_order_and_commits_its_stock() -> None:
    shop = Shop()
    headers, body = shop.notification()
    outcome = pay_from_notification(
        shop.order, headers, body, gateway=shop.gateway, inventory=shop.inventory
    )
    assert shop.order.state == "paid"
    reservation = shop.inventory.get_reservation("r-1")
    assert reservation is not None and reservation.state is ReservationState.COMMITTED
    assert shop.on_hand() == {sku: 10 - units for sku, units in shop.units.items()}
    assert outcome.refunds == () and outcome.left == ()


def test_a_replayed_notification_is_refused_and_pays_nothing_twice() -> None:
    shop = Shop()
    headers, body = shop.notification()
    pay_from_notification(shop.order, headers, body, gateway=shop.gateway, inventory=shop.inventory)
    version = shop.order.version
    with pytest.raises(ReplayedNotificationError):
        pay_from_notification(
            shop.order, headers, body, gateway=shop.gateway, inventory=shop.inventory
        )
    assert (shop.order.version, len(shop.order.payments)) == (version, 1)


def test_a_notification_of_another_amount_changes_nothing() -> None:
    shop = Shop()
    headers, body = shop.notification(shop.order.payable + Money("1", "CNY"))
    with pytest.raises(PaymentMismatchError):
        pay_from_notification(
            shop.order, headers, body, gateway=shop.gateway, inventory=shop.inventory
        )
    assert (shop.order.state, shop.order.payments) == ("pending_payment", [])
    reservation = shop.inventory.get_reservation("r-1")
    assert reservation is not None and reservation.state is ReservationState.OPEN


def test_a_notification_of_another_order_is_refused() -> None:
    shop = Shop()
    intent = shop.gateway.create(PaymentRequest("other-order", shop.order.payable, "x", "k"))
    headers, body = shop.gateway.notify(intent.payment_id)
    with pytest.raises(ConfigError, match="order_number='other-order' is for another order"):
        pay_from_notification(
            shop.order, headers, body, gateway=shop.gateway, inventory=shop.inventory
        )
    assert shop.order.state == "pending_payment"


def test_a_payment_after_cancellation_is_refunded_through_the_gateway() -> None:
    shop = Shop()
    effects = shop.order.cancel(at=AT + timedelta(minutes=30), actor="system", reason="timeout")
    shop.carry_out(effects)
    assert shop.on_hand() == dict.fromkeys(shop.units, 10)
    headers, body = shop.notification()
    outcome = pay_from_notification(
        shop.order, headers, body, gateway=shop.gateway, inventory=shop.inventory
    )
    (refund,) = outcome.refunds
    assert refund.amount == shop.order.payable
    assert shop.gateway.query(refund.payment_id).refundable.amount == 0
    assert shop.order.state == "cancelled"


def test_two_parcels_booked_with_the_carrier_then_delivered_by_its_scans() -> None:
    shop = _paid()
    first = shop.order.snapshot.lines[0]
    one = ship_with_carrier(
        shop.order,
        carrier=shop.carrier,
        service="standard",
        ship_to="440305",
        at=AT + timedelta(hours=2),
        lines={first.key: 1},
    )
    assert shop.order.state == "partially_shipped"
    two = ship_with_carrier(
        shop.order, carrier=shop.carrier, service="standard", ship_to="440305", at=AT
    )
    assert shop.order.state == "shipped"
    assert [s.tracking_number for s in shop.order.shipments] == [one.tracking_no, two.tracking_no]
    shop.carrier.deliver(one.tracking_no)
    assert track_with_carrier(shop.order, carrier=shop.carrier) is None
    assert shop.order.state == "shipped"
    shop.carrier.deliver(two.tracking_no)
    event = track_with_carrier(shop.order, carrier=shop.carrier)
    assert event is not None and shop.order.state == "delivered"
    last_scan = shop.carrier.track(two.tracking_no)[-1]
    assert event.at == max(
        last_scan.occurred_at, shop.carrier.track(one.tracking_no)[-1].occurred_at
    )
    assert track_with_carrier(shop.order, carrier=shop.carrier) == event  # once


def test_a_parcel_the_order_cannot_send_is_never_booked() -> None:
    shop = Shop()  # unpaid
    with pytest.raises(InvalidTransitionError, match="pending_payment"):
        ship_with_carrier(
            shop.order, carrier=shop.carrier, service="standard", ship_to="440305", at=AT
        )
    paid = _paid()
    with pytest.raises(ConfigError, match="is not a line of the order"):
        ship_with_carrier(
            paid.order,
            carrier=paid.carrier,
            service="standard",
            ship_to="440305",
            at=AT,
            lines={"nope": 1},
        )
    assert paid.order.shipments == []


def test_a_carrier_timeout_leaves_the_order_unshipped_and_a_retry_books_the_same_parcel() -> None:
    shop = _paid()
    shop.carrier.faults = SandboxFaults(timeout_after_create=True)  # booked, then no answer
    with pytest.raises(CarrierTimeoutError):
        ship_with_carrier(
            shop.order, carrier=shop.carrier, service="standard", ship_to="440305", at=AT
        )
    assert (shop.order.state, shop.order.shipments) == ("paid", [])
    shop.carrier.faults = SandboxFaults()
    waybill = ship_with_carrier(
        shop.order, carrier=shop.carrier, service="standard", ship_to="440305", at=AT
    )
    assert shop.order.state == "shipped"
    assert shop.order.shipments[0].tracking_number == waybill.tracking_no
    # The retry carried the first attempt's key: a sandbox with the same seed gives that key
    # the same tracking number, so the first booking was not doubled.
    twin = SandboxCarrier(clock=shop.clock)
    parcel = Shipment(shop.order.number, "440305", [ParcelItem("X", 1)], "CNY")
    key = f"{shop.order.number}:parcel-1"
    assert twin.create_shipment(parcel, service="standard", idempotency_key=key).tracking_no == (
        waybill.tracking_no
    )


def test_an_after_sale_refund_goes_through_the_gateway_once_and_leaves_points_to_membership() -> (
    None
):
    shop = _paid()
    line = shop.order.snapshot.lines[0]
    case = shop.order.request_after_sale(
        line.key, kind="refund_only", reason="other", quantity=1, at=AT + timedelta(hours=1)
    )
    shop.order.review_after_sale(case.id, approve=True, at=AT + timedelta(hours=1))
    effects = shop.order.refund_after_sale(case.id, at=AT + timedelta(hours=2))
    outcome = shop.carry_out(effects)
    (refund,) = outcome.refunds
    assert to_minor(refund.amount) == case.refunded
    assert {e.kind for e in outcome.left} <= {
        EffectKind.RETURN_POINTS,
        EffectKind.CLAW_BACK_POINTS,
        EffectKind.CLAW_BACK_REWARDS,
    }
    again = shop.carry_out(effects)
    assert again.refunds == outcome.refunds  # the same key: one refund
    assert len(shop.gateway.refunds) == 1


# --------------------------------------------------------------------------- membership


def _member(shop: Shop) -> MemberAccount:
    account = MemberAccount("c-1", [Tier("member"), Tier("silver", 100)])
    account.ledger.earn(5000, at=AT - timedelta(days=30), source="signup", key="earn:signup")
    return account


def test_points_are_redeemed_at_placement_and_earned_with_growth_at_payment() -> None:
    shop = Shop()
    account = _member(shop)
    redeem_for_order(shop.order, account, at=AT)
    assert account.ledger.balance == 5000 - shop.order.points_used == 3000
    shop.pay()
    entry, growth = reward_payment(shop.order, account, at=AT + timedelta(minutes=5))
    assert entry is not None and entry.points == 60 + 22 + 43
    # floor(60.66 + 21.62 + 43.22 = 125.50 yuan) = 125, split by what each line paid:
    # 125 x 6066/12550 = 60.42, x 2162/12550 = 21.54, x 4322/12550 = 43.05; the leftover
    # point goes to the largest remainder (B).
    assert growth == 125 and growth_of_lines(shop.order) == {"A": 60, "B": 22, "C": 43}
    assert (account.growth, account.tier) == (125, "silver")
    assert reward_payment(shop.order, account, at=AT + timedelta(minutes=6)) == (entry, 125)
    assert account.growth == 125  # once


def test_refunding_every_unit_returns_the_account_to_where_it_was() -> None:
    shop = Shop()
    account = _member(shop)
    start = (account.ledger.balance, account.growth, account.tier)
    redeem_for_order(shop.order, account, at=AT)
    shop.pay()
    reward_payment(shop.order, account, at=AT)
    at = AT + timedelta(hours=1)
    for line in shop.order.snapshot.lines:
        for _ in range(line.quantity):  # unit by unit: the odd cents and points must still tie
            case = shop.order.request_after_sale(
                line.key, kind="refund_only", reason="other", quantity=1, at=at
            )
            shop.order.review_after_sale(case.id, approve=True, at=at)
            effects = shop.order.refund_after_sale(case.id, at=at)
            outcome = shop.carry_out(
                effects,
                account=account,
                at=at,
            )
            assert outcome.left == ()
            again = shop.carry_out(
                effects,
                account=account,
                at=at,
            )
            assert again.refunds == outcome.refunds
    assert shop.order.state == "closed"
    assert (account.ledger.balance, account.growth, account.tier) == start
    assert account.ledger.balance == sum(e.points for e in account.ledger.entries)


def test_refunds_reduce_the_promoters_frozen_commissions_to_zero() -> None:
    shop = Shop()
    account = _member(shop)
    network = PromoterNetwork()
    network.bind("c-1", "bob")
    network.bind("bob", "alice")
    shop.pay()
    plan = CommissionPlan([LevelRate(5), LevelRate(3)])
    made = commissions_for_order(
        shop.order, network=network, plan=plan, releases_at=AT + timedelta(days=10)
    )
    # Line A paid 60.66 for its items: 5 % -> 3.03, 3 % -> 1.81 (floored).
    a_lines = {(c.promoter, c.amount) for c in made if c.line_key == "A"}
    assert a_lines == {("bob", 303), ("alice", 181)}
    at = AT + timedelta(hours=1)
    for line in shop.order.snapshot.lines:
        case = shop.order.request_after_sale(
            line.key, kind="refund_only", reason="other", quantity=line.quantity, at=at
        )
        shop.order.review_after_sale(case.id, approve=True, at=at)
        effects = shop.order.refund_after_sale(case.id, at=at)
        shop.carry_out(
            effects,
            account=account,
            commissions=made,
            at=at,
        )
    assert all((c.amount, c.state) == (0, "cancelled") for c in made)


def test_cancelling_returns_the_redeemed_points_into_their_lots() -> None:
    shop = Shop()
    account = _member(shop)
    redeem_for_order(shop.order, account, at=AT)
    effects = shop.order.cancel(at=AT + timedelta(minutes=30), actor="system")
    shop.carry_out(
        effects,
        account=account,
        at=AT + timedelta(minutes=30),
    )
    assert account.ledger.balance == 5000
    assert account.ledger.lots() == [(1, 5000, (AT - timedelta(days=30)).replace(year=2026 + 1))]


def test_commissions_are_released_seven_days_after_delivery() -> None:
    shop = _paid()
    network = PromoterNetwork()
    network.bind("c-1", "bob")
    made = commissions_for_order(shop.order, network=network, plan=CommissionPlan([LevelRate(5)]))
    assert release_commissions(shop.order, made, at=AT + timedelta(days=30)) == []  # not delivered
    shop.order.ship(tracking_number="SF1", carrier="sf", at=AT)
    shop.order.deliver(at=AT + timedelta(days=2))
    closes = AT + timedelta(days=9)
    assert release_commissions(shop.order, made, at=closes - timedelta(seconds=1)) == []
    assert release_commissions(shop.order, made, at=closes) == made
    assert {c.state for c in made} == {"available"}
    assert available_balance(made, []) == sum(c.original for c in made) == 303 + 108 + 216
