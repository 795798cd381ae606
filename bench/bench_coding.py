"""Benchmark: coding statements of about 250 words with the rules and the model methods.

Run: .venv/bin/python bench/bench_coding.py [--statements 2000] [--seconds 5]
Target: the rules method codes at least 1,000 statements a second on one core, on every rules
line (language given or detected, generated or corpus statements). Rates are medians of passes;
each line also gives its cost as a multiple of a floor measured in the same run (splitting the
same statements into sentences and lower-casing them), and the peak memory is printed.
Also reported: rules with language detection, and the model method (trained on
tests/data/coding/train.jsonl when present, else on the generated statements).

Two sets of statements of about 250 words, both with a fixed random seed:

* "generated": assembled from the sentences below (English, French, Spanish), a quarter of
  them sentences that fire codes — denser in signal than real statements;
* "corpus": the labelled statements of tests/data/coding (when present), each padded with
  further statements of the same language to about 250 words.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from normwatch.coding import code_text
from normwatch.coding.classifier import ModelBundle, train
from normwatch.coding.codebook import load_codebook
from normwatch.coding.corpus import LabelledText, read_labelled
from normwatch.coding.text import split_sentences

TRAIN = Path(__file__).resolve().parent.parent / "tests" / "data" / "coding" / "train.jsonl"

FILLER = {
    "en": [
        "Thank you, Mr. President, and congratulations on your election to the chair.",
        "Our national operators released more than twelve square kilometres of land last year.",
        "We thank the Implementation Support Unit for the quality of its documentation.",
        "Survivors in remote districts still travel for days to reach rehabilitation services.",
        "The analysis group has examined the extension request with great care.",
        "We have submitted our annual transparency report under Article 7 on time.",
        "Clearance in the northern provinces is expected to finish before the deadline.",
        "Risk education reached some forty thousand children in affected communities.",
    ],
    "fr": [
        "Merci, Monsieur le Président, et félicitations pour votre élection.",
        "Nos opérateurs ont remis à disposition plus de dix kilomètres carrés de terres.",
        "Nous remercions l'Unité d'appui à l'application pour la qualité de ses documents.",
        "Les victimes des zones reculées doivent encore parcourir de longues distances.",
        "Le groupe d'analyse a examiné la demande de prolongation avec le plus grand soin.",
        "Nous avons présenté notre rapport de transparence au titre de l'article 7.",
    ],
    "es": [
        "Gracias, señor Presidente, y enhorabuena por su elección.",
        "Nuestros operadores liberaron más de diez kilómetros cuadrados de tierra.",
        "Agradecemos a la Unidad de Apoyo a la Implementación la calidad de sus documentos.",
        "Las víctimas de las zonas remotas aún viajan días para recibir atención.",
        "El grupo de análisis examinó la solicitud de prórroga con gran cuidado.",
        "Hemos presentado a tiempo nuestro informe de transparencia del artículo 7.",
    ],
}
SIGNAL = {
    "en": [
        "We deeply regret the decision of one State Party to leave the Convention.",
        "We call on the withdrawing State to reconsider and to remain a party.",
        "We reaffirm our unwavering commitment to the Convention and its universalization.",
        "We condemn any use of cluster munitions by any actor.",
        "We understand the security concerns that led to this difficult decision.",
        "Should any other State consider leaving, the norm would be weakened.",
    ],
    "fr": [
        "Nous regrettons vivement le retrait d'un État partie de la Convention.",
        "Nous invitons ce pays à revenir sur sa décision.",
        "Nous réaffirmons notre attachement indéfectible à la Convention.",
        "Nous condamnons tout emploi d'armes à sous-munitions.",
    ],
    "es": [
        "Lamentamos profundamente el retiro de un Estado parte de la Convención.",
        "Exhortamos a ese país a reconsiderar su decisión.",
        "Reiteramos nuestro firme compromiso con la Convención.",
        "Condenamos todo uso de municiones en racimo.",
    ],
}


def make_statements(n: int, words: int = 250, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    langs = ["en", "en", "fr", "es"]
    for _ in range(n):
        lang = rng.choice(langs)
        parts: list[str] = []
        count = 0
        while count < words:
            pool = SIGNAL[lang] if rng.random() < 0.25 else FILLER[lang]
            sentence = rng.choice(pool)
            parts.append(sentence)
            count += len(sentence.split())
        out.append((lang, " ".join(parts)))
    return out


def corpus_statements(n: int, words: int = 250, seed: int = 11) -> list[tuple[str, str]]:
    """Statements of the labelled corpus padded to about ``words`` words each."""
    import json

    rows = []
    for name in ("train.jsonl", "test.jsonl"):
        path = TRAIN.with_name(name)
        if path.exists():
            rows += [
                json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()
            ]
    by_lang: dict[str, list[str]] = {}
    for r in rows:
        by_lang.setdefault(r["lang"], []).append(r["text"])
    if not by_lang:
        return []
    rng = random.Random(seed)
    langs = sorted(by_lang)
    out = []
    for k in range(n):
        lang = (
            langs[k % len(langs)] if rng.random() < 0.5 else "en" if "en" in by_lang else langs[0]
        )
        parts = [rng.choice(by_lang[lang])]
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(by_lang[lang]))
        text = " ".join(" ".join(parts).split()[: words + 40])
        out.append((lang, text))
    return out


def rate(
    label: str,
    statements: list[tuple[str, str]],
    fn: Callable[[str, str], object],
    seconds: float,
    floor: float | None = None,
) -> float:
    """Statements a second: the median of passes over ``statements`` run for ``seconds``
    (the machine is shared, so one slow pass does not decide); with ``floor`` (a rate of the
    same statements measured in the same run) also the ratio of the costs."""
    fn(*statements[0])  # warm up (compiles patterns, loads profiles)
    passes: list[float] = []
    t0 = time.perf_counter()
    while True:
        start = time.perf_counter()
        for lang, text in statements:
            fn(lang, text)
        passes.append(len(statements) / (time.perf_counter() - start))
        if time.perf_counter() - t0 >= seconds and len(passes) >= 3:
            break
    per_sec = statistics.median(passes)
    ratio = f", {floor / per_sec:.1f}× the floor's cost" if floor else ""
    print(
        f"{label:<34} {per_sec:10.0f} statements/s   (median of {len(passes)} passes, "
        f"{1000 / per_sec:.3f} ms each{ratio})"
    )
    return per_sec


def floor_work(lang: str, text: str) -> object:
    """The least any coder does with a statement: split it into sentences and lower-case it."""
    return split_sentences(text), text.lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)

    book = load_codebook("withdrawal-reaction")
    statements = make_statements(args.statements)
    avg_words = sum(len(t.split()) for _, t in statements) / len(statements)
    print(
        f"{len(statements)} generated statements, {avg_words:.0f} words on average; "
        f"one process (one core)"
    )

    floor = rate("floor: split sentences, lower-case", statements, floor_work, args.seconds)
    rules = [
        rate(
            "rules (language given)",
            statements,
            lambda lang, text: code_text(text, book, lang=lang),
            args.seconds,
            floor,
        ),
        rate(
            "rules (language detected)",
            statements,
            lambda lang, text: code_text(text, book),
            args.seconds,
            floor,
        ),
    ]
    corpus = corpus_statements(min(args.statements, 1000))
    if corpus:
        words = sum(len(t.split()) for _, t in corpus) / len(corpus)
        print(f"{len(corpus)} corpus statements, {words:.0f} words on average")
        corpus_floor = rate("floor, corpus", corpus, floor_work, args.seconds)
        rules.append(
            rate(
                "rules, corpus (language given)",
                corpus,
                lambda lang, text: code_text(text, book, lang=lang),
                args.seconds,
                corpus_floor,
            )
        )

    if TRAIN.exists():
        examples = read_labelled(TRAIN, book)
        source = str(TRAIN.name)
    else:
        examples = [
            LabelledText(str(i), lang, text, frozenset(code_text(text, book, lang=lang).labels))
            for i, (lang, text) in enumerate(statements[:300])
        ]
        source = "300 generated statements coded by the rules"
    t0 = time.perf_counter()
    model: ModelBundle = train(examples, book)
    print(
        f"model trained on {len(examples)} statements ({source}) in "
        f"{time.perf_counter() - t0:.2f} s"
    )
    rate(
        "model (language given)",
        statements,
        lambda lang, text: code_text(text, book, lang=lang, method="model", model=model),
        args.seconds,
        floor,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")

    target = 1000.0
    verdict = "meets" if min(rules) >= target else "MISSES"
    print(
        f"rules {verdict} the target of {target:.0f} statements/s (slowest line {min(rules):.0f}/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
