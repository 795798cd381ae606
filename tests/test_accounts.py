"""Accounts, roles and API tokens: the users and tokens commands and what the store keeps."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest

from clirun import run
from normwatch.errors import AuthError, DataError
from normwatch.service import accounts
from normwatch.store.db import Store, open_store
from normwatch.store.migrations import SCHEMA_VERSION

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "team.sqlite")
    open_store(path)
    return path


def add(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: str,
    name: str,
    role: str,
    password: str = PASSWORD,
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return run(capsys, "--db", db, "users", "add", name, "--role", role, "--password-stdin")


def test_users_add_stores_an_argon2_hash_never_the_password(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = add(capsys, monkeypatch, db, "alice", "admin")
    assert code == 0, err
    con = sqlite3.connect(db)
    (stored,) = con.execute("SELECT password_hash FROM users WHERE name = 'alice'").fetchone()
    con.close()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    store = open_store(db)
    assert accounts.authenticate(store, "alice", PASSWORD).role == "admin"
    with pytest.raises(AuthError):
        accounts.authenticate(store, "alice", PASSWORD + "x")


def test_users_list_set_role_and_disable(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert add(capsys, monkeypatch, db, "bob", "coder")[0] == 0
    assert run(capsys, "--db", db, "users", "set-role", "bob", "reviewer")[0] == 0
    _code, out, _ = run(capsys, "--db", db, "users", "list", "--format", "csv")
    assert "bob,reviewer,false" in out
    assert run(capsys, "--db", db, "users", "disable", "bob")[0] == 0
    _, out, _ = run(capsys, "--db", db, "users", "list", "--format", "csv")
    assert "bob,reviewer,true" in out
    with pytest.raises(AuthError):
        accounts.authenticate(open_store(db), "bob", PASSWORD)


def test_a_short_password_an_unknown_role_or_a_taken_name_is_refused(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = add(capsys, monkeypatch, db, "carol", "coder", "short")
    assert code != 0 and "at least 10 characters" in err
    assert add(capsys, monkeypatch, db, "carol", "coder")[0] == 0
    code, _, err = add(capsys, monkeypatch, db, "carol", "coder")
    assert code != 0 and "exists already" in err
    with pytest.raises(DataError, match="unknown role"):
        accounts.set_role(open_store(db), "carol", "boss")


def test_a_token_is_printed_once_stored_hashed_and_stops_when_revoked_or_expired(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert add(capsys, monkeypatch, db, "dan", "coder")[0] == 0
    code, out, err = run(capsys, "--db", db, "tokens", "create", "dan")
    assert code == 0, err
    token = out.strip()
    assert token.startswith(accounts.TOKEN_PREFIX) and "not shown again" in err
    con = sqlite3.connect(db)
    assert token not in repr(con.execute("SELECT * FROM api_tokens").fetchall())
    con.close()
    store = open_store(db)
    today = dt.date.today()
    assert accounts.user_for_token(store, token, today=today).name == "dan"
    assert run(capsys, "--db", db, "tokens", "revoke", token)[0] == 0
    with pytest.raises(AuthError, match="revoked"):
        accounts.user_for_token(store, token, today=today)
    dated = accounts.create_token(store, "dan", today, today=today)["token"]
    assert accounts.user_for_token(store, dated, today=today).name == "dan"
    with pytest.raises(AuthError, match="expired"):
        accounts.user_for_token(store, dated, today=today + dt.timedelta(days=1))


def test_a_version_3_store_gains_the_team_tables_on_upgrade(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # a store as release 3 wrote it: without the team tables and the codings' version
    con = sqlite3.connect(db)
    for table in ("users", "api_tokens", "web_sessions", "coding_history", "double_codings"):
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE codings DROP COLUMN version")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.commit()
    codings = con.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    con.close()
    code, _, err = run(capsys, "--db", db, "users", "list")
    assert code != 0 and "schema version 3" in err
    code, out, err = run(capsys, "--db", db, "db", "upgrade")
    assert code == 0, err
    assert "3 → 4" in out and "table users created" in out and "codings.version added" in out
    store = Store(open_store(db).url)
    rows = store.query("SELECT version FROM codings")
    assert len(rows) == codings and {r["version"] for r in rows} <= {1}
    assert store.query("SELECT value FROM meta WHERE key='schema_version'")[0]["value"] == str(
        SCHEMA_VERSION
    )
