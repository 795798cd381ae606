"""Store migrations: an ordered registry of steps, one per schema version.

A store records its ``schema_version`` in the ``meta`` table. Opening a store of an older
version is refused with one line that says to run ``normwatch db upgrade``; the upgrade applies
every step from the store's version to :data:`SCHEMA_VERSION` in one transaction, so a failed
step leaves the store as it was. A step never drops a table, a column or a row.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from normwatch.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Connection


class Store(Protocol):
    """What a migration needs of :class:`normwatch.store.db.Store`."""

    shown: str

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...

    def transaction(self) -> AbstractContextManager[Connection]: ...


#: the schema this release writes and reads
SCHEMA_VERSION = 4


@dataclass(frozen=True)
class Migration:
    """The step from version ``source`` to ``source + 1``."""

    source: int
    description: str
    apply: Callable[[Connection], list[str]]


def _add_missing_tables_and_columns(conn: Connection) -> list[str]:
    """Create the tables the store lacks and add the (nullable) columns its tables lack."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn

    from normwatch.features import import_schema_modules
    from normwatch.store import schema as t

    import_schema_modules()
    inspector = inspect(conn)
    done: list[str] = []
    have = set(inspector.get_table_names())
    for table in t.metadata.sorted_tables:
        if table.name not in have:
            table.create(conn)
            done.append(f"table {table.name} created")
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in columns:
                continue
            if not column.nullable and column.server_default is None:
                raise StoreError(f"cannot add required column {table.name}.{column.name}")
            ddl = CreateColumn(column).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")
            done.append(f"column {table.name}.{column.name} added")
    return done


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "add the tables and columns of release 2 (depositary notifications and more)",
        _add_missing_tables_and_columns,
    ),
    Migration(
        2,
        "add the records table (companion consents, objections, meeting decisions) and the "
        "bundled treaties the store does not have",
        lambda conn: _add_missing_tables_and_columns(conn) + _add_bundled_treaties(conn),
    ),
    Migration(
        3,
        "add accounts, API tokens, web sessions, the coding history, double-coding "
        "assignments and a version per coding (team coding)",
        _add_missing_tables_and_columns,
    ),
)


def _add_bundled_treaties(conn: Connection) -> list[str]:
    from normwatch.store.bundled import load_new_treaties

    return load_new_treaties(conn)


def stored_version(store: Store) -> int:
    rows = store.query("SELECT value FROM meta WHERE key = 'schema_version'")
    try:
        return int(rows[0]["value"])
    except (IndexError, ValueError, TypeError):
        raise StoreError(f"store {store.shown} has no readable schema version") from None


def check_version(store: Store) -> None:
    """Refuse a store that this release cannot read as it is."""
    version = stored_version(store)
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"store {store.shown} has schema version {version}, this normwatch needs "
            f"{SCHEMA_VERSION}: back it up, then run `normwatch db upgrade`"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"store {store.shown} has schema version {version}, written by a newer normwatch "
            f"(this one reads {SCHEMA_VERSION}): upgrade normwatch"
        )


def upgrade(store: Store) -> list[str]:
    """Bring the store to :data:`SCHEMA_VERSION`; what each step did, in order."""
    from sqlalchemy import update

    from normwatch.store import schema as t

    version = stored_version(store)
    if version > SCHEMA_VERSION:
        check_version(store)
    steps = [m for m in MIGRATIONS if version <= m.source < SCHEMA_VERSION]
    log: list[str] = []
    if not steps:
        return log
    with store.transaction() as conn:
        for step in steps:
            done = step.apply(conn)
            log.append(f"{step.source} → {step.source + 1}: {step.description}")
            log.extend(f"  {line}" for line in done)
        conn.execute(
            update(t.meta).where(t.meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
        )
    return log
