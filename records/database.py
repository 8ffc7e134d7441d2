"""Engine creation and the dialect-aware upsert helpers."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

from sqlalchemy import Engine, Table, create_engine, event, inspect, literal_column, text
from sqlalchemy.engine import make_url


def create_records_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: an error names the statement, never the values (notes, reasons).
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets the starter read while the worker writes.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


MIGRATIONS = Path(__file__).parent / "migrations"
# The first revision: databases created before migrations existed have exactly its tables.
BASELINE = "0001"
MIGRATION_LOCK = 0x57435245  # "WCRE": the advisory lock key of the records' migrations


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the records schema to the newest revision (Alembic), in one transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Workers starting together (bin/cluster, compose replicas) migrate one at a time:
            # the others wait here, then find the schema at head and do nothing.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the file's write lock, taken up front
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "cases" in tables and "alembic_version" not in tables:
            command.stamp(config, BASELINE)  # created by create_all before Alembic
        command.upgrade(config, revision)


def insert_ignoring_duplicates(engine: Engine, table: Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL alike; executed with
    the row as parameters (``conn.execute(stmt, row)``) or given ``.values(...)``."""
    return _ignoring_duplicates(engine.dialect.name, table)


def insert_if_new(engine: Engine, table: Table) -> Any:
    """Like ``insert_ignoring_duplicates``, returning one row when the row was new
    (RETURNING, not rowcount: psycopg reports -1 for this INSERT)."""
    return _if_new(engine.dialect.name, table)


def upsert_newer(engine: Engine, table: Table, columns: Sequence[str], key: str, version: str) -> Any:
    """Insert a row of ``columns`` or update it, but only when its ``version`` is newer than
    the stored one; executed with the row as parameters."""
    return _upsert_newer(engine.dialect.name, table, tuple(columns), key, version)


# The statements are built once per table (and set of columns) and executed with each row
# as parameters: SQLAlchemy then also finds their compiled form in its cache without
# building and hashing a new statement per row (#23 point 5: about half of a record's CPU).
@functools.cache
def _ignoring_duplicates(dialect: str, table: Table) -> Any:
    return _insert_for(dialect)(table).on_conflict_do_nothing()


@functools.cache
def _if_new(dialect: str, table: Table) -> Any:
    return _ignoring_duplicates(dialect, table).returning(literal_column("1"))


@functools.cache
def _upsert_newer(dialect: str, table: Table, columns: tuple[str, ...], key: str, version: str) -> Any:
    stmt = _insert_for(dialect)(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={c: stmt.excluded[c] for c in columns if c != key},
        where=table.c[version] < stmt.excluded[version],
    )


def _insert_for(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    dialects: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if dialect not in dialects:
        raise ValueError(f"database_url: unsupported database '{dialect}'")
    return dialects[dialect]


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """A datetime the records returned, in UTC: SQLite returns naive ones (written in UTC)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
