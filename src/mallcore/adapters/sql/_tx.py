"""Where a store's statements run: a transaction of their own, or the unit of work's."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from mallcore.adapters.sql._engine import READ_ONLY, translate_errors
from mallcore.errors import StorageError


class Transactor:
    """Opens the transaction each store operation runs in.

    A lone store (``database.inventory``) gives every call its own
    transaction, committed when the call returns. Inside a unit of work every
    call shares the unit's connection and runs in a savepoint, so a refused
    call (stock that does not fit) is undone alone and the unit may go on.
    """

    def __init__(self, engine: sa.Engine, connection: sa.Connection | None = None) -> None:
        self.engine = engine
        self.connection = connection

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextlib.contextmanager
    def __call__(self, what: str, *, read: bool = False) -> Iterator[sa.Connection]:
        """A connection in a transaction (or savepoint) for the operation *what*.

        A lone *read* runs in a read transaction: on SQLite a deferred one,
        which does not wait for the write lock (WAL readers see the last
        commit while a writer works).
        """
        with translate_errors(f"can't {what}"):
            if self.connection is not None:
                with self.connection.begin_nested():
                    yield self.connection
            elif read:
                with self.engine.connect() as connection:
                    connection.execution_options(**{READ_ONLY: True})
                    with connection.begin():
                        yield connection
            else:
                with self.engine.begin() as connection:
                    yield connection

    def one_row(self, what: str, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """Run one statement that is atomic by itself and return its first row.

        Alone it runs in autocommit on the driver's connection (no BEGIN and
        COMMIT round trips, none of the engine's per-statement machinery); in a
        unit of work, in a savepoint of the unit. A unique violation raises
        :class:`Race`: the statement changed nothing.
        """
        if self.connection is not None:
            try:
                with translate_errors(f"can't {what}"), self.connection.begin_nested():
                    row = self.connection.exec_driver_sql(sql, params).first()
                    return None if row is None else tuple(row)
            except StorageError as error:
                if isinstance(error.__cause__, exc.IntegrityError):
                    raise Race from None
                raise
        with translate_errors(f"can't {what}"):
            pooled = self.engine.raw_connection()
            try:
                return _autocommit_row(self.engine, pooled, sql, params)
            finally:
                pooled.close()


def _autocommit_row(
    engine: sa.Engine, pooled: Any, sql: str, params: dict[str, Any]
) -> tuple[Any, ...] | None:
    driver = pooled.driver_connection
    dbapi = engine.dialect.loaded_dbapi
    driver.autocommit = True
    try:
        with driver.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    except dbapi.IntegrityError:
        driver.autocommit = False
        raise Race from None
    except dbapi.Error as error:
        # As the engine would: a broken connection leaves the pool, the error is wrapped.
        lost = bool(engine.dialect.is_disconnect(error, driver, None)) or driver.closed
        if lost:
            # The server went away for the pool's other connections too: start a new pool.
            pooled.invalidate(error)
            engine.dispose()
        else:
            driver.autocommit = False
        raise exc.DBAPIError.instance(
            sql, params, error, dbapi.Error, connection_invalidated=lost, dialect=engine.dialect
        ) from error
    driver.autocommit = False
    return None if row is None else tuple(row)


class Race(Exception):  # noqa: N818 - an internal signal, never seen by users
    """Another writer inserted the same key first; the operation reads again and replays."""


def retrying_races(attempts: int = 3) -> Iterator[int]:
    """Attempt numbers for an operation that may lose an insert race (then it replays)."""
    yield from range(attempts)
