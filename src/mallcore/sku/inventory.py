"""Stock levels and the reservation life cycle, as pure functions that return what changed.

Each SKU has a :class:`StockLevel`: ``on_hand`` units in the warehouse, of which
``reserved`` are held for placed-but-unpaid orders, so ``available = on_hand - reserved``
can still be sold. An order holds stock through a :class:`Reservation`::

    reserve ──> open ──commit──> committed   (paid: on_hand -= q, reserved -= q)
                     ──release─> released    (cancelled: reserved -= q)
                     ──expire──> expired     (payment timeout: reserved -= q)

:class:`DeductOn` picks when stock leaves ``available``:

* ``placement`` (the default): placing the order reserves (``reserved += q``, so
  ``available`` drops and ``on_hand`` stays); payment commits (``on_hand -= q``,
  ``reserved -= q``). A paid order can never find its units gone.
* ``payment``: placing the order only checks that the units are available and holds
  nothing; payment deducts ``on_hand`` directly and fails with
  :class:`~mallcore.errors.InsufficientStockError` if other buyers paid first (the
  order side then refunds). Shops use it for flash sales, so unpaid orders cannot
  hoard stock.

Replays are idempotent and crossing between end states is refused, because payment
notifications, cancellations and the expiry sweep all arrive more than once and race:

============  ===========  ===========  ===========  ===========
action        open         committed    released     expired
============  ===========  ===========  ===========  ===========
``commit``    committed    no-op        refused      refused
``release``   released     refused      no-op        no-op
``expire``    expired      refused      no-op        no-op
============  ===========  ===========  ===========  ===========

Refusals raise :class:`~mallcore.errors.ReservationStateError`. Reserving again under an
existing id with the same lines and ``deduct_on`` returns the existing reservation and
changes nothing (whatever its state); different lines are refused. A multi-line
reservation is all or nothing. Quantities are whole units, at least one; a bad quantity or
level raises :class:`~mallcore.errors.ConfigError` naming the field. Every function
returns the new levels and the events instead of changing anything, so a storage adapter
can apply them atomically.

>>> from datetime import datetime, UTC
>>> due = datetime(2026, 11, 11, 0, 30, tzinfo=UTC)
>>> levels = {"TEA-1": StockLevel("TEA-1", on_hand=5, low_stock_threshold=2)}
>>> held = reserve(levels, Reservation("o-1", {"TEA-1": 3}, expires_at=due))
>>> held.levels[0].available, held.levels[0].on_hand
(2, 5)
>>> [type(event).__name__ for event in held.events]
['StockReserved', 'LowStockAlerted']
>>> paid = commit({"TEA-1": held.levels[0]}, held.reservation)
>>> paid.levels[0]
StockLevel(sku_id='TEA-1', on_hand=2, reserved=0, low_stock_threshold=2)
>>> commit({"TEA-1": paid.levels[0]}, paid.reservation).changed  # a replayed notification
False
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import attrs

from mallcore.clock import aware
from mallcore.errors import ConfigError, InsufficientStockError, ReservationStateError
from mallcore.lifecycle import Machine, Transition

__all__ = [
    "RESERVATION_MACHINE",
    "DeductOn",
    "InventoryEvent",
    "LinesInput",
    "LowStockAlerted",
    "Reservation",
    "ReservationChange",
    "ReservationCommitted",
    "ReservationExpired",
    "ReservationLine",
    "ReservationReleased",
    "ReservationState",
    "StockAdjusted",
    "StockChange",
    "StockLevel",
    "StockReserved",
    "StockRestocked",
    "commit",
    "expire",
    "release",
    "reserve",
    "restock",
    "set_stock",
]


def _whole(value: object, field: str, *, minimum: int) -> int:
    # bool is an int subclass; True units is a bug in the caller, not one unit.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        msg = f"{field}={value!r} must be a whole number of units, at least {minimum}"
        raise ConfigError(msg)
    return value


def _identifier(field: str) -> Callable[[object, attrs.Attribute[str], str], None]:
    def check(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value:
            msg = f"{field}={value!r} must be a non-empty string"
            raise ConfigError(msg)

    return check


def _count(field: str, *, minimum: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        _whole(value, field, minimum=minimum)

    return check


class DeductOn(enum.Enum):
    """When an order's units leave ``available``: at placement (reserve) or at payment."""

    PLACEMENT = "placement"
    PAYMENT = "payment"


class ReservationState(enum.Enum):
    """Where a reservation is in its life cycle; all but ``open`` are final."""

    OPEN = "open"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"


#: The reservation's life cycle as data for the :mod:`mallcore.lifecycle` engine: an open
#: reservation is committed, released or expired, and stays there.
RESERVATION_MACHINE = Machine(
    "reservation",
    initial=ReservationState.OPEN.value,
    states=[state.value for state in ReservationState],
    transitions=[
        Transition("commit", "open", "committed"),
        Transition("release", "open", "released"),
        Transition("expire", "open", "expired"),
    ],
    final=["committed", "released", "expired"],
)


@attrs.frozen
class StockLevel:
    """The stock of one SKU, in whole units; ``0 <= reserved <= on_hand`` always holds.

    >>> level = StockLevel("TEA-1", on_hand=10, reserved=4, low_stock_threshold=6)
    >>> level.available, level.is_low
    (6, True)
    >>> StockLevel("TEA-1", on_hand=1, reserved=2)
    Traceback (most recent call last):
    ...
    mallcore.errors.ConfigError: reserved=2 for SKU 'TEA-1' must not exceed on_hand=1
    """

    sku_id: str = attrs.field(validator=_identifier("sku_id"))
    on_hand: int = attrs.field(validator=_count("on_hand", minimum=0))
    reserved: int = attrs.field(default=0, validator=_count("reserved", minimum=0))
    low_stock_threshold: int = attrs.field(
        default=0, validator=_count("low_stock_threshold", minimum=0)
    )

    def __attrs_post_init__(self) -> None:
        if self.reserved > self.on_hand:
            msg = (
                f"reserved={self.reserved} for SKU {self.sku_id!r} "
                f"must not exceed on_hand={self.on_hand}"
            )
            raise ConfigError(msg)

    @property
    def available(self) -> int:
        """Units that can still be sold: ``on_hand - reserved``."""
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        """Whether ``available`` is at or below the low-stock threshold."""
        return self.available <= self.low_stock_threshold


@attrs.frozen
class ReservationLine:
    """Whole units of one SKU held by a reservation."""

    sku_id: str = attrs.field(validator=_identifier("sku_id"))
    quantity: int = attrs.field(validator=_count("quantity", minimum=1))


#: What :class:`Reservation` accepts as lines: ``{sku_id: quantity}``, pairs or lines.
LinesInput = Mapping[str, int] | Iterable[tuple[str, int]] | Iterable[ReservationLine]


def _canonical_lines(lines: LinesInput) -> tuple[ReservationLine, ...]:
    """Merge lines of the same SKU and sort by SKU.

    Sorting gives one canonical form for idempotent replays, and one lock order for
    adapters that lock rows, so two multi-line reservations cannot deadlock.
    """
    # Typed as object: callers pass parsed JSON too, and a bad item deserves a ConfigError.
    pairs: Iterable[object] = lines.items() if isinstance(lines, Mapping) else lines
    merged: dict[str, int] = {}
    for item in pairs:
        if isinstance(item, ReservationLine):
            line = item
        elif isinstance(item, tuple | list) and len(item) == 2:
            line = ReservationLine(*item)
        else:
            msg = f"lines item {item!r} must be a (sku_id, quantity) pair or a ReservationLine"
            raise ConfigError(msg)
        merged[line.sku_id] = merged.get(line.sku_id, 0) + line.quantity
    if not merged:
        msg = "lines=() must name at least one SKU and quantity"
        raise ConfigError(msg)
    return tuple(ReservationLine(sku, merged[sku]) for sku in sorted(merged))


def _aware_expiry(moment: datetime) -> datetime:
    return aware(moment, field="expires_at")


@attrs.frozen
class Reservation:
    """Units of one or more SKUs held for an order until it is paid, cancelled or times out.

    *lines* may be a mapping ``{sku_id: quantity}``, ``(sku_id, quantity)`` pairs or
    :class:`ReservationLine` objects; lines of the same SKU are merged and sorted.

    >>> from datetime import datetime, UTC
    >>> due = datetime(2026, 11, 11, 0, 30, tzinfo=UTC)
    >>> r = Reservation("o-1", [("B", 1), ("A", 2), ("B", 3)], expires_at=due)
    >>> [(line.sku_id, line.quantity) for line in r.lines], r.quantity, r.state.value
    ([('A', 2), ('B', 4)], 6, 'open')
    """

    id: str = attrs.field(validator=_identifier("reservation_id"))
    lines: tuple[ReservationLine, ...] = attrs.field(converter=_canonical_lines)
    expires_at: datetime = attrs.field(converter=_aware_expiry)
    deduct_on: DeductOn = attrs.field(
        default=DeductOn.PLACEMENT, validator=attrs.validators.instance_of(DeductOn)
    )
    state: ReservationState = attrs.field(
        default=ReservationState.OPEN, validator=attrs.validators.instance_of(ReservationState)
    )

    @property
    def quantity(self) -> int:
        """Total units over all lines."""
        return sum(line.quantity for line in self.lines)

    @property
    def holds_stock(self) -> bool:
        """Whether the reservation counts in ``reserved`` (open and deducting at placement)."""
        return self.state is ReservationState.OPEN and self.deduct_on is DeductOn.PLACEMENT


@attrs.frozen
class StockReserved:
    """An order reserved stock (with ``deduct_on=payment``: its availability was checked)."""

    reservation_id: str
    lines: tuple[ReservationLine, ...]
    deduct_on: DeductOn
    expires_at: datetime


@attrs.frozen
class ReservationCommitted:
    """An order was paid: its units left ``on_hand`` for good."""

    reservation_id: str
    lines: tuple[ReservationLine, ...]
    deduct_on: DeductOn


@attrs.frozen
class ReservationReleased:
    """An order was cancelled: its held units are available again."""

    reservation_id: str
    lines: tuple[ReservationLine, ...]
    deduct_on: DeductOn


@attrs.frozen
class ReservationExpired:
    """An order was not paid in time: its held units are available again."""

    reservation_id: str
    lines: tuple[ReservationLine, ...]
    deduct_on: DeductOn
    expired_at: datetime


@attrs.frozen
class StockRestocked:
    """Units arrived: ``on_hand`` grew by *quantity* to *on_hand*."""

    sku_id: str
    quantity: int
    on_hand: int


@attrs.frozen
class StockAdjusted:
    """An operator set ``on_hand`` (a stock count) or the low-stock threshold."""

    sku_id: str
    on_hand_before: int
    on_hand: int
    low_stock_threshold: int


@attrs.frozen
class LowStockAlerted:
    """``available`` fell to or below the threshold; raised once per crossing."""

    sku_id: str
    available: int
    threshold: int


#: Any event an inventory operation returns.
InventoryEvent = (
    StockReserved
    | ReservationCommitted
    | ReservationReleased
    | ReservationExpired
    | StockRestocked
    | StockAdjusted
    | LowStockAlerted
)


@attrs.frozen
class StockChange:
    """What :func:`restock` or :func:`set_stock` did to one SKU."""

    level: StockLevel
    events: tuple[InventoryEvent, ...] = ()


@attrs.frozen
class ReservationChange:
    """What a reservation operation did: the reservation after it, new levels, events.

    An idempotent replay has no levels and no events: ``changed`` is false.
    """

    reservation: Reservation
    levels: tuple[StockLevel, ...] = ()
    events: tuple[InventoryEvent, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the operation changed anything (false for a replay)."""
        return bool(self.events)


def _alerts(
    before: Iterable[StockLevel | None], after: Iterable[StockLevel]
) -> list[LowStockAlerted]:
    # Alert on the crossing only: a shop selling its last units one by one gets one
    # alert, not one per order; going back above the threshold re-arms it.
    return [
        LowStockAlerted(new.sku_id, new.available, new.low_stock_threshold)
        for old, new in zip(before, after, strict=True)
        if new.is_low and (old is None or not old.is_low)
    ]


def _level(levels: Mapping[str, StockLevel], sku_id: str) -> StockLevel:
    # A SKU that was never stocked has nothing available; saying so beats a KeyError.
    return levels.get(sku_id) or StockLevel(sku_id, on_hand=0)


def _check_available(levels: Mapping[str, StockLevel], reservation: Reservation) -> None:
    for line in reservation.lines:
        available = _level(levels, line.sku_id).available
        if line.quantity > available:
            raise InsufficientStockError(line.sku_id, line.quantity, available)


def reserve(
    levels: Mapping[str, StockLevel],
    reservation: Reservation,
    *,
    existing: Reservation | None = None,
) -> ReservationChange:
    """Hold the units of a new open *reservation*, all lines or none.

    Args:
        levels: The current levels of (at least) the reservation's SKUs; a missing SKU
            has nothing available.
        reservation: The requested reservation, in state ``open``.
        existing: The reservation already stored under the same id, if any.

    Returns:
        With ``deduct_on=placement``, levels with ``reserved`` raised by each line; with
        ``payment``, no level changes. For a replay of *existing*, *existing* unchanged.

    Raises:
        InsufficientStockError: For the first line (in SKU order) that does not fit.
        ReservationStateError: If *existing* has other lines or another ``deduct_on``.
    """
    if existing is not None:
        if (existing.lines, existing.deduct_on) != (reservation.lines, reservation.deduct_on):
            raise ReservationStateError(
                existing.id, existing.state.value, "reserve other lines for"
            )
        return ReservationChange(existing)
    if reservation.state is not ReservationState.OPEN:
        raise ReservationStateError(reservation.id, reservation.state.value, "reserve")
    _check_available(levels, reservation)
    event = StockReserved(
        reservation.id, reservation.lines, reservation.deduct_on, reservation.expires_at
    )
    if reservation.deduct_on is DeductOn.PAYMENT:
        return ReservationChange(reservation, (), (event,))
    before = [_level(levels, line.sku_id) for line in reservation.lines]
    after = [
        attrs.evolve(old, reserved=old.reserved + line.quantity)
        for old, line in zip(before, reservation.lines, strict=True)
    ]
    return ReservationChange(reservation, tuple(after), (event, *_alerts(before, after)))


def commit(levels: Mapping[str, StockLevel], reservation: Reservation) -> ReservationChange:
    """Take a paid reservation's units out of ``on_hand`` (idempotent once committed).

    Raises:
        InsufficientStockError: With ``deduct_on=payment``, if a line's units are no
            longer available; nothing changes and the reservation stays open.
        ReservationStateError: If the reservation was released or expired.
    """
    if not _settles(reservation, ReservationState.COMMITTED, "commit"):
        return ReservationChange(reservation)
    if reservation.deduct_on is DeductOn.PAYMENT:
        _check_available(levels, reservation)
    held = reservation.deduct_on is DeductOn.PLACEMENT
    before = [_level(levels, line.sku_id) for line in reservation.lines]
    after = [
        attrs.evolve(
            old,
            on_hand=old.on_hand - line.quantity,
            reserved=old.reserved - line.quantity if held else old.reserved,
        )
        for old, line in zip(before, reservation.lines, strict=True)
    ]
    done = attrs.evolve(reservation, state=ReservationState.COMMITTED)
    event = ReservationCommitted(done.id, done.lines, done.deduct_on)
    return ReservationChange(done, tuple(after), (event, *_alerts(before, after)))


def release(levels: Mapping[str, StockLevel], reservation: Reservation) -> ReservationChange:
    """Give a cancelled order's held units back (idempotent once released or expired).

    Raises:
        ReservationStateError: If the reservation was committed; return paid units with
            :func:`restock` instead.
    """
    if not _settles(reservation, ReservationState.RELEASED, "release"):
        return ReservationChange(reservation)
    done = attrs.evolve(reservation, state=ReservationState.RELEASED)
    event = ReservationReleased(done.id, done.lines, done.deduct_on)
    return ReservationChange(done, _unreserved(levels, reservation), (event,))


def expire(
    levels: Mapping[str, StockLevel], reservation: Reservation, now: datetime
) -> ReservationChange:
    """Give an unpaid order's held units back once *now* reaches ``expires_at``.

    Expiring an expired or released reservation changes nothing.

    Raises:
        ReservationStateError: If the reservation was committed, or is open and not
            due yet.
        ConfigError: If *now* has no time zone.
    """
    aware(now, field="now")
    if reservation.state is ReservationState.OPEN and now < reservation.expires_at:
        raise ReservationStateError(reservation.id, "not due yet", "expire")
    if not _settles(reservation, ReservationState.EXPIRED, "expire"):
        return ReservationChange(reservation)
    done = attrs.evolve(reservation, state=ReservationState.EXPIRED)
    event = ReservationExpired(done.id, done.lines, done.deduct_on, now)
    return ReservationChange(done, _unreserved(levels, reservation), (event,))


_RETURNED = frozenset({ReservationState.RELEASED, ReservationState.EXPIRED})


def _settles(reservation: Reservation, target: ReservationState, action: str) -> bool:
    """True if the machine allows *action*; False for a no-op replay; raise if refused.

    Replays are not the engine's idempotency keys: payment notifications,
    cancellations and the expiry sweep carry no shared key, so reaching a state
    again, or returning units that are already back, is recognised by state.
    """
    if RESERVATION_MACHINE.transition(reservation.state.value, action) is not None:
        return True
    replay = reservation.state is target or (target in _RETURNED and reservation.state in _RETURNED)
    if replay:
        return False
    raise ReservationStateError(reservation.id, reservation.state.value, action)


def _unreserved(
    levels: Mapping[str, StockLevel], reservation: Reservation
) -> tuple[StockLevel, ...]:
    if reservation.deduct_on is DeductOn.PAYMENT:
        return ()
    # Releasing raises available, so it can only re-arm an alert, never cross one.
    return tuple(
        attrs.evolve(old, reserved=old.reserved - line.quantity)
        for line in reservation.lines
        for old in [_level(levels, line.sku_id)]
    )


def restock(level: StockLevel, quantity: int) -> StockChange:
    """Add *quantity* arrived units to ``on_hand``.

    >>> restock(StockLevel("TEA-1", on_hand=2), 3).level.on_hand
    5

    Raises:
        ConfigError: If *quantity* is not a whole number of at least one.
    """
    _whole(quantity, "quantity", minimum=1)
    after = attrs.evolve(level, on_hand=level.on_hand + quantity)
    return StockChange(after, (StockRestocked(level.sku_id, quantity, after.on_hand),))


def set_stock(
    level: StockLevel | None,
    sku_id: str,
    on_hand: int,
    *,
    low_stock_threshold: int | None = None,
) -> StockChange:
    """Set ``on_hand`` after a stock count (and optionally the threshold), keeping ``reserved``.

    Args:
        level: The current level, or ``None`` for a SKU without one yet.
        sku_id: The SKU.
        on_hand: The counted units, at least the units reserved for open orders.
        low_stock_threshold: The new threshold; ``None`` keeps the current one (0 for a new
            SKU).

    Raises:
        ConfigError: If *on_hand* is negative or below ``reserved``, or the threshold is
            negative.
    """
    _whole(on_hand, "on_hand", minimum=0)
    if level is not None and level.sku_id != sku_id:
        msg = f"sku_id={sku_id!r} does not match the level given for SKU {level.sku_id!r}"
        raise ConfigError(msg)
    old = level or StockLevel(sku_id, on_hand=0)
    threshold = old.low_stock_threshold if low_stock_threshold is None else low_stock_threshold
    _whole(threshold, "low_stock_threshold", minimum=0)
    if on_hand < old.reserved:
        msg = (
            f"on_hand={on_hand} for SKU {sku_id!r} is below the {old.reserved} units "
            "reserved for open orders; release or commit them first"
        )
        raise ConfigError(msg)
    after = StockLevel(sku_id, on_hand, old.reserved, threshold)
    event = StockAdjusted(sku_id, old.on_hand, on_hand, threshold)
    return StockChange(after, (event, *_alerts([level], [after])))
