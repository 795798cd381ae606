"""``normwatch check`` for meetings: sources present, evidence matching its text, codes known,
capacities that agree with the treaty's status of each State on the meeting's first day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

from normwatch.errors import NormwatchError
from normwatch.sources.meetings import texts

if TYPE_CHECKING:
    from normwatch.service.status import Problem
    from normwatch.store.db import Store


def _meeting_scope(column: str, treaties: Collection[str] | None) -> tuple[str, dict[str, str]]:
    """The SQL condition for rows of the meetings of ``treaties`` (``column``: their
    meeting id)."""
    from normwatch.service.status import scope_sql

    if treaties is None:
        return "", {}
    scope, params = scope_sql("treaty", treaties)
    return f" AND {column} IN (SELECT id FROM meetings WHERE 1 = 1{scope})", params


def check_meetings(store: Store, treaties: Collection[str] | None = None) -> list[Problem]:
    from normwatch.service.status import Problem

    problems: list[Problem] = []
    scope, params = _meeting_scope("m.id", treaties)
    for r in store.query(
        "SELECT m.id FROM meetings m WHERE NOT EXISTS "
        f"(SELECT 1 FROM meeting_sources x WHERE x.meeting_id = m.id){scope}",
        params,
    ):
        problems.append(Problem("meetings_sourced", f"meeting {r['id']}: no source"))
    scope, params = _meeting_scope("meeting_id", treaties)
    for r in store.query(
        f"SELECT meeting_id, participant FROM participations WHERE source_id IS NULL{scope}",
        params,
    ):
        problems.append(
            Problem(
                "meetings_sourced",
                f"meeting {r['meeting_id']}: participant {r['participant']}: no source",
            )
        )
    for r in store.query(
        f"SELECT id FROM statements WHERE source_id IS NULL AND text IS NULL{scope}", params
    ):
        problems.append(
            Problem("meetings_sourced", f"statement {r['id']}: neither a source nor a text")
        )
    for r in store.query(
        f"SELECT id, text, text_sha256 FROM statements WHERE text IS NOT NULL{scope}", params
    ):
        if texts.sha256(r["text"]) != r["text_sha256"]:
            problems.append(
                Problem("statement_text", f"statement {r['id']}: text does not match its checksum")
            )
    scope, params = _meeting_scope("s.meeting_id", treaties)
    rows = store.query(
        "SELECT c.statement_id, c.codebook, c.code, c.coder, c.evidence_start, c.evidence_end, "
        "c.evidence_quote, s.text FROM codings c JOIN statements s ON s.id = c.statement_id "
        f"WHERE 1 = 1{scope}",
        params,
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
    return problems + _capacities(store, treaties)


#: the treaty statuses (on the meeting's first day) that each capacity contradicts; a State
#: whose instrument is deposited but not yet in force may sit as a party or as an observer
_CONTRADICTS = {
    "state_party": {"non_signatory", "signatory", "withdrawn"},
    "signatory": {"non_signatory", "consented", "party", "withdrawing", "withdrawn"},
    "observer_state": {"party", "withdrawing"},
}


def _capacities(store: Store, treaties: Collection[str] | None) -> list[Problem]:
    """A State listed in a capacity its treaty status on the day rules out."""
    from normwatch.service.status import Problem, scope_sql

    problems: list[Problem] = []
    scope, params = scope_sql("m.treaty", treaties)
    rows = store.query(
        "SELECT p.meeting_id, p.participant, p.capacity, m.treaty, m.start_date "
        "FROM participations p JOIN meetings m ON m.id = p.meeting_id "
        f"WHERE p.kind = 'state'{scope} ORDER BY p.meeting_id, p.participant",
        params,
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


def check_confidence(store: Store, treaties: Collection[str] | None = None) -> list[Problem]:
    """``confidence`` as the data README defines it: a fact rated ``high`` cites the UN
    depositary, a treaty body or a government (:mod:`normwatch.core.source_kinds`)."""
    from normwatch.core.source_kinds import can_be_high
    from normwatch.service.status import Problem, scope_sql

    problems: list[Problem] = []
    urls: dict[str, list[str]] = {}
    high: set[str] = set()
    from_depositary: set[str] = set()
    scope, params = scope_sql("a.treaty", treaties)
    for r in store.query(
        "SELECT a.treaty, a.state, a.kind, a.date, a.id, x.confidence, s.url, "
        "s.kind AS source_kind FROM actions a "
        "JOIN action_sources x ON x.action_id = a.id JOIN sources s ON s.id = x.source_id"
        f" WHERE 1 = 1{scope}",
        params,
    ):
        label = f"{r['treaty']}: {r['state']} {r['kind']} {r['date']}"
        urls.setdefault(label, []).append(r["url"])
        if r["source_kind"] == "depositary":  # a status file or page read by `import untc`
            from_depositary.add(label)
        if r["confidence"] == "high":
            high.add(label)
    for label in sorted(high):
        if label not in from_depositary and not can_be_high(urls[label]):
            problems.append(Problem("confidence", f"{label}: rated high on secondary sources"))
    for table, what in (
        ("events", "e.treaty || ': ' || e.state || ' ' || e.kind || ' ' || e.date"),
        (
            "obligation_facts",
            "e.treaty || ': ' || e.state || ' ' || e.obligation || ' ' || COALESCE(e.origin, '')",
        ),
    ):
        scope, params = scope_sql("e.treaty", treaties)
        try:
            rows = store.query(
                f"SELECT {what} AS label, s.url FROM {table} e JOIN sources s "
                f"ON s.id = e.source_id WHERE e.confidence = 'high'{scope}",
                params,
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

    lowered = url.lower()
    if "example" not in lowered and ".test" not in lowered and ".invalid" not in lowered:
        return False  # no reserved name anywhere in it, so none in its host
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in _EXAMPLE_HOSTS) or host.endswith(
        _EXAMPLE_TLDS
    )


def check_fiction(store: Store, treaties: Collection[str] | None = None) -> list[Problem]:
    """In a store of real data, records citing a reserved example domain: fiction that came in
    before fictional records were refused (an older README tour, say)."""
    from normwatch.service.status import Problem, scope_sql

    if store.is_example():
        return []
    cited: dict[str, list[str]] = {}
    # each table with the SQL condition on its records' treaty, for a scoped check
    by_treaty, params = scope_sql("e.treaty", treaties)
    by_meeting = _meeting_scope("e.meeting_id", treaties)[0]
    of_actions = scope_sql("treaty", treaties)[0]
    by_action = (
        of_actions and f" AND e.action_id IN (SELECT id FROM actions WHERE 1 = 1{of_actions})"
    )
    for table, label, scope in (
        ("meeting_sources", "meeting_id", by_meeting),
        ("obligation_facts", "treaty || ' ' || e.state || ' ' || e.obligation", by_treaty),
        ("events", "treaty || ' ' || e.state || ' ' || e.kind", by_treaty),
        ("action_sources", "action_id", by_action),
    ):
        column = label if "||" in label else f"e.{label}"
        column = column if column.startswith("e.") else f"e.{column}"
        try:
            rows = store.query(
                f"SELECT {column} AS what, s.url FROM {table} e "
                f"JOIN sources s ON s.id = e.source_id WHERE 1 = 1{scope}",
                params,
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
