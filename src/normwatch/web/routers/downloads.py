"""The open-data files on the site: ``normwatch export`` run by the server, served from ``/data/``.

The export is written once per data version into a private temporary directory (on the first
visit to ``/data``), so the files on the site are exactly what ``normwatch export`` writes.
"""

from __future__ import annotations

import json
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse

from normwatch.errors import NotFoundError
from normwatch.web.deps import error_responses, etag_matches, get_site
from normwatch.web.site import Site

router = APIRouter(prefix="/data", tags=["data"])

MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".parquet": "application/vnd.apache.parquet",
    ".sqlite": "application/vnd.sqlite3",
}
#: OpenAPI: what a file of each media type holds (JSON files are JSON; the others are bytes)
FILE_CONTENT = {
    media.split(";")[0]: {
        "schema": {} if media == "application/json" else {"type": "string", "format": "binary"}
    }
    for media in MEDIA_TYPES.values()
}


@dataclass
class Export:
    version: Any
    tmp: tempfile.TemporaryDirectory[str]
    files: list[dict[str, Any]]
    package: dict[str, Any]

    @property
    def root(self) -> Path:
        return Path(self.tmp.name)


_lock = threading.Lock()


def _formats() -> list[str]:
    from importlib.util import find_spec

    if find_spec("pyarrow") is None:  # parquet is optional
        return ["csv", "json", "sqlite"]
    return ["csv", "json", "parquet", "sqlite"]


def _generate(site: Site) -> Export:
    from normwatch.service.export import export

    with _lock:
        current: Export | None = site.export
        version = site.data_version()
        if current is not None and current.version == version:
            return current
        tmp = tempfile.TemporaryDirectory(prefix="normwatch-export-")
        export(site.store, tmp.name, _formats())
        package = json.loads((Path(tmp.name) / "datapackage.json").read_text(encoding="utf-8"))
        files = [
            {
                "name": "datapackage.json",
                "format": "json",
                "description": "Frictionless Data Package: what every file holds",
                "bytes": (Path(tmp.name) / "datapackage.json").stat().st_size,
            }
        ]
        files += [
            {
                "name": r["path"],
                "format": r["format"],
                "description": r["description"],
                "bytes": r["bytes"],
            }
            for r in package["resources"]
        ]
        new = Export(version, tmp, files, package)
        site.export = new
        if current is not None:
            current.tmp.cleanup()
        return new


def current_export(site: Site) -> Export:
    """The export of the current data version (written on first use)."""
    current: Export | None = site.export
    if current is None or current.version != site.data_version():
        current = _generate(site)
    return current


def export_files(site: Site) -> list[dict[str, Any]]:
    return current_export(site).files


@router.get(
    "/{name}",
    response_class=Response,
    responses={
        200: {"description": "the file, as a download", "content": FILE_CONTENT},
        304: {"description": "not modified: If-None-Match names the file's ETag"},
        **error_responses(404, 422),
    },
    summary="One file of the open-data export (`normwatch export`; the list is in "
    "`datapackage.json`)",
)
def data_file(
    request: Request,
    name: Annotated[
        str,
        PathParam(
            description="A file name from `datapackage.json`.",
            examples=["datapackage.json", "states.csv"],
        ),
    ],
) -> Response:
    site = get_site(request)
    files = {f["name"] for f in export_files(site)}
    if name not in files:  # only the files of the export: no path ever comes from the URL
        raise NotFoundError(f"no file {name!r} in the data export (see /data)")
    current: Export = site.export
    path = current.root / name
    response = FileResponse(
        path,
        media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        filename=name,
        stat_result=path.stat(),
        headers={"cache-control": "public, max-age=600"},
    )
    if etag_matches(request, response.headers["etag"]):
        return NotModifiedResponse(response.headers)
    return response
