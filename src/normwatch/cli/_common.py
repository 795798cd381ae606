"""What every command shares: the date type, the ``--on`` and ``--format`` options, the store."""

from __future__ import annotations

import datetime as dt
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
        from normwatch.core.dates import parse_date

        try:
            return parse_date(text)
        except DataError as exc:
            self.fail(str(exc), param, ctx)


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


def on_option(f: Any) -> Any:
    return click.option(
        "--on",
        "on",
        type=DATE,
        default="today",
        show_default=True,
        help="The date to answer for (YYYY-MM-DD).",
    )(f)


def get_store(ctx: click.Context) -> Store:
    """The store named by ``--db`` (opened, and created on first use, once per command)."""
    obj = ctx.find_root().ensure_object(dict)
    if "store" not in obj:
        from normwatch.store.db import open_store

        obj["store"] = open_store(obj.get("db"))
    store: Store = obj["store"]
    return store
