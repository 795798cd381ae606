"""Double coding: a reviewer gives a sample of a meeting's statements to two coders, each
blind to the other's codes (:func:`normwatch.service.review.coding_queue` hides them), then
agreement is measured on it (:mod:`normwatch.service.agreement`) and the disagreements are
listed for the reviewer to settle, by deciding the code themselves (the latest human
decision is the one the figures count).

:func:`basis` says what a reactions figure rests on: the share of statements a person
reviewed, and the agreement measured on them (or that none is).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from normwatch.core.meetings import DEFAULT_CODEBOOK
from normwatch.errors import DataError, ForbiddenError, NotFoundError
from normwatch.store.stamps import now_iso

if TYPE_CHECKING:
    from normwatch.service.accounts import User
    from normwatch.store.db import Store


def _sample(meeting: str, ids: Sequence[str], share: float, seed: int | None) -> list[str]:
    """``share`` of ``ids``, at least one: the same statements each time for the same meeting
    and ``seed`` (ordered by a hash of their ids), so a sample can be named and repeated; a
    different seed draws another sample."""
    salt = meeting if seed is None else f"{meeting}|{seed}"
    keyed = sorted(ids, key=lambda s: hashlib.sha256(f"{salt}|{s}".encode()).hexdigest())
    return sorted(keyed[: max(1, math.ceil(share * len(ids)))])


def assign(
    store: Store,
    meeting: str,
    coders: Sequence[str],
    reviewer: User,
    *,
    codebook: str = DEFAULT_CODEBOOK,
    share: float | None = None,
    statements: Sequence[str] | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Give ``statements`` (local or full ids) or a ``share`` of the meeting's statements with
    text (drawn with ``seed``, see :func:`_sample`) to two coders (user names of coders or
    above), in the name of ``reviewer`` (a reviewer or above). A statement already
    double-coded under the codebook is given to the new pair."""
    from sqlalchemy import delete

    from normwatch.coding.codebook import load_codebook
    from normwatch.service.accounts import ROLES, list_users
    from normwatch.store import team_tables as tt
    from normwatch.store.meetings import get_meeting

    if not reviewer.can("reviewer"):
        raise ForbiddenError(
            f"{reviewer.name} is a {reviewer.role}; assigning double coding needs a reviewer"
        )
    m = get_meeting(store, meeting)
    book = load_codebook(codebook)
    names = [c.removeprefix("human:") for c in coders]
    if len(names) != 2 or names[0] == names[1]:
        raise DataError("double coding needs two different coders")
    users = {u["name"]: u for u in list_users(store)}
    for name in names:
        u = users.get(name)
        if u is None or u["disabled"] or ROLES.index(u["role"]) < ROLES.index("coder"):
            raise DataError(f"{name!r} is not an active user with the coder role or above")
    rows = store.query(
        "SELECT id, local_id, text FROM statements WHERE meeting_id = :m ORDER BY local_id",
        {"m": m["id"]},
    )
    if (share is None) == (statements is None):
        raise DataError("give either a share or a list of statements")
    if seed is not None and share is None:
        raise DataError("a seed draws a share of the statements: give it with a share")
    if statements is not None:
        by_ref = {r["local_id"]: r["id"] for r in rows} | {r["id"]: r["id"] for r in rows}
        unknown = [s for s in statements if s not in by_ref]
        if unknown:
            raise NotFoundError(f"not statements of {m['id']}: {', '.join(unknown)}")
        chosen = sorted({by_ref[s] for s in statements})
    else:
        assert share is not None
        if not 0 < share <= 1:
            raise DataError(f"share must be in (0, 1], not {share}")
        with_text = [r["id"] for r in rows if r["text"] is not None]
        if not with_text:
            raise DataError(f"{m['id']} has no statement with text to double-code")
        chosen = _sample(m["id"], with_text, share, seed)
    a, b = (f"human:{n}" for n in names)
    d = tt.double_codings.c
    with store.transaction() as conn:
        conn.execute(
            delete(tt.double_codings).where(d.statement_id.in_(chosen), d.codebook == book.id)
        )
        conn.execute(
            tt.double_codings.insert(),
            [
                {
                    "statement_id": s,
                    "codebook": book.id,
                    "coder_a": a,
                    "coder_b": b,
                    "assigned_by": reviewer.coder,
                    "assigned_at": now_iso(),
                }
                for s in chosen
            ],
        )
    return {"meeting": m["id"], "codebook": book.id, "coders": [a, b], "statements": chosen}


def assignments(store: Store, meeting: str, codebook: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT d.* FROM double_codings d JOIN statements s ON s.id = d.statement_id "
        "WHERE s.meeting_id = :m AND d.codebook = :cb ORDER BY d.statement_id",
        {"m": meeting, "cb": codebook},
    )


def _decisions(store: Store, meeting: str, codebook: str) -> dict[tuple[str, str], set[str]]:
    """(coder, statement) → the codes the coder accepted there (an entry per statement the
    coder decided anything on)."""
    out: dict[tuple[str, str], set[str]] = {}
    for r in store.query(
        "SELECT c.statement_id, c.code, c.coder, c.review_state FROM codings c "
        "JOIN statements s ON s.id = c.statement_id WHERE s.meeting_id = :m "
        "AND c.codebook = :cb AND c.coder_kind = 'human'",
        {"m": meeting, "cb": codebook},
    ):
        codes = out.setdefault((r["coder"], r["statement_id"]), set())
        if r["review_state"] == "accepted":
            codes.add(r["code"])
    return out


def disagreements(store: Store, meeting: str, codebook: str) -> dict[str, Any]:
    """For the double-coded statements: those waiting for one or both coders, and per
    statement coded by both the codes they disagree on (implied codes included)."""
    from normwatch.coding.codebook import load_codebook

    book = load_codebook(codebook)
    decided = _decisions(store, meeting, book.id)
    pending, split = [], []
    for row in assignments(store, meeting, book.id):
        s, a, b = row["statement_id"], row["coder_a"], row["coder_b"]
        waiting = [c for c in (a, b) if (c, s) not in decided]
        if waiting:
            pending.append({"statement": s, "waiting_for": waiting})
            continue
        yes_a, yes_b = book.closure(decided[(a, s)]), book.closure(decided[(b, s)])
        for code in book.code_ids:
            if (code in yes_a) != (code in yes_b):
                split.append(
                    {
                        "statement": s,
                        "code": code,
                        "yes": a if code in yes_a else b,
                        "no": b if code in yes_a else a,
                    }
                )
    return {"pending": pending, "disagreements": split}


def basis(store: Store, meeting: str, codebook: str) -> dict[str, Any]:
    """What a reactions figure rests on: ``coverage`` (statements with text, those a person
    decided on, the share) and ``agreement`` (pooled Krippendorff's alpha of the double
    coders, else of all human coders, on the statements coded by two or more; None when no
    two people coded the same statement), with ``agreement_note`` saying which."""
    from normwatch.service.agreement import agreement

    rows = store.query(
        "SELECT s.id, (SELECT COUNT(*) FROM codings c WHERE c.statement_id = s.id "
        "AND c.codebook = :cb AND c.coder_kind = 'human') AS human FROM statements s "
        "WHERE s.meeting_id = :m AND s.text IS NOT NULL",
        {"m": meeting, "cb": codebook},
    )
    reviewed = sum(1 for r in rows if r["human"])
    coverage = {
        "statements": len(rows),
        "reviewed": reviewed,
        "share": round(reviewed / len(rows), 4) if rows else None,
    }
    pairs = [(r["coder_a"], r["coder_b"]) for r in assignments(store, meeting, codebook)]
    decided = _decisions(store, meeting, codebook)
    coders = sorted({c for c, _ in decided})
    if pairs:
        chosen = list(Counter(pairs).most_common(1)[0][0])
        how = "double coding"
    else:
        chosen, how = coders, "all human coders"
    by_statement: dict[str, int] = {}
    for c, s in decided:
        if c in chosen:
            by_statement[s] = by_statement.get(s, 0) + 1
    units = sum(1 for n in by_statement.values() if n >= 2)
    if len(chosen) < 2 or units == 0:
        return {
            "coverage": coverage,
            "agreement": None,
            "agreement_note": "no agreement measured: no statement coded by two people",
        }
    found = agreement(store, meeting, codebook, chosen)
    return {
        "coverage": coverage,
        "agreement": {
            "coders": chosen,
            "units": units,
            "alpha": found["pooled_alpha"],
            "measured_on": how,
        },
        "agreement_note": (
            f"Krippendorff's alpha {found['pooled_alpha']}"
            if found["pooled_alpha"] is not None
            else "Krippendorff's alpha undefined (the coders' values show no variation)"
        )
        + f" over {units} statement(s) coded by {' and '.join(chosen)} ({how})",
    }
