"""CLI commands ``obligations``, ``deadlines``, ``calendar`` (registered in features.COMMANDS)
and ``import obligations`` (in the ``import`` group).

Thin wrappers over :mod:`normwatch.service.obligations`; heavy imports stay inside the
functions so that ``normwatch --help`` does not pay for them.
"""

from __future__ import annotations

import datetime as dt

import click

from normwatch.cli._common import emit_import_reports, format_option, get_store, on_option

_COLUMNS = [
    "obligation",
    "article",
    "status",
    "confidence",
    "deadline",
    "completed",
    "overdue_days",
]
#: the table groups identical obligations due the same day: "161 States" or the one name
_DEADLINE_COLUMNS = [
    "deadline",
    "states",
    "obligation",
    "article",
    "status",
    "confidence",
    "overdue_days",
]
_CSV_COLUMNS = [
    "state",
    "name",
    "obligation",
    "article",
    "status",
    "confidence",
    "deadline",
    "original_deadline",
    "completed",
    "completed_by",
    "on_time",
    "late_by_days",
    "overdue_days",
    "ends",
    "explanation",
]


@click.command("obligations")
@click.argument("treaty")
@click.argument("state")
@on_option
@format_option
@click.pass_context
def obligations_cmd(ctx: click.Context, treaty: str, state: str, on: dt.date, fmt: str) -> None:
    """Obligations of STATE under TREATY on a date: deadlines, extensions, completions, why.

    \b
    Examples:
      normwatch obligations ccm Bulgaria
      normwatch obligations ccm Lithuania --on 2025-03-05 --format json
    """
    from normwatch.formats import emit
    from normwatch.service.obligations import obligations_for

    rows = obligations_for(get_store(ctx), treaty, state, on)
    if fmt == "json":
        emit(rows, fmt)
        return
    if fmt == "csv":
        emit(rows, fmt, columns=_CSV_COLUMNS)
        return
    name = rows[0]["name"] if rows else state
    emit(rows, fmt, columns=_COLUMNS, title=f"{name}: {treaty.upper()} obligations on {on}")
    for row in rows:
        click.echo(f"\n{row['obligation']} — {row['status']}: {row['summary']}")
        for step in row["basis"]["arithmetic"]:
            click.echo(f"  {step}")


@click.command("deadlines")
@click.argument("treaty")
@on_option
@click.option(
    "--within",
    "within",
    metavar="N[m|y]",
    help="Only deadlines within this window from --on, e.g. 12m or 2y (overdue ones are always "
    "listed).",
)
@click.option("--overdue", "overdue", is_flag=True, help="Only overdue obligations.")
@format_option
@click.pass_context
def deadlines_cmd(
    ctx: click.Context, treaty: str, on: dt.date, within: str | None, overdue: bool, fmt: str
) -> None:
    """Deadlines of all parties to TREATY: overdue ones and those still ahead, in date order.

    \b
    Examples:
      normwatch deadlines ccm --within 12m
      normwatch deadlines ccm --overdue --format csv
    """
    from normwatch.formats import emit
    from normwatch.service.obligations import deadlines, parse_within

    months = parse_within(within) if within is not None else None
    rows = deadlines(get_store(ctx), treaty, on, within_months=months, overdue_only=overdue)
    if fmt == "json":
        emit(rows, fmt)
        return
    if fmt == "csv":
        emit(rows, fmt, columns=_CSV_COLUMNS)
        return
    from normwatch.service.obligations import group_deadlines

    what = (
        "overdue"
        if overdue
        else "overdue and deadlines" + (f" within {within}" if within else " to come")
    )
    groups = group_deadlines(rows)
    emit(
        [{**g, "states": g["label"]} for g in groups],
        fmt,
        columns=_DEADLINE_COLUMNS,
        title=f"{treaty.upper()} {what} on {on} ({len(rows)}, in {len(groups)} rows)",
    )


@click.command("calendar")
@click.argument("treaty")
@click.argument("states", nargs=-1)
@on_option
@click.pass_context
def calendar_cmd(ctx: click.Context, treaty: str, states: tuple[str, ...], on: dt.date) -> None:
    """Upcoming deadlines of TREATY as an iCalendar file (all parties, or the STATES given).

    \b
    Examples:
      normwatch calendar ccm > ccm-deadlines.ics
      normwatch calendar ccm Germany Chad > two-states.ics
    """
    from normwatch.service.obligations import calendar_ics

    click.echo(calendar_ics(get_store(ctx), treaty, list(states), on), nl=False)


@click.command("obligations")
@click.argument("treaty")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--undo",
    is_flag=True,
    help="Undo the import of FILE instead (only when it is the last import): the store is "
    "left as it was before it.",
)
@format_option
@click.pass_context
def import_obligations_cmd(
    ctx: click.Context, treaty: str, file: str, undo: bool, fmt: str
) -> None:
    """Add the obligation facts of a CSV FILE to TREATY, in one transaction.

    The columns are those of the bundled ccm/obligations.csv: iso3, obligation and
    source_url are required; original_deadline, extended_deadline, extension_decided_at,
    decision, decided_on, completed_on, completed_by, outstanding_on, report_year,
    hostilities_ended, before_eif, declared, confidence and note are optional (dates as
    YYYY, YYYY-MM or YYYY-MM-DD). A row whose `fictional` column is `yes` is refused
    unless the store is an example store. Run `normwatch check` afterwards.

    \b
    Example:
      normwatch import obligations ccm extensions-2026.csv
      normwatch import obligations ccm extensions-2026.csv --undo
    """
    if undo:
        from pathlib import Path

        from normwatch.catalog import get_treaty
        from normwatch.store.journal import undo_last

        importer = f"obligations {get_treaty(treaty).id}"
        done = undo_last(get_store(ctx), importer=importer, label=str(Path(file).resolve()))
        click.echo(f"undone: {done['undone']} {done['label']} of {done['imported_at']}")
        return

    from normwatch.service.imports import import_obligations

    emit_import_reports([import_obligations(get_store(ctx), treaty, file)], fmt)
