"""Tables of team coding, on the core ``schema.metadata``: accounts, API tokens, web
sessions, the coding history (the audit trail) and double-coding assignments.

Accounts, tokens and sessions are private: their tables carry ``info={"private": True}``
and the session-signing key is a private ``meta`` row (``PRIVATE_META_KEYS``), so no export,
``/data`` download or published copy of the store ever holds them.

Secrets are never stored as given: passwords as argon2 hashes, API tokens and session ids as
SHA-256 digests (both are long random strings, so a plain digest is enough to make a stolen
table useless). Times are ISO text in UTC, as elsewhere in the store.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from normwatch.store.schema import metadata

#: the ``meta`` row that keeps the key signing session cookies (made once per store)
SESSION_SECRET_KEY = "session_secret"
#: ``meta`` rows that stay out of every export
PRIVATE_META_KEYS = frozenset({SESSION_SECRET_KEY})

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # viewer | coder | reviewer | admin
    Column("password_hash", Text, nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
    Column("created_at", String(32), nullable=False),
    info={"private": True},
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(12), primary_key=True),  # the first characters of the digest
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("expires", String(10)),  # last day it is valid (inclusive); NULL: no expiry
    Column("revoked_at", String(32)),
    info={"private": True},
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    info={"private": True},
)

#: every write to a coding: who made it, when, and the values it replaced
coding_history = Table(
    "coding_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("coding_id", String(16), nullable=False, index=True),
    Column("statement_id", String(160), ForeignKey("statements.id"), nullable=False, index=True),
    Column("codebook", String(64), nullable=False),
    Column("code", String(64), nullable=False),
    Column("coder", String(128), nullable=False),
    Column("actor", String(128), nullable=False),  # who made the change (a person or a method)
    Column("action", String(16), nullable=False),  # created | changed | deleted
    Column("at", String(32), nullable=False),
    Column("old_review_state", String(16)),
    Column("new_review_state", String(16)),
    Column("old_evidence", Text),
    Column("new_evidence", Text),
    Column("revision", Integer, nullable=False),
)

#: statements a reviewer gave to two coders, each blind to the other's codes
double_codings = Table(
    "double_codings",
    metadata,
    Column("statement_id", String(160), ForeignKey("statements.id"), nullable=False),
    Column("codebook", String(64), nullable=False),
    Column("coder_a", String(128), nullable=False),
    Column("coder_b", String(128), nullable=False),
    Column("assigned_by", String(128), nullable=False),
    Column("assigned_at", String(32), nullable=False),
    UniqueConstraint("statement_id", "codebook"),
)
