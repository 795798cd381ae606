"""Meetings, statements and reactions: import, coding by hand, agreement, shares by hand.

The fixture ``tests/fixtures/meetings/ccm-test-msp`` is a fictional meeting (texts written for
these tests, real State codes) on 2024-09-10 with eleven participating States:

    state_party     AUT CHE DEU FRA IRL LTU MEX NOR SWE     (LTU had notified withdrawal)
    signatory       KEN
    observer_state  FIN
    organizations   ICRC, European Union, Cluster Munition Coalition

and ten statements coded by ``human:alice`` (implied ``mention`` in brackets):

    s01 NOR national           concern, call_to_reconsider, reaffirm_commitment, [mention]
    s02 AUT for AUT IRL MEX NZL  concern, condemn_use, [mention]          (NZL did not attend)
    s03 IRL national (French)  reaffirm_commitment
    s04 DEU national (PDF)     mention     (+ an unreviewed automatic "concern")
    s05 LTU national           mention
    s06 SWE national           reaffirm_commitment
    s07 EU for AUT DEU FRA IRL SWE   mention, reaffirm_commitment
    s08 FIN national           understanding, [mention]
    s09 ICRC                   concern, call_to_reconsider               (an organization)
    s10 MEX as President       concern                                   (presidency role)

CHE and KEN never speak and are covered by no joint statement: the silent participants.
Every expected value below was worked out by hand from this table.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from normwatch.core.meetings import Coder, find_evidence
from normwatch.errors import DataError, NotFoundError, SourceError
from normwatch.service.agreement import agreement, cohen_kappa, krippendorff_alpha_nominal
from normwatch.service.codings import auto_code, meeting_codings, set_codes, unset_codes
from normwatch.service.groups import groups_on, member_on
from normwatch.service.meetings import claims, list_meetings, show_meeting
from normwatch.service.reactions import reactions
from normwatch.sources.meetings.importer import MeetingImportError, import_meeting
from normwatch.sources.meetings.texts import extract_text
from normwatch.store.db import Store, open_store
from normwatch.store.meetings import get_meeting

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "meetings"
GOOD = FIXTURES / "ccm-test-msp"
BAD = FIXTURES / "bad"
MEETING = "ccm-test-msp"
PARTICIPATING = ["AUT", "CHE", "DEU", "FIN", "FRA", "IRL", "KEN", "LTU", "MEX", "NOR", "SWE"]
CODES = [
    "mention",
    "concern",
    "call_to_reconsider",
    "reaffirm_commitment",
    "condemn_use",
    "understanding",
]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def imported_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the bundled data and the test meeting (copy it before writing)."""
    path = tmp_path_factory.mktemp("meetings") / "base.sqlite"
    store = open_store(str(path), example=True)  # the fixture is fictional
    import_meeting(store, GOOD)
    return path


@pytest.fixture()
def store(imported_db: Path) -> Store:
    """A read-only view of the imported store."""
    return open_store(str(imported_db))


@pytest.fixture()
def scratch(imported_db: Path, tmp_path: Path) -> Store:
    """A private copy of the imported store, for tests that write."""
    path = tmp_path / "scratch.sqlite"
    shutil.copy(imported_db, path)
    return open_store(str(path))


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two equal dumps mean nothing changed."""
    assert store._sqlite is not None
    con = sqlite3.connect(store._sqlite)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}
    finally:
        con.close()


def copy_fixture(tmp_path: Path, name: str = "meeting") -> Path:
    target = tmp_path / name
    shutil.copytree(GOOD, target)
    return target


@click.group()
@click.option("--db")
@click.pass_context
def normwatch(ctx: click.Context, db: str) -> None:
    """The meetings commands under a root like ``normwatch`` (``code`` holds this feature's
    coding commands; the lead attaches them to the coder's ``code`` group)."""
    ctx.ensure_object(dict)["db"] = db


def run(store: Store, *args: str) -> Any:
    """Run ``normwatch --db STORE args``."""
    from normwatch.cli.code_meetings import COMMANDS
    from normwatch.cli.meetings import meetings_group, reactions_cmd

    if "code" not in normwatch.commands:
        normwatch.add_command(click.Group("code", commands={c.name or "": c for c in COMMANDS}))
        normwatch.add_command(meetings_group)
        normwatch.add_command(reactions_cmd)
    assert store._sqlite is not None
    return CliRunner().invoke(normwatch, ["--db", store._sqlite, *args])


# ----------------------------------------------------------------------------- import


def test_import_reads_every_file_type_and_detects_the_language(store: Store) -> None:
    rows = {s["local_id"]: s for s in show_meeting(store, MEETING, with_text=True)["statements"]}
    assert rows["s03"]["language"] == "fr" and rows["s03"]["language_detected"]
    assert rows["s06"]["language"] == "en" and rows["s06"]["language_detected"]
    assert rows["s01"]["language"] == "en" and not rows["s01"]["language_detected"]
    assert "réaffirme son engagement total" in rows["s03"]["text"]  # DOCX
    assert rows["s04"]["text"].startswith("Germany takes note")  # PDF
    html = rows["s02"]["text"]  # HTML: inline tags kept in the line, script and nav dropped
    assert "We are alarmed by the first withdrawal" in html
    assert "not statement text" not in html and "Home | Statements" not in html
    assert rows["s02"]["on_behalf_of"] == ["AUT", "IRL", "MEX", "NZL"]
    assert rows["s07"]["speaker_kind"] == "group"  # the European Union speaking for members
    assert rows["s09"]["speaker_kind"] == "organization"
    assert rows["s10"]["role"] == "presidency"


def test_names_resolve_through_the_registry(store: Store) -> None:
    participants = {p["participant"]: p for p in show_meeting(store, MEETING)["participants"]}
    assert participants["AUT"]["capacity"] == "state_party"
    assert participants["KEN"]["capacity"] == "signatory"
    assert participants["FIN"]["capacity"] == "observer_state"
    assert participants["European Union"]["kind"] == "organization"
    assert get_meeting(store, MEETING)["president"] == "MEX"


def test_evidence_spans_hold_the_quoted_words(store: Store) -> None:
    texts = {s["id"]: s["text"] for s in show_meeting(store, MEETING, with_text=True)["statements"]}
    spans = [c for c in meeting_codings(store, MEETING) if c["evidence"]]
    assert len(spans) == 16  # all 18 but the two condemn_use rows of s01
    for c in spans:
        ev = c["evidence"]
        assert texts[c["statement"]][ev["start"] : ev["end"]] == ev["quote"]


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with one line of Helvetica text per item, written by hand."""
    escaped = [x.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for x in lines]
    stream = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(f"({x}) Tj T*" for x in escaped) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += (
        f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
        + "".join(f"{o:010d} 00000 n \n" for o in offsets)
        + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    )
    return out.encode("latin-1")


def _slow_pdf(path: Path) -> Path:
    """A PDF whose one page takes pypdf seconds to read (60,000 lines of text)."""
    path.write_bytes(tiny_pdf(["word"] * 60_000))
    return path


def test_reading_a_pdf_is_given_up_at_its_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = _slow_pdf(tmp_path / "slow.pdf")
    monkeypatch.setenv("NORMWATCH_MAX_PDF_SECONDS", "0.05")
    with pytest.raises(SourceError, match=r"slow\.pdf: reading the PDF's text: took longer than"):
        extract_text(slow)
    # the limit is per file: a small PDF still reads, and a larger limit reads the slow one
    (tmp_path / "s.pdf").write_bytes(tiny_pdf(["Statement by Norway"]))
    assert extract_text(tmp_path / "s.pdf") == "Statement by Norway"
    monkeypatch.setenv("NORMWATCH_MAX_PDF_SECONDS", "600")
    assert extract_text(slow).count("word") == 60_000


def test_reading_a_pdf_outside_the_main_thread_is_given_up_at_its_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no timer signal reaches another thread: the reading itself looks at the clock
    slow = _slow_pdf(tmp_path / "slow.pdf")
    monkeypatch.setenv("NORMWATCH_MAX_PDF_SECONDS", "0.05")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        reading = pool.submit(extract_text, slow)
        with pytest.raises(SourceError, match=r"took longer than 0\.05 s.*NORMWATCH_MAX_PDF_SEC"):
            reading.result()


def test_pdf_words_broken_at_a_line_end_are_joined(tmp_path: Path) -> None:
    path = tmp_path / "s.pdf"
    path.write_bytes(
        tiny_pdf(
            [
                "We are deeply disappointed by the with-",
                "drawal of one State.",
                "Article 7 reports remain",
                "essential - as ever.",
            ]
        )
    )
    text = extract_text(path)
    assert "disappointed by the withdrawal of one State." in text
    assert "essential - as ever." in text  # a dash between words is not a broken word


def test_docx_table_cells_are_read_in_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Statement by the delegation")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "We deeply regret this withdrawal."
    table.cell(1, 0).text = "Left cell."
    table.cell(1, 1).text = "Right cell."
    document.add_paragraph("Thank you.")
    path = tmp_path / "s.docx"
    document.save(str(path))
    assert extract_text(path).split("\n\n") == [
        "Statement by the delegation",
        "We deeply regret this withdrawal.",
        "Left cell.",
        "Right cell.",
        "Thank you.",
    ]


def test_semicolon_separated_spreadsheet_files_import(scratch: Store, tmp_path: Path) -> None:
    directory = copy_fixture(tmp_path)
    for name in ("participants.csv", "statements.csv", "codings.csv"):
        path = directory / name
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    before = dump(scratch)
    report = import_meeting(scratch, directory)
    assert report["changes"] == 0 and dump(scratch) == before  # the same meeting, read alike


def test_organizations_are_known_by_their_acronyms_too(scratch: Store, tmp_path: Path) -> None:
    directory = copy_fixture(tmp_path)
    path = directory / "statements.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("s07,European Union,", "s07,EU,")
        .replace("s09,International Committee of the Red Cross,", "s09,ICRC,"),
        encoding="utf-8",
    )
    before = dump(scratch)
    report = import_meeting(scratch, directory)
    assert report["changes"] == 0 and dump(scratch) == before  # the same speakers as before


def test_check_finds_a_capacity_the_treaty_status_rules_out(scratch: Store, tmp_path: Path) -> None:
    from normwatch.service.checks import check_meetings

    directory = copy_fixture(tmp_path)
    path = directory / "participants.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("Kenya,signatory", "Kenya,state_party")
        .replace("AUT,state_party", "AUT,observer_state"),
        encoding="utf-8",
    )
    import_meeting(scratch, directory)
    assert [p.message for p in check_meetings(scratch)] == [
        "meeting ccm-test-msp: AUT listed as observer_state, but its status under CCM on "
        "2024-09-10 is party",
        "meeting ccm-test-msp: KEN listed as state_party, but its status under CCM on "
        "2024-09-10 is signatory",
    ]


def test_reimporting_the_same_directory_changes_nothing(scratch: Store) -> None:
    before = dump(scratch)
    report = import_meeting(scratch, GOOD)
    assert report["changes"] == 0 and not report["created"]
    assert dump(scratch) == before


def test_reimport_through_the_cli_says_unchanged(scratch: Store) -> None:
    result = run(scratch, "meetings", "import", str(GOOD))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "  0 new, 0 changed, 0 gone, 0 conflicts, 14 participants, 10 statements, "
        "18 codings: unchanged"
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("\x00s01.txt", "'\\x00s01.txt': a file name cannot hold a NUL character"),
        ("s" * 300 + ".txt", "cannot read file: File name too long"),
    ],
)
def test_a_statement_file_name_the_system_cannot_look_up_is_one_problem(
    scratch: Store, tmp_path: Path, name: str, problem: str
) -> None:
    # found by fuzzing meeting folders: both were a traceback (ValueError, OSError)
    directory = copy_fixture(tmp_path)
    listed = (directory / "statements.csv").read_text(encoding="utf-8")
    (directory / "statements.csv").write_text(listed.replace(",s01.txt,", f",{name},"), "utf-8")
    before = dump(scratch)
    with pytest.raises(MeetingImportError) as err:
        import_meeting(scratch, directory)
    assert [p for p in err.value.problems if problem in p] != [], err.value.problems
    assert any(p.startswith("statements.csv:2: file: ") for p in err.value.problems)
    assert dump(scratch) == before


def test_a_changed_file_updates_only_its_statement(scratch: Store, tmp_path: Path) -> None:
    directory = copy_fixture(tmp_path)
    text = (directory / "s05.txt").read_text(encoding="utf-8")
    (directory / "s05.txt").write_text(text.replace("six months", "6 months"), encoding="utf-8")
    report = import_meeting(scratch, directory)
    assert report["tables"]["statements"] == {"new": 0, "changed": 1, "removed": 0}
    assert report["changes"] == 1
    assert import_meeting(scratch, directory)["changes"] == 0


def test_a_bad_directory_lists_every_problem_and_writes_nothing(scratch: Store) -> None:
    before = dump(scratch)
    with pytest.raises(MeetingImportError) as err:
        import_meeting(scratch, BAD)
    problems = err.value.problems
    assert len(problems) == 4
    assert "participants.csv:3: participant: unknown State name 'Atlantis'" in problems
    assert "statements.csv:3: file: missing file 'missing.txt'" in problems
    assert any(
        p.startswith("statements.csv:4: speaker: unknown name 'Ruritania'") for p in problems
    )
    assert any(p.startswith("codings.csv:3: code: unknown code 'outrage'") for p in problems)
    assert dump(scratch) == before


def test_the_cli_prints_every_problem_and_fails(scratch: Store) -> None:
    from normwatch.cli.main import main

    assert scratch._sqlite is not None
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", scratch._sqlite, "meetings", "import", str(BAD)])
    assert exit_info.value.code == 1


def test_a_broken_copy_leaves_the_stored_meeting_as_it_was(scratch: Store, tmp_path: Path) -> None:
    directory = copy_fixture(tmp_path)
    (directory / "s05.txt").unlink()
    statements = (directory / "statements.csv").read_text(encoding="utf-8")
    (directory / "statements.csv").write_text(
        statements.replace(
            "Austria;Ireland;Mexico;New Zealand", "Austria;Ireland;Mexico;Neverland"
        ),
        encoding="utf-8",
    )
    codings = (directory / "codings.csv").read_text(encoding="utf-8")
    (directory / "codings.csv").write_text(codings + "s01,dismay,alice,,,\n", encoding="utf-8")
    before = dump(scratch)
    with pytest.raises(MeetingImportError) as err:
        import_meeting(scratch, directory)
    assert len(err.value.problems) == 3
    assert dump(scratch) == before


def test_meeting_yaml_problems_are_listed_with_the_others(scratch: Store, tmp_path: Path) -> None:
    directory = copy_fixture(tmp_path)
    yaml_text = (directory / "meeting.yaml").read_text(encoding="utf-8")
    yaml_text = (
        yaml_text.replace("treaty: ccm", "treaty: nosuch")
        .replace("end_date: 2024-09-12", "end_date: 2024-09-01")
        .replace("president: Mexico", "president: Freedonia")
    )
    (directory / "meeting.yaml").write_text(yaml_text, encoding="utf-8")
    with pytest.raises(MeetingImportError) as err:
        import_meeting(scratch, directory)
    text = "\n".join(err.value.problems)
    assert "unknown treaty 'nosuch'" in text
    assert "end_date: before start_date" in text
    assert "unknown State name 'Freedonia'" in text


def test_a_statement_with_human_codings_is_not_dropped_by_a_reimport(
    scratch: Store, tmp_path: Path
) -> None:
    directory = copy_fixture(tmp_path)
    lines = (directory / "statements.csv").read_text(encoding="utf-8").splitlines()
    (directory / "statements.csv").write_text(
        "\n".join(line for line in lines if not line.startswith("s05,")) + "\n", encoding="utf-8"
    )
    codings = (directory / "codings.csv").read_text(encoding="utf-8").splitlines()
    (directory / "codings.csv").write_text(
        "\n".join(line for line in codings if not line.startswith("s05,")) + "\n", encoding="utf-8"
    )
    before = dump(scratch)
    with pytest.raises(MeetingImportError, match="ccm-test-msp/s05 is no longer"):
        import_meeting(scratch, directory)
    assert dump(scratch) == before
    unset_codes(scratch, "ccm-test-msp/s05", ["mention"], "alice", forget=True)
    report = import_meeting(scratch, directory)
    assert report["tables"]["statements"]["removed"] == 1
    assert "ccm-test-msp/s05" not in {s["id"] for s in show_meeting(scratch, MEETING)["statements"]}


# ----------------------------------------------------------------------------- reactions


def codes_of(result: dict[str, Any]) -> dict[str, list[str]]:
    return {code: entry["states"] for code, entry in result["codes"].items()}


HAND_CODEBOOK = """
id: welcome-new-parties
title: Welcome for new States Parties
question: Does the statement welcome a State that has newly joined the Convention?
codes:
  - id: welcome
    definition: welcomes a State that recently ratified or acceded
    examples: ["We warmly welcome the newest State Party."]
"""


def test_a_codebook_for_coding_by_hand_needs_no_patterns(
    scratch: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's codebook format (id, question, codes with definitions and examples) is
    enough for coding by hand and for reactions; automatic coding says why it cannot."""
    from normwatch.coding import code_text
    from normwatch.coding.codebook import list_codebooks
    from normwatch.errors import NormwatchError

    (tmp_path / "welcome-new-parties.yaml").write_text(HAND_CODEBOOK, encoding="utf-8")
    monkeypatch.setenv("NORMWATCH_CODEBOOKS", str(tmp_path))
    assert "welcome-new-parties" in list_codebooks()
    set_codes(scratch, "ccm-test-msp/s01", ["welcome"], "Ana María", codebook="welcome-new-parties")
    result = reactions(scratch, MEETING, "welcome-new-parties")
    assert result["codes"]["welcome"]["states"] == ["NOR"]
    with pytest.raises(NormwatchError, match="is for coding by hand"):
        code_text("We warmly welcome the newest State Party.", "welcome-new-parties")


def test_reactions_json_has_exactly_the_documented_shape(store: Store) -> None:
    result = run(
        store, "reactions", MEETING, "--codebook", "withdrawal-reaction", "--format", "json"
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == [
        "meeting",
        "codebook",
        "target",
        "denominator",
        "codes",
        "silent",
        "not_counted",
        "by",
        "coverage",
        "agreement",
        "agreement_note",
    ]
    assert data["target"] == "ccm"
    assert list(data["denominator"]) == ["kind", "count", "states"]
    assert list(data["codes"]) == CODES
    assert all(list(entry) == ["count", "share", "states"] for entry in data["codes"].values())
    assert data["by"] == {}


def test_a_state_a_statement_speaks_for_outside_the_denominator_is_named_not_counted(
    store: Store,
) -> None:
    joint = {
        r["state"]
        for r in store.query(
            "SELECT b.state FROM statement_on_behalf b JOIN statements s ON s.id = b.statement_id"
            " WHERE s.meeting_id = :m",
            {"m": MEETING},
        )
    }
    listed = {
        r["participant"]
        for r in store.query(
            "SELECT participant FROM participations WHERE meeting_id = :m", {"m": MEETING}
        )
    }
    outside = sorted(joint - listed)
    assert outside  # the fixture has a co-sponsor that is not on the list of participants
    data = json.loads(run(store, "reactions", MEETING, "--format", "json").output)
    assert data["not_counted"] == outside
    assert not set(outside) & {s for c in data["codes"].values() for s in c["states"]}
    table = run(store, "reactions", MEETING).output
    assert f"not counted (outside the participating denominator): {', '.join(outside)}" in table
    speakers = json.loads(
        run(store, "reactions", MEETING, "--denominator", "speakers", "--format", "json").output
    )
    assert speakers["not_counted"] == []


def test_reactions_by_target_choose_the_codebook_of_that_treaty(store: Store) -> None:
    result = run(store, "reactions", MEETING, "--target", "apmbt", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["codebook"], data["target"]) == ("apmbt-withdrawal-reaction", "apmbt")
    bad = run(store, "reactions", MEETING, "--target", "enmod")
    assert bad.exit_code != 0
    assert "no codebook has target treaty 'enmod' (targets: apmbt, ccm)" in str(bad.exception)


def test_participating_with_joint_statements(store: Store) -> None:
    r = reactions(store, MEETING)
    assert r["denominator"] == {"kind": "participating", "count": 11, "states": PARTICIPATING}
    assert codes_of(r) == {
        "mention": ["AUT", "DEU", "FIN", "FRA", "IRL", "LTU", "MEX", "NOR", "SWE"],
        "concern": ["AUT", "IRL", "MEX", "NOR"],
        "call_to_reconsider": ["NOR"],
        "reaffirm_commitment": ["AUT", "DEU", "FRA", "IRL", "NOR", "SWE"],
        "condemn_use": ["AUT", "IRL", "MEX"],
        "understanding": ["FIN"],
    }
    assert {c: e["share"] for c, e in r["codes"].items()} == {
        "mention": 0.8182,
        "concern": 0.3636,
        "call_to_reconsider": 0.0909,
        "reaffirm_commitment": 0.5455,
        "condemn_use": 0.2727,
        "understanding": 0.0909,
    }
    assert [e["count"] for e in r["codes"].values()] == [9, 4, 1, 6, 3, 1]
    assert r["silent"] == ["CHE", "KEN"]


def test_participating_national_only(store: Store) -> None:
    r = reactions(store, MEETING, national_only=True)
    assert r["denominator"]["count"] == 11
    assert codes_of(r) == {
        "mention": ["DEU", "FIN", "LTU", "NOR"],
        "concern": ["NOR"],
        "call_to_reconsider": ["NOR"],
        "reaffirm_commitment": ["IRL", "NOR", "SWE"],
        "condemn_use": [],
        "understanding": ["FIN"],
    }
    assert {c: e["share"] for c, e in r["codes"].items()} == {
        "mention": 0.3636,
        "concern": 0.0909,
        "call_to_reconsider": 0.0909,
        "reaffirm_commitment": 0.2727,
        "condemn_use": 0.0,
        "understanding": 0.0909,
    }
    assert r["silent"] == ["AUT", "CHE", "FRA", "IRL", "KEN", "MEX", "SWE"]


def test_speakers_with_joint_statements(store: Store) -> None:
    r = reactions(store, MEETING, denominator="speakers")
    # every State a counted statement speaks for; NZL through the joint statement, MEX
    # through it too (not through its presidency statement)
    speakers = ["AUT", "DEU", "FIN", "FRA", "IRL", "LTU", "MEX", "NOR", "NZL", "SWE"]
    assert r["denominator"] == {"kind": "speakers", "count": 10, "states": speakers}
    assert codes_of(r)["mention"] == speakers
    assert codes_of(r)["concern"] == ["AUT", "IRL", "MEX", "NOR", "NZL"]
    assert codes_of(r)["condemn_use"] == ["AUT", "IRL", "MEX", "NZL"]
    assert {c: e["share"] for c, e in r["codes"].items()} == {
        "mention": 1.0,
        "concern": 0.5,
        "call_to_reconsider": 0.1,
        "reaffirm_commitment": 0.6,
        "condemn_use": 0.4,
        "understanding": 0.1,
    }
    assert r["silent"] == []


def test_speakers_national_only(store: Store) -> None:
    r = reactions(store, MEETING, denominator="speakers", national_only=True)
    assert r["denominator"]["states"] == ["DEU", "FIN", "IRL", "LTU", "NOR", "SWE"]
    # six speakers: counts only, no share is drawn over a denominator below 10
    assert {c: (e["count"], e["share"]) for c, e in r["codes"].items()} == {
        "mention": (4, None),
        "concern": (1, None),
        "call_to_reconsider": (1, None),
        "reaffirm_commitment": (3, None),
        "condemn_use": (0, None),
        "understanding": (1, None),
    }
    assert r["silent"] == ["IRL", "SWE"]


def test_parties_on_the_meeting_date(store: Store) -> None:
    r = reactions(store, MEETING, denominator="parties")
    den = r["denominator"]
    # 112 States Parties on 2024-09-10 (the vetted reference count); Lithuania, which had
    # given notice on 2024-09-06, is still a party; Finland (observer) and Kenya
    # (signatory) are not
    assert den["count"] == 112
    assert "LTU" in den["states"] and "NZL" in den["states"]
    assert "FIN" not in den["states"] and "KEN" not in den["states"]
    assert codes_of(r) == {
        "mention": ["AUT", "DEU", "FRA", "IRL", "LTU", "MEX", "NOR", "NZL", "SWE"],
        "concern": ["AUT", "IRL", "MEX", "NOR", "NZL"],
        "call_to_reconsider": ["NOR"],
        "reaffirm_commitment": ["AUT", "DEU", "FRA", "IRL", "NOR", "SWE"],
        "condemn_use": ["AUT", "IRL", "MEX", "NZL"],
        "understanding": [],
    }
    assert {c: e["share"] for c, e in r["codes"].items()} == {
        "mention": 0.0804,
        "concern": 0.0446,
        "call_to_reconsider": 0.0089,
        "reaffirm_commitment": 0.0536,
        "condemn_use": 0.0357,
        "understanding": 0.0,
    }
    assert len(r["silent"]) == 103
    assert "CHE" in r["silent"] and "NOR" not in r["silent"]
    assert set(r["silent"]) == set(den["states"]) - set(codes_of(r)["mention"])


def test_parties_national_only(store: Store) -> None:
    r = reactions(store, MEETING, denominator="parties", national_only=True)
    assert r["denominator"]["count"] == 112
    assert {c: (e["count"], e["share"]) for c, e in r["codes"].items()} == {
        "mention": (3, 0.0268),
        "concern": (1, 0.0089),
        "call_to_reconsider": (1, 0.0089),
        "reaffirm_commitment": (3, 0.0268),
        "condemn_use": (0, 0.0),
        "understanding": (0, 0.0),
    }
    assert codes_of(r)["mention"] == ["DEU", "LTU", "NOR"]
    assert len(r["silent"]) == 109


def test_a_presidency_statement_is_not_a_national_position(store: Store) -> None:
    # MEX carries concern only through the joint statement; with --national-only it is silent
    assert "MEX" in codes_of(reactions(store, MEETING))["concern"]
    assert "MEX" in reactions(store, MEETING, national_only=True)["silent"]


def test_suggestions_count_only_when_asked(store: Store) -> None:
    assert "DEU" not in codes_of(reactions(store, MEETING))["concern"]
    r = reactions(store, MEETING, include_suggested=True)
    assert codes_of(r)["concern"] == ["AUT", "DEU", "IRL", "MEX", "NOR"]
    assert r["codes"]["concern"]["share"] == 0.4545
    # the automatic condemn_use on s01 was rejected by a person: it never counts
    assert "NOR" not in codes_of(r)["condemn_use"]


def test_breakdown_by_nato_uses_membership_on_the_meeting_date(
    scratch: Store, tmp_path: Path
) -> None:
    r = reactions(scratch, MEETING, by="nato")
    # Finland joined NATO on 2023-04-04, Sweden on 2024-03-07: both members in Sept 2024
    assert r["by"]["nato"]["denominator"]["states"] == ["DEU", "FIN", "FRA", "LTU", "NOR", "SWE"]
    assert r["by"]["other"]["denominator"]["states"] == ["AUT", "CHE", "IRL", "KEN", "MEX"]
    assert r["by"]["nato"]["codes"]["mention"] == {
        "count": 6,
        "share": None,  # six NATO States: no share below a denominator of 10
        "states": ["DEU", "FIN", "FRA", "LTU", "NOR", "SWE"],
    }
    assert r["by"]["other"]["silent"] == ["CHE", "KEN"]
    assert {g["denominator"]["kind"] for g in r["by"].values()} == {r["denominator"]["kind"]}

    directory = copy_fixture(tmp_path, "earlier")
    text = (directory / "meeting.yaml").read_text(encoding="utf-8")
    (directory / "meeting.yaml").write_text(
        text.replace("id: ccm-test-msp", "id: ccm-test-2022")
        .replace("2024-09-10", "2022-08-30")
        .replace("2024-09-12", "2022-09-01"),
        encoding="utf-8",
    )
    import_meeting(scratch, directory)
    earlier = reactions(scratch, "ccm-test-2022", by="nato")
    assert earlier["by"]["nato"]["denominator"]["states"] == ["DEU", "FRA", "LTU", "NOR"]
    assert "FIN" in earlier["by"]["other"]["denominator"]["states"]
    # in 2022 Lithuania had not given notice: still a party either way
    assert (
        "LTU" in reactions(scratch, "ccm-test-2022", denominator="parties")["denominator"]["states"]
    )


def test_breakdown_by_eu_and_by_regional_group(store: Store) -> None:
    eu = reactions(store, MEETING, by="eu")["by"]
    assert eu["eu"]["denominator"]["states"] == ["AUT", "DEU", "FIN", "FRA", "IRL", "LTU", "SWE"]
    assert eu["other"]["denominator"]["states"] == ["CHE", "KEN", "MEX", "NOR"]
    assert eu["eu"]["codes"]["concern"] == {"count": 2, "share": None, "states": ["AUT", "IRL"]}
    regional = reactions(store, MEETING, by="regional_group")["by"]
    assert list(regional) == [
        "un-african",
        "un-asia-pacific",
        "un-eastern-european",
        "un-grulac",
        "un-weog",
    ]
    assert regional["un-weog"]["denominator"]["count"] == 8
    assert regional["un-african"]["silent"] == ["KEN"]
    assert regional["un-asia-pacific"]["codes"]["mention"] == {
        "count": 0,
        "share": None,
        "states": [],
    }
    assert regional["un-grulac"]["codes"]["concern"]["states"] == ["MEX"]


def test_reactions_csv_lists_every_code_and_the_silent(store: Store) -> None:
    result = run(store, "reactions", MEETING, "--national-only", "--format", "csv")
    lines = result.output.strip().splitlines()
    assert lines[0] == "group,code,count,denominator,share,states,coverage,alpha"
    # every row says what it rests on: all 10 statements reviewed, no second coder
    assert "all,concern,1,11,0.0909,NOR,1.0," in lines
    assert "all,(silent),7,11,0.6364,AUT;CHE;FRA;IRL;KEN;MEX;SWE,1.0," in lines


def test_reactions_say_the_agreement_they_rest_on_once_two_people_coded_a_statement(
    scratch: Store,
) -> None:
    before = reactions(scratch, MEETING)
    assert before["agreement"] is None and "no agreement measured" in before["agreement_note"]
    table = run(scratch, "reactions", MEETING).output
    assert "coding coverage: 10 of 10 statements reviewed by a person (100%)" in table
    assert "no agreement measured" in table
    # a second person codes s01 as alice did, and s02 otherwise
    set_codes(scratch, "ccm-test-msp/s01", ["concern"], "bob", evidence="We deeply regret")
    unset_codes(scratch, "ccm-test-msp/s02", ["call_to_reconsider", "mention"], "bob")
    after = reactions(scratch, MEETING)
    basis = after["agreement"]
    assert basis["coders"] == ["human:alice", "human:bob"] and basis["units"] == 2
    assert basis["measured_on"] == "all human coders"
    pooled = agreement(scratch, MEETING, coders=["alice", "bob"])["pooled_alpha"]
    assert basis["alpha"] == pooled and pooled is not None
    assert f"Krippendorff's alpha {pooled} over 2 statement(s)" in after["agreement_note"]


def test_unknown_meeting_codebook_or_group_is_an_error(store: Store) -> None:
    with pytest.raises(NotFoundError, match="unknown meeting"):
        reactions(store, "ccm-99msp")
    with pytest.raises(NotFoundError, match="unknown codebook"):
        reactions(store, MEETING, "no-such-book")
    with pytest.raises(NotFoundError, match="unknown group"):
        reactions(store, MEETING, by="g7")
    with pytest.raises(DataError, match="unknown denominator"):
        reactions(store, MEETING, denominator="everyone")


# ----------------------------------------------------------------------------- coding


def test_code_set_and_unset_by_hand(scratch: Store) -> None:
    result = run(
        scratch,
        "code",
        "set",
        "ccm-test-msp/s04",
        "concern",
        "--coder",
        "bob",
        "--evidence",
        "takes note of the decision",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["result"] == "new"
    assert "DEU" in codes_of(reactions(scratch, MEETING))["concern"]
    # the automatic suggestion on the same statement and code now mirrors the decision
    auto = [
        c
        for c in meeting_codings(scratch, MEETING)
        if c["statement"] == "ccm-test-msp/s04" and c["coder"] == "auto:rules@test"
    ]
    assert auto[0]["review_state"] == "accepted" and auto[0]["reviewed_by"] == "human:bob"
    # a later decision by another person wins
    unset_codes(scratch, "s04", ["concern"], "alice")
    assert "DEU" not in codes_of(reactions(scratch, MEETING))["concern"]
    assert "DEU" not in codes_of(reactions(scratch, MEETING, include_suggested=True))["concern"]


def test_setting_the_same_code_twice_changes_nothing(scratch: Store) -> None:
    set_codes(scratch, "ccm-test-msp/s06", ["mention"], "bob", evidence="Sweden reaffirms")
    before = dump(scratch)
    rows = set_codes(scratch, "ccm-test-msp/s06", ["mention"], "bob", evidence="Sweden reaffirms")
    assert rows[0]["result"] == "unchanged"
    assert dump(scratch) == before


def test_code_set_refuses_evidence_not_in_the_text_and_unknown_codes(scratch: Store) -> None:
    with pytest.raises(DataError, match="evidence not found"):
        set_codes(scratch, "ccm-test-msp/s01", ["concern"], "bob", evidence="we applaud")
    with pytest.raises(NotFoundError, match="unknown code"):
        set_codes(scratch, "ccm-test-msp/s01", ["outrage"], "bob")
    with pytest.raises(DataError, match="person"):
        set_codes(scratch, "ccm-test-msp/s01", ["concern"], "auto:rules@1")
    with pytest.raises(NotFoundError, match="unknown statement"):
        set_codes(scratch, "ccm-test-msp/s99", ["concern"], "bob")
    # evidence is found even with other spacing and case, and stored as the text has it
    set_codes(
        scratch, "ccm-test-msp/s01", ["concern"], "bob", evidence="we  DEEPLY regret\nthe decision"
    )
    mine = [c for c in meeting_codings(scratch, MEETING) if c["coder"] == "human:bob"]
    assert mine[0]["evidence"]["quote"] == "We deeply regret the decision"


def test_code_auto_never_touches_human_codings(scratch: Store) -> None:
    def human_rows() -> list[dict[str, Any]]:
        return [c for c in meeting_codings(scratch, MEETING) if c["coder"].startswith("human:")]

    before = human_rows()
    report = auto_code(scratch, MEETING)
    assert report["coder"].startswith("auto:rules@")
    assert report["statements"] == 10 and report["skipped"] == []
    assert human_rows() == before
    texts = {
        s["id"]: s["text"] for s in show_meeting(scratch, MEETING, with_text=True)["statements"]
    }
    mine = [c for c in meeting_codings(scratch, MEETING) if c["coder"] == report["coder"]]
    assert mine
    for c in mine:
        assert 0 <= c["confidence"] <= 1
        if c["evidence"]:
            ev = c["evidence"]
            assert texts[c["statement"]][ev["start"] : ev["end"]] == ev["quote"]
    # a re-run changes nothing; a person's decision survives it
    snapshot = dump(scratch)
    assert auto_code(scratch, MEETING)["codings"]["unchanged"] == len(mine)
    assert dump(scratch) == snapshot


def test_code_auto_keeps_a_reviewed_suggestion(scratch: Store) -> None:
    from normwatch.core.meetings import Coding, ReviewState
    from normwatch.store.codings import upsert_coding

    coder = Coder.parse("auto:rules@9")
    with scratch.transaction() as conn:
        upsert_coding(
            conn,
            Coding(
                "ccm-test-msp/s06",
                "withdrawal-reaction",
                "concern",
                coder,
                ReviewState.SUGGESTED,
                confidence=0.3,
            ),
            "2024-01-01",
        )
    unset_codes(scratch, "ccm-test-msp/s06", ["concern"], "carol")
    with scratch.transaction() as conn:  # the same coder suggests it again
        new, changed = upsert_coding(
            conn,
            Coding(
                "ccm-test-msp/s06",
                "withdrawal-reaction",
                "concern",
                coder,
                ReviewState.SUGGESTED,
                confidence=0.6,
            ),
            "2024-01-02",
        )
    assert (new, changed) == (False, True)
    row = next(c for c in meeting_codings(scratch, MEETING) if c["coder"] == "auto:rules@9")
    assert row["review_state"] == "rejected" and row["reviewed_by"] == "human:carol"
    assert row["confidence"] == 0.6


def test_code_show_lists_the_codings(store: Store) -> None:
    result = run(store, "code", "show", MEETING, "--format", "csv")
    assert result.exit_code == 0
    assert (
        "ccm-test-msp/s01,NOR,concern,human:alice,accepted,,We deeply regret the decision "
        "of Lithuania," in result.output
    )


@pytest.mark.parametrize(
    "text,expected",
    [
        ("alice", "human:alice"),
        ("human:bob", "human:bob"),
        ("José", "human:José"),
        ("human:Anna Müller", "human:Anna Müller"),
        ("O’Brien", "human:O’Brien"),
        ("auto:rules@0.1.0+cb1", "auto:rules@0.1.0+cb1"),
    ],
)
def test_coder_names(text: str, expected: str) -> None:
    assert str(Coder.parse(text)) == expected


@pytest.mark.parametrize(
    "text", ["", "auto:rules", "robot:x", "human:", "a  b", "a;b", "auto:the rules@1"]
)
def test_bad_coder_names(text: str) -> None:
    with pytest.raises(DataError):
        Coder.parse(text)


@given(st.text(min_size=1, max_size=80), st.data())
def test_evidence_found_is_always_the_texts_own_words(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    if not quote.strip():
        return
    ev = find_evidence(text, quote)
    assert ev.start is not None and ev.end is not None
    assert text[ev.start : ev.end] == ev.quote


# ----------------------------------------------------------------------------- agreement


def test_cohen_kappa_by_hand() -> None:
    # 10 units, 8 agreements: p_o = 0.8; each coder says yes 4 times:
    # p_e = 0.4*0.4 + 0.6*0.6 = 0.52; kappa = (0.8 - 0.52) / 0.48 = 0.58333
    a = [1, 1, 1, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 0, 0, 0, 0, 0, 1, 1, 0]
    assert cohen_kappa(a, b) == pytest.approx(0.28 / 0.48)
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None  # p_e = 1: undefined
    assert cohen_kappa([1, 0], [0, 1]) == pytest.approx(-1.0)


def test_krippendorff_alpha_by_hand() -> None:
    # same data: coincidences o_11 = 6, o_00 = 10, o_01 = o_10 = 2; n_1 = 8, n_0 = 12, n = 20
    # alpha = 1 - (n - 1) * (o_01 + o_10) / (2 * n_0 * n_1) = 1 - 19 * 4 / 192 = 0.604167
    a = [1, 1, 1, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 0, 0, 0, 0, 0, 1, 1, 0]
    assert krippendorff_alpha_nominal(zip(a, b, strict=True)) == pytest.approx(1 - 76 / 192)
    assert krippendorff_alpha_nominal([(1, 1), (1, 1)]) is None  # no variation


def test_krippendorff_alpha_with_missing_values_matches_the_published_example() -> None:
    # Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), nominal data,
    # 4 observers, 12 units with missing values: alpha = 0.743
    n = None
    a = [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n]
    b = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3]
    c = [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n]
    d = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]
    alpha = krippendorff_alpha_nominal(zip(a, b, c, d, strict=True))
    assert alpha == pytest.approx(0.743, abs=5e-4)


def test_agreement_between_two_human_coders(scratch: Store) -> None:
    # bob decides on concern for every statement; alice says yes on s01 s02 s09 s10,
    # bob on s01 s02 s04 s09: 8 of 10 agree, each says yes 4 times (the case worked above)
    for s in ("s01", "s02", "s04", "s09"):
        set_codes(scratch, f"ccm-test-msp/{s}", ["concern"], "bob")
    for s in ("s03", "s05", "s06", "s07", "s08", "s10"):
        unset_codes(scratch, f"ccm-test-msp/{s}", ["concern"], "bob")
    result = agreement(scratch, MEETING)
    assert result["coders"] == ["human:alice", "human:bob"]
    assert result["units_coded_by_both"] == 10
    concern = result["codes"]["concern"]
    assert concern["kappa"] == round(0.28 / 0.48, 4)
    assert concern["alpha"] == round(1 - 76 / 192, 4)
    assert (
        concern["both_yes"],
        concern["only_first"],
        concern["only_second"],
        concern["both_no"],
    ) == (3, 1, 1, 5)
    # understanding: alice yes on s08 only, bob never: p_o = 0.9 = p_e, kappa 0; alpha 0
    assert result["codes"]["understanding"]["kappa"] == 0.0
    assert result["codes"]["understanding"]["alpha"] == 0.0
    cli_result = run(
        scratch,
        "code",
        "agreement",
        MEETING,
        "--codebook",
        "withdrawal-reaction",
        "--format",
        "json",
    )
    assert json.loads(cli_result.output)["codes"]["concern"]["kappa"] == 0.5833
    table = run(scratch, "code", "agreement", MEETING).output
    assert "statements coded by at least two of the coders (10)" in table
    assert "too few" not in table  # ten statements coded by both: no small-sample warning


def test_agreement_on_too_few_statements_warns(scratch: Store) -> None:
    set_codes(scratch, "ccm-test-msp/s01", ["concern"], "bob")
    assert agreement(scratch, MEETING)["units_coded_by_both"] == 1
    table = run(scratch, "code", "agreement", MEETING).output
    assert "warning: 1 statement coded by two or more coders: too few" in table


def test_agreement_needs_two_human_coders(store: Store) -> None:
    with pytest.raises(DataError, match="at least two human coders"):
        agreement(store, MEETING)


# ----------------------------------------------------------------------------- claims, groups


def test_reported_claims_sit_beside_the_computed_figures(store: Store) -> None:
    found = {c["id"]: c for c in claims(store, MEETING)}
    third = found["concern-about-third"]
    assert third["computed"] == {
        "count": 4,
        "denominator": 11,
        "share": 0.3636,
        "partial_record": False,
    }
    assert third["consistent"] is True
    half = found["reconsider-over-half"]  # 1 (NOR) of the 4 concerned States
    assert half["computed"]["count"] == 1 and half["computed"]["denominator"] == 4
    # no share over fewer than 10 States, so the reported "over half" cannot be judged
    assert half["computed"]["share"] is None and half["consistent"] is None


@given(st.dates(), st.dates(), st.dates())
def test_membership_covers_its_days_inclusive(a: Any, b: Any, day: Any) -> None:
    start, end = min(a, b), max(a, b)
    assert member_on(start.isoformat(), end.isoformat(), day) == (start <= day <= end)
    assert member_on(None, end.isoformat(), day) == (day <= end)
    assert member_on(start.isoformat(), None, day) == (start <= day)


def test_a_membership_known_to_the_month_counts_only_when_certain() -> None:
    import datetime as dt

    assert not member_on("2023-04", None, dt.date(2023, 4, 15))
    assert member_on("2023-04", None, dt.date(2023, 4, 30))
    assert member_on(None, "2020-01", dt.date(2020, 1, 1))
    assert not member_on(None, "2020-01", dt.date(2020, 1, 2))


def test_groups_are_loaded_with_dated_memberships(store: Store) -> None:
    import datetime as dt

    nato_2022 = groups_on(store, "nato", dt.date(2022, 9, 1))["nato"]
    nato_2024 = groups_on(store, "nato", dt.date(2024, 9, 10))["nato"]
    assert nato_2024 - nato_2022 == {"FIN", "SWE"}
    eu_2019 = groups_on(store, "eu", dt.date(2019, 6, 1))["eu"]
    eu_2021 = groups_on(store, "eu", dt.date(2021, 6, 1))["eu"]
    assert eu_2019 - eu_2021 == {"GBR"} and len(eu_2021) == 27
    regional = groups_on(store, "regional_group", dt.date(2024, 1, 1))
    assert "USA" not in set().union(*regional.values())


# ----------------------------------------------------------------------------- bundled 12MSP


def test_the_bundled_12msp_record(store: Store) -> None:
    shown = show_meeting(store, "ccm-12msp")
    m = shown["meeting"]
    assert (m["id"], m["start_date"], m["end_date"], m["president"]) == (
        "ccm-12msp",
        "2024-09-10",
        "2024-09-13",
        "MEX",
    )
    assert m["venue"] == "Geneva, Palais des Nations, Room XIX"
    assert m["completeness"] == "partial"
    statements = {s["local_id"]: s for s in shown["statements"]}
    assert set(statements) == {"president-2024-09", "presidency-2024-07", "holy-see-2024-09-10"}
    presidency = [s for k, s in statements.items() if k != "holy-see-2024-09-10"]
    assert all(s["role"] == "presidency" and not s["has_text"] for s in presidency)
    # the one national position that can be sourced (meeting_positions.csv)
    holy_see = statements["holy-see-2024-09-10"]
    assert (holy_see["speaker"], holy_see["date"]) == ("VAT", "2024-09-10")
    assert holy_see["source_url"].startswith("https://holyseegeneva.org/statements/12th-meeting")
    assert statements["presidency-2024-07"]["source_url"].startswith(
        "https://clusterconvention.org/12-msp-presidency-statement"
    )
    reported = {c["id"]: c for c in shown["claims"]}
    blog = (
        "https://icblcmc.org/our-impact/the-convention-on-cluster-munitions-under-pressure-"
        "states-parties-reaction-to-the-lithuanian-withdrawal"
    )
    assert reported["concern-two-thirds"]["reported"] == (
        "around two-thirds of the States participating"
    )
    assert reported["reconsider-over-half"]["reported"] == "over half of them"
    assert {c["source"] for c in reported.values()} == {blog}
    assert all(
        c["computed"]["partial_record"] and c["consistent"] is None for c in reported.values()
    )
    assert {d["verification"] for d in shown["decisions"]} == {
        "verified",
        "reported",
        "not_verified",
    }
    assert all(d["source"] for d in shown["decisions"])
    # the President's words as the vetted notes record them, kept without a span (no text)
    codings = [
        c
        for c in meeting_codings(store, "ccm-12msp")
        if c["statement"] == "ccm-12msp/president-2024-09"
    ]
    assert {c["code"] for c in codings} == {"mention", "concern"}
    assert all(
        c["evidence"]["quote"] == "We deeply regret" and c["evidence"]["start"] is None
        for c in codings
    )


def test_the_12msp_presidency_statements_are_not_counted_as_mexicos_position(store: Store) -> None:
    r = reactions(store, "ccm-12msp")
    assert r["denominator"]["states"] == ["MEX", "VAT"]
    assert r["codes"]["concern"]["states"] == ["VAT"]  # the Holy See's own statement
    assert r["silent"] == ["MEX"]
    # two States on record: counts, never a share
    assert all(c["share"] is None for c in r["codes"].values())


def test_reimporting_the_bundled_12msp_directory_changes_nothing(scratch: Store) -> None:
    from importlib import resources

    before = dump(scratch)
    with resources.as_file(
        resources.files("normwatch") / "data" / "meetings" / "ccm-12msp"
    ) as path:
        assert import_meeting(scratch, path)["changes"] == 0
    assert dump(scratch) == before


def test_the_bundled_meetings_list(store: Store) -> None:
    rows = {m["id"]: m for m in list_meetings(store, "ccm")}
    assert len(rows) == 18 + 1  # the vetted list plus the test meeting
    assert rows["ccm-1msp"]["start_date"] == "2010-11-09"
    assert rows["ccm-13msp"]["president"] == "PHL"
    assert rows["ccm-2rc-p2"]["kind"] == "review_conference"
    assert rows["ccm-im2025"]["number"] is None


def test_check_finds_no_meeting_problems(store: Store) -> None:
    from normwatch.service.checks import check_meetings

    assert check_meetings(store) == []


def test_meetings_list_and_show_on_the_command_line(store: Store) -> None:
    listed = run(store, "meetings", "list", "--treaty", "ccm", "--format", "csv")
    assert listed.exit_code == 0
    assert "ccm-12msp,Twelfth Meeting of States Parties,2024-09-10,2024-09-13" in listed.output
    shown = run(store, "meetings", "show", "ccm-12msp", "--format", "json")
    data = json.loads(shown.output)
    assert [p["participant"] for p in data["participants"]] == ["MEX", "VAT"]
    table = run(store, "meetings", "show", MEETING)
    assert "data: 4 of 11 = 36.4% (consistent)" in table.output
    assert "data: 1 of 4 = no share (denominator below 10) (cannot be checked)" in table.output


def test_code_auto_on_the_command_line_reports_what_it_skipped(scratch: Store) -> None:
    result = run(scratch, "code", "auto", "ccm-12msp", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["statements"] == 0
    assert {s["reason"] for s in report["skipped"]} == {"no text"}
    refused = run(scratch, "code", "auto", MEETING, "--method", "model")
    assert refused.exit_code != 0 and "needs a trained model" in str(refused.exception)
