"""``normwatch users`` and ``normwatch tokens``: the accounts of a team coding in one store
(:mod:`normwatch.service.accounts`)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from normwatch.cli._common import DATE, format_option, get_store
from normwatch.formats import emit

ROLE = click.Choice(["viewer", "coder", "reviewer", "admin"])


@click.group("users")
def users_group() -> None:
    """Accounts: who may code (coder), assign double coding (reviewer), manage accounts (admin).

    \b
    Examples:
      printf '%s\\n' "$PASSWORD" | normwatch users add alice --role admin --password-stdin
      normwatch users list
      normwatch users set-role bob reviewer
      normwatch users disable bob
    """


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=ROLE, default="viewer", show_default=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the password from the first line of standard input (never an argument).",
)
@click.pass_context
def add_cmd(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add the account NAME (its codings carry human:NAME)."""
    from normwatch.service.accounts import add_user

    password = sys.stdin.readline().rstrip("\r\n")
    add_user(get_store(ctx), name, role, password)
    click.echo(f"user {name} added ({role})")


@users_group.command("list")
@format_option
@click.pass_context
def list_cmd(ctx: click.Context, fmt: str) -> None:
    """Every account, its role and whether it is disabled."""
    from normwatch.service.accounts import list_users

    emit(list_users(get_store(ctx)), fmt, columns=["name", "role", "disabled", "created_at"])


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=ROLE)
@click.pass_context
def set_role_cmd(ctx: click.Context, name: str, role: str) -> None:
    """Give NAME the role ROLE."""
    from normwatch.service.accounts import set_role

    set_role(get_store(ctx), name, role)
    click.echo(f"user {name} is now {role}")


@users_group.command("disable")
@click.argument("name")
@click.pass_context
def disable_cmd(ctx: click.Context, name: str) -> None:
    """Disable NAME: no more log-in, its sessions end and its tokens stop working."""
    from normwatch.service.accounts import disable_user

    disable_user(get_store(ctx), name)
    click.echo(f"user {name} disabled")


@click.group("tokens")
def tokens_group() -> None:
    """API tokens (Authorization: Bearer TOKEN), stored hashed.

    \b
    Examples:
      normwatch tokens create alice --expires 2027-06-30
      normwatch tokens list
      normwatch tokens revoke 3f2a9c01b7de
      normwatch tokens revoke --user bob
    """


@tokens_group.command("create")
@click.argument("name")
@click.option("--expires", type=DATE, help="Last day the token is valid (YYYY-MM-DD).")
@click.pass_context
def create_cmd(ctx: click.Context, name: str, expires: dt.date | None) -> None:
    """Create an API token for NAME and print it, once: it is stored only as a hash."""
    from normwatch.service.accounts import create_token

    made = create_token(get_store(ctx), name, expires, today=dt.date.today())
    click.echo(made["token"])
    until = f"until {made['expires']}" if made["expires"] else "until revoked"
    click.echo(f"token {made['id']} for {name}, valid {until}: it is not shown again", err=True)


@tokens_group.command("list")
@format_option
@click.pass_context
def tokens_list_cmd(ctx: click.Context, fmt: str) -> None:
    """Every token's id, user, expiry and revocation (never the token)."""
    from normwatch.service.accounts import list_tokens

    emit(list_tokens(get_store(ctx)), fmt)


@tokens_group.command("revoke")
@click.argument("token_id", required=False)
@click.option("--user", "user", metavar="NAME", help="Revoke every token of NAME instead.")
@click.pass_context
def revoke_cmd(ctx: click.Context, token_id: str | None, user: str | None) -> None:
    """Revoke the token TOKEN_ID (its id from tokens list, or the token itself), or with
    --user every token of a user."""
    from normwatch.service.accounts import list_tokens, revoke_token

    store = get_store(ctx)
    if (token_id is None) == (user is None):
        raise click.UsageError("name a TOKEN_ID or --user NAME (not both)")
    if user is not None:
        ids = [t["id"] for t in list_tokens(store) if t["user"] == user and not t["revoked_at"]]
    else:
        ids = [str(token_id)]
    for found in ids:
        click.echo(f"token {revoke_token(store, found)['id']} revoked")
    if not ids:
        click.echo(f"{user} has no token to revoke")
