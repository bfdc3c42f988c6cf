"""Shared test configuration: Hypothesis profiles.

``HYPOTHESIS_PROFILE=ci`` (set by .ci/run) runs more examples without a deadline;
``dev`` (the default) keeps local runs quick.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# --------------------------------------------------------------------------- databases
# SQLite runs everywhere; PostgreSQL when MALLCORE_PG_DSN names a server (CI sets it).
# The session gets a database of its own on that server, dropped at the end, and every
# test starts from empty tables.

PG_SKIP = "MALLCORE_PG_DSN is not set: the PostgreSQL tests need a server (.ci/run sets it)"


def _pg_dsn() -> str | None:
    return os.environ.get("MALLCORE_PG_DSN") or None


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """The DSN of a fresh PostgreSQL database for this session (skips without a server)."""
    base = _pg_dsn()
    if base is None:
        pytest.skip(PG_SKIP)
    import psycopg
    import sqlalchemy as sa

    name = f"mallcore_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sa.make_url(base).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_session_database(pg_dsn: str) -> Iterator[object]:
    from mallcore.adapters.sql import SqlDatabase
    from mallcore.testing.contracts import CONTRACT_TIERS

    database = SqlDatabase.open(pg_dsn, tiers=CONTRACT_TIERS, pool_size=10)
    try:
        yield database
    finally:
        database.close()


def _empty(database: object) -> None:
    import sqlalchemy as sa

    from mallcore.adapters.sql._schema import metadata

    engine = database.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names}"))
        else:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "mallcore.sqlite"


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """An empty, migrated SqlDatabase on SQLite and on PostgreSQL (which skips without a server)."""
    from mallcore.adapters.sql import SqlDatabase
    from mallcore.testing.contracts import CONTRACT_TIERS

    if request.param == "sqlite":
        database = SqlDatabase.open(tmp_path / "mallcore.sqlite", tiers=CONTRACT_TIERS)
        try:
            yield database
        finally:
            database.close()
        return
    yield request.getfixturevalue("pg_database")


@pytest.fixture
def pg_database(pg_session_database: object) -> object:
    """The session's PostgreSQL SqlDatabase with every table emptied."""
    _empty(pg_session_database)
    return pg_session_database
