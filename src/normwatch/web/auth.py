"""Who is asking: an API token (``Authorization: Bearer TOKEN``) or a signed session cookie.

Anonymous requests cost nothing here: without the header and the cookie no query is made, so
the read-only site and API answer as fast as before. The session cookie holds a random id,
signed with the site's secret (``NORMWATCH_SECRET_KEY``, else one kept in the store's ``meta``
table); the store keeps only its digest, with the session's CSRF token. It is ``HttpOnly``,
``SameSite=Lax`` and ``Secure`` when the request came over HTTPS (behind a proxy, run
uvicorn with ``--proxy-headers`` so that the scheme is the client's). Every form carries the
CSRF token; a form posted without it, or with another session's, is refused (403).

Log-in attempts are limited per client address and per name (:class:`LoginLimiter`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response

from normwatch.errors import AuthError, ForbiddenError
from normwatch.service import accounts
from normwatch.service.accounts import User
from normwatch.store.team_tables import SESSION_SECRET_KEY

if TYPE_CHECKING:
    from itsdangerous import Signer

    from normwatch.store.db import Store

SESSION_COOKIE = "nw_session"
LOGIN_COOKIE = "nw_login"
SECRET_ENV = "NORMWATCH_SECRET_KEY"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def site_secret(store: Store) -> str:
    """The key that signs cookies: ``NORMWATCH_SECRET_KEY``, else one made once and kept in
    the store (so every worker and every restart shares it)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env
    rows = store.query("SELECT value FROM meta WHERE key = :k", {"k": SESSION_SECRET_KEY})
    if rows:
        return str(rows[0]["value"])
    from normwatch.store import schema as t

    made = secrets.token_urlsafe(48)
    with store.transaction() as conn:
        found = conn.execute(t.meta.select().where(t.meta.c.key == SESSION_SECRET_KEY)).first()
        if found is not None:
            return str(found.value)
        conn.execute(t.meta.insert().values(key=SESSION_SECRET_KEY, value=made))
    return made


def _signer(request: Request, salt: str) -> Signer:
    from itsdangerous import Signer

    state = request.app.state
    if getattr(state, "secret", None) is None:
        state.secret = site_secret(state.site.store)
    return Signer(state.secret, salt=salt)


def _unsign(request: Request, salt: str, value: str | None) -> str | None:
    from itsdangerous import BadSignature

    if not value:
        return None
    try:
        return _signer(request, salt).unsign(value).decode()
    except BadSignature:
        return None


def current(request: Request) -> tuple[User, str | None] | None:
    """(user, CSRF token of the session, or None for a token) of the request, or None when it
    is anonymous. A bad, expired or revoked token is an AuthError, never anonymity."""
    if hasattr(request.state, "auth"):
        found: tuple[User, str | None] | None = request.state.auth
        return found
    store = request.app.state.site.store
    header = request.headers.get("authorization", "")
    result: tuple[User, str | None] | None = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization must be 'Bearer TOKEN'")
        result = (accounts.user_for_token(store, token.strip(), today=dt.date.today()), None)
    else:
        sid = _unsign(request, SESSION_COOKIE, request.cookies.get(SESSION_COOKIE))
        if sid is not None:
            found = accounts.session_user(store, sid, now())
            result = (found[0], found[1]) if found else None
    request.state.auth = result
    return result


def authenticated(request: Request, role: str) -> User:
    """The user of the request if its role is ``role`` or above: AuthError (401) when
    anonymous, ForbiddenError (403) for a lower role."""
    found = current(request)
    if found is None:
        raise AuthError("log in first: this needs an account (a session or an API token)")
    user = found[0]
    if not user.can(role):
        raise ForbiddenError(f"{user.name} is a {user.role}; this needs a {role} or above")
    return user


def check_csrf(request: Request, csrf: str | None) -> None:
    """A write by a session (not a token) must send the session's CSRF token: the form's
    ``csrf`` field or the ``X-CSRF-Token`` header; ForbiddenError (403) otherwise."""
    found = current(request)
    session_csrf = found[1] if found else None
    if session_csrf is None:
        return
    sent = csrf or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(sent.encode(), session_csrf.encode()):
        raise ForbiddenError("the form's CSRF token is missing or wrong: reload the page")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """Send ``value`` signed in the cookie ``name`` (read back by :func:`_unsign`)."""
    response.set_cookie(
        name,
        _signer(request, name).sign(value).decode(),
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def start_session(request: Request, response: Response, user: User) -> None:
    """A new session id for ``user`` (never one the browser had before: no fixation)."""
    store = request.app.state.site.store
    old = _unsign(request, SESSION_COOKIE, request.cookies.get(SESSION_COOKIE))
    if old is not None:
        accounts.close_session(store, old)
    sid, _ = accounts.open_session(store, user, now())
    set_cookie(request, response, SESSION_COOKIE, sid, accounts.SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(request: Request, response: Response) -> None:
    sid = _unsign(request, SESSION_COOKIE, request.cookies.get(SESSION_COOKIE))
    if sid is not None:
        accounts.close_session(request.app.state.site.store, sid)
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_token(request: Request) -> str:
    """The log-in form's CSRF token: the one in the browser's log-in cookie, or a new one
    (then :func:`set_cookie` must send it)."""
    return _unsign(request, LOGIN_COOKIE, request.cookies.get(LOGIN_COOKIE)) or (
        secrets.token_urlsafe(24)
    )


def check_login_token(request: Request, sent: str) -> None:
    expected = _unsign(request, LOGIN_COOKIE, request.cookies.get(LOGIN_COOKIE))
    if expected is None or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise ForbiddenError("the log-in form's CSRF token is missing or wrong: reload the page")


class LoginLimiter:
    """At most ``attempts`` failed log-ins per client address and per name in ``window``
    seconds; beyond that, log-in is refused (429) until the oldest failure ages out."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= at - self.window:
            q.popleft()
        return q

    def wait(self, *keys: str) -> float:
        """Seconds to wait before another attempt (0: go ahead)."""
        at = time.monotonic()
        with self._lock:
            waits = [
                q[0] + self.window - at
                for q in (self._recent(k, at) for k in keys)
                if len(q) >= self.attempts
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        at = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, at).append(at)
