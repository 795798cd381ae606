"""Build the world map shipped with the web dashboard (run once; the output is committed).

Input: the ``world-atlas`` npm package (Natural Earth 4.1.0 admin-0 countries as TopoJSON,
quantized, in degrees): ``npm pack world-atlas && tar xzf world-atlas-*.tgz`` gives ``package/``.

    python scripts/build_world_map.py package/ src/normwatch/web/static/world/world.json

Output: one compact JSON file of SVG paths, already projected (Equal Earth) into a viewBox:

* ``countries``: ISO 3166-1 alpha-3 → {"name", "d"} for every State of the normwatch universe
  drawn at 1:110m;
* ``territories``: the other 1:110m features (Greenland, Western Sahara, Taiwan, Kosovo ...),
  drawn in a neutral colour because they are not among the 197 States the treaties count;
* ``dots``: alpha-3 → [x, y] for the States too small for 1:110m (Malta, Singapore, the small
  island States): the centre of their largest polygon in the 1:10m file, drawn as a dot.

world-atlas identifies countries by ISO 3166-1 *numeric* code; :data:`ISO_NUMERIC` below maps the
197 States to it (written out by hand from ISO 3166-1; the script checks that every code is used
once and prints the atlas name next to the registry name for review). Antarctica is left out.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

# ISO 3166-1 alpha-3 → numeric for the 197 States of src/normwatch/data/states.csv
ISO_NUMERIC = {
    "AFG": "004",
    "AGO": "024",
    "ALB": "008",
    "AND": "020",
    "ARE": "784",
    "ARG": "032",
    "ARM": "051",
    "ATG": "028",
    "AUS": "036",
    "AUT": "040",
    "AZE": "031",
    "BDI": "108",
    "BEL": "056",
    "BEN": "204",
    "BFA": "854",
    "BGD": "050",
    "BGR": "100",
    "BHR": "048",
    "BHS": "044",
    "BIH": "070",
    "BLR": "112",
    "BLZ": "084",
    "BOL": "068",
    "BRA": "076",
    "BRB": "052",
    "BRN": "096",
    "BTN": "064",
    "BWA": "072",
    "CAF": "140",
    "CAN": "124",
    "CHE": "756",
    "CHL": "152",
    "CHN": "156",
    "CIV": "384",
    "CMR": "120",
    "COD": "180",
    "COG": "178",
    "COK": "184",
    "COL": "170",
    "COM": "174",
    "CPV": "132",
    "CRI": "188",
    "CUB": "192",
    "CYP": "196",
    "CZE": "203",
    "DEU": "276",
    "DJI": "262",
    "DMA": "212",
    "DNK": "208",
    "DOM": "214",
    "DZA": "012",
    "ECU": "218",
    "EGY": "818",
    "ERI": "232",
    "ESP": "724",
    "EST": "233",
    "ETH": "231",
    "FIN": "246",
    "FJI": "242",
    "FRA": "250",
    "FSM": "583",
    "GAB": "266",
    "GBR": "826",
    "GEO": "268",
    "GHA": "288",
    "GIN": "324",
    "GMB": "270",
    "GNB": "624",
    "GNQ": "226",
    "GRC": "300",
    "GRD": "308",
    "GTM": "320",
    "GUY": "328",
    "HND": "340",
    "HRV": "191",
    "HTI": "332",
    "HUN": "348",
    "IDN": "360",
    "IND": "356",
    "IRL": "372",
    "IRN": "364",
    "IRQ": "368",
    "ISL": "352",
    "ISR": "376",
    "ITA": "380",
    "JAM": "388",
    "JOR": "400",
    "JPN": "392",
    "KAZ": "398",
    "KEN": "404",
    "KGZ": "417",
    "KHM": "116",
    "KIR": "296",
    "KNA": "659",
    "KOR": "410",
    "KWT": "414",
    "LAO": "418",
    "LBN": "422",
    "LBR": "430",
    "LBY": "434",
    "LCA": "662",
    "LIE": "438",
    "LKA": "144",
    "LSO": "426",
    "LTU": "440",
    "LUX": "442",
    "LVA": "428",
    "MAR": "504",
    "MCO": "492",
    "MDA": "498",
    "MDG": "450",
    "MDV": "462",
    "MEX": "484",
    "MHL": "584",
    "MKD": "807",
    "MLI": "466",
    "MLT": "470",
    "MMR": "104",
    "MNE": "499",
    "MNG": "496",
    "MOZ": "508",
    "MRT": "478",
    "MUS": "480",
    "MWI": "454",
    "MYS": "458",
    "NAM": "516",
    "NER": "562",
    "NGA": "566",
    "NIC": "558",
    "NIU": "570",
    "NLD": "528",
    "NOR": "578",
    "NPL": "524",
    "NRU": "520",
    "NZL": "554",
    "OMN": "512",
    "PAK": "586",
    "PAN": "591",
    "PER": "604",
    "PHL": "608",
    "PLW": "585",
    "PNG": "598",
    "POL": "616",
    "PRK": "408",
    "PRT": "620",
    "PRY": "600",
    "PSE": "275",
    "QAT": "634",
    "ROU": "642",
    "RUS": "643",
    "RWA": "646",
    "SAU": "682",
    "SDN": "729",
    "SEN": "686",
    "SGP": "702",
    "SLB": "090",
    "SLE": "694",
    "SLV": "222",
    "SMR": "674",
    "SOM": "706",
    "SRB": "688",
    "SSD": "728",
    "STP": "678",
    "SUR": "740",
    "SVK": "703",
    "SVN": "705",
    "SWE": "752",
    "SWZ": "748",
    "SYC": "690",
    "SYR": "760",
    "TCD": "148",
    "TGO": "768",
    "THA": "764",
    "TJK": "762",
    "TKM": "795",
    "TLS": "626",
    "TON": "776",
    "TTO": "780",
    "TUN": "788",
    "TUR": "792",
    "TUV": "798",
    "TZA": "834",
    "UGA": "800",
    "UKR": "804",
    "URY": "858",
    "USA": "840",
    "UZB": "860",
    "VAT": "336",
    "VCT": "670",
    "VEN": "862",
    "VNM": "704",
    "VUT": "548",
    "WSM": "882",
    "YEM": "887",
    "ZAF": "710",
    "ZMB": "894",
    "ZWE": "716",
}

ANTARCTICA = "010"
WIDTH = 1000.0  # viewBox width; the height follows from the projection
PRECISION = 0  # decimals kept in path coordinates

# Equal Earth projection (Šavrič, Patterson & Jenny 2018)
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        2
        * math.sqrt(3)
        * lam
        * math.cos(theta)
        / (3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1))
    )
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs (delta-encoded, quantized) → lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts


def polygons(
    geom: dict[str, Any], arcs: list[list[tuple[float, float]]]
) -> list[list[list[tuple[float, float]]]]:
    if geom["type"] == "Polygon":
        return [[ring(arcs, r) for r in geom["arcs"]]]
    if geom["type"] == "MultiPolygon":
        return [[ring(arcs, r) for r in poly] for poly in geom["arcs"]]
    return []


class Frame:
    """Projected coordinates → viewBox coordinates (x right, y down)."""

    def __init__(self) -> None:
        x_max, _ = equal_earth(180, 0)
        self.scale = WIDTH / (2 * x_max)
        self.x_max = x_max
        _, self.y_top = equal_earth(0, 84)  # northernmost land drawn (Greenland, Svalbard)
        _, y_bottom = equal_earth(0, -56)  # Tierra del Fuego; Antarctica is left out
        self.height = round((self.y_top - y_bottom) * self.scale, PRECISION)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = equal_earth(lon, lat)
        return (
            round((x + self.x_max) * self.scale, PRECISION),
            round((self.y_top - y) * self.scale, PRECISION),
        )


def unwrap(r: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous along a ring that crosses the antimeridian (Fiji, Russia)."""
    out = [r[0]]
    for lon, lat in r[1:]:
        prev = out[-1][0]
        while lon - prev > 180:
            lon -= 360
        while prev - lon > 180:
            lon += 360
        out.append((lon, lat))
    return out


def clip(r: list[tuple[float, float]], edge: float, keep_below: bool) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: the part of a ring on one side of the meridian ``edge``."""

    def inside(p: tuple[float, float]) -> bool:
        return p[0] <= edge if keep_below else p[0] >= edge

    out: list[tuple[float, float]] = []
    for i, cur in enumerate(r):
        prev = r[i - 1]
        if inside(cur) != inside(prev):
            t = (edge - prev[0]) / (cur[0] - prev[0])
            out.append((edge, prev[1] + t * (cur[1] - prev[1])))
        if inside(cur):
            out.append(cur)
    return out


def split_antimeridian(r: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring within [-180, 180], or its two pieces when it crosses the antimeridian."""
    u = unwrap(r)
    lo, hi = min(p[0] for p in u), max(p[0] for p in u)
    if lo >= -180 and hi <= 180:
        return [r]
    edge = 180.0 if hi > 180 else -180.0
    shift = -360.0 if edge > 0 else 360.0
    inner = clip(u, edge, keep_below=edge > 0)
    outer = [(lon + shift, lat) for lon, lat in clip(u, edge, keep_below=edge < 0)]
    return [piece for piece in (inner, outer) if len(piece) >= 3]


def path(polys: list[list[list[tuple[float, float]]]], frame: Frame) -> str:
    """A compact SVG path: absolute move, then relative lines, one sub-path per ring."""
    parts = []
    for poly in polys:
        for r in (piece for ring_ in poly for piece in split_antimeridian(ring_)):
            pts: list[tuple[float, float]] = []
            for lon, lat in r:
                p = frame.point(lon, lat)
                if not pts or p != pts[-1]:
                    pts.append(p)
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(pts) < 3:
                continue
            out = [f"M{_n(pts[0][0])} {_n(pts[0][1])}"]
            rel = []
            for (x0, y0), (x1, y1) in itertools.pairwise(pts):
                rel.append(f"{_n(x1 - x0)} {_n(y1 - y0)}")
            out.append("l" + " ".join(rel) + "z")
            parts.append("".join(out))
    return "".join(parts)


def _n(v: float) -> str:
    text = f"{round(v, PRECISION):.{PRECISION}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def ring_area(r: list[tuple[float, float]]) -> float:
    return (
        abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(r, r[1:] + r[:1], strict=True))) / 2
    )


def centre(polys: list[list[list[tuple[float, float]]]], frame: Frame) -> list[float]:
    """Projected centre (mean of the outer ring's vertices) of the largest polygon."""
    best = max((p[0] for p in polys), key=ring_area)
    pts = [frame.point(lon, lat) for lon, lat in best]
    return [
        round(sum(p[0] for p in pts) / len(pts), PRECISION),
        round(sum(p[1] for p in pts) / len(pts), PRECISION),
    ]


def main(src: Path, out: Path) -> None:
    states_csv = Path(__file__).resolve().parents[1] / "src/normwatch/data/states.csv"
    with states_csv.open(encoding="utf-8") as f:
        names = {r["code"]: r["name"] for r in csv.DictReader(f)}
    missing = sorted(set(names) - set(ISO_NUMERIC))
    if missing or len(set(ISO_NUMERIC.values())) != len(ISO_NUMERIC):
        sys.exit(f"ISO_NUMERIC: missing {missing} or a numeric code used twice")
    by_numeric = {num: code for code, num in ISO_NUMERIC.items()}
    frame = Frame()

    topo = json.loads((src / "countries-110m.json").read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    countries: dict[str, dict[str, str]] = {}
    territories: list[dict[str, str]] = []
    for geom in topo["objects"]["countries"]["geometries"]:
        num, atlas_name = geom.get("id"), geom["properties"]["name"]
        if num == ANTARCTICA:
            continue
        d = path(polygons(geom, arcs), frame)
        code = by_numeric.get(num or "")
        if code is None:
            territories.append({"name": atlas_name, "iso_numeric": num or "", "d": d})
        else:
            countries[code] = {"name": names[code], "d": d}
            print(f"{num} {code} {atlas_name!r} = {names[code]!r}")

    # States absent at 1:110m: a dot at the centre of their largest polygon at 1:10m
    fine = json.loads((src / "countries-10m.json").read_text(encoding="utf-8"))
    fine_arcs = decode_arcs(fine)
    dots: dict[str, list[float]] = {}
    for geom in fine["objects"]["countries"]["geometries"]:
        code = by_numeric.get(geom.get("id") or "")
        if code and code not in countries and code not in dots:
            dots[code] = centre(polygons(geom, fine_arcs), frame)
            print(f"dot {code} {geom['properties']['name']!r} = {names[code]!r}")
    absent = sorted(set(names) - set(countries) - set(dots))
    if absent:
        sys.exit(f"States with no geometry at all: {absent}")

    doc = {
        "source": "Natural Earth 4.1.0 admin-0 countries (public domain), 1:110m, via the "
        "world-atlas 2.0.2 npm package (TopoJSON); small States from 1:10m as dots",
        "projection": "Equal Earth",
        "viewBox": [0, 0, int(WIDTH), frame.height],
        "countries": dict(sorted(countries.items())),
        "territories": sorted(territories, key=lambda t: t["name"]),
        "dots": dict(sorted(dots.items())),
    }
    out.write_text(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(
        f"{out}: {len(countries)} States, {len(territories)} territories, {len(dots)} dots, "
        f"{out.stat().st_size} bytes"
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: build_world_map.py WORLD_ATLAS_PACKAGE_DIR OUT.json")
    main(Path(sys.argv[1]), Path(sys.argv[2]))
