"""Writers killed in the middle of an import, and writers at the same time: the store always
opens, holds either everything an import wrote or nothing of it, and no writer's work is lost."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robust_tally import LONG, trial

from mtdsg_export import export_mtdsg
from normwatch.store.db import open_store

SRC = str(Path(__file__).resolve().parents[2] / "src")
TABLES = ("actions", "action_sources", "sources", "imports", "import_journal", "codings")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["NORMWATCH_BUSY_TIMEOUT"] = "300"  # a loaded machine: a writer may wait long
    return env


def _cli(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "normwatch", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        con.close()


def _status_file(db: Path, folder: Path, extra: str) -> Path:
    """The store's CCM listing with one (fictional) accession added."""
    store = open_store(str(db))
    names = {s.code: s.name for s in store.registry().states}
    data = export_mtdsg(
        store.actions("ccm"), names, extra_rows=[(extra, "", "", "12 Jun\t 2026 a")]
    )
    path = folder / "XXVI-6.en.xml"
    path.write_bytes(data)
    return path


@pytest.fixture()
def db(bundled_db: str, tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    shutil.copy(bundled_db, path)
    return path


def test_an_import_killed_at_any_moment_leaves_all_or_nothing(db: Path, tmp_path: Path) -> None:
    status = _status_file(db, tmp_path, "Tuvalu")
    done = tmp_path / "done.sqlite"
    shutil.copy(db, done)
    started = time.monotonic()
    finished = _cli(done, "import", "untc", str(status))
    assert finished.wait(timeout=300) == 0, finished.stderr.read() if finished.stderr else ""
    full = time.monotonic() - started  # kills are spread over the time a whole import takes
    before, after = _rows(db), _rows(done)
    assert before != after
    pristine = db.read_bytes()
    rng = random.Random(12)
    for _ in range(30 if LONG else 1):
        db.write_bytes(pristine)
        for leftover in ("-journal", "-wal"):
            Path(f"{db}{leftover}").unlink(missing_ok=True)
        with trial("imports killed while writing") as case:
            proc = _cli(db, "import", "untc", str(status))
            time.sleep(rng.uniform(0.4, 1.0) * full)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            reads = _cli(db, "counts", "ccm")
            assert reads.wait(timeout=120) == 0, reads.stderr.read() if reads.stderr else ""
            now = _rows(db)
            assert now in (before, after)
            # counted as accepted when the import had committed, refused when nothing was
            case.accepted() if now == after else case.refused()


def test_writers_at_the_same_time_each_wait_and_none_is_lost(db: Path, tmp_path: Path) -> None:
    ccm = _status_file(db, tmp_path, "Tuvalu")
    first, second = (
        r["id"]
        for r in open_store(str(db)).query(
            "SELECT id FROM statements WHERE meeting_id = 'ccm-12msp' ORDER BY id LIMIT 2"
        )
    )
    rounds = 10 if LONG else 1
    for _ in range(rounds):
        with trial("writers at the same time") as case:
            procs = [
                _cli(db, "import", "untc", str(ccm)),
                _cli(db, "code", "set", first, "concern", "--coder", "robust"),
                _cli(db, "code", "set", second, "mention", "--coder", "other"),
            ]
            results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
            assert all(code == 0 for code, _ in results), results
            store = open_store(str(db))
            assert any(a.state == "TUV" for a in store.actions("ccm"))
            coded = store.query(
                "SELECT statement_id, coder FROM codings WHERE coder IN "
                "('human:robust', 'human:other') ORDER BY coder"
            )
            assert [(r["statement_id"], r["coder"]) for r in coded] == [
                (second, "human:other"),
                (first, "human:robust"),
            ]
            case.accepted()
