"""The JSON API under ``/api/v1/``: the library calls of :mod:`normwatch.service.status`, as JSON.

Each endpoint answers exactly what the matching CLI command prints with ``--format json``
(``normwatch counts ccm --on 2025-03-06 --format json`` = ``GET
/api/v1/treaties/ccm/counts?on=2025-03-06``). The response models below document the shapes
in the OpenAPI description; the answers themselves are serialized once and cached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from normwatch.catalog import get_treaty
from normwatch.core.schemas.codings import CodingOut, ReactionsOut
from normwatch.core.schemas.meeting import MeetingDetail, MeetingOut, StatementOut
from normwatch.core.schemas.obligations import ObligationOut
from normwatch.core.schemas.standing import StateStandingOut
from normwatch.formats import dumps_compact, to_csv
from normwatch.service import status as queries
from normwatch.web.deps import (
    MeetingPath,
    StatePath,
    TreatyPath,
    TreatyQuery,
    cached_response,
    error_responses,
    get_site,
)
from normwatch.web.site import parse_day, parse_status_list

router = APIRouter(prefix="/api/v1", tags=["api"])


# -- documented shapes ------------------------------------------------------------------------


class TreatyRow(BaseModel):
    id: str
    short_name: str
    name: str
    untc_id: str | None
    entry_into_force: str | None
    entry_into_force_computed: str | None
    date: str
    parties: int
    in_force: int
    consented: int
    signatories: int
    withdrawing: int
    withdrawn: int
    non_signatories: int


class Counts(BaseModel):
    treaty: str
    date: str
    parties: int = Field(description="consent deposited, withdrawal not yet effective")
    in_force: int = Field(description="the treaty is in force for the State")
    consented: int
    signatories: int
    withdrawing: int
    withdrawn: int
    non_signatories: int
    states: int = Field(description="the States counted (the denominator)")
    data_as_of: str | None = Field(
        None, description="the newest act or depositary status on record for the treaty"
    )
    warning: str | None = Field(
        None, description="set when the date asked is after `data_as_of`: later acts may be missing"
    )


class StatusRow(BaseModel):
    state: str = Field(description="ISO 3166-1 alpha-3")
    name: str | None
    treaty: str
    date: str
    status: str = Field(
        description="non_signatory, signatory, consented, party, withdrawing or withdrawn"
    )
    since: str | None
    notified: str | None = None
    effective: str | None = Field(None, description="null while postponed by an armed conflict")
    postponed: bool | None = None
    explanation: dict[str, Any] | None = Field(
        None, description="rule (article), actions with sources, arithmetic, armed conflicts"
    )


class ChangeRow(BaseModel):
    date: str
    state: str
    from_: str = Field(alias="from")
    to: str
    rule: str
    name: str | None
    treaty: str


class Timeline(BaseModel):
    treaty: str
    state: str
    name: str
    warnings: list[str]
    entries: list[dict[str, Any]]


class StateRow(BaseModel):
    code: str
    alpha2: str
    name: str
    kind: str
    regional_group: str | None
    aliases: list[str]


def _ok(
    model: Any, description: str = "OK", also: dict[str, Any] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: ``model`` as JSON (``also``: other media types) and the errors."""
    ok = {"model": model, "description": description, "content": also or {}}
    return {200: ok, **error_responses(400, 404, 422)}


OnQuery = Annotated[
    str | None,
    Query(
        description="The date to answer for, YYYY-MM-DD or `today` (default: today).",
        examples=["2025-03-06"],
    ),
]
ExplainQuery = Annotated[
    bool,
    Query(description="Add the explanation: article, actions with their sources, date arithmetic."),
]


def _json(request: Request, compute: Callable[[], Any], *params: Any) -> Response:
    """Serialize once per path, parameter values ``params`` and data version (unknown query
    parameters make no new answer; the date ``today`` is resolved into the key)."""
    site = get_site(request)
    key = ("api", request.url.path, params, site.today())
    response = cached_response(
        request,
        key,
        "application/json",
        lambda: dumps_compact(compute()),
    )
    _freshness_headers(request, response, [p for p in params if isinstance(p, dt.date)])
    return response


def _freshness_headers(request: Request, response: Response, days: list[dt.date]) -> None:
    """Every answer says how current the data is (``X-Data-As-Of``); an answer for a date
    after it carries a ``Warning`` header that later acts may be missing."""
    from normwatch.store.freshness import as_of_text, beyond_warning

    site = get_site(request)
    texts = site.cached(("as-of",), lambda: as_of_text(site.store))
    response.headers["x-data-as-of"] = texts.removeprefix("data as of ")
    treaty = request.path_params.get("treaty")
    for day in days:

        def warn(day: dt.date = day) -> str | None:
            return beyond_warning(site.store, day, treaty)

        warning = site.cached(("as-of-warning", day, treaty), warn)
        if warning:
            response.headers["warning"] = f'299 normwatch "{warning}"'
            break


def _day(request: Request, text: str | None, name: str = "on") -> dt.date:
    return parse_day(text, get_site(request).today(), name=name)


# -- endpoints ----------------------------------------------------------------------------------


@router.get(
    "/treaties",
    responses=_ok(list[TreatyRow]),
    summary="The treaties with their counts on a date (`normwatch treaties`)",
)
def api_treaties(request: Request, on: OnQuery = None) -> Response:
    day = _day(request, on)
    return _json(request, lambda: queries.treaties(get_site(request).store, day), day)


@router.get(
    "/treaties/{treaty}",
    responses=_ok(dict[str, Any]),
    summary="One treaty: identifiers, key dates and the rules applied, with articles",
)
def api_treaty(request: Request, treaty: TreatyPath) -> Response:
    rules = get_treaty(treaty)
    return _json(request, rules.to_dict)


@router.get(
    "/treaties/{treaty}/counts",
    responses=_ok(Counts),
    summary="Parties, signatories, withdrawing ... on a date (`normwatch counts`)",
)
def api_counts(request: Request, treaty: TreatyPath, on: OnQuery = None) -> Response:
    day = _day(request, on)
    return _json(request, lambda: queries.counts(get_site(request).store, treaty, day), day)


@router.get(
    "/treaties/{treaty}/roll",
    responses=_ok(
        list[StatusRow],
        "the roll (JSON, or CSV with format=csv)",
        also={"text/csv": {"schema": {"type": "string"}}},
    ),
    summary="Every State's status on a date (`normwatch roll`)",
)
def api_roll(
    request: Request,
    treaty: TreatyPath,
    on: OnQuery = None,
    status: Annotated[
        list[str] | None,
        Query(
            description="Only these statuses (repeat, or comma-separated), e.g. party,withdrawing."
        ),
    ] = None,
    explain: ExplainQuery = False,
    format: Annotated[
        str, Query(pattern="^(json|csv)$", description="json (default) or csv")
    ] = "json",
) -> Response:
    day = _day(request, on)
    statuses = parse_status_list(status)
    site = get_site(request)
    store = site.store
    if format == "csv":
        tid = get_treaty(treaty).id
        key = ("api-csv", tid, day, tuple(statuses or ()), site.today())
        response = cached_response(
            request,
            key,
            "text/csv; charset=utf-8",
            lambda: to_csv(queries.roll(store, tid, day, statuses, explain=False)),
        )
        response.headers["content-disposition"] = (
            f'attachment; filename="{tid}-roll-{day.isoformat()}.csv"'
        )
        return response
    return _json(
        request,
        lambda: queries.roll(store, treaty, day, statuses, explain=explain),
        day,
        tuple(statuses or ()),
        explain,
    )


@router.get(
    "/treaties/{treaty}/status",
    responses=_ok(list[StatusRow]),
    summary="Status of one or more States on a date (`normwatch status`)",
)
def api_status(
    request: Request,
    treaty: TreatyPath,
    state: Annotated[
        list[str], Query(description="State codes or names (repeat).", examples=[["LTU", "FRA"]])
    ],
    on: OnQuery = None,
    explain: ExplainQuery = False,
) -> Response:
    day = _day(request, on)
    store = get_site(request).store
    return _json(
        request,
        lambda: queries.status(store, treaty, state, day, explain=explain),
        tuple(state),
        day,
        explain,
    )


@router.get(
    "/treaties/{treaty}/states/{state}",
    responses=_ok(StatusRow),
    summary="One State's status on a date, with its explanation",
)
def api_state_status(
    request: Request,
    treaty: TreatyPath,
    state: StatePath,
    on: OnQuery = None,
    explain: Annotated[bool, Query(description="Include the explanation (default: yes).")] = True,
) -> Response:
    day = _day(request, on)
    store = get_site(request).store
    return _json(
        request,
        lambda: queries.status(store, treaty, [state], day, explain=explain)[0],
        day,
        explain,
    )


@router.get(
    "/treaties/{treaty}/states/{state}/timeline",
    responses=_ok(Timeline),
    summary="Every action, status and domestic event of a State (`normwatch timeline`)",
)
def api_timeline(request: Request, treaty: TreatyPath, state: StatePath) -> Response:
    store = get_site(request).store
    return _json(request, lambda: queries.timeline(store, treaty, state))


@router.get(
    "/treaties/{treaty}/changes",
    responses=_ok(list[ChangeRow]),
    summary="Status changes between two dates (`normwatch changes`)",
)
def api_changes(
    request: Request,
    treaty: TreatyPath,
    since: Annotated[
        str | None, Query(description="First day (default: a year before `until`).")
    ] = None,
    until: Annotated[str | None, Query(description="Last day (default: today).")] = None,
) -> Response:
    last = _day(request, until, "until")
    first = _day(request, since, "since") if since else last - dt.timedelta(days=365)
    store = get_site(request).store
    return _json(request, lambda: queries.changes(store, treaty, first, last), first, last)


@router.get(
    "/states",
    responses=_ok(list[StateRow]),
    summary="The States counted: the 193 UN members, the Holy See, the State of "
    "Palestine, the Cook Islands and Niue",
)
def api_states(request: Request) -> Response:
    reg = get_site(request).store.registry()
    return _json(
        request,
        lambda: [
            {
                "code": s.code,
                "alpha2": s.alpha2,
                "name": s.name,
                "kind": s.kind,
                "regional_group": s.regional_group,
                "aliases": list(s.aliases),
            }
            for s in reg.states
        ],
    )


@router.get(
    "/states/{state}",
    responses=_ok(StateStandingOut),
    summary="One State towards every treaty on a date: status, since when, the rule with its "
    "explanation, obligations due or overdue, statements coded (`normwatch state`)",
)
def api_state(request: Request, state: StatePath, on: OnQuery = None) -> Response:
    from normwatch.service.standing import state_standing

    day = _day(request, on)
    site = get_site(request)
    code = site.store.registry().resolve(state)
    return _json(request, lambda: state_standing(site.store, code, day), day, code)


@router.get(
    "/sources",
    responses=_ok(list[dict[str, Any]]),
    summary="Each source with what cites it and its last import (`normwatch sources`)",
)
def api_sources(request: Request) -> Response:
    from normwatch.sources.untc.importer import sources_summary

    return _json(request, lambda: sources_summary(get_site(request).store))


@router.get(
    "/freshness",
    responses=_ok(dict[str, Any]),
    summary="How current the data is: per treaty the newest act, the last import and the "
    "date the data is as of",
)
def api_freshness(request: Request) -> Response:
    from normwatch.store.freshness import treaty_freshness

    return _json(request, lambda: {"treaties": treaty_freshness(get_site(request).store)})


# -- obligations and deadlines (normwatch.obligations) -----------------------------------------


@router.get(
    "/treaties/{treaty}/deadlines",
    responses=_ok(list[ObligationOut]),
    summary="Deadlines of every State for which the treaty is in force: overdue ones "
    "and those ahead (`normwatch deadlines`)",
)
def api_deadlines(
    request: Request,
    treaty: TreatyPath,
    on: OnQuery = None,
    within: Annotated[
        str | None,
        Query(description="Only deadlines within this window from `on`, e.g. 12m or 2y."),
    ] = None,
    overdue: Annotated[bool, Query(description="Only overdue obligations.")] = False,
) -> Response:
    from normwatch.service.obligations import deadlines, parse_within

    day = _day(request, on)
    months = parse_within(within) if within is not None else None
    store = get_site(request).store
    return _json(
        request,
        lambda: deadlines(store, treaty, day, within_months=months, overdue_only=overdue),
        day,
        months,
        overdue,
    )


@router.get(
    "/treaties/{treaty}/states/{state}/obligations",
    responses=_ok(list[ObligationOut]),
    summary="One State's obligations on a date, explained (`normwatch obligations`)",
)
def api_obligations(
    request: Request, treaty: TreatyPath, state: StatePath, on: OnQuery = None
) -> Response:
    from normwatch.service.obligations import obligations_for

    day = _day(request, on)
    store = get_site(request).store
    return _json(request, lambda: obligations_for(store, treaty, state, day), day)


# -- meetings, statements, reactions (normwatch.meetings) ----------------------------------------


def checked_codebook(codebook: str | None) -> str:
    """A codebook id shipped with normwatch (never a path: the API reads no arbitrary file)."""
    from normwatch.coding.codebook import list_codebooks
    from normwatch.core.meetings import DEFAULT_CODEBOOK
    from normwatch.errors import NotFoundError

    book = codebook or DEFAULT_CODEBOOK
    known = list_codebooks()
    if book not in known:
        raise NotFoundError(f"unknown codebook {book!r} (known: {', '.join(known)})")
    return book


@router.get(
    "/meetings",
    responses=_ok(list[MeetingOut]),
    summary="Meetings of States Parties and review conferences (`normwatch meetings list`)",
)
def api_meetings(request: Request, treaty: TreatyQuery = None) -> Response:
    from normwatch.service.meetings import list_meetings

    store = get_site(request).store
    tid = get_treaty(treaty).id if treaty else None
    return _json(request, lambda: list_meetings(store, tid), tid)


@router.get(
    "/meetings/{meeting}",
    responses=_ok(MeetingDetail),
    summary="One meeting: sources, participants, statements, decisions, gaps and "
    "reported claims beside the computed figures",
)
def api_meeting(request: Request, meeting: MeetingPath) -> Response:
    from normwatch.service.meetings import show_meeting

    store = get_site(request).store
    return _json(request, lambda: show_meeting(store, meeting))


@router.get(
    "/meetings/{meeting}/statements",
    responses=_ok(list[StatementOut]),
    summary="The statements of a meeting",
)
def api_statements(
    request: Request,
    meeting: MeetingPath,
    text: Annotated[bool, Query(description="Include each statement's text.")] = False,
) -> Response:
    from normwatch.service.meetings import statements

    store = get_site(request).store
    return _json(request, lambda: statements(store, meeting, with_text=text), text)


@router.get(
    "/meetings/{meeting}/codings",
    responses=_ok(list[CodingOut]),
    summary="Every coding of a meeting's statements, with evidence",
)
def api_codings(
    request: Request,
    meeting: MeetingPath,
    codebook: Annotated[str | None, Query(description="Only this codebook.")] = None,
) -> Response:
    from normwatch.service.codings import meeting_codings

    store = get_site(request).store
    book = checked_codebook(codebook) if codebook else None
    return _json(request, lambda: meeting_codings(store, meeting, book), book)


@router.get(
    "/meetings/{meeting}/reactions",
    responses=_ok(ReactionsOut),
    summary="Which States carried which code: counts, shares, silent States, "
    "breakdowns (`normwatch reactions`)",
)
def api_reactions(
    request: Request,
    meeting: MeetingPath,
    codebook: Annotated[
        str | None, Query(description="Codebook id (default: withdrawal-reaction).")
    ] = None,
    denominator: Annotated[
        str, Query(description="participating, parties or speakers")
    ] = "participating",
    by: Annotated[
        str | None, Query(description="Breakdown: regional_group, eu, nato or a group id.")
    ] = None,
    national_only: Annotated[bool, Query(description="Leave joint statements out.")] = False,
    include_suggested: Annotated[
        bool, Query(description="Count suggested automatic codings too.")
    ] = False,
) -> Response:
    from normwatch.service.reactions import reactions

    store = get_site(request).store
    book = checked_codebook(codebook)
    return _json(
        request,
        lambda: reactions(
            store,
            meeting,
            book,
            denominator=denominator,
            national_only=national_only,
            by=by,
            include_suggested=include_suggested,
        ),
        book,
        denominator,
        by,
        national_only,
        include_suggested,
    )
