"""What every command shares: the date type, the ``--on`` and ``--format`` options, the store."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from typing import TYPE_CHECKING, Any

import click

from normwatch.errors import DataError

if TYPE_CHECKING:
    from normwatch.store.db import Store


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A full ISO date (YYYY-MM-DD), or 'today'."""

    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if text == "today":
            return dt.date.today()
        from normwatch.core.dates import MAX_DATE, MIN_DATE, parse_date

        try:
            day = parse_date(text)
        except DataError as exc:
            self.fail(str(exc), param, ctx)
        if not MIN_DATE <= day <= MAX_DATE:
            self.fail(f"{day} is outside the supported range {MIN_DATE} – {MAX_DATE}", param, ctx)
        return day


DATE = DateType()


def format_option(f: Any) -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="Output for people (table) or programs (csv, json).",
    )(f)


class AsOfOption(click.Option):
    """A date option whose help ends with how current the store's data is."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        return record[0], f"{record[1]} [{help_as_of(ctx)}]"


def help_as_of(ctx: click.Context) -> str:
    """``data as of …`` of the store named by ``--db`` (not created by asking for help)."""
    from normwatch.errors import NormwatchError
    from normwatch.store.db import Store, db_url
    from normwatch.store.freshness import as_of_text

    db = ctx.find_root().ensure_object(dict).get("db")
    try:
        store = Store(db_url(db))
        if not store.is_initialised():
            return "data as of: the bundled data, loaded on first use"
        return as_of_text(store) + "; a later date is answered with a warning"
    except NormwatchError as exc:
        return f"data as of: unknown ({exc})"


def warn_if_beyond(ctx: click.Context, on: dt.date, treaty: str | None = None) -> None:
    """Warn on stderr when ``on`` is after the newest data on record (the answer still comes)."""
    from normwatch.store.freshness import beyond_warning

    message = beyond_warning(get_store(ctx), on, treaty)
    if message:
        click.echo(f"warning: {message}", err=True)


def on_option(f: Any) -> Any:
    """``--on DATE``; a date beyond the data on record (of the command's ``treaty``, if it has
    one) is answered with a warning on stderr."""

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        on = kwargs.get("on")
        treaty = kwargs.get("treaty")
        result = f(*args, **kwargs)  # the answer first; no warning after an error
        if isinstance(on, dt.date):
            warn_if_beyond(
                click.get_current_context(), on, treaty if isinstance(treaty, str) else None
            )
        return result

    return click.option(
        "--on",
        "on",
        type=DATE,
        default="today",
        show_default=True,
        cls=AsOfOption,
        help="The date to answer for (YYYY-MM-DD).",
    )(checked)


def get_store(ctx: click.Context) -> Store:
    """The store named by ``--db`` (opened, and created on first use, once per command)."""
    obj = ctx.find_root().ensure_object(dict)
    if "store" not in obj:
        from normwatch.store.db import open_store

        obj["store"] = open_store(obj.get("db"))
        # for a person at a terminal, on stderr: output read by programs stays as it was
        if sys.stdout.isatty() and obj["store"].is_example():
            click.echo(
                "normwatch: an example store (fictional meetings and codings allowed; its "
                "figures are not a record)",
                err=True,
            )
    store: Store = obj["store"]
    return store


def emit_import_reports(reports: list[Any], fmt: str) -> None:
    """Print import reports (:class:`~normwatch.service.imports.ImportReport`) in one shape for
    every importer: lines for people, one CSV row per change, or JSON (one object for one
    report, a list for several)."""
    from normwatch.formats import dumps, emit
    from normwatch.service.imports import ImportReport

    if fmt == "json":
        data = [r.model_dump(mode="json") for r in reports]
        click.echo(dumps(data[0] if len(data) == 1 else data))
    elif fmt == "csv":
        rows = [row for r in reports for row in r.rows()]
        emit(rows, "csv", columns=list(ImportReport.CSV_COLUMNS))
    else:
        for r in reports:
            click.echo("\n".join(r.lines()))
