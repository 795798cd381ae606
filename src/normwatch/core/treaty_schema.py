"""The treaty rule file's schema as a pydantic model, published as ``normwatch schema treaty``.

:mod:`normwatch.core.treaty` parses and validates rule files with the standard library alone (the
status command must start fast); this model states the same keys and kinds so that the schema
can be published and a file checked against it. ``tests/test_treaty_rules.py`` keeps the two in
step: every bundled rule file validates here, and keys unknown here are refused there.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PositiveInt = Annotated[int, Field(gt=0)]
StateCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
TreatyId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")]
Kind = Literal["first_day_of_month_after", "months_after", "days_after", "on_deposit"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CountedInstrument(_Strict):
    """An instrument of a participant no longer listed (a predecessor State) that counted."""

    participant: str = Field(min_length=1)
    date: dt.date
    source: str = Field(min_length=1)


class TreatyEntryIntoForce(_Strict):
    """``[rules.entry_into_force]``: when the treaty itself enters into force."""

    article: str = Field(min_length=1)
    kind: Kind
    months: PositiveInt | None = None
    days: PositiveInt | None = None
    text: str = Field(min_length=1)
    threshold: PositiveInt | None = Field(None, description="the K-th instrument")
    required_states: list[StateCode] | None = Field(
        None, description="every one of these States must deposit (CTBT Annex 2)"
    )
    required_states_source: str | None = None
    not_earlier_than: dt.date | None = None
    not_earlier_than_years_after_opening: PositiveInt | None = None
    counted_instruments: list[CountedInstrument] | None = None
    depositary_date: dt.date | None = None
    depositary_date_note: str | None = None


class StateEntryIntoForce(_Strict):
    """``[rules.state_entry_into_force]``: when the treaty enters into force for a later State."""

    article: str = Field(min_length=1)
    kind: Kind
    months: PositiveInt | None = None
    days: PositiveInt | None = None
    text: str = Field(min_length=1)
    applies_after: Literal["threshold", "entry_into_force"] = "threshold"


class Withdrawal(_Strict):
    """``[rules.withdrawal]``: exactly one of the notice periods."""

    article: str = Field(min_length=1)
    notice_months: PositiveInt | None = None
    notice_days: PositiveInt | None = None
    notice_years: PositiveInt | None = None
    armed_conflict_postpones: bool = False
    text: str = Field(min_length=1)


class ProvisionalApplication(_Strict):
    article: str | None = None
    text: str | None = None


class Companion(_Strict):
    """``[rules.companion]``: a consent that needs companion acts (CCW art. 4(3))."""

    article: str = Field(min_length=1)
    minimum: PositiveInt
    instruments: list[str] = Field(default_factory=list)
    treaties: list[TreatyId] = Field(default_factory=list)
    text: str = Field(min_length=1)


class Suspension(_Strict):
    """``[rules.suspension]``: whether the treaty provides for suspending its operation."""

    allowed: bool
    article: str | None = None
    text: str = Field(min_length=1)


class Rules(_Strict):
    entry_into_force: TreatyEntryIntoForce
    state_entry_into_force: StateEntryIntoForce
    withdrawal: Withdrawal | None = None
    provisional_application: ProvisionalApplication | None = None
    companion: Companion | None = None
    suspension: Suspension | None = None


class TreatyFile(BaseModel):
    """A treaty rule file (``data/treaties/<id>.toml``). Obligation tables (``[[obligations]]``)
    have their own reader (:mod:`normwatch.core.obligation_rules`) and are not described here."""

    model_config = ConfigDict(extra="allow")

    id: TreatyId
    name: str = Field(min_length=1)
    short_name: str | None = None
    adopted: dt.date | None = None
    adopted_at: str | None = None
    opened_for_signature: dt.date
    depositary: str = Field(min_length=1)
    untc_id: str | None = None
    untc_url: str | None = None
    text_url: str | None = None
    entry_into_force: dt.date | None = Field(
        None, description="the depositary's date, checked against the computed one"
    )
    data: str | None = None
    rules: Rules
