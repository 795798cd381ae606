"""A State across every treaty: the library call behind ``normwatch state``, the State page's
matrix and ``/api/v1/states/{code}``.

For each treaty: the State's status on the date with the rule that gives it (the engine's
explanation), the obligations due or overdue (:mod:`normwatch.service.obligations`), and the
statements by or on behalf of the State at the treaty's meetings with the codes they carry.
An obligation whose facts are not on record is counted as ``unknown``, never as met; a treaty
whose rule file defines no obligations has ``obligations`` null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from normwatch.service.status import state_status
from normwatch.store.db import Store

#: obligation statuses counted as due (a deadline still ahead)
_DUE = frozenset({"pending", "extended"})

_STATEMENTS_SQL = """
SELECT s.id, s.local_id, s.speaker, s.role, s.date, m.id AS meeting, m.name AS meeting_name,
       m.treaty, m.start_date
FROM statements s JOIN meetings m ON m.id = s.meeting_id
WHERE s.speaker = :code
   OR s.id IN (SELECT statement_id FROM statement_on_behalf WHERE state = :code)
ORDER BY m.start_date, m.id, s.local_id
"""

_ON_BEHALF_SQL = """
SELECT b.statement_id, b.state FROM statement_on_behalf b
WHERE b.statement_id IN (
  SELECT s.id FROM statements s WHERE s.speaker = :code
  UNION SELECT statement_id FROM statement_on_behalf WHERE state = :code)
ORDER BY b.state
"""

_CODES_SQL = """
SELECT DISTINCT c.statement_id, c.code FROM codings c
WHERE c.review_state != 'rejected' AND c.statement_id IN (
  SELECT s.id FROM statements s WHERE s.speaker = :code
  UNION SELECT statement_id FROM statement_on_behalf WHERE state = :code)
ORDER BY c.code
"""


def state_statements(store: Store, code: str) -> list[dict[str, Any]]:
    """Every statement made by or on behalf of ``code`` at any meeting, with the codes it
    carries (codings not rejected), in meeting order. Read once per store version: do not
    change what it gives."""
    return store.memo(("state-statements", code), lambda: _read_statements(store, code))


def _read_statements(store: Store, code: str) -> list[dict[str, Any]]:
    params = {"code": code}
    behalf: dict[str, list[str]] = {}
    for r in store.query(_ON_BEHALF_SQL, params):
        behalf.setdefault(r["statement_id"], []).append(r["state"])
    codes: dict[str, list[str]] = {}
    for r in store.query(_CODES_SQL, params):
        codes.setdefault(r["statement_id"], []).append(r["code"])
    return [
        {
            "meeting": r["meeting"],
            "meeting_name": r["meeting_name"],
            "treaty": r["treaty"],
            "date": r["date"] or r["start_date"],
            "statement": r["id"],
            "local_id": r["local_id"],
            "speaker": r["speaker"],
            "on_behalf_of": behalf.get(r["id"], []),
            "role": r["role"],
            "codes": codes.get(r["id"], []),
        }
        for r in store.query(_STATEMENTS_SQL, params)
    ]


def state_obligations(
    store: Store, treaty: str, code: str, on: dt.date
) -> list[dict[str, Any]] | None:
    """``obligations_for`` the State under the treaty on the day; None when the treaty's rule
    file defines no obligations."""
    from normwatch.errors import DataError
    from normwatch.service.obligations import obligations_for

    try:
        return obligations_for(store, treaty, code, on)
    except DataError:  # the rule file defines no obligations
        return None


def _obligations_cell(rows: list[dict[str, Any]] | None, on: dt.date) -> dict[str, Any] | None:
    if rows is None:
        return None
    ahead = sorted(
        r["deadline"]
        for r in rows
        if r["status"] in _DUE and r["deadline"] and r["deadline"] >= on.isoformat()
    )
    return {
        "overdue": sum(r["status"] == "overdue" for r in rows),
        "due": len(ahead),
        "unknown": sum(r["status"] == "unknown" for r in rows),
        "completed": sum(r["status"] == "completed" for r in rows),
        "next_deadline": ahead[0] if ahead else None,
        "items": [
            {
                "obligation": r["obligation"],
                "article": r["article"],
                "status": r["status"],
                "deadline": r["deadline"],
                "confidence": r["confidence"],
                "summary": r["summary"],
            }
            for r in rows
        ],
    }


def _statements_cell(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "statements": len(rows),
        "coded": sum(bool(r["codes"]) for r in rows),
        "codes": sorted({c for r in rows for c in r["codes"]}),
        "meetings": list(dict.fromkeys(r["meeting"] for r in rows)),
    }


def state_standing(
    store: Store,
    state: str,
    on: dt.date,
    obligations: Mapping[str, list[dict[str, Any]] | None] | None = None,
) -> dict[str, Any]:
    """One State (code or name) towards every treaty on ``on``: the shape of
    :class:`~normwatch.core.schemas.standing.StateStandingOut`, validated by it.
    ``obligations``: the :func:`state_obligations` of each treaty, when the caller has them
    already."""
    from normwatch.core.schemas.standing import StateStandingOut

    computed = standing(store, state, on, obligations)
    return StateStandingOut.model_validate(computed).model_dump(mode="json")


def standing(
    store: Store,
    state: str,
    on: dt.date,
    obligations: Mapping[str, list[dict[str, Any]] | None] | None = None,
) -> dict[str, Any]:
    """What :func:`state_standing` validates, as computed: the same values, without the
    schema's defaults (a status's absent ``notified``, ``effective``, ``postponed``) and in
    the engine's key order. :func:`standing_rows` gives the same rows for either, so the
    table and CSV of ``normwatch state`` need not load the schema."""
    reg = store.registry()
    code = reg.resolve(state)
    s = reg.get(code)
    said = state_statements(store, code)
    treaties = []
    for rules in sorted(store.treaties().values(), key=lambda r: r.id):
        row = state_status(store, rules, code, on).to_dict(explain=True)
        row.pop("state")
        row.pop("name")
        treaties.append(
            {
                **row,
                "short_name": rules.short_name,
                "name": rules.name,
                "obligations": _obligations_cell(
                    obligations[rules.id]
                    if obligations is not None
                    else state_obligations(store, rules.id, code, on),
                    on,
                ),
                "statements": _statements_cell([r for r in said if r["treaty"] == rules.id]),
            }
        )
    out = {
        "state": code,
        "name": s.name,
        "alpha2": s.alpha2,
        "regional_group": s.regional_group,
        "date": on.isoformat(),
        "treaties": treaties,
        "statements": said,
    }
    return out


#: the columns of ``normwatch state`` as CSV (and its table, with fewer)
STANDING_FIELDS = (
    "treaty",
    "short_name",
    "status",
    "since",
    "notified",
    "effective",
    "postponed",
    "rule",
    "overdue",
    "due",
    "next_deadline",
    "obligations_unknown",
    "statements",
    "coded",
    "codes",
)


def standing_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows of :func:`state_standing` or :func:`standing`, one per treaty (for tables
    and CSV)."""
    rows = []
    for t in result["treaties"]:
        ob = t["obligations"]
        st = t["statements"]
        rows.append(
            {
                "treaty": t["treaty"],
                "short_name": t["short_name"],
                "status": t["status"],
                "since": t["since"],
                "notified": t.get("notified"),
                "effective": t.get("effective"),
                "postponed": t.get("postponed"),
                "rule": t["explanation"]["rule"],
                "overdue": ob["overdue"] if ob else None,
                "due": ob["due"] if ob else None,
                "next_deadline": ob["next_deadline"] if ob else None,
                "obligations_unknown": ob["unknown"] if ob else None,
                "statements": st["statements"],
                "coded": st["coded"],
                "codes": ";".join(st["codes"]),
            }
        )
    return rows


def matrix(store: Store, on: dt.date) -> list[dict[str, Any]]:
    """Every State × every treaty on ``on``: per State its region, its other groups (EU, NATO)
    on that day, its status and since when under each treaty, and how many treaties are in
    force for it (``in_force``) or count it as a party (``parties``)."""
    from normwatch.core.status import IN_FORCE_STATUSES, PARTY_STATUSES
    from normwatch.service.status import other_groups_on

    reg = store.registry()
    members = other_groups_on(store, on)
    ids = sorted(store.treaties())
    results = {t: {r.state: r for r in store.view(t).roll(on)} for t in ids}
    rows = []
    for s in reg.states:
        cells = {t: results[t][s.code] for t in ids}
        rows.append(
            {
                "state": s.code,
                "name": s.name,
                "region": s.regional_group or "",
                "groups": sorted(members.get(s.code, [])),
                "statuses": {t: c.status.value for t, c in cells.items()},
                "since": {
                    t: since.isoformat() if (since := c.period.since or c.period.start) else None
                    for t, c in cells.items()
                },
                "in_force": sum(c.status in IN_FORCE_STATUSES for c in cells.values()),
                "parties": sum(c.status in PARTY_STATUSES for c in cells.values()),
            }
        )
    return rows
