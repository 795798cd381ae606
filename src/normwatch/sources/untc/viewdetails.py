"""Read a UN Treaty Collection status page in HTML (``ViewDetails.aspx?...mtdsg_no=XXVI-6``).

The page shows what the MTDSG XML file holds: the chapter, the treaty's title and number, the
"Status as at" stamp, the Status counts, the participants table and the end notes. This module
reads those parts with the standard library's :mod:`html.parser` (through BeautifulSoup, linear
time), writes them into the element layout of the XML file and hands that to
:func:`~normwatch.sources.untc.mtdsg.parse_untc`, so an HTML page yields the very same
:class:`UntcDocument` (cells, legends, bracketed rows, withdrawals from end notes, problems) and
the importer's reconcile / report / apply path is reused unchanged.

What the page adds is kept: ``status_as_at`` (the page's date) and, on each withdrawal, the
depositary notification symbol (``C.N.347.2024.TREATIES-XXVI-6``) its note cites.

A page that is not a status page, or whose participants table is cut short, raises
:class:`UntcParseError`; nothing else is raised.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from normwatch.errors import SourceError
from normwatch.sources.untc.mtdsg import (
    UntcDocument,
    UntcParseError,
    UntcWithdrawal,
    parse_untc,
)

if TYPE_CHECKING:  # bs4 is imported only when a page is read: XML files do not need it
    from bs4 import Tag

__all__ = ["cn_symbols", "is_html", "parse_status", "parse_status_file", "parse_untc_html"]

_WS = re.compile(r"[\s\u200b\ufeff]+")
_STATUS_AS_AT = re.compile(r"STATUS\s+AS\s+AT\s*:?\s*(\d{1,2})-(\d{1,2})-(\d{4})", re.I)
_MTDSG_NO = re.compile(r"mtdsg_no=([IVXLCDM]+(?:-[0-9]+(?:-[A-Za-z0-9]+)*)?)", re.I)
_NUMBERED = re.compile(r"^\s*(\d+)\s*\.\s*(?:([a-z])\s*\)\s*)?(.*)$", re.S)
_COUNTS = re.compile(r"(Signatories|Parties)\s*:\s*([0-9]{1,9})", re.I)
# "C.N.347.2024.TREATIES-XXVI-6"; the page often breaks it after the year (a link ends there)
_CN = re.compile(
    r"C\.\s?N\.\s?(\d{1,5})\s?\.\s?(\d{4})\s?\.\s?(TREATIES(?:-[A-Z0-9]+)*)(?=[^A-Za-z0-9-]|$)"
)
_ID = "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_"


def _text(el: Tag | None) -> str:
    return "" if el is None else _WS.sub(" ", el.get_text(" ")).strip()


def is_html(data: bytes) -> bool:
    """Whether ``data`` is an HTML page (by content, not by name): ``<!DOCTYPE html`` or
    ``<html`` before any XML root element."""
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith(b"<?xml"):
        return b"<html" in head[:600]  # an XHTML page declares XML too
    return head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head and b"<treaty" not in head
    )


def cn_symbols(text: str) -> list[str]:
    """The depositary notification symbols a text cites, normalised, in order, once each."""
    seen: list[str] = []
    for m in _CN.finditer(text):
        symbol = f"C.N.{m.group(1)}.{m.group(2)}.{m.group(3)}"
        if symbol not in seen:
            seen.append(symbol)
    return seen


def parse_status_file(path: str | PathLike[str], *, strict: bool = False) -> UntcDocument:
    """Read a status file (MTDSG XML or ViewDetails HTML) and parse it."""
    p = Path(path)
    from normwatch import inputs

    try:
        data = inputs.read_bytes(p, inputs.STATUS)
    except SourceError as exc:
        raise UntcParseError(str(exc).removeprefix(f"{p}: "), source=str(p)) from None
    return parse_status(data, source=str(p), strict=strict)


def parse_status(data: bytes, *, source: str = "<bytes>", strict: bool = False) -> UntcDocument:
    """Parse a status listing, HTML page or MTDSG XML, told apart by content."""
    if is_html(data):
        return parse_untc_html(data, source=source, strict=strict)
    return parse_untc(data, source=source, strict=strict)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell_markup(td: Tag) -> str:
    """A table cell as the XML file writes it: text, footnote refs as ``<superscript>``."""
    from bs4 import Comment, Tag

    parts: list[str] = []
    for node in td.descendants:
        if isinstance(node, Tag):
            if node.name == "sup":
                refs = _text(node)
                if refs:
                    parts.append(f"<superscript>{refs}</superscript>")
            elif node.name == "br":
                parts.append(" ")
            continue
        if isinstance(node, Comment) or any(
            isinstance(a, Tag) and a.name == "sup" for a in node.parents if a is not td
        ):
            continue
        parts.append(str(node).replace("<", "&lt;"))
    return "".join(parts)


#: the most tags a status page may have (the depositary's largest, the CCW's, has 6,613)
MAX_TAGS = 50_000


def parse_untc_html(data: bytes, *, source: str = "<bytes>", strict: bool = False) -> UntcDocument:
    """Parse a ViewDetails status page into the document model of the XML parser."""
    from bs4 import BeautifulSoup, Tag

    if not data.strip():
        raise UntcParseError("empty document", source=source)
    if data.count(b"<") > MAX_TAGS:  # the tree would take minutes to build
        raise UntcParseError(
            f"more than {MAX_TAGS:,} tags: not a status page (the largest has under 7,000)",
            source=source,
        )
    text = _decode(data)
    soup = BeautifulSoup(text, "html.parser")
    stamp = soup.find(id=_ID + "div3")
    stamp_text = _text(stamp) if isinstance(stamp, Tag) else ""
    m = _STATUS_AS_AT.search(stamp_text)
    if m is None:
        raise UntcParseError(
            "no 'STATUS AS AT' stamp; not a UN Treaty Collection status page", source=source
        )
    try:
        as_at = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        raise UntcParseError(f"impossible date in {stamp_text!r}", source=source) from None

    def by_id(suffix: str) -> Tag | None:
        found = soup.find(id=_ID + suffix)
        return found if isinstance(found, Tag) else None

    chapter = _text(by_id("rptHead_ctl00_tcHead"))
    chapter_name = _text(by_id("rptHead_ctl00_tcText"))
    heading = _text(by_id("rptTreaty_ctl00_tcTreaty"))
    numbered = _NUMBERED.match(heading)
    if not chapter or numbered is None:
        raise UntcParseError(
            "no chapter or treaty number in the page header; not a status page", source=source
        )
    numsect, sub, title = numbered.group(1), numbered.group(2) or "", numbered.group(3).strip()
    mtdsg = _MTDSG_NO.search(text)

    table = soup.find(id=_ID + "tblgrid")
    if not isinstance(table, Tag):
        raise UntcParseError("no participants table", source=source, element="table#tblgrid")
    start = text.find(_ID + "tblgrid")
    if start < 0 or text.find("</table>", start) < 0:
        raise UntcParseError(
            "the participants table is cut short (no end of table)",
            source=source,
            element="table#tblgrid",
        )
    rows = [tr for tr in table.find_all("tr") if isinstance(tr, Tag)]
    if not rows:
        raise UntcParseError("the participants table is empty", source=source)

    treaty = ET.Element("Treaty")
    header = ET.SubElement(treaty, "Header")
    chap = ET.SubElement(header, "Chapter")
    ET.SubElement(chap, "Header").text = chapter
    ET.SubElement(chap, "Name").text = chapter_name
    ext = ET.SubElement(header, "ExternalData")
    ET.SubElement(ext, "Numsect").text = numsect
    ET.SubElement(ext, "Subnumsect").text = sub
    ET.SubElement(ext, "Titlesect").text = title
    ET.SubElement(ext, "Conclusion").text = _text(by_id("rptTreaty_ctl00_tcText"))
    ET.SubElement(ET.SubElement(ext, "EIF"), "Labeltext").text = _text(by_id("rptEIF_ctl00_tcText"))
    status = ET.SubElement(ext, "Status")
    for label, count in _COUNTS.findall(_text(by_id("rptStatus_ctl00_tcText"))):
        ET.SubElement(status, label.capitalize()).text = count

    tgroup = ET.SubElement(ET.SubElement(ET.SubElement(treaty, "Participants"), "Table"), "TGroup")
    thead = ET.SubElement(ET.SubElement(tgroup, "Thead"), "Row")
    for td in rows[0].find_all(["td", "th"], recursive=False):
        ET.SubElement(thead, "Entry").text = _text(td)
    body = ET.SubElement(ET.SubElement(tgroup, "Tbody"), "Rows")
    for tr in rows[1:]:
        row = ET.SubElement(body, "Row")
        for td in tr.find_all(["td", "th"], recursive=False):
            ET.SubElement(row, "Entry").text = _cell_markup(td)

    notes = ET.SubElement(treaty, "EndNotes")
    symbols: dict[str, str] = {}  # note index -> its text, to find C.N. symbols per sentence
    for div in soup.find_all("div", class_="divNotesAll"):
        if not isinstance(div, Tag):
            continue
        anchor = div.find("a", attrs={"name": True})
        index = _text(anchor) if isinstance(anchor, Tag) else ""
        if isinstance(anchor, Tag):
            anchor.extract()
        paragraphs = _paragraphs(div)
        note = ET.SubElement(notes, "Note")
        ET.SubElement(note, "index").text = index
        for p in paragraphs:
            ET.SubElement(note, "text").text = p.replace("<", "&lt;")
        symbols[index] = " ".join(paragraphs)

    xml = ET.tostring(treaty, encoding="utf-8", xml_declaration=True)
    doc = parse_untc(xml, source=source, strict=strict)
    # the page's own address names the listing (XXVI-2-a); the header gives the same parts
    reference = doc.reference
    if mtdsg is not None and mtdsg.group(1).startswith(doc.chapter + "-"):
        reference = mtdsg.group(1)
    withdrawals = [_with_symbol(w, symbols.get(w.note_index, "")) for w in doc.withdrawals]
    return replace(doc, reference=reference, status_as_at=as_at, withdrawals=withdrawals)


def _paragraphs(div: Tag) -> list[str]:
    """The note's paragraphs: text split at runs of ``<br>``."""
    from bs4 import Comment, Tag

    chunks: list[str] = []
    current: list[str] = []
    for node in div.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                chunks.append(" ".join(current))
                current = []
            continue
        if not isinstance(node, Comment):
            current.append(str(node))
    chunks.append(" ".join(current))
    return [c for c in (_WS.sub(" ", c).strip() for c in chunks) if c]


def _with_symbol(w: UntcWithdrawal, note_text: str) -> UntcWithdrawal:
    """The C.N. symbol cited right after the withdrawal's sentences, else the only one in the
    note."""
    start = note_text.find(w.text[:80]) if w.text else -1
    if start >= 0:
        after = note_text[start + len(w.text) :]
        head = re.match(
            r"\s*\((?:See\s+)?(?:depositary\s+)?notifications?\s+([^)]*)\)", after, re.I
        )
        found = cn_symbols(w.text) or (cn_symbols(head.group(1)) if head else [])
        if found:
            return replace(w, symbol=found[0])
    every = cn_symbols(note_text)
    return replace(w, symbol=every[0]) if len(every) == 1 else w
