"""The core CLI commands: output shapes, explanations and error handling."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import run


def test_status_json_rows_carry_the_documented_fields(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "status", "ccm", "Lithuania", "--on",
                       "2025-03-05", "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert row == {"state": "LTU", "name": "Lithuania", "treaty": "ccm", "date": "2025-03-05",
                   "status": "withdrawing", "since": "2024-09-06", "notified": "2024-09-06",
                   "effective": "2025-03-06", "postponed": False}


def test_status_explain_names_the_article_and_the_arithmetic(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "status", "ccm", "LTU", "--on", "2012-01-01",
                       "--explain")
    assert code == 0
    assert "art. 17(2)" in out
    assert "2011-03-24" in out and "2011-09-01" in out


def test_counts_json_matches_the_depositary_count(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "counts", "ccm", "--on", "2023-12-31",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["parties"], data["in_force"], data["signatories"]) == (112, 111, 12)
    assert {"consented", "withdrawing", "withdrawn", "non_signatories"} <= set(data)


def test_roll_filters_by_status_and_writes_csv(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "roll", "apmbt", "--on", "2026-02-20",
                       "--status", "withdrawn", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("state,name,status,since")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["EST", "FIN", "LTU", "LVA", "POL"]


def test_timeline_shows_domestic_steps_without_legal_effect(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "timeline", "ccm", "LTU", "--format", "json")
    assert code == 0
    entries = json.loads(out)["entries"]
    vote = next(e for e in entries if e["date"] == "2024-07-18")
    assert vote["type"] == "event" and vote["legal_effect"] is False
    statuses = [e["status"] for e in entries if e["type"] == "status"]
    assert statuses == ["signatory", "consented", "party", "withdrawing", "withdrawn"]


def test_changes_between_two_dates(bundled_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "changes", "apmbt", "--since", "2025-12-01",
                       "--until", "2025-12-31", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {(r["state"], r["to"]) for r in rows} == {
        ("TON", "party"), ("EST", "withdrawn"), ("LVA", "withdrawn"), ("LTU", "withdrawn")}


def test_check_passes_on_the_bundled_data(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "check")
    assert code == 0, out
    assert "all checks passed" in out


def test_check_fails_with_a_list_when_a_fact_lost_its_source(
    tmp_path: Path, bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(Path(bundled_db).read_bytes())
    con = sqlite3.connect(copy)
    con.execute("DELETE FROM action_sources WHERE action_id IN "
                "(SELECT id FROM actions WHERE state='LTU' AND kind='withdrawal')")
    con.commit()
    con.close()
    code, out, _ = run(capsys, "--db", str(copy), "check", "--format", "json")
    assert code == 1
    assert any(p["check"] == "sourced" and "LTU withdrawal" in p["message"]
               for p in json.loads(out))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "ccm", "Atlantis"], "unknown State name: 'Atlantis'"),
        (["status", "ccm", "LTU", "Narnia", "Oz"], "unknown State names: 'Narnia', 'Oz'"),
        (["status", "ccm", "LTU", "--on", "2025-02-30"], "impossible date"),
        (["counts", "ccm", "--on", "yesterday"], "not a date"),
        (["counts", "nosuchtreaty"], "unknown treaty 'nosuchtreaty'"),
        (["roll", "ccm", "--status", "member"], "unknown status 'member'"),
    ],
)
def test_bad_input_gives_one_error_line_and_a_non_zero_exit(
    bundled_db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--db", bundled_db, *args)
    assert code != 0
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]


def test_the_console_script_runs_without_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite"
    proc = subprocess.run(
        [sys.executable, "-m", "normwatch", "--db", str(db), "status", "ccm", "Atlantis"],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: unknown State name: 'Atlantis'"
    assert "Traceback" not in proc.stderr
