"""``normwatch meetings import-files``: a folder of statement files brought into a meeting in
two steps — a plan proposed for a person to check (nothing written to the store), then the
checked plan imported in one transaction, answered with the one import report.

The reading, proposing and checking is :mod:`normwatch.sources.meetings.files`; this module
gives it the store's registry, organizations and groups and the meeting it is for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from normwatch.core.registry import Registry, fold
from normwatch.sources.meetings.files import DEFAULT_LIMITS, Limits, Names, Proposal

if TYPE_CHECKING:
    from normwatch.service.imports import ImportReport
    from normwatch.store.db import Store

#: the plan's name in the folder when no other path is given
DEFAULT_PLAN = "proposed.csv"


@dataclass(frozen=True)
class Proposed:
    """What ``import-files`` proposed, and where the plan to check was written."""

    meeting: str
    plan: Path
    proposals: list[Proposal]

    @property
    def unresolved(self) -> list[Proposal]:
        return [p for p in self.proposals if p.action == "check"]

    @property
    def skipped(self) -> list[Proposal]:
        return [p for p in self.proposals if p.action == "skip"]


def plan_path(directory: str | Path, plan: str | Path | None) -> Path:
    return Path(plan) if plan is not None else Path(directory) / DEFAULT_PLAN


def propose_files(
    store: Store,
    directory: str | Path,
    meeting: str,
    *,
    plan: str | Path | None = None,
    agenda: str | Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
    overwrite: bool = False,
) -> Proposed:
    """Propose speaker, language and agenda item for every file of ``directory`` and write
    the plan (``DIR/proposed.csv`` unless ``plan`` names another path; a different plan
    already there is replaced only on ``overwrite``); the store is only read."""
    from normwatch.sources.meetings.files import propose, read_agenda
    from normwatch.store.meetings import get_meeting

    row = get_meeting(store, meeting)
    meeting_id = row["id"]
    target = plan_path(directory, plan)
    items = read_agenda(Path(agenda)) if agenda is not None else []
    proposals = propose(
        Path(directory),
        _names(store, meeting_id),
        agenda=items,
        days=_days(row["start_date"], row["end_date"]),
        limits=limits,
        exclude=[target, *([Path(agenda)] if agenda is not None else [])],
    )
    write_plan(target, proposals, overwrite=overwrite)
    return Proposed(meeting_id, target, proposals)


def confirm_files(
    store: Store,
    directory: str | Path,
    meeting: str,
    plan: str | Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    label: str | None = None,
) -> ImportReport:
    """Import the statements of a checked plan in one transaction (journalled: ``normwatch
    import undo`` takes it back); every problem of the plan is reported, with its line and
    field, before anything is written. ``label`` names what was read in the journal and the
    report (default: the folder and the plan)."""
    from normwatch.service.import_checks import ImportCheck
    from normwatch.service.imports import meeting_report
    from normwatch.sources.meetings.files import read_plan
    from normwatch.sources.meetings.importer import write_statements
    from normwatch.store.journal import journaled
    from normwatch.store.meetings import get_meeting

    meeting_id = get_meeting(store, meeting)["id"]
    folder = Path(directory)
    statements, skipped = read_plan(
        Path(plan), folder, meeting_id, _names(store, meeting_id), limits=limits
    )
    journal = label or f"{folder.resolve()} (plan {Path(plan).resolve()})"
    check = ImportCheck(store, journal)
    with store.transaction() as conn, journaled(conn, "meetings", journal), check(conn):
        raw = write_statements(conn, meeting_id, statements)
    report = meeting_report(raw, label or str(folder))
    report.problems += check.warnings
    report.problems += [f"{name}: skipped, as the plan says" for name in skipped]
    report.problems += [
        f"{s.file}: {s.note}"
        for s in statements
        if s.note and s.note.startswith("text read by OCR")
    ]
    return report


def plan_text(proposals: Sequence[Proposal]) -> str:
    """The plan as CSV, one row per file (cells a spreadsheet would run made safe)."""
    from normwatch.formats import spreadsheet_safe
    from normwatch.sources.meetings.files import PLAN_COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    for p in proposals:
        row = p.row()
        writer.writerow([spreadsheet_safe(row[c]) for c in PLAN_COLUMNS])
    return buffer.getvalue()


#: what a person may change in a plan through :func:`edit_plan` (the web form)
EDITABLE = ("action", "speaker")


def read_plan_rows(path: Path) -> list[dict[str, str]]:
    """The plan's rows as written (cells as the file has them)."""
    with path.open(encoding="utf-8", newline="") as f:
        return [dict(row) for row in csv.DictReader(f)]


def edit_plan(path: Path, edits: Mapping[str, Mapping[str, str]]) -> None:
    """Change the plan at ``path``: for each file named in ``edits``, its ``action`` or its
    ``speaker`` (a name or code, checked on confirming). A speaker changed by hand empties
    ``speaker_name``, which only showed whom the proposal named."""
    from normwatch.errors import DataError
    from normwatch.formats import spreadsheet_safe
    from normwatch.sources.meetings.files import PLAN_COLUMNS

    rows = read_plan_rows(path)
    files = {row["file"] for row in rows}
    for name, change in edits.items():
        if name not in files:
            raise DataError(f"{name!r} is not a file of the plan", where=str(path))
        wrong = sorted(set(change) - set(EDITABLE))
        if wrong:
            raise DataError(f"{name}: only {', '.join(EDITABLE)} may be changed, not {wrong}")
    for row in rows:
        change = edits.get(row["file"], {})
        speaker = change.get("speaker", row["speaker"]).strip()
        if spreadsheet_safe(speaker) != row["speaker"]:
            row["speaker"], row["speaker_name"] = spreadsheet_safe(speaker), ""
        if "action" in change:
            row["action"] = change["action"].strip()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, PLAN_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(buffer.getvalue(), encoding="utf-8")
    partial.replace(path)


def write_plan(path: Path, proposals: Sequence[Proposal], *, overwrite: bool = False) -> None:
    """Write the plan (whole, to a new file moved into place). A plan already at ``path``
    that differs from this one (a person may be editing it) is replaced only on
    ``overwrite``."""
    from normwatch.errors import DataError

    text = plan_text(proposals)
    if path.is_file() and not overwrite:
        if path.read_text(encoding="utf-8", errors="replace") == text:
            return
        raise DataError(
            "a different plan is already here (edited by hand?): confirm it, remove it, "
            "or propose again with --overwrite",
            where=str(path),
        )
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _days(start: str, end: str | None) -> tuple[str, str] | None:
    """The meeting's first and last days, when both are known to the day."""
    last = end or start
    return (start, last) if len(start) == len(last) == 10 else None


def _names(store: Store, meeting_id: str) -> Names:
    """The registry, the organizations (the meeting's own names first) and the groups."""
    from normwatch.catalog import read_csv
    from normwatch.sources.meetings.importer import organization_names

    listed = [
        r["participant"]
        for r in store.query(
            "SELECT participant FROM participations "
            "WHERE meeting_id = :m AND kind = 'organization'",
            {"m": meeting_id},
        )
    ]
    known = [row["name"] for _, row in read_csv("organization_aliases.csv", ("name", "alias"))]
    known += [row["name"] for _, row in read_csv("other_participants.csv", ("name",))]
    organizations = organization_names(known)
    organizations.update(organization_names(listed))
    groups = {fold(v) for r in store.query("SELECT id, name FROM state_groups") for v in r.values()}
    return Names(foreign_names(store), organizations, frozenset(groups))


def foreign_names(store: Store) -> Registry:
    """The store's registry, answering also to the States' French and Spanish names
    (``state_names_fr_es.csv``: the iso-codes translations, written by
    ``scripts/write_state_names.py``)."""
    from normwatch.catalog import read_csv

    def compute() -> Registry:
        rows = read_csv("state_names_fr_es.csv", ("alias", "code", "source"))
        return store.registry().with_aliases((r["alias"], r["code"]) for _, r in rows)

    return store.memo(("registry", "fr", "es"), compute)
