"""How current the data is: each treaty and source says its newest act and last import, and a
date asked beyond the data is answered with a warning, never refused."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from clirun import run
from normwatch.catalog import all_treaties, has_data, read_csv
from normwatch.core.dates import PartialDate
from normwatch.store.db import Store, open_store
from normwatch.store.freshness import beyond_warning, treaty_freshness


def _newest_bundled(treaty: str) -> str:
    rules = all_treaties()[treaty]
    dates = [row["date"] for _, row in read_csv(f"{rules.data}/actions.csv", ("date",))]
    return max(dates, key=lambda d: PartialDate.parse(d).latest())


def _bundled_as_of(treaty: str) -> str:
    """The newest bundled act or the date of the depositary listing the acts were read from."""
    rules = all_treaties()[treaty]
    rows = [row for _, row in read_csv(f"{rules.data}/actions.csv", ("date", "source"))]
    listed: list[str] = [
        str(m)
        for row in rows
        for m in re.findall(r"status as (?:at|captured) ([\d-]{10})", row["source"])
    ]
    return max([_newest_bundled(treaty), *listed], key=lambda d: PartialDate.parse(d).latest())


def test_each_bundled_treaty_reports_its_newest_act_and_last_import(store: Store) -> None:
    fresh = treaty_freshness(store)
    with_data = [r for r in all_treaties().values() if r.data and has_data(f"{r.data}/actions.csv")]
    assert with_data  # the check runs over every treaty with bundled acts, however many
    for rules in with_data:
        f = fresh[rules.id]
        assert f["newest_act"] == _newest_bundled(rules.id)
        # no import from the depositary yet: the newest act, or the listing the acts come from
        assert f["data_as_of"] == _bundled_as_of(rules.id)
        assert f["last_import_by"] == "bundled data loaded" and f["last_import"]


def test_a_date_beyond_the_data_is_answered_with_a_warning(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    as_of = _bundled_as_of("ccm")
    code, out, err = run(
        capsys, "--db", bundled_db, "counts", "ccm", "--on", "2031-01-01", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["parties"] == 112 and data["data_as_of"] == as_of
    assert f"ccm: data as of {as_of}" in err and "may be missing" in err
    assert "later acts may be missing" in data["warning"] or "may be missing" in data["warning"]


def test_a_date_within_the_data_has_no_warning(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "--db", bundled_db, "counts", "ccm", "--on", "2023-12-31", "--format", "json"
    )
    assert code == 0 and "warning" not in err
    assert json.loads(out)["warning"] is None


def test_changes_until_beyond_the_data_warns(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    dates = ("--since", "2024-01-01", "--until", "2030-01-01")
    code, _, err = run(capsys, "--db", bundled_db, "changes", "ccm", *dates)
    assert code == 0 and "may be missing" in err


def test_help_of_date_options_says_data_as_of(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["counts", "ccm"], ["roll", "apmbt"], ["deadlines", "ccm"]):
        code, out, _ = run(capsys, "--db", bundled_db, *command, "--help")
        assert code == 0
        flat = " ".join(out.split())
        assert f"ccm {_bundled_as_of('ccm')}" in flat and "data as of" in flat


def test_a_depositary_listing_vouches_for_the_days_up_to_its_date(store: Store) -> None:
    # the acts of the Arms Trade Treaty were read from the depositary's page as at 2026-02-03
    fresh = treaty_freshness(store)["att"]
    assert fresh["listing_as_at"] == "2026-02-03"
    assert fresh["data_as_of"] == "2026-02-03" and fresh["newest_act"] < "2026-02-03"


def test_sources_say_their_newest_act_and_last_import(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "sources", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    cited = [r for r in rows if r["actions"]]
    assert cited and all(r["newest_act"] and r["last_import"] for r in cited)
    lithuania = [r for r in rows if (r["symbol"] or "").startswith("C.N.347.2024")]
    assert lithuania and lithuania[0]["newest_act"] == "2024-09-06"


@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=dt.date(1997, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_warning_exactly_when_the_date_is_after_the_data(bundled_db: str, day: dt.date) -> None:
    store = Store(f"sqlite:///{bundled_db}")
    as_of = PartialDate.parse(_bundled_as_of("apmbt")).latest()
    assert (beyond_warning(store, day, "apmbt") is not None) == (day > as_of)


def test_pages_and_api_say_data_as_of(client: TestClient) -> None:
    as_of = _bundled_as_of("ccm")
    page = client.get("/treaties/ccm?on=2031-01-01").text
    assert f"ccm {as_of}" in page and "data as of" in page
    assert "may be missing" in page
    assert "may be missing" not in client.get("/treaties/ccm?on=2020-01-01").text
    api = client.get("/api/v1/freshness").json()
    assert api["treaties"]["ccm"]["newest_act"] == _newest_bundled("ccm")
    assert api["treaties"]["ccm"]["data_as_of"] == as_of
    counts = client.get("/api/v1/treaties/ccm/counts?on=2031-01-01").json()
    assert counts["data_as_of"] == as_of and "may be missing" in counts["warning"]


def test_every_api_answer_says_data_as_of_and_warns_beyond_it(client: TestClient) -> None:
    as_of = _bundled_as_of("ccm")
    late = client.get("/api/v1/treaties/ccm/roll?on=2031-01-01")
    assert late.status_code == 200 and len(late.json()) == 197  # answered, not refused
    assert f"ccm {as_of}" in late.headers["x-data-as-of"]
    assert "may be missing" in late.headers["warning"]
    early = client.get("/api/v1/treaties/ccm/roll?on=2020-01-01")
    assert "warning" not in early.headers and early.headers["x-data-as-of"]


def test_one_treatys_freshness_is_its_entry_of_every_treatys(
    tmp_path: Path, bundled_db: str
) -> None:
    copy = tmp_path / "store.sqlite"
    shutil.copy(bundled_db, copy)
    con = sqlite3.connect(copy)  # imports of two treaties, the later one of CCM last
    with con:
        for treaty, at, published in (
            ("ccm", "2026-03-01T10:00:00", "2026-02-27"),
            ("apmbt", "2026-03-02T10:00:00", None),
            ("ccm", "2026-03-03T10:00:00", "2026-03-02"),
        ):
            con.execute(
                "INSERT INTO imports (source_id, importer, treaty, imported_at, published, new, "
                "changed, gone, conflicts) SELECT id, 'untc', ?, ?, ?, 0, 0, 0, 0 FROM sources "
                "ORDER BY id LIMIT 1",
                (treaty, at, published),
            )
    con.close()
    for db in (bundled_db, str(copy)):
        every = treaty_freshness(open_store(db))
        for treaty in all_treaties():
            assert treaty_freshness(open_store(db), treaty) == {treaty: every[treaty]}
    assert every["ccm"]["last_import_published"] == "2026-03-02"
    store = open_store(str(copy))
    for day in (dt.date(2026, 2, 28), dt.date(2026, 3, 2), dt.date(2026, 3, 3)):
        for treaty in ("ccm", "apmbt"):
            alone = beyond_warning(store, day, treaty)
            fresh = open_store(str(copy))
            treaty_freshness(fresh)  # every treaty's read first
            assert alone == beyond_warning(fresh, day, treaty)
