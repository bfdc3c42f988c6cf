"""Storage on SQL: SQLite as the embedded default, PostgreSQL for production.

Needs the ``sql`` extra (``pip install 'mallcore[sql]'``; ``mallcore[postgres]``
adds psycopg 3). One code path serves both databases on SQLAlchemy 2 Core;
their differences (SQLite's WAL and ``BEGIN IMMEDIATE``, the dialects'
``INSERT ... ON CONFLICT``, PostgreSQL's migration lock) live in one module.
The schema is versioned with Alembic: :meth:`SqlDatabase.open` migrates an
older database in place and refuses one whose schema is newer than this
release.

>>> import tempfile, pathlib
>>> from datetime import datetime, UTC
>>> path = pathlib.Path(tempfile.mkdtemp()) / "shop.sqlite"
>>> with SqlDatabase.open(path) as db:
...     _ = db.inventory.set_stock("TEA-1", 3)
...     _ = db.inventory.reserve("o-1", {"TEA-1": 2}, datetime(2026, 11, 11, tzinfo=UTC))
...     db.inventory.get("TEA-1").available
1
"""

from __future__ import annotations

from mallcore.adapters.sql._migrate import HEAD, upgrade
from mallcore.adapters.sql.coupons import SqlCouponStore
from mallcore.adapters.sql.database import SqlDatabase, SqlUnitOfWork
from mallcore.adapters.sql.documents import (
    SqlMemberRepository,
    SqlOrderRepository,
    SqlProductRepository,
)
from mallcore.adapters.sql.inventory import SqlInventoryStore
from mallcore.adapters.sql.keys import SqlIdempotencyStore
from mallcore.adapters.sql.ledger import SqlPointsLedgerStore

__all__ = [
    "HEAD",
    "SqlCouponStore",
    "SqlDatabase",
    "SqlIdempotencyStore",
    "SqlInventoryStore",
    "SqlMemberRepository",
    "SqlOrderRepository",
    "SqlPointsLedgerStore",
    "SqlProductRepository",
    "SqlUnitOfWork",
    "upgrade",
]
