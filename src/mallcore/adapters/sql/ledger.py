"""The SQL PointsLedgerStore: entries as rows, a head row with the count and the balance.

An append moves the head ``WHERE entries = expected_count`` (the optimistic
check, in one statement) and inserts the entries in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from mallcore.adapters.sql._schema import ledger_entries, ledger_heads
from mallcore.adapters.sql._tx import Transactor
from mallcore.checks import check_text
from mallcore.errors import ConflictError, StorageError
from mallcore.membership.ledger import EntryKind, LedgerEntry

__all__ = ["SqlPointsLedgerStore"]

_E, _HD = ledger_entries.c, ledger_heads.c
_ENTRY = (
    _E.number,
    _E.kind,
    _E.points,
    _E.at,
    _E.source,
    _E.key,
    _E.lots,
    _E.expires_at,
    _E.redemption_key,
)


def _entry(
    row: Sequence[Any],
) -> LedgerEntry:
    lots = tuple((int(lot), int(points)) for lot, points in json.loads(row[6]))
    return LedgerEntry(
        row[0], EntryKind(row[1]), row[2], row[3], row[4], row[5], lots, row[7], row[8]
    )


def append_entries(
    conn: sa.Connection, member_id: str, entries: Sequence[LedgerEntry], *, expected_count: int
) -> None:
    """Append *entries* after the *expected_count* stored, in the caller's transaction."""
    for offset, entry in enumerate(entries, start=expected_count + 1):
        if not isinstance(entry, LedgerEntry) or entry.number != offset:
            msg = f"entry {entry!r} must be a LedgerEntry numbered {offset}"
            raise StorageError(msg)
    points = sum(entry.points for entry in entries)
    moved = conn.execute(
        ledger_heads.update()
        .where(_HD.member_id == member_id, _HD.entries == expected_count)
        .values(entries=_HD.entries + len(entries), balance=_HD.balance + points)
    ).rowcount
    if moved != 1:
        stored = stored_count(conn, member_id)
        if stored or expected_count != 0:
            raise ConflictError.lost_append(member_id, stored, expected_count)
        try:
            conn.execute(
                ledger_heads.insert().values(
                    member_id=member_id, entries=len(entries), balance=points
                )
            )
        except exc.IntegrityError:
            raise ConflictError.lost_append(member_id, 1, expected_count) from None
    if not entries:
        return
    conn.execute(
        ledger_entries.insert(),
        [
            {
                "member_id": member_id,
                "number": entry.number,
                "kind": entry.kind.value,
                "points": entry.points,
                "at": entry.at,
                "source": entry.source,
                "key": entry.key,
                "lots": json.dumps([list(pair) for pair in entry.lots]),
                "expires_at": entry.expires_at,
                "redemption_key": entry.redemption_key,
            }
            for entry in entries
        ],
    )


def stored_count(conn: sa.Connection, member_id: str) -> int:
    """How many entries the member has stored."""
    value = conn.execute(sa.select(_HD.entries).where(_HD.member_id == member_id)).scalar()
    return int(value or 0)


def read_entries(conn: sa.Connection, member_id: str) -> list[LedgerEntry]:
    """The member's stored entries in order."""
    rows = conn.execute(
        sa.select(*_ENTRY).where(_E.member_id == member_id).order_by(_E.number)
    ).all()
    return [_entry(row) for row in rows]


class SqlPointsLedgerStore:
    """A :class:`~mallcore.ports.PointsLedgerStore` on SQLite or PostgreSQL.

    The accounts of :class:`~mallcore.adapters.sql.SqlMemberRepository` keep
    their points here too, so ``balance`` answers for them without loading
    the account.
    """

    def __init__(self, tx: Transactor) -> None:
        self._tx = tx

    def append(
        self, member_id: str, entries: Sequence[LedgerEntry], *, expected_count: int
    ) -> None:
        """Append *entries* after the *expected_count* stored, all or none."""
        check_text("member_id", member_id)
        with self._tx("append ledger entries") as conn:
            append_entries(conn, member_id, entries, expected_count=expected_count)

    def entries(self, member_id: str) -> list[LedgerEntry]:
        """The member's entries in order."""
        with self._tx("read ledger entries", read=True) as conn:
            return read_entries(conn, member_id)

    def balance(self, member_id: str) -> int:
        """The maintained sum of the member's entries."""
        with self._tx("read a points balance", read=True) as conn:
            value = conn.execute(sa.select(_HD.balance).where(_HD.member_id == member_id)).scalar()
        return int(value or 0)
