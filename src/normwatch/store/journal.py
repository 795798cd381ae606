"""The import journal: what each import changed, so that the last one can be undone exactly.

An importer writes inside :func:`journaled`: it reads the tables the import may touch before
and after the import, in the import's own transaction, and records the difference (the keys of
the rows added, the former values of the rows changed or removed) and a digest of the tables as
the import left them. :func:`undo_last` puts the rows back as they were and drops the journal
entry, in one transaction, so the store is row for row what it was before the import. It
refuses when the journalled tables changed since (a coding set, a later write): undoing then
would not give back the store as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Integer, String, Table, Text, and_, inspect, select

from normwatch.errors import NotFoundError, StoreError
from normwatch.store.schema import metadata
from normwatch.store.stamps import now_iso

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from normwatch.store.db import Store

import_journal = Table(
    "import_journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("importer", String(32), nullable=False),
    Column("label", Text, nullable=False),
    Column("imported_at", String(32), nullable=False),
    Column("tables", Text, nullable=False),  # JSON list of the journalled tables
    Column("changes", Text, nullable=False),  # JSON: table → added keys, former rows
    Column("digest", Text, nullable=False),  # of the journalled tables after the import
)

Rows = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]  # table → row key → row values


def _tables(conn: Connection, names: Sequence[str] | None) -> list[Table]:
    from normwatch.features import import_schema_modules

    import_schema_modules()
    have = set(inspect(conn).get_table_names())
    return [
        t
        for t in metadata.sorted_tables
        if t.name in have and t.name != import_journal.name and (names is None or t.name in names)
    ]


def _key_columns(table: Table) -> list[str]:
    pk = [c.name for c in table.primary_key.columns]
    return pk or [c.name for c in table.columns]


def _snapshot(conn: Connection, tables: list[Table]) -> Rows:
    out: Rows = {}
    for table in tables:
        names = [c.name for c in table.columns]
        at = [names.index(k) for k in _key_columns(table)]
        rows = [tuple(r) for r in conn.execute(select(table)).all()]
        if len(at) == 1:
            (i,) = at
            out[table.name] = {(row[i],): row for row in rows}
        else:
            key = itemgetter(*at)
            out[table.name] = {key(row): row for row in rows}
    return out


def _digest(snap: Rows) -> str:
    h = hashlib.sha256()
    for name in sorted(snap):
        h.update(name.encode())
        # the repr of the rows sorted by their repr, each row's repr made once
        h.update(("[" + ", ".join(sorted(map(repr, snap[name].values()))) + "]").encode())
    return h.hexdigest()


def ensure_journal(conn: Connection) -> None:
    """Create the journal table in a store made before it existed."""
    import_journal.create(conn, checkfirst=True)


@contextmanager
def journaled(
    conn: Connection, importer: str, label: str, tables: Sequence[str] | None = None
) -> Iterator[None]:
    """Record what the writes inside the block change in ``tables`` (default: all)."""
    ensure_journal(conn)
    chosen = _tables(conn, tables)
    before = _snapshot(conn, chosen)
    yield
    after = _snapshot(conn, chosen)
    changes: dict[str, dict[str, list[Any]]] = {}
    for table in chosen:
        old, new = before[table.name], after[table.name]
        if old == new:
            continue
        names = [c.name for c in table.columns]
        added = [list(k) for k in new if k not in old]
        removed = [dict(zip(names, row, strict=True)) for k, row in old.items() if k not in new]
        changed = [
            dict(zip(names, row, strict=True))
            for k, row in old.items()
            if k in new and new[k] != row
        ]
        changes[table.name] = {"added": added, "removed": removed, "changed": changed}
    if not changes:  # a re-import that changed nothing leaves no entry (nothing to undo)
        return
    conn.execute(
        import_journal.insert().values(
            importer=importer,
            label=label,
            imported_at=now_iso(),
            tables=json.dumps([t.name for t in chosen]),
            changes=json.dumps(changes, default=str),
            digest=_digest(after),
        )
    )


def last_import(store: Store) -> dict[str, Any] | None:
    """The newest journal entry (importer, label, time), or None."""
    try:
        rows = store.query(
            "SELECT id, importer, label, imported_at FROM import_journal ORDER BY id DESC LIMIT 1"
        )
    except StoreError:  # a store made before the journal existed
        return None
    return rows[0] if rows else None


def undo_last(
    store: Store, *, importer: str | None = None, label: str | None = None
) -> dict[str, Any]:
    """Undo the newest journalled import (only if it is of ``importer`` / ``label`` when
    given); returns what was undone, with per-table counts of rows put back."""
    entry = last_import(store)
    if entry is None:
        raise NotFoundError("no import on record to undo")
    if (importer and entry["importer"] != importer) or (label and entry["label"] != label):
        raise NotFoundError(
            f"the last import is {entry['importer']} {entry['label']} "
            f"({entry['imported_at']}), not this one: only the last import can be undone"
        )
    with store.transaction() as conn:
        row = conn.execute(select(import_journal).where(import_journal.c.id == entry["id"])).one()
        names = json.loads(row.tables)
        tables = _tables(conn, names)
        if _digest(_snapshot(conn, tables)) != row.digest:
            raise StoreError(
                f"the store changed since the import {row.importer} {row.label} "
                f"({row.imported_at}): undoing it would not give back the store as it was"
            )
        changes: dict[str, dict[str, list[Any]]] = json.loads(row.changes)
        counts: dict[str, int] = {}
        for table in reversed(tables):  # children before parents
            for key in changes.get(table.name, {}).get("added", []):
                cond = and_(
                    *(table.c[k] == v for k, v in zip(_key_columns(table), key, strict=True))
                )
                conn.execute(table.delete().where(cond))
                counts[table.name] = counts.get(table.name, 0) + 1
        for table in tables:  # parents before children
            change = changes.get(table.name, {})
            if change.get("removed"):
                conn.execute(table.insert(), change["removed"])
            for old in change.get("changed", []):
                cond = and_(*(table.c[k] == old[k] for k in _key_columns(table)))
                conn.execute(table.update().where(cond).values(**old))
            n = len(change.get("removed", [])) + len(change.get("changed", []))
            if n:
                counts[table.name] = counts.get(table.name, 0) + n
        conn.execute(import_journal.delete().where(import_journal.c.id == row.id))
    return {
        "undone": row.importer,
        "label": row.label,
        "imported_at": row.imported_at,
        "rows": counts,
    }
