"""The library calls behind every CLI command and API endpoint.

Each function takes a :class:`~normwatch.store.db.Store` and plain arguments and returns
JSON-ready rows, so the CLI, the web pages and the JSON API say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from normwatch import features
from normwatch.catalog import get_treaty
from normwatch.core.dates import PartialDate
from normwatch.core.model import NO_NOTIFICATION, ActionKind, Status
from normwatch.core.status import StatusResult
from normwatch.errors import DataError
from normwatch.store.db import Store

if TYPE_CHECKING:
    from normwatch.core.status import TreatyView
    from normwatch.core.treaty import TreatyRules


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


#: up to how many States a status question works out each State's timeline alone rather
#: than the treaty's whole view (each alone reads the treaty's acts once more)
ONE_BY_ONE = 8


def status(
    store: Store, treaty: str, states: Sequence[str], on: dt.date, *, explain: bool = False
) -> list[dict[str, Any]]:
    reg = store.registry()
    codes = list(dict.fromkeys(reg.resolve_all(list(states))))  # each State once
    rules = get_treaty(treaty)
    if len(codes) <= ONE_BY_ONE:
        results = [state_status(store, rules, c, on) for c in codes]
    else:
        view = store.view(rules.id)
        results = [view.status(c, on) for c in codes]
    return [r.to_dict(explain=explain, name=reg.name(r.state)) for r in results]


def state_status(store: Store, rules: TreatyRules, code: str, on: dt.date) -> StatusResult:
    """The State's status from its own timeline, the same as the treaty view's; a treaty
    whose entry into force needs named States (CTBT art. XIV) explains a consent with theirs,
    so it takes the whole view."""
    if rules.entry_into_force_rule.required_states:
        return store.view(rules.id).status(code, on)
    return StatusResult(rules.id, code, on, store.timeline(rules.id, code).at(on))


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


#: the columns of :func:`state_list`, in order (CSV and page)
STATE_LIST_FIELDS = (
    "state",
    "name",
    "region",
    "groups",
    "status",
    "since",
    "signature",
    "consent",
    "consent_kind",
    "entry_into_force",
    "withdrawal_notified",
    "withdrawal_effective",
)


def other_groups_on(store: Store, on: dt.date) -> dict[str, list[str]]:
    """Each State's groups other than its UN regional group (EU, NATO) on ``on``."""
    from normwatch.service.groups import groups_on

    members: dict[str, list[str]] = {}
    kinds = {g["id"]: g["kind"] for g in store.query("SELECT id, kind FROM state_groups")}
    for kind in sorted({k for k in kinds.values() if k != "un_regional_group"}):
        for gid, codes in groups_on(store, kind, on).items():
            for code in codes:
                members.setdefault(code, []).append(gid)
    return members


def state_list(store: Store, treaty: str, on: dt.date) -> list[dict[str, Any]]:
    """Every State with its status on ``on`` and the dates behind it, as known on ``on``.

    ``signature`` is the first signature, ``consent`` the last instrument of consent
    (ratification, accession …) with its kind, ``entry_into_force`` the day the treaty last
    entered into force for the State, each on or before ``on``. The withdrawal dates are those
    of a withdrawal under way or effective on ``on`` (``withdrawal_effective`` is empty while
    postponed by an armed conflict). ``region`` is the UN regional group and ``groups`` the
    other groups (EU, NATO) the State belonged to on ``on``. Dates keep their precision.
    """
    reg = store.registry()
    view = store.view(treaty)
    members = other_groups_on(store, on)
    signed: dict[str, str] = {}
    consent: dict[str, tuple[str, str]] = {}
    for a in sorted(store.actions(view.rules.id), key=lambda a: a.day):
        if a.day > on:
            continue
        if a.kind in (ActionKind.SIGNATURE, ActionKind.DEFINITIVE_SIGNATURE):
            signed.setdefault(a.state, str(a.date))
        if a.kind.is_consent or a.kind == ActionKind.DEFINITIVE_SIGNATURE:
            consent[a.state] = (str(a.date), a.kind.value)
    rows = []
    for r in view.roll(on):
        tl = view.timelines.get(r.state)
        in_force = [
            p.start
            for p in (tl.periods if tl else ())
            if p.status == Status.PARTY and p.start is not None and p.start <= on
        ]
        p = r.period
        withdrawing = r.status in (Status.WITHDRAWING, Status.WITHDRAWN)
        notified = p.notified if withdrawing else None
        effective = p.effective if withdrawing else None
        if r.status == Status.WITHDRAWN and effective is None:
            effective = p.start  # a withdrawn period starts on the day the withdrawal took effect
        got = consent.get(r.state)
        rows.append(
            {
                "state": r.state,
                "name": reg.name(r.state),
                "region": reg.get(r.state).regional_group or "",
                "groups": sorted(members.get(r.state, [])),
                "status": r.status.value,
                "since": p.start.isoformat() if p.start else None,
                "signature": signed.get(r.state),
                "consent": got[0] if got else None,
                "consent_kind": got[1] if got else None,
                "entry_into_force": in_force[-1].isoformat() if in_force else None,
                "withdrawal_notified": notified.isoformat() if notified else None,
                "withdrawal_effective": effective.isoformat() if effective else None,
            }
        )
    return rows


def counts(store: Store, treaty: str, on: dt.date) -> dict[str, Any]:
    from normwatch.store.freshness import beyond_warning, treaty_freshness

    view = store.view(treaty)
    as_of = treaty_freshness(store, view.rules.id).get(view.rules.id, {}).get("data_as_of")
    return {
        "treaty": view.rules.id,
        "date": on.isoformat(),
        **view.counts(on),
        "states": len(view.states),
        "data_as_of": as_of,
        "warning": beyond_warning(store, on, view.rules.id),
    }


def timeline(store: Store, treaty: str, state: str) -> dict[str, Any]:
    """Legal periods and domestic events of one State, in date order (worked out once per
    store version: do not change what it gives)."""
    code = store.registry().resolve(state)
    view = store.view(treaty)
    key = ("timeline entries", view.rules.id, code)  # not the store's own ("timeline", …)
    return store.memo(key, lambda: _timeline(store, view, code))


def _timeline(store: Store, view: TreatyView, code: str) -> dict[str, Any]:
    reg = store.registry()
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
    special = _SPECIAL_TEXT.get(kind)
    if special is not None:
        return special
    return f"{words} (instrument deposited with the depositary)"


#: what the acts that are neither signature, consent nor withdrawal mean (their legal effect is
#: the engine's: core.status)
_SPECIAL_TEXT = {
    ActionKind.RATIFICATION_REVOKED: "ratification revoked (the instrument no longer stands)",
    ActionKind.INTENT_NOT_TO_BECOME_PARTY: (
        "notification that the State does not intend to become a party"
    ),
    ActionKind.SUSPENSION_NOTIFIED: (
        "communication purporting to suspend the treaty's operation (no legal effect where the "
        "treaty allows no suspension)"
    ),
    ActionKind.WITHDRAWAL_REVOKED: "withdrawal revoked",
}
#: acts that must name their depositary notification or say why none is known
_NEEDS_NOTIFICATION = frozenset(
    {
        ActionKind.WITHDRAWAL,
        ActionKind.RATIFICATION_REVOKED,
        ActionKind.INTENT_NOT_TO_BECOME_PARTY,
        ActionKind.SUSPENSION_NOTIFIED,
    }
)


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


def check(store: Store, treaties: Collection[str] | None = None) -> list[Problem]:
    """Validate the data in the store; an empty list means every check passed.

    With ``treaties``, only the problems of those treaties: their acts, views, reference
    counts, and the feature checks' records of those treaties (an import's check, scoped to
    what it can change: :func:`affected_by`). Every problem of the full check belongs to at
    most one treaty, so the scoped problems are the full check's problems of those treaties."""
    problems: list[Problem] = []
    codes = set(store.registry().codes)
    for rules in store.treaties().values():
        if treaties is not None and rules.id not in treaties:
            continue
        acts = store.actions(rules.id)
        for a in acts:
            if not a.sources:
                problems.append(Problem("sourced", f"{rules.id}: {a.describe()}: no source"))
            if (
                a.kind in _NEEDS_NOTIFICATION
                and not any(s.symbol for s in a.sources)
                and not (a.note or "").startswith(NO_NOTIFICATION)
            ):
                what = "withdrawal" if a.kind == ActionKind.WITHDRAWAL else a.kind.value
                problems.append(
                    Problem(
                        "notification",
                        f"{rules.id}: {a.describe()}: {what} without a depositary "
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
    problems.extend(_recorded_before_dated(store, treaties))
    for dotted in features.CHECKS:
        problems.extend(features.resolve(dotted)(store, treaties))
    return problems


def affected_by(store: Store, treaty: str) -> frozenset[str]:
    """The treaties whose checks a change to the acts of ``treaty`` can change: the treaty
    itself and each treaty whose companion requirement counts consents to it (a CCW party's
    protocols, art. 4(3))."""
    return frozenset(
        rules.id
        for rules in store.treaties().values()
        if rules.id == treaty
        or (rules.companion_rule is not None and treaty in rules.companion_rule.treaties)
    )


def scope_sql(column: str, treaties: Collection[str] | None) -> tuple[str, dict[str, str]]:
    """``" AND column IN (…)"`` and its parameters: a check's SQL condition for the records
    of ``treaties`` (nothing for None, every treaty; no row for an empty scope)."""
    if treaties is None:
        return "", {}
    params = {f"scope_{i}": t for i, t in enumerate(sorted(treaties))}
    if not params:
        return " AND 1 = 0", {}
    return f" AND {column} IN ({', '.join(':' + k for k in params)})", params


def _recorded_before_dated(store: Store, treaties: Collection[str] | None) -> list[Problem]:
    """Acts dated after the day an import first recorded them (a ratification "dated 2030" in
    a file read in 2026): a depositary lists an act only once it has happened."""
    from normwatch.store.bundled import BUNDLED_SEEN

    problems: list[Problem] = []
    scope, params = scope_sql("a.treaty", treaties)
    rows = store.query(
        "SELECT a.treaty, a.state, a.kind, a.date, MIN(x.first_seen) AS seen FROM actions a "
        f"JOIN action_sources x ON x.action_id = a.id WHERE x.first_seen <> :bundled{scope} "
        "GROUP BY a.id, a.treaty, a.state, a.kind, a.date ORDER BY a.treaty, a.state, a.date",
        {"bundled": BUNDLED_SEEN, **params},
    )
    for r in rows:
        seen = str(r["seen"])[:10]
        if PartialDate.parse(r["date"]).earliest().isoformat() > seen:
            problems.append(
                Problem(
                    "dated_after_recording",
                    f"{r['treaty']}: {r['state']} {r['kind']} {r['date']}: dated after it "
                    f"was first recorded ({seen})",
                )
            )
    return problems
