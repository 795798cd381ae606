"""The library calls behind every CLI command and API endpoint.

Each function takes a :class:`~normwatch.store.db.Store` and plain arguments and returns
JSON-ready rows, so the CLI, the web pages and the JSON API say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from normwatch import features
from normwatch.core.model import NO_NOTIFICATION, ActionKind, Status
from normwatch.errors import DataError
from normwatch.store.db import Store


def parse_statuses(text: str | None) -> list[Status] | None:
    """``party,withdrawing`` → those statuses (any case, spaces and empty items ignored);
    None (no filter) when ``text`` is None; an empty list of statuses is an error."""
    if text is None:
        return None
    known = ", ".join(s.value for s in Status)
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        try:
            out.append(Status(part))
        except ValueError:
            raise DataError(f"unknown status {part!r} (known: {known})") from None
    if not out:
        raise DataError(f"--status: name at least one status (known: {known})")
    return list(dict.fromkeys(out))


def treaties(store: Store, on: dt.date) -> list[dict[str, Any]]:
    from normwatch.store.freshness import beyond_warning, treaty_freshness

    fresh = treaty_freshness(store)
    rows = []
    for rules in sorted(store.treaties().values(), key=lambda r: r.id):
        view = store.view(rules.id)
        f = fresh.get(rules.id, {})
        rows.append(
            {
                "id": rules.id,
                "short_name": rules.short_name,
                "name": rules.name,
                "untc_id": rules.untc_id,
                "entry_into_force": rules.entry_into_force,
                "entry_into_force_computed": view.entry_into_force.date,
                "date": on,
                **view.counts(on),
                "newest_act": f.get("newest_act"),
                "last_import": f.get("last_import"),
                "data_as_of": f.get("data_as_of"),
                "warning": beyond_warning(store, on, rules.id),
            }
        )
    return rows


def status(
    store: Store, treaty: str, states: Sequence[str], on: dt.date, *, explain: bool = False
) -> list[dict[str, Any]]:
    reg = store.registry()
    codes = list(dict.fromkeys(reg.resolve_all(list(states))))  # each State once
    view = store.view(treaty)
    return [view.status(c, on).to_dict(explain=explain, name=reg.name(c)) for c in codes]


def roll(
    store: Store,
    treaty: str,
    on: dt.date,
    statuses: Sequence[Status] | None = None,
    *,
    explain: bool = False,
) -> list[dict[str, Any]]:
    reg = store.registry()
    view = store.view(treaty)
    return [r.to_dict(explain=explain, name=reg.name(r.state)) for r in view.roll(on, statuses)]


def counts(store: Store, treaty: str, on: dt.date) -> dict[str, Any]:
    from normwatch.store.freshness import beyond_warning, treaty_freshness

    view = store.view(treaty)
    as_of = treaty_freshness(store).get(view.rules.id, {}).get("data_as_of")
    return {
        "treaty": view.rules.id,
        "date": on.isoformat(),
        **view.counts(on),
        "states": len(view.states),
        "data_as_of": as_of,
        "warning": beyond_warning(store, on, view.rules.id),
    }


def timeline(store: Store, treaty: str, state: str) -> dict[str, Any]:
    """Legal periods and domestic events of one State, in date order."""
    reg = store.registry()
    code = reg.resolve(state)
    view = store.view(treaty)
    tl = view.timelines.get(code)
    entries: list[dict[str, Any]] = []
    for p in tl.periods if tl else ():
        entries.append(
            {
                "date": p.start.isoformat() if p.start else None,
                "type": "status",
                "status": p.status.value,
                "until": p.end.isoformat() if p.end else None,
                "notified": p.notified.isoformat() if p.notified else None,
                "effective": p.effective.isoformat() if p.effective else None,
                "postponed": p.postponed,
                "description": p.explanation.rule,
                "explanation": p.explanation.to_dict(),
                "legal_effect": True,
            }
        )
    for a in store.actions(view.rules.id):
        if a.state == code:
            entries.append(
                {
                    "date": str(a.date),
                    "type": "action",
                    "status": None,
                    "action": a.kind.value,
                    "description": _action_text(a.kind),
                    "sources": [s.url for s in a.sources],
                    "notification": next((s.symbol for s in a.sources if s.symbol), None),
                    "legal_effect": True,
                }
            )
    for e in store.events(view.rules.id, code):
        entries.append(
            {
                "date": str(e.date),
                "type": "event",
                "status": None,
                "description": e.description,
                "sources": [s.url for s in e.sources],
                "legal_effect": False,
            }
        )
    order = {"action": 0, "status": 1, "event": 2}
    entries.sort(key=lambda e: (e["date"] or "", order[e["type"]]))
    return {
        "treaty": view.rules.id,
        "state": code,
        "name": reg.name(code),
        "warnings": list(tl.warnings) if tl else [],
        "entries": entries,
    }


def _action_text(kind: ActionKind) -> str:
    words = kind.value.replace("_", " ")
    if kind == ActionKind.SIGNATURE:
        return words
    if kind == ActionKind.WITHDRAWAL:
        return "instrument of withdrawal received by the depositary"
    return f"{words} (instrument deposited with the depositary)"


def changes(store: Store, treaty: str, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    if until < since:
        raise DataError(f"--until {until} is before --since {since}")
    reg = store.registry()
    view = store.view(treaty)
    return [
        {**c.to_dict(), "name": reg.name(c.state), "treaty": view.rules.id}
        for c in view.changes(since, until)
    ]


@dataclass(frozen=True)
class Problem:
    check: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "message": self.message}


def check(store: Store) -> list[Problem]:
    """Validate the data in the store; an empty list means every check passed."""
    problems: list[Problem] = []
    codes = set(store.registry().codes)
    for rules in store.treaties().values():
        acts = store.actions(rules.id)
        for a in acts:
            if not a.sources:
                problems.append(Problem("sourced", f"{rules.id}: {a.describe()}: no source"))
            if (
                a.kind == ActionKind.WITHDRAWAL
                and not any(s.symbol for s in a.sources)
                and not (a.note or "").startswith(NO_NOTIFICATION)
            ):
                problems.append(
                    Problem(
                        "notification",
                        f"{rules.id}: {a.describe()}: withdrawal without a depositary "
                        "notification symbol or a recorded reason for its absence",
                    )
                )
            if a.state not in codes:
                problems.append(Problem("state_codes", f"{rules.id}: unknown State {a.state}"))
            if a.day < rules.opened_for_signature and a.kind != ActionKind.WITHDRAWAL:
                problems.append(
                    Problem(
                        "after_opening",
                        f"{rules.id}: {a.describe()}: before the "
                        f"treaty opened ({rules.opened_for_signature})",
                    )
                )
        view = store.view(rules.id)
        for w in view.warnings:
            problems.append(Problem("consistency", f"{rules.id}: {w}"))
        computed = view.entry_into_force.date
        if rules.entry_into_force is not None and computed != rules.entry_into_force:
            problems.append(
                Problem(
                    "entry_into_force",
                    (
                        f"{rules.id}: computed entry into force {computed} differs from the "
                        f"recorded {rules.entry_into_force}"
                    ),
                )
            )
        for ref in store.reference_counts(rules.id):
            got = view.counts(dt.date.fromisoformat(ref["date"]))
            for key in ("parties", "in_force", "signatories", "withdrawing", "withdrawn"):
                if got[key] != ref[key]:
                    problems.append(
                        Problem(
                            "reference_counts",
                            f"{rules.id} {ref['date']}: {key} = {got[key]}, reference {ref[key]}",
                        )
                    )
    for dotted in features.CHECKS:
        problems.extend(features.resolve(dotted)(store))
    return problems
