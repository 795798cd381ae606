"""A meeting's statements as its document site publishes them: a folder of files, one per
delegation (``12MSP_GenExchange_Mexico.pdf``, ``Statement-Republic-of-Korea-EN.docx``,
``ICRC_12MSP.pdf``), turned into a *plan* that a person checks before anything is imported.

For each file the plan proposes a speaker (a window of the file name's words, or the first
lines of the text, that is exactly a State's name or code in the registry or an organization's
name or acronym — never a guess), a language (the coder's detector, and a language tag in the
file name) and an agenda item (an item number, or a topic matched against the meeting's agenda
when one is given), each with its evidence, and lists what it could not decide. Reading the
plan back checks every row, naming the plan's file, line and field, before
:func:`~normwatch.sources.meetings.importer.write_statements` writes the statements in one
transaction.

Text comes from :mod:`~normwatch.sources.meetings.texts`; a PDF without a text layer is read by
OCR (:mod:`~normwatch.sources.meetings.ocr`) where tesseract is installed, and its statement's
note says so; without it the file is skipped as "needs text". Files larger than
:attr:`Limits.max_bytes` or PDFs of more than :attr:`Limits.max_pages` pages are skipped, and
no file is read through a symbolic link that leads out of the folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from normwatch import inputs
from normwatch.core.dates import PartialDate
from normwatch.core.meetings import STATEMENT_ROLES, SourceRef, SpeakerKind, Statement
from normwatch.core.registry import Registry, fold
from normwatch.errors import DataError, NormwatchError, NotFoundError, UnknownStateError
from normwatch.sources.meetings import texts
from normwatch.sources.meetings.importer import (
    _LOCAL_ID,
    MeetingImportError,
    _Problems,
    _resolve,
    _speaker,
)

#: the plan's columns: what is imported, then what the proposal rests on (ignored on confirm)
PLAN_COLUMNS = (
    "file",
    "action",
    "id",
    "speaker",
    "on_behalf_of",
    "agenda_item",
    "language",
    "date",
    "source_url",
    "role",
    "note",
    "unresolved",
    "speaker_name",
    "speaker_evidence",
    "language_evidence",
    "agenda_evidence",
    "date_evidence",
    "text_from",
    "sha256",
)
_REQUIRED = PLAN_COLUMNS[:9]
ACTIONS = ("import", "skip", "check")

#: language tags that document sites put in file names (``-EN``, ``_FR``, ``_SP``)
_LANGUAGE_TAGS = {"EN": "en", "FR": "fr", "ES": "es", "SP": "es", "AR": "ar", "RU": "ru"}
_LANGUAGE_TAGS |= {"ZH": "zh", "CH": "zh", "CN": "zh"}
#: the longest name, in words, looked for ("Democratic People's Republic of Korea")
_MAX_WORDS = 8
#: how many non-empty lines at the start of a text are read (speaker, agenda item, date)
FIRST_LINES = 8


@dataclass(frozen=True)
class Limits:
    """What a file may be: larger files, and PDFs with more pages, are skipped with the reason.

    The time a PDF may take is bounded by ``NORMWATCH_MAX_PDF_SECONDS`` (its text layer) and
    ``NORMWATCH_MAX_OCR_SECONDS`` (its OCR), see :mod:`normwatch.inputs`."""

    max_bytes: int = 20_000_000
    max_pages: int = 100


DEFAULT_LIMITS = Limits()


# ----------------------------------------------------------------------------- names


@dataclass(frozen=True)
class Names:
    """Who can be named: the registry's States and the organizations' names and acronyms."""

    registry: Registry
    #: folded name or acronym → the organization's name as the store keeps it
    organizations: Mapping[str, str]
    #: folded ids and names of groups of States (their statements are a group's)
    groups: Collection[str] = frozenset()


@dataclass(frozen=True)
class Found:
    """A name found in a file name or a line: its code or organization name, and where."""

    speaker: str
    kind: SpeakerKind
    words: str
    start: int = 0
    size: int = 1


def tokens(stem: str) -> list[str]:
    """The words of a file name: split at ``_ - . +`` and spaces, at a lower-to-upper case
    change (``GenExchange``, ``PerúStatement``), before the last capital of a run of capitals
    followed by a lower-case letter (``ICRCStatement``) and between digits and letters
    (``12MSP``)."""
    out: list[str] = []
    for part in re.split(r"[\s_\-.+,;()\[\]{}]+", stem):
        out.extend(p for p in _case_words(part) if p.strip("'’"))
    return out


def _case_words(part: str) -> list[str]:
    words: list[str] = []
    start = 0
    for i in range(1, len(part)):
        prev, ch, after = part[i - 1], part[i], part[i + 1 : i + 2]
        if (
            (prev.islower() and ch.isupper())
            or (prev.isupper() and ch.isupper() and after.islower())
            or (prev.isdigit() != ch.isdigit())
        ):
            words.append(part[start:i])
            start = i
    words.append(part[start:])
    return [w for w in words if w]


def _is_code(words: Sequence[str], state_code: str, alpha2: str | None) -> bool:
    key = fold(" ".join(words))
    return key in (fold(state_code), fold(alpha2 or ""))


def find_names(words: Sequence[str], names: Names) -> list[Found]:
    """The names among ``words``, longest first, no two overlapping.

    A window of words names a State when it is exactly the State's name or an alias; a single
    word in capitals of three letters may be its alpha-3 code (``MEX``), never a two-letter
    one (``FR``, ``ES`` are language tags in file names, and "and" is not Andorra). An
    organization's acronym counts only in capitals too (``ICRC``, ``EU``)."""
    taken = [False] * len(words)
    found: list[Found] = []
    for size in range(min(_MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(taken[start : start + size]):
                continue
            window = words[start : start + size]
            hit = _name_of(window, names)
            if hit is not None:
                found.append(replace(hit, start=start, size=size))
                for i in range(start, start + size):
                    taken[i] = True
    return sorted(found, key=lambda f: f.start)


def _name_of(window: Sequence[str], names: Names) -> Found | None:
    text = " ".join(window)
    try:
        code = names.registry.lookup(text)
    except UnknownStateError:
        code = None  # a name two States share is no answer
    if code is not None:
        state = names.registry.get(code)
        if not _is_code(window, state.code, state.alpha2) or (
            len(window) == 1 and len(text) == 3 and text.isupper()
        ):
            return Found(code, SpeakerKind.STATE, text)
    org = names.organizations.get(fold(text))
    # an acronym (one short word) only in capitals: "ICRC", "EU", not "hi" or "cmc"
    if org is not None and (len(window) > 1 or len(text) > 6 or text.isupper()):
        kind = SpeakerKind.GROUP if fold(org) in names.groups else SpeakerKind.ORGANIZATION
        return Found(org, kind, text)
    return None


def _words(line: str) -> list[str]:
    split = re.split(r"[\s,;:()\[\]\"“”«»]+", line)
    return [w.rstrip(".") for w in split if w.strip(".'’")]


_ARTICLE = r"(?:the\s+|la\s+|le\s+|les\s+|l['’]|el\s+)?"
_OF = rf"(?:of|de|du|des|del)\s+{_ARTICLE}"
#: what comes before the speaker's name (any case): "Statement by", "Déclaration de la
#: délégation de", "Intervención de"; "Permanent Representative of", "Mission permanente de"
_LEAD_INS = (
    re.compile(
        r"\b(?:statement|remarks|address|allocution|discours|discurso|"
        r"interven(?:tion|ci[oó]n)|d[eé]clara(?:tion|ci[oó]n))\s+"
        r"(?:delivered\s+|prononc[eé]e\s+|pronunciad[ao]\s+)?"
        rf"(?:by|of|from|de|du|des|del|par|por)\s+{_ARTICLE}"
        rf"(?:(?:d[eé]l[eé]ga(?:tion|ci[oó]n)|representative|repr[eé]sentante?)\s+{_OF})?",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:permanent\s+(?:representative|mission)|repr[eé]sentante?\s+permanente?|"
        rf"mission\s+permanente|representante\s+permanente|misi[oó]n\s+permanente)\s+{_OF}",
        re.IGNORECASE,
    ),
)
#: "on behalf of", "au nom de", "en nombre de": whoever follows is not the speaker
_ON_BEHALF = re.compile(r"\b(?:on\s+behalf\s+of|au\s+nom\s+d|en\s+nombre\s+de)", re.IGNORECASE)
#: a line of at most this many words may be a heading naming a topic of the agenda
_HEADING_WORDS = 15


def first_lines(text: str, count: int = FIRST_LINES) -> list[str]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return [line[:300] for line in lines[:count]]


def speaker_in_lines(lines: Sequence[str], names: Names) -> tuple[Found | None, str]:
    """The speaker the first lines name: after a lead-in ("Statement by …") or alone on a
    line; with the evidence. Names in running text are not taken."""
    for number, line in enumerate(lines, start=1):
        behalf = _ON_BEHALF.search(line)
        for lead in (m for pattern in _LEAD_INS for m in pattern.finditer(line)):
            if behalf is not None and lead.start() > behalf.start():
                continue
            rest = _words(line[lead.end() : behalf.start() if behalf else None])
            for size in range(min(_MAX_WORDS, len(rest)), 0, -1):
                hit = _name_of(rest[:size], names)
                if hit is not None:
                    return hit, f"line {number} reads {line[: lead.end() + 60]!r}"
        words = _words(line)
        if 0 < len(words) <= _MAX_WORDS:
            hit = _name_of(words, names)
            if hit is not None:
                return hit, f"line {number} is the name {line!r}"
    return None, "the first lines name no speaker"


# ----------------------------------------------------------------------------- agenda

#: topics of the agenda of a meeting of States Parties, by what they are called in English,
#: French and Spanish (patterns on folded text); the first name is the one proposed when the
#: meeting has no agenda
TOPICS: dict[str, str] = {
    "general exchange of views": r"gen(?:eral)? ?(?:exchange|debate)|echange (?:de vues )?general"
    r"|echange de vues|debat general|intercambio general|debate general",
    "universalization": r"universali[sz]a(?:tion|cion)",
    "stockpile destruction": r"stockpile|destruction des stocks"
    r"|destruccion de (?:las )?existencias",
    "clearance and risk reduction education": r"clearance|depollution|remocion|limpieza"
    r"|risk (?:reduction )?education",
    "victim assistance": r"victim ?assistance|assistance aux victimes"
    r"|asistencia (?:a )?(?:las )?victimas",
    "international cooperation and assistance": r"cooperation|cooperacion",
    "transparency measures": r"transparen(?:cy|ce|cia)",
    "national implementation measures": r"national implementation|mesures d'application"
    r"|medidas nacionales de aplicacion",
    "compliance": r"compliance|cumplimiento",
}
_TOPIC = {name: re.compile(rf"\b(?:{pattern})") for name, pattern in TOPICS.items()}
_ITEM = re.compile(
    r"\b(?:agenda item|item|point|tema|punto)\s*(?:no\.?\s*)?(\d{1,2}(?:\s?\([a-z]\)|[a-z])?)\b"
)


@dataclass(frozen=True)
class AgendaItem:
    item: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.item}. {self.title}" if self.title else self.item


def read_agenda(path: Path) -> list[AgendaItem]:
    """An agenda file: CSV with ``item,title`` columns (``7,General exchange of views``)."""
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the agenda: {exc}", where=where) from None
    reader = csv.DictReader(io.StringIO(raw))
    if [c.strip() for c in reader.fieldnames or []][:2] != ["item", "title"]:
        raise DataError("the first columns must be item,title", where=f"{where}:1")
    items: list[AgendaItem] = []
    for row in reader:
        item = (row.get("item") or "").strip()
        if not item:
            raise DataError("empty", where=f"{where}:{reader.line_num}: item")
        items.append(AgendaItem(item, (row.get("title") or "").strip()))
    return items


def agenda_in(
    text: str, agenda: Sequence[AgendaItem], *, by_topic: bool = True
) -> tuple[set[str], str | None]:
    """The agenda items ``text`` (a file name's words or a line) names, and the words that
    did: an item number, or (when ``by_topic``) the name of a topic."""
    folded = fold(text)
    number = _ITEM.search(folded)
    if number is not None:
        item = re.sub(r"\s", "", number.group(1))
        if not agenda:
            return {item}, number.group(0)
        hits = {a.label for a in agenda if re.sub(r"\s", "", fold(a.item)) == item}
        return hits or {f"?{item}"}, number.group(0)
    if not by_topic:
        return set(), None
    matches = {name: pattern.search(folded) for name, pattern in _TOPIC.items()}
    topics = {name for name, m in matches.items() if m is not None}
    if not topics:
        return set(), None
    said = ", ".join(sorted(m.group(0) for m in matches.values() if m is not None))
    if not agenda:
        return topics, said
    hits = {a.label for a in agenda for t in topics if _TOPIC[t].search(fold(a.title))}
    return hits or {f"?{t}" for t in topics}, said


# ----------------------------------------------------------------------------- files


@dataclass
class FileText:
    """A file's text and how it was had; ``text`` is None with the ``reason`` when none."""

    text: str | None
    source: str  # "text layer", "OCR: …" or "none"
    reason: str | None = None

    @property
    def ocr(self) -> bool:
        return self.source.startswith("OCR")


def statement_files(directory: Path, *, exclude: Collection[Path] = ()) -> Iterator[Path]:
    """Every file under ``directory`` (sorted, hidden files left out), as given by the
    folder: a symbolic link is followed only when it stays inside the folder."""
    root = directory.resolve()
    skip = {p.resolve() for p in exclude}
    for base, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(base) / name
            if not name.startswith(".") and path.resolve() not in skip:
                yield path


def read_text(path: Path, root: Path, limits: Limits) -> FileText:
    """The text of one file within ``root``, by OCR when a PDF has no text layer."""
    from normwatch.sources.meetings import ocr

    if "\x00" in str(path):
        return FileText(None, "none", "a file name cannot hold a NUL character")
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        return FileText(None, "none", "a symbolic link out of the folder: not followed")
    if path.suffix.lower() not in texts.SUFFIXES:
        return FileText(None, "none", f"not a statement file ({', '.join(texts.SUFFIXES)})")
    try:
        size = real.stat().st_size
    except OSError as exc:  # gone, or a name too long for the file system
        return FileText(None, "none", f"cannot read file: {exc.strerror or exc}")
    if size > limits.max_bytes:
        return FileText(None, "none", f"{size} bytes, more than the limit of {limits.max_bytes}")
    pages = _pdf_pages(real) if real.suffix.lower() == ".pdf" else None
    if pages is not None and pages > limits.max_pages:
        return FileText(None, "none", f"{pages} pages, more than the limit of {limits.max_pages}")
    try:
        return FileText(texts.extract_text(real), "text layer")
    except texts.NoTextError as exc:
        if real.suffix.lower() != ".pdf":
            return FileText(None, "none", str(exc))
    except NormwatchError as exc:
        return FileText(None, "none", str(exc))
    try:
        read = ocr.ocr_pdf(real, max_pages=limits.max_pages)
    except NormwatchError as exc:
        return FileText(None, "none", f"needs text: no text layer, and {exc}")
    text = texts.normalise(read.text)
    if not text:
        return FileText(None, "none", "needs text: no text layer, and OCR read nothing")
    return FileText(text, f"OCR: {read.method}")


def _pdf_pages(path: Path) -> int | None:
    from pypdf import PdfReader

    deadline = inputs.Deadline(f"{path}: counting the PDF's pages", inputs.PDF_SECONDS)
    try:
        with inputs.within(deadline):
            return len(PdfReader(str(path)).pages)
    except Exception:  # a broken PDF, or one too slow to read: extraction says why
        return None


# ----------------------------------------------------------------------------- proposing


@dataclass
class Proposal:
    """One row of the plan."""

    file: str
    action: str
    id: str
    speaker: str = ""
    speaker_name: str = ""
    on_behalf_of: str = ""
    agenda_item: str = ""
    language: str = ""
    date: str = ""
    note: str = ""
    unresolved: list[str] = field(default_factory=list)
    speaker_evidence: str = ""
    language_evidence: str = ""
    agenda_evidence: str = ""
    date_evidence: str = ""
    text_from: str = ""
    sha256: str = ""

    def row(self) -> dict[str, str]:
        """The plan's row: every column, empty where nothing is proposed."""
        values = {c: getattr(self, c, "") for c in PLAN_COLUMNS}
        return {c: "; ".join(v) if isinstance(v, list) else str(v) for c, v in values.items()}


def propose(
    directory: Path,
    names: Names,
    *,
    agenda: Sequence[AgendaItem] = (),
    days: tuple[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    exclude: Collection[Path] = (),
) -> list[Proposal]:
    """A proposal for every file of ``directory``; reads the files, writes nothing.

    ``days`` are the meeting's first and last days (ISO): a date on the first lines within
    them is proposed as the statement's."""
    if not directory.is_dir():
        raise NotFoundError(f"not a directory: {directory}")
    root = directory.resolve()
    out: list[Proposal] = []
    ids: set[str] = set()
    for path in statement_files(directory, exclude=exclude):
        relative = path.relative_to(root).as_posix()
        local = _unique_id(path, ids)
        got = read_text(path, root, limits)
        if got.text is None:
            out.append(Proposal(relative, "skip", local, note=got.reason or "", text_from="none"))
            continue
        out.append(_propose_one(relative, local, path.stem, got, names, agenda, days))
    return out


def _unique_id(path: Path, taken: set[str]) -> str:
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", path.stem) if not unicodedata.combining(c)
    )
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-._")[:90] or "statement"
    local, n = base, 2
    while local in taken:
        local, n = f"{base}-{n}", n + 1
    taken.add(local)
    return local


def _propose_one(
    relative: str,
    local: str,
    stem: str,
    got: FileText,
    names: Names,
    agenda: Sequence[AgendaItem],
    days: tuple[str, str] | None,
) -> Proposal:
    assert got.text is not None
    p = Proposal(relative, "import", local, text_from=got.source, sha256=texts.sha256(got.text))
    if got.ocr:
        p.note = "text read by OCR: check quotations against the file"
    words = tokens(stem)
    lines = first_lines(got.text)
    _propose_speaker(p, words, lines, names)
    _propose_joint(p, lines, names)
    _propose_language(p, words, got.text)
    _propose_agenda(p, words, lines, agenda)
    _propose_date(p, lines, days)
    if p.unresolved:
        p.action = "check"
    return p


def _propose_speaker(p: Proposal, words: list[str], lines: list[str], names: Names) -> None:
    in_name = find_names(words, names)
    in_text, text_evidence = speaker_in_lines(lines, names)
    said = [f"file name: {', '.join(f'{f.words!r} = {f.speaker}' for f in in_name)}"]
    if not in_name:
        said = ["file name names no one"]
    said.append(text_evidence)
    p.speaker_evidence = "; ".join(said)
    speakers = {f.speaker for f in in_name}
    if len(speakers) > 1:
        p.unresolved.append("speaker (the file name names several: a joint statement?)")
        return
    if in_text is not None and speakers and in_text.speaker not in speakers:
        p.unresolved.append("speaker (the file name and the first lines disagree)")
        return
    chosen = in_name[0] if in_name else in_text
    if chosen is None:
        p.unresolved.append("speaker")
        return
    p.speaker = chosen.speaker
    p.speaker_name = (
        names.registry.name(chosen.speaker) if chosen.kind is SpeakerKind.STATE else chosen.speaker
    )


def _propose_joint(p: Proposal, lines: list[str], names: Names) -> None:
    """ "On behalf of …" on the first lines: the States named after it, to check."""
    for number, line in enumerate(lines, start=1):
        behalf = _ON_BEHALF.search(line)
        if behalf is None:
            continue
        found = find_names(_words(line[behalf.end() :]), names)
        states = [f.speaker for f in found if f.kind is SpeakerKind.STATE]
        p.on_behalf_of = ";".join(dict.fromkeys(states))
        p.speaker_evidence += f"; line {number} reads {line[behalf.start() :][:120]!r}"
        p.unresolved.append("on_behalf_of (a joint statement: check whom it speaks for)")
        return


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january janvier enero",
            "february fevrier febrero",
            "march mars marzo",
            "april avril abril",
            "may mai mayo",
            "june juin junio",
            "july juillet julio",
            "august aout agosto",
            "september septembre septiembre setiembre",
            "october octobre octubre",
            "november novembre noviembre",
            "december decembre diciembre",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH = "|".join(_MONTHS)
#: "10 September 2024", "le 10 septembre 2024", "10 de septiembre de 2024", "September 10, 2024"
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:de\s+)?({_MONTH})\s+(?:de\s+)?(\d{{4}})\b"
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})\b")
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def date_in(line: str) -> str | None:
    """The first full date written on ``line`` (English, French, Spanish or ISO), as ISO."""
    import datetime as dt

    folded = fold(line)
    candidates: list[tuple[int, int, int, int]] = []
    for m in _DAY_MONTH.finditer(folded):
        candidates.append((m.start(), int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))))
    for m in _MONTH_DAY.finditer(folded):
        candidates.append((m.start(), int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2))))
    for m in _ISO_DAY.finditer(folded):
        candidates.append((m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for _, year, month, day in sorted(candidates):
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def _propose_date(p: Proposal, lines: list[str], days: tuple[str, str] | None) -> None:
    for number, line in enumerate(lines, start=1):
        day = date_in(line)
        if day is None:
            continue
        p.date_evidence = f"line {number}: {day}"
        if days is not None and days[0] <= day <= days[1]:
            p.date = day
        else:
            p.date_evidence += " (not a day of the meeting: not proposed)"
        return
    p.date_evidence = "no date on the first lines"


def _propose_language(p: Proposal, words: list[str], text: str) -> None:
    tags = {_LANGUAGE_TAGS[w] for w in words if w in _LANGUAGE_TAGS}
    detected = texts.detect_language(text)
    said = [f"detected in the text: {detected}" if detected else "not detected in the text"]
    if tags:
        said.append(f"file name tag: {', '.join(sorted(tags))}")
    p.language_evidence = "; ".join(said)
    if detected is not None and (not tags or tags == {detected}):
        p.language = detected
    elif detected is None and len(tags) == 1:
        p.language = next(iter(tags))
    else:
        p.unresolved.append("language")


def _propose_agenda(
    p: Proposal, words: list[str], lines: list[str], agenda: Sequence[AgendaItem]
) -> None:
    from_name, said = agenda_in(" ".join(words), agenda)
    where = "file name"
    if not from_name:
        for number, line in enumerate(lines, start=1):
            # a topic only from a heading: "cooperation" in a sentence of thanks is none
            heading = len(_words(line)) <= _HEADING_WORDS
            from_name, said = agenda_in(line, agenda, by_topic=heading)
            if from_name:
                where = f"line {number}"
                break
    if not from_name:
        p.agenda_evidence = "neither the file name nor the first lines name an agenda item"
        return
    p.agenda_evidence = f"{where}: {said!r}"
    missing = sorted(h[1:] for h in from_name if h.startswith("?"))
    if missing:
        p.agenda_evidence += f" (not on the agenda: {', '.join(missing)})"
        p.unresolved.append("agenda_item")
    elif len(from_name) > 1:
        p.agenda_evidence += f" (could be: {' | '.join(sorted(from_name))})"
        p.unresolved.append("agenda_item")
    else:
        p.agenda_item = next(iter(from_name))


# ----------------------------------------------------------------------------- the plan


def read_plan(
    plan: Path,
    directory: Path,
    meeting_id: str,
    names: Names,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[Statement], list[str]]:
    """The statements a confirmed plan imports, and what it skips; every problem of every row
    (file, line and field) in one :class:`MeetingImportError` before anything is written."""
    problems = _Problems()
    statements: list[Statement] = []
    skipped: list[str] = []
    seen_files: set[str] = set()
    seen_ids: set[str] = set()
    root = directory.resolve()
    for where, row in _plan_rows(plan, problems):
        action = row.get("action", "")
        name = row["file"]
        if _check_file(name, root, where, seen_files, problems) and action not in ACTIONS:
            problems.add(f"{where}: action", f"{action!r}: use import or skip")
        elif action == "check":
            problems.add(
                f"{where}: action",
                f"{name} is still to check ({row.get('unresolved') or 'see the evidence'}):"
                " fill in what is missing and write import, or skip",
            )
        elif action == "skip":
            skipped.append(name)
        elif action == "import":
            s = _statement(row, where, root, meeting_id, names, limits, seen_ids, problems)
            if s is not None:
                statements.append(s)
    if problems.items:
        raise MeetingImportError(str(plan), problems.items)
    return statements, skipped


def _plan_rows(plan: Path, problems: _Problems) -> Iterator[tuple[str, dict[str, str]]]:
    try:
        raw = plan.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFoundError(f"no plan at {plan} (write one without --confirm first)") from None
    except UnicodeDecodeError:
        problems.add(str(plan), "must be UTF-8")
        return
    reader = csv.DictReader(io.StringIO(raw))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in _REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in PLAN_COLUMNS]
    if missing or unknown:
        for kind, listed in (("missing", missing), ("unknown", unknown)):
            if listed:
                problems.add(f"{plan}:1", f"{kind} column(s): {', '.join(listed)}")
        return
    for row in reader:
        values = {(k or "").strip(): _unquoted((v or "").strip()) for k, v in row.items() if k}
        if any(values.values()):
            yield f"{plan}:{reader.line_num}", values


#: the apostrophe the plan's writer puts before a cell that a spreadsheet would run as a
#: formula (:func:`normwatch.formats.spreadsheet_safe`), taken off again on reading
_QUOTED = re.compile(r"^'(?=[=+\-@\t\r])")


def _unquoted(value: str) -> str:
    return _QUOTED.sub("", value, count=1)


def _check_file(name: str, root: Path, where: str, seen: set[str], problems: _Problems) -> bool:
    if not name:
        problems.add(f"{where}: file", "empty")
        return False
    if name in seen:
        problems.add(f"{where}: file", f"{name!r} is listed twice")
        return False
    seen.add(name)
    if "\x00" in name:  # the system cannot even look such a name up
        problems.add(f"{where}: file", f"{name!r}: a file name cannot hold a NUL character")
        return False
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        problems.add(f"{where}: file", f"{name!r} is outside the folder")
        return False
    try:
        found = path.is_file()
    except OSError as exc:  # a name too long for the file system, say
        problems.add(f"{where}: file", f"{name!r}: cannot read file: {exc.strerror or exc}")
        return False
    if not found:
        problems.add(f"{where}: file", f"no file {name!r} in the folder")
        return False
    return True


def _statement(
    row: dict[str, str],
    where: str,
    root: Path,
    meeting_id: str,
    names: Names,
    limits: Limits,
    seen_ids: set[str],
    problems: _Problems,
) -> Statement | None:
    before = len(problems.items)
    local = row["id"]
    if not _LOCAL_ID.match(local):
        problems.add(f"{where}: id", f"{local!r}: use letters, digits, '.', '_' and '-'")
    elif local in seen_ids:
        problems.add(f"{where}: id", f"repeated statement id {local!r}")
    seen_ids.add(local)
    on_behalf = [
        code
        for n in row["on_behalf_of"].split(";")
        if n.strip()
        for code in [_resolve(names.registry, n.strip(), f"{where}: on_behalf_of", problems)]
        if code is not None
    ]
    orgs = dict(names.organizations)
    speaker, kind = _speaker(
        row["speaker"],
        bool(on_behalf),
        names.registry,
        orgs,
        set(names.groups),
        f"{where}: speaker",
        problems,
    )
    _check_speaker_name(
        row.get("speaker_name", ""), speaker, names, f"{where}: speaker_name", problems
    )
    language = row["language"].lower()
    if language and not re.fullmatch(r"[a-z]{2}", language):
        problems.add(f"{where}: language", f"{row['language']!r} is not an ISO 639-1 code")
    date = _date(row["date"], f"{where}: date", problems)
    role = row.get("role") or "national"
    if role not in STATEMENT_ROLES:
        problems.add(f"{where}: role", f"must be one of {', '.join(STATEMENT_ROLES)}")
    got = read_text(root / row["file"], root, limits)
    if got.text is None:
        problems.add(f"{where}: file", f"{row['file']}: {got.reason}")
    elif row.get("sha256") and row["sha256"] != texts.sha256(got.text):
        problems.add(
            f"{where}: sha256", f"{row['file']} has changed since it was proposed: propose again"
        )
    if len(problems.items) > before or speaker is None or got.text is None:
        return None
    return Statement(
        id=f"{meeting_id}/{local}",
        meeting=meeting_id,
        local_id=local,
        speaker=speaker,
        speaker_kind=kind,
        on_behalf_of=tuple(dict.fromkeys(on_behalf)),
        role=role,
        agenda_item=row["agenda_item"] or None,
        language=language or texts.detect_language(got.text),
        language_detected=not language,
        date=date,
        file=row["file"],
        text=got.text,
        text_sha256=texts.sha256(got.text),
        source=SourceRef(row["source_url"]) if row["source_url"] else None,
        note=_note(row.get("note") or "", got),
    )


def _check_speaker_name(
    shown: str, speaker: str | None, names: Names, where: str, problems: _Problems
) -> None:
    """A plan edited in ``speaker_name`` (which only shows whom ``speaker`` names) and not in
    ``speaker`` would import someone else: refused."""
    if not shown or speaker is None:
        return
    named, _ = _speaker(
        shown, False, names.registry, dict(names.organizations), set(names.groups), "", _Problems()
    )
    if named is not None and named != speaker:
        problems.add(
            where,
            f"{shown!r} is not the speaker {speaker!r}: edit speaker (speaker_name only "
            "shows whom it names), or empty speaker_name",
        )


def _date(value: str, where: str, problems: _Problems) -> str | None:
    if not value:
        return None
    try:
        return str(PartialDate.parse(value))
    except DataError as exc:
        problems.add(where, str(exc))
        return None


def _note(note: str, got: FileText) -> str | None:
    """The row's note; for an OCR'd text, always the mark of how it was read."""
    if not got.ocr:
        return note or None
    mark = f"text read by {got.source}"
    rest = note.replace("text read by OCR: check quotations against the file", "").strip(" ;")
    return "; ".join(x for x in (mark, rest) if x)
