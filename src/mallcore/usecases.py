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
  the effect's idempotency key; coupon, points and reward effects are returned
  for the coupon store and the membership side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from mallcore.checks import invalid
from mallcore.lifecycle import Event
from mallcore.orders import Effect, EffectKind, Order
from mallcore.ports import InventoryStore, PaymentGateway, PaymentStatus, RefundRequest
from mallcore.ports.payment import RefundResult
from mallcore.shipping.carriers import Carrier, ParcelItem, Shipment, Waybill

__all__ = [
    "Outcome",
    "carry_out",
    "pay_from_notification",
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
    reason: str = "after-sale refund",
) -> Outcome:
    """Carry out *effects* of *order*: stock through *inventory*, refunds through *gateway*.

    Commits and releases are idempotent in the store; each refund is asked
    with the effect's idempotency key, so running the same effects again
    (a retry after a crash) never refunds twice. A refund of zero (a case
    whose units had paid nothing) asks the gateway for nothing.

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
        else:
            left.append(effect)
    return Outcome(tuple(refunds), tuple(left))


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
