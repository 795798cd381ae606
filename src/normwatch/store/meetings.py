"""Reading a meeting's row: by id, any case, or without the treaty prefix when unique."""

from __future__ import annotations

from typing import Any

from normwatch.errors import NotFoundError
from normwatch.store.db import Store

MEETING_SQL = """
SELECT m.*, st.name AS president_name,
       (SELECT COUNT(*) FROM participations p WHERE p.meeting_id = m.id) AS participants,
       (SELECT COUNT(*) FROM statements s WHERE s.meeting_id = m.id) AS statements
FROM meetings m LEFT JOIN states st ON st.code = m.president
"""


def get_meeting(store: Store, ref: str) -> dict[str, Any]:
    """The meeting row for ``ref``: its id, any case, or ``<treaty>-``-less when unique."""
    rows = store.query(MEETING_SQL + " WHERE m.id = :id", {"id": ref.strip().lower()})
    if not rows:
        suffix = "-" + ref.strip().lower()
        rows = [r for r in store.query(MEETING_SQL) if r["id"].endswith(suffix)]
    if len(rows) == 1:
        return rows[0]
    if rows:
        ids = ", ".join(sorted(r["id"] for r in rows))
        raise NotFoundError(f"meeting {ref!r} is ambiguous: {ids}")
    raise NotFoundError(f"unknown meeting {ref!r} (see normwatch meetings list)")


def remove_meeting(store: Store, ref: str) -> dict[str, Any]:
    """Delete a meeting and every row that hangs on it (participants, statements, codings,
    notes, claims ...), then the sources nothing cites any more, in one transaction; the
    journal entries of the imports that wrote it go too (they can no longer be undone).
    After ``meetings import`` then ``meetings remove`` the store is as before the import."""
    import json

    from sqlalchemy import delete, select

    from normwatch.features import import_schema_modules
    from normwatch.store import schema as t
    from normwatch.store.journal import ensure_journal, import_journal

    mid = get_meeting(store, ref)["id"]
    import_schema_modules()
    tables = t.metadata.sorted_tables
    counts: dict[str, int] = {}
    with store.transaction() as conn:
        # the keys to delete, table by table, following the foreign keys down from the meeting
        doomed: dict[str, set[Any]] = {"meetings": {mid}}
        for table in tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent in doomed and table.name != parent and doomed[parent]:
                    pk = list(table.primary_key.columns)
                    key = pk[0] if len(pk) == 1 else None
                    rows = conn.execute(
                        select(*(pk or table.columns)).where(fk.parent.in_(doomed[parent]))
                    ).all()
                    if key is not None:
                        doomed.setdefault(table.name, set()).update(r[0] for r in rows)
                    counts[table.name] = counts.get(table.name, 0) + len(rows)
        for table in reversed(tables):
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent in doomed and table.name != parent and doomed[parent]:
                    conn.execute(delete(table).where(fk.parent.in_(doomed[parent])))
        conn.execute(
            delete(t.metadata.tables["meetings"]).where(t.metadata.tables["meetings"].c.id == mid)
        )
        counts["meetings"] = 1
        # sources cited by nothing any more
        cited: set[str] = set()
        for table in tables:
            if "source_id" in table.c and table.name != "sources":
                cited.update(
                    r[0] for r in conn.execute(select(table.c.source_id).distinct()) if r[0]
                )
        sources = t.sources
        orphans = [r[0] for r in conn.execute(select(sources.c.id)) if r[0] not in cited]
        if orphans:
            conn.execute(delete(sources).where(sources.c.id.in_(orphans)))
            counts["sources"] = len(orphans)
        ensure_journal(conn)
        for entry in conn.execute(
            select(import_journal.c.id, import_journal.c.changes).where(
                import_journal.c.importer == "meetings"
            )
        ).all():
            touched = json.loads(entry.changes).get("meetings", {})
            keys = [k[0] for k in touched.get("added", [])]
            keys += [r["id"] for r in touched.get("removed", []) + touched.get("changed", [])]
            if mid in keys:
                conn.execute(delete(import_journal).where(import_journal.c.id == entry.id))
    return {"meeting": mid, "removed": counts}
