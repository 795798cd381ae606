"""The database schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Dates are stored as ISO text so that a partial date (``2024``, ``2024-09``) keeps its
precision. Every fact row links to at least one row of ``sources``. Feature modules add their
tables to the same :data:`metadata` (see :data:`SCHEMA_MODULES` in ``store``).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

states = Table(
    "states",
    metadata,
    Column("code", String(3), primary_key=True),
    Column("alpha2", String(2), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("regional_group", Text),
    Column("source", Text, nullable=False),
)

state_aliases = Table(
    "state_aliases",
    metadata,
    Column("alias", Text, primary_key=True),
    Column("code", String(3), ForeignKey("states.code"), nullable=False),
    Column("note", Text),
)

treaties = Table(
    "treaties",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("short_name", Text, nullable=False),
    Column("untc_id", String(32)),
    Column("rule_file", Text, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("url", Text, nullable=False),
    Column("symbol", Text),
    Column("title", Text),
    Column("kind", String(32), nullable=False, default="web"),
    Column("published", String(10)),
    Column("note", Text),
)

actions = Table(
    "actions",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("treaty", String(32), ForeignKey("treaties.id"), nullable=False, index=True),
    Column("state", String(3), ForeignKey("states.code"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("date", String(10), nullable=False),
    Column("note", Text),
)

action_sources = Table(
    "action_sources",
    metadata,
    Column("action_id", String(16), ForeignKey("actions.id"), nullable=False),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("confidence", String(16)),
    Column("note", Text),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    PrimaryKeyConstraint("action_id", "source_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("treaty", String(32), ForeignKey("treaties.id"), nullable=False),
    Column("state", String(3), ForeignKey("states.code"), nullable=False),
    Column("date", String(10), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("confidence", String(16)),
)

#: sourced facts about a State's standing that are not acts of legal effect of their own:
#: companion consents (CCW Protocols I-III), objections, meeting decisions (core Record)
records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("treaty", String(32), ForeignKey("treaties.id"), nullable=False, index=True),
    Column("state", String(3), ForeignKey("states.code"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("date", String(10)),
    Column("actor", Text),
    Column("subject", Text),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("symbol", Text),
    Column("confidence", String(16)),
    Column("note", Text),
)

armed_conflicts = Table(
    "armed_conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(3), ForeignKey("states.code"), nullable=False),
    Column("counterpart", String(3)),
    Column("kind", Text, nullable=False),
    Column("start", String(10), nullable=False),
    Column("end", String(10)),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("note", Text),
)

reference_counts = Table(
    "reference_counts",
    metadata,
    Column("treaty", String(32), ForeignKey("treaties.id"), nullable=False),
    Column("date", String(10), nullable=False),
    Column("parties", Integer, nullable=False),
    Column("in_force", Integer, nullable=False),
    Column("signatories", Integer, nullable=False),
    Column("withdrawing", Integer, nullable=False),
    Column("withdrawn", Integer, nullable=False),
    Column("external_confirmation", Text),
    Column("source", Text, nullable=False),
    PrimaryKeyConstraint("treaty", "date"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(16), ForeignKey("sources.id"), nullable=False),
    Column("importer", String(32), nullable=False),
    Column("treaty", String(32)),
    Column("imported_at", String(32), nullable=False),
    Column("published", String(10)),
    Column("new", Integer, nullable=False, default=0),
    Column("changed", Integer, nullable=False, default=0),
    Column("gone", Integer, nullable=False, default=0),
    Column("conflicts", Integer, nullable=False, default=0),
)
