"""``normwatch meetings import|import-files|list|show`` and ``normwatch reactions``: thin
wrappers over :mod:`normwatch.service.meetings`, :mod:`~normwatch.sources.meetings.importer` and
:mod:`~normwatch.service.reactions`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from normwatch.cli._common import emit_import_reports, format_option, get_store
from normwatch.sources.meetings.files import Limits

if TYPE_CHECKING:
    from normwatch.service.meeting_files import Proposed


@click.group("meetings")
def meetings_group() -> None:
    """Meetings of treaty bodies: who took part, who said what.

    \b
    Examples:
      normwatch meetings list --treaty ccm
      normwatch meetings show ccm-12msp
      normwatch meetings import path/to/meeting-dir
      normwatch meetings import-files path/to/statement-files --meeting ccm-13msp
      normwatch meetings remove ccm-test-msp
    """


@click.command("meeting")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@format_option
@click.pass_context
def import_meeting_cmd(ctx: click.Context, directory: str, fmt: str) -> None:
    """Import a meeting DIRECTORY (meeting.yaml, participants.csv, statements.csv, files,
    optional codings.csv). Every problem is listed and nothing is written when there is one;
    importing the same directory again changes nothing.

    \b
    Example:
      normwatch import meeting my-meetings/ccm-13msp
    """
    from normwatch.service.imports import import_meeting

    emit_import_reports([import_meeting(get_store(ctx), directory)], fmt)


# also `normwatch meetings import DIR`, beside the other meeting commands
meetings_group.add_command(import_meeting_cmd, name="import")


@meetings_group.command("import-files")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=str))
@click.option("--meeting", required=True, help="The meeting the statements were made at.")
@click.option(
    "--plan",
    type=click.Path(dir_okay=False, path_type=str),
    help="Where to write the plan to check [default: DIRECTORY/proposed.csv].",
)
@click.option(
    "--confirm",
    type=click.Path(dir_okay=False, exists=True, path_type=str),
    metavar="PLAN",
    help="Import the statements of this checked plan (nothing is written without it).",
)
@click.option(
    "--agenda",
    type=click.Path(dir_okay=False, exists=True, path_type=str),
    help="The meeting's agenda, a CSV with the columns item,title, to match items against.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace a plan already there that differs from the new one (edits in it are lost).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=Limits.max_bytes,
    show_default=True,
    help="Skip larger files.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=Limits.max_pages,
    show_default=True,
    help="Skip PDFs with more pages (and OCR no more pages than this).",
)
@format_option
@click.pass_context
def import_files_cmd(
    ctx: click.Context,
    directory: str,
    meeting: str,
    plan: str | None,
    confirm: str | None,
    agenda: str | None,
    overwrite: bool,
    max_bytes: int,
    max_pages: int,
    fmt: str,
) -> None:
    """Bring a meeting's statements in from a folder of files (one PDF, DOCX, TXT or HTML
    file per delegation, as the meeting's document site publishes them), in two steps.

    Without --confirm: propose, for each file, the speaker (from the file name or the first
    lines, resolved through the registry and the organizations' names), the language and the
    agenda item, with the evidence, and write them to a plan (a CSV file) for a person to
    check; list what could not be resolved. The store is not written. A PDF without a text
    layer is read by OCR where tesseract is installed (its statement's note says so), and is
    skipped as "needs text" otherwise.

    With --confirm PLAN: check every row of the edited plan (action import, skip, or check:
    still to decide) and import its statements in one transaction; any problem is reported
    with the plan's line and field, and nothing is written.

    \b
    Example:
      normwatch meetings import-files statements/ --meeting ccm-13msp
      normwatch meetings import-files statements/ --meeting ccm-13msp \
          --confirm statements/proposed.csv
    """
    limits = Limits(max_bytes=max_bytes, max_pages=max_pages)
    store = get_store(ctx)
    if confirm is not None:
        from normwatch.service.meeting_files import confirm_files

        given = [
            o for o, v in (("--plan", plan), ("--agenda", agenda), ("--overwrite", overwrite)) if v
        ]
        if given:
            raise click.UsageError(f"{', '.join(given)}: for proposing, not with --confirm")

        emit_import_reports([confirm_files(store, directory, meeting, confirm, limits=limits)], fmt)
        return
    from normwatch.service.meeting_files import propose_files

    _print_proposal(
        propose_files(
            store, directory, meeting, plan=plan, agenda=agenda, limits=limits, overwrite=overwrite
        ),
        directory,
        ctx.find_root().ensure_object(dict).get("db"),
        fmt,
    )


def _print_proposal(proposed: Proposed, directory: str, db: str | None, fmt: str) -> None:
    import shlex

    from normwatch.formats import emit

    rows = [p.row() for p in proposed.proposals]
    from normwatch.sources.meetings.files import PLAN_COLUMNS

    # a table for people shows the proposal; CSV is the plan itself, JSON the same rows
    short = ["file", "action", "speaker", "language", "agenda_item", "text_from"]
    columns = {"table": short, "csv": list(PLAN_COLUMNS)}.get(fmt)
    emit(rows, fmt, columns=columns, title="Proposed")
    out = fmt != "table"  # the summary goes to stderr when stdout is for a program
    for p in proposed.unresolved:
        click.echo(f"to check: {p.file}: {'; '.join(p.unresolved)}", err=out)
        for evidence in (p.speaker_evidence, p.language_evidence, p.agenda_evidence):
            click.echo(f"    {evidence}", err=out)
    for p in proposed.skipped:
        click.echo(f"skipped: {p.file}: {p.note}", err=out)
    checks, skips = len(proposed.unresolved), len(proposed.skipped)
    n = len(proposed.proposals)
    click.echo(
        f"plan written to {proposed.plan} ({n} files: {n - checks - skips} to import, "
        f"{checks} to check, {skips} skipped); "
        "nothing imported. Check and edit it, then:\n"
        "  normwatch "
        + (f"--db {shlex.quote(db)} " if db else "")
        + f"meetings import-files {shlex.quote(directory)} --meeting {proposed.meeting} "
        f"--confirm {shlex.quote(str(proposed.plan))}",
        err=out,
    )


@meetings_group.command("remove")
@click.argument("meeting")
@format_option
@click.pass_context
def remove_cmd(ctx: click.Context, meeting: str, fmt: str) -> None:
    """Remove MEETING and everything recorded with it (participants, statements, codings,
    notes, claims) and the sources nothing else cites, in one transaction."""
    from normwatch.formats import dumps
    from normwatch.store.meetings import remove_meeting

    report = remove_meeting(get_store(ctx), meeting)
    if fmt == "json":
        click.echo(dumps(report))
        return
    rows = ", ".join(f"{n} {table}" for table, n in report["removed"].items())
    click.echo(f"{report['meeting']}: removed ({rows})")


@meetings_group.command("list")
@click.option("--treaty", help="Only meetings of this treaty (ccm, apmbt).")
@format_option
@click.pass_context
def list_cmd(ctx: click.Context, treaty: str | None, fmt: str) -> None:
    """List the meetings, oldest first."""
    from normwatch.formats import emit
    from normwatch.service.meetings import list_meetings

    rows = list_meetings(get_store(ctx), treaty)
    emit(
        rows,
        fmt,
        columns=None
        if fmt == "json"
        else [
            "id",
            "name",
            "start_date",
            "end_date",
            "venue",
            "president",
            "participants",
            "statements",
            "completeness",
        ],
        title="Meetings",
    )


@meetings_group.command("show")
@click.argument("meeting")
@click.option("--text", "with_text", is_flag=True, help="Include the statements' texts (json).")
@format_option
@click.pass_context
def show_cmd(ctx: click.Context, meeting: str, with_text: bool, fmt: str) -> None:
    """Everything recorded about MEETING: sources, participants, statements, decisions, gaps
    and reported figures beside what the data computes."""
    from normwatch.formats import dumps, emit
    from normwatch.service.meetings import show_meeting

    result = show_meeting(get_store(ctx), meeting, with_text=with_text)
    if fmt == "json":
        click.echo(dumps(result))
        return
    if fmt == "csv":
        emit(result["statements"], "csv")
        return
    m = result["meeting"]
    click.echo(
        f"{m['id']}: {m['name']} ({m['treaty'].upper()}), {m['start_date']} – "
        f"{m['end_date'] or '?'}, {m['venue'] or 'venue unknown'}"
    )
    click.echo(
        f"president: {m['president_name'] or 'unknown'}"
        + (f"    record: {m['completeness']}" if m["completeness"] else "")
    )
    for s in m["sources"]:
        click.echo(f"  source: {s['url']}" + (f" ({s['symbol']})" if s["symbol"] else ""))
    if m["note"]:
        click.echo(f"note: {m['note']}")
    if result["participants"]:
        emit(
            result["participants"],
            "table",
            columns=["participant", "name", "capacity", "source"],
            title="Participants",
        )
    if result["statements"]:
        emit(
            result["statements"],
            "table",
            columns=[
                "local_id",
                "speaker",
                "on_behalf_of",
                "role",
                "language",
                "date",
                "has_text",
                "source_url",
            ],
            title="Statements",
        )
    for key, title in (("decisions", "Decisions"), ("gaps", "Not known")):
        if result[key]:
            click.echo(f"\n{title}:")
            for n in result[key]:
                tag = f"[{n['verification']}] " if n["verification"] else ""
                click.echo(f"  - {tag}{n['text']}  <{n['source']}>")
    if result["claims"]:
        click.echo("\nReported figures, beside the data:")
        for c in result["claims"]:
            comp = c["computed"]
            share = (
                f"{comp['share']:.1%}"
                if comp["share"] is not None
                else "no share (denominator below 10)"
                if comp["denominator"]
                else "n/a"
            )
            fit = {None: "cannot be checked", True: "consistent", False: "not consistent"}[
                c["consistent"]
            ]
            click.echo(
                f'  - {c["code"]}: reported "{c["reported"]}" ({c["relation"]} '
                f"{c['value']:.3g} of {c['denominator']}) <{c['source']}>"
            )
            click.echo(
                f"    data: {comp['count']} of {comp['denominator']} = {share} "
                f"({fit}{'; partial record' if comp['partial_record'] else ''})"
            )


@click.command("reactions")
@click.argument("meeting")
@click.option(
    "--codebook", default="withdrawal-reaction", show_default=True, help="Codebook id or YAML path."
)
@click.option(
    "--target",
    metavar="TREATY",
    help="Reactions to acts under this treaty (e.g. apmbt at a CCM meeting): the codebook "
    "whose target it is (see 'normwatch code codebooks').",
)
@click.option(
    "--denominator",
    type=click.Choice(["participating", "parties", "speakers"]),
    default="participating",
    show_default=True,
    help="participating: States on the list of participants; parties: States Parties "
    "on the meeting's first day (withdrawing included); speakers: States a "
    "counted statement speaks for.",
)
@click.option(
    "--national-only",
    is_flag=True,
    help="Count national statements only (leave out joint statements).",
)
@click.option(
    "--by",
    metavar="GROUPING",
    help="Break down by regional_group, eu, nato (membership on the meeting's date).",
)
@click.option(
    "--include-suggested",
    is_flag=True,
    help="Also count automatic suggestions nobody has reviewed.",
)
@format_option
@click.pass_context
def reactions_cmd(
    ctx: click.Context,
    meeting: str,
    codebook: str,
    target: str | None,
    denominator: str,
    national_only: bool,
    by: str | None,
    include_suggested: bool,
    fmt: str,
) -> None:
    """Which States carried each code at MEETING: counts, shares and the States behind them.

    \b
    Example:
      normwatch reactions ccm-12msp --codebook withdrawal-reaction --by nato --format json
      normwatch reactions ccm-13msp --target apmbt
    """
    from normwatch.formats import dumps, emit
    from normwatch.service.reactions import reaction_rows, reactions
    from normwatch.store.meetings import get_meeting

    store = get_store(ctx)
    if target is not None:
        from normwatch.coding.codebook import codebook_for_target

        codebook = codebook_for_target(target.strip().lower(), like=codebook).id
    result = reactions(
        store,
        meeting,
        codebook,
        denominator=denominator,
        national_only=national_only,
        by=by,
        include_suggested=include_suggested,
    )
    if get_meeting(store, result["meeting"])["completeness"] == "partial":
        click.echo(
            f"warning: the record of {result['meeting']} is partial; these figures "
            "cover only what is recorded (normwatch meetings show "
            f"{result['meeting']})",
            err=True,
        )
    if fmt == "json":
        click.echo(dumps(result))
        return
    basis = {
        "coverage": result["coverage"]["share"],
        "alpha": result["agreement"]["alpha"] if result["agreement"] else None,
    }
    rows: list[dict[str, Any]] = [{**r, **basis} for r in reaction_rows(result)]
    columns = ["group", "code", "count", "denominator", "share", "states"]
    if fmt == "table":
        rows = [{**r, "share": "" if r["share"] is None else f"{r['share']:.1%}"} for r in rows]
    den = result["denominator"]
    emit(
        rows,
        fmt,
        columns=columns + (["coverage", "alpha"] if fmt == "csv" else []),
        title=f"{result['meeting']} · {result['codebook']}"
        + (f" (target: {result['target']})" if result["target"] else "")
        + f" · {den['kind']} "
        f"({den['count']} States)" + (" · national statements only" if national_only else ""),
    )
    if fmt == "table":
        click.echo(coverage_line(result))
        if result["not_counted"]:
            click.echo(
                f"not counted (outside the {den['kind']} denominator): "
                + ", ".join(result["not_counted"])
            )


def coverage_line(result: dict[str, Any]) -> str:
    """What the figures rest on, in one line: the reviewed share and the agreement."""
    cov = result["coverage"]
    share = "" if cov["share"] is None else f" ({cov['share']:.0%})"
    return (
        f"coding coverage: {cov['reviewed']} of {cov['statements']} statements reviewed by a "
        f"person{share}; {result['agreement_note']}"
    )
