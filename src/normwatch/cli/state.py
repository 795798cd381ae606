"""``normwatch state CODE``: one State across every treaty on a date."""

from __future__ import annotations

import datetime as dt

import click

from normwatch.cli._common import format_option, get_store, on_option

#: the columns of the table (CSV has every field of ``standing_rows``)
_TABLE_COLUMNS = [
    "short_name",
    "status",
    "since",
    "effective",
    "rule",
    "overdue",
    "due",
    "next_deadline",
    "coded",
]


@click.command("state")
@click.argument("state")
@on_option
@format_option
@click.pass_context
def state_cmd(ctx: click.Context, state: str, on: dt.date, fmt: str) -> None:
    """STATE (code or name) towards every treaty on a date: status, since when, the rule that
    gives it, obligations overdue and due, statements coded at the treaty's meetings.

    \b
    Obligations without facts on record count as unknown; a blank obligations cell means
    the treaty defines none. JSON carries every explanation and obligation in full.
    """
    from normwatch.formats import dumps, emit
    from normwatch.service.standing import STANDING_FIELDS, standing, standing_rows

    if fmt == "json":
        from normwatch.service.standing import state_standing

        click.echo(dumps(state_standing(get_store(ctx), state, on)))
        return
    result = standing(get_store(ctx), state, on)  # the table and CSV need not the schema
    rows = standing_rows(result)
    if fmt == "csv":
        emit(rows, fmt, columns=list(STANDING_FIELDS))
        return
    for r in rows:
        if r["postponed"]:
            r["effective"] = "postponed (armed conflict)"
        if r["overdue"] is None:
            r["overdue"] = r["due"] = "none defined"
        elif r["obligations_unknown"]:
            r["due"] = f"{r['due']} (+{r['obligations_unknown']} unknown)"
        r["coded"] = f"{r['coded']} of {r['statements']}" if r["statements"] else ""
    emit(rows, fmt, columns=_TABLE_COLUMNS, title=f"{result['name']} ({result['state']}) on {on}")
