"""``normwatch meetings import-files``: a folder of statement files, proposed, checked, imported.

Every file is made here, with texts written for these tests (invented: said by no one), and
goes into the fictional meeting ``ccm-test-msp`` of a throw-away example store.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import run
from normwatch.core.meetings import SpeakerKind
from normwatch.sources.meetings.files import (
    AgendaItem,
    Limits,
    Names,
    agenda_in,
    date_in,
    find_names,
    propose,
    speaker_in_lines,
    tokens,
)
from normwatch.store.db import open_store

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "meetings" / "ccm-test-msp"
MEETING = "ccm-test-msp"
INVENTED = "INVENTED STATEMENT, written for normwatch's tests; not said by anyone."
AGENDA = [
    AgendaItem("7", "General exchange of views"),
    AgendaItem("8", "Universalization"),
    AgendaItem("9", "Victim assistance"),
]


# --------------------------------------------------------------------------- making files


def text_pdf(path: Path, pages: list[list[str]]) -> None:
    """A PDF with a text layer: one page per list of lines, in Helvetica."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 12 Tf", "16 TL", "72 720 Td"]
        for line in lines:
            quoted = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({quoted}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


def docx_file(path: Path, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(str(path))


def scanned_pdf(path: Path, lines: list[str]) -> None:
    """A PDF that is only a picture of its text (no text layer), as a scanner makes."""
    pil = pytest.importorskip("PIL", reason="Pillow is needed to draw a scanned page")
    from PIL import Image, ImageDraw, ImageFont

    font_file = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    font = (
        ImageFont.truetype(str(font_file), 44)
        if font_file.is_file()
        else ImageFont.load_default(size=44)
    )
    image = Image.new("L", (1700, 140 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((90, 70 + 80 * i), line, fill=0, font=font)
    image.save(path, "PDF", resolution=150.0)
    assert pil is not None


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An example store holding the fictional meeting (copied for each test that writes)."""
    from normwatch.service.imports import import_meeting
    from normwatch.store.db import create_example_store

    path = tmp_path_factory.mktemp("files") / "example.sqlite"
    import_meeting(create_example_store(str(path)), FIXTURE)
    return str(path)


@pytest.fixture()
def db(example_db: str, tmp_path: Path) -> str:
    copy = tmp_path / "store.sqlite"
    shutil.copy(example_db, copy)
    return str(copy)


@pytest.fixture(scope="module")
def names(example_db: str) -> Names:
    from normwatch.service.meeting_files import _names

    return _names(open_store(example_db), MEETING)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A folder as a document site publishes it: EN, FR and ES, TXT, PDF and DOCX."""
    d = tmp_path / "files"
    d.mkdir()
    (d / "12MSP_GenExchange_Mexico.txt").write_text(
        f"{INVENTED}\n\nMr. President,\n\nWe regret the announced withdrawal from the "
        "Convention and call on all States to uphold its norms.\n",
        encoding="utf-8",
    )
    docx_file(
        d / "Statement-Republic-of-Korea-EN.docx",
        [
            INVENTED,
            "Statement by the Republic of Korea",
            "Mr. President, we attach great importance to the Convention and to the "
            "assistance that the victims of these weapons need.",
        ],
    )
    text_pdf(
        d / "ICRC_12MSP.pdf",
        [[INVENTED, "The ICRC thanks the President.", "The weapons kill civilians for years."]],
    )
    (d / "declaration-point-8.txt").write_text(
        "DÉCLARATION INVENTÉE pour les tests de normwatch ; prononcée par personne.\n\n"
        "Déclaration de la délégation de la France\n\nMonsieur le Président, la France "
        "appelle tous les États à adhérer à la Convention dans les meilleurs délais.\n",
        encoding="utf-8",
    )
    (d / "intervencion.txt").write_text(
        "DECLARACIÓN INVENTADA para las pruebas de normwatch; no la pronunció nadie.\n\n"
        "Intervención de la delegación de México sobre la asistencia a las víctimas\n\n"
        "Señor Presidente, la asistencia a las víctimas es una prioridad de nuestro país y "
        "de todos los Estados Partes.\n",
        encoding="utf-8",
    )
    (d / "statement_17.txt").write_text(
        f"{INVENTED}\n\nMr. President, we share the concerns expressed by many delegations "
        "about the withdrawal of Lithuania from the Convention.\n",
        encoding="utf-8",
    )
    return d


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _plan_rows(plan: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(plan.read_text(encoding="utf-8"))))


def _write_rows(plan: Path, rows: list[dict[str, str]]) -> None:
    with plan.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _by_file(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["file"]: r for r in rows}


# --------------------------------------------------------------------------- names


def test_file_name_words_split_at_separators_case_changes_and_digits() -> None:
    assert tokens("12MSP_GenExchange_Mexico") == ["12", "MSP", "Gen", "Exchange", "Mexico"]
    assert tokens("Statement-Republic-of-Korea-EN") == [
        "Statement",
        "Republic",
        "of",
        "Korea",
        "EN",
    ]
    assert tokens("ICRCStatement") == ["ICRC", "Statement"]
    assert tokens("DeclaraciónPerúFinal") == ["Declaración", "Perú", "Final"]


def test_statement_ids_come_from_file_names_plain_and_unique(tmp_path: Path, names: Names) -> None:
    for name in ("Declaración_México.txt", "Declaración_México.html", "ÉÉÉ.txt"):
        (tmp_path / name).write_text(f"{INVENTED}\n\nGracias.\n", "utf-8")
    ids = sorted(p.id for p in propose(tmp_path, names))
    assert ids == ["Declaracion_Mexico", "Declaracion_Mexico-2", "EEE"]


@pytest.mark.parametrize(
    ("stem", "speaker"),
    [
        ("12MSP_GenExchange_Mexico", "MEX"),
        ("Statement-Republic-of-Korea-EN", "KOR"),
        ("Declaracion_Mexico_ES", "MEX"),  # ES is a language tag, not Spain's alpha-2 code
        ("Intervention_FR_Cote-d'Ivoire", "CIV"),  # FR is not France; accents are folded
        ("Bosnia_and_Herzegovina_statement", "BIH"),  # "and" is not Andorra
        ("MEX_12MSP", "MEX"),  # a code in capitals
        ("Statement_Türkiye", "TUR"),
        ("statement-turkey", "TUR"),  # an alias in the registry
        ("ICRC_12MSP", "International Committee of the Red Cross"),
        ("EU_statement", "European Union"),
    ],
)
def test_a_speaker_is_found_in_a_file_name(names: Names, stem: str, speaker: str) -> None:
    found = find_names(tokens(stem), names)
    assert [f.speaker for f in found] == [speaker]


@pytest.mark.parametrize(
    "stem", ["statement_and_annex", "mex_final", "Statement_12MSP_EN", "the_icrc_view"]
)
def test_no_speaker_is_guessed_from_common_words_or_lower_case_codes(
    names: Names, stem: str
) -> None:
    assert find_names(tokens(stem), names) == []


@pytest.mark.parametrize(
    ("lines", "speaker"),
    [
        (["Statement by the Republic of Korea"], "KOR"),
        (["Check against delivery", "STATEMENT OF MEXICO"], "MEX"),
        (["Déclaration de la délégation de la France"], "FRA"),
        (["Déclaration prononcée par le Sénégal"], "SEN"),
        (["Intervención de la delegación de México"], "MEX"),
        (["Intervención del Perú"], "PER"),
        (["PERÚ", "Señor Presidente:"], "PER"),
        (["Statement by Austria on behalf of Ireland and Mexico"], "AUT"),
        (["Remarks by the ICRC"], "International Committee of the Red Cross"),
        (["Statement by H.E. Ms. A. Example, Permanent Representative of Chile"], "CHL"),
        (["Mission permanente du Luxembourg", "Genève"], "LUX"),
    ],
)
def test_a_speaker_is_found_on_the_first_lines_in_english_french_and_spanish(
    names: Names, lines: list[str], speaker: str
) -> None:
    found, evidence = speaker_in_lines(lines, names)
    assert found is not None and found.speaker == speaker
    assert "line" in evidence


@pytest.mark.parametrize(
    "lines",
    [
        ["Mr. President, we regret the withdrawal of Lithuania."],
        ["Monsieur le Président, la Lituanie a notifié son retrait."],
        ["Statement on behalf of Austria and Ireland"],
        ["Déclaration de la République de Corée"],  # a French form iso-codes does not give
        ["We thank the delegation of Mexico for its work."],
    ],
)
def test_names_in_running_text_or_unknown_names_give_no_speaker(
    names: Names, lines: list[str]
) -> None:
    assert speaker_in_lines(lines, names)[0] is None


@pytest.mark.parametrize(
    ("lines", "speaker"),
    [
        (["Déclaration de la France"], "FRA"),
        (["Intervención de México"], "MEX"),
        (["Déclaration de l'Allemagne"], "DEU"),  # the registry's English names: Germany
        (["Déclaration du Mexique", "Genève"], "MEX"),
        (["Intervención de la delegación de Alemania"], "DEU"),
        (["Intervención de Costa de Marfil"], "CIV"),  # iso-codes writes "Marfíl"
        (["Déclaration de la Corée du Sud"], "KOR"),
        (["Intervención de Reino Unido"], "GBR"),
    ],
)
def test_a_speaker_named_in_french_or_spanish_resolves_through_the_iso_codes_names(
    names: Names, lines: list[str], speaker: str
) -> None:
    found, evidence = speaker_in_lines(lines, names)
    assert found is not None and found.speaker == speaker, evidence


@pytest.mark.parametrize(
    ("stem", "speaker"),
    [("Declaration_Allemagne_FR", "DEU"), ("12MSP-Intervencion-Alemania", "DEU")],
)
def test_a_french_or_spanish_name_in_a_file_name_resolves(
    names: Names, stem: str, speaker: str
) -> None:
    assert [f.speaker for f in find_names(tokens(stem), names)] == [speaker]


def test_the_french_and_spanish_names_name_their_source_and_one_state_each(
    names: Names, example_db: str
) -> None:
    from normwatch.catalog import read_csv
    from normwatch.core.registry import fold

    store_registry = open_store(example_db).registry()
    rows = [row for _, row in read_csv("state_names_fr_es.csv", ("alias", "code", "source"))]
    assert {r["language"] for r in rows} == {"fr", "es"}
    for r in rows:
        assert r["source"].startswith(f"iso-codes {r['language']} locale (iso3166-1) via pycountry")
        assert r["code"] in store_registry.codes
        # never a name another State already answers to
        assert store_registry.lookup(r["alias"]) in (None, r["code"])
        assert names.registry.lookup(r["alias"]) == r["code"]
    assert len({fold(r["alias"]) for r in rows}) == len(rows)
    # the English registry of the store itself is not changed
    assert store_registry.lookup("Allemagne") is None


def test_the_french_and_spanish_names_are_what_the_script_writes_from_pycountry() -> None:
    pycountry = pytest.importorskip("pycountry")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import write_state_names

    assert write_state_names.OUT.read_text(encoding="utf-8") == write_state_names.text(pycountry)


# hypothesis: the file-name parser never fails, loses nothing but separators, and finds a
# State's name however the words of the name are joined
_NOISE = st.sampled_from(["Statement", "12MSP", "GenExchange", "EN", "final", "rev1", "2024"])
_SEPARATOR = st.sampled_from(["_", "-", " ", ".", "+"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_the_file_name_parser_keeps_every_character_but_separators(stem: str) -> None:
    words = tokens(stem)
    assert all(w and not any(c in w for c in "_-.+ \t\n") for w in words)
    rest = iter(stem)
    assert all(any(c == x for x in rest) for c in "".join(words))  # in order, nothing invented


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    state=st.sampled_from(["Mexico", "Republic of Korea", "Côte d'Ivoire", "New Zealand"]),
    before=st.lists(_NOISE, max_size=3),
    after=st.lists(_NOISE, max_size=3),
    separator=_SEPARATOR,
)
def test_the_file_name_parser_finds_a_state_among_noise(
    names: Names, state: str, before: list[str], after: list[str], separator: str
) -> None:
    stem = separator.join([*before, *state.split(" "), *after])
    found = find_names(tokens(stem), names)
    assert [f.speaker for f in found] == [names.registry.resolve(state)]
    assert found[0].kind is SpeakerKind.STATE


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(min_size=1, max_size=12), max_size=10))
def test_names_found_never_overlap_and_each_resolves(names: Names, words: list[str]) -> None:
    found = find_names(words, names)
    spans = [(f.start, f.start + f.size) for f in found]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert all(f.words == " ".join(words[a:b]) for f, (a, b) in zip(found, spans, strict=True))
    for f in found:
        if f.kind is SpeakerKind.STATE:
            assert f.speaker in names.registry.codes
        else:
            assert f.speaker in names.organizations.values()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=80), max_size=4))
def test_reading_first_lines_never_fails_and_gives_real_dates(
    names: Names, lines: list[str]
) -> None:
    import datetime as dt

    found, evidence = speaker_in_lines(lines, names)
    if found is not None:
        assert found.speaker in {*names.registry.codes, *names.organizations.values()}
        assert evidence.startswith("line ")
    for line in lines:
        day = date_in(line)
        assert day is None or dt.date.fromisoformat(day).isoformat() == day
        items, said = agenda_in(line, AGENDA)
        assert all(i.startswith("?") or i in {a.label for a in AGENDA} for i in items)
        assert (said is None) == (not items)


# --------------------------------------------------------------------------- proposing


def test_each_file_gets_speaker_language_and_agenda_item_with_the_evidence(
    folder: Path, names: Names
) -> None:
    got = {p.file: p for p in propose(folder, names, agenda=AGENDA)}
    mexico = got["12MSP_GenExchange_Mexico.txt"]
    assert (mexico.action, mexico.speaker, mexico.language) == ("import", "MEX", "en")
    assert mexico.agenda_item == "7. General exchange of views"
    assert "Mexico" in mexico.speaker_evidence and "file name" in mexico.agenda_evidence
    korea = got["Statement-Republic-of-Korea-EN.docx"]
    assert (korea.speaker, korea.language) == ("KOR", "en")
    assert "file name tag: en" in korea.language_evidence
    icrc = got["ICRC_12MSP.pdf"]
    assert icrc.speaker == "International Committee of the Red Cross"
    assert icrc.text_from == "text layer"
    france = got["declaration-point-8.txt"]
    assert (france.speaker, france.language, france.agenda_item) == (
        "FRA",
        "fr",
        "8. Universalization",
    )
    assert "Déclaration de la délégation de la France" in france.speaker_evidence
    mexico_es = got["intervencion.txt"]
    assert (mexico_es.speaker, mexico_es.language) == ("MEX", "es")
    assert mexico_es.agenda_item == "9. Victim assistance"  # a Spanish line, the English agenda


def test_what_cannot_be_resolved_is_listed_to_check(folder: Path, names: Names) -> None:
    (folder / "Joint_Austria_Mexico.txt").write_text(f"{INVENTED}\n\nWe agree.\n", "utf-8")
    (folder / "item-12.txt").write_text(
        f"{INVENTED}\n\nStatement by Norway\n\nThank you, Mr. President.\n", "utf-8"
    )
    got = {p.file: p for p in propose(folder, names, agenda=AGENDA)}
    unknown = got["statement_17.txt"]
    assert unknown.action == "check" and unknown.speaker == ""
    assert unknown.unresolved == ["speaker"]
    joint = got["Joint_Austria_Mexico.txt"]
    assert joint.action == "check" and "several" in joint.unresolved[0]
    assert "Austria" in joint.speaker_evidence and "Mexico" in joint.speaker_evidence
    norway = got["item-12.txt"]
    assert norway.speaker == "NOR" and norway.unresolved == ["agenda_item"]
    assert "not on the agenda: 12" in norway.agenda_evidence


def test_a_topic_is_taken_from_a_heading_not_from_a_sentence(tmp_path: Path, names: Names) -> None:
    (tmp_path / "Statement_Norway.txt").write_text(
        f"{INVENTED}\n\nMr. President, we thank you and all delegations for the excellent "
        "cooperation shown during the preparations of this meeting.\n",
        "utf-8",
    )
    (tmp_path / "Statement_Sweden.txt").write_text(
        f"{INVENTED}\n\nInternational cooperation and assistance\n\nMr. President, thank you.\n",
        "utf-8",
    )
    got = {p.file: p for p in propose(tmp_path, names)}
    assert got["Statement_Norway.txt"].agenda_item == ""
    assert got["Statement_Sweden.txt"].agenda_item == "international cooperation and assistance"


def test_without_an_agenda_a_topic_is_proposed_by_its_name(folder: Path, names: Names) -> None:
    got = {p.file: p for p in propose(folder, names)}
    assert got["12MSP_GenExchange_Mexico.txt"].agenda_item == "general exchange of views"
    assert got["declaration-point-8.txt"].agenda_item == "8"
    assert got["ICRC_12MSP.pdf"].agenda_item == ""  # nothing said: nothing proposed


def test_language_tag_and_text_that_disagree_are_to_check(tmp_path: Path, names: Names) -> None:
    (tmp_path / "Statement_Chile_FR.txt").write_text(
        f"{INVENTED}\n\nMr. President, we are grateful for the work of the presidency and "
        "we support the Convention and all of its aims.\n",
        "utf-8",
    )
    (only,) = propose(tmp_path, names)
    assert only.speaker == "CHL" and only.language == ""
    assert only.unresolved == ["language"] and only.action == "check"


def test_a_joint_statement_proposes_whom_it_speaks_for_to_check(
    tmp_path: Path, names: Names
) -> None:
    (tmp_path / "joint.txt").write_text(
        f"{INVENTED}\n\nStatement by Austria on behalf of Ireland, Mexico and New Zealand\n\n"
        "Mr. President, we speak together for the Convention.\n",
        "utf-8",
    )
    (only,) = propose(tmp_path, names)
    assert only.speaker == "AUT" and only.on_behalf_of == "IRL;MEX;NZL"
    assert only.action == "check" and only.unresolved[0].startswith("on_behalf_of")
    assert "on behalf of Ireland" in only.speaker_evidence


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("Geneva, 10 September 2024", "2024-09-10"),
        ("Genève, le 11 septembre 2024", "2024-09-11"),
        ("Ginebra, 12 de septiembre de 2024", "2024-09-12"),
        ("September 11, 2024", "2024-09-11"),
        ("Delivered on 2024-09-10 in Geneva", "2024-09-10"),
        ("31 September 2024, then 1 October 2024", "2024-10-01"),  # no 31 September
        ("Item 7, 10 delegations", None),
    ],
)
def test_a_date_is_read_from_a_line_in_english_french_spanish_or_iso(
    line: str, day: str | None
) -> None:
    assert date_in(line) == day


def test_a_date_is_proposed_only_when_it_is_a_day_of_the_meeting(
    tmp_path: Path, names: Names
) -> None:
    (tmp_path / "Statement_Chile.txt").write_text(
        f"{INVENTED}\n\nGinebra, 11 de septiembre de 2024\n\nSeñor Presidente, gracias.\n",
        "utf-8",
    )
    (tmp_path / "Statement_Peru.txt").write_text(
        f"{INVENTED}\n\nLima, 2 de agosto de 2024\n\nSeñor Presidente, gracias.\n", "utf-8"
    )
    days = ("2024-09-10", "2024-09-12")
    got = {p.file: p for p in propose(tmp_path, names, days=days)}
    assert got["Statement_Chile.txt"].date == "2024-09-11"
    assert got["Statement_Peru.txt"].date == ""
    assert "not a day of the meeting" in got["Statement_Peru.txt"].date_evidence


def test_limits_and_links_out_of_the_folder_are_skipped_with_the_reason(
    tmp_path: Path, names: Names
) -> None:
    d = tmp_path / "files"
    d.mkdir()
    text_pdf(d / "Statement_Norway.pdf", [["Statement by Norway"], ["page 2"], ["page 3"]])
    (d / "Statement_Sweden.txt").write_text("Statement by Sweden\n\n" + "words " * 400, "utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("Statement by Finland\n", "utf-8")
    os.symlink(outside, d / "Statement_Finland.txt")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "Statement_Denmark.txt").write_text("Statement by Denmark\n", "utf-8")
    os.symlink(elsewhere, d / "more")  # a folder out of the folder: not entered
    (d / "table.xlsx").write_bytes(b"PK")
    got = {p.file: p for p in propose(d, names, limits=Limits(max_bytes=2000, max_pages=2))}
    assert all(p.action == "skip" for p in got.values())
    assert "3 pages, more than the limit of 2" in got["Statement_Norway.pdf"].note
    assert "more than the limit of 2000" in got["Statement_Sweden.txt"].note
    assert "symbolic link out of the folder" in got["Statement_Finland.txt"].note
    assert "not a statement file" in got["table.xlsx"].note
    assert not any(name.startswith("more/") for name in got)
    wider = {p.file: p for p in propose(d, names, limits=Limits(max_bytes=10_000, max_pages=3))}
    assert wider["Statement_Norway.pdf"].speaker == "NOR"
    assert wider["Statement_Sweden.txt"].speaker == "SWE"


def test_broken_or_empty_files_are_skipped_with_the_reason(tmp_path: Path, names: Names) -> None:
    (tmp_path / "Statement_Norway.pdf").write_bytes(b"%PDF-1.4 this is not a PDF at all")
    (tmp_path / "Statement_Sweden.txt").write_text("\n\n", "utf-8")
    (tmp_path / "Statement_Finland.txt").write_bytes("Déclaration".encode("latin-1"))
    got = {p.file: p.note for p in propose(tmp_path, names) if p.action == "skip"}
    assert got["Statement_Norway.pdf"].startswith("cannot extract text")
    assert got["Statement_Sweden.txt"].startswith("no text could be extracted")
    assert got["Statement_Finland.txt"] == "a TXT file must be UTF-8"


# --------------------------------------------------------------------------- the CLI, both steps


def test_proposing_writes_the_plan_and_nothing_else(
    folder: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before_store, before_files = _digest(db), _files(folder)
    code, out, _ = run(
        capsys, "--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING
    )
    assert code == 0
    assert _digest(db) == before_store
    after = _files(folder)
    assert set(after) - set(before_files) == {"proposed.csv"}
    assert all(after[k] == v for k, v in before_files.items())
    assert "to check: statement_17.txt: speaker" in out
    assert "nothing imported" in out
    hint = out.strip().splitlines()[-1].strip()
    assert hint == (
        f"normwatch --db {db} meetings import-files {folder} --meeting {MEETING} "
        f"--confirm {folder / 'proposed.csv'}"
    )
    rows = _by_file(_plan_rows(folder / "proposed.csv"))
    assert rows["statement_17.txt"]["action"] == "check"
    assert rows["12MSP_GenExchange_Mexico.txt"]["speaker_name"] == "Mexico"


def test_a_plan_being_edited_is_not_replaced_by_proposing_again(
    folder: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    assert run(capsys, *args)[0] == 0
    plan = folder / "proposed.csv"
    assert run(capsys, *args)[0] == 0  # the same proposal again: nothing to replace
    rows = _plan_rows(plan)
    rows[0]["speaker"] = "Ireland"
    _write_rows(plan, rows)
    edited = plan.read_bytes()
    code, _, err = run(capsys, *args)
    assert code != 0 and f"{plan}: a different plan is already here" in err
    assert plan.read_bytes() == edited
    assert run(capsys, *args, "--overwrite")[0] == 0
    assert plan.read_bytes() != edited


def test_the_proposal_is_pipeable_as_json_and_csv(
    folder: Path, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "Statement_Norway.html").write_text(
        "<html><body><h1>Statement by Norway</h1><p>Invented for the tests: we support the"
        " Convention and its aims.</p></body></html>",
        "utf-8",
    )
    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    code, out, err = run(capsys, *args, "--plan", str(tmp_path / "p.csv"), "--format", "json")
    assert code == 0
    rows = _by_file(json.loads(out))
    assert rows["Statement_Norway.html"]["speaker"] == "NOR"
    assert "to check: statement_17.txt" in err and "plan written to" in err
    code, out, _ = run(capsys, *args, "--plan", str(tmp_path / "p.csv"), "--format", "csv")
    assert code == 0 and _by_file(list(csv.DictReader(io.StringIO(out)))) == rows


def test_a_file_name_a_spreadsheet_would_run_is_quoted_in_the_plan_and_still_imported(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "files"
    d.mkdir()
    (d / "=1+1_Mexico.txt").write_text(f"{INVENTED}\n\nWe support the Convention.\n", "utf-8")
    args = ["--db", db, "meetings", "import-files", str(d), "--meeting", MEETING]
    assert run(capsys, *args)[0] == 0
    assert "\n'=1+1_Mexico.txt,import," in (d / "proposed.csv").read_text("utf-8")
    code, _, err = run(capsys, *args, "--confirm", str(d / "proposed.csv"))
    assert code == 0, err
    (row,) = open_store(db).query("SELECT file, speaker FROM statements WHERE file LIKE '=%'")
    assert row == {"file": "=1+1_Mexico.txt", "speaker": "MEX"}


def test_a_confirmed_plan_is_imported_in_one_report_and_can_be_undone(
    folder: Path, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.csv"
    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    assert run(capsys, *args, "--plan", str(plan), "--agenda", str(_agenda(tmp_path)))[0] == 0
    assert not (folder / "proposed.csv").exists()
    rows = _plan_rows(plan)
    for r in rows:  # the person checking: statement_17 is Ireland's
        if r["file"] == "statement_17.txt":
            r.update(action="import", speaker="Ireland", date="2024-09-11")
    _write_rows(plan, rows)
    code, out, err = run(capsys, *args, "--confirm", str(plan), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["importer"] == "meeting" and report["target"] == MEETING
    assert report["tables"]["statements"] == {"new": 6, "changed": 0, "gone": 0}
    stored = {
        r["local_id"]: r
        for r in open_store(db).query(
            "SELECT * FROM statements WHERE meeting_id = :m", {"m": MEETING}
        )
    }
    assert stored["statement_17"]["speaker"] == "IRL"
    assert stored["statement_17"]["date"] == "2024-09-11"
    assert stored["12MSP_GenExchange_Mexico"]["agenda_item"] == "7. General exchange of views"
    assert stored["ICRC_12MSP"]["speaker_kind"] == "organization"
    assert "The weapons kill civilians" in stored["ICRC_12MSP"]["text"]
    assert stored["declaration-point-8"]["language"] == "fr"
    assert "s01" in stored  # the meeting's other statements are left alone
    # confirming again changes nothing; undo gives back the store as it was
    again = json.loads(run(capsys, *args, "--confirm", str(plan), "--format", "json")[1])
    assert again["new"] == again["changed"] == again["gone"] == 0
    assert run(capsys, "--db", db, "import", "undo")[0] == 0
    assert open_store(db).query(
        "SELECT count(*) AS n FROM statements WHERE local_id = 'statement_17'"
    ) == [{"n": 0}]


def _agenda(tmp_path: Path) -> Path:
    path = tmp_path / "agenda.csv"
    path.write_text("item,title\n" + "".join(f"{a.item},{a.title}\n" for a in AGENDA), "utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        ({"speaker": "Atlantis"}, "speaker", "unknown name 'Atlantis'"),
        ({"action": "check"}, "action", "still to check"),
        ({"action": "maybe"}, "action", "use import or skip"),
        ({"language": "french"}, "language", "not an ISO 639-1 code"),
        ({"date": "2024-13-40"}, "date", ""),
        ({"on_behalf_of": "Mexico;Narnia"}, "on_behalf_of", "Narnia"),
        ({"file": "../outside.txt"}, "file", "outside the folder"),
        ({"file": "a\x00b.txt"}, "file", "cannot hold a NUL character"),
        ({"file": "a" * 300 + ".txt"}, "file", "File name too long"),
        ({"id": "has space"}, "id", "use letters"),
        ({"sha256": "0" * 64}, "sha256", "changed since it was proposed"),
        ({"speaker_name": "Ireland"}, "speaker_name", "is not the speaker 'MEX'"),
    ],
)
def test_a_bad_plan_is_refused_naming_file_line_and_field_and_the_store_is_unchanged(
    folder: Path,
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: dict[str, str],
    field: str,
    message: str,
) -> None:
    (tmp_path / "outside.txt").write_text("Statement by Chile\n", "utf-8")
    plan = tmp_path / "plan.csv"
    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    assert run(capsys, *args, "--plan", str(plan))[0] == 0
    rows = _plan_rows(plan)
    rows = [{**r, "action": "skip"} if r["action"] == "check" else r for r in rows]
    line = next(i for i, r in enumerate(rows) if r["file"] == "12MSP_GenExchange_Mexico.txt")
    rows[line].update(edit)
    _write_rows(plan, rows)
    before = _digest(db)
    code, out, err = run(capsys, *args, "--confirm", str(plan))
    assert code != 0 and out == ""
    where = f"{plan}:{line + 2}: {field}: "
    assert "nothing was imported" in err
    assert any(where in e and message in e for e in err.splitlines()), err
    assert _digest(db) == before


def test_a_plan_edited_through_the_service_is_confirmed_like_one_edited_by_hand(
    folder: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from normwatch.service.meeting_files import edit_plan, read_plan_rows

    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    assert run(capsys, *args)[0] == 0
    plan = folder / "proposed.csv"
    with pytest.raises(Exception, match="not a file of the plan"):
        edit_plan(plan, {"nosuch.txt": {"action": "skip"}})
    with pytest.raises(Exception, match="only action, speaker may be changed"):
        edit_plan(plan, {"statement_17.txt": {"sha256": "0"}})
    edit_plan(
        plan,
        {
            "statement_17.txt": {"speaker": "Allemagne", "action": "import"},
            "ICRC_12MSP.pdf": {"action": "skip"},
        },
    )
    rows = _by_file(read_plan_rows(plan))
    assert rows["statement_17.txt"]["speaker"] == "Allemagne"
    assert rows["statement_17.txt"]["speaker_name"] == ""
    assert rows["12MSP_GenExchange_Mexico.txt"]["speaker_name"] == "Mexico"  # untouched
    for row in _plan_rows(plan):
        if row["action"] == "check":
            edit_plan(plan, {row["file"]: {"action": "skip"}})
    code, _, err = run(capsys, *args, "--confirm", str(plan))
    assert code == 0, err
    speakers = {
        r["local_id"]: r["speaker"]
        for r in open_store(db).query("SELECT local_id, speaker FROM statements")
    }
    assert speakers["statement_17"] == "DEU" and "ICRC_12MSP" not in speakers


def test_a_plan_with_unknown_columns_is_refused(
    folder: Path, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("file,action,speaker,colour\nx.txt,import,MEX,red\n", "utf-8")
    before = _digest(db)
    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    code, _, err = run(capsys, *args, "--confirm", str(plan))
    assert code != 0 and f"{plan}:1: missing column(s): id" in err and "colour" in err
    assert _digest(db) == before


def test_proposing_options_are_refused_with_confirm(
    folder: Path, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("file\n", "utf-8")
    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    code, _, err = run(capsys, *args, "--confirm", str(plan), "--plan", str(plan))
    assert code == 2 and "--plan: for proposing, not with --confirm" in err


def test_a_bad_agenda_is_refused_naming_file_line_and_field(
    folder: Path, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agenda = tmp_path / "agenda.csv"
    args = ["--db", db, "meetings", "import-files", str(folder), "--meeting", MEETING]
    agenda.write_text("number,name\n7,General exchange of views\n", "utf-8")
    code, _, err = run(capsys, *args, "--agenda", str(agenda))
    assert code != 0 and f"{agenda}:1: the first columns must be item,title" in err
    agenda.write_text("item,title\n7,General exchange of views\n,Universalization\n", "utf-8")
    code, _, err = run(capsys, *args, "--agenda", str(agenda))
    assert code != 0 and f"{agenda}:3: item: empty" in err
    assert not (folder / "proposed.csv").exists()


def test_an_unknown_meeting_is_refused_before_anything_is_read(
    folder: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--db", db, "meetings", "import-files", str(folder), "--meeting", "nope"
    )
    assert code != 0 and "unknown meeting 'nope'" in err
    assert not (folder / "proposed.csv").exists()


# --------------------------------------------------------------------------- OCR


def _ocr_languages() -> set[str]:
    import subprocess

    binary = shutil.which("tesseract")
    if binary is None:
        return set()
    listed = subprocess.run([binary, "--list-langs"], capture_output=True, check=False)
    return set(listed.stdout.decode().split())


needs_tesseract = pytest.mark.skipif(
    not {"eng", "fra"} <= _ocr_languages(),
    reason="tesseract with eng and fra data is not installed "
    "(apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra)",
)


@pytest.fixture()
def scan(tmp_path: Path) -> Path:
    d = tmp_path / "scans"
    d.mkdir()
    scanned_pdf(
        d / "scan_0042.pdf",
        [
            "Statement by the Republic of Korea",
            "Mr. President, we thank the presidency for its work",
            "and we support the universalization of the Convention.",
        ],
    )
    return d


@pytest.fixture()
def without_pdftoppm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A PATH with tesseract and not pdftoppm, as on a machine without poppler-utils."""
    binary = shutil.which("tesseract")
    assert binary is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(binary, bin_dir / "tesseract")
    monkeypatch.setenv("PATH", str(bin_dir))
    yield


@needs_tesseract
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_a_scanned_pdf_is_read_by_ocr_rendered_by_pdftoppm_and_marked(
    scan: Path, names: Names, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (only,) = propose(scan, names, agenda=AGENDA)
    assert only.text_from.startswith("OCR:") and "pdftoppm" in only.text_from
    assert (only.speaker, only.language, only.action) == ("KOR", "en", "import")
    assert only.agenda_item == "8. Universalization"
    args = ["--db", db, "meetings", "import-files", str(scan), "--meeting", MEETING]
    assert run(capsys, *args)[0] == 0
    code, out, err = run(capsys, *args, "--confirm", str(scan / "proposed.csv"))
    assert code == 0, err
    assert "scan_0042.pdf: text read by OCR" in out
    (row,) = open_store(db).query("SELECT note, text FROM statements WHERE local_id = 'scan_0042'")
    assert row["note"].startswith("text read by OCR: tesseract")
    assert "universalization" in row["text"].lower()


@needs_tesseract
def test_a_scanned_pdf_is_read_from_its_embedded_image_without_pdftoppm(
    scan: Path, names: Names, without_pdftoppm: None
) -> None:
    pytest.importorskip("PIL", reason="reading embedded images without pdftoppm needs Pillow")
    (only,) = propose(scan, names)
    assert "the embedded images" in only.text_from
    assert only.speaker == "KOR"


@needs_tesseract
def test_the_ocr_of_a_pdf_is_given_up_at_its_time_limit(
    scan: Path, names: Names, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NORMWATCH_MAX_OCR_SECONDS", "0.001")
    (only,) = propose(scan, names)
    assert only.action == "skip" and only.text_from == "none"
    assert only.note.startswith("needs text: no text layer, and ")
    assert "scan_0042.pdf: OCR: took longer than 0.001 s" in only.note
    assert "NORMWATCH_MAX_OCR_SECONDS" in only.note


def test_without_tesseract_a_scanned_pdf_needs_text(
    scan: Path, names: Names, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    (only,) = propose(scan, names)
    assert only.action == "skip" and only.text_from == "none"
    assert only.note.startswith("needs text: no text layer, and tesseract is not installed")
