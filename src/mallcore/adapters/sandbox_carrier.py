"""A deterministic in-memory carrier for tests, notebooks and demos, with injectable faults.

:class:`SandboxCarrier` keeps the :class:`~mallcore.shipping.carriers.Carrier`
contract without a network: tracking numbers are derived from a seed and the
idempotency key, time comes from an injected :class:`~mallcore.clock.Clock`,
and parcels move only when the test says so (:meth:`SandboxCarrier.advance`,
:meth:`SandboxCarrier.deliver`). :class:`SandboxFaults` makes it misbehave the
way real carriers do: time out, refuse, repeat or reorder tracking scans.

It is an adapter, so it lives here and not next to its port; import it from
this module (``from mallcore.adapters.sandbox_carrier import SandboxCarrier``).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

import attrs

from mallcore.clock import Clock, aware
from mallcore.errors import (
    CarrierRejectedError,
    CarrierTimeoutError,
    ConfigError,
    UnknownTrackingNumberError,
)
from mallcore.money import parse_money
from mallcore.shipping.carriers import Rate, Shipment, TrackingEvent, TrackingStatus, Waybill
from mallcore.shipping.tracking import (
    RawTrackingEvent,
    StatusCodeTable,
    current_status,
    normalise,
)

__all__ = [
    "DEFAULT_SANDBOX_SERVICES",
    "SANDBOX_STATUS_CODES",
    "SandboxCarrier",
    "SandboxFaults",
    "SandboxService",
]

_S = TrackingStatus

#: The sandbox's own raw codes, so that its scans go through the same
#: normalisation as a real carrier's.
SANDBOX_STATUS_CODES: Final = StatusCodeTable(
    "sandbox",
    {
        "ACC": _S.ACCEPTED,
        "TRN": _S.IN_TRANSIT,
        "OFD": _S.OUT_FOR_DELIVERY,
        "DLV": _S.DELIVERED,
        "EXC": _S.EXCEPTION,
        "RTS": _S.RETURNED,
    },
)
_CODE_OF: Final = {status: code for code, status in SANDBOX_STATUS_CODES.codes.items()}
_JOURNEY: Final = (_S.ACCEPTED, _S.IN_TRANSIT, _S.OUT_FOR_DELIVERY, _S.DELIVERED)


def _price(value: object) -> Decimal:
    # Floats are refused as everywhere in mallcore: 0.1 is not a price.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        msg = f"price={value!r} must be a Decimal, an int or a decimal string"
        raise ConfigError(msg)
    try:
        price = Decimal(value)
    except ArithmeticError:
        msg = f"price={value!r} is not a number"
        raise ConfigError(msg) from None
    if not price.is_finite() or price < 0:
        msg = f"price={value!r} must be a finite amount, zero or more"
        raise ConfigError(msg)
    return price


@attrs.frozen
class SandboxService:
    """A service the sandbox sells, at a flat price per parcel.

    Args:
        name: The service name passed to ``create_shipment`` (``"standard"``).
        price: The flat price in major units of the shipment's currency
            (``10`` is ¥10.00 for CNY, ¥10 for JPY); it must fit the currency's
            minor unit.
        estimated_days: Whole days the sandbox promises.
    """

    name: str
    price: Decimal = attrs.field(converter=_price)
    estimated_days: int = 3


#: ``standard`` at 10 and ``express`` at 20 major units of the shipment's currency.
DEFAULT_SANDBOX_SERVICES: Final = (
    SandboxService("standard", Decimal(10), 3),
    SandboxService("express", Decimal(20), 1),
)


@attrs.frozen
class SandboxFaults:
    """The ways a :class:`SandboxCarrier` misbehaves; all off by default.

    Args:
        timeout: Every call raises :class:`~mallcore.errors.CarrierTimeoutError`
            before doing anything.
        timeout_after_create: ``create_shipment`` books the parcel and *then* times
            out, like a lost response; a retry with the same key returns the waybill.
        rejection: A reason; ``rates`` and new ``create_shipment`` calls raise
            :class:`~mallcore.errors.CarrierRejectedError` with it.
        duplicate_events: The raw tracking feed repeats every scan.
        out_of_order_events: The raw tracking feed comes shuffled (deterministically).
    """

    timeout: bool = False
    timeout_after_create: bool = False
    rejection: str | None = None
    duplicate_events: bool = False
    out_of_order_events: bool = False


@attrs.frozen
class _Booking:
    shipment: Shipment
    service: str
    waybill: Waybill


def _services(value: Iterable[SandboxService]) -> tuple[SandboxService, ...]:
    services = tuple(value)
    names = [service.name for service in services]
    if not services or len(set(names)) != len(names):
        msg = f"services={names!r} must name at least one service, each once"
        raise ConfigError(msg)
    return services


@attrs.define(eq=False)
class SandboxCarrier:
    """An in-memory carrier that does exactly what it is told, including failing.

    Args:
        clock: Where ``created_at`` and default scan times come from.
        seed: Mixed into tracking numbers; two sandboxes with one seed give the
            same number for the same idempotency key.
        name: The carrier name on rates and waybills.
        services: What :meth:`rates` offers (default: :data:`DEFAULT_SANDBOX_SERVICES`).
        faults: The misbehaviour to inject; may be replaced at any time.

    >>> from datetime import datetime, UTC
    >>> from mallcore.clock import FixedClock
    >>> from mallcore.shipping.carriers import ParcelItem
    >>> sandbox = SandboxCarrier(clock=FixedClock(datetime(2026, 11, 11, 9, tzinfo=UTC)))
    >>> parcel = Shipment("o-1", "440305", [ParcelItem("TEA", 1)], "CNY")
    >>> [(rate.service, rate.amount) for rate in sandbox.rates(parcel)]
    [('standard', Money('10.00', 'CNY')), ('express', Money('20.00', 'CNY'))]
    >>> waybill = sandbox.create_shipment(parcel, service="standard", idempotency_key="o-1")
    >>> [event.status.value for event in sandbox.deliver(waybill.tracking_no)]
    ['in_transit', 'out_for_delivery', 'delivered']
    >>> sandbox.faults = SandboxFaults(duplicate_events=True, out_of_order_events=True)
    >>> len(sandbox.raw_events(waybill.tracking_no)), len(sandbox.track(waybill.tracking_no))
    (8, 4)
    """

    clock: Clock = attrs.field(kw_only=True)
    seed: str = attrs.field(default="sandbox", kw_only=True)
    name: str = attrs.field(default="sandbox", kw_only=True)
    services: tuple[SandboxService, ...] = attrs.field(
        default=DEFAULT_SANDBOX_SERVICES, converter=_services, kw_only=True
    )
    faults: SandboxFaults = attrs.field(factory=SandboxFaults, kw_only=True)
    _bookings: dict[str, _Booking] = attrs.field(factory=dict, init=False, repr=False)
    _by_tracking_no: dict[str, _Booking] = attrs.field(factory=dict, init=False, repr=False)
    _scans: dict[str, list[RawTrackingEvent]] = attrs.field(factory=dict, init=False, repr=False)

    # ------------------------------------------------------------------ the port

    def rates(self, shipment: Shipment) -> list[Rate]:
        """One rate per service, at its flat price in the shipment's currency.

        Raises:
            CarrierTimeoutError: With the ``timeout`` fault.
            CarrierRejectedError: With the ``rejection`` fault.
        """
        self._maybe_time_out("rates")
        self._maybe_reject()
        return [
            Rate(
                carrier=self.name,
                service=service.name,
                amount=parse_money(service.price, shipment.currency, field=f"{service.name}.price"),
                estimated_days=service.estimated_days,
            )
            for service in self.services
        ]

    def create_shipment(self, shipment: Shipment, *, service: str, idempotency_key: str) -> Waybill:
        """Book *shipment*; the same key returns the same waybill, never a second parcel.

        A new booking records an ``accepted`` scan at ``created_at``.

        Raises:
            ConfigError: If *idempotency_key* is empty.
            CarrierTimeoutError: With the ``timeout`` fault (nothing booked) or the
                ``timeout_after_create`` fault (booked; retry with the same key).
            CarrierRejectedError: With the ``rejection`` fault, for an unknown
                *service*, or for a key already used for another shipment or service.
        """
        if not isinstance(idempotency_key, str) or not idempotency_key:
            msg = f"idempotency_key={idempotency_key!r} must be a non-empty string"
            raise ConfigError(msg)
        self._maybe_time_out("create_shipment")
        booked = self._bookings.get(idempotency_key)
        if booked is not None:
            if booked.shipment != shipment or booked.service != service:
                reason = (
                    f"idempotency_key={idempotency_key!r} was already used for "
                    f"order {booked.shipment.order_id!r} with service {booked.service!r}"
                )
                raise CarrierRejectedError(self.name, reason)
            return booked.waybill
        self._maybe_reject()
        if service not in {offered.name for offered in self.services}:
            offered = ", ".join(repr(s.name) for s in self.services)
            raise CarrierRejectedError(self.name, f"service={service!r} is not one of {offered}")
        waybill = Waybill(
            tracking_no=self._new_tracking_no(idempotency_key),
            carrier=self.name,
            service=service,
            created_at=self.clock.now(),
            order_id=shipment.order_id,
        )
        booking = _Booking(shipment, service, waybill)
        self._bookings[idempotency_key] = booking
        self._by_tracking_no[waybill.tracking_no] = booking
        self._scans[waybill.tracking_no] = []
        self._record(waybill.tracking_no, _S.ACCEPTED, waybill.created_at, "")
        if self.faults.timeout_after_create:
            raise CarrierTimeoutError(self.name, "create_shipment")
        return waybill

    def track(self, tracking_no: str) -> list[TrackingEvent]:
        """The parcel's scans, normalised from the (possibly faulty) raw feed.

        Raises:
            CarrierTimeoutError: With the ``timeout`` fault.
            UnknownTrackingNumberError: If no booking has *tracking_no*.
        """
        self._maybe_time_out("track")
        return normalise(self.raw_events(tracking_no), SANDBOX_STATUS_CODES)

    # ------------------------------------------------------------------ test controls

    def raw_events(self, tracking_no: str) -> list[RawTrackingEvent]:
        """The raw feed :meth:`track` reads, with the duplicate/out-of-order faults applied.

        Raises:
            UnknownTrackingNumberError: If no booking has *tracking_no*.
        """
        feed = list(self._scans_of(tracking_no))
        if self.faults.duplicate_events:
            # Every scan twice, the copy right after the original: what a
            # carrier's retrying webhook sender produces.
            feed = [scan for original in feed for scan in (original, original)]
        if self.faults.out_of_order_events and len(feed) > 1:
            shuffled = list(feed)
            random.Random(f"{self.seed}:{tracking_no}").shuffle(shuffled)
            feed = shuffled if shuffled != feed else feed[::-1]
        return feed

    def advance(
        self,
        tracking_no: str,
        status: TrackingStatus,
        *,
        at: datetime | None = None,
        location: str = "",
    ) -> TrackingEvent:
        """Record a scan of the parcel: the sandbox's way of moving it along.

        Any status may be recorded in any order, so tests can script exceptions,
        returns and late scans; :meth:`track` sorts out the result.

        Args:
            tracking_no: The parcel.
            status: The status of the new scan.
            at: When it happened (aware); default: the clock's now.
            location: Where it happened.

        Returns:
            The scan, normalised.

        Raises:
            UnknownTrackingNumberError: If no booking has *tracking_no*.
            ConfigError: If *at* is naive.
        """
        self._scans_of(tracking_no)
        moment = aware(at, field="at") if at is not None else self.clock.now()
        raw = self._record(tracking_no, status, moment, location)
        return SANDBOX_STATUS_CODES.event(raw)

    def deliver(
        self, tracking_no: str, *, step: timedelta = timedelta(hours=12)
    ) -> list[TrackingEvent]:
        """Scan the parcel through the rest of its journey up to ``delivered``.

        Each new scan is *step* after the latest one so far. After an
        ``exception`` the journey resumes at ``in_transit``; a delivered parcel
        gets no new scans.

        Returns:
            The scans added, normalised, in order.

        Raises:
            UnknownTrackingNumberError: If no booking has *tracking_no*.
            CarrierRejectedError: If the parcel was returned to the sender.
        """
        scans = self._scans_of(tracking_no)
        now = current_status(SANDBOX_STATUS_CODES.event(raw) for raw in scans)
        if now is _S.RETURNED:
            reason = f"parcel {tracking_no!r} was returned to the sender; it cannot be delivered"
            raise CarrierRejectedError(self.name, reason)
        if now is None or now is _S.EXCEPTION:
            start = _JOURNEY.index(_S.IN_TRANSIT)
        else:
            start = _JOURNEY.index(now) + 1
        moment = max(scan.occurred_at for scan in scans)
        added = []
        for status in _JOURNEY[start:]:
            moment += step
            added.append(self.advance(tracking_no, status, at=moment))
        return added

    # ------------------------------------------------------------------ internals

    def _maybe_time_out(self, operation: str) -> None:
        if self.faults.timeout:
            raise CarrierTimeoutError(self.name, operation)

    def _maybe_reject(self) -> None:
        if self.faults.rejection is not None:
            raise CarrierRejectedError(self.name, self.faults.rejection)

    def _scans_of(self, tracking_no: str) -> list[RawTrackingEvent]:
        try:
            return self._scans[tracking_no]
        except KeyError:
            raise UnknownTrackingNumberError(self.name, tracking_no) from None

    def _record(
        self, tracking_no: str, status: TrackingStatus, at: datetime, location: str
    ) -> RawTrackingEvent:
        scans = self._scans[tracking_no]
        raw = RawTrackingEvent(
            tracking_no=tracking_no,
            code=_CODE_OF[status],
            occurred_at=at,
            location=location,
            event_id=f"{tracking_no}-{len(scans) + 1}",
        )
        scans.append(raw)
        return raw

    def _new_tracking_no(self, idempotency_key: str) -> str:
        # A hash, not a counter, so a number depends on the seed and key only,
        # not on how many parcels were booked before; the salt resolves the
        # (astronomically rare) collision between two keys.
        salt = 0
        while True:
            text = f"{self.seed}:{idempotency_key}:{salt}".encode()
            digits = int.from_bytes(hashlib.sha256(text).digest()[:8], "big") % 10**12
            tracking_no = f"SB{digits:012d}"
            if tracking_no not in self._by_tracking_no:
                return tracking_no
            salt += 1
