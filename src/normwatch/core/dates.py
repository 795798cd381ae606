"""Dates as the sources give them, and the calendar arithmetic of treaty rules.

A date keeps its precision: ``2024``, ``2024-09`` and ``2024-09-06`` are three different
facts (:class:`PartialDate`). Rule arithmetic works on full :class:`datetime.date` values:

* :func:`add_months` - "six months after receipt". When the day does not exist in the target
  month (a notice received on 31 August, six months on is 31 February), the result is the
  **last day of the target month** (28 or 29 February). This is the common reading of such
  clauses; no depositary example contradicts it.
* :func:`first_day_of_month_after` - "the first day of the sixth month after the month in which
  the instrument was deposited": deposit on any day of March 2011 gives 2011-09-01.
* :func:`add_years` - "N years after": the same calendar day N years on; 29 February becomes
  28 February in a year without one.
* :func:`add_days` - "180 days after": calendar days.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from normwatch.errors import DataError

Precision = Literal["year", "month", "day"]

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
#: dates already parsed, by their text (a date is immutable, so one value serves every reader;
#: the same few thousand dates are read again and again): bounded
_PARSED: dict[str, PartialDate] = {}
_PARSED_MAX = 1 << 16


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")
        if self.day is not None and self.month is not None:
            dt.date(self.year, self.month, self.day)  # raises ValueError if impossible

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @classmethod
    def parse(cls, text: str, *, where: str | None = None) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; anything else is a :class:`DataError`."""
        known = _PARSED.get(text) if cls is PartialDate else None
        if known is not None:
            return known
        m = _ISO.match(text.strip())
        if not m:
            raise DataError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {text!r}", where=where)
        year, month, day = (int(g) if g else None for g in m.groups())
        assert year is not None
        try:
            value = cls(year, month, day)
        except ValueError as exc:
            raise DataError(f"impossible date {text!r}: {exc}", where=where) from None
        if cls is PartialDate and len(_PARSED) < _PARSED_MAX:
            _PARSED[text] = value
        return value

    @classmethod
    def of(cls, d: dt.date) -> PartialDate:
        return cls(d.year, d.month, d.day)

    def earliest(self) -> dt.date:
        """The first day this date can mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """The last day this date can mean."""
        if self.day is not None and self.month is not None:
            return dt.date(self.year, self.month, self.day)
        month = self.month or 12
        return dt.date(self.year, month, _month_days(self.year, month))

    def exact(self) -> dt.date | None:
        """The day, when the date is known to the day."""
        return self.earliest() if self.precision == "day" else None

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


#: the dates asked about (``--on``, ``?on=``, ``--since`` …) must lie in this range: the
#: deadlines computed from a date (up to a century on) then stay within the calendar
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)


def parse_date(text: str, *, where: str | None = None) -> dt.date:
    """Parse a full ISO date (``YYYY-MM-DD``); a partial or impossible one is a DataError."""
    if not _ISO.match(text.strip()):
        raise DataError(f"not a date (YYYY-MM-DD): {text!r}", where=where)
    p = PartialDate.parse(text, where=where)
    exact = p.exact()
    if exact is None:
        raise DataError(f"a full date (YYYY-MM-DD) is needed here, got {text!r}", where=where)
    return exact


def _month_days(year: int, month: int) -> int:
    """How many days the month has (``calendar.monthrange`` without importing calendar, and
    with it locale, at start-up)."""
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` plus ``months`` calendar months; a missing day becomes the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _month_days(year, month0 + 1)
    return dt.date(year, month0 + 1, min(d.day, last))


def first_day_of_month_after(d: dt.date, months: int) -> dt.date:
    """The first day of the ``months``-th month after the month of ``d``."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, 1)


def add_years(d: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February when needed)."""
    return add_months(d, 12 * years)


def add_days(d: dt.date, days: int) -> dt.date:
    return d + dt.timedelta(days=days)
