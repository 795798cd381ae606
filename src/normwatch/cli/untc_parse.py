"""CLI ``untc parse``: read UN depositary status files without importing them.

Apart from the ``import`` group, so that parsing many files does not load the importers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from normwatch.cli._common import format_option

if TYPE_CHECKING:
    from normwatch.sources.untc.mtdsg import UntcDocument


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
