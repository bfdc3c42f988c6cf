"""Schema migrations with Alembic: upgrade in place, refuse a schema we do not know."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from mallcore.adapters.sql._engine import create_engine, lock_for_migration, translate_errors
from mallcore.adapters.sql._schema import VERSION_TABLE, metadata
from mallcore.checks import invalid
from mallcore.errors import NotAMallcoreDatabaseError, SchemaVersionError

__all__ = ["HEAD", "alembic_config", "current_revision", "upgrade"]

_SCRIPTS = Path(__file__).with_name("_migrations")


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Alembic's configuration for mallcore's migrations (bound to *connection* if given)."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


#: The newest schema revision this mallcore knows.
HEAD = _head()


def current_revision(connection: sa.Connection) -> str | None:
    """The database's schema revision, or None for a database mallcore never migrated."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def _check(connection: sa.Connection, where: str) -> str | None:
    revision = current_revision(connection)
    if revision is None:
        tables = set(sa.inspect(connection).get_table_names())
        if ours := sorted(tables & set(metadata.tables)):
            msg = (
                f"{where} has mallcore's tables ({', '.join(ours)}) "
                f"but no {VERSION_TABLE} table: it was not created by mallcore's migrations"
            )
            raise NotAMallcoreDatabaseError(msg)
        if tables and connection.dialect.name == "sqlite":
            # A SQLite file is one application's database; a PostgreSQL database is
            # often shared with the shop's own tables, and mallcore's have their own names.
            msg = (
                f"{where} holds another application's tables ({', '.join(sorted(tables)[:5])}): "
                "give mallcore a file of its own"
            )
            raise NotAMallcoreDatabaseError(msg)
        return None
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        msg = (
            f"{where} is at schema revision {revision!r}, which this mallcore does not know "
            f"(its newest is {HEAD!r}): a newer mallcore migrated it. Upgrade mallcore; "
            "mallcore will not read or write a schema it does not know"
        )
        raise SchemaVersionError(msg) from None
    return revision


def upgrade(target: sa.Engine | str | Path, *, to: str = "head") -> str:
    """Migrate the database in place to *to* (default: the newest); return the revision.

    *target* is an engine, a SQLite file path or a ``postgresql://`` DSN (as
    :meth:`SqlDatabase.open <mallcore.adapters.sql.SqlDatabase.open>` takes).
    Runs in one transaction, under a lock, so concurrent first opens migrate
    once; a database already there is left alone. It only goes forward: to
    go back, use Alembic's ``downgrade`` with :func:`alembic_config`.

    Raises:
        SchemaVersionError: The database is at a revision this mallcore does
            not know, or *to* is older than the revision it is at.
        NotAMallcoreDatabaseError: It has mallcore's tables without its version
            table, or it is not a database at all.
    """
    if isinstance(target, sa.Engine):
        return _upgrade(target, to)
    engine = create_engine(target)
    try:
        return _upgrade(engine, to)
    finally:
        engine.dispose()


def _upgrade(engine: sa.Engine, to: str) -> str:
    where = f"database {engine.url.render_as_string(hide_password=True)}"
    scripts = ScriptDirectory.from_config(alembic_config())
    wanted = HEAD if to == "head" else to
    try:
        scripts.get_revision(wanted)
    except CommandError:
        raise invalid(
            "to", to, f"is not a schema revision of this mallcore (newest {HEAD!r})"
        ) from None
    with translate_errors(f"can't migrate {where}"), engine.begin() as connection:
        lock_for_migration(connection)
        before = _check(connection, where)
        if before is not None and before != wanted:
            older = {rev.revision for rev in scripts.iterate_revisions(before, "base")}
            if wanted in older:
                msg = (
                    f"{where} is at schema revision {before!r}, past {wanted!r}: upgrade only "
                    "goes forward (use Alembic's downgrade to go back)"
                )
                raise SchemaVersionError(msg)
        if before != wanted:
            command.upgrade(alembic_config(connection), wanted)
        revision = current_revision(connection)
    assert revision is not None
    return revision


def check(engine: sa.Engine) -> None:
    """Refuse a database that is not at this mallcore's newest revision."""
    where = f"database {engine.url.render_as_string(hide_password=True)}"
    with translate_errors(f"can't open {where}"), engine.connect() as connection:
        revision = _check(connection, where)
    if revision != HEAD:
        msg = (
            f"{where} is at schema revision {revision!r}, not {HEAD!r}: run "
            "mallcore.adapters.sql.upgrade() (or open it with upgrade=True) first"
        )
        raise SchemaVersionError(msg)
