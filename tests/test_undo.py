"""``meetings remove`` and the undo of an import leave the store row for row as it was before
the import (compared by dumps of every table)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clirun import run
from mtdsg_export import export_mtdsg
from normwatch.store.db import open_store
from test_fiction import FACTS, MEETING, dump


@pytest.fixture()
def tour(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "tour.sqlite"
    assert run(capsys, "db", "example", str(path))[0] == 0
    capsys.readouterr()
    return path


def test_meetings_remove_gives_back_the_store_before_the_import(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(tour)
    assert run(capsys, "--db", str(tour), "meetings", "import", str(MEETING))[0] == 0
    assert run(capsys, "--db", str(tour), "code", "auto", "ccm-test-msp")[0] == 0
    assert dump(tour) != before
    code, out, _ = run(capsys, "--db", str(tour), "meetings", "remove", "ccm-test-msp")
    assert code == 0 and "ccm-test-msp: removed" in out and "10 statements" in out
    assert dump(tour) == before


def test_meetings_remove_of_an_unknown_meeting_is_an_error(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(tour)
    code, _, err = run(capsys, "--db", str(tour), "meetings", "remove", "ccm-nosuch")
    assert code != 0 and "unknown meeting" in err
    assert dump(tour) == before


def test_import_obligations_undo_gives_back_the_store_before_the_import(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(tour)
    assert run(capsys, "--db", str(tour), "import", "obligations", "ccm", str(FACTS))[0] == 0
    assert dump(tour) != before
    args = ("--db", str(tour), "import", "obligations", "ccm", str(FACTS), "--undo")
    code, out, _ = run(capsys, *args)
    assert code == 0 and out.startswith("undone: obligations ccm")
    assert dump(tour) == before
    code, _, err = run(capsys, *args)  # nothing left to undo
    assert code != 0 and "no import on record" in err


def test_only_the_last_import_can_be_undone(tour: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", str(tour), "import", "obligations", "ccm", str(FACTS))[0] == 0
    assert run(capsys, "--db", str(tour), "meetings", "import", str(MEETING))[0] == 0
    middle = dump(tour)
    args = ("--db", str(tour), "import", "obligations", "ccm", str(FACTS), "--undo")
    code, _, err = run(capsys, *args)
    assert code != 0 and "the last import is meetings" in err
    assert dump(tour) == middle


def test_general_undo_takes_back_imports_one_by_one(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = dump(tour)
    assert run(capsys, "--db", str(tour), "import", "obligations", "ccm", str(FACTS))[0] == 0
    after_facts = dump(tour)
    assert run(capsys, "--db", str(tour), "meetings", "import", str(MEETING))[0] == 0
    code, out, _ = run(capsys, "--db", str(tour), "import", "undo")
    assert code == 0 and "undone: meetings" in out
    assert dump(tour) == after_facts
    assert run(capsys, "--db", str(tour), "import", "undo")[0] == 0
    assert dump(tour) == empty


def test_undo_is_refused_when_the_store_changed_since_the_import(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", str(tour), "meetings", "import", str(MEETING))[0] == 0
    coded = ("code", "set", "ccm-test-msp/s01", "concern", "--coder", "carol")
    assert run(capsys, "--db", str(tour), *coded)[0] == 0
    changed = dump(tour)
    code, _, err = run(capsys, "--db", str(tour), "import", "undo")
    assert code != 0 and "changed since the import" in err
    assert dump(tour) == changed


def test_undo_of_a_depositary_import_gives_back_the_store(
    bundled_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "real.sqlite"
    shutil.copy(bundled_db, db)
    store = open_store(str(db))
    names = {s.code: s.name for s in store.registry().states}
    data = export_mtdsg(
        store.actions("ccm"), names, extra_rows=[("Tuvalu", "", "", "12 Jan\t 2026 a")]
    )
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(data)
    before = dump(db)
    assert run(capsys, "--db", str(db), "import", "untc", str(path))[0] == 0
    assert dump(db) != before
    code, out, _ = run(capsys, "--db", str(db), "import", "undo")
    assert code == 0 and "undone: untc" in out
    assert dump(db) == before


def test_the_digest_of_the_journalled_tables_is_the_one_earlier_releases_wrote(
    tour: Path,
) -> None:
    # an entry journalled by an earlier release keeps its digest: the sha256 of each table's
    # name and the repr of its rows sorted by their repr
    import hashlib

    from normwatch.store.journal import _digest, _snapshot, _tables

    store = open_store(str(tour))
    with store.transaction() as conn:
        snap = _snapshot(conn, _tables(conn, None))
    h = hashlib.sha256()
    for name in sorted(snap):
        h.update(name.encode())
        h.update(repr(sorted(snap[name].values(), key=repr)).encode())
    assert sum(len(rows) for rows in snap.values()) > 1000
    assert _digest(snap) == h.hexdigest()
