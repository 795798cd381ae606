"""``normwatch check`` for meetings: sources present, evidence matching its text, codes known,
capacities that agree with the treaty's status of each State on the meeting's first day."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from normwatch.errors import NormwatchError
from normwatch.sources.meetings import texts

if TYPE_CHECKING:
    from normwatch.service.status import Problem
    from normwatch.store.db import Store


def check_meetings(store: Store) -> list[Problem]:
    from normwatch.service.status import Problem

    problems: list[Problem] = []
    for r in store.query(
        "SELECT m.id FROM meetings m WHERE NOT EXISTS "
        "(SELECT 1 FROM meeting_sources x WHERE x.meeting_id = m.id)"
    ):
        problems.append(Problem("meetings_sourced", f"meeting {r['id']}: no source"))
    for r in store.query(
        "SELECT meeting_id, participant FROM participations WHERE source_id IS NULL"
    ):
        problems.append(
            Problem(
                "meetings_sourced",
                f"meeting {r['meeting_id']}: participant {r['participant']}: no source",
            )
        )
    for r in store.query("SELECT id FROM statements WHERE source_id IS NULL AND text IS NULL"):
        problems.append(
            Problem("meetings_sourced", f"statement {r['id']}: neither a source nor a text")
        )
    for r in store.query("SELECT id, text, text_sha256 FROM statements WHERE text IS NOT NULL"):
        if texts.sha256(r["text"]) != r["text_sha256"]:
            problems.append(
                Problem("statement_text", f"statement {r['id']}: text does not match its checksum")
            )
    rows = store.query(
        "SELECT c.statement_id, c.codebook, c.code, c.coder, c.evidence_start, c.evidence_end, "
        "c.evidence_quote, s.text FROM codings c JOIN statements s ON s.id = c.statement_id"
    )
    known: dict[str, list[str] | None] = {}
    for r in rows:
        label = f"coding {r['statement_id']} {r['code']} by {r['coder']}"
        if r["codebook"] not in known:
            try:
                from normwatch.coding.codebook import load_codebook

                known[r["codebook"]] = load_codebook(r["codebook"]).code_ids
            except (ImportError, NormwatchError) as exc:
                known[r["codebook"]] = None
                problems.append(Problem("coding_codes", f"codebook {r['codebook']}: {exc}"))
        codes = known[r["codebook"]]
        if codes is not None and r["code"] not in codes:
            problems.append(
                Problem("coding_codes", f"{label}: code not in codebook {r['codebook']}")
            )
        if r["evidence_start"] is not None:
            text = r["text"] or ""
            if text[r["evidence_start"] : r["evidence_end"]] != r["evidence_quote"]:
                problems.append(
                    Problem(
                        "coding_evidence",
                        f"{label}: the evidence span does not hold the quoted words",
                    )
                )
    return problems + _capacities(store)


#: the treaty statuses (on the meeting's first day) that each capacity contradicts; a State
#: whose instrument is deposited but not yet in force may sit as a party or as an observer
_CONTRADICTS = {
    "state_party": {"non_signatory", "signatory", "withdrawn"},
    "signatory": {"non_signatory", "consented", "party", "withdrawing", "withdrawn"},
    "observer_state": {"party", "withdrawing"},
}


def _capacities(store: Store) -> list[Problem]:
    """A State listed in a capacity its treaty status on the day rules out."""
    from normwatch.service.status import Problem

    problems: list[Problem] = []
    rows = store.query(
        "SELECT p.meeting_id, p.participant, p.capacity, m.treaty, m.start_date "
        "FROM participations p JOIN meetings m ON m.id = p.meeting_id "
        "WHERE p.kind = 'state' ORDER BY p.meeting_id, p.participant"
    )
    for r in rows:
        view = store.view(r["treaty"])
        day = dt.date.fromisoformat(r["start_date"])
        status = view.status(r["participant"], day).status.value
        if status in _CONTRADICTS.get(r["capacity"], set()):
            problems.append(
                Problem(
                    "meeting_capacity",
                    f"meeting {r['meeting_id']}: {r['participant']} listed as "
                    f"{r['capacity']}, but its status under {r['treaty'].upper()} on "
                    f"{r['start_date']} is {status}",
                )
            )
    return problems


def check_confidence(store: Store) -> list[Problem]:
    """``confidence`` as the data README defines it: a fact rated ``high`` cites the UN
    depositary, a treaty body or a government (:mod:`normwatch.core.source_kinds`)."""
    from normwatch.core.source_kinds import can_be_high
    from normwatch.service.status import Problem

    problems: list[Problem] = []
    urls: dict[str, list[str]] = {}
    high: set[str] = set()
    for r in store.query(
        "SELECT a.treaty, a.state, a.kind, a.date, a.id, x.confidence, s.url FROM actions a "
        "JOIN action_sources x ON x.action_id = a.id JOIN sources s ON s.id = x.source_id"
    ):
        label = f"{r['treaty']}: {r['state']} {r['kind']} {r['date']}"
        urls.setdefault(label, []).append(r["url"])
        if r["confidence"] == "high":
            high.add(label)
    for label in sorted(high):
        if not can_be_high(urls[label]):
            problems.append(Problem("confidence", f"{label}: rated high on secondary sources"))
    for table, what in (
        ("events", "e.treaty || ': ' || e.state || ' ' || e.kind || ' ' || e.date"),
        (
            "obligation_facts",
            "e.treaty || ': ' || e.state || ' ' || e.obligation || ' ' || COALESCE(e.origin, '')",
        ),
    ):
        try:
            rows = store.query(
                f"SELECT {what} AS label, s.url FROM {table} e JOIN sources s "
                "ON s.id = e.source_id WHERE e.confidence = 'high'"
            )
        except NormwatchError:  # a store made before that table existed
            continue
        for r in rows:
            if not can_be_high([r["url"]]):
                problems.append(
                    Problem("confidence", f"{r['label']}: rated high on a secondary source")
                )
    return problems


#: reserved for examples (RFC 2606, RFC 6761): a source there is fiction written for tests
_EXAMPLE_HOSTS = ("example.org", "example.com", "example.net")
_EXAMPLE_TLDS = (".example", ".test", ".invalid")


def _is_example_url(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in _EXAMPLE_HOSTS) or host.endswith(
        _EXAMPLE_TLDS
    )


def check_fiction(store: Store) -> list[Problem]:
    """In a store of real data, records citing a reserved example domain: fiction that came in
    before fictional records were refused (an older README tour, say)."""
    from normwatch.service.status import Problem

    if store.is_example():
        return []
    cited: dict[str, list[str]] = {}
    for table, label in (
        ("meeting_sources", "meeting_id"),
        ("obligation_facts", "treaty || ' ' || e.state || ' ' || e.obligation"),
        ("events", "treaty || ' ' || e.state || ' ' || e.kind"),
        ("action_sources", "action_id"),
    ):
        column = label if "||" in label else f"e.{label}"
        column = column if column.startswith("e.") else f"e.{column}"
        try:
            rows = store.query(
                f"SELECT {column} AS what, s.url FROM {table} e "
                "JOIN sources s ON s.id = e.source_id"
            )
        except NormwatchError:  # a table a store made before that feature does not have
            continue
        for r in rows:
            if _is_example_url(r["url"]):
                cited.setdefault(f"{table.removesuffix('_sources')} {r['what']}", []).append(
                    r["url"]
                )
    return [
        Problem(
            "fiction",
            f"{what} cites {', '.join(sorted(set(urls)))}, a reserved example domain: a "
            "fictional record in a store of real data (remove it: normwatch meetings remove ID, "
            "normwatch import undo)",
        )
        for what, urls in sorted(cited.items())
    ]
