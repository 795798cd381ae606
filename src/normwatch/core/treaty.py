"""Treaty rule files: one TOML file per treaty, read into :class:`TreatyRules`.

A rule file names the treaty, its depositary identifiers and key dates, and the rules the
engine applies (entry into force for the treaty and for each later State, withdrawal). This
module parses a file's text; :mod:`normwatch.catalog` finds and reads the files (the bundled
ones in ``normwatch/data/treaties/`` and those in ``NORMWATCH_TREATIES``).

Date rules are one of two kinds:

* ``first_day_of_month_after`` with ``months = N`` - the first day of the N-th month after the
  month of deposit (CCM and APMBT art. 17);
* ``days_after`` with ``days = N`` - the N-th day after deposit (e.g. 90 days).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from normwatch.core.dates import add_days, add_months, first_day_of_month_after, parse_date
from normwatch.errors import DataError, RuleError

DATE_RULE_KINDS = ("first_day_of_month_after", "days_after")


@dataclass(frozen=True)
class DateRule:
    """When a treaty (or the treaty for one State) enters into force after a deposit."""

    article: str
    kind: str
    amount: int
    text: str
    threshold: int | None = None

    def apply(self, deposit: dt.date) -> dt.date:
        if self.kind == "first_day_of_month_after":
            return first_day_of_month_after(deposit, self.amount)
        return add_days(deposit, self.amount)

    def arithmetic(self, deposit: dt.date) -> str:
        """The computation in words, e.g. '2011-03-24 (March 2011) + 6 months → 2011-09-01'."""
        result = self.apply(deposit)
        if self.kind == "first_day_of_month_after":
            return (
                f"deposit {deposit.isoformat()} ({deposit:%B %Y}); first day of the "
                f"{_ordinal(self.amount)} month after that month → {result.isoformat()}"
            )
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

    def period(self) -> str:
        if self.notice_months is not None:
            return f"{self.notice_months} months"
        return f"{self.notice_days} days"


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


def _date_rule(r: _Reader, *, threshold: bool) -> DateRule:
    kind = r.req_text("kind")
    if kind not in DATE_RULE_KINDS:
        raise r.fail("kind", f"unknown kind {kind!r} (known: {', '.join(DATE_RULE_KINDS)})")
    amount = r.number("months" if kind == "first_day_of_month_after" else "days")
    assert amount is not None
    return DateRule(
        article=r.req_text("article"),
        kind=kind,
        amount=amount,
        text=r.req_text("text"),
        threshold=r.number("threshold") if threshold else None,
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
        months = wd.number("notice_months", required=False)
        days = wd.number("notice_days", required=False)
        if (months is None) == (days is None):
            raise wd.fail("notice_months", "give exactly one of notice_months or notice_days")
        postpones = wd.table.get("armed_conflict_postpones", False)
        if not isinstance(postpones, bool):
            raise wd.fail("armed_conflict_postpones", "must be true or false")
        withdrawal = WithdrawalRule(
            wd.req_text("article"), months, days, postpones, wd.req_text("text")
        )
    pa = rules.sub("provisional_application", required=False)
    treaty_id = top.req_text("id")
    if not treaty_id.isidentifier() or treaty_id != treaty_id.lower():
        raise top.fail("id", "must be a short lower-case identifier such as 'ccm'")
    return TreatyRules(
        id=treaty_id,
        name=top.req_text("name"),
        short_name=top.text("short_name", required=False) or treaty_id.upper(),
        adopted=top.day("adopted", required=False),
        opened_for_signature=top.day("opened_for_signature") or dt.date.min,
        depositary=top.req_text("depositary"),
        untc_id=top.text("untc_id", required=False),
        untc_url=top.text("untc_url", required=False),
        entry_into_force=top.day("entry_into_force", required=False),
        entry_into_force_rule=_date_rule(eif, threshold=True),
        state_entry_into_force_rule=_date_rule(state_eif, threshold=False),
        withdrawal_rule=withdrawal,
        provisional_application_article=pa.text("article", required=False) if pa else None,
        data=top.text("data", required=False),
        path=path,
        raw=raw,
    )
