"""Coding commands on stored statements, attached to the ``normwatch code`` group:
``set``, ``unset``, ``show``, ``agreement`` and ``auto`` (:data:`COMMANDS`)."""

from __future__ import annotations

import click

from normwatch.cli._common import format_option, get_store

_CODEBOOK = click.option(
    "--codebook", default="withdrawal-reaction", show_default=True, help="Codebook id or YAML path."
)


@click.command("set")
@click.argument("statement")
@click.argument("codes", nargs=-1, required=True)
@click.option("--coder", required=True, help="Your name (stored as human:NAME).")
@click.option("--evidence", help="The words of the statement that show the code(s).")
@click.option("--note", help="A remark stored with the coding.")
@_CODEBOOK
@format_option
@click.pass_context
def set_cmd(
    ctx: click.Context,
    statement: str,
    codes: tuple[str, ...],
    coder: str,
    evidence: str | None,
    note: str | None,
    codebook: str,
    fmt: str,
) -> None:
    """Record that CODES apply to STATEMENT (MEETING/ID), in the name of a person.

    \b
    Example:
      normwatch code set ccm-12msp/nor-1 concern call_to_reconsider --coder ana \\
          --evidence "urge Lithuania to reconsider"
    """
    from normwatch.formats import emit
    from normwatch.service.codings import set_codes

    rows = set_codes(
        get_store(ctx),
        statement,
        list(codes),
        coder,
        evidence=evidence,
        codebook=codebook,
        note=note,
    )
    emit(rows, fmt, title="Codings")


@click.command("unset")
@click.argument("statement")
@click.argument("codes", nargs=-1, required=True)
@click.option("--coder", required=True, help="Your name (stored as human:NAME).")
@click.option(
    "--forget",
    is_flag=True,
    help="Delete your coding instead of recording that the code does not apply.",
)
@_CODEBOOK
@format_option
@click.pass_context
def unset_cmd(
    ctx: click.Context,
    statement: str,
    codes: tuple[str, ...],
    coder: str,
    forget: bool,
    codebook: str,
    fmt: str,
) -> None:
    """Record that CODES do not apply to STATEMENT (this also rejects matching automatic
    suggestions); with --forget, delete your coding of them instead."""
    from normwatch.formats import emit
    from normwatch.service.codings import unset_codes

    rows = unset_codes(
        get_store(ctx), statement, list(codes), coder, codebook=codebook, forget=forget
    )
    emit(rows, fmt, title="Codings")


@click.command("show")
@click.argument("meeting")
@click.option("--codebook", default=None, help="Only codings under this codebook.")
@format_option
@click.pass_context
def show_cmd(ctx: click.Context, meeting: str, codebook: str | None, fmt: str) -> None:
    """Every coding of MEETING's statements: code, coder, review state, evidence."""
    from normwatch.formats import emit
    from normwatch.service.codings import meeting_codings

    rows = meeting_codings(get_store(ctx), meeting, codebook)
    if fmt != "json":
        rows = [{**r, "evidence": (r["evidence"] or {}).get("quote")} for r in rows]
    emit(
        rows,
        fmt,
        columns=None
        if fmt == "json"
        else [
            "statement",
            "speaker",
            "code",
            "coder",
            "review_state",
            "confidence",
            "evidence",
            "reviewed_by",
        ],
        title=f"Codings of {meeting}",
    )


#: fewer statements coded by two people than this, and the agreement table warns
SMALL_SAMPLE = 10


@click.command("agreement")
@click.argument("meeting")
@_CODEBOOK
@click.option("--coders", metavar="A,B", help="The human coders to compare (default: all).")
@format_option
@click.pass_context
def agreement_cmd(
    ctx: click.Context, meeting: str, codebook: str, coders: str | None, fmt: str
) -> None:
    """Agreement between human coders of MEETING, per code: Cohen's kappa (two coders) and
    Krippendorff's alpha (nominal)."""
    from normwatch.formats import dumps, emit
    from normwatch.service.agreement import agreement

    chosen = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    result = agreement(get_store(ctx), meeting, codebook, chosen)
    if fmt == "json":
        click.echo(dumps(result))
        return
    rows = [{"code": code, **entry} for code, entry in result["codes"].items()]
    emit(
        rows,
        fmt,
        title=f"{result['meeting']} · {', '.join(result['coders'])} · pooled "
        f"alpha {result['pooled_alpha']}",
    )
    if fmt == "table":
        shared = max((entry["units"] for entry in result["codes"].values()), default=0)
        click.echo(
            f"units: statements coded by at least two of the coders ({shared}); on a statement "
            "a coder coded, a code that coder did not accept counts as 'no'"
        )
        if shared < SMALL_SAMPLE:
            click.echo(
                f"warning: {shared} statement{'s' if shared != 1 else ''} coded by two or more "
                "coders: too few for these figures to say much",
                err=True,
            )


@click.command("auto")
@click.argument("meeting")
@_CODEBOOK
@click.option(
    "--method",
    type=click.Choice(["rules", "model"]),
    default="rules",
    show_default=True,
    help="The automatic coder.",
)
@click.option(
    "--model",
    "model",
    metavar="PATH",
    help="A trained model (normwatch code train), for --method model.",
)
@format_option
@click.pass_context
def auto_cmd(
    ctx: click.Context, meeting: str, codebook: str, method: str, model: str | None, fmt: str
) -> None:
    """Suggest codes for every statement of MEETING that has text. Suggestions are stored as
    `suggested` with evidence and confidence; human codings are never touched."""
    from normwatch.cli._progress import progress_bar
    from normwatch.formats import dumps
    from normwatch.service.codings import auto_code

    with progress_bar(f"code auto {meeting}") as progress:
        report = auto_code(get_store(ctx), meeting, codebook, method, model, progress=progress)
    if fmt == "json":
        click.echo(dumps(report))
        return
    c = report["codings"]
    click.echo(
        f"{report['meeting']}: {report['statements']} statements coded by "
        f"{report['coder']}: {c['new']} new, {c['changed']} changed, "
        f"{c['unchanged']} unchanged, {c['removed']} removed suggestions"
    )
    for s in report["skipped"]:
        click.echo(f"skipped {s['statement']}: {s['reason']}", err=True)


@click.command("assign")
@click.argument("meeting")
@_CODEBOOK
@click.option("--coders", required=True, metavar="A,B", help="The two coders (user names).")
@click.option(
    "--share",
    type=click.FloatRange(min=0, max=1, min_open=True),
    help="Give this share of the statements with text (at least one).",
)
@click.option(
    "--seed",
    type=int,
    help="With --share: draw another sample (the same seed, the same sample).",
)
@click.option("--statements", metavar="ID,ID", help="Or give these statements (local or full ids).")
@click.option(
    "--by",
    "by",
    required=True,
    metavar="NAME",
    help="The reviewer assigning (a user with the reviewer role or above).",
)
@format_option
@click.pass_context
def assign_cmd(
    ctx: click.Context,
    meeting: str,
    codebook: str,
    coders: str,
    share: float | None,
    seed: int | None,
    statements: str | None,
    by: str,
    fmt: str,
) -> None:
    """Give a sample of MEETING's statements to two coders for double coding, each blind to
    the other's codes: a --share of the statements with text, or the --statements listed. A
    statement already double-coded under the codebook goes to the new pair.

    \b
    Example:
      normwatch code assign ccm-12msp --coders ana,ben --share 0.2 --by carol
      normwatch code assign ccm-12msp --coders ana,ben --statements nor-1,mex-1 --by carol
    """
    from normwatch.formats import dumps, emit
    from normwatch.service.accounts import active_user
    from normwatch.service.double_coding import assign

    store = get_store(ctx)
    listed = _listed(statements) if statements is not None else None
    done = assign(
        store,
        meeting,
        _listed(coders),
        active_user(store, by),
        codebook=codebook,
        share=share,
        statements=listed,
        seed=seed,
    )
    if fmt == "json":
        click.echo(dumps(done))
        return
    rows = [{"statement": s, "coders": " and ".join(done["coders"])} for s in done["statements"]]
    emit(
        rows,
        fmt,
        title=f"{done['meeting']} · {done['codebook']}: {len(rows)} statements to double-code",
    )


def _listed(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


#: the commands the ``code`` group takes from this module
COMMANDS: list[click.Command] = [
    set_cmd,
    unset_cmd,
    show_cmd,
    agreement_cmd,
    auto_cmd,
    assign_cmd,
]
