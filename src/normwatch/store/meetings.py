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
