"""One report for every importer: what is new, changed, gone or in conflict, and the problems.

Each importer keeps its own way of comparing what it reads with the store (the UN status files
act by act, a meeting folder table by table, an obligations table fact by fact); the functions
here run it and answer in one shape, :class:`ImportReport`, which ``normwatch import …`` prints
as a table, as CSV (one row per change, or per table where an importer counts rows only) or as
JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from normwatch.service.import_checks import ImportCheck

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from normwatch.sources.untc.importer import Item, Report
    from normwatch.store.db import Store

ChangeKind = Literal["new", "changed", "gone", "conflict"]
_MARK: dict[str, str] = {"new": "+", "changed": "~", "gone": "-", "conflict": "!"}


class TableCounts(BaseModel):
    """Rows of one table that the import adds, changes or removes."""

    new: int = 0
    changed: int = 0
    gone: int = 0


class Change(BaseModel):
    """One change an import makes (or, in a dry run, would make)."""

    table: str
    change: ChangeKind
    key: str = Field(description="what changes: a State's code, 'STATE obligation', …")
    name: str | None = None
    before: str | None = None
    after: str | None = None
    note: str | None = None
    #: how many rows the line stands for (1, or a table's count where only counts are known)
    count: int = 1


class ImportReport(BaseModel):
    """The report of one import, the same for every importer."""

    importer: Literal["untc", "meeting", "obligations"]
    source: str = Field(description="the file, folder or URL read")
    target: str = Field(description="the treaty or the meeting the facts belong to")
    dry_run: bool = False
    new: int = 0
    changed: int = 0
    gone: int = 0
    conflicts: int = 0
    tables: dict[str, TableCounts] = Field(default_factory=dict)
    changes: list[Change] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="warnings: written anyway")
    refusal: str | None = Field(default=None, description="why it was not applied, if it was not")
    facts: dict[str, Any] = Field(
        default_factory=dict, description="what the importer read, e.g. acts confirmed"
    )

    #: the CSV columns, one row per change
    CSV_COLUMNS: ClassVar[tuple[str, ...]] = (
        "importer",
        "source",
        "target",
        "table",
        "change",
        "key",
        "name",
        "before",
        "after",
        "note",
        "count",
    )

    def rows(self) -> list[dict[str, Any]]:
        head = {"importer": self.importer, "source": self.source, "target": self.target}
        return [{**head, **c.model_dump()} for c in self.changes]

    def lines(self) -> list[str]:
        """The report for a terminal: one line per change, then the totals and problems."""
        out = [f"{self.source} → {self.target}"]
        for c in self.changes:
            what = c.key if c.count == 1 else f"{c.table}: {c.count}"
            if c.before and c.after:
                what += f" {c.before} → {c.after}"
            elif c.after or c.before:
                what += f" {c.after or c.before}"
            if c.note:
                what += f" ({c.note})"
            out.append(f"{_MARK[c.change]} {what}")
        extra = "".join(
            f", {v} {k}"
            for k, v in self.facts.items()
            if isinstance(v, int) and not isinstance(v, bool)
        )
        if self.dry_run:
            verdict = " (dry run: nothing written)"
        elif self.facts.get("created"):
            verdict = ": created"
        elif not (self.new or self.changed or self.gone):
            verdict = ": unchanged"
        else:
            verdict = ""
        out.append(
            f"  {self.new} new, {self.changed} changed, {self.gone} gone, "
            f"{self.conflicts} conflicts{extra}{verdict}"
        )
        if self.refusal:
            out.append(f"  refused: {self.refusal}")
        out += [f"  warning: {p}" for p in self.problems]
        return out


def _totals(report: ImportReport) -> ImportReport:
    for kind in ("new", "changed", "gone"):
        setattr(report, kind, sum(getattr(t, kind) for t in report.tables.values()))
    report.conflicts = sum(c.count for c in report.changes if c.change == "conflict")
    return report


def _act(item: Item) -> str:
    return f"{item.action} {item.date}"


def from_untc(report: Report) -> ImportReport:
    """The report of one UN status file (every act compared with the store's)."""
    changes: list[Change] = []
    for kind, items in (
        ("new", report.new),
        ("changed", report.changed),
        ("gone", report.gone),
        ("conflict", report.conflicts),
    ):
        for i in items:
            b = i.before or {}
            before = f"{b.get('action')} {b.get('date')}" if b else None
            note = i.note
            if kind == "conflict" and b.get("source"):
                note = f"on record from {b['source']}" + (f"; {note}" if note else "")
            changes.append(
                Change(
                    table="actions",
                    change=kind,  # type: ignore[arg-type]
                    key=i.state,
                    name=i.name,
                    before=before if kind in ("changed", "conflict") else None,
                    after=_act(i),
                    note=note,
                )
            )
    counts = TableCounts(new=len(report.new), changed=len(report.changed), gone=len(report.gone))
    return _totals(
        ImportReport(
            importer="untc",
            source=report.source,
            target=report.treaty,
            dry_run=report.dry_run,
            tables={"actions": counts},
            changes=changes,
            problems=list(report.warnings),
            refusal=report.refusal,
            facts={"reference": report.reference, "confirmed": report.confirmed},
        )
    )


def import_untc(
    store: Store,
    sources: Iterable[str],
    *,
    treaty: str | None = None,
    dry_run: bool = False,
    allow_removals: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[ImportReport]:
    """``normwatch import untc``: every file read and checked before anything is written; each
    file's result must pass ``normwatch check`` (:mod:`normwatch.service.import_checks`)."""
    from normwatch.service.status import affected_by
    from normwatch.sources.untc.importer import import_untc_files

    checks: list[ImportCheck] = []

    def verify(conn: Connection, treaty: str) -> AbstractContextManager[object]:
        # checked for the treaties the file's acts can change; a result is the next file's
        # starting point, so a file of the same treaty is not checked twice
        scope = affected_by(store, treaty)
        same = checks and checks[-1].treaties == scope
        checks.append(ImportCheck(store, "import untc", checks[-1].after if same else None, scope))
        return checks[-1](conn)

    reports = import_untc_files(
        store,
        list(sources),
        treaty=treaty,
        dry_run=dry_run,
        allow_removals=allow_removals,
        progress=progress,
        verify=verify,
    )
    out = [from_untc(r) for r in reports]
    if not dry_run:
        for report, done in zip(out, checks, strict=True):
            report.problems.extend(done.warnings)
    return out


def import_meeting(store: Store, directory: str | Path) -> ImportReport:
    """``normwatch import meeting DIR``: one transaction; nothing written on any problem."""
    from normwatch.sources.meetings.importer import import_meeting as run

    check = ImportCheck(store, str(directory))
    report = meeting_report(run(store, directory, verify=check), str(directory))
    report.problems += check.warnings
    return report


def meeting_report(raw: dict[str, Any], source: str) -> ImportReport:
    """The report of a meeting importer's per-table counts (a folder, or statement files)."""
    tables: dict[str, TableCounts] = {}
    changes: list[Change] = []
    for table, c in raw["tables"].items():
        counts = TableCounts(new=c["new"], changed=c["changed"], gone=c["removed"])
        tables[table] = counts
        for kind in ("new", "changed", "gone"):
            n = getattr(counts, kind)
            if n:
                changes.append(Change(table=table, change=kind, key=table, count=n))
    return _totals(
        ImportReport(
            importer="meeting",
            source=source,
            target=raw["meeting"],
            tables=tables,
            changes=changes,
            problems=list(raw["warnings"]),
            facts={
                k: raw[k] for k in ("created", "participants", "statements", "codings") if k in raw
            },
        )
    )


def import_obligations(store: Store, treaty: str, file: str | Path) -> ImportReport:
    """``normwatch import obligations``: the facts of a CSV table added in one transaction."""
    from normwatch.catalog import get_treaty
    from normwatch.sources.obligations import import_facts

    rules = get_treaty(treaty)
    check = ImportCheck(store, str(file), treaties={rules.id})
    facts = import_facts(store, rules.id, file, verify=check)
    changes = [
        Change(
            table="obligation_facts",
            change="new",
            key=f"{f.state} {f.obligation}",
            after=_deadline(f.extended_deadline or f.original_deadline),
            note=f.where,
        )
        for f in facts
    ]
    return _totals(
        ImportReport(
            importer="obligations",
            source=str(file),
            target=rules.id,
            tables={"obligation_facts": TableCounts(new=len(facts))},
            changes=changes,
            problems=check.warnings,
        )
    )


def _deadline(d: object | None) -> str | None:
    return f"deadline {d}" if d is not None else None
