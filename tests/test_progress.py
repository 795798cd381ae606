"""Progress on the CLI: the long operations report their progress to a callback, and a bar is
drawn on stderr only when stderr is a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from clirun import run
from mtdsg_export import export_mtdsg
from normwatch.cli._progress import progress_bar, wants_progress
from normwatch.service.codings import auto_code
from normwatch.service.export import export
from normwatch.sources.untc.importer import import_untc_files
from normwatch.store.db import Store, open_store
from test_web_support import MEETING, make_web_db

ROOT = Path(__file__).resolve().parents[1]
Calls = list[tuple[str, int, int]]


def recorder() -> tuple[Calls, Callable[[str, int, int], None]]:
    calls: Calls = []

    def progress(step: str, done: int, total: int) -> None:
        calls.append((step, done, total))

    return calls, progress


def status_files(store: Store, folder: Path) -> list[str]:
    """Two status files of the CCM (its acts as in the store), as two saved copies."""
    names = {s.code: s.name for s in store.registry().states}
    data = export_mtdsg(store.actions("ccm"), names)
    out = []
    for name in ("first", "second"):
        path = folder / f"{name}-XXVI-6.en.xml"
        path.write_bytes(data)
        out.append(str(path))
    return out


def assert_counts_up(calls: Calls, step: str, total: int) -> None:
    mine = [(d, t) for s, d, t in calls if s == step]
    assert mine == [(i, total) for i in range(total + 1)], calls


def copy_of(bundled_db: str, tmp_path: Path) -> str:
    target = tmp_path / "store.sqlite"
    target.write_bytes(Path(bundled_db).read_bytes())
    return str(target)


def test_importing_several_status_files_reports_each_file_read_and_applied(
    bundled_db: str, tmp_path: Path
) -> None:
    store = open_store(copy_of(bundled_db, tmp_path))
    files = status_files(store, tmp_path)
    calls, progress = recorder()
    reports = import_untc_files(store, files, progress=progress)
    assert [r.treaty for r in reports] == ["ccm", "ccm"]
    assert_counts_up(calls, "reading", 2)
    assert_counts_up(calls, "applying", 2)
    assert calls.index(("reading", 2, 2)) < calls.index(("applying", 0, 2))


def test_a_dry_run_reports_checking_not_applying(bundled_db: str, tmp_path: Path) -> None:
    store = open_store(copy_of(bundled_db, tmp_path))
    calls, progress = recorder()
    import_untc_files(store, status_files(store, tmp_path), dry_run=True, progress=progress)
    assert_counts_up(calls, "checking", 2)
    assert not [c for c in calls if c[0] == "applying"]


def test_code_auto_reports_each_statement(tmp_path: Path) -> None:
    store = open_store(make_web_db(tmp_path))
    calls, progress = recorder()
    report = auto_code(store, MEETING, progress=progress)
    n = len(store.query("SELECT id FROM statements WHERE meeting_id = :m", {"m": MEETING}))
    assert n == 3 and report["statements"] <= n
    assert_counts_up(calls, "coding", n)


def test_export_reports_each_table_and_the_sqlite_file(bundled_db: str, tmp_path: Path) -> None:
    calls, progress = recorder()
    written = export(open_store(bundled_db), tmp_path, ["csv", "sqlite"], progress=progress)
    tables = len([w for w in written if w["format"] == "csv"])
    assert_counts_up(calls, "writing", tables + 1)


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(
    bundled_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_of(bundled_db, tmp_path)
    code, out, err = run(capsys, "--db", db, "export", str(tmp_path / "out"), "--format", "csv")
    assert (code, err) == (0, "") and out.endswith(
        "files written to " + str(tmp_path / "out") + "\n"
    )
    files = status_files(open_store(db), tmp_path)
    code, out, err = run(capsys, "--db", db, "import", "untc", *files)
    assert (code, err) == (0, "")
    with progress_bar("x") as progress:  # capsys's stderr is no terminal
        assert progress is None


def read_all(fd: int, timeout: float = 5.0) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def test_a_bar_is_drawn_on_a_terminal() -> None:
    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "w", encoding="utf-8", closefd=False) as tty:
            assert wants_progress(tty)
            with progress_bar("export", tty) as progress:
                assert progress is not None
                progress("writing", 3, 10)
        drawn = read_all(master, timeout=0.5).decode("utf-8", "replace")
    finally:
        os.close(master)
        os.close(slave)
    assert "export: writing" in drawn and "3/10" in drawn


def test_export_on_a_terminal_draws_on_stderr_and_leaves_stdout_alone(
    bundled_db: str, tmp_path: Path
) -> None:
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "normwatch",
                "--db",
                copy_of(bundled_db, tmp_path),
                "export",
                str(tmp_path / "out"),
                "--format",
                "csv,json",
            ],
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
        )
        os.close(slave)
        drawn = read_all(master, timeout=30).decode("utf-8", "replace")
        out, _ = proc.communicate(timeout=60)
    finally:
        os.close(master)
    assert proc.returncode == 0
    assert out.decode().startswith(f"{len(list((tmp_path / 'out').iterdir()))} files written")
    assert "export: writing" in drawn
