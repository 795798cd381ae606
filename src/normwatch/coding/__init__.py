"""Coding statements against a codebook: which codes apply to a text, and on what evidence.

    >>> from normwatch.coding import code_text
    >>> result = code_text("We deeply regret the decision of one State Party to leave the "
    ...                    "Convention.", "withdrawal-reaction")
    >>> result.labels
    ['mention', 'concern']

Two methods: ``rules`` (the codebook's patterns, :mod:`normwatch.coding.patterns`) and ``model``
(a classifier trained on labelled statements, :mod:`normwatch.coding.classifier`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from normwatch.coding.codebook import Codebook, list_codebooks, load_codebook
from normwatch.coding.lang import UnsupportedLanguageError, detect_language, require_language
from normwatch.coding.result import CodeHit, CodingResult, Evidence
from normwatch.errors import NormwatchError

if TYPE_CHECKING:
    from normwatch.coding.classifier import ModelBundle

METHODS = ("rules", "model")

__all__ = [
    "METHODS",
    "CodeHit",
    "Codebook",
    "CodingResult",
    "Evidence",
    "UnsupportedLanguageError",
    "code_text",
    "detect_language",
    "list_codebooks",
    "load_codebook",
]


def code_text(
    text: str,
    codebook: Codebook | str | Path,
    lang: str | None = None,
    method: str = "rules",
    model: ModelBundle | str | Path | None = None,
    treaty: str | None = None,
) -> CodingResult:
    """Code ``text`` with ``codebook`` (a :class:`Codebook`, an id or a path).

    ``lang`` is detected when not given; a language the codebook does not read (or one that
    cannot be told) raises :class:`UnsupportedLanguageError`. ``method`` is ``"rules"`` or
    ``"model"``; the model method needs ``model``
    (a :class:`~normwatch.coding.classifier.ModelBundle`
    or the path of a saved one) trained for the same codebook. ``treaty`` is the treaty of
    the meeting or document the text comes from, if known: at a meeting of another treaty,
    "the Convention" is that treaty (rules method; see :mod:`normwatch.coding.patterns`).
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    if method not in METHODS:
        raise NormwatchError(f"unknown coding method {method!r} (use {' or '.join(METHODS)})")
    if not book.automatic:
        raise NormwatchError(
            f"codebook {book.id!r} lists no languages or patterns: it is for "
            "coding by hand ('normwatch code set')"
        )
    code = require_language(text, book.languages, lang, codebook=book.id)
    if method == "rules":
        from normwatch.coding.patterns import code_with_rules

        result = code_with_rules(text, book, code, treaty=treaty)
    else:
        from normwatch.coding.classifier import ModelBundle, load_model

        if model is None:
            raise NormwatchError(
                "the model method needs a trained model (train one with "
                "'normwatch code train', then pass --model PATH)"
            )
        bundle = model if isinstance(model, ModelBundle) else load_model(model)
        result = bundle.code(text, book, code)
    if not book.multi_label and len(result.codes) > 1:
        result.codes = [max(result.codes, key=lambda h: h.confidence)]
    return result
