"""Writing sourced facts into the store: sources first, then the facts that cite them.

Action ids are hashed from (treaty, State, kind, date), so writing the same act twice is a
no-op that only adds or refreshes a source link - re-imports are idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from normwatch.core.model import Action, Source
from normwatch.core.treaty import TreatyRules
from normwatch.store import schema as t
from normwatch.store.stamps import now_iso, source_id

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
        rest = (part[: m.start()] + " " + part[m.end() :]).strip(" ;,")
        note = rest.strip("() ") or None
        found.append(Source(url=url, note=note))
    return found


def ensure_source(conn: Connection, src: Source, *, kind: str = "web") -> str:
    sid = source_id(src.url, src.symbol)
    exists = conn.execute(select(t.sources.c.id).where(t.sources.c.id == sid)).first()
    if exists is None:
        conn.execute(
            t.sources.insert().values(
                id=sid,
                url=src.url,
                symbol=src.symbol,
                title=src.title,
                kind=kind,
                published=src.published,
                note=src.note,
            )
        )
    return sid


def ensure_treaty(conn: Connection, rules: TreatyRules) -> None:
    """Record a treaty whose rule file was added after the store was created."""
    if conn.execute(select(t.treaties.c.id).where(t.treaties.c.id == rules.id)).first() is None:
        conn.execute(
            t.treaties.insert().values(
                id=rules.id,
                name=rules.name,
                short_name=rules.short_name,
                untc_id=rules.untc_id,
                rule_file=rules.path,
            )
        )


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def write_actions(
    conn: Connection, actions: Iterable[Action], *, seen_at: str | None = None, kind: str = "web"
) -> int:
    """Insert the actions that are new and link every action to each of its sources.

    An action already stored (same treaty, State, kind and date) only gains the source link,
    or has its ``last_seen`` refreshed. Returns how many actions were new. Works in batches:
    one SELECT per table and chunk, then bulk INSERTs.
    """
    seen = seen_at or now_iso()
    acts = list({a.id: a for a in actions}.values())
    ids = [a.id for a in acts]
    known: set[str] = set()
    for chunk in _chunks(ids):
        known.update(
            r[0] for r in conn.execute(select(t.actions.c.id).where(t.actions.c.id.in_(chunk)))
        )
    new = [a for a in acts if a.id not in known]
    if new:
        conn.execute(
            t.actions.insert(),
            [
                {
                    "id": a.id,
                    "treaty": a.treaty,
                    "state": a.state,
                    "kind": a.kind.value,
                    "date": str(a.date),
                    "note": a.note,
                }
                for a in new
            ],
        )
    sources = {source_id(s.url, s.symbol): s for a in acts for s in a.sources}
    stored: set[str] = set()
    for chunk in _chunks(list(sources)):
        stored.update(
            r[0] for r in conn.execute(select(t.sources.c.id).where(t.sources.c.id.in_(chunk)))
        )
    missing = [sid for sid in sources if sid not in stored]
    if missing:
        conn.execute(
            t.sources.insert(),
            [
                {
                    "id": sid,
                    "url": sources[sid].url,
                    "symbol": sources[sid].symbol,
                    "title": sources[sid].title,
                    "kind": kind,
                    "published": sources[sid].published,
                    "note": None,
                }
                for sid in missing
            ],
        )
    links: set[tuple[str, str]] = set()
    for chunk in _chunks(ids):
        links.update(
            (r[0], r[1])
            for r in conn.execute(
                select(t.action_sources.c.action_id, t.action_sources.c.source_id).where(
                    t.action_sources.c.action_id.in_(chunk)
                )
            )
        )
    inserts: list[dict[str, Any]] = []
    refresh: list[dict[str, Any]] = []
    for a in acts:
        for s in a.sources:
            key = (a.id, source_id(s.url, s.symbol))
            if key in links:
                refresh.append({"a": key[0], "s": key[1], "seen": seen})
            else:
                links.add(key)
                inserts.append(
                    {
                        "action_id": key[0],
                        "source_id": key[1],
                        "confidence": s.confidence,
                        "note": s.note,
                        "first_seen": seen,
                        "last_seen": seen,
                    }
                )
    if inserts:
        conn.execute(t.action_sources.insert(), inserts)
    if refresh:
        conn.execute(
            update(t.action_sources)
            .where(
                (t.action_sources.c.action_id == bindparam("a"))
                & (t.action_sources.c.source_id == bindparam("s"))
            )
            .values(last_seen=bindparam("seen")),
            refresh,
        )
    return len(new)


def write_action(
    conn: Connection, action: Action, *, seen_at: str | None = None, kind: str = "web"
) -> bool:
    """Write one action (see :func:`write_actions`); True when it was new."""
    return write_actions(conn, [action], seen_at=seen_at, kind=kind) == 1


def row_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
