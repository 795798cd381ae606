"""A meeting folder's files: ``meeting.yaml`` and the rows of ``participants.csv``,
``statements.csv`` and ``codings.csv``.

:mod:`normwatch.sources.meetings.importer` validates ``meeting.yaml`` with
:class:`MeetingFile` (every problem at once, by key path) and takes the tables' columns from the
row models; what needs the registry, the treaty files or a codebook (State names, a treaty id,
a claim's code) it checks itself.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from normwatch.core.dates import PartialDate
from normwatch.core.meetings import (
    CLAIM_RELATIONS,
    DENOMINATORS,
    STATEMENT_ROLES,
    Capacity,
    MeetingKind,
    ReviewState,
    parse_kind,
)
from normwatch.core.schemas._base import Text
from normwatch.errors import DataError

VERIFICATION = ("verified", "reported", "not_verified")
NonEmpty = Annotated[Text, StringConstraints(min_length=1)]


def _braces(text: str) -> str:
    return text.replace("{", "(").replace("}", ")")


def _full_date(value: str) -> str:
    try:
        day = PartialDate.parse(value)
    except DataError as exc:
        raise PydanticCustomError("date", _braces(str(exc))) from None
    if day.exact() is None:
        raise PydanticCustomError(
            "date", _braces(f"a full date (YYYY-MM-DD) is needed, got {value!r}")
        )
    return str(day)


FullDate = Annotated[Text, AfterValidator(_full_date), Field(json_schema_extra={"format": "date"})]


def _kind(value: str) -> str:
    try:
        return parse_kind(value).value
    except DataError as exc:
        raise PydanticCustomError("kind", _braces(str(exc))) from None


def _source(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return {"url": value}
    if isinstance(value, dict) and isinstance(value.get("url"), str) and value["url"].strip():
        return value
    raise PydanticCustomError("source", "a source is a URL or a mapping with a 'url'")


def _listed(value: Any) -> Any:
    return [] if value is None else value if isinstance(value, list) else [value]


def _note(value: Any) -> Any:
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, dict) or not str(value.get("text") or "").strip():
        raise PydanticCustomError("note", "needs a 'text'")
    return value


def _share(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PydanticCustomError("share", "value must be a share between 0 and 1")
    return float(value)


def _denominator(value: str) -> str:
    if value in DENOMINATORS or (value.startswith("code:") and len(value) > 5):
        return value
    raise PydanticCustomError(
        "denominator", f"must be one of {', '.join(DENOMINATORS)} or code:CODE, not {value!r}"
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceFields(_Model):
    """A source as the API gives it: its URL, and what it is when known."""

    url: NonEmpty
    title: Text | None = None
    symbol: Text | None = Field(None, description="a UN document symbol")
    published: Text | None = None


class SourceSpec(SourceFields):
    """Where a fact is written: a URL, or a URL with what it is."""

    note: Text | None = None


Source = Annotated[
    SourceSpec, BeforeValidator(_source, json_schema_input_type=NonEmpty | SourceSpec)
]


class NoteFields(_Model):
    text: NonEmpty
    verification: Literal["verified", "reported", "not_verified"] | None = None
    confidence: Text | None = None


class NoteSpec(NoteFields):
    """A decision or a gap in the record (a bare text is the note's ``text``)."""

    source: Source | None = None


class DecisionSpec(NoteSpec):
    """A decision of the meeting, with the document that records it."""

    source: Source


class ClaimFields(_Model):
    """A figure someone reported about the meeting's statements ("most delegations")."""

    id: Text
    reported: NonEmpty = Field(description="the words of the report")
    codebook: Text | None = None
    code: NonEmpty
    denominator: Annotated[NonEmpty, AfterValidator(_denominator)] = Field(
        description=f"{', '.join(DENOMINATORS)} or code:CODE"
    )
    relation: Literal["about", "over", "under", "at_least", "at_most"]
    value: Annotated[float, BeforeValidator(_share), Field(ge=0, le=1)]
    confidence: Text | None = None
    note: Text | None = None


class ClaimSpec(ClaimFields):
    """A figure someone reported about the meeting's statements ("most delegations")."""

    source: Source


def _no_repeats(claims: list[ClaimSpec]) -> list[ClaimSpec]:
    seen: set[str] = set()
    for c in claims:
        if c.id in seen:
            raise PydanticCustomError("repeat", _braces(f"repeated claim id {c.id!r}"))
        seen.add(c.id)
    return claims


MeetingId = Annotated[NonEmpty, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class MeetingFields(_Model):
    """What a meeting was, when and where (as the API gives it)."""

    id: MeetingId
    treaty: NonEmpty = Field(description="the id of a treaty rule file")
    kind: Literal["meeting_of_states_parties", "review_conference", "intersessional", "other_forum"]
    number: Annotated[int, Field(strict=True, ge=0)] | None = None
    name: NonEmpty
    start_date: FullDate
    end_date: FullDate | None = None
    venue: Text | None = None
    president: Text | None = Field(None, description="a State name or code")
    completeness: Literal["partial", "complete"] | None = None
    confidence: Text | None = None
    note: Text | None = None


class MeetingFile(MeetingFields):
    """``meeting.yaml``: what the meeting was, when and where, and the sources of its record."""

    kind: Annotated[NonEmpty, AfterValidator(_kind)] = Field(  # type: ignore[assignment]
        description=", ".join(k.value for k in MeetingKind) + " (or a short name)"
    )
    sources: Annotated[list[Source], BeforeValidator(_listed)] = Field([], validate_default=True)
    completeness: Literal["partial", "complete"] | None = None
    confidence: Text | None = None
    note: Text | None = None
    codebook: Text | None = None
    decisions: Annotated[
        list[Annotated[DecisionSpec, BeforeValidator(_note)]], BeforeValidator(_listed)
    ] = []
    gaps: Annotated[
        list[Annotated[NoteSpec, BeforeValidator(_note)]], BeforeValidator(_listed)
    ] = []
    claims: Annotated[list[ClaimSpec], AfterValidator(_no_repeats)] = []
    fictional: StrictBool = Field(
        False, description="written for tests or a tour: only an example store takes it"
    )

    @field_validator("end_date")
    @classmethod
    def _after_start(cls, value: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise PydanticCustomError("order", "before start_date")
        return value

    @field_validator("sources")
    @classmethod
    def _some_source(cls, value: list[SourceSpec]) -> list[SourceSpec]:
        if not value:
            raise PydanticCustomError("sources", "at least one source is required")
        return value


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParticipantRow(_Row):
    """A row of ``participants.csv``: who attended, in what capacity, per which list."""

    participant: NonEmpty = Field(description="a State name or code, or an organization")
    capacity: Literal["state_party", "signatory", "observer_state", "organization"]
    source: NonEmpty = Field(description="the list of participants")
    note: Text | None = None


class StatementRow(_Row):
    """A row of ``statements.csv``: one statement and the file of its text."""

    id: NonEmpty
    speaker: NonEmpty
    on_behalf_of: Text = Field(description="State names or codes separated by ';'")
    agenda_item: Text
    language: Text
    date: Text
    file: Text
    source_url: Text
    role: Literal["national", "presidency"] | None = None
    note: Text | None = None


class CodingRow(_Row):
    """A row of ``codings.csv``: one code a coder gave one statement."""

    statement_id: NonEmpty
    code: NonEmpty
    coder: NonEmpty
    evidence: Text
    codebook: Text | None = None
    confidence: Text | None = None
    review_state: Literal["suggested", "accepted", "rejected"] | None = None
    note: Text | None = None


def columns(row: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The required and the optional columns of a table."""
    fields = row.model_fields
    return (
        tuple(n for n, f in fields.items() if f.is_required()),
        tuple(n for n, f in fields.items() if not f.is_required()),
    )


# --------------------------------------------------------------------------- API answers
# what /api/v1/meetings... returns: the file models' fields, with what the store adds


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeetingOut(MeetingFields):
    """A meeting in the list of meetings."""

    president_name: str | None
    participants: int = Field(description="participants on record")
    statements: int = Field(description="statements on record")


class MeetingWithSources(MeetingOut):
    sources: list[SourceFields]


class ParticipantOut(ParticipantRow):
    kind: Literal["state", "organization"]
    name: str


class StatementOut(_Answer):
    """A statement of a meeting (``text`` only when asked for)."""

    id: str
    local_id: str
    speaker: str
    speaker_kind: str
    on_behalf_of: list[str]
    role: Literal["national", "presidency"]
    agenda_item: str | None
    language: str | None
    language_detected: bool
    date: str | None
    file: str | None
    has_text: bool
    text_sha256: str | None
    source_url: str | None
    note: str | None
    text: str | None = None


class NoteOut(NoteFields):
    source: str | None = Field(description="the URL of the source")


class ClaimComputed(_Answer):
    count: int | None
    denominator: int | None
    share: float | None
    partial_record: bool


class ClaimOut(ClaimFields):
    source: str = Field(description="the URL of the source")
    source_title: str | None
    published: str | None
    computed: ClaimComputed
    consistent: bool | None = Field(
        description="whether the computed share fits the claim (null: cannot tell)"
    )


class MeetingDetail(_Answer):
    """Everything recorded about one meeting."""

    meeting: MeetingWithSources
    participants: list[ParticipantOut]
    statements: list[StatementOut]
    decisions: list[NoteOut]
    gaps: list[NoteOut]
    claims: list[ClaimOut]


# the literal lists above are the core enumerations, kept in step here
assert set(VERIFICATION) == {"verified", "reported", "not_verified"}
assert set(STATEMENT_ROLES) == {"national", "presidency"}
assert {c.value for c in Capacity} == {"state_party", "signatory", "observer_state", "organization"}
assert {r.value for r in ReviewState} == {"suggested", "accepted", "rejected"}
assert {k.value for k in MeetingKind} == set(
    MeetingFields.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
)
assert set(CLAIM_RELATIONS) == {"about", "over", "under", "at_least", "at_most"}
