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


def test_a_table_shows_emoji_codes_as_they_are() -> None:
    buf = io.StringIO()
    emit([{"note": "see :warning: and :smile:"}], "table", title=":thumbs_up:", out=buf)
    assert ":warning:" in buf.getvalue() and ":smile:" in buf.getvalue()
    assert ":thumbs_up:" in buf.getvalue()


def test_the_exported_csv_files_neutralise_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "iso3,obligation,original_deadline,source_url,confidence,note\n"
        "AUT,clearance,2020-08-01,https://example.org/fictional,low,\"=cmd|' /C calc'!A0\"\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "s.sqlite")
    assert run(capsys, "db", "example", db)[0] == 0  # the fact cites an example domain
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


# --- tables fit the terminal ------------------------------------------------------------------

_WIDE = [
    {
        "obligation": "stockpile_destruction",
        "article": "3(2)",
        "summary": "completed 2023-06, on time (extended deadline 2023-12-31) " * 3,
        "source": "http://www.the-monitor.org/en-gb/reports/2023/bulgaria/cluster-munition.aspx",
    }
]


def test_a_table_fits_an_80_column_terminal_and_keeps_every_character(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from normwatch.formats import emit_table

    monkeypatch.setenv("COLUMNS", "80")
    buf = io.StringIO()
    emit_table(_WIDE, list(_WIDE[0]), title="wide", out=buf)
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    body = [line.split("│") for line in lines if line.startswith("│")]
    source = "".join(parts[4].strip() for parts in body)
    assert source == _WIDE[0]["source"]  # folded across lines, not cut


def test_a_plain_table_fits_an_80_column_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from normwatch.formats import emit_plain_table

    monkeypatch.setenv("COLUMNS", "80")
    buf = io.StringIO()
    emit_plain_table(_WIDE * 3, list(_WIDE[0]), out=buf)
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) == 80
    assert lines[2].startswith("stockpile_destruction | 3(2)")
    assert "…" in lines[2]


def test_a_table_written_to_a_pipe_is_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from normwatch.formats import emit_plain_table

    monkeypatch.delenv("COLUMNS", raising=False)
    buf = io.StringIO()
    emit_plain_table(_WIDE, list(_WIDE[0]), out=buf)
    assert _WIDE[0]["summary"].strip() in buf.getvalue()


def test_the_cli_fits_its_tables_to_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from clirun import run

    monkeypatch.setenv("COLUMNS", "80")
    code, out, _err = run(capsys, "code", "codebooks")
    assert code == 0 and "Codebooks" in out and "apmbt" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_an_empty_table_says_nothing_matches_and_a_full_one_does_not() -> None:
    empty, full = io.StringIO(), io.StringIO()
    emit([], "table", columns=["date", "state"], title="none here", out=empty)
    emit([{"date": "2025-03-06", "state": "LTU"}], "table", out=full)
    assert "nothing matches" in empty.getvalue() and "date" in empty.getvalue()
    assert "nothing matches" not in full.getvalue() and "LTU" in full.getvalue()
