"""Open-data exports: every table of the store, in CSV, JSON, Parquet or SQLite.

``normwatch export DIR --format csv,json,parquet,sqlite`` writes one file per table and format
(one ``normwatch.sqlite`` for SQLite), plus ``status_periods``, the engine's result as a table
(each State's successive statuses per treaty, with the rule applied), and a Frictionless
``datapackage.json`` that describes every file: the CSV files as tables with their schema,
primary and foreign keys (so ``frictionless validate DIR/datapackage.json`` checks every row
and every reference), the others as files with their size and SHA-256 hash.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from normwatch.errors import DataError, StoreError
from normwatch.formats import spreadsheet_safe

if TYPE_CHECKING:
    from sqlalchemy import Table

    from normwatch.store.db import Store

FORMATS = ("csv", "json", "parquet", "sqlite")
DEFAULT_FORMATS = ("csv", "json", "sqlite")
SQLITE_NAME = "normwatch.sqlite"

#: the derived table: (name, frictionless type, required, description)
STATUS_PERIOD_FIELDS = (
    ("treaty", "string", True, "treaty id"),
    ("state", "string", True, "ISO 3166-1 alpha-3"),
    ("status", "string", True, "signatory, consented, party, withdrawing or withdrawn"),
    ("start", "date", False, "first day of the status"),
    ("end", "date", False, "first day of the next status (empty: still current)"),
    ("notified", "date", False, "withdrawal: day the depositary received it"),
    ("effective", "date", False, "withdrawal: day it takes effect (empty while postponed)"),
    ("postponed", "boolean", False, "withdrawal postponed by an armed conflict"),
    ("rule", "string", True, "the article applied"),
)


@dataclass(frozen=True)
class Resource:
    """One exported table: its name, rows and Frictionless schema."""

    name: str
    fields: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]
    description: str

    @property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.fields]


def parse_formats(text: str | Sequence[str]) -> list[str]:
    parts = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for p in (x.strip().lower() for x in parts):
        if not p:
            continue
        if p not in FORMATS:
            raise DataError(f"unknown export format {p!r} (known: {', '.join(FORMATS)})")
        if p not in out:
            out.append(p)
    if not out:
        raise DataError("no export format given")
    return out


# -- reading -----------------------------------------------------------------------------------


def _field_type(column: Any) -> str:
    from sqlalchemy import Boolean, Date, Float, Integer, Numeric

    t = column.type
    if isinstance(t, Boolean):
        return "boolean"
    if isinstance(t, Integer):
        return "integer"
    if isinstance(t, Float | Numeric):
        return "number"
    if isinstance(t, Date):
        return "date"
    return "string"


def _table_resource(table: Table, rows: list[dict[str, Any]]) -> Resource:
    fields = []
    for c in table.columns:
        f: dict[str, Any] = {"name": c.name, "type": _field_type(c)}
        if not c.nullable:
            f["constraints"] = {"required": True}
        if c.comment:
            f["description"] = c.comment
        fields.append(f)
    fks = []
    # SQLAlchemy keeps them in a set: sorted, the package is the same on every run
    for fk in sorted(table.foreign_key_constraints, key=lambda k: [c.name for c in k.columns]):
        fks.append(
            {
                "fields": [c.name for c in fk.columns],
                "reference": {
                    "resource": fk.referred_table.name,
                    "fields": [e.column.name for e in fk.elements],
                },
            }
        )
    return Resource(
        table.name,
        fields,
        rows,
        [c.name for c in table.primary_key.columns],
        fks,
        table.comment or f"the {table.name} table of the normwatch store",
    )


def _status_periods(store: Store) -> Resource:
    rows = []
    for treaty in sorted(store.treaties()):
        view = store.view(treaty)
        for state in sorted(view.timelines):
            for p in view.timelines[state].periods:
                rows.append(
                    {
                        "treaty": view.rules.id,
                        "state": state,
                        "status": p.status.value,
                        "start": p.start,
                        "end": p.end,
                        "notified": p.notified,
                        "effective": p.effective,
                        "postponed": p.postponed if p.notified else None,
                        "rule": p.explanation.rule,
                    }
                )
    fields = []
    for name, ftype, required, desc in STATUS_PERIOD_FIELDS:
        f: dict[str, Any] = {"name": name, "type": ftype, "description": desc}
        if required:
            f["constraints"] = {"required": True}
        fields.append(f)
    fks = [
        {"fields": ["state"], "reference": {"resource": "states", "fields": ["code"]}},
        {"fields": ["treaty"], "reference": {"resource": "treaties", "fields": ["id"]}},
    ]
    return Resource(
        "status_periods",
        fields,
        rows,
        [],
        fks,
        "derived: each State's successive statuses per treaty as computed by the "
        "rules engine (a State with no treaty action has no row: it is "
        "non_signatory throughout)",
    )


def collect(store: Store) -> list[Resource]:
    """Every public table of the store that exists in its database, then ``status_periods``.

    Accounts, API tokens, web sessions and the session-signing key are private: they are never
    written, so neither an export nor the site's ``/data`` downloads can leak them."""
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from normwatch.features import import_schema_modules
    from normwatch.store import schema
    from normwatch.store.db import brief
    from normwatch.store.team_tables import PRIVATE_META_KEYS

    import_schema_modules()
    try:
        with store.engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            resources = []
            for table in schema.metadata.sorted_tables:
                if table.name not in present or table.info.get("private"):
                    continue
                order = list(table.primary_key.columns) or list(table.columns)
                query = select(table).order_by(*order)
                if table is schema.meta:
                    query = query.where(schema.meta.c.key.not_in(sorted(PRIVATE_META_KEYS)))
                rows = [dict(r._mapping) for r in conn.execute(query)]
                resources.append(_table_resource(table, rows))
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read store {store.shown}: {brief(exc, store.url)}") from None
    resources.append(_status_periods(store))
    return resources


# -- writing -----------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _write_csv(res: Resource, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(res.columns)
        for row in res.rows:
            w.writerow([spreadsheet_safe(_cell(row.get(c))) for c in res.columns])


def _write_json(res: Resource, path: Path) -> None:
    rows = [{c: _plain(row.get(c)) for c in res.columns} for row in res.rows]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _write_parquet(res: Resource, path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise DataError("the parquet format needs pyarrow: pip install pyarrow") from None
    types = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "string": pa.string(),
    }
    schema = pa.schema([pa.field(f["name"], types[f["type"]]) for f in res.fields])
    columns = {c: [row.get(c) for row in res.rows] for c in res.columns}
    pq.write_table(pa.table(columns, schema=schema), path)


def _write_sqlite(resources: Iterable[Resource], path: Path) -> None:
    import sqlite3

    if path.exists():
        path.unlink()
    types = {
        "integer": "INTEGER",
        "number": "REAL",
        "boolean": "INTEGER",
        "date": "TEXT",
        "string": "TEXT",
    }
    con = sqlite3.connect(path)
    try:
        with con:
            for res in resources:
                cols = []
                for f in res.fields:
                    req = " NOT NULL" if f.get("constraints", {}).get("required") else ""
                    cols.append(f'"{f["name"]}" {types[f["type"]]}{req}')
                if res.primary_key:
                    cols.append(
                        "PRIMARY KEY (" + ", ".join(f'"{c}"' for c in res.primary_key) + ")"
                    )
                con.execute(f'CREATE TABLE "{res.name}" ({", ".join(cols)})')
                marks = ", ".join("?" for _ in res.columns)
                con.executemany(
                    f'INSERT INTO "{res.name}" VALUES ({marks})',
                    [[_sqlite_value(row.get(c)) for c in res.columns] for row in res.rows],
                )
                for fk in res.foreign_keys:
                    col = fk["fields"][0]
                    con.execute(
                        f'CREATE INDEX IF NOT EXISTS "ix_{res.name}_{col}" '
                        f'ON "{res.name}" ("{col}")'
                    )
            con.execute(
                'CREATE INDEX "ix_status_periods_treaty_start" ON status_periods (treaty, start)'
            )
    finally:
        con.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return _plain(value)


def _file_entry(
    path: Path, name: str, fmt: str, mediatype: str, description: str
) -> dict[str, Any]:
    data = path.read_bytes()
    return {
        "name": name,
        "type": "file" if fmt in ("parquet", "sqlite") else "json",
        "path": path.name,
        "format": fmt,
        "mediatype": mediatype,
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "description": description,
    }


def _refuse_store_target(store: Store, out: Path, fmts: Sequence[str]) -> None:
    """Refuse an export that would write over the store's own file."""
    from normwatch.store import schema as t

    own = getattr(store, "_sqlite", None)
    if own is None:
        return
    own_path = Path(own).resolve()
    names = {"datapackage.json"}
    if "sqlite" in fmts:
        names.add(SQLITE_NAME)
    ext = {"csv": ".csv", "json": ".json", "parquet": ".parquet"}
    for table in [*t.metadata.tables, "status_periods"]:
        names.update(f"{table}{ext[f]}" for f in fmts if f in ext)
    for name in names:
        target = out / name
        if target.resolve() == own_path:
            raise DataError(
                f"refusing to export into {out}: {target} is the store itself; "
                "choose another directory"
            )


#: the licence of normwatch's own compilation (the selection, arrangement and the computed
#: tables); each bundled fact's source keeps its own terms
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
SOURCE_TERMS = (
    "The licence covers normwatch's compilation: the selection and arrangement of the facts, "
    "the identifiers and the computed tables (status_periods). The documents each fact comes "
    "from (the UN depositary's records, government and treaty-body pages, the other sources "
    "in sources.csv) keep their own terms; cite them as given in each row."
)
#: the files most people want, with what each answers (CSV, else the JSON of the same table)
START_HERE = (
    ("status_periods", "who was bound by each treaty, from when to when, and why"),
    ("actions", "every signature, instrument of consent and withdrawal, with its date"),
    ("sources", "the source of each fact (linked to the actions by action_sources)"),
)


def data_as_of(store: Store) -> str | None:
    """The day of the newest fact in the store: the latest dated act or event, source
    publication or import (dates keep their precision; None for an empty store)."""
    days = [
        r["d"]
        for sql in (
            "SELECT MAX(date) AS d FROM actions",
            "SELECT MAX(date) AS d FROM events",
            "SELECT MAX(published) AS d FROM sources",
            "SELECT MAX(published) AS d FROM imports",
            "SELECT MAX(substr(imported_at, 1, 10)) AS d FROM imports",
        )
        for r in store.query(sql)
        if r["d"]
    ]
    return max(days) if days else None


def citation(version: str, as_of: str | None) -> str:
    """How to cite the data package (the page adds its address and the day of retrieval)."""
    day = f", data as of {as_of}" if as_of else ""
    return (
        f"normwatch: humanitarian disarmament treaties, who is bound and why. Data package, "
        f"version {version}{day}. Licensed {DATA_LICENSE['title']} ({DATA_LICENSE['name']})."
    )


def export(
    store: Store,
    directory: str | Path,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    created: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Write the store's tables to ``directory``; returns one row per file written.

    ``progress("writing", done, total)`` is called before each table and once all are written
    (the SQLite file counts as one more)."""
    from normwatch import __version__
    from normwatch.store.stamps import now_iso

    fmts = parse_formats(formats)
    out = Path(directory)
    _refuse_store_target(store, out, fmts)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create {out}: {exc}") from None
    resources = collect(store)
    entries: list[dict[str, Any]] = []
    written: list[dict[str, Any]] = []
    steps = len(resources) + ("sqlite" in fmts)
    for i, res in enumerate(resources):
        if progress:
            progress("writing", i, steps)
        if "csv" in fmts:
            path = out / f"{res.name}.csv"
            _write_csv(res, path)
            data = path.read_bytes()
            schema: dict[str, Any] = {"fields": res.fields}
            if res.primary_key:
                schema["primaryKey"] = res.primary_key
            if res.foreign_keys:
                schema["foreignKeys"] = res.foreign_keys
            entries.append(
                {
                    "name": res.name,
                    "type": "table",
                    "path": path.name,
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": len(data),
                    "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                    "description": res.description,
                    "schema": schema,
                }
            )
            written.append({"file": path.name, "format": "csv", "rows": len(res.rows)})
        if "json" in fmts:
            path = out / f"{res.name}.json"
            _write_json(res, path)
            entries.append(
                _file_entry(
                    path,
                    f"{res.name}-json",
                    "json",
                    "application/json",
                    f"{res.description} (JSON: an array of objects)",
                )
            )
            written.append({"file": path.name, "format": "json", "rows": len(res.rows)})
        if "parquet" in fmts:
            path = out / f"{res.name}.parquet"
            _write_parquet(res, path)
            entries.append(
                _file_entry(
                    path,
                    f"{res.name}-parquet",
                    "parquet",
                    "application/vnd.apache.parquet",
                    f"{res.description} (Parquet)",
                )
            )
            written.append({"file": path.name, "format": "parquet", "rows": len(res.rows)})
    if "sqlite" in fmts:
        if progress:
            progress("writing", len(resources), steps)
        path = out / SQLITE_NAME
        _write_sqlite(resources, path)
        entries.append(
            _file_entry(
                path,
                "normwatch-sqlite",
                "sqlite",
                "application/vnd.sqlite3",
                "every table above in one SQLite database",
            )
        )
        written.append(
            {"file": path.name, "format": "sqlite", "rows": sum(len(r.rows) for r in resources)}
        )
    as_of = data_as_of(store)
    paths = {e["name"]: e["path"] for e in entries}
    start_here = []
    for name, why in START_HERE:
        found = paths.get(name) or paths.get(f"{name}-json") or paths.get(f"{name}-parquet")
        if found:
            start_here.append({"path": found, "description": why})
    package = {
        "name": "normwatch",
        "title": "normwatch: humanitarian disarmament treaties, who is bound and why",
        "description": (
            "Treaty actions recorded by the depositary (signatures, instruments of consent, "
            "withdrawals) for the Convention on Cluster Munitions and the Anti-Personnel Mine "
            "Ban Convention, each with its sources; the States counted; domestic events; "
            "armed conflicts relevant to withdrawal; and status_periods, each State's "
            "statuses as computed by the normwatch rules engine."
        ),
        "version": __version__,
        "created": created or now_iso(),
        "data_as_of": as_of,
        "licenses": [DATA_LICENSE],
        "terms": SOURCE_TERMS,
        "citation": citation(__version__, as_of),
        "start_here": start_here,
        "sources": [
            {
                "title": "United Nations Treaty Collection (depositary records)",
                "path": "https://treaties.un.org/",
            },
            {"title": "the source named in each row of sources.csv"},
        ],
        "resources": entries,
    }
    (out / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written.append({"file": "datapackage.json", "format": "json", "rows": len(entries)})
    if progress:
        progress("writing", steps, steps)
    return written
