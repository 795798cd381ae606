"""The meetings model: meetings, who took part, who said what, and how it was coded.

Field names follow the Popolo specifications where they fit (``start_date``, ``end_date``,
``role``), extended with ``on_behalf_of`` for joint statements. These classes are plain values:
the importer builds them from a directory, the store keeps them as rows, and every one turns
into a JSON-ready dict with ``to_dict()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from normwatch.errors import DataError


class MeetingKind(StrEnum):
    MEETING_OF_STATES_PARTIES = "meeting_of_states_parties"
    REVIEW_CONFERENCE = "review_conference"
    INTERSESSIONAL = "intersessional"
    OTHER_FORUM = "other_forum"  # e.g. the UN General Assembly First Committee


#: short names accepted in meeting.yaml for the kinds
KIND_ALIASES: dict[str, MeetingKind] = {
    "msp": MeetingKind.MEETING_OF_STATES_PARTIES,
    "rc": MeetingKind.REVIEW_CONFERENCE,
    "im": MeetingKind.INTERSESSIONAL,
    "other": MeetingKind.OTHER_FORUM,
}


def parse_kind(text: str) -> MeetingKind:
    value = text.strip().lower().replace(" ", "_")
    if value in KIND_ALIASES:
        return KIND_ALIASES[value]
    try:
        return MeetingKind(value)
    except ValueError:
        known = ", ".join([k.value for k in MeetingKind] + list(KIND_ALIASES))
        raise DataError(f"unknown meeting kind {text!r} (known: {known})") from None


class Capacity(StrEnum):
    """In what capacity a participant attended (from the meeting's list of participants)."""

    STATE_PARTY = "state_party"
    SIGNATORY = "signatory"
    OBSERVER_STATE = "observer_state"
    ORGANIZATION = "organization"

    @property
    def is_state(self) -> bool:
        return self is not Capacity.ORGANIZATION


class SpeakerKind(StrEnum):
    STATE = "state"
    GROUP = "group"  # the European Union, or a named group of States speaking for its members
    ORGANIZATION = "organization"  # ICRC, the Cluster Munition Coalition ...


class ReviewState(StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


#: the codebook used when none is named
DEFAULT_CODEBOOK = "withdrawal-reaction"

#: a statement made in this role speaks for the meeting's presidency, not for the State
PRESIDENCY_ROLE = "presidency"
STATEMENT_ROLES = ("national", PRESIDENCY_ROLE)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: a person's name: letters of any script, digits, inner spaces, ".", "-" and apostrophes
_PERSON = re.compile(r"^\w(?:[\w.'’-]| (?=\S))*$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
MEETING_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Coder:
    """Who coded: ``human:<name>`` or ``auto:<method>@<version>``."""

    kind: str  # "human" | "auto"
    name: str  # the person, or the method
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> Coder:
        """``alice``/``human:alice`` → a human; ``auto:rules@1.2`` → a method and version."""
        raw = text.strip()
        kind, sep, rest = raw.partition(":")
        if not sep:
            kind, rest = "human", raw
        if kind == "human" and _PERSON.match(rest):
            return cls("human", rest)
        if kind == "auto":
            method, at, version = rest.partition("@")
            if at and _NAME.match(method) and _VERSION.match(version):
                return cls("auto", method, version)
        raise DataError(f"not a coder: {text!r} (use NAME, human:NAME or auto:METHOD@VERSION)")

    @property
    def is_human(self) -> bool:
        return self.kind == "human"

    def __str__(self) -> str:
        if self.kind == "auto":
            return f"auto:{self.name}@{self.version}"
        return f"human:{self.name}"


@dataclass(frozen=True)
class SourceRef:
    """A source as cited in a meeting record."""

    url: str
    title: str | None = None
    symbol: str | None = None
    published: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "symbol": self.symbol,
            "published": self.published,
            "note": self.note,
        }


@dataclass(frozen=True)
class Meeting:
    id: str
    treaty: str
    kind: MeetingKind
    name: str
    start_date: str
    end_date: str | None = None
    number: int | None = None
    venue: str | None = None
    president: str | None = None  # State code
    completeness: str | None = None  # "partial" | "complete" | None (not said)
    confidence: str | None = None
    note: str | None = None
    sources: tuple[SourceRef, ...] = ()
    fictional: bool = False  # written for tests or a tour: only an example store takes it

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "treaty": self.treaty,
            "kind": self.kind.value,
            "number": self.number,
            "name": self.name,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "venue": self.venue,
            "president": self.president,
            "completeness": self.completeness,
            "confidence": self.confidence,
            "note": self.note,
            "sources": [s.to_dict() for s in self.sources],
        }


@dataclass(frozen=True)
class Participation:
    """A State (``participant`` is its code) or an organization (its name) at a meeting."""

    participant: str
    kind: SpeakerKind  # STATE or ORGANIZATION
    capacity: Capacity
    source: SourceRef | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "kind": self.kind.value,
            "capacity": self.capacity.value,
            "source": self.source.url if self.source else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Statement:
    """What one speaker said at a meeting; ``text`` only when the user supplied it."""

    id: str  # "<meeting>/<local id>"
    meeting: str
    local_id: str
    speaker: str  # State code, or the organization's / group's name
    speaker_kind: SpeakerKind
    on_behalf_of: tuple[str, ...] = ()  # State codes
    role: str = "national"
    agenda_item: str | None = None
    language: str | None = None
    language_detected: bool = False
    date: str | None = None
    file: str | None = None
    text: str | None = None
    text_sha256: str | None = None
    source: SourceRef | None = None
    note: str | None = None

    @property
    def is_joint(self) -> bool:
        return bool(set(self.on_behalf_of) - {self.speaker})

    def to_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.id,
            "meeting": self.meeting,
            "speaker": self.speaker,
            "speaker_kind": self.speaker_kind.value,
            "on_behalf_of": list(self.on_behalf_of),
            "role": self.role,
            "agenda_item": self.agenda_item,
            "language": self.language,
            "language_detected": self.language_detected,
            "date": self.date,
            "file": self.file,
            "has_text": self.text is not None,
            "text_sha256": self.text_sha256,
            "source_url": self.source.url if self.source else None,
            "note": self.note,
        }
        if with_text:
            row["text"] = self.text
        return row


@dataclass(frozen=True)
class Note:
    """A decision of the meeting or a known gap in its record, and how far it is verified."""

    kind: str  # "decision" | "gap"
    text: str  # our own words
    verification: str | None = None  # verified | reported | not_verified
    confidence: str | None = None
    source: SourceRef | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "verification": self.verification,
            "confidence": self.confidence,
            "source": self.source.url if self.source else None,
        }


CLAIM_RELATIONS = ("about", "over", "under", "at_least", "at_most")
DENOMINATORS = ("participating", "parties", "speakers")

#: no share is drawn over fewer States than this: the count and the States are given instead
MIN_SHARE_DENOMINATOR = 10


def share_of(count: int, denominator: int, digits: int = 4) -> float | None:
    """``count / denominator`` rounded, or None when the denominator is below
    :data:`MIN_SHARE_DENOMINATOR` (a share of a handful of States says too little)."""
    if denominator < MIN_SHARE_DENOMINATOR:
        return None
    return round(count / denominator, digits)


@dataclass(frozen=True)
class Claim:
    """A figure about a meeting reported by someone else ("around two-thirds of the States
    participating"), stored as reported, beside what the data can compute.

    ``denominator`` is a denominator kind or ``code:<code>`` (a share *of* the States carrying
    another code: "over half of them"); ``relation`` and ``value`` turn the words into a
    testable statement about the share (``about 0.667``, ``over 0.5``).
    """

    id: str
    reported: str
    codebook: str
    code: str
    denominator: str
    relation: str
    value: float
    source: SourceRef
    confidence: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reported": self.reported,
            "codebook": self.codebook,
            "code": self.code,
            "denominator": self.denominator,
            "relation": self.relation,
            "value": self.value,
            "source": self.source.url,
            "confidence": self.confidence,
            "note": self.note,
        }


@dataclass(frozen=True)
class Evidence:
    """The words that show a code: a character span of the statement's text and the quote."""

    quote: str
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "quote": self.quote}


@dataclass(frozen=True)
class Coding:
    statement: str
    codebook: str
    code: str
    coder: Coder
    review_state: ReviewState
    evidence: Evidence | None = None
    confidence: float | None = None
    reviewed_by: str | None = None
    note: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    reviewed_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "codebook": self.codebook,
            "code": self.code,
            "coder": str(self.coder),
            "review_state": self.review_state.value,
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "confidence": self.confidence,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at,
            "note": self.note,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def find_evidence(text: str | None, quote: str) -> Evidence:
    """Locate ``quote`` in ``text``: exactly, else ignoring case and runs of white space.

    A statement without text keeps the quote with no span; a quote that is not in the text is
    a :class:`DataError` (evidence must be the statement's own words).
    """
    quote = quote.strip()
    if not quote:
        raise DataError("empty evidence")
    if text is None:
        return Evidence(quote)
    at = text.find(quote)
    if at >= 0:
        return Evidence(quote, at, at + len(quote))
    words = [re.escape(w) for w in quote.split()]
    m = re.search(r"\s+".join(words), text, flags=re.IGNORECASE)
    if m is None:
        short = quote if len(quote) <= 60 else quote[:57] + "..."
        raise DataError(f"evidence not found in the statement's text: {short!r}")
    return Evidence(text[m.start() : m.end()], m.start(), m.end())
