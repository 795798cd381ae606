"""Reactions: which States carried which code at a meeting, as counts and shares.

``reactions(store, meeting, codebook, ...)`` answers "how many of the States participating
expressed concern?" from the stored statements and codings. Nothing here is stored: every
share is computed from rows, and every count comes with the list of States behind it.

The rules, in order:

1. **Which codings count.** For each statement and code, the latest human decision (``code set``
   = applies, ``code unset`` = does not); without one, an ``accepted`` automatic coding; a
   ``suggested`` one only with ``include_suggested``. A code's implied codes follow it
   (``concern`` implies ``mention``, per the codebook).
2. **Who a statement speaks for.** A *national* statement (a State speaking for itself) speaks
   for its speaker. A *joint* statement speaks for every State in ``on_behalf_of`` and, when
   it is delivered by a State, for that State too. A statement made in the role of the
   meeting's presidency speaks for the presidency, not for the State holding it, and is never
   attributed. With ``national_only`` joint statements are left out.
3. **The denominator.** ``participating``: the States on the meeting's list of participants,
   in any capacity (States Parties, signatories, observer States; organizations are not
   States). ``parties``: the States Parties to the meeting's treaty on its first day, counted
   like the depositary - instrument deposited (even before entry into force for the State) and
   withdrawal not yet effective, so a State that has given notice of withdrawal still counts.
   ``speakers``: the States that a counted statement speaks for.
4. **Counts and shares** are over the denominator only: a State outside it (a co-sponsor of a
   joint statement that is not a party, say) is not counted, and is listed in
   ``not_counted``; no share is drawn over a
   denominator of fewer than 10 States (the count and the States are given instead).
   ``silent`` lists the denominator States without ``mention`` (for a codebook without a
   ``mention`` code: without any code).
5. **What the figures rest on**: ``coverage`` (the share of statements with text that a
   person reviewed) and ``agreement`` (Krippendorff's alpha of the double coders, or of all
   human coders; None, said in ``agreement_note``, when no two people coded one statement),
   from :func:`normwatch.service.double_coding.basis`.
6. **Breakdowns** (``by``) use group membership on the meeting's first day; the States of the
   denominator in none of the groups are listed under ``other``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from normwatch.core.meetings import DEFAULT_CODEBOOK, DENOMINATORS, PRESIDENCY_ROLE, share_of
from normwatch.errors import DataError
from normwatch.store.db import Store

if TYPE_CHECKING:
    from normwatch.coding.codebook import Codebook, CodebookOutline

PARTY_STATUSES = frozenset({"consented", "party", "withdrawing"})
SHARE_DIGITS = 4


def reactions(
    store: Store,
    meeting: str,
    codebook: str = DEFAULT_CODEBOOK,
    *,
    denominator: str = "participating",
    national_only: bool = False,
    by: str | None = None,
    include_suggested: bool = False,
    outline: bool = False,
) -> dict[str, Any]:
    """``{"meeting", "codebook", "target", "denominator": {"kind", "count", "states"},
    "codes": {CODE: {"count", "share", "states"}}, "silent": [...], "by": {...}}``.

    ``by`` (``regional_group``, ``eu``, ``nato`` or any group id) gives, per group, the same
    ``denominator`` / ``codes`` / ``silent`` restricted to its members on the meeting's date;
    without ``by`` it is ``{}``. ``target`` is the treaty whose acts the codebook's codes are
    about (``None`` if the codebook does not say): at a meeting with more than one target (the
    CCM withdrawal and the Mine Ban Treaty withdrawals), one codebook per target.

    ``outline``: read only the codebook's codes (:func:`~normwatch.coding.codebook.
    codebook_outline`), not its patterns: the same answer for a valid codebook, faster.
    """
    from normwatch.coding.codebook import codebook_outline, load_codebook
    from normwatch.store.meetings import get_meeting

    if denominator not in DENOMINATORS:
        raise DataError(f"unknown denominator {denominator!r} (use {', '.join(DENOMINATORS)})")
    m = get_meeting(store, meeting)
    book = codebook_outline(codebook) if outline else load_codebook(codebook)
    day = dt.date.fromisoformat(m["start_date"])
    speaks_for = _attribution(store, m["id"], national_only)
    labels = _labels(store, m["id"], book, include_suggested)
    carriers: dict[str, set[str]] = {code: set() for code in book.code_ids}
    for statement, states in speaks_for.items():
        for code in labels.get(statement, ()):
            carriers[code] |= states
    if denominator == "participating":
        base = {
            r["participant"]
            for r in store.query(
                "SELECT participant FROM participations WHERE meeting_id = :m AND kind = 'state'",
                {"m": m["id"]},
            )
        }
    elif denominator == "parties":
        view = store.view(m["treaty"])
        base = {s for s in view.states if view.status(s, day).status.value in PARTY_STATUSES}
    else:
        base = set().union(*speaks_for.values()) if speaks_for else set()
    from normwatch.service.double_coding import basis

    result = {
        "meeting": m["id"],
        "codebook": book.id,
        "target": book.treaty,
        "denominator": {"kind": denominator, "count": len(base), "states": sorted(base)},
        **_tally(base, carriers),
        "not_counted": sorted(set().union(*speaks_for.values(), set()) - base),
        "by": {},
        **basis(store, m["id"], book.id),
    }
    if by:
        from normwatch.service.groups import groups_on

        members = groups_on(store, by, day)
        grouped: dict[str, Any] = {}
        for gid, states in members.items():
            grouped[gid] = _group(denominator, base & states, carriers)
        others = base - set().union(*members.values())
        if others:
            grouped["other"] = _group(denominator, others, carriers)
        result["by"] = grouped
    return result


def _group(kind: str, base: set[str], carriers: dict[str, set[str]]) -> dict[str, Any]:
    return {
        "denominator": {"kind": kind, "count": len(base), "states": sorted(base)},
        **_tally(base, carriers),
    }


def _tally(base: set[str], carriers: dict[str, set[str]]) -> dict[str, Any]:
    codes = {}
    for code, states in carriers.items():
        inside = sorted(states & base)
        share = share_of(len(inside), len(base), SHARE_DIGITS)
        codes[code] = {"count": len(inside), "share": share, "states": inside}
    if "mention" in carriers:
        heard = carriers["mention"]
    else:
        heard = set().union(*carriers.values()) if carriers else set()
    return {"codes": codes, "silent": sorted(base - heard)}


def _attribution(store: Store, meeting: str, national_only: bool) -> dict[str, set[str]]:
    """Statement id → the States it speaks for (rule 2 above)."""
    on_behalf: dict[str, set[str]] = {}
    for r in store.query(
        "SELECT b.statement_id, b.state FROM statement_on_behalf b "
        "JOIN statements s ON s.id = b.statement_id WHERE s.meeting_id = :m",
        {"m": meeting},
    ):
        on_behalf.setdefault(r["statement_id"], set()).add(r["state"])
    out: dict[str, set[str]] = {}
    for r in store.query(
        "SELECT id, speaker, speaker_kind, role FROM statements WHERE meeting_id = :m",
        {"m": meeting},
    ):
        if r["role"] == PRESIDENCY_ROLE:
            continue
        others = on_behalf.get(r["id"], set())
        own = {r["speaker"]} if r["speaker_kind"] == "state" else set()
        joint = bool(others - own)
        if national_only and (joint or not own):
            continue
        states = own | others
        if states:
            out[r["id"]] = states
    return out


def _labels(
    store: Store, meeting: str, book: Codebook | CodebookOutline, include_suggested: bool
) -> dict[str, set[str]]:
    """Statement id → the codes it carries (rule 1 above), implications included."""
    rows = store.query(
        "SELECT c.statement_id, c.code, c.coder_kind, c.review_state FROM codings c "
        "JOIN statements s ON s.id = c.statement_id "
        "WHERE s.meeting_id = :m AND c.codebook = :cb ORDER BY c.revision",
        {"m": meeting, "cb": book.id},
    )
    human: dict[tuple[str, str], str] = {}
    auto: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        key = (r["statement_id"], r["code"])
        if r["coder_kind"] == "human":
            human[key] = r["review_state"]  # ordered by revision: the last one wins
        else:
            auto.setdefault(key, set()).add(r["review_state"])
    counted = {"accepted", "suggested"} if include_suggested else {"accepted"}
    labels: dict[str, set[str]] = {}
    for key in {*human, *auto}:
        state = human.get(key)
        applies = state == "accepted" if state is not None else bool(auto[key] & counted)
        if applies and key[1] in book.code_ids:
            labels.setdefault(key[0], set()).add(key[1])
    return {s: book.closure(codes) for s, codes in labels.items()}


def reaction_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows of a :func:`reactions` result for tables and CSV: one per group and code,
    plus a ``silent`` row per group."""
    rows = []
    groups: Iterable[tuple[str, dict[str, Any]]] = [("all", result), *result["by"].items()]
    for group, part in groups:
        den = part["denominator"]["count"]
        for code, c in part["codes"].items():
            rows.append(
                {
                    "group": group,
                    "code": code,
                    "count": c["count"],
                    "denominator": den,
                    "share": c["share"],
                    "states": c["states"],
                }
            )
        silent = part["silent"]
        rows.append(
            {
                "group": group,
                "code": "(silent)",
                "count": len(silent),
                "denominator": den,
                "share": share_of(len(silent), den, SHARE_DIGITS),
                "states": silent,
            }
        )
    return rows
