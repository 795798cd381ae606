"""Obligations and deadlines: treaty rules, the bundled facts, the engine, check, calendar, CLI.

The "must hold" cases of the obligations issue come first; then the rule-file validation, the
deadline arithmetic as properties (hypothesis), ``normwatch check`` on bad facts, the
iCalendar output parsed back with the ``icalendar`` library, and the CLI commands.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clirun import run
from normwatch.catalog import obligation_rules
from normwatch.core.dates import PartialDate, add_months, add_years
from normwatch.core.obligation_rules import parse_obligations
from normwatch.core.obligations import Range, timing, yearly_due_dates
from normwatch.errors import DataError, RuleError
from normwatch.service.ical import AllDayEvent, calendar
from normwatch.service.obligations import (
    calendar_ics,
    check,
    deadline_summary,
    deadlines,
    group_deadlines,
    obligations_for,
)
from normwatch.sources.obligation_facts import read_facts
from normwatch.sources.obligations import import_facts, parse_csv, write_facts
from normwatch.store.db import Store, open_store

TODAY = dt.date(2026, 11, 27)
ISU_ALL_COMPLETED = "perus-fulfilment-of-its-ccm-article-3-obligations"
# CCM States with a stockpile row and no dated completion: known complete only from the
# aggregate statement of December 2023
AGGREGATE_ONLY = ["AFG", "CMR", "COG", "CIV", "CZE", "GIN", "HND", "HUN", "IRQ", "MKD", "MOZ"]


@pytest.fixture(scope="session")
def db(bundled_db: str) -> str:
    """The store built once from the bundled data (conftest), for the read-only tests."""
    return bundled_db


@pytest.fixture()
def own_db(db: str, tmp_path: Path) -> str:
    """A private copy of the bundled store, for tests that add facts."""
    path = tmp_path / "own.sqlite"
    shutil.copy(db, path)
    return str(path)


def by_obligation(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["obligation"]: r for r in rows}


def ob(
    store: Store, state: str, on: dt.date, obligation: str, treaty: str = "ccm"
) -> dict[str, Any]:
    return by_obligation(obligations_for(store, treaty, state, on))[obligation]


# --- must hold ----------------------------------------------------------------------------


def test_entry_into_force_2010_08_01_gives_the_three_deadlines(store: Store) -> None:
    rules = {r.id: r for r in obligation_rules("ccm")}
    eif = dt.date(2010, 8, 1)
    assert rules["stockpile_destruction"].deadline(eif) == dt.date(2018, 8, 1)
    assert rules["clearance"].deadline(eif) == dt.date(2020, 8, 1)
    assert rules["initial_report"].deadline(eif) == dt.date(2011, 1, 28)
    # Germany: party from the treaty's entry into force, stockpile and contamination declared
    rows = by_obligation(obligations_for(store, "ccm", "Germany", dt.date(2010, 9, 1)))
    assert {
        k: (v["status"], v["deadline"], v["entry_into_force"])
        for k, v in rows.items()
        if k != "retention_report"
    } == {
        "stockpile_destruction": ("pending", "2018-08-01", "2010-08-01"),
        "clearance": ("pending", "2020-08-01", "2010-08-01"),
        "initial_report": ("pending", "2011-01-28", "2010-08-01"),
        "annual_report": ("pending", "2011-04-30", "2010-08-01"),
    }
    assert "art. 3(2)" in rows["stockpile_destruction"]["explanation"]
    assert "2010-08-01 + 8 years → 2018-08-01" in rows["stockpile_destruction"]["explanation"]


def test_bulgaria_three_extension_steps_and_completion_as_recorded(store: Store) -> None:
    row = ob(store, "Bulgaria", TODAY, "stockpile_destruction")
    assert row["status"] == "completed"
    assert (row["original_deadline"], row["deadline"], row["completed"]) == (
        "2019-10-01",
        "2023-12-31",
        "2023-06",
    )
    assert row["on_time"] is True
    assert [e["deadline"] for e in row["extensions"]] == ["2021-04-01", "2022-10-01", "2023-12-31"]
    assert row["extensions"][0]["decided_at"] == "9MSP (2019-09)"
    # as the extensions were decided: 9MSP in September 2019, 2RC early 2021, then undated
    early = ob(store, "BGR", dt.date(2019, 8, 1), "stockpile_destruction")
    assert (early["status"], early["deadline"]) == ("pending", "2019-10-01")
    step1 = ob(store, "BGR", dt.date(2020, 1, 1), "stockpile_destruction")
    assert (step1["status"], step1["deadline"], len(step1["extensions"])) == (
        "extended",
        "2021-04-01",
        1,
    )
    step2 = ob(store, "BGR", dt.date(2021, 6, 1), "stockpile_destruction")
    assert (step2["status"], step2["deadline"]) == ("extended", "2022-10-01")
    # step 3 has no decision date: it counts from the day after the deadline it extends
    assert ob(store, "BGR", dt.date(2022, 10, 1), "stockpile_destruction")["deadline"] == (
        "2022-10-01"
    )
    step3 = ob(store, "BGR", dt.date(2022, 10, 2), "stockpile_destruction")
    assert (step3["status"], step3["deadline"]) == ("extended", "2023-12-31")
    assert "decision not dated" in step3["explanation"]
    # June 2023 is not over on 15 June: not yet known to be done, still within the deadline
    assert ob(store, "BGR", dt.date(2023, 6, 15), "stockpile_destruction")["status"] == "extended"
    assert ob(store, "BGR", dt.date(2023, 7, 1), "stockpile_destruction")["status"] == "completed"


def test_peru_extended_to_april_2024_completed_december_2023(store: Store) -> None:
    row = ob(store, "Peru", TODAY, "stockpile_destruction")
    assert (row["status"], row["deadline"], row["completed"], row["on_time"]) == (
        "completed",
        "2024-04-01",
        "2023-12-15",
        True,
    )
    assert row["original_deadline"] == "2021-03-01"
    before = ob(store, "PER", dt.date(2023, 12, 14), "stockpile_destruction")
    assert (before["status"], before["deadline"]) == ("extended", "2024-04-01")


def test_guinea_bissau_missed_its_stockpile_deadline(store: Store) -> None:
    missed = ob(store, "Guinea-Bissau", dt.date(2019, 6, 1), "stockpile_destruction")
    assert (missed["status"], missed["deadline"], missed["overdue_days"]) == (
        "overdue",
        "2019-05-01",
        31,
    )
    later = ob(store, "GNB", TODAY, "stockpile_destruction")
    assert later["status"] == "completed"
    assert later["on_time"] is False and later["late_by_days"] == 1
    assert later["completed"] is None and later["completed_by"] == "2023-12-15"


@pytest.mark.parametrize("code", AGGREGATE_ONLY)
def test_aggregate_completion_is_completed_with_unknown_date_never_overdue(
    store: Store, code: str
) -> None:
    row = ob(store, code, TODAY, "stockpile_destruction")
    assert row["status"] == "completed"
    assert row["completed"] is None and row["completed_by"] == "2023-12-15"
    assert ISU_ALL_COMPLETED in row["explanation"]
    assert any(ISU_ALL_COMPLETED in f["source"] for f in row["basis"]["facts"])


@pytest.mark.parametrize(
    "on", ["2023-12-15", "2024-06-01", "2025-09-19", "2026-11-27", "2030-01-01"]
)
def test_no_stockpile_is_overdue_after_the_aggregate_statement(store: Store, on: str) -> None:
    rows = deadlines(store, "ccm", dt.date.fromisoformat(on), overdue_only=True)
    assert not [r for r in rows if r["obligation"] == "stockpile_destruction"]


def test_lithuania_obligations_end_on_2025_03_06(store: Store) -> None:
    before = obligations_for(store, "ccm", "Lithuania", dt.date(2025, 3, 5))
    live = [r for r in before if r["status"] != "not_applicable"]
    assert {r["obligation"] for r in live} == {
        "initial_report",
        "annual_report",
        "stockpile_destruction",
        "clearance",
        "retention_report",
    }
    # nothing is on record about Lithuanian stockpiles, clearance or retention: unknown
    for name in ("stockpile_destruction", "clearance", "retention_report"):
        assert by_obligation(live)[name]["status"] == "unknown"
        assert by_obligation(live)[name]["summary"].startswith("no declaration on record")
    assert all(r["ends"] == "2025-03-06" for r in live)
    # the report due on 30 April 2025 falls after the withdrawal took effect
    annual = by_obligation(before)["annual_report"]
    assert annual["deadline"] is None
    assert annual["reports"]["due_so_far"] == 13  # 2012 ... 2024
    after = obligations_for(store, "ccm", "LTU", dt.date(2025, 3, 6))
    assert all(r["status"] == "not_applicable" for r in after)
    assert all("ended on 2025-03-06" in r["explanation"] for r in after)
    assert not [r for r in deadlines(store, "ccm", dt.date(2025, 3, 6)) if r["state"] == "LTU"]
    ics = calendar_ics(store, "ccm", ["Lithuania"], dt.date(2024, 10, 1))
    assert "BEGIN:VEVENT" not in ics


def test_a_state_not_yet_party_has_no_obligations(store: Store) -> None:
    rows = obligations_for(store, "ccm", "Vanuatu", dt.date(2025, 12, 1))
    assert all(r["status"] == "not_applicable" for r in rows)
    assert "enters into force on 2026-03-01" in rows[0]["explanation"]
    none = obligations_for(store, "ccm", "United States of America", TODAY)
    assert all(r["status"] == "not_applicable" and r["deadline"] is None for r in none)


# --- further behaviour on the bundled facts ------------------------------------------------


def test_reports_without_submission_data_are_unknown_never_compliant(store: Store) -> None:
    rows = by_obligation(obligations_for(store, "ccm", "Austria", TODAY))
    assert rows["initial_report"]["status"] == "unknown"
    assert rows["initial_report"]["deadline"] == "2011-01-28"
    annual = rows["annual_report"]
    assert annual["status"] == "unknown" and annual["deadline"] == "2027-04-30"
    assert annual["reports"]["unknown"] == annual["reports"]["due_so_far"] == 16


def test_a_sourced_submission_is_on_time_and_the_rest_stays_unknown(store: Store) -> None:
    annual = ob(store, "Saint Kitts and Nevis", TODAY, "annual_report")
    assert annual["status"] == "unknown"
    (known,) = annual["reports"]["on_record"]
    assert known == {
        "covers": 2017,
        "due": "2018-04-30",
        "compliance": "on_time",
        "submitted": "2018-01-16",
        "source": "https://clusterconvention.org/first-2017-annual-transparency-report-submitted",
    }


def test_an_outstanding_initial_report_is_overdue(store: Store) -> None:
    row = ob(store, "Guinea", TODAY, "initial_report")
    assert (row["status"], row["deadline"]) == ("overdue", "2015-09-28")
    assert row["overdue_days"] == (TODAY - dt.date(2015, 9, 28)).days


def test_a_pending_extension_request_makes_a_passed_deadline_unknown(store: Store) -> None:
    row = ob(store, "Germany", TODAY, "clearance")
    assert (row["status"], row["deadline"]) == ("unknown", "2025-08-01")
    assert [r["deadline"] for r in row["requests"]] == ["2030-08-01"]
    assert "NOT VERIFIED" in row["explanation"]
    assert ob(store, "Germany", dt.date(2024, 1, 1), "clearance")["status"] == "extended"


def test_an_extension_after_a_completion_reopens_the_obligation(store: Store) -> None:
    done = ob(store, "Mauritania", dt.date(2016, 1, 1), "clearance")
    assert (done["status"], done["completed"]) == ("completed", "2014")
    reopened = ob(store, "MRT", dt.date(2022, 1, 1), "clearance")
    assert (reopened["status"], reopened["deadline"]) == ("extended", "2026")
    assert "reopened" in reopened["explanation"]


def test_unknown_without_a_declaration_and_not_applicable_only_with_a_sourced_one(
    store: Store,
) -> None:
    lithuania = ob(store, "Lithuania", dt.date(2020, 1, 1), "stockpile_destruction")
    assert lithuania["status"] == "unknown"
    assert lithuania["summary"].startswith("no declaration on record")
    colombia = ob(store, "Colombia", TODAY, "clearance")
    assert colombia["status"] == "not_applicable"
    assert "declares nothing" in colombia["explanation"]


def test_apmbt_reports_are_computed_for_every_party(store: Store) -> None:
    rows = by_obligation(obligations_for(store, "apmbt", "Canada", dt.date(1999, 3, 2)))
    assert rows["initial_report"]["deadline"] == "1999-08-28"
    # Canada has no stockpile row in the bundled APMBT facts: unknown, not not_applicable
    assert rows["stockpile_destruction"]["status"] == "unknown"


def test_deadlines_within_a_window_are_ahead_and_in_date_order(store: Store) -> None:
    on = dt.date(2026, 1, 1)
    rows = deadlines(store, "ccm", on, within_months=12)
    upcoming = [r for r in rows if r["status"] != "overdue"]
    assert upcoming and all(
        "2026-01-01" <= r["deadline"][:10] <= "2027-01-01"
        for r in upcoming
        if len(r["deadline"]) == 10
    )
    assert [r["deadline"] for r in rows] == sorted(r["deadline"] for r in rows)
    assert {"state", "obligation", "status", "deadline", "completed", "explanation"} <= set(rows[0])
    somalia = [r for r in upcoming if r["state"] == "SOM" and r["obligation"] == "clearance"]
    assert [r["deadline"] for r in somalia] == ["2026-03-01"]
    overdue = deadlines(store, "ccm", on, overdue_only=True)
    assert overdue and all(r["status"] == "overdue" for r in overdue)
    assert {(r["state"], r["obligation"]) for r in overdue} <= {
        (r["state"], r["obligation"]) for r in rows
    }


LATER_REMNANTS = (
    "\n".join(
        [
            "iso3,obligation,original_deadline,extended_deadline,decided_on,completed_on,"
            "hostilities_ended,source_url",
            # test facts, not real ones: Austria (in force 2010-08-01) with remnants from fictional
            # hostilities that ended 2016-06-30, and others ended some time in 2019
            "AUT,clearance,2026-06-30,,,,2016-06-30,https://example.org/later-a",
            "AUT,clearance,2026-06-30,2031-06-30,2026-05-15,,2016-06-30,https://example.org/later-b",
            "AUT,clearance,,,,2024-11,2019,https://example.org/later-c",
        ]
    )
    + "\n"
)


def test_remnants_from_later_hostilities_have_their_own_deadline(
    own_db: str, tmp_path: Path
) -> None:
    """CCM art. 4(1)(b): ten years after the end of the active hostilities, per end on record,
    each with its own extensions and completion; no 4(1)(a) row when nothing else is on record."""
    path = tmp_path / "later.csv"
    path.write_text(LATER_REMNANTS, encoding="utf-8")
    store = open_store(own_db)
    import_facts(store, "ccm", path)
    assert check(store) == []

    def clearance(on: dt.date) -> list[dict[str, Any]]:
        return [
            r for r in obligations_for(store, "ccm", "AUT", on) if r["obligation"] == "clearance"
        ]

    before, later = clearance(dt.date(2026, 1, 1))
    assert (before["article"], before["hostilities_ended"]) == ("4(1)(b)", "2016-06-30")
    assert (before["status"], before["deadline"]) == ("pending", "2026-06-30")
    assert (
        "end of the active hostilities 2016-06-30 + 10 years → 2026-06-30 (art. 4(1)(b))"
        in (before["explanation"])
    )
    assert before["basis"]["rule"].startswith("art. 4(1)(b): ")
    # known only to the year: the deadline is too, and the completion came before it
    assert (later["hostilities_ended"], later["original_deadline"]) == ("2019", "2029")
    assert (later["status"], later["on_time"]) == ("completed", True)
    extended = clearance(dt.date(2026, 7, 1))[0]
    assert (extended["status"], extended["deadline"]) == ("extended", "2031-06-30")
    assert clearance(dt.date(2031, 7, 1))[0]["status"] == "overdue"


def test_check_refuses_hostilities_before_entry_into_force_or_on_other_obligations(
    own_db: str,
) -> None:
    store = open_store(own_db)
    write_unchecked(
        store,
        "iso3,obligation,original_deadline,hostilities_ended,source_url\n"
        "AUT,clearance,,2009-12-31,https://example.org/x\n"
        "AUT,clearance,2027-01-01,2016-06-30,https://example.org/y\n"
        "AUT,stockpile_destruction,,2016-06-30,https://example.org/z\n",
        "bad-later.csv",
    )
    assert [p.message for p in check(store)] == [
        "bad-later.csv:2: AUT clearance: hostilities ended 2009-12-31, before entry into force "
        "for the State (2010-08-01): art. 4(1)(a) applies, not art. 4(1)(b)",
        "bad-later.csv:3: AUT clearance: original deadline 2027-01-01 differs from the computed "
        "2026-06-30 (end of the active hostilities 2016-06-30 + 10 years → 2026-06-30 "
        "(art. 4(1)(b)))",
        "bad-later.csv:4: AUT stockpile_destruction: hostilities_ended is only for an "
        "obligation with a deadline after hostilities (none for CCM art. 3(2))",
    ]


# --- rule files -----------------------------------------------------------------------------


def test_rule_files_define_the_five_obligations() -> None:
    assert [r.id for r in obligation_rules("ccm")] == [
        "stockpile_destruction",
        "clearance",
        "initial_report",
        "annual_report",
        "retention_report",
    ]
    apmbt = {r.id: r for r in obligation_rules("apmbt")}
    stockpile = apmbt["stockpile_destruction"]
    assert stockpile.years == 4 and stockpile.extension is None
    assert apmbt["clearance"].extension is not None and apmbt["clearance"].extension.max_years == 10
    later = {r.id: r for r in obligation_rules("ccm")}["clearance"].after_hostilities
    assert later is not None and (later.article, later.years) == ("4(1)(b)", 10)
    assert apmbt["clearance"].after_hostilities is None


GOOD = {
    "id": "x",
    "article": "1",
    "text": "t",
    "anchor": "entry_into_force",
    "years": 2,
    "applies": "declared",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"years": 0}, "obligations[0].years: must be a positive whole number"),
        ({"days": 180}, "obligations[0].years: give exactly one period"),
        ({"years": None, "yearly": "13-01"}, "obligations[0].yearly: no such day of the year"),
        ({"years": None, "yearly": "April 30"}, "obligations[0].yearly: must be a day of the year"),
        ({"anchor": "signature"}, "obligations[0].anchor: unknown anchor 'signature'"),
        ({"applies": "some"}, "obligations[0].applies: unknown value 'some'"),
        ({"article": None}, "obligations[0].article: missing"),
        ({"after": "y"}, "obligations[0].after: only a yearly obligation"),
        (
            {"extension": {"article": "2", "text": "t", "max_years": -1}},
            "obligations[0].extension.max_years: must be a positive whole number",
        ),
        ({"colour": "red"}, "obligations[0].colour: unknown key"),
        (
            {"after_hostilities": {"article": "2", "text": "t"}},
            "obligations[0].after_hostilities.years: missing",
        ),
        (
            {
                "years": None,
                "yearly": "04-30",
                "after_hostilities": {"article": "2", "text": "t", "years": 1},
            },
            "obligations[0].after_hostilities: a yearly obligation has no second deadline",
        ),
        ({"id": "Bad Id"}, "obligations[0].id: must be a lower-case identifier"),
        ({"set_by": "meeting"}, "obligations[0].set_by: a deadline set by a meeting has no period"),
        ({"years": None, "set_by": "court"}, "obligations[0].set_by: unknown value 'court'"),
        ({"years": None}, "obligations[0].years: give exactly one period"),
    ],
)
def test_bad_obligation_rules_name_file_and_key(change: dict[str, Any], message: str) -> None:
    table = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(RuleError) as exc:
        parse_obligations("t", {"obligations": [table]}, "treaties/t.toml")
    assert str(exc.value).startswith("treaties/t.toml: " + message)


def test_a_yearly_rule_after_an_unknown_obligation_is_refused() -> None:
    table = {**GOOD, "years": None, "yearly": "04-30", "after": "nothing"}
    with pytest.raises(RuleError, match=r"obligations\[0\]\.after: no obligation 'nothing'"):
        parse_obligations(
            "t", {"obligations": [{k: v for k, v in table.items() if v is not None}]}, "t.toml"
        )
    with pytest.raises(RuleError, match="obligations: must be an array of tables"):
        parse_obligations("t", {"obligations": {"id": "x"}}, "t.toml")


# --- deadline arithmetic (properties) -------------------------------------------------------

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2080, 12, 31))


@given(anchor=dates, years=st.integers(min_value=1, max_value=20))
def test_n_years_after_is_the_same_calendar_day(anchor: dt.date, years: int) -> None:
    rule = next(r for r in obligation_rules("ccm") if r.id == "stockpile_destruction")
    deadline = rule.deadline(anchor) if years == 8 else add_years(anchor, years)
    assert deadline.year == anchor.year + years and deadline.month == anchor.month
    if (anchor.month, anchor.day) == (2, 29) and deadline.day != 29:
        assert deadline.day == 28
    else:
        assert deadline.day == anchor.day


@given(anchor=dates)
def test_initial_report_is_180_calendar_days_after_entry_into_force(anchor: dt.date) -> None:
    rule = next(r for r in obligation_rules("apmbt") if r.id == "initial_report")
    assert (rule.deadline(anchor) - anchor).days == 180


@given(anchor=dates, horizon=dates, until=st.one_of(st.none(), dates))
def test_yearly_due_dates_follow_the_initial_report(
    anchor: dt.date, horizon: dt.date, until: dt.date | None
) -> None:
    rules = {r.id: r for r in obligation_rules("ccm")}
    initial = rules["initial_report"].deadline(anchor)
    dues = yearly_due_dates(rules["annual_report"], anchor, initial, None, until, horizon)
    days = [d for _, d in dues]
    assert all((d.month, d.day) == (4, 30) for d in days)
    assert all(b.year == a.year + 1 for a, b in itertools.pairwise(days))
    assert all(covers == d.year - 1 for covers, d in dues)
    if days:
        assert days[0] > initial and (days[0] - initial).days <= 366
        assert all(d < until for d in days) if until else True
        assert days[-1] >= horizon or (
            until is not None and rules["annual_report"].due_on(days[-1].year + 1) >= until
        )
        assert all(d < horizon for d in days[:-1])


partial = st.builds(
    lambda d, precision: PartialDate(
        d.year, *((d.month, d.day) if precision == 2 else (d.month,) if precision == 1 else ())
    ),
    dates,
    st.integers(min_value=0, max_value=2),
)


@given(done=partial, deadline=partial, open_start=st.booleans())
def test_timing_is_conservative(done: PartialDate, deadline: PartialDate, open_start: bool) -> None:
    rng = Range(None if open_start else done.earliest(), done.latest())
    on_time, late = timing(rng, deadline)
    if on_time is True:
        assert rng.hi <= deadline.earliest()
    elif on_time is False:
        assert rng.lo is not None and rng.lo > deadline.latest()
        assert late is not None and 1 <= late[0] <= late[1]
    else:
        # the range straddles the deadline: some day in it is on time, another is late
        assert rng.hi > deadline.earliest()
        assert rng.lo is None or rng.lo <= deadline.latest()


@settings(max_examples=40, deadline=None)
@given(on=st.dates(min_value=dt.date(2010, 8, 1), max_value=dt.date(2036, 12, 31)))
def test_statuses_are_consistent_on_any_day(db: str, on: dt.date) -> None:
    store = open_store(db)
    for code in ("BGR", "PER", "GNB", "AFG", "DEU", "LTU", "TCD"):
        for row in obligations_for(store, "ccm", code, on):
            status = row["status"]
            if status in ("pending", "extended"):
                assert row["deadline"] is not None
                assert PartialDate.parse(row["deadline"]).earliest() >= on
            if status == "overdue":
                assert row["overdue_days"] > 0
            if status == "completed" and row["completed"] is not None:
                assert PartialDate.parse(row["completed"]).latest() <= on
            if on >= dt.date(2023, 12, 15) and row["obligation"] == "stockpile_destruction":
                assert status in ("completed", "not_applicable", "unknown")
                if status == "unknown":
                    assert row["summary"].startswith("no declaration on record")
            if code == "LTU" and on >= dt.date(2025, 3, 6):
                assert status == "not_applicable"


def _due_rows(store: Store, treaty: str, on: dt.date, within: int | None) -> list[dict[str, Any]]:
    """``deadlines`` worked out the long way: every State's obligations on the day, one State
    at a time (``obligations_for``), kept when overdue or due (within ``within`` months)."""
    until = add_months(on, within) if within is not None else None
    rows = []
    for code in store.view(treaty).states:
        for row in obligations_for(store, treaty, code, on):
            deadline = PartialDate.parse(row["deadline"]) if row["deadline"] else None
            due = (
                row["status"] in ("pending", "extended", "unknown")
                and deadline is not None
                and deadline.latest() >= on
                and (until is None or deadline.earliest() <= until)
            )
            if row["status"] == "overdue" or due:
                rows.append(row)
    return sorted(rows, key=lambda r: (r["deadline"] or "", r["state"], r["obligation"]))


@settings(max_examples=12, deadline=None)
@given(
    on=st.dates(min_value=dt.date(1997, 1, 1), max_value=dt.date(2060, 12, 31)),
    within=st.sampled_from([None, 1, 12, 120]),
)
def test_deadlines_from_the_index_are_those_of_every_state_evaluated_on_the_day(
    db: str, on: dt.date, within: int | None
) -> None:
    """The deadlines worked out once per store version (each obligation's status and deadline
    between the days they may change) are those of the engine run on the day, State by State,
    also after the index's horizon; the home page's summary is their count and first rows."""
    store = open_store(db)
    for treaty in ("ccm", "apmbt", "att", "tpnw"):
        want = _due_rows(store, treaty, on, within)
        assert deadlines(store, treaty, on, within_months=within) == want
        overdue = [r for r in want if r["status"] == "overdue"]
        assert deadlines(store, treaty, on, overdue_only=True) == [
            r for r in _due_rows(store, treaty, on, None) if r["status"] == "overdue"
        ]
        if within is not None:
            n_overdue, n_due, first = deadline_summary(store, treaty, on, within, 5)
            upcoming = [r for r in want if r["status"] != "overdue"]
            assert (n_overdue, n_due) == (len(overdue), len(upcoming))
            assert [s.to_dict(name=store.registry().name(s.state)) for s in first] == upcoming[:5]


def test_a_store_made_before_the_feature_gets_its_facts_on_first_use(own_db: str) -> None:
    import sqlite3

    con = sqlite3.connect(own_db)
    con.execute("DROP TABLE obligation_facts")
    con.commit()
    con.close()
    store = open_store(own_db)
    row = ob(store, "Peru", TODAY, "stockpile_destruction")
    assert (row["status"], row["completed"]) == ("completed", "2023-12-15")


# --- normwatch check ------------------------------------------------------------------------


def test_bundled_obligation_facts_pass_the_check(store: Store) -> None:
    assert check(store) == []


BAD_FACTS = (
    "\n".join(
        [
            "iso3,obligation,original_deadline,extended_deadline,completed_on,source_url,decision",
            "AUT,stockpile_destruction,2018-08-01,,2009-05,https://example.org/a,",
            "HRV,stockpile_destruction,2018-08-01,2018-07-01,,https://example.org/b,granted",
            "BEL,stockpile,2018-08-01,,2010,https://example.org/c,",
            "XXX,clearance,,,,https://example.org/d,",
            "DEU,clearance,2020-08-01,2031-09-01,,https://example.org/e,granted",
            "FRA,clearance,2021-08-01,,,https://example.org/f,",
            "USA,clearance,,,,https://example.org/g,",
        ]
    )
    + "\n"
)


def write_unchecked(store: Store, text: str, name: str, treaty: str = "ccm") -> None:
    """Facts written past the importer's own refusals, as a hand-edited bundled file would be."""
    with store.transaction() as conn:
        write_facts(conn, parse_csv(treaty, text, name))


def test_check_rejects_bad_facts_with_file_and_line(own_db: str) -> None:
    store = open_store(own_db)
    write_unchecked(store, BAD_FACTS, "bad.csv")
    messages = [p.message for p in check(store)]
    assert all(p.check == "obligations" for p in check(store))
    assert messages == [
        "bad.csv:2: AUT stockpile_destruction: completion 2009-05 is before entry into force "
        "for the State (2010-08-01); if a source says so, set before_eif=yes",
        "bad.csv:3: HRV stockpile_destruction: extension to 2018-07-01 does not move the "
        "deadline later (the deadline it extends is 2018-08-01)",
        "bad.csv:4: unknown obligation id 'stockpile' for ccm (known: annual_report, clearance, "
        "initial_report, retention, retention_report, stockpile_destruction)",
        "bad.csv:5: unknown State code 'XXX'",
        "bad.csv:6: DEU clearance: extension from 2025-08-01 to 2031-09-01 is longer than the "
        "5 years allowed per extension (art. 4(5)-(8))",
        "bad.csv:7: FRA clearance: original deadline 2021-08-01 differs from the computed "
        "2020-08-01 (entry into force for the State 2010-08-01 + 10 years → 2020-08-01, "
        "art. 4(1)(a))",
        "bad.csv:8: USA clearance: CCM has never been in force for USA, so it has no "
        "obligations under it",
    ]


def test_check_refuses_an_extension_where_the_treaty_has_none(own_db: str) -> None:
    store = open_store(own_db)
    write_unchecked(
        store,
        "iso3,obligation,original_deadline,extended_deadline,source_url\n"
        "FRA,stockpile_destruction,,2004-03-01,https://example.org/x\n",
        "apmbt.csv",
        treaty="apmbt",
    )
    assert [p.message for p in check(store)] == [
        "apmbt.csv:2: FRA stockpile_destruction: APMBT art. 4 has no extension rule, so no "
        "extension can be granted or requested"
    ]


def test_malformed_rows_are_refused_when_read() -> None:
    with pytest.raises(DataError, match=r"x\.csv:3: completed_on: not a date"):
        parse_csv(
            "ccm",
            "iso3,obligation,completed_on,source_url\n"
            "AUT,stockpile_destruction,2010,https://e.org\n"
            "BEL,stockpile_destruction,late 2010,https://e.org\n",
            "x.csv",
        )
    with pytest.raises(DataError, match=r"x\.csv:2: source_url: empty value"):
        parse_csv("ccm", "iso3,obligation,source_url\nAUT,clearance,\n", "x.csv")
    with pytest.raises(DataError, match=r"x\.csv:2: decision: unknown decision 'maybe'"):
        parse_csv(
            "ccm",
            "iso3,obligation,source_url,decision\nAUT,clearance,https://e.org,maybe\n",
            "x.csv",
        )


def test_cli_check_fails_on_bad_facts(own_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_unchecked(open_store(own_db), BAD_FACTS, "bad.csv")
    code, out, _ = run(capsys, "--db", own_db, "check", "--format", "json")
    assert code != 0
    messages = [p["message"] for p in json.loads(out)]
    assert "bad.csv:5: unknown State code 'XXX'" in messages


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("XXX,clearance,https://example.org/a", "new.csv:3: iso3: unknown State code 'XXX'"),
        (
            "AUT,stockpile,https://example.org/a",
            "new.csv:3: obligation: unknown obligation id 'stockpile' for ccm",
        ),
        ("AUT,clearance,", "new.csv:3: source_url: empty value"),
    ],
)
def test_cli_import_obligations_refuses_bad_rows_and_writes_nothing(
    own_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str
) -> None:
    path = tmp_path / "new.csv"
    path.write_text(
        f"iso3,obligation,source_url\nAUT,clearance,https://example.org/ok\n{row}\n",
        encoding="utf-8",
    )
    before = len(read_facts(open_store(own_db), "ccm"))
    code, out, err = run(capsys, "--db", own_db, "import", "obligations", "ccm", str(path))
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"error: {message}")
    assert len(read_facts(open_store(own_db), "ccm")) == before


def _mark_example(path: str) -> None:
    """Make a copy of the bundled store an example store (its facts cite example.org)."""
    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO meta (key, value) VALUES ('example', 'yes')")
    con.close()


def test_cli_import_obligations_of_test_facts_is_refused_by_a_store_of_real_data(
    own_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "later.csv"
    path.write_text(LATER_REMNANTS, encoding="utf-8")
    before = Path(own_db).read_bytes()
    code, out, err = run(capsys, "--db", own_db, "import", "obligations", "ccm", str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"error: {path}: import refused: its result would fail")
    assert "fiction: obligation_facts ccm AUT clearance cites https://example.org/later-a" in err
    assert Path(own_db).read_bytes() == before


def test_cli_import_obligations_adds_facts_that_the_engine_uses(
    own_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _mark_example(own_db)
    path = tmp_path / "later.csv"
    path.write_bytes(b"\xef\xbb\xbf" + LATER_REMNANTS.encode())  # a spreadsheet's UTF-8 BOM
    code, out, _ = run(capsys, "--db", own_db, "import", "obligations", "ccm", str(path))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == f"{path} → ccm"
    assert lines[1:4] == [
        "+ AUT clearance deadline 2026-06-30 (later.csv:2)",
        "+ AUT clearance deadline 2031-06-30 (later.csv:3)",
        "+ AUT clearance (later.csv:4)",
    ]
    assert lines[4] == "  3 new, 0 changed, 0 gone, 0 conflicts"
    code, out, _ = run(
        capsys,
        "--db",
        own_db,
        "obligations",
        "ccm",
        "Austria",
        "--on",
        "2026-01-01",
        "--format",
        "json",
    )
    clearance = [r for r in json.loads(out) if r["obligation"] == "clearance"]
    assert [(r["article"], r["deadline"]) for r in clearance] == [
        ("4(1)(b)", "2026-06-30"),
        ("4(1)(b)", "2029"),
    ]


# --- iCalendar ------------------------------------------------------------------------------


def test_calendar_parses_back_with_one_event_per_upcoming_deadline(store: Store) -> None:
    on = dt.date(2026, 1, 1)
    text = calendar_ics(store, "ccm", [], on)
    assert text == calendar_ics(store, "ccm", [], on)  # deterministic, so UIDs are stable
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    events: list[Any] = list(cal.walk("VEVENT"))
    expected = [r for r in deadlines(store, "ccm", on) if r["status"] != "overdue"]
    same_day = {(r["deadline"], r["obligation"], r["article"]) for r in expected}
    assert len(events) == len(same_day) < len(expected)
    assert len({str(e["UID"]) for e in events}) == len(events)
    # every State owing something is named once in the event of its obligation and day
    reports = [r for r in expected if r["obligation"] == "annual_report"]
    first_due = min(r["deadline"] for r in reports)
    due_then = [r for r in reports if r["deadline"] == first_due]
    (merged,) = [
        e
        for e in events
        if "annual report" in str(e["SUMMARY"]) and e["DTSTART"].dt.isoformat() == first_due
    ]
    assert f"{len(due_then)} States - annual report due" in str(merged["SUMMARY"])
    for r in due_then:
        assert f"{r['name']} ({r['state']}): {r['status']}" in str(merged["DESCRIPTION"])
    for e in events:
        start = e["DTSTART"].dt
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)
        assert start >= on and e["DTEND"].dt == start + dt.timedelta(days=1)
        assert "Rule: art." in str(e["DESCRIPTION"]) and "Sources:" in str(e["DESCRIPTION"])
    chad = [e for e in events if str(e["UID"]) == "ccm-TCD-clearance-2026-10-01@normwatch"]
    assert len(chad) == 1
    assert chad[0]["DTSTART"].dt == dt.date(2026, 10, 1)
    assert "mineactionreview.org/country/chad" in str(chad[0]["DESCRIPTION"])


def test_calendar_places_a_year_only_deadline_on_its_last_day(store: Store) -> None:
    cal = icalendar.Calendar.from_ical(calendar_ics(store, "ccm", ["MRT"], dt.date(2025, 1, 1)))
    clearance: list[Any] = [e for e in cal.walk("VEVENT") if "clearance" in str(e["SUMMARY"])]
    assert [e["DTSTART"].dt for e in clearance] == [dt.date(2026, 12, 31)]
    assert "known only as 2026" in str(clearance[0]["DESCRIPTION"])


def test_calendar_lines_fold_at_75_octets_keeping_utf8_characters_whole() -> None:
    event = AllDayEvent(
        uid="x@normwatch",
        day=dt.date(2027, 4, 30),
        summary="é" * 60,
        description="Côte d'Ivoire; ñ, " * 20,
    )
    text = calendar([event], name="test", stamp=dt.date(2026, 1, 1))
    raw = text.encode("utf-8")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    parsed = icalendar.Calendar.from_ical(raw)
    events: list[Any] = parsed.walk("VEVENT")
    assert len(events) == 1
    got = events[0]
    assert str(got["SUMMARY"]) == "é" * 60
    assert str(got["DESCRIPTION"]) == "Côte d'Ivoire; ñ, " * 20
    assert got["DTSTART"].dt == dt.date(2027, 4, 30)
    assert got["DTEND"].dt == dt.date(2027, 5, 1)


# --- CLI ------------------------------------------------------------------------------------


def test_cli_obligations_table_and_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "obligations", "ccm", "Peru", "--on", "2026-11-27")
    assert code == 0
    assert "stockpile_destruction — completed" in out and "2024-04-01" in out
    code, out, _ = run(
        capsys, "--db", db, "obligations", "ccm", "PER", "--on", "2026-11-27", "--format", "json"
    )
    rows = json.loads(out)
    assert code == 0 and [r["obligation"] for r in rows][:3] == [
        "stockpile_destruction",
        "clearance",
        "initial_report",
    ]


def test_cli_deadlines_json_csv_and_overdue(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "deadlines",
        "ccm",
        "--on",
        "2026-01-01",
        "--within",
        "12m",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert rows and {
        "state",
        "obligation",
        "status",
        "deadline",
        "completed",
        "explanation",
    } <= set(rows[0])
    code, out, _ = run(
        capsys, "--db", db, "deadlines", "ccm", "--on", "2026-01-01", "--overdue", "--format", "csv"
    )
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].startswith(
        "state,name,obligation,article,status,confidence,deadline"
    )
    assert {line.split(",")[4] for line in lines[1:]} == {"overdue"}


def test_cli_calendar_writes_ical_to_stdout(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--db", db, "calendar", "ccm", "Chad", "Germany", "--on", "2026-01-01"
    )
    assert code == 0
    events: list[Any] = list(icalendar.Calendar.from_ical(out).walk("VEVENT"))
    by_uid = {str(e["UID"]).split("@")[0]: e for e in events}
    assert set(by_uid) == {
        "ccm-DEU-retention_report-2026-04-30",
        "ccm-TCD-clearance-2026-10-01",
        "ccm-states-annual_report-2026-04-30",  # the same report due the same day: one event
    }
    both = str(by_uid["ccm-states-annual_report-2026-04-30"]["DESCRIPTION"])
    assert "Chad (TCD): unknown" in both and "Germany (DEU): unknown" in both  # no report data


@pytest.mark.parametrize(
    "args",
    [
        ["obligations", "ccm", "Atlantis"],
        ["deadlines", "ccm", "--within", "soon"],
        ["deadlines", "ccm", "--within", "99999999y"],
        ["calendar", "ccm", "Atlantis", "Germany"],
        ["obligations", "xyz", "Germany"],
        ["deadlines", "ccm", "--on", "2026-13-01"],
    ],
)
def test_cli_bad_input_is_one_error_line(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run(capsys, "--db", db, *args)
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:")
    if "Atlantis" in args:
        assert "unknown State name: 'Atlantis'" in err


def _row(
    state: str, name: str, obligation: str, deadline: str | None, status: str
) -> dict[str, Any]:
    days = 10 if status == "overdue" else None
    return {
        "state": state,
        "name": name,
        "obligation": obligation,
        "article": "7(2)" if obligation == "annual_report" else "3(2)",
        "deadline": deadline,
        "status": status,
        "overdue_days": days,
    }


def test_identical_obligations_due_the_same_day_share_one_group_with_states_by_name() -> None:
    rows = [
        _row("ZMB", "Zambia", "annual_report", "2027-04-30", "unknown"),
        _row("AUT", "Austria", "annual_report", "2027-04-30", "unknown"),
        _row("CIV", "Côte d'Ivoire", "annual_report", "2027-04-30", "unknown"),
        _row("BGR", "Bulgaria", "stockpile_destruction", "2026-10-01", "pending"),
        _row("TGO", "Togo", "stockpile_destruction", "2020-01-01", "overdue"),
        _row("DEU", "Germany", "annual_report", "2026-04-30", "unknown"),
        _row("BEL", "Belgium", "annual_report", "2027-04-30", "pending"),
    ]
    groups = group_deadlines(rows)
    summary = [(g["deadline"], g["obligation"], g["status"], g["label"]) for g in groups]
    assert summary == [
        ("2020-01-01", "stockpile_destruction", "overdue", "Togo"),
        ("2026-04-30", "annual_report", "unknown", "Germany"),
        ("2026-10-01", "stockpile_destruction", "pending", "Bulgaria"),
        ("2027-04-30", "annual_report", "pending", "Belgium"),
        ("2027-04-30", "annual_report", "unknown", "3 States"),
    ]
    assert [r["state"] for r in groups[-1]["states"]] == ["AUT", "CIV", "ZMB"]
    assert groups[0]["overdue_days"] == 10
    assert sum(g["count"] for g in groups) == len(rows)


def test_overdue_groups_come_before_earlier_upcoming_ones() -> None:
    rows = [
        _row("AUT", "Austria", "annual_report", "2019-04-30", "unknown"),
        _row("TGO", "Togo", "stockpile_destruction", "2020-01-01", "overdue"),
    ]
    assert [g["status"] for g in group_deadlines(rows)] == ["overdue", "unknown"]


def test_cli_deadlines_table_collapses_states_but_json_and_csv_keep_one_row_each(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", db, "deadlines", "ccm", "--on", "2026-01-01", "--within", "12m"]
    code, out, _ = run(capsys, *base, "--format", "json")
    rows = json.loads(out)
    annual = [
        r for r in rows if r["obligation"] == "annual_report" and r["deadline"] == "2026-04-30"
    ]
    assert code == 0 and len(annual) > 1
    code, out, _ = run(capsys, *base, "--format", "csv")
    assert code == 0 and len(out.strip().splitlines()) == len(rows) + 1
    code, out, _ = run(capsys, *base)
    assert code == 0
    statuses = {r["status"] for r in annual}
    assert len(statuses) == 1
    assert f"{len(annual)} States" in out
    lines = [line for line in out.splitlines() if "annual_report" in line and "2026-04-30" in line]
    assert len(lines) == 1
    assert "AUT" in {r["state"] for r in annual}
    assert "Austria" not in out  # a State of the collapsed row is not listed on its own


# test facts, not real ones: two TPNW parties said to hold nuclear weapons, one with a deadline
# set by a meeting and one without
MEETING_SET = (
    "iso3,obligation,original_deadline,extension_decided_at,completed_on,source_url\n"
    "AUT,nuclear_weapons_destruction,2031-06-30,First Meeting (test),,https://example.org/set\n"
    "MEX,nuclear_weapons_destruction,,,,https://example.org/declared\n"
)


def test_a_deadline_set_by_a_meeting_is_a_fact_never_a_computed_date(
    own_db: str, tmp_path: Path
) -> None:
    """TPNW art. 4(2): the treaty leaves the deadline to a meeting of States Parties."""
    rule = {r.id: r for r in obligation_rules("tpnw")}["nuclear_weapons_destruction"]
    assert (rule.set_by, rule.years, rule.months, rule.days) == ("meeting", None, None, None)
    store = open_store(own_db)
    before = {
        r["obligation"]: r for r in obligations_for(store, "tpnw", "AUT", dt.date(2026, 1, 1))
    }["nuclear_weapons_destruction"]
    assert before["status"] == "unknown" and before["deadline"] is None
    path = tmp_path / "set.csv"
    path.write_text(MEETING_SET, encoding="utf-8")
    import_facts(store, "tpnw", path)

    def destruction(state: str, on: dt.date) -> dict[str, Any]:
        rows = obligations_for(store, "tpnw", state, on)
        return {r["obligation"]: r for r in rows}["nuclear_weapons_destruction"]

    pending = destruction("AUT", dt.date(2026, 1, 1))
    assert (pending["status"], pending["deadline"]) == ("pending", "2031-06-30")
    assert (
        "deadline 2031-06-30 set by First Meeting (test) under art. 4(2)"
        in (pending["explanation"])
    )
    assert destruction("AUT", dt.date(2031, 7, 1))["status"] == "overdue"
    unset = destruction("MEX", dt.date(2030, 1, 1))
    assert (unset["status"], unset["deadline"]) == ("unknown", None)
    assert "no decision setting it for the State is on record" in unset["summary"]


def test_an_overdue_obligation_names_the_fact_it_rests_on(store: Store) -> None:
    """A row that only records the obligation (no completion, no extension) is named with its
    source and note in the explanation: the reader sees why the State has the obligation."""
    import csv
    from importlib.resources import files

    table = files("normwatch.data").joinpath("ccm/obligations.csv").read_text(encoding="utf-8")
    row = next(
        r
        for r in csv.DictReader(table.splitlines())
        if r["iso3"] == "GBR" and r["obligation"] == "clearance"
    )
    overdue = ob(store, "GBR", dt.date(2026, 1, 1), "clearance")
    assert overdue["status"] == "overdue"
    assert (
        f"on record for the State [{row['source_url']}, {row['confidence']}]"
        in (overdue["explanation"])
    )
    assert row["note"] and row["note"] in overdue["explanation"]
