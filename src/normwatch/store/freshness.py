"""How current the data is: per treaty and per source, the newest act and the last import.

``data_as_of`` of a treaty is the latest of its newest act on record, the publication date
("Status as at") of its last import from the depositary, and the date of the depositary listing
its bundled acts were read from (a source noted "status as at 2026-02-03": that listing shows
every act up to that day). A date asked beyond it is answered,
with a warning that acts after it may be missing. Everything is computed from the store for
every treaty it knows, so a treaty added with a rule file and its acts needs nothing here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from normwatch.core.dates import PartialDate
from normwatch.errors import DataError, NotFoundError
from normwatch.store.db import Store

BUNDLED = "bundled data loaded"
#: the note of a source that is the depositary's listing as at a date
_LISTING = re.compile(r"status as (?:at|captured) (\d{4}-\d{2}-\d{2})")


def _latest_day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return PartialDate.parse(text[:10]).latest()
    except DataError:  # an unreadable stored date says nothing about freshness
        return None


def _newest(values: list[str | None]) -> str | None:
    """The latest of partial ISO dates (by their last possible day)."""
    best: tuple[dt.date, str] | None = None
    for v in values:
        day = _latest_day(v)
        if day is not None and v is not None and (best is None or day > best[0]):
            best = (day, v)
    return best[1] if best else None


def treaty_freshness(store: Store, treaty: str | None = None) -> dict[str, dict[str, Any]]:
    """Treaty id → ``newest_act``, ``listing_as_at``, ``last_import`` (time, importer,
    published) and ``data_as_of`` (ISO dates; None where nothing is on record); with
    ``treaty`` (an id), that treaty's entry alone, read from its own rows (a command about one
    treaty need not read every act). Read once per store version: do not change what it
    gives."""
    if treaty is None:
        return store.memo(("freshness",), lambda: _read_freshness(store, None))
    return store.memo(("freshness", treaty), lambda: _read_freshness(store, treaty))


def _read_freshness(store: Store, treaty: str | None) -> dict[str, dict[str, Any]]:
    where, params = ("", {}) if treaty is None else (" AND treaty = :t", {"t": treaty})
    acts: dict[str, list[str | None]] = {}
    for r in store.query(f"SELECT treaty, date FROM actions WHERE 1 = 1{where}", params):
        acts.setdefault(r["treaty"], []).append(r["date"])
    imports: dict[str, dict[str, Any]] = {}
    for r in store.query(
        "SELECT treaty, importer, imported_at, published FROM imports "
        f"WHERE treaty IS NOT NULL{where} ORDER BY imported_at",
        params,
    ):
        imports[r["treaty"]] = r  # the last one wins
    listed: dict[str, list[str | None]] = {}
    for r in store.query(
        "SELECT DISTINCT a.treaty, x.note FROM action_sources x "
        "JOIN actions a ON a.id = x.action_id WHERE x.note LIKE 'status as %'"
        + where.replace("treaty", "a.treaty"),
        params,
    ):
        m = _LISTING.match(r["note"] or "")
        if m:
            listed.setdefault(r["treaty"], []).append(m.group(1))
    created = store.query("SELECT value FROM meta WHERE key = 'created_at'")
    created_at = created[0]["value"] if created else None
    out: dict[str, dict[str, Any]] = {}
    for tid in _treaty_ids(store, treaty):
        newest = _newest(acts.get(tid, []))
        last = imports.get(tid)
        published = last["published"] if last else None
        listing = _newest(listed.get(tid, []))
        as_of = _newest([newest, published, listing])
        out[tid] = {
            "treaty": tid,
            "newest_act": newest,
            "listing_as_at": listing,
            "last_import": last["imported_at"] if last else created_at,
            "last_import_by": last["importer"] if last else BUNDLED,
            "last_import_published": published,
            "data_as_of": as_of,
        }
    return out


def _treaty_ids(store: Store, treaty: str | None) -> list[str]:
    """Every treaty id, or ``[treaty]`` if it is a treaty's id (found from its rule file
    alone) and no id at all if not."""
    if treaty is None:
        return sorted(store.treaties())
    from normwatch.catalog import get_treaty

    try:
        found = get_treaty(treaty)
    except NotFoundError:
        return []
    return [treaty] if found.id == treaty else []


def data_as_of(store: Store, treaty: str | None = None) -> dt.date | None:
    """The day up to which a treaty's acts are on record (the earliest over all treaties
    when ``treaty`` is None)."""
    if treaty is not None:
        from normwatch.catalog import get_treaty

        tid = get_treaty(treaty).id
        return _latest_day(treaty_freshness(store, tid).get(tid, {}).get("data_as_of"))
    fresh = treaty_freshness(store)
    days = [d for d in (_latest_day(f["data_as_of"]) for f in fresh.values()) if d]
    return min(days) if days else None


def beyond_warning(store: Store, on: dt.date, treaty: str | None = None) -> str | None:
    """A warning when ``on`` is after the data of ``treaty`` (of any treaty when None)."""
    if treaty is not None:
        from normwatch.catalog import get_treaty

        ids = [get_treaty(treaty).id]
        fresh = treaty_freshness(store, ids[0])
    else:
        fresh = treaty_freshness(store)
        ids = list(fresh)
    late: dict[str, list[str]] = {}  # data_as_of → treaties
    for tid in ids:
        f = fresh.get(tid)
        day = _latest_day(f["data_as_of"]) if f else None
        if f is not None and day is not None and on > day:
            late.setdefault(str(f["data_as_of"]), []).append(tid)
    if not late:
        return None
    parts = []
    for as_of, tids in sorted(late.items()):
        who = f"all {len(tids)} treaties" if len(tids) == len(ids) > 1 else ", ".join(tids)
        parts.append(f"{who}: data as of {as_of}")
    return (
        f"{on} is after the data on record ({'; '.join(parts)}): acts after that date may be "
        "missing"
    )


def as_of_text(store: Store) -> str:
    """One line for pages and help texts: ``data as of ccm 2026-03-…, apmbt …``."""
    fresh = treaty_freshness(store)
    parts = [f"{tid} {f['data_as_of'] or 'unknown'}" for tid, f in fresh.items()]
    return "data as of " + ", ".join(parts)


def source_freshness(store: Store) -> dict[str, str | None]:
    """Source id → the date of the newest act that cites it."""
    rows = store.query(
        "SELECT x.source_id AS sid, a.date FROM action_sources x "
        "JOIN actions a ON a.id = x.action_id"
    )
    by: dict[str, list[str | None]] = {}
    for r in rows:
        by.setdefault(r["sid"], []).append(r["date"])
    return {sid: _newest(dates) for sid, dates in by.items()}
