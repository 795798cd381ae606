"""UN Treaty Collection status pages in HTML ("ViewDetails"): the same document as the XML."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import run
from normwatch.core.model import ActionKind
from normwatch.errors import NormwatchError
from normwatch.sources.untc.mtdsg import UntcDocument, UntcParseError
from normwatch.sources.untc.viewdetails import cn_symbols, is_html, parse_status
from shared_files import SHARED

UNTC_2026 = SHARED / "data" / "untc-2026"
_P = "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_"


def row(name: str, *cells: str, sup: str = "") -> str:
    mark = f' <sup><a class="noteIndex" href="#{sup}">{sup}</a> </sup>' if sup else ""
    tds = "".join(f"<td>{c}<br/></td>" for c in cells)
    return f'<tr class="trBWhite">\n<td>{name}{mark}<br/></td>{tds}</tr>\n'


ROWS = (
    row("Afghanistan", "  3 Dec\t 2008 ", " ", "  8 Sep\t 2011 ")
    + row("Andorra", " ", " ", "  9 Apr\t 2013 a")
    + row("Belize", " ", "  2 Sep\t 2014 n", "  2 Sep\t 2014 a", sup="1")
    + row("Lithuania", "[ 3 Dec\t 2008 ]", "[24 Mar\t 2011 n]", "[24 Mar\t 2011 ]", sup="2")
)
NOTES = (
    '<div class="divNotesAll"><a name="1">1</a><index></index> Belize will provisionally '
    "apply article 1.<br/><br/></div>"
    '<div class="divNotesAll"><a name="2">2</a><index></index>On 6 September 2024, the '
    "Government of the Republic of Lithuania deposited with the Secretary-General a notification "
    "of withdrawal. The withdrawal took effect for Lithuania on 6 March 2025 in accordance with "
    "article 20 (3) of the Convention. (See depositary notification "
    '<a href="https://treaties.un.org/doc/Publication/CN/2024/CN.347.2024-Eng.pdf">'
    "C.N.347.2024</a>.TREATIES-XXVI-6 of 6 September 2024)<br/><br/></div>"
)


def page(rows: str = ROWS, notes: str = NOTES, stamp: str = "03-02-2026 10:16:18 EDT") -> bytes:
    """A small page with the structure (ids, classes, cell spacing) of the real ones."""
    return f"""<!DOCTYPE html>
<html><head><title>UNTC</title></head><body>
<a href="ViewDetails.aspx?src=TREATY&amp;mtdsg_no=XXVI-6&amp;chapter=26&amp;clang=_en">en</a>
<td id="headerbox"><div id="{_P}div3">STATUS AS AT : {stamp}</div>
<div id="{_P}rptHead_ctl00_tcHead"> CHAPTER XXVI </div>
<div id="{_P}rptHead_ctl00_tcText"> DISARMAMENT </div>
<div id="{_P}rptTreaty_ctl00_tcTreaty"> 6.

  Convention on Cluster Munitions </div>
<div id="{_P}rptTreaty_ctl00_tcText">Dublin, 30 May 2008</div>
<div id="{_P}rptEIF_ctl00_tcText">1 August 2010, in accordance with article 17(1).</div>
<div id="{_P}rptStatus_ctl00_tcText">Signatories : 3. Parties : 3</div></td>
<td id="participants"><table id="{_P}tblgrid">
<tr class="thead-one"><td>Participant<br/></td><td>Signature<br/></td>
<td>Provisional application(n)<br/></td>
<td>Approval(AA), Acceptance(A), Accession(a), Ratification<br/></td></tr>
{rows}</table></td>
<table id="{_P}dgNotesAll"><tr><td>{notes}</td></tr></table>
</body></html>""".encode()


def consent_rows(doc: UntcDocument) -> int:
    """Rows with a dated cell in a consent column (read as an action or reported)."""
    consent = {c.index for c in doc.columns if "Signature" not in c.header}
    consent -= {c.index for c in doc.columns if c.header.startswith("Provisional")}
    rows = {p.row for p in doc.participants if any(a.column in consent for a in p.actions)}
    rows |= {p.row for p in doc.errors if p.column in consent and p.row is not None}
    return len(rows)


def test_a_page_gives_the_document_the_xml_parser_gives() -> None:
    doc = parse_status(page(), source="p.html")
    assert (doc.reference, doc.chapter, doc.title) == (
        "XXVI-6",
        "XXVI",
        "Convention on Cluster Munitions",
    )
    assert doc.status_as_at == dt.date(2026, 2, 3)
    assert (doc.status_signatories, doc.status_parties) == (3, 3)
    assert doc.conclusion == "Dublin, 30 May 2008"
    assert [p.name for p in doc.participants] == ["Afghanistan", "Andorra", "Belize", "Lithuania"]
    belize = doc.participant("Belize")
    assert belize is not None and belize.footnotes == ["1"]
    assert [(a.kind, a.code) for a in belize.actions] == [
        (ActionKind.PROVISIONAL_APPLICATION, "n"),
        (ActionKind.ACCESSION, "a"),
    ]
    afg = doc.participant("Afghanistan")
    assert afg is not None
    assert [(a.kind, a.date) for a in afg.actions] == [
        (ActionKind.SIGNATURE, dt.date(2008, 12, 3)),
        (ActionKind.RATIFICATION, dt.date(2011, 9, 8)),
    ]
    ltu = doc.participant("Lithuania")
    assert ltu is not None and ltu.withdrawn and all(a.bracketed for a in ltu.actions)
    (w,) = doc.withdrawals
    assert (w.row, w.notified, w.effective) == (4, dt.date(2024, 9, 6), dt.date(2025, 3, 6))
    assert w.symbol == "C.N.347.2024.TREATIES-XXVI-6"
    assert doc.errors == [] and doc.warnings == []


def test_html_and_xml_are_told_apart_by_content_not_name() -> None:
    assert is_html(page())
    assert not is_html(b'<?xml version="1.0"?><Treaty></Treaty>')
    assert is_html(b"\xef\xbb\xbf  <html><body>x</body></html>")


def test_cn_symbols_are_joined_across_the_link_break() -> None:
    text = "(See C.N.347.2024 .TREATIES-XXVI-6 of 6 September 2024; C.N.12.2025.TREATIES-XXVI-5)"
    assert cn_symbols(text) == ["C.N.347.2024.TREATIES-XXVI-6", "C.N.12.2025.TREATIES-XXVI-5"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<!DOCTYPE html><html><body><p>Page not found</p></body></html>", "not a UN Treaty"),
        (page()[: page().index(b"<td>Lithuania") + 40], "cut short"),
        (page(rows=ROWS + row("Belize", " ")), "cell(s); the header has 4"),
        (page(rows=ROWS + row("Chile", "31 Feb\t 2009 ", " ", " ")), "impossible"),
        (page(stamp="33-02-2026"), "impossible date"),
    ],
)
def test_bad_pages_are_one_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(UntcParseError) as exc:
        parse_status(data, source="bad.html")
    assert message in str(exc.value) and str(exc.value).startswith("bad.html")


def snapshot(path: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute("SELECT * FROM actions").fetchall())
    finally:
        con.close()


@pytest.fixture()
def fresh(tmp_path: Path, bundled_db: str) -> str:
    copy = tmp_path / "store.sqlite"
    copy.write_bytes(Path(bundled_db).read_bytes())
    return str(copy)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>Maintenance</body></html>", "not a UN Treaty Collection status page"),
        (page()[: page().index(b"<td>Andorra")], "cut short"),
        (page(rows=ROWS + row("Atlantis", " 4 Jun\t 2019 ", " ", " ")), "'Atlantis'"),
    ],
)
def test_a_bad_page_exits_2_with_one_line_and_writes_nothing(
    fresh: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
    message: str,
) -> None:
    path = tmp_path / "status.xml"  # the name says XML; the content decides
    path.write_bytes(data)
    before = snapshot(fresh)
    code, _, err = run(capsys, "--db", fresh, "import", "untc", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert message in err
    assert snapshot(fresh) == before


def test_untc_parse_reads_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(page())
    code, out, _ = run(capsys, "untc", "parse", str(path), "--format", "json")
    assert code == 0
    assert '"C.N.347.2024.TREATIES-XXVI-6"' in out and '"status_as_at": "2026-02-03"' in out


_BASE = page()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(_BASE)), st.integers(0, 40), st.binary(max_size=12)),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_pages_raise_only_normwatch_errors(
    edits: list[tuple[int, int, bytes]],
) -> None:
    data = _BASE
    for at, cut, insert in edits:
        data = data[:at] + insert + data[at + cut :]
    try:
        doc = parse_status(data, source="fuzz.html")
    except NormwatchError as exc:
        assert str(exc)  # a message for a person, never an empty one
    else:
        assert isinstance(doc, UntcDocument)


# --------------------------------------------------------------------------------------------
# The real pages of 3 February 2026
# --------------------------------------------------------------------------------------------

real = pytest.mark.skipif(
    not UNTC_2026.is_dir(), reason=f"the 2026 UNTC pages are not at {UNTC_2026}"
)
HEADERS = {
    "enmod": ("XXVI-1", 78), "ccw": ("XXVI-2", 128), "ccw_p4": ("XXVI-2-a", 111),
    "ccw_p2a": ("XXVI-2-b", 107), "ccw_art1": ("XXVI-2-c", 90), "ccw_p5": ("XXVI-2-d", 99),
    "cwc": ("XXVI-3", 193), "ctbt": ("XXVI-4", 178), "ottawa": ("XXVI-5", 162),
    "ccm": ("XXVI-6", 112), "att": ("XXVI-8", 117), "tpnw": ("XXVI-9", 74),
}  # fmt: skip


def real_page(name: str) -> UntcDocument:
    path = UNTC_2026 / f"{name}.html"
    return parse_status(path.read_bytes(), source=str(path))


@real
@pytest.mark.parametrize("name", sorted(HEADERS))
def test_every_real_page_parses_and_its_consents_match_the_header(name: str) -> None:
    doc = real_page(name)
    reference, parties = HEADERS[name]
    assert doc.reference == reference
    assert doc.status_as_at == dt.date(2026, 2, 3)
    assert doc.status_parties == parties
    effective = [
        w
        for w in doc.withdrawals
        if w.kind is ActionKind.WITHDRAWAL and w.effective and w.effective <= doc.status_as_at
    ]
    assert consent_rows(doc) - len(effective) == parties


@real
def test_real_ccm_page_has_112_consents_and_lithuanias_withdrawal() -> None:
    doc = real_page("ccm")
    assert consent_rows(doc) == 113  # 112 parties and Lithuania's bracketed row
    (w,) = doc.withdrawals
    ltu = doc.participants[w.row - 1] if w.row else None
    assert ltu is not None and ltu.name == "Lithuania" and ltu.withdrawn
    assert (w.notified, w.effective) == (dt.date(2024, 9, 6), dt.date(2025, 3, 6))
    assert w.symbol == "C.N.347.2024.TREATIES-XXVI-6"


@real
def test_real_ottawa_page_has_the_five_2025_withdrawals() -> None:
    doc = real_page("ottawa")
    got = {
        (doc.participants[w.row - 1].name, w.notified, w.effective, w.symbol)
        for w in doc.withdrawals
        if w.row
    }
    assert got == {
        ("Estonia", dt.date(2025, 6, 27), dt.date(2025, 12, 27), "C.N.360.2025.TREATIES-XXVI-5"),
        ("Latvia", dt.date(2025, 6, 27), dt.date(2025, 12, 27), "C.N.361.2025.TREATIES-XXVI-5"),
        ("Lithuania", dt.date(2025, 6, 27), dt.date(2025, 12, 27), "C.N.362.2025.TREATIES-XXVI-5"),
        ("Finland", dt.date(2025, 7, 10), dt.date(2026, 1, 10), "C.N.372.2025.TREATIES-XXVI-5"),
        ("Poland", dt.date(2025, 8, 20), dt.date(2026, 2, 20), "C.N.421.2025.TREATIES-XXVI-5"),
    }


@real
def test_dry_run_of_the_real_ccm_page_finds_no_conflicts(
    fresh: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(fresh)
    code, out, _ = run(
        capsys, "--db", fresh, "import", "untc", str(UNTC_2026 / "ccm.html"), "--dry-run"
    )
    assert code == 0
    assert " 0 conflicts" in out and "dry run: nothing written" in out
    assert snapshot(fresh) == before


def _without_row(page: str, participant: str) -> str:
    at = page.index(participant)
    start = page.rindex("<tr", 0, at)
    return page[:start] + page[page.index("</tr>", at) + len("</tr>") :]


@pytest.mark.skipif(not (UNTC_2026 / "ctbt.html").exists(), reason=f"no {UNTC_2026}")
def test_a_newer_page_without_a_row_reports_the_acts_read_from_the_older_page_as_gone(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bundled acts cite the depositary's ViewDetails page (and the 2018 XML): a saved copy
    of that page is the same listing, so a row it no longer shows is reported as gone."""
    page = tmp_path / "ctbt-later.html"
    page.write_text(
        _without_row((UNTC_2026 / "ctbt.html").read_text(encoding="utf-8"), "Afghanistan"),
        encoding="utf-8",
    )
    before = snapshot(fresh)
    code, out, _ = run(
        capsys, "--db", fresh, "import", "untc", str(page), "--dry-run", "--format", "json"
    )
    assert code == 0 and snapshot(fresh) == before
    gone = [c for c in json.loads(out)["changes"] if c["change"] == "gone"]
    assert sorted((c["key"], c["after"]) for c in gone) == [
        ("AFG", "ratification 2003-09-24"),
        ("AFG", "signature 2003-09-24"),
        ("RUS", "ratification 2000-06-30"),  # kept: its revocation explains the absence
    ]
    code, out, _ = run(capsys, "--db", fresh, "import", "untc", str(page))
    assert code == 0
    code, out, _ = run(capsys, "--db", fresh, "status", "ctbt", "AFG", "--format", "json")
    assert code == 0 and json.loads(out)[0]["status"] == "non_signatory"


@pytest.mark.skipif(not (UNTC_2026 / "ottawa.html").exists(), reason=f"no {UNTC_2026}")
def test_a_withdrawal_read_from_an_end_note_carries_the_notification_the_note_cites(
    fresh: str,
) -> None:
    from normwatch.catalog import get_treaty
    from normwatch.core.model import Source
    from normwatch.sources.untc.importer import incoming_actions
    from normwatch.store.db import open_store

    path = UNTC_2026 / "ottawa.html"
    doc = parse_status(path.read_bytes(), source=str(path))
    acts, _ = incoming_actions(open_store(fresh), doc, get_treaty("apmbt"), Source(str(path)))
    withdrawals = {a.state: a.sources[0].symbol for a in acts if a.kind == ActionKind.WITHDRAWAL}
    assert set(withdrawals) == {"EST", "FIN", "LVA", "LTU", "POL"}
    assert all(
        s and s.startswith("C.N.") and s.endswith("TREATIES-XXVI-5") for s in withdrawals.values()
    )
