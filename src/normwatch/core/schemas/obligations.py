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


class ObligationRow(BaseModel):
    """One row; the columns ``iso3``, ``obligation`` and ``source_url`` are required."""

    model_config = ConfigDict(extra="ignore")

    iso3: Cell = Field(description="the State's ISO 3166 alpha-3 code, or * for all States")
    obligation: Cell = Field(description="an obligation id of the treaty's rule file")
    source_url: Cell
    original_deadline: Date | None = None
    extended_deadline: Date | None = None
    extension_decided_at: str | None = Field(None, description="the meeting that decided")
    decision: Annotated[Literal["granted", "requested"] | None, BeforeValidator(_decision)] = None
    decided_on: Date | None = None
    completed_on: Date | None = None
    completed_by: Date | None = None
    outstanding_on: Date | None = None
    report_year: Annotated[str, AfterValidator(_year), Field(pattern=r"^\d{4}$")] | None = None
    before_eif: Flag = False
    declared: Flag = True
    hostilities_ended: Date | None = None
    confidence: str | None = None
    note: str | None = None


#: the columns every table must have
REQUIRED_COLUMNS = tuple(n for n, f in ObligationRow.model_fields.items() if f.is_required())
