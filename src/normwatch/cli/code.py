"""``normwatch code``: code statements against a codebook, train a model, measure a coder.

Every problem a user can fix (unknown codebook, unreadable or malformed file, unsupported
language) is raised as a :class:`~normwatch.errors.NormwatchError`, which the main command line
turns into one line on stderr.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from normwatch.cli._common import format_option
from normwatch.errors import NormwatchError

_METHODS = click.Choice(["rules", "model"])


def _codebook_option(f: Any) -> Any:
    return click.option(
        "--codebook",
        "codebook_id",
        required=True,
        metavar="ID|PATH",
        help="Codebook id (see 'normwatch code codebooks') or YAML file.",
    )(f)


@click.group("code")
def code() -> None:
    """Code statements against a codebook (rules or a trained model), and measure the coder.

    \b
    Examples:
      normwatch code text --codebook withdrawal-reaction "We regret this withdrawal."
      normwatch code train --codebook withdrawal-reaction train.jsonl --out model.npz
      normwatch code evaluate --codebook withdrawal-reaction gold.jsonl --format json
    """


@code.command("codebooks")
@format_option
def codebooks_cmd(fmt: str) -> None:
    """List the codebooks that ship with normwatch."""
    from normwatch.coding.codebook import list_codebooks, load_codebook
    from normwatch.formats import emit

    rows = []
    for book_id in list_codebooks():
        book = load_codebook(book_id)
        rows.append(
            {
                "id": book.id,
                "version": book.version,
                "title": book.title,
                "target": book.treaty,
                "languages": list(book.languages),
                "codes": book.code_ids,
            }
        )
    emit(
        rows,
        fmt,
        columns=["id", "version", "target", "languages", "codes", "title"],
        title="Codebooks",
    )


@code.command("text")
@_codebook_option
@click.option("--lang", metavar="xx", help="Language of the text (ISO 639-1); detected if omitted.")
@click.option(
    "--method",
    type=_METHODS,
    default=None,
    help="rules (default) or model (default when --model is given).",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="A model saved by 'normwatch code train'.",
)
@click.option(
    "--treaty",
    metavar="ID",
    help="Treaty of the meeting the text was said at (e.g. ccm, apmbt): a paragraph that "
    "names no treaty speaks of it. Default: the treaty the statement names.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Also show, per sentence, the treaty it was taken to speak of, and per expression "
    "and reference whether it counted and why (rules method).",
)
@format_option
@click.argument("text", required=False)
def text_cmd(
    codebook_id: str,
    lang: str | None,
    method: str | None,
    model_path: str | None,
    treaty: str | None,
    explain: bool,
    fmt: str,
    text: str | None,
) -> None:
    """Code TEXT (or standard input, with '-' or no TEXT): each code with its confidence and
    evidence (the full result, with evidence offsets, in --format json)."""
    from normwatch.coding import code_text
    from normwatch.coding.codebook import load_codebook
    from normwatch.formats import dumps, emit

    book = load_codebook(codebook_id)
    method = _method(method, model_path is not None, False)
    if explain and method != "rules":
        raise NormwatchError("--explain shows how the rules method reads a text; drop --method")
    model = _load_model(model_path) if method == "model" else None
    if text is None or text == "-":
        text = sys.stdin.read()
    result = code_text(text, book, lang=lang, method=method, model=model, treaty=treaty)
    explanation = None
    if explain:
        from normwatch.coding.patterns import explain_rules

        explanation = explain_rules(text, book, result.lang or "", treaty=treaty)
    if fmt == "json":
        out = result.to_dict()
        if explanation is not None:
            out["explanation"] = explanation
        click.echo(dumps(out))
        return
    rows = [
        {
            "code": c.code,
            "confidence": c.confidence,
            "evidence": " … ".join(e.quote for e in c.evidence),
        }
        for c in result.codes
    ]
    emit(
        rows,
        fmt,
        columns=["code", "confidence", "evidence"],
        title=f"{result.codebook} — {result.method} — {result.lang}",
    )
    if explanation is None:
        return
    emit(
        explanation["sentences"],
        fmt,
        columns=["sentence", "topic", "text"],
        title="Which treaty each sentence speaks of",
    )
    emit(
        explanation["cues"],
        fmt,
        columns=["sentence", "what", "quote", "decision", "why"],
        title="Expressions and references, and why they counted or not",
    )


@code.command("train")
@_codebook_option
@click.argument("train_file", metavar="TRAIN.jsonl", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="Where to save the model (with its training metadata).",
)
def train_cmd(codebook_id: str, train_file: str, out: str) -> None:
    """Train the model method on labelled statements and save it."""
    from normwatch.coding.classifier import train
    from normwatch.coding.codebook import load_codebook
    from normwatch.coding.corpus import read_labelled
    from normwatch.formats import dumps

    book = load_codebook(codebook_id)
    bundle = train(read_labelled(train_file, book), book)
    path = bundle.save(out)
    click.echo(dumps({"saved": str(path), **bundle.metadata}))


@code.command("evaluate")
@_codebook_option
@click.argument("gold_file", metavar="GOLD.jsonl", type=click.Path(dir_okay=False))
@click.option(
    "--method",
    type=_METHODS,
    default=None,
    help="rules (default) or model (default when --model or --train is given).",
)
@click.option(
    "--train",
    "train_file",
    type=click.Path(dir_okay=False),
    metavar="TRAIN.jsonl",
    help="Train the model on this file first (model method).",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="A model saved by 'normwatch code train' (model method).",
)
@click.option(
    "--union-with",
    "union_ids",
    multiple=True,
    metavar="ID|PATH",
    help="Also code with this codebook (same codes) and score the union of the codes: for a "
    "gold set whose labels count reactions to any of several targets. Repeatable.",
)
@format_option
@click.option(
    "--show-errors",
    type=int,
    default=10,
    show_default=True,
    metavar="N",
    help="How many misclassified statements the table view lists.",
)
def evaluate_cmd(
    codebook_id: str,
    gold_file: str,
    method: str | None,
    train_file: str | None,
    model_path: str | None,
    union_ids: tuple[str, ...],
    fmt: str,
    show_errors: int,
) -> None:
    """Measure a coder on GOLD.jsonl: precision, recall, F1 per code, per language and per family.

    F1 figures carry a 95% bootstrap interval (seeded, so reproducible): a small set shows how
    little it proves. Items may name a 'family' (the difficulty they test) to get a row each.
    """
    from normwatch.coding.codebook import load_codebook
    from normwatch.coding.corpus import read_labelled
    from normwatch.coding.evaluate import evaluate_file
    from normwatch.formats import dumps

    if train_file and model_path:
        raise NormwatchError("give either --train or --model, not both")
    book = load_codebook(codebook_id)
    method = _method(method, model_path is not None, train_file is not None)
    model = None
    if method == "model":
        if train_file:
            from normwatch.coding.classifier import train

            model = train(read_labelled(train_file, book), book)
        else:
            model = _load_model(model_path)
    elif train_file or model_path:
        raise NormwatchError("--train and --model apply only to --method model")
    also = [load_codebook(i) for i in union_ids]
    if also and method != "rules":
        raise NormwatchError("--union-with applies to the rules method")
    result = evaluate_file(gold_file, book, method=method, model=model, union_with=also)
    if fmt == "json":
        click.echo(dumps(result))
        return
    if fmt == "csv":
        from normwatch.formats import emit

        rows = [{"code": code, **s} for code, s in result["per_code"].items()]
        emit(rows, "csv")
        return
    _print_evaluation(result, show_errors)


def _method(method: str | None, has_model: bool, has_train: bool) -> str:
    if method is None:
        return "model" if has_model or has_train else "rules"
    return method


def _load_model(path: str | None) -> Any:
    if path is None:
        raise NormwatchError(
            "the model method needs --model PATH (a model saved by 'normwatch code train')"
        )
    from normwatch.coding.classifier import load_model

    return load_model(path)


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _fmt_ci(ci: list[float] | None) -> str:
    return "—" if ci is None else f"{ci[0]:.3f}–{ci[1]:.3f}"


def _print_evaluation(result: dict[str, Any], show_errors: int) -> None:
    from normwatch.formats import emit

    rows = [
        {
            "code": code,
            "precision": _fmt(s["precision"]),
            "recall": _fmt(s["recall"]),
            "f1": _fmt(s["f1"]),
            "ci": _fmt_ci(s.get("f1_ci")),
            "support": s["support"],
        }
        for code, s in result["per_code"].items()
    ]
    rows.append(
        {"code": "micro", "f1": _fmt(result["micro_f1"]), "ci": _fmt_ci(result["micro_f1_ci"])}
    )
    rows.append(
        {"code": "macro", "f1": _fmt(result["macro_f1"]), "ci": _fmt_ci(result["macro_f1_ci"])}
    )
    level = round(result["bootstrap"]["level"] * 100)
    emit(
        rows,
        "table",
        columns=["code", "precision", "recall", "f1", "ci", "support"],
        title=(
            f"{result['codebook']} — {result['method']} — {result['n']} statements "
            f"(ci: {level}% bootstrap interval, {result['bootstrap']['resamples']} resamples)"
        ),
    )
    for key, title in (("per_language", "language"), ("per_family", "family")):
        if not result[key]:
            continue
        group_rows = []
        for name, s in result[key].items():
            row: dict[str, Any] = {
                title: name,
                "n": s["n"],
                "macro_f1": _fmt(s["macro_f1"]),
                "micro_f1": _fmt(s["micro_f1"]),
            }
            for code, cs in s["per_code"].items():
                row[code] = _fmt(cs["f1"])
            group_rows.append(row)
        emit(group_rows, "table", title=f"F1 per {title}")
    errors = result["errors"]
    click.echo(
        f"{len(errors)} statement(s) coded differently from the gold"
        + (f", {result['unsupported']} in an unsupported language" if result["unsupported"] else "")
    )
    for e in errors[: max(0, show_errors)]:
        extra = f" ({e['error']})" if "error" in e else ""
        family = f" {e['family']}" if "family" in e else ""
        click.echo(
            f"  {e['id']} [{e['lang']}{family}]: missing {','.join(e['missing']) or '-'}; "
            f"extra {','.join(e['extra']) or '-'}{extra}"
        )


def main(argv: list[str] | None = None) -> None:
    """Run the group on its own (``python -m normwatch.cli.code``), errors as one line."""
    try:
        code.main(args=argv, prog_name="normwatch code", standalone_mode=False)
    except NormwatchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()


def _add_store_commands() -> None:
    from normwatch.cli.code_meetings import COMMANDS

    for command in COMMANDS:
        code.add_command(command)


_add_store_commands()
