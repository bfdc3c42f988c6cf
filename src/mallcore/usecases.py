"""Use cases: an order's steps carried out through the ports.

The :class:`~mallcore.orders.Order` aggregate decides and returns
:class:`~mallcore.orders.Effect` values; it never calls a store, a payment
provider or a carrier. The functions here are the other half: each takes the
ports it needs as keyword arguments (no registry, no globals), asks the port,
hands the answer to the order, and carries out the effects that a port of
mallcore can carry out. Everything else comes back to the caller.

- :func:`pay_from_notification`: a payment provider's webhook, verified by the
  :class:`~mallcore.ports.PaymentGateway`, pays the order.
- :func:`ship_with_carrier`: books a parcel with a
  :class:`~mallcore.shipping.carriers.Carrier` and ships the order's units in it.
- :func:`track_with_carrier`: reads every parcel's scans from the carrier; the
  order is delivered once every parcel is.
- :func:`carry_out`: stock effects through the
  :class:`~mallcore.ports.InventoryStore`, refunds through the gateway, with
  the effect's idempotency key; points and reward effects into the member's
  account when one is given; coupon effects are returned for the coupon store.
- :func:`redeem_for_order` and :func:`reward_payment`: the points an order
  uses come out of the member's ledger when it is placed; its points and
  growth value go in when it is paid.

Through a :class:`~mallcore.ports.UnitOfWork`, all or nothing:

- :func:`place_order`: reserve the stock, lock the coupons, redeem the points
  and store the order, idempotent by the caller's key.
- :func:`pay_order`: pay a stored order, commit its stock and use its
  coupons; of two payments racing for one order exactly one wins.
- :func:`cancel_due_orders`: the payment-timeout sweep; an unpaid order past
  its timeout is cancelled and gives back its stock, coupons and points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from mallcore.checks import invalid
from mallcore.clock import aware
from mallcore.errors import ConflictError, InvalidTransitionError
from mallcore.lifecycle import Event
from mallcore.membership.account import MemberAccount, growth_shares
from mallcore.membership.distribution import (
    Commission,
    CommissionPlan,
    PromoterNetwork,
    commissions_for_line,
)
from mallcore.membership.ledger import LedgerEntry
from mallcore.money import Money, proportional_refund_minor, units_per_major
from mallcore.orders import Effect, EffectKind, Order, OrderPolicy, due_actions
from mallcore.orders.numbers import new_order_number
from mallcore.ports import (
    InventoryStore,
    PaymentGateway,
    PaymentStatus,
    RefundRequest,
    UnitOfWork,
)
from mallcore.ports.payment import RefundResult
from mallcore.pricing.quote import Quote
from mallcore.shipping.carriers import Carrier, ParcelItem, Shipment, Waybill

__all__ = [
    "Outcome",
    "cancel_due_orders",
    "carry_out",
    "commissions_for_order",
    "growth_of_lines",
    "pay_from_notification",
    "pay_order",
    "place_order",
    "redeem_for_order",
    "release_commissions",
    "reward_payment",
    "ship_with_carrier",
    "track_with_carrier",
]


@attrs.frozen
class Outcome:
    """What :func:`carry_out` did and what it leaves to the caller.

    Attributes:
        refunds: The refunds the gateway accepted, in effect order.
        left: The effects no port here carries out (coupons, points, rewards),
            for the coupon store and the membership ledger.
    """

    refunds: tuple[RefundResult, ...] = ()
    left: tuple[Effect, ...] = ()


def carry_out(
    order: Order,
    effects: Iterable[Effect],
    *,
    inventory: InventoryStore,
    gateway: PaymentGateway,
    account: MemberAccount | None = None,
    commissions: Sequence[Commission] = (),
    at: datetime | None = None,
    reason: str = "after-sale refund",
) -> Outcome:
    """Carry out *effects* of *order*: stock through *inventory*, refunds through *gateway*.

    Commits and releases are idempotent in the store; each refund is asked
    with the effect's idempotency key, so running the same effects again
    (a retry after a crash) never refunds twice. A refund of zero (a case
    whose units had paid nothing) asks the gateway for nothing. With an
    *account* (and the instant *at*), ``return_points`` goes back into the
    lots the order's redemption took from, ``claw_back_points`` is clawed
    back, and ``claw_back_rewards`` takes back the refunded units' share of
    the growth value the order earned (:func:`growth_of_lines`), each by the
    effect's key; without one they are returned in ``left``. A
    ``claw_back_rewards`` effect also reduces the given *commissions* of the
    refunded line by its units.

    Raises:
        PaymentError: The gateway refused or timed out; retry with the same effects.
        ConfigError: A refund effect of an order that received no payment.
    """
    refunds: list[RefundResult] = []
    left: list[Effect] = []
    for effect in effects:
        if effect.kind in (EffectKind.COMMIT_STOCK, EffectKind.RELEASE_STOCK):
            if effect.reservation_id is not None:
                if effect.kind is EffectKind.COMMIT_STOCK:
                    inventory.commit(effect.reservation_id)
                else:
                    inventory.release(effect.reservation_id)
        elif effect.kind is EffectKind.REFUND_PAYMENT:
            if effect.amount is None or effect.amount.amount == 0:
                continue
            if effect.payment_id is None:
                raise invalid("payment_id", None, f"order {order.number} has no payment to refund")
            key = effect.key or f"refund:{effect.order}:{effect.payment_id}"
            request = RefundRequest(effect.payment_id, effect.amount, reason, key)
            refunds.append(gateway.refund(request))
        elif account is not None and at is not None and effect.kind in _MEMBER_EFFECTS:
            _to_account(order, effect, account, at)
            if effect.kind is EffectKind.CLAW_BACK_REWARDS:
                _reduce(commissions, effect, at)
        else:
            left.append(effect)
    return Outcome(tuple(refunds), tuple(left))


_MEMBER_EFFECTS = frozenset(
    {EffectKind.RETURN_POINTS, EffectKind.CLAW_BACK_POINTS, EffectKind.CLAW_BACK_REWARDS}
)


def _to_account(order: Order, effect: Effect, account: MemberAccount, at: datetime) -> None:
    key = effect.key or f"{effect.kind}:{order.number}"
    ledger = account.ledger
    if effect.kind is EffectKind.RETURN_POINTS:
        redemption = f"redeem:{order.number}"
        known = ledger.entry_for(redemption) is not None
        ledger.return_points(
            effect.points,
            at=at,
            source=order.number,
            key=key,
            redemption_key=redemption if known else None,
        )
    elif effect.kind is EffectKind.CLAW_BACK_POINTS:
        ledger.clawback(effect.points, at=at, source=order.number, key=key)
    elif effect.line_key is not None:
        line = order.snapshot.line(effect.line_key)
        share = growth_of_lines(order)[effect.line_key]
        # The case is refunded already: the units refunded before it are the rest.
        before = order.refunded_units(line.key) - effect.quantity
        growth = proportional_refund_minor(share, line.quantity, before, effect.quantity)
        if growth:
            account.claw_back_growth(growth, at=at, source=order.number, key=key)


def _reduce(commissions: Sequence[Commission], effect: Effect, at: datetime) -> None:
    key = effect.key or f"rewards:{effect.order}:{effect.line_key}"
    for commission in commissions:
        same_line = commission.order == effect.order and commission.line_key == effect.line_key
        if same_line and commission.state == "frozen":
            commission.reduce(effect.quantity, at=at, key=key)


def commissions_for_order(
    order: Order,
    *,
    network: PromoterNetwork,
    plan: CommissionPlan,
    releases_at: datetime | None = None,
) -> list[Commission]:
    """The commissions a paid *order* earns its buyer's promoters, line by line.

    Each level of :meth:`~mallcore.membership.distribution.PromoterNetwork.uplines`
    above the buyer earns its rate of each line's paid item amount (freight
    excluded), frozen until the after-sale window closes: *releases_at* if
    the caller knows it, else :func:`release_commissions` works it out from
    the order's delivery.
    """
    uplines = network.uplines(order.customer_id, levels=len(plan.levels))
    made: list[Commission] = []
    for line in order.snapshot.lines:
        made += commissions_for_line(
            plan,
            uplines,
            order=order.number,
            line_key=line.key,
            items_paid=line.items_paid,
            units=line.quantity,
            releases_at=releases_at,
        )
    return made


def release_commissions(
    order: Order,
    commissions: Sequence[Commission],
    *,
    at: datetime,
    policy: OrderPolicy | None = None,
) -> list[Commission]:
    """Make available the frozen commissions of *order* whose after-sale window has closed.

    The window closes ``policy.return_window`` (7 days) after delivery; an
    order not delivered yet releases nothing. Returns the commissions released.
    """
    if order.delivered_at is None:
        return []
    closes = order.delivered_at + (policy or OrderPolicy()).return_window
    return [
        commission
        for commission in commissions
        if commission.order == order.number
        and commission.release(at=at, window_closes_at=closes) is not None
    ]


def growth_of_lines(order: Order, *, per_major: int = 1) -> dict[str, int]:
    """The growth value *order* earns, by line: ``floor(items paid × per_major)`` split by lines.

    The order's growth value is the whole major units its items paid
    (freight excluded) times *per_major* (default 1 per ¥1), floored; it is
    split across the lines by their items paid with
    :func:`~mallcore.money.allocate_minor`, so that refunds claw back exactly
    what each line earned.
    """
    lines = order.snapshot.lines
    paid = [line.items_paid for line in lines]
    shares = growth_shares(paid, units_per_major(order.snapshot.currency), per_major)
    return {line.key: share for line, share in zip(lines, shares, strict=True)}


def redeem_for_order(order: Order, account: MemberAccount, *, at: datetime) -> LedgerEntry | None:
    """Take the points *order* uses out of the member's ledger (key ``redeem:<order>``).

    Call it when the order is placed; cancelling returns them (``return_points``).

    Raises:
        InsufficientPointsError: The member no longer has them; place nothing.
    """
    if not order.points_used:
        return None
    return account.ledger.redeem(
        order.points_used, at=at, source=order.number, key=f"redeem:{order.number}"
    )


def reward_payment(
    order: Order, account: MemberAccount, *, at: datetime, per_major: int = 1
) -> tuple[LedgerEntry | None, int]:
    """Credit a paid *order*'s points (key ``earn:<order>``) and growth (``growth:<order>``).

    Returns the points entry (None when the order earns none) and the growth
    value added. Idempotent: a second call changes nothing.

    Raises:
        InvalidTransitionError: The order is not paid.
    """
    if order.lifecycle.last("pay") is None:
        raise InvalidTransitionError(order.number, order.state, "reward", why="it is not paid")
    points = sum(line.points_earned for line in order.snapshot.lines)
    entry = None
    if points:
        entry = account.ledger.earn(points, at=at, source=order.number, key=f"earn:{order.number}")
    growth = sum(growth_of_lines(order, per_major=per_major).values())
    if growth:
        account.earn_growth(growth, at=at, source=order.number, key=f"growth:{order.number}")
    return entry, growth


def pay_from_notification(
    order: Order,
    headers: Mapping[str, str],
    body: bytes,
    *,
    gateway: PaymentGateway,
    inventory: InventoryStore,
) -> Outcome:
    """Verify the provider's notification and pay *order* with it; commit the stock.

    The gateway checks the signature, the timestamp window, the nonce and the
    amount against its own record; the order then checks the amount against
    its payable amount. A ``failed`` payment changes nothing (the order stays
    unpaid until it times out). A payment that reaches a cancelled order is
    refunded at once through the gateway.

    Raises:
        PaymentNotificationError: A forged, stale, replayed or tampered
            notification (a specific subclass); nothing changes.
        PaymentMismatchError: The amount is not the order's payable amount.
        ConfigError: The notification is for another order.
    """
    notification = gateway.verify_notification(headers, body)
    if notification.order_number != order.number:
        reason = f"is for another order than {order.number}"
        raise invalid("order_number", notification.order_number, reason)
    if notification.status is not PaymentStatus.PAID:
        return Outcome()
    effects = order.pay(
        notification.amount,
        payment_id=notification.payment_id,
        at=notification.occurred_at,
        key=f"pay:{notification.payment_id}",
    )
    return carry_out(
        order, effects, inventory=inventory, gateway=gateway, reason="paid after cancellation"
    )


def ship_with_carrier(
    order: Order,
    *,
    carrier: Carrier,
    service: str,
    ship_to: str,
    at: datetime,
    lines: Mapping[str, int] | None = None,
    weights_kg: Mapping[str, Decimal] | None = None,
) -> Waybill:
    """Book a parcel with *carrier* and ship *lines* of *order* in it (default: all left).

    The booking's idempotency key is the order number and the parcel's
    position, so a retry after a carrier timeout books the same parcel again
    and gets the same tracking number.

    Args:
        order: A paid (or partly shipped) order.
        carrier: The carrier to book with.
        service: The carrier's service (``"standard"``).
        ship_to: The destination region code.
        at: When the parcel leaves.
        lines: Line key → units; default: every unit not yet sent.
        weights_kg: SKU → weight of one piece in kg, for carriers that price by weight.

    Raises:
        InvalidTransitionError: The order cannot ship; nothing is booked.
        ConfigError: Bad *lines* (see :meth:`~mallcore.orders.Order.parcel`); nothing is booked.
        CarrierError: The carrier refused or timed out; the order is unchanged.
    """
    lines = order.parcel(lines)  # refused here, before anything is booked
    weights = weights_kg or {}
    items = [
        ParcelItem(line.sku, units, weight_kg=weights.get(line.sku, Decimal(0)))
        for line in order.snapshot.lines
        if (units := lines.get(line.key, 0))
    ]
    parcel = Shipment(order.number, ship_to, items, order.snapshot.currency.code)
    key = f"{order.number}:parcel-{len(order.shipments) + 1}"
    waybill = carrier.create_shipment(parcel, service=service, idempotency_key=key)
    order.ship(
        tracking_number=waybill.tracking_no,
        carrier=waybill.carrier,
        at=at,
        lines=lines,
        key=f"ship:{waybill.tracking_no}",
    )
    return waybill


def track_with_carrier(order: Order, *, carrier: Carrier) -> Event | None:
    """Read the scans of every parcel of *order* from *carrier*; deliver it once all arrived.

    Returns the ``deliver`` event when every parcel's journey ended in
    ``delivered`` (see :meth:`~mallcore.orders.Order.track`), else None.

    Raises:
        CarrierError: The carrier timed out or does not know a tracking number.
    """
    scans = [event for parcel in order.shipments for event in carrier.track(parcel.tracking_number)]
    return order.track(scans)


# --------------------------------------------------------------- through a unit of work

#: How long :func:`place_order` remembers a key: a client retrying later places anew.
PLACE_KEY_KEPT = timedelta(days=1)


def place_order(
    uow: UnitOfWork,
    quote: Quote,
    *,
    customer_id: str,
    at: datetime,
    key: str,
    coupons: Sequence[str] = (),
    policy: OrderPolicy | None = None,
    number: str | None = None,
) -> Order:
    """Place an order from *quote* in *uow*: stock, coupons, points and the order, or nothing.

    Reserves the quote's units until the payment timeout, locks *coupons*
    (codes the customer holds in ``uow.coupons``), redeems the points the
    quote uses from the member's account in ``uow.members``, and adds the
    order. *key* is the client's idempotency key (one per checkout): placing
    again with it returns the order placed the first time and changes
    nothing, so a client that lost the answer can safely retry. Everything
    happens in the caller's unit of work; a crash before it commits leaves
    nothing reserved or locked.

    Raises:
        InsufficientStockError: A line does not fit the available stock.
        CouponStateError: A coupon is not available (used, or locked by another order).
        InsufficientPointsError: The member no longer has the points.
        ConflictError: Another process placed under the same key at the same time.
    """
    policy = policy or OrderPolicy()
    moment = aware(at, field="at")
    placed = uow.idempotency.result(key, at=moment)
    if placed is not None:
        existing = uow.orders.get(placed)
        if existing is not None:
            return existing
    number = number or new_order_number(moment)
    order = Order.place(
        quote,
        customer_id=customer_id,
        at=moment,
        number=number,
        reservation_id=number,
        coupons=coupons,
        policy=policy,
    )
    units: dict[str, int] = {}
    for line in order.snapshot.lines:
        units[line.sku] = units.get(line.sku, 0) + line.quantity
    uow.inventory.reserve(number, units, moment + policy.payment_timeout)
    for code in coupons:
        uow.coupons.lock(code, order_number=number, at=moment)
    if order.points_used:
        account = uow.members.get(customer_id)
        if account is None:
            raise invalid("customer_id", customer_id, "has no member account to redeem points from")
        version = account.version
        redeem_for_order(order, account, at=moment)
        uow.members.save(account, expected_version=version)
    uow.orders.add(order)
    if not uow.idempotency.remember(
        key, at=moment, keep_until=moment + PLACE_KEY_KEPT, result=number
    ):
        msg = f"an order was placed under key {key!r} at the same time: read it and use that one"
        raise ConflictError(msg)
    return order


def pay_order(
    uow: UnitOfWork,
    number: str,
    amount: Money,
    *,
    payment_id: str,
    at: datetime,
) -> list[Effect]:
    """Pay the stored order *number* in *uow*: save it, commit its stock, use its coupons.

    The order is saved with the version it was read at, so of two payments
    racing for one order exactly one is stored; the other raises
    :class:`~mallcore.errors.ConflictError` and its unit of work rolls back
    (retried, it finds the order paid and records a late payment to refund).
    Returns the effects left for the caller (a ``refund_payment`` for a late
    payment, to send to the gateway).

    Raises:
        ConflictError: Another payment (or any change) saved the order first.
        PaymentMismatchError: *amount* is not the payable amount.
        ConfigError: No order has that number.
    """
    order = uow.orders.get(number)
    if order is None:
        raise invalid("number", number, "is not a stored order")
    version = order.version
    effects = order.pay(amount, payment_id=payment_id, at=at)
    uow.orders.save(order, expected_version=version)
    return _through(uow, order, effects, at)


def cancel_due_orders(
    uow: UnitOfWork, now: datetime, *, policy: OrderPolicy | None = None
) -> list[str]:
    """Cancel every stored unpaid order whose payment timeout is due at *now*.

    Each gives back its stock (the reservation is released), its coupons
    (unlocked) and its points (returned to the member's account). Then every
    reservation still open past its expiry (one whose order was never stored)
    expires. Run it from a scheduler; running it twice changes nothing the
    second time. Returns the cancelled order numbers.
    """
    moment = aware(now, field="now")
    cancelled: list[str] = []
    for number in uow.orders.numbers(state="pending_payment"):
        order = uow.orders.get(number)
        if order is None:
            continue
        for due in due_actions(order, moment, policy):
            version = order.version
            effects = order.cancel(
                at=due.due_at, actor="system", reason="payment timeout", key=due.key
            )
            uow.orders.save(order, expected_version=version)
            _through(uow, order, effects, due.due_at)
            cancelled.append(number)
    uow.inventory.expire_due(moment)
    return cancelled


def _through(
    uow: UnitOfWork, order: Order, effects: Iterable[Effect], at: datetime
) -> list[Effect]:
    """Carry out the effects the stores of *uow* can; return the rest."""
    left: list[Effect] = []
    for effect in effects:
        if effect.kind is EffectKind.COMMIT_STOCK and effect.reservation_id is not None:
            uow.inventory.commit(effect.reservation_id)
        elif effect.kind is EffectKind.RELEASE_STOCK and effect.reservation_id is not None:
            uow.inventory.release(effect.reservation_id)
        elif effect.kind is EffectKind.USE_COUPONS:
            for code in effect.coupons:
                uow.coupons.use(code, order_number=order.number, at=at)
        elif effect.kind is EffectKind.UNLOCK_COUPONS:
            for code in effect.coupons:
                uow.coupons.unlock(code, order_number=order.number, at=at)
        elif effect.kind is EffectKind.RETURN_POINTS:
            account = uow.members.get(order.customer_id)
            if account is None:
                left.append(effect)
                continue
            version = account.version
            _to_account(order, effect, account, at)
            uow.members.save(account, expected_version=version)
        else:
            left.append(effect)
    return left
