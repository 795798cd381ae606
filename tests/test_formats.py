"""What normwatch writes for people and programs: CSV that a spreadsheet cannot run, tables that
show data as it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from clirun import run
from normwatch.formats import emit, spreadsheet_safe, to_csv


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")']
)
def test_text_that_starts_like_a_formula_is_neutralised(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text
    body = to_csv([{"v": text}]).split("\n", 1)[1]
    assert body.lstrip('"').startswith("'" + text[0])


def test_numbers_and_plain_text_are_left_alone() -> None:
    out = to_csv([{"n": -3, "x": -2.5, "t": "Lithuania", "d": "2024-09-06", "b": True}])
    assert out.splitlines()[1] == "-3,-2.5,Lithuania,2024-09-06,true"


def test_a_table_shows_markup_like_text_as_it_is() -> None:
    buf = io.StringIO()
    emit([{"message": "cannot read [/path] or [bold]x[/bold]"}], "table", title="[/t]", out=buf)
    assert "[/path]" in buf.getvalue() and "[bold]x[/bold]" in buf.getvalue()


def test_the_exported_csv_files_neutralise_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "iso3,obligation,original_deadline,source_url,confidence,note\n"
        "AUT,clearance,2026-06-30,https://example.org/fictional,low,\"=cmd|' /C calc'!A0\"\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "s.sqlite")
    code, _, err = run(capsys, "--db", db, "import", "obligations", "ccm", str(facts))
    assert code == 0, err
    out = tmp_path / "out"
    code, _, err = run(capsys, "--db", db, "export", str(out), "--format", "csv")
    assert code == 0, err
    cells = [
        c for f in out.glob("*.csv") for row in csv.reader(f.open(encoding="utf-8")) for c in row
    ]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]


def test_dumps_items_holds_the_same_content_as_dumps() -> None:
    import datetime as dt
    import json

    from normwatch.formats import dumps, dumps_items

    items = [
        {"date": dt.date(2024, 9, 6), "codes": ("LTU", "EST"), "n": 1, "name": "Türkiye"},
        {"set": frozenset({"a"}), "none": None},
    ]
    text = dumps_items(items)
    assert json.loads(text) == json.loads(dumps(items))
    assert len(text.splitlines()) == 4  # "[", one line per item, "]"
    assert "Türkiye" in text
    assert dumps_items([]) == "[]"
