"""Importing a meeting from a directory: read and check everything, then write it all at once.

A meeting directory holds::

    meeting.yaml       id, treaty, kind, number, name, start_date, end_date, venue, president,
                       sources; optionally completeness (partial | complete), note, codebook,
                       decisions, gaps and claims (reported figures, see Claim)
    participants.csv   participant,capacity,source          (capacity: state_party, signatory,
                                                              observer_state, organization)
    statements.csv     id,speaker,on_behalf_of,agenda_item,language,date,file,source_url
                       (optional columns: role = national | presidency, note)
    codings.csv        statement_id,code,coder,evidence     (optional file; optional columns:
                                                              codebook, confidence, review_state)
    <files>            the statements' TXT, PDF, DOCX or HTML files

Names resolve through the registry (alpha-3 codes or names). A speaker that is not a State
must be listed in ``participants.csv`` as an ``organization``; a joint statement is delivered
by one speaker for the States in ``on_behalf_of`` (separated by ``;``). Reading collects
*every* problem before anything is written (:class:`MeetingImportError` lists them all);
writing compares with what is stored and changes only what differs, in one transaction, so
re-importing the same directory changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from normwatch import inputs
from normwatch.core import schemas
from normwatch.core.dates import PartialDate
from normwatch.core.meetings import (
    DEFAULT_CODEBOOK,
    STATEMENT_ROLES,
    Capacity,
    Claim,
    Coder,
    Coding,
    Evidence,
    Meeting,
    MeetingKind,
    Note,
    Participation,
    ReviewState,
    SourceRef,
    SpeakerKind,
    Statement,
    find_evidence,
)
from normwatch.core.registry import Registry, fold
from normwatch.core.schemas.meeting import (
    CodingRow,
    MeetingFile,
    ParticipantRow,
    SourceSpec,
    StatementRow,
    columns,
)
from normwatch.errors import (
    DataError,
    NormwatchError,
    NotFoundError,
    SourceError,
    UnknownStateError,
)
from normwatch.sources import _csv
from normwatch.sources.meetings import texts

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from normwatch.store.db import Store, Verify

MEETING_KEYS = tuple(MeetingFile.model_fields)
PARTICIPANT_COLUMNS, PARTICIPANT_OPTIONAL = columns(ParticipantRow)
STATEMENT_COLUMNS, STATEMENT_OPTIONAL = columns(StatementRow)
CODING_COLUMNS, CODING_OPTIONAL = columns(CodingRow)
_LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class MeetingImportError(DataError):
    """A meeting directory has problems; ``problems`` lists every one. Nothing was written."""

    def __init__(self, directory: str, problems: list[str]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} {noun} in {directory}; nothing was imported:\n{lines}")


@dataclass
class MeetingRecord:
    """A meeting directory, read and checked."""

    meeting: Meeting
    participants: list[Participation] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


CodebookCodes = Callable[[str], Collection[str]]


def codebook_codes(codebook: str) -> Collection[str]:
    """The code ids of a codebook, through the coder's loader (NotFoundError/DataError)."""
    from normwatch.coding.codebook import load_codebook

    return load_codebook(codebook).code_ids


# --------------------------------------------------------------------------------- reading


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)


def read_meeting_dir(
    directory: Path,
    registry: Registry,
    treaties: Collection[str],
    *,
    group_names: Collection[str] = (),
    codes_of: CodebookCodes = codebook_codes,
) -> MeetingRecord:
    """Read and check a meeting directory; :class:`MeetingImportError` lists every problem.

    ``group_names`` are folded names and ids of known groups of States (a non-State speaker
    with one of these names is a group); ``codes_of`` gives a codebook's codes.
    """
    if not directory.is_dir():
        raise NotFoundError(f"not a directory: {directory}")
    problems = _Problems()
    books = _Codebooks(codes_of, problems)
    meeting, default_codebook, notes, claims = _read_meeting_yaml(
        directory, registry, treaties, books, problems
    )
    participants = _read_participants(directory, registry, problems)
    orgs = organization_names(
        [p.participant for p in participants if p.kind is SpeakerKind.ORGANIZATION]
    )
    failed: set[str] = set()
    statements = _read_statements(
        directory, meeting.id, registry, orgs, {fold(g) for g in group_names}, problems, failed
    )
    codings = _read_codings(directory, statements, failed, default_codebook, books, problems)
    if problems.items:
        raise MeetingImportError(str(directory), problems.items)
    warnings = []
    attending = {p.participant for p in participants if p.kind is SpeakerKind.STATE}
    for s in statements:
        if s.speaker_kind is SpeakerKind.STATE and participants and s.speaker not in attending:
            warnings.append(
                f"statement {s.local_id}: {s.speaker} speaks but is not in participants.csv"
            )
    return MeetingRecord(meeting, participants, statements, codings, notes, claims, warnings)


class _Codebooks:
    """Codebook codes, loaded once each; a codebook that cannot be loaded is one problem."""

    def __init__(self, codes_of: CodebookCodes, problems: _Problems) -> None:
        self.codes_of = codes_of
        self.problems = problems
        self.cache: dict[str, Collection[str] | None] = {}

    def codes(self, codebook: str, where: str) -> Collection[str] | None:
        if codebook not in self.cache:
            try:
                self.cache[codebook] = self.codes_of(codebook)
            except NormwatchError as exc:
                self.problems.add(where, str(exc))
                self.cache[codebook] = None
        return self.cache[codebook]

    def check(self, codebook: str, code: str, where: str) -> bool:
        known = self.codes(codebook, where)
        if known is None:
            return False
        if code not in known:
            self.problems.add(
                where, f"unknown code {code!r} in codebook {codebook!r} (known: {', '.join(known)})"
            )
            return False
        return True


def _read_meeting_yaml(
    directory: Path,
    registry: Registry,
    treaties: Collection[str],
    books: _Codebooks,
    problems: _Problems,
) -> tuple[Meeting, str, list[Note], list[Claim]]:
    name = "meeting.yaml"
    placeholder = Meeting("?", "?", MeetingKind.OTHER_FORUM, "?", "?")
    path = directory / name
    if not path.is_file():
        problems.add(name, "missing file")
        return placeholder, DEFAULT_CODEBOOK, [], []
    try:
        data = yaml.safe_load(inputs.read_text(inputs.in_folder(directory, name)))
    except SourceError as exc:
        problems.add(name, str(exc).removeprefix(f"{path}: "))
        return placeholder, DEFAULT_CODEBOOK, [], []
    except yaml.YAMLError as exc:
        problems.add(name, f"not valid YAML: {exc}")
        return placeholder, DEFAULT_CODEBOOK, [], []
    if not isinstance(data, dict):
        problems.add(name, "must be a mapping of keys to values")
        return placeholder, DEFAULT_CODEBOOK, [], []
    model, found = schemas.problems(MeetingFile, data, name)
    problems.items.extend(found)
    # what the schema cannot know: the treaties, the States, the codebooks' codes
    treaty = data.get("treaty")
    if isinstance(treaty, str) and treaty.strip() and treaty.strip() not in treaties:
        problems.add(
            f"{name}: treaty", f"unknown treaty {treaty!r} (known: {', '.join(sorted(treaties))})"
        )
    president = None
    pres = data.get("president")
    if isinstance(pres, str) and pres.strip():
        president = _resolve(registry, pres.strip(), f"{name}: president", problems)
    codebook = str(data.get("codebook") or "").strip() or DEFAULT_CODEBOOK
    claims_raw = data.get("claims")
    for i, item in enumerate(claims_raw if isinstance(claims_raw, list) else []):
        if not isinstance(item, dict):
            continue
        at = f"{name}: claims[{i}]"
        book = str(item.get("codebook") or codebook)
        if isinstance(item.get("code"), str) and item["code"]:
            books.check(book, item["code"], f"{at}: code")
        denominator = item.get("denominator")
        if isinstance(denominator, str) and denominator.startswith("code:") and denominator[5:]:
            books.check(book, denominator[5:], f"{at}: denominator")
    if not isinstance(model, MeetingFile):
        return placeholder, codebook, [], []
    meeting = Meeting(
        id=model.id,
        treaty=model.treaty,
        kind=MeetingKind(model.kind),
        name=model.name,
        start_date=model.start_date,
        end_date=model.end_date,
        number=model.number,
        venue=model.venue,
        president=president,
        completeness=model.completeness,
        confidence=model.confidence,
        note=model.note,
        sources=tuple(_source(s) for s in model.sources),
        fictional=model.fictional,
    )
    notes = [
        Note(kind, n.text, n.verification, n.confidence, _source(n.source) if n.source else None)
        for kind, items in (("decision", model.decisions), ("gap", model.gaps))
        for n in items
    ]
    claims = [
        Claim(
            c.id,
            c.reported,
            c.codebook or codebook,
            c.code,
            c.denominator,
            c.relation,
            c.value,
            _source(c.source),
            c.confidence,
            c.note,
        )
        for c in model.claims
    ]
    return meeting, codebook, notes, claims


def _source(spec: SourceSpec) -> SourceRef:
    return SourceRef(spec.url, spec.title, spec.symbol, spec.published, spec.note)


def _read_csv(
    directory: Path,
    name: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: _Problems,
    *,
    must_exist: bool = True,
) -> Iterator[tuple[str, dict[str, str]]]:
    path = directory / name
    if not path.is_file():
        if must_exist:
            problems.add(name, "missing file")
        return
    try:
        raw = inputs.read_text(inputs.in_folder(directory, name))
    except SourceError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        problems.add(name, "must be UTF-8" if reason == "not UTF-8 text" else reason)
        return
    first = raw.split("\n", 1)[0]
    # a spreadsheet saved in a locale with a decimal comma separates fields with ";"
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.DictReader(io.StringIO(raw), delimiter=delimiter)
    try:
        columns = [c.strip() for c in _csv.fieldnames(reader, name)]
    except DataError as exc:
        problems.add(name, str(exc).removeprefix(f"{name}:1: "))
        return
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in required and c not in optional]
    if missing:
        problems.add(name, f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.add(name, f"unknown column(s): {', '.join(unknown)}")
    if missing:
        return
    try:
        for row in _csv.rows(reader, name):
            values = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
            if any(values.values()):
                yield f"{name}:{reader.line_num}", values
    except DataError as exc:
        problems.add(f"{name}:{reader.line_num}", str(exc).split(": ", 1)[1])


def _resolve(registry: Registry, name: str, where: str, problems: _Problems) -> str | None:
    try:
        code = registry.lookup(name)
    except UnknownStateError as exc:
        problems.add(where, str(exc))
        return None
    if code is None:
        problems.add(where, f"unknown State name {name!r}")
    return code


def _read_participants(
    directory: Path, registry: Registry, problems: _Problems
) -> list[Participation]:
    out: list[Participation] = []
    seen: set[str] = set()
    for where, row in _read_csv(
        directory, "participants.csv", PARTICIPANT_COLUMNS, PARTICIPANT_OPTIONAL, problems
    ):
        name = row["participant"]
        if not name:
            problems.add(f"{where}: participant", "empty")
            continue
        try:
            capacity = Capacity(row["capacity"])
        except ValueError:
            known = ", ".join(c.value for c in Capacity)
            problems.add(
                f"{where}: capacity", f"unknown capacity {row['capacity']!r} (known: {known})"
            )
            continue
        if not row["source"]:
            problems.add(f"{where}: source", "empty (cite the list of participants)")
        source = SourceRef(row["source"]) if row["source"] else None
        try:
            code = registry.lookup(name)
        except UnknownStateError as exc:
            problems.add(f"{where}: participant", str(exc))
            continue
        if capacity.is_state:
            if code is None:
                problems.add(f"{where}: participant", f"unknown State name {name!r}")
                continue
            key, kind = code, SpeakerKind.STATE
        else:
            if code is not None:
                problems.add(
                    f"{where}: capacity", f"{name!r} is a State ({code}); use a State capacity"
                )
                continue
            key, kind = name, SpeakerKind.ORGANIZATION
        if fold(key) in seen:
            problems.add(f"{where}: participant", f"{name!r} is listed twice")
            continue
        seen.add(fold(key))
        out.append(Participation(key, kind, capacity, source, row.get("note") or None))
    return out


def _read_statements(
    directory: Path,
    meeting_id: str,
    registry: Registry,
    orgs: dict[str, str],
    group_names: set[str],
    problems: _Problems,
    failed: set[str],
) -> list[Statement]:
    """The statements without problems; the ids of the others go to ``failed``."""
    out: list[Statement] = []
    seen: set[str] = set()
    root = directory.resolve()
    for where, row in _read_csv(
        directory, "statements.csv", STATEMENT_COLUMNS, STATEMENT_OPTIONAL, problems
    ):
        ok = True
        local = row["id"]
        if not _LOCAL_ID.match(local):
            problems.add(f"{where}: id", f"{local!r}: use letters, digits, '.', '_' and '-'")
            ok = False
        elif local in seen:
            problems.add(f"{where}: id", f"repeated statement id {local!r}")
            ok = False
        seen.add(local)
        on_behalf: list[str] = []
        for name in (n.strip() for n in row["on_behalf_of"].split(";")):
            if name:
                code = _resolve(registry, name, f"{where}: on_behalf_of", problems)
                if code is None:
                    ok = False
                elif code not in on_behalf:
                    on_behalf.append(code)
        speaker, speaker_kind = _speaker(
            row["speaker"],
            bool(on_behalf),
            registry,
            orgs,
            group_names,
            f"{where}: speaker",
            problems,
        )
        role = row.get("role") or "national"
        if role not in STATEMENT_ROLES:
            problems.add(f"{where}: role", f"must be one of {', '.join(STATEMENT_ROLES)}")
            ok = False
        date = None
        if row["date"]:
            try:
                date = str(PartialDate.parse(row["date"]))
            except DataError as exc:
                problems.add(f"{where}: date", str(exc))
                ok = False
        text = None
        if row["file"]:
            text = _statement_text(root, row["file"], f"{where}: file", problems)
            ok = ok and text is not None
        elif not row["source_url"]:
            problems.add(where, "a statement needs a file or a source_url")
            ok = False
        language, detected = row["language"].lower() or None, False
        if language is not None and not re.fullmatch(r"[a-z]{2}", language):
            problems.add(f"{where}: language", f"{row['language']!r} is not an ISO 639-1 code")
            ok = False
        if language is None and text is not None:
            language = texts.detect_language(text)
            detected = language is not None
        if not ok or speaker is None:
            failed.add(local)
            continue
        out.append(
            Statement(
                id=f"{meeting_id}/{local}",
                meeting=meeting_id,
                local_id=local,
                speaker=speaker,
                speaker_kind=speaker_kind,
                on_behalf_of=tuple(on_behalf),
                role=role,
                agenda_item=row["agenda_item"] or None,
                language=language,
                language_detected=detected,
                date=date,
                file=row["file"] or None,
                text=text,
                text_sha256=texts.sha256(text) if text is not None else None,
                source=SourceRef(row["source_url"]) if row["source_url"] else None,
                note=row.get("note") or None,
            )
        )
    return out


def organization_names(listed: Collection[str]) -> dict[str, str]:
    """Folded names an organization of the list of participants may be called by → the name
    it is listed under: that name, and its full name or acronym from the bundled
    ``organization_aliases.csv`` ("ICRC" ↔ "International Committee of the Red Cross")."""
    from normwatch.catalog import read_csv

    names = {fold(n): n for n in listed}
    for _, row in read_csv("organization_aliases.csv", ("name", "alias", "source")):
        full, short = fold(row["name"]), fold(row["alias"])
        for one, other in ((full, short), (short, full)):
            if one in names:
                names.setdefault(other, names[one])
    return names


def _speaker(
    name: str,
    joint: bool,
    registry: Registry,
    orgs: dict[str, str],
    group_names: set[str],
    where: str,
    problems: _Problems,
) -> tuple[str | None, SpeakerKind]:
    if not name:
        problems.add(where, "empty")
        return None, SpeakerKind.STATE
    try:
        code = registry.lookup(name)
    except UnknownStateError as exc:
        problems.add(where, str(exc))
        return None, SpeakerKind.STATE
    if code is not None:
        return code, SpeakerKind.STATE
    org = orgs.get(fold(name))
    if org is None:
        problems.add(
            where,
            f"unknown name {name!r}: not a State, and not listed in "
            "participants.csv as an organization",
        )
        return None, SpeakerKind.ORGANIZATION
    group = joint or fold(org) in group_names
    return org, SpeakerKind.GROUP if group else SpeakerKind.ORGANIZATION


def _statement_text(root: Path, name: str, where: str, problems: _Problems) -> str | None:
    if "\x00" in name:  # the system cannot even look such a name up
        problems.add(where, f"{name!r}: a file name cannot hold a NUL character")
        return None
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        problems.add(where, f"{name!r} is outside the meeting directory")
        return None
    try:
        found = path.is_file()
    except OSError as exc:  # a name too long for the file system, say
        problems.add(where, f"{name!r}: cannot read file: {exc.strerror or exc}")
        return None
    if not found:
        problems.add(where, f"missing file {name!r}")
        return None
    try:
        return texts.extract_text(path)
    except NormwatchError as exc:
        problems.add(where, f"{name}: {exc}")
        return None


def _read_codings(
    directory: Path,
    statements: list[Statement],
    failed: set[str],
    default_codebook: str,
    books: _Codebooks,
    problems: _Problems,
) -> list[Coding]:
    by_id = {s.local_id: s for s in statements} | {s.id: s for s in statements}
    out: list[Coding] = []
    seen: set[tuple[str, str, str, str]] = set()
    for where, row in _read_csv(
        directory, "codings.csv", CODING_COLUMNS, CODING_OPTIONAL, problems, must_exist=False
    ):
        statement = by_id.get(row["statement_id"])
        if statement is None and row["statement_id"] not in failed:
            problems.add(
                f"{where}: statement_id",
                f"unknown statement {row['statement_id']!r} (not in statements.csv)",
            )
        codebook = row.get("codebook") or default_codebook
        code_ok = books.check(codebook, row["code"], f"{where}: code")
        try:
            coder = Coder.parse(row["coder"])
        except DataError as exc:
            problems.add(f"{where}: coder", str(exc))
            continue
        state = ReviewState.ACCEPTED if coder.is_human else ReviewState.SUGGESTED
        if row.get("review_state"):
            try:
                state = ReviewState(row["review_state"])
            except ValueError:
                problems.add(f"{where}: review_state", "must be suggested, accepted or rejected")
                continue
            if coder.is_human and state is ReviewState.SUGGESTED:
                problems.add(f"{where}: review_state", "a human coding is accepted or rejected")
                continue
        confidence = None
        if row.get("confidence"):
            try:
                confidence = float(row["confidence"])
            except ValueError:
                confidence = -1.0
            if not 0 <= confidence <= 1:
                problems.add(f"{where}: confidence", "must be a number between 0 and 1")
                continue
        if statement is None or not code_ok:
            continue
        evidence: Evidence | None = None
        if row["evidence"]:
            try:
                evidence = find_evidence(statement.text, row["evidence"])
            except DataError as exc:
                problems.add(f"{where}: evidence", str(exc))
                continue
        key = (statement.id, codebook, row["code"], str(coder))
        if key in seen:
            problems.add(where, "the same coder codes the same code twice")
            continue
        seen.add(key)
        out.append(
            Coding(
                statement.id,
                codebook,
                row["code"],
                coder,
                state,
                evidence,
                confidence,
                note=row.get("note") or None,
            )
        )
    return out


# --------------------------------------------------------------------------------- writing


def registry_from_conn(conn: Connection) -> Registry:
    """The registry as stored, read through an open connection (used inside a load)."""
    from sqlalchemy import text

    from normwatch.core.model import State

    aliases: dict[str, list[str]] = {}
    for alias, code in conn.execute(text("SELECT alias, code FROM state_aliases")):
        aliases.setdefault(code, []).append(alias)
    rows = conn.execute(text("SELECT code, alpha2, name, regional_group, kind FROM states"))
    return Registry.build(
        State(r.code, r.alpha2, r.name, r.regional_group, r.kind, tuple(aliases.get(r.code, ())))
        for r in rows
    )


def group_names_from_conn(conn: Connection) -> set[str]:
    from sqlalchemy import text

    names: set[str] = set()
    for gid, name in conn.execute(text("SELECT id, name FROM state_groups")):
        names.update((gid, name))
    return names


@dataclass
class _Counts:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, table: str, new: int = 0, changed: int = 0, removed: int = 0) -> None:
        c = self.counts.setdefault(table, {"new": 0, "changed": 0, "removed": 0})
        c["new"] += new
        c["changed"] += changed
        c["removed"] += removed

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())


def import_directory(
    conn: Connection,
    directory: Path,
    *,
    codes_of: CodebookCodes = codebook_codes,
) -> dict[str, Any]:
    """Read, check and write a meeting directory through ``conn`` (the caller's transaction).

    Returns a JSON-ready report: the meeting id, per-table counts of new, changed and removed
    rows, the total number of changes (0 on a re-import) and warnings.
    """
    from normwatch.catalog import all_treaties

    record = read_meeting_dir(
        directory,
        registry_from_conn(conn),
        set(all_treaties()),
        group_names=group_names_from_conn(conn),
        codes_of=codes_of,
    )
    return write_record(conn, record, str(directory))


def write_record(conn: Connection, record: MeetingRecord, label: str) -> dict[str, Any]:
    from sqlalchemy import select

    from normwatch.store import meeting_tables as mt
    from normwatch.store.stamps import now_iso

    counts = _Counts()
    now = now_iso()
    m = record.meeting
    sids: dict[tuple[str, str | None], str] = {}

    def sid(src: SourceRef | None) -> str | None:
        if src is None:
            return None
        key = (src.url, src.symbol)
        if key not in sids:
            sids[key] = ensure_source_ref(conn, src)
        return sids[key]

    existed = conn.execute(select(mt.meetings.c.id).where(mt.meetings.c.id == m.id)).first()
    meeting_row = {
        "id": m.id,
        "treaty": m.treaty,
        "kind": m.kind.value,
        "number": m.number,
        "name": m.name,
        "start_date": m.start_date,
        "end_date": m.end_date,
        "venue": m.venue,
        "president": m.president,
        "completeness": m.completeness,
        "confidence": m.confidence,
        "note": m.note,
    }
    counts.add(
        "meetings", *_sync(conn, mt.meetings, mt.meetings.c.id == m.id, ("id",), [meeting_row])
    )
    counts.add(
        "meeting_sources",
        *_sync(
            conn,
            mt.meeting_sources,
            mt.meeting_sources.c.meeting_id == m.id,
            ("meeting_id", "source_id"),
            _unique(
                [
                    {"meeting_id": m.id, "source_id": sid(s), "position": i}
                    for i, s in enumerate(m.sources)
                ],
                ("meeting_id", "source_id"),
            ),
        ),
    )
    counts.add(
        "meeting_notes",
        *_sync(
            conn,
            mt.meeting_notes,
            mt.meeting_notes.c.meeting_id == m.id,
            ("meeting_id", "kind", "position"),
            [
                {
                    "meeting_id": m.id,
                    "kind": n.kind,
                    "position": i,
                    "text": n.text,
                    "verification": n.verification,
                    "confidence": n.confidence,
                    "source_id": sid(n.source),
                }
                for kind in ("decision", "gap")
                for i, n in enumerate(x for x in record.notes if x.kind == kind)
            ],
        ),
    )
    counts.add(
        "meeting_claims",
        *_sync(
            conn,
            mt.meeting_claims,
            mt.meeting_claims.c.meeting_id == m.id,
            ("meeting_id", "id"),
            [
                {
                    "meeting_id": m.id,
                    "id": c.id,
                    "reported": c.reported,
                    "codebook": c.codebook,
                    "code": c.code,
                    "denominator": c.denominator,
                    "relation": c.relation,
                    "value": c.value,
                    "source_id": sid(c.source),
                    "confidence": c.confidence,
                    "note": c.note,
                }
                for c in record.claims
            ],
        ),
    )
    counts.add(
        "participations",
        *_sync(
            conn,
            mt.participations,
            mt.participations.c.meeting_id == m.id,
            ("meeting_id", "participant"),
            [
                {
                    "meeting_id": m.id,
                    "participant": p.participant,
                    "kind": p.kind.value,
                    "capacity": p.capacity.value,
                    "source_id": sid(p.source),
                    "note": p.note,
                }
                for p in record.participants
            ],
        ),
    )

    # statements: those no longer in the directory go, with their automatic codings; one
    # that a person has coded stays until that coding is removed (a human decision is kept)
    wanted = {s.id for s in record.statements}
    stored = [
        r.id
        for r in conn.execute(select(mt.statements.c.id).where(mt.statements.c.meeting_id == m.id))
    ]
    gone = [s for s in stored if s not in wanted]
    if gone:
        human = sorted(
            {
                r.statement_id
                for r in conn.execute(
                    select(mt.codings.c.statement_id).where(
                        mt.codings.c.statement_id.in_(gone), mt.codings.c.coder_kind == "human"
                    )
                )
            }
        )
        if human:
            raise MeetingImportError(
                label,
                [
                    f"statement {s} is no longer in statements.csv but has human codings; "
                    "remove them first (normwatch code unset)"
                    for s in human
                ],
            )
        counts.add(
            "codings",
            removed=conn.execute(
                mt.codings.delete().where(mt.codings.c.statement_id.in_(gone))
            ).rowcount
            or 0,
        )
        conn.execute(
            mt.statement_on_behalf.delete().where(mt.statement_on_behalf.c.statement_id.in_(gone))
        )
        from normwatch.store import team_tables as tt

        for table in (tt.double_codings, tt.coding_history):
            conn.execute(table.delete().where(table.c.statement_id.in_(gone)))
    counts.add(
        "statements",
        *_sync(
            conn,
            mt.statements,
            mt.statements.c.meeting_id == m.id,
            ("id",),
            [_statement_row(s, m.id, sid(s.source)) for s in record.statements],
        ),
    )
    on_behalf_rows = [
        {"statement_id": s.id, "state": c} for s in record.statements for c in s.on_behalf_of
    ]
    counts.add(
        "statement_on_behalf",
        *_sync(
            conn,
            mt.statement_on_behalf,
            mt.statement_on_behalf.c.statement_id.in_(wanted or {""}),
            ("statement_id", "state"),
            on_behalf_rows,
        ),
    )
    from normwatch.store.codings import upsert_coding

    for coding in record.codings:
        new, changed = upsert_coding(conn, coding, now)
        counts.add("codings", new=int(new), changed=int(changed))
    return {
        "meeting": m.id,
        "created": existed is None,
        "changes": counts.total,
        "tables": counts.counts,
        "statements": len(record.statements),
        "participants": len(record.participants),
        "codings": len(record.codings),
        "warnings": record.warnings,
        "fictional": m.fictional,
    }


def _statement_row(s: Statement, meeting_id: str, source_id: str | None) -> dict[str, Any]:
    """The ``statements`` row of a statement of ``meeting_id``."""
    return {
        "id": s.id,
        "meeting_id": meeting_id,
        "local_id": s.local_id,
        "speaker": s.speaker,
        "speaker_kind": s.speaker_kind.value,
        "role": s.role,
        "agenda_item": s.agenda_item,
        "language": s.language,
        "language_detected": int(s.language_detected),
        "date": s.date,
        "file": s.file,
        "text": s.text,
        "text_sha256": s.text_sha256,
        "source_id": source_id,
        "note": s.note,
    }


def write_statements(
    conn: Connection, meeting_id: str, statements: list[Statement]
) -> dict[str, Any]:
    """Add (or bring up to date) ``statements`` of a meeting already in the store, leaving
    its other rows alone; the same report as :func:`write_record` (``normwatch meetings
    import-files --confirm``: a folder of statement files, with the plan a person checked)."""
    from sqlalchemy import select

    from normwatch.store import meeting_tables as mt

    if conn.execute(select(mt.meetings.c.id).where(mt.meetings.c.id == meeting_id)).first() is None:
        raise NotFoundError(f"unknown meeting {meeting_id!r} (see normwatch meetings list)")
    counts = _Counts()
    ids = {s.id for s in statements} or {""}
    rows = [
        _statement_row(s, meeting_id, ensure_source_ref(conn, s.source) if s.source else None)
        for s in statements
    ]
    counts.add(
        "statements", *_sync(conn, mt.statements, mt.statements.c.id.in_(ids), ("id",), rows)
    )
    counts.add(
        "statement_on_behalf",
        *_sync(
            conn,
            mt.statement_on_behalf,
            mt.statement_on_behalf.c.statement_id.in_(ids),
            ("statement_id", "state"),
            [{"statement_id": s.id, "state": c} for s in statements for c in s.on_behalf_of],
        ),
    )
    return {
        "meeting": meeting_id,
        "created": False,
        "changes": counts.total,
        "tables": counts.counts,
        "statements": len(statements),
        "warnings": [],
    }


def ensure_source_ref(conn: Connection, src: SourceRef) -> str:
    from normwatch.core.model import Source
    from normwatch.store.facts import ensure_source

    return ensure_source(conn, Source(src.url, src.symbol, src.title, src.published, note=src.note))


def _unique(rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for r in rows:
        k = tuple(r[c] for c in key)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def _sync(
    conn: Connection, table: Any, where: Any, key: tuple[str, ...], rows: Iterable[dict[str, Any]]
) -> tuple[int, int, int]:
    """Make the rows of ``table`` matching ``where`` equal to ``rows``; (new, changed, removed).

    Rows that are already equal are not written at all, so a re-import changes nothing.
    """
    from sqlalchemy import and_, select

    existing = {
        tuple(getattr(r, c) for c in key): r._mapping
        for r in conn.execute(select(table).where(where))
    }
    new = changed = 0
    wanted: set[tuple[Any, ...]] = set()
    for row in rows:
        k = tuple(row[c] for c in key)
        wanted.add(k)
        old = existing.get(k)
        match = and_(*(table.c[c] == row[c] for c in key))
        if old is None:
            conn.execute(table.insert().values(**row))
            new += 1
        elif any(old[c] != v for c, v in row.items()):
            conn.execute(table.update().where(match).values(**row))
            changed += 1
    removed = 0
    for k in existing:
        if k not in wanted:
            conn.execute(
                table.delete().where(and_(*(table.c[c] == v for c, v in zip(key, k, strict=True))))
            )
            removed += 1
    return new, changed, removed


def import_meeting(
    store: Store, directory: str | Path, *, verify: Verify | None = None
) -> dict[str, Any]:
    """``normwatch meetings import DIR``: one transaction; nothing is written on any problem
    (``verify`` wraps the writes and may refuse them)."""
    from contextlib import nullcontext

    from normwatch.store.db import FictionRefused

    path = Path(directory)
    example = store.is_example()
    from normwatch.store.journal import journaled

    with (
        store.transaction() as conn,
        journaled(conn, "meetings", str(path.resolve())),
        (verify or nullcontext)(conn),
    ):
        report = import_directory(conn, path)
        if report["fictional"] and not example:
            # raised inside the transaction: everything written above is rolled back
            raise FictionRefused(
                "marked fictional; a store of real data takes no fictional record (make a "
                "throw-away one with `normwatch db example PATH` and pass --db PATH); "
                "nothing was written",
                where=f"{path / 'meeting.yaml'}: fictional",
            )
        return report
