"""Obligation facts: the sourced record of declarations, extensions, completions and reports.

One row per State, obligation and step, as in the vetted ``ccm/obligations.csv`` (its columns
are kept, with its ``source_url``, ``confidence`` and ``note``), plus columns that make explicit
what the notes say in words:

==================  ==========================================================================
``decision``        for an extension row: ``granted``, or ``requested`` (outcome not verified)
``decided_on``      when the deciding meeting met, where a source dates it (YYYY[-MM[-DD]])
``completed_on``    completion (or, for a report, submission) date, of whatever precision
``completed_by``    a source says it was complete by then, without giving the date itself
``outstanding_on``  a source says it was still outstanding on that date (deadline missed ...)
``report_year``     for a yearly report: the calendar year it covers
``before_eif``      ``yes``: a source dates the completion before entry into force for the State
``declared``        ``no``: the row records a deadline but the State declares nothing to do
``hostilities_ended``  the work arose after entry into force, in hostilities whose active
                    phase ended then: the row belongs to the deadline counted from that day
                    (CCM art. 4(1)(b)), and so do its extension and completion rows
==================  ==========================================================================

A row whose ``state`` is ``*`` is an aggregate statement about all States Parties (e.g. "all
States Parties have completed stockpile destruction"). Unknown stays unknown: an empty cell is
NULL, never a guess.

Loading checks only the form of each row (dates, numbers, a source); whether a fact makes sense
(a known State and obligation, an extension that moves the deadline later ...) is for
``normwatch check`` (:func:`normwatch.service.obligations.check`), which names file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text

from normwatch.core import schemas
from normwatch.core.dates import PartialDate
from normwatch.core.model import Source
from normwatch.core.obligations import ALL_STATES, ObligationFact
from normwatch.core.schemas.obligations import REQUIRED_COLUMNS, ObligationRow
from normwatch.errors import DataError, SourceError, StoreError
from normwatch.sources import _csv
from normwatch.store.schema import metadata

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from normwatch.store.db import Store, Verify

FILE_NAME = "obligations.csv"

obligation_facts = Table(
    "obligation_facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("treaty", String(32), ForeignKey("treaties.id"), nullable=False, index=True),
    # no foreign key: "*" is an aggregate, and an unknown code is reported by the check
    Column("state", String(8), nullable=False),
    Column("obligation", String(64), nullable=False),
    Column("original_deadline", String(10)),
    Column("extended_deadline", String(10)),
    Column("extension_decided_at", Text),
    Column("decision", String(16)),
    Column("decided_on", String(10)),
    Column("completed_on", String(10)),
    Column("completed_by", String(10)),
    Column("outstanding_on", String(10)),
    Column("report_year", Integer),
    Column("before_eif", Integer, nullable=False, default=0),
    Column("declared", Integer, nullable=False, default=1),
    Column("hostilities_ended", String(10)),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("confidence", String(16)),
    Column("note", Text),
    Column("origin", Text),
)


# --- reading CSV rows ---------------------------------------------------------------------


def _row_problems(
    treaty: str, row: dict[str, str], where: str
) -> tuple[ObligationFact | None, list[str]]:
    """One CSV row checked by :class:`ObligationRow`: the fact, or every problem of the row."""
    cells = {k: v for k, v in row.items() if v or k in REQUIRED_COLUMNS}
    model, found = schemas.problems(ObligationRow, cells, where)
    if not isinstance(model, ObligationRow):
        column = {key: i for i, key in enumerate(row)}  # problems in the table's column order
        found.sort(key=lambda p: column.get(p[len(where) + 2 :].partition(":")[0], len(column)))
        return None, found

    def day(value: str | None) -> PartialDate | None:
        return PartialDate.parse(value) if value else None

    decision = model.decision
    extended = day(model.extended_deadline)
    decided_at = model.extension_decided_at or None
    if decision is None and (extended is not None or decided_at is not None):
        # a row that names a new deadline or a deciding meeting is an extension step;
        # without a stated decision it is taken as granted, as the vetted data records them
        decision = "granted"
    fact = ObligationFact(
        treaty=treaty,
        state=model.iso3.upper(),
        obligation=model.obligation,
        source=Source(model.source_url, confidence=model.confidence, note=model.note),
        original_deadline=day(model.original_deadline),
        extended_deadline=extended,
        decided_at=decided_at,
        decision=decision,
        decided_on=day(model.decided_on),
        completed_on=day(model.completed_on),
        completed_by=day(model.completed_by),
        outstanding_on=day(model.outstanding_on),
        report_year=int(model.report_year) if model.report_year else None,
        before_eif=model.before_eif,
        declared=model.declared,
        hostilities_ended=day(model.hostilities_ended),
        where=where,
    )
    return fact, []


def _raise(found: list[str], name: str) -> None:
    if len(found) == 1:
        raise DataError(found[0])
    lines = "\n".join(f"  - {p}" for p in found)
    raise DataError(f"{schemas.listed(len(found), name)}:\n{lines}")


def parse_row(treaty: str, row: dict[str, str], where: str) -> ObligationFact:
    """One CSV row as a fact; malformed values are a DataError naming file, line and field
    (every problem of the row)."""
    fact, found = _row_problems(treaty, row, where)
    if fact is None:
        _raise(found, where)
    assert fact is not None
    return fact


def parse_csv(treaty: str, text: str, name: str) -> list[ObligationFact]:
    """Every row of an obligations CSV (the bundled layout), labelled ``name:line``; a
    DataError lists the problems of every row at once."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in _csv.fieldnames(reader, name)]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", where=name)
    facts = []
    found: list[str] = []
    for row in _csv.rows(reader, name):
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        fact, row_found = _row_problems(treaty, clean, f"{name}:{reader.line_num}")
        found.extend(row_found)
        if fact is not None:
            facts.append(fact)
    if found:
        _raise(found, name)
    return facts


def fictional_rows(text: str, name: str) -> list[str]:
    """``name:line`` of each row whose ``fictional`` column is ``yes`` / ``true`` (a fact
    written for tests or a tour, which only an example store takes)."""
    reader = csv.DictReader(io.StringIO(text))
    found = []
    for row in _csv.rows(reader, name):
        value = (row.get("fictional") or "").strip().lower()
        if value in ("yes", "true", "1"):
            found.append(f"{name}:{reader.line_num}")
        elif value not in ("", "no", "false", "0"):
            raise DataError(
                f"{value!r} is not yes or no", where=f"{name}:{reader.line_num}: fictional"
            )
    return found


# --- writing to and reading from the store ------------------------------------------------


def write_facts(conn: Connection, facts: Iterable[ObligationFact]) -> int:
    """Insert facts (with their sources) in the caller's transaction; returns how many."""
    from normwatch.store.facts import ensure_source

    rows = []
    for f in facts:

        def s(p: PartialDate | None) -> str | None:
            return str(p) if p is not None else None

        rows.append(
            {
                "treaty": f.treaty,
                "state": f.state,
                "obligation": f.obligation,
                "original_deadline": s(f.original_deadline),
                "extended_deadline": s(f.extended_deadline),
                "extension_decided_at": f.decided_at,
                "decision": f.decision,
                "decided_on": s(f.decided_on),
                "completed_on": s(f.completed_on),
                "completed_by": s(f.completed_by),
                "outstanding_on": s(f.outstanding_on),
                "report_year": f.report_year,
                "before_eif": int(f.before_eif),
                "declared": int(f.declared),
                "hostilities_ended": s(f.hostilities_ended),
                # the note is the row's, not the source's: keep it on the fact
                "source_id": ensure_source(conn, Source(f.source.url)),
                "confidence": f.source.confidence,
                "note": f.source.note,
                "origin": f.where,
            }
        )
    if rows:
        conn.execute(obligation_facts.insert(), rows)
    return len(rows)


def _bundled_files() -> Iterator[tuple[str, str, str]]:
    """(treaty, label, text) of each bundled ``<data>/obligations.csv``."""
    from normwatch.catalog import all_treaties, data_text, has_data

    for rules in all_treaties().values():
        name = f"{rules.data}/{FILE_NAME}"
        if rules.data and has_data(name):
            yield rules.id, name, data_text(name)


def load_bundled(conn: Connection, codes: set[str]) -> None:
    """Bundled loader (``features.BUNDLED_LOADERS``): every treaty's ``obligations.csv``."""
    del codes  # unknown State codes are kept and reported by the check, with file and line
    for treaty, name, text in _bundled_files():
        write_facts(conn, parse_csv(treaty, text, name))


def _table_exists(store: Store) -> bool:
    try:
        store.query("SELECT 1 FROM obligation_facts LIMIT 1")
    except StoreError:
        return False
    return True


def ensure_table(store: Store) -> None:
    """Create and fill the facts table in a store made before this feature existed."""
    if _table_exists(store):
        return
    codes = set(store.registry().codes)
    with store.transaction() as conn:
        obligation_facts.create(conn, checkfirst=True)
        load_bundled(conn, codes)


def import_facts(
    store: Store, treaty: str, path: str | Path, *, verify: Verify | None = None
) -> list[ObligationFact]:
    """Add the facts of a CSV file (bundled layout) to the store, in one transaction; returns
    the facts written.

    A malformed value, an unknown State code or an unknown obligation id stops the import
    with an error naming file, line and field, before anything is written. Rows keep
    ``file:line`` as their origin, so that ``normwatch check`` can point at them for the
    checks that need the rest of the store (dates against entry into force, extensions ...).
    ``verify`` wraps the writes and may refuse them.
    """
    from contextlib import nullcontext

    from normwatch.catalog import get_treaty, obligation_rules
    from normwatch.core.obligation_rules import known_fact_names

    rules = get_treaty(treaty)
    p = Path(path)
    from normwatch import inputs

    try:
        text = inputs.read_text(p)
    except SourceError as exc:
        raise DataError(str(exc).removeprefix(f"{p}: "), where=str(p)) from None
    facts = parse_csv(rules.id, text, p.name)
    fictional = fictional_rows(text, p.name)
    if fictional:
        from normwatch.store.db import refuse_fiction

        refuse_fiction(store, f"{fictional[0]}: fictional")
    codes = set(store.registry().codes)
    names = known_fact_names(obligation_rules(rules))
    for f in facts:
        if f.state != ALL_STATES and f.state not in codes:
            raise DataError(f"unknown State code {f.state!r}", where=f"{f.label}: iso3")
        if f.obligation not in names:
            raise DataError(
                f"unknown obligation id {f.obligation!r} for {rules.id} (known: "
                f"{', '.join(sorted(names))})",
                where=f"{f.label}: obligation",
            )
    ensure_table(store)
    from normwatch.store.journal import journaled

    with (
        store.transaction() as conn,
        journaled(conn, f"obligations {rules.id}", str(p.resolve())),
        (verify or nullcontext)(conn),
    ):
        write_facts(conn, facts)
    return facts
