"""Writers killed in the middle of an import, and writers at the same time: the store always
opens, holds either everything an import wrote or nothing of it, and no writer's work is lost."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
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
    return _cli_url(str(db), *args)


def _cli_url(db: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "normwatch", "--db", db, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables an import writes, its times of writing blanked (two runs of
    the same import differ only in them; the journal's digest covers them too)."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for t in TABLES:
            rows = con.execute(f"SELECT * FROM {t}").fetchall()
            if t == "import_journal":
                rows = [r[:3] for r in rows]  # id, importer, label
            out[t] = sorted(
                (tuple(_STAMP.sub("T", v) if isinstance(v, str) else v for v in r) for r in rows),
                key=repr,
            )
        return out
    finally:
        con.close()


def _status_file(db: Path | str, folder: Path, extra: str) -> Path:
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


# -- the same on PostgreSQL ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    """A throw-away PostgreSQL server holding a database ``pristine`` with the bundled data,
    the template each trial's database is copied from; its URL (of the ``postgres`` one)."""
    from sqlalchemy import create_engine, text

    from pg_cluster import cluster, server_bin

    if server_bin() is None:
        pytest.skip("no PostgreSQL server installed (apt-get install postgresql)")
    with cluster(port=54333) as url:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE pristine"))
        admin.dispose()
        open_store(_pg_db(url, "pristine")).engine.dispose()  # a template has no sessions
        yield url


def _pg_db(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _pg_fresh(admin_url: str) -> str:
    """A database ``trial`` copied from ``pristine`` (any previous one dropped): its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS trial WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE trial TEMPLATE pristine"))
    admin.dispose()
    return _pg_db(admin_url, "trial")


def _pg_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """:func:`_rows` of a PostgreSQL store."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for t in TABLES:
                rows = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}"))]
                if t == "import_journal":
                    rows = [r[:3] for r in rows]
                out[t] = sorted(
                    (
                        tuple(_STAMP.sub("T", v) if isinstance(v, str) else v for v in r)
                        for r in rows
                    ),
                    key=repr,
                )
            return out
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_an_import_killed_at_any_moment_leaves_all_or_nothing_on_postgresql(
    pg_admin: str, tmp_path: Path
) -> None:
    db = _pg_fresh(pg_admin)
    status = _status_file(db, tmp_path, "Tuvalu")
    before = _pg_rows(db)
    started = time.monotonic()
    finished = _cli_url(db, "import", "untc", str(status))
    assert finished.wait(timeout=300) == 0, finished.stderr.read() if finished.stderr else ""
    full = time.monotonic() - started
    after = _pg_rows(db)
    assert before != after
    rng = random.Random(12)
    for _ in range(30 if LONG else 1):
        db = _pg_fresh(pg_admin)
        with trial("imports killed while writing (PostgreSQL)") as case:
            proc = _cli_url(db, "import", "untc", str(status))
            time.sleep(rng.uniform(0.4, 1.0) * full)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            reads = _cli_url(db, "counts", "ccm")
            assert reads.wait(timeout=120) == 0, reads.stderr.read() if reads.stderr else ""
            now = _pg_rows(db)
            assert now in (before, after)
            case.accepted() if now == after else case.refused()


@pytest.mark.postgres
def test_writers_at_the_same_time_each_wait_and_none_is_lost_on_postgresql(
    pg_admin: str, tmp_path: Path
) -> None:
    db = _pg_fresh(pg_admin)
    ccm = _status_file(db, tmp_path, "Tuvalu")
    first, second = (
        r["id"]
        for r in open_store(db).query(
            "SELECT id FROM statements WHERE meeting_id = 'ccm-12msp' ORDER BY id LIMIT 2"
        )
    )
    for _ in range(10 if LONG else 1):
        with trial("writers at the same time (PostgreSQL)") as case:
            procs = [
                _cli_url(db, "import", "untc", str(ccm)),
                _cli_url(db, "code", "set", first, "concern", "--coder", "robust"),
                _cli_url(db, "code", "set", second, "mention", "--coder", "other"),
            ]
            results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
            assert all(code == 0 for code, _ in results), results
            store = open_store(db)
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
