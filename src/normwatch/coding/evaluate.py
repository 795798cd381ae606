"""Measuring a coder against gold labels: precision, recall and F1 per code, overall and per
language, and the statements it got wrong.

Conventions (each code is a yes/no decision per statement):

* ``precision = tp / (tp + fp)``, ``recall = tp / (tp + fn)``, ``f1 = 2tp / (2tp + fp + fn)``,
  ``support = tp + fn`` (the gold positives). A ratio whose denominator is 0 is ``None``; so a
  code neither in the gold nor predicted has F1 ``None`` and is left out of the macro average.
* ``micro_f1`` pools the counts of all codes; ``macro_f1`` is the mean of the codes' F1.
* A statement in a language the codebook cannot read counts as predicted with no code and is
  listed among the errors with ``"error": "unsupported language"``.

* Confidence intervals come from a seeded bootstrap over statements (``BOOTSTRAP_RESAMPLES``
  resamples of the statements with replacement, percentile interval at ``CI_LEVEL``): the same
  file always gives the same interval, and a small set shows how little it proves. Each code's
  ``f1_ci`` and the top-level ``macro_f1_ci`` and ``micro_f1_ci`` are ``[low, high]`` or ``None``.

The result (:func:`evaluate`) is JSON-ready with the keys ``per_code``, ``macro_f1``,
``micro_f1``, ``per_language``, ``per_family`` (items that name a ``family``), ``errors`` (and
``n``, ``codebook``, ``method``, ``unsupported``, ``macro_f1_ci``, ``micro_f1_ci``,
``bootstrap``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from normwatch.coding.codebook import Codebook
from normwatch.coding.corpus import LabelledText, read_labelled
from normwatch.coding.lang import UnsupportedLanguageError
from normwatch.errors import DataError

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261207
CI_LEVEL = 0.95

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


def bootstrap_intervals(
    pairs: Sequence[tuple[Iterable[str], Iterable[str]]],
    codes: Sequence[str],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CI_LEVEL,
) -> dict[str, Any]:
    """Percentile bootstrap intervals of each code's F1 and of the macro and micro F1.

    Statements are resampled with replacement (a multinomial weight per statement), so codes
    stay paired within a statement. A statistic undefined in a resample (a code with no gold
    and no predicted positive) is left out of that resample's macro mean; an interval with
    fewer than half its resamples defined is ``None``.
    """
    import numpy as np

    n = len(pairs)
    empty: dict[str, Any] = {"per_code": {c: None for c in codes}, "macro": None, "micro": None}
    if n == 0 or not codes:
        return empty
    tp = np.zeros((n, len(codes)))
    fp = np.zeros((n, len(codes)))
    fn = np.zeros((n, len(codes)))
    for i, (gold_labels, predicted_labels) in enumerate(pairs):
        gold, pred = set(gold_labels), set(predicted_labels)
        for j, c in enumerate(codes):
            tp[i, j] = c in gold and c in pred
            fp[i, j] = c in pred and c not in gold
            fn[i, j] = c in gold and c not in pred
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(float)
    tp_b, fp_b, fn_b = weights @ tp, weights @ fp, weights @ fn
    denom = 2 * tp_b + fp_b + fn_b
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denom > 0, 2 * tp_b / denom, np.nan)
        defined = ~np.isnan(f1)
        macro = np.where(
            defined.any(axis=1),
            np.nansum(f1, axis=1) / np.maximum(defined.sum(axis=1), 1),
            np.nan,
        )
        micro_denom = denom.sum(axis=1)
        micro = np.where(micro_denom > 0, 2 * tp_b.sum(axis=1) / micro_denom, np.nan)
    tail = (1 - level) / 2 * 100

    def interval(values: Any) -> list[float] | None:
        ok = values[~np.isnan(values)]
        if len(ok) < resamples / 2:
            return None
        low, high = np.percentile(ok, [tail, 100 - tail])
        return [round(float(low), 4), round(float(high), 4)]

    return {
        "per_code": {c: interval(f1[:, j]) for j, c in enumerate(codes)},
        "macro": interval(macro),
        "micro": interval(micro),
    }


def _group_scores(
    groups: dict[str, list[tuple[frozenset[str], set[str]]]], codes: Sequence[str]
) -> dict[str, Any]:
    out = {}
    for key in sorted(groups):
        s = scores(groups[key], codes)
        out[key] = {
            "n": s["n"],
            "macro_f1": s["macro_f1"],
            "micro_f1": s["micro_f1"],
            "per_code": s["per_code"],
        }
    return out


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
    by_family: dict[str, list[tuple[frozenset[str], set[str]]]] = {}
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
        if item.family:
            by_family.setdefault(item.family, []).append((item.labels, predicted))
        if predicted != item.labels or problem:
            row: dict[str, Any] = {
                "id": item.id,
                "lang": item.lang,
                "expected": [c for c in codes if c in item.labels],
                "predicted": [c for c in codes if c in predicted],
                "missing": [c for c in codes if c in item.labels and c not in predicted],
                "extra": [c for c in codes if c in predicted and c not in item.labels],
            }
            if item.family:
                row["family"] = item.family
            if problem:
                row["error"] = problem
            errors.append(row)
    overall = scores(pairs, codes)
    intervals = bootstrap_intervals(pairs, codes)
    per_code = {c: {**s, "f1_ci": intervals["per_code"][c]} for c, s in overall["per_code"].items()}
    return {
        "codebook": codebook.id,
        "method": method,
        "n": overall["n"],
        "per_code": per_code,
        "macro_f1": overall["macro_f1"],
        "macro_f1_ci": intervals["macro"],
        "micro_f1": overall["micro_f1"],
        "micro_f1_ci": intervals["micro"],
        "bootstrap": {
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": BOOTSTRAP_SEED,
            "level": CI_LEVEL,
        },
        "per_language": _group_scores(by_lang, codes),
        "per_family": _group_scores(by_family, codes),
        "unsupported": unsupported,
        "errors": errors,
    }


def evaluate_file(
    gold: str | Path,
    codebook: Codebook,
    *,
    method: str = "rules",
    model: ModelBundle | None = None,
    union_with: Sequence[Codebook] = (),
) -> dict[str, Any]:
    """Read a gold JSONL file and evaluate ``method`` on it. With ``union_with`` (codebooks
    with the same codes, e.g. the same questions about another treaty's withdrawals) a
    statement's predicted codes are the union of every codebook's."""
    from normwatch.coding import code_text

    items = read_labelled(gold, codebook)
    for other in union_with:
        if other.code_ids != codebook.code_ids:
            raise DataError(
                f"codebook {other.id!r} does not have the codes of {codebook.id!r}",
                where="--union-with",
            )

    def predict(item: LabelledText) -> set[str]:
        found = set(
            code_text(item.text, codebook, lang=item.lang, method=method, model=model).labels
        )
        for other in union_with:
            found |= set(code_text(item.text, other, lang=item.lang, method=method).labels)
        return found

    result = evaluate(items, predict, codebook, method=method)
    if union_with:
        result["codebook"] = "+".join([codebook.id, *(b.id for b in union_with)])
    return result
