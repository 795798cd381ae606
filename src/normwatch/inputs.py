"""Reading the files people give normwatch, within limits.

Every input file (status files, meeting folders and their statement texts, obligation tables,
codebooks, labelled sets, model files) is read through here:

* it must be a regular file: a named pipe, a device (``/dev/zero``) or a folder is refused
  before it is opened, so that nothing hangs or fills the memory;
* it may not be larger than a limit, checked before reading and again while reading (a file
  that grows): ``NORMWATCH_MAX_INPUT_BYTES`` (default 16 MiB) for any input file,
  ``NORMWATCH_MAX_STATUS_BYTES`` (default 8 MiB) for a UN status file or page, read or
  fetched; ``NORMWATCH_MAX_UNPACKED_BYTES`` (default 32 MiB) bounds what a DOCX unpacks to;
  ``NORMWATCH_MAX_UPLOAD_BYTES`` (default 64 MiB) one upload of statement files through the
  web form, all files together (each file is an input file);
* a file of an import folder must be inside that folder: a symbolic link out of it is refused
  without reading its target;
* reading is bounded in time where it can take long (:class:`Deadline`):
  ``NORMWATCH_MAX_FETCH_SECONDS`` (default 120) for fetching a status page, however slowly it
  comes; ``NORMWATCH_MAX_PDF_SECONDS`` (default 60) for reading a PDF's text layer;
  ``NORMWATCH_MAX_OCR_SECONDS`` (default 600) for the OCR of one scanned PDF, all its pages.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from normwatch.errors import SourceError

MiB = 1024 * 1024
INPUT = "NORMWATCH_MAX_INPUT_BYTES"
STATUS = "NORMWATCH_MAX_STATUS_BYTES"
UNPACKED = "NORMWATCH_MAX_UNPACKED_BYTES"
UPLOAD = "NORMWATCH_MAX_UPLOAD_BYTES"
DEFAULTS = {INPUT: 16 * MiB, STATUS: 8 * MiB, UNPACKED: 32 * MiB, UPLOAD: 64 * MiB}
FETCH_SECONDS = "NORMWATCH_MAX_FETCH_SECONDS"
PDF_SECONDS = "NORMWATCH_MAX_PDF_SECONDS"
OCR_SECONDS = "NORMWATCH_MAX_OCR_SECONDS"
SECONDS = {FETCH_SECONDS: 120.0, PDF_SECONDS: 60.0, OCR_SECONDS: 600.0}


def limit(name: str) -> int:
    """The limit in bytes named by the environment variable ``name`` (or its default)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return DEFAULTS[name]
    if not raw.isdigit() or int(raw) == 0:
        raise SourceError(f"{name} must be a whole number of bytes above 0, not {raw!r}")
    return int(raw)


def too_large(where: str, size: int, name: str) -> SourceError:
    return SourceError(
        f"{where}: {size:,} bytes, over the limit of {limit(name):,} (set {name} to raise it)"
    )


def regular_file(path: Path) -> os.stat_result:
    """``path``'s status; a SourceError unless it is a regular file (no pipe, device, folder)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError(f"{path}: cannot read file: Is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{path}: not a regular file (a named pipe, a socket or a device)")
    return st


def read_bytes(path: Path, name: str = INPUT) -> bytes:
    """The bytes of a regular file of at most ``limit(name)`` bytes."""
    st = regular_file(path)
    cap = limit(name)
    if st.st_size > cap:
        raise too_large(str(path), st.st_size, name)
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise too_large(str(path), len(data), name)
    return data


def read_text(path: Path, name: str = INPUT) -> str:
    """The UTF-8 text (a byte-order mark dropped) of :func:`read_bytes`."""
    try:
        return read_bytes(path, name).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text") from None


def in_folder(folder: Path, name: str) -> Path:
    """``folder / name``, refused when it leads out of ``folder`` (a symbolic link to a file
    elsewhere, ``..``): the target is never read, so its content cannot leak into a message."""
    path = folder / name
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of links
        inside = False
    if not inside:
        raise SourceError(f"{path}: leads out of the folder {folder} (a link?): not followed")
    return path


def seconds(name: str) -> float:
    """The time limit in seconds named by the environment variable ``name`` (or its default)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return SECONDS[name]
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise SourceError(f"{name} must be a number of seconds above 0, not {raw!r}")
    return value


class Overtime(BaseException):
    """The time of a :func:`within` block is up. Not an ``Exception``, so that a library's
    ``except Exception`` around a callback does not swallow it; :func:`within` turns it into
    the SourceError of its deadline."""


class Deadline:
    """``seconds(name)`` from now for reading ``what``."""

    def __init__(self, what: str, name: str) -> None:
        self.what, self.name = what, name
        self.seconds = seconds(name)
        self.ends = time.monotonic() + self.seconds

    def left(self) -> float:
        """The seconds left (0 when the time is up)."""
        return max(self.ends - time.monotonic(), 0.0)

    def exceeded(self) -> SourceError:
        return SourceError(
            f"{self.what}: took longer than {self.seconds:g} s, given up (set {self.name} "
            "to raise the limit)"
        )

    def check(self) -> None:
        """A SourceError when the time is up."""
        if not self.left():
            raise self.exceeded()

    def tick(self, *_: object) -> None:
        """:class:`Overtime` when the time is up: for a callback inside a library's code, in a
        :func:`within` block (any arguments are ignored)."""
        if not self.left():
            raise Overtime


@contextmanager
def within(deadline: Deadline) -> Iterator[None]:
    """Run the block under ``deadline``: its SourceError when the time is up. In the main
    thread a timer interrupts the block wherever it is; in another thread (no signals there)
    the block must call ``deadline.tick`` now and then."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise Overtime

    timed = threading.current_thread() is threading.main_thread() and not any(
        signal.getitimer(signal.ITIMER_REAL)
    )
    previous = signal.signal(signal.SIGALRM, interrupt) if timed else None
    try:
        try:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, max(deadline.left(), 1e-6))
            yield
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except Overtime:
        raise deadline.exceeded() from None
    finally:
        if timed:
            signal.signal(signal.SIGALRM, previous)
