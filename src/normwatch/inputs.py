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
  without reading its target.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from normwatch.errors import SourceError

MiB = 1024 * 1024
INPUT = "NORMWATCH_MAX_INPUT_BYTES"
STATUS = "NORMWATCH_MAX_STATUS_BYTES"
UNPACKED = "NORMWATCH_MAX_UNPACKED_BYTES"
UPLOAD = "NORMWATCH_MAX_UPLOAD_BYTES"
DEFAULTS = {INPUT: 16 * MiB, STATUS: 8 * MiB, UNPACKED: 32 * MiB, UPLOAD: 64 * MiB}


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
