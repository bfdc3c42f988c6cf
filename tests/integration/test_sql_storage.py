"""The SQL adapter's schema and its failures: migrations, bad files, lost connections."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from _storage_workers import CRASH_ORDER, member_with_points
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mallcore.adapters.sql import HEAD, SqlDatabase, upgrade
from mallcore.adapters.sql._engine import create_engine
from mallcore.adapters.sql._migrate import alembic_config
from mallcore.adapters.sql._schema import VERSION_TABLE, metadata
from mallcore.errors import (
    ConfigError,
    NotAMallcoreDatabaseError,
    SchemaVersionError,
    StorageUnavailableError,
)
from mallcore.membership.account import MemberAccount
from mallcore.ports import CouponBatch
from mallcore.testing.contracts import CONTRACT_TIERS, contract_order, contract_quote
from mallcore.usecases import place_order

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)


def test_a_new_file_gets_the_whole_schema(sqlite_path: Path) -> None:
    with SqlDatabase.open(sqlite_path) as database:
        assert database.revision == HEAD
        with database.engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            assert mode == "wal"


def test_the_migrations_build_exactly_the_tables_the_stores_use(
    sql_database: SqlDatabase,
) -> None:
    with sql_database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []


def test_an_older_database_is_upgraded_in_place_and_keeps_its_data(sqlite_path: Path) -> None:
    engine = create_engine(sqlite_path)
    assert upgrade(engine, to="0001") == "0001"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO mallcore_stock_levels (sku_id, on_hand, reserved, low_stock_threshold) "
            "VALUES ('TEA-1', 7, 0, 0)"
        )
    engine.dispose()
    with pytest.raises(SchemaVersionError, match="'0001', not"):
        SqlDatabase.open(sqlite_path, upgrade=False)
    with SqlDatabase.open(sqlite_path) as database:
        assert database.revision == HEAD
        level = database.inventory.get("TEA-1")
        assert level is not None and level.on_hand == 7
        database.orders.add(contract_order())  # a table of the newer revision
    with SqlDatabase.open(sqlite_path, upgrade=False) as database:
        assert database.orders.get(contract_order().number) is not None


def test_a_database_of_a_newer_schema_is_refused_and_left_alone(sqlite_path: Path) -> None:
    SqlDatabase.open(sqlite_path).close()
    with sqlite3.connect(sqlite_path) as raw:
        raw.execute(f"UPDATE {VERSION_TABLE} SET version_num = '0099'")
    for upgrade_it in (True, False):
        with pytest.raises(SchemaVersionError, match=r"'0099'.*newer mallcore") as caught:
            SqlDatabase.open(sqlite_path, upgrade=upgrade_it)
        assert "Upgrade mallcore" in str(caught.value)
    with sqlite3.connect(sqlite_path) as raw:
        assert raw.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == [("0099",)]


def test_a_corrupt_file_is_not_a_database(sqlite_path: Path) -> None:
    sqlite_path.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    with pytest.raises(NotAMallcoreDatabaseError, match="not a SQLite database"):
        SqlDatabase.open(sqlite_path)
    assert sqlite_path.read_bytes().startswith(b"this is a spreadsheet")


def test_another_applications_sqlite_file_is_refused(sqlite_path: Path) -> None:
    with sqlite3.connect(sqlite_path) as raw:
        raw.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    with pytest.raises(NotAMallcoreDatabaseError, match="another application's tables \\(users\\)"):
        SqlDatabase.open(sqlite_path)
    with sqlite3.connect(sqlite_path) as raw:
        tables = [
            row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
    assert tables == ["users"]


def test_mallcore_tables_without_their_version_table_are_refused(sqlite_path: Path) -> None:
    with sqlite3.connect(sqlite_path) as raw:
        raw.execute("CREATE TABLE mallcore_orders (number TEXT PRIMARY KEY)")
    with pytest.raises(NotAMallcoreDatabaseError, match="mallcore's tables \\(mallcore_orders\\)"):
        SqlDatabase.open(sqlite_path)


def test_a_target_that_is_no_database_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="target"):
        SqlDatabase.open("mysql://127.0.0.1/shop")
    with pytest.raises(ConfigError, match="in-memory"):
        SqlDatabase.open("sqlite://")


def test_an_unreachable_server_is_storage_unavailable() -> None:
    with pytest.raises(StorageUnavailableError, match="connection failed"):
        SqlDatabase.open("postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2")


def test_concurrent_first_opens_migrate_once(sqlite_path: Path) -> None:
    # The first open migrates under the write lock; the next ones find the schema there.
    for _ in range(3):
        SqlDatabase.open(sqlite_path).close()
    with sqlite3.connect(sqlite_path) as raw:
        assert raw.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == [(HEAD,)]


def test_alembic_can_downgrade_and_upgrade_the_schema(sqlite_path: Path) -> None:
    engine = create_engine(sqlite_path)
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    with engine.connect() as conn:
        assert "mallcore_orders" not in sa.inspect(conn).get_table_names()
    assert upgrade(engine) == HEAD
    engine.dispose()


# ------------------------------------------------------------ a connection lost mid-unit


@pytest.fixture
def pg(pg_database: Any) -> Iterator[SqlDatabase]:
    database: SqlDatabase = pg_database
    database.inventory.set_stock("TEA-1", 10)
    database.inventory.set_stock("CUP-1", 10)
    database.coupons.define(CouponBatch("FIVE-OFF"))
    database.coupons.claim("FIVE-OFF", "c-1", code="SAVE-1", at=AT)
    database.members.add(member_with_points())
    yield database


def _place(database: SqlDatabase, *, kill_before_commit: bool = False) -> str:
    quote = contract_quote()
    with database.unit_of_work() as uow:
        order = place_order(
            uow,
            quote,
            customer_id="c-1",
            at=AT,
            key="checkout:c-1:1",
            coupons=["SAVE-1"],
            number=CRASH_ORDER,
        )
        if kill_before_commit:
            pid = uow.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with database.engine.connect() as admin:
                admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            uow.inventory.get("TEA-1")  # the next statement finds the connection gone
    return order.number


def _held(database: SqlDatabase) -> tuple[int, str, int, bool]:
    tea = database.inventory.get("TEA-1")
    coupon = database.coupons.get("SAVE-1")
    account = database.members.get("c-1")
    assert tea is not None and coupon is not None and account is not None
    stored = database.orders.get(CRASH_ORDER) is not None
    return tea.reserved, coupon.state, account.ledger.balance, stored


def test_a_connection_killed_mid_unit_leaves_nothing_and_a_retry_applies_once(
    pg: SqlDatabase,
) -> None:
    with pytest.raises(StorageUnavailableError, match="connection to the database failed"):
        _place(pg, kill_before_commit=True)
    assert _held(pg) == (0, "available", 800, False)
    assert not pg.idempotency.seen("checkout:c-1:1", at=AT)
    number = _place(pg)  # the client retries with the same key
    assert _held(pg) == (2, "locked", 300, True)
    assert _place(pg) == number  # and again: the key says it was placed
    assert _held(pg) == (2, "locked", 300, True)
    assert pg.orders.numbers() == [number]
    assert pg.idempotency.result("checkout:c-1:1", at=AT + timedelta(hours=1)) == number


# ------------------------------------------------------------------- targets and reads


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("host=db dbname=shop user=shop", "libpq keyword DSN"),
        ("postgresql+asyncpg://shop@db/shop", "through psycopg 3"),
        ("mysql://shop@db/shop", "SQLite file path"),
        ("   ", "file path or a URL"),
    ],
)
def test_a_target_mallcore_cannot_use_is_refused_before_connecting(
    target: str, reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason):
        SqlDatabase.open(target)


def test_postgres_urls_are_taken_in_both_spellings(pg_dsn: str) -> None:
    short = pg_dsn.replace("postgresql://", "postgres://", 1)
    with SqlDatabase.open(short) as database:
        assert database.engine.url.drivername == "postgresql+psycopg"
        assert database.revision == HEAD


def test_upgrade_takes_a_path_and_only_goes_forward(sqlite_path: Path) -> None:
    assert upgrade(sqlite_path, to="0001") == "0001"
    assert upgrade(str(sqlite_path)) == HEAD
    with pytest.raises(SchemaVersionError, match="only goes forward"):
        upgrade(sqlite_path, to="0001")
    with pytest.raises(ConfigError, match="to="):
        upgrade(sqlite_path, to="0042")
    with SqlDatabase.open(sqlite_path, upgrade=False) as database:
        assert database.revision == HEAD


def test_a_lone_read_on_sqlite_does_not_wait_for_a_unit_of_work(sqlite_path: Path) -> None:
    with SqlDatabase.open(sqlite_path) as database:
        database.inventory.set_stock("TEA-1", 5)
        started = time.monotonic()
        with database.unit_of_work() as uow:  # holds the write lock until it ends
            uow.inventory.reserve("r-1", {"TEA-1": 2}, AT + timedelta(hours=1))
            level = database.inventory.get("TEA-1")  # another connection, deferred
            assert level is not None and level.reserved == 0  # the last commit
        assert time.monotonic() - started < 5  # not the 30 s busy timeout
        level = database.inventory.get("TEA-1")
        assert level is not None and level.reserved == 2


def test_a_write_blocked_by_a_busy_sqlite_file_is_storage_unavailable(sqlite_path: Path) -> None:
    with SqlDatabase.open(sqlite_path) as database:
        database.inventory.set_stock("TEA-1", 5)
    engine = sa.create_engine(
        f"sqlite:///{sqlite_path}", connect_args={"timeout": 0.1}, poolclass=sa.pool.NullPool
    )
    impatient = SqlDatabase(engine)
    with sqlite3.connect(sqlite_path, isolation_level=None) as holder:
        holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        with pytest.raises(StorageUnavailableError, match="busy"):
            impatient.inventory.restock("TEA-1", 1)
        holder.execute("ROLLBACK")
    engine.dispose()


def test_an_account_keeps_its_points_in_the_append_only_ledger(sql_database: SqlDatabase) -> None:
    account = MemberAccount("u-1", CONTRACT_TIERS)
    account.ledger.earn(500, at=AT, source="welcome", key="earn:welcome")
    sql_database.members.add(account)
    assert sql_database.ledgers.balance("u-1") == 500
    stored = sql_database.members.get("u-1")
    assert stored is not None
    version = stored.version
    stored.ledger.redeem(200, at=AT + timedelta(hours=1), source="O-1", key="redeem:O-1")
    sql_database.members.save(stored, expected_version=version)
    assert sql_database.ledgers.balance("u-1") == 300
    assert [e.points for e in sql_database.ledgers.entries("u-1")] == [500, -200]
    again = sql_database.members.get("u-1")
    assert again is not None and again.ledger.entries == stored.ledger.entries
    with sql_database.engine.connect() as conn:
        document = conn.execute(sa.text("SELECT document FROM mallcore_members")).scalar_one()
    assert "ledger_entries" not in json.loads(document)


def test_a_pooled_connection_killed_between_calls_fails_once_then_reconnects(
    pg: SqlDatabase,
) -> None:
    pg.inventory.reserve("r-0", {"TEA-1": 1}, AT + timedelta(hours=1))  # the pool holds it
    with pg.engine.connect() as admin:
        admin.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    with pytest.raises(StorageUnavailableError, match="connection to the database failed"):
        pg.inventory.reserve("r-1", {"TEA-1": 1}, AT + timedelta(hours=1))
    pg.inventory.reserve("r-1", {"TEA-1": 1}, AT + timedelta(hours=1))  # the retry
    level = pg.inventory.get("TEA-1")
    assert level is not None and level.reserved == 2


def test_a_pool_with_no_free_connection_is_storage_unavailable(sqlite_path: Path) -> None:
    SqlDatabase.open(sqlite_path).close()
    engine = sa.create_engine(
        f"sqlite:///{sqlite_path}", pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    database = SqlDatabase(engine)
    # The unit of work holds the pool's only connection.
    with (
        database.unit_of_work(),
        pytest.raises(StorageUnavailableError, match="every connection of the pool"),
    ):
        database.inventory.get("TEA-1")
    assert database.inventory.get("TEA-1") is None  # free again
    engine.dispose()
