"""An order as a JSON-ready dict and back, exactly, for storage that keeps documents.

:func:`order_to_dict` writes every field of an :class:`~mallcore.orders.Order`
(its snapshot, lifecycle with the whole event log, payments, shipments and
after-sale cases with their own lifecycles and refunds) using only dicts,
lists, strings, integers, booleans and None:

- amounts are integers of minor units, with the currency code beside them
  (the snapshot's amounts are in its ``currency``);
- instants are ISO-8601 strings in UTC (``2026-11-11T04:00:00+00:00``);
  :func:`order_from_dict` gives them back as timezone-aware UTC datetimes,
  equal to the instants written;
- ``"format": 1`` names the layout, so that a later layout can still read it.

:func:`order_from_dict` checks what it reads and raises
:exc:`~mallcore.errors.ConfigError` naming the field (``payments[0].at``,
``lifecycle.state``, ...) for anything missing, of the wrong type or
inconsistent; a restored lifecycle must replay its event log.

>>> from datetime import datetime, timedelta, timezone
>>> from mallcore.lifecycle import Lifecycle
>>> from mallcore.money import Money
>>> from mallcore.orders import ORDER_MACHINE, Order, OrderLine, OrderSnapshot
>>> line = OrderLine("A", "SKU-1", 1, 1000, 0, 0, 0, 0, 0, 0, 1000)
>>> at = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))  # Shanghai
>>> order = Order("N-1", "u1", OrderSnapshot("CNY", [line]), at, Lifecycle(ORDER_MACHINE, "N-1"))
>>> _ = order.pay(Money("10.00", "CNY"), payment_id="p-1", at=at)
>>> data = order_to_dict(order)
>>> data["format"], data["lifecycle"]["state"], data["placed_at"]
(1, 'paid', '2026-11-11T12:00:00+00:00')
>>> payment = data["payments"][0]
>>> payment["amount"], payment["currency"], payment["at"]
(1000, 'CNY', '2026-11-11T12:00:00+00:00')
>>> again = order_from_dict(data)
>>> again.placed_at == at, again.placed_at.tzinfo, order_to_dict(again) == data
(True, datetime.timezone.utc, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mallcore.checks import check_choice, invalid, nested
from mallcore.documents import field as _get
from mallcore.documents import flag as _flag
from mallcore.documents import instant as _utc_text
from mallcore.documents import items as _items
from mallcore.documents import mapping as _dict
from mallcore.documents import moment as _moment
from mallcore.documents import optional_text as _optional_text
from mallcore.documents import path as _path
from mallcore.documents import text as _text
from mallcore.documents import whole as _whole
from mallcore.errors import ConfigError
from mallcore.lifecycle import Event, Lifecycle, Machine
from mallcore.money import from_minor, minor_units, resolve_currency, to_minor
from mallcore.orders.after_sales import AfterSaleCase, AfterSaleKind, ReturnReason
from mallcore.orders.machines import AFTER_SALE_MACHINE, ORDER_MACHINE
from mallcore.orders.order import Order, Payment, Shipment
from mallcore.orders.snapshot import OrderSnapshot

__all__ = ["order_from_dict", "order_to_dict"]

#: The layout :func:`order_to_dict` writes and :func:`order_from_dict` reads.
_FORMAT = 1


# --------------------------------------------------------------------------- writing


def _lifecycle_to_dict(lifecycle: Lifecycle) -> dict[str, Any]:
    return {
        "machine": lifecycle.machine.name,
        "state": lifecycle.state,
        "version": lifecycle.version,
        "events": [
            {
                "action": event.action,
                "source": event.source,
                "target": event.target,
                "at": _instant(event.at),
                "actor": event.actor,
                "reason": event.reason,
                "key": event.key,
                "version": event.version,
            }
            for event in lifecycle.events
        ],
    }


def _case_to_dict(case: AfterSaleCase) -> dict[str, Any]:
    return {
        "id": case.id,
        "order_number": case.order_number,
        "line_key": case.line_key,
        "kind": case.kind.value,
        "reason": case.reason.value,
        "quantity": case.quantity,
        "lifecycle": _lifecycle_to_dict(case.lifecycle),
        "refunded": case.refunded,
        "freight_refunded": case.freight_refunded,
        "freight_lines": [[key, amount] for key, amount in case.freight_lines],
        "points_returned": case.points_returned,
        "points_clawed_back": case.points_clawed_back,
    }


def order_to_dict(order: Order) -> dict[str, Any]:
    """Every field of *order* as a JSON-ready dict (``json.dumps`` takes it as it is).

    Amounts are integers of minor units (a payment's ``amount`` with its
    ``currency`` code; the snapshot's and the after-sale cases' amounts in the
    snapshot's currency); instants are ISO-8601 strings in UTC. Each lifecycle
    (the order's, and each case's) is ``machine``, ``state``, ``version`` and
    ``events``; an event's subject is its order number or case id.

    Args:
        order: The order to write.

    Returns:
        A dict with the keys ``format`` (1), ``number``, ``customer_id``,
        ``placed_at``, ``snapshot``, ``lifecycle``, ``reservation_id``,
        ``coupons``, ``points_used``, ``payments``, ``shipments`` and
        ``after_sales``; :func:`order_from_dict` reads it back.
    """
    return {
        "format": _FORMAT,
        "number": order.number,
        "customer_id": order.customer_id,
        "placed_at": _instant(order.placed_at),
        "snapshot": order.snapshot.to_dict(),
        "lifecycle": _lifecycle_to_dict(order.lifecycle),
        "reservation_id": order.reservation_id,
        "coupons": list(order.coupons),
        "points_used": order.points_used,
        "payments": [
            {
                "payment_id": payment.payment_id,
                "amount": to_minor(payment.amount),
                "currency": payment.amount.currency.code,
                "at": _instant(payment.at),
                "late": payment.late,
            }
            for payment in order.payments
        ],
        "shipments": [
            {
                "tracking_number": shipment.tracking_number,
                "carrier": shipment.carrier,
                "lines": [[key, units] for key, units in shipment.lines],
                "at": _instant(shipment.at),
            }
            for shipment in order.shipments
        ],
        "after_sales": [_case_to_dict(case) for case in order.after_sales],
    }


# --------------------------------------------------------------------------- reading


def _pairs(
    data: Mapping[str, Any], where: str, key: str, lines: set[str], *, minimum: int
) -> tuple[tuple[str, int], ...]:
    """``[[line key, whole number], ...]`` naming lines of the snapshot."""
    field = _path(where, key)
    pairs: list[tuple[str, int]] = []
    for index, pair in enumerate(_items(data, where, key)):
        at = _path(field, index)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise invalid(at, pair, "must be a [line key, number] pair")
        line_key, number = pair
        if not isinstance(line_key, str) or line_key not in lines:
            raise invalid(f"{at}[0]", line_key, "is not a line of the order")
        if isinstance(number, bool) or not isinstance(number, int) or number < minimum:
            raise invalid(f"{at}[1]", number, f"must be a whole number, at least {minimum}")
        pairs.append((line_key, number))
    return tuple(pairs)


def _lifecycle(
    data: Mapping[str, Any], where: str, key: str, machine: Machine, subject: str
) -> Lifecycle:
    field = _path(where, key)
    raw = _mapping(field, _get(data, where, key))
    name = _text(raw, field, "machine")
    if name != machine.name:
        raise invalid(_path(field, "machine"), name, f"is not the {machine.name} machine")
    state = _text(raw, field, "state")
    if state not in machine.states:
        reason = f"is not a state of the {machine.name} machine"
        raise invalid(_path(field, "state"), state, reason)
    version = _whole(raw, field, "version")
    events: list[Event] = []
    for index, item in enumerate(_items(raw, field, "events")):
        at = _path(_path(field, "events"), index)
        event = _mapping(at, item)
        events.append(
            Event(
                subject,
                _text(event, at, "action"),
                _text(event, at, "source"),
                _text(event, at, "target"),
                _moment(event, at, "at"),
                _text(event, at, "actor", empty=True),
                _text(event, at, "reason", empty=True),
                _optional_text(event, at, "key"),
                _whole(event, at, "version", minimum=1),
            )
        )
    try:
        # attrs types a ``converter=list`` parameter as ``Iterable[_T]``, which mypy cannot bind.
        return Lifecycle(machine, subject, state, version, events)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise nested(field, exc) from None


def _snapshot(data: Mapping[str, Any]) -> OrderSnapshot:
    raw = _mapping("snapshot", _get(data, "", "snapshot"))
    if "points_used" in raw:
        _whole(raw, "snapshot", "points_used")
    try:
        snapshot = OrderSnapshot.from_dict(raw)
    except ConfigError as exc:
        raise (exc if exc.field == "snapshot" else nested("snapshot", exc)) from None
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        raise invalid("snapshot", type(exc).__name__, f"is not a snapshot dict: {exc}") from None
    if "minor_units" in raw and raw["minor_units"] != minor_units(snapshot.currency):
        places = minor_units(snapshot.currency)
        reason = f"is not {snapshot.currency.code}'s {places} decimal places: amounts would shift"
        raise invalid("snapshot.minor_units", raw["minor_units"], reason)
    return snapshot


def _payments(data: Mapping[str, Any], snapshot: OrderSnapshot) -> list[Payment]:
    payments: list[Payment] = []
    for index, item in enumerate(_items(data, "", "payments")):
        at = _path("payments", index)
        raw = _mapping(at, item)
        code = _get(raw, at, "currency")
        try:
            currency = resolve_currency(code)
        except ConfigError as exc:
            raise nested(at, exc) from None
        if currency != snapshot.currency:
            reason = f"is not the order's currency ({snapshot.currency.code})"
            raise invalid(_path(at, "currency"), code, reason)
        amount = from_minor(_whole(raw, at, "amount"), currency)
        payment_id = _text(raw, at, "payment_id")
        payments.append(Payment(payment_id, amount, _moment(raw, at, "at"), _flag(raw, at, "late")))
    return payments


def _shipments(data: Mapping[str, Any], lines: set[str]) -> list[Shipment]:
    shipments: list[Shipment] = []
    for index, item in enumerate(_items(data, "", "shipments")):
        at = _path("shipments", index)
        raw = _mapping(at, item)
        shipment = Shipment(
            _text(raw, at, "tracking_number"),
            _text(raw, at, "carrier"),
            _pairs(raw, at, "lines", lines, minimum=1),
            _moment(raw, at, "at"),
        )
        shipments.append(shipment)
    return shipments


def _cases(
    data: Mapping[str, Any], number: str, lines: set[str], machine: Machine
) -> list[AfterSaleCase]:
    cases: list[AfterSaleCase] = []
    for index, item in enumerate(_items(data, "", "after_sales")):
        at = _path("after_sales", index)
        raw = _mapping(at, item)
        case_id = _text(raw, at, "id")
        if _text(raw, at, "order_number") != number:
            raise invalid(_path(at, "order_number"), raw["order_number"], "is not the order's")
        line_key = _text(raw, at, "line_key")
        if line_key not in lines:
            raise invalid(_path(at, "line_key"), line_key, "is not a line of the order")
        kind = check_choice(_path(at, "kind"), _get(raw, at, "kind"), AfterSaleKind)
        reason = check_choice(_path(at, "reason"), _get(raw, at, "reason"), ReturnReason)
        quantity = _whole(raw, at, "quantity", minimum=1)
        lifecycle = _lifecycle(raw, at, "lifecycle", machine, case_id)
        refunded = _whole(raw, at, "refunded")
        freight_refunded = _whole(raw, at, "freight_refunded")
        if freight_refunded > refunded:
            reason_text = f"is more than the case refunded ({refunded})"
            raise invalid(_path(at, "freight_refunded"), freight_refunded, reason_text)
        freight_lines = _pairs(raw, at, "freight_lines", lines, minimum=1)
        points = _whole(raw, at, "points_returned"), _whole(raw, at, "points_clawed_back")
        try:
            case = AfterSaleCase(
                case_id,
                number,
                line_key,
                kind,
                reason,
                quantity,
                lifecycle,
                refunded,
                freight_refunded,
                freight_lines,
                *points,
            )
        except ConfigError as exc:
            raise nested(at, exc) from None
        cases.append(case)
    return cases


def order_from_dict(
    data: Mapping[str, Any],
    *,
    order_machine: Machine = ORDER_MACHINE,
    after_sale_machine: Machine = AFTER_SALE_MACHINE,
) -> Order:
    """The order :func:`order_to_dict` wrote (also after a JSON round trip).

    Amounts are read as integers of minor units; instants as ISO-8601 strings
    with an offset, returned as timezone-aware datetimes in UTC. Each
    lifecycle is restored in its machine and must replay its event log.

    Args:
        data: The dict :func:`order_to_dict` wrote.
        order_machine: The order's machine (an extended one, if the shop
            extended it).
        after_sale_machine: The after-sale cases' machine.

    Returns:
        An order whose :func:`order_to_dict` is *data* again, and which
        behaves as the order written did.

    Raises:
        ConfigError: A key missing, a value of the wrong type, an unknown
            format, state, line, currency or kind, or a lifecycle whose events
            do not lead to its state; the error's ``field`` names where
            (``after_sales[1].lifecycle.state``).
    """
    data = _mapping("", data)
    layout = _get(data, "", "format")
    if isinstance(layout, bool) or layout != _FORMAT:
        raise invalid("format", layout, f"must be {_FORMAT}, the layout this version reads")
    number = _text(data, "", "number")
    customer_id = _text(data, "", "customer_id")
    placed_at = _moment(data, "", "placed_at")
    snapshot = _snapshot(data)
    lines = {line.key for line in snapshot.lines}
    lifecycle = _lifecycle(data, "", "lifecycle", order_machine, number)
    reservation_id = _optional_text(data, "", "reservation_id")
    coupons: list[str] = []
    for index, code in enumerate(_items(data, "", "coupons")):
        if not isinstance(code, str) or not code.strip():
            raise invalid(_path("coupons", index), code, "must be a non-empty string")
        coupons.append(code)
    return Order(
        number,
        customer_id,
        snapshot,
        placed_at,
        lifecycle,
        reservation_id,
        tuple(coupons),
        _whole(data, "", "points_used"),
        _payments(data, snapshot),
        _shipments(data, lines),
        _cases(data, number, lines, after_sale_machine),
    )


def _mapping(name: str, value: object) -> Mapping[str, Any]:
    return _dict(name or "order", value)


def _instant(moment: datetime) -> str:
    return _utc_text(moment)
