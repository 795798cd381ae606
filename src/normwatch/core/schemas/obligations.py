"""A row of an obligations table (``data/<treaty>/obligations.csv`` or a file given to
``normwatch import obligations``): one fact about a State's obligation, with its source.

Every cell is text; empty optional cells are left out. Dates are partial dates (``YYYY``,
``YYYY-MM`` or ``YYYY-MM-DD``), flags are yes or no.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from normwatch.core.dates import PartialDate
from normwatch.errors import DataError

DECISIONS = ("granted", "requested")


def _date(value: str) -> str:
    try:
        PartialDate.parse(value)
    except DataError as exc:
        raise PydanticCustomError("date", _braces(str(exc))) from None
    return value


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("yes", "true", "1"):
            return True
        if low in ("no", "false", "0"):
            return False
        raise PydanticCustomError("flag", _braces(f"expected yes or no, got {value!r}"))
    return value


def _braces(text: str) -> str:
    """``text`` as a message template (pydantic fills ``{name}`` from a context)."""
    return text.replace("{", "(").replace("}", ")")


def _decision(value: Any) -> Any:
    if isinstance(value, str):
        low = value.strip().lower()
        if low and low not in DECISIONS:
            raise PydanticCustomError(
                "decision",
                _braces(f"unknown decision {value!r} (known: {', '.join(DECISIONS)})"),
            )
        return low or None
    return value


def _filled(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("empty", "empty value")
    return value


def _year(value: str) -> str:
    if not (value.isdigit() and len(value) == 4):
        raise PydanticCustomError("year", _braces(f"not a year: {value!r}"))
    return value


Cell = Annotated[str, BeforeValidator(_filled), Field(min_length=1)]
Date = Annotated[
    str,
    AfterValidator(_date),
    Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD"),
]
Flag = Annotated[bool, BeforeValidator(_flag), Field(description="yes or no")]


class _FactColumns(BaseModel):
    """What an obligations table row and an API answer's fact have in common."""

    model_config = ConfigDict(extra="ignore")

    obligation: Cell = Field(description="an obligation id of the treaty's rule file")
    original_deadline: Date | None = None
    extended_deadline: Date | None = None
    decision: Annotated[Literal["granted", "requested"] | None, BeforeValidator(_decision)] = None
    decided_on: Date | None = None
    completed_on: Date | None = None
    completed_by: Date | None = None
    outstanding_on: Date | None = None
    before_eif: Flag = False
    declared: Flag = True
    hostilities_ended: Date | None = None
    confidence: str | None = None
    note: str | None = None


class ObligationRow(_FactColumns):
    """One row; the columns ``iso3``, ``obligation`` and ``source_url`` are required."""

    iso3: Cell = Field(description="the State's ISO 3166 alpha-3 code, or * for all States")
    source_url: Cell
    extension_decided_at: str | None = Field(None, description="the meeting that decided")
    report_year: Annotated[str, AfterValidator(_year), Field(pattern=r"^\d{4}$")] | None = None
    fictional: Flag = Field(False, description="written for tests or a tour (yes or no)")


# --------------------------------------------------------------------------- API answers
# what /api/v1/treaties/{treaty}/deadlines and .../states/{state}/obligations return


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactOut(_FactColumns):
    """A fact an answer rests on, as read from a table."""

    model_config = ConfigDict(extra="forbid")

    state: str
    decided_at: str | None
    report_year: int | None
    source: str = Field(description="the URL of the source")
    where: str | None = Field(description="the file and line it was read from")


class StepOut(_Answer):
    """An extension granted or requested."""

    deadline: Date | None
    decision: Literal["granted", "requested"] | None
    decided_at: str | None
    decided_on: Date | None
    source: str
    confidence: str | None
    note: str | None


class ReportOut(_Answer):
    covers: int = Field(description="the year the report covers")
    due: str
    compliance: Literal["on_time", "late", "submitted", "missing", "unknown", "upcoming"]
    submitted: Date | None
    source: str | None


class ReportsOut(_Answer):
    due_so_far: int
    on_record: list[ReportOut]
    unknown: int
    missing: int


class BasisOut(_Answer):
    rule: str = Field(description="the article and its text")
    period: str
    extension: str | None
    entry_into_force: dict[str, Any] | None = Field(
        description="the explanation of the treaty's entry into force for the State"
    )
    arithmetic: list[str]
    facts: list[FactOut]


class ObligationOut(_Answer):
    """One obligation of one State on a date, with its status, deadline and reasons."""

    treaty: str
    state: str
    name: str | None
    date: str
    obligation: str
    article: str
    status: Literal["not_applicable", "pending", "extended", "completed", "overdue", "unknown"]
    confidence: str | None
    deadline: Date | None
    original_deadline: Date | None
    hostilities_ended: Date | None
    completed: Date | None
    completed_by: str | None
    on_time: bool | None
    late_by_days: int | None
    late_by: str | None
    overdue_days: int | None
    entry_into_force: str | None
    ends: str | None
    extensions: list[StepOut]
    requests: list[StepOut]
    reports: ReportsOut | None = Field(description="for a yearly report; null otherwise")
    summary: str
    explanation: str
    basis: BasisOut


#: the columns every table must have
REQUIRED_COLUMNS = ("iso3", "obligation", "source_url")
assert set(REQUIRED_COLUMNS) == {
    name for name, f in ObligationRow.model_fields.items() if f.is_required()
}
