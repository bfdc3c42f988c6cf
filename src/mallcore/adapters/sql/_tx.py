"""Where a store's statements run: a transaction of their own, or the unit of work's."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

from mallcore.adapters.sql._engine import translate_errors


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
    def __call__(self, what: str) -> Iterator[sa.Connection]:
        """A connection in a transaction (or savepoint) for the operation *what*."""
        with translate_errors(f"can't {what}"):
            if self.connection is None:
                with self.engine.begin() as connection:
                    yield connection
            else:
                with self.connection.begin_nested():
                    yield self.connection


class Race(Exception):  # noqa: N818 - an internal signal, never seen by users
    """Another writer inserted the same key first; the operation reads again and replays."""


def retrying_races(attempts: int = 3) -> Iterator[int]:
    """Attempt numbers for an operation that may lose an insert race (then it replays)."""
    yield from range(attempts)
