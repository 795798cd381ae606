"""Obligation rules: the ``[[obligations]]`` tables of a treaty rule file, parsed and validated.

A treaty's deadlines are data, not code. Each table names one obligation::

    [[obligations]]
    id = "stockpile_destruction"   # a short identifier, unique in the file
    article = "3(2)"
    text = "..."                   # our paraphrase of the article
    anchor = "entry_into_force"    # counted from entry into force for the State
    years = 8                      # exactly one of: years, months, days, yearly ("MM-DD"),
                                   # or set_by = "meeting" (no period: see below)
    applies = "declared"           # "declared": only States with a declaration on record
                                   # "all_parties": every State for which the treaty is in force
    fact = "stockpile_destruction" # (optional) the obligation name the facts use to declare it
    after = "initial_report"       # (yearly only) first due date after that obligation's deadline
    [obligations.extension]        # (optional) how the deadline can be extended
    article = "3(3)-(5)"
    max_years = 4                  # at most this many years per extension
    renewable = true               # further extensions allowed
    text = "..."
    [obligations.after_hostilities]  # (optional, one-off only) a second deadline for what
    article = "4(1)(b)"              # arises after entry into force, counted from the end of
    years = 10                       # the active hostilities that produced it (facts give
    text = "..."                     # that end in ``hostilities_ended``)

``set_by = "meeting"`` says that no period is written in the treaty: a meeting of States
Parties sets the deadline (TPNW art. 4(2): destruction "not later than a deadline to be
determined by the first meeting of States Parties"). The deadline is then a fact, per State,
with the meeting that set it (an obligations row with ``original_deadline`` and, naming the
meeting, ``extension_decided_at``); without one on record the deadline is ``unknown``, never
computed.

A ``yearly`` obligation falls due every year on that day and covers the previous calendar
year. Without ``after`` the first report covers the calendar year of the anchor; with it, the
first due date is the first one after the named obligation's deadline (CCM/APMBT art. 7(2):
"annually ... thereafter").

Every problem is a :class:`~normwatch.errors.RuleError` naming the file and the key, e.g.
``treaties/ccm.toml: obligations[1].years: must be a positive whole number``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from normwatch.core.dates import PartialDate, add_days, add_months, add_years
from normwatch.errors import RuleError

ANCHORS = ("entry_into_force",)
#: who sets a deadline the treaty leaves open
SET_BY = ("meeting",)
APPLIES = ("declared", "all_parties")
#: a leap year, so that "02-29" is accepted as a yearly day (due 28 February otherwise)
_LEAP = 2024


@dataclass(frozen=True)
class ExtensionRule:
    """How a deadline may be extended: at most ``max_years`` per extension."""

    article: str
    max_years: int
    renewable: bool
    text: str


@dataclass(frozen=True)
class AfterHostilitiesRule:
    """A deadline counted from the end of the active hostilities that produced the work
    (CCM art. 4(1)(b): remnants that arise after entry into force for the State)."""

    article: str
    years: int
    text: str

    @property
    def label(self) -> str:
        return f"art. {self.article}"

    def deadline(self, ended: PartialDate) -> PartialDate:
        """``years`` after ``ended``, known as precisely as ``ended`` is."""
        if ended.precision == "day":
            return PartialDate.of(add_years(ended.earliest(), self.years))
        return PartialDate(ended.year + self.years, ended.month)

    def arithmetic(self, ended: PartialDate) -> str:
        return (
            f"end of the active hostilities {ended} + {self.years} years "
            f"→ {self.deadline(ended)} ({self.label})"
        )


@dataclass(frozen=True)
class ObligationRule:
    """One obligation of a treaty, as its rule file states it."""

    treaty: str
    id: str
    article: str
    text: str
    anchor: str
    applies: str
    fact: str
    years: int | None = None
    days: int | None = None
    yearly: tuple[int, int] | None = None
    after: str | None = None
    #: "18 months from entry into force" (TPNW art. 3(2)); the month's last day when the day
    #: does not exist
    months: int | None = None
    extension: ExtensionRule | None = None
    after_hostilities: AfterHostilitiesRule | None = None
    #: "meeting": the deadline is set by a meeting of States Parties (a fact), not counted
    set_by: str | None = None

    @property
    def recurring(self) -> bool:
        return self.yearly is not None

    @property
    def label(self) -> str:
        return f"art. {self.article}"

    def period(self) -> str:
        """The period in words: '8 years', '180 days', 'each year by 30 April'."""
        if self.set_by is not None:
            return "a deadline set by a meeting of States Parties"
        if self.years is not None:
            return f"{self.years} year" + ("s" if self.years != 1 else "")
        if self.months is not None:
            return f"{self.months} months"
        if self.days is not None:
            return f"{self.days} days"
        assert self.yearly is not None
        month, day = self.yearly
        return f"each year by {day} {dt.date(_LEAP, month, day):%B}"

    def deadline(self, anchor: dt.date) -> dt.date:
        """The deadline of a one-off obligation counted from ``anchor``."""
        if self.years is not None:
            return add_years(anchor, self.years)
        if self.months is not None:
            return add_months(anchor, self.months)
        if self.days is not None:
            return add_days(anchor, self.days)
        raise ValueError(f"{self.id} recurs every year: use due_dates()")

    def arithmetic(self, anchor: dt.date) -> str:
        """The computation in words, e.g. 'entry into force 2010-08-01 + 8 years → 2018-08-01'."""
        return (
            f"entry into force for the State {anchor.isoformat()} + {self.period()} "
            f"→ {self.deadline(anchor).isoformat()}"
        )

    def first_deadline(self, anchor: dt.date, ended: PartialDate | None) -> tuple[PartialDate, str]:
        """The deadline before any extension, and its computation in words: counted from
        ``anchor`` (entry into force), or - for work that arose later, with ``ended`` - from
        the end of the hostilities under ``after_hostilities`` (whose words name its article)."""
        later = self.after_hostilities
        if ended is not None and later is not None:
            return later.deadline(ended), later.arithmetic(ended)
        return PartialDate.of(self.deadline(anchor)), self.arithmetic(anchor)

    def due_on(self, year: int) -> dt.date:
        """The due day of a yearly obligation in ``year`` (29 February → 28 when needed)."""
        assert self.yearly is not None
        month, day = self.yearly
        try:
            return dt.date(year, month, day)
        except ValueError:
            return dt.date(year, month, day - 1)

    def first_due_year(self, anchor: dt.date, after: dt.date | None) -> int:
        """The year of the first yearly due date.

        With ``after`` (the deadline of the obligation named by ``after =``): the first due
        date strictly later than it. Without: the report on the anchor's calendar year, due
        the next year.
        """
        if after is None:
            return anchor.year + 1
        year = after.year
        while self.due_on(year) <= after:
            year += 1
        return year


def _fail(path: str, key: str, message: str) -> RuleError:
    return RuleError(f"{path}: {key}: {message}")


def _string(
    table: Mapping[str, Any], key: str, path: str, prefix: str, *, required: bool = True
) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise _fail(path, prefix + key, "missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, prefix + key, "must be a non-empty string")
    return value.strip()


def _positive(table: Mapping[str, Any], key: str, path: str, prefix: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _fail(path, prefix + key, "must be a positive whole number")
    return value


def _yearly(value: Any, path: str, key: str) -> tuple[int, int]:
    text = value if isinstance(value, str) else ""
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise _fail(path, key, f'must be a day of the year as "MM-DD", got {value!r}')
    month, day = int(parts[0]), int(parts[1])
    try:
        dt.date(_LEAP, month, day)
    except ValueError:
        raise _fail(path, key, f"no such day of the year: {value!r}") from None
    return month, day


_KNOWN_KEYS = frozenset(
    {
        "id",
        "article",
        "text",
        "anchor",
        "applies",
        "fact",
        "years",
        "months",
        "days",
        "yearly",
        "after",
        "extension",
        "after_hostilities",
        "set_by",
    }
)
_EXTENSION_KEYS = frozenset({"article", "max_years", "renewable", "text"})
_HOSTILITIES_KEYS = frozenset({"article", "years", "text"})


def _table(value: Any, path: str, prefix: str, known: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, prefix.rstrip("."), "must be a table")
    unknown = sorted(set(value) - known)
    if unknown:
        raise _fail(
            path, prefix + unknown[0], "unknown key (known: " + ", ".join(sorted(known)) + ")"
        )
    return value


def _after_hostilities(value: Any, path: str, prefix: str) -> AfterHostilitiesRule:
    table = _table(value, path, prefix, _HOSTILITIES_KEYS)
    years = _positive(table, "years", path, prefix)
    if years is None:
        raise _fail(path, prefix + "years", "missing")
    article, text = _string(table, "article", path, prefix), _string(table, "text", path, prefix)
    assert article is not None and text is not None
    return AfterHostilitiesRule(article, years, text)


def _extension(value: Any, path: str, prefix: str) -> ExtensionRule:
    value = _table(value, path, prefix, _EXTENSION_KEYS)
    max_years = _positive(value, "max_years", path, prefix)
    if max_years is None:
        raise _fail(path, prefix + "max_years", "missing")
    renewable = value.get("renewable", False)
    if not isinstance(renewable, bool):
        raise _fail(path, prefix + "renewable", "must be true or false")
    article = _string(value, "article", path, prefix)
    text = _string(value, "text", path, prefix)
    assert article is not None and text is not None
    return ExtensionRule(article, max_years, renewable, text)


def parse_obligations(treaty: str, raw: Mapping[str, Any], path: str) -> tuple[ObligationRule, ...]:
    """The obligation rules of one rule file (its parsed TOML ``raw``), validated."""
    tables = raw.get("obligations")
    if tables is None:
        return ()
    if not isinstance(tables, list) or not all(isinstance(x, Mapping) for x in tables):
        raise _fail(path, "obligations", "must be an array of tables ([[obligations]])")
    found: list[ObligationRule] = []
    for i, table in enumerate(tables):
        prefix = f"obligations[{i}]."
        unknown = sorted(set(table) - _KNOWN_KEYS)
        if unknown:
            raise _fail(
                path,
                prefix + unknown[0],
                "unknown key (known: " + ", ".join(sorted(_KNOWN_KEYS)) + ")",
            )
        oid = _string(table, "id", path, prefix)
        assert oid is not None
        if not oid.isidentifier() or oid != oid.lower():
            raise _fail(
                path,
                prefix + "id",
                "must be a lower-case identifier such as 'stockpile_destruction'",
            )
        if any(o.id == oid for o in found):
            raise _fail(path, prefix + "id", f"duplicate obligation id {oid!r}")
        anchor = _string(table, "anchor", path, prefix)
        if anchor not in ANCHORS:
            raise _fail(
                path,
                prefix + "anchor",
                f"unknown anchor {anchor!r} (known: " + ", ".join(ANCHORS) + ")",
            )
        applies = _string(table, "applies", path, prefix)
        if applies not in APPLIES:
            raise _fail(
                path,
                prefix + "applies",
                f"unknown value {applies!r} (known: " + ", ".join(APPLIES) + ")",
            )
        years = _positive(table, "years", path, prefix)
        months = _positive(table, "months", path, prefix)
        days = _positive(table, "days", path, prefix)
        yearly = (
            _yearly(table["yearly"], path, prefix + "yearly")
            if table.get("yearly") is not None
            else None
        )
        set_by = _string(table, "set_by", path, prefix, required=False)
        if set_by is not None and set_by not in SET_BY:
            raise _fail(
                path, prefix + "set_by", f"unknown value {set_by!r} (known: {', '.join(SET_BY)})"
            )
        periods = sum(x is not None for x in (years, months, days, yearly))
        if set_by is not None and periods:
            raise _fail(path, prefix + "set_by", "a deadline set by a meeting has no period")
        if set_by is None and periods != 1:
            raise _fail(
                path,
                prefix + "years",
                "give exactly one period: years, months, days or yearly (or set_by)",
            )
        after = _string(table, "after", path, prefix, required=False)
        if after is not None and yearly is None:
            raise _fail(path, prefix + "after", "only a yearly obligation can start after another")
        extension = None
        if table.get("extension") is not None:
            if yearly is not None:
                raise _fail(path, prefix + "extension", "a yearly obligation has no extensions")
            extension = _extension(table["extension"], path, prefix + "extension.")
        later = None
        if table.get("after_hostilities") is not None:
            if yearly is not None:
                raise _fail(
                    path, prefix + "after_hostilities", "a yearly obligation has no second deadline"
                )
            later = _after_hostilities(
                table["after_hostilities"], path, prefix + "after_hostilities."
            )
        article, text = (
            _string(table, "article", path, prefix),
            _string(table, "text", path, prefix),
        )
        assert article is not None and text is not None
        found.append(
            ObligationRule(
                treaty=treaty,
                id=oid,
                article=article,
                text=text,
                anchor=anchor,
                applies=applies,
                fact=_string(table, "fact", path, prefix, required=False) or oid,
                years=years,
                months=months,
                days=days,
                yearly=yearly,
                after=after,
                extension=extension,
                after_hostilities=later,
                set_by=set_by,
            )
        )
    ids = {o.id for o in found}
    for i, o in enumerate(found):
        if o.after is None:
            continue
        target = next((x for x in found if x.id == o.after), None)
        if target is None:
            raise _fail(
                path,
                f"obligations[{i}].after",
                f"no obligation {o.after!r} in this file (known: {', '.join(sorted(ids))})",
            )
        if target.recurring:
            raise _fail(
                path, f"obligations[{i}].after", f"{o.after!r} recurs; name a one-off obligation"
            )
    return tuple(found)


def known_fact_names(rules: tuple[ObligationRule, ...]) -> dict[str, ObligationRule]:
    """Obligation names a fact may carry → the rule it belongs to (ids and ``fact`` names)."""
    names: dict[str, ObligationRule] = {}
    for o in rules:
        names.setdefault(o.id, o)
        names.setdefault(o.fact, o)
    return names
