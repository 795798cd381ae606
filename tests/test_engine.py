"""The rules engine on the bundled CCM and Mine Ban Treaty data, and on facts made up here."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normwatch.catalog import get_treaty
from normwatch.core.dates import PartialDate, add_months, first_day_of_month_after
from normwatch.core.model import Action, ActionKind, ArmedConflict, Source, Status
from normwatch.core.status import build_view, state_timeline, treaty_entry_into_force
from normwatch.store.db import Store

D = dt.date
SRC = (Source("https://example.org/test-fixture"),)


def act(state: str, kind: str, day: str, treaty: str = "ccm") -> Action:
    return Action(treaty, state, ActionKind(kind), PartialDate.parse(day), SRC)


def test_ccm_entry_into_force_is_computed_from_the_thirtieth_instrument(store: Store) -> None:
    eif = store.view("ccm").entry_into_force
    assert eif.date == D(2010, 8, 1)
    assert eif.threshold_date == D(2010, 2, 16)
    assert {a.state for a in eif.threshold_actions} == {"BFA", "MDA"}
    assert "art. 17(1)" in eif.explanation.rule


def test_apmbt_entry_into_force_is_computed_from_the_fortieth_instrument(store: Store) -> None:
    eif = store.view("apmbt").entry_into_force
    assert eif.date == D(1999, 3, 1)
    assert eif.threshold_date == D(1998, 9, 16)
    assert "BFA" in {a.state for a in eif.threshold_actions}


def test_lithuania_ccm_party_from_first_day_of_sixth_month(store: Store) -> None:
    view = store.view("ccm")
    before = view.status("LTU", D(2011, 8, 31))
    assert before.status == Status.CONSENTED
    r = view.status("LTU", D(2011, 9, 1))
    assert r.status == Status.PARTY
    assert r.period.start == D(2011, 9, 1)
    assert "2011-03-24" in " ".join(r.period.explanation.steps)
    assert r.period.explanation.rule.startswith("art. 17(2)")


def test_lithuania_ccm_withdrawal_takes_effect_six_months_after_receipt(store: Store) -> None:
    view = store.view("ccm")
    r = view.status("LTU", D(2025, 3, 5))
    assert r.status == Status.WITHDRAWING
    assert r.period.notified == D(2024, 9, 6)
    assert r.period.effective == D(2025, 3, 6)
    assert not r.period.postponed
    assert view.status("LTU", D(2025, 3, 6)).status == Status.WITHDRAWN
    row = r.to_dict(explain=True)
    assert row["since"] == "2024-09-06"
    assert row["explanation"]["arithmetic"][0] == "receipt 2024-09-06 + 6 months → 2025-03-06"
    assert all(a["sources"] for a in row["explanation"]["actions"])


@pytest.mark.parametrize(
    ("state", "received", "effective"),
    [
        ("EST", D(2025, 6, 27), D(2025, 12, 27)),
        ("LVA", D(2025, 6, 27), D(2025, 12, 27)),
        ("LTU", D(2025, 6, 27), D(2025, 12, 27)),
        ("FIN", D(2025, 7, 10), D(2026, 1, 10)),
        ("POL", D(2025, 8, 20), D(2026, 2, 20)),
    ],
)
def test_apmbt_withdrawals_take_effect_six_months_after_receipt(
    store: Store, state: str, received: dt.date, effective: dt.date
) -> None:
    view = store.view("apmbt")
    during = view.status(state, effective - dt.timedelta(days=1))
    assert during.status == Status.WITHDRAWING
    assert during.period.notified == received
    assert during.period.effective == effective
    assert view.status(state, effective).status == Status.WITHDRAWN


def test_reference_counts_are_reproduced(store: Store) -> None:
    refs = store.reference_counts()
    assert len(refs) == 12
    for ref in refs:
        got = store.view(ref["treaty"]).counts(D.fromisoformat(ref["date"]))
        for key in ("parties", "in_force", "signatories", "withdrawing", "withdrawn"):
            assert got[key] == ref[key], (ref["treaty"], ref["date"], key)


def test_counts_add_up_to_the_197_states(store: Store) -> None:
    c = store.view("ccm").counts(D(2025, 3, 6))
    total = (
        sum(
            c[k]
            for k in ("consented", "signatories", "withdrawing", "withdrawn", "non_signatories")
        )
        + c["in_force"]
        - c["withdrawing"]
    )
    assert total == 197


def test_ukraine_withdrawal_is_postponed_while_the_armed_conflict_goes_on(store: Store) -> None:
    rules = get_treaty("apmbt")
    actions = [*store.actions("apmbt"), act("UKR", "withdrawal", "2025-07-01", "apmbt")]
    view = build_view(rules, store.registry().codes, actions, store.conflicts())
    for day in (D(2025, 7, 1), D(2026, 1, 1), D(2027, 6, 30), D(2040, 1, 1)):
        r = view.status("UKR", day)
        assert r.status == Status.WITHDRAWING
        assert r.period.postponed
        assert r.period.effective is None
        assert r.to_dict()["effective"] is None
    expl = view.status("UKR", D(2026, 1, 1)).period.explanation
    assert expl.conflicts and expl.conflicts[0].counterpart == "RUS"
    assert any("postponed" in s for s in expl.steps)
    assert view.status("UKR", D(2025, 6, 30)).status == Status.PARTY


def test_withdrawal_takes_effect_the_day_after_a_recorded_conflict_end() -> None:
    rules = get_treaty("ccm")
    acts = [act("ATL", "ratification", "2009-01-10"), act("ATL", "withdrawal", "2030-01-15")]
    conflict = ArmedConflict(
        "ATL", None, "test", PartialDate(2029, 5), PartialDate(2031, 2, 28), SRC
    )
    tl = state_timeline(
        rules,
        "ATL",
        acts,
        [conflict],
        eif=treaty_entry_into_force(rules, _thirty_deposits() + acts),
    )
    withdrawing = tl.at(D(2031, 2, 28))
    assert withdrawing.status == Status.WITHDRAWING
    assert withdrawing.effective == D(2031, 3, 1)
    assert tl.at(D(2031, 3, 1)).status == Status.WITHDRAWN


def test_conflict_that_ended_before_the_notice_expired_does_not_postpone() -> None:
    rules = get_treaty("ccm")
    acts = [act("ATL", "accession", "2012-02-01"), act("ATL", "withdrawal", "2030-01-15")]
    conflict = ArmedConflict("ATL", None, "test", PartialDate(2029), PartialDate(2030, 3), SRC)
    tl = state_timeline(
        rules, "ATL", acts, [conflict], eif=treaty_entry_into_force(rules, _thirty_deposits())
    )
    assert tl.at(D(2030, 7, 15)).status == Status.WITHDRAWN


def _thirty_deposits() -> list[Action]:
    return [act(f"S{i:02d}", "ratification", "2010-02-16") for i in range(30)]


def test_withdrawal_revoked_before_effect_restores_party() -> None:
    rules = get_treaty("ccm")
    acts = [
        act("ATL", "ratification", "2011-03-24"),
        act("ATL", "withdrawal", "2024-09-06"),
        act("ATL", "withdrawal_revoked", "2024-12-01"),
    ]
    eif = treaty_entry_into_force(rules, _thirty_deposits())
    tl = state_timeline(rules, "ATL", acts, eif=eif)
    assert tl.at(D(2024, 11, 30)).status == Status.WITHDRAWING
    assert tl.at(D(2024, 12, 1)).status == Status.PARTY
    assert tl.at(D(2025, 3, 6)).status == Status.PARTY


def test_a_state_that_rejoins_after_withdrawal_is_consented_then_party_again() -> None:
    rules = get_treaty("ccm")
    acts = [
        act("ATL", "ratification", "2011-03-24"),
        act("ATL", "withdrawal", "2024-09-06"),
        act("ATL", "accession", "2026-02-10"),
    ]
    eif = treaty_entry_into_force(rules, _thirty_deposits())
    tl = state_timeline(rules, "ATL", acts, eif=eif)
    assert tl.at(D(2025, 3, 6)).status == Status.WITHDRAWN
    assert tl.at(D(2026, 2, 10)).status == Status.CONSENTED
    assert tl.at(D(2026, 8, 1)).status == Status.PARTY


def test_withdrawal_without_consent_is_a_warning_not_a_status() -> None:
    rules = get_treaty("ccm")
    tl = state_timeline(
        rules,
        "ATL",
        [act("ATL", "signature", "2008-12-03"), act("ATL", "withdrawal", "2020-01-01")],
        eif=treaty_entry_into_force(rules, _thirty_deposits()),
    )
    assert tl.at(D(2021, 1, 1)).status == Status.SIGNATORY
    assert tl.warnings and "without a prior instrument of consent" in tl.warnings[0]


def test_a_treaty_short_of_its_threshold_is_not_in_force() -> None:
    rules = get_treaty("ccm")
    deposits = _thirty_deposits()[:29]
    eif = treaty_entry_into_force(rules, deposits)
    assert eif.date is None
    tl = state_timeline(rules, "S00", deposits, eif=eif)
    assert tl.at(D(2030, 1, 1)).status == Status.CONSENTED


def test_changes_lists_lithuanias_withdrawal_and_vanuatus_accession(store: Store) -> None:
    changes = store.view("ccm").changes(D(2024, 9, 1), D(2026, 3, 31))
    seen = {(c.date, c.state, c.before.value, c.after.value) for c in changes}
    assert (D(2024, 9, 6), "LTU", "party", "withdrawing") in seen
    assert (D(2025, 3, 6), "LTU", "withdrawing", "withdrawn") in seen
    assert (D(2025, 9, 5), "VUT", "non_signatory", "consented") in seen
    assert (D(2026, 3, 1), "VUT", "consented", "party") in seen


def test_daily_counts_agree_with_counts_on_each_day(store: Store) -> None:
    view = store.view("apmbt")
    rows = view.daily_counts(D(2025, 6, 20), D(2026, 3, 1))
    for row in rows[::17]:
        expected = view.counts(row["date"])
        assert {k: row[k] for k in expected} == expected


# --- properties of the date rules ----------------------------------------------------------

deposit_days = st.dates(min_value=D(2010, 2, 17), max_value=D(2090, 12, 31))


@given(
    st.lists(
        st.dates(min_value=D(2008, 12, 3), max_value=D(2090, 12, 31)), min_size=30, max_size=45
    )
)
def test_the_treatys_entry_into_force_is_the_first_day_of_the_sixth_month_after_the_30th(
    days: list[dt.date],
) -> None:
    rules = get_treaty("ccm")
    eif = treaty_entry_into_force(
        rules, [act(f"S{i:02d}", "ratification", d.isoformat()) for i, d in enumerate(days)]
    )
    thirtieth = sorted(days)[29]
    assert eif.date is not None and eif.date.day == 1
    assert add_months(thirtieth, 5) <= eif.date <= add_months(thirtieth, 6)
    assert eif.date == first_day_of_month_after(thirtieth, 6)


@given(deposit_days)
def test_state_entry_into_force_is_first_of_a_month_five_to_six_months_on(day: dt.date) -> None:
    rules = get_treaty("ccm")
    eif = treaty_entry_into_force(rules, _thirty_deposits())
    tl = state_timeline(rules, "ATL", [act("ATL", "accession", day.isoformat())], eif=eif)
    party = next(p for p in tl.periods if p.status == Status.PARTY)
    assert party.start is not None
    assert party.start.day == 1
    assert add_months(day, 5) <= party.start <= add_months(day, 6)


@given(st.dates(min_value=D(2011, 1, 1), max_value=D(2080, 12, 31)))
def test_withdrawal_effect_never_precedes_receipt_plus_six_months(received: dt.date) -> None:
    rules = get_treaty("apmbt")
    acts = [
        act("ATL", "ratification", "1998-01-05", "apmbt"),
        act("ATL", "withdrawal", received.isoformat(), "apmbt"),
    ]
    eif = treaty_entry_into_force(
        rules, [act(f"S{i}", "ratification", "1998-09-16", "apmbt") for i in range(40)]
    )
    tl = state_timeline(rules, "ATL", acts, eif=eif)
    w = next(p for p in tl.periods if p.status == Status.WITHDRAWING)
    assert w.effective is not None and w.effective >= add_months(received, 6)
    assert w.effective - received >= dt.timedelta(days=181)


@given(
    st.dates(min_value=D(2011, 1, 1), max_value=D(2080, 12, 31)),
    st.one_of(st.none(), st.dates(min_value=D(2011, 1, 1), max_value=D(2090, 1, 1))),
)
def test_withdrawal_in_armed_conflict_never_takes_effect_during_it(
    received: dt.date, end: dt.date | None
) -> None:
    rules = get_treaty("ccm")
    conflict = ArmedConflict(
        "ATL", None, "test", PartialDate(2011, 1, 1), PartialDate.of(end) if end else None, SRC
    )
    acts = [
        act("ATL", "ratification", "2009-01-05"),
        act("ATL", "withdrawal", received.isoformat()),
    ]
    tl = state_timeline(
        rules, "ATL", acts, [conflict], eif=treaty_entry_into_force(rules, _thirty_deposits())
    )
    w = next(p for p in tl.periods if p.status == Status.WITHDRAWING)
    if w.effective is None:
        assert end is None and w.postponed
    else:
        assert not conflict.engaged_on(w.effective)
        assert w.effective >= add_months(received, 6)


def test_notice_received_on_31_august_takes_effect_on_the_last_day_of_february() -> None:
    assert add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    rules = get_treaty("ccm")
    acts = [act("ATL", "ratification", "2009-01-05"), act("ATL", "withdrawal", "2024-08-31")]
    tl = state_timeline(rules, "ATL", acts, eif=treaty_entry_into_force(rules, _thirty_deposits()))
    assert tl.at(D(2025, 2, 27)).status == Status.WITHDRAWING
    assert tl.at(D(2025, 2, 28)).status == Status.WITHDRAWN
