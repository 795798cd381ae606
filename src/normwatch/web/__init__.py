"""The public face of normwatch: web pages, charts and map, the JSON API, feeds and downloads.

``normwatch serve`` runs :func:`create_app` under uvicorn. Pages are rendered on the server
(Jinja2, every value escaped) and read without JavaScript; charts and the world map are SVG
drawn in Python from the same library calls as the CLI; the JSON API under ``/api/v1/`` returns
the CLI's JSON. The app only reads: one :class:`~normwatch.store.db.Store` per app, its treaty
views and rendered pages cached until the data changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> FastAPI:
    """Build the ASGI app (see :func:`normwatch.web.app.create_app`)."""
    from normwatch.web.app import create_app as _create_app

    return _create_app(*args, **kwargs)
