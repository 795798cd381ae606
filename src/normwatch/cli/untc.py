"""CLI for the UN depositary's status files: ``import untc``, ``untc parse``, ``sources``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from normwatch.cli._common import emit_import_reports, format_option, get_store
from normwatch.cli.meetings import import_meeting_cmd
from normwatch.cli.obligations import import_obligations_cmd
from normwatch.sources.untc.importer import sources_summary

if TYPE_CHECKING:
    from normwatch.sources.untc.mtdsg import UntcDocument


@click.group("import")
def import_group() -> None:
    """Import facts from outside sources into the store."""


@import_group.command("untc")
@click.argument("sources", nargs=-1, required=True)
@click.option("--treaty", help="Treaty id; by default recognised from the file's reference.")
@click.option("--dry-run", is_flag=True, help="Print the report, write nothing.")
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Apply a file even if it lists no participants or removes more than 10 acts (or 5%) "
    "of those listed from it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "text"]),
    default="table",
    show_default=True,
    help="The report for people (table; text is the same) or programs: csv (one row per act "
    "new, changed, gone or in conflict), json.",
)
@click.pass_context
def import_untc_cmd(
    ctx: click.Context,
    sources: tuple[str, ...],
    treaty: str | None,
    dry_run: bool,
    allow_removals: bool,
    fmt: str,
) -> None:
    """Import UN Treaty Collection status files (MTDSG XML): paths or https URLs.

    Every file is read and checked before anything is written: one bad file stops them all.

    \b
    Example:
      normwatch import untc https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVI/XXVI-6.en.xml
    """
    from normwatch.cli._progress import progress_bar
    from normwatch.service.imports import import_untc

    store = get_store(ctx)
    with progress_bar("import untc", enabled=len(sources) > 1) as progress:
        reports = import_untc(
            store,
            sources,
            treaty=treaty,
            dry_run=dry_run,
            allow_removals=allow_removals,
            progress=progress,
        )
    emit_import_reports(reports, "table" if fmt == "text" else fmt)


# the other importers live with their features
import_group.add_command(import_obligations_cmd)
import_group.add_command(import_meeting_cmd)


@import_group.command("undo")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def import_undo_cmd(ctx: click.Context, fmt: str) -> None:
    """Undo the last import (untc, obligations or a meeting), leaving the store row for row
    as it was before it; refused when the store changed since. Repeat to undo earlier ones."""
    from normwatch.formats import dumps
    from normwatch.store.journal import undo_last

    done = undo_last(get_store(ctx))
    if fmt == "json":
        click.echo(dumps(done))
        return
    rows = ", ".join(f"{n} {table}" for table, n in done["rows"].items()) or "no rows"
    click.echo(f"undone: {done['undone']} {done['label']} of {done['imported_at']} ({rows})")


@click.group("untc")
def untc_group() -> None:
    """Read UN Treaty Collection status files without importing them."""


@untc_group.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@format_option
def untc_parse_cmd(files: tuple[str, ...], fmt: str) -> None:
    """Parse MTDSG status FILES (any treaty): header facts, actions, notes, warnings.

    As CSV, one row per participant of every file (reference, row, participant, actions,
    notes), without the header facts.

    A file that cannot be read is reported on stderr and the others are still shown; the
    exit code is then 2.
    """
    from normwatch.errors import NormwatchError
    from normwatch.sources.untc.viewdetails import parse_status_file

    docs: list[UntcDocument] = []
    refused: list[NormwatchError] = []
    for f in files:
        try:
            docs.append(parse_status_file(f))
        except NormwatchError as exc:
            refused.append(exc)
    if len(files) == 1 and refused:
        raise refused[0]
    _show_parsed(docs, fmt, many=len(files) > 1)
    for problem in refused:
        click.echo(f"error: {problem}", err=True)
    if refused:
        click.echo(f"{len(refused)} of {len(files)} files refused", err=True)
        raise click.exceptions.Exit(2)


def _show_parsed(docs: list[UntcDocument], fmt: str, *, many: bool) -> None:
    """The parsed files; in JSON one object for one file, a list when several were asked.

    As a table: each file's header facts, withdrawals and warnings, then one table of every
    file's participants (one row per participant, the file's reference first).
    """
    from normwatch.formats import dumps, dumps_items, emit, emit_plain_table

    if fmt == "json":
        if many:
            click.echo(dumps_items(d.to_dict() for d in docs))
        elif docs:
            click.echo(dumps(docs[0].to_dict()))
        return
    lines: list[str] = []
    rows: list[dict[str, object]] = []
    columns = ["reference", "row", "participant", "actions", "notes"]
    for d in docs:
        lines.append(f"{d.reference}: {d.title}")
        lines.append(f"  concluded: {d.conclusion}")
        lines.append(f"  entry into force: {d.eif_text or '-'}")
        lines.append(f"  status: signatories {d.status_signatories}, parties {d.status_parties}")
        lines.append("  columns: " + " | ".join(c.header for c in d.columns))
        lines.append(f"  participants: {len(d.participants)}")
        for w in d.withdrawals:
            lines.append(
                f"  {w.kind.value}: {w.participant} notified {w.notified} (note {w.note_index})"
            )
        for line in d.warnings:
            lines.append(f"  warning: {line}")
        rows.extend(
            {
                "reference": d.reference,
                "row": p.row,
                "participant": p.name,
                "actions": "; ".join(
                    f"{a.kind.value} {a.date}" + (" []" if a.bracketed else "") for a in p.actions
                ),
                "notes": ",".join(p.footnotes),
            }
            for p in d.participants
        )
    if fmt == "csv":
        emit(rows, "csv", columns=columns)
        return
    if lines:
        click.echo("\n".join(lines))
    if docs:
        emit_plain_table(rows, columns, title=f"{len(rows)} participants in {len(docs)} files")


@click.command("sources")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.pass_context
def sources_cmd(ctx: click.Context, fmt: str) -> None:
    """Each source with its last import and how many facts cite it (actions, domestic events,
    and other records: obligation facts, meetings, group memberships)."""
    from normwatch.formats import emit

    rows = sources_summary(get_store(ctx))
    emit(
        rows,
        fmt,
        columns=None
        if fmt == "json"
        else [
            "url",
            "symbol",
            "title",
            "kind",
            "actions",
            "events",
            "other",
            "imports",
            "last_import",
            "published",
            "newest_act",
        ],
        title=f"{len(rows)} sources",
    )
