"""Feeds: an Atom feed of status changes (and, with obligations, an iCalendar of deadlines)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from normwatch import __version__
from normwatch.catalog import get_treaty, obligation_rules
from normwatch.web.deps import TreatyQuery, cached_response, error_responses, get_site

router = APIRouter(prefix="/feeds", tags=["feeds"])

ATOM = "http://www.w3.org/2005/Atom"
#: entries in the feed, newest first
FEED_SIZE = 100


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """An Atom element under ``parent``, with its text and attributes."""
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _atom_feed(
    self_url: str, title: str, subtitle: str, updated: dt.date, alternate: str
) -> ET.Element:
    """An Atom feed element with its id, titles, date, links, author and generator."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", self_url)
    _sub(feed, "title", title)
    _sub(feed, "subtitle", subtitle)
    _sub(feed, "updated", _stamp(updated))
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=alternate, type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", "normwatch")
    _sub(feed, "generator", "normwatch", version=__version__)
    return feed


def _atom_bytes(feed: ET.Element) -> bytes:
    body: bytes = ET.tostring(feed, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def changes_atom(site: Any, base: str, treaty: str | None) -> bytes:
    """Status changes up to today, newest first, as an Atom 1.0 document."""
    store = site.store
    today: dt.date = site.today()
    reg = store.registry()
    ids = [get_treaty(treaty).id] if treaty else sorted(store.treaties())
    changes = []
    for tid in ids:
        view = store.view(tid)
        for c in view.changes(view.rules.opened_for_signature, today):
            changes.append((view.rules, c))
    changes.sort(key=lambda rc: (rc[1].date, rc[0].id, rc[1].state), reverse=True)
    changes = changes[:FEED_SIZE]

    query = f"?{urlencode({'treaty': ids[0]})}" if treaty else ""
    self_url = f"{base}/feeds/changes.atom{query}"
    scope = ", ".join(store.treaties()[t].short_name for t in ids)
    feed = _atom_feed(
        self_url,
        f"normwatch: status changes ({scope})",
        "Who joined, signed, or withdrew, on the day it took legal effect, "
        "as computed from the depositary's records and the treaty's rules.",
        changes[0][1].date if changes else today,
        f"{base}/",
    )
    for rules, c in changes:
        name = reg.name(c.state)
        page = f"{base}/states/{c.state}?{urlencode({'on': c.date.isoformat()})}"
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{page}#{rules.id}-{c.after.value}")
        _sub(entry, "title", f"{name}: {c.before.value} → {c.after.value} ({rules.short_name})")
        _sub(entry, "updated", _stamp(c.date))
        _sub(entry, "link", rel="alternate", href=page, type="text/html")
        _sub(entry, "category", term=c.after.value, label=c.after.value.replace("_", " "))
        lines = [
            f"{c.date.isoformat()}: {name} becomes {c.after.value.replace('_', ' ')} "
            f"under the {rules.name}.",
            f"Rule: {c.explanation.rule}.",
        ]
        lines += [f"Action: {a.describe()}" for a in c.explanation.actions]
        lines += [f"Arithmetic: {s}" for s in c.explanation.steps]
        _sub(entry, "summary", "\n".join(lines), type="text")
    return _atom_bytes(feed)


def _feed(media_type: str, description: str, *errors: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: a feed of ``media_type`` and its errors."""
    return {
        200: {"description": description, "content": {media_type: {"schema": {"type": "string"}}}},
        **error_responses(*errors),
    }


@router.get(
    "/changes.atom",
    summary="Atom feed of status changes (newest first)",
    response_class=Response,
    responses=_feed("application/atom+xml", "an Atom 1.0 feed", 404, 422),
)
def feed_changes(request: Request, treaty: TreatyQuery = None) -> Response:
    site = get_site(request)
    base = str(request.base_url).rstrip("/")
    tid = get_treaty(treaty).id if treaty else None  # unknown treaty → 404, nothing cached
    key = ("atom", base, tid, site.today())
    return cached_response(
        request,
        key,
        "application/atom+xml; charset=utf-8",
        lambda: changes_atom(site, base, tid),
        max_age=600,
    )


def erosion_atom(site: Any, base: str, treaty: str | None) -> bytes:
    """The erosion timeline, newest act first, as an Atom 1.0 document: one entry per act, with
    its computed effect, notification and sources."""
    from normwatch.service.erosion import select
    from normwatch.web.routers.pages import erosion_anchor, erosion_entries

    today: dt.date = site.today()
    entries = [
        e for e in select(erosion_entries(site), treaty) if dt.date.fromisoformat(e["day"]) <= today
    ][::-1][:FEED_SIZE]
    query = f"?{urlencode({'treaty': treaty})}" if treaty else ""
    self_url = f"{base}/feeds/erosion.atom{query}"
    page = f"{base}/erosion{query}"
    feed = _atom_feed(
        self_url,
        "normwatch: withdrawals and other acts that weaken the treaties",
        "Withdrawals, revoked ratifications, notices of intent not to become a party, purported "
        "suspensions and announced withdrawals, computed from the acts and events on record.",
        dt.date.fromisoformat(entries[0]["day"]) if entries else today,
        page,
    )
    for e in entries:
        href = f"{base}/erosion#{erosion_anchor(e)}"
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base}/erosion#{e['id']}")
        _sub(entry, "title", f"{e['name']}: {e['act']} ({e['short_name']}, {e['date']})")
        _sub(entry, "updated", _stamp(dt.date.fromisoformat(e["day"])))
        _sub(entry, "link", rel="alternate", href=href, type="text/html")
        _sub(entry, "category", term=e["kind"], label=e["act"])
        lines = [f"{e['date']}: {e['name']}, {e['act']}, {e['treaty_name']}.", e["effect"] + "."]
        if e["notification"]:
            lines.append(f"Depositary notification {e['notification']}.")
        lines += [f"Source: {u}" for u in e["sources"]]
        _sub(entry, "summary", "\n".join(lines), type="text")
    return _atom_bytes(feed)


@router.get(
    "/erosion.atom",
    summary="Atom feed of the erosion timeline (newest act first)",
    response_class=Response,
    responses=_feed("application/atom+xml", "an Atom 1.0 feed", 404, 422),
)
def feed_erosion(request: Request, treaty: TreatyQuery = None) -> Response:
    site = get_site(request)
    base = str(request.base_url).rstrip("/")
    tid = get_treaty(treaty).id if treaty else None
    key = ("erosion-atom", base, tid, site.today())
    return cached_response(
        request,
        key,
        "application/atom+xml; charset=utf-8",
        lambda: erosion_atom(site, base, tid),
        max_age=600,
    )


def deadlines_ics(site: Any, treaty: str | None, states: list[str]) -> str:
    """Upcoming deadlines as iCalendar: one treaty, or every treaty's events in one calendar."""
    from normwatch.service.ical import calendar
    from normwatch.service.obligations import calendar_events, calendar_ics

    today: dt.date = site.today()
    if treaty:
        return calendar_ics(site.store, get_treaty(treaty).id, states, today)
    events = [
        e
        for t in sorted(site.store.treaties())
        if obligation_rules(t)  # a treaty whose rule file states no deadlines has no events
        for e in calendar_events(site.store, t, states, today)
    ]
    events.sort(key=lambda e: (e.day, e.uid))
    return calendar(events, name="normwatch deadlines", stamp=today)


@router.get(
    "/deadlines.ics",
    summary="iCalendar feed of upcoming treaty deadlines",
    response_class=Response,
    responses=_feed("text/calendar", "an iCalendar (RFC 5545) calendar", 400, 404, 422),
)
def feed_deadlines(
    request: Request,
    treaty: TreatyQuery = None,
    state: Annotated[
        list[str] | None, Query(description="Only these States (repeat).", examples=[["LTU"]])
    ] = None,
) -> Response:
    site = get_site(request)
    tid = get_treaty(treaty).id if treaty else None
    codes = site.store.registry().resolve_all(state) if state else []
    key = ("ics", tid, tuple(codes), site.today())
    return cached_response(
        request,
        key,
        "text/calendar; charset=utf-8",
        lambda: deadlines_ics(site, tid, codes),
        max_age=600,
    )
