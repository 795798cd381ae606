"""The ``model`` method: a classifier trained on labelled statements.

One binary logistic regression per code over TF-IDF features of word uni- and bigrams and of
character 2–5-grams (within words), which copes with the three languages and their inflection
without any language resource. A statement is coded as a whole; the evidence for each code it
predicts is the sentence the same classifier scores highest. Implications are applied after.

A trained :class:`ModelBundle` is saved as its fitted numbers, never as code: a NumPy ``.npz``
archive (read with ``allow_pickle=False``) of the vocabularies, IDF weights and coefficients,
with a JSON entry for the settings and the training metadata (date, number of examples,
codebook id and version, label counts, languages, the scikit-learn version). Loading rebuilds
the same estimators from them, so a model file cannot run code when it is loaded.
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
FORMAT_VERSION = 2
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
        import numpy as np

        p = Path(path)
        if p.parent and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {}
        vectorizers = []
        for name, vec in self.vectorizer.transformer_list:
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            vectorizers.append({"name": name, "params": _plain(vec.get_params()), "terms": terms})
            arrays[f"idf_{name}"] = vec.idf_
        constants: dict[str, float] = {}
        fitted: dict[str, dict[str, Any]] = {}
        for code, clf in self.classifiers.items():
            if isinstance(clf, float):
                constants[code] = clf
                continue
            fitted[code] = {"params": _plain(clf.get_params())}
            arrays[f"coef_{code}"] = clf.coef_
            arrays[f"intercept_{code}"] = clf.intercept_
            arrays[f"classes_{code}"] = clf.classes_
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "codebook_id": self.codebook_id,
            "codebook_version": self.codebook_version,
            "codes": self.codes,
            "vectorizers": vectorizers,
            "constants": constants,
            "classifiers": fitted,
            "thresholds": self.thresholds,
            "metadata": self.metadata,
        }
        import json

        try:
            with p.open("wb") as f:  # a file object: numpy adds no ".npz" to the name
                np.savez_compressed(f, header=np.array(json.dumps(header)), **arrays)
        except OSError as exc:
            raise SourceError(f"cannot write the model to {p}: {exc.strerror or exc}") from exc
        return p


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """An estimator's settings that JSON can hold (the dtype, a class, is left at its default)."""
    return {
        k: v
        for k, v in params.items()
        if v is None or isinstance(v, (str, int, float, bool, list, tuple))
    }


def load_model(path: str | Path) -> ModelBundle:
    """Load a model saved by :meth:`ModelBundle.save`: numbers and settings only, never code."""
    import io
    import json
    import zipfile

    import numpy as np

    from normwatch import inputs

    p = Path(path)
    if not p.is_file() and not p.exists():
        raise SourceError(f"model file not found: {p}")
    data = inputs.read_bytes(p)
    if not data.startswith(b"PK"):
        raise DataError(
            "not a normwatch model file of this version (an older model file is a pickle, "
            "which could run code when loaded, so it is not read): train it again",
            where=str(p),
        )
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            arrays = {k: z[k] for k in z.files if k != "header"}
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise DataError(
            f"not a normwatch model file ({type(exc).__name__}: {exc})", where=str(p)
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DataError("not a normwatch model file", where=str(p))
    if header.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"model format version {header.get('format_version')} is not "
            f"supported (expected {FORMAT_VERSION}); train it again",
            where=str(p),
        )
    try:
        return _rebuild(header, arrays)
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(
            f"a damaged model file ({type(exc).__name__}: {exc})", where=str(p)
        ) from None


def _rebuild(header: dict[str, Any], arrays: dict[str, Any]) -> ModelBundle:
    """The estimators of a saved model, from their settings and fitted numbers."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

    parts = []
    for v in header["vectorizers"]:
        params = dict(v["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        vec = TfidfVectorizer(**params)
        vec.vocabulary_ = {term: i for i, term in enumerate(v["terms"])}
        vec.idf_ = arrays[f"idf_{v['name']}"]
        parts.append((v["name"], vec))
    classifiers: dict[str, Any] = {c: float(x) for c, x in header["constants"].items()}
    for code, spec in header["classifiers"].items():
        clf = LogisticRegression(**spec["params"])
        clf.coef_ = arrays[f"coef_{code}"]
        clf.intercept_ = arrays[f"intercept_{code}"]
        clf.classes_ = arrays[f"classes_{code}"]
        clf.n_features_in_ = clf.coef_.shape[1]
        classifiers[code] = clf
    return ModelBundle(
        header["codebook_id"],
        header["codebook_version"],
        list(header["codes"]),
        FeatureUnion(parts),
        classifiers,
        {c: float(t) for c, t in header["thresholds"].items()},
        dict(header["metadata"]),
    )


def train(examples: Sequence[LabelledText], codebook: Codebook, *, c: float = 10.0) -> ModelBundle:
    """Train a :class:`ModelBundle` on labelled statements of ``codebook``."""
    import sklearn  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

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
