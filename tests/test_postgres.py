"""The same store code on a real PostgreSQL server.

The tests start a throw-away PostgreSQL cluster (Debian's ``postgresql`` package) on a Unix
socket in a temporary folder, or use ``NORMWATCH_TEST_PG_URL`` when set. Without either they
are skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from normwatch import catalog
from normwatch.errors import DataError
from normwatch.store.db import open_store

pytestmark = pytest.mark.postgres


def _as_postgres_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # the server refuses to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    url = os.environ.get("NORMWATCH_TEST_PG_URL")
    if url:
        yield url
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("no PostgreSQL server installed (apt-get install postgresql)")
    bindir = Path(bins[-1]).parent
    # not under pytest's own temp folder, which the postgres user cannot enter
    root = Path(tempfile.mkdtemp(prefix="normwatch-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run(
        _as_postgres_user(
            [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "normwatch"]
        ),
        check=True,
        capture_output=True,
    )
    port = "54329"
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-w",
                "-l",
                str(root / "log"),
                "-o",
                f"-p {port} -k {sock} -c listen_addresses=''",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://normwatch@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run(
            _as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def pg_url(pg_server: str) -> Iterator[str]:
    """A clean database for each test."""
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_server)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield pg_server


def test_a_postgresql_store_reproduces_the_reference_counts(pg_url: str) -> None:
    store = open_store(pg_url)
    assert store.count("states") == 197
    for ref in store.reference_counts():
        got = store.view(ref["treaty"]).counts(dt.date.fromisoformat(ref["date"]))
        assert got["parties"] == ref["parties"], ref
        assert got["withdrawn"] == ref["withdrawn"], ref
    ltu = store.view("ccm").status("LTU", dt.date(2025, 3, 5))
    assert ltu.period.effective == dt.date(2025, 3, 6)
    assert open_store(pg_url).is_initialised()


def test_a_failed_load_leaves_a_postgresql_store_empty(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, inspect

    real = catalog.data_text
    monkeypatch.setattr(
        catalog,
        "data_text",
        lambda name: (
            real(name).replace("2025-06-27", "2025-06-31", 1)
            if name == "apmbt/actions.csv"
            else real(name)
        ),
    )
    with pytest.raises(DataError):
        open_store(pg_url)
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_untc_import_reconciles_the_same_way_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    from mtdsg_export import export_mtdsg
    from normwatch.sources.untc.importer import import_untc

    store = open_store(pg_url)
    names = {s.code: s.name for s in store.registry().states}
    path = tmp_path / "XXVI-6.en.xml"
    data = export_mtdsg(
        store.actions("ccm"), names, extra_rows=[("Tuvalu", "", "", "12 Jan\t 2030 a")]
    )
    path.write_bytes(data)
    report = import_untc(store, str(path))
    assert [i.state for i in report.new] == ["TUV"]
    again = import_untc(open_store(pg_url), str(path))
    assert not (again.new or again.changed or again.gone or again.conflicts)


def test_statement_files_are_proposed_and_confirmed_the_same_way_on_postgresql(
    pg_url: str, tmp_path: Path
) -> None:
    from normwatch.service.imports import import_meeting
    from normwatch.service.meeting_files import confirm_files, propose_files
    from normwatch.store.journal import undo_last

    store = open_store(pg_url, example=True)
    fixture = Path(__file__).resolve().parent / "fixtures" / "meetings" / "ccm-test-msp"
    import_meeting(store, fixture)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "Statement_Norway.txt").write_text(
        "INVENTED STATEMENT for normwatch's tests; said by no one.\n\n"
        "Statement by Norway\n\nMr. President, we support the Convention.\n",
        "utf-8",
    )
    proposed = propose_files(store, folder, "ccm-test-msp")
    assert [(p.speaker, p.action) for p in proposed.proposals] == [("NOR", "import")]
    report = confirm_files(store, folder, "ccm-test-msp", proposed.plan)
    assert report.tables["statements"].new == 1
    (row,) = store.query(
        "SELECT speaker, language FROM statements WHERE local_id = 'Statement_Norway'"
    )
    assert row == {"speaker": "NOR", "language": "en"}
    undo_last(store)
    assert store.query("SELECT id FROM statements WHERE local_id = 'Statement_Norway'") == []
