"""Fiction never mixes with the record: a meeting or a fact marked fictional goes only into an
example store (``normwatch db example``); a store of real data refuses it and stays as it was."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clirun import run
from normwatch.store.db import open_store

ROOT = Path(__file__).resolve().parent
MEETING = ROOT / "fixtures" / "meetings" / "ccm-test-msp"
FACTS = ROOT / "fixtures" / "obligations" / "fictional-later-remnants.csv"


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a SQLite store, sorted: equal dumps, same store."""
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}
    finally:
        con.close()


@pytest.fixture()
def real_db(bundled_db: str, tmp_path: Path) -> Path:
    path = tmp_path / "real.sqlite"
    shutil.copy(bundled_db, path)
    return path


def test_the_bundled_store_is_a_store_of_real_data(bundled_db: str) -> None:
    assert open_store(bundled_db).is_example() is False


def test_a_store_of_real_data_refuses_the_fictional_meeting_and_stays_unchanged(
    real_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(real_db)
    code, out, err = run(capsys, "--db", str(real_db), "meetings", "import", str(MEETING))
    assert code != 0 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "meeting.yaml: fictional" in lines[0] and "db example" in lines[0]
    assert dump(real_db) == before


def test_a_store_of_real_data_refuses_fictional_facts_naming_file_and_line(
    real_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(real_db)
    code, _, err = run(capsys, "--db", str(real_db), "import", "obligations", "ccm", str(FACTS))
    assert code != 0
    assert "fictional-later-remnants.csv:2: fictional" in err
    assert dump(real_db) == before


def test_a_bad_fictional_mark_is_an_error(
    real_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    text = FACTS.read_text(encoding="utf-8").replace(",yes\n", ",perhaps\n")
    bad.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "--db", str(real_db), "import", "obligations", "ccm", str(bad))
    assert code != 0 and "bad.csv:2: fictional" in err and "'perhaps'" in err


def test_the_example_store_takes_the_fixtures_and_is_replaced_on_demand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tmp_path / "tour.sqlite"
    assert run(capsys, "db", "example", str(tour))[0] == 0
    assert open_store(str(tour)).is_example()
    assert run(capsys, "--db", str(tour), "meetings", "import", str(MEETING))[0] == 0
    assert run(capsys, "--db", str(tour), "import", "obligations", "ccm", str(FACTS))[0] == 0
    code, out, _ = run(capsys, "--db", str(tour), "meetings", "list", "--format", "json")
    assert code == 0 and "ccm-test-msp" in out
    # one command throws it away and starts again from the bundled data
    assert run(capsys, "db", "example", str(tour))[0] == 0
    code, out, _ = run(capsys, "--db", str(tour), "meetings", "list", "--format", "json")
    assert code == 0 and "ccm-test-msp" not in out


def test_db_example_never_replaces_a_store_of_real_data(
    real_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(real_db)
    code, _, err = run(capsys, "db", "example", str(real_db))
    assert code != 0 and "is not an example store" in err
    assert dump(real_db) == before


def test_pages_of_an_example_store_carry_a_banner(client: TestClient, bundled_db: str) -> None:
    # the web tests' store holds a fictional meeting, so it is an example store
    assert "Example store" in client.get("/").text
    assert "Example store" in client.get("/meetings").text
    from test_web_support import web_app

    with TestClient(web_app(bundled_db)) as real:  # type: ignore[arg-type]
        assert "Example store" not in real.get("/").text


def test_check_finds_fiction_left_in_a_store_of_real_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a store that took the tour's fixtures before they were refused: fiction, no example mark
    legacy = tmp_path / "legacy.sqlite"
    assert run(capsys, "db", "example", str(legacy))[0] == 0
    assert run(capsys, "--db", str(legacy), "meetings", "import", str(MEETING))[0] == 0
    con = sqlite3.connect(legacy)
    con.execute("DELETE FROM meta WHERE key = 'example'")
    con.commit()
    con.close()
    code, out, _ = run(capsys, "--db", str(legacy), "check", "--format", "json")
    assert code == 1
    fiction = [p for p in json.loads(out) if p["check"] == "fiction"]
    assert fiction and "meeting ccm-test-msp cites https://example.org" in fiction[0]["message"]
    assert run(capsys, "--db", str(legacy), "meetings", "remove", "ccm-test-msp")[0] == 0
    code, out, _ = run(capsys, "--db", str(legacy), "check", "--format", "json")
    assert not [p for p in json.loads(out) if p["check"] == "fiction"]
