"""``normwatch export``: every table in four formats, described by a valid Data Package."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from clirun import run
from normwatch.cli.main import main
from normwatch.service.export import collect
from normwatch.store.db import open_store

#: tables that hold accounts and secrets: never exported
PRIVATE = {"users", "api_tokens", "web_sessions"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp("export")
    db = str(root / "t.sqlite")
    out = root / "out"
    with pytest.raises(SystemExit) as exc:
        main(["--db", db, "export", str(out), "--format", "csv,json,parquet,sqlite"])
    assert exc.value.code == 0
    return db, out


def test_every_table_is_written_with_its_rows(exported: tuple[str, Path]) -> None:
    db, out = exported
    store = open_store(db)
    tables = {
        r["name"]
        for r in store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    } - PRIVATE
    for table in tables:
        with (out / f"{table}.csv").open(encoding="utf-8") as f:
            assert sum(1 for _ in csv.DictReader(f)) == store.count(table), table
        rows = json.loads((out / f"{table}.json").read_text(encoding="utf-8"))
        assert len(rows) == store.count(table)
        assert (out / f"{table}.parquet").is_file()
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in package["resources"]}
    assert tables | {"status_periods", "normwatch-sqlite"} <= names


def test_frictionless_accepts_the_data_package(exported: tuple[str, Path]) -> None:
    from frictionless import validate

    _, out = exported
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]
    assert len(report.tasks) > 20


def test_frictionless_catches_a_changed_file(exported: tuple[str, Path], tmp_path: Path) -> None:
    import shutil

    from frictionless import validate

    _, out = exported
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with (copy / "states.csv").open("a", encoding="utf-8") as f:
        f.write("XXX,XX,Nowhere,un_member,,https://example.org\n")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid


def test_status_periods_give_lithuanias_withdrawal(exported: tuple[str, Path]) -> None:
    _, out = exported
    con = sqlite3.connect(out / "normwatch.sqlite")
    rows = con.execute(
        "SELECT status, start, end, effective FROM status_periods "
        "WHERE treaty = 'ccm' AND state = 'LTU' ORDER BY start"
    ).fetchall()
    assert rows[-2:] == [
        ("withdrawing", "2024-09-06", "2025-03-06", "2025-03-06"),
        ("withdrawn", "2025-03-06", None, "2025-03-06"),
    ]
    n = con.execute("SELECT COUNT(*) FROM actions").fetchone()[0]
    assert n == open_store(exported[0]).count("actions")


def test_parquet_has_typed_columns(exported: tuple[str, Path]) -> None:
    import pyarrow.parquet as pq

    _, out = exported
    table = pq.read_table(out / "status_periods.parquet")
    assert str(table.schema.field("start").type) == "date32[day]"
    assert table.num_rows == len(collect(open_store(exported[0]))[-1].rows)


def test_unknown_format_is_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys,
        "--db",
        str(tmp_path / "t.sqlite"),
        "export",
        str(tmp_path / "o"),
        "--format",
        "csv,xlsx",
    )
    assert code == 1 and err.strip() == (
        "error: unknown export format 'xlsx' (known: csv, json, parquet, sqlite)"
    )


def test_default_formats_need_no_pyarrow(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--db", str(tmp_path / "t.sqlite"), "export", str(tmp_path / "o"))
    assert code == 0 and "files written" in out
    assert not list((tmp_path / "o").glob("*.parquet"))
    assert (tmp_path / "o" / "normwatch.sqlite").is_file()


def test_accounts_tokens_sessions_and_the_signing_key_are_never_exported(tmp_path: Path) -> None:
    import datetime as dt

    from normwatch.service import accounts
    from normwatch.web.auth import site_secret

    db = str(tmp_path / "team.sqlite")
    store = open_store(db)
    accounts.add_user(store, "ana", "admin", "ana-password-1")
    token = accounts.create_token(store, "ana", None, today=dt.date(2026, 1, 1))["token"]
    user = accounts.authenticate(store, "ana", "ana-password-1")
    sid, csrf = accounts.open_session(store, user, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    secret = site_secret(store)
    hashed = store.query("SELECT password_hash FROM users")[0]["password_hash"]
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["--db", db, "export", str(out), "--format", "csv,json,sqlite"])
    assert exc.value.code == 0
    names = {p.name for p in out.iterdir()}
    assert not {f"{t}.{ext}" for t in PRIVATE for ext in ("csv", "json")} & names
    meta = {r["key"] for r in json.loads((out / "meta.json").read_text(encoding="utf-8"))}
    assert "schema_version" in meta and "session_secret" not in meta
    copy = sqlite3.connect(out / "normwatch.sqlite")
    copied = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    copy.close()
    assert "meta" in copied and not PRIVATE & copied
    package = (out / "datapackage.json").read_text(encoding="utf-8")
    for leaked in (hashed, accounts.digest(token), accounts.digest(sid), csrf, secret):
        for path in out.iterdir():
            assert leaked.encode() not in path.read_bytes(), path.name
    assert "password_hash" not in package


def test_the_sites_data_downloads_hold_no_account_or_secret(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from team_support import log_in, make_team_db
    from test_web_support import web_app

    db = make_team_db(tmp_path)
    with TestClient(web_app(db)) as client:  # type: ignore[arg-type]
        log_in(client, "rita")  # a session and the signing key now exist in the store
        for table in sorted(PRIVATE):
            assert client.get(f"/data/{table}.csv").status_code == 404
        meta = client.get("/data/meta.csv").text
        assert "schema_version" in meta and "session_secret" not in meta
        copy_path = tmp_path / "copy.sqlite"
        copy_path.write_bytes(client.get("/data/normwatch.sqlite").content)
    copy = sqlite3.connect(copy_path)
    copied = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    copy.close()
    assert "statements" in copied and not PRIVATE & copied
