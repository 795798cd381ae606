"""``normwatch db``: the store's schema version and its upgrade."""

from __future__ import annotations

import click

from normwatch.cli._common import format_option
from normwatch.formats import emit


@click.group("db")
def db_group() -> None:
    """The store itself: its schema version, and upgrading a store of an older release."""


@db_group.command("version")
@format_option
@click.pass_context
def version_cmd(ctx: click.Context, fmt: str) -> None:
    """The store's schema version and the one this normwatch reads."""
    from normwatch.store.db import open_store
    from normwatch.store.migrations import SCHEMA_VERSION, stored_version

    store = open_store(ctx.find_root().ensure_object(dict).get("db"), check=False)
    emit(
        [{"store": store.url, "schema_version": stored_version(store), "current": SCHEMA_VERSION}],
        fmt,
    )


@db_group.command("upgrade")
@click.pass_context
def upgrade_cmd(ctx: click.Context) -> None:
    """Bring a store written by an older release to the current schema, in one transaction.

    Nothing is dropped: the upgrade only adds. Back the store file up first all the same.

    \\b
    Example:
      normwatch --db old.sqlite db upgrade
    """
    from normwatch.store.db import open_store
    from normwatch.store.migrations import SCHEMA_VERSION, upgrade

    store = open_store(ctx.find_root().ensure_object(dict).get("db"), check=False)
    log = upgrade(store)
    for line in log:
        click.echo(line)
    click.echo(
        f"store {store.url} is at schema version {SCHEMA_VERSION}"
        + ("" if log else " (nothing to do)")
    )
