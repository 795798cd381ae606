"""Measuring a coder against gold labels: precision, recall and F1 per code, overall and per
language, and the statements it got wrong.

Conventions (each code is a yes/no decision per statement):

* ``precision = tp / (tp + fp)``, ``recall = tp / (tp + fn)``, ``f1 = 2tp / (2tp + fp + fn)``,
  ``support = tp + fn`` (the gold positives). A ratio whose denominator is 0 is ``None``; so a
  code neither in the gold nor predicted has F1 ``None`` and is left out of the macro average.
* ``micro_f1`` pools the counts of all codes; ``macro_f1`` is the mean of the codes' F1.
* A statement in a language the codebook cannot read counts as predicted with no code and is
  listed among the errors with ``"error": "unsupported language"``.

The result (:func:`evaluate`) is JSON-ready with the keys ``per_code``, ``macro_f1``,
``micro_f1``, ``per_language``, ``errors`` (and ``n``, ``codebook``, ``method``,
``unsupported``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from normwatch.coding.codebook import Codebook
from normwatch.coding.corpus import LabelledText, read_labelled
from normwatch.coding.lang import UnsupportedLanguageError

if TYPE_CHECKING:
    from normwatch.coding.classifier import ModelBundle


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        denom = 2 * self.tp + self.fp + self.fn
        f1 = 2 * self.tp / denom if denom else None
        return {
            "precision": _r(p),
            "recall": _r(r),
            "f1": _r(f1),
            "support": self.tp + self.fn,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def scores(
    pairs: Iterable[tuple[Iterable[str], Iterable[str]]], codes: Sequence[str]
) -> dict[str, Any]:
    """``per_code``, ``micro_f1`` and ``macro_f1`` of (gold, predicted) label pairs."""
    counts = {c: _Counts() for c in codes}
    total = _Counts()
    n = 0
    for gold_labels, predicted_labels in pairs:
        n += 1
        gold, pred = set(gold_labels), set(predicted_labels)
        for c in codes:
            k = counts[c]
            if c in gold and c in pred:
                k.tp += 1
            elif c in pred:
                k.fp += 1
            elif c in gold:
                k.fn += 1
    for k in counts.values():
        total.tp += k.tp
        total.fp += k.fp
        total.fn += k.fn
    per_code = {c: counts[c].scores() for c in codes}
    f1s = [v["f1"] for v in per_code.values() if v["f1"] is not None]
    return {
        "n": n,
        "per_code": per_code,
        "micro_f1": total.scores()["f1"],
        "macro_f1": _r(sum(f1s) / len(f1s)) if f1s else None,
    }


def evaluate(
    items: Sequence[LabelledText],
    predict: Callable[[LabelledText], set[str]],
    codebook: Codebook,
    *,
    method: str = "",
) -> dict[str, Any]:
    """Score ``predict`` (a statement → its predicted codes) on gold ``items``.

    ``predict`` may raise :class:`UnsupportedLanguageError`; the statement then counts as
    coded with nothing and is reported among the errors.
    """
    codes = codebook.code_ids
    pairs: list[tuple[frozenset[str], set[str]]] = []
    by_lang: dict[str, list[tuple[frozenset[str], set[str]]]] = {}
    errors: list[dict[str, Any]] = []
    unsupported = 0
    for item in items:
        problem = None
        try:
            predicted = set(predict(item))
        except UnsupportedLanguageError as exc:
            predicted, problem = set(), f"unsupported language: {exc}"
            unsupported += 1
        pairs.append((item.labels, predicted))
        by_lang.setdefault(item.lang or "?", []).append((item.labels, predicted))
        if predicted != item.labels or problem:
            row: dict[str, Any] = {
                "id": item.id,
                "lang": item.lang,
                "expected": [c for c in codes if c in item.labels],
                "predicted": [c for c in codes if c in predicted],
                "missing": [c for c in codes if c in item.labels and c not in predicted],
                "extra": [c for c in codes if c in predicted and c not in item.labels],
            }
            if problem:
                row["error"] = problem
            errors.append(row)
    overall = scores(pairs, codes)
    per_language = {}
    for lang in sorted(by_lang):
        s = scores(by_lang[lang], codes)
        per_language[lang] = {
            "n": s["n"],
            "macro_f1": s["macro_f1"],
            "micro_f1": s["micro_f1"],
            "per_code": s["per_code"],
        }
    return {
        "codebook": codebook.id,
        "method": method,
        "n": overall["n"],
        "per_code": overall["per_code"],
        "macro_f1": overall["macro_f1"],
        "micro_f1": overall["micro_f1"],
        "per_language": per_language,
        "unsupported": unsupported,
        "errors": errors,
    }


def evaluate_file(
    gold: str | Path, codebook: Codebook, *, method: str = "rules", model: ModelBundle | None = None
) -> dict[str, Any]:
    """Read a gold JSONL file and evaluate ``method`` on it."""
    from normwatch.coding import code_text

    items = read_labelled(gold, codebook)

    def predict(item: LabelledText) -> set[str]:
        return set(
            code_text(item.text, codebook, lang=item.lang, method=method, model=model).labels
        )

    return evaluate(items, predict, codebook, method=method)
