"""What the API answers about codings and reactions: the models behind
``/api/v1/meetings/{meeting}/codings`` and ``/api/v1/meetings/{meeting}/reactions``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from normwatch.core.meetings import DENOMINATORS, ReviewState


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvidenceOut(_Answer):
    """The words a code rests on: character offsets into the statement's text, and the quote."""

    start: int | None
    end: int | None
    quote: str


class CodingOut(_Answer):
    """One code given to one statement, by a human or an automatic coder."""

    statement: str
    speaker: str
    role: Literal["national", "presidency"]
    codebook: str
    code: str
    coder: str = Field(description="human:NAME, or auto:METHOD@VERSION+cbCODEBOOK_VERSION")
    review_state: Literal["suggested", "accepted", "rejected"]
    confidence: float | None
    evidence: EvidenceOut | None
    reviewed_by: str | None
    note: str | None
    created_at: str
    updated_at: str


class Denominator(_Answer):
    kind: Literal["participating", "parties", "speakers"]
    count: int
    states: list[str]


class CodeTally(_Answer):
    count: int
    share: float | None = Field(
        description="count / denominator; null when the denominator is under 10 States"
    )
    states: list[str]


class GroupReactions(_Answer):
    """The same figures restricted to the members of one group on the meeting's date."""

    denominator: Denominator
    codes: dict[str, CodeTally]
    silent: list[str] = Field(description="States of the denominator with no statement coded")


class Coverage(_Answer):
    """How much of the coding a person reviewed."""

    statements: int = Field(description="the meeting's statements with text")
    reviewed: int = Field(description="those with at least one human decision in the codebook")
    share: float | None = Field(description="reviewed / statements; null without statements")


class AgreementBasis(_Answer):
    """The agreement between human coders that the figures rest on."""

    coders: list[str]
    units: int = Field(description="statements coded by two or more of them")
    alpha: float | None = Field(
        description="Krippendorff's alpha (nominal), every (statement, code) pooled; null when "
        "the values show no variation"
    )
    measured_on: Literal["double coding", "all human coders"]


class ReactionsOut(GroupReactions):
    """Which States carried each code of a codebook at a meeting (``normwatch reactions``)."""

    meeting: str
    codebook: str
    target: str | None = Field(description="the treaty whose acts the codes are about")
    not_counted: list[str] = Field(
        description="States a counted statement speaks for that are outside the denominator "
        "(so in no count or share)"
    )
    by: dict[str, GroupReactions]
    coverage: Coverage
    agreement: AgreementBasis | None = Field(
        description="null when no two people coded the same statement: no agreement measured"
    )
    agreement_note: str = Field(description="the agreement in words, or that none is measured")


# the literal lists above are the core enumerations, kept in step here
assert set(DENOMINATORS) == set(Denominator.model_fields["kind"].annotation.__args__)  # type: ignore[union-attr]
assert {r.value for r in ReviewState} == {"suggested", "accepted", "rejected"}
