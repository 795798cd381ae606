"""Obligation facts read back from the store (:mod:`normwatch.sources.obligations` writes
them). Apart from the table's definition, so that a command that only reads facts does not
import SQLAlchemy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from normwatch.core.dates import PartialDate
from normwatch.core.model import Source
from normwatch.core.obligations import ObligationFact
from normwatch.errors import StoreError

if TYPE_CHECKING:
    from normwatch.store.db import Store

_SELECT = """
SELECT f.*, s.url FROM obligation_facts f JOIN sources s ON s.id = f.source_id
WHERE f.treaty = :treaty ORDER BY f.id
"""


def read_facts(store: Store, treaty: str) -> list[ObligationFact]:
    """Every obligation fact of a treaty, in the order they were recorded (read once per store
    version: do not change the list)."""
    return store.memo(("obligation_facts", treaty), lambda: _read_facts(store, treaty))


def _read_facts(store: Store, treaty: str) -> list[ObligationFact]:
    try:
        rows = store.query(_SELECT, {"treaty": treaty})
    except StoreError:  # a store made before the table existed: create and fill it first
        from normwatch.sources.obligations import ensure_table

        ensure_table(store)
        rows = store.query(_SELECT, {"treaty": treaty})
    facts = []
    for r in rows:

        def p(key: str, r: dict[str, Any] = r) -> PartialDate | None:
            return PartialDate.parse(r[key]) if r[key] else None

        facts.append(
            ObligationFact(
                treaty=treaty,
                state=r["state"],
                obligation=r["obligation"],
                source=Source(r["url"], confidence=r["confidence"], note=r["note"]),
                original_deadline=p("original_deadline"),
                extended_deadline=p("extended_deadline"),
                decided_at=r["extension_decided_at"],
                decision=r["decision"],
                decided_on=p("decided_on"),
                completed_on=p("completed_on"),
                completed_by=p("completed_by"),
                outstanding_on=p("outstanding_on"),
                report_year=r["report_year"],
                before_eif=bool(r["before_eif"]),
                declared=bool(r["declared"]),
                where=r["origin"],
                # a store made before the column existed has no such facts
                hostilities_ended=p("hostilities_ended") if "hostilities_ended" in r else None,
            )
        )
    return facts
