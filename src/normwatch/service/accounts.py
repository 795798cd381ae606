"""Accounts, roles, API tokens and web sessions of a team coding in one store.

Roles, from least to most: ``viewer`` (what anyone may do anonymously: read), ``coder``
(accept, reject and add codes), ``reviewer`` (also assign double coding and settle
disagreements), ``admin`` (also manage accounts). A role may do what the roles below it may.

Passwords are hashed with argon2 (``argon2-cffi``); API tokens and session ids are random
strings of 256 bits, stored as SHA-256 digests, so the store never holds a usable secret.
A token is shown once, when it is created. A disabled account can neither log in nor use its
tokens or open sessions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from normwatch.errors import AuthError, DataError, ForbiddenError, NotFoundError
from normwatch.store.stamps import now_iso

if TYPE_CHECKING:
    from normwatch.store.db import Store

ROLES = ("viewer", "coder", "reviewer", "admin")
TOKEN_PREFIX = "nwt_"
MIN_PASSWORD = 10
SESSION_HOURS = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class User:
    """A signed-in person: the name their codings carry (``human:NAME``) and their role."""

    id: int
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this user's role is ``role`` or above."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def coder(self) -> str:
        return f"human:{self.name}"


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise DataError(f"unknown role {role!r} (use {', '.join(ROLES)})")
    return role


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user_row(store: Store, name: str) -> dict[str, Any]:
    rows = store.query("SELECT * FROM users WHERE name = :n", {"n": name})
    if not rows:
        raise NotFoundError(f"no user {name!r} (see normwatch users list)")
    return rows[0]


# ---------------------------------------------------------------------------- accounts


def add_user(store: Store, name: str, role: str, password: str) -> dict[str, Any]:
    """A new account; the name is what its codings carry (``human:NAME``)."""
    from normwatch.store import team_tables as tt

    if not _NAME.match(name):
        raise DataError(
            f"user name {name!r}: letters, digits, '.', '_' or '-', at most 64, "
            "starting with a letter or digit"
        )
    _check_role(role)
    if len(password) < MIN_PASSWORD:
        raise DataError(f"the password must have at least {MIN_PASSWORD} characters")
    if store.query("SELECT id FROM users WHERE name = :n", {"n": name}):
        raise DataError(f"user {name!r} exists already")
    hashed = _hasher().hash(password)
    with store.transaction() as conn:
        conn.execute(
            tt.users.insert().values(
                name=name, role=role, password_hash=hashed, disabled=0, created_at=now_iso()
            )
        )
    return {"name": name, "role": role, "disabled": False}


def list_users(store: Store) -> list[dict[str, Any]]:
    return [
        {
            "name": r["name"],
            "role": r["role"],
            "disabled": bool(r["disabled"]),
            "created_at": r["created_at"],
        }
        for r in store.query("SELECT * FROM users ORDER BY name")
    ]


def active_user(store: Store, name: str) -> User:
    """The account ``name`` as a user, for what the command line does in its name (whoever
    runs the command line can read the store; the account says whose decision it is)."""
    row = _user_row(store, name)
    if row["disabled"]:
        raise ForbiddenError(f"the account {name!r} is disabled")
    return User(row["id"], row["name"], row["role"])


def _set(store: Store, name: str, **values: Any) -> None:
    from normwatch.store import team_tables as tt

    row = _user_row(store, name)
    with store.transaction() as conn:
        conn.execute(tt.users.update().where(tt.users.c.id == row["id"]).values(**values))
        if values.get("disabled"):
            conn.execute(tt.web_sessions.delete().where(tt.web_sessions.c.user_id == row["id"]))


def set_role(store: Store, name: str, role: str) -> dict[str, Any]:
    _set(store, name, role=_check_role(role))
    return {"name": name, "role": role}


def disable_user(store: Store, name: str) -> dict[str, Any]:
    """Disable an account: its sessions end, its tokens stop working (its codings stay)."""
    _set(store, name, disabled=1)
    return {"name": name, "disabled": True}


def authenticate(store: Store, name: str, password: str) -> User:
    """The user of ``name`` and ``password``; AuthError otherwise (the same message whether
    the name or the password is wrong)."""
    from argon2.exceptions import VerificationError

    rows = store.query("SELECT * FROM users WHERE name = :n", {"n": name})
    refused = AuthError("wrong user name or password")
    if not rows:
        _hasher().hash(password)  # the same work as a real check: no timing hint
        raise refused
    row = rows[0]
    try:
        _hasher().verify(row["password_hash"], password)
    except VerificationError:
        raise refused from None
    if row["disabled"]:
        raise refused
    return User(row["id"], row["name"], row["role"])


# ---------------------------------------------------------------------------- API tokens


def create_token(
    store: Store, name: str, expires: dt.date | None = None, *, today: dt.date
) -> dict[str, Any]:
    """A new API token for ``name``, valid to ``expires`` inclusive (or until revoked).
    The token itself is in the answer and nowhere else."""
    from normwatch.store import team_tables as tt

    row = _user_row(store, name)
    if expires is not None and expires < today:
        raise DataError(f"--expires {expires} is in the past")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    hashed = digest(token)
    with store.transaction() as conn:
        conn.execute(
            tt.api_tokens.insert().values(
                id=hashed[:12],
                user_id=row["id"],
                token_sha256=hashed,
                created_at=now_iso(),
                expires=expires.isoformat() if expires else None,
            )
        )
    return {"id": hashed[:12], "user": name, "expires": expires, "token": token}


def list_tokens(store: Store) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT t.*, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "ORDER BY u.name, t.created_at"
    )
    return [
        {
            "id": r["id"],
            "user": r["name"],
            "created_at": r["created_at"],
            "expires": r["expires"],
            "revoked_at": r["revoked_at"],
        }
        for r in rows
    ]


def revoke_token(store: Store, token_id: str) -> dict[str, Any]:
    """Revoke a token by its id (``tokens list``) or by the token itself."""
    from normwatch.store import team_tables as tt

    key = digest(token_id)[:12] if token_id.startswith(TOKEN_PREFIX) else token_id
    rows = store.query("SELECT id, revoked_at FROM api_tokens WHERE id = :i", {"i": key})
    if not rows:
        raise NotFoundError(f"no token {token_id!r} (see normwatch tokens list)")
    if rows[0]["revoked_at"] is None:
        with store.transaction() as conn:
            conn.execute(
                tt.api_tokens.update().where(tt.api_tokens.c.id == key).values(revoked_at=now_iso())
            )
    return {"id": key, "revoked": True}


def user_for_token(store: Store, token: str, *, today: dt.date) -> User:
    """The user an API token stands for; AuthError (saying why) when it does not."""
    rows = store.query(
        "SELECT t.expires, t.revoked_at, u.id, u.name, u.role, u.disabled FROM api_tokens t "
        "JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = :h",
        {"h": digest(token)},
    )
    if not rows:
        raise AuthError("unknown API token")
    r = rows[0]
    if r["revoked_at"] is not None:
        raise AuthError("this API token was revoked")
    if r["expires"] is not None and dt.date.fromisoformat(r["expires"]) < today:
        raise AuthError(f"this API token expired on {r['expires']}")
    if r["disabled"]:
        raise AuthError("this account is disabled")
    return User(r["id"], r["name"], r["role"])


# ---------------------------------------------------------------------------- web sessions


def open_session(store: Store, user: User, now: dt.datetime) -> tuple[str, str]:
    """A new session for ``user``: (session id, CSRF token). A new id at every log-in, so an
    id known before it (session fixation) is worth nothing after."""
    from normwatch.store import team_tables as tt

    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=SESSION_HOURS)
    with store.transaction() as conn:
        conn.execute(tt.web_sessions.delete().where(tt.web_sessions.c.expires_at < now.isoformat()))
        conn.execute(
            tt.web_sessions.insert().values(
                id_sha256=digest(sid),
                user_id=user.id,
                csrf=csrf,
                created_at=now.isoformat(),
                expires_at=expires.isoformat(),
            )
        )
    return sid, csrf


def session_user(store: Store, sid: str, now: dt.datetime) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session, or None."""
    rows = store.query(
        "SELECT s.csrf, s.expires_at, u.id, u.name, u.role, u.disabled FROM web_sessions s "
        "JOIN users u ON u.id = s.user_id WHERE s.id_sha256 = :h",
        {"h": digest(sid)},
    )
    if not rows or rows[0]["disabled"] or rows[0]["expires_at"] < now.isoformat():
        return None
    r = rows[0]
    return User(r["id"], r["name"], r["role"]), r["csrf"]


def close_session(store: Store, sid: str) -> None:
    from normwatch.store import team_tables as tt

    with store.transaction() as conn:
        conn.execute(tt.web_sessions.delete().where(tt.web_sessions.c.id_sha256 == digest(sid)))
