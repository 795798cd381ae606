"""Treaty rule files: one TOML file per treaty, read into :class:`TreatyRules`.

A rule file names the treaty, its depositary identifiers and key dates, and the rules the
engine applies (entry into force for the treaty and for each later State, withdrawal). This
module parses a file's text; :mod:`normwatch.catalog` finds and reads the files (the bundled
ones in ``normwatch/data/treaties/`` and those in ``NORMWATCH_TREATIES``).

Date rules are one of four kinds:

* ``first_day_of_month_after`` with ``months = N`` - the first day of the N-th month after the
  month of deposit (CCM and APMBT art. 17);
* ``months_after`` with ``months = N`` - the same day N months on, the month's last day when
  that day does not exist (CCW art. 5: six months after the deposit);
* ``days_after`` with ``days = N`` - the N-th day after deposit (TPNW, ATT: 90 days);
* ``on_deposit`` - the day of the deposit itself (ENMOD art. IX(4)).

The treaty's own rule (``[rules.entry_into_force]``) counts ``threshold`` instruments, or, with
``required_states``, waits for every State of a list (CTBT art. XIV and its Annex 2); it may
say ``not_earlier_than`` (a date) or ``not_earlier_than_years_after_opening`` (CWC art. XXI(1)).
The later-State rule says from when it applies: ``applies_after = "threshold"`` (deposits after
the K-th instrument, the default: CCM art. 17(2)) or ``"entry_into_force"`` (deposits after the
treaty entered into force; earlier ones take its date: ATT art. 22(2)).

``[rules.companion]`` records a consent that needs a companion act (CCW art. 4(3): at least two
of its protocols): checked and explained, no effect on status. ``[rules.suspension]`` says
whether the treaty allows its operation to be suspended (absent: it does not say so).
The pydantic model of the whole file is :mod:`normwatch.core.treaty_schema`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from normwatch.core.dates import (
    add_days,
    add_months,
    add_years,
    first_day_of_month_after,
    parse_date,
)
from normwatch.errors import DataError, RuleError

DATE_RULE_KINDS = ("first_day_of_month_after", "months_after", "days_after", "on_deposit")
APPLIES_AFTER = ("threshold", "entry_into_force")
_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_STATE_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class DateRule:
    """When a treaty (or the treaty for one State) enters into force after a deposit."""

    article: str
    kind: str
    amount: int
    text: str
    threshold: int | None = None
    #: the treaty enters into force not before this day (CWC art. XXI(1))
    not_earlier_than: dt.date | None = None
    #: every one of these States must have deposited (CTBT art. XIV, Annex 2)
    required_states: tuple[str, ...] = ()
    required_states_source: str | None = None
    #: later-State rule: for deposits after the threshold instrument or after entry into force
    applies_after: str = "threshold"
    #: instruments of participants no longer listed (predecessor States: Czechoslovakia, the
    #: German Democratic Republic) that counted towards the threshold: (name, date, source)
    counted_instruments: tuple[tuple[str, dt.date, str], ...] = ()
    #: the depositary's date when the listed instruments do not reproduce it, with the reason
    depositary_date: dt.date | None = None
    depositary_date_note: str | None = None

    def apply(self, deposit: dt.date) -> dt.date:
        if self.kind == "first_day_of_month_after":
            return first_day_of_month_after(deposit, self.amount)
        if self.kind == "months_after":
            return add_months(deposit, self.amount)
        return add_days(deposit, self.amount)

    def arithmetic(self, deposit: dt.date) -> str:
        """The computation in words, e.g. '2011-03-24 (March 2011) + 6 months → 2011-09-01'."""
        result = self.apply(deposit)
        if self.kind == "first_day_of_month_after":
            return (
                f"deposit {deposit.isoformat()} ({deposit:%B %Y}); first day of the "
                f"{_ordinal(self.amount)} month after that month → {result.isoformat()}"
            )
        if self.kind == "months_after":
            clipped = (
                " (that day does not exist: last day of the month)"
                if (result.day != deposit.day)
                else ""
            )
            return (
                f"deposit {deposit.isoformat()} + {self.amount} months → "
                f"{result.isoformat()}{clipped}"
            )
        if self.kind == "on_deposit":
            return f"in force on the day of deposit: {result.isoformat()}"
        return f"deposit {deposit.isoformat()} + {self.amount} days → {result.isoformat()}"


@dataclass(frozen=True)
class WithdrawalRule:
    article: str
    notice_months: int | None
    notice_days: int | None
    armed_conflict_postpones: bool
    text: str

    def expiry(self, received: dt.date) -> dt.date:
        """The day the notice period expires (the earliest effective date)."""
        if self.notice_months is not None:
            return add_months(received, self.notice_months)
        assert self.notice_days is not None
        return add_days(received, self.notice_days)

    #: the notice as the rule file states it in years ("one year": CCW art. 9)
    notice_years: int | None = None

    def period(self) -> str:
        if self.notice_years is not None:
            return "1 year" if self.notice_years == 1 else f"{self.notice_years} years"
        if self.notice_months is not None:
            return f"{self.notice_months} months"
        return f"{self.notice_days} days"


@dataclass(frozen=True)
class CompanionRule:
    """A consent that needs companion acts (CCW art. 4(3): consent to two or more protocols).

    ``instruments`` are the companion acts recorded as depositary records of this treaty
    (Protocols I-III, which have no listing of their own); ``treaties`` are rule-file ids whose
    consent counts too (the later protocols). Checked and explained; it never changes a status.
    """

    article: str
    minimum: int
    instruments: tuple[str, ...]
    treaties: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class SuspensionRule:
    """Whether the treaty provides for suspending its operation (absent: it does not)."""

    allowed: bool
    text: str
    article: str | None = None


@dataclass(frozen=True)
class TreatyRules:
    """A treaty as data: identity, key dates and the rules the engine applies."""

    id: str
    name: str
    short_name: str
    adopted: dt.date | None
    opened_for_signature: dt.date
    depositary: str
    untc_id: str | None
    untc_url: str | None
    entry_into_force: dt.date | None
    entry_into_force_rule: DateRule
    state_entry_into_force_rule: DateRule
    withdrawal_rule: WithdrawalRule | None
    provisional_application_article: str | None
    data: str | None
    path: str
    raw: Mapping[str, Any]
    companion_rule: CompanionRule | None = None
    suspension_rule: SuspensionRule | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "short_name": self.short_name,
            "adopted": self.adopted,
            "opened_for_signature": self.opened_for_signature,
            "depositary": self.depositary,
            "untc_id": self.untc_id,
            "untc_url": self.untc_url,
            "entry_into_force": self.entry_into_force,
            "rules": {
                "entry_into_force": f"art. {self.entry_into_force_rule.article}: "
                + self.entry_into_force_rule.text,
                "state_entry_into_force": f"art. {self.state_entry_into_force_rule.article}: "
                + self.state_entry_into_force_rule.text,
                "withdrawal": (
                    f"art. {self.withdrawal_rule.article}: {self.withdrawal_rule.text}"
                    if self.withdrawal_rule
                    else None
                ),
                "required_states": list(self.entry_into_force_rule.required_states) or None,
                "companion": (
                    f"art. {self.companion_rule.article}: {self.companion_rule.text}"
                    if self.companion_rule
                    else None
                ),
                "suspension": (
                    ("allowed: " if self.suspension_rule.allowed else "not allowed: ")
                    + self.suspension_rule.text
                    if self.suspension_rule
                    else None
                ),
            },
        }


def _ordinal(n: int) -> str:
    words = {
        1: "first",
        2: "second",
        3: "third",
        4: "fourth",
        5: "fifth",
        6: "sixth",
        7: "seventh",
        8: "eighth",
        9: "ninth",
        10: "tenth",
        12: "twelfth",
    }
    return words.get(n, f"{n}th")


class _Reader:
    """Typed access to one TOML table, with errors that name the file and key."""

    def __init__(self, path: str, table: Mapping[str, Any], prefix: str = "") -> None:
        self.path, self.table, self.prefix = path, table, prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def fail(self, key: str, message: str) -> RuleError:
        return RuleError(f"{self.path}: {self._key(key)}: {message}")

    def sub(self, key: str, *, required: bool = True) -> _Reader | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "missing rule")
            return None
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a table")
        return _Reader(self.path, value, f"{self._key(key)}.")

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value

    def req_text(self, key: str) -> str:
        value = self.text(key)
        assert value is not None
        return value

    def number(self, key: str, *, required: bool = True) -> int | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "missing")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise self.fail(key, "must be a positive whole number")
        return value

    def strings(self, key: str, *, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "must be a list of non-empty strings")
        if pattern is not None:
            bad = [v for v in value if not pattern.match(v)]
            if bad:
                raise self.fail(key, f"not in the expected form ({pattern.pattern}): {bad}")
        if len(set(value)) != len(value):
            dupes = sorted({v for v in value if value.count(v) > 1})
            raise self.fail(key, f"listed twice: {', '.join(dupes)}")
        return tuple(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def unknown(self, known: tuple[str, ...]) -> None:
        """Refuse keys the schema does not know (a misspelt key would silently do nothing)."""
        extra = sorted(k for k in self.table if k not in known)
        if extra:
            raise self.fail(extra[0], f"unknown key (known: {', '.join(known)})")

    def day(self, key: str, *, required: bool = True) -> dt.date | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "missing")
            return None
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str):
            raise self.fail(key, "must be a date YYYY-MM-DD")
        try:
            return parse_date(value)
        except DataError as exc:
            raise self.fail(key, str(exc)) from None


_DATE_RULE_KEYS = ("article", "kind", "months", "days", "text")
_TREATY_RULE_KEYS = (
    *_DATE_RULE_KEYS,
    "threshold",
    "not_earlier_than",
    "not_earlier_than_years_after_opening",
    "required_states",
    "required_states_source",
    "counted_instruments",
    "depositary_date",
    "depositary_date_note",
)
_STATE_RULE_KEYS = (*_DATE_RULE_KEYS, "applies_after")


def _date_rule(r: _Reader, *, threshold: bool, opened: dt.date | None = None) -> DateRule:
    r.unknown(_TREATY_RULE_KEYS if threshold else _STATE_RULE_KEYS)
    kind = r.req_text("kind")
    if kind not in DATE_RULE_KINDS:
        raise r.fail("kind", f"unknown kind {kind!r} (known: {', '.join(DATE_RULE_KINDS)})")
    if kind == "on_deposit":
        amount = 0
        for key in ("months", "days"):
            if key in r.table:
                raise r.fail(key, "an on_deposit rule takes no period")
    else:
        unit = "days" if kind == "days_after" else "months"
        other = "months" if unit == "days" else "days"
        if other in r.table:
            raise r.fail(other, f"a {kind} rule counts in {unit}, not {other}")
        got = r.number(unit)
        assert got is not None
        amount = got
    if not threshold:
        applies = r.text("applies_after", required=False) or "threshold"
        if applies not in APPLIES_AFTER:
            raise r.fail("applies_after", f"must be one of {', '.join(APPLIES_AFTER)}")
        return DateRule(
            r.req_text("article"), kind, amount, r.req_text("text"), applies_after=applies
        )
    required = r.strings("required_states", pattern=_STATE_CODE)
    count = r.number("threshold", required=not required)
    if required and count is not None:
        raise r.fail("threshold", "give threshold or required_states, not both")
    source = r.text("required_states_source", required=bool(required))
    if source is not None and not required:
        raise r.fail("required_states_source", "only with required_states")
    floor = r.day("not_earlier_than", required=False)
    years = r.number("not_earlier_than_years_after_opening", required=False)
    if floor is not None and years is not None:
        raise r.fail(
            "not_earlier_than", "give not_earlier_than or not_earlier_than_years_after_opening"
        )
    if years is not None and opened is not None:
        floor = add_years(opened, years)
    counted: list[tuple[str, dt.date, str]] = []
    items = r.table.get("counted_instruments", [])
    if not isinstance(items, list):
        raise r.fail("counted_instruments", "must be an array of tables")
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise r.fail(f"counted_instruments[{i}]", "must be a table")
        sub = _Reader(r.path, item, f"{r.prefix}counted_instruments[{i}].")
        sub.unknown(("participant", "date", "source"))
        when = sub.day("date")
        assert when is not None
        counted.append((sub.req_text("participant"), when, sub.req_text("source")))
    recorded = r.day("depositary_date", required=False)
    recorded_note = r.text("depositary_date_note", required=recorded is not None)
    if recorded_note is not None and recorded is None:
        raise r.fail("depositary_date_note", "only with depositary_date")
    return DateRule(
        article=r.req_text("article"),
        kind=kind,
        amount=amount,
        text=r.req_text("text"),
        threshold=count if count is not None else (len(required) or None),
        not_earlier_than=floor,
        required_states=required,
        required_states_source=source,
        counted_instruments=tuple(counted),
        depositary_date=recorded,
        depositary_date_note=recorded_note,
    )


def _companion(r: _Reader) -> CompanionRule:
    r.unknown(("article", "minimum", "instruments", "treaties", "text"))
    minimum = r.number("minimum")
    assert minimum is not None
    instruments = r.strings("instruments")
    treaties = r.strings("treaties", pattern=_ID)
    if len(instruments) + len(treaties) < minimum:
        raise r.fail(
            "minimum",
            f"{minimum} companion acts needed but only "
            f"{len(instruments) + len(treaties)} named in instruments and treaties",
        )
    return CompanionRule(r.req_text("article"), minimum, instruments, treaties, r.req_text("text"))


def _suspension(r: _Reader) -> SuspensionRule:
    r.unknown(("allowed", "article", "text"))
    if "allowed" not in r.table:
        raise r.fail("allowed", "missing")
    return SuspensionRule(
        r.flag("allowed", False), r.req_text("text"), r.text("article", required=False)
    )


def parse_rules(text: str, path: str) -> TreatyRules:
    """Parse and validate one rule file's text."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None
    top = _Reader(path, raw)
    rules = top.sub("rules")
    assert rules is not None
    eif = rules.sub("entry_into_force")
    state_eif = rules.sub("state_entry_into_force")
    assert eif is not None and state_eif is not None
    wd = rules.sub("withdrawal", required=False)
    withdrawal = None
    if wd is not None:
        wd.unknown(
            (
                "article",
                "notice_months",
                "notice_days",
                "notice_years",
                "armed_conflict_postpones",
                "text",
            )
        )
        months = wd.number("notice_months", required=False)
        days = wd.number("notice_days", required=False)
        years = wd.number("notice_years", required=False)
        if sum(x is not None for x in (months, days, years)) != 1:
            raise wd.fail(
                "notice_months", "give exactly one of notice_months, notice_days or notice_years"
            )
        if years is not None:
            months = 12 * years
        postpones = wd.table.get("armed_conflict_postpones", False)
        if not isinstance(postpones, bool):
            raise wd.fail("armed_conflict_postpones", "must be true or false")
        withdrawal = WithdrawalRule(
            wd.req_text("article"), months, days, postpones, wd.req_text("text"), years
        )
    pa = rules.sub("provisional_application", required=False)
    treaty_id = top.req_text("id")
    if not _ID.match(treaty_id):
        raise top.fail("id", "must be a short lower-case identifier such as 'ccm' or 'ccw-p4'")
    opened = top.day("opened_for_signature")
    comp = rules.sub("companion", required=False)
    susp = rules.sub("suspension", required=False)
    return TreatyRules(
        id=treaty_id,
        name=top.req_text("name"),
        short_name=top.text("short_name", required=False) or treaty_id.upper(),
        adopted=top.day("adopted", required=False),
        opened_for_signature=opened or dt.date.min,
        depositary=top.req_text("depositary"),
        untc_id=top.text("untc_id", required=False),
        untc_url=top.text("untc_url", required=False),
        entry_into_force=top.day("entry_into_force", required=False),
        entry_into_force_rule=_date_rule(eif, threshold=True, opened=opened),
        state_entry_into_force_rule=_date_rule(state_eif, threshold=False),
        withdrawal_rule=withdrawal,
        provisional_application_article=pa.text("article", required=False) if pa else None,
        data=top.text("data", required=False),
        path=path,
        raw=raw,
        companion_rule=_companion(comp) if comp else None,
        suspension_rule=_suspension(susp) if susp else None,
    )
