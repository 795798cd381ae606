"""The HTML pages: numbers link to their rows, everything is escaped, no script, SVG charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient

from normwatch.store.db import open_store
from test_web_support import MEETING, SCRIPT

PAGES = [
    "/",
    "/?on=2025-03-05",
    "/?on=1990-01-01",
    "/treaties/ccm",
    "/treaties/apmbt?on=2026-02-20",
    "/treaties/ccm/deadlines",
    "/states/LTU",
    "/states/UKR?on=2026-01-01",
    "/erosion",
    "/erosion?treaty=apmbt&since=2025-01-01",
    "/matrix?region=African&sort=att&order=desc",
    "/meetings",
    f"/meetings/{MEETING}",
    "/meetings/ccm-12msp",
    "/methods",
    "/data",
    "/api/v1/docs",
    "/no-such-page",
    "/states/Atlantis",
]


class Links(HTMLParser):
    """Every element with its attributes, and each link with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def parse(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


def roll_table(page: str) -> str:
    return page.split('<table class="roll">', 1)[1].split("</table>", 1)[0]


def roll_states(client: TestClient, href: str) -> list[str]:
    page = roll_table(client.get(href).text)
    return re.findall(r'<td><a href="/states/([A-Z]{3})\?', page)


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_no_script_and_no_inline_style(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text.lower()
    tags = parse(response.text).tags
    assert not [
        t for t, attrs in tags if "style" in attrs or any(a.startswith("on") for a in attrs)
    ]
    assert not [t for t, _ in tags if t == "style"]
    assert "Traceback" not in response.text


def test_home_before_either_treaty_opened_shows_no_one_bound(client: TestClient) -> None:
    response = client.get("/?on=1990-01-01")
    assert response.status_code == 200
    assert "1990-01-01" in response.text


def test_statement_text_with_a_script_tag_renders_as_text(client: TestClient) -> None:
    page = client.get(f"/meetings/{MEETING}").text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    assert SCRIPT not in page and "<script" not in page
    # the meeting name with markup in it, and a source that is not a web address
    assert "Web Test Meeting &lt;b&gt;of&lt;/b&gt; States Parties" in page
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page


def test_meeting_page_shows_the_reaction_chart_and_links_each_count(
    client: TestClient, web_db: str
) -> None:
    from normwatch.service.reactions import reactions

    result = reactions(open_store(web_db), MEETING)
    page = client.get(f"/meetings/{MEETING}").text
    svg = re.search(r'<svg class="chart bars".*?</svg>', page, re.S)
    assert svg is not None
    root = ElementTree.fromstring(svg.group(0))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title") is not None and root.find(f"{ns}desc") is not None
    bars = {
        a.attrib["href"]: [t.text or "" for t in a.iter(f"{ns}text")] for a in root.iter(f"{ns}a")
    }
    assert set(bars) == {f"#code-{code}" for code in result["codes"]} | {"#silent"}
    for code, c in result["codes"].items():
        assert bars[f"#code-{code}"][-1].startswith(f"{c['count']} (")
    assert bars["#silent"][-1].startswith(f"{len(result['silent'])} (")
    for code, c in result["codes"].items():
        assert re.search(rf'<p id="code-{code}">.*?: {c["count"]}', page, re.S)
    assert 'title="We deeply regret the decision of Lithuania"' not in page
    assert '<mark title="concern">We deeply regret the decision of Lithuania</mark>' in page
    silent = re.search(r'<p id="silent">(.*?)</p>', page, re.S)
    assert silent is not None
    assert {"Kenya", "Mexico"} <= set(re.findall(r'">([^<]+)</a>', silent.group(1)))


def test_home_counts_link_to_the_rows_behind_them(client: TestClient, web_db: str) -> None:
    store = open_store(web_db)
    page = client.get("/?on=2025-03-06").text
    cards = [
        (href, text)
        for href, text in parse(page).links
        if href.startswith("/treaties/ccm?on=2025-03-06&status=")
    ]
    assert cards, "no count links"
    counts = store.view("ccm").counts(__import__("datetime").date(2025, 3, 6))
    seen = {}
    for href, text in cards:
        number, _, label = text.partition(" ")
        if not number.isdigit():
            continue
        statuses = parse_qs(urlsplit(href).query)["status"][0].split(",")
        assert len(roll_states(client, href)) == int(number), (href, text)
        seen[label] = (int(number), statuses)
    assert seen["withdrawn"] == (counts["withdrawn"], ["withdrawn"])
    assert seen["parties"][0] == counts["parties"] == 111
    assert roll_states(client, "/treaties/ccm?on=2025-03-06&status=withdrawn") == ["LTU"]


def test_lithuania_page_changes_status_with_the_date(client: TestClient) -> None:
    before = client.get("/states/LTU?on=2025-03-05").text
    after = client.get("/states/LTU?on=2025-03-06").text

    def ccm_status(page: str) -> str:
        block = page.split('id="h-ccm"', 1)[1]
        found = re.search(r'data-treaty="ccm"><span class="status st-(\w+)', block)
        assert found is not None
        return found.group(1)

    assert (ccm_status(before), ccm_status(after)) == ("withdrawing", "withdrawn")
    assert "receipt 2024-09-06 + 6 months → 2025-03-06" in before
    assert 'value="2025-03-05"' in before
    assert "domestic step" in before  # the Seimas vote, shown without legal effect


def test_state_names_redirect_to_the_code(client: TestClient) -> None:
    response = client.get("/states/Lithuania?on=2025-03-05", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/states/LTU?on=2025-03-05"


def test_roll_filters_and_sorting(client: TestClient) -> None:
    base = "/treaties/ccm?on=2025-03-05"
    assert roll_states(client, base + "&status=withdrawing") == ["LTU"]
    eastern = roll_states(client, base + "&group=Eastern+European&status=party")
    assert "HRV" in eastern and "LTU" not in eastern and "FRA" not in eastern
    assert roll_states(client, base + "&q=lith") == ["LTU"]
    by_since = roll_states(client, base + "&status=party&sort=since&order=desc")
    page = roll_table(client.get(base + "&status=party&sort=since&order=desc").text)
    dates = re.findall(r'<td class="d since">(\d{4}-\d\d-\d\d)</td>', page)
    assert dates == sorted(dates, reverse=True) and len(by_since) == len(dates) > 100
    names = roll_states(client, base + "&sort=name")
    assert len(names) == 197
    bad = client.get(base + "&status=member")
    assert bad.status_code == 400 and "unknown status" in bad.text


def test_bad_dates_are_a_400_page(client: TestClient) -> None:
    response = client.get("/states/LTU?on=2025-02-30")
    assert response.status_code == 400 and "invalid date" in response.text


def test_map_draws_every_state_with_a_link_and_a_legend(client: TestClient) -> None:
    page = client.get("/treaties/ccm?on=2025-03-06").text
    svg = re.search(r'<svg class="map".*?</svg>', page, re.S)
    assert svg is not None
    root = ElementTree.fromstring(svg.group(0))
    ns = "{http://www.w3.org/2000/svg}"
    links = [a.attrib["href"] for a in root.iter(f"{ns}a")]
    states = {urlsplit(h).path.rsplit("/", 1)[1] for h in links}
    assert len(states) == 197
    ltu = [a for a in root.iter(f"{ns}a") if a.attrib["href"].startswith("/states/LTU")]
    shape = next(iter(ltu[0]))
    assert shape.attrib["fill"] == "#D55E00"  # withdrawn (Okabe–Ito vermillion)
    assert "Lithuania: withdrawn since 2025-03-06" in shape.findtext(f"{ns}title", "")
    legend = re.search(r'<ul class="legend">(.*?)</ul>', page, re.S)
    assert legend is not None and "withdrawn: <strong>1</strong>" in legend.group(1)


def test_charts_are_well_formed_svg_with_title_and_description(client: TestClient) -> None:
    page = client.get("/").text
    svgs = re.findall(r'<svg class="(?:chart|map)[^"]*".*?</svg>', page, re.S)
    from normwatch.catalog import all_treaties

    assert len(svgs) == len(all_treaties()) + 1  # a small multiple per treaty and one map
    for svg in svgs:
        root = ElementTree.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.findtext(f"{ns}title") and root.findtext(f"{ns}desc")


def test_small_multiple_follows_the_counts_and_marks_withdrawals() -> None:
    import datetime as dt

    from normwatch.web import charts

    daily = [
        {
            "date": dt.date(2020, 1, 1) + dt.timedelta(days=i),
            "parties": i // 10,
            "signatories": 5,
            "withdrawing": 0,
            "withdrawn": 0,
        }
        for i in range(30)
    ]
    points = charts.change_points(daily, ["parties", "signatories", "withdrawing", "withdrawn"])
    assert [p["parties"] for p in points] == [0, 1, 2]
    event = charts.ChartEvent(dt.date(2020, 1, 20), "X: withdrawal took effect", "/x", "withdrawn")
    svg = charts.small_multiple(
        points, start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 30), title="t <&>", events=[event]
    )
    root = ElementTree.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.findtext(f"{ns}title") == "t <&>"
    assert "2 on 2020-01-30" in (root.findtext(f"{ns}desc") or "")
    assert [t.text for t in root.iter(f"{ns}text") if t.attrib.get("class") == "label"] == ["2"]
    marks = [a for a in root.iter(f"{ns}a") if a.attrib["href"] == "/x"]
    assert len(marks) == 1 and marks[0].attrib["aria-label"] == "X: withdrawal took effect"


def test_methods_page_reproduces_the_reference_counts(client: TestClient) -> None:
    page = client.get("/methods").text
    assert page.count('<span class="ok">yes</span>') >= 12
    assert '<span class="bad">no</span>' not in page
    assert "<td>20(2)</td>" in page and "withdrawal-reaction" in page
    # the obligations come from the rule files, the later-remnants deadline with its article
    assert "<td>3(2)</td>" in page and "<td>4(1)(b)</td>" in page and "<td>5(1)</td>" in page


def test_data_page_links_the_export(client: TestClient) -> None:
    page = client.get("/data").text
    files = [h for h, _ in parse(page).links if h.startswith("/data/")]
    assert "/data/datapackage.json" in files and "/data/normwatch.sqlite" in files
    package: dict[str, Any] = client.get("/data/datapackage.json").json()
    assert {r["path"] for r in package["resources"]} <= {f.removeprefix("/data/") for f in files}
    states = client.get("/data/states.csv")
    assert states.status_code == 200 and states.text.startswith("code,alpha2,name")


def test_home_lists_next_deadlines_with_links(client: TestClient) -> None:
    page = client.get("/").text
    links = [h for h, _ in parse(page).links if "/deadlines" in h]
    assert any("overdue=1" in h for h in links)
    deadlines = client.get(links[0]).text
    assert "obligation" in deadlines


# -- wording, order and readability -----------------------------------------------------------


def test_page_titles_name_the_site_once(client: TestClient) -> None:
    for path in ("/", "/treaties/ccm", "/methods"):
        title = re.search(r"<title>(.*?)</title>", client.get(path).text)
        assert title is not None, path
        assert title.group(1).count("normwatch") == 1, title.group(1)


def test_roll_sorts_names_without_regard_to_accents(client: TestClient) -> None:
    codes = roll_states(client, "/treaties/ccm?on=2025-03-05&sort=name")
    assert codes.index("CIV") < codes.index("CZE")  # Côte d'Ivoire before Czechia
    desc = roll_states(client, "/treaties/ccm?on=2025-03-05&sort=name&order=desc")
    assert desc.index("CZE") < desc.index("CIV")


def test_counts_are_pluralised_and_overdue_spans_said_in_years() -> None:
    import datetime as dt

    from normwatch.web.routers.pages import plural, years_months

    assert (plural(1, "State"), plural(2, "State"), plural(0, "day")) == (
        "1 State",
        "2 States",
        "0 days",
    )
    today = dt.date(2026, 3, 1)
    assert years_months((today - dt.date(2011, 6, 30)).days, today) == "14 years 8 months"
    assert years_months((today - dt.date(2025, 3, 1)).days, today) == "1 year"
    assert years_months((today - dt.date(2026, 1, 15)).days, today) == "1 month"
    assert years_months(20, today) == ""


def test_overdue_obligations_say_how_long_in_years(client: TestClient) -> None:
    page = client.get("/treaties/ccm/deadlines?overdue=1").text
    assert "(5358 days, 14 years 8 months)" in page  # Comoros: initial report due 2011-06-30
    assert "(5358 days, 14 years 8 months)" in client.get("/states/COM").text


def test_api_docs_render_code_spans(client: TestClient) -> None:
    page = client.get("/api/v1/docs").text
    assert "`" not in page
    assert "<code>YYYY-MM-DD</code>" in page and "<code>normwatch counts</code>" in page


def test_methods_dates_do_not_wrap(client: TestClient) -> None:
    page = client.get("/methods").text
    assert '<td class="d">2010-08-01</td>' in page
    assert not re.search(r"<td>\d{4}-\d\d-\d\d</td>", page)


def test_partial_meeting_says_what_its_figures_do_not_show(client: TestClient) -> None:
    page = client.get("/meetings/ccm-12msp").text
    assert "<strong>2 States</strong> in the denominator" in page
    notes = re.search(r'<div class="warn" id="record-notes">(.*?)</div>', page, re.S)
    assert notes is not None
    assert page.index('id="record-notes"') < page.index('<svg class="chart bars"')
    text = " ".join(notes.group(1).split())
    assert "This record is partial" in text
    assert "Fewer than 10 States in the denominator: no share is drawn" in text
    assert "speak for the chair, not for a national position of Mexico" in text
    # the breakdown names the groups, one column each
    breakdown = page.split('<table class="breakdown">', 1)[1].split("</table>", 1)[0]
    assert "Western European and Others Group (WEOG)" in breakdown and "un-weog" not in breakdown
    # a complete record with national statements needs no note about partial records or the
    # chair; its five participants still draw no share
    complete = client.get(f"/meetings/{MEETING}").text
    assert "This record is partial" not in complete and "speak for the chair" not in complete
    assert "no share is drawn" in complete


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        hex6 = "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour[1:]
        rgb = [int(hex6[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_status_colours_have_enough_contrast_and_match_the_charts(client: TestClient) -> None:
    from normwatch.web import charts

    css = client.get("/static/style.css").text
    variables = dict(re.findall(r"--([\w-]+): (#[0-9A-Fa-f]{6});", css))
    for status, colour in charts.STATUS_COLOURS.items():
        assert variables[status.replace("_", "-")].upper() == colour.upper(), status
        rule = re.search(rf"\.st-{status} {{ background: ([^;]+); color: (#\w+);", css)
        assert rule is not None, status
        background = variables.get(rule.group(1)[6:-1]) or rule.group(1)  # var(--x) or #hex
        if status != "non_signatory":  # a pale grey badge, not the map's grey
            assert background.upper() == colour.upper(), status
        assert _contrast(background, rule.group(2)) >= 4.5, status
    for series in charts.MEMBERSHIP_SERIES:  # the direct labels of the chart, on white
        assert _contrast(series.ink, "#ffffff") >= 4.5, series.key
    page = client.get("/treaties/ccm").text
    assert f'fill="{charts.MEMBERSHIP_SERIES[2].ink}">' in page  # the "withdrawing" label
    assert f'fill="{charts.STATUS_COLOURS["withdrawing"]}">' not in page


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/treaties", "/"),
        ("/states", "/matrix"),
        ("/states/", "/matrix"),
        ("/states?on=2026-01-01&region=African", "/matrix?on=2026-01-01&region=African"),
        ("/deadlines", "/"),
        ("/downloads", "/data"),
        ("/treaties/", "/"),
        ("/deadlines?on=2026-01-01", "/?on=2026-01-01"),
    ],
)
def test_guessed_short_addresses_redirect_to_the_page_that_answers_them(
    client: TestClient, path: str, target: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code in (307, 308)
    location = response.headers["location"]
    if location != target:  # a trailing slash is first dropped, then redirected
        response = client.get(location, follow_redirects=False)
        location = response.headers["location"]
    assert location == target
    assert client.get(path).status_code == 200


def test_bundled_data_and_templates_name_no_development_folder() -> None:
    from pathlib import Path

    import normwatch

    package = Path(normwatch.__file__).parent
    files = [*(package / "data").rglob("*"), *(package / "web" / "templates").rglob("*")]
    offenders = [
        str(f.relative_to(package))
        for f in files
        if f.is_file()
        and f.suffix in {".csv", ".yaml", ".toml", ".md", ".html", ".json"}
        and re.search(r"(?<![\w/])(/work/)?shared/", f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_meeting_coding_notes_cite_the_statements_public_source(client: TestClient) -> None:
    page = client.get("/meetings/ccm-12msp").text
    assert "shared/data" not in page
    assert "facts.md" not in page


def test_deadlines_page_collapses_states_due_the_same_day_into_an_expandable_row(
    client: TestClient,
) -> None:
    on = "2026-01-01"
    rows = client.get(f"/api/v1/treaties/ccm/deadlines?on={on}&within=12m").json()
    rows = rows["deadlines"] if isinstance(rows, dict) else rows
    annual = [
        r for r in rows if r["obligation"] == "annual_report" and r["deadline"] == "2026-04-30"
    ]
    assert len(annual) > 1
    page = client.get(f"/treaties/ccm/deadlines?on={on}&within=12m").text
    assert page.count("<details>") >= 1
    summary = f"<summary>{len(annual)} States</summary>"
    assert page.count(summary) == 1
    block = page.split(summary, 1)[1].split("</details>", 1)[0]
    assert len(re.findall(r"<li>", block)) == len(annual)
    overdue = page.index("ob-overdue")
    assert overdue < page.index(summary)


def test_main_text_colours_of_the_stylesheet_have_contrast_on_its_backgrounds(
    client: TestClient,
) -> None:
    css = client.get("/static/style.css").text
    variables = dict(re.findall(r"--([\w-]+): (#[0-9A-Fa-f]{6});", css))
    for ink in ("ink", "muted", "accent"):
        for paper in ("paper", "tint"):
            ratio = _contrast(variables[ink], variables[paper])
            assert ratio >= 4.5, (ink, paper, round(ratio, 2))
    button = re.search(r"\nbutton \{[^}]*background: var\(--(\w+)\); color: (#\w+);", css)
    assert button is not None
    assert _contrast(variables[button.group(1)], button.group(2)) >= 4.5
