"""CLI for the UN depositary's status files: ``import untc`` and ``sources`` (``untc parse``
is in :mod:`normwatch.cli.untc_parse`)."""

from __future__ import annotations

import click

from normwatch.cli._common import emit_import_reports, get_store
from normwatch.cli.meetings import import_meeting_cmd
from normwatch.cli.obligations import import_obligations_cmd
from normwatch.sources.untc.importer import sources_summary


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
