"""The HTML pages: home, treaty, State, methods, data, API docs.

Pages are rendered on the server with Jinja2 (autoescaping on: every value from the data is
escaped) and read without JavaScript: dates are picked with plain GET forms, columns are sorted
by links. Every number links to the rows behind it, usually the roll filtered by status.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from normwatch import __version__
from normwatch.catalog import get_treaty
from normwatch.core.model import State, Status
from normwatch.core.registry import fold
from normwatch.core.status import (
    COUNT_KEYS,
    IN_FORCE_STATUSES,
    NO_PERIOD,
    PARTY_STATUSES,
    Period,
)
from normwatch.core.treaty import TreatyRules
from normwatch.service import status as queries
from normwatch.web import charts
from normwatch.web.deps import cached_response, get_site
from normwatch.web.site import Site, parse_day, parse_status_list

router = APIRouter(include_in_schema=False)

#: the headline counts, each with the statuses it counts (for its link to the roll)
COUNT_LINKS: tuple[tuple[str, str, tuple[Status, ...]], ...] = (
    ("parties", "parties", tuple(s for s in Status if s in PARTY_STATUSES)),
    ("in_force", "in force", tuple(s for s in Status if s in IN_FORCE_STATUSES)),
    ("signatories", "signatories", (Status.SIGNATORY,)),
    ("withdrawing", "withdrawing", (Status.WITHDRAWING,)),
    ("withdrawn", "withdrawn", (Status.WITHDRAWN,)),
    ("non_signatories", "not signed", (Status.NON_SIGNATORY,)),
)


def url(path: str, **params: Any) -> str:
    """``path`` with the non-empty ``params`` as a query string (lists joined by commas)."""
    clean = []
    for k, v in params.items():
        if v is None or v == "" or v == []:
            continue
        if isinstance(v, list | tuple):
            v = ",".join(str(x) for x in v)
        clean.append(f"{_quoted(k)}={_quoted(v.isoformat() if isinstance(v, dt.date) else v)}")
    return f"{path}?{'&'.join(clean)}" if clean else path


#: what ``quote_plus`` leaves as it is
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def _quoted(value: Any) -> str:
    """``value`` as ``urlencode`` writes it (most values need no quoting: a fast path)."""
    text = str(value)
    return text if _PLAIN.fullmatch(text) else quote_plus(text)


def roll_url(treaty: str, on: dt.date, statuses: Sequence[Status] = ()) -> str:
    return url(f"/treaties/{treaty}", on=on, status=[s.value for s in statuses])


def status_label(status: str) -> str:
    return charts.STATUS_LABELS.get(status, status.replace("_", " "))


def plural(n: int, word: str) -> str:
    """``1 State``, ``2 States``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def years_months(days: int, until: dt.date) -> str:
    """The ``days`` up to ``until`` in whole years and months (``15 years 5 months``); empty
    under a month."""
    start = until - dt.timedelta(days=days)
    months = (until.year - start.year) * 12 + until.month - start.month - (until.day < start.day)
    years, months = divmod(months, 12)
    parts = [plural(years, "year")] if years else []
    if months:
        parts.append(plural(months, "month"))
    return " ".join(parts)


def code_spans(text: str | None) -> Markup:
    """``text`` escaped, with its Markdown `code spans` as ``<code>``."""
    parts = str(Markup.escape(text or "")).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: leave the text as it is
        return Markup.escape(text or "")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


@cache
def env() -> Environment:
    e = Environment(
        loader=PackageLoader("normwatch.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.globals.update(
        url=url,
        roll_url=roll_url,
        status_label=status_label,
        plural=plural,
        years_months=years_months,
        colours=charts.STATUS_COLOURS,
        version=__version__,
    )
    e.filters.update(source_href=source_href, source_label=source_label, code_spans=code_spans)
    return e


def source_href(text: str | None) -> str | None:
    """The link of a source: its first word when that is an http(s) URL, else nothing.

    Sources are data: a ``javascript:`` or other scheme must never become a link.
    """
    if not text:
        return None
    first = text.split()[0]
    scheme = urlsplit(first).scheme.lower()
    return first if scheme in ("http", "https") else None


def source_label(text: str) -> str:
    """A readable form of a source URL (host and path, without the scheme)."""
    href = source_href(text)
    if href is None:
        return text
    return text.replace(href, unquote(href.split("://", 1)[1]), 1)


def render(template: str, request: Request | None = None, **context: Any) -> str:
    nav = []
    extra: dict[str, Any] = {}
    if request is not None:
        from normwatch.store.freshness import as_of_text, beyond_warning

        site = get_site(request)
        nav = [(r.id, r.short_name) for r in _treaty_list(site)]
        extra["data_as_of"] = as_of_text(site.store)
        extra["example_store"] = site.store.memo(("example-store",), site.store.is_example)
        on = context.get("on")
        if isinstance(on, dt.date):
            rules = context.get("rules")
            treaty = rules.id if isinstance(rules, TreatyRules) else None
            extra["as_of_warning"] = beyond_warning(site.store, on, treaty)
    return env().get_template(template).render(nav=nav, **extra, **context)


def _page(request: Request, compute: Any, *params: Any) -> Response:
    """A page rendered once per path, parameter values ``params`` and data version (unknown
    query parameters make no new page)."""
    site = get_site(request)
    key = ("page", request.url.path, params, site.today())
    return cached_response(request, key, "text/html; charset=utf-8", compute)


def _treaty_list(site: Site) -> list[TreatyRules]:
    return sorted(site.store.treaties().values(), key=lambda r: r.id)


# -- building blocks -------------------------------------------------------------------------


def count_cards(treaty: str, on: dt.date, counts: Mapping[str, int]) -> list[dict[str, Any]]:
    cards = [
        {"key": key, "label": label, "value": counts[key], "href": roll_url(treaty, on, statuses)}
        for key, label, statuses in COUNT_LINKS
    ]
    if counts.get("consented"):
        cards.insert(
            2,
            {
                "key": "consented",
                "label": "consented, not yet in force",
                "value": counts["consented"],
                "href": roll_url(treaty, on, (Status.CONSENTED,)),
            },
        )
    return cards


#: how far after today a chart reaches to show the day asked
CHART_AHEAD = dt.timedelta(days=3660)


def chart_range(rules: TreatyRules, today: dt.date, on: dt.date) -> tuple[dt.date, dt.date]:
    start = rules.opened_for_signature
    end = max(today, on) if on <= today + CHART_AHEAD else today
    return start, max(end, start + dt.timedelta(days=1))


def count_points(
    site: Site, rules: TreatyRules, on: dt.date
) -> tuple[dt.date, dt.date, list[dict[str, Any]]]:
    """The chart's range and the days on which any count changes in it: those of the longest
    range a chart can have (computed once) up to the range's end (a day's counts do not
    depend on the range)."""
    today = site.today()
    start, end = chart_range(rules, today, on)
    last = chart_range(rules, today, today + CHART_AHEAD)[1]

    def points() -> list[dict[str, Any]]:
        daily = site.store.view(rules.id).daily_counts(start, last)
        return charts.change_points(daily, COUNT_KEYS)

    pts = site.cached(("points", rules.id, start, last), points)
    return start, end, pts[: bisect_right([p["date"] for p in pts], end)]


def treaty_changes(
    site: Site, rules: TreatyRules, since: dt.date, until: dt.date
) -> list[dict[str, Any]]:
    """``queries.changes`` from ``since`` to ``until``: a slice of every change since the
    treaty opened for signature (listed once, in date order)."""
    if since < rules.opened_for_signature or until < since:
        return queries.changes(site.store, rules.id, since, until)
    rows = site.cached(
        ("changes", rules.id),
        lambda: queries.changes(site.store, rules.id, rules.opened_for_signature, dt.date.max),
    )
    dates = [r["date"] for r in rows]
    return rows[bisect_left(dates, since.isoformat()) : bisect_right(dates, until.isoformat())]


def withdrawal_events(
    site: Site, rules: TreatyRules, start: dt.date, end: dt.date
) -> list[charts.ChartEvent]:
    """A chart marker for each withdrawal received or taking effect between two days."""
    events = []
    if end >= start:
        for c in treaty_changes(site, rules, start, end):
            if c["to"] == "withdrawing":
                what = "withdrawal notified (received)"
            elif c["to"] == "withdrawn":
                what = "withdrawal took effect"
            else:
                continue
            events.append(
                charts.ChartEvent(
                    dt.date.fromisoformat(c["date"]),
                    f"{c['name']}: {what} {c['date']}",
                    url(f"/states/{c['state']}", on=c["date"]),
                    c["to"],
                )
            )
    return events


def small_multiple(site: Site, rules: TreatyRules, on: dt.date) -> Markup:
    """The home page's chart of one treaty: parties over time, withdrawals marked (drawn once
    per range: nothing in it depends on the day asked but the range)."""
    start, end, pts = count_points(site, rules, on)

    def draw() -> Markup:
        return charts.small_multiple(
            pts,
            start=start,
            end=end,
            title=f"{rules.short_name}: parties, {start.year}–{end.year}",
            events=withdrawal_events(site, rules, start, end),
            href=roll_url(rules.id, end, tuple(s for s in Status if s in PARTY_STATUSES)),
            chart_id=f"sm-{rules.id}",
        )

    return site.cached(("small-multiple", rules.id, start, end), draw)


def yearly_counts(site: Site, rules: TreatyRules, on: dt.date) -> list[dict[str, Any]]:
    """Counts on 1 January of each year (the chart's data, as a table with links)."""
    start, end, pts = count_points(site, rules, on)
    dates = [p["date"] for p in pts]
    days = [dt.date(y, 1, 1) for y in range(start.year + 1, end.year + 1)] + [end]
    return [{**pts[bisect_right(dates, d) - 1], "date": d} for d in days]


#: where the day goes in the links of a map drawn once for many days (``url`` gives ``%00``)
_DAY_MARK = "\x00"


def status_map(site: Site, rules: TreatyRules, on: dt.date, map_id: str) -> Markup:
    view = site.store.view(rules.id)
    # the States' shapes are drawn once for all the days on which no State changes status,
    # with a mark where the day goes in their links
    shapes, by_status = site.cached(
        ("map", rules.id, view.span(on)), lambda: _map_shapes(site, rules, on)
    )
    legend = [
        (s, status_label(s), by_status.get(s, 0), roll_url(rules.id, on, (Status(s),)))
        for s in charts.STATUS_ORDER
    ]
    return charts.world_map(
        (),
        title=f"{rules.short_name}: status of each State on {on.isoformat()}",
        legend=legend,
        map_id=map_id,
        shapes=shapes.replace(quote(_DAY_MARK), on.isoformat()),
    )


def _map_shapes(site: Site, rules: TreatyRules, on: dt.date) -> tuple[str, dict[str, int]]:
    """The map's shapes on ``on`` with a mark where the day goes, and each status's count."""
    view = site.store.view(rules.id)
    periods = view.periods_on(on)
    shapes = []
    by_status: dict[str, int] = {}
    for code in view.states:
        period = periods.get(code) or NO_PERIOD
        by_status[period.status.value] = by_status.get(period.status.value, 0) + 1
        # a State's shape changes only with what its note says: drawn once for each
        effective = period.effective if period.status == Status.WITHDRAWING else None
        key = ("map-shape", code, period.status, period.since or period.start, effective)
        shapes.append((code, site.store.memo(key, functools.partial(_shape, site, code, period))))
    return charts.map_shapes_of(shapes), by_status


def _shape(site: Site, code: str, period: Period) -> str:
    status = period.status
    note = status_label(status.value)
    since = period.since or period.start
    if since:
        note += f" since {since.isoformat()}"
    if period.effective and status == Status.WITHDRAWING:
        note += f", effective {period.effective.isoformat()}"
    name = site.store.registry().name(code)
    href = url(f"/states/{code}", on=_DAY_MARK)
    return charts.state_shape(charts.MapState(code, name, status.value, note, href))


def latest_changes(site: Site, rules: TreatyRules, on: dt.date, n: int = 8) -> list[dict[str, Any]]:
    if on < rules.opened_for_signature:
        return []  # the treaty was not open yet: nothing has happened
    rows = treaty_changes(site, rules, rules.opened_for_signature, on)
    return rows[-n:][::-1]


# -- pages ---------------------------------------------------------------------------------


TextQuery = Annotated[str | None, Query()]


@router.get("/")
def home(request: Request, on: TextQuery = None, map: TextQuery = None) -> Response:
    site = get_site(request)
    day = parse_day(on, site.today())
    treaties = _treaty_list(site)
    shown = get_treaty(map) if map else treaties[0]

    def compute() -> str:
        from normwatch.service.erosion import select

        sections = []
        changes = []
        for rules in treaties:
            counts = site.store.view(rules.id).counts(day)
            sections.append(
                {
                    "rules": rules,
                    "counts": counts,
                    "cards": count_cards(rules.id, day, counts),
                    "chart": small_multiple(site, rules, day),
                    "deadlines": next_deadlines(site, rules, day),
                }
            )
            changes += [
                {**c, "rules": rules} for c in latest_changes(site, rules, day, HOME_CHANGES)
            ]
        changes.sort(key=lambda c: (c["date"], c["treaty"], c["state"]), reverse=True)
        erosion = [
            e for e in select(erosion_entries(site)) if dt.date.fromisoformat(e["day"]) <= day
        ][::-1]
        return render(
            "home.html",
            request,
            title="Who is in, who is leaving",
            on=day,
            today=site.today(),
            sections=sections,
            shown=shown,
            map=status_map(site, shown, day, "map"),
            changes=changes[:HOME_CHANGES],
            erosion=erosion[:HOME_EROSION],
            anchor=erosion_anchor,
        )

    return _page(request, compute, day, shown.id)


#: how many of the latest changes across treaties, and of the newest erosion entries, the
#: home page lists
HOME_CHANGES = 12
HOME_EROSION = 6


#: the columns of the treaty page's States list that sort it, and their headings
STATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "State"),
    ("region", "Regional group"),
    ("status", "Status"),
    ("since", "Since"),
    ("signature", "Signed"),
    ("consent", "Consent"),
    ("entry_into_force", "In force for it"),
    ("withdrawal_notified", "Withdrawal notified"),
    ("withdrawal_effective", "Withdrawal effective"),
)
STATE_SORT_KEYS = (*(k for k, _ in STATE_COLUMNS), "state")
#: sort names of earlier addresses
SORT_ALIASES = {"group": "region", "effective": "withdrawal_effective"}


@dataclass(frozen=True)
class StateFilter:
    """What the treaty page's States list shows: the query parameters, checked."""

    on: dt.date
    statuses: tuple[Status, ...] = ()
    region: str = ""
    group: str = ""
    q: str = ""
    sort: str = "name"
    descending: bool = False

    def params(self) -> dict[str, Any]:
        """The query parameters that give this list (sort and order included)."""
        return {
            "on": self.on,
            "status": [s.value for s in self.statuses],
            "region": self.region,
            "group": self.group,
            "q": self.q,
            "sort": None if self.sort == "name" else self.sort,
            "order": "desc" if self.descending else None,
        }


def state_filter(
    site: Site,
    on: str | None,
    status: list[str] | None,
    region: str | None,
    group: str | None,
    q: str | None,
    sort: str | None,
    order: str | None,
) -> StateFilter:
    from normwatch.errors import DataError

    reg = site.store.registry()
    regions = {s.regional_group for s in reg.states if s.regional_group}
    groups = {g["id"] for g in other_groups(site)}
    region, group = (region or "").strip(), (group or "").strip()
    if group in regions and not region:  # ?group=African: the address before regions had a name
        region, group = group, ""
    if region and region not in regions:
        raise DataError(
            f"region: unknown regional group {region!r} (known: {', '.join(sorted(regions))})"
        )
    if group and group not in groups:
        raise DataError(f"group: unknown group {group!r} (known: {', '.join(sorted(groups))})")
    key = SORT_ALIASES.get(sort or "", sort or "name")
    return StateFilter(
        on=parse_day(on, site.today()),
        statuses=tuple(parse_status_list(status) or ()),
        region=region,
        group=group,
        q=(q or "").strip(),
        sort=key if key in STATE_SORT_KEYS else "name",
        descending=order == "desc",
    )


def other_groups(site: Site) -> list[dict[str, Any]]:
    """The groups other than the UN regional groups (EU, NATO), for the filter."""
    from normwatch.service.groups import groups

    return [g for g in groups(site.store) if g["kind"] != "un_regional_group"]


def filtered_states(site: Site, rules: TreatyRules, f: StateFilter) -> list[dict[str, Any]]:
    """The States list as the page shows it: filtered by ``f``, in its order."""
    from normwatch.service.status import state_list

    rows = site.cached(
        ("state-list", rules.id, f.on), lambda: state_list(site.store, rules.id, f.on)
    )
    wanted = {s.value for s in f.statuses}
    needle = fold(f.q) if f.q else ""
    rows = [
        r
        for r in rows
        if (not wanted or r["status"] in wanted)
        and (not f.region or r["region"] == f.region)
        and (not f.group or f.group in r["groups"])
        and (not needle or needle in fold(r["name"] or "") or needle in fold(r["state"]))
    ]
    order_of = {s: i for i, s in enumerate(charts.STATUS_ORDER)}

    def key(r: dict[str, Any]) -> Any:
        name = fold(r["name"] or "")  # Côte d'Ivoire before Czechia
        if f.sort == "status":
            return (order_of.get(r["status"], 99), name)
        value = name if f.sort == "name" else r.get(f.sort) or ""
        # empty values sort last in either order
        return (value == "") != f.descending, value, name

    return sorted(rows, key=key, reverse=f.descending)


def treaty_chart(site: Site, rules: TreatyRules, on: dt.date) -> Markup:
    """The treaty page's chart: two panels scaled to the data, the withdrawals marked, a
    focusable point on 1 January of each year."""
    start, end, pts = count_points(site, rules, on)
    events = withdrawal_events(site, rules, start, end)

    def link(key: str, day: dt.date) -> str:
        statuses = {k: s for k, _, s in COUNT_LINKS}.get(key, ())
        return roll_url(rules.id, day, statuses)

    return charts.membership_panels(
        pts,
        start=start,
        end=end,
        marker=on,
        link=link,
        samples=yearly_counts(site, rules, on),
        events=events,
        title=f"{rules.short_name}: States over time, {start.isoformat()} to {end.isoformat()}",
        chart_id="chart",
    )


@router.get("/treaties/{treaty}")
def treaty_page(
    request: Request,
    treaty: str,
    on: TextQuery = None,
    status: Annotated[list[str] | None, Query()] = None,
    region: TextQuery = None,
    group: TextQuery = None,
    q: TextQuery = None,
    sort: TextQuery = None,
    order: TextQuery = None,
    since: TextQuery = None,
) -> Response:
    site = get_site(request)
    rules = get_treaty(treaty)
    f = state_filter(site, on, status, region, group, q, sort, order)
    day = f.on
    since_day = parse_day(since, site.today(), name="since") if since else None
    first = since_day or day - dt.timedelta(365)

    def compute() -> str:
        store = site.store
        view = store.view(rules.id)
        rows = filtered_states(site, rules, f)
        params = {**f.params(), "since": since_day}
        sort_links = {}
        for k in STATE_SORT_KEYS:
            again = k == f.sort and not f.descending
            sort_links[k] = url(
                f"/treaties/{rules.id}",
                **{**params, "sort": k, "order": "desc" if again else None},
            )
        changes = queries.changes(store, rules.id, first, day) if first <= day else []
        kept = {k: v for k, v in f.params().items() if k != "on"}
        return render(
            "treaty.html",
            request,
            title=f"{rules.short_name} on {day.isoformat()}",
            rules=rules,
            on=day,
            f=f,
            rows=rows,
            statuses=[s.value for s in f.statuses],
            all_statuses=charts.STATUS_ORDER,
            regions=sorted({s.regional_group for s in store.registry().states if s.regional_group}),
            groups=other_groups(site),
            group_names={g["id"]: g["id"].upper() for g in other_groups(site)},
            kept=kept,
            columns=STATE_COLUMNS,
            sort_links=sort_links,
            cards=count_cards(rules.id, day, view.counts(day)),
            map=status_map(site, rules, day, "map"),
            changes=changes,
            since=first,
            csv_href=url(f"/treaties/{rules.id}/states.csv", **f.params()),
            json_href=url(
                f"/api/v1/treaties/{rules.id}/roll",
                on=day,
                status=[s.value for s in f.statuses],
            ),
            eif=view.entry_into_force,
            count_links=COUNT_LINKS,
            chart=treaty_chart(site, rules, day),
            yearly=yearly_counts(site, rules, day),
        )

    return _page(request, compute, f, since_day)


@router.get("/treaties/{treaty}/states.csv")
def treaty_states_csv(
    request: Request,
    treaty: str,
    on: TextQuery = None,
    status: Annotated[list[str] | None, Query()] = None,
    region: TextQuery = None,
    group: TextQuery = None,
    q: TextQuery = None,
    sort: TextQuery = None,
    order: TextQuery = None,
) -> Response:
    """The treaty page's States list as CSV: the same filters, the same order, every column."""
    from normwatch.formats import to_csv
    from normwatch.service.status import STATE_LIST_FIELDS

    site = get_site(request)
    rules = get_treaty(treaty)
    f = state_filter(site, on, status, region, group, q, sort, order)

    def compute() -> str:
        rows = [{**r, "groups": ";".join(r["groups"])} for r in filtered_states(site, rules, f)]
        return to_csv(rows, STATE_LIST_FIELDS)

    key = ("states-csv", rules.id, f, site.today())
    response = cached_response(request, key, "text/csv; charset=utf-8", compute)
    response.headers["content-disposition"] = (
        f'attachment; filename="{rules.id}-states-{f.on.isoformat()}.csv"'
    )
    return response


@router.get("/states/{state}")
def state_page(request: Request, state: str, on: TextQuery = None) -> Response:
    site = get_site(request)
    reg = site.store.registry()
    code = reg.resolve(state)
    if code != state:  # a name or alpha-2 code: the canonical address is the alpha-3 code
        return RedirectResponse(url(f"/states/{code}", on=on), status_code=301)
    day = parse_day(on, site.today())

    def compute() -> str:
        from normwatch.service.standing import state_obligations, state_standing

        store = site.store
        s = reg.get(code)
        obligations = {t: state_obligations(store, t, code, day) for t in store.treaties()}
        standing = state_standing(store, code, day, obligations)
        acts = [e for e in erosion_entries(site) if e["state"] == code]
        treaties = []
        for rules, cell in zip(_treaty_list(site), standing["treaties"], strict=True):
            timeline = queries.timeline(store, rules.id, code)
            treaties.append(
                {
                    "rules": rules,
                    "status": cell,
                    "erosion": [e for e in acts if e["treaty"] == rules.id],
                    "timeline": timeline,
                    "timeline_html": state_timeline(site, rules, s, timeline),
                    "explanation_html": explanation_html(site, cell["explanation"]),
                    "obligations": obligations[rules.id],
                }
            )
        return render(
            "state.html",
            request,
            title=f"{s.name} on {day.isoformat()}",
            state=s,
            on=day,
            treaties=treaties,
            today=site.today(),
            statements=standing["statements"],
            json_href=url(f"/api/v1/states/{code}", on=day),
            anchor=erosion_anchor,
        )

    return _page(request, compute, day)


def state_timeline(
    site: Site, rules: TreatyRules, state: State, timeline: Mapping[str, Any]
) -> Markup:
    """The table of a State's acts, statuses and domestic steps under a treaty on its page:
    the same on every day asked, so drawn once."""

    def draw() -> Markup:
        html = (
            env()
            .get_template("state_timeline.html")
            .render(timeline=timeline, rules=rules, state=state)
        )
        return Markup(html)  # rendered by the autoescaping environment

    return site.cached(("state-timeline", rules.id, state.code), draw)


def explanation_html(site: Site, explanation: Mapping[str, Any]) -> Markup:
    """The ``explanation`` macro of a status's explanation (the JSON of the API), drawn once
    for each different explanation."""
    key = json.dumps(explanation, sort_keys=True, ensure_ascii=False)

    def draw() -> Markup:
        html: Markup = env().get_template("macros.html").module.explanation(explanation)  # type: ignore[attr-defined]
        return html

    return site.cached(("explanation", key), draw)


# -- every State x every treaty ------------------------------------------------------------------

#: the sort keys of the matrix page besides the treaty ids
MATRIX_SORTS = ("name", "region", "in_force")


def matrix_rows(site: Site, f: StateFilter, sort: str | None) -> tuple[list[dict[str, Any]], str]:
    """The matrix's rows filtered by region, group and name, in the order asked (a treaty id
    sorts by status under that treaty, then by name), and the sort key used."""
    from normwatch.service.standing import matrix

    rows = site.cached(("matrix", f.on), lambda: matrix(site.store, f.on))
    needle = fold(f.q) if f.q else ""
    rows = [
        r
        for r in rows
        if (not f.region or r["region"] == f.region)
        and (not f.group or f.group in r["groups"])
        and (not needle or needle in fold(r["name"]) or needle in fold(r["state"]))
    ]
    key = sort if sort in MATRIX_SORTS or sort in site.store.treaties() else "name"
    order_of = {s: i for i, s in enumerate(charts.STATUS_ORDER)}

    def by(r: dict[str, Any]) -> Any:
        name = fold(r["name"])
        if key == "name":
            return (name,)
        if key == "region":
            return (r["region"], name)
        if key == "in_force":
            return (-r["in_force"], name)
        return (order_of.get(r["statuses"][key], 99), name)

    ordered = sorted(rows, key=by)
    return (ordered[::-1] if f.descending else ordered), key


@router.get("/matrix")
def matrix_page(
    request: Request,
    on: TextQuery = None,
    region: TextQuery = None,
    group: TextQuery = None,
    q: TextQuery = None,
    sort: TextQuery = None,
    order: TextQuery = None,
) -> Response:
    site = get_site(request)
    f = state_filter(site, on, None, region, group, q, None, order)

    def compute() -> str:
        rows, key = matrix_rows(site, f, sort)
        params = {**f.params(), "sort": None if key == "name" else key}
        sort_links = {
            k: url(
                "/matrix",
                **{
                    **params,
                    "sort": None if k == "name" else k,
                    "order": "desc" if k == key and not f.descending else None,
                },
            )
            for k in (*MATRIX_SORTS, *sorted(site.store.treaties()))
        }
        return render(
            "matrix.html",
            request,
            title=f"States × treaties on {f.on.isoformat()}",
            on=f.on,
            f=f,
            rows=rows,
            key=key,
            treaties=_treaty_list(site),
            regions=sorted(
                {s.regional_group for s in site.store.registry().states if s.regional_group}
            ),
            groups=other_groups(site),
            sort_links=sort_links,
            statuses=charts.STATUS_ORDER,
            short=charts.STATUS_SHORT,
            csv_href=url("/matrix.csv", **params),
        )

    return _page(request, compute, f, sort)


@router.get("/matrix.csv")
def matrix_csv(
    request: Request,
    on: TextQuery = None,
    region: TextQuery = None,
    group: TextQuery = None,
    q: TextQuery = None,
    sort: TextQuery = None,
    order: TextQuery = None,
) -> Response:
    """The matrix as CSV: one row per State, one column per treaty, the page's filters."""
    from normwatch.formats import to_csv

    site = get_site(request)
    f = state_filter(site, on, None, region, group, q, None, order)
    ids = sorted(site.store.treaties())

    def compute() -> str:
        rows, _ = matrix_rows(site, f, sort)
        flat = [
            {
                "state": r["state"],
                "name": r["name"],
                "region": r["region"],
                "groups": ";".join(r["groups"]),
                **r["statuses"],
                "in_force": r["in_force"],
            }
            for r in rows
        ]
        return to_csv(flat, ["state", "name", "region", "groups", *ids, "in_force"])

    key = ("matrix-csv", f, sort, site.today())
    response = cached_response(request, key, "text/csv; charset=utf-8", compute)
    response.headers["content-disposition"] = (
        f'attachment; filename="states-treaties-{f.on.isoformat()}.csv"'
    )
    return response


# -- the erosion timeline -----------------------------------------------------------------------


def erosion_entries(site: Site) -> list[dict[str, Any]]:
    """Every erosion entry on record (computed once per data version)."""
    from normwatch.service.erosion import all_entries

    return site.cached(("erosion",), lambda: all_entries(site.store))


def erosion_anchor(entry: Mapping[str, Any]) -> str:
    """The id of an entry's section on the erosion page."""
    return "act-" + "".join(c if c.isalnum() else "-" for c in entry["id"])


def erosion_filter(site: Site, treaty: str | None, since: str | None) -> tuple[str | None, dt.date]:
    from normwatch.service.erosion import DEFAULT_SINCE

    tid = get_treaty(treaty).id if treaty else None
    return tid, parse_day(since, site.today(), name="since") if since else DEFAULT_SINCE


def erosion_chart(entries: Sequence[Mapping[str, Any]], today: dt.date) -> Markup | None:
    """The timeline chart of ``entries``, from the first entry's year to the end of the year
    of today or of the last effect, whichever is later (None: nothing to draw)."""
    if not entries:
        return None
    days = [dt.date.fromisoformat(e["day"]) for e in entries]
    effects = [dt.date.fromisoformat(e["effective"]) for e in entries if e["effective"]]
    start = dt.date(min(days).year, 1, 1)
    end = dt.date(max([today, *days, *effects]).year, 12, 31)
    marks = [
        charts.ErosionMark(
            lane=e["short_name"],
            day=dt.date.fromisoformat(e["day"]),
            kind=e["kind"],
            label=f"{e['name']}: {e['act']} {e['date']}; {e['effect']}",
            href=f"#{erosion_anchor(e)}",
            until=dt.date.fromisoformat(e["effective"]) if e["effective"] else None,
            postponed=bool(e["postponed"]),
            tag=e["state"],
        )
        for e in entries
    ]
    return charts.erosion_chart(
        marks,
        start=start,
        end=end,
        title=f"Acts that left or weakened a treaty, {start.year}–{end.year}",
    )


@router.get("/erosion")
def erosion_page(request: Request, treaty: TextQuery = None, since: TextQuery = None) -> Response:
    from normwatch.service.erosion import KINDS, repeat_states, select

    site = get_site(request)
    tid, first = erosion_filter(site, treaty, since)

    def compute() -> str:
        entries = select(erosion_entries(site), tid, first)
        names = {s.code: s.name for s in site.store.registry().states}
        return render(
            "erosion.html",
            request,
            title="Norms under pressure: the erosion timeline",
            entries=entries,
            chart=erosion_chart(entries, site.today()),
            repeats=repeat_states(entries),
            kinds=KINDS,
            styles=charts.EROSION_STYLE,
            anchor=erosion_anchor,
            names=names,
            treaties=_treaty_list(site),
            treaty=tid,
            since=first,
            csv_href=url("/erosion.csv", treaty=tid, since=since and first),
            json_href=url("/erosion.json", treaty=tid, since=since and first),
            atom_href=url("/feeds/erosion.atom", treaty=tid),
        )

    return _page(request, compute, tid, first)


@router.get("/erosion.csv")
def erosion_csv(request: Request, treaty: TextQuery = None, since: TextQuery = None) -> Response:
    """The erosion timeline as CSV: one row per act, the page's filters."""
    from normwatch.formats import to_csv
    from normwatch.service.erosion import EROSION_FIELDS, erosion_rows, select

    site = get_site(request)
    tid, first = erosion_filter(site, treaty, since)

    def compute() -> str:
        return to_csv(erosion_rows(select(erosion_entries(site), tid, first)), EROSION_FIELDS)

    key = ("erosion-csv", tid, first, site.today())
    response = cached_response(request, key, "text/csv; charset=utf-8", compute)
    response.headers["content-disposition"] = 'attachment; filename="erosion.csv"'
    return response


@router.get("/erosion.json")
def erosion_json(request: Request, treaty: TextQuery = None, since: TextQuery = None) -> Response:
    """The erosion timeline as JSON: every entry with its explanation and reactions."""
    from normwatch.formats import dumps_items
    from normwatch.service.erosion import select

    site = get_site(request)
    tid, first = erosion_filter(site, treaty, since)

    def compute() -> str:
        return dumps_items(select(erosion_entries(site), tid, first))

    key = ("erosion-json", tid, first, site.today())
    return cached_response(request, key, "application/json", compute)


@router.get("/methods")
def methods_page(request: Request) -> Response:
    site = get_site(request)

    def compute() -> str:
        from normwatch.catalog import obligation_rules
        from normwatch.sources.untc.importer import sources_summary

        store = site.store
        treaties = []
        for rules in _treaty_list(site):
            view = store.view(rules.id)
            refs = []
            for ref in store.reference_counts(rules.id):
                day = dt.date.fromisoformat(ref["date"])
                got = view.counts(day)
                refs.append(
                    {
                        "ref": ref,
                        "got": got,
                        "day": day,
                        "ok": all(
                            got[k] == ref[k]
                            for k in (
                                "parties",
                                "in_force",
                                "signatories",
                                "withdrawing",
                                "withdrawn",
                            )
                        ),
                    }
                )
            treaties.append(
                {
                    "rules": rules,
                    "eif": view.entry_into_force,
                    "refs": refs,
                    "raw": rules.raw,
                    "obligations": obligation_rules(rules),
                }
            )
        from normwatch.coding.codebook import list_codebooks, load_codebook

        return render(
            "methods.html",
            request,
            title="Methods and sources",
            treaties=treaties,
            sources=sources_summary(store),
            codebooks=[load_codebook(b) for b in list_codebooks()],
            states=len(store.registry().states),
            geo=charts.world()["source"],
        )

    return _page(request, compute)


@router.get("/api")
@router.get("/api/v1")
@router.get("/api/v1/docs")
def api_docs(request: Request) -> Response:
    """The OpenAPI description rendered as a page (no JavaScript, no CDN)."""

    def compute() -> str:
        spec = request.app.openapi()
        ops = []
        for path, item in spec["paths"].items():
            for method, op in item.items():
                ops.append({"path": path, "method": method.upper(), "op": op})
        return render("api.html", request, title="JSON API", ops=ops, spec=spec)

    return _page(request, compute)


# -- obligations and deadlines -----------------------------------------------------------------


def next_deadlines(site: Site, rules: TreatyRules, on: dt.date, n: int = 8) -> dict[str, Any]:
    """The overdue count and the next ``n`` deadlines within a year (None: no obligations)."""
    from normwatch.errors import DataError
    from normwatch.service.obligations import deadline_summary

    try:
        overdue, total, upcoming = deadline_summary(site.store, rules.id, on, 12, n)
    except DataError:  # the treaty's rule file defines no obligations
        return {"available": False, "overdue": 0, "upcoming": [], "total": 0}
    reg = site.store.registry()
    return {
        "available": True,
        "overdue": overdue,
        "upcoming": [s.to_dict(name=reg.name(s.state)) for s in upcoming],
        "total": total,
    }


@router.get("/treaties/{treaty}/deadlines")
def deadlines_page(
    request: Request,
    treaty: str,
    on: TextQuery = None,
    within: TextQuery = None,
    overdue: TextQuery = None,
) -> Response:
    from normwatch.service.obligations import deadlines, group_deadlines, parse_within

    site = get_site(request)
    rules = get_treaty(treaty)
    day = parse_day(on, site.today())
    window = within or "12m"
    months = None if window == "all" else parse_within(window)
    only_overdue = overdue in ("1", "true", "yes", "on")

    def compute() -> str:
        rows = deadlines(site.store, rules.id, day, within_months=months, overdue_only=only_overdue)
        return render(
            "deadlines.html",
            request,
            title=f"{rules.short_name} deadlines",
            rules=rules,
            on=day,
            rows=rows,
            groups=group_deadlines(rows),
            within=window,
            overdue=only_overdue,
            ics_href=url("/feeds/deadlines.ics", treaty=rules.id),
            json_href=url(
                f"/api/v1/treaties/{rules.id}/deadlines",
                on=day,
                within=None if window == "all" else window,
                overdue="true" if only_overdue else None,
            ),
        )

    return _page(request, compute, day, window, only_overdue)


# -- meetings -------------------------------------------------------------------------------


def highlight(text: str, spans: Sequence[tuple[int, int, str]]) -> Markup:
    """``text`` escaped, with each evidence span (start, end, label) in a ``<mark>``."""
    ordered = sorted((s, e, label) for s, e, label in spans if 0 <= s < e <= len(text))
    merged: list[list[Any]] = []
    for s, e, label in ordered:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            if label not in merged[-1][2]:
                merged[-1][2].append(label)
        else:
            merged.append([s, e, [label]])
    out, pos = [], 0
    for s, e, labels in merged:
        out.append(str(Markup.escape(text[pos:s])))
        out.append(
            f'<mark title="{Markup.escape(", ".join(labels))}">{Markup.escape(text[s:e])}</mark>'
        )
        pos = e
    out.append(str(Markup.escape(text[pos:])))
    return Markup("".join(out))


def evidence_spans(text: str, codings: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, str]]:
    spans = []
    for c in codings:
        ev = c.get("evidence")
        if not ev:
            continue
        start, end, quote = ev.get("start"), ev.get("end"), ev.get("quote") or ""
        if (
            not (isinstance(start, int) and isinstance(end, int) and text[start:end] == quote)
            and quote
        ):
            start = text.find(quote)
            end = start + len(quote) if start >= 0 else -1
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            spans.append((start, end, c["code"]))
    return spans


@router.get("/meetings")
def meetings_page(request: Request) -> Response:
    from normwatch.service.meetings import list_meetings

    site = get_site(request)

    def compute() -> str:
        rows = list_meetings(site.store)
        return render(
            "meetings.html",
            request,
            title="Meetings",
            meetings=rows,
            treaties={r.id: r for r in _treaty_list(site)},
        )

    return _page(request, compute)


@router.get("/meetings/{meeting}")
def meeting_page(
    request: Request,
    meeting: str,
    codebook: TextQuery = None,
    denominator: TextQuery = None,
    by: TextQuery = None,
) -> Response:
    from normwatch.coding.codebook import load_codebook
    from normwatch.core.meetings import DENOMINATORS
    from normwatch.service.codings import meeting_codings
    from normwatch.service.groups import groups
    from normwatch.service.meetings import show_meeting
    from normwatch.service.reactions import reactions
    from normwatch.service.review import hide_from
    from normwatch.store.meetings import get_meeting
    from normwatch.web.routers.api import checked_codebook

    site = get_site(request)
    m = get_meeting(site.store, meeting)
    if m["id"] != meeting:
        return RedirectResponse(
            url(f"/meetings/{m['id']}", codebook=codebook, denominator=denominator, by=by),
            status_code=301,
        )
    book_id = checked_codebook(codebook)
    den = denominator or "participating"
    grouping = by or "regional_group"

    def compute() -> str:
        store = site.store
        reg = store.registry()
        book = load_codebook(book_id)
        shown = show_meeting(store, m["id"], with_text=True)
        result = reactions(store, m["id"], book_id, denominator=den, by=grouping)
        codings = meeting_codings(store, m["id"], book_id)
        total = result["denominator"]["count"]
        bars = []
        for code in book.codes:
            c = result["codes"][code.id]
            share = f"{c['share']:.0%} of {total}" if c["share"] is not None else f"of {total}"
            bars.append(charts.Bar(code.label, c["count"], share, f"#code-{code.id}"))
        silent = result["silent"]
        bars.append(
            charts.Bar(
                "silent (no mention)",
                len(silent),
                f"{len(silent) / total:.0%} of {total}" if total else "",
                "#silent",
                colour=charts.STATUS_COLOURS["non_signatory"],
            )
        )
        chart = charts.bar_chart(
            bars,
            title=f"{m['name']}: reactions by code ({book.title})",
            description=(
                f"Number of the {plural(total, 'State')} in the denominator ({den}) "
                "whose statements carry each code; a State counts once per code. "
                + "; ".join(f"{b.label}: {b.value}" for b in bars)
            ),
            chart_id="reactions",
        )
        texts = []
        agreed = meeting_agreement(store, m["id"], book_id, result["agreement"])
        # double coding under way: nobody sees the two coders' codes until both have coded
        pending = {p["statement"] for p in agreed["pending"]}
        for s in shown["statements"]:
            mine = [c for c in codings if c["statement"] == s["id"]]
            if s["id"] in pending:
                mine = hide_from(mine, None)
            text = s.get("text")
            texts.append(
                {
                    "s": s,
                    "blind": s["id"] in pending,
                    "codings": mine,
                    "html": highlight(
                        text,
                        evidence_spans(text, [c for c in mine if c["review_state"] != "rejected"]),
                    )
                    if text
                    else None,
                }
            )
        listed = {p["participant"] for p in shown["participants"]}
        about = [
            e
            for e in erosion_entries(site)
            if any(
                r["meeting"] == m["id"] and r["codebook"] == book_id
                for r in e["reactions"]["meetings"]
            )
        ]
        return render(
            "meeting.html",
            request,
            agreement=agreed,
            title=m["name"],
            m=shown["meeting"],
            shown=shown,
            result=result,
            book=book,
            chart=chart,
            statements=texts,
            names={s.code: s.name for s in reg.states},
            denominators=DENOMINATORS,
            den=den,
            grouping=grouping,
            total=total,
            group_names={g["id"]: g["name"] for g in groups(store)},
            chair_only=not listed - {shown["meeting"]["president"]},
            presidency_statements=sum(s["role"] == "presidency" for s in shown["statements"]),
            about=about,
            anchor=erosion_anchor,
            json_href=url(
                f"/api/v1/meetings/{m['id']}/reactions",
                codebook=book_id,
                denominator=den,
                by=grouping,
            ),
        )

    return _page(request, compute, book_id, den, grouping)


def meeting_agreement(
    store: Any, meeting: str, codebook: str, basis: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Per-code agreement of the coders the figures rest on, and the double-coding sample's
    disagreements and statements still waiting for a coder."""
    from normwatch.service.agreement import agreement
    from normwatch.service.double_coding import disagreements

    per_code = agreement(store, meeting, codebook, basis["coders"]) if basis else None
    return {"per_code": per_code, **disagreements(store, meeting, codebook)}


# -- downloads ------------------------------------------------------------------------------


@router.get("/data")
def data_page(request: Request) -> Response:
    from normwatch.web.routers.downloads import current_export

    site = get_site(request)
    current = current_export(site)
    address = str(request.base_url).rstrip("/") + "/data"
    files = current.files
    package = current.package

    def compute() -> str:
        start = {f["path"] for f in package.get("start_here", [])}
        return render(
            "data.html",
            request,
            title="Download the data",
            files=files,
            package=package,
            start_here=package.get("start_here", []),
            rest=[f for f in files if f["name"] not in start],
            address=address,
            retrieved=site.today(),
        )

    return _page(request, compute, address)


# -- addresses people guess ---------------------------------------------------------------

#: short addresses without a page of their own, and the page that answers them: the home
#: page lists the treaties with their next deadlines; the States × treaties matrix lists
#: every State (each row leads to its State page); the data page holds the downloads
GUESSED_ADDRESSES = {
    "/treaties": "/",
    "/states": "/matrix",
    "/deadlines": "/",
    "/downloads": "/data",
}


def _redirect_to(target: str) -> Any:
    def redirect(request: Request) -> Response:
        query = request.url.query
        return RedirectResponse(target + (f"?{query}" if query else ""), status_code=307)

    return redirect


for _path, _target in GUESSED_ADDRESSES.items():
    router.add_api_route(_path, _redirect_to(_target), methods=["GET"])
