"""Writing codings: one row per (statement, codebook, code, coder), human decisions kept safe.

See :mod:`normwatch.service.codings` for the rules; the meeting importer and the coding
commands both write through :func:`upsert_coding`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from normwatch.core.meetings import Coding

if TYPE_CHECKING:
    from sqlalchemy import Connection


def coding_id(statement: str, codebook: str, code: str, coder: str) -> str:
    import hashlib

    return hashlib.sha1(f"{statement}|{codebook}|{code}|{coder}".encode()).hexdigest()[:16]


def upsert_coding(
    conn: Connection, coding: Coding, now: str, *, decide: bool = False
) -> tuple[bool, bool]:
    """Write one coding; (new, changed). Nothing is written when it is already stored as is.

    * A human coding is written as given, then mirrored onto the automatic codings of the same
      statement and code: their review state follows the latest human decision. With
      ``decide`` (``code set`` / ``code unset``), repeating a decision that another person
      has since contradicted makes it the latest again.
    * An automatic coding never touches a human one. When a person has already reviewed it (or
      decided the same code on the statement), it keeps that review and only its evidence and
      confidence are refreshed.
    """
    from sqlalchemy import select

    from normwatch.store import meeting_tables as mt

    c = mt.codings.c
    cid = coding_id(coding.statement, coding.codebook, coding.code, str(coding.coder))
    old = conn.execute(select(mt.codings).where(c.id == cid)).first()
    ev = coding.evidence
    values: dict[str, Any] = {
        "evidence_start": ev.start if ev else None,
        "evidence_end": ev.end if ev else None,
        "evidence_quote": ev.quote if ev else None,
        "confidence": coding.confidence,
        "note": coding.note,
    }
    decision = latest_human_decision(conn, coding.statement, coding.codebook, coding.code)
    if coding.coder.is_human:
        values["review_state"] = coding.review_state.value
    elif old is not None and old.reviewed_by is not None:
        pass  # a person reviewed it: keep that review
    elif decision is not None:
        values.update(review_state=decision[0], reviewed_by=decision[1], reviewed_at=now)
    else:
        values["review_state"] = coding.review_state.value
    differs = old is not None and any(
        getattr(old, k) != v for k, v in values.items() if k != "reviewed_at"
    )
    superseded = (
        decide
        and coding.coder.is_human
        and decision is not None
        and decision != (coding.review_state.value, str(coding.coder))
    )
    actor = str(coding.coder)
    if old is None:
        row = {
            "id": cid,
            "statement_id": coding.statement,
            "codebook": coding.codebook,
            "code": coding.code,
            "coder": str(coding.coder),
            "coder_kind": coding.coder.kind,
            "revision": _revision(conn),
            "version": 1,
            "created_at": now,
            "updated_at": now,
            **{"review_state": "suggested", **values},
        }
        conn.execute(mt.codings.insert().values(**row))
        _record(conn, "created", None, row, actor, now)
    elif differs or superseded:
        _update(conn, old, values, actor, now)
    new, changed = old is None, old is not None and (differs or superseded)
    if coding.coder.is_human and (new or changed):
        mirror_human_decision(conn, coding.statement, coding.codebook, coding.code, now)
    return new, changed


def _revision(conn: Connection) -> int:
    """The next number in the order of coding writes (which human decision is the latest)."""
    from sqlalchemy import func, select

    from normwatch.store import meeting_tables as mt

    latest = select(func.coalesce(func.max(mt.codings.c.revision), 0))
    return int(conn.execute(latest).scalar_one()) + 1


def latest_human_decision(
    conn: Connection, statement: str, codebook: str, code: str
) -> tuple[str, str] | None:
    """(review state, coder) of the most recent human coding of ``code`` on ``statement``."""
    from sqlalchemy import select

    from normwatch.store import meeting_tables as mt

    c = mt.codings.c
    row = conn.execute(
        select(c.review_state, c.coder)
        .where(
            c.statement_id == statement,
            c.codebook == codebook,
            c.code == code,
            c.coder_kind == "human",
        )
        .order_by(c.revision.desc())
    ).first()
    return (row.review_state, row.coder) if row is not None else None


def mirror_human_decision(
    conn: Connection, statement: str, codebook: str, code: str, now: str
) -> None:
    """Set the review state of the automatic codings of (statement, code) to the latest
    human decision (or back to ``suggested`` when no human decision is left)."""
    from sqlalchemy import select

    from normwatch.store import meeting_tables as mt

    c = mt.codings.c
    decision = latest_human_decision(conn, statement, codebook, code)
    state, by = decision if decision else ("suggested", None)
    rows = conn.execute(
        select(c.id, c.review_state, c.reviewed_by).where(
            c.statement_id == statement,
            c.codebook == codebook,
            c.code == code,
            c.coder_kind == "auto",
        )
    ).all()
    actor = by or (decision[1] if decision else "system")
    for r in rows:
        if (r.review_state, r.reviewed_by) != (state, by):
            old = conn.execute(select(mt.codings).where(c.id == r.id)).one()
            values = {"review_state": state, "reviewed_by": by, "reviewed_at": now if by else None}
            _update(conn, old, values, actor, now)


def _update(conn: Connection, old: Any, values: dict[str, Any], actor: str, now: str) -> None:
    """Write ``values`` over the coding row ``old``: a new revision and version, and its
    history entry."""
    from normwatch.store import meeting_tables as mt

    revision = _revision(conn)
    conn.execute(
        mt.codings.update()
        .where(mt.codings.c.id == old.id)
        .values(updated_at=now, revision=revision, version=old.version + 1, **values)
    )
    new = {**old._mapping, **values, "revision": revision}
    _record(conn, "changed", old._mapping, new, actor, now)


def delete_codings(conn: Connection, ids: list[str], actor: str, now: str) -> int:
    """Delete the codings ``ids``, each with its history entry; how many were deleted."""
    from sqlalchemy import select

    from normwatch.store import meeting_tables as mt

    c = mt.codings.c
    rows = conn.execute(select(mt.codings).where(c.id.in_(ids))).all() if ids else []
    for r in rows:
        _record(conn, "deleted", r._mapping, None, actor, now, revision=_revision(conn))
    if rows:
        conn.execute(mt.codings.delete().where(c.id.in_([r.id for r in rows])))
    return len(rows)


def _record(
    conn: Connection,
    action: str,
    old: Any,
    new: Any,
    actor: str,
    now: str,
    *,
    revision: int | None = None,
) -> None:
    """One line of the audit trail: what ``actor`` did to a coding and what it replaced."""
    from normwatch.store import team_tables as tt

    row = new if new is not None else old
    conn.execute(
        tt.coding_history.insert().values(
            coding_id=row["id"],
            statement_id=row["statement_id"],
            codebook=row["codebook"],
            code=row["code"],
            coder=row["coder"],
            actor=actor,
            action=action,
            at=now,
            old_review_state=old["review_state"] if old is not None else None,
            new_review_state=new["review_state"] if new is not None else None,
            old_evidence=old["evidence_quote"] if old is not None else None,
            new_evidence=new["evidence_quote"] if new is not None else None,
            revision=revision if revision is not None else row["revision"],
        )
    )
