"""``normwatch db``: the store's schema version and its upgrade."""

from __future__ import annotations

import click

from normwatch.cli._common import format_option
from normwatch.formats import emit


@click.group("db")
def db_group() -> None:
    """The store itself: its schema version, upgrading a store of an older release, and
    throw-away example stores for fictional records."""


@db_group.command("version")
@format_option
@click.pass_context
def version_cmd(ctx: click.Context, fmt: str) -> None:
    """The store's schema version and the one this normwatch reads."""
    from normwatch.store.db import open_store
    from normwatch.store.migrations import SCHEMA_VERSION, stored_version

    store = open_store(ctx.find_root().ensure_object(dict).get("db"), check=False)
    emit(
        [
            {
                "store": store.shown,
                "schema_version": stored_version(store),
                "current": SCHEMA_VERSION,
            }
        ],
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
        f"store {store.shown} is at schema version {SCHEMA_VERSION}"
        + ("" if log else " (nothing to do)")
    )


@db_group.command("example")
@click.argument("path", type=click.Path(dir_okay=False))
def example_cmd(path: str) -> None:
    """Create a throw-away example store at PATH: the bundled data, marked as an example store,
    the only kind that takes records marked fictional (the README tour's fixtures). An example
    store already at PATH is replaced; any other file is refused. Use it with --db PATH.

    \b
    Example:
      normwatch db example /tmp/normwatch-tour.sqlite
      normwatch --db /tmp/normwatch-tour.sqlite meetings import tests/fixtures/meetings/ccm-test-msp
    """
    from normwatch.store.db import create_example_store

    store = create_example_store(path)
    click.echo(f"example store {store.shown} created: pass --db {path} to use it")
