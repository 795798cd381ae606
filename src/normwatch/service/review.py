"""Reviewing codings in the browser or the API: decisions, the queue, the history.

Every save names the *version* of the statement it was made on: the latest revision among the
statement's codings under the codebook (0 for a statement never coded). The save runs in one
transaction that first locks the statement's row (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite takes the write lock when the transaction begins), so two saves on one statement are
applied one after the other. A save made on an older version is refused with a
:class:`~normwatch.errors.ConflictError` naming every change made since: nothing is lost
silently. Decisions are written through :func:`normwatch.store.codings.upsert_coding`, so the
audit trail records them and an automatic run never overwrites them.

Double coding (:mod:`normwatch.service.double_coding`) makes a statement *blind*: each of its
two coders sees the automatic suggestions and their own decisions only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from normwatch.core.meetings import DEFAULT_CODEBOOK, Coder, Coding, ReviewState, find_evidence
from normwatch.errors import ConflictError, DataError, NotFoundError
from normwatch.store.codings import upsert_coding
from normwatch.store.stamps import now_iso

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from normwatch.service.accounts import User
    from normwatch.store.db import Store

ACTIONS = ("accept", "reject", "add")
ORDERS = ("agenda", "confidence", "language")


def statement_version(conn: Connection, statement: str, codebook: str) -> int:
    from sqlalchemy import func, select

    from normwatch.store import meeting_tables as mt

    c = mt.codings.c
    latest = select(func.coalesce(func.max(c.revision), 0)).where(
        c.statement_id == statement, c.codebook == codebook
    )
    return int(conn.execute(latest).scalar_one())


def current_version(store: Store, statement: str, codebook: str = DEFAULT_CODEBOOK) -> int:
    """The version a decision on ``statement`` must name (see the module's docstring)."""
    with store.engine.connect() as conn:
        return statement_version(conn, statement, codebook)


def _changes_since(
    conn: Connection, statement: str, codebook: str, version: int, blind_for: str | None
) -> list[str]:
    """The changes after ``version``; with ``blind_for`` (a double coder), the other coder's
    only as "changed" (what they decided stays hidden)."""
    from sqlalchemy import select

    from normwatch.store import team_tables as tt

    h = tt.coding_history.c
    rows = conn.execute(
        select(tt.coding_history)
        .where(h.statement_id == statement, h.codebook == codebook, h.revision > version)
        .order_by(h.revision)
    ).all()
    return [
        f"{r.actor} {r.action} {r.code} ({r.old_review_state or 'none'} → "
        f"{r.new_review_state or 'none'}) at {r.at}"
        if blind_for is None or r.actor.startswith("auto:") or r.actor == blind_for
        else f"another person changed a code at {r.at} (hidden while you double-code it)"
        for r in rows
    ]


def _double_codes(conn: Connection, statement: str, codebook: str, coder: str) -> bool:
    """Whether ``coder`` double-codes ``statement`` (blind to the other coder)."""
    from sqlalchemy import or_, select

    from normwatch.store import team_tables as tt

    d = tt.double_codings.c
    found = conn.execute(
        select(d.statement_id).where(
            d.statement_id == statement,
            d.codebook == codebook,
            or_(d.coder_a == coder, d.coder_b == coder),
        )
    ).first()
    return found is not None


def _lock_statement(conn: Connection, statement: str) -> None:
    from sqlalchemy import select

    from normwatch.store import meeting_tables as mt

    row = conn.execute(
        select(mt.statements.c.id).where(mt.statements.c.id == statement).with_for_update()
    ).first()
    if row is None:
        raise NotFoundError(f"unknown statement {statement!r}")


def decide(
    store: Store,
    statement: str,
    code: str,
    action: str,
    user: User,
    *,
    version: int,
    codebook: str = DEFAULT_CODEBOOK,
    evidence: str | None = None,
) -> dict[str, Any]:
    """Record ``user``'s decision on ``code`` for ``statement``: ``accept`` a suggestion (its
    evidence is kept unless other words are given), ``reject`` it, or ``add`` a code with
    ``evidence`` (words of the statement). Refused with ConflictError when the statement is
    no longer at ``version``; the answer carries the new version."""
    from normwatch.coding.codebook import load_codebook
    from normwatch.service.codings import find_statement

    if action not in ACTIONS:
        raise DataError(f"unknown action {action!r} (use {', '.join(ACTIONS)})")
    book = load_codebook(codebook)
    if code not in book.code_ids:
        raise NotFoundError(f"unknown code {code!r} in codebook {book.id!r}")
    row = find_statement(store, statement)
    if action == "add" and not (evidence and evidence.strip()):
        raise DataError("adding a code needs its evidence: words of the statement")
    if action == "accept" and not evidence:
        evidence = _suggested_evidence(store, row["id"], book.id, code)
    found = find_evidence(row["text"], evidence) if evidence else None
    state = ReviewState.REJECTED if action == "reject" else ReviewState.ACCEPTED
    coding = Coding(
        row["id"],
        book.id,
        code,
        Coder.parse(user.coder),
        state,
        found if state is ReviewState.ACCEPTED else None,
    )
    with store.transaction() as conn:
        _lock_statement(conn, row["id"])
        current = statement_version(conn, row["id"], book.id)
        if current != version:
            blind = _double_codes(conn, row["id"], book.id, user.coder)
            changes = _changes_since(
                conn, row["id"], book.id, version, user.coder if blind else None
            ) or ["its codings were rewritten"]
            raise ConflictError(
                f"statement {row['id']} changed since you opened it (version {version}, now "
                f"{current}): " + "; ".join(changes) + ". Reload it and decide again.",
                changes=tuple(changes),
                current=current,
            )
        new, changed = upsert_coding(conn, coding, now_iso(), decide=True)
        after = statement_version(conn, row["id"], book.id)
    return {
        "statement": row["id"],
        "codebook": book.id,
        "code": code,
        "coder": user.coder,
        "review_state": state.value,
        "result": "new" if new else "changed" if changed else "unchanged",
        "version": after,
    }


def _suggested_evidence(store: Store, statement: str, codebook: str, code: str) -> str | None:
    rows = store.query(
        "SELECT evidence_quote FROM codings WHERE statement_id = :s AND codebook = :cb "
        "AND code = :c AND evidence_quote IS NOT NULL ORDER BY coder_kind, revision DESC",
        {"s": statement, "cb": codebook, "c": code},
    )
    return rows[0]["evidence_quote"] if rows else None


def history(store: Store, statement: str, *, blind_for: str | None = None) -> list[dict[str, Any]]:
    """Every recorded change to the statement's codings, oldest first; with ``blind_for`` (a
    coder, or ``""`` for anyone) only the automatic coders' and that coder's own changes."""
    rows = store.query(
        "SELECT codebook, code, coder, actor, action, at, old_review_state, new_review_state, "
        "old_evidence, new_evidence, revision FROM coding_history "
        "WHERE statement_id = :s ORDER BY revision, id",
        {"s": statement},
    )
    if blind_for is None:
        return rows
    return [r for r in rows if r["actor"].startswith("auto:") or r["actor"] == blind_for]


def hide_from(codings: list[dict[str, Any]], coder: str | None) -> list[dict[str, Any]]:
    """What ``coder`` (None: anyone but the two coders) may see of a blind statement's
    codings: the automatic suggestions as suggested (their review follows the human decisions)
    and their own decisions."""
    out = []
    for c in codings:
        if c["coder"].startswith("auto:"):
            out.append({**c, "review_state": "suggested", "reviewed_by": None})
        elif c["coder"] == coder:
            out.append(c)
    return out


def blind_statements(store: Store, meeting: str, codebook: str, coder: str) -> set[str]:
    """The statements of ``meeting`` that ``coder`` double-codes (blind to the other coder)."""
    rows = store.query(
        "SELECT d.statement_id FROM double_codings d JOIN statements s ON s.id = d.statement_id "
        "WHERE s.meeting_id = :m AND d.codebook = :cb AND (d.coder_a = :c OR d.coder_b = :c)",
        {"m": meeting, "cb": codebook, "c": coder},
    )
    return {r["statement_id"] for r in rows}


def coding_queue(
    store: Store,
    meeting: str,
    user: User,
    *,
    codebook: str = DEFAULT_CODEBOOK,
    order: str = "agenda",
    code: str | None = None,
    speaker: str | None = None,
    group: str | None = None,
    reviewed: bool = False,
) -> list[dict[str, Any]]:
    """The statements of ``meeting`` for ``user`` to review: those without a human decision
    (with ``reviewed``, all of them), filtered by ``code`` (suggested or decided), ``speaker``
    (code or name) and ``group`` (the speaker a member on the meeting's first day), ordered by
    agenda (date, then id), lowest automatic ``confidence`` first, or ``language``. Each item
    has the statement, the codings the user may see, its version and its history."""
    import datetime as dt

    from normwatch.service.codings import meeting_codings
    from normwatch.service.groups import groups_on
    from normwatch.service.meetings import statements
    from normwatch.store.meetings import get_meeting

    if order not in ORDERS:
        raise DataError(f"unknown order {order!r} (use {', '.join(ORDERS)})")
    m = get_meeting(store, meeting)
    blind = blind_statements(store, m["id"], codebook, user.coder)
    codings: dict[str, list[dict[str, Any]]] = {}
    for c in meeting_codings(store, m["id"], codebook):
        codings.setdefault(c["statement"], []).append(c)
    for sid in blind & set(codings):
        codings[sid] = hide_from(codings[sid], user.coder)
    members: set[str] | None = None
    if group:
        day = dt.date.fromisoformat(m["start_date"])
        members = set().union(*groups_on(store, group, day).values())
    versions = {
        r["statement_id"]: int(r["v"])
        for r in store.query(
            "SELECT c.statement_id, MAX(c.revision) AS v FROM codings c JOIN statements s "
            "ON s.id = c.statement_id WHERE s.meeting_id = :m AND c.codebook = :cb "
            "GROUP BY c.statement_id",
            {"m": m["id"], "cb": codebook},
        )
    }
    out = []
    for s in statements(store, m["id"], with_text=True):
        mine = codings.get(s["id"], [])
        done = any(c["coder"].startswith("human:") for c in mine)
        if done and not reviewed:
            continue
        if code and not any(c["code"] == code for c in mine):
            continue
        if speaker and speaker.casefold() != s["speaker"].casefold():
            continue
        if members is not None and s["speaker"] not in members:
            continue
        auto = [c["confidence"] for c in mine if c["confidence"] is not None]
        out.append(
            {
                "statement": s,
                "codings": mine,
                "reviewed": done,
                "blind": s["id"] in blind,
                "version": versions.get(s["id"], 0),
                "min_confidence": min(auto) if auto else None,
            }
        )
    keys = {
        "agenda": lambda x: (x["statement"]["date"] or "", x["statement"]["local_id"]),
        "confidence": lambda x: (
            x["min_confidence"] is None,
            x["min_confidence"] or 0.0,
            x["statement"]["local_id"],
        ),
        "language": lambda x: (x["statement"]["language"] or "~", x["statement"]["local_id"]),
    }
    return sorted(out, key=keys[order])
