"""What the API answers about one State across every treaty: the model behind
``/api/v1/states/{state}`` and ``normwatch state CODE --format json``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActionRef(_Answer):
    """A depositary act an explanation rests on, with its sources."""

    state: str
    action: str
    date: str
    sources: list[str]
    symbols: list[str] = Field(description="depositary notification symbols (C.N. …)")


class ConflictRef(_Answer):
    state: str
    counterpart: str | None
    start: str
    end: str | None = Field(description="null: not ended")
    sources: list[str]


class ExplanationOut(_Answer):
    """Why a status is what it is: the article applied, the acts, the date arithmetic."""

    rule: str
    actions: list[ActionRef]
    arithmetic: list[str]
    armed_conflicts: list[ConflictRef]


class ObligationBrief(_Answer):
    obligation: str
    article: str
    status: Literal["not_applicable", "pending", "extended", "completed", "overdue", "unknown"]
    deadline: str | None
    confidence: str | None
    summary: str


class ObligationsCell(_Answer):
    """The State's obligations under one treaty on the date, counted by status; ``unknown``
    counts obligations whose facts are not on record (never shown as met)."""

    overdue: int
    due: int = Field(description="pending or extended, deadline on or after the date")
    unknown: int
    completed: int
    next_deadline: str | None = Field(description="the earliest deadline still ahead, if any")
    items: list[ObligationBrief]


class StatementsCell(_Answer):
    """Statements by or on behalf of the State at the treaty's meetings, and their codes."""

    statements: int
    coded: int = Field(description="statements with at least one code not rejected")
    codes: list[str]
    meetings: list[str]


class TreatyStanding(_Answer):
    """One cell row of the matrix: the State's status towards one treaty on the date."""

    treaty: str
    short_name: str
    name: str
    date: str
    status: Literal[
        "non_signatory",
        "signatory",
        "unsigned",
        "consented",
        "party",
        "withdrawing",
        "withdrawn",
    ]
    since: str | None = Field(description="null: no act recorded, or not known")
    notified: str | None = None
    effective: str | None = Field(None, description="null while postponed by an armed conflict")
    postponed: bool | None = None
    explanation: ExplanationOut
    obligations: ObligationsCell | None = Field(
        description="null: the treaty's rule file defines no obligations"
    )
    statements: StatementsCell


class StatementRef(_Answer):
    meeting: str
    meeting_name: str
    treaty: str
    date: str | None
    statement: str
    local_id: str
    speaker: str
    on_behalf_of: list[str]
    role: str
    codes: list[str]


class StateStandingOut(_Answer):
    """A State's standing towards every treaty on a date (``normwatch state``)."""

    state: str = Field(description="ISO 3166-1 alpha-3")
    name: str
    alpha2: str
    regional_group: str | None
    date: str
    treaties: list[TreatyStanding]
    statements: list[StatementRef]
