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
from normwatch.service.status import affected_by, check
from normwatch.store.db import open_store
from shared_files import SHARED

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


# -- the check of a status file's import keeps to the treaties its acts can change ---------

PAGES_2026 = SHARED / "data" / "untc-2026"
needs_pages = pytest.mark.skipif(not PAGES_2026.is_dir(), reason=f"no 2026 pages at {PAGES_2026}")
ALL_PAGES = (
    "enmod", "ccw", "ccw_p4", "ccw_p2a", "ccw_art1", "ccw_p5",
    "cwc", "ctbt", "ottawa", "ccm", "att", "tpnw",
)  # fmt: skip


def mutated_page(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A 2026 page with ``old`` (once in it) replaced by ``new``."""
    text = (PAGES_2026 / f"{name}.html").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / f"{name}.html"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_status_files_check_is_scoped_to_its_treaty_and_those_counting_on_it() -> None:
    store = open_store("sqlite://")  # the scope is read from the rule files only
    assert affected_by(store, "ccm") == {"ccm"}
    # a CCW party's consents to the protocols count for the Convention (art. 4(3))
    for protocol in ("ccw-p4", "ccw-p2a", "ccw-p5"):
        assert affected_by(store, protocol) == {protocol, "ccw"}
    assert affected_by(store, "ccw") == {"ccw"}


def test_a_scoped_check_finds_exactly_the_full_checks_problems_of_its_treaties(
    fresh: str,
) -> None:
    con = sqlite3.connect(fresh)  # a problem of each kind, in several treaties
    with con:
        con.execute(  # sourced: an APMBT act without a source
            "DELETE FROM action_sources WHERE action_id = "
            "(SELECT id FROM actions WHERE treaty = 'apmbt' AND state = 'NOR')"
        )
        con.execute(  # after_opening: an ATT act dated before the opening
            "UPDATE actions SET date = '2001-01-01' WHERE id = "
            "(SELECT id FROM actions WHERE treaty = 'att' AND state = 'FRA' "
            "AND kind = 'signature')"
        )
        con.execute(  # meetings_sourced: a CCM meeting's statement without source or text
            "UPDATE statements SET source_id = NULL WHERE id = (SELECT s.id FROM statements s "
            "JOIN meetings m ON m.id = s.meeting_id WHERE m.treaty = 'ccm' ORDER BY s.id LIMIT 1)"
        )
        con.execute(  # fiction: a TPNW act citing a reserved example domain
            "INSERT INTO sources (id, url, kind) VALUES ('fictional', "
            "'https://treaties.example.org/tpnw', 'secondary')"
        )
        con.execute(
            "INSERT INTO action_sources (action_id, source_id, first_seen, last_seen) "
            "SELECT id, 'fictional', '2026-01-01', '2026-01-01' FROM actions "
            "WHERE treaty = 'tpnw' AND state = 'AUT' AND kind = 'signature'"
        )
    con.close()
    store = open_store(fresh)
    full = set(check(store))
    checks = {p.check for p in full}
    assert {"sourced", "after_opening", "meetings_sourced", "fiction"} <= checks
    scoped = {t: set(check(store, {t})) for t in store.treaties()}
    assert set().union(*scoped.values()) == full
    for treaty, problems in scoped.items():
        assert all(p.message.startswith(treaty) or treaty in p.message for p in problems)
    assert {p.check for p in scoped["ccm"]} == {"meetings_sourced"}
    assert {p.check for p in scoped["att"]} == {"after_opening"}
    assert check(store, set()) == []


@needs_pages
def test_the_twelve_pages_import_with_their_checks_and_a_signature_before_opening_is_refused(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = [str(PAGES_2026 / f"{name}.html") for name in ALL_PAGES]
    code, out, err = run(capsys, "--db", fresh, "import", "untc", *pages)
    assert code == 0, err
    assert "refused" not in out
    before = Path(fresh).read_bytes()
    # a row added for a State not in the Convention: a signature a year before it opened
    lux = '\t<tr class="trBGGrey">\n\t\t<td>Luxembourg<br></td>\n'
    tuvalu = (
        '\t<tr class="trBWhite">\n\t\t<td>Tuvalu<br></td>\n\t\t<td> &nbsp;3 Dec\t 2007 <br></td>\n'
        "\t\t<td>&nbsp;</td>\n\t\t<td>&nbsp;</td>\n\t</tr>\n"
    )
    bad = mutated_page(tmp_path, "ccm", lux, tuvalu + lux)
    code, out, err = run(capsys, "--db", fresh, "import", "untc", str(bad))
    assert code == 1 and out == ""
    assert "after_opening: ccm: TUV signature 2007-12-03" in err
    assert "Nothing was written" in err
    assert Path(fresh).read_bytes() == before
    assert run(capsys, "--db", fresh, "check")[0] == 0


@needs_pages
def test_a_protocol_page_that_leaves_a_ccw_party_short_of_two_protocols_is_refused(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Burundi's companion acts on record: Protocol II (a record) and Protocol V (this page)
    row = (
        '\t<tr class="trBWhite">\n\t\t<td>Burundi<br></td>\n'
        "\t\t<td>13 Jul\t 2012 P<br></td>\n\t</tr>\n"
    )
    bad = mutated_page(tmp_path, "ccw_p5", row, "")
    before = Path(fresh).read_bytes()
    code, out, err = run(capsys, "--db", fresh, "import", "untc", str(bad))
    assert code == 1 and out == ""
    assert "consistency: ccw: BDI: art. 4(3): consent to 2 companion acts needed" in err
    assert Path(fresh).read_bytes() == before
