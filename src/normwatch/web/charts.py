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


def _nice_max(value: int) -> int:
    if value <= 10:
        return 10
    step = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * step:
            return int(m * step)
    return value


def step_chart(
    points: Sequence[Mapping[str, Any]],
    *,
    start: dt.date,
    end: dt.date,
    series: Sequence[Series] = MEMBERSHIP_SERIES,
    marker: dt.date | None = None,
    title: str,
    link: Callable[[str, dt.date], str] | None = None,
    chart_id: str = "chart",
) -> Markup:
    """A step chart of counts over time; ``link(key, day)`` gives the rows behind a number."""
    width, height = 760, 300
    left, right, top, bottom = 46, 160, 16, 30
    pw, ph = width - left - right, height - top - bottom
    shown = [s for s in series if any(p[s.key] for p in points)]
    ymax = _nice_max(max([p[s.key] for p in points for s in shown] or [1]))
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return left + (min(max(day, start), end) - start).days / span * pw

    def y(v: float) -> float:
        return top + ph - v / ymax * ph

    last = points[-1] if points else {}
    desc = "; ".join(f"{s.label}: {last.get(s.key, 0)} on {end.isoformat()}" for s in shown)
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" role="group">',
        f'<title id="{chart_id}-t">{_e(title)}</title>',
        f'<desc id="{chart_id}-d">Step chart from {start.isoformat()} to {end.isoformat()}. '
        f"{_e(desc)}.</desc>",
    ]
    # axes and grid
    ticks = 5
    for i in range(ticks + 1):
        v = ymax * i / ticks
        yy = y(v)
        out.append(
            f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{_n(yy)}" '
            f'y2="{_n(yy)}" stroke="#e3e3e3"/>'
        )
        out.append(
            f'<text class="tick" x="{left - 6}" y="{_n(yy + 4)}" text-anchor="end">'
            f"{round(v)}</text>"
        )
    years = list(range(start.year + 1, end.year + 1))
    every = max(1, math.ceil(len(years) / 9))
    for year in years:
        if year % every:
            continue
        xx = x(dt.date(year, 1, 1))
        out.append(
            f'<line x1="{_n(xx)}" x2="{_n(xx)}" y1="{top + ph}" y2="{top + ph + 4}" stroke="#777"/>'
        )
        out.append(
            f'<text class="tick" x="{_n(xx)}" y="{top + ph + 19}" '
            f'text-anchor="middle">{year}</text>'
        )
    out.append(
        f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#777"/>'
    )
    # the lines
    labels: list[tuple[float, Series, int]] = []
    for s in shown:
        d = []
        for i, p in enumerate(points):
            if i == 0:
                d.append(f"M{_n(x(p['date']))} {_n(y(p[s.key]))}")
            else:
                d.append(f"H{_n(x(p['date']))}V{_n(y(p[s.key]))}")
        d.append(f"H{_n(x(end))}")
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        out.append(
            f'<path d="{"".join(d)}" fill="none" stroke="{s.colour}" '
            f'stroke-width="2.2"{dash}><title>{_e(s.label)}</title></path>'
        )
        labels.append((y(last.get(s.key, 0)), s, int(last.get(s.key, 0))))
    # direct labels at the right end, pushed apart so they do not overlap
    labels.sort(key=lambda t: t[0])
    out.append(f'<text class="tick" x="{left + pw + 8}" y="{top + 8}">on {end.isoformat()}:</text>')
    placed: list[float] = []
    for yy, _, _ in labels:  # top-down: keep 17 px between labels
        placed.append(max(yy + 5, (placed[-1] + 17) if placed else top + 27))
    bottom_limit = height - 4.0
    for i in range(len(placed) - 1, -1, -1):  # bottom-up: nothing below the chart
        limit = bottom_limit if i == len(placed) - 1 else placed[i + 1] - 17
        placed[i] = min(placed[i], limit)
    for ly, (_, s, value) in zip(placed, labels, strict=True):
        text = (
            f'<text class="label" x="{left + pw + 8}" y="{_n(ly)}" fill="{s.ink}">'
            f"{value} {_e(s.label)}</text>"
        )
        if link:
            text = f'<a href="{_e(link(s.key, end))}">{text}</a>'
        out.append(text)
    if marker is not None and start <= marker <= end:
        mx = x(marker)
        out.append(
            f'<line class="marker" x1="{_n(mx)}" x2="{_n(mx)}" y1="{top}" '
            f'y2="{top + ph}" stroke="#333" stroke-dasharray="3 3"/>'
        )
        if mx < left + pw - 40:  # at the right end, the "on END:" heading names the day
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
) -> Markup:
    """States coloured by status, then an HTML legend; ``legend`` rows are (status, label,
    count, href)."""
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
    ]
    for t in geo["territories"]:
        out.append(
            f'<path d="{t["d"]}" fill="{TERRITORY_COLOUR}" stroke="#c4c4c4" '
            f'stroke-width="0.5"><title>{_e(t["name"])}: not one of the States counted'
            f"</title></path>"
        )
    dots = []
    for s in states:
        colour = STATUS_COLOURS.get(s.status, TERRITORY_COLOUR)
        tip = f"<title>{_e(s.name)}: {_e(s.note)}</title>"
        if s.code in geo["countries"]:
            d = geo["countries"][s.code]["d"]
            out.append(
                f'<a href="{_e(s.href)}"><path d="{d}" fill="{colour}" stroke="#fff" '
                f'stroke-width="0.5">{tip}</path></a>'
            )
        elif s.code in geo["dots"]:
            cx, cy = geo["dots"][s.code]
            dots.append(
                f'<a href="{_e(s.href)}"><circle cx="{cx}" cy="{cy}" r="3.2" '
                f'fill="{colour}" stroke="#333" stroke-width="0.6">{tip}</circle></a>'
            )
    out.extend(dots)  # on top of the land
    out.append("</svg>")
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
