"""The store: created and loaded in one transaction; a failed load leaves nothing behind."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from normwatch import catalog
from normwatch.errors import DataError
from normwatch.store.db import db_url, open_store


def tables(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        con.close()


def test_a_new_store_is_loaded_from_the_bundled_data(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "new.sqlite"))
    assert store.count("states") == 197
    assert store.count("actions") > 500
    assert store.registry().resolve("Türkiye") == store.registry().resolve("Turkey") == "TUR"
    assert store.registry().resolve("cote d'ivoire") == "CIV"


def test_every_bundled_action_has_a_source(store: object) -> None:
    from normwatch.store.db import Store

    assert isinstance(store, Store)
    for treaty in ("ccm", "apmbt"):
        assert all(a.sources for a in store.actions(treaty))


def test_a_failed_first_load_leaves_the_store_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = catalog.data_text

    def broken(name: str) -> str:
        text = real(name)
        if name == "apmbt/actions.csv":
            return text.replace("2025-06-27", "2025-06-31", 1)
        return text

    monkeypatch.setattr(catalog, "data_text", broken)
    path = tmp_path / "broken.sqlite"
    with pytest.raises(DataError, match=r"apmbt/actions\.csv:\d+: date: impossible date"):
        open_store(str(path))
    assert tables(path) == []
    monkeypatch.undo()
    assert open_store(str(path)).count("states") == 197


def test_a_failed_write_rolls_back_everything(tmp_path: Path) -> None:
    from normwatch.store import schema as t

    store = open_store(str(tmp_path / "s.sqlite"))
    before = store.count("sources")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute(t.sources.insert().values(id="x1", url="https://example.org/a", kind="web"))
        raise RuntimeError("interrupted")
    assert store.count("sources") == before


def test_db_option_takes_a_path_or_a_url(tmp_path: Path) -> None:
    assert db_url(str(tmp_path / "a.sqlite")) == f"sqlite:///{tmp_path / 'a.sqlite'}"
    assert db_url("postgresql+psycopg://u@localhost/nw") == "postgresql+psycopg://u@localhost/nw"


def test_store_objects_reading_the_same_states_share_one_registry(
    tmp_path: Path, bundled_db: str
) -> None:
    copy = tmp_path / "store.sqlite"
    shutil.copy(bundled_db, copy)
    first = open_store(str(copy)).registry()
    assert open_store(str(copy)).registry() is first
    con = sqlite3.connect(copy)
    with con:
        con.execute("UPDATE states SET name = 'Lietuva' WHERE code = 'LTU'")
    con.close()
    changed = open_store(str(copy)).registry()
    assert changed is not first
    assert changed.name("LTU") == "Lietuva" and first.name("LTU") == "Lithuania"
    assert changed.resolve("Lietuva") == "LTU"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM states ORDER BY code",
        # a name twice: each keeps its first column's value, as sqlite3.Row gives it
        "SELECT a.id, a.state, s.id, s.url, a.date AS id FROM actions a "
        "JOIN action_sources x ON x.action_id = a.id JOIN sources s ON s.id = x.source_id "
        "ORDER BY a.id, s.id",
        "SELECT code FROM states WHERE 1 = 0",
    ],
)
def test_query_rows_are_the_dicts_of_sqlite_rows(bundled_db: str, sql: str) -> None:
    con = sqlite3.connect(bundled_db)
    con.row_factory = sqlite3.Row
    expected = [dict(r) for r in con.execute(sql)]
    con.close()
    got = open_store(bundled_db).query(sql)
    assert got == expected
    assert [list(r) for r in got] == [list(r) for r in expected]  # the keys' order too
