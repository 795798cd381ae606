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
    if old is None:
        conn.execute(
            mt.codings.insert().values(
                id=cid,
                statement_id=coding.statement,
                codebook=coding.codebook,
                code=coding.code,
                coder=str(coding.coder),
                coder_kind=coding.coder.kind,
                revision=_revision(conn),
                created_at=now,
                updated_at=now,
                **{"review_state": "suggested", **values},
            )
        )
    elif differs or superseded:
        conn.execute(
            mt.codings.update()
            .where(c.id == cid)
            .values(updated_at=now, revision=_revision(conn), **values)
        )
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
    for r in rows:
        if (r.review_state, r.reviewed_by) != (state, by):
            conn.execute(
                mt.codings.update()
                .where(c.id == r.id)
                .values(
                    review_state=state,
                    reviewed_by=by,
                    reviewed_at=now if by else None,
                    updated_at=now,
                    revision=_revision(conn),
                )
            )
