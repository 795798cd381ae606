"""Dates with precision, calendar arithmetic, and treaty rule files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normwatch.catalog import all_treaties, get_treaty, load_rules_file
from normwatch.core.dates import (
    PartialDate,
    add_months,
    add_years,
    first_day_of_month_after,
    parse_date,
)
from normwatch.core.treaty import parse_rules
from normwatch.errors import DataError, RuleError


def test_partial_dates_keep_their_precision() -> None:
    assert PartialDate.parse("2024").precision == "year"
    assert PartialDate.parse("2024-09").precision == "month"
    assert PartialDate.parse("2024-09-06").precision == "day"
    assert PartialDate.parse("2024-09") != PartialDate.parse("2024-09-01")
    assert PartialDate.parse("2010-11").latest() == dt.date(2010, 11, 30)
    assert PartialDate.parse("2024").earliest() == dt.date(2024, 1, 1)


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13", "06/09/2024", "", "2024-9-6"])
def test_impossible_or_malformed_dates_are_data_errors(text: str) -> None:
    with pytest.raises(DataError):
        PartialDate.parse(text)


@given(st.dates(), st.sampled_from(["year", "month", "day"]))
def test_partial_date_round_trips_through_text(day: dt.date, precision: str) -> None:
    p = PartialDate(
        day.year,
        day.month if precision != "year" else None,
        day.day if precision == "day" else None,
    )
    assert PartialDate.parse(str(p)) == p
    assert p.earliest() <= day <= p.latest() or precision == "day"


@given(st.dates(max_value=dt.date(9000, 1, 1)), st.integers(min_value=0, max_value=120))
def test_add_months_lands_in_the_right_month_and_never_overflows(day: dt.date, n: int) -> None:
    result = add_months(day, n)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == n
    assert result.day == day.day or (result.day < day.day and (result + dt.timedelta(1)).day == 1)


@given(st.dates(max_value=dt.date(9000, 1, 1)), st.integers(min_value=1, max_value=24))
def test_first_day_of_month_after_is_a_first_day(day: dt.date, n: int) -> None:
    result = first_day_of_month_after(day, n)
    assert result.day == 1 and result > day


def test_years_after_keep_the_calendar_day() -> None:
    assert add_years(dt.date(2010, 8, 1), 8) == dt.date(2018, 8, 1)
    assert add_years(dt.date(2012, 2, 29), 1) == dt.date(2013, 2, 28)


def test_both_treaties_are_bundled_and_found_by_any_identifier() -> None:
    assert {"ccm", "apmbt"} <= set(all_treaties())
    assert get_treaty("XXVI-6").id == "ccm"
    assert get_treaty("APMBT").untc_id == "XXVI-5"


MINIMAL = """
id = "tpnw"
name = "Treaty on the Prohibition of Nuclear Weapons"
opened_for_signature = "2017-09-20"
depositary = "Secretary-General of the United Nations"
entry_into_force = "2021-01-22"
[rules.entry_into_force]
article = "15(1)"
threshold = 50
kind = "days_after"
days = 90
text = "90 days after the fiftieth instrument"
[rules.state_entry_into_force]
article = "15(2)"
kind = "days_after"
days = 90
text = "90 days after the State's deposit"
[rules.withdrawal]
article = "17(2)"
notice_months = 12
armed_conflict_postpones = true
text = "twelve months after receipt; not while party to an armed conflict"
"""


def test_a_third_treaty_is_a_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tpnw.toml").write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setenv("NORMWATCH_TREATIES", str(tmp_path))
    rules = get_treaty("tpnw")
    assert rules.state_entry_into_force_rule.apply(dt.date(2020, 10, 24)) == dt.date(2021, 1, 22)
    assert rules.withdrawal_rule is not None
    assert rules.withdrawal_rule.expiry(dt.date(2030, 1, 31)) == dt.date(2031, 1, 31)


def test_a_rule_file_missing_a_rule_names_the_file_and_the_rule(tmp_path: Path) -> None:
    broken = MINIMAL.split("[rules.state_entry_into_force]")[0]
    path = tmp_path / "broken.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(RuleError, match=r"broken\.toml: rules\.state_entry_into_force: missing"):
        load_rules_file(path)


def test_a_rule_file_with_an_unknown_rule_kind_is_refused() -> None:
    with pytest.raises(RuleError, match="unknown kind 'weeks_after'"):
        parse_rules(MINIMAL.replace('kind = "days_after"', 'kind = "weeks_after"', 1), "x.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-3-6", "not a date (YYYY-MM-DD): '2025-3-6'"),
        ("6 March 2025", "not a date (YYYY-MM-DD)"),
        ("2025-03", "a full date (YYYY-MM-DD) is needed here"),
        ("2025-02-30", "impossible date"),
    ],
)
def test_a_full_date_is_asked_for_by_its_only_form(text: str, message: str) -> None:
    with pytest.raises(DataError) as info:
        parse_date(text, where="--on")
    assert str(info.value).startswith("--on: ") and message in str(info.value)


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_month_lengths_are_the_calendars(year: int, month: int) -> None:
    import calendar

    from normwatch.core.dates import _month_days

    assert _month_days(year, month) == calendar.monthrange(year, month)[1]
