"""The ``model`` method: a classifier trained on labelled statements.

One binary logistic regression per code over TF-IDF features of word uni- and bigrams and of
character 2–5-grams (within words), which copes with the three languages and their inflection
without any language resource. A statement is coded as a whole; the evidence for each code it
predicts is the sentence the same classifier scores highest. Implications are applied after.

A trained :class:`ModelBundle` is saved with :mod:`joblib` (a pickle: load only model files you
made or trust) together with its training metadata: date, number of examples, codebook id and
version, label counts, languages and the scikit-learn version.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from normwatch.coding.codebook import Codebook
from normwatch.coding.corpus import LabelledText
from normwatch.coding.result import CodeHit, CodingResult, Evidence
from normwatch.coding.text import split_sentences
from normwatch.errors import DataError, NormwatchError, SourceError

FORMAT = "normwatch-coding-model"
FORMAT_VERSION = 1
THRESHOLD = 0.5
CV_FOLDS = 5


@dataclass
class ModelBundle:
    """A trained coder for one codebook: features, one classifier per code, metadata."""

    codebook_id: str
    codebook_version: str
    codes: list[str]
    vectorizer: Any
    classifiers: dict[str, Any]  # a fitted classifier, or a float: a constant probability
    thresholds: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)

    # -- scoring

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """For each text, each code's probability."""
        if not texts:
            return []
        features = self.vectorizer.transform(list(texts))
        out: list[dict[str, float]] = [{} for _ in texts]
        for code in self.codes:
            clf = self.classifiers[code]
            if isinstance(clf, float):
                for row in out:
                    row[code] = clf
                continue
            probs = clf.predict_proba(features)[:, 1]
            for row, p in zip(out, probs, strict=True):
                row[code] = float(p)
        return out

    def predict(self, texts: Sequence[str]) -> list[set[str]]:
        return [
            {c for c, p in row.items() if p >= self.thresholds.get(c, THRESHOLD)}
            for row in self.probabilities(texts)
        ]

    def code(self, text: str, codebook: Codebook, lang: str | None) -> CodingResult:
        """Code one text; ``codebook`` must be the one the model was trained for."""
        self.check_codebook(codebook)
        probs = self.probabilities([text])[0]
        positive = [c for c in self.codes if probs[c] >= self.thresholds.get(c, THRESHOLD)]
        hits: dict[str, CodeHit] = {}
        if positive:
            sentences = split_sentences(text) or []
            scores = self.probabilities([s.text for s in sentences]) if sentences else []
            for code in positive:
                evidence: list[Evidence] = []
                if sentences:
                    best = max(range(len(sentences)), key=lambda i: scores[i][code])
                    s = sentences[best]
                    evidence = [Evidence.of(text, s.start, s.end)]
                hits[code] = CodeHit(code, probs[code], evidence)
        from normwatch.coding.patterns import apply_implications

        return CodingResult(codebook.id, "model", lang, apply_implications(codebook, hits))

    def check_codebook(self, codebook: Codebook) -> None:
        if codebook.id != self.codebook_id:
            raise DataError(
                f"the model was trained for codebook {self.codebook_id!r}, not {codebook.id!r}"
            )
        missing = sorted(set(codebook.code_ids) - set(self.codes))
        if missing:
            raise DataError(
                f"the model (codebook version {self.codebook_version}) does not "
                f"know the code(s) {', '.join(missing)}; train it again"
            )

    # -- persistence

    def save(self, path: str | Path) -> Path:
        import joblib  # type: ignore[import-untyped]

        p = Path(path)
        if p.parent and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "codebook_id": self.codebook_id,
            "codebook_version": self.codebook_version,
            "codes": self.codes,
            "vectorizer": self.vectorizer,
            "classifiers": self.classifiers,
            "thresholds": self.thresholds,
            "metadata": self.metadata,
        }
        try:
            joblib.dump(payload, p, compress=3)
        except OSError as exc:
            raise SourceError(f"cannot write the model to {p}: {exc.strerror or exc}") from exc
        return p


def load_model(path: str | Path) -> ModelBundle:
    """Load a model saved by :meth:`ModelBundle.save` (a trusted file: it is a pickle)."""
    import joblib

    p = Path(path)
    if not p.is_file():
        raise SourceError(f"model file not found: {p}")
    try:
        payload = joblib.load(p)
    except Exception as exc:  # a truncated, foreign or corrupt file
        raise DataError(
            f"not a normwatch model file ({type(exc).__name__}: {exc})", where=str(p)
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise DataError("not a normwatch model file", where=str(p))
    if payload.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"model format version {payload.get('format_version')} is not "
            f"supported (expected {FORMAT_VERSION}); train it again",
            where=str(p),
        )
    return ModelBundle(
        payload["codebook_id"],
        payload["codebook_version"],
        list(payload["codes"]),
        payload["vectorizer"],
        dict(payload["classifiers"]),
        dict(payload["thresholds"]),
        dict(payload["metadata"]),
    )


def train(examples: Sequence[LabelledText], codebook: Codebook, *, c: float = 10.0) -> ModelBundle:
    """Train a :class:`ModelBundle` on labelled statements of ``codebook``."""
    import sklearn  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

    if len(examples) < 2:
        raise NormwatchError(f"need at least 2 labelled statements to train, got {len(examples)}")
    texts = [e.text for e in examples]
    labels = [codebook.closure(e.labels) for e in examples]
    vectorizer = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    lowercase=True,
                    min_df=1,
                    token_pattern=r"(?u)\b\w+\b",
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    lowercase=True,
                    min_df=2 if len(texts) >= 20 else 1,
                ),
            ),
        ]
    )
    features = vectorizer.fit_transform(texts)
    classifiers: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    counts: Counter[str] = Counter()

    def new_classifier() -> Any:
        return LogisticRegression(
            C=c, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=0
        )

    for code in codebook.code_ids:
        y = [1 if code in lab else 0 for lab in labels]
        counts[code] = sum(y)
        thresholds[code] = THRESHOLD
        if 0 < counts[code] < len(y):
            clf = new_classifier()
            clf.fit(features, y)
            classifiers[code] = clf
            thresholds[code] = _cv_threshold(features, y, new_classifier)
        else:  # every example has it, or none: a constant
            classifiers[code] = 1.0 if counts[code] else 0.0
    from normwatch import __version__

    metadata = {
        "trained_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "n_examples": len(examples),
        "codebook_id": codebook.id,
        "codebook_version": codebook.version,
        "label_counts": {code: counts[code] for code in codebook.code_ids},
        "languages": dict(sorted(Counter(e.lang or "?" for e in examples).items())),
        "sklearn_version": sklearn.__version__,
        "normwatch_version": __version__,
        "python_version": platform.python_version(),
        "features": "tf-idf word 1-2-grams + char_wb 2-5-grams",
        "classifier": f"one-vs-rest logistic regression (liblinear, C={c}, balanced)",
        "thresholds": {code: round(t, 3) for code, t in thresholds.items()},
        "threshold_selection": f"{CV_FOLDS}-fold cross-validation on the training set "
        f"(F1-maximising), {THRESHOLD} when a code has fewer than "
        f"{CV_FOLDS} examples on either side",
    }
    return ModelBundle(
        codebook.id,
        codebook.version,
        list(codebook.code_ids),
        vectorizer,
        classifiers,
        thresholds,
        metadata,
    )


def _cv_threshold(features: Any, y: list[int], make: Any) -> float:
    """The decision threshold that maximises F1 on out-of-fold predictions."""
    from sklearn.model_selection import (  # type: ignore[import-untyped]
        StratifiedKFold,
        cross_val_predict,
    )

    positives = sum(y)
    if min(positives, len(y) - positives) < CV_FOLDS:
        return THRESHOLD
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=0)
    probs = cross_val_predict(make(), features, y, cv=folds, method="predict_proba")[:, 1]
    best, best_f1 = THRESHOLD, -1.0
    for step in range(10, 81, 5):
        t = step / 100
        tp = sum(1 for p, g in zip(probs, y, strict=True) if p >= t and g)
        fp = sum(1 for p, g in zip(probs, y, strict=True) if p >= t and not g)
        fn = positives - tp
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9 or (
            abs(f1 - best_f1) <= 1e-9 and abs(t - THRESHOLD) < abs(best - THRESHOLD)
        ):
            best, best_f1 = t, f1
    return best
