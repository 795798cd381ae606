"""A small RFC 5545 (iCalendar) writer for all-day deadline events.

Written by hand rather than with a library so that the CLI has no extra runtime dependency; the
tests parse the output back with the ``icalendar`` package. What RFC 5545 asks of us here:

* lines end with CRLF and are folded at 75 octets (a continuation line starts with a space),
  never inside a UTF-8 character (section 3.1);
* TEXT values escape backslash, semicolon, comma and newline (section 3.3.11);
* each VEVENT has UID and DTSTAMP (section 3.6.1); an all-day event is ``DTSTART;VALUE=DATE``
  with ``DTEND`` the next day (the end is exclusive).

Output is deterministic: the same events and stamp give the same bytes, so UIDs are stable and
a calendar application updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CRLF = "\r\n"
MAX_OCTETS = 75


@dataclass(frozen=True)
class AllDayEvent:
    uid: str
    day: dt.date
    summary: str
    description: str
    url: str | None = None
    categories: tuple[str, ...] = ()


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 writes it."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line at 75 octets without splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size = " ", 1  # the leading space of a continuation line counts
        current += ch
        size += n
    out.append(current)
    return CRLF.join(out)


def _date(d: dt.date) -> str:
    return d.strftime("%Y%m%d")


def calendar(
    events: Iterable[AllDayEvent],
    *,
    name: str,
    stamp: dt.date,
    prodid: str = "-//normwatch//obligations//EN",
) -> str:
    """A complete VCALENDAR with one VEVENT per event (``stamp`` becomes every DTSTAMP)."""
    lines: list[str] = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    dtstamp = f"{_date(stamp)}T000000Z"
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{_date(e.day)}",
            f"DTEND;VALUE=DATE:{_date(e.day + dt.timedelta(days=1))}",
            f"SUMMARY:{escape_text(e.summary)}",
            f"DESCRIPTION:{escape_text(e.description)}",
        ]
        if e.url:
            lines.append(f"URL:{e.url}")
        if e.categories:
            lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in e.categories))
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def uid(parts: Sequence[str], domain: str = "normwatch") -> str:
    """A readable, stable UID from its parts (letters, digits, "-", "_" and "." kept)."""
    safe = "-".join("".join(c if c.isalnum() or c in "_.-" else "_" for c in p) for p in parts)
    return f"{safe}@{domain}"
