"""Shared set-up for the team-coding tests (no tests here): the web tests' store with four
accounts, and helpers to log in through the real form."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from normwatch.service import accounts
from normwatch.store.db import open_store
from test_web_support import make_web_db

PASSWORDS = {
    "carol": ("coder", "carol-password-1"),
    "dora": ("coder", "dora-password-1"),
    "rita": ("reviewer", "rita-password-1"),
    "vic": ("viewer", "vic-password-1"),
}


def make_team_db(root: Path) -> str:
    db = make_web_db(root)
    store = open_store(db)
    for name, (role, password) in PASSWORDS.items():
        accounts.add_user(store, name, role, password)
    return db


def token_for(db: str, name: str, expires: dt.date | None = None) -> str:
    made = accounts.create_token(open_store(db), name, expires, today=dt.date(2000, 1, 1))
    token: str = made["token"]
    return token


def form_token(html: str, last: bool = False) -> str:
    """The CSRF token of the page's first form (``last``: of its last form)."""
    found = re.findall(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return str(found[-1] if last else found[0])


def log_in(client: TestClient, name: str, *, next: str = "/") -> str:
    """Log ``name`` in through the form; the session's CSRF token (from the coding page)."""
    token = form_token(client.get("/login").text)
    password = PASSWORDS[name][1]
    r = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": token, "next": next},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return form_token(client.get("/login").text, last=True)  # the log-out form's
