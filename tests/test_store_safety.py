"""The SQLite store survives a killed writer, waits for a busy one, and is never exported over."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clirun import run
from normwatch.store.db import open_store

SRC = str(Path(__file__).resolve().parents[1] / "src")

# Deletes every action inside one transaction, says so, then holds the transaction open.
# The tiny page cache makes SQLite spill the changes into the database file, so that a
# kill leaves a hot journal that has to be rolled back.
_HOLDER = """
import sys, time
from sqlalchemy import text
from normwatch.store.db import open_store
store = open_store(sys.argv[1])
with store.transaction() as conn:
    conn.exec_driver_sql("PRAGMA cache_size=2")
    conn.execute(text("DELETE FROM action_sources"))
    conn.execute(text("DELETE FROM actions"))
    print("inside", flush=True)
    time.sleep(float(sys.argv[2]))
print("committed", flush=True)
"""


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _holder(db: str, seconds: float, **env: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, db, str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(**env),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "inside"
    return proc


def _cli(db: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "normwatch", "--db", db, *args],
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=120,
    )


@pytest.fixture()
def own_db(bundled_db: str, tmp_path: Path) -> str:
    path = tmp_path / "store" / "normwatch.sqlite"
    path.parent.mkdir()
    shutil.copy(bundled_db, path)
    return str(path)


def test_reads_work_and_data_is_unchanged_after_a_writer_is_killed(own_db: str) -> None:
    before_counts = _cli(own_db, "counts", "ccm")
    before_check = _cli(own_db, "check")
    assert before_counts.returncode == 0, before_counts.stderr
    actions = open_store(own_db).count("actions")
    assert actions > 0

    proc = _holder(own_db, 60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert Path(own_db + "-journal").exists()  # a hot journal is left behind

    after_counts = _cli(own_db, "counts", "ccm")
    assert after_counts.returncode == 0, after_counts.stderr
    assert after_counts.stdout == before_counts.stdout
    after_check = _cli(own_db, "check")
    assert "readonly" not in after_check.stderr
    assert after_check.returncode == before_check.returncode
    assert after_check.stdout == before_check.stdout
    assert open_store(own_db).count("actions") == actions


def test_a_second_writer_waits_for_the_first_instead_of_failing(own_db: str) -> None:
    first = _holder(own_db, 6)  # longer than sqlite3's own 5 s default
    second = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, own_db, "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    out2, err2 = second.communicate(timeout=60)
    out1, _ = first.communicate(timeout=60)
    assert "committed" in out1
    assert second.returncode == 0, err2
    assert "committed" in out2


def test_a_second_writer_gives_up_after_the_configured_busy_timeout(own_db: str) -> None:
    first = _holder(own_db, 5)
    try:
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-c", _HOLDER, own_db, "0"],
            capture_output=True,
            text=True,
            env=_env(NORMWATCH_BUSY_TIMEOUT="0.2"),
            timeout=60,
        )
        assert time.monotonic() - started < 4.5
        assert second.returncode != 0
        assert "database is locked" in second.stderr
    finally:
        first.kill()
        first.wait()


def test_a_bad_busy_timeout_is_one_clear_error(
    own_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NORMWATCH_BUSY_TIMEOUT", "soon")
    code, _, err = run(capsys, "--db", own_db, "counts", "ccm")
    assert code != 0
    assert "NORMWATCH_BUSY_TIMEOUT must be a number of seconds, not 'soon'" in err


@pytest.mark.parametrize("fmt", ["sqlite", "csv"])
def test_export_into_the_stores_own_folder_is_refused_and_the_store_kept(
    own_db: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(own_db).parent
    before = Path(own_db).read_bytes()
    if fmt == "csv":  # a store named like an exported CSV file
        csv_db = folder / "actions.csv"
        Path(own_db).rename(csv_db)
        own_db = str(csv_db)
    code, _, err = run(capsys, "--db", own_db, "export", str(folder), "--format", fmt)
    assert code != 0
    assert "is the store itself" in err
    assert Path(own_db).read_bytes() == before
    assert not (folder / "datapackage.json").exists()


def test_export_next_to_the_store_under_other_names_still_works(
    own_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(own_db).parent
    code, _, err = run(capsys, "--db", own_db, "export", str(folder), "--format", "csv")
    assert code == 0, err
    assert (folder / "actions.csv").is_file()
    assert open_store(own_db).count("actions") > 0
