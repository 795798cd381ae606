"""The ASGI app: routes, the one error shape, security headers and cached responses.

Every 4xx/5xx answer of the API, the feeds and the downloads is ``{"error": {"code",
"message"}}``; a page answers the same code and message as an HTML page. A traceback never
leaves the server. Pages carry a Content-Security-Policy that allows no script (the coding
page alone runs its own, self-hosted: see routers/team.py) and no inline
style at all: the site needs neither.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from normwatch import __version__
from normwatch.errors import (
    AuthError,
    ConflictError,
    DataError,
    ForbiddenError,
    NormwatchError,
    NotFoundError,
    RuleError,
    SourceError,
    StoreError,
    UnknownStateError,
)
from normwatch.store.db import Store
from normwatch.web.site import DateParamError, Site
from normwatch.web.uploads import UploadLimit

log = logging.getLogger("normwatch.web")

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

#: path prefixes answered in JSON (or a feed / file); everything else is a page
MACHINE_PREFIXES = ("/api/", "/feeds/", "/data/", "/static/")

#: the JSON API and the data files may be read from any origin, anonymously (no cookies, no
#: credentials: the site has none); the API's HTML description is a page like the others
CORS_PREFIXES = ("/api/v1/", "/data/")
CORS_PAGES = ("/api/v1/docs",)
CORS_HEADERS = ((b"access-control-allow-origin", b"*"),)
PREFLIGHT_HEADERS = (
    *CORS_HEADERS,
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"If-None-Match"),
    (b"access-control-max-age", b"86400"),
)


def cors_applies(path: str) -> bool:
    """Whether ``path`` is the API or a data file, which other sites may read."""
    return path.startswith(CORS_PREFIXES) and path.rstrip("/") not in CORS_PAGES


async def answer_preflight(scope: Scope, send: Send) -> bool:
    """Answers a CORS preflight for a GET or HEAD of the API or a data file with 204; any
    other OPTIONS request is left to the app (which refuses it: the site is read-only)."""
    headers = dict(scope.get("headers", ()))
    wanted = headers.get(b"access-control-request-method", b"").decode().upper()
    if not (cors_applies(scope["path"]) and b"origin" in headers and wanted in ("GET", "HEAD")):
        return False
    response_headers = [*PREFLIGHT_HEADERS]
    response_headers += [(n, v) for n, v in SECURITY_HEADERS]
    await send({"type": "http.response.start", "status": 204, "headers": response_headers})
    await send({"type": "http.response.body", "body": b""})
    return True


class SiteMiddleware:
    """Checks once in a while whether the data changed, adds the security headers (and the
    CORS header on the API and the data files), answers CORS preflights, and answers HEAD
    like GET without the body."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and await answer_preflight(scope, send):
            return
        failed: NormwatchError | None = None
        if self.site.refresh_due():  # stat calls or a query: not on the event loop
            try:
                await anyio.to_thread.run_sync(self.site.refresh)
            except NormwatchError as exc:  # the store went away: answered as by a route
                failed = exc
        head = scope["method"] == "HEAD"
        cors = scope["method"] in ("GET", "HEAD") and cors_applies(scope["path"])
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (*SECURITY_HEADERS, *(CORS_HEADERS if cors else ())):
                    if name.decode() not in headers:
                        headers.append(name.decode(), value.decode())
            elif head and message["type"] in ("http.response.body", "http.response.pathsend"):
                message = {
                    "type": "http.response.body",
                    "body": b"",
                    "more_body": message.get("more_body", False),
                }
            await send(message)

        if failed is not None:
            answer = _normwatch_error(Request(scope, receive), failed)
            await answer(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


# -- errors ----------------------------------------------------------------------------------


def classify(exc: Exception) -> tuple[int, str, str]:
    """HTTP status, error code and message for an exception."""
    if isinstance(exc, AuthError):
        return 401, "unauthorized", str(exc)
    if isinstance(exc, ForbiddenError):
        return 403, "forbidden", str(exc)
    if isinstance(exc, ConflictError):
        return 409, "conflict", str(exc)
    if isinstance(exc, UnknownStateError):
        return 404, "unknown_state", str(exc)
    if isinstance(exc, DateParamError):
        return 400, "invalid_date", str(exc)
    if isinstance(exc, NotFoundError):
        return 404, "not_found", str(exc)
    if isinstance(exc, DataError):
        return 400, "invalid_parameter", str(exc)
    if isinstance(exc, StoreError):
        return 503, "store_unavailable", "the database cannot be read right now"
    if isinstance(exc, RuleError):
        return 500, "rule_error", "a treaty rule file is invalid"
    if isinstance(exc, SourceError):
        return 502, "source_error", str(exc)
    if isinstance(exc, NormwatchError):
        return 400, "bad_request", str(exc)
    return 500, "internal_error", "internal server error"


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PREFIXES)


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    if wants_page(request):
        from normwatch.web.routers.pages import render

        try:
            html = render(
                "error.html",
                request,
                status=status,
                code=code,
                message=message,
                title=f"{status} {code.replace('_', ' ')}",
            )
        except Exception:  # the error page itself failed: fall back to plain text
            log.exception("error page failed")
            html = f"{status} {code}"
        return HTMLResponse(html, status_code=status)
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _normwatch_error(request: Request, exc: Exception) -> Response:
    status, code, message = classify(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    response = error_response(request, status, code, message)
    if status == 401:
        response.headers["www-authenticate"] = "Bearer"
    return response


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    code = codes.get(exc.status_code, f"http_{exc.status_code}")
    message = {
        404: f"nothing at {request.url.path}",
        405: f"{request.method} is not allowed here: this address is read-only",
    }.get(exc.status_code, str(exc.detail))
    response = error_response(request, exc.status_code, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return error_response(request, 422, "invalid_parameter", "; ".join(parts) or "invalid")


def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal_error", "internal server error")


# -- the app -----------------------------------------------------------------------------------


class Static(StaticFiles):
    """The stylesheet and the map data, cached by browsers for a day (the pages link the
    stylesheet with the version in its address)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=86400"
        return response


def create_app(
    store: Store | None = None,
    *,
    db: str | None = None,
    today: Callable[[], dt.date] | None = None,
    check_every: float = 2.0,
) -> FastAPI:
    """The web app over ``store`` (or the store at ``db``); ``today`` is for tests."""
    if store is None:
        from normwatch.store.db import open_store

        store = open_store(db)
    site = Site(store, today=today, check_every=check_every)

    def warm() -> None:
        from normwatch.service.obligations import prepare

        site.refresh()
        for treaty in store.treaties():  # build the views before the first visitor
            store.view(treaty)
            prepare(store, treaty)  # and the deadlines the home page shows for any day

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(warm)  # blocking work, off the event loop
        yield

    app = FastAPI(
        title="normwatch",
        version=__version__,
        summary="Who is bound by a humanitarian disarmament treaty, since when, and why.",
        description=(
            "The JSON API of normwatch: the same library calls and the same JSON as the "
            "command line. Dates are `YYYY-MM-DD` (or `today`); every error is "
            '`{"error": {"code": ..., "message": ...}}` with a 4xx or 5xx status.'
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.site = site
    app.add_middleware(UploadLimit)  # inside SiteMiddleware: its refusals get the headers
    app.add_middleware(SiteMiddleware, site=site)
    app.add_exception_handler(NormwatchError, _normwatch_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)

    from normwatch.web.routers import api, downloads, feeds, pages, team, uploads

    app.include_router(api.router)
    app.include_router(team.router)
    app.include_router(team.pages)
    app.include_router(uploads.pages)
    app.include_router(feeds.router)
    app.include_router(downloads.router)
    app.include_router(pages.router)
    app.mount("/static", Static(packages=[("normwatch.web", "static")]), name="static")
    return app
