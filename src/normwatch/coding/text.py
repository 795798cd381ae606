"""Sentence splitting for English, French and Spanish statements, keeping character offsets.

``split_sentences(text)`` returns :class:`Sentence` spans such that ``text[s.start:s.end] ==
s.text`` always; each span is stripped of surrounding white space and the spans, in order,
cover every non-space character of the text.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by
white space, and at a blank line. A full stop does not end a sentence after a known abbreviation
("Mr.", "Art.", "No.", "Sr.", "Mme.", "núm."), after a single capital (an initial) or when the
next word starts in lower case; decimal numbers ("3.5") never contain the white space needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: abbreviations (lower case, without the final dot) after which a full stop never ends a
#: sentence: titles and forms of address, always followed by a name
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # English
        "mr",
        "mrs",
        "ms",
        "messrs",
        "dr",
        "prof",
        "rev",
        "hon",
        "amb",
        "st",
        "gen",
        "col",
        "lt",
        "capt",
        "sgt",
        "h.e",
        "u.n",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "viz",
        "cf",
        "vs",
        "al",
        "approx",
        "dept",
        "jr",
        # French
        "mm",
        "mme",
        "mmes",
        "mlle",
        "mlles",
        "s.e",
        "ll.ee",
        "p.ex",
        "env",
        # Spanish
        "sr",
        "sra",
        "sres",
        "sras",
        "srta",
        "srtas",
        "dña",
        "dra",
        "lic",
        "excmo",
        "excma",
        "excmos",
        "ilmo",
        "ilma",
        "ud",
        "uds",
        "vd",
        "vds",
        "p.ej",
        "aprox",
        "ee.uu",
    }
)

#: abbreviations that introduce a number or a numeral ("No. 5", "Art. 20", "Arts. XX", "p. 3");
#: a full stop after them ends a sentence only when no number follows
NUMBERED_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "no",
        "nos",
        "n°",
        "nº",
        "núm",
        "nro",
        "art",
        "arts",
        "para",
        "paras",
        "p",
        "pp",
        "pág",
        "págs",
        "vol",
        "ch",
        "chap",
        "cap",
        "sec",
        "fig",
        "op",
        "ref",
        "doc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ene",
        "abr",
        "ago",
        "dic",
        "janv",
        "févr",
        "avr",
        "juil",
        "déc",
    }
)

#: abbreviations that may close a sentence: they end one when the next word is capitalised
SENTENCE_FINAL_ABBREVIATIONS: frozenset[str] = frozenset({"etc", "etc.", "ect"})

_CANDIDATE = re.compile(
    # the first character alone decides which branch applies; putting it first lets the regex
    # engine skip quickly to the places where a sentence may end
    r"""
    [.!?…\n]
    (?:
      (?<=[.!?…])[.!?…]*          # sentence-final punctuation,
      (?P<close>["'”’»)\]]*)      # closing quotes or brackets,
      (?P<space>\s+)              # white space (required)
    |
      (?<=\n)[ \t\r\f\v]*\n\s*     # or a blank line
    )
    """,
    re.VERBOSE,
)
#: read backwards from a full stop (in the reversed text): the word before it, then the rest
#: of the token (dots, apostrophes and hyphens included: "U.N", "e.g", "n°", "Art")
_TOKEN_BACKWARDS = re.compile(r"([\w°º]*)([\w°º.'’-]*)")
_NEXT_START = re.compile(r"""["'“‘«(\[¿¡]*\s*(?P<ch>\S)""")
_NUMBER_NEXT = re.compile(r"\s*(?:\d|[IVXLC]+\b)")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str, *, extra_abbreviations: Iterable[str] = ()) -> list[Sentence]:
    """The sentences of ``text`` with their offsets (see the module documentation)."""
    extra = {a.lower().rstrip(".") for a in extra_abbreviations}
    abbreviations = ABBREVIATIONS | extra if extra else ABBREVIATIONS
    cuts: list[int] = []
    reverse = ""
    for m in _CANDIDATE.finditer(text):
        start = m.start()
        if text[start] == "\n":
            cuts.append(start)
            continue
        close = m.start("close")
        end_of_stop = m.end("close")
        if close - start == 1 and text[start] == ".":
            # a single full stop: not after an abbreviation, unless a quote or bracket follows
            if close == end_of_stop:
                if not reverse:
                    reverse = text[::-1]
                if not _ends_sentence_after_dot(text, reverse, start, m.end(), abbreviations):
                    continue
        elif _next_is_lower(text, m.end()):
            # "... million... were lost", "¿verdad? y ...": the sentence goes on
            continue
        cuts.append(end_of_stop)
    spans: list[Sentence] = []
    begin = 0
    for cut in [*cuts, len(text)]:
        _add(text, begin, cut, spans)
        begin = cut
    return spans


def _add(text: str, start: int, end: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(start, end, text[start:end]))


def _ends_sentence_after_dot(
    text: str, reverse: str, dot: int, after: int, abbreviations: frozenset[str]
) -> bool:
    """Whether the single full stop at ``dot`` (followed by white space up to ``after``)
    closes a sentence (``reverse`` is ``text`` reversed)."""
    if after >= len(text):
        return True
    # the token before the dot: a run of word characters (``word``) and, before it, of word
    # characters, dots, apostrophes and hyphens (``head``): "U.N", "e.g", "n°", "Art"; read
    # backwards in the reversed text, at most 40 characters
    n = len(text)
    m = _TOKEN_BACKWARDS.match(reverse, n - dot, n - max(0, dot - 40))
    assert m is not None  # both groups may be empty
    word = m.group(1)[::-1]
    if not word:  # a stop after punctuation or space: "... )." or " ."
        return True
    head = m.group(2)[::-1]
    token = (head + word).lower().lstrip("'’-")
    last = word.lower()
    next_lower = _next_is_lower(text, after)
    if token in abbreviations or (last in abbreviations and not head):
        return False
    if token in NUMBERED_ABBREVIATIONS or (last in NUMBERED_ABBREVIATIONS and not head):
        return _NUMBER_NEXT.match(text, after) is None and not next_lower
    if last in SENTENCE_FINAL_ABBREVIATIONS or token in SENTENCE_FINAL_ABBREVIATIONS:
        return not next_lower
    if len(word) == 1 and word.isalpha() and word.isupper() and not head:
        # an initial ("J. Smith") — unless it is a one-letter word ending the sentence
        return False
    if "." in head and len(word) <= 2 and word.isalpha():
        # dotted initialisms: "U.N.", "e.g." written with their own dots
        return not next_lower and word.isupper() and len(token) > 4
    return not next_lower


def _next_is_lower(text: str, pos: int) -> bool:
    m = _NEXT_START.match(text, pos)
    return m is not None and m.group("ch").islower()
