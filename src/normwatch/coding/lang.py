"""Offline, deterministic language identification.

``detect_language(text)`` returns an ISO 639-1 code ("en", "fr", "de", "ru" ...) or ``None``
when the text gives too little to go on. It first counts frequent function words of a few
Latin-script languages (fast and reliable for statements of a sentence or more); when that is
not conclusive it asks :mod:`langdetect` (offline profiles shipped with the package, seeded so
the answer never changes between runs), if that package is installed.

Which languages a codebook can code is the codebook's business: :func:`require_language`
raises :class:`UnsupportedLanguageError` for any other, so a German or Russian statement is
reported, never silently coded as saying nothing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from normwatch.errors import NormwatchError

#: frequent function words; words shared by several of these languages count less
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "the",
            "of",
            "and",
            "to",
            "in",
            "that",
            "is",
            "was",
            "for",
            "with",
            "as",
            "on",
            "by",
            "this",
            "we",
            "it",
            "be",
            "are",
            "has",
            "have",
            "not",
            "which",
            "from",
            "its",
            "our",
            "an",
            "at",
            "or",
            "will",
            "would",
            "their",
            "been",
            "these",
            "they",
            "all",
            "also",
            "but",
            "should",
            "such",
            "any",
            "who",
            "those",
            "there",
            "were",
            "shall",
        }
    ),
    "fr": frozenset(
        {
            "le",
            "la",
            "les",
            "des",
            "du",
            "de",
            "et",
            "à",
            "au",
            "aux",
            "que",
            "qui",
            "est",
            "un",
            "une",
            "dans",
            "pour",
            "par",
            "sur",
            "nous",
            "ce",
            "cette",
            "ces",
            "il",
            "elle",
            "sont",
            "été",
            "pas",
            "ne",
            "avec",
            "son",
            "sa",
            "ses",
            "leur",
            "leurs",
            "notre",
            "nos",
            "d",
            "l",
            "qu",
            "n",
            "s",
            "c",
            "se",
            "aussi",
            "mais",
            "ou",
            "comme",
            "tous",
            "toutes",
            "être",
        }
    ),
    "es": frozenset(
        {
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "y",
            "en",
            "que",
            "es",
            "un",
            "una",
            "por",
            "para",
            "con",
            "su",
            "sus",
            "nos",
            "nuestro",
            "nuestra",
            "este",
            "esta",
            "estos",
            "estas",
            "se",
            "al",
            "lo",
            "no",
            "como",
            "pero",
            "también",
            "ha",
            "han",
            "fue",
            "son",
            "sobre",
            "todos",
            "todas",
            "ser",
            "le",
            "les",
            "o",
            "muy",
            "a",
        }
    ),
    "de": frozenset(
        {
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "den",
            "dem",
            "des",
            "zu",
            "mit",
            "sich",
            "auf",
            "für",
            "von",
            "wir",
            "ihr",
            "sie",
            "es",
            "auch",
            "als",
            "wird",
            "werden",
            "hat",
            "haben",
            "dass",
            "oder",
            "aus",
            "bei",
            "nach",
            "unsere",
            "unser",
            "im",
        }
    ),
    "it": frozenset(
        {
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "di",
            "del",
            "della",
            "dei",
            "delle",
            "e",
            "è",
            "che",
            "per",
            "con",
            "non",
            "un",
            "una",
            "sono",
            "nel",
            "nella",
            "anche",
            "come",
            "ci",
            "si",
            "al",
            "alla",
            "ha",
            "hanno",
            "questo",
            "questa",
            "nostro",
            "nostra",
        }
    ),
    "pt": frozenset(
        {
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "e",
            "é",
            "que",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "por",
            "se",
            "na",
            "no",
            "ao",
            "também",
            "como",
            "mas",
            "são",
            "foi",
            "nosso",
            "nossa",
            "este",
            "esta",
            "pelo",
            "pela",
        }
    ),
    "nl": frozenset(
        {
            "de",
            "het",
            "een",
            "en",
            "van",
            "is",
            "dat",
            "niet",
            "in",
            "op",
            "te",
            "met",
            "voor",
            "zijn",
            "wij",
            "ons",
            "onze",
            "die",
            "deze",
            "ook",
            "aan",
            "door",
            "worden",
            "wordt",
            "heeft",
            "hebben",
        }
    ),
}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
#: runs of letters, and of Latin letters (the range holds two non-letters: × and ÷); counted
#: by the run, not one character at a time, which is much faster on a long statement
_LETTERS = re.compile(r"[^\W\d_]+")
_LATIN_LETTERS = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]+")

#: word → [(language, weight)]; a word shared by several languages counts less for each
_WEIGHTS: dict[str, list[tuple[str, float]]] = {}
for _lang, _words in FUNCTION_WORDS.items():
    for _w in _words:
        _shared = sum(1 for ws in FUNCTION_WORDS.values() if _w in ws)
        _WEIGHTS.setdefault(_w, []).append((_lang, 1.0 / _shared))

_LOCK = threading.Lock()


class UnsupportedLanguageError(NormwatchError):
    """A text whose language is not one a codebook can code (or that could not be told)."""

    def __init__(
        self, lang: str | None, supported: Iterable[str], *, codebook: str | None = None
    ) -> None:
        self.lang = lang
        self.supported = tuple(supported)
        what = f"codebook {codebook!r}" if codebook else "this coder"
        listed = ", ".join(self.supported)
        if lang is None:
            message = (
                f"could not tell the language of the text; {what} reads {listed} "
                "(give the language explicitly)"
            )
        else:
            message = f"language {lang!r} is not supported by {what} (supported: {listed})"
        super().__init__(message)


def function_word_scores(text: str) -> dict[str, float]:
    """Weighted counts of each language's function words in ``text`` (lower-cased)."""
    scores = dict.fromkeys(FUNCTION_WORDS, 0.0)
    weights = _WEIGHTS
    for word in _WORD.findall(text.lower()):
        found = weights.get(word)
        if found is None and ("'" in word or "’" in word):
            # "l'engagement", "n'est": count the elided article or particle
            found = weights.get(re.split(r"['’]", word, maxsplit=1)[0])
        if found:
            for lang, weight in found:
                scores[lang] += weight
    return scores


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language of ``text``, or ``None`` if it cannot be told."""
    letters = sum(map(len, _LETTERS.findall(text)))
    if letters < 3:
        return None
    latin = sum(map(len, _LATIN_LETTERS.findall(text)))
    if latin >= 0.7 * letters:
        scores = function_word_scores(text)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        (best, top), (_, second) = ranked[0], ranked[1]
        if top >= 3 and top >= 2 * second:
            return best
        found = _langdetect(text)
        if found is not None:
            return found
        if top >= 1 and top > second:
            return best
        return None
    return _langdetect(text)


def require_language(
    text: str, supported: Iterable[str], lang: str | None = None, *, codebook: str | None = None
) -> str:
    """``lang`` (normalised) or the detected language, checked against ``supported``."""
    allowed = tuple(supported)
    code = normalise_lang(lang) if lang else detect_language(text)
    if code is None or code not in allowed:
        raise UnsupportedLanguageError(code, allowed, codebook=codebook)
    return code


def normalise_lang(lang: str) -> str:
    """``"EN"``, ``"en-GB"``, ``"fr_FR"`` → ``"en"``, ``"fr"``."""
    return re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]


def _langdetect(text: str) -> str | None:
    try:
        from langdetect import DetectorFactory, detect_langs  # type: ignore[import-untyped]
        from langdetect.lang_detect_exception import (  # type: ignore[import-untyped]
            LangDetectException,
        )
    except ImportError:  # optional: the function-word count alone decides
        return None
    with _LOCK:
        DetectorFactory.seed = 0
        try:
            found = detect_langs(text)
        except LangDetectException:
            return None
    if not found or found[0].prob < 0.7:
        return None
    code = str(found[0].lang)
    return normalise_lang(code)
