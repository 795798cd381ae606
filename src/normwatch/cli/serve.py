"""``normwatch serve``: the dashboard and the JSON API on a local port."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--db",
    "serve_db",
    metavar="PATH|URL",
    help="Database file or SQLAlchemy URL (overrides the global --db).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
@click.pass_context
def serve_cmd(
    ctx: click.Context, host: str, port: int, serve_db: str | None, log_level: str
) -> None:
    """Serve the web dashboard, the JSON API (/api/v1/), feeds and downloads.

    \b
    Example:
      normwatch serve --port 8000      # then open http://127.0.0.1:8000/
    """
    import uvicorn

    from normwatch.cli._common import get_store
    from normwatch.web.app import create_app

    if serve_db:
        ctx.find_root().ensure_object(dict)["db"] = serve_db
    app = create_app(get_store(ctx))
    _check_free(host, port)
    click.echo(
        f"normwatch: serving {app.state.site.store.shown} on http://{host}:{port}/", err=True
    )
    uvicorn.run(
        app, host=host, port=port, log_level=log_level, access_log=False, server_header=False
    )


def _check_free(host: str, port: int) -> None:
    """Refuse, before saying "serving", an address that is taken or cannot be bound."""
    import socket

    from normwatch.errors import NormwatchError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise NormwatchError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise NormwatchError(
                f"cannot serve on {host}:{port}: {exc.strerror or exc} (is another server "
                "running there? choose another --port)"
            ) from None
