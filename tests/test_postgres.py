"""The same store code on a real PostgreSQL server.

The tests start a throw-away PostgreSQL cluster (Debian's ``postgresql`` package) on a Unix
socket in a temporary folder, or use ``NORMWATCH_TEST_PG_URL`` when set. Without either they
are skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from normwatch import catalog
from normwatch.errors import DataError
from normwatch.store.db import open_store
from pg_cluster import cluster, server_bin

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    url = os.environ.get("NORMWATCH_TEST_PG_URL")
    if url:
        yield url
        return
    if server_bin() is None:
        pytest.skip("no PostgreSQL server installed (apt-get install postgresql)")
    with cluster() as started:
        yield started


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


def test_two_decisions_at_once_on_postgresql_one_is_refused_none_is_lost(
    pg_url: str, tmp_path: Path
) -> None:
    import threading

    from normwatch.errors import ConflictError
    from normwatch.service import accounts
    from normwatch.service.review import current_version, decide
    from normwatch.sources.meetings.importer import import_meeting
    from test_web_support import MEETING, write_meeting_dir

    store = open_store(pg_url, example=True)
    import_meeting(store, write_meeting_dir(tmp_path))
    users = [accounts.User(i, name, "coder") for i, name in enumerate(("carol", "dora"))]
    statement = f"{MEETING}/s03"
    seen = current_version(store, statement)
    gate = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user: accounts.User) -> None:
        gate.wait()
        try:
            decide(open_store(pg_url), statement, "concern", "reject", user, version=seen)
            outcomes.append("saved")
        except ConflictError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=save, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("saved") == 1
    assert ["changed since you opened it" in o for o in outcomes].count(True) == 1
    rows = store.query(
        "SELECT coder FROM codings WHERE statement_id = :s AND code = 'concern' "
        "AND coder_kind = 'human'",
        {"s": statement},
    )
    assert len(rows) == 1 and current_version(store, statement) > seen


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


def _pg_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}")))
                for t in ("actions", "action_sources", "sources", "imports", "import_journal")
            }
    finally:
        engine.dispose()


def test_a_header_only_status_file_is_refused_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    import re

    from mtdsg_export import export_mtdsg
    from normwatch.errors import SourceError
    from normwatch.service.imports import import_untc

    store = open_store(pg_url)
    names = {s.code: s.name for s in store.registry().states}
    full = export_mtdsg(store.actions("ccm"), names)
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(re.sub(rb"<Participants>.*</Participants>", b"", full, flags=re.S))
    before = _pg_rows(pg_url)
    with pytest.raises(SourceError, match="no participants"):
        import_untc(store, [str(path)])
    assert _pg_rows(pg_url) == before


def test_an_import_failing_a_check_is_rolled_back_on_postgresql(
    pg_url: str, tmp_path: Path
) -> None:
    from mtdsg_export import export_mtdsg
    from normwatch.service.import_checks import ImportRefused
    from normwatch.service.imports import import_untc

    store = open_store(pg_url)
    names = {s.code: s.name for s in store.registry().states}
    path = tmp_path / "XXVI-6.en.xml"
    early = [("Tuvalu", "3 Dec\t 2005", "", "")]  # before the CCM opened for signature
    path.write_bytes(export_mtdsg(store.actions("ccm"), names, extra_rows=early))
    before = _pg_rows(pg_url)
    with pytest.raises(ImportRefused, match="after_opening: ccm: TUV signature 2005-12-03"):
        import_untc(store, [str(path)])
    assert _pg_rows(pg_url) == before
    later = [("Tuvalu", "", "", "12 Jun\t 2026 a")]
    path.write_bytes(export_mtdsg(store.actions("ccm"), names, extra_rows=later))
    (report,) = import_untc(open_store(pg_url), [str(path)])
    assert report.new == 1 and not report.problems


def test_the_web_app_on_postgresql_sees_cli_changes_and_lists_sources(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    from clirun import run
    from test_web_support import MEETING, web_app, write_meeting_dir

    open_store(pg_url, example=True)  # the fictional meeting needs an example store
    folder = write_meeting_dir(tmp_path / "meetings")
    assert run(capsys, "--db", pg_url, "import", "meeting", str(folder))[0] == 0
    codings = f"/api/v1/meetings/{MEETING}/codings"
    # check_every=0: the app looks at the store's data version on every request
    app = web_app(pg_url, check_every=0.0)
    with TestClient(app) as client:  # type: ignore[arg-type]
        first = client.get(codings).json()
        page = client.get(f"/meetings/{MEETING}").text
        assert client.get(codings).json() == first  # unchanged data: the same answer
        code, _, err = run(
            capsys, "--db", pg_url, "code", "set", f"{MEETING}/s03", "concern", "--coder", "bob"
        )
        assert code == 0, err
        second = client.get(codings).json()
        assert second != first and "bob" in str(second) and "bob" not in str(first)
        assert client.get(f"/meetings/{MEETING}").text != page
        assert run(capsys, "--db", pg_url, "meetings", "remove", MEETING)[0] == 0
        assert client.get(codings).status_code == 404
        sources = client.get("/api/v1/sources")
        assert sources.status_code == 200, sources.text
    code, out, err = run(capsys, "--db", pg_url, "sources", "--format", "json")
    assert code == 0, err
    listed = json.loads(out)
    assert len(listed) > 100 and listed[0]["last_import"]
    assert [r["url"] for r in sources.json()] == [r["url"] for r in listed]


def test_csv_exports_and_downloads_neutralise_formulas_on_postgresql(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    from fastapi.testclient import TestClient

    from clirun import run
    from test_web_support import web_app

    open_store(pg_url, example=True)  # the fact below is fictional, citing example.org
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "iso3,obligation,original_deadline,source_url,confidence,note\n"
        "AUT,clearance,2020-08-01,https://example.org/fictional,low,\"=cmd|' /C calc'!A0\"\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "--db", pg_url, "import", "obligations", "ccm", str(facts))
    assert code == 0, err
    out = tmp_path / "out"
    code, _, err = run(capsys, "--db", pg_url, "export", str(out), "--format", "csv")
    assert code == 0, err
    cells = [
        c for f in out.glob("*.csv") for row in csv.reader(f.open(encoding="utf-8")) for c in row
    ]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    with TestClient(web_app(pg_url)) as client:  # type: ignore[arg-type]
        served = client.get("/data/obligation_facts.csv")
        assert served.status_code == 200, served.text
        assert "'=cmd|' /C calc'!A0" in served.text
        assert "\n=" not in served.text and ",=" not in served.text


def test_a_database_password_is_never_shown_on_postgresql(
    pg_url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy.engine import make_url

    from clirun import run
    from normwatch.errors import StoreError
    from normwatch.web import create_app

    secret = "Pg-s3cr3t-pw"
    with_password = make_url(pg_url).set(password=secret)
    good = with_password.render_as_string(hide_password=False)
    bad = with_password.set(database="no_such_db").render_as_string(hide_password=False)
    assert secret in good and secret in bad
    # a database that does not exist: the server's own error, the password hidden
    for command in (["counts", "ccm"], ["sources"], ["db", "version"], ["export", "x.json"]):
        code, out, err = run(capsys, "--db", bad, *command)
        assert code != 0 and out == "", command
        assert 'database "no_such_db" does not exist' in err, err
        assert secret not in err and ":***@" in err
    with pytest.raises(StoreError) as refused:
        open_store(bad)
    assert secret not in str(refused.value)
    # the test server trusts its socket, so the password is accepted: output hides it too
    code, out, err = run(capsys, "--db", good, "db", "version", "--format", "json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["store"].startswith("postgresql+psycopg://normwatch:***@/postgres?")
    assert secret not in out + err
    # the web app's log of requests that fail on the store: its database dropped under it
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS going"))
        conn.execute(text("CREATE DATABASE going"))
    going = with_password.set(database="going").render_as_string(hide_password=False)
    app = create_app(open_store(going), check_every=0.0)  # the store asked at every request
    try:
        with caplog.at_level("ERROR"), TestClient(app) as client:
            assert client.get("/api/v1/sources").status_code == 200
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE going WITH (FORCE)"))
            answer = client.get("/api/v1/sources")
    finally:
        admin.dispose()
    assert answer.status_code == 503
    assert "going" in caplog.text and ":***@" in caplog.text + answer.text
    assert secret not in answer.text + caplog.text
