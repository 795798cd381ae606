"""Statement texts: extraction from TXT, PDF, DOCX and HTML files, and their language.

Extraction is local and deterministic (pypdf, python-docx, Beautiful Soup). Line ends are
normalised to ``\\n`` and runs of blank lines collapsed, so evidence spans are stable across
re-imports of the same file. Language detection uses the coder's detector
(:func:`normwatch.coding.lang.detect_language`), which is offline and deterministic.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from pathlib import Path

from normwatch import inputs
from normwatch.errors import SourceError

SUFFIXES = (".txt", ".pdf", ".docx", ".html", ".htm")


class NoTextError(SourceError):
    """The file was read and holds no text (a scanned PDF has no text layer)."""


def extract_text(path: Path) -> str:
    """The text of a TXT, PDF, DOCX or HTML file; :class:`SourceError` when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SourceError(f"unsupported file type {suffix or '(none)'} (use {', '.join(SUFFIXES)})")
    try:
        if suffix == ".txt":
            raw = _read_txt(path)
        elif suffix == ".pdf":
            raw = _read_pdf(path)
        elif suffix == ".docx":
            raw = _read_docx(path)
        else:
            raw = _read_html(path)
    except SourceError:
        raise
    except Exception as exc:  # the parsers raise many kinds of error for a broken file
        raise SourceError(f"cannot extract text: {type(exc).__name__}: {exc}") from None
    text = normalise(raw)
    if not text:
        raise NoTextError(
            "no text could be extracted (a scanned PDF: `normwatch meetings import-files` "
            "reads it by OCR)"
        )
    return text


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_txt(path: Path) -> str:
    data = inputs.read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError("a TXT file must be UTF-8") from None


#: a word broken at a line end by a hyphen, lower case on both sides: "with-\ndrawal"
_BROKEN_WORD = re.compile(r"(?<=[^\W\d_])-\n(?=[^\W\d_A-Z])")


def _read_pdf(path: Path) -> str:
    import logging

    from pypdf import PdfReader

    # pypdf logs what it repairs in a damaged file on stderr; an unreadable file still raises
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    data = inputs.read_bytes(path)
    # a crafted PDF can keep pypdf busy for ever: bounded by NORMWATCH_MAX_PDF_SECONDS
    deadline = inputs.Deadline(f"{path}: reading the PDF's text", inputs.PDF_SECONDS)
    with inputs.within(deadline):
        reader = PdfReader(io.BytesIO(data))
        pages = []
        for page in reader.pages:
            deadline.tick()
            pages.append(page.extract_text(visitor_operand_before=deadline.tick) or "")
    text = "\n\n".join(pages)
    # PDF lines are laid out, not written: a word hyphenated at a line end is one word
    # (a compound such as "well-\nknown" loses its hyphen - rarer in statements than the
    # broken words that would otherwise hide evidence)
    return _BROKEN_WORD.sub("", text)


def _read_docx(path: Path) -> str:
    import docx
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def blocks(parent: Document) -> list[str]:
        """Paragraphs and table cells in document order (statements are often in tables)."""
        out: list[str] = []
        for item in parent.iter_inner_content():
            if isinstance(item, Paragraph):
                out.append(item.text)
            elif isinstance(item, Table):
                for row in item.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell repeats in every column
                            continue
                        seen.add(id(cell._tc))
                        out.extend(p.text for p in cell.paragraphs)
        return out

    data = inputs.read_bytes(path)
    _check_unpacked(path, data)
    return "\n\n".join(blocks(docx.Document(io.BytesIO(data))))


def _check_unpacked(path: Path, data: bytes) -> None:
    """Refuse a DOCX whose parts unpack to more than the limit (a "zip bomb" of repeated
    runs), before python-docx builds them in memory."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise SourceError("not a DOCX file (not a zip archive)") from None
    if unpacked > inputs.limit(inputs.UNPACKED):
        raise SourceError(
            f"{path.name} unpacks to {unpacked:,} bytes, over the limit of "
            f"{inputs.limit(inputs.UNPACKED):,} (set {inputs.UNPACKED} to raise it)"
        )


def _read_html(path: Path) -> str:
    data = inputs.read_bytes(path)
    text = data.decode(_html_encoding(data), errors="replace")
    return html_text(text)


def _html_encoding(data: bytes) -> str:
    """The encoding a page declares (a byte-order mark, or ``charset=`` in its head), else
    UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:4096])
    if m:
        import codecs

        try:
            return codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


#: a comment, a declaration or processing instruction, or a tag (quoted attribute values may
#: hold ">"); no token but a comment runs past the next "<", so matching is linear
_HTML_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^<>]*>?"
    r"|<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:[^<>\"']|\"[^<\"]*\"|'[^<']*')*>",
    re.S,
)
#: elements whose content is raw text, not markup: skipped to their end tag at once
_HTML_RAW = ("script", "style")


def html_text(markup: str) -> str:
    """The paragraphs of an HTML page's text, each on one line, separated by blank lines.

    One pass over the page, linear in its size whatever its nesting: block elements become
    paragraph breaks, ``<br>`` a line break, and nothing inside script, style, head,
    navigation, header, footer or template elements is kept."""
    lower = markup.lower()
    parts: list[str] = []
    skipping = 0
    pos = 0
    while (m := _HTML_TOKEN.search(markup, pos)) is not None:
        if not skipping:
            parts.append(markup[pos : m.start()])
        pos = m.end()
        if m.group(2) is None:  # a comment or a declaration
            continue
        tag, closing = m.group(2).lower(), m.group(1) == "/"
        if tag in _HTML_RAW and not closing:
            end = lower.find(f"</{tag}", pos)
            pos = len(markup) if end < 0 else end
        elif tag in _HTML_SKIP:
            skipping = max(skipping - 1, 0) if closing else skipping + 1
        elif not skipping and tag in _HTML_BLOCKS:
            parts.append("\n\n")
        elif not skipping and tag == "br":
            parts.append("\n")
    if not skipping:
        parts.append(markup[pos:])
    text = html.unescape("".join(parts))
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


_HTML_SKIP = frozenset({"head", "nav", "header", "footer", "template"})
_HTML_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "td",
        "th",
        "tr",
        "table",
        "ul",
        "ol",
        "dd",
        "dt",
        "pre",
    }
)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` or None when it cannot be told."""
    try:
        from normwatch.coding.lang import detect_language as detect
    except ImportError:  # the coding feature is not installed: leave the language unknown
        return None
    return detect(text)
