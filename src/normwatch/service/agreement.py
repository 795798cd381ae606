"""Agreement between human coders: Cohen's kappa and Krippendorff's alpha (nominal).

Each code of a multi-label codebook is a yes/no question about each statement, so agreement
is measured per code. A coder *has coded* a statement when it recorded any decision on it
under the codebook (``code set`` or ``code unset``); on such a statement a code it did not
set counts as "no", and a code implied by one it set (``concern`` → ``mention``) as "yes".
Kappa compares exactly two coders on the statements both have coded; alpha takes any number
of coders and statements coded by at least two of them (missing values are allowed). Both
are implemented here from their definitions:

* Cohen's kappa: ``(p_o - p_e) / (1 - p_e)``, with ``p_o`` the observed agreement and ``p_e``
  the agreement expected from each coder's own marginal proportions. Undefined (None) when
  ``p_e = 1`` (both coders gave one and the same value to every unit).
* Krippendorff's alpha: ``1 - D_o / D_e`` from the coincidence matrix: every ordered pair of
  values within a unit with ``m_u`` values adds ``1 / (m_u - 1)``;
  ``alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k``. Undefined (None) when
  the pairable values show no variation.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from normwatch.core.meetings import DEFAULT_CODEBOOK
from normwatch.errors import DataError
from normwatch.store.db import Store

DIGITS = 4


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two coders' values for the same units (scikit-learn's); None when it is
    undefined (no units, or both coders gave one and the same value throughout)."""
    if len(a) != len(b):
        raise ValueError("both coders must rate the same units")
    if not a or len(set(a) | set(b)) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score  # type: ignore[import-untyped]

    labels = sorted(set(a) | set(b), key=repr)
    index = {v: i for i, v in enumerate(labels)}
    return float(cohen_kappa_score([index[x] for x in a], [index[y] for y in b]))


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data; each unit lists its coders' values (None =
    missing). Units with fewer than two values are not pairable and are ignored."""
    coincidence: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, x in enumerate(values):
            for j, y in enumerate(values):
                if i != j:
                    coincidence[(x, y)] = coincidence.get((x, y), 0.0) + 1 / (m - 1)
    totals: dict[Hashable, float] = {}
    for (x, _), weight in coincidence.items():
        totals[x] = totals.get(x, 0.0) + weight
    n = sum(totals.values())
    disagree = sum(w for (x, y), w in coincidence.items() if x != y)
    expected = sum(totals[x] * totals[y] for x in totals for y in totals if x != y)
    if expected == 0:
        return None
    return 1 - (n - 1) * disagree / expected


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def agreement(
    store: Store,
    meeting: str,
    codebook: str = DEFAULT_CODEBOOK,
    coders: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Per-code agreement of the human coders of a meeting (JSON-ready).

    ``coders`` picks the coders (names or ``human:NAME``); by default every human coder of
    the meeting under the codebook. Kappa needs exactly two coders (otherwise it is null);
    alpha uses all the chosen ones. ``pooled_alpha`` treats every (statement, code) as a unit.
    """
    from normwatch.coding.codebook import load_codebook
    from normwatch.core.meetings import Coder
    from normwatch.store.meetings import get_meeting

    m = get_meeting(store, meeting)
    book = load_codebook(codebook)
    rows = store.query(
        "SELECT c.statement_id, c.code, c.coder, c.review_state FROM codings c "
        "JOIN statements s ON s.id = c.statement_id WHERE s.meeting_id = :m "
        "AND c.codebook = :cb AND c.coder_kind = 'human'",
        {"m": m["id"], "cb": book.id},
    )
    present = sorted({r["coder"] for r in rows})
    chosen = [str(Coder.parse(c)) for c in coders] if coders else present
    missing = [c for c in chosen if c not in present]
    if missing:
        raise DataError(
            f"no codings by {', '.join(missing)} for {m['id']} under {book.id} "
            f"(coders: {', '.join(present) or 'none'})"
        )
    if len(chosen) < 2:
        raise DataError(
            f"agreement needs at least two human coders; {m['id']} has "
            f"{', '.join(present) or 'none'} under {book.id}"
        )
    coded: dict[str, set[str]] = {c: set() for c in chosen}
    accepted: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        if r["coder"] in coded:
            coded[r["coder"]].add(r["statement_id"])
            if r["review_state"] == "accepted" and r["code"] in book.code_ids:
                accepted.setdefault((r["coder"], r["statement_id"]), set()).add(r["code"])
    yes = {
        (coder, s, code): True
        for (coder, s), codes in accepted.items()
        for code in book.closure(codes)
    }
    statements = sorted(set().union(*coded.values()))
    pair = len(chosen) == 2
    both = [s for s in statements if all(s in coded[c] for c in chosen)] if pair else []
    codes: dict[str, Any] = {}
    pooled: list[list[Hashable | None]] = []
    for code in book.code_ids:
        units: list[list[Hashable | None]] = [
            [(yes.get((c, s, code), False) if s in coded[c] else None) for c in chosen]
            for s in statements
        ]
        pooled.extend(units)
        entry: dict[str, Any] = {
            "units": sum(1 for u in units if sum(v is not None for v in u) >= 2),
            "alpha": _round(krippendorff_alpha_nominal(units)),
        }
        if pair:
            a = [yes.get((chosen[0], s, code), False) for s in both]
            b = [yes.get((chosen[1], s, code), False) for s in both]
            entry.update(
                agreement=_round(sum(x == y for x, y in zip(a, b, strict=True)) / len(both))
                if both
                else None,
                kappa=_round(cohen_kappa(a, b)),
                both_yes=sum(x and y for x, y in zip(a, b, strict=True)),
                only_first=sum(x and not y for x, y in zip(a, b, strict=True)),
                only_second=sum(y and not x for x, y in zip(a, b, strict=True)),
                both_no=sum(not x and not y for x, y in zip(a, b, strict=True)),
            )
        codes[code] = entry
    return {
        "meeting": m["id"],
        "codebook": book.id,
        "coders": chosen,
        "statements_coded": {c: len(coded[c]) for c in chosen},
        "units_coded_by_both": len(both) if pair else None,
        "codes": codes,
        "pooled_alpha": _round(krippendorff_alpha_nominal(pooled)),
    }
