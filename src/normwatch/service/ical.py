"""iCalendar (RFC 5545) calendars of all-day deadline events, written with ``icalendar``.

The library folds lines at 75 octets, escapes TEXT values and ends lines with CRLF. Output is
deterministic: the same events and stamp give the same bytes, so UIDs are stable and a calendar
application updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AllDayEvent:
    uid: str
    day: dt.date
    summary: str
    description: str
    url: str | None = None
    categories: tuple[str, ...] = ()


def calendar(
    events: Iterable[AllDayEvent],
    *,
    name: str,
    stamp: dt.date,
    prodid: str = "-//normwatch//obligations//EN",
) -> str:
    """A complete VCALENDAR with one VEVENT per event (``stamp`` becomes every DTSTAMP)."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", prodid)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    dtstamp = dt.datetime.combine(stamp, dt.time(), tzinfo=dt.UTC)
    for e in events:
        event = icalendar.Event()
        event.add("uid", e.uid)
        event.add("dtstamp", dtstamp)
        event.add("dtstart", e.day)
        event.add("dtend", e.day + dt.timedelta(days=1))  # the end of an all-day event is exclusive
        event.add("summary", e.summary)
        event.add("description", e.description)
        if e.url:
            event.add("url", e.url)
        if e.categories:
            event.add("categories", list(e.categories))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    text: str = cal.to_ical().decode("utf-8")
    return text


def uid(parts: Sequence[str], domain: str = "normwatch") -> str:
    """A readable, stable UID from its parts (letters, digits, "-", "_" and "." kept)."""
    safe = "-".join("".join(c if c.isalnum() or c in "_.-" else "_" for c in p) for p in parts)
    return f"{safe}@{domain}"
