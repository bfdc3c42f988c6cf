"""A mallcore database on SQLite or PostgreSQL: its stores, and units of work over them."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

import sqlalchemy as sa

from mallcore.adapters.sql import _migrate
from mallcore.adapters.sql._engine import create_engine, translate_errors
from mallcore.adapters.sql._schema import metadata
from mallcore.adapters.sql._tx import Transactor
from mallcore.adapters.sql.coupons import SqlCouponStore
from mallcore.adapters.sql.documents import (
    SqlMemberRepository,
    SqlOrderRepository,
    SqlProductRepository,
)
from mallcore.adapters.sql.inventory import SqlInventoryStore
from mallcore.adapters.sql.keys import SqlIdempotencyStore
from mallcore.adapters.sql.ledger import SqlPointsLedgerStore
from mallcore.errors import StorageError
from mallcore.membership.tiers import Tier

if TYPE_CHECKING:
    from mallcore.ports import UnitOfWork

__all__ = ["SqlDatabase", "SqlUnitOfWork"]


class _Stores:
    """One store of each kind, all running their statements through one Transactor."""

    def __init__(self, tx: Transactor, tiers: Sequence[Tier]) -> None:
        self.products = SqlProductRepository(tx)
        self.orders = SqlOrderRepository(tx)
        self.members = SqlMemberRepository(tx, tiers)
        self.ledgers = SqlPointsLedgerStore(tx)
        self.inventory = SqlInventoryStore(tx)
        self.coupons = SqlCouponStore(tx)
        self.idempotency = SqlIdempotencyStore(tx)


class SqlDatabase(_Stores):
    """mallcore's stores on one database, migrated to this release's schema.

    Open one with :meth:`open`: a file path is a SQLite database (created when
    missing), a ``postgresql://`` DSN a PostgreSQL one. Its stores
    (``inventory``, ``coupons``, ``orders``, ``members``, ``ledgers``,
    ``products``, ``idempotency``) each run every call in a transaction of its
    own; :meth:`unit_of_work` runs several calls in one.

    One ``SqlDatabase`` per process: it holds a connection pool. Processes
    sharing one database coordinate through it (conditional updates, row
    locks), never through Python.
    """

    def __init__(self, engine: sa.Engine, *, tiers: Sequence[Tier] = ()) -> None:
        self.engine = engine
        self.tiers = tuple(tiers)
        super().__init__(Transactor(engine), self.tiers)

    @classmethod
    def open(
        cls,
        target: str | Path,
        *,
        upgrade: bool = True,
        tiers: Sequence[Tier] = (),
        pool_size: int = 5,
        max_overflow: int = 10,
        pre_ping: bool = False,
    ) -> SqlDatabase:
        """Open (and by default migrate) the database at *target*.

        Args:
            target: A SQLite file path, a ``sqlite:///`` URL, or a ``postgresql://`` DSN.
            upgrade: Migrate an older schema in place (a new file gets the whole
                schema). With ``False`` a database not at this release's schema
                is refused.
            tiers: The membership programme's tiers, which stored accounts are read with.
            pool_size: Connections kept open (PostgreSQL).
            max_overflow: Connections opened beyond the pool under load (PostgreSQL).
            pre_ping: Test each pooled connection before use (PostgreSQL). It costs a
                round trip per call; without it, the first call after a server
                restart raises StorageUnavailableError and the retry reconnects.

        Raises:
            SchemaVersionError: The database's schema is newer than this mallcore.
            NotAMallcoreDatabaseError: A corrupt file, or another application's database.
            StorageUnavailableError: The server cannot be reached.
            ConfigError: A target that is neither a path nor a supported URL.
        """
        engine = create_engine(
            target, pool_size=pool_size, max_overflow=max_overflow, pre_ping=pre_ping
        )
        try:
            if upgrade:
                _migrate.upgrade(engine)
            else:
                _migrate.check(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, tiers=tiers)

    @property
    def revision(self) -> str | None:
        """The database's schema revision."""
        with translate_errors("can't read the schema revision"), self.engine.connect() as conn:
            return _migrate.current_revision(conn)

    def row_counts(self) -> dict[str, int]:
        """How many rows each of mallcore's tables holds, by table name."""
        with translate_errors("can't count rows"), self.engine.connect() as conn:
            return {
                table.name: int(
                    conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                )
                for table in metadata.sorted_tables
            }

    def unit_of_work(self) -> SqlUnitOfWork:
        """Several store calls in one transaction: ``with database.unit_of_work() as uow:``."""
        return SqlUnitOfWork(self)

    def close(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SqlUnitOfWork:
    """A :class:`~mallcore.ports.UnitOfWork`: one connection, one transaction, every store.

    Each store call inside runs in a savepoint, so a refused call is undone
    alone; the whole unit commits when the ``with`` block ends and rolls back
    when it raises. If the connection breaks, the database rolls the
    transaction back and :class:`~mallcore.errors.StorageUnavailableError`
    is raised: nothing of the unit is stored.
    """

    def __init__(self, database: SqlDatabase) -> None:
        self._database = database
        self._connection: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None

    def __enter__(self) -> Self:
        """Open the connection and begin the transaction."""
        if self._connection is not None:
            msg = "this unit of work is in progress already: start a new one"
            raise StorageError(msg)
        with translate_errors("can't begin a unit of work"):
            self._connection = self._database.engine.connect()
            try:
                self._transaction = self._connection.begin()
            except BaseException:
                self._connection.close()
                self._connection = None
                raise
        stores = _Stores(Transactor(self._database.engine, self._connection), self._database.tiers)
        self.products = stores.products
        self.orders = stores.orders
        self.members = stores.members
        self.ledgers = stores.ledgers
        self.inventory = stores.inventory
        self.coupons = stores.coupons
        self.idempotency = stores.idempotency
        return self

    @property
    def connection(self) -> sa.Connection:
        """The unit's connection (for a shop's own tables in the same transaction)."""
        if self._connection is None:
            msg = "the unit of work is not in progress: use it in a with block"
            raise StorageError(msg)
        return self._connection

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit when the block succeeded, else roll back; close the connection."""
        connection, transaction = self._connection, self._transaction
        self._connection = self._transaction = None
        assert connection is not None and transaction is not None
        try:
            if exc_type is None:
                with translate_errors("can't commit the unit of work"):
                    transaction.commit()
            else:
                # A broken connection cannot roll back: the server has done so already.
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    transaction.rollback()
        finally:
            connection.close()


if TYPE_CHECKING:
    _uow: UnitOfWork = SqlUnitOfWork(SqlDatabase(sa.create_engine("sqlite://")))
