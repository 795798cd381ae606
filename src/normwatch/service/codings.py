"""Codings: which codes a statement carries, who decided, and on what evidence.

A coding links a statement to one code of a codebook, by one coder: a person
(``human:<name>``) or a method (``auto:<method>@<version>``), with the evidence (a span of the
statement's text and its words), a confidence and a review state (``suggested``, ``accepted``,
``rejected``).

Rules that keep human work safe:

* a human decision is never overwritten by an automatic one: ``code auto`` writes only rows of
  its own coder, and a suggestion that a person reviewed keeps that review;
* ``code set`` records that a code applies (``accepted``), ``code unset`` that it does not
  (``rejected``); both are kept per person, so two coders can be compared
  (:mod:`normwatch.service.agreement`);
* the automatic codings of a (statement, code) mirror the latest human decision on it.

Which codings count in :mod:`normwatch.service.reactions`: for each statement and code the
latest human decision; without one, an ``accepted`` automatic coding, and a ``suggested`` one
only when asked to include suggestions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from normwatch.core.meetings import (
    DEFAULT_CODEBOOK,
    Coder,
    Coding,
    Evidence,
    ReviewState,
    find_evidence,
)
from normwatch.errors import DataError, NormwatchError, NotFoundError
from normwatch.store.codings import (
    coding_id,
    delete_codings,
    mirror_human_decision,
    upsert_coding,
)
from normwatch.store.stamps import now_iso

if TYPE_CHECKING:
    from normwatch.coding.codebook import Codebook
    from normwatch.store.db import Store


# ------------------------------------------------------------------------- library calls


def find_statement(store: Store, ref: str) -> dict[str, Any]:
    """A statement by its full id (``meeting/local``) or by a local id used only once."""
    rows = store.query(
        "SELECT s.*, src.url AS source_url FROM statements s "
        "LEFT JOIN sources src ON src.id = s.source_id WHERE s.id = :ref",
        {"ref": ref},
    )
    if not rows:
        rows = store.query(
            "SELECT s.*, src.url AS source_url FROM statements s "
            "LEFT JOIN sources src ON src.id = s.source_id WHERE s.local_id = :ref",
            {"ref": ref},
        )
    if not rows:
        raise NotFoundError(
            f"unknown statement {ref!r} (use MEETING/ID, see normwatch meetings show MEETING)"
        )
    if len(rows) > 1:
        ids = ", ".join(sorted(r["id"] for r in rows))
        raise NotFoundError(f"statement id {ref!r} is used in several meetings: {ids}")
    return rows[0]


def _human(coder: str) -> Coder:
    parsed = Coder.parse(coder)
    if not parsed.is_human:
        raise DataError(
            f"{coder!r}: codes set by hand need a person's name (human:NAME); "
            "automatic codings come from normwatch code auto"
        )
    return parsed


def _codebook(codebook: str) -> Codebook:
    from normwatch.coding.codebook import load_codebook

    return load_codebook(codebook)


def _check_codes(book: Codebook, codes: Sequence[str]) -> list[str]:
    if not codes:
        raise DataError("name at least one code")
    unknown = [c for c in codes if c not in book.code_ids]
    if unknown:
        raise NotFoundError(
            f"unknown code(s) {', '.join(map(repr, unknown))} in codebook "
            f"{book.id!r} (known: {', '.join(book.code_ids)})"
        )
    return list(dict.fromkeys(codes))


def set_codes(
    store: Store,
    statement: str,
    codes: Sequence[str],
    coder: str,
    *,
    evidence: str | None = None,
    codebook: str = DEFAULT_CODEBOOK,
    note: str | None = None,
) -> list[dict[str, Any]]:
    """Record that ``codes`` apply to ``statement`` according to the person ``coder``.

    ``evidence`` must be words of the statement's text (their span is found and stored);
    for a statement stored without text the quote is kept without a span.
    """
    row = find_statement(store, statement)
    person = _human(coder)
    book = _codebook(codebook)
    wanted = _check_codes(book, codes)
    found = find_evidence(row["text"], evidence) if evidence else None
    return _decide(store, row["id"], book.id, wanted, person, ReviewState.ACCEPTED, found, note)


def unset_codes(
    store: Store,
    statement: str,
    codes: Sequence[str],
    coder: str,
    *,
    codebook: str = DEFAULT_CODEBOOK,
    forget: bool = False,
) -> list[dict[str, Any]]:
    """Record that ``codes`` do not apply (a rejection, kept for agreement and review); with
    ``forget``, delete the person's codings of those codes instead."""
    row = find_statement(store, statement)
    person = _human(coder)
    book = _codebook(codebook)
    wanted = _check_codes(book, codes)
    if not forget:
        return _decide(store, row["id"], book.id, wanted, person, ReviewState.REJECTED, None, None)
    out = []
    with store.transaction() as conn:
        now = now_iso()
        for code in wanted:
            cid = coding_id(row["id"], book.id, code, str(person))
            gone = delete_codings(conn, [cid], str(person), now)
            if gone:
                mirror_human_decision(conn, row["id"], book.id, code, now)
            out.append(
                {
                    "statement": row["id"],
                    "code": code,
                    "coder": str(person),
                    "result": "deleted" if gone else "absent",
                }
            )
    return out


def _decide(
    store: Store,
    statement: str,
    codebook: str,
    codes: list[str],
    person: Coder,
    state: ReviewState,
    evidence: Evidence | None,
    note: str | None,
) -> list[dict[str, Any]]:
    out = []
    with store.transaction() as conn:
        now = now_iso()
        for code in codes:
            new, changed = upsert_coding(
                conn,
                Coding(statement, codebook, code, person, state, evidence, note=note),
                now,
                decide=True,
            )
            result = "new" if new else "changed" if changed else "unchanged"
            out.append(
                {
                    "statement": statement,
                    "code": code,
                    "coder": str(person),
                    "review_state": state.value,
                    "result": result,
                }
            )
    return out


_CODINGS_SQL = """
SELECT c.*, s.local_id, s.speaker, s.speaker_kind, s.role
FROM codings c JOIN statements s ON s.id = c.statement_id
WHERE s.meeting_id = :meeting {only}
ORDER BY s.local_id, c.codebook, c.code, c.coder_kind DESC, c.coder
"""


def meeting_codings(
    store: Store, meeting: str, codebook: str | None = None
) -> list[dict[str, Any]]:
    """Every coding of a meeting's statements (``code show``), JSON-ready."""
    from normwatch.store.meetings import get_meeting

    mid = get_meeting(store, meeting)["id"]
    return [
        {
            "statement": r["statement_id"],
            "speaker": r["speaker"],
            "role": r["role"],
            "codebook": r["codebook"],
            "code": r["code"],
            "coder": r["coder"],
            "review_state": r["review_state"],
            "confidence": r["confidence"],
            "evidence": None
            if r["evidence_quote"] is None
            else {
                "start": r["evidence_start"],
                "end": r["evidence_end"],
                "quote": r["evidence_quote"],
            },
            "reviewed_by": r["reviewed_by"],
            "note": r["note"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        }
        for r in store.query(
            # (a NULL parameter compared with IS NULL has no type in PostgreSQL: build the filter)
            _CODINGS_SQL.format(only="AND c.codebook = :codebook" if codebook else ""),
            {"meeting": mid, "codebook": codebook},
        )
    ]


def auto_coder(method: str, book: Codebook, model_digest: str | None = None) -> Coder:
    """The coder of an automatic method: ``auto:<method>@<normwatch>+cb<codebook version>``,
    plus ``+m<digest>`` of the model file for the model method. A new program, codebook or
    model is a new coder, so its suggestions stay apart from older ones."""
    from normwatch import __version__

    version = f"{__version__}+cb{book.version}"
    if model_digest:
        version += f"+m{model_digest}"
    return Coder("auto", method, version)


def auto_code(
    store: Store,
    meeting: str,
    codebook: str = DEFAULT_CODEBOOK,
    method: str = "rules",
    model: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Code every statement of ``meeting`` that has text with the automatic coder.

    Stores ``suggested`` codings with evidence and confidence under the coder
    ``auto:<method>@<version>``; never touches a human coding; a re-run replaces this coder's
    unreviewed suggestions and keeps the reviewed ones. ``model`` is the path of a trained
    model (needed by the ``model`` method). Statements without text, or in a language the
    codebook cannot read, are listed under ``skipped``. ``progress("coding", done, total)``
    is called before each statement and once all are coded.
    """
    import hashlib
    from pathlib import Path

    from sqlalchemy import select

    from normwatch.coding import code_text
    from normwatch.store import meeting_tables as mt
    from normwatch.store.meetings import get_meeting

    meeting_row = get_meeting(store, meeting)
    mid = meeting_row["id"]
    book = _codebook(codebook)
    bundle: Any = None
    digest = None
    if method == "model":
        if model is None:
            raise DataError(
                "the model method needs a trained model: --model PATH "
                "(train one with normwatch code train)"
            )
        from normwatch.coding.classifier import load_model

        try:
            digest = hashlib.sha256(Path(model).read_bytes()).hexdigest()[:12]
        except OSError as exc:
            raise NotFoundError(f"cannot read model {model}: {exc.strerror}") from None
        bundle = load_model(model)
    coder = auto_coder(method, book, digest)
    rows = store.query(
        "SELECT id, text, language FROM statements WHERE meeting_id = :m ORDER BY local_id",
        {"m": mid},
    )
    results: list[tuple[str, list[Coding]]] = []
    skipped = []
    for i, r in enumerate(rows):
        if progress:
            progress("coding", i, len(rows))
        if r["text"] is None:
            skipped.append({"statement": r["id"], "reason": "no text"})
            continue
        try:
            result = code_text(
                r["text"],
                book,
                lang=r["language"],
                method=method,
                model=bundle,
                treaty=meeting_row.get("treaty"),
            )
        except NormwatchError as exc:
            skipped.append({"statement": r["id"], "reason": str(exc)})
            continue
        found = []
        for hit in result.codes:
            ev = hit.evidence[0] if hit.evidence else None
            found.append(
                Coding(
                    r["id"],
                    book.id,
                    hit.code,
                    coder,
                    ReviewState.SUGGESTED,
                    Evidence(ev.quote, ev.start, ev.end) if ev else None,
                    round(float(hit.confidence), 4),
                )
            )
        results.append((r["id"], found))
    if progress:
        progress("coding", len(rows), len(rows))
    c = mt.codings.c
    counts = {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
    with store.transaction() as conn:
        now = now_iso()
        for statement, found in results:
            for coding in found:
                new, changed = upsert_coding(conn, coding, now)
                counts["new" if new else "changed" if changed else "unchanged"] += 1
            stale = [
                x.id
                for x in conn.execute(
                    select(c.id).where(
                        c.statement_id == statement,
                        c.codebook == book.id,
                        c.coder == str(coder),
                        c.reviewed_by.is_(None),
                        c.code.notin_([f.code for f in found] or [""]),
                    )
                )
            ]
            counts["removed"] += delete_codings(conn, stale, str(coder), now)
    return {
        "meeting": mid,
        "codebook": book.id,
        "coder": str(coder),
        "statements": len(results),
        "skipped": skipped,
        "codings": counts,
    }
