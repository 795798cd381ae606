"""The web app's guard on uploads: one larger than ``NORMWATCH_MAX_UPLOAD_BYTES`` (all files
together, :func:`normwatch.service.uploads.total_limit`) is refused before its body is read."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from normwatch.service.uploads import total_limit

#: the address statement files are uploaded to
UPLOAD_PATH = re.compile(r"/meetings/[^/]+/import")


class UploadLimit:
    """Refuses an upload (a POST to :data:`UPLOAD_PATH`) without a length (411) or larger
    than ``NORMWATCH_MAX_UPLOAD_BYTES`` (413) before its body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and UPLOAD_PATH.fullmatch(scope["path"])
        ):
            headers = dict(scope.get("headers", ()))
            length = headers.get(b"content-length", b"").decode()
            cap, variable = total_limit()
            if not length.isdigit():
                await _refuse(send, 411, "an upload must say its length (Content-Length)")
                return
            if int(length) > cap:
                await _refuse(
                    send,
                    413,
                    f"the upload is {int(length):,} bytes, over the limit of {cap:,} for all "
                    f"files together (set {variable} to raise it)",
                )
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = f"{status}: {message}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
