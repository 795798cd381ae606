"""Statement files uploaded through the web form (``normwatch.web.routers.uploads``), kept on
the server between the proposal and its confirmation.

Each upload is a folder of its own, named by a random id, under ``NORMWATCH_UPLOAD_DIR`` (or
the system's temporary folder): ``files/`` holds the statement files, ``plan.csv`` the plan
proposed for them, ``agenda.csv`` the agenda given with them, ``owner`` who uploaded them for
which meeting. Only its owner opens it again, for the same meeting; it is removed when its
statements are imported or dropped, and any left a day later are removed at the next upload.

An upload may send no more than ``NORMWATCH_MAX_UPLOAD_BYTES`` (all files together: the web
app refuses more before reading it), each file no more than an input file
(``NORMWATCH_MAX_INPUT_BYTES``, :mod:`normwatch.inputs`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from normwatch import inputs
from normwatch.errors import DataError, NotFoundError
from normwatch.sources.meetings.texts import SUFFIXES

#: the most files one upload may hold
MAX_FILES = 200
#: how long an upload not confirmed is kept, in seconds
KEEP = 24 * 3600
_ID = re.compile(r"[A-Za-z0-9_-]{22}")
_CHUNK = 1024 * 1024


def root() -> Path:
    base = os.environ.get("NORMWATCH_UPLOAD_DIR", "").strip()
    return Path(base) if base else Path(tempfile.gettempdir()) / "normwatch-uploads"


@dataclass(frozen=True)
class Upload:
    id: str
    path: Path
    meeting: str
    owner: str

    @property
    def files(self) -> Path:
        return self.path / "files"

    @property
    def plan(self) -> Path:
        return self.path / "plan.csv"

    @property
    def agenda(self) -> Path:
        return self.path / "agenda.csv"

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def new_upload(meeting: str, owner: str) -> Upload:
    """A new, empty upload folder (readable by this process's user only)."""
    sweep()
    base = root()
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    upload_id = secrets.token_urlsafe(16)
    path = base / upload_id
    path.mkdir(mode=0o700)
    (path / "files").mkdir(mode=0o700)
    (path / "owner").write_text(json.dumps({"meeting": meeting, "owner": owner}), "utf-8")
    return Upload(upload_id, path, meeting, owner)


def open_upload(upload_id: str, meeting: str, owner: str) -> Upload:
    """The upload ``upload_id`` of ``owner`` for ``meeting``; NotFoundError for any other
    (another person's upload is not told apart from none)."""
    missing = NotFoundError(
        f"no upload {upload_id!r} of yours for {meeting}: it was imported, dropped or is "
        "older than a day; upload the files again"
    )
    if not _ID.fullmatch(upload_id):
        raise missing
    path = root() / upload_id
    try:
        made = json.loads((path / "owner").read_text("utf-8"))
    except (OSError, ValueError):
        raise missing from None
    if made != {"meeting": meeting, "owner": owner}:
        raise missing
    return Upload(upload_id, path, meeting, owner)


def sweep(now: float | None = None) -> None:
    """Remove the uploads older than :data:`KEEP`."""
    base = root()
    if not base.is_dir():
        return
    cutoff = (time.time() if now is None else now) - KEEP
    for path in base.iterdir():
        try:
            if _ID.fullmatch(path.name) and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def file_name(sent: str | None) -> str:
    """A sent file's name as kept: its last part only (a browser may send a path), NFC, no
    hidden or control characters, one of the statement files' suffixes."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", sent or "")[-1]).strip()
    if not name or name.startswith(".") or any(unicodedata.category(c)[0] == "C" for c in name):
        raise DataError(f"file name {sent!r}: not a name a file can be kept under")
    if len(name.encode()) > 200:
        raise DataError(f"file name {name!r}: longer than 200 bytes")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise DataError(f"{name}: not a statement file (use {', '.join(SUFFIXES)})")
    return name


def save(upload: Upload, files: Iterable[tuple[str | None, BinaryIO]]) -> list[str]:
    """Keep the sent files in the upload's folder; every problem (a name, a size, too many or
    no files, the same name twice) in one DataError, and then nothing is kept."""
    cap = inputs.limit(inputs.INPUT)
    problems: list[str] = []
    named: list[tuple[str, BinaryIO]] = []
    for sent, stream in files:
        try:
            named.append((file_name(sent), stream))
        except DataError as exc:
            problems.append(str(exc))
    names = [n for n, _ in named]
    problems += [f"{n}: sent twice" for n in sorted({n for n in names if names.count(n) > 1})]
    if not named and not problems:
        problems.append("no file sent: choose the statement files (PDF, DOCX, TXT or HTML)")
    if len(named) > MAX_FILES:
        problems.append(f"{len(named)} files: at most {MAX_FILES} in one upload")
    if not problems:
        for name, stream in named:
            size = _copy(stream, upload.files / name, cap)
            if size > cap:
                problems.append(
                    f"{name}: more than {cap:,} bytes (set {inputs.INPUT} to raise the limit)"
                )
    if problems:
        upload.discard()
        raise DataError("; ".join(problems))
    return names


def save_agenda(upload: Upload, stream: BinaryIO) -> Path:
    size = _copy(stream, upload.agenda, inputs.limit(inputs.INPUT))
    if size > inputs.limit(inputs.INPUT):
        upload.discard()
        raise DataError(f"agenda: more than {inputs.limit(inputs.INPUT):,} bytes")
    return upload.agenda


def _copy(stream: BinaryIO, target: Path, cap: int) -> int:
    """Copy at most ``cap + 1`` bytes; the number copied."""
    size = 0
    with target.open("xb") as out:
        while size <= cap:
            chunk = stream.read(min(_CHUNK, cap + 1 - size))
            if not chunk:
                break
            out.write(chunk)
            size += len(chunk)
    return size


def total_limit() -> tuple[int, str]:
    """The most bytes one upload may send (all files together), and the variable setting it."""
    return inputs.limit(inputs.UPLOAD), inputs.UPLOAD
