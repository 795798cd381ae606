"""``normwatch export``: every table and the computed periods as open data."""

from __future__ import annotations

import click

from normwatch.cli._common import get_store
from normwatch.service.export import DEFAULT_FORMATS, FORMATS, export, parse_formats


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--format",
    "formats",
    default=",".join(DEFAULT_FORMATS),
    show_default=True,
    metavar="F,...",
    help=f"Any of {', '.join(FORMATS)} (parquet needs pyarrow).",
)
@click.pass_context
def export_cmd(ctx: click.Context, directory: str, formats: str) -> None:
    """Write every table, and the computed status periods, to DIRECTORY as open data.

    A Frictionless datapackage.json describes the files; check them with
    `frictionless validate DIRECTORY/datapackage.json`.
    """
    from normwatch.cli._progress import progress_bar

    with progress_bar("export") as progress:
        rows = export(get_store(ctx), directory, parse_formats(formats), progress=progress)
    click.echo(f"{len(rows)} files written to {directory}")
