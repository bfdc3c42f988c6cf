"""The SQL IdempotencyStore (and NonceStore): one ``INSERT ... ON CONFLICT`` per key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from mallcore.adapters.sql._engine import insert_for
from mallcore.adapters.sql._schema import idempotency_keys
from mallcore.adapters.sql._tx import Transactor
from mallcore.checks import check_text, invalid
from mallcore.clock import aware

__all__ = ["SqlIdempotencyStore"]

_K = idempotency_keys.c


class SqlIdempotencyStore:
    """An :class:`~mallcore.ports.IdempotencyStore` (and NonceStore) in ``idempotency_keys``.

    ``remember`` inserts the key, or takes over a row whose ``keep_until`` has
    passed, in one statement: of N writers exactly one sees a row written.
    """

    def __init__(self, tx: Transactor) -> None:
        self._tx = tx

    def remember(self, nonce: str, *, at: datetime, keep_until: datetime, result: str = "") -> bool:
        """Remember *nonce* with *result* until *keep_until*; ``False`` if remembered already."""
        check_text("nonce", nonce)
        aware(at, field="at")
        aware(keep_until, field="keep_until")
        if not isinstance(result, str):
            raise invalid("result", result, "must be a string")
        with self._tx("remember an idempotency key") as conn:
            insert = insert_for(conn, idempotency_keys).values(
                key=nonce, result=result, at=at, keep_until=keep_until
            )
            upsert = insert.on_conflict_do_update(
                index_elements=[_K.key],
                set_={"result": result, "at": at, "keep_until": keep_until},
                where=_K.keep_until < at,  # only a key that was forgotten may be taken again
            ).returning(_K.key)
            # RETURNING, not rowcount: psycopg reports no row count for an upsert.
            return conn.execute(upsert).first() is not None

    def seen(self, nonce: str, *, at: datetime) -> bool:
        """Whether *nonce* is remembered and *at* is not past its ``keep_until``."""
        return self.result(nonce, at=at) is not None

    def result(self, nonce: str, *, at: datetime) -> str | None:
        """The result remembered with *nonce*, or None."""
        check_text("nonce", nonce)
        aware(at, field="at")
        with self._tx("read an idempotency key", read=True) as conn:
            row = conn.execute(
                sa.select(_K.result).where(_K.key == nonce, _K.keep_until >= at)
            ).first()
        return None if row is None else str(row[0])

    def forget_before(self, at: datetime) -> int:
        """Delete the keys kept until before *at*; return how many went."""
        aware(at, field="at")
        with self._tx("forget old idempotency keys") as conn:
            return conn.execute(idempotency_keys.delete().where(_K.keep_until < at)).rowcount
