"""Tables of the meetings feature, on the core ``schema.metadata``.

Groups of States with dated, sourced memberships (UN regional groups, the European Union,
NATO); meetings with their sources, participants, statements (``on_behalf_of`` in its own
table) and codings; and, per meeting, decisions, known gaps and reported claims. Dates are
ISO text, as in the core schema. Shares are never stored: they are computed by
:mod:`normwatch.service.reactions` from these rows.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from normwatch.store.schema import metadata

state_groups = Table(
    "state_groups",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),  # un_regional_group, regional_organization ...
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("note", Text),
)

group_memberships = Table(
    "group_memberships",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(64), ForeignKey("state_groups.id"), nullable=False, index=True),
    Column("state", String(3), ForeignKey("states.code"), nullable=False, index=True),
    Column("start_date", String(10)),  # NULL: not recorded (member throughout)
    Column("end_date", String(10)),  # NULL: still a member; otherwise the last day, inclusive
    Column("note", Text),
)

group_membership_sources = Table(
    "group_membership_sources",
    metadata,
    Column("membership_id", Integer, ForeignKey("group_memberships.id"), nullable=False),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    PrimaryKeyConstraint("membership_id", "source_id"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("treaty", String(32), ForeignKey("treaties.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("number", Integer),
    Column("name", Text, nullable=False),
    Column("start_date", String(10), nullable=False),
    Column("end_date", String(10)),
    Column("venue", Text),
    Column("president", String(3), ForeignKey("states.code")),
    Column("completeness", String(16)),
    Column("confidence", String(16)),
    Column("note", Text),
)

meeting_sources = Table(
    "meeting_sources",
    metadata,
    Column("meeting_id", String(64), ForeignKey("meetings.id"), nullable=False),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("meeting_id", "source_id"),
)

#: decisions of the meeting and known gaps in its record, each with how far it is verified
meeting_notes = Table(
    "meeting_notes",
    metadata,
    Column("meeting_id", String(64), ForeignKey("meetings.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # decision | gap
    Column("text", Text, nullable=False),
    Column("verification", String(16)),  # verified | reported | not_verified
    Column("confidence", String(16)),
    Column("source_id", String(16), ForeignKey("sources.id")),
    PrimaryKeyConstraint("meeting_id", "kind", "position"),
)

#: figures reported by others about a meeting, kept beside what the data can compute
meeting_claims = Table(
    "meeting_claims",
    metadata,
    Column("meeting_id", String(64), ForeignKey("meetings.id"), nullable=False),
    Column("id", String(64), nullable=False),
    Column("reported", Text, nullable=False),  # the reported figure, in the source's words
    Column("codebook", String(64), nullable=False),
    Column("code", String(64), nullable=False),
    # participating | parties | speakers, or code:<code> (a share of the States carrying it)
    Column("denominator", String(64), nullable=False),
    Column("relation", String(16), nullable=False),  # about | over | under | at_least | at_most
    Column("value", Float, nullable=False),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("confidence", String(16)),
    Column("note", Text),
    PrimaryKeyConstraint("meeting_id", "id"),
)

participations = Table(
    "participations",
    metadata,
    Column("meeting_id", String(64), ForeignKey("meetings.id"), nullable=False),
    Column("participant", Text, nullable=False),  # State code or organization name
    Column("kind", String(16), nullable=False),  # state | organization
    Column("capacity", String(32), nullable=False),
    Column("source_id", String(16), ForeignKey("sources.id")),
    Column("note", Text),
    PrimaryKeyConstraint("meeting_id", "participant"),
)

statements = Table(
    "statements",
    metadata,
    Column("id", String(160), primary_key=True),  # "<meeting>/<local id>"
    Column("meeting_id", String(64), ForeignKey("meetings.id"), nullable=False, index=True),
    Column("local_id", String(96), nullable=False),
    Column("speaker", Text, nullable=False),
    Column("speaker_kind", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("agenda_item", Text),
    Column("language", String(2)),
    Column("language_detected", Integer, nullable=False, default=0),
    Column("date", String(10)),
    Column("file", Text),
    Column("text", Text),
    Column("text_sha256", String(64)),
    Column("source_id", String(16), ForeignKey("sources.id")),
    Column("note", Text),
)

statement_on_behalf = Table(
    "statement_on_behalf",
    metadata,
    Column("statement_id", String(160), ForeignKey("statements.id"), nullable=False),
    Column("state", String(3), ForeignKey("states.code"), nullable=False),
    PrimaryKeyConstraint("statement_id", "state"),
)

codings = Table(
    "codings",
    metadata,
    Column("id", String(16), primary_key=True),  # hash of (statement, codebook, code, coder)
    Column("statement_id", String(160), ForeignKey("statements.id"), nullable=False, index=True),
    Column("codebook", String(64), nullable=False),
    Column("code", String(64), nullable=False),
    Column("coder", String(128), nullable=False),
    Column("coder_kind", String(8), nullable=False),  # human | auto
    Column("review_state", String(16), nullable=False),
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    Column("evidence_quote", Text),
    Column("confidence", Float),
    Column("reviewed_by", String(128)),
    Column("reviewed_at", String(32)),
    Column("note", Text),
    Column("revision", Integer, nullable=False),  # order of writes: the latest decision wins
    # writes to this row so far (1 when created); the coding page's saves check it
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)
