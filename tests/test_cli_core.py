"""The core CLI commands: output shapes, explanations and error handling."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from clirun import run


def test_status_json_rows_carry_the_documented_fields(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        bundled_db,
        "status",
        "ccm",
        "Lithuania",
        "--on",
        "2025-03-05",
        "--format",
        "json",
    )
    assert code == 0
    (row,) = json.loads(out)
    assert row == {
        "state": "LTU",
        "name": "Lithuania",
        "treaty": "ccm",
        "date": "2025-03-05",
        "status": "withdrawing",
        "since": "2024-09-06",
        "notified": "2024-09-06",
        "effective": "2025-03-06",
        "postponed": False,
    }


def test_status_explain_names_the_article_and_the_arithmetic(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--db", bundled_db, "status", "ccm", "LTU", "--on", "2012-01-01", "--explain"
    )
    assert code == 0
    assert "art. 17(2)" in out
    assert "2011-03-24" in out and "2011-09-01" in out


def test_counts_json_matches_the_depositary_count(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--db", bundled_db, "counts", "ccm", "--on", "2023-12-31", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert (data["parties"], data["in_force"], data["signatories"]) == (112, 111, 12)
    assert {"consented", "withdrawing", "withdrawn", "non_signatories"} <= set(data)


def test_roll_filters_by_status_and_writes_csv(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        bundled_db,
        "roll",
        "apmbt",
        "--on",
        "2026-02-20",
        "--status",
        "withdrawn",
        "--format",
        "csv",
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "state,name,treaty,date,status,since,notified,effective,postponed"
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
    code, out, _ = run(
        capsys,
        "--db",
        bundled_db,
        "changes",
        "apmbt",
        "--since",
        "2025-12-01",
        "--until",
        "2025-12-31",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert {(r["state"], r["to"]) for r in rows} == {
        ("TON", "party"),
        ("EST", "withdrawn"),
        ("LVA", "withdrawn"),
        ("LTU", "withdrawn"),
    }


def test_check_passes_on_the_bundled_data(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", bundled_db, "check")
    assert code == 0, out
    assert "all checks passed" in out


COPY = "copy.sqlite"


@contextmanager
def edited_copy(tmp_path: Path, bundled_db: str) -> Iterator[sqlite3.Connection]:
    """A copy of the bundled store, opened for edits that are committed on leaving."""
    copy = tmp_path / COPY
    copy.write_bytes(Path(bundled_db).read_bytes())
    con = sqlite3.connect(copy)
    try:
        yield con
        con.commit()
    finally:
        con.close()


def test_check_fails_with_a_list_when_a_fact_lost_its_source(
    tmp_path: Path, bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with edited_copy(tmp_path, bundled_db) as con:
        con.execute(
            "DELETE FROM action_sources WHERE action_id IN "
            "(SELECT id FROM actions WHERE state='LTU' AND kind='withdrawal')"
        )
    code, out, _ = run(capsys, "--db", str(tmp_path / COPY), "check", "--format", "json")
    assert code == 1
    assert any(
        p["check"] == "sourced" and "LTU withdrawal" in p["message"] for p in json.loads(out)
    )


def sourced_act(con: sqlite3.Connection, act_id: str, state: str, kind: str, day: str) -> None:
    """An action with a source, written straight into a copied store as a bad edit would."""
    con.execute(
        "INSERT INTO actions (id, treaty, state, kind, date) VALUES (?, 'ccm', ?, ?, ?)",
        (act_id, state, kind, day),
    )
    source = con.execute("SELECT id FROM sources LIMIT 1").fetchone()[0]
    con.execute(
        "INSERT INTO action_sources (action_id, source_id, first_seen, last_seen) "
        "VALUES (?, ?, '2026-01-01', '2026-01-01')",
        (act_id, source),
    )


@pytest.mark.parametrize(
    ("state", "kind", "day", "check", "words"),
    [
        ("USA", "withdrawal", "2020-01-02", "consistency", "USA"),
        ("NOR", "signature", "2007-05-01", "after_opening", "before the treaty opened"),
        ("XYZ", "signature", "2009-01-05", "state_codes", "unknown State XYZ"),
    ],
)
def test_check_lists_each_kind_of_bad_fact(
    tmp_path: Path,
    bundled_db: str,
    capsys: pytest.CaptureFixture[str],
    state: str,
    kind: str,
    day: str,
    check: str,
    words: str,
) -> None:
    with edited_copy(tmp_path, bundled_db) as con:
        sourced_act(con, "bad1", state, kind, day)
    code, out, _ = run(capsys, "--db", str(tmp_path / COPY), "check", "--format", "json")
    assert code == 1
    assert any(p["check"] == check and words in p["message"] for p in json.loads(out)), out


def test_check_finds_a_computed_entry_into_force_that_differs_from_the_rule_file(
    tmp_path: Path, bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with edited_copy(tmp_path, bundled_db) as con:
        # without one of the two instruments of 16 February 2010 the 30th is the one of April
        con.execute(
            "DELETE FROM action_sources WHERE action_id IN (SELECT id FROM actions "
            "WHERE treaty = 'ccm' AND state = 'BFA' AND kind = 'ratification')"
        )
        con.execute(
            "DELETE FROM actions WHERE treaty = 'ccm' AND state = 'BFA' AND kind = 'ratification'"
        )
    code, out, _ = run(capsys, "--db", str(tmp_path / COPY), "check", "--format", "json")
    assert code == 1
    assert any(
        p["check"] == "entry_into_force"
        and p["message"].startswith(
            "ccm: computed entry into force 2010-10-01 differs from the recorded 2010-08-01"
        )
        for p in json.loads(out)
    ), out


def test_check_as_csv_is_a_header_when_all_is_well(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", bundled_db, "check", "--format", "csv")[:2] == (0, "check,message\n")
    assert run(capsys, "--db", bundled_db, "check", "--format", "json")[:2] == (0, "[]\n")


def test_a_postponed_withdrawal_says_so_in_table_and_csv(
    tmp_path: Path, bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ukraine and the APMBT: a withdrawal received while the State is engaged in an armed
    conflict (the receipt here is a test fact, not a recorded one)."""
    with edited_copy(tmp_path, bundled_db) as con:
        sourced_act(con, "ukr1", "UKR", "withdrawal", "2025-07-01")
        con.execute("UPDATE actions SET treaty = 'apmbt' WHERE id = 'ukr1'")
    args = ["--db", str(tmp_path / COPY), "status", "apmbt", "Ukraine", "--on", "2026-06-01"]
    code, out, _ = run(capsys, *args, "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "state,name,treaty,date,status,since,notified,effective,postponed",
        "UKR,Ukraine,apmbt,2026-06-01,withdrawing,2025-07-01,2025-07-01,,true",
    ]
    code, out, _ = run(capsys, *args)
    assert "postponed (armed conflict)" in out
    code, out, _ = run(
        capsys,
        "--db",
        str(tmp_path / COPY),
        "roll",
        "apmbt",
        "--on",
        "2026-06-01",
        "--status",
        "Withdrawing,",
        "--format",
        "csv",
    )
    assert [r.split(",")[0] for r in out.splitlines()[1:]] == ["UKR"]


def test_status_lists_each_state_once(bundled_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--db", bundled_db, "status", "ccm", "LTU", "Lithuania", "lt", "--format", "json"
    )
    assert code == 0 and [r["state"] for r in json.loads(out)] == ["LTU"]


def test_a_store_that_cannot_be_opened_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for db in (str(tmp_path), "postgresql://nobody@127.0.0.1:1/none"):
        code, out, err = run(capsys, "--db", db, "treaties")
        assert code == 1 and out == ""
        assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "ccm", "Atlantis"], "unknown State name: 'Atlantis'"),
        (["roll", "ccm", "--status", ""], "--status: name at least one status"),
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
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: unknown State name: 'Atlantis'"
    assert "Traceback" not in proc.stderr


def test_status_command_imports_no_heavy_library(bundled_db: str) -> None:
    heavy = ["sklearn", "fastapi", "pypdf", "docx", "bs4", "langdetect", "jinja2", "sqlalchemy"]
    heavy += ["numpy", "uvicorn", "icalendar", "yaml", "importlib.resources"]
    script = (
        "import sys\n"
        "from normwatch.cli.main import main\n"
        "try:\n"
        f"    main(['--db', {bundled_db!r}, 'status', 'ccm', 'LTU'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Lithuania" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_store_path_in_a_missing_folder_is_refused_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = tmp_path / "no-such-folder" / "team.sqlite"
    code, out, err = run(capsys, "--db", str(typo), "counts", "ccm")
    assert code == 1 and out == ""
    assert f"there is no folder {typo.parent}" in err and "--db" in err
    assert not typo.parent.exists()
    monkeypatch.setenv("NORMWATCH_DB", str(typo))
    code, _, err = run(capsys, "users", "list")
    assert code == 1 and "NORMWATCH_DB" in err and not typo.parent.exists()
    # a new store in an existing folder is still made on first use
    code, out, _ = run(capsys, "--db", str(tmp_path / "new.sqlite"), "counts", "ccm")
    assert code == 0 and "parties" in out


def test_serve_on_a_taken_port_is_refused_before_it_says_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(
            capsys, "--db", str(tmp_path / "s.sqlite"), "serve", "--port", str(port)
        )
    assert code == 1 and out == ""
    assert f"cannot serve on 127.0.0.1:{port}" in err and "--port" in err
    assert "serving" not in err


def test_a_command_on_an_example_store_says_so_at_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import pty

    example, real = str(tmp_path / "example.sqlite"), str(tmp_path / "real.sqlite")
    assert run(capsys, "db", "example", example)[0] == 0

    def at_a_terminal(db: str) -> tuple[int, str]:
        """Run ``counts ccm`` with stdout on a pseudo-terminal; (exit code, stderr)."""
        main, child = pty.openpty()
        done = subprocess.run(
            [sys.executable, "-m", "normwatch", "--db", db, "counts", "ccm"],
            stdout=child,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
        os.close(child)
        os.close(main)
        return done.returncode, done.stderr

    code, err = at_a_terminal(example)
    assert code == 0 and "an example store" in err
    code, err = at_a_terminal(real)
    assert code == 0 and "example store" not in err
    # read by a program (a pipe), the output is as it always was
    code, out, err = run(capsys, "--db", example, "counts", "ccm", "--format", "json")
    assert code == 0 and json.loads(out)["parties"] > 0 and "example store" not in err
