"""The home page for twelve treaties (small multiples, a map switchable by treaty, the latest
changes across treaties, the newest erosion entries) and the States × treaties matrix."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from fastapi.testclient import TestClient

from normwatch.catalog import all_treaties
from normwatch.store.db import open_store


def test_home_map_switches_treaty_by_a_plain_link(client: TestClient) -> None:
    default = client.get("/?on=2025-03-06").text
    first = sorted(all_treaties())[0]
    assert f"Map: {all_treaties()[first].name}" in default
    switch = re.findall(r'href="(/\?[^"]*map=ccm[^"]*)"', default)
    assert switch and "on=2025-03-06" in switch[0]
    ccm = client.get(switch[0].replace("&amp;", "&")).text
    assert "Map: Convention on Cluster Munitions" in ccm
    assert "Lithuania: withdrawn since 2025-03-06" in ccm  # the map's State of the CCM
    assert client.get("/?map=atlantis").status_code == 404


def test_home_lists_the_latest_changes_across_treaties(client: TestClient, web_db: str) -> None:
    store = open_store(web_db)
    day = dt.date(2026, 1, 1)
    page = client.get(f"/?on={day}").text
    section = page[page.index('id="h-changes"') : page.index('id="h-map"')]
    shown = re.findall(r'<td class="d">(\d{4}-\d\d-\d\d)</td>', section)
    every = sorted(
        (
            c.date.isoformat()
            for t in all_treaties()
            for c in store.view(t).changes(dt.date(1970, 1, 1), day)
        ),
        reverse=True,
    )
    assert shown == every[: len(shown)] and len(shown) == 12


def test_home_lists_the_newest_erosion_entries(client: TestClient) -> None:
    entries = client.get("/erosion.json").json()
    page = client.get("/?on=2026-01-01").text
    section = page[page.index('id="h-erosion"') : page.index('id="h-changes"')]
    listed = re.findall(r'href="/erosion#(act-[\w-]+)"', section)
    newest = [e for e in entries if e["day"] <= "2026-01-01"][::-1]
    assert listed and listed[0] == "act-" + re.sub(r"\W", "-", newest[0]["id"])
    assert len(listed) == min(6, len(newest))


def test_home_has_a_small_multiple_per_treaty_with_withdrawals_marked(client: TestClient) -> None:
    page = client.get("/?on=2026-01-01").text
    minis = re.findall(r'<svg class="chart mini".*?</svg>', page, re.S)
    assert len(minis) == len(all_treaties())
    apmbt = next(m for m in minis if 'id="sm-apmbt-t"' in m)
    assert "Poland: withdrawal notified (received) 2025-08-20" in apmbt
    assert "Estonia: withdrawal took effect 2025-12-27" in apmbt


def _matrix_states(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/states/([A-Z]{3})\?', page)


def test_matrix_filters_by_region_and_group_and_sorts_by_a_treaty(client: TestClient) -> None:
    base = "/matrix?on=2026-01-01"
    every = _matrix_states(client.get(base).text)
    assert len(every) == 197
    eastern = _matrix_states(client.get(base + "&region=Eastern+European").text)
    assert "LTU" in eastern and "FRA" not in eastern and len(eastern) < len(every)
    nato = _matrix_states(client.get(base + "&group=nato").text)
    assert "FIN" in nato and "AUT" not in nato  # Finland joined NATO in 2023
    by_ccm = client.get(base + "&sort=ccm").text
    cells = re.findall(r'#ccm" title="[^"]*"><span class="status st-(\w+)', by_ccm)
    order = ["party", "consented", "signatory", "withdrawing", "withdrawn", "unsigned"]
    ranks = [order.index(c) if c in order else 99 for c in cells]
    assert ranks == sorted(ranks) and cells[0] == "party"
    desc = _matrix_states(client.get(base + "&sort=ccm&order=desc").text)
    assert desc == _matrix_states(by_ccm)[::-1]
    assert client.get(base + "&region=Atlantis").status_code == 400


def test_matrix_csv_gives_the_rows_shown(client: TestClient) -> None:
    query = "on=2025-03-06&region=Eastern+European&sort=in_force"
    shown = _matrix_states(client.get(f"/matrix?{query}").text)
    data = client.get(f"/matrix.csv?{query}")
    rows = list(csv.DictReader(io.StringIO(data.text)))
    assert [r["state"] for r in rows] == shown
    ltu = next(r for r in rows if r["state"] == "LTU")
    assert ltu["ccm"] == "withdrawn" and ltu["apmbt"] == "party"
    assert set(all_treaties()) <= set(rows[0])


def test_states_address_leads_to_the_matrix_of_every_state(client: TestClient) -> None:
    response = client.get("/states?on=2026-01-01&region=Eastern+European")
    assert response.status_code == 200
    assert str(response.url).endswith("/matrix?on=2026-01-01&region=Eastern+European")
    listed = _matrix_states(response.text)
    assert listed == _matrix_states(
        client.get("/matrix?on=2026-01-01&region=Eastern+European").text
    )
    assert "LTU" in listed and "FRA" not in listed
    every = _matrix_states(client.get("/states").text)
    assert len(every) == 197
