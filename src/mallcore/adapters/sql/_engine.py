"""Engines for SQLite and PostgreSQL, and the one place their differences live.

SQLite: a file path, WAL journal (readers and the writer do not block each
other), a busy timeout (writers queue instead of failing), foreign keys on,
and every writing transaction ``BEGIN IMMEDIATE``: it takes the write lock at
the start, so two read-then-write transactions cannot deadlock on the lock
upgrade and a conditional update is serialised. Lone reads begin deferred and
take no write lock. PostgreSQL: psycopg 3, a pool (connections recycled
after 30 minutes, a pre-ping only when asked), read committed, under which a
conditional ``UPDATE ... WHERE available >= q`` re-checks its condition on the
row it waited for.
"""

from __future__ import annotations

import contextlib
import re
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

#: The execution option that marks a connection's transactions as reads (SQLite: deferred).
READ_ONLY = "mallcore_read_only"

#: How long a SQLite writer waits for the lock before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000


_KEYWORD_DSN = re.compile(r"^\s*(host|dbname|user|port)\s*=", re.IGNORECASE)


def _url(target: str | Path) -> sa.URL:
    if isinstance(target, Path) or "://" not in str(target):
        text = str(target)
        if text.strip() in ("", ":memory:"):
            raise invalid("target", text, "must be a database file path or a URL")
        if isinstance(target, str) and _KEYWORD_DSN.match(text):
            reason = "looks like a libpq keyword DSN: write it as postgresql://USER@HOST/DBNAME"
            raise invalid("target", text, reason)
        return sa.URL.create("sqlite+pysqlite", database=text)
    text = str(target)
    if text.startswith("postgres://"):  # Heroku and others write it so
        text = "postgresql://" + text.removeprefix("postgres://")
    try:
        url = sa.make_url(text)
    except exc.ArgumentError as error:
        raise invalid("target", str(target), f"is not a database URL: {error}") from None
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == "postgresql" and driver in ("", "psycopg", "psycopg2"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return url.set(drivername="sqlite+pysqlite")
    shown = url.render_as_string(hide_password=True)
    reason = (
        "must be a SQLite file path, a sqlite:/// URL or a postgresql:// URL "
        "(mallcore talks to PostgreSQL through psycopg 3)"
    )
    raise invalid("target", shown, reason)


def create_engine(
    target: str | Path,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pre_ping: bool = False,
    echo: bool = False,
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
        # A ping is a round trip per checkout, as dear as a reservation's own; without
        # it a connection broken by a server restart fails once (StorageUnavailableError,
        # the pool is then rebuilt) and the caller's retry goes through.
        pool_pre_ping=pre_ping,
        pool_recycle=1800,
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
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # deferred: a reader takes no write lock
        else:
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
_BUSY = ("database is locked", "deadlock detected", "canceling statement due to", "lock timeout")


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
    except exc.TimeoutError as error:  # the pool had no free connection in time
        msg = (
            f"{what}: every connection of the pool is in use ({error}); nothing was "
            "changed. Retry, or give the pool more connections (pool_size, max_overflow)"
        )
        raise StorageUnavailableError(msg) from error
    except exc.DBAPIError as error:
        original = error.orig
        text = " ".join(str(original).split())
        if isinstance(original, sqlite3.DatabaseError) and any(
            marker in text for marker in _NOT_A_DATABASE
        ):
            msg = f"{what}: the file is not a SQLite database mallcore can read ({text})"
            raise NotAMallcoreDatabaseError(msg) from error
        if isinstance(error, exc.OperationalError) and any(m in text for m in _BUSY):
            msg = (
                f"{what}: the database is busy ({text}); the transaction was rolled back "
                "and nothing of it was stored: retry it"
            )
            raise StorageUnavailableError(msg) from error
        if error.connection_invalidated or isinstance(error, exc.OperationalError):
            msg = (
                f"{what}: the connection to the database failed ({text}); the database "
                "rolls back what the transaction had not committed. Retry with the same "
                "idempotency key: work that did commit is then not done twice"
            )
            raise StorageUnavailableError(msg) from error
        raise StorageError(f"{what}: {type(original).__name__}: {text}") from error
    except exc.SQLAlchemyError as error:
        raise StorageError(f"{what}: {error}") from error
