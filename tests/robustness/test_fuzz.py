"""Every parser and importer under mutated input: nothing but normwatch's own errors, and an
import that is refused leaves the store byte for byte as it was.

Inputs start from real or fixture files (status XML and HTML pages, a meeting folder, an
obligations table, a codebook, a treaty rule file, statement texts) and are cut, spliced with
junk and repeated by hypothesis; the short form draws a few dozen of each, the long form
(``NORMWATCH_ROBUST=long``) ten thousand.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robust_tally import examples, trial

from normwatch.catalog import data_text
from normwatch.core.treaty import parse_rules
from normwatch.errors import NormwatchError
from normwatch.sources.meetings.texts import extract_text, html_text
from normwatch.sources.obligations import parse_csv
from normwatch.sources.untc.viewdetails import parse_status

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
MEETING = FIXTURES / "meetings" / "ccm-test-msp"


def _status_seeds() -> list[bytes]:
    from test_untc_html import page

    return [p.read_bytes() for p in sorted((FIXTURES / "untc").glob("*.xml"))] + [page()]


SEEDS: dict[str, list[bytes]] = {
    "status files (XML, HTML)": _status_seeds(),
    # the first 20 kB of the bundled table, cut after a whole row
    "obligation tables": [data_text("ccm/obligations.csv").encode()[:20_000].rsplit(b"\n", 1)[0]],
    "treaty rule files": [data_text("treaties/ccm.toml").encode()],
    "codebooks": [data_text("codebooks/apmbt-withdrawal-reaction.yaml").encode()],
    "statement HTML": [(MEETING / "s02.html").read_bytes()],
    "statement DOCX": [(MEETING / "s03.docx").read_bytes()],
}
JUNK = st.sampled_from(
    [
        b"",
        b"<",
        b">",
        b"</",
        b"\x00",
        b"&#0;",
        b"&amp",
        b"]]>",
        b"<!ENTITY",
        b"\xff\xfe",
        b'"',
        b"'",
        b"\n",
        b",",
        b";",
        b":",
        b"- ",
        b"[",
        b"{",
        b"=",
        b"9999-12-31",
        b"0000-00-00",
        b"<div>" * 50,
        b"<Row><Entry>",
        b"</Entry></Row>",
        b"\t\t",
    ]
)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed, cut, spliced with junk and with a stretch repeated (or random bytes)."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=2000))
    doc = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(doc)))
        cut = draw(st.integers(0, 64))
        insert = draw(JUNK) + draw(st.binary(max_size=6))
        if draw(st.booleans()):
            insert += doc[at : at + draw(st.integers(0, 200))] * draw(st.integers(1, 4))
        doc = doc[:at] + insert + doc[at + cut :]
    return doc


def _fuzz(name: str, parse: Callable[[bytes], object], short: int = 15) -> None:
    @settings(
        max_examples=examples(short),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated(SEEDS[name]))
    def run(data: bytes) -> None:
        with trial(name) as case:
            parse(data)
            case.accepted()

    run()


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def test_status_files() -> None:
    _fuzz("status files (XML, HTML)", lambda d: parse_status(d, source="fuzz.xml"))


def test_obligation_tables() -> None:
    _fuzz("obligation tables", lambda d: parse_csv("ccm", _text(d), "fuzz.csv"))


def test_treaty_rule_files() -> None:
    _fuzz("treaty rule files", lambda d: parse_rules(_text(d), "fuzz.toml"))


def test_codebooks(tmp_path: Path) -> None:
    from normwatch.coding.codebook import load_codebook

    def parse(data: bytes) -> object:
        path = Path(tempfile.mkdtemp(dir=tmp_path)) / "fuzz.yaml"
        path.write_bytes(data)
        return load_codebook(path)

    _fuzz("codebooks", parse, short=10)


def test_statement_html() -> None:
    _fuzz("statement HTML", lambda d: html_text(_text(d)))


def test_statement_docx(tmp_path: Path) -> None:
    def parse(data: bytes) -> object:
        path = Path(tempfile.mkdtemp(dir=tmp_path)) / "s.docx"
        path.write_bytes(data)
        return extract_text(path)

    _fuzz("statement DOCX", parse, short=10)


#: imports drawn in the long form: each copies the store and writes it, a second or so apiece
IMPORTS = 200
MEETING_FILES = ["meeting.yaml", "participants.csv", "statements.csv", "codings.csv"]


def test_meeting_folders(bundled_db: str, tmp_path: Path) -> None:
    """The reading and checking of a meeting folder (nothing written): one file mutated."""
    from normwatch.catalog import all_treaties
    from normwatch.sources.meetings.importer import read_meeting_dir
    from normwatch.store.db import open_store

    registry, treaties = open_store(bundled_db).registry(), set(all_treaties())
    originals = {name: (MEETING / name).read_bytes() for name in MEETING_FILES}

    @settings(
        max_examples=examples(10),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(MEETING_FILES), st.data())
    def run(name: str, data: st.DataObject) -> None:
        folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "ccm-test-msp"
        shutil.copytree(MEETING, folder)
        (folder / name).write_bytes(data.draw(mutated([originals[name]])))
        with trial("meeting folders") as case:
            read_meeting_dir(folder, registry, treaties)
            case.accepted()
        shutil.rmtree(folder.parent)

    run()


@pytest.mark.parametrize("depth", [20_000, 200_000])
def test_deeply_nested_html_is_read_in_one_pass(depth: int) -> None:
    with trial("statement HTML") as case:
        assert html_text("<div><b>" * depth + "deep" + "</b></div>" * depth) == "deep"
        case.accepted()


@pytest.mark.parametrize("unit", ["<a", "<!", '<a "', "<a '", "<!--", "<script>"])
def test_html_of_many_unclosed_tags_is_read_in_one_pass(unit: str) -> None:
    # each would make a tokenizer that looks for the closing ">" from every "<" quadratic
    with trial("statement HTML") as case:
        assert isinstance(html_text(unit * 100_000), str)
        case.accepted()


# -- importers: a refused import leaves the store byte for byte as it was -------------------


def _dump(db: Path) -> bytes:
    return db.read_bytes()


@pytest.fixture()
def example_db(bundled_db: str, tmp_path: Path) -> Path:
    db = tmp_path / "store.sqlite"
    shutil.copy(bundled_db, db)
    con = sqlite3.connect(db)
    with con:
        con.execute("INSERT INTO meta (key, value) VALUES ('example', 'yes')")
    con.close()
    return db


def test_meeting_folder_imports(example_db: Path, tmp_path: Path) -> None:
    from normwatch.service.imports import import_meeting
    from normwatch.store.db import open_store

    pristine = example_db.read_bytes()

    @settings(
        max_examples=examples(4, IMPORTS),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(MEETING_FILES), st.data())
    def run(name: str, data: st.DataObject) -> None:
        example_db.write_bytes(pristine)
        folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "ccm-test-msp"
        shutil.copytree(MEETING, folder)
        (folder / name).write_bytes(data.draw(mutated([(MEETING / name).read_bytes()])))
        with trial("meeting folder imports") as case:
            try:
                import_meeting(open_store(str(example_db)), folder)
            except Exception:
                assert example_db.read_bytes() == pristine  # refused: nothing written
                raise
            case.accepted()

    run()


def test_status_file_imports(example_db: Path, tmp_path: Path) -> None:
    from mtdsg_export import export_mtdsg
    from normwatch.service.imports import import_untc
    from normwatch.store.db import open_store

    pristine = example_db.read_bytes()
    store = open_store(str(example_db))
    names = {s.code: s.name for s in store.registry().states}
    base = export_mtdsg(store.actions("ccm"), names)

    @settings(
        max_examples=examples(4, IMPORTS),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated([base]))
    def run(doc: bytes) -> None:
        example_db.write_bytes(pristine)
        path = Path(tempfile.mkdtemp(dir=tmp_path)) / "XXVI-6.en.xml"
        path.write_bytes(doc)
        with trial("status file imports") as case:
            try:
                import_untc(open_store(str(example_db)), [str(path)])
            except Exception:
                assert example_db.read_bytes() == pristine
                raise
            case.accepted()

    run()


def test_a_status_page_of_deeply_nested_tags_is_refused_at_once() -> None:
    from test_untc_html import page

    nested = page().replace(b"<body", b"<div>" * 200_000 + b"<body", 1)
    with trial("status files (XML, HTML)") as case:
        with pytest.raises(NormwatchError, match="more than 50,000 tags"):
            parse_status(nested, source="nested.html")
        case.refused()


def test_obligation_table_imports(example_db: Path, tmp_path: Path) -> None:
    from normwatch.service.imports import import_obligations
    from normwatch.store.db import open_store

    pristine = example_db.read_bytes()
    seed = (FIXTURES / "obligations" / "fictional-later-remnants.csv").read_bytes()

    @settings(
        max_examples=examples(4, IMPORTS),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated([seed]))
    def run(doc: bytes) -> None:
        example_db.write_bytes(pristine)
        path = Path(tempfile.mkdtemp(dir=tmp_path)) / "facts.csv"
        path.write_bytes(doc)
        with trial("obligation table imports") as case:
            try:
                import_obligations(open_store(str(example_db)), "ccm", path)
            except Exception:
                assert example_db.read_bytes() == pristine
                raise
            case.accepted()

    run()
