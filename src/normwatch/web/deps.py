"""What the routers share: cached bodies, the site, the documented error shape and parameters.

Routers import this module, never :mod:`normwatch.web.app`.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from normwatch.catalog import all_treaties
from normwatch.web.site import Site


@dataclass(frozen=True)
class Body:
    """A response body computed once: plain, gzipped, and its ETag. Compressed at level 1: a
    page asked for the first time costs a third of level 6's time for a body about a fifth
    larger (the home page: 38 KB instead of 31 KB of its 150 KB)."""

    raw: bytes
    gz: bytes
    etag: str
    media_type: str

    @classmethod
    def of(cls, content: str | bytes, media_type: str) -> Body:
        raw = content.encode() if isinstance(content, str) else content
        gz = gzip.compress(raw, compresslevel=1, mtime=0) if len(raw) > 1024 else raw
        etag = '"' + hashlib.blake2b(raw, digest_size=12).hexdigest() + '"'
        return cls(raw, gz, etag, media_type)

    @property
    def cache_bytes(self) -> int:
        """What the body holds in memory: both encodings (one when not compressed), the tag."""
        return len(self.raw) + (len(self.gz) if self.gz is not self.raw else 0) + 200

    def response(self, request: Request, *, status_code: int = 200, max_age: int = 60) -> Response:
        headers = {
            "etag": self.etag,
            "vary": "Accept-Encoding",
            "cache-control": f"public, max-age={max_age}",
        }
        if status_code == 200 and etag_matches(request, self.etag):
            return Response(status_code=304, headers=headers)
        if self.gz is not self.raw and "gzip" in request.headers.get("accept-encoding", ""):
            headers["content-encoding"] = "gzip"
            return Response(self.gz, status_code, headers=headers, media_type=self.media_type)
        return Response(self.raw, status_code, headers=headers, media_type=self.media_type)


def etag_matches(request: Request, etag: str) -> bool:
    """Whether the request's If-None-Match names ``etag`` (or is ``*``)."""
    tags = [
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    ]
    return etag in tags or "*" in tags


def get_site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def cached_response(
    request: Request,
    key: tuple[Any, ...],
    media_type: str,
    compute: Callable[[], str | bytes],
    *,
    max_age: int = 60,
) -> Response:
    """The response for ``key``, rendered once until the data changes."""
    site = get_site(request)
    body = site.cached(key, lambda: Body.of(compute(), media_type))
    return body.response(request, max_age=max_age)


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable, e.g. unknown_state, invalid_date")
    message: str = Field(description="for people")


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "a bad parameter (e.g. a malformed date)",
    401: "anonymous, or an unknown, expired or revoked token: log in or send a valid "
    "Authorization: Bearer TOKEN",
    403: "a role too low for this, or a session's write without its CSRF token",
    409: "the statement changed since the version the decision names (the message says how)",
    404: "unknown treaty, State, meeting, file or path",
    422: "a parameter of the wrong type",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the error shape, answered with each of ``codes``."""
    return {code: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


#: the treaty ids of the rule files, offered in the OpenAPI description
TREATY_IDS = sorted(all_treaties())


TreatyPath = Annotated[
    str,
    Path(
        description="Treaty id (the short name or UN Treaty Collection reference also work).",
        json_schema_extra={"enum": TREATY_IDS},
    ),
]


TreatyQuery = Annotated[
    str | None,
    Query(description="Only this treaty (default: all).", json_schema_extra={"enum": TREATY_IDS}),
]


StatePath = Annotated[
    str,
    Path(
        description="ISO 3166-1 alpha-3 code (or alpha-2 code, or name) of a State.",
        examples=["LTU"],
    ),
]


MeetingPath = Annotated[str, Path(description="Meeting id.", examples=["ccm-12msp"])]

StatementPath = Annotated[
    str,
    Path(description="A statement's id within its meeting.", examples=["president-2024-09"]),
]
