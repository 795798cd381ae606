"""Rule kinds as data: the date rules, required States, companion acts, the special acts, the
rule-file validation and its pydantic schema, and a fictional thirteenth treaty added as a file."""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from normwatch import catalog
from normwatch.core.dates import PartialDate
from normwatch.core.model import Action, ActionKind, ArmedConflict, Record, Source, Status
from normwatch.core.schemas.published import json_schema
from normwatch.core.status import build_view, treaty_entry_into_force
from normwatch.core.treaty import DateRule, parse_rules
from normwatch.core.treaty_schema import TreatyFile
from normwatch.errors import RuleError

SRC = (Source("https://example.org/fictional-status-page"),)
BUNDLED = Path(catalog.__file__).parent / "data" / "treaties"
days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))


def act(state: str, kind: ActionKind, date: str, treaty: str = "fictional") -> Action:
    return Action(treaty, state, kind, PartialDate.parse(date), SRC)


# --- date rules ----------------------------------------------------------------------------


@given(days, st.integers(min_value=1, max_value=400))
def test_days_after_is_that_many_calendar_days_later(deposit: dt.date, n: int) -> None:
    rule = DateRule("1", "days_after", n, "t")
    assert (rule.apply(deposit) - deposit).days == n
    assert f"+ {n} days" in rule.arithmetic(deposit)


@given(days, st.integers(min_value=1, max_value=36))
def test_months_after_keeps_the_day_or_takes_the_months_last(deposit: dt.date, n: int) -> None:
    result = DateRule("5", "months_after", n, "t").apply(deposit)
    assert (result.year * 12 + result.month) - (deposit.year * 12 + deposit.month) == n
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(deposit.day, last)


@given(st.integers(min_value=1950, max_value=2090), st.sampled_from([1, 3, 5, 7, 8, 10, 12]))
def test_six_months_after_a_deposit_on_the_31st(year: int, month: int) -> None:
    deposit = dt.date(year, month, 31)
    rule = DateRule("5(2)", "months_after", 6, "t")
    result = rule.apply(deposit)
    target = (month + 5) % 12 + 1
    assert result.month == target
    assert result.day == min(31, calendar.monthrange(result.year, target)[1])
    if result.day != 31:
        assert "last day of the month" in rule.arithmetic(deposit)


def test_six_months_after_31_august_is_the_end_of_february() -> None:
    rule = DateRule("5(2)", "months_after", 6, "t")
    assert rule.apply(dt.date(2023, 8, 31)) == dt.date(2024, 2, 29)
    assert rule.apply(dt.date(2022, 8, 31)) == dt.date(2023, 2, 28)


RULE_FILE = """
id = "fictional"
name = "Fictional Treaty"
opened_for_signature = "2000-01-10"
depositary = "Secretary-General of the United Nations"
[rules.entry_into_force]
article = "20(1)"
kind = "days_after"
days = 180
threshold = 3
not_earlier_than_years_after_opening = 2
text = "180 days after the third instrument, not earlier than two years after opening"
[rules.state_entry_into_force]
article = "20(2)"
kind = "days_after"
days = 30
applies_after = "entry_into_force"
text = "30 days after a later deposit"
[rules.withdrawal]
article = "16"
notice_days = 90
text = "90 days"
"""


@given(st.dates(min_value=dt.date(2000, 1, 10), max_value=dt.date(2010, 1, 1)))
def test_entry_into_force_is_never_before_the_floor(third: dt.date) -> None:
    rules = parse_rules(RULE_FILE, "fictional.toml")
    acts = [
        act("AAA", ActionKind.RATIFICATION, "2000-01-10"),
        act("BBB", ActionKind.RATIFICATION, "2000-01-10"),
        act("CCC", ActionKind.RATIFICATION, third.isoformat()),
    ]
    eif = treaty_entry_into_force(rules, acts)
    floor = dt.date(2002, 1, 10)
    assert eif.date == max(third + dt.timedelta(days=180), floor)
    assert eif.threshold_date == third


def test_deposits_between_the_threshold_and_entry_into_force_take_its_date() -> None:
    rules = parse_rules(RULE_FILE, "fictional.toml")
    acts = [
        act("AAA", ActionKind.RATIFICATION, "2000-02-01"),
        act("BBB", ActionKind.RATIFICATION, "2000-02-01"),
        act("CCC", ActionKind.RATIFICATION, "2000-03-01"),
        act("DDD", ActionKind.RATIFICATION, "2001-06-01"),  # after the third, before 2002-01-10
        act("EEE", ActionKind.RATIFICATION, "2003-01-01"),
    ]
    view = build_view(rules, ("AAA", "BBB", "CCC", "DDD", "EEE"), acts)
    assert view.entry_into_force.date == dt.date(2002, 1, 10)
    explained = " ".join(view.entry_into_force.explanation.steps)
    assert "not earlier than 2002-01-10" in explained
    assert view.status("DDD", dt.date(2002, 1, 10)).status == Status.PARTY
    assert view.status("DDD", dt.date(2002, 1, 9)).status == Status.CONSENTED
    assert view.status("EEE", dt.date(2003, 1, 30)).status == Status.CONSENTED
    assert view.status("EEE", dt.date(2003, 1, 31)).status == Status.PARTY


# --- required States, revocation -----------------------------------------------------------

REQUIRED = RULE_FILE.replace("threshold = 3\n", "").replace(
    'text = "180 days after the third',
    'required_states = ["AAA", "BBB"]\n'
    'required_states_source = "https://example.org/annex"\n'
    'text = "180 days after every listed State; the third',
)


def test_a_treaty_waiting_for_named_states_is_in_force_for_no_one() -> None:
    rules = parse_rules(REQUIRED, "fictional.toml")
    acts = [
        act("AAA", ActionKind.SIGNATURE, "2000-01-10"),
        act("AAA", ActionKind.RATIFICATION, "2001-01-01"),
        act("CCC", ActionKind.RATIFICATION, "2001-02-01"),
        act("DDD", ActionKind.RATIFICATION, "2001-03-01"),
    ]
    view = build_view(rules, ("AAA", "BBB", "CCC", "DDD"), acts)
    assert view.entry_into_force.date is None
    assert all(
        row["in_force"] == 0 for row in view.daily_counts(dt.date(2000, 1, 1), dt.date(2030, 1, 1))
    )
    result = view.status("CCC", dt.date(2020, 1, 1))
    assert result.status == Status.CONSENTED
    steps = " ".join(result.period.explanation.steps)
    assert (
        "1 of the 2 States" in steps and "BBB" in steps and "AAA" not in steps.split("have none")[1]
    )


def test_a_revoked_ratification_no_longer_counts_and_the_state_is_a_signatory_again() -> None:
    rules = parse_rules(REQUIRED, "fictional.toml")
    acts = [
        act("AAA", ActionKind.SIGNATURE, "2000-01-10"),
        act("AAA", ActionKind.RATIFICATION, "2001-01-01"),
        act("AAA", ActionKind.RATIFICATION_REVOKED, "2003-11"),
        act("BBB", ActionKind.RATIFICATION, "2004-01-01"),
    ]
    view = build_view(rules, ("AAA", "BBB"), acts)
    assert view.entry_into_force.date is None  # AAA's instrument stood no longer in 2004
    assert [p.status for p in view.timelines["AAA"].periods] == [
        Status.SIGNATORY,
        Status.CONSENTED,
        Status.SIGNATORY,
    ]
    later = view.status("AAA", dt.date(2005, 1, 1))
    assert "revoked in 2003-11 (day not known" in " ".join(later.period.explanation.steps)
    missing = view.status("BBB", dt.date(2005, 1, 1)).period.explanation.steps[-1]
    assert "AAA" in missing
    # before the revocation AAA counted
    assert "AAA" not in view.status("AAA", dt.date(2002, 1, 1)).period.explanation.steps[-1]


def test_notice_of_intent_not_to_become_a_party_unsigns() -> None:
    rules = parse_rules(RULE_FILE, "fictional.toml")
    acts = [
        act("AAA", ActionKind.SIGNATURE, "2000-01-10"),
        act("AAA", ActionKind.INTENT_NOT_TO_BECOME_PARTY, "2005-05-05"),
    ]
    view = build_view(rules, ("AAA",), acts)
    assert view.status("AAA", dt.date(2005, 5, 4)).status == Status.SIGNATORY
    assert view.status("AAA", dt.date(2005, 5, 5)).status == Status.UNSIGNED
    assert view.counts(dt.date(2006, 1, 1))["unsigned"] == 1
    assert view.counts(dt.date(2006, 1, 1))["signatories"] == 0


def test_a_suspension_the_treaty_does_not_allow_changes_nothing_and_says_who_objected() -> None:
    rules = parse_rules(RULE_FILE, "fictional.toml")
    acts = [
        act("AAA", ActionKind.RATIFICATION, "2000-02-01"),
        act("BBB", ActionKind.RATIFICATION, "2000-02-01"),
        act("CCC", ActionKind.RATIFICATION, "2000-03-01"),
        act("AAA", ActionKind.SUSPENSION_NOTIFIED, "2004-07-18"),
    ]
    records = [
        Record("fictional", "AAA", "objection", PartialDate.parse("2004-10-17"), SRC, "BBB"),
        Record("fictional", "AAA", "objection", None, SRC, "CCC"),
        Record(
            "fictional",
            "AAA",
            "meeting_decision",
            PartialDate.parse("2004-12-05"),
            SRC,
            "5MSP",
            note="the treaty allows no suspension",
        ),
    ]
    view = build_view(rules, ("AAA", "BBB", "CCC"), acts, records=records)
    after = view.status("AAA", dt.date(2005, 1, 1))
    assert after.status == Status.PARTY
    assert view.changes(dt.date(2004, 1, 1), dt.date(2005, 1, 1)) == []
    text = "\n".join(after.period.explanation.lines())
    assert "no legal effect: status unchanged (party)" in text
    assert "objection by BBB (2004-10-17)" in text and "objection by CCC (date not known)" in text
    assert "decision of 5MSP (2004-12-05): the treaty allows no suspension" in text


# --- companion acts ------------------------------------------------------------------------

COMPANION = (
    RULE_FILE
    + """
[rules.companion]
article = "4(3)"
minimum = 2
instruments = ["Protocol I", "Protocol II"]
treaties = ["fictional-p3"]
text = "consent to two or more protocols"
"""
)


def test_a_consent_without_enough_companion_acts_is_reported_and_keeps_its_status() -> None:
    rules = parse_rules(COMPANION, "fictional.toml")
    acts = [
        act("AAA", ActionKind.RATIFICATION, "2000-02-01"),
        act("BBB", ActionKind.RATIFICATION, "2000-02-01"),
        act("CCC", ActionKind.RATIFICATION, "2000-03-01"),
    ]
    companions = {"AAA": ["Protocol I", "fictional-p3"], "BBB": ["Protocol II"]}
    view = build_view(rules, ("AAA", "BBB", "CCC"), acts, companions=companions)
    day = dt.date(2003, 1, 1)
    assert view.status("BBB", day).status == Status.PARTY
    assert (
        "on record: Protocol I, fictional-p3 → met"
        in view.status("AAA", day).period.explanation.steps[-1]
    )
    assert "NOT met" in view.status("BBB", day).period.explanation.steps[-1]
    assert any("BBB" in w and "1 on record" in w for w in view.warnings)
    assert any("CCC" in w and "0 on record (none)" in w for w in view.warnings)


# --- withdrawal notice periods ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "received", "effective"),
    [
        ("notice_days = 90", "2025-01-15", "2025-04-15"),
        ("notice_months = 12", "2024-02-29", "2025-02-28"),
        ("notice_years = 1", "2025-08-31", "2026-08-31"),
        ("notice_months = 3", "2025-11-30", "2026-02-28"),
    ],
)
def test_withdrawal_notice_periods(key: str, received: str, effective: str) -> None:
    rules = parse_rules(RULE_FILE.replace("notice_days = 90", key), "fictional.toml")
    assert rules.withdrawal_rule is not None
    assert rules.withdrawal_rule.expiry(dt.date.fromisoformat(received)) == dt.date.fromisoformat(
        effective
    )


def test_a_twelve_month_notice_with_an_armed_conflict_clause_waits_for_its_end() -> None:
    text = RULE_FILE.replace(
        "notice_days = 90", "notice_months = 12\narmed_conflict_postpones = true"
    )
    rules = parse_rules(text, "fictional.toml")
    acts = [
        act("AAA", ActionKind.RATIFICATION, "2000-02-01"),
        act("BBB", ActionKind.RATIFICATION, "2000-02-01"),
        act("CCC", ActionKind.RATIFICATION, "2000-03-01"),
        act("AAA", ActionKind.WITHDRAWAL, "2010-05-01"),
    ]
    war = ArmedConflict(
        "AAA",
        "BBB",
        "international",
        PartialDate.parse("2011-01"),
        PartialDate.parse("2011-06"),
        SRC,
    )
    view = build_view(rules, ("AAA", "BBB", "CCC"), acts, [war])
    assert view.status("AAA", dt.date(2011, 6, 30)).status == Status.WITHDRAWING
    assert view.status("AAA", dt.date(2011, 7, 1)).status == Status.WITHDRAWN


# --- validation, schema --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (
            ("threshold = 3", "threshold = 3\nthreshhold = 4"),
            "rules.entry_into_force.threshhold",
            "unknown key",
        ),
        (("days = 30\n", "months = 1\n"), "rules.state_entry_into_force.months", "counts in days"),
        (
            ('applies_after = "entry_into_force"', 'applies_after = "never"'),
            "rules.state_entry_into_force.applies_after",
            "must be one of",
        ),
        (
            (
                "threshold = 3",
                'threshold = 3\nrequired_states = ["AAA"]\nrequired_states_source = "x"',
            ),
            "rules.entry_into_force.threshold",
            "not both",
        ),
        (
            ("threshold = 3", 'required_states = ["AAA", "aa"]\nrequired_states_source = "x"'),
            "rules.entry_into_force.required_states",
            "expected form",
        ),
        (
            ("threshold = 3", 'required_states = ["AAA", "AAA"]\nrequired_states_source = "x"'),
            "rules.entry_into_force.required_states",
            "listed twice",
        ),
        (
            ("threshold = 3", 'required_states = ["AAA"]'),
            "rules.entry_into_force.required_states_source",
            "missing",
        ),
        (
            ("notice_days = 90", "notice_days = 90\nnotice_years = 1"),
            "rules.withdrawal.notice_months",
            "exactly one",
        ),
        (
            (
                "not_earlier_than_years_after_opening = 2",
                "not_earlier_than_years_after_opening = 2\nnot_earlier_than = 2001-01-01",
            ),
            "rules.entry_into_force.not_earlier_than",
            "give not_earlier_than or",
        ),
        (('id = "fictional"', 'id = "Fictional_1"'), "id", "lower-case"),
    ],
)
def test_a_bad_rule_file_names_file_and_key(
    change: tuple[str, str], key: str, message: str
) -> None:
    text = RULE_FILE.replace(*change)
    assert text != RULE_FILE
    with pytest.raises(RuleError) as info:
        parse_rules(text, "bad.toml")
    assert str(info.value).startswith(f"bad.toml: {key}: ")
    assert message in str(info.value)


def test_a_companion_rule_needs_as_many_named_acts_as_its_minimum() -> None:
    with pytest.raises(
        RuleError, match=r"bad.toml: rules.companion.minimum: 4 companion acts needed but only 3"
    ):
        parse_rules(COMPANION.replace("minimum = 2", "minimum = 4"), "bad.toml")


@pytest.mark.parametrize("path", sorted(BUNDLED.glob("*.toml")), ids=lambda p: p.stem)
def test_every_bundled_rule_file_fits_the_published_schema(path: Path) -> None:
    TreatyFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    parse_rules(path.read_text(encoding="utf-8"), str(path))


def test_the_schema_refuses_what_the_parser_refuses() -> None:
    raw = tomllib.loads(RULE_FILE.replace("threshold = 3", "threshold = 3\nthreshhold = 4"))
    with pytest.raises(ValidationError) as info:
        TreatyFile.model_validate(raw)
    assert ("rules", "entry_into_force", "threshhold") in [e["loc"] for e in info.value.errors()]
    schema = json_schema("treaty")
    eif = schema["$defs"]["TreatyEntryIntoForce"]["properties"]
    assert {"required_states", "not_earlier_than", "counted_instruments"} <= set(eif)


# --- a thirteenth treaty, added as a file --------------------------------------------------

THIRTEENTH = """
id = "fict-treaty"
name = "Fictional Treaty on Imaginary Weapons"
short_name = "FTIW"
opened_for_signature = "2030-03-01"
depositary = "Secretary-General of the United Nations"
untc_id = "XXVI-99"
entry_into_force = "2031-08-28"
[rules.entry_into_force]
article = "15(1)"
kind = "months_after"
months = 6
threshold = 2
text = "six months after the second instrument"
[rules.state_entry_into_force]
article = "15(2)"
kind = "days_after"
days = 90
text = "ninety days after a later deposit"
[rules.withdrawal]
article = "17"
notice_months = 12
armed_conflict_postpones = true
text = "twelve months; not while a party to an armed conflict"
[rules.companion]
article = "4"
minimum = 1
instruments = ["Annex A"]
text = "consent to the annex"
[rules.suspension]
allowed = false
text = "no suspension clause"
"""


def test_a_thirteenth_treaty_needs_only_a_rule_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "treaties"
    folder.mkdir()
    (folder / "fict-treaty.toml").write_text(THIRTEENTH, encoding="utf-8")
    monkeypatch.setenv("NORMWATCH_TREATIES", str(folder))
    catalog.reload_treaties()
    try:
        rules = catalog.get_treaty("fict-treaty")
        assert catalog.treaty_by_untc("XXVI-99") is rules
        assert "apmbt" in catalog.all_treaties() and len(catalog.all_treaties()) >= 13
        acts = [
            act("AAA", ActionKind.RATIFICATION, "2030-09-01", "fict-treaty"),
            act("BBB", ActionKind.ACCESSION, "2031-02-28", "fict-treaty"),
            act("CCC", ActionKind.ACCESSION, "2032-01-01", "fict-treaty"),
        ]
        view = build_view(rules, ("AAA", "BBB", "CCC"), acts, companions={"AAA": ["Annex A"]})
        assert view.entry_into_force.date == rules.entry_into_force == dt.date(2031, 8, 28)
        assert view.status("CCC", dt.date(2032, 3, 30)).status == Status.CONSENTED
        assert view.status("CCC", dt.date(2032, 3, 31)).status == Status.PARTY
        assert sorted(w.split(":")[0] for w in view.warnings) == ["BBB", "CCC"]
    finally:
        monkeypatch.delenv("NORMWATCH_TREATIES")
        catalog.reload_treaties()
