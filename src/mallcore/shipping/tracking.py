"""Tracking-event normalisation: raw carrier codes in, one ordered history out.

Carriers send scans late, twice, and out of order. The functions here are
pure and make the result independent of all three:

1. :class:`StatusCodeTable` maps each carrier code to a :class:`TrackingStatus`
   (data, one table per carrier; an unmapped code is an error, not a guess).
2. :func:`normalise_events` drops duplicates and sorts by ``occurred_at``.
3. :func:`journey` replays the sorted history through :data:`TRACKING_MACHINE`
   (a machine of the :mod:`mallcore.lifecycle` engine): a scan the machine has
   no transition for is stale and changes nothing, so a late hub scan never
   moves a delivered or returned parcel back. :func:`current_status` is the
   state that replay ends in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final

import attrs

from mallcore.errors import ConfigError, UnknownStatusCodeError
from mallcore.lifecycle import Lifecycle, Machine, Transition
from mallcore.shipping.carriers import TrackingEvent, TrackingStatus

__all__ = [
    "JOURNEY_RANK",
    "TRACKING_MACHINE",
    "RawTrackingEvent",
    "StatusCodeTable",
    "current_status",
    "is_final",
    "journey",
    "normalise",
    "normalise_events",
]

_S = TrackingStatus

#: Order of statuses that share one instant: the later stage of the journey
#: sorts after the earlier one, an exception after the scan it interrupts, and
#: the two endings last.
JOURNEY_RANK: Final[Mapping[TrackingStatus, int]] = MappingProxyType(
    {
        _S.ACCEPTED: 0,
        _S.IN_TRANSIT: 1,
        _S.OUT_FOR_DELIVERY: 2,
        _S.EXCEPTION: 3,
        _S.DELIVERED: 4,
        _S.RETURNED: 5,
    }
)

_PROGRESS: Final = (_S.ACCEPTED, _S.IN_TRANSIT, _S.OUT_FOR_DELIVERY)
_FINAL: Final = frozenset({_S.DELIVERED, _S.RETURNED})
_BOOKED: Final = "booked"


def _journey_transitions() -> list[Transition]:
    # One action per status, named after it. Progress scans only move forward;
    # an exception interrupts anything that has not ended and the next progress
    # scan, whatever its stage, clears it (after a failed attempt a parcel really
    # does go back to the depot); delivered can still turn into returned (a
    # refused parcel goes back to the sender); returned ends everything.
    transitions = []
    for rank, status in enumerate(_PROGRESS):
        earlier = [_BOOKED, *(s.value for s in _PROGRESS[:rank]), _S.EXCEPTION.value]
        transitions.append(Transition(status.value, earlier, status.value))
    unfinished = [_BOOKED, *(s.value for s in _PROGRESS), _S.EXCEPTION.value]
    transitions.append(Transition(_S.EXCEPTION.value, unfinished, _S.EXCEPTION.value))
    transitions.append(Transition(_S.DELIVERED.value, unfinished, _S.DELIVERED.value))
    delivered = [*unfinished, _S.DELIVERED.value]
    transitions.append(Transition(_S.RETURNED.value, delivered, _S.RETURNED.value))
    return transitions


#: A parcel's journey as a :class:`~mallcore.lifecycle.Machine`: it starts
#: ``booked`` (a waybill, no scan yet), each action is a
#: :class:`~mallcore.shipping.carriers.TrackingStatus` value, and a scan with
#: no transition from where the parcel is (a hub scan after delivery, an
#: ``accepted`` after ``in_transit``, a repeat of the current stage) is stale.
TRACKING_MACHINE: Final = Machine(
    "tracking",
    initial=_BOOKED,
    states=[_BOOKED, *(status.value for status in JOURNEY_RANK)],
    transitions=_journey_transitions(),
    final=[_S.RETURNED.value],
)


def is_final(status: TrackingStatus) -> bool:
    """Whether *status* ends the journey (``delivered`` or ``returned``).

    >>> is_final(TrackingStatus.DELIVERED), is_final(TrackingStatus.EXCEPTION)
    (True, False)
    """
    return status in _FINAL


@attrs.frozen
class RawTrackingEvent:
    """A scan as the carrier sent it, before its code is mapped to a status.

    Args:
        tracking_no: The parcel's tracking number.
        code: The carrier's own status code (``"DLV"``, ``"签收"``).
        occurred_at: When the scan happened (time-zone aware).
        location: Where it happened; ``""`` when unknown.
        event_id: The carrier's id of the scan, or ``None`` if it gives none.
    """

    tracking_no: str
    code: str
    occurred_at: datetime
    location: str = ""
    event_id: str | None = None


def _statuses(codes: Mapping[str, TrackingStatus | str]) -> Mapping[str, TrackingStatus]:
    table: dict[str, TrackingStatus] = {}
    allowed = ", ".join(status.value for status in TrackingStatus)
    for code, status in codes.items():
        if not isinstance(code, str) or not code:
            msg = f"code={code!r} must be a non-empty string"
            raise ConfigError(msg)
        if isinstance(status, TrackingStatus):
            table[code] = status
            continue
        try:
            table[code] = TrackingStatus(status)
        except ValueError:
            msg = f"codes[{code!r}]={status!r} is not a tracking status; use one of {allowed}"
            raise ConfigError(msg) from None
    return MappingProxyType(table)


@attrs.frozen
class StatusCodeTable:
    """One carrier's raw tracking codes and the normalised status each means.

    Args:
        carrier: The carrier's name, used in error messages.
        codes: Raw code to status; statuses may be given as their string values.

    Raises:
        ConfigError: If a code is empty or a status is not one of the six.

    >>> table = StatusCodeTable("sf", {"50": "accepted", "80": "delivered"})
    >>> table.status_of("80")
    <TrackingStatus.DELIVERED: 'delivered'>
    >>> table.status_of("99")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mallcore.errors.UnknownStatusCodeError: Carrier 'sf' sent tracking code '99', which ...
    """

    carrier: str
    codes: Mapping[str, TrackingStatus] = attrs.field(converter=_statuses, hash=False)

    def status_of(self, code: str) -> TrackingStatus:
        """The normalised status for the raw *code*.

        Raises:
            UnknownStatusCodeError: If the table has no entry for *code*.
        """
        try:
            return self.codes[code]
        except KeyError:
            raise UnknownStatusCodeError(self.carrier, code) from None

    def event(self, raw: RawTrackingEvent) -> TrackingEvent:
        """Map one raw scan to a :class:`TrackingEvent`, keeping its code and id."""
        return TrackingEvent(
            tracking_no=raw.tracking_no,
            status=self.status_of(raw.code),
            occurred_at=raw.occurred_at,
            location=raw.location,
            raw_code=raw.code,
            event_id=raw.event_id,
        )


def _order_key(
    event: TrackingEvent,
) -> tuple[datetime, int, str, timedelta, str, str, str]:
    # Instant first, then rank; the remaining fields only make the order total,
    # so that equal-looking events from different arrivals sort identically.
    offset = event.occurred_at.utcoffset() or timedelta(0)
    return (
        event.occurred_at,
        JOURNEY_RANK[event.status],
        event.tracking_no,
        offset,
        event.location,
        event.raw_code,
        event.event_id or "",
    )


def _identity(event: TrackingEvent) -> tuple[object, ...]:
    if event.event_id:
        return (event.tracking_no, "id", event.event_id)
    return (event.tracking_no, "scan", event.status, event.occurred_at, event.location)


def normalise_events(events: Iterable[TrackingEvent]) -> list[TrackingEvent]:
    """De-duplicate *events* and put them in the order they happened.

    Two events are the same scan when they share an ``event_id``; events
    without an id are the same scan when status, ``occurred_at`` (as an
    instant) and location agree. Of a set of copies the first in sort order is kept, so a
    correction with the same id does not make the result depend on which copy
    arrived last. Events are ordered by ``occurred_at``, then by
    :data:`JOURNEY_RANK` (an instant shared by ``out_for_delivery`` and
    ``delivered`` reads in journey order).

    The result depends only on the *set* of scans: permuting or repeating the
    input gives the same list.

    >>> from datetime import datetime, UTC
    >>> def at(hour):
    ...     return datetime(2026, 11, 12, hour, tzinfo=UTC)
    >>> delivered = TrackingEvent("SB1", TrackingStatus.DELIVERED, at(18), event_id="3")
    >>> accepted = TrackingEvent("SB1", TrackingStatus.ACCEPTED, at(9), event_id="1")
    >>> [e.status.value for e in normalise_events([delivered, accepted, delivered])]
    ['accepted', 'delivered']
    """
    kept: dict[tuple[object, ...], TrackingEvent] = {}
    for event in events:
        key = _identity(event)
        seen = kept.get(key)
        if seen is None or _order_key(event) < _order_key(seen):
            kept[key] = event
    return sorted(kept.values(), key=_order_key)


def normalise(
    raw_events: Iterable[RawTrackingEvent], table: StatusCodeTable
) -> list[TrackingEvent]:
    """Map raw scans through *table*, then :func:`normalise_events` them.

    Raises:
        UnknownStatusCodeError: If a raw code is not in *table*.
    """
    return normalise_events(table.event(raw) for raw in raw_events)


def journey(
    events: Iterable[TrackingEvent], *, tracking_no: str | None = None, actor: str = "carrier"
) -> Lifecycle:
    """Replay a parcel's scans, in any order, through :data:`TRACKING_MACHINE`.

    The scans are normalised first (:func:`normalise_events`), then fired in
    the order they happened; a stale scan (no transition from the parcel's
    state then) is skipped, so the result depends only on the set of scans.
    Each accepted scan is one event of the lifecycle: ``at`` is when it
    happened, ``reason`` the carrier's raw code and the location, ``key`` the
    carrier's event id when it gives one.

    Args:
        events: The parcel's scans.
        tracking_no: The parcel's tracking number, the lifecycle's subject;
            defaults to the first scan's (``"parcel"`` without scans).
        actor: Who the events are recorded as coming from.

    >>> from datetime import datetime, UTC
    >>> def scan(status, hour):
    ...     return TrackingEvent("SB1", status, datetime(2026, 11, 12, hour, tzinfo=UTC))
    >>> parcel = journey([scan(TrackingStatus.DELIVERED, 18), scan(TrackingStatus.ACCEPTED, 9),
    ...                   scan(TrackingStatus.IN_TRANSIT, 20)])
    >>> parcel.state, [(e.source, e.target) for e in parcel.events]
    ('delivered', [('booked', 'accepted'), ('accepted', 'delivered')])
    """
    ordered = normalise_events(events)
    if tracking_no is None:
        tracking_no = ordered[0].tracking_no if ordered else "parcel"
    parcel = Lifecycle(TRACKING_MACHINE, tracking_no)
    for event in ordered:
        action = event.status.value
        if not parcel.can(action):
            continue  # stale: the parcel is already past this scan
        reason = " ".join(part for part in (event.raw_code, event.location) if part)
        parcel.fire(action, at=event.occurred_at, actor=actor, reason=reason, key=event.event_id)
    return parcel


def current_status(events: Iterable[TrackingEvent]) -> TrackingStatus | None:
    """The parcel's status now, from its events in any order; ``None`` if there are none.

    It is the state :func:`journey` ends in, so these rules are the
    transitions of :data:`TRACKING_MACHINE`:

    - ``accepted`` → ``in_transit`` → ``out_for_delivery`` only move forward:
      a hub scan stamped after ``out_for_delivery`` does not move the parcel back.
    - ``exception`` replaces any status that is not final. The next progress scan
      clears it, whatever its stage, because after a failed attempt the parcel
      really can go back to the depot (``in_transit``).
    - ``delivered`` and ``returned`` are final: nothing but ``returned`` moves a
      delivered parcel (a refused parcel goes back to the sender), and nothing
      moves a returned one. A late ``in_transit`` never undoes a delivery.

    >>> from datetime import datetime, UTC
    >>> def scan(status, hour):
    ...     return TrackingEvent("SB1", status, datetime(2026, 11, 12, hour, tzinfo=UTC))
    >>> late_hub_scan = scan(TrackingStatus.IN_TRANSIT, 20)
    >>> current_status([late_hub_scan, scan(TrackingStatus.DELIVERED, 18)])
    <TrackingStatus.DELIVERED: 'delivered'>
    """
    state = journey(events).state
    return None if state == _BOOKED else TrackingStatus(state)
