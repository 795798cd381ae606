"""Writing sourced facts into the store: sources first, then the facts that cite them.

Action ids are hashed from (treaty, State, kind, date), so writing the same act twice is a
no-op that only adds or refreshes a source link - re-imports are idempotent.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, select, update

from normwatch import schema as t
from normwatch.model import Action, Source
from normwatch.store import now_iso, source_id

_URL = re.compile(r"https?://\S+")


def split_sources(text: str) -> list[Source]:
    """Sources from a CSV cell: URLs separated by ' ; ', each with its trailing remark.

    ``https://… (status as captured 2018-01-15)`` keeps the remark as the source's note; a
    cell naming a source in words before the URL keeps the words as the title.
    """
    found: list[Source] = []
    for part in re.split(r"\s+;\s+|;\s+(?=https?://)", text.strip()):
        part = part.strip()
        if not part:
            continue
        m = _URL.search(part)
        if m is None:
            found.append(Source(url=part))
            continue
        url = m.group(0).rstrip(").,;")
        rest = (part[: m.start()] + " " + part[m.end():]).strip(" ;,")
        note = rest.strip("() ") or None
        found.append(Source(url=url, note=note))
    return found


def ensure_source(conn: Connection, src: Source, *, kind: str = "web") -> str:
    sid = source_id(src.url, src.symbol)
    exists = conn.execute(select(t.sources.c.id).where(t.sources.c.id == sid)).first()
    if exists is None:
        conn.execute(t.sources.insert().values(
            id=sid, url=src.url, symbol=src.symbol, title=src.title, kind=kind,
            published=src.published, note=src.note))
    return sid


def write_action(
    conn: Connection,
    action: Action,
    *,
    seen_at: str | None = None,
    kind: str = "web",
) -> bool:
    """Insert ``action`` (or find it) and link each of its sources. True when the act is new."""
    seen = seen_at or now_iso()
    aid = action.id
    new = conn.execute(select(t.actions.c.id).where(t.actions.c.id == aid)).first() is None
    if new:
        conn.execute(t.actions.insert().values(
            id=aid, treaty=action.treaty, state=action.state, kind=action.kind.value,
            date=str(action.date), note=action.note))
    for src in action.sources:
        sid = ensure_source(conn, src, kind=kind)
        link = (t.action_sources.c.action_id == aid) & (t.action_sources.c.source_id == sid)
        if conn.execute(select(t.action_sources.c.action_id).where(link)).first() is None:
            conn.execute(t.action_sources.insert().values(
                action_id=aid, source_id=sid, confidence=src.confidence,
                first_seen=seen, last_seen=seen))
        else:
            conn.execute(update(t.action_sources).where(link).values(last_seen=seen))
    return new


def row_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
