"""Read a UN Treaty Collection "MTDSG" status file (``XXVI-6.en.xml``) into plain dataclasses.

Pure: bytes in, :class:`UntcDocument` out; no database, no network, no clock. The format is
described in ``shared/docs/untc_xml_format.md``; this module follows it and the 407 files of
January 2018.

What comes out, and how faithful it is:

* every dated cell of the participants table becomes a :class:`UntcAction`, its kind taken from
  the column header's legend (``Accession(a)`` → the letter ``a`` means accession) or, for a cell
  without a letter, from the column's one unlettered action (``Signature``, ``Ratification`` …);
* a cell that cannot be read, or whose letter or column names no action normwatch records, is
  never guessed: it becomes a :class:`UntcProblem` with severity ``"error"`` naming the row, the
  participant and the column. Other oddities (a repaired encoding, a missing table) are
  ``"warning"`` problems. ``parse_untc(..., strict=True)`` turns the first error into an exception;
* withdrawals, denunciations and revoked withdrawal notices are read from the end notes, in prose
  or in note tables, and linked to a participant row by footnote number and name;
* a file that cannot be understood at all (not XML even after repair, no ``Treaty``, a table row
  short of cells, an empty table, an impossible date such as 31 Feb) raises
  :class:`UntcParseError`, and nothing else is ever raised by :func:`parse_untc`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import html
import pyexpat
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html.entities import html5 as _HTML5
from os import PathLike
from pathlib import Path
from typing import Any, Literal, TypeAlias

import defusedxml.ElementTree as defused_et

from normwatch.core.model import ActionKind
from normwatch.errors import SourceError

__all__ = [
    "UntcAction",
    "UntcCell",
    "UntcCellError",
    "UntcColumn",
    "UntcDocument",
    "UntcParseError",
    "UntcParticipant",
    "UntcProblem",
    "UntcWithdrawal",
    "classify_label",
    "parse_cell",
    "parse_untc",
    "parse_untc_file",
]

Severity = Literal["error", "warning"]
_Block: TypeAlias = "str | list[list[str]]"  # an end-note paragraph, or a note table's rows
_ROW = "Participants/Table/TGroup/Tbody/Rows/Row"


# --------------------------------------------------------------------------------------------
# Errors and results
# --------------------------------------------------------------------------------------------


class UntcParseError(SourceError):
    """A status file that cannot be understood; the message names the source, element and row."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        element: str | None = None,
        row: int | None = None,
        column: int | None = None,
    ) -> None:
        self.source = source
        self.element = element
        self.row = row
        self.column = column
        where = source
        if element:
            where += f": <{element}>"
        if row is not None:
            where += f" row {row}"
        if column is not None:
            where += f" column {column}"
        super().__init__(f"{where}: {message}")


class UntcCellError(ValueError):
    """A table cell that is not a date. ``impossible`` is set when it has the shape of a date
    but names a day that does not exist (``31 Feb 2019``)."""

    def __init__(self, message: str, *, impossible: bool = False) -> None:
        self.impossible = impossible
        super().__init__(message)


@dataclass(frozen=True)
class UntcProblem:
    """Something the parser noticed. ``severity == "error"``: an action cell was not turned into
    an action (row and column say which); ``"warning"``: the document was read, with a caveat."""

    severity: Severity
    message: str
    row: int | None = None
    column: int | None = None
    participant: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "message": self.message,
            "row": self.row,
            "column": self.column,
            "participant": self.participant,
        }


@dataclass(frozen=True)
class UntcCell:
    """A date cell as written: ``[20 Jan\\t 2021 A]`` → 2021-01-20, code ``A``, bracketed."""

    date: dt.date
    code: str | None
    bracketed: bool


@dataclass(frozen=True)
class UntcColumn:
    """An action column of the participants table (``index`` counts from 1, Participant = 1)."""

    index: int
    header: str
    default_kind: ActionKind | None
    legend: dict[str, ActionKind]
    unmapped_codes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "header": self.header,
            "default_kind": self.default_kind.value if self.default_kind else None,
            "legend": {code: kind.value for code, kind in self.legend.items()},
            "unmapped_codes": dict(self.unmapped_codes),
        }


@dataclass(frozen=True)
class UntcAction:
    """One dated cell read as a treaty action."""

    kind: ActionKind
    date: dt.date
    column: int
    code: str | None
    bracketed: bool
    raw: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "date": self.date.isoformat(),
            "column": self.column,
            "code": self.code,
            "bracketed": self.bracketed,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class UntcParticipant:
    """One body row of the participants table (``row`` counts from 1)."""

    row: int
    name: str
    raw_name: str
    footnotes: list[str]
    actions: list[UntcAction]
    withdrawn: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "name": self.name,
            "raw_name": self.raw_name,
            "footnotes": list(self.footnotes),
            "actions": [a.to_dict() for a in self.actions],
            "withdrawn": self.withdrawn,
        }


@dataclass(frozen=True)
class UntcWithdrawal:
    """A withdrawal (or denunciation) recorded in an end note, or a withdrawal notice revoked
    (``kind`` is ``withdrawal_revoked``; ``notified`` is then the date of the revocation).

    ``participant`` is the name as the note writes it; ``row`` is the participants-table row it
    was linked to (by footnote number and name), or None when no row could be matched.
    """

    participant: str | None
    notified: dt.date | None
    effective: dt.date | None
    note_index: str
    text: str
    kind: ActionKind = ActionKind.WITHDRAWAL
    row: int | None = None
    symbol: str | None = None  # the depositary notification cited, when the source gives it

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "kind": self.kind.value,
            "notified": self.notified.isoformat() if self.notified else None,
            "effective": self.effective.isoformat() if self.effective else None,
            "note_index": self.note_index,
            "row": self.row,
            "symbol": self.symbol,
            "text": self.text,
        }


@dataclass(frozen=True)
class UntcDocument:
    """A parsed status file."""

    source: str
    reference: str
    chapter: str
    chapter_name: str
    title: str
    conclusion: str
    eif_text: str
    status_signatories: int | None
    status_parties: int | None
    columns: list[UntcColumn]
    participants: list[UntcParticipant]
    notes: dict[str, str]
    withdrawals: list[UntcWithdrawal]
    problems: list[UntcProblem]
    status_as_at: dt.date | None = None  # the "Status as at" date of an HTML page

    @property
    def warnings(self) -> list[str]:
        """Every problem as one line of text (errors included)."""
        return [_describe(p) for p in self.problems]

    @property
    def errors(self) -> list[UntcProblem]:
        """The action cells that were not turned into actions."""
        return [p for p in self.problems if p.severity == "error"]

    def participant(self, name: str) -> UntcParticipant | None:
        """The row whose clean name is ``name`` (exact match), if any."""
        return next((p for p in self.participants if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reference": self.reference,
            "chapter": self.chapter,
            "chapter_name": self.chapter_name,
            "title": self.title,
            "conclusion": self.conclusion,
            "eif_text": self.eif_text,
            "status_signatories": self.status_signatories,
            "status_parties": self.status_parties,
            "columns": [c.to_dict() for c in self.columns],
            "participants": [p.to_dict() for p in self.participants],
            "notes": dict(self.notes),
            "withdrawals": [w.to_dict() for w in self.withdrawals],
            "problems": [p.to_dict() for p in self.problems],
            "warnings": self.warnings,
            "status_as_at": self.status_as_at.isoformat() if self.status_as_at else None,
        }


def _describe(p: UntcProblem) -> str:
    where = []
    if p.row is not None:
        where.append(f"row {p.row}" + (f" ({p.participant})" if p.participant else ""))
    if p.column is not None:
        where.append(f"column {p.column}")
    return (", ".join(where) + ": " if where else "") + p.message


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

_WS = re.compile(r"[\s\u200b\ufeff]+")
_SUPERSCRIPT = re.compile(r"<\s*superscript\s*>([^<>]{0,100})<\s*/\s*superscript\s*>", re.I)
_TAG = re.compile(r"<[^<>]*>")
_REF_SEP = re.compile(r"[,\s]+")

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")  # fmt: skip
_MONTHS = {n: i for i, full in enumerate(_MONTH_NAMES, 1) for n in (full, full[:3])} | {"sept": 9}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))


def _collapse(text: str) -> str:
    # str.split() and the regex \s agree on what is white space; ZWSP and BOM are not
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())


def _element_text(el: ET.Element | None) -> str:
    """All text inside ``el`` (its own and its children's), as written."""
    return "" if el is None else "".join(el.itertext())


def _clean(raw: str) -> tuple[str, list[str]]:
    """Plain text and footnote refs of a text node carrying escaped markup.

    ``Belize<superscript>1,2</superscript>`` → ("Belize", ["1", "2"]); ``<i>``, ``<a href>``,
    ``<right>`` … are dropped; NBSP, tabs, CR and runs of spaces become one space.
    """
    if "<" not in raw:  # no markup: only entities and white space to tidy
        return _collapse(html.unescape(raw)), []
    refs: list[str] = []

    def take(m: re.Match[str]) -> str:
        refs.extend(r for r in _REF_SEP.split(m.group(1)) if r)
        return ""

    text = _SUPERSCRIPT.sub(take, raw)
    text = html.unescape(_TAG.sub("", text))
    return _collapse(text), refs


def _plain(el: ET.Element | None) -> str:
    return _clean(_element_text(el))[0]


def _norm_name(name: str) -> str:
    """A participant name for matching: case-folded, no punctuation, no leading "the"."""
    s = re.sub(r"[^\w]+", " ", name.casefold()).strip()
    return re.sub(r"^the ", "", s)


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------

_CELL = re.compile(
    rf"^(?P<open>\[)?\s*(?P<day>\d{{1,2}})\s*(?P<mon>{_MONTH_ALT})\.?\s*,?\s*(?P<year>\d{{4}})"
    r"(?:\s*(?P<code>[A-Za-z]{1,2}))?\s*(?P<close>\])?$",
    re.I | re.A,  # ASCII: under Unicode case folding "ſep" would match "sep"
)


@functools.lru_cache(maxsize=4096)  # a table repeats its cells (empty ones above all)
def parse_cell(text: str) -> UntcCell | None:
    """Read one date cell; None for an empty (or whitespace-only) cell.

    Tolerates the 2018 style (``3 Dec 2008``, ``[ 2 Mar 2009 ]``), the current one
    (`` 3 Dec\\t 2008 ``, ``[20 Jan\\t 2021 A]``), NBSP anywhere, ``Sept`` and full month names.
    Raises :class:`UntcCellError` for anything else.
    """
    s = _collapse(text)
    if not s:
        return None
    m = _CELL.match(s)
    if m is None:
        raise UntcCellError(f"not a date: {s!r}")
    opening, day, mon, year, code, closing = m.groups()
    if (opening is None) != (closing is None):
        raise UntcCellError(f"unbalanced bracket in {s!r}")
    try:
        date = dt.date(int(year), _MONTHS[mon.lower()], int(day))
    except ValueError:
        raise UntcCellError(f"impossible date: {s!r}", impossible=True) from None
    return UntcCell(date=date, code=code, bracketed=opening is not None)


# --------------------------------------------------------------------------------------------
# Column headers and their legends
# --------------------------------------------------------------------------------------------

# What a header label means, by how it starts. Order matters: the specific before the general.
_LABEL_KINDS: tuple[tuple[str, ActionKind | None], ...] = (
    ("notification of non-provisional", None),
    ("provisional application", ActionKind.PROVISIONAL_APPLICATION),
    ("provisional", None),  # "Provisional acceptance": not an action normwatch records
    ("definitive signature", ActionKind.DEFINITIVE_SIGNATURE),
    # A signature ad referendum is a signature; confirming it makes it a full one (VCLT 12(2)(b))
    ("signature ad referendum", ActionKind.SIGNATURE),
    ("confirmation of signature", ActionKind.SIGNATURE),
    ("succession to signature", ActionKind.SIGNATURE),
    ("signature", ActionKind.SIGNATURE),
    ("formal confirmation", ActionKind.FORMAL_CONFIRMATION),
    ("ratification", ActionKind.RATIFICATION),
    ("accession", ActionKind.ACCESSION),
    ("acceptance", ActionKind.ACCEPTANCE),
    ("approval", ActionKind.APPROVAL),
    ("succession", ActionKind.SUCCESSION),
    # a CCW protocol's or amendment's "Consent to be bound" (CCW art. 4(3)-(4), 8(1)(b))
    ("consent to be bound", ActionKind.CONSENT_TO_BE_BOUND),
)

_LETTERED = re.compile(r"^(?P<label>.*?)\s*\((?P<code>[A-Za-z]{1,2})\)$", re.S)


def classify_label(label: str) -> ActionKind | None:
    """The action a header label names ("Accession" → accession), or None when it names none
    normwatch records ("Application", "Extension") or several
    ("Definitive signature or acceptance of the Protocol")."""
    s = _collapse(label).lower()
    if " or " in s or "/" in s:
        return None
    for prefix, kind in _LABEL_KINDS:
        if s.startswith(prefix):
            return kind
    return None


def _header_items(header: str) -> list[tuple[str, str | None]]:
    """``"Ratification, Accession(a)"`` → [("Ratification", None), ("Accession", "a")].

    Items are split at a comma followed by a capital, so "by virtue of ratification, accession or
    succession" and "of 12 September 1923, as amended(A)" stay whole.
    """
    items: list[tuple[str, str | None]] = []
    for part in re.split(r",\s*(?=[A-Z])", header):
        part = part.strip()
        if not part:
            continue
        m = _LETTERED.match(part)
        if m:
            items.append((m.group("label").strip(), m.group("code")))
        else:
            items.append((part, None))
    return items


def _column(index: int, header: str, problems: list[UntcProblem]) -> UntcColumn:
    legend: dict[str, ActionKind] = {}
    unmapped: dict[str, str] = {}
    unlettered: list[ActionKind | None] = []
    for label, code in _header_items(header):
        kind = classify_label(label)
        if code is None:
            unlettered.append(kind)
        elif kind is None or legend.get(code, kind) != kind:
            unmapped[code] = label
        else:
            legend[code] = kind
    for code in unmapped:
        legend.pop(code, None)
        problems.append(
            UntcProblem(
                "warning",
                f"column {header!r}: legend letter {code!r} ({unmapped[code]!r}) names no one "
                "action normwatch records; its cells are reported, not imported",
                column=index,
            )
        )
    default: ActionKind | None = None
    if unlettered:
        if len(set(unlettered)) == 1:
            default = unlettered[0]
    elif not unmapped and len(set(legend.values())) == 1:
        # "Acceptance(A)", "Provisional application(n)": every cell carries the one letter
        default = next(iter(legend.values()))
    if default is None and (unlettered or not legend):
        what = "names no action" if not any(unlettered) else "names several actions"
        problems.append(
            UntcProblem(
                "warning",
                f"column {header!r} {what} without a legend letter; such cells are reported, "
                "not imported",
                column=index,
            )
        )
    return UntcColumn(index, header, default, legend, unmapped)


# --------------------------------------------------------------------------------------------
# Decoding and repairing the bytes
# --------------------------------------------------------------------------------------------

_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
_DECL_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_LATIN1ISH = {"iso8859-1", "iso8859-15", "cp1252", "ascii"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BARE_AMP = re.compile(r"&(?!(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z_][\w.-]*);)")
# the five of XML are left as they are, by the pattern itself (the text has thousands)
_NAMED_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|apos);)([A-Za-z_][\w.-]*);")
# In the 2018 capture, characters such as U+201C were cut to their low byte (0x1C) and "…"
# (U+2026) to a bare "&"; put back what was meant.
_LOW_BYTES = {
    "\x02": " ",
    "\x13": "\u2013",
    "\x14": "\u2014",
    "\x18": "\u2018",
    "\x19": "\u2019",
    "\x1c": "\u201c",
    "\x1d": "\u201d",
}


def _decode(data: bytes, problems: list[UntcProblem]) -> str:
    """Decode with the declared encoding; fall back (with a warning) when it is wrong."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        declared: str | None = "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = "utf-16"
    else:
        m = _DECLARATION.match(data[:512])
        declared = m.group(1).decode("ascii") if m else None
    encoding = "utf-8"  # the XML default
    if declared is not None:
        try:
            encoding = codecs.lookup(declared).name
        except LookupError:
            problems.append(UntcProblem("warning", f"unknown declared encoding {declared!r}"))
    if encoding in _LATIN1ISH and not data.isascii():
        # A UTF-8 file labelled Latin-1 would decode into mojibake without any error.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            problems.append(
                UntcProblem("warning", f"declared {declared!r}, but the bytes are UTF-8")
            )
            return text
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):  # LookupError: "hex", "rot13" … are not text encodings
        pass
    for fallback in ("utf-8", "latin-1"):
        if fallback == encoding:
            continue
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        problems.append(
            UntcProblem(
                "warning",
                f"declared encoding {declared or 'utf-8 (default)'!r} does not fit the bytes; "
                f"read as {fallback}",
            )
        )
        return text
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _repair(text: str) -> tuple[str, int, int]:
    """Replace raw control characters, stray ``&`` and HTML-only entities; return the text,
    the number of control characters and the number of ampersands repaired."""
    truncated = bool(re.search(r"[\x18\x19\x1c\x1d]", text))
    text, n_ctrl = _CONTROL.subn(lambda m: _LOW_BYTES.get(m.group(), " "), text)
    n_entities = 0

    def entity(m: re.Match[str]) -> str:
        nonlocal n_entities
        n_entities += 1
        value = _HTML5.get(m.group(1) + ";")
        return html.escape(value) if value else "&amp;" + m.group(1) + ";"

    text = _NAMED_ENTITY.sub(entity, text)
    text, n_bare = _BARE_AMP.subn("\u2026" if truncated else "&amp;", text)
    return text, n_ctrl, n_entities + n_bare


def _fromstring(text: str) -> ET.Element:
    """Parse untrusted XML with defusedxml: no entity expansion, no external references (a
    DefusedXmlException is a ValueError)."""
    root: ET.Element = defused_et.fromstring(text)
    return root


def _expat_error(text: str) -> Exception | None:
    """The error :func:`_fromstring` would stop at, with the same message, found by expat
    alone: building the tree of a file that needs repairs would be wasted work.
    A ValueError is a lone surrogate (e.g. from UTF-7)."""
    parser = pyexpat.ParserCreate(namespace_separator="}")  # as ElementTree's XMLParser
    try:
        parser.Parse(text, False)
        parser.Parse(b"", True)
    except (pyexpat.ExpatError, ValueError) as exc:
        return exc
    return None


def _parse_xml(text: str, source: str, problems: list[UntcProblem]) -> ET.Element:
    if re.search(r"<!(?:DOCTYPE|ENTITY)", text, re.I):
        raise UntcParseError(
            "has a DOCTYPE or entity declarations; a UNTC status file has none "
            "(is this an HTML page, e.g. the maintenance notice?)",
            source=source,
        )
    body = _DECL_TEXT.sub("", text, count=1)
    first = _expat_error(body)
    if first is None:
        try:
            return _fromstring(body)
        except (ET.ParseError, ValueError) as exc:  # what defusedxml refuses beyond expat
            first = exc
    repaired, n_ctrl, n_amp = _repair(body)
    if repaired == body:
        raise UntcParseError(f"not well-formed XML: {first}", source=source)
    try:
        root = _fromstring(repaired)
    except (ET.ParseError, ValueError) as exc:
        raise UntcParseError(
            f"not well-formed XML, even after replacing raw control characters and bare '&': {exc}",
            source=source,
        ) from None
    problems.append(
        UntcProblem(
            "warning",
            f"not well-formed XML ({first}); repaired {n_ctrl} raw control character(s) and "
            f"{n_amp} bare '&' or unknown entity",
        )
    )
    return root


# --------------------------------------------------------------------------------------------
# Withdrawals in the end notes
# --------------------------------------------------------------------------------------------

_PROSE_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH_ALT})\.?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH_ALT})\.?\s+(?P<d2>\d{{1,2}}),\s+(?P<y2>\d{{4}}))\b",
    re.I | re.A,
)
_YEAR = re.compile(r"[0-9]{4}")  # what every prose date has
_REVOKED = re.compile(
    r"\bwithdr(?:aw|aws|ew|awn|awing|awal)\s+(?:of\s+)?(?:its|the|this|that|their|said)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:notification|notice|instrument|communication|letter)s?\s+of\s+"
    r"(?:withdrawal|denunciation)\b"
    r"|\b(?:rescind\w*|rescission|revok\w*|revocation|retract\w*|cancel\w*|suspend\w*|"
    r"suspension)\s+(?:of\s+)?(?:[\w-]+\s+){0,4}?(?:withdrawal|denunciation)\b",
    re.I,
)
_NAME = (
    r"[A-Z][\w'’\-]*(?:\s+(?:(?:of|and|the|de|du|des|d')\s+)*[A-Z][\w'’\-]*)*"
    r"(?:\s+\([^()]{1,60}\))?"
)
_TREATY_AFTER = r"\s+(?:the|this|that|these|its|said|aforesaid|above)\b"
_WITHDRAWN = re.compile(
    rf"\bwithdr(?:aw|aws|ew|awn|awing)\s+from{_TREATY_AFTER}"
    # "its withdrawal from the Protocol"; "the withdrawal of Canada form [sic] the Agreement"
    rf"|\bwithdrawals?\s+(?:of\s+(?:the\s+)?(?-i:{_NAME})\s+)?f(?:ro|or)m{_TREATY_AFTER}"
    r"|\bnotifications?\s+of\s+withdrawal\b"
    r"|\bdenunciations?\b"
    rf"|\bdenounc(?:e|es|ed|ing){_TREATY_AFTER}",
    re.I,
)
_INTRO = re.compile(r"\bwithdr[ae]w|\bdenunc|\bdenounc", re.I)
_NOT_TREATY = re.compile(r"\b(?:reservations?|objections?|purport\w*)\b", re.I)
_IT_TOOK_EFFECT = re.compile(r"^(?:It|This|That)\s+(?:\w+\s+){0,2}(?:took|takes?)\s+effect\b")
_EFFECT = re.compile(r"\b(?:effective|effect|as\s+from|as\s+of)\b", re.I)
_NAME_PATTERNS = (
    re.compile(rf"\bGovernments?\s+of\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"\bwithdrawal\s+of\s+(?:the\s+)?(?P<name>{_NAME})\s+f(?:ro|or)m\b"),
    re.compile(
        rf"(?:^|,\s*|\b(?:by|from)\s+)(?:the\s+)?(?P<name>{_NAME})\s+(?:had\s+|has\s+)?"
        r"(?:notified|informed|deposited|denounced|withdrew)\b"
    ),
)
_NOT_NAMES = {"government", "governments", "on", "thereafter", "subsequently", "in", "it"}
_ABBREVIATIONS = {"no", "nos", "art", "arts", "p", "pp", "vol", "para", "paras", "i.e", "e.g",
                  "st", "mr", "mrs", "ms", "dr", "cf", "co", "inc", "ltd", "viz"}  # fmt: skip


def _prose_dates(text: str) -> Iterator[tuple[int, dt.date]]:
    """(position, date) for every real date written "6 September 2024" or "April 24, 1963"."""
    for m in _PROSE_DATE.finditer(text):
        day, mon, year = (m.group("d1"), m.group("m1"), m.group("y1"))
        if day is None:
            day, mon, year = m.group("d2"), m.group("m2"), m.group("y2")
        try:
            yield m.start(), dt.date(int(year), _MONTHS[mon.lower()], int(day))
        except ValueError:
            continue


def _first_date(text: str) -> dt.date | None:
    return next((d for _, d in _prose_dates(text)), None)


def _sentences(text: str) -> list[str]:
    """Split a paragraph at sentence ends, not after "No.", "art.", "i.e." and the like."""
    out: list[str] = []
    start = 0
    for m in re.finditer(r"[.;:!?][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z])", text):
        # the word before the full stop (abbreviations are short: a few characters suffice)
        words = text[max(start, m.start() - 12) : m.start()].split()
        if text[m.start()] == "." and words and words[-1].lstrip("([").lower() in _ABBREVIATIONS:
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _sentence_name(sentence: str) -> str | None:
    for pattern in _NAME_PATTERNS:
        for m in pattern.finditer(sentence):
            name = m.group("name").strip()
            if name.lower() not in _NOT_NAMES and not name.lower().startswith("secretary"):
                return name
    return None


def _split_dates(
    sentence: str, dates: list[tuple[int, dt.date]]
) -> tuple[dt.date | None, dt.date | None]:
    """(notified, effective): of the sentence's ``dates`` (position, date), those before and
    after the first "effect(ive)" / "as from".

    A date right after "of" names a document ("the Protocol of 12 November 1947"), not the day
    of the notification, and is passed over.
    """
    eff = _EFFECT.search(sentence)
    cut = eff.start() if eff else len(sentence)
    notified = effective = None
    for pos, date in dates:
        if pos < cut and notified is None:
            if not re.search(r"\bof\s*$", sentence[:pos]):
                notified = date
        elif pos >= cut and effective is None:
            effective = date
    return notified, effective


@dataclass
class _Draft:
    participant: str | None
    notified: dt.date | None
    effective: dt.date | None
    note_index: str
    text: str
    kind: ActionKind


def _note_withdrawals(index: str, blocks: list[_Block]) -> list[_Draft]:
    """Withdrawals recorded in one end note: its paragraphs (str) and tables (rows of cells)."""
    drafts: list[_Draft] = []
    intro: str | None = None
    last: _Draft | None = None  # the record the previous sentence made
    for block in blocks:
        if isinstance(block, list):
            if intro is not None:
                drafts.extend(_table_withdrawals(index, intro, block))
            continue
        for sentence in _sentences(block):
            previous, last = last, None
            if _NOT_TREATY.search(sentence):
                continue
            if _INTRO.search(sentence):
                intro = sentence
            if "respectively" in sentence:
                continue  # several States and dates in one sentence: not one record
            # a sentence without a date records nothing (most have no year: a cheap test first)
            dates = list(_prose_dates(sentence)) if _YEAR.search(sentence) else []
            if not dates:
                continue
            if _REVOKED.search(sentence):
                name = _sentence_name(sentence)
                revoked = ActionKind.WITHDRAWAL_REVOKED
                drafts.append(_Draft(name, dates[0][1], None, index, sentence, revoked))
                continue
            notified, effective = _split_dates(sentence, dates)
            withdrawal = _WITHDRAWN.search(sentence) is not None
            if withdrawal and notified is not None:
                name = _sentence_name(sentence)
                last = _Draft(name, notified, effective, index, sentence, ActionKind.WITHDRAWAL)
                drafts.append(last)
            elif effective is not None:
                # "The withdrawal took effect on …" completes the record before it
                target = previous if previous is not None and previous.effective is None else None
                if target is None and (_INTRO.search(sentence) or _IT_TOOK_EFFECT.search(sentence)):
                    pending = [
                        d for d in drafts if d.kind is ActionKind.WITHDRAWAL and d.effective is None
                    ]
                    target = pending[-1] if pending else None
                if target is not None:
                    target.effective = effective
                    target.text += " " + sentence
                elif withdrawal:
                    name = _sentence_name(sentence)
                    kind = ActionKind.WITHDRAWAL
                    drafts.append(_Draft(name, None, effective, index, sentence, kind))
    return drafts


def _table_withdrawals(index: str, intro: str, rows: list[list[str]]) -> Iterator[_Draft]:
    """Rows of a note table such as Participant: | Date of notification: | Date of effect:."""
    if len(rows) < 2:
        return
    header = rows[0]
    who = _column_of(header, r"participant|state|government|countr|part(?:y|ies)|member") or 0
    notified_col = _column_of(header, r"^(?!.*depositary).*(?:notif|receiv|receipt)")
    effect_col = _column_of(header, r"effect")
    if notified_col is None and effect_col is None:
        return
    for cells in rows[1:]:
        by_column = dict(enumerate(cells))
        name = by_column.get(who, "").rstrip("* ")
        notified = (
            _first_date(by_column.get(notified_col, "")) if notified_col is not None else None
        )
        effective = _first_date(by_column.get(effect_col, "")) if effect_col is not None else None
        if not name or (notified is None and effective is None):
            continue
        yield _Draft(
            name, notified, effective, index, f"{intro} {' | '.join(cells)}", ActionKind.WITHDRAWAL
        )


def _column_of(header: list[str], pattern: str) -> int | None:
    return next((i for i, h in enumerate(header) if re.search(pattern, h, re.I)), None)


def _link(draft: _Draft, participants: list[UntcParticipant]) -> int | None:
    """The row a withdrawal belongs to: footnote number first, then the name."""
    footnoted = [p for p in participants if draft.note_index in p.footnotes]
    if draft.participant is None:
        return footnoted[0].row if len(footnoted) == 1 else None
    wanted = _norm_name(draft.participant)
    if not wanted:
        return None

    def contains(a: str, b: str) -> bool:
        return f" {a} " in f" {b} "

    for pool in (footnoted, participants):
        exact = [p for p in pool if _norm_name(p.name) == wanted]
        if len(exact) == 1:
            return exact[0].row
        near = [
            p
            for p in pool
            if _norm_name(p.name)
            and (contains(_norm_name(p.name), wanted) or contains(wanted, _norm_name(p.name)))
        ]
        if len(near) == 1:
            return near[0].row
    return None


def _withdrawals(
    note_blocks: dict[str, list[_Block]],
    participants: list[UntcParticipant],
    problems: list[UntcProblem],
) -> list[UntcWithdrawal]:
    found: list[UntcWithdrawal] = []
    seen: dict[tuple[ActionKind, str, dt.date | None], int] = {}
    for index, blocks in note_blocks.items():
        for d in _note_withdrawals(index, blocks):
            row = _link(d, participants)
            who = str(row) if row is not None else _norm_name(d.participant or "")
            key = (d.kind, who, d.notified)
            if key in seen and (d.notified is not None or who):
                # the same act told again in another note: keep the first, fill a missing effect
                i = seen[key]
                if found[i].effective is None and d.effective is not None:
                    found[i] = replace(found[i], effective=d.effective)
                continue
            seen[key] = len(found)
            found.append(
                UntcWithdrawal(d.participant, d.notified, d.effective, index, d.text, d.kind, row)
            )
            who = repr(d.participant or "(no name)")
            if row is None:
                problems.append(
                    UntcProblem(
                        "warning",
                        f"note {index}: {d.kind.value} of {who} could not be linked to a "
                        "participant row",
                    )
                )
            if d.notified and d.effective and d.effective < d.notified:
                problems.append(
                    UntcProblem(
                        "warning",
                        f"note {index}: the {d.kind.value} of {who} is written to take effect "
                        f"({d.effective}) before it was notified ({d.notified})",
                        row=row,
                        participant=d.participant if row is not None else None,
                    )
                )
    linked = {w.row for w in found}
    for p in participants:
        if p.withdrawn and p.row not in linked:
            problems.append(
                UntcProblem(
                    "warning",
                    "every date is bracketed (withdrawn) but no end note records the withdrawal",
                    row=p.row,
                    participant=p.name,
                )
            )
    return found


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------


def parse_untc_file(path: str | PathLike[str], *, strict: bool = False) -> UntcDocument:
    """Read and parse a status file; an unreadable file is a :class:`UntcParseError` too."""
    p = Path(path)
    from normwatch import inputs

    try:
        data = inputs.read_bytes(p, inputs.STATUS)
    except SourceError as exc:
        raise UntcParseError(str(exc).removeprefix(f"{p}: "), source=str(p)) from None
    return parse_untc(data, source=str(p), strict=strict)


def parse_untc(data: bytes, *, source: str = "<bytes>", strict: bool = False) -> UntcDocument:
    """Parse the bytes of an MTDSG status file.

    With ``strict=True`` the first action cell that cannot be read as an action raises
    :class:`UntcParseError` instead of becoming an error in ``problems``.
    """
    problems: list[UntcProblem] = []
    if not data.strip():
        raise UntcParseError("empty document", source=source)
    root = _parse_xml(_decode(data, problems), source, problems)
    treaty = root if root.tag == "Treaty" else root.find("Treaty")
    if treaty is None:
        raise UntcParseError(
            f"no <Treaty> element (the root is <{root.tag}>); not a UNTC status file",
            source=source,
        )
    chapter_header = treaty.find("Header/Chapter/Header")
    if chapter_header is None:
        raise UntcParseError("no chapter number", source=source, element="Header/Chapter/Header")
    chapter = _roman(_plain(chapter_header))
    if chapter is None:
        raise UntcParseError(
            f"no roman chapter number in {_plain(chapter_header)!r}",
            source=source,
            element="Header/Chapter/Header",
        )
    data_el = treaty.find("Header/ExternalData")
    if data_el is None:
        raise UntcParseError("missing", source=source, element="Header/ExternalData")
    numsect = _plain(data_el.find("Numsect"))
    if not numsect:
        raise UntcParseError("no item number", source=source, element="Header/ExternalData/Numsect")
    parts = [
        chapter,
        _plain(treaty.find("Header/SubChapter/Header")),
        numsect,
        _plain(data_el.find("Subnumsect")),
    ]
    reference = "-".join(p for p in parts if p)

    columns, participants = _participants(treaty, source, problems, strict)
    note_blocks = _end_notes(treaty, problems)
    notes = {
        index: "\n".join(
            b if isinstance(b, str) else "\n".join(" | ".join(r) for r in b) for b in blocks
        )
        for index, blocks in note_blocks.items()
    }
    for p in participants:
        missing = [ref for ref in p.footnotes if ref not in notes]
        if missing:
            problems.append(
                UntcProblem(
                    "warning",
                    f"footnote(s) {', '.join(missing)} not found in EndNotes",
                    row=p.row,
                    participant=p.name,
                )
            )
    withdrawals = _withdrawals(note_blocks, participants, problems)
    title = _plain(data_el.find("Titlesect")) or _plain(data_el.find("Subtitlesect"))
    return UntcDocument(
        source=source,
        reference=reference,
        chapter=chapter,
        chapter_name=_plain(treaty.find("Header/Chapter/Name")),
        title=title,
        conclusion=_plain(data_el.find("Conclusion")),
        eif_text=_plain(data_el.find("EIF/Labeltext")),
        status_signatories=_count(data_el.find("Status/Signatories"), problems),
        status_parties=_count(data_el.find("Status/Parties"), problems),
        columns=columns,
        participants=participants,
        notes=notes,
        withdrawals=withdrawals,
        problems=problems,
    )


def _roman(text: str) -> str | None:
    words = text.split()
    if words and re.fullmatch(r"[IVXLCDM]+", words[-1]):
        return words[-1]
    return None


def _count(el: ET.Element | None, problems: list[UntcProblem]) -> int | None:
    text = _plain(el)
    if not text:
        return None
    if re.fullmatch(r"[0-9]{1,9}", text):
        return int(text)
    problems.append(UntcProblem("warning", f"Status count {text!r} is not a number"))
    return None


def _end_notes(treaty: ET.Element, problems: list[UntcProblem]) -> dict[str, list[_Block]]:
    """EndNotes/Note → index: paragraphs (str) and note tables (rows of cells), in order."""
    notes: dict[str, list[_Block]] = {}
    for note in treaty.findall("EndNotes/Note"):
        index = _plain(note.find("index"))
        if not index:
            problems.append(UntcProblem("warning", "an EndNotes/Note without an index was skipped"))
            continue
        blocks: list[_Block] = []
        for child in note:
            if child.tag == "text":
                text = _plain(child)
                if text:
                    blocks.append(text)
            elif child.tag == "table":
                rows = [[_plain(col) for col in row.findall("col")] for row in child.findall("row")]
                rows = [r for r in rows if any(r)]
                if rows:
                    blocks.append(rows)
        if index in notes:
            problems.append(
                UntcProblem(
                    "warning",
                    f"EndNotes: note {index} appears twice; the second is appended to the first",
                )
            )
            notes[index].extend(blocks)
        else:
            notes[index] = blocks
    return notes


def _participants(
    treaty: ET.Element, source: str, problems: list[UntcProblem], strict: bool
) -> tuple[list[UntcColumn], list[UntcParticipant]]:
    element = treaty.find("Participants")
    if element is None:
        problems.append(
            UntcProblem("warning", "no Participants table (a header-only file); no participants")
        )
        return [], []
    tgroup = element.find("Table/TGroup")
    if tgroup is None:
        raise UntcParseError("no table", source=source, element="Participants/Table/TGroup")
    head = tgroup.find("Thead/Row")
    headers = [] if head is None else [_plain(e) for e in head.findall("Entry")]
    if len(headers) < 2:
        raise UntcParseError(
            f"the header row has {len(headers)} cell(s); a participant column and at least one "
            "action column are needed",
            source=source,
            element="Participants/Table/TGroup/Thead/Row",
        )
    ncols = len(headers)
    declared = tgroup.get("cols")
    if declared is not None and declared.strip() != str(ncols):
        problems.append(
            UntcProblem("warning", f"TGroup cols={declared!r} but the header row has {ncols} cells")
        )
    columns = [_column(i, headers[i - 1], problems) for i in range(2, ncols + 1)]
    body = tgroup.find("Tbody/Rows")
    rows = tgroup.findall("Tbody/Row") if body is None else body.findall("Row")
    if not rows:
        raise UntcParseError(
            f"the participants table declares {ncols} columns but has no rows",
            source=source,
            element="Participants/Table/TGroup/Tbody/Rows",
        )
    participants: list[UntcParticipant] = []
    for number, row in enumerate(rows, start=1):
        p = _row(number, row, columns, source, problems, strict)
        if p is not None:
            participants.append(p)
    return columns, participants


def _row(
    number: int,
    row: ET.Element,
    columns: list[UntcColumn],
    source: str,
    problems: list[UntcProblem],
    strict: bool,
) -> UntcParticipant | None:
    # most cells hold text only: no child elements to walk
    cells = [_element_text(e) if len(e) else e.text or "" for e in row.findall("Entry")]
    ncols = len(columns) + 1
    raw_name = cells[0] if cells else ""
    name, footnotes = _clean(raw_name)
    if len(cells) < ncols:
        raise UntcParseError(
            f"{name or 'unnamed row'} has {len(cells)} cell(s); the header has {ncols}",
            source=source,
            element=_ROW,
            row=number,
        )
    if len(cells) > ncols:
        if any(_collapse(c) for c in cells[ncols:]):
            raise UntcParseError(
                f"{name or 'unnamed row'} has {len(cells)} cells with text; the header has {ncols}",
                source=source,
                element=_ROW,
                row=number,
            )
        problems.append(
            UntcProblem(
                "warning",
                f"{len(cells) - ncols} extra empty cell(s) ignored",
                row=number,
                participant=name or None,
            )
        )
    if not name:
        if any(_collapse(c) for c in cells[1:ncols]):
            raise UntcParseError(
                "a row with dates has no participant name",
                source=source,
                element=_ROW,
                row=number,
            )
        problems.append(UntcProblem("warning", "an empty row was skipped", row=number))
        return None
    actions: list[UntcAction] = []
    dated = bracketed = 0
    for column, raw in zip(columns, cells[1:ncols], strict=True):
        try:
            cell = parse_cell(raw)
        except UntcCellError as exc:
            if exc.impossible:
                raise UntcParseError(
                    f"{name}, {column.header!r}: {exc}",
                    source=source,
                    element=_ROW,
                    row=number,
                    column=column.index,
                ) from None
            _cell_problem(
                f"{column.header!r}: {exc}", number, column, name, source, problems, strict
            )
            continue
        if cell is None:
            continue
        dated += 1
        bracketed += cell.bracketed
        kind = column.default_kind if cell.code is None else column.legend.get(cell.code)
        if kind is None:
            if cell.code is None:
                why = "a date without a legend letter, and the column has no single such action"
            elif cell.code in column.unmapped_codes:
                why = (
                    f"legend letter {cell.code!r} means "
                    f"{column.unmapped_codes[cell.code]!r}, which normwatch does not record"
                )
            else:
                why = f"legend letter {cell.code!r} is not in the column header"
            _cell_problem(
                f"{column.header!r}: {_collapse(raw)!r}: {why}",
                number,
                column,
                name,
                source,
                problems,
                strict,
            )
            continue
        actions.append(UntcAction(kind, cell.date, column.index, cell.code, cell.bracketed, raw))
    return UntcParticipant(
        row=number,
        name=name,
        raw_name=raw_name,
        footnotes=footnotes,
        actions=actions,
        withdrawn=dated > 0 and bracketed == dated,
    )


def _cell_problem(
    message: str,
    row: int,
    column: UntcColumn,
    name: str,
    source: str,
    problems: list[UntcProblem],
    strict: bool,
) -> None:
    if strict:
        raise UntcParseError(
            f"{name}, {message}",
            source=source,
            element=_ROW,
            row=row,
            column=column.index,
        )
    problems.append(UntcProblem("error", message, row=row, column=column.index, participant=name))
