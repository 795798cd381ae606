"""The erosion timeline: every act by which a State left or weakened a treaty, computed from the
store's acts and events, never typed in.

An entry is one of: a **withdrawal** (``withdrawal`` act), a **revocation of ratification**
(``ratification_revoked``), a **notice of intent not to become a party** (``unsigning``,
``intent_not_to_become_party``), a **purported suspension** (``suspension_notified``) — all
acts recorded by the depositary — or a **withdrawal announced and never deposited** (an event of
kind ``withdrawal_announced``, without legal effect). Each carries its dates and effect as the
status engine computes them (:mod:`normwatch.core.status`: the article applied, the arithmetic,
a postponement by armed conflict), its sources and depositary notification, the domestic steps
recorded before it, and the reactions recorded for it (:func:`act_reactions`): objections and
meeting decisions among the treaty's records, and the statements coded at the treaty's meetings
with a codebook whose target is the act (its treaty and the State among its ``targets``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from normwatch.core.model import (
    NO_NOTIFICATION,
    WITHDRAWAL_ANNOUNCED,
    Action,
    ActionKind,
    Event,
    Record,
)
from normwatch.core.status import Period, TreatyView
from normwatch.core.treaty import TreatyRules
from normwatch.errors import DataError
from normwatch.store.db import Store

if TYPE_CHECKING:
    from normwatch.coding.codebook import CodebookOutline

#: the first day the timeline looks at by default (ENMOD, the oldest treaty, opened in 1977)
DEFAULT_SINCE = dt.date(1976, 1, 1)

#: the kinds of entry, with how they are named for people
KINDS: dict[str, str] = {
    ActionKind.WITHDRAWAL.value: "withdrawal",
    ActionKind.RATIFICATION_REVOKED.value: "ratification revoked",
    ActionKind.INTENT_NOT_TO_BECOME_PARTY.value: "notice of intent not to become a party",
    ActionKind.SUSPENSION_NOTIFIED.value: "purported suspension",
    WITHDRAWAL_ANNOUNCED: "withdrawal announced, never deposited",
}
_ACT_KINDS = frozenset(ActionKind(k) for k in KINDS if k != WITHDRAWAL_ANNOUNCED)
#: the ``subject`` of an objection or decision record that concerns an act of each kind
_SUBJECTS = {
    ActionKind.WITHDRAWAL: "withdrawal",
    ActionKind.SUSPENSION_NOTIFIED: "suspension",
    ActionKind.RATIFICATION_REVOKED: "ratification_revoked",
    ActionKind.INTENT_NOT_TO_BECOME_PARTY: "intent_not_to_become_party",
}

#: the columns of the CSV (one row per entry; reactions counted)
EROSION_FIELDS = (
    "date",
    "treaty",
    "state",
    "name",
    "kind",
    "act",
    "notified",
    "effective",
    "postponed",
    "article",
    "effect",
    "status_after",
    "notification",
    "notification_date",
    "sources",
    "domestic_steps",
    "objections",
    "decisions",
    "states_reacting",
    "other_treaties",
)


def erosion(
    store: Store,
    treaty: str | None = None,
    since: dt.date = DEFAULT_SINCE,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Every entry from ``since`` to ``until`` (inclusive; open without it), of one treaty or
    all, in date order. ``other_treaties`` names the other treaties the same State left or
    weakened (over the whole record, so a State acting on several treaties is shown as such)."""
    return select(all_entries(store), treaty, since, until)


def select(
    every: list[dict[str, Any]],
    treaty: str | None = None,
    since: dt.date = DEFAULT_SINCE,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The entries of :func:`all_entries` from ``since`` to ``until`` of one treaty or all,
    each with ``other_treaties`` (see :func:`erosion`)."""
    from normwatch.catalog import get_treaty

    if until is not None and until < since:
        raise DataError(f"--until {until} is before --since {since}")
    wanted = get_treaty(treaty).id if treaty else None
    by_state: dict[str, set[str]] = {}
    for e in every:
        by_state.setdefault(e["state"], set()).add(e["treaty"])
    out = []
    for e in every:
        day = dt.date.fromisoformat(e["day"])
        if (wanted and e["treaty"] != wanted) or day < since or (until and day > until):
            continue
        out.append({**e, "other_treaties": sorted(by_state[e["state"]] - {e["treaty"]})})
    return out


def repeat_states(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The States with entries under more than one treaty: code, name and the treaties."""
    seen: dict[str, dict[str, Any]] = {}
    for e in entries:
        row = seen.setdefault(e["state"], {"state": e["state"], "name": e["name"], "treaties": []})
        for t in (e["treaty"], *e["other_treaties"]):
            if t not in row["treaties"]:
                row["treaties"].append(t)
    return sorted(
        (r for r in seen.values() if len(r["treaties"]) > 1), key=lambda r: r["name"] or ""
    )


def all_entries(store: Store) -> list[dict[str, Any]]:
    """Every entry on record, in date order (what :func:`select` filters)."""
    reg = store.registry()
    out: list[dict[str, Any]] = []
    for rules in sorted(store.treaties().values(), key=lambda r: r.id):
        acts = [a for a in store.actions(rules.id) if a.kind in _ACT_KINDS]
        events = store.events(rules.id)
        announced = [e for e in events if e.kind == WITHDRAWAL_ANNOUNCED]
        if not acts and not announced:
            continue
        view = store.view(rules.id)
        records = store.records(rules.id)
        for a in acts:
            entry = _act_entry(rules, view, a)
            entry["domestic_steps"] = _steps_before(events, a.state, a.day)
            entry["reactions"] = act_reactions(store, rules, a.state, a.kind, a.day, records)
            out.append({**entry, "name": reg.name(a.state)})
        for ev in announced:
            entry = _announced_entry(rules, view, ev)
            entry["domestic_steps"] = _steps_before(events, ev.state, ev.date.earliest(), ev)
            entry["reactions"] = act_reactions(
                store, rules, ev.state, ActionKind.WITHDRAWAL, ev.date.earliest(), records
            )
            out.append({**entry, "name": reg.name(ev.state)})
    out.sort(key=lambda e: (e["day"], e["treaty"], e["state"]))
    return out


def _base(rules: TreatyRules, state: str, kind: str, date: str, day: dt.date) -> dict[str, Any]:
    return {
        "id": f"{rules.id}:{state}:{kind}:{date}",
        "treaty": rules.id,
        "short_name": rules.short_name,
        "treaty_name": rules.name,
        "state": state,
        "kind": kind,
        "act": KINDS[kind],
        "date": date,
        "day": day.isoformat(),
    }


def _period_of(view: TreatyView, a: Action) -> Period | None:
    """The period the engine started with act ``a`` (None when it ignored the act)."""
    tl = view.timelines.get(a.state)
    for p in tl.periods if tl else ():
        if p.start == a.day and a in p.explanation.actions:
            return p
    return None


def _act_entry(rules: TreatyRules, view: TreatyView, a: Action) -> dict[str, Any]:
    main = next((s for s in a.sources if s.symbol), None)
    p = _period_of(view, a)
    before = view.status(a.state, a.day - dt.timedelta(days=1)).status.value
    entry = {
        **_base(rules, a.state, a.kind.value, str(a.date), a.day),
        "deposited": True,
        "notified": None,
        "effective": None,
        "postponed": None,
        "article": None,
        "status_before": before,
        "status_after": p.status.value if p else before,
        "explanation": p.explanation.to_dict() if p else None,
        # the depositary's record first, then the other sources
        "sources": [s.url for s in sorted(a.sources, key=lambda s: s is not main)],
        "notification": main.symbol if main else None,
        "notification_date": main.published if main else None,
        "no_notification_reason": a.note
        if (a.note or "").startswith(NO_NOTIFICATION) and main is None
        else None,
        "note": a.note,
    }
    if p is None:
        warnings = [w for w in view.timelines[a.state].warnings if str(a.date) in w]
        entry["effect"] = "ignored by the status engine: " + "; ".join(warnings or ["no effect"])
        return entry
    if a.kind == ActionKind.WITHDRAWAL and rules.withdrawal_rule is not None:
        entry["notified"] = p.notified.isoformat() if p.notified else None
        entry["effective"] = p.effective.isoformat() if p.effective else None
        entry["postponed"] = p.postponed
        entry["article"] = rules.withdrawal_rule.article
        entry["effect"] = (
            "postponed: the State is engaged in an armed conflict that has not ended"
            if p.postponed
            else f"takes effect {entry['effective']} (art. {entry['article']})"
        )
    elif a.kind == ActionKind.SUSPENSION_NOTIFIED:
        entry["effect"] = f"no legal effect: status unchanged ({p.status.value})"
        if rules.suspension_rule is not None:
            entry["article"] = rules.suspension_rule.article
    else:
        entry["effect"] = f"{before} → {p.status.value} from {a.date}"
    return entry


def _announced_entry(rules: TreatyRules, view: TreatyView, ev: Event) -> dict[str, Any]:
    day = ev.date.earliest()
    status = view.status(ev.state, day).status.value
    return {
        **_base(rules, ev.state, WITHDRAWAL_ANNOUNCED, str(ev.date), day),
        "deposited": False,
        "notified": None,
        "effective": None,
        "postponed": None,
        "article": None,
        "status_before": status,
        "status_after": status,
        "explanation": None,
        "effect": f"no legal effect: no instrument deposited; status unchanged ({status})",
        "sources": [s.url for s in ev.sources],
        "notification": None,
        "notification_date": None,
        "no_notification_reason": "not deposited with the depositary",
        "note": ev.description,
        "confidence": ev.confidence,
    }


def _steps_before(
    events: Iterable[Event], state: str, day: dt.date, itself: Event | None = None
) -> list[dict[str, Any]]:
    """The State's domestic steps for the treaty on or before ``day`` (the act's date)."""
    return [
        {
            "date": str(e.date),
            "kind": e.kind,
            "description": e.description,
            "sources": [s.url for s in e.sources],
            "confidence": e.confidence,
        }
        for e in events
        if e.state == state
        and e is not itself
        and e.kind != WITHDRAWAL_ANNOUNCED
        and e.date.earliest() <= day
    ]


# -- reactions ----------------------------------------------------------------------------


def act_reactions(
    store: Store,
    rules: TreatyRules,
    state: str,
    kind: ActionKind,
    day: dt.date,
    records: Iterable[Record],
) -> dict[str, Any]:
    """Who reacted to an act, how, and who stayed silent.

    ``objections`` and ``decisions``: the treaty's records about the State's act of this kind.
    ``meetings``: for each meeting of the treaty ending on or after ``day`` whose statements are
    coded with a codebook targeting the act (the codebook's ``treaty`` and the State's name
    among its ``targets``), the States carrying each code and the treaty's parties on the
    meeting's first day with no statement coded (``silent``), with the record's coverage.
    """
    reg = store.registry()
    subject = _SUBJECTS.get(kind)
    mine = [r for r in records if r.state == state and r.subject in (subject, None)]
    books = _targeting_codebooks(store, rules.id, state)
    # an actor that is a State is named; a meeting (22MSP) keeps its own name
    names: dict[str | None, str] = {
        c: reg.name(c) for c in {r.actor for r in mine} if c in reg.codes
    }
    return {
        "objections": [_record(r, names) for r in mine if r.kind == "objection"],
        "decisions": [_record(r, names) for r in mine if r.kind == "meeting_decision"],
        "codebooks": books,
        "meetings": [m for b in books for m in _coded_meetings(store, b, rules, state, day)],
    }


def _record(r: Record, names: dict[str | None, str]) -> dict[str, Any]:
    src = r.sources[0] if r.sources else None
    return {
        "actor": r.actor,
        "name": names.get(r.actor, r.actor),
        "date": str(r.date) if r.date else None,
        "source": src.url if src else None,
        "symbol": src.symbol if src else None,
        "confidence": src.confidence if src else None,
        "note": r.note,
    }


def _targeting_codebooks(store: Store, treaty: str, state: str) -> list[str]:
    """The codebooks whose codes are about the acts of ``state`` under ``treaty``: the
    codebook's ``treaty`` and the State's name or an alias among its English ``targets``."""
    from normwatch.coding.codebook import codebook_target, list_codebooks

    s = store.registry().get(state)
    names = {n.casefold() for n in (s.name, *s.aliases)}
    found = []
    for book_id in list_codebooks():
        target, targets = codebook_target(book_id)
        if target == treaty and names & {t.casefold() for t in targets}:
            found.append(book_id)
    return found


def _coded_meetings(
    store: Store, book_id: str, rules: TreatyRules, state: str, day: dt.date
) -> list[dict[str, Any]]:
    """The meetings of the treaty ending on or after ``day`` with statements coded with
    codebook ``book_id``, each with who reacted and who stayed silent (the acting State left
    out)."""
    from normwatch.coding.codebook import codebook_outline
    from normwatch.service.meetings import show_meeting
    from normwatch.service.reactions import reactions

    meetings = store.query(
        "SELECT DISTINCT m.id, m.start_date FROM meetings m "
        "JOIN statements s ON s.meeting_id = m.id JOIN codings c ON c.statement_id = s.id "
        "WHERE m.treaty = :t AND c.codebook = :cb AND m.end_date >= :day "
        "ORDER BY m.start_date, m.id",
        {"t": rules.id, "cb": book_id, "day": day.isoformat()},
    )
    if not meetings:
        return []
    book = codebook_outline(book_id)  # its codes and title; the patterns are not needed
    out = []
    for m in meetings:
        result = reactions(store, m["id"], book_id, denominator="parties", outline=True)
        shown = show_meeting(store, m["id"], with_claims=False)  # its claims are not shown
        out.append(_meeting_reactions(store, book, result, shown, state))
    return out


def _meeting_reactions(
    store: Store, book: CodebookOutline, result: dict[str, Any], shown: dict[str, Any], actor: str
) -> dict[str, Any]:
    reg = store.registry()
    m = shown["meeting"]
    by_state: dict[str, list[str]] = {}
    for code in book.code_ids:
        for s in result["codes"][code]["states"]:
            by_state.setdefault(s, []).append(code)
    statements = shown["statements"]
    presidency = sum(s["role"] == "presidency" for s in statements)
    coverage = (
        f"{m['completeness']} record: {len(statements)} statement(s) on record "
        f"({presidency} of the presidency, not attributed to a State), "
        f"{len(shown['participants'])} participant(s) listed"
    )
    return {
        "meeting": m["id"],
        "meeting_name": m["name"],
        "date": m["start_date"],
        "codebook": book.id,
        "codebook_title": book.title,
        "completeness": m["completeness"],
        "statements_on_record": len(statements),
        "presidency_statements": presidency,
        "coverage": coverage,
        "gaps": [g["text"] for g in shown["gaps"]],
        "parties": result["denominator"]["count"],
        "acting_state_counted": actor in result["denominator"]["states"],
        "reacted": [
            {"state": s, "name": reg.name(s), "codes": codes}
            for s, codes in sorted(by_state.items())
        ],
        "silent": [s for s in result["silent"] if s != actor],
    }


def erosion_rows(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat rows of :func:`erosion` for tables and CSV."""
    rows = []
    for e in entries:
        r = e["reactions"]
        rows.append(
            {
                **{k: e.get(k) for k in EROSION_FIELDS},
                "sources": e["sources"],
                "domestic_steps": len(e["domestic_steps"]),
                "objections": len(r["objections"]),
                "decisions": len(r["decisions"]),
                "states_reacting": sum(len(m["reacted"]) for m in r["meetings"]),
                "other_treaties": e["other_treaties"],
            }
        )
    return rows
