"""The UNTC status-file parser: invented fixtures in the real structure, malformed input, the 407
real files of January 2018, and the CCM / Mine Ban tables against the vetted action lists."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normwatch.core.model import ActionKind
from normwatch.errors import SourceError
from normwatch.sources.untc.mtdsg import (
    UntcCell,
    UntcCellError,
    UntcDocument,
    UntcParseError,
    UntcParticipant,
    classify_label,
    parse_cell,
    parse_untc,
    parse_untc_file,
)
from shared_files import SHARED, UNTC_2018

FIXTURES = Path(__file__).parent / "fixtures" / "untc"
REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "src" / "normwatch" / "data"

needs_2018 = pytest.mark.skipif(
    not UNTC_2018.is_dir(), reason=f"the 2018 UNTC files are not at {UNTC_2018}"
)

K = ActionKind


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def buoys() -> UntcDocument:
    return parse_untc(fixture("buoys_2020s.xml"), source="buoys_2020s.xml")


@pytest.fixture(scope="module")
def kelp() -> UntcDocument:
    return parse_untc_file(FIXTURES / "kelp_2018_latin1.xml")


def acts(p: UntcParticipant) -> list[tuple[ActionKind, str, str | None, bool]]:
    return [(a.kind, a.date.isoformat(), a.code, a.bracketed) for a in p.actions]


def row(doc: UntcDocument, name: str) -> UntcParticipant:
    found = doc.participant(name)
    assert found is not None, f"{name} not in {[p.name for p in doc.participants]}"
    return found


# --------------------------------------------------------------------------------------------
# Header and columns
# --------------------------------------------------------------------------------------------


def test_header_fields_are_read_by_name(buoys: UntcDocument) -> None:
    assert buoys.reference == "XXVI-99"
    assert buoys.chapter == "XXVI"
    assert buoys.chapter_name == "DISARMAMENT"
    assert buoys.title == "Convention on the Registration of Ocean Buoys"
    assert buoys.conclusion == "Klow, 12 March 2019"  # the footnote marker is not "20194"
    assert buoys.eif_text == "15 May 2021, in accordance with article 17(1)."
    assert (buoys.status_signatories, buoys.status_parties) == (4, 6)
    assert buoys.problems == []


def test_reference_takes_subnumsect_and_subtitle(kelp: UntcDocument) -> None:
    assert kelp.reference == "XXVII-42-b"
    assert kelp.title == "Agreement on Migratory Kelp Forests"  # NBSP collapsed


def test_column_legend_and_default_kind(buoys: UntcDocument) -> None:
    sig, prov, consent = buoys.columns
    assert (sig.index, sig.header, sig.default_kind, sig.legend) == (
        2,
        "Signature",
        K.SIGNATURE,
        {},
    )
    assert prov.default_kind is K.PROVISIONAL_APPLICATION
    assert prov.legend == {"n": K.PROVISIONAL_APPLICATION}
    assert consent.default_kind is K.RATIFICATION
    assert consent.legend == {"AA": K.APPROVAL, "A": K.ACCEPTANCE, "a": K.ACCESSION}


def test_five_column_table_with_definitive_signature_and_formal_confirmation(
    kelp: UntcDocument,
) -> None:
    assert [c.index for c in kelp.columns] == [2, 3, 4, 5]
    signature, _, consent, confirmation = kelp.columns
    assert signature.default_kind is K.SIGNATURE
    assert signature.legend == {"d": K.SIGNATURE}  # succession to a signature is a signature
    assert consent.legend == {
        "A": K.ACCEPTANCE,
        "AA": K.APPROVAL,
        "a": K.ACCESSION,
        "d": K.SUCCESSION,
        "s": K.DEFINITIVE_SIGNATURE,
    }
    assert confirmation.legend == {"c": K.FORMAL_CONFIRMATION}


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Ratification", K.RATIFICATION),
        ("Accession to the Convention as amended by the Protocol", K.ACCESSION),
        ("Provisional application under article 23", K.PROVISIONAL_APPLICATION),
        ("Confirmation of signature ad referendum", K.SIGNATURE),
        ("Signature ad referendum", K.SIGNATURE),
        ("Definitive signature", K.DEFINITIVE_SIGNATURE),
        ("Formal confirmation", K.FORMAL_CONFIRMATION),
        ("Consent to be bound", K.CONSENT_TO_BE_BOUND),
        ("Simplified procedure", None),
        ("Notification of non-provisional application under article 7 (1) (b)", None),
        ("Provisional acceptance", None),
        ("Definitive signature or acceptance of the Protocol", None),
        ("Application", None),
    ],
)
def test_header_labels_name_actions(label: str, kind: ActionKind | None) -> None:
    assert classify_label(label) is kind


# --------------------------------------------------------------------------------------------
# Rows and cells
# --------------------------------------------------------------------------------------------


def test_every_date_mark_maps_to_its_action(buoys: UntcDocument, kelp: UntcDocument) -> None:
    assert acts(row(buoys, "Atlantis")) == [
        (K.SIGNATURE, "2019-06-04", None, False),
        (K.RATIFICATION, "2021-02-17", None, False),
    ]
    assert acts(row(buoys, "Borduria")) == [(K.ACCESSION, "2020-09-22", "a", False)]
    assert acts(row(buoys, "Freedonia"))[1] == (K.ACCEPTANCE, "2021-06-30", "A", False)
    assert acts(row(buoys, "Grand Fenwick")) == [
        (K.PROVISIONAL_APPLICATION, "2019-07-01", "n", False),
        (K.APPROVAL, "2020-01-15", "AA", False),
    ]
    assert acts(row(kelp, "Ruritania")) == [
        (K.SIGNATURE, "2019-08-15", "d", False),
        (K.SUCCESSION, "2020-09-01", "d", False),
    ]
    assert acts(row(kelp, "São Rafael")) == [(K.DEFINITIVE_SIGNATURE, "2020-03-03", "s", False)]
    assert acts(row(kelp, "Mérovingia")) == [(K.FORMAL_CONFIRMATION, "2020-12-12", "c", False)]


def test_actions_keep_column_and_raw_cell(buoys: UntcDocument) -> None:
    grand_fenwick = row(buoys, "Grand Fenwick")
    assert [(a.column, a.raw) for a in grand_fenwick.actions] == [
        (3, " 1 Jul\t 2019 n"),
        (4, "15 Jan\t 2020 AA"),
    ]


def test_empty_cells_are_no_action(buoys: UntcDocument) -> None:
    borduria = row(buoys, "Borduria")
    assert [a.column for a in borduria.actions] == [4]


def test_footnoted_names_are_clean_and_keep_their_refs(
    buoys: UntcDocument, kelp: UntcDocument
) -> None:
    atlantis = row(buoys, "Atlantis")
    assert atlantis.raw_name == "Atlantis<superscript>2</superscript>"
    assert atlantis.footnotes == ["2"]
    assert row(kelp, "Borduria").footnotes == ["2", "3"]
    assert [p.row for p in buoys.participants] == [1, 2, 3, 4, 5, 6]


def test_whitespace_nbsp_tabs_and_cr_are_collapsed(buoys: UntcDocument, kelp: UntcDocument) -> None:
    assert row(buoys, "Grand Fenwick").raw_name == "Grand  Fenwick"
    assert row(kelp, "São Rafael").raw_name == "São\u00a0Rafael"
    atlantis = row(kelp, "Atlantis")  # "17 Feb 2021\r"
    assert acts(atlantis)[1] == (K.RATIFICATION, "2021-02-17", None, False)
    assert kelp.notes["1"] == "See «Historical Information» in the front matter."


def test_bracketed_row_is_withdrawn(buoys: UntcDocument) -> None:
    syldavia = row(buoys, "Syldavia")
    assert syldavia.withdrawn
    assert all(a.bracketed for a in syldavia.actions)
    assert acts(syldavia)[1] == (K.PROVISIONAL_APPLICATION, "2019-06-04", "n", True)
    assert not row(buoys, "Zubrowka").withdrawn


def test_notes_are_plain_text_with_tables_as_rows(buoys: UntcDocument, kelp: UntcDocument) -> None:
    assert set(buoys.notes) == {"1", "2", "3", "4"}
    assert buoys.notes["2"].count("\n") == 1  # two paragraphs, the empty <text /> dropped
    assert kelp.notes["4"].splitlines()[1:] == [
        "Participant: | Date of notification: | Date of effect:",
        "Syldavia | 5 Jan 2024 | 5 Jan 2025",
    ]


# --------------------------------------------------------------------------------------------
# Withdrawals
# --------------------------------------------------------------------------------------------


def test_withdrawal_in_prose_is_linked_by_footnote(buoys: UntcDocument) -> None:
    syldavia = [w for w in buoys.withdrawals if w.note_index == "1"]
    assert len(syldavia) == 1
    w = syldavia[0]
    assert (w.kind, w.participant, w.row) == (K.WITHDRAWAL, "Syldavia", 5)
    assert (w.notified, w.effective) == (dt.date(2024, 1, 5), dt.date(2025, 1, 5))
    assert w.text.startswith("On 5 January 2024, the Government of Syldavia notified")
    assert w.text.endswith("The withdrawal took effect on 5 January 2025.")


def test_pending_withdrawal_is_read_before_the_cells_are_bracketed(buoys: UntcDocument) -> None:
    (w,) = [w for w in buoys.withdrawals if w.note_index == "3"]
    assert w.participant == "Republic of Zubrowka"
    assert w.row == 6  # note 3 is Zubrowka's footnote; the name differs from the table's
    assert (w.notified, w.effective) == (dt.date(2024, 9, 6), dt.date(2025, 3, 6))


def test_withdrawing_a_reservation_is_not_leaving_the_treaty(buoys: UntcDocument) -> None:
    assert all(w.note_index != "2" for w in buoys.withdrawals)
    assert len(buoys.withdrawals) == 2


def test_withdrawal_note_table(kelp: UntcDocument) -> None:
    (w,) = [w for w in kelp.withdrawals if w.note_index == "4"]
    assert (w.participant, w.row, w.kind) == ("Syldavia", 7, K.WITHDRAWAL)
    assert (w.notified, w.effective) == (dt.date(2024, 1, 5), dt.date(2025, 1, 5))
    assert "Syldavia | 5 Jan 2024 | 5 Jan 2025" in w.text


def test_withdrawn_and_rejoined_state_shows_the_new_action_only(kelp: UntcDocument) -> None:
    borduria = row(kelp, "Borduria")
    assert acts(borduria) == [(K.ACCESSION, "2022-09-22", "a", False)]
    (w,) = [w for w in kelp.withdrawals if w.row == borduria.row]
    # "on 1\u00a0August\u00a02020" in the note: NBSP inside the date
    assert (w.notified, w.effective) == (dt.date(2020, 8, 1), dt.date(2021, 8, 1))


def test_revoked_withdrawal_notice(kelp: UntcDocument) -> None:
    freedonia = [w for w in kelp.withdrawals if w.participant == "Freedonia"]
    assert [(w.kind, w.notified, w.row) for w in freedonia] == [
        (K.WITHDRAWAL, dt.date(2023, 3, 3), 3),
        (K.WITHDRAWAL_REVOKED, dt.date(2023, 6, 1), 3),
    ]


def test_bracketed_row_without_a_note_is_a_warning(buoys: UntcDocument) -> None:
    data = fixture("buoys_2020s.xml").replace(
        b"Syldavia&lt;superscript&gt;1&lt;/superscript&gt;", b"Syldavia"
    )
    data = data.replace(b"the Government of Syldavia notified", b"the Government notified")
    doc = parse_untc(data)
    assert row(doc, "Syldavia").withdrawn
    assert any(p.row == 5 and "no end note records" in p.message for p in doc.problems)


# --------------------------------------------------------------------------------------------
# Encodings and repairs
# --------------------------------------------------------------------------------------------


def test_latin1_bytes_follow_the_declaration(kelp: UntcDocument) -> None:
    assert b"M\xe9rovingia" in fixture("kelp_2018_latin1.xml")
    assert [p.name for p in kelp.participants][3:6] == ["Mérovingia", "Ruritania", "São Rafael"]
    assert kelp.problems == []


def test_wrong_declaration_utf8_on_latin1_bytes_falls_back_with_a_warning() -> None:
    data = fixture("kelp_2018_latin1.xml").replace(b'encoding="iso-8859-1"', b'encoding="UTF-8"')
    doc = parse_untc(data)
    assert row(doc, "Mérovingia").actions
    assert any("read as latin-1" in w for w in doc.warnings)


def test_utf8_bytes_declared_latin1_are_read_as_utf8() -> None:
    text = fixture("kelp_2018_latin1.xml").decode("latin-1")
    doc = parse_untc(text.encode("utf-8"))
    assert doc.participant("São Rafael") is not None
    assert any("bytes are UTF-8" in w for w in doc.warnings)


def test_declaration_case_does_not_matter() -> None:
    data = fixture("kelp_2018_latin1.xml").replace(b"iso-8859-1", b"ISO-8859-1")
    assert parse_untc(data).participant("Mérovingia") is not None


def test_raw_control_bytes_and_bare_ampersand_are_repaired_with_a_warning() -> None:
    data = fixture("poisoned_2018.xml")
    assert b"\x1c" in data and b"that& it" in data
    doc = parse_untc(data)
    assert doc.notes["1"] == (
        "“The Government of Atlantis declares – upon ratification – that… it will clear its "
        "harbours.”"
    )
    assert len(doc.problems) == 1 and doc.problems[0].severity == "warning"
    assert "repaired" in doc.warnings[0]
    assert acts(row(doc, "Borduria")) == [(K.ACCESSION, "2020-06-06", "a", False)]


def test_header_only_stub_has_no_participants_and_a_warning() -> None:
    doc = parse_untc_file(FIXTURES / "stub_header_only.xml")
    assert doc.reference == "XI-7"
    assert doc.participants == [] and doc.columns == []
    assert doc.warnings == ["no Participants table (a header-only file); no participants"]


def test_to_dict_is_plain_json(kelp: UntcDocument) -> None:
    data = json.loads(json.dumps(kelp.to_dict()))
    assert data["reference"] == "XXVII-42-b"
    assert data["participants"][6]["actions"][0] == {
        "kind": "signature",
        "date": "2019-06-04",
        "column": 2,
        "code": None,
        "bracketed": True,
        "raw": "[ 4 Jun 2019 ]",
    }
    assert data["withdrawals"][1]["effective"] == "2025-01-05"
    assert data["columns"][2]["legend"]["s"] == "definitive_signature"


# --------------------------------------------------------------------------------------------
# Cells that are not actions, and documents that cannot be understood
# --------------------------------------------------------------------------------------------

BUOYS = FIXTURES / "buoys_2020s.xml"


def mutated(old: bytes, new: bytes, count: int = 1) -> bytes:
    data = BUOYS.read_bytes()
    assert data.count(old) >= count, old
    return data.replace(old, new, count)


def test_cell_that_is_not_a_date_is_an_error_problem_naming_row_and_column() -> None:
    doc = parse_untc(mutated(b"22 Sep\t 2020 a", b"pending"), source="b.xml")
    (problem,) = doc.errors
    assert (problem.row, problem.column, problem.participant) == (2, 4, "Borduria")
    assert "not a date: 'pending'" in problem.message
    assert doc.warnings == [f"row 2 (Borduria), column 4: {problem.message}"]
    assert row(doc, "Borduria").actions == []
    with pytest.raises(UntcParseError, match=r"b\.xml: .*row 2 column 4: Borduria, .*pending"):
        parse_untc(mutated(b"22 Sep\t 2020 a", b"pending"), source="b.xml", strict=True)


def test_unknown_legend_letter_is_reported_not_guessed() -> None:
    doc = parse_untc(mutated(b"22 Sep\t 2020 a", b"22 Sep\t 2020 x"))
    (problem,) = doc.errors
    assert (problem.row, problem.column) == (2, 4)
    assert "legend letter 'x' is not in the column header" in problem.message
    assert row(doc, "Borduria").actions == []


def test_letter_with_no_normwatch_meaning_is_reported() -> None:
    data = mutated(b"Provisional application(n)", b"Application(P)")
    data = data.replace(b" 1 Jul\t 2019 n", b" 1 Jul\t 2019 P")
    doc = parse_untc(data)
    assert any("'P' ('Application')" in w for w in doc.warnings)
    assert [(e.participant, e.column) for e in doc.errors] == [
        ("Grand Fenwick", 3),
        ("Syldavia", 3),  # "[ 4 Jun 2019 n]": the letter no longer in the legend
    ]
    assert "means 'Application'" in doc.errors[0].message
    assert "'n' is not in the column header" in doc.errors[1].message


def test_impossible_date_raises_naming_row_and_column() -> None:
    with pytest.raises(UntcParseError) as info:
        parse_untc(mutated(b"17 Feb\t 2021 ", b"31 Feb\t 2021 "), source="feb.xml")
    message = str(info.value)
    assert message.startswith("feb.xml: <Participants/Table/TGroup/Tbody/Rows/Row> row 1 column 4")
    assert "Atlantis" in message and "impossible date: '31 Feb 2021'" in message
    assert (info.value.row, info.value.column) == (1, 4)
    assert isinstance(info.value, SourceError) and info.value.exit_code == 2


def test_truncated_document_is_refused() -> None:
    data = BUOYS.read_bytes()
    with pytest.raises(UntcParseError, match=r"^cut\.xml: not well-formed XML"):
        parse_untc(data[: len(data) // 2], source="cut.xml")


def test_row_with_too_few_cells_is_refused_naming_the_row() -> None:
    data = BUOYS.read_bytes()
    borduria = data.index(b"<Entry>Borduria</Entry>")
    gap = data.index(b"<Entry />", borduria)
    data = data[:gap] + data[gap + len(b"<Entry />") :]
    with pytest.raises(UntcParseError, match=r"Rows/Row> row 2: Borduria has 3 cell\(s\)"):
        parse_untc(data)


def test_row_with_an_extra_cell() -> None:
    empty_extra = mutated(b"22 Sep\t 2020 a</Entry>", b"22 Sep\t 2020 a</Entry><Entry />")
    doc = parse_untc(empty_extra)
    assert any(p.row == 2 and "extra empty cell" in p.message for p in doc.problems)
    assert acts(row(doc, "Borduria")) == [(K.ACCESSION, "2020-09-22", "a", False)]
    dated_extra = mutated(
        b"22 Sep\t 2020 a</Entry>", b"22 Sep\t 2020 a</Entry><Entry>1 Jan 2021</Entry>"
    )
    with pytest.raises(UntcParseError, match=r"row 2: Borduria has 5 cells with text"):
        parse_untc(dated_extra)


def test_empty_table_is_refused() -> None:
    data = BUOYS.read_bytes()
    start, end = data.index(b"<Rows>"), data.index(b"</Rows>") + len(b"</Rows>")
    with pytest.raises(UntcParseError, match=r"<Participants/Table/TGroup/Tbody/Rows>.*no rows"):
        parse_untc(data[:start] + b"<Rows />" + data[end:])


def test_table_without_header_row_is_refused() -> None:
    data = BUOYS.read_bytes()
    start, end = data.index(b"<Thead>"), data.index(b"</Thead>") + len(b"</Thead>")
    with pytest.raises(UntcParseError, match=r"Thead/Row>: the header row has 0 cell"):
        parse_untc(data[:start] + data[end:])


def test_unnamed_row_with_dates_is_refused() -> None:
    with pytest.raises(UntcParseError, match="row 2: a row with dates has no participant name"):
        parse_untc(mutated(b"<Entry>Borduria</Entry>", b"<Entry />"))


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"", "empty document"),
        (b"<Document><Foo /></Document>", r"no <Treaty> element \(the root is <Document>\)"),
        (
            b"<!DOCTYPE html><html><body>The site is undergoing urgent maintenance and is "
            b"currently unavailable</body></html>",
            "DOCTYPE",
        ),
        (b"\x00\x01\x02 not xml at all", "not well-formed XML"),
        (b"<Document><Treaty><Header /></Treaty></Document>", "Header/Chapter/Header"),
    ],
)
def test_documents_that_cannot_be_understood(data: bytes, pattern: str) -> None:
    with pytest.raises(UntcParseError, match=pattern):
        parse_untc(data, source="x.xml")


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(UntcParseError, match="cannot read file"):
        parse_untc_file(tmp_path / "nope.xml")


# --------------------------------------------------------------------------------------------
# The 407 real files of January 2018
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> dict[str, UntcDocument | UntcParseError]:
    out: dict[str, UntcDocument | UntcParseError] = {}
    for path in sorted(UNTC_2018.glob("*.xml")):
        try:
            out[path.name.removesuffix(".en.xml")] = parse_untc_file(path)
        except UntcParseError as exc:  # anything else fails the test
            out[path.name.removesuffix(".en.xml")] = exc
    return out


def real_doc(real: dict[str, UntcDocument | UntcParseError], ref: str) -> UntcDocument:
    doc = real[ref]
    assert isinstance(doc, UntcDocument), doc
    return doc


@needs_2018
def test_every_2018_file_is_parsed_or_refused_clearly(
    real: dict[str, UntcDocument | UntcParseError],
) -> None:
    assert len(real) == 407
    refused = {ref: str(e) for ref, e in real.items() if isinstance(e, UntcParseError)}
    # the two files whose participants table is declared but empty (<Rows />)
    assert set(refused) == {"VI-10", "XIX-29"}
    assert all("has no rows" in message for message in refused.values())
    parsed = [d for d in real.values() if isinstance(d, UntcDocument)]
    assert [d.reference for d in parsed] == [r for r in real if r not in refused]
    header_only = [d for d in parsed if not d.participants]
    assert len(header_only) == 94
    repaired = [d for d in parsed if any("repaired" in w for w in d.warnings)]
    # only 136 of the 407 are well-formed as captured; one of the other 271 is refused
    assert len(repaired) == 407 - 136 - 1


@needs_2018
def test_real_cluster_munitions_header(real: dict[str, UntcDocument | UntcParseError]) -> None:
    ccm = real_doc(real, "XXVI-6")
    assert ccm.title == "Convention on Cluster Munitions"
    assert (ccm.status_signatories, ccm.status_parties) == (108, 102)
    assert [c.default_kind for c in ccm.columns] == [
        K.SIGNATURE,
        K.PROVISIONAL_APPLICATION,
        K.RATIFICATION,
    ]
    assert ccm.errors == []
    andorra = ccm.participant("Andorra")
    assert andorra is not None and acts(andorra) == [(K.ACCESSION, "2013-04-09", "a", False)]


@needs_2018
@pytest.mark.parametrize(
    ("ref", "state", "kind", "notified", "effective"),
    [
        # "… informed the Secretary-General of the withdrawal of Canada form [sic] the Agreement
        # effective on 14 April 2013."
        ("XIX-46", "Canada", K.WITHDRAWAL, "2013-01-14", "2013-04-14"),
        # note table Participant: | Date of notification: | Date of effect:
        ("XXVII-7-a", "Canada", K.WITHDRAWAL, "2011-12-15", "2012-12-15"),
        # table States: | Notification received on : | Date of effect :
        ("XIX-37", "Finland", K.WITHDRAWAL, "1995-06-27", "1995-07-27"),
        # four-column denunciation table
        ("X-9", "Lithuania", K.WITHDRAWAL, "2011-12-29", "2012-12-31"),
        # "… will take effect one year after …, that is to say, on 12 July 2008."
        ("XVI-2", "Luxembourg", K.WITHDRAWAL, "2007-07-12", "2008-07-12"),
        # "… a communication notifying its withdrawal from the Optional Protocol."
        ("III-8", "United States of America", K.WITHDRAWAL, "2005-03-07", None),
        # pending in January 2018: "… which shall take effect on 30 December 2017 …"
        ("XIV-7", "Poland", K.WITHDRAWAL, "2016-12-30", "2017-12-30"),
        # "… the date of effect being 14 May 2002." then the notice was withdrawn
        ("XIV-7", "Brazil", K.WITHDRAWAL, "2001-05-15", "2002-05-14"),
        ("XIV-7", "Brazil", K.WITHDRAWAL_REVOKED, "2002-05-09", None),
        # withdrew and rejoined: "… The withdrawal took effect on 28 March 2014."
        ("XXVII-10", "Canada", K.WITHDRAWAL, "2013-03-28", "2014-03-28"),
        # "… informed … that it had decided to denounce the Agreement. The action will become
        # effective for Australia on 31 July 2007 …"; Trinidad and Tobago suspended its notice
        ("X-8", "Australia", K.WITHDRAWAL, "2004-09-01", "2007-07-31"),
        ("X-8", "Trinidad and Tobago", K.WITHDRAWAL_REVOKED, "1997-09-26", None),
        # "the Government notified …": no name in the sentence, linked by the footnote alone
        ("VI-18", "Bolivia (Plurinational State of)", K.WITHDRAWAL, "2011-06-29", "2012-01-01"),
    ],
)
def test_real_withdrawal_phrasings(
    real: dict[str, UntcDocument | UntcParseError],
    ref: str,
    state: str,
    kind: ActionKind,
    notified: str,
    effective: str | None,
) -> None:
    doc = real_doc(real, ref)
    participant = row(doc, state)
    found = [
        (
            w.notified.isoformat() if w.notified else None,
            w.effective.isoformat() if w.effective else None,
        )
        for w in doc.withdrawals
        if w.row == participant.row and w.kind is kind
    ]
    assert (notified, effective) in found


@needs_2018
def test_real_withdrawals_found_in_2018(real: dict[str, UntcDocument | UntcParseError]) -> None:
    docs = [d for d in real.values() if isinstance(d, UntcDocument)]
    for d in docs:  # an act told twice (a prose note and a table) is kept once
        assert len({(w.kind, w.row, w.participant, w.notified) for w in d.withdrawals}) == len(
            d.withdrawals
        )
    withdrawals = [w for d in docs for w in d.withdrawals]
    assert len(withdrawals) == 78
    assert sum(w.kind is K.WITHDRAWAL_REVOKED for w in withdrawals) == 2
    assert sum(w.row is not None for w in withdrawals) >= len(withdrawals) - 4
    # bracketed rows of 2018 with no note about the withdrawal are listed, not hidden
    unexplained = sorted(
        (d.reference, p.participant)
        for d in docs
        for p in d.problems
        if "no end note records" in p.message
    )
    assert unexplained == [
        ("VI-1", "Netherlands"),
        ("XIX-41-a", "Ecuador"),
        ("XIX-45", "Switzerland"),
        ("XXVII-7-b", "France"),
    ]


def _state_codes() -> dict[str, str]:
    states, aliases = BUNDLED / "states.csv", BUNDLED / "state_aliases.csv"
    if not (states.is_file() and aliases.is_file()):
        pytest.skip("src/normwatch/data/states.csv or state_aliases.csv is not there yet")
    with states.open(encoding="utf-8") as f:
        codes = {r["name"]: r["code"] for r in csv.DictReader(f)}
    with aliases.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            codes.setdefault(r["alias"], r["code"])
    return codes


@needs_2018
@pytest.mark.parametrize(("ref", "treaty"), [("XXVI-6", "ccm"), ("XXVI-5", "apmbt")])
def test_2018_table_agrees_with_vetted_actions(
    real: dict[str, UntcDocument | UntcParseError], ref: str, treaty: str
) -> None:
    codes = _state_codes()
    doc = real_doc(real, ref)
    assert doc.errors == []
    unknown = [p.name for p in doc.participants if p.name not in codes]
    assert unknown == [], f"names not in states.csv / state_aliases.csv: {unknown}"
    parsed = {
        (codes[p.name], a.kind.value, a.date.isoformat())
        for p in doc.participants
        for a in p.actions
    }
    with (SHARED / "data" / treaty / "actions.csv").open(encoding="utf-8") as f:
        vetted = {
            (r["state"], r["action"], r["date"])
            for r in csv.DictReader(f)
            if r["date"] < "2018-01-15"
        }
    assert sorted(vetted - parsed) == []
    assert sorted(parsed - vetted) == []
    assert len(parsed) == {"ccm": 214, "apmbt": 297}[treaty]


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FULL = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December"]  # fmt: skip
CODES = [None, "a", "A", "AA", "d", "n", "s", "c", "C", "P", "p"]


def format_cell(date: dt.date, code: str | None, bracketed: bool, style: str) -> str:
    """A cell as the UN writes it, in one of the styles seen (2018, 2020s, variants)."""
    month = MONTHS[date.month - 1]
    if style == "full":
        month = FULL[date.month - 1]
    elif style == "sept" and date.month == 9:
        month = "Sept"
    if style == "2018" and not bracketed:
        text = f"{date.day} {month} {date.year}" + (f" {code}" if code else "")
    else:  # right-aligned day, TAB + space before the year, code slot after a space
        text = f"{date.day:>2} {month}\t {date.year} {code or ''}"
        if style == "2018":
            text = text.replace("\t", "")
    if bracketed:
        text = f"[{text}]"
    if style == "nbsp":
        text = text.replace(" ", "\u00a0")
    return text


@given(
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    code=st.sampled_from(CODES),
    bracketed=st.booleans(),
    style=st.sampled_from(["2018", "2020s", "nbsp", "full", "sept"]),
)
def test_cell_dates_round_trip(
    date: dt.date, code: str | None, bracketed: bool, style: str
) -> None:
    assert parse_cell(format_cell(date, code, bracketed, style)) == UntcCell(date, code, bracketed)


@given(st.text(max_size=40))
def test_cell_parser_accepts_or_rejects_cleanly(text: str) -> None:
    try:
        cell = parse_cell(text)
    except UntcCellError:
        return
    assert cell is None or re.search(r"\d{4}", text)


_SEEDS = {
    name: fixture(name) for name in ("buoys_2020s.xml", "kelp_2018_latin1.xml", "poisoned_2018.xml")
}
_TAG = re.compile(rb"<[^<>]*>")
_ENTRY = re.compile(rb"<Entry>[^<]*</Entry>")

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20)),
    st.tuples(st.just("delete_tag"), st.integers(0, 1 << 20)),
    st.tuples(st.just("cell"), st.integers(0, 1 << 20), st.text(max_size=24)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=8)),
)


def mutate(data: bytes, op: tuple[object, ...]) -> bytes:
    kind, where = op[0], op[1]
    assert isinstance(where, int)
    if kind == "flip" and data:
        i = where % len(data)
        assert isinstance(op[2], int)
        return data[:i] + bytes([op[2]]) + data[i + 1 :]
    if kind == "truncate":
        return data[: where % (len(data) + 1)]
    if kind == "insert":
        i = where % (len(data) + 1)
        assert isinstance(op[2], bytes)
        return data[:i] + op[2] + data[i:]
    spans = list((_TAG if kind == "delete_tag" else _ENTRY).finditer(data))
    if not spans:
        return data
    m = spans[where % len(spans)]
    if kind == "delete_tag":
        return data[: m.start()] + data[m.end() :]
    assert isinstance(op[2], str)
    return data[: m.start()] + b"<Entry>" + op[2].encode("utf-8") + b"</Entry>" + data[m.end() :]


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(_SEEDS)), ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_documents_parse_or_raise_untc_parse_error(
    seed: str, ops: list[tuple[object, ...]]
) -> None:
    data = _SEEDS[seed]
    for op in ops:
        data = mutate(data, op)
    try:
        doc = parse_untc(data, source="fuzz.xml")
    except UntcParseError as exc:
        assert str(exc).startswith("fuzz.xml")
        return
    json.dumps(doc.to_dict())
    for p in doc.participants:
        assert p.name and p.name == p.name.strip()
        assert all(a.column in {c.index for c in doc.columns} for a in p.actions)
