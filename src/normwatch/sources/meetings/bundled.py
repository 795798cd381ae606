"""Bundled meetings: the list of meetings per treaty and the meeting records shipped as
directories in the import format.

``data/meetings/<treaty>/meetings.csv`` is a copy of the vetted list (source and confidence
columns kept; ``kind`` and ``number`` added). Every ``data/meetings/<id>/`` holding a
``meeting.yaml`` is then imported exactly as ``normwatch meetings import`` would, so a bundled
record and a user's directory follow the same rules (the 12th CCM Meeting of States Parties
is one). Both run inside the store's first load transaction.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from normwatch.catalog import all_treaties
from normwatch.core.dates import PartialDate
from normwatch.core.meetings import MeetingKind, SourceRef
from normwatch.core.registry import Registry
from normwatch.errors import DataError

if TYPE_CHECKING:
    from sqlalchemy import Connection

LIST_COLUMNS = (
    "code",
    "kind",
    "number",
    "name",
    "start_date",
    "end_date",
    "venue",
    "president",
    "source_url",
)


def load_meetings(conn: Connection, codes: set[str]) -> None:
    """Bundled loader (``features.BUNDLED_LOADERS``): meeting lists, then meeting records."""
    from normwatch.catalog import has_data
    from normwatch.sources.meetings.importer import registry_from_conn

    registry = registry_from_conn(conn)
    for treaty in sorted(all_treaties()):
        name = f"meetings/{treaty}/meetings.csv"
        if has_data(name):
            _load_list(conn, treaty, name, registry)
    _load_records(conn)


def _load_list(conn: Connection, treaty: str, name: str, registry: Registry) -> None:
    from normwatch.catalog import read_csv
    from normwatch.sources.meetings.importer import ensure_source_ref
    from normwatch.store import meeting_tables as mt

    for where, row in read_csv(name, LIST_COLUMNS):
        for column in ("code", "kind", "name", "start_date", "source_url"):
            if not row[column]:
                raise DataError("empty value", where=f"{where}: {column}")
        try:
            kind = MeetingKind(row["kind"])
        except ValueError:
            raise DataError(f"unknown kind {row['kind']!r}", where=f"{where}: kind") from None
        start = PartialDate.parse(row["start_date"], where=f"{where}: start_date")
        end = (
            PartialDate.parse(row["end_date"], where=f"{where}: end_date")
            if row["end_date"]
            else None
        )
        president = (
            registry.resolve(row["president"], where=f"{where}: president")
            if row["president"]
            else None
        )
        mid = f"{treaty}-{row['code'].lower()}"
        conn.execute(
            mt.meetings.insert().values(
                id=mid,
                treaty=treaty,
                kind=kind.value,
                number=int(row["number"]) if row["number"] else None,
                name=row["name"],
                start_date=str(start),
                end_date=str(end) if end else None,
                venue=row["venue"] or None,
                president=president,
                completeness=None,
                confidence=row.get("confidence") or None,
                note=row.get("note") or None,
            )
        )
        for position, url in enumerate(u.strip() for u in row["source_url"].split(" ; ")):
            conn.execute(
                mt.meeting_sources.insert().values(
                    meeting_id=mid,
                    source_id=ensure_source_ref(conn, SourceRef(url)),
                    position=position,
                )
            )


def _load_records(conn: Connection) -> None:
    from normwatch.sources.meetings.importer import import_directory

    root = resources.files("normwatch") / "data" / "meetings"
    if not root.is_dir():
        return
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and (entry / "meeting.yaml").is_file():
            with resources.as_file(entry) as path:
                import_directory(conn, path)
