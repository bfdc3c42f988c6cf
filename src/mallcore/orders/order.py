"""The order aggregate: placed from a quote, paid, shipped, delivered, confirmed or cancelled.

An :class:`Order` holds its price snapshot (it never re-prices itself), its
place in :data:`~mallcore.orders.ORDER_MACHINE` (state, version, event log),
the payments and shipments it received, and what it holds elsewhere (a stock
reservation, coupons, redeemed points). Every method is all or nothing: a
refused action raises and changes nothing. What the order asks of the rest of
the shop (release the stock, unlock the coupons, return the points, refund a
late payment) comes back as :class:`Effect` values for the caller to carry
out, so the domain stays free of storage.

Timeouts are not timers: :func:`due_actions` says what is due at a given
instant (an unpaid order to cancel, a delivered one to confirm), and a
scheduler of the caller's choice fires them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

import attrs

from mallcore.checks import check_choice, check_text, invalid
from mallcore.clock import aware
from mallcore.errors import AfterSaleWindowError, InvalidTransitionError, PaymentMismatchError
from mallcore.lifecycle import Event, Lifecycle
from mallcore.money import Money, allocate_minor, from_minor, proportional_refund_minor, to_minor
from mallcore.orders.after_sales import SELLER_FAULTS, AfterSaleCase, AfterSaleKind, ReturnReason
from mallcore.orders.machines import AFTER_SALE_MACHINE, ORDER_MACHINE
from mallcore.orders.numbers import new_order_number
from mallcore.orders.snapshot import OrderSnapshot
from mallcore.pricing.pipeline import is_points_mall_order
from mallcore.pricing.quote import Quote
from mallcore.shipping.carriers import TrackingEvent, TrackingStatus
from mallcore.shipping.tracking import journey

__all__ = [
    "DueAction",
    "Effect",
    "EffectKind",
    "Order",
    "OrderPolicy",
    "Payment",
    "Shipment",
    "due_actions",
]


@attrs.frozen
class OrderPolicy:
    """The shop's timeouts (the defaults are the usual ones of Chinese malls).

    Attributes:
        payment_timeout: An unpaid order is cancelled this long after placement.
        auto_confirm_after: A delivered order is confirmed this long after it shipped.
        return_window: The no-reason return window (七天无理由) after receipt.
        allow_zero_payment: Whether an order of 0.00 goes straight to paid.
    """

    payment_timeout: timedelta = timedelta(minutes=30)
    auto_confirm_after: timedelta = timedelta(days=10)
    return_window: timedelta = timedelta(days=7)
    allow_zero_payment: bool = False

    def __attrs_post_init__(self) -> None:
        for field in ("payment_timeout", "auto_confirm_after", "return_window"):
            value = getattr(self, field)
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise invalid(field, value, "must be a positive timedelta")


class EffectKind(enum.StrEnum):
    """What an order asks of the rest of the shop."""

    RELEASE_STOCK = "release_stock"
    COMMIT_STOCK = "commit_stock"
    UNLOCK_COUPONS = "unlock_coupons"
    USE_COUPONS = "use_coupons"
    RETURN_POINTS = "return_points"
    CLAW_BACK_POINTS = "claw_back_points"
    CLAW_BACK_REWARDS = "claw_back_rewards"
    REFUND_PAYMENT = "refund_payment"


class Effect(NamedTuple):
    """One thing for the caller to carry out after an accepted action.

    Attributes:
        kind: What to do.
        order: The order number.
        reservation_id: The stock reservation, for the stock effects.
        coupons: The coupon codes, for the coupon effects.
        points: The points to give back (``return_points``) or to take back
            (``claw_back_points``: points the refunded units had earned).
        payment_id: The payment, for ``refund_payment``.
        amount: The amount to refund, for ``refund_payment``; for
            ``claw_back_rewards`` the line's paid item amount refunded
            (freight excluded), from which the membership side takes back the
            growth value and reduces the brokerage those units earned.
        line_key: The order line, for ``claw_back_rewards``.
        quantity: The units refunded, for ``claw_back_rewards``.
        key: The idempotency key to carry the effect out with (``refund:``,
            ``return:``, ``clawback:`` or ``rewards:`` and the case id; a
            cancellation's ``return:<order>``, a late payment's
            ``refund:<payment id>``), so that a retry never acts twice.
    """

    kind: EffectKind
    order: str
    reservation_id: str | None = None
    coupons: tuple[str, ...] = ()
    points: int = 0
    payment_id: str | None = None
    amount: Money | None = None
    line_key: str | None = None
    quantity: int = 0
    key: str | None = None


@attrs.frozen
class Payment:
    """A payment the order received; ``late`` when it came after cancellation (to refund)."""

    payment_id: str
    amount: Money
    at: datetime
    late: bool = False


@attrs.frozen
class Shipment:
    """A parcel sent for the order: its tracking number and the units of each line in it."""

    tracking_number: str
    carrier: str
    lines: tuple[tuple[str, int], ...]
    at: datetime


class DueAction(NamedTuple):
    """An action a timeout makes due: fire it with ``actor="system"`` and this key."""

    action: str
    due_at: datetime
    key: str


@attrs.define(on_setattr=attrs.setters.NO_OP)
class Order:
    """An order: its snapshot, lifecycle, payments, shipments and what it holds.

    Build one with :meth:`place`. Attributes are read-only by convention:
    change an order only through its methods.
    """

    number: str
    customer_id: str
    snapshot: OrderSnapshot
    placed_at: datetime
    lifecycle: Lifecycle
    reservation_id: str | None = None
    coupons: tuple[str, ...] = ()
    points_used: int = 0
    payments: list[Payment] = attrs.Factory(list)
    shipments: list[Shipment] = attrs.Factory(list)
    after_sales: list[AfterSaleCase] = attrs.Factory(list)

    @classmethod
    def place(
        cls,
        quote: Quote,
        *,
        customer_id: str,
        at: datetime,
        number: str | None = None,
        reservation_id: str | None = None,
        coupons: Sequence[str] = (),
        policy: OrderPolicy | None = None,
    ) -> Order:
        """Place an order from *quote*: snapshot its prices; a zero total may go straight to paid.

        The caller reserves the stock (``reservation_id``), locks the coupons
        and redeems the points before placing; cancelling gives them back.

        Raises:
            ConfigError: An empty customer id, a naive *at*, or a zero total
                when the policy does not allow zero payment (a pure points-mall
                order, paid wholly with points, is always allowed).
        """
        policy = policy or OrderPolicy()
        moment = aware(at, field="at")
        check_text("customer_id", customer_id)
        snapshot = OrderSnapshot.from_quote(quote)
        number = number or new_order_number(moment)
        order = cls(
            number,
            customer_id,
            snapshot,
            moment,
            Lifecycle(ORDER_MACHINE, number),
            reservation_id,
            tuple(coupons),
            snapshot.points_used,
        )
        if snapshot.total_minor == 0:
            if not (policy.allow_zero_payment or is_points_mall_order(quote)):
                reason = "is zero and the policy does not allow zero payment"
                raise invalid("total", str(snapshot.total.amount), reason)
            order.lifecycle.fire("pay", at=moment, reason="nothing to pay", key="zero-payment")
        return order

    @property
    def state(self) -> str:
        """Where the order is in :data:`~mallcore.orders.ORDER_MACHINE`."""
        return self.lifecycle.state

    @property
    def version(self) -> int:
        """Incremented by every accepted transition (for an optimistic storage check)."""
        return self.lifecycle.version

    @property
    def payable(self) -> Money:
        """What the customer must pay: the snapshot's total."""
        return self.snapshot.total

    def pay(
        self, amount: Money, *, payment_id: str, at: datetime, key: str | None = None
    ) -> list[Effect]:
        """Record a payment of *amount*; the order becomes paid.

        A payment that arrives when the order is no longer unpaid (cancelled,
        or paid already by another payment) is recorded as ``late`` and
        answered with a ``refund_payment`` effect. The same notification
        again (same *key*, or same *payment_id*) changes nothing.

        Raises:
            PaymentMismatchError: *amount* is not the payable amount (or not in
                its currency); nothing changes.
        """
        check_text("payment_id", payment_id)
        moment = aware(at, field="at")
        key = key or f"pay:{payment_id}"
        if self.lifecycle.event_for(key) is not None or any(
            payment.payment_id == payment_id for payment in self.payments
        ):
            return []  # the same notification again
        if (
            not isinstance(amount, Money)
            or amount.currency != self.snapshot.currency
            or to_minor(amount) != self.snapshot.total_minor
        ):
            raise PaymentMismatchError(self.number, self.payable, amount)
        if self.state != "pending_payment":
            # Cancelled, or paid already by another payment: keep the money on
            # record and ask for it to be refunded, never drop it.
            self.payments.append(Payment(payment_id, amount, moment, late=True))
            refund = Effect(
                EffectKind.REFUND_PAYMENT,
                self.number,
                payment_id=payment_id,
                amount=amount,
                key=f"refund:{payment_id}",
            )
            return [refund]
        self.lifecycle.fire("pay", at=moment, actor="gateway", key=key)
        self.payments.append(Payment(payment_id, amount, moment))
        effects = [Effect(EffectKind.COMMIT_STOCK, self.number, self.reservation_id)]
        if self.coupons:
            effects.append(Effect(EffectKind.USE_COUPONS, self.number, coupons=self.coupons))
        return effects

    def shipped_units(self) -> dict[str, int]:
        """Units of each line sent so far, by line key."""
        sent = dict.fromkeys((line.key for line in self.snapshot.lines), 0)
        for shipment in self.shipments:
            for key, units in shipment.lines:
                sent[key] += units
        return sent

    def parcel(self, lines: Mapping[str, int] | None = None) -> dict[str, int]:
        """What a parcel of *lines* would carry (default: every unit not yet sent), checked.

        It changes nothing: :meth:`ship` runs the same check, and a caller that books
        a carrier before shipping calls it before booking.

        Raises:
            ConfigError: A line the order lacks, zero units, or more units
                than are left to send.
            InvalidTransitionError: The order cannot ship now, or nothing is left to send.
        """
        return self._checked_parcel(lines)[0]

    def _checked_parcel(
        self, lines: Mapping[str, int] | None
    ) -> tuple[dict[str, int], dict[str, int]]:
        """The parcel of :meth:`parcel` and the units of each line left to send before it."""
        if not (self.lifecycle.can("ship") or self.lifecycle.can("ship_part")):
            raise self.lifecycle.refusal("ship")
        left = self._left_to_send()
        parcel = dict(lines) if lines is not None else {k: n for k, n in left.items() if n}
        for line_key, units in parcel.items():
            if line_key not in left:
                raise invalid(f"lines[{line_key!r}]", units, "is not a line of the order")
            if isinstance(units, bool) or not isinstance(units, int) or units < 1:
                raise invalid(f"lines[{line_key!r}]", units, "must be at least one unit")
            if units > left[line_key]:
                reason = f"is more than the {left[line_key]} unit(s) left to send"
                raise invalid(f"lines[{line_key!r}]", units, reason)
        if not parcel:
            raise InvalidTransitionError(
                self.number, self.state, "ship", why="nothing left to send"
            )
        return parcel, left

    def ship(
        self,
        *,
        tracking_number: str,
        carrier: str,
        at: datetime,
        lines: Mapping[str, int] | None = None,
        key: str | None = None,
    ) -> Event:
        """Send a parcel with *lines* (line key → units; default: every unit not yet sent).

        The order becomes ``partially_shipped`` while units are left to send,
        then ``shipped``.

        Raises:
            ConfigError: A line the order lacks, zero units, or more units
                than are left to send; nothing changes.
            InvalidTransitionError: The order is not paid (or partly shipped).
        """
        check_text("tracking_number", tracking_number)
        check_text("carrier", carrier)
        if key is not None and (seen := self.lifecycle.event_for(key)) is not None:
            return seen  # the same shipment reported again
        parcel, left = self._checked_parcel(lines)
        complete = all(parcel.get(k, 0) == n for k, n in left.items())
        action = "ship" if complete else "ship_part"
        event = self.lifecycle.fire(action, at=at, actor="seller", key=key)
        self.shipments.append(Shipment(tracking_number, carrier, tuple(parcel.items()), at))
        return event

    def deliver(self, *, at: datetime, key: str | None = None) -> Event:
        """The carrier delivered the last parcel.

        Raises:
            InvalidTransitionError: The order is not (fully) shipped.
        """
        return self.lifecycle.fire("deliver", at=at, actor="carrier", key=key)

    def track(self, events: Iterable[TrackingEvent]) -> Event | None:
        """Read the carrier's scans; deliver the order once every parcel is delivered.

        *events* are scans of the order's parcels (any order, repeats, late
        arrivals: each parcel's :func:`~mallcore.shipping.tracking.journey`
        settles them). When the order is ``shipped`` and every parcel's
        journey ends in ``delivered``, the order is delivered at the last
        parcel's delivery time and the ``deliver`` event is returned; the same
        scans again return that event and change nothing. Otherwise (a parcel
        still on its way or returned to the sender, units not yet shipped, an
        order already past delivery) it returns None and changes nothing.

        Raises:
            ConfigError: A scan of a parcel that is not one of the order's.
        """
        parcels: dict[str, list[TrackingEvent]] = {s.tracking_number: [] for s in self.shipments}
        for event in events:
            if not isinstance(event, TrackingEvent):
                raise invalid("events", event, "must hold TrackingEvent objects")
            if event.tracking_no not in parcels:
                raise invalid("tracking_no", event.tracking_no, "is not a parcel of the order")
            parcels[event.tracking_no].append(event)
        key = "deliver:" + ",".join(sorted(parcels))
        seen = self.lifecycle.event_for(key)
        if seen is not None or self.state != "shipped":
            return seen
        delivered_at: list[datetime] = []
        for tracking_no, scans in parcels.items():
            parcel = journey(scans, tracking_no=tracking_no)
            arrived = parcel.last(TrackingStatus.DELIVERED.value)
            if parcel.state != TrackingStatus.DELIVERED.value or arrived is None:
                return None
            delivered_at.append(arrived.at)
        return self.lifecycle.fire(
            "deliver",
            at=max(delivered_at),
            actor="carrier",
            reason="every parcel delivered",
            key=key,
        )

    def confirm(self, *, at: datetime, actor: str = "buyer", key: str | None = None) -> Event:
        """The buyer confirms receipt (or the system does, once :func:`due_actions` says so).

        Raises:
            InvalidTransitionError: The order is not delivered.
        """
        return self.lifecycle.fire("confirm", at=at, actor=actor, key=key)

    def auto_confirm(self, *, at: datetime, key: str | None = None) -> Event:
        """Complete a shipped or delivered order whose confirmation timeout came due.

        Raises:
            InvalidTransitionError: The order is neither shipped nor delivered.
        """
        return self.lifecycle.fire("auto_confirm", at=at, actor="system", key=key)

    def cancel(
        self, *, at: datetime, actor: str, reason: str = "", key: str | None = None
    ) -> list[Effect]:
        """Cancel an unpaid order; give back its stock, coupons and points.

        Raises:
            InvalidTransitionError: The order is paid or already ended.
        """
        if key is not None and self.lifecycle.event_for(key) is not None:
            return []  # cancelled already under this key
        self.lifecycle.fire("cancel", at=at, actor=actor, reason=reason, key=key)
        effects = [Effect(EffectKind.RELEASE_STOCK, self.number, self.reservation_id)]
        if self.coupons:
            effects.append(Effect(EffectKind.UNLOCK_COUPONS, self.number, coupons=self.coupons))
        if self.points_used:
            back = Effect(
                EffectKind.RETURN_POINTS,
                self.number,
                points=self.points_used,
                key=f"return:{self.number}",
            )
            effects.append(back)
        return effects

    # ----------------------------------------------------------------- after-sales

    def request_after_sale(
        self,
        line_key: str,
        *,
        kind: AfterSaleKind | str,
        reason: ReturnReason | str,
        quantity: int,
        at: datetime,
        policy: OrderPolicy | None = None,
        case_id: str | None = None,
    ) -> AfterSaleCase:
        """Open an after-sale case for *quantity* units of the line *line_key*.

        Raises:
            InvalidTransitionError: The order is not paid, or ended; more
                units than the line has free (units in open or refunded cases
                are not); a return of units that were not shipped.
            AfterSaleWindowError: A no-reason case more than the return window
                after delivery (before delivery there is no window).
            ConfigError: An unknown line, kind or reason, or a quantity below 1.

        Nothing changes when the case is refused.
        """
        policy = policy or OrderPolicy()
        moment = aware(at, field="at")
        kind = check_choice("kind", kind, AfterSaleKind)
        reason = check_choice("reason", reason, ReturnReason)
        line = self.snapshot.line(line_key)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise invalid("quantity", quantity, "must be a whole number of units, at least 1")
        state = self.state
        refuse = ""
        free = line.quantity - self._held_units(line_key)
        if state in ("pending_payment", "cancelled", "closed"):
            refuse = "only a paid order has after-sales"
        elif quantity > free:
            refuse = f"{quantity} unit(s) asked, {free} of the line not refunded or claimed"
        elif kind is AfterSaleKind.RETURN_AND_REFUND:
            returnable = self.shipped_units()[line_key] - self._held_units(
                line_key, kind=AfterSaleKind.RETURN_AND_REFUND
            )
            if quantity > returnable:
                refuse = f"only {returnable} shipped unit(s) of the line can be returned"
        if refuse:
            raise InvalidTransitionError(self.number, state, "request an after-sale", why=refuse)
        delivered = self.delivered_at
        if reason is ReturnReason.NO_REASON and delivered is not None:
            closes = delivered + policy.return_window
            if moment > closes:
                raise AfterSaleWindowError(self.number, closes.isoformat(), moment.isoformat())
        number = case_id or f"{self.number}-AS{len(self.after_sales) + 1}"
        case = AfterSaleCase(
            number,
            self.number,
            line_key,
            kind,
            reason,
            quantity,
            Lifecycle(AFTER_SALE_MACHINE, number),
        )
        self.after_sales.append(case)
        return case

    def after_sale(self, case_id: str) -> AfterSaleCase:
        """The case *case_id*.

        Raises:
            ConfigError: The order has no such case.
        """
        for case in self.after_sales:
            if case.id == case_id:
                return case
        raise invalid("case_id", case_id, "is not an after-sale case of the order")

    def review_after_sale(
        self,
        case_id: str,
        *,
        approve: bool,
        at: datetime,
        actor: str = "seller",
        reason: str = "",
        key: str | None = None,
    ) -> Event:
        """Approve the case, or reject it (its units are free again).

        Approving a refund-only case starts its refund (``refunding``);
        approving a return makes it await the parcel (``awaiting_return``).

        Raises:
            InvalidTransitionError: The case is not awaiting review.
        """
        case = self.after_sale(case_id)
        if not approve:
            return case.lifecycle.fire("reject", at=at, actor=actor, reason=reason, key=key)
        event = case.lifecycle.fire("approve", at=at, actor=actor, reason=reason, key=key)
        if case.state == "approved":  # not a replayed key: move on at once
            step = (
                "await_return" if case.kind is AfterSaleKind.RETURN_AND_REFUND else "start_refund"
            )
            case.lifecycle.fire(step, at=at, actor=actor)
        return event

    def withdraw_after_sale(self, case_id: str, *, at: datetime, key: str | None = None) -> Event:
        """The buyer withdraws the case; its units are free to claim again.

        Raises:
            InvalidTransitionError: The case is already refunding or ended.
        """
        return self.after_sale(case_id).lifecycle.fire("withdraw", at=at, actor="buyer", key=key)

    def receive_return(self, case_id: str, *, at: datetime, key: str | None = None) -> Event:
        """The seller received the returned units: the case's refund starts (``refunding``).

        Raises:
            InvalidTransitionError: The case does not await a return.
        """
        case = self.after_sale(case_id)
        event = case.lifecycle.fire("receive_return", at=at, actor="seller", key=key)
        if case.state == "returned":
            case.lifecycle.fire("start_refund", at=at, actor="seller")
        return event

    def refund_after_sale(
        self, case_id: str, *, at: datetime, key: str | None = None
    ) -> list[Effect]:
        """Pay the case's refund back: work out its amount and points; the case is ``refunded``.

        Returns the ``refund_payment`` effect, the points to return and to
        claw back, and ``claw_back_rewards`` (the line's refunded item amount,
        for growth value and brokerage) for the caller to carry out. Once every line is refunded in
        full, the order closes.

        Raises:
            InvalidTransitionError: The case is not ``refunding`` (a return
                whose parcel has not come back, a case not approved).
        """
        case = self.after_sale(case_id)
        if key is not None and case.lifecycle.event_for(key) is not None:
            return []
        if not case.lifecycle.can("refund"):  # refused before any amount is worked out
            case.lifecycle.fire("refund", at=at, actor="seller", key=key)
        line = self.snapshot.line(case.line_key)
        before = self.refunded_units(case.line_key)
        items = proportional_refund_minor(line.items_paid, line.quantity, before, case.quantity)
        freight_lines: tuple[tuple[str, int], ...] = ()
        if case.reason in SELLER_FAULTS:
            share = proportional_refund_minor(line.shipping, line.quantity, before, case.quantity)
            freight_lines = ((line.key, share),)
        elif not self.shipments and self._refunds_everything_with(case):
            # The last refund of an order refunded before shipment pays back every
            # line's freight that is still unrefunded, each counted to its own line.
            freight_lines = tuple(
                (each.key, each.shipping - self._line_freight_refunded(each.key))
                for each in self.snapshot.lines
            )
        freight = sum(amount for _, amount in freight_lines)
        points_back = proportional_refund_minor(
            self._line_points(case.line_key), line.quantity, before, case.quantity
        )
        clawed = proportional_refund_minor(line.points_earned, line.quantity, before, case.quantity)
        case.lifecycle.fire("refund", at=at, actor="seller", key=key)
        case.refunded, case.freight_refunded = items + freight, freight
        case.freight_lines = tuple((key, amount) for key, amount in freight_lines if amount)
        case.points_returned, case.points_clawed_back = points_back, clawed
        payment = next((p.payment_id for p in self.payments if not p.late), None)
        amount = from_minor(case.refunded, self.snapshot.currency)
        refund = Effect(
            EffectKind.REFUND_PAYMENT,
            self.number,
            payment_id=payment,
            amount=amount,
            key=f"refund:{case.id}",
        )
        effects = [refund]
        if points_back:
            back = Effect(
                EffectKind.RETURN_POINTS, self.number, points=points_back, key=f"return:{case.id}"
            )
            effects.append(back)
        if clawed:
            claw = Effect(
                EffectKind.CLAW_BACK_POINTS, self.number, points=clawed, key=f"clawback:{case.id}"
            )
            effects.append(claw)
        if items:
            rewards = Effect(
                EffectKind.CLAW_BACK_REWARDS,
                self.number,
                amount=from_minor(items, self.snapshot.currency),
                line_key=case.line_key,
                quantity=case.quantity,
                key=f"rewards:{case.id}",
            )
            effects.append(rewards)
        fully = all(self.refunded_units(each.key) == each.quantity for each in self.snapshot.lines)
        if fully and self.lifecycle.can("close"):
            self.lifecycle.fire("close", at=at, actor="system", reason="every line refunded")
        return effects

    @property
    def refunded(self) -> Money:
        """Everything refunded or being refunded through after-sale cases."""
        total = sum(case.refunded for case in self.after_sales)
        return from_minor(total, self.snapshot.currency)

    @property
    def delivered_at(self) -> datetime | None:
        """When the order was delivered (its ``deliver`` event), or None."""
        delivered = self.lifecycle.last("deliver")
        return None if delivered is None else delivered.at

    def _held_units(self, line_key: str, *, kind: AfterSaleKind | None = None) -> int:
        """Units of the line in open or refunded cases (of *kind*, if given).

        Rejected and withdrawn cases free their units.
        """
        return sum(
            case.quantity
            for case in self.after_sales
            if case.line_key == line_key
            and case.state not in ("rejected", "withdrawn")
            and (kind is None or case.kind is kind)
        )

    def _left_to_send(self) -> dict[str, int]:
        """Units of each line not shipped yet; units refunded before they shipped are not sent."""
        sent = self.shipped_units()
        return {
            line.key: line.quantity - sent[line.key] - self.refunded_units(line.key)
            for line in self.snapshot.lines
        }

    def refunded_units(self, line_key: str) -> int:
        """Units of the line *line_key* refunded through after-sale cases so far."""
        return sum(
            case.quantity
            for case in self.after_sales
            if case.line_key == line_key and case.state == "refunded"
        )

    def _line_freight_refunded(self, line_key: str) -> int:
        return sum(
            amount
            for case in self.after_sales
            for key, amount in case.freight_lines
            if key == line_key
        )

    def line_refunded(self, line_key: str) -> tuple[int, int]:
        """What the line *line_key* has had refunded: ``(items, freight)`` in minor units.

        Freight counts to the line it was charged on, even when another line's
        case paid it back (the last refund of an order refunded before
        shipment), so a line's refunds never exceed what it paid and equal it
        once every unit and its freight are refunded.
        """
        items = sum(
            case.refunded - case.freight_refunded
            for case in self.after_sales
            if case.line_key == line_key and case.state == "refunded"
        )
        return items, self._line_freight_refunded(line_key)

    def _refunds_everything_with(self, case: AfterSaleCase) -> bool:
        """Whether refunding *case* completes the refund of every unit of every line."""
        for line in self.snapshot.lines:
            units = self.refunded_units(line.key) + (
                case.quantity if line.key == case.line_key else 0
            )
            if units != line.quantity:
                return False
        return True

    def _line_points(self, line_key: str) -> int:
        """The line's share of the points redeemed, split by each line's points deduction."""
        weights = [line.points_deduction for line in self.snapshot.lines]
        if not self.points_used or not any(weights):
            return 0
        shares = allocate_minor(self.points_used, weights)
        keys = [line.key for line in self.snapshot.lines]
        return shares[keys.index(line_key)]

    def refund_due(self) -> Money:
        """What late payments still await a refund."""
        late = sum(to_minor(p.amount) for p in self.payments if p.late)
        return from_minor(late, self.snapshot.currency)


def due_actions(order: Order, now: datetime, policy: OrderPolicy | None = None) -> list[DueAction]:
    """The timeouts that have come due for *order* at *now*.

    An unpaid order is cancelled ``payment_timeout`` after placement; a
    shipped order is completed ``auto_confirm_after`` after its last shipment,
    a delivered one that long after delivery (``auto_confirm``, fired with
    :meth:`Order.auto_confirm`). Each comes with an idempotency key, so a
    scheduler that fires it twice changes nothing the second time; a timeout
    is due at exactly its boundary.

    Raises:
        ConfigError: A naive *now*.
    """
    policy = policy or OrderPolicy()
    moment = aware(now, field="now")
    due: list[DueAction] = []
    if order.state == "pending_payment":
        at = order.placed_at + policy.payment_timeout
        if moment >= at:
            due.append(DueAction("cancel", at, f"timeout:cancel:{order.number}"))
    elif order.state in ("shipped", "delivered"):
        delivered = order.delivered_at
        since = delivered if delivered is not None else order.shipments[-1].at
        at = since + policy.auto_confirm_after
        if moment >= at:
            due.append(DueAction("auto_confirm", at, f"timeout:confirm:{order.number}"))
    return due
