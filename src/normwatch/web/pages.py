"""The HTML pages: home, treaty, State, methods, data, API docs.

Pages are rendered on the server with Jinja2 (autoescaping on: every value from the data is
escaped) and read without JavaScript: dates are picked with plain GET forms, columns are sorted
by links. Every number links to the rows behind it, usually the roll filtered by status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Annotated, Any
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from normwatch import __version__, queries
from normwatch.engine import IN_FORCE_STATUSES, PARTY_STATUSES
from normwatch.model import Status
from normwatch.rules import TreatyRules, get_treaty
from normwatch.web import charts
from normwatch.web.app import cached_response, get_site
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
SORT_KEYS = ("name", "state", "group", "status", "since", "effective")


def url(path: str, **params: Any) -> str:
    """``path`` with the non-empty ``params`` as a query string (lists joined by commas)."""
    clean = {}
    for k, v in params.items():
        if v is None or v == "" or v == []:
            continue
        if isinstance(v, list | tuple):
            v = ",".join(str(x) for x in v)
        clean[k] = v.isoformat() if isinstance(v, dt.date) else v
    return f"{path}?{urlencode(clean)}" if clean else path


def roll_url(treaty: str, on: dt.date, statuses: Sequence[Status] = ()) -> str:
    return url(f"/treaties/{treaty}", on=on, status=[s.value for s in statuses])


def status_label(status: str) -> str:
    return charts.STATUS_LABELS.get(status, status.replace("_", " "))


@cache
def env() -> Environment:
    e = Environment(
        loader=PackageLoader("normwatch.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.globals.update(url=url, roll_url=roll_url, status_label=status_label,
                     colours=charts.STATUS_COLOURS, version=__version__)
    e.filters.update(source_href=source_href, source_label=source_label)
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
    if request is not None:
        site = get_site(request)
        nav = [(r.id, r.short_name) for r in _treaty_list(site)]
    return env().get_template(template).render(nav=nav, **context)


def _page(request: Request, compute: Any) -> Response:
    """A page rendered once per URL, date and data version."""
    site = get_site(request)
    key = ("page", request.url.path, tuple(sorted(request.query_params.multi_items())),
           site.today())
    return cached_response(request, key, "text/html; charset=utf-8", compute)


def _treaty_list(site: Site) -> list[TreatyRules]:
    return sorted(site.store.treaties().values(), key=lambda r: r.id)


# -- building blocks -------------------------------------------------------------------------


def count_cards(treaty: str, on: dt.date, counts: Mapping[str, int]) -> list[dict[str, Any]]:
    cards = [{"key": key, "label": label, "value": counts[key],
              "href": roll_url(treaty, on, statuses)} for key, label, statuses in COUNT_LINKS]
    if counts.get("consented"):
        cards.insert(2, {"key": "consented", "label": "consented, not yet in force",
                         "value": counts["consented"],
                         "href": roll_url(treaty, on, (Status.CONSENTED,))})
    return cards


def chart_range(rules: TreatyRules, today: dt.date, on: dt.date) -> tuple[dt.date, dt.date]:
    start = rules.opened_for_signature
    end = max(today, on) if on <= today + dt.timedelta(days=3660) else today
    return start, max(end, start + dt.timedelta(days=1))


def membership_chart(site: Site, rules: TreatyRules, on: dt.date, chart_id: str) -> Markup:
    start, end = chart_range(rules, site.today(), on)
    keys = [s.key for s in charts.MEMBERSHIP_SERIES]

    def points() -> list[dict[str, Any]]:
        daily = site.store.view(rules.id).daily_counts(start, end)
        return charts.change_points(daily, keys)

    pts = site.cached(("points", rules.id, start, end), points)

    def link(key: str, day: dt.date) -> str:
        statuses = {k: s for k, _, s in COUNT_LINKS}.get(key, ())
        return roll_url(rules.id, day, statuses)

    return charts.step_chart(pts, start=start, end=end, marker=on, link=link,
                             title=f"{rules.short_name}: States over time, "
                                   f"{start.isoformat()} to {end.isoformat()}",
                             chart_id=chart_id)


def yearly_counts(site: Site, rules: TreatyRules, on: dt.date) -> list[dict[str, Any]]:
    """Counts on 1 January of each year (the chart's data, as a table with links)."""
    start, end = chart_range(rules, site.today(), on)
    view = site.store.view(rules.id)
    days = [dt.date(y, 1, 1) for y in range(start.year + 1, end.year + 1)] + [end]
    return [{"date": d, **view.counts(d)} for d in days]


def status_map(site: Site, rules: TreatyRules, on: dt.date, map_id: str) -> Markup:
    reg = site.store.registry()
    view = site.store.view(rules.id)
    states = []
    by_status: dict[str, int] = {}
    for r in view.roll(on):
        status = r.status.value
        by_status[status] = by_status.get(status, 0) + 1
        note = status_label(status)
        if r.period.start:
            note += f" since {r.period.start.isoformat()}"
        if r.period.effective and r.status == Status.WITHDRAWING:
            note += f", effective {r.period.effective.isoformat()}"
        states.append(charts.MapState(r.state, reg.name(r.state), status, note,
                                      url(f"/states/{r.state}", on=on)))
    legend = [(s, status_label(s), by_status.get(s, 0),
               roll_url(rules.id, on, (Status(s),))) for s in charts.STATUS_ORDER]
    return charts.world_map(states, title=f"{rules.short_name}: status of each State on "
                                          f"{on.isoformat()}", legend=legend, map_id=map_id)


def latest_changes(site: Site, rules: TreatyRules, on: dt.date, n: int = 8
                   ) -> list[dict[str, Any]]:
    rows = queries.changes(site.store, rules.id, rules.opened_for_signature, on)
    return rows[-n:][::-1]


# -- pages ---------------------------------------------------------------------------------


TextQuery = Annotated[str | None, Query()]


@router.get("/")
async def home(request: Request, on: TextQuery = None) -> Response:
    site = get_site(request)
    day = parse_day(on, site.today())

    def compute() -> str:
        sections = []
        for rules in _treaty_list(site):
            counts = site.store.view(rules.id).counts(day)
            sections.append({
                "rules": rules,
                "cards": count_cards(rules.id, day, counts),
                "chart": membership_chart(site, rules, day, f"chart-{rules.id}"),
                "map": status_map(site, rules, day, f"map-{rules.id}"),
                "changes": latest_changes(site, rules, day),
            })
        return render("home.html", request, title="normwatch", on=day, today=site.today(),
                      sections=sections)

    return _page(request, compute)


@router.get("/treaties/{treaty}")
async def treaty_page(
    request: Request,
    treaty: str,
    on: TextQuery = None,
    status: Annotated[list[str] | None, Query()] = None,
    group: TextQuery = None,
    q: TextQuery = None,
    sort: TextQuery = None,
    order: TextQuery = None,
    since: TextQuery = None,
) -> Response:
    site = get_site(request)
    rules = get_treaty(treaty)
    day = parse_day(on, site.today())
    statuses = parse_status_list(status)
    first = parse_day(since, site.today(), name="since") if since else day - dt.timedelta(365)
    sort_key = sort if sort in SORT_KEYS else "name"
    descending = order == "desc"

    def compute() -> str:
        store = site.store
        reg = store.registry()
        view = store.view(rules.id)
        rows = queries.roll(store, rules.id, day, statuses)
        groups = sorted({s.regional_group for s in reg.states if s.regional_group})
        for r in rows:
            r["group"] = reg.get(r["state"]).regional_group or ""
        if group:
            rows = [r for r in rows if r["group"] == group]
        if q:
            from normwatch.registry import fold

            needle = fold(q)
            rows = [r for r in rows if needle in fold(r["name"] or "") or needle in fold(
                r["state"])]
        order_of = {s: i for i, s in enumerate(charts.STATUS_ORDER)}

        def key(r: dict[str, Any]) -> Any:
            if sort_key == "status":
                return (order_of.get(r["status"], 99), r["name"] or "")
            value = r.get(sort_key) or ""
            # empty dates sort last in either order
            return (value == "") != descending, value, r["name"] or ""

        rows.sort(key=key, reverse=descending)
        params = {"on": day, "status": [s.value for s in statuses or ()], "group": group,
                  "q": q, "since": since}
        sort_links = {
            k: url(f"/treaties/{rules.id}", **params, sort=k,
                   order="desc" if (k == sort_key and not descending) else None)
            for k in SORT_KEYS}
        changes = queries.changes(store, rules.id, first, day) if first <= day else []
        return render(
            "treaty.html", request, title=f"{rules.short_name} on {day.isoformat()}",
            rules=rules, on=day, rows=rows, statuses=[s.value for s in statuses or ()],
            all_statuses=charts.STATUS_ORDER, groups=groups, group=group or "", q=q or "",
            sort=sort_key, descending=descending, sort_links=sort_links,
            cards=count_cards(rules.id, day, view.counts(day)),
            map=status_map(site, rules, day, "map"), changes=changes, since=first,
            csv_href=url(f"/api/v1/treaties/{rules.id}/roll", on=day,
                         status=[s.value for s in statuses or ()], format="csv"),
            json_href=url(f"/api/v1/treaties/{rules.id}/roll", on=day,
                          status=[s.value for s in statuses or ()]),
            eif=view.entry_into_force, count_links=COUNT_LINKS,
            chart=membership_chart(site, rules, day, "chart"),
            yearly=yearly_counts(site, rules, day))

    return _page(request, compute)


@router.get("/states/{state}")
async def state_page(request: Request, state: str, on: TextQuery = None) -> Response:
    site = get_site(request)
    reg = site.store.registry()
    code = reg.resolve(state)
    if code != state:  # a name or alpha-2 code: the canonical address is the alpha-3 code
        return RedirectResponse(url(f"/states/{code}", on=on), status_code=301)
    day = parse_day(on, site.today())

    def compute() -> str:
        store = site.store
        s = reg.get(code)
        treaties = []
        for rules in _treaty_list(site):
            row = queries.status(store, rules.id, [code], day, explain=True)[0]
            tl = queries.timeline(store, rules.id, code)
            treaties.append({"rules": rules, "status": row, "timeline": tl})
        return render("state.html", request, title=f"{s.name} on {day.isoformat()}", state=s,
                      on=day, treaties=treaties, today=site.today())

    return _page(request, compute)


@router.get("/methods")
async def methods_page(request: Request) -> Response:
    site = get_site(request)

    def compute() -> str:
        from normwatch.untc_import import sources_summary

        store = site.store
        treaties = []
        for rules in _treaty_list(site):
            view = store.view(rules.id)
            refs = []
            for ref in store.reference_counts(rules.id):
                day = dt.date.fromisoformat(ref["date"])
                got = view.counts(day)
                refs.append({"ref": ref, "got": got, "day": day, "ok": all(
                    got[k] == ref[k] for k in ("parties", "in_force", "signatories",
                                               "withdrawing", "withdrawn"))})
            treaties.append({"rules": rules, "eif": view.entry_into_force, "refs": refs,
                             "raw": rules.raw})
        return render("methods.html", request, title="Methods and sources",
                      treaties=treaties, sources=sources_summary(store),
                      states=len(store.registry().states), geo=charts.world()["source"])

    return _page(request, compute)


@router.get("/api")
@router.get("/api/v1")
@router.get("/api/v1/docs")
async def api_docs(request: Request) -> Response:
    """The OpenAPI description rendered as a page (no JavaScript, no CDN)."""
    def compute() -> str:
        spec = request.app.openapi()
        ops = []
        for path, item in spec["paths"].items():
            for method, op in item.items():
                ops.append({"path": path, "method": method.upper(), "op": op})
        return render("api.html", request, title="JSON API", ops=ops, spec=spec)

    return _page(request, compute)
