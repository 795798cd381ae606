"""Charts and the world map as SVG strings, drawn in Python (no JavaScript, no download).

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies); every line
also has its own dash pattern and a direct label, so no chart depends on colour alone. Each SVG
carries a ``<title>`` and a ``<desc>`` that says in words what it shows, and links its numbers
to the rows behind them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from itertools import accumulate
from typing import Any

from markupsafe import Markup

#: Okabe–Ito colours by status
STATUS_COLOURS: dict[str, str] = {
    "party": "#0072B2",
    "consented": "#56B4E9",
    "signatory": "#009E73",
    "withdrawing": "#E69F00",
    "withdrawn": "#D55E00",
    "unsigned": "#CC79A7",
    "non_signatory": "#C9C9C9",
}
TERRITORY_COLOUR = "#F1F1F1"
STATUS_LABELS: dict[str, str] = {
    "party": "party (in force)",
    "consented": "consented, not yet in force",
    "signatory": "signatory",
    "withdrawing": "withdrawing",
    "withdrawn": "withdrawn",
    "unsigned": "signed, then not to become a party",
    "non_signatory": "not signed",
}
STATUS_ORDER = tuple(STATUS_COLOURS)
#: the labels of the States × treaties matrix, short enough for twelve columns
STATUS_SHORT: dict[str, str] = {
    "party": "party",
    "consented": "consented",
    "signatory": "signed",
    "withdrawing": "withdrawing",
    "withdrawn": "withdrawn",
    "unsigned": "unsigned",
    "non_signatory": "not signed",
}


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


# --- membership over time ------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    #: the colour of its label: the same hue, dark enough for text on white (4.5:1 or more)
    ink: str
    dash: str = ""


MEMBERSHIP_SERIES = (
    Series("parties", "parties", STATUS_COLOURS["party"], STATUS_COLOURS["party"]),
    Series("signatories", "signatories", STATUS_COLOURS["signatory"], "#007A5A", "7 4"),
    Series("withdrawing", "withdrawing", STATUS_COLOURS["withdrawing"], "#8F5E00", "2 3"),
    Series("withdrawn", "withdrawn", STATUS_COLOURS["withdrawn"], "#B34E00", "9 3 2 3"),
)


def change_points(daily: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """The days on which one of ``keys`` changes (and the first day): a step series."""
    out: list[dict[str, Any]] = []
    for row in daily:
        if not out or any(row[k] != out[-1][k] for k in keys):
            out.append({"date": row["date"], **{k: row[k] for k in keys}})
    return out


def axis_top(value: float, max_intervals: int = 8) -> tuple[int, int]:
    """The top of an axis from 0 that holds ``value``, close above it, and its tick step: the
    smallest step of 1, 2, 2.5 or 5 times a power of ten that needs at most ``max_intervals``
    intervals (111 → 120 in steps of 20, not 200; 3 → 3 in steps of 1)."""
    value = max(float(value), 1.0)
    power = 1.0
    while True:
        for m in (1, 2, 2.5, 5):
            step = m * power
            if step < 1 or step != int(step):
                continue
            intervals = math.ceil(value / step)
            if intervals <= max_intervals:
                return int(intervals * step), int(step)
        power *= 10


@dataclass(frozen=True)
class ChartEvent:
    """A dated event drawn as a marker on the lower panel (a withdrawal notified or taking
    effect), linked to the rows behind it."""

    day: dt.date
    label: str
    href: str
    kind: str  # the series key whose colour it takes (withdrawing, withdrawn)


def small_multiple(
    points: Sequence[Mapping[str, Any]],
    *,
    start: dt.date,
    end: dt.date,
    title: str,
    events: Sequence[ChartEvent] = (),
    href: str | None = None,
    chart_id: str = "sm",
) -> Markup:
    """Parties over time, small enough to set twelve side by side: a step line on an axis from
    0 to just above its maximum, a mark under the axis for each withdrawal noticed or taking
    effect (``events``), the first and last years and the last value written out."""
    width, height = 300, 110
    left, right, top, bottom = 30, 34, 10, 34
    pw, ph = width - left - right, height - top - bottom
    ymax, _ = axis_top(max([p["parties"] for p in points] or [1]), 4)
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return left + (min(max(day, start), end) - start).days / span * pw

    def y(v: float) -> float:
        return top + ph - v / ymax * ph

    last = int(points[-1]["parties"]) if points else 0
    peak = max([p["parties"] for p in points] or [0])
    marks = "; ".join(e.label for e in events) or "none"
    out = [
        f'<svg class="chart mini" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'role="group">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">Parties from {start.isoformat()} to {end.isoformat()}: '
        f"{last} on {end.isoformat()}, at most {peak}. Withdrawals: {_e(marks)}.</desc>",
        f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#777"/>',
        f'<text class="tick" x="{left - 4}" y="{top + 4}" text-anchor="end">{ymax}</text>',
        f'<text class="tick" x="{left - 4}" y="{top + ph + 4}" text-anchor="end">0</text>',
        f'<text class="tick" x="{left}" y="{height - 4}">{start.year}</text>',
        f'<text class="tick" x="{left + pw}" y="{height - 4}" text-anchor="end">{end.year}</text>',
    ]
    if points:
        d = [f"M{_n(x(points[0]['date']))} {_n(y(points[0]['parties']))}"]
        d += [f"H{_n(x(p['date']))}V{_n(y(p['parties']))}" for p in points[1:]]
        d.append(f"H{_n(x(end))}")
        out.append(
            f'<path d="{"".join(d)}" fill="none" stroke="{STATUS_COLOURS["party"]}" '
            f'stroke-width="2"><title>parties</title></path>'
        )
    label = f'<text class="label" x="{left + pw + 4}" y="{_n(y(last) + 5)}">{last}</text>'
    out.append(f'<a href="{_e(href)}">{label}</a>' if href else label)
    for e in events:
        xx, yy = x(e.day), top + ph + 4
        colour = STATUS_COLOURS.get(e.kind, "#333")
        out.append(
            f'<a href="{_e(e.href)}" aria-label="{_e(e.label)}"><polygon points="{_n(xx)},{yy} '
            f'{_n(xx + 5)},{yy + 9} {_n(xx - 5)},{yy + 9}" fill="{colour}">'
            f"<title>{_e(e.label)}</title></polygon></a>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def membership_panels(
    points: Sequence[Mapping[str, Any]],
    *,
    start: dt.date,
    end: dt.date,
    title: str,
    upper: Sequence[Series] = MEMBERSHIP_SERIES[:2],
    lower: Sequence[Series] = MEMBERSHIP_SERIES[2:],
    marker: dt.date | None = None,
    link: Callable[[str, dt.date], str] | None = None,
    samples: Sequence[Mapping[str, Any]] = (),
    events: Sequence[ChartEvent] = (),
    chart_id: str = "chart",
) -> Markup:
    """Counts over time in two panels, each with its axis scaled to its own data.

    The upper panel holds the large counts (parties, signatories), its axis from 0 to just above
    their maximum; the lower one the small counts (withdrawing, withdrawn) with whole-number
    ticks and a marker per ``event``, so a single withdrawal is a visible step rather than a
    pixel on a 0–200 axis. Each of the ``samples`` (rows with a ``date`` and the counts, e.g.
    1 January of each year) is a focusable point linking to the roll on that day: its values are
    in its ``<title>`` and ``aria-label`` and shown beside it on hover and keyboard focus.
    """
    width = 760
    left, right, top = 46, 160, 16
    upper_h, gap, lower_h, bottom = 200, 34, 84, 30
    lower_shown = [s for s in lower if any(p[s.key] for p in points)] or list(lower[:1])
    has_lower = any(p[s.key] for p in points for s in lower) or bool(events)
    height = top + upper_h + (gap + lower_h if has_lower else 0) + bottom
    pw = width - left - right
    span = max((end - start).days, 1)
    upper_top, upper_max = axis_top(max([p[s.key] for p in points for s in upper] or [1]))
    lower_top, lower_step = axis_top(
        max([p[s.key] for p in points for s in lower] or [1]), max_intervals=4
    )
    panels: list[tuple[Sequence[Series], float, float, int, int]] = [
        (upper, top, upper_h, upper_top, upper_max)
    ]
    if has_lower:
        panels.append((lower_shown, top + upper_h + gap, lower_h, lower_top, lower_step))

    def x(day: dt.date) -> float:
        return left + (min(max(day, start), end) - start).days / span * pw

    last = points[-1] if points else {}
    everything = [*upper, *(lower_shown if has_lower else ())]
    desc = "; ".join(f"{s.label}: {last.get(s.key, 0)} on {end.isoformat()}" for s in everything)
    if has_lower and events:
        desc += ". Marked: " + "; ".join(f"{e.label}" for e in events)
    out = [
        f'<svg class="chart panels" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{chart_id}-t {chart_id}-d" '
        'role="group">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">Step chart from {start.isoformat()} to {end.isoformat()}, '
        f"{'two panels with their own scales' if has_lower else 'one panel'}. {_e(desc)}."
        "</desc>",
    ]
    labels_right: list[tuple[float, float, float, Series, int]] = []
    for series, ptop, ph, vtop, step in panels:

        def y(v: float, ptop: float = ptop, ph: float = ph, vtop: float = vtop) -> float:
            return ptop + ph - v / vtop * ph

        for v in range(0, vtop + 1, step):
            yy = y(v)
            out.append(
                f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{_n(yy)}" '
                f'y2="{_n(yy)}" stroke="#e3e3e3"/>'
                f'<text class="tick" x="{left - 6}" y="{_n(yy + 4)}" text-anchor="end">'
                f"{v}</text>"
            )
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{ptop + ph}" y2="{ptop + ph}" stroke="#777"/>'
        )
        for s in series:
            d = []
            for i, p in enumerate(points):
                px, py = _n(x(p["date"])), _n(y(p[s.key]))
                d.append(f"M{px} {py}" if i == 0 else f"H{px}V{py}")
            d.append(f"H{_n(x(end))}")
            dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
            out.append(
                f'<path d="{"".join(d)}" fill="none" stroke="{s.colour}" '
                f'stroke-width="2.2"{dash}><title>{_e(s.label)}</title></path>'
            )
            labels_right.append(
                (y(last.get(s.key, 0)), ptop, ptop + ph, s, int(last.get(s.key, 0)))
            )
        if ptop != top:
            out.append(
                f'<text class="tick" x="{left}" y="{_n(ptop - 8)}">'
                + _e(" and ".join(s.label for s in series))
                + " (own scale)</text>"
            )
    # years along the bottom
    base = height - bottom
    years = list(range(start.year + 1, end.year + 1))
    every = max(1, math.ceil(len(years) / 9))
    for year in years:
        if year % every:
            continue
        xx = x(dt.date(year, 1, 1))
        out.append(
            f'<line x1="{_n(xx)}" x2="{_n(xx)}" y1="{base}" y2="{base + 4}" stroke="#777"/>'
            f'<text class="tick" x="{_n(xx)}" y="{base + 19}" text-anchor="middle">{year}</text>'
        )
    # direct labels at the right end of each panel, pushed apart
    out.append(f'<text class="tick" x="{left + pw + 8}" y="{top + 8}">on {end.isoformat()}:</text>')
    labels_right.sort(key=lambda t: (t[1], t[0]))
    placed: list[float] = []
    for i, (ly0, ptop, pbottom, _, _) in enumerate(labels_right):
        lo = ptop + (27 if ptop == top else 5)
        prev = placed[-1] + 17 if i and labels_right[i - 1][1] == ptop else lo
        placed.append(min(max(ly0 + 5, prev, lo), pbottom + 4))
    for ly, (_, _, _, s, value) in zip(placed, labels_right, strict=True):
        text = (
            f'<text class="label" x="{left + pw + 8}" y="{_n(ly)}" fill="{s.ink}">'
            f"{value} {_e(s.label)}</text>"
        )
        if link:
            text = f'<a href="{_e(link(s.key, end))}">{text}</a>'
        out.append(text)
    # withdrawal events on the lower panel
    if has_lower:
        ltop = top + upper_h + gap
        colour = {s.key: s.colour for s in lower}
        for e in events:
            ex = x(e.day)
            c = colour.get(e.kind, "#333")
            shape = "M0 0l5 -9h-10z" if e.kind == "withdrawing" else "M0 -9l5 9h-10z"
            out.append(
                f'<a class="event" href="{_e(e.href)}" aria-label="{_e(e.label)}">'
                f'<path transform="translate({_n(ex)} {ltop + lower_h})" d="{shape}" '
                f'fill="{c}" stroke="#333" stroke-width="0.6"><title>{_e(e.label)}</title>'
                "</path></a>"
            )
    # focusable samples on the upper panel's first series
    if samples:
        s0 = upper[0]
        for row in samples:
            day = row["date"]
            value = row[s0.key]
            yy = top + upper_h - value / upper_top * upper_h
            xx = x(day)
            words = ", ".join(f"{row.get(s.key, 0)} {s.label}" for s in everything)
            tip = f"{day.isoformat()}: {words}"
            href = link(s0.key, day) if link else "#"
            anchor = "end" if xx > left + pw * 0.6 else "start"
            dx = -8 if anchor == "end" else 8
            box_w = 7.2 * len(tip) + 10
            bx = xx + dx - (box_w - 5 if anchor == "end" else 5)
            out.append(
                f'<a class="pt" href="{_e(href)}" aria-label="{_e(tip)}">'
                f'<circle cx="{_n(xx)}" cy="{_n(yy)}" r="4" fill="#fff" stroke="{s0.colour}" '
                f'stroke-width="1.8"><title>{_e(tip)}</title></circle>'
                f'<g class="val"><rect x="{_n(bx)}" y="{_n(max(yy - 30, 2))}" '
                f'width="{_n(box_w)}" height="20" rx="3" fill="#fff" stroke="#777"/>'
                f'<text class="tick" x="{_n(xx + dx)}" y="{_n(max(yy - 30, 2) + 15)}" '
                f'text-anchor="{anchor}">{_e(tip)}</text></g></a>'
            )
    if marker is not None and start <= marker <= end:
        mx = x(marker)
        out.append(
            f'<line class="marker" x1="{_n(mx)}" x2="{_n(mx)}" y1="{top}" '
            f'y2="{base}" stroke="#333" stroke-dasharray="3 3"/>'
        )
        if mx < left + pw - 40:
            anchor = "end" if mx > left + pw * 0.8 else "start"
            dx = -4 if anchor == "end" else 4
            out.append(
                f'<text class="tick" x="{_n(mx + dx)}" y="{top + 10}" '
                f'text-anchor="{anchor}">{marker.isoformat()}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


# --- the world map --------------------------------------------------------------------------


@cache
def world() -> dict[str, Any]:
    """The shipped world geometry (see ``static/world/README.md``)."""
    text = (
        resources.files("normwatch.web")
        .joinpath("static/world/world.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class MapState:
    code: str
    name: str
    status: str
    note: str
    href: str


def world_map(
    states: Sequence[MapState],
    *,
    title: str,
    legend: Sequence[tuple[str, str, int, str]],
    map_id: str = "map",
    shapes: str | None = None,
) -> Markup:
    """States coloured by status, then an HTML legend; ``legend`` rows are (status, label,
    count, href). ``shapes``: :func:`map_shapes` of ``states``, when already drawn."""
    geo = world()
    x0, y0, w, h = geo["viewBox"]
    out = [
        f'<svg class="map" viewBox="{x0} {y0} {w} {h + 4}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-labelledby="{map_id}-t {map_id}-d" role="group">',
        f'<title id="{map_id}-t">{_e(title)}</title>',
        f'<desc id="{map_id}-d">World map, one colour per status: '
        + _e("; ".join(f"{label}: {n}" for _, label, n, _ in legend))
        + ". Small States are drawn as dots; territories that are not among the States counted "
        "are light grey.</desc>",
        f'<rect x="{x0}" y="{y0}" width="{w}" height="{h + 4}" fill="#fbfdff"/>',
        map_shapes(states) if shapes is None else shapes,
        "</svg>",
    ]
    # the legend is HTML under the map: readable at any size, and every count is a link
    out.append('<ul class="legend">')
    for status, label, count, href in legend:
        out.append(
            f'<li><a href="{_e(href)}"><span class="swatch sw-{_e(status)}"></span>'
            f"{_e(label)}: <strong>{count}</strong></a></li>"
        )
    out.append(
        '<li><span class="swatch sw-territory"></span>not one of the States counted</li></ul>'
    )
    return Markup("".join(out))


def map_shapes(states: Sequence[MapState]) -> str:
    """The territories and the States of :func:`world_map`, each State with its colour, its
    note and its link."""
    return map_shapes_of([(s.code, state_shape(s)) for s in states])


@cache
def _territories() -> str:
    return "".join(
        f'<path d="{t["d"]}" fill="{TERRITORY_COLOUR}" stroke="#c4c4c4" '
        f'stroke-width="0.5"><title>{_e(t["name"])}: not one of the States counted'
        f"</title></path>"
        for t in world()["territories"]
    )


def state_shape(s: MapState) -> str:
    """One State on the map: its land or its dot, coloured, with its note and its link (empty
    for a State the map has no shape for)."""
    geo = world()
    colour = STATUS_COLOURS.get(s.status, TERRITORY_COLOUR)
    tip = f"<title>{_e(s.name)}: {_e(s.note)}</title>"
    if s.code in geo["countries"]:
        d = geo["countries"][s.code]["d"]
        return (
            f'<a href="{_e(s.href)}"><path d="{d}" fill="{colour}" stroke="#fff" '
            f'stroke-width="0.5">{tip}</path></a>'
        )
    if s.code in geo["dots"]:
        cx, cy = geo["dots"][s.code]
        return (
            f'<a href="{_e(s.href)}"><circle cx="{cx}" cy="{cy}" r="3.2" '
            f'fill="{colour}" stroke="#333" stroke-width="0.6">{tip}</circle></a>'
        )
    return ""


def map_shapes_of(shapes: Sequence[tuple[str, str]]) -> str:
    """:func:`map_shapes` of (code, :func:`state_shape`) pairs: the territories, the land of
    the States, then their dots on top of the land."""
    countries = world()["countries"]
    land = [shape for code, shape in shapes if code in countries]
    dots = [shape for code, shape in shapes if code not in countries and shape]
    return _territories() + "".join(land) + "".join(dots)


# --- bars ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    note: str
    href: str
    colour: str = "#0072B2"


def bar_chart(
    bars: Sequence[Bar], *, title: str, description: str, chart_id: str = "bars"
) -> Markup:
    """Horizontal bars, each with its label above it, its value after it, and a link."""
    width, row = 760, 46
    left, right, top = 8, 130, 6
    height = top * 2 + row * max(len(bars), 1)
    vmax = max([b.value for b in bars] or [1]) or 1
    pw = width - left - right
    out = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'role="group">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">{_e(description)}</desc>',
    ]
    for i, b in enumerate(bars):
        yy = top + row * i
        bw = max(b.value / vmax * pw, 2)
        out.append(
            f'<a href="{_e(b.href)}"><text class="label" x="{left}" y="{yy + 15}">'
            f"{_e(b.label)}</text>"
            f'<rect x="{left}" y="{yy + 21}" width="{_n(bw)}" height="18" fill="{b.colour}">'
            f"<title>{_e(b.label)}: {b.value} ({_e(b.note)})</title></rect>"
            f'<text class="tick" x="{_n(left + bw + 6)}" y="{yy + 35}">'
            f"{b.value} ({_e(b.note)})</text></a>"
        )
    out.append("</svg>")
    return Markup("".join(out))


# --- the erosion timeline -------------------------------------------------------------------

#: colour and marker shape of each kind of erosion entry (shape and colour both differ)
EROSION_STYLE: dict[str, tuple[str, str]] = {
    "withdrawal": (STATUS_COLOURS["withdrawn"], "circle"),
    "ratification_revoked": ("#000000", "triangle"),
    "intent_not_to_become_party": (STATUS_COLOURS["unsigned"], "square"),
    "suspension_notified": ("#0072B2", "diamond"),
    "withdrawal_announced": ("#777777", "ring"),
}


@dataclass(frozen=True)
class ErosionMark:
    """One act on the erosion timeline: a marker on its treaty's lane, with a bar to the day a
    withdrawal takes effect (``until``), or to the chart's end while it is postponed."""

    lane: str
    day: dt.date
    kind: str
    label: str
    href: str
    until: dt.date | None = None
    postponed: bool = False
    #: a short text written beside the mark (the State's code)
    tag: str = ""


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 6.0
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{colour}"/>'
    if shape == "ring":
        return (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r - 1)}" fill="#fff" '
            f'stroke="{colour}" stroke-width="2.5"/>'
        )
    if shape == "square":
        return f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="12" height="12" fill="{colour}"/>'
    if shape == "triangle":
        pts = f"{_n(x)},{_n(y - r - 1)} {_n(x + r + 1)},{_n(y + r)} {_n(x - r - 1)},{_n(y + r)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    d = r + 1
    pts = f"{_n(x)},{_n(y - d)} {_n(x + d)},{_n(y)} {_n(x)},{_n(y + d)} {_n(x - d)},{_n(y)}"
    return f'<polygon points="{pts}" fill="{colour}"/>'


def erosion_chart(
    marks: Sequence[ErosionMark],
    *,
    start: dt.date,
    end: dt.date,
    title: str,
    chart_id: str = "erosion",
) -> Markup:
    """One lane per treaty (in the order first met), a marker per act and a bar from a
    withdrawal's receipt to its effect; acts close in time are stacked so none hides another.
    Every marker links to its row in the table that follows the chart."""
    width, left, right, top, row = 760, 90, 16, 26, 16
    lanes = list(dict.fromkeys(m.lane for m in marks))
    span = max((end - start).days, 1)
    pw = width - left - right

    def x(day: dt.date) -> float:
        return left + min(max((day - start).days, 0), span) / span * pw

    # stack the marks of each lane: a mark goes on the first row whose last item ends before it
    placed: list[tuple[ErosionMark, int, int]] = []
    heights: dict[str, int] = {}
    for lane in lanes:
        ends: list[float] = []
        for m in sorted((m for m in marks if m.lane == lane), key=lambda m: m.day):
            x0 = x(m.day) - 8
            x1 = x(m.until or (end if m.postponed else m.day)) + 12 + 8 * len(m.tag)
            r = next((i for i, e in enumerate(ends) if e < x0), len(ends))
            if r == len(ends):
                ends.append(x1)
            else:
                ends[r] = x1
            placed.append((m, lanes.index(lane), r))
        heights[lane] = max(len(ends), 1)
    offsets = list(accumulate((heights[lane] * row + 14 for lane in lanes), initial=top))
    height = offsets[-1] + 24
    out = [
        f'<svg class="chart erosion" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'role="group">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">{_e(_erosion_desc(marks, lanes))}</desc>',
    ]
    years = range(start.year + (start.month > 1 or start.day > 1), end.year + 1)
    step = max(1, math.ceil(len(years) / 10))
    for year in list(years)[::step]:
        xx = x(dt.date(year, 1, 1))
        out.append(
            f'<line x1="{_n(xx)}" y1="{top - 6}" x2="{_n(xx)}" y2="{height - 22}" '
            f'stroke="#ddd"/><text class="tick" x="{_n(xx)}" y="{height - 6}" '
            f'text-anchor="middle">{year}</text>'
        )
    for i, lane in enumerate(lanes):
        y0 = offsets[i]
        out.append(
            f'<line x1="{left}" y1="{y0 - 6}" x2="{width - right}" y2="{y0 - 6}" stroke="#bbb"/>'
            f'<text class="label" x="4" y="{y0 + 11}">{_e(lane)}</text>'
        )
    for m, lane_i, r in placed:
        colour, shape = EROSION_STYLE.get(m.kind, ("#333", "circle"))
        yy = offsets[lane_i] + r * row + 6
        bar = ""
        if m.until is not None or m.postponed:
            x1 = x(m.until or end)
            dash = ' stroke-dasharray="4 3"' if m.postponed else ""
            bar = (
                f'<line x1="{_n(x(m.day))}" y1="{_n(yy)}" x2="{_n(x1)}" y2="{_n(yy)}" '
                f'stroke="{colour}" stroke-width="3"{dash}/>'
            )
            if m.until is not None:
                bar += (
                    f'<line x1="{_n(x1)}" y1="{_n(yy - 6)}" x2="{_n(x1)}" y2="{_n(yy + 6)}" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
        tag = ""
        if m.tag:
            tx = x(m.until or (end if m.postponed else m.day)) + 9
            tag = f'<text class="tag" x="{_n(tx)}" y="{_n(yy + 4)}">{_e(m.tag)}</text>'
        out.append(
            f'<a href="{_e(m.href)}" aria-label="{_e(m.label)}"><title>{_e(m.label)}</title>'
            f"{bar}{_marker(shape, x(m.day), yy, colour)}{tag}</a>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def _erosion_desc(marks: Sequence[ErosionMark], lanes: Sequence[str]) -> str:
    parts = []
    for lane in lanes:
        mine = [m.label for m in marks if m.lane == lane]
        parts.append(f"{lane}: " + "; ".join(mine))
    return (
        "Timeline of the acts by which States left or weakened a treaty, one lane per treaty; "
        "a bar runs from a withdrawal's receipt to the day it takes effect. " + " | ".join(parts)
    )
