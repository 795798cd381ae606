"""The ``normwatch`` command line: each command is a thin wrapper over a library call.

Errors from the library (:class:`~normwatch.errors.NormwatchError`) and from Click become one
line on stderr and a non-zero exit code; a traceback is never shown to a user.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from normwatch import __version__, features
from normwatch.cli._common import (
    DATE,
    AsOfOption,
    format_option,
    get_store,
    on_option,
    warn_if_beyond,
)
from normwatch.errors import NormwatchError


class LazyGroup(click.Group):
    """A group whose feature subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *features.COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in features.COMMANDS:
            cmd: click.Command = features.resolve(features.COMMANDS[cmd_name])
            return cmd
        return super().get_command(ctx, cmd_name)


pass_store = click.make_pass_decorator(dict, ensure=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="NORMWATCH_DB",
    metavar="PATH|URL",
    help="Database file or SQLAlchemy URL [env NORMWATCH_DB; default: a file in the "
    "user data directory, created and loaded from the bundled data on first use].",
)
@click.version_option(__version__, prog_name="normwatch")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Who is bound by a humanitarian disarmament treaty, since when, and why.

    \b
    Examples:
      normwatch counts ccm --on 2025-03-06
      normwatch status ccm Lithuania --on 2025-03-05 --explain
      normwatch roll apmbt --status withdrawing,withdrawn
      normwatch changes ccm --since 2024-01-01
    """
    ctx.ensure_object(dict)["db"] = db


@cli.command()
@on_option
@format_option
@click.pass_context
def treaties(ctx: click.Context, on: dt.date, fmt: str) -> None:
    """List the treaties with their entry into force and counts on a date."""
    from normwatch.formats import emit
    from normwatch.service import status as queries

    rows = queries.treaties(get_store(ctx), on)
    emit(
        rows,
        fmt,
        columns=None
        if fmt != "table"
        else [
            "id",
            "short_name",
            "untc_id",
            "entry_into_force",
            "parties",
            "in_force",
            "signatories",
            "withdrawing",
            "withdrawn",
            "data_as_of",
        ],
        title=f"Treaties on {on}",
    )


@cli.command()
@click.argument("treaty")
@click.argument("states", nargs=-1, required=True)
@on_option
@click.option("--explain", is_flag=True, help="Show the article, actions and arithmetic.")
@format_option
@click.pass_context
def status(
    ctx: click.Context, treaty: str, states: tuple[str, ...], on: dt.date, explain: bool, fmt: str
) -> None:
    """Status of one or more STATES (codes or names) towards TREATY on a date."""
    from normwatch.formats import emit
    from normwatch.service import status as queries

    rows = queries.status(get_store(ctx), treaty, list(states), on, explain=explain)
    if fmt != "table":
        emit(rows, fmt, columns=None if fmt == "json" else _CSV_STATUS_COLUMNS)
        return
    emit(_for_table(rows), fmt, columns=_STATUS_COLUMNS, title=f"{treaty.upper()} on {on}")
    if explain:
        for row in rows:
            click.echo(f"\n{row['state']} — {row['status']}")
            click.echo(_explanation_text(row["explanation"]))


_STATUS_COLUMNS = ["state", "name", "status", "since", "notified", "effective"]
_CSV_STATUS_COLUMNS = [
    "state",
    "name",
    "treaty",
    "date",
    "status",
    "since",
    "notified",
    "effective",
    "postponed",
]


def _for_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a table: a postponed withdrawal says so where its effective date would be."""
    return [
        {**r, "effective": "postponed (armed conflict)"} if r.get("postponed") else r for r in rows
    ]


def _explanation_text(expl: dict[str, Any]) -> str:
    lines = [f"  rule: {expl['rule']}"]
    for a in expl["actions"]:
        srcs = "; ".join(a["sources"]) or "no source"
        cn = ", ".join(a.get("symbols") or [])
        notified = f" depositary notification {cn}" if cn else ""
        lines.append(f"  action: {a['action']} {a['date']}{notified}  [{srcs}]")
    lines += [f"  arithmetic: {s}" for s in expl["arithmetic"]]
    for c in expl["armed_conflicts"]:
        state = f"ended {c['end']}" if c["end"] else "ongoing"
        lines.append(
            f"  armed conflict: {c['state']}–{c['counterpart']} from {c['start']}, "
            f"{state}  [{'; '.join(c['sources'])}]"
        )
    return "\n".join(lines)


@cli.command()
@click.argument("treaty")
@on_option
@click.option(
    "--status",
    "status_filter",
    metavar="S,...",
    help="Only these statuses, e.g. party,withdrawing.",
)
@format_option
@click.pass_context
def roll(ctx: click.Context, treaty: str, on: dt.date, status_filter: str | None, fmt: str) -> None:
    """The roll of all States and their status towards TREATY on a date."""
    from normwatch.formats import emit
    from normwatch.service import status as queries

    rows = queries.roll(get_store(ctx), treaty, on, queries.parse_statuses(status_filter))
    if fmt != "table":
        emit(rows, fmt, columns=None if fmt == "json" else _CSV_STATUS_COLUMNS)
        return
    emit(
        _for_table(rows),
        fmt,
        columns=_STATUS_COLUMNS,
        title=f"{treaty.upper()} roll on {on} ({len(rows)} States)",
    )


@cli.command()
@click.argument("treaty")
@on_option
@format_option
@click.pass_context
def counts(ctx: click.Context, treaty: str, on: dt.date, fmt: str) -> None:
    """How many States are parties, signatories, withdrawing ... on a date."""
    from normwatch.formats import dumps, emit
    from normwatch.service import status as queries

    result = queries.counts(get_store(ctx), treaty, on)
    if fmt == "json":
        click.echo(dumps(result))
        return
    emit([result], fmt, title=f"{treaty.upper()} on {on}")


@cli.command()
@click.argument("treaty")
@click.argument("state")
@format_option
@click.pass_context
def timeline(ctx: click.Context, treaty: str, state: str, fmt: str) -> None:
    """Every action, status and domestic event of STATE for TREATY, in date order."""
    from normwatch.formats import dumps, emit
    from normwatch.service import status as queries

    result = queries.timeline(get_store(ctx), treaty, state)
    if fmt == "json":
        click.echo(dumps(result))
        return
    rows = [
        {**e, "legal_effect": "yes" if e["legal_effect"] else "no (domestic step)"}
        for e in result["entries"]
    ]
    emit(
        rows,
        fmt,
        columns=["date", "type", "status", "until", "description", "notification", "legal_effect"],
        title=f"{result['name']} and the {treaty.upper()}",
    )
    for w in result["warnings"]:
        click.echo(f"warning: {w}", err=True)


@cli.command()
@click.argument("treaty")
@click.option("--since", type=DATE, required=True, help="First day (YYYY-MM-DD).")
@click.option(
    "--until", type=DATE, default="today", show_default=True, cls=AsOfOption, help="Last day."
)
@format_option
@click.pass_context
def changes(ctx: click.Context, treaty: str, since: dt.date, until: dt.date, fmt: str) -> None:
    """Status changes between two dates."""
    from normwatch.formats import emit
    from normwatch.service import status as queries

    rows = queries.changes(get_store(ctx), treaty, since, until)
    cols = ["date", "state", "name", "from", "to", "rule"]
    emit(
        rows,
        fmt,
        columns=None if fmt == "json" else cols,
        title=f"{treaty.upper()} changes {since} – {until}",
    )
    warn_if_beyond(ctx, until, treaty)


@cli.command()
@format_option
@click.pass_context
def check(ctx: click.Context, fmt: str) -> None:
    """Validate the data: sources, consistency, entry into force, reference counts."""
    from normwatch.formats import emit
    from normwatch.service import status as queries

    problems = queries.check(get_store(ctx))
    if problems or fmt != "table":
        emit([p.to_dict() for p in problems], fmt, columns=["check", "message"], title="Problems")
    else:
        click.echo("all checks passed")
    if problems:
        ctx.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every known error into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(args, start=1):
        if "\x00" in arg:  # no path, URL or name can hold one; open() would raise
            click.echo(f"error: argument {i} holds a NUL character: {arg!r}", err=True)
            sys.exit(2)
    try:
        # without standalone mode, Click returns the code of ctx.exit(n) instead of exiting
        result = cli.main(args=argv, prog_name="normwatch", standalone_mode=False)
    except NormwatchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(result if isinstance(result, int) else 0)
