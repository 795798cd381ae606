"""Reading the CSV tables people write, with the csv module's own errors made located ones."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from normwatch.errors import DataError


def rows(reader: csv.DictReader[str], name: str) -> Iterator[dict[str, str]]:
    """The rows of ``reader``; a line the csv module cannot read (a field longer than its
    limit, a NUL character, a broken quote) is a DataError naming ``name`` and the line."""
    try:
        yield from reader
    except csv.Error as exc:
        where = f"{name}:{reader.line_num}"
        raise DataError(f"cannot read this line as CSV: {exc}", where=where) from None


def fieldnames(reader: csv.DictReader[str], name: str) -> list[str]:
    """The header of ``reader`` (read on first use), with the errors of :func:`rows`."""
    try:
        return list(reader.fieldnames or [])
    except csv.Error as exc:
        raise DataError(f"cannot read the header as CSV: {exc}", where=f"{name}:1") from None
