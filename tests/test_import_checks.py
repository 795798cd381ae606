"""Every import runs the checks of ``normwatch check`` on its result before it commits: a check
that newly fails refuses the import and leaves the store byte for byte as it was; a check that
failed before does not block an unrelated import; the pinned reference counts only warn."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from clirun import run
from mtdsg_export import export_mtdsg
from normwatch.store.db import open_store

FIXTURE_MEETING = Path(__file__).parent / "fixtures" / "meetings" / "ccm-test-msp"


@pytest.fixture()
def fresh(tmp_path: Path, bundled_db: str) -> str:
    copy = tmp_path / "store.sqlite"
    shutil.copy(bundled_db, copy)
    return str(copy)


def ccm_file(db: str, tmp_path: Path, *rows: tuple[str, str, str, str]) -> Path:
    """The store's own CCM listing as a status file, with ``rows`` (fictional) added."""
    store = open_store(db)
    names = {s.code: s.name for s in store.registry().states}
    path = tmp_path / "XXVI-6.en.xml"
    path.write_bytes(export_mtdsg(store.actions("ccm"), names, extra_rows=list(rows)))
    return path


def mark_example(db: str) -> None:
    con = sqlite3.connect(db)
    with con:
        con.execute("INSERT INTO meta (key, value) VALUES ('example', 'yes')")
    con.close()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        # a signature before the Convention opened for signature (2008-12-03)
        (("Tuvalu", "3 Dec\t 2005", "", ""), "after_opening: ccm: TUV signature 2005-12-03"),
        # an accession dated years after the file was read
        (
            ("Tuvalu", "", "", "12 Jan\t 2099 a"),
            "dated_after_recording: ccm: TUV accession 2099-01-12: dated after it was first",
        ),
    ],
)
def test_an_import_whose_result_fails_a_check_is_refused_and_writes_nothing(
    fresh: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    row: tuple[str, str, str, str],
    problem: str,
) -> None:
    path = ccm_file(fresh, tmp_path, row)
    before = Path(fresh).read_bytes()
    code, out, err = run(capsys, "--db", fresh, "import", "untc", str(path))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "import refused: its result would fail `normwatch check`" in err
    assert problem in err and "Nothing was written" in err
    assert Path(fresh).read_bytes() == before
    assert run(capsys, "--db", fresh, "check")[0] == 0


def test_a_dry_run_of_such_a_file_writes_nothing_and_exits_0(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ccm_file(fresh, tmp_path, ("Tuvalu", "3 Dec\t 2005", "", ""))
    before = Path(fresh).read_bytes()
    code, out, _ = run(capsys, "--db", fresh, "import", "untc", str(path), "--dry-run")
    assert code == 0 and "+ TUV signature 2005-12-03" in out
    assert Path(fresh).read_bytes() == before


def test_a_check_failing_before_does_not_block_an_unrelated_import(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = sqlite3.connect(fresh)  # an act left without a source by some earlier mishap
    with con:
        victim = con.execute(
            "SELECT id FROM actions WHERE treaty = 'apmbt' AND state = 'NOR'"
        ).fetchone()[0]
        con.execute("DELETE FROM action_sources WHERE action_id = ?", (victim,))
    con.close()
    code, failing, _ = run(capsys, "--db", fresh, "check", "--format", "csv")
    assert code == 1 and "sourced" in failing
    # after the last pinned reference date (2026-03-01), so no figure moves
    path = ccm_file(fresh, tmp_path, ("Tuvalu", "", "", "12 Jun\t 2026 a"))
    code, out, err = run(capsys, "--db", fresh, "import", "untc", str(path))
    assert code == 0, err
    assert "+ TUV accession 2026-06-12" in out and "warning" not in out
    code, after, _ = run(capsys, "--db", fresh, "check", "--format", "csv")
    assert code == 1 and after == failing  # the old problem, and no new one


def test_a_changed_reference_count_is_a_warning_and_the_import_is_kept(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an accession of 2021 changes the figures pinned for 2022-08-01 and later
    path = ccm_file(fresh, tmp_path, ("Tuvalu", "", "", "12 Jan\t 2021 a"))
    code, out, err = run(capsys, "--db", fresh, "import", "untc", str(path))
    assert code == 0, err
    assert "+ TUV accession 2021-01-12" in out
    assert "warning: reference_counts: ccm 2022-08-01: parties = 111, reference 110" in out
    tuvalu = open_store(fresh).view("ccm").status("TUV", dt.date(2022, 1, 1))
    assert tuvalu.status.value == "party"


def test_a_meeting_import_whose_capacities_contradict_the_treaty_is_refused(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mark_example(fresh)  # the fixture meeting is fictional
    folder = tmp_path / "ccm-test-msp"
    shutil.copytree(FIXTURE_MEETING, folder)
    participants = folder / "participants.csv"
    participants.write_text(
        participants.read_text(encoding="utf-8")
        + "United States of America,state_party,https://example.org/ccm-test-msp/participants\n",
        encoding="utf-8",
    )
    before = Path(fresh).read_bytes()
    code, out, err = run(capsys, "--db", fresh, "import", "meeting", str(folder))
    assert code == 1 and out == ""
    assert "import refused" in err
    assert "meeting_capacity: meeting ccm-test-msp: USA listed as state_party" in err
    assert Path(fresh).read_bytes() == before
    participants.write_text(
        (FIXTURE_MEETING / "participants.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    code, _, err = run(capsys, "--db", fresh, "import", "meeting", str(folder))
    assert code == 0, err


@pytest.mark.parametrize("name", ["meeting.yaml", "participants.csv", "s01.txt"])
def test_a_meeting_file_linking_out_of_its_folder_is_refused_unread(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    mark_example(fresh)
    folder = tmp_path / "ccm-test-msp"
    shutil.copytree(FIXTURE_MEETING, folder)
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("first line of a private file\n", encoding="utf-8")
    (folder / name).unlink()
    (folder / name).symlink_to(secret)
    before = Path(fresh).read_bytes()
    code, out, err = run(capsys, "--db", fresh, "import", "meeting", str(folder))
    assert code != 0 and out == ""
    assert name in err and ("leads out of the folder" in err or "outside the meeting" in err)
    assert "private file" not in err
    assert Path(fresh).read_bytes() == before
