"""Groups of States and who belonged to them on a given day.

The bundled ``groups.csv`` and ``group_members.csv`` (UN regional groups, the European Union,
NATO) are loaded into ``state_groups`` and ``group_memberships`` with their sources. A
membership runs from ``start_date`` to ``end_date`` inclusive; an empty start means "not
recorded" and is read as a member throughout (the UN regional groups), an empty end as "still
a member". Breakdowns of a meeting use the membership on the meeting's first day, so Finland
counts in NATO for a 2024 meeting but not for a 2022 one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from normwatch.core.dates import PartialDate
from normwatch.errors import DataError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from normwatch.store.db import Store

#: ``--by`` names that stand for a kind of group rather than one group
BY_KINDS = {"regional_group": "un_regional_group"}


def load_groups(conn: Connection, codes: set[str]) -> None:
    """Bundled loader: ``groups.csv`` and ``group_members.csv`` (called inside the load)."""
    from normwatch.catalog import read_csv
    from normwatch.store import meeting_tables as mt
    from normwatch.store.facts import ensure_source, split_sources

    ids: set[str] = set()
    for where, row in read_csv("groups.csv", ("id", "name", "kind", "source")):
        gid = row["id"]
        if not gid or gid in ids:
            raise DataError("empty or repeated group id", where=f"{where}: id")
        if not row["source"]:
            raise DataError("empty value", where=f"{where}: source")
        ids.add(gid)
        sid = ensure_source(conn, split_sources(row["source"])[0])
        conn.execute(
            mt.state_groups.insert().values(
                id=gid,
                name=row["name"],
                kind=row["kind"],
                source_id=sid,
                note=row.get("note") or None,
            )
        )
    for where, row in read_csv("group_members.csv", ("group", "state", "start", "end", "source")):
        if row["group"] not in ids:
            raise DataError(f"unknown group {row['group']!r}", where=f"{where}: group")
        if row["state"] not in codes:
            raise DataError(f"unknown State code {row['state']!r}", where=f"{where}: state")
        start = _date(row["start"], f"{where}: start")
        end = _date(row["end"], f"{where}: end")
        if start and end and end < start:
            raise DataError("end before start", where=f"{where}: end")
        if not row["source"]:
            raise DataError("empty value", where=f"{where}: source")
        result = conn.execute(
            mt.group_memberships.insert().values(
                group_id=row["group"],
                state=row["state"],
                start_date=start,
                end_date=end,
                note=row.get("note") or None,
            )
        )
        member_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        seen: set[str] = set()
        for src in split_sources(row["source"]):
            sid = ensure_source(conn, src)
            if sid not in seen:
                seen.add(sid)
                conn.execute(
                    mt.group_membership_sources.insert().values(
                        membership_id=member_id, source_id=sid
                    )
                )


def _date(text: str, where: str) -> str | None:
    return str(PartialDate.parse(text, where=where)) if text else None


def member_on(start: str | None, end: str | None, day: dt.date) -> bool:
    """Whether a membership from ``start`` to ``end`` (inclusive, either may be open) covers
    ``day``. A start known only to the month or year counts from its last possible day and an
    end from its first, so an uncertain edge never adds a member."""
    if start and day < PartialDate.parse(start).latest():
        return False
    return not (end and day > PartialDate.parse(end).earliest())


def groups(store: Store) -> list[dict[str, Any]]:
    """Every group with its kind, source and member count (JSON-ready)."""
    sql = (
        "SELECT g.id, g.name, g.kind, g.note, s.url AS source, "
        "(SELECT COUNT(*) FROM group_memberships m WHERE m.group_id = g.id) AS memberships "
        "FROM state_groups g JOIN sources s ON s.id = g.source_id ORDER BY g.kind, g.id"
    )
    return store.query(sql)


def memberships(store: Store, group: str | None = None) -> list[dict[str, Any]]:
    """Membership rows (group, state, start_date, end_date, note, sources)."""
    sql = (
        'SELECT m.id, m.group_id AS "group", m.state, m.start_date, m.end_date, m.note, '
        "s.url FROM group_memberships m "
        "LEFT JOIN group_membership_sources x ON x.membership_id = m.id "
        "LEFT JOIN sources s ON s.id = x.source_id "
        f"{'WHERE m.group_id = :g' if group else ''} "
        "ORDER BY m.group_id, m.state, m.start_date"
    )
    out: dict[int, dict[str, Any]] = {}
    for r in store.query(sql, {"g": group}):
        row = out.setdefault(
            r["id"],
            {
                "group": r["group"],
                "state": r["state"],
                "start_date": r["start_date"],
                "end_date": r["end_date"],
                "note": r["note"],
                "sources": [],
            },
        )
        if r["url"]:
            row["sources"].append(r["url"])
    return list(out.values())


def groups_on(store: Store, by: str, day: dt.date) -> dict[str, set[str]]:
    """The groups named by ``by`` and their members on ``day``: group id → State codes.

    ``by`` is ``regional_group`` (the five UN regional groups), a group id (``eu``, ``nato``)
    or a group kind.
    """
    kind = BY_KINDS.get(by)
    known = {g["id"]: g["kind"] for g in store.query("SELECT id, kind FROM state_groups")}
    if kind is None and by in known:
        wanted = {by}
    else:
        wanted = {gid for gid, k in known.items() if k == (kind or by)}
    if not wanted:
        choices = ", ".join(sorted({*BY_KINDS, *known}))
        raise NotFoundError(f"unknown group or group kind {by!r} (known: {choices})")
    out: dict[str, set[str]] = {gid: set() for gid in sorted(wanted)}
    for r in store.query("SELECT group_id, state, start_date, end_date FROM group_memberships"):
        if r["group_id"] in wanted and member_on(r["start_date"], r["end_date"], day):
            out[r["group_id"]].add(r["state"])
    return out
