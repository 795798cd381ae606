"""The treaty page: counts, the chart and the map first, then the States list with its dates,
filters that work without JavaScript and a CSV of exactly the rows shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from defusedxml import ElementTree
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from normwatch.service.groups import groups_on
from normwatch.service.status import state_list
from normwatch.store.db import open_store
from normwatch.web import charts

NS = "{http://www.w3.org/2000/svg}"


def roll_rows(page: str) -> list[list[str]]:
    """The States list's cells, as text, one list per row."""
    table = page.split('<table class="roll">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def chart_svg(page: str) -> ElementTree.Element:
    svg = re.search(r'<svg class="chart panels".*?</svg>', page, re.S)
    assert svg is not None
    return ElementTree.fromstring(svg.group(0))


def test_counts_chart_and_map_come_before_the_states_list(client: TestClient) -> None:
    page = client.get("/treaties/ccm?on=2025-03-06").text
    positions = [
        page.index(mark)
        for mark in ('<ul class="cards">', 'class="chart panels"', 'class="map"', 'class="roll"')
    ]
    assert positions == sorted(positions)


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=10))
def test_axis_top_holds_the_value_closely_in_few_round_steps(value: int, intervals: int) -> None:
    top, step = charts.axis_top(value, max_intervals=intervals)
    assert top >= value and top % step == 0 and top // step <= intervals
    assert top - step < max(value, 1)  # no empty interval above the data
    assert str(step).lstrip("0").rstrip("0") in ("1", "2", "25", "5")


def test_chart_axis_is_scaled_to_the_parties_not_to_200(client: TestClient, web_db: str) -> None:
    view = open_store(web_db).view("ccm")
    page = client.get("/treaties/ccm?on=2025-03-06").text
    root = chart_svg(page)
    ticks = [
        int(t.text or "")
        for t in root.iter(f"{NS}text")
        if t.get("class") == "tick" and t.get("text-anchor") == "end" and (t.text or "").isdigit()
    ]
    most = max(r["parties"] for r in view.daily_counts(dt.date(2008, 12, 3), dt.date(2026, 3, 1)))
    upper = max(ticks)
    assert most <= upper < most + 20  # 112 parties at most: the axis ends at 120
    assert 200 not in ticks


def test_chart_marks_each_withdrawal_and_scales_them_apart(client: TestClient) -> None:
    page = client.get("/treaties/apmbt?on=2026-02-20").text
    root = chart_svg(page)
    events = [a.attrib["aria-label"] for a in root.iter(f"{NS}a") if a.get("class") == "event"]
    withdrawn = [
        c
        for c in client.get(
            "/api/v1/treaties/apmbt/changes?since=1997-12-03&until=2026-03-01"
        ).json()
        if c["to"] == "withdrawn"
    ]
    assert withdrawn, "the bundled data has Mine Ban Treaty withdrawals"
    for c in withdrawn:
        assert f"{c['name']}: withdrawal took effect {c['date']}" in events
    # the lower panel's axis ends at the most withdrawals, not at the parties' scale
    labels = [t.text or "" for t in root.iter(f"{NS}text")]
    assert "withdrawing and withdrawn (own scale)" in labels
    assert f"{len(withdrawn)} withdrawn" in labels


def test_yearly_points_carry_their_figures_for_hover_and_focus(
    client: TestClient, web_db: str
) -> None:
    view = open_store(web_db).view("ccm")
    page = client.get("/treaties/ccm?on=2025-03-06").text
    points = [a for a in chart_svg(page).iter(f"{NS}a") if a.get("class") == "pt"]
    assert len(points) >= 15
    for a in points:
        label = a.attrib["aria-label"]
        assert a.findtext(f".//{NS}title") == label  # hover: the tooltip says the same
        day = dt.date.fromisoformat(label.split(":")[0])
        counts = view.counts(day)
        assert (
            f"{counts['parties']} parties" in label and f"{counts['withdrawn']} withdrawn" in label
        )
        assert a.attrib["href"].startswith(f"/treaties/ccm?on={day.isoformat()}")
    details = re.search(
        r'<details id="yearly">\s*<summary>Figures by year</summary>(.*?)</details>', page, re.S
    )
    assert details is not None and details.group(1).count("<tr>") == len(points) + 1


def test_states_list_gives_each_states_dates(client: TestClient) -> None:
    rows = {r[0].split()[-1]: r for r in roll_rows(client.get("/treaties/ccm?on=2025-03-06").text)}
    assert rows["LTU"][2:] == [
        "withdrawn",
        "2025-03-06",
        "2008-12-03",
        "2011-03-24 ratification",
        "2011-09-01",
        "2024-09-06",
        "2025-03-06",
    ]
    assert rows["FIN"][2:] == ["not signed", "", "", "", "", "", ""]
    # as of a day before Lithuania's notice, no withdrawal date shows
    before = {
        r[0].split()[-1]: r for r in roll_rows(client.get("/treaties/ccm?on=2024-09-05").text)
    }
    assert before["LTU"][2] == "party (in force)" and before["LTU"][-2:] == ["", ""]


def test_filters_by_status_region_and_group_and_the_csv_shows_the_same(
    client: TestClient, web_db: str
) -> None:
    store = open_store(web_db)
    day = dt.date(2025, 3, 6)
    nato = groups_on(store, "nato", day)["nato"]
    query = "on=2025-03-06&status=party&region=Eastern+European&group=nato&sort=consent&order=desc"
    rows = roll_rows(client.get(f"/treaties/ccm?{query}").text)
    codes = [r[0].split()[-1] for r in rows]
    expected = {
        r["state"]
        for r in state_list(store, "ccm", day)
        if r["status"] == "party" and r["region"] == "Eastern European" and r["state"] in nato
    }
    assert set(codes) == expected and len(codes) >= 3
    consents = [r[5].split()[0] for r in rows]
    assert consents == sorted(consents, reverse=True)
    page = client.get(f"/treaties/ccm?{query}").text
    link = re.search(r'<a href="([^"]+)">Download this list \(CSV\)</a>', page)
    assert link is not None
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["state"] for r in table] == codes
    assert all("nato" in r["groups"].split(";") for r in table)
    assert {r["status"] for r in table} == {"party"}


def test_filter_form_keeps_working_without_javascript(client: TestClient) -> None:
    page = client.get("/treaties/ccm?on=2025-03-06&region=African&q=ben").text
    form = page.split('aria-label="Filter the States"', 1)[1].split("</form>", 1)[0]
    assert 'method="get"' in page.split('aria-label="Filter the States"', 1)[0][-120:]
    assert '<option value="African" selected>' in form and 'value="ben"' in form
    assert '<input type="hidden" name="on" value="2025-03-06">' in form
    assert [r[0] for r in roll_rows(page)] == ["Benin BEN"]


def test_unknown_region_or_group_is_a_400_naming_the_parameter(client: TestClient) -> None:
    bad = client.get("/treaties/ccm?region=Atlantis")
    assert bad.status_code == 400 and "region: unknown regional group" in bad.text
    bad = client.get("/treaties/ccm/states.csv?group=warsaw-pact")
    assert bad.status_code == 400 and "group: unknown group" in bad.text
