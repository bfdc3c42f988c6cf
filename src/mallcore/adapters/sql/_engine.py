"""Engines for SQLite and PostgreSQL, and the one place their differences live.

SQLite: a file path, WAL journal (readers never block the writer), a busy
timeout (writers queue instead of failing), foreign keys on, and every
transaction ``BEGIN IMMEDIATE``: it takes the write lock at the start, so two
read-then-write transactions cannot deadlock on the lock upgrade and a
conditional update is serialised. PostgreSQL: psycopg 3, a pool with
pre-ping, read committed, under which a conditional ``UPDATE ... WHERE
available >= q`` re-checks its condition on the row it waited for.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite

from mallcore.checks import invalid
from mallcore.errors import (
    MallcoreError,
    NotAMallcoreDatabaseError,
    StorageError,
    StorageUnavailableError,
)

__all__ = ["create_engine", "insert_for", "translate_errors"]

#: How long a SQLite writer waits for the lock before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _url(target: str | Path) -> sa.URL:
    if isinstance(target, Path) or "://" not in str(target):
        path = Path(target)
        if str(path) in ("", ":memory:"):
            raise invalid("target", str(target), "must be a database file path or a URL")
        return sa.URL.create("sqlite+pysqlite", database=str(path))
    try:
        url = sa.make_url(str(target))
    except exc.ArgumentError as error:
        raise invalid("target", str(target), f"is not a database URL: {error}") from None
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        reason = "must be a SQLite file path or a sqlite:// or postgresql:// URL"
        raise invalid("target", url.render_as_string(hide_password=True), reason)
    return url


def create_engine(
    target: str | Path, *, pool_size: int = 5, max_overflow: int = 10, echo: bool = False
) -> sa.Engine:
    """An engine for a SQLite file path (or ``sqlite:///`` URL) or a ``postgresql://`` DSN.

    Raises:
        ConfigError: A target that is neither.
    """
    url = _url(target)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            reason = "must be a file: an in-memory SQLite database is one per connection"
            raise invalid("target", str(target), reason)
        engine = sa.create_engine(
            url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _sqlite_setup(engine)
        return engine
    return sa.create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        isolation_level="READ COMMITTED",
    )


def _sqlite_setup(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN and break savepoints;
        # switch it off and emit BEGIN ourselves (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_for(connection: sa.Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` / ``_do_update``."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def lock_for_migration(connection: sa.Connection) -> None:
    """Make concurrent first opens of one database migrate one after the other."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7302851417)"))
    # SQLite: BEGIN IMMEDIATE already holds the write lock.


_NOT_A_DATABASE = ("file is not a database", "database disk image is malformed")


@contextlib.contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Turn the driver's failures into mallcore's StorageError family, chained.

    mallcore's own errors (a refused reservation, a lost optimistic save)
    pass through unchanged.
    """
    try:
        yield
    except MallcoreError:
        raise
    except exc.DBAPIError as error:
        original = error.orig
        text = str(original)
        if isinstance(original, sqlite3.DatabaseError) and any(
            marker in text for marker in _NOT_A_DATABASE
        ):
            msg = f"{what}: the file is not a SQLite database mallcore can read ({text})"
            raise NotAMallcoreDatabaseError(msg) from error
        if error.connection_invalidated or isinstance(error, exc.OperationalError):
            msg = (
                f"{what}: the database connection failed ({text.strip()}); nothing of this "
                "unit of work was stored: retry it with the same idempotency key"
            )
            raise StorageUnavailableError(msg) from error
        raise StorageError(f"{what}: {type(original).__name__}: {text.strip()}") from error
    except exc.SQLAlchemyError as error:
        raise StorageError(f"{what}: {error}") from error
