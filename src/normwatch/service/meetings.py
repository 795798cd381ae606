"""Library calls behind ``normwatch meetings ...`` and the web pages: JSON-ready dicts.

* :func:`get_meeting` - one meeting by id (``ccm-12msp``; ``12MSP`` works when unambiguous)
* :func:`list_meetings` - all meetings, optionally of one treaty
* :func:`show_meeting` - a meeting with its sources, participants, statements, decisions,
  gaps and reported claims, each claim beside the figure the data gives
* :func:`statements` - the statements of a meeting (with their text on request)
"""

from __future__ import annotations

from typing import Any

from normwatch.core.meetings import share_of
from normwatch.store.db import Store
from normwatch.store.meetings import MEETING_SQL, get_meeting


def list_meetings(store: Store, treaty: str | None = None) -> list[dict[str, Any]]:
    where = " WHERE m.treaty = :t" if treaty else ""
    rows = store.query(
        MEETING_SQL + where + " ORDER BY m.treaty, m.start_date, m.id", {"t": treaty}
    )
    return [_meeting_dict(r) for r in rows]


def _meeting_dict(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "treaty": r["treaty"],
        "kind": r["kind"],
        "number": r["number"],
        "name": r["name"],
        "start_date": r["start_date"],
        "end_date": r["end_date"],
        "venue": r["venue"],
        "president": r["president"],
        "president_name": r["president_name"],
        "completeness": r["completeness"],
        "confidence": r["confidence"],
        "participants": r["participants"],
        "statements": r["statements"],
        "note": r["note"],
    }


def statements(store: Store, meeting: str, *, with_text: bool = False) -> list[dict[str, Any]]:
    mid = get_meeting(store, meeting)["id"]
    on_behalf: dict[str, list[str]] = {}
    for r in store.query(
        "SELECT b.statement_id, b.state FROM statement_on_behalf b "
        "JOIN statements s ON s.id = b.statement_id WHERE s.meeting_id = :m "
        "ORDER BY b.state",
        {"m": mid},
    ):
        on_behalf.setdefault(r["statement_id"], []).append(r["state"])
    out = []
    for r in store.query(
        "SELECT s.*, src.url AS source_url FROM statements s "
        "LEFT JOIN sources src ON src.id = s.source_id "
        "WHERE s.meeting_id = :m ORDER BY s.local_id",
        {"m": mid},
    ):
        row = {
            "id": r["id"],
            "local_id": r["local_id"],
            "speaker": r["speaker"],
            "speaker_kind": r["speaker_kind"],
            "on_behalf_of": on_behalf.get(r["id"], []),
            "role": r["role"],
            "agenda_item": r["agenda_item"],
            "language": r["language"],
            "language_detected": bool(r["language_detected"]),
            "date": r["date"],
            "file": r["file"],
            "has_text": r["text"] is not None,
            "text_sha256": r["text_sha256"],
            "source_url": r["source_url"],
            "note": r["note"],
        }
        if with_text:
            row["text"] = r["text"]
        out.append(row)
    return out


def show_meeting(
    store: Store, meeting: str, *, with_text: bool = False, with_claims: bool = True
) -> dict[str, Any]:
    """Everything recorded about one meeting, with reported claims beside computed figures
    (``claims`` empty without ``with_claims``: a caller that shows no claims need not compute
    them)."""
    m = get_meeting(store, meeting)
    mid = m["id"]
    sources = store.query(
        "SELECT s.url, s.symbol, s.title, s.published FROM meeting_sources x "
        "JOIN sources s ON s.id = x.source_id WHERE x.meeting_id = :m ORDER BY x.position",
        {"m": mid},
    )
    participants = store.query(
        "SELECT p.participant, p.kind, p.capacity, st.name, s.url AS source, p.note "
        "FROM participations p LEFT JOIN states st ON st.code = p.participant "
        "LEFT JOIN sources s ON s.id = p.source_id WHERE p.meeting_id = :m "
        "ORDER BY p.kind DESC, p.capacity, p.participant",
        {"m": mid},
    )
    notes = store.query(
        "SELECT n.kind, n.text, n.verification, n.confidence, s.url AS source "
        "FROM meeting_notes n LEFT JOIN sources s ON s.id = n.source_id "
        "WHERE n.meeting_id = :m ORDER BY n.kind, n.position",
        {"m": mid},
    )
    return {
        "meeting": {**_meeting_dict(m), "sources": sources},
        "participants": [{**p, "name": p["name"] or p["participant"]} for p in participants],
        "statements": statements(store, mid, with_text=with_text),
        "decisions": [_note(n) for n in notes if n["kind"] == "decision"],
        "gaps": [_note(n) for n in notes if n["kind"] == "gap"],
        "claims": claims(store, mid) if with_claims else [],
    }


def _note(n: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": n["text"],
        "verification": n["verification"],
        "confidence": n["confidence"],
        "source": n["source"],
    }


#: how close a computed share must be to a figure reported as "about" it
ABOUT_TOLERANCE = 0.05


def claims(store: Store, meeting: str) -> list[dict[str, Any]]:
    """Reported figures of a meeting, each with what the stored codings give.

    ``computed`` holds the count, the denominator and the share from
    :func:`~normwatch.service.reactions.reactions` (accepted and human codings only);
    ``consistent`` says whether that share fits the reported relation (``about`` means within
    ``ABOUT_TOLERANCE``), or is null when it cannot be judged: fewer than 10 States in the
    denominator (no share is drawn),
    or a partial record (the computed figure then covers only what is recorded).
    """
    from normwatch.service.reactions import reactions

    m = get_meeting(store, meeting)
    rows = store.query(
        "SELECT c.*, s.url AS source, s.title AS source_title, s.published AS source_published "
        "FROM meeting_claims c JOIN sources s ON s.id = c.source_id "
        "WHERE c.meeting_id = :m ORDER BY c.id",
        {"m": m["id"]},
    )
    out = []
    for c in rows:
        if c["denominator"].startswith("code:"):
            result = reactions(store, m["id"], c["codebook"], denominator="participating")
            base = set(result["codes"][c["denominator"][5:]]["states"])
            carriers = set(result["codes"][c["code"]]["states"]) & base
            count, of = len(carriers), len(base)
        else:
            result = reactions(store, m["id"], c["codebook"], denominator=c["denominator"])
            count, of = result["codes"][c["code"]]["count"], result["denominator"]["count"]
        share = share_of(count, of)
        out.append(
            {
                "id": c["id"],
                "reported": c["reported"],
                "codebook": c["codebook"],
                "code": c["code"],
                "denominator": c["denominator"],
                "relation": c["relation"],
                "value": c["value"],
                "source": c["source"],
                "source_title": c["source_title"],
                "published": c["source_published"],
                "confidence": c["confidence"],
                "note": c["note"],
                "computed": {
                    "count": count,
                    "denominator": of,
                    "share": share,
                    "partial_record": m["completeness"] == "partial",
                },
                "consistent": None
                if share is None or m["completeness"] == "partial"
                else _fits(share, c["relation"], c["value"]),
            }
        )
    return out


def _fits(share: float, relation: str, value: float) -> bool:
    if relation == "about":
        return abs(share - value) <= ABOUT_TOLERANCE
    if relation == "over":
        return share > value
    if relation == "under":
        return share < value
    if relation == "at_least":
        return share >= value
    return share <= value
