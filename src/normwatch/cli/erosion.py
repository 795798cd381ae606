"""``normwatch erosion``: every withdrawal, revocation, unsigning, purported suspension and
announced withdrawal, across treaties, with its computed effect and the reactions to it."""

from __future__ import annotations

import datetime as dt

import click

from normwatch.cli._common import DATE, format_option, get_store

_TABLE_COLUMNS = [
    "date",
    "short_name",
    "name",
    "act",
    "effect",
    "notification",
    "domestic_steps",
    "objections",
    "states_reacting",
    "other_treaties",
]


@click.command("erosion")
@click.option("--treaty", help="Only this treaty (id, short name or UNTC reference).")
@click.option(
    "--since", type=DATE, default="1976-01-01", show_default=True, help="First day (YYYY-MM-DD)."
)
@click.option("--until", type=DATE, help="Last day (default: no limit).")
@format_option
@click.pass_context
def erosion_cmd(
    ctx: click.Context, treaty: str | None, since: dt.date, until: dt.date | None, fmt: str
) -> None:
    """Acts that left or weakened a treaty, computed from the acts and events on record.

    \b
    Withdrawals (effective date computed by the treaty's article, or postponed by an armed
    conflict), revoked ratifications, notices of intent not to become a party, purported
    suspensions and withdrawals announced but never deposited; each with its source and
    depositary notification, the domestic steps before it, the objections, decisions and
    coded statements reacting to it. JSON carries all of it; CSV one row per act.
    """
    from normwatch.formats import dumps, emit
    from normwatch.service.erosion import EROSION_FIELDS, erosion, erosion_rows, repeat_states

    entries = erosion(get_store(ctx), treaty, since, until)
    if fmt == "json":
        click.echo(dumps(entries))
        return
    rows = erosion_rows(entries)
    if fmt == "csv":
        emit(rows, fmt, columns=list(EROSION_FIELDS))
        return
    for r, e in zip(rows, entries, strict=True):
        r["short_name"] = e["short_name"]
    emit(rows, fmt, columns=_TABLE_COLUMNS, title=f"Erosion since {since} ({len(rows)} acts)")
    for s in repeat_states(entries):
        click.echo(
            f"{s['name']} left or weakened {len(s['treaties'])} treaties: "
            + ", ".join(s["treaties"])
        )
