"""Importing UN status files: reconcile, report, apply in one transaction."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import run
from mtdsg_export import export_mtdsg
from normwatch.errors import NormwatchError, SourceError, UnknownStateError
from normwatch.sources.untc.importer import fetch, import_untc
from normwatch.store.db import Store, open_store
from shared_files import UNTC_2018


def snapshot(path: str) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(path)
    try:
        return {
            t: sorted(con.execute(f"SELECT * FROM {t}").fetchall()) for t in ("actions", "sources")
        }
    finally:
        con.close()


@pytest.fixture()
def fresh(tmp_path: Path, bundled_db: str) -> str:
    copy = tmp_path / "store.sqlite"
    copy.write_bytes(Path(bundled_db).read_bytes())
    return str(copy)


def ccm_export(store: Store, **kw: object) -> bytes:
    names = {s.code: s.name for s in store.registry().states}
    return export_mtdsg(store.actions("ccm"), names, **kw)  # type: ignore[arg-type]


@pytest.mark.skipif(not UNTC_2018.is_dir(), reason=f"the 2018 UNTC files are not at {UNTC_2018}")
def test_reimporting_the_2018_depositary_files_changes_nothing(fresh: str) -> None:
    before = snapshot(fresh)
    for name, treaty in (("XXVI-6.en.xml", "ccm"), ("XXVI-5.en.xml", "apmbt")):
        report = import_untc(open_store(fresh), str(UNTC_2018 / name))
        assert report.treaty == treaty
        assert (report.new, report.changed, report.gone, report.conflicts) == ([], [], [], [])
        assert report.confirmed > 200
    after = snapshot(fresh)
    assert after["actions"] == before["actions"]
    again = import_untc(open_store(fresh), str(UNTC_2018 / "XXVI-6.en.xml"))
    assert not (again.new or again.changed or again.gone or again.conflicts)
    assert snapshot(fresh)["actions"] == before["actions"]


def test_round_trip_export_then_import_into_an_empty_store_gives_the_same_roll(
    fresh: str, tmp_path: Path
) -> None:
    store = open_store(fresh)
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(ccm_export(store))
    reference = {
        d["date"]: store.view("ccm").roll(dt.date.fromisoformat(d["date"]))
        for d in store.reference_counts("ccm")
    }
    con = sqlite3.connect(fresh)
    con.execute(
        "DELETE FROM action_sources WHERE action_id IN (SELECT id FROM actions WHERE treaty='ccm')"
    )
    con.execute("DELETE FROM actions WHERE treaty='ccm'")
    con.commit()
    con.close()
    empty = open_store(fresh)
    assert empty.actions("ccm") == []
    report = import_untc(empty, str(path))
    assert len(report.new) == 226 and not report.changed and not report.conflicts
    view = open_store(fresh).view("ccm")
    for day, roll in reference.items():
        got = view.roll(dt.date.fromisoformat(day))
        assert [(r.state, r.status, r.period.start) for r in got] == [
            (r.state, r.status, r.period.start) for r in roll
        ], day


def test_a_new_act_a_changed_date_and_a_gone_act_are_reported_and_applied(
    fresh: str, tmp_path: Path
) -> None:
    store = open_store(fresh)
    data = ccm_export(store, extra_rows=[("Tuvalu", "", "", "12 Jan\t 2030 a")])
    data = data.replace(b"<Entry>25 Sep\t 2009 </Entry>", b"<Entry>25 Dec\t 2009 </Entry>", 1)
    data = data.replace(b"<Entry>Zambia</Entry>", b"<Entry>Zambiaa</Entry>").replace(
        b"Zambiaa", b"Zambia\xa0"
    )  # same name with a NBSP: still Zambia
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(data)
    report = import_untc(store, str(path), dry_run=True)
    assert [(i.state, i.action, i.date) for i in report.new] == [("TUV", "accession", "2030-01-12")]
    changed = {
        (i.state, i.action, i.before["date"] if i.before else None, i.date) for i in report.changed
    }
    assert ("BDI", "ratification", "2009-09-25", "2009-12-25") in changed
    assert "~ BDI ratification 2009-09-25 → 2009-12-25" in report.lines()
    assert snapshot(fresh) == snapshot(fresh)
    import_untc(open_store(fresh), str(path))
    after = open_store(fresh)
    assert after.view("ccm").status("BDI", dt.date(2010, 1, 1)).status.value == "consented"
    assert after.view("ccm").status("TUV", dt.date(2030, 7, 1)).status.value == "party"


def test_a_disagreement_with_another_source_is_a_conflict_not_a_change(
    fresh: str, tmp_path: Path
) -> None:
    # Nigeria's ratification (2023-02-28) is known from the treaty's support unit, not the UN list
    store = open_store(fresh)
    data = ccm_export(store).replace(
        b"<Entry>28 Feb\t 2023 </Entry>", b"<Entry> 1 Mar\t 2023 </Entry>", 1
    )
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(data)
    report = import_untc(store, str(path))
    assert [(i.state, i.date) for i in report.conflicts] == [("NGA", "2023-03-01")]
    assert report.conflicts[0].before is not None
    assert "clusterconvention.org" in report.conflicts[0].before["source"]
    assert report.changed == [] and report.gone == []
    nga = [
        a
        for a in open_store(fresh).actions("ccm")
        if a.state == "NGA" and a.kind.value == "ratification"
    ]
    assert [str(a.date) for a in nga] == ["2023-02-28"]


def test_the_same_act_from_another_source_gains_that_source(fresh: str, tmp_path: Path) -> None:
    store = open_store(fresh)

    def ltu_withdrawal() -> Any:
        return next(
            a
            for a in open_store(fresh).actions("ccm")
            if a.state == "LTU" and a.kind.value == "withdrawal"
        )

    before = [s.url for s in ltu_withdrawal().sources]
    path = tmp_path / "mirror.xml"
    path.write_bytes(ccm_export(store))
    import_untc(store, str(path), treaty="ccm")
    after = [s.url for s in ltu_withdrawal().sources]
    assert str(path) not in before
    assert sorted(after) == sorted([*before, str(path)])


def test_unknown_names_stop_the_import_and_are_all_listed(fresh: str, tmp_path: Path) -> None:
    store = open_store(fresh)
    extra = [("Atlantis", " 4 Jun\t 2019 ", "", ""), ("Borduria", "", "", "22 Sep\t 2020 a")]
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(ccm_export(store, extra_rows=extra))
    before = snapshot(fresh)
    with pytest.raises(UnknownStateError) as exc:
        import_untc(store, str(path))
    assert exc.value.names == ["Atlantis", "Borduria"]
    assert snapshot(fresh) == before


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[: len(b) // 2], "XXVI-6.en.xml"),
        (lambda b: b.replace(b"25 Sep\t 2009", b"25 Sept\t 20O9", 1), "not a date"),
    ],
)
def test_malformed_files_exit_2_and_leave_the_store_unchanged(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: object, message: str
) -> None:
    store = open_store(fresh)
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(mutate(ccm_export(store)))  # type: ignore[operator]
    before = snapshot(fresh)
    code, _, err = run(capsys, "--db", fresh, "import", "untc", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert message in err
    assert snapshot(fresh) == before


def test_dry_run_json_report_and_sources_view(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(fresh)
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(ccm_export(store, extra_rows=[("Tuvalu", "", "", "12 Jan\t 2026 a")]))
    before = snapshot(fresh)
    code, out, _ = run(
        capsys, "--db", fresh, "import", "untc", str(path), "--dry-run", "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["importer"] == "untc" and report["target"] == "ccm" and report["dry_run"]
    assert (report["new"], report["changed"], report["gone"], report["conflicts"]) == (1, 0, 0, 0)
    assert [c for c in report["changes"]] == [
        {
            "table": "actions",
            "change": "new",
            "key": "TUV",
            "name": "Tuvalu",
            "before": None,
            "after": "accession 2026-01-12",
            "note": None,
            "count": 1,
        }
    ]
    assert snapshot(fresh) == before
    code, out, _ = run(
        capsys, "--db", fresh, "import", "untc", str(path), "--dry-run", "--format", "csv"
    )
    assert code == 0 and out.splitlines() == [
        "importer,source,target,table,change,key,name,before,after,note,count",
        f"untc,{path},ccm,actions,new,TUV,Tuvalu,,accession 2026-01-12,,1",
    ]
    assert snapshot(fresh) == before
    code, out, _ = run(capsys, "--db", fresh, "import", "untc", str(path))
    assert code == 0 and "+ TUV accession 2026-01-12" in out
    code, out, _ = run(capsys, "--db", fresh, "sources", "--format", "json")
    rows = json.loads(out)
    imported = next(r for r in rows if r["url"] == str(path))
    assert imported["imports"] == 1 and imported["last_import"] and imported["actions"] >= 226


def test_one_bad_file_among_several_stops_them_all(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(fresh)
    good = tmp_path / "good" / "XXVI-6.en.xml"
    good.parent.mkdir()
    good.write_bytes(ccm_export(store, extra_rows=[("Tuvalu", "", "", "12 Jan\t 2026 a")]))
    bad = tmp_path / "XXVI-6.en.xml"
    bad.write_bytes(ccm_export(store)[:500])
    before = snapshot(fresh)
    code, out, err = run(capsys, "--db", fresh, "import", "untc", str(good), str(bad))
    assert (code, out) == (2, "") and str(bad) in err
    assert snapshot(fresh) == before  # the good file, first in line, was not written either
    code, out, _ = run(capsys, "--db", fresh, "import", "untc", str(good), str(good))
    assert code == 0 and out.count("+ TUV accession 2026-01-12") == 1  # the second: no news


def test_treaty_option_must_agree_with_the_files_reference(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "status.xml"
    path.write_bytes(ccm_export(open_store(fresh)))
    before = snapshot(fresh)
    code, _, err = run(capsys, "--db", fresh, "import", "untc", str(path), "--treaty", "apmbt")
    assert code != 0 and "the file is the status of XXVI-6, but --treaty apmbt is XXVI-5" in err
    assert snapshot(fresh) == before


def test_a_file_is_one_source_however_its_path_is_typed(
    fresh: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(fresh)
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(ccm_export(store))
    import_untc(store, str(path))
    monkeypatch.chdir(tmp_path)
    import_untc(store, "XXVI-6.en.xml")
    import_untc(store, f"{tmp_path}/../{tmp_path.name}/XXVI-6.en.xml")
    files = [
        r["url"]
        for r in open_store(fresh).query("SELECT url FROM sources")
        if r["url"].startswith("/")
    ]
    assert files == [str(path)]


def test_untc_parse_shows_the_readable_files_and_refuses_the_others(
    tmp_path: Path, fresh: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(ccm_export(open_store(fresh)))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<not a status file")
    code, out, err = run(capsys, "untc", "parse", str(good), str(bad), "--format", "json")
    assert code == 2
    parsed = json.loads(out)
    assert [d["reference"] for d in parsed] == ["XXVI-6"]
    assert err.splitlines()[0].startswith(f"error: {bad}") and "1 of 2 files refused" in err
    code, _, err = run(capsys, "untc", "parse", str(bad))
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_sources_count_what_every_feature_cites(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "sources", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    report = next(r for r in rows if r["symbol"] == "CCM/MSP/2024/11")
    assert report["url"] == "https://www.clusterconvention.org/12msp/" and report["other"] >= 1
    # every source on record is cited by something
    assert all(r["actions"] + r["events"] + r["other"] + r["imports"] > 0 for r in rows)


@contextmanager
def serving(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server in a thread, with its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[str]:
    with serving(
        functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    ) as base:
        yield base


def test_import_from_a_url_records_the_url_and_its_publication_date(
    fresh: str, tmp_path: Path, served: str
) -> None:
    store = open_store(fresh)
    (tmp_path / "XXVI-6.en.xml").write_bytes(ccm_export(store))
    url = f"{served}/XXVI-6.en.xml"
    report = import_untc(store, url)
    assert report.source == url and not report.changed
    row = next(r for r in open_store(fresh).query("SELECT * FROM imports") if r["treaty"] == "ccm")
    assert row["published"] == dt.date.today().isoformat()


class Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first ``failures`` requests, then the document; or never answers
    within the client's timeout when ``slow``."""

    failures = 0
    slow = False
    seen: ClassVar[list[str]] = []
    body = b""

    def do_GET(self) -> None:
        Flaky.seen.append(self.path)
        if Flaky.slow:
            time.sleep(1.0)
        if len(Flaky.seen) <= Flaky.failures:
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(Flaky.body)))
        self.end_headers()
        self.wfile.write(Flaky.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def flaky() -> Iterator[str]:
    Flaky.seen, Flaky.failures, Flaky.slow = [], 0, False
    with serving(Flaky) as base:
        yield f"{base}/XXVI-6.en.xml"


def test_a_url_is_retried_after_a_server_error(fresh: str, flaky: str) -> None:
    Flaky.body, Flaky.failures = ccm_export(open_store(fresh)), 2
    got = fetch(flaky, attempts=3)
    assert got.data == Flaky.body and len(Flaky.seen) == 3
    Flaky.seen, Flaky.failures = [], 5
    with pytest.raises(SourceError, match="cannot fetch: HTTP 503"):
        fetch(flaky, attempts=3)
    assert len(Flaky.seen) == 3


def test_a_server_that_does_not_answer_in_time_is_given_up(flaky: str) -> None:
    Flaky.slow = True
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"cannot fetch: .*did not answer"):
        fetch(flaky, timeout=0.2, attempts=2)
    assert time.monotonic() - started < 3 and len(Flaky.seen) == 2


class Endless(http.server.BaseHTTPRequestHandler):
    """Streams a status page that does not end: ``chunks`` pieces of ``chunk`` bytes, a pause
    of ``pause`` seconds between them, its length announced (``announce``) or not (the body
    then ends when the connection closes). ``sent`` counts what reached the socket."""

    chunk = 64 * 1024
    chunks = 800
    pause = 0.0
    announce = False
    sent: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        self.send_response(200)
        if Endless.announce:
            self.send_header("Content-Length", str(Endless.chunk * Endless.chunks))
        self.end_headers()
        piece = b"<Treaty>" + b" " * (Endless.chunk - 8)
        try:
            for _ in range(Endless.chunks):
                self.wfile.write(piece)
                self.wfile.flush()
                Endless.sent.append(len(piece))
                time.sleep(Endless.pause)
        except OSError:  # the client hung up
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def endless() -> Iterator[str]:
    Endless.sent, Endless.chunk, Endless.chunks = [], 64 * 1024, 800
    Endless.pause, Endless.announce = 0.0, False
    with serving(Endless) as base:
        yield f"{base}/XXVI-6.en.xml"


def test_an_oversize_page_is_given_up_while_it_streams(
    endless: str, fresh: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NORMWATCH_MAX_STATUS_BYTES", str(1024 * 1024))
    # 50 MiB without a Content-Length: read as it comes, given up past 1 MiB
    with pytest.raises(SourceError, match=r"XXVI-6\.en\.xml: more than 1,048,576 bytes, over the"):
        fetch(endless, attempts=1)
    assert sum(Endless.sent) < 50 * 1024 * 1024 // 2
    before = Path(fresh).read_bytes()
    code, out, err = run(capsys, "--db", fresh, "import", "untc", endless)
    assert code != 0 and out == ""
    assert err.startswith(f"error: {endless}: more than 1,048,576 bytes, over the limit")
    assert "NORMWATCH_MAX_STATUS_BYTES" in err and len(err.strip().splitlines()) == 1
    assert Path(fresh).read_bytes() == before


def test_an_oversize_page_that_says_its_size_is_refused_before_its_body(
    endless: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NORMWATCH_MAX_STATUS_BYTES", str(1024 * 1024))
    Endless.announce = True
    with pytest.raises(SourceError, match=r"52,428,800 bytes, over the limit of 1,048,576"):
        fetch(endless, attempts=1)


def test_a_page_that_trickles_in_is_given_up_at_the_time_limit(
    endless: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each piece comes well within the wait for the server, but the whole never ends in time
    monkeypatch.setenv("NORMWATCH_MAX_FETCH_SECONDS", "0.5")
    Endless.chunk, Endless.chunks, Endless.pause = 16, 400, 0.02
    with pytest.raises(SourceError, match=r"took longer than 0\.5 s.*NORMWATCH_MAX_FETCH_SECONDS"):
        fetch(endless, timeout=5, attempts=3)
    assert len(Endless.sent) < 400


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan"])
def test_a_time_limit_must_be_a_positive_number_of_seconds(
    endless: str, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("NORMWATCH_MAX_FETCH_SECONDS", value)
    with pytest.raises(SourceError, match="NORMWATCH_MAX_FETCH_SECONDS must be a number of sec"):
        fetch(endless, attempts=1)


def test_an_unreachable_url_is_one_clear_error(fresh: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceError, match="cannot fetch"):
        import_untc(open_store(fresh), f"http://127.0.0.1:{port}/XXVI-6.en.xml")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_mutated_documents_never_write_half_an_import(
    fresh: str, bundled_db: str, data: st.DataObject
) -> None:
    # every example starts from the bundled store: an import that succeeded in an earlier
    # example must not change the document the next one mutates
    for leftover in (Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        leftover.unlink(missing_ok=True)
    Path(fresh).write_bytes(Path(bundled_db).read_bytes())
    store = open_store(fresh)
    base = ccm_export(store)
    cut = data.draw(st.integers(min_value=0, max_value=len(base) - 1))
    junk = data.draw(st.binary(max_size=8))
    doc = base[:cut] + junk + base[cut + data.draw(st.integers(0, 40)) :]
    before = snapshot(fresh)
    path = Path(fresh).with_name("XXVI-6.en.xml")
    path.write_bytes(doc)
    try:
        import_untc(open_store(fresh), str(path))
    except NormwatchError:
        assert snapshot(fresh) == before


def _without_states(store: Store, drop: int) -> bytes:
    """The CCM listing without the acts of the first ``drop`` States (in code order)."""
    acts = store.actions("ccm")
    gone = sorted({a.state for a in acts})[:drop]
    names = {s.code: s.name for s in store.registry().states}
    return export_mtdsg([a for a in acts if a.state not in gone], names)


def test_a_file_without_participants_is_refused_and_the_store_is_unchanged(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    full = ccm_export(open_store(fresh))
    header_only = re.sub(rb"<Participants>.*</Participants>", b"", full, flags=re.S)
    assert header_only != full
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(header_only)
    before = Path(fresh).read_bytes()
    code, out, err = run(capsys, "--db", fresh, "import", "untc", str(path))
    assert code == 2
    assert "import refused" in err and "no participants" in err and "--allow-removals" in err
    assert len(err.strip().splitlines()) == 1
    assert Path(fresh).read_bytes() == before
    # a dry run lists every act that would go, and says the import would be refused
    code, out, err = run(
        capsys, "--db", fresh, "import", "untc", str(path), "--dry-run", "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    gone = [c for c in report["changes"] if c["change"] == "gone"]
    assert len(gone) == report["gone"] == report["facts"]["confirmed"] + report["gone"] > 200
    assert "no participants" in report["refusal"]
    assert Path(fresh).read_bytes() == before


def test_removing_more_than_ten_acts_needs_allow_removals(fresh: str, tmp_path: Path) -> None:
    store = open_store(fresh)
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(_without_states(store, 12))
    before = Path(fresh).read_bytes()
    count = len(store.actions("ccm"))
    with pytest.raises(SourceError, match=r"would remove \d+ of the \d+ acts listed"):
        import_untc(store, str(path))
    assert Path(fresh).read_bytes() == before
    report = import_untc(open_store(fresh), str(path), allow_removals=True)
    assert len(report.gone) > 10
    assert len(open_store(fresh).actions("ccm")) == count - len(report.gone)


def test_removing_a_few_acts_is_applied_and_reported(fresh: str, tmp_path: Path) -> None:
    store = open_store(fresh)
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(_without_states(store, 2))
    report = import_untc(store, str(path))
    assert 1 <= len(report.gone) <= 10
    assert report.refusal is None
    assert all(i.note == "no longer in the depositary's listing" for i in report.gone)


def test_untc_parse_table_lists_every_files_participants_in_one_table(
    tmp_path: Path, fresh: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ccm_export(open_store(fresh))
    paths = []
    for name in ("a.xml", "b.xml"):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    code, out, _ = run(capsys, "untc", "parse", *paths, "--format", "json")
    assert code == 0
    docs = json.loads(out)
    per_file = len(docs[0]["participants"])
    assert per_file > 0 and [len(d["participants"]) for d in docs] == [per_file, per_file]
    code, out, _ = run(capsys, "untc", "parse", *paths)
    assert code == 0
    lines = out.splitlines()
    assert sum(1 for line in lines if line.startswith("reference")) == 1  # one table header
    assert f"{2 * per_file} participants in 2 files" in lines
    table_rows = [line for line in lines if line.startswith("XXVI-6 ")]
    assert len(table_rows) == 2 * per_file
    first = docs[0]["participants"][0]["name"]
    assert sum(1 for line in table_rows if f" {first} " in line) == 2


def test_untc_parse_as_csv_is_one_row_per_participant_of_every_file(
    tmp_path: Path, fresh: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io

    data = ccm_export(open_store(fresh))
    paths = []
    for name in ("a.xml", "b.xml"):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    code, out, _ = run(capsys, "untc", "parse", paths[0], "--format", "json")
    participants = json.loads(out)["participants"]
    code, out, _ = run(capsys, "untc", "parse", *paths, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["reference", "row", "participant", "actions", "notes"]
    assert len(rows) == 2 * len(participants)
    assert [r["participant"] for r in rows[: len(participants)]] == [
        p["name"] for p in participants
    ]


# --- fetching through httpx (its mock transport stands in for the server) -----------------


def _answers(*statuses: int, body: bytes = b"<Treaty/>") -> tuple[list[str], Any]:
    import httpx

    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        status = statuses[min(len(seen), len(statuses)) - 1]
        headers = {"Last-Modified": "Tue, 03 Feb 2026 10:00:00 GMT"} if status == 200 else {}
        return httpx.Response(status, content=body if status == 200 else b"", headers=headers)

    return seen, httpx.MockTransport(handle)


def test_fetch_asks_again_after_server_errors_and_reads_last_modified() -> None:
    seen, transport = _answers(503, 502, 200)
    got = fetch("https://untc.example/XXVI-6.en.xml", attempts=3, transport=transport)
    assert got.data == b"<Treaty/>" and got.published == "2026-02-03"
    assert len(seen) == 3


def test_fetch_does_not_ask_again_after_a_client_error() -> None:
    seen, transport = _answers(404)
    with pytest.raises(SourceError, match=r"untc\.example/x\.xml: cannot fetch: HTTP 404"):
        fetch("https://untc.example/x.xml", attempts=3, transport=transport)
    assert len(seen) == 1


def test_fetch_gives_up_after_its_attempts_when_no_answer_comes() -> None:
    import httpx

    seen: list[str] = []

    def never(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(SourceError, match=r"cannot fetch: .*did not answer"):
        fetch("https://untc.example/x.xml", attempts=2, transport=httpx.MockTransport(never))
    assert len(seen) == 2


def test_untrusted_xml_with_entity_declarations_is_refused() -> None:
    from normwatch.sources.untc.mtdsg import _fromstring

    bomb = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><t>&a;&a;</t>'
    with pytest.raises(ValueError):
        _fromstring(bomb)
    assert _fromstring("<Treaty><Header/></Treaty>").tag == "Treaty"
