"""Store migrations: a store written by the previous release is refused until upgraded, and the
upgrade keeps every row (the file was written by that release: scripts/make_old_store.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from clirun import run
from normwatch.store.migrations import SCHEMA_VERSION

OLD = Path(__file__).parent / "fixtures" / "stores" / "release-cfd1606.sqlite"


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(OLD, path)
    return path


def _rows(path: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(repr(r) for r in con.execute(f"SELECT * FROM {n}")) for n in names}
    finally:
        con.close()


def test_an_old_store_is_refused_in_one_line_and_left_unchanged(
    old_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashlib.sha256(old_store.read_bytes()).hexdigest()
    code, out, err = run(capsys, "--db", str(old_store), "counts", "ccm")
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "schema version 1" in err and "normwatch db upgrade" in err
    assert hashlib.sha256(old_store.read_bytes()).hexdigest() == before


def test_db_upgrade_brings_an_old_store_to_the_current_schema_with_nothing_lost(
    old_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _rows(old_store)
    code, out, err = run(capsys, "--db", str(old_store), "db", "upgrade")
    assert code == 0, err
    assert f"schema version {SCHEMA_VERSION}" in out
    after = _rows(old_store)
    for table, rows in before.items():
        if table == "meta":
            continue
        # columns may be added, never rows lost: every old row's values are still there
        assert len(after[table]) >= len(rows), table
        if table not in ("treaties", "actions", "action_sources", "sources", "state_aliases"):
            assert len(after[table]) == len(rows), table  # only bundled facts are added
    # the treaties the old release did not have come with their bundled acts
    code, out, err = run(
        capsys, "--db", str(old_store), "counts", "ctbt", "--on", "2026-02-03", "--format", "json"
    )
    assert code == 0, err
    assert '"parties": 178' in out
    # the old release's own facts may fail today's checks; the added treaties do not
    _, out, _ = run(capsys, "--db", str(old_store), "check", "--format", "json")
    added = ("enmod", "ccw", "cwc", "ctbt", "att", "tpnw")
    assert not [p for p in json.loads(out) if p["message"].startswith(added)]
    code, out, err = run(
        capsys, "--db", str(old_store), "meetings", "show", "ccm-test-msp", "--format", "json"
    )
    assert code == 0, err
    assert "ccm-test-msp" in out
    code, out, _ = run(capsys, "--db", str(old_store), "db", "version", "--format", "json")
    assert f'"schema_version": {SCHEMA_VERSION}' in out


def test_upgrading_a_current_store_does_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "new.sqlite")
    assert run(capsys, "--db", db, "counts", "ccm")[0] == 0
    code, out, _ = run(capsys, "--db", db, "db", "upgrade")
    assert code == 0
    assert "nothing to do" in out


def test_a_store_of_a_newer_release_is_refused(
    old_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = sqlite3.connect(old_store)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    for args in (("counts", "ccm"), ("db", "upgrade")):
        code, _, err = run(capsys, "--db", str(old_store), *args)
        assert code != 0
        assert "newer normwatch" in err
