"""Rendering rows for people (Rich tables) and for programs (CSV, JSON).

Every listing command takes ``--format table|csv|json``. JSON is the rows as they are
(values already JSON-friendly); CSV flattens lists with ``;``; the table view is for reading.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

FORMATS = ("table", "csv", "json")


_PLAIN = (str, int, float, bool, type(None))


def jsonable(value: Any) -> Any:
    """Turn dates, tuples, sets and dataclass-like objects into plain JSON values."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    return value


def dumps(value: Any) -> str:
    import json  # here and below: not imported by a command that prints a table

    return json.dumps(jsonable(value), ensure_ascii=False, indent=2)


def _json_default(value: Any) -> Any:
    plain = jsonable(value)
    if plain is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return plain


def dumps_compact(value: Any) -> str:
    """``value`` as compact JSON (the API's answers): the same text as ``json.dumps`` of
    :func:`jsonable` of it, written by the C encoder, which hands only what it cannot write
    itself (dates, sets, objects with ``to_dict``) to :func:`jsonable`."""
    import json

    return json.dumps(value, ensure_ascii=False, default=_json_default)


def dumps_items(values: Iterable[Any]) -> str:
    """A JSON list with one compact item per line: the same content as :func:`dumps`, written
    by the C encoder (indenting makes ``json`` fall back to its slow pure-Python encoder)."""
    import json

    # plain values go straight to the C encoder; only dates, sets and the like pass jsonable
    encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    items = [encode(v) for v in values]
    if not items:
        return "[]"
    return "[\n" + ",\n".join(items) + "\n]"


def _cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: first characters that make a spreadsheet read a text cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV value that a spreadsheet shows and never runs: text starting like a formula gets a
    leading apostrophe (numbers stay numbers). Every CSV normwatch writes goes through this."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    raw = jsonable(value)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _cell(raw)
    return spreadsheet_safe(_cell(raw))


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Write ``rows`` in ``fmt``. ``columns`` picks and orders the columns of table and CSV."""
    out = out or sys.stdout
    if fmt == "json":
        out.write(dumps(list(rows)) + "\n")
        return
    cols = list(columns) if columns else _columns(rows)
    if fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([spreadsheet_safe(c) for c in cols])
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in cols])
        return
    emit_table(rows, cols, title=title, out=out)


def emit_table(
    rows: Iterable[Mapping[str, Any]],
    cols: Sequence[str],
    *,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # data is never markup: a name or message holding "[/x]" or ":flag_for_x:" is shown as it
    # is (so no emoji table is loaded either)
    table = Table(title=escape(title) if title else None, header_style="bold")
    for c in cols:
        table.add_column(escape(c), overflow="fold")
    for row in rows:
        table.add_row(*[escape(_cell(row.get(c))) for c in cols])
    if not table.row_count:  # an empty result says so, rather than a bare header
        table.caption = "nothing matches"
    Console(file=out or sys.stdout, width=terminal_width(out) or 200, emoji=False).print(table)


def terminal_width(out: TextIO | None = None) -> int | None:
    """The width tables must fit: ``COLUMNS`` when set, else the terminal's when ``out`` (or
    standard output) is one; None when writing to a file or a pipe (no limit)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = out or sys.stdout
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _fit(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Column widths that fit ``room`` characters: the widest columns give way first, none
    below its floor."""
    fitted = list(widths)
    while sum(fitted) > room:
        widest = max(range(len(fitted)), key=lambda i: (fitted[i] - floors[i], fitted[i]))
        if fitted[widest] <= floors[widest]:
            break
        fitted[widest] -= 1
    return fitted


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def emit_plain_table(
    rows: Sequence[Mapping[str, Any]],
    cols: Sequence[str],
    *,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """A plain fixed-width text table, for listings too long for rich to draw quickly.

    Cells are shown as they are (nothing is read as markup); line breaks in a cell become
    spaces so one row stays one line. On a terminal (or with ``COLUMNS`` set) the widest
    columns are cut, with an ellipsis, so that a line fits the width.
    """
    out = out or sys.stdout
    cells = [[" ".join(_cell(row.get(c)).splitlines()) for c in cols] for row in rows]
    widths = [len(c) for c in cols]
    for line in cells:
        for i, text in enumerate(line):
            if len(text) > widths[i]:
                widths[i] = len(text)
    limit = terminal_width(out)
    if limit is not None and cols:
        widths = _fit(
            widths,
            [min(w, max(len(c), 6)) for c, w in zip(cols, widths, strict=True)],
            limit - 3 * (len(cols) - 1),
        )
        cols = [_clip(c, w) for c, w in zip(cols, widths, strict=True)]
        cells = [[_clip(t, w) for t, w in zip(line, widths, strict=True)] for line in cells]
    rule = "-+-".join("-" * w for w in widths)
    parts: list[str] = []
    if title:
        parts.append(title)
    parts.append(" | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
    parts.append(rule)
    for line in cells:
        parts.append(" | ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)).rstrip())
    out.write("\n".join(parts) + "\n")


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    buf = io.StringIO()
    emit(rows, "csv", columns=columns, out=buf)
    return buf.getvalue()


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        for key in row:
            if key not in cols:
                cols.append(key)
    return cols
