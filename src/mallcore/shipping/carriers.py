"""The Carrier port: quote, book and track parcels with a delivery company.

The domain talks to carriers only through :class:`Carrier`. The values that
cross the port (:class:`ParcelItem`, :class:`Shipment`, :class:`Rate`,
:class:`Waybill`, :class:`TrackingEvent`) are frozen attrs objects of the
port's own, independent of the freight calculator's inputs, and tracking
statuses are normalised to the six :class:`TrackingStatus` values whatever
codes the carrier itself uses (see :mod:`mallcore.shipping.tracking`).

The adapters that ship with mallcore live in :mod:`mallcore.adapters`:
:mod:`mallcore.adapters.sandbox_carrier` and :mod:`mallcore.adapters.template_carrier`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Protocol

import attrs
from moneyed import Money

from mallcore.clock import aware
from mallcore.errors import ConfigError
from mallcore.money import resolve_currency
from mallcore.shipping.templates import to_nano

__all__ = [
    "Carrier",
    "ParcelItem",
    "Rate",
    "Shipment",
    "TrackingEvent",
    "TrackingStatus",
    "Waybill",
]

_ZERO: Final = Decimal(0)


class TrackingStatus(enum.Enum):
    """Where a parcel is, in mallcore's words; every carrier code maps to one of these.

    ``delivered`` and ``returned`` end a journey; ``exception`` (a failed
    delivery attempt, a damaged parcel, a customs hold) can be followed by
    more progress. The rules that turn a list of events into one current
    status are in :func:`mallcore.shipping.tracking.current_status`.
    """

    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned"


def _text(field: str) -> Any:
    """An attrs validator: a non-empty string, else ConfigError naming *field*."""

    def check(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            msg = f"{field}={value!r} must be a non-empty string"
            raise ConfigError(msg)

    return check


def _currency_code(value: object) -> str:
    if isinstance(value, str):
        return resolve_currency(value).code
    msg = f"currency={value!r} must be an ISO 4217 code such as 'CNY'"
    raise ConfigError(msg)


def _quantity(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"quantity={value!r} must be a whole number of pieces, at least 1"
        raise ConfigError(msg)


def _measure(value: object, field: str) -> Decimal:
    """A non-negative Decimal or int with at most 9 decimals, as a Decimal."""
    # Floats are refused as everywhere in mallcore: 0.1 kg is not exact.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        msg = f"{field}={value!r} must be a Decimal or an int, not a {type(value).__name__}"
        raise ConfigError(msg)
    to_nano(value, field)  # finite, not negative, at most 9 decimals
    return Decimal(value)


def _weight_kg(value: Decimal | int) -> Decimal:
    return _measure(value, "weight_kg")


def _volume_m3(value: Decimal | int) -> Decimal:
    return _measure(value, "volume_m3")


def _freight_template(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        msg = f"freight_template={value!r} must be a non-empty string or None"
        raise ConfigError(msg)


@attrs.frozen
class ParcelItem:
    """Some pieces of one SKU in a parcel, as a carrier sees them.

    Args:
        sku: The SKU id.
        quantity: Pieces, at least 1.
        weight_kg: Weight of *one* piece in kilograms (a Decimal or an int,
            at most 9 decimals); held as a Decimal.
        volume_m3: Volume of *one* piece in cubic metres (same rules).
        freight_template: The product's freight template id, for carriers that
            quote from templates; None when the product has none.

    Raises:
        ConfigError: A bad field; the message names it and the value.

    >>> tea = ParcelItem("TEA-001", 2, weight_kg=Decimal("0.5"), freight_template="std")
    >>> tea.weight_kg, tea.volume_m3, ParcelItem("MUG", 1, weight_kg=1).weight_kg
    (Decimal('0.5'), Decimal('0'), Decimal('1'))
    >>> ParcelItem("TEA-001", 2, weight_kg=0.5)
    Traceback (most recent call last):
    ...
    mallcore.errors.ConfigError: weight_kg=0.5 must be a Decimal or an int, not a float
    """

    sku: str = attrs.field(validator=_text("sku"))
    quantity: int = attrs.field(validator=_quantity)
    weight_kg: Decimal = attrs.field(default=_ZERO, converter=_weight_kg)
    volume_m3: Decimal = attrs.field(default=_ZERO, converter=_volume_m3)
    freight_template: str | None = attrs.field(default=None, validator=_freight_template)


def _items(value: Iterable[ParcelItem]) -> tuple[ParcelItem, ...]:
    given: object = value  # callers' data: check what the annotation promises
    if isinstance(given, str | bytes | ParcelItem) or not isinstance(given, Iterable):
        msg = f"items={given!r} must be a sequence of ParcelItem objects"
        raise ConfigError(msg)
    items: list[ParcelItem] = []
    item: object
    for item in given:
        if not isinstance(item, ParcelItem):
            msg = f"items must hold ParcelItem objects, not {item!r}"
            raise ConfigError(msg)
        items.append(item)
    if not items:
        msg = "items=() must hold at least one item: a shipment carries something"
        raise ConfigError(msg)
    return tuple(items)


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        msg = f"{field}={value!r} must be a datetime"
        raise ConfigError(msg)
    return aware(value, field=field)


def _created_at(value: object) -> datetime:
    return _aware(value, "created_at")


def _occurred_at(value: object) -> datetime:
    return _aware(value, "occurred_at")


@attrs.frozen
class Shipment:
    """What goes in one parcel: an order's items, to one region, priced in one currency.

    Args:
        order_id: The order the parcel belongs to.
        ship_to: The destination region code (``"440305"``, ``"US-CA"``).
        items: What the parcel carries (:class:`ParcelItem` objects, at least
            one), kept in the order given as a tuple. The same SKU may appear
            more than once; how an adapter treats that is its own affair
            (:class:`~mallcore.adapters.template_carrier.TemplateCarrier` adds
            the pieces up).
        currency: ISO 4217 code the carrier quotes in; normalised to upper case.

    Raises:
        ConfigError: A bad field, no items, or an item that is not a :class:`ParcelItem`.

    >>> tea = ParcelItem("TEA-001", 2, weight_kg=Decimal("0.5"), freight_template="std")
    >>> parcel = Shipment("o-1", "440305", [tea], "cny")
    >>> parcel.currency, parcel.items == (tea,)
    ('CNY', True)
    """

    order_id: str = attrs.field(validator=_text("order_id"))
    ship_to: str = attrs.field(validator=_text("ship_to"))
    items: tuple[ParcelItem, ...] = attrs.field(converter=_items)
    currency: str = attrs.field(converter=_currency_code)


@attrs.frozen
class Rate:
    """One price a carrier offers for a shipment.

    Args:
        carrier: The carrier's name (:attr:`Carrier.name`).
        service: The service to pass to :meth:`Carrier.create_shipment` (``"standard"``).
        amount: The price, exact to the minor unit, in the shipment's currency.
        estimated_days: Whole days from pick-up to delivery the carrier expects.
    """

    carrier: str = attrs.field(validator=_text("carrier"))
    service: str = attrs.field(validator=_text("service"))
    amount: Money = attrs.field(validator=attrs.validators.instance_of(Money))
    estimated_days: int = attrs.field()

    @estimated_days.validator
    def _days(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            msg = f"estimated_days={value!r} must be a whole number of days, zero or more"
            raise ConfigError(msg)


@attrs.frozen
class Waybill:
    """A booked shipment: the carrier's tracking number for one parcel.

    Args:
        tracking_no: The number the carrier tracks the parcel by.
        carrier: The carrier's name.
        service: The service booked.
        created_at: When the carrier accepted the booking (time-zone aware).
        order_id: The order the parcel belongs to.
    """

    tracking_no: str = attrs.field(validator=_text("tracking_no"))
    carrier: str = attrs.field(validator=_text("carrier"))
    service: str = attrs.field(validator=_text("service"))
    created_at: datetime = attrs.field(converter=_created_at)
    order_id: str = attrs.field(default="")


@attrs.frozen
class TrackingEvent:
    """One normalised scan of a parcel.

    Args:
        tracking_no: The parcel's tracking number.
        status: The normalised status.
        occurred_at: When the scan happened (time-zone aware), not when it was received.
        location: Where it happened, free text; ``""`` when the carrier does not say.
        raw_code: The carrier's own code for the scan, kept for support staff.
        event_id: The carrier's id of the scan, if it gives one; duplicates share it.

    >>> from datetime import datetime, UTC
    >>> event = TrackingEvent("SB1", TrackingStatus.DELIVERED, datetime(2026, 11, 12, tzinfo=UTC))
    >>> event.status.value, event.event_id
    ('delivered', None)
    """

    tracking_no: str = attrs.field(validator=_text("tracking_no"))
    status: TrackingStatus = attrs.field(validator=attrs.validators.instance_of(TrackingStatus))
    occurred_at: datetime = attrs.field(converter=_occurred_at)
    location: str = ""
    raw_code: str = ""
    event_id: str | None = None


class Carrier(Protocol):
    """Port: a delivery company that quotes, books and tracks parcels.

    The contract every adapter keeps (checked by
    :class:`mallcore.testing.contracts.CarrierContract`):

    - :meth:`rates` returns at least one :class:`Rate`, each in the
      shipment's currency with a non-negative amount.
    - :meth:`create_shipment` is idempotent: the same *idempotency_key*
      returns the same :class:`Waybill`, never a second parcel; different
      keys give different tracking numbers.
    - :meth:`track` returns normalised :class:`TrackingEvent` objects with no
      duplicates, ordered by ``occurred_at`` (then by status rank), however
      the carrier delivered its raw events.
    - Failures are :class:`~mallcore.errors.CarrierError` subclasses, with
      the carrier library's exception chained: :class:`~mallcore.errors.CarrierTimeoutError`,
      :class:`~mallcore.errors.CarrierRejectedError` and
      :class:`~mallcore.errors.UnknownTrackingNumberError`. No
      ``httpx``/SDK exception reaches the caller.
    """

    @property
    def name(self) -> str:
        """The carrier's name, as written in its rates and waybills."""
        ...

    def rates(self, shipment: Shipment) -> list[Rate]:
        """The services and prices the carrier offers for *shipment*.

        Raises:
            CarrierRejectedError: If the carrier will not carry it (unserved region, ...).
            CarrierTimeoutError: If the carrier did not answer.
        """
        ...

    def create_shipment(self, shipment: Shipment, *, service: str, idempotency_key: str) -> Waybill:
        """Book *shipment* with *service*; calling again with the same key books nothing new.

        Raises:
            CarrierRejectedError: If the carrier refuses (unknown service, the key
                reused for another shipment, ...).
            CarrierTimeoutError: If the carrier did not answer; retry with the same key.
        """
        ...

    def track(self, tracking_no: str) -> list[TrackingEvent]:
        """The parcel's events so far, normalised, de-duplicated and in order.

        Raises:
            UnknownTrackingNumberError: If the carrier has no such waybill.
            CarrierTimeoutError: If the carrier did not answer.
        """
        ...
