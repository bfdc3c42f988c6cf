"""The SQL InventoryStore: every change one conditional UPDATE, decided by the database.

``reserve`` raises ``reserved`` only ``WHERE on_hand - reserved >= q``;
``commit`` / ``release`` / ``expire`` first move the reservation ``WHERE
state = 'open'`` (the gate two racing payments cannot both pass), then move
the units. The new levels come back from ``RETURNING``, and the domain
functions of :mod:`mallcore.sku.inventory` compute the events from them, so
the events are those the in-memory store reports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import exc

from mallcore.adapters.sql._engine import insert_for
from mallcore.adapters.sql._schema import reservations, stock_levels
from mallcore.adapters.sql._tx import Race, Transactor
from mallcore.clock import aware
from mallcore.errors import InsufficientStockError, UnknownReservationError
from mallcore.sku import inventory
from mallcore.sku.inventory import (
    RESERVATION_MACHINE,
    DeductOn,
    LinesInput,
    Reservation,
    ReservationChange,
    ReservationState,
    StockChange,
    StockLevel,
)

__all__ = ["SqlInventoryStore"]

_LEVEL = (
    stock_levels.c.sku_id,
    stock_levels.c.on_hand,
    stock_levels.c.reserved,
    stock_levels.c.low_stock_threshold,
)


class _Taken(Exception):  # noqa: N818 - an internal signal, never seen by users
    """The reservation id was taken before: the transaction rolls back and replays."""

    def __init__(self, reservation: Reservation) -> None:
        self.reservation = reservation


_C = stock_levels.c
#: Built once: raise ``reserved`` by :q if it fits and no reservation :rid exists yet.
_HOLD = (
    stock_levels.update()
    .where(
        _C.sku_id == sa.bindparam("sku"),
        _C.on_hand - _C.reserved >= sa.bindparam("q"),
        ~sa.exists().where(reservations.c.id == sa.bindparam("rid")),
    )
    .values(reserved=_C.reserved + sa.bindparam("q"))
    .returning(_C.sku_id, _C.on_hand, _C.reserved, _C.low_stock_threshold)
)
_READ = sa.select(_C.sku_id, _C.on_hand, _C.reserved, _C.low_stock_threshold).where(
    _C.sku_id == sa.bindparam("sku")
)
_INSERT_RESERVATION = reservations.insert()


def _one_held_line(reservation: Reservation) -> bool:
    return len(reservation.lines) == 1 and reservation.deduct_on is DeductOn.PLACEMENT


# The UPDATE holds the units only if they fit and the id is new; the INSERT runs only on
# the row the UPDATE returned; the last SELECT says what happened, from the same snapshot.
_PG_RESERVE_ONE = f"""
WITH moved AS (
    UPDATE {stock_levels.name} SET reserved = reserved + %(q)s
    WHERE sku_id = %(sku)s AND on_hand - reserved >= %(q)s
      AND NOT EXISTS (SELECT 1 FROM {reservations.name} WHERE id = %(id)s)
    RETURNING sku_id, on_hand, reserved, low_stock_threshold
), held AS (
    INSERT INTO {reservations.name} (id, deduct_on, state, expires_at, lines)
    SELECT %(id)s, 'placement', 'open', %(expires_at)s, %(lines)s FROM moved
    RETURNING id
)
SELECT 'held', m.sku_id, m.on_hand, m.reserved, m.low_stock_threshold FROM moved m, held
UNION ALL
SELECT CASE WHEN EXISTS (SELECT 1 FROM {reservations.name} WHERE id = %(id)s)
            THEN 'exists' ELSE 'short' END,
       s.sku_id, s.on_hand, s.reserved, s.low_stock_threshold
FROM {stock_levels.name} s
WHERE s.sku_id = %(sku)s AND NOT EXISTS (SELECT 1 FROM moved)
"""


def _level(row: Sequence[Any] | None) -> StockLevel | None:
    return None if row is None else StockLevel(row[0], row[1], row[2], row[3])


def _reservation(row: Sequence[Any]) -> Reservation:
    lines = [(sku, quantity) for sku, quantity in json.loads(row[4])]
    return Reservation(row[0], lines, row[3], DeductOn(row[1]), ReservationState(row[2]))


class SqlInventoryStore:
    """An :class:`~mallcore.ports.InventoryStore` on SQLite or PostgreSQL.

    Get one from :class:`~mallcore.adapters.sql.SqlDatabase` (``database.inventory``,
    or ``uow.inventory`` inside a unit of work).
    """

    def __init__(self, tx: Transactor) -> None:
        self._tx = tx

    # -- reads --------------------------------------------------------------------

    def get(self, sku_id: str) -> StockLevel | None:
        """Return the stock level of *sku_id*, or ``None`` if it was never stocked."""
        with self._tx("read stock", read=True) as conn:
            return _level(conn.execute(sa.select(*_LEVEL).where(_LEVEL[0] == sku_id)).first())

    def get_reservation(self, reservation_id: str) -> Reservation | None:
        """Return the reservation stored under *reservation_id*, or ``None``."""
        with self._tx("read a reservation", read=True) as conn:
            return self._find(conn, reservation_id)

    # -- levels -------------------------------------------------------------------

    def set_stock(
        self, sku_id: str, on_hand: int, *, low_stock_threshold: int | None = None
    ) -> StockChange:
        """Set ``on_hand`` after a stock count, creating the level if needed."""
        for _attempt in range(3):
            try:
                with self._tx("set stock") as conn:
                    query = sa.select(*_LEVEL).where(_LEVEL[0] == sku_id).with_for_update()
                    old = _level(conn.execute(query).first())
                    change = inventory.set_stock(
                        old, sku_id, on_hand, low_stock_threshold=low_stock_threshold
                    )
                    new = change.level
                    if old is None:
                        self._insert_level(conn, new)
                    else:
                        # The row is locked; the guard keeps reserved <= on_hand regardless.
                        conn.execute(
                            stock_levels.update()
                            .where(_LEVEL[0] == sku_id, stock_levels.c.reserved <= new.on_hand)
                            .values(
                                on_hand=new.on_hand, low_stock_threshold=new.low_stock_threshold
                            )
                        )
                    return change
            except Race:
                continue
        raise AssertionError("unreachable: a level row, once inserted, stays")  # pragma: no cover

    def restock(self, sku_id: str, quantity: int) -> StockChange:
        """Add *quantity* units to ``on_hand``, creating the level if needed."""
        inventory.restock(StockLevel(sku_id, on_hand=0), quantity)  # validates the input
        with self._tx("restock") as conn:
            insert = insert_for(conn, stock_levels).values(
                sku_id=sku_id, on_hand=quantity, reserved=0, low_stock_threshold=0
            )
            upsert = insert.on_conflict_do_update(
                index_elements=[stock_levels.c.sku_id],
                set_={"on_hand": stock_levels.c.on_hand + quantity},
            ).returning(*_LEVEL)
            after = _level(conn.execute(upsert).first())
        assert after is not None
        return StockChange(after, (inventory.StockRestocked(sku_id, quantity, after.on_hand),))

    # -- reservations -------------------------------------------------------------

    def reserve(
        self,
        reservation_id: str,
        lines: LinesInput,
        expires_at: datetime,
        *,
        deduct_on: DeductOn = DeductOn.PLACEMENT,
    ) -> ReservationChange:
        """Hold *lines* until *expires_at*, all or none; idempotent by *reservation_id*."""
        requested = Reservation(reservation_id, lines, expires_at, deduct_on)
        if self._tx.dialect == "postgresql" and _one_held_line(requested):
            change = self._reserve_in_one_statement(requested)
            if change is not None:
                return change
        for _attempt in range(3):
            try:
                with self._tx("reserve stock") as conn:
                    if deduct_on is DeductOn.PAYMENT:
                        existing = self._find(conn, reservation_id)
                        if existing is not None:
                            return inventory.reserve({}, requested, existing=existing)
                        levels = self._levels(conn, [line.sku_id for line in requested.lines])
                        change = inventory.reserve(levels, requested)
                    else:
                        change = self._hold(conn, requested)
                    self._insert_reservation(conn, change.reservation)
                    return change
            except Race:
                continue
            except _Taken as taken:  # rolled back: the id was reserved before
                return inventory.reserve({}, requested, existing=taken.reservation)
        raise AssertionError(
            "unreachable: a reservation row, once inserted, stays"
        )  # pragma: no cover

    def _hold(self, conn: sa.Connection, requested: Reservation) -> ReservationChange:
        """Raise ``reserved`` line by line, each only if it fits and the id is new."""
        after: list[StockLevel] = []
        for line in requested.lines:
            params = {"sku": line.sku_id, "q": line.quantity, "rid": requested.id}
            level = _level(conn.execute(_HOLD, params).first())
            if level is None:
                existing = self._find(conn, requested.id)
                if existing is not None:
                    raise _Taken(existing)
                current = _level(conn.execute(_READ, {"sku": line.sku_id}).first())
                available = current.available if current else 0
                raise InsufficientStockError(line.sku_id, line.quantity, available)
            after.append(level)
        before = {
            level.sku_id: attrs.evolve(level, reserved=level.reserved - line.quantity)
            for level, line in zip(after, requested.lines, strict=True)
        }
        return inventory.reserve(before, requested)

    def _reserve_in_one_statement(self, requested: Reservation) -> ReservationChange | None:
        """PostgreSQL, one line: hold it and insert the reservation in one statement.

        One round trip, atomic by itself: the conditional UPDATE and the INSERT
        fed by it either both happen or neither. None when the id is taken (a
        replay, or a racing writer): the caller then takes the general path.
        """
        (line,) = requested.lines
        params = {
            "id": requested.id,
            "sku": line.sku_id,
            "q": line.quantity,
            "expires_at": requested.expires_at,
            "lines": json.dumps([[line.sku_id, line.quantity]]),
        }
        try:
            row = self._tx.one_row("reserve stock", _PG_RESERVE_ONE, params)
        except Race:
            return None
        if row is None:  # a SKU never stocked
            raise InsufficientStockError(line.sku_id, line.quantity, 0)
        outcome, level = row[0], StockLevel(row[1], row[2], row[3], row[4])
        if outcome == "exists":
            return None
        if outcome == "short":
            raise InsufficientStockError(line.sku_id, line.quantity, level.available)
        before = attrs.evolve(level, reserved=level.reserved - line.quantity)
        return inventory.reserve({line.sku_id: before}, requested)

    def commit(self, reservation_id: str) -> ReservationChange:
        """Deduct a paid reservation's units from ``on_hand``; idempotent."""
        return self._settle(reservation_id, "commit", None)

    def release(self, reservation_id: str) -> ReservationChange:
        """Return a cancelled reservation's held units; idempotent after release or expiry."""
        return self._settle(reservation_id, "release", None)

    def expire_due(self, now: datetime) -> list[ReservationChange]:
        """Expire every open reservation due at or before *now*, earliest first."""
        aware(now, field="now")
        with self._tx("find due reservations", read=True) as conn:
            due = (
                conn.execute(
                    sa.select(reservations.c.id)
                    .where(reservations.c.state == "open", reservations.c.expires_at <= now)
                    .order_by(reservations.c.expires_at, reservations.c.id)
                )
                .scalars()
                .all()
            )
        changes = [self._settle(reservation_id, "expire", now) for reservation_id in due]
        return [change for change in changes if change.changed]

    # -- the atomic steps -----------------------------------------------------------

    def _settle(self, reservation_id: str, action: str, now: datetime | None) -> ReservationChange:
        with self._tx(f"{action} a reservation") as conn:
            reservation = self._find(conn, reservation_id)
            if reservation is None:
                raise UnknownReservationError(reservation_id)
            transition = RESERVATION_MACHINE.transition(reservation.state.value, action)
            not_due = action == "expire" and now is not None and now < reservation.expires_at
            if not_due:
                transition = None  # let the domain refuse it
            moved = (
                transition is not None
                and conn.execute(
                    reservations.update()
                    .where(reservations.c.id == reservation_id, reservations.c.state == "open")
                    .values(state=transition.target)
                ).rowcount
                == 1
            )
            if not moved:
                # A replay, a refusal, or another writer settled it since we read: the
                # domain says which, from the state as it is now.
                current = self._find(conn, reservation_id)
                assert current is not None
                return self._decide({}, current, action, now)
            after = [
                self._unhold(conn, reservation, line.sku_id, line.quantity, action)
                for line in reservation.lines
            ]
            before = self._before(reservation, after, action)
            return self._decide(before, reservation, action, now)

    @staticmethod
    def _decide(
        levels: dict[str, StockLevel], reservation: Reservation, action: str, now: datetime | None
    ) -> ReservationChange:
        if action == "commit":
            return inventory.commit(levels, reservation)
        if action == "release":
            return inventory.release(levels, reservation)
        assert now is not None
        return inventory.expire(levels, reservation, now)

    def _unhold(
        self, conn: sa.Connection, reservation: Reservation, sku_id: str, quantity: int, action: str
    ) -> StockLevel | None:
        held = reservation.deduct_on is DeductOn.PLACEMENT
        if action == "commit":
            if held:
                return self._move(conn, sku_id, on_hand=-quantity, reserved=-quantity)
            return self._move(conn, sku_id, on_hand=-quantity, need=quantity)
        if held:
            return self._move(conn, sku_id, reserved=-quantity)
        return None  # nothing was held: nothing to give back

    @staticmethod
    def _before(
        reservation: Reservation, after: Sequence[StockLevel | None], action: str
    ) -> dict[str, StockLevel]:
        held = reservation.deduct_on is DeductOn.PLACEMENT
        before: dict[str, StockLevel] = {}
        for level, line in zip(after, reservation.lines, strict=True):
            if level is None:
                continue
            q = line.quantity
            if action == "commit":
                before[level.sku_id] = attrs.evolve(
                    level, on_hand=level.on_hand + q, reserved=level.reserved + (q if held else 0)
                )
            else:
                before[level.sku_id] = attrs.evolve(level, reserved=level.reserved + q)
        return before

    def _move(
        self,
        conn: sa.Connection,
        sku_id: str,
        *,
        on_hand: int = 0,
        reserved: int = 0,
        need: int = 0,
    ) -> StockLevel:
        """One conditional UPDATE of a level; *need* units must be available for it to apply."""
        c = stock_levels.c
        condition = [c.sku_id == sku_id]
        if need:
            condition.append(c.on_hand - c.reserved >= need)
        if reserved < 0:
            condition.append(c.reserved >= -reserved)
        row = conn.execute(
            stock_levels.update()
            .where(*condition)
            .values(on_hand=c.on_hand + on_hand, reserved=c.reserved + reserved)
            .returning(*_LEVEL)
        ).first()
        level = _level(row)
        if level is None:
            current = _level(conn.execute(sa.select(*_LEVEL).where(c.sku_id == sku_id)).first())
            raise InsufficientStockError(sku_id, need, current.available if current else 0)
        return level

    def _levels(self, conn: sa.Connection, sku_ids: Sequence[str]) -> dict[str, StockLevel]:
        rows = conn.execute(sa.select(*_LEVEL).where(_LEVEL[0].in_(sku_ids))).all()
        return {level.sku_id: level for row in rows if (level := _level(row)) is not None}

    def _find(self, conn: sa.Connection, reservation_id: str) -> Reservation | None:
        r = reservations.c
        row = conn.execute(
            sa.select(r.id, r.deduct_on, r.state, r.expires_at, r.lines).where(
                r.id == reservation_id
            )
        ).first()
        return None if row is None else _reservation(row)

    def _insert_level(self, conn: sa.Connection, level: StockLevel) -> None:
        try:
            conn.execute(
                stock_levels.insert().values(
                    sku_id=level.sku_id,
                    on_hand=level.on_hand,
                    reserved=level.reserved,
                    low_stock_threshold=level.low_stock_threshold,
                )
            )
        except exc.IntegrityError:
            raise Race from None

    def _insert_reservation(self, conn: sa.Connection, reservation: Reservation) -> None:
        lines = json.dumps([[line.sku_id, line.quantity] for line in reservation.lines])
        try:
            conn.execute(
                _INSERT_RESERVATION,
                {
                    "id": reservation.id,
                    "deduct_on": reservation.deduct_on.value,
                    "state": reservation.state.value,
                    "expires_at": reservation.expires_at,
                    "lines": lines,
                },
            )
        except exc.IntegrityError:
            raise Race from None
