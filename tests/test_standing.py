"""A State across every treaty: ``normwatch state``, ``/api/v1/states/{code}`` and the State
page's matrix say the same thing, and what is not known stays unknown."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clirun import run
from normwatch.catalog import all_treaties
from normwatch.core.schemas.standing import StateStandingOut
from normwatch.errors import DataError
from normwatch.service.obligations import obligations_for
from normwatch.store.db import Store


def _state_json(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, "--db", db, "state", *args, "--format", "json")
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def test_ukraine_is_still_bound_by_the_mine_ban_treaty_after_its_purported_suspension(
    capsys: pytest.CaptureFixture[str], bundled_db: str
) -> None:
    result = _state_json(capsys, bundled_db, "UKR", "--on", "2026-01-01")
    StateStandingOut.model_validate(result)
    cells = {t["treaty"]: t for t in result["treaties"]}
    assert set(cells) == set(all_treaties())
    apmbt = cells["apmbt"]
    # the suspension split the period, but the status began with entry into force
    assert apmbt["status"] == "party" and apmbt["since"] == "2006-06-01"
    assert "purported suspension without legal effect" in apmbt["explanation"]["rule"]
    assert any(a["action"] == "suspension_notified" for a in apmbt["explanation"]["actions"])
    assert cells["ctbt"]["status"] == "consented"
    assert cells["tpnw"]["status"] == "non_signatory" and cells["tpnw"]["since"] is None


def test_obligation_counts_are_those_of_the_obligations_command(
    capsys: pytest.CaptureFixture[str], bundled_db: str, store: Store
) -> None:
    result = _state_json(capsys, bundled_db, "Lithuania", "--on", "2026-01-01")
    day = dt.date(2026, 1, 1)
    for cell in result["treaties"]:
        if cell["obligations"] is None:  # the rule file defines none: no row to count
            with pytest.raises(DataError, match="defines no obligations"):
                obligations_for(store, cell["treaty"], "LTU", day)
            continue
        rows = obligations_for(store, cell["treaty"], "LTU", day)
        ob = cell["obligations"]
        assert ob["overdue"] == sum(r["status"] == "overdue" for r in rows)
        assert ob["unknown"] == sum(r["status"] == "unknown" for r in rows)
        assert [i["status"] for i in ob["items"]] == [r["status"] for r in rows]
    # an obligation without facts stays unknown: never counted as met or due
    att = next(c for c in result["treaties"] if c["treaty"] == "att")["obligations"]
    assert att["unknown"] >= 1
    assert att["completed"] + att["due"] + att["overdue"] + att["unknown"] <= len(att["items"])


def test_csv_has_one_row_per_treaty_and_the_table_says_none_defined(
    capsys: pytest.CaptureFixture[str], bundled_db: str
) -> None:
    code, out, _ = run(
        capsys, "--db", bundled_db, "state", "LTU", "--on", "2025-12-27", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["treaty"] for r in rows] == sorted(all_treaties())
    by = {r["treaty"]: r for r in rows}
    assert by["ccm"]["status"] == "withdrawn" and by["ccm"]["effective"] == "2025-03-06"
    assert by["cwc"]["overdue"] == ""  # no obligations defined: empty, not 0
    code, out, _ = run(capsys, "--db", bundled_db, "state", "LTU", "--on", "2025-12-27")
    assert code == 0 and "none defined" in out and "withdrawn" in out


def test_unknown_state_is_an_error(capsys: pytest.CaptureFixture[str], bundled_db: str) -> None:
    code, _, err = run(capsys, "--db", bundled_db, "state", "Atlantis")
    assert code != 0 and "Atlantis" in err


def test_api_answers_what_the_cli_prints(
    capsys: pytest.CaptureFixture[str], client: TestClient, web_db: str
) -> None:
    api = client.get("/api/v1/states/UKR?on=2026-01-01").json()
    assert api == _state_json(capsys, web_db, "UKR", "--on", "2026-01-01")
    assert client.get("/api/v1/states/Ukraine?on=2026-01-01").json() == api


def test_state_page_opens_with_the_matrix_and_each_cell_explains_itself(
    client: TestClient,
) -> None:
    page = client.get("/states/UKR?on=2026-01-01").text
    matrix = page[page.index('id="matrix"') : page.index("</table>", page.index('id="matrix"'))]
    assert page.index('id="matrix"') < page.index('id="apmbt"')  # first, then the details
    rows = re.findall(r"<tr>\s*<th scope=\"row\">", matrix)
    assert len(rows) == len(all_treaties())
    assert matrix.count("<details") == len(all_treaties())
    assert "purported suspension without legal effect" in matrix
    assert "none defined" in matrix  # CCW: no obligations in its rule file
    assert "no act recorded" in matrix  # TPNW: Ukraine has done nothing
    for anchor in set(re.findall(r'href="#([\w-]+)"', matrix)):
        assert f'id="{anchor}"' in page, anchor


def test_state_page_counts_statements_coded(client: TestClient) -> None:
    page = client.get("/states/NOR?on=2026-01-01").text
    matrix = page[page.index('id="matrix"') : page.index("</table>", page.index('id="matrix"'))]
    # Norway's statement at the fictional web-test meeting of the CCM carries a code
    assert re.search(r'<a href="#statements">1 of 1 statement</a>', matrix)
    assert "concern" in matrix


@pytest.mark.parametrize("code", ["UKR", "LTU", "USA", "RUS", "FIN", "CHE", "ERI", "VAT"])
def test_one_states_timeline_is_the_one_the_whole_view_computes(bundled_db: str, code: str) -> None:
    from normwatch.core.status import Timeline
    from normwatch.store.db import open_store

    alone = open_store(bundled_db)  # no view computed yet: each timeline computed by itself
    whole = open_store(bundled_db)
    for treaty in sorted(all_treaties()):
        mine = alone.timeline(treaty, code)
        assert mine == (whole.view(treaty).timelines.get(code) or Timeline(code, ())), treaty
    assert not alone._views  # it never needed a whole view


@pytest.mark.parametrize("on", [dt.date(1980, 1, 1), dt.date(2025, 3, 6), dt.date(2026, 2, 3)])
def test_the_table_and_csv_rows_are_the_same_without_the_schema(store: Store, on: dt.date) -> None:
    from normwatch.service.standing import standing, standing_rows, state_standing

    for code in store.registry().codes:
        raw = standing(store, code, on)
        validated = state_standing(store, code, on)
        assert standing_rows(raw) == standing_rows(validated), code
        assert (raw["state"], raw["name"]) == (validated["state"], validated["name"])


@pytest.mark.parametrize("on", [dt.date(1983, 12, 2), dt.date(2024, 9, 6), dt.date(2026, 2, 3)])
def test_a_states_status_alone_is_the_treaty_views(store: Store, on: dt.date) -> None:
    from normwatch.service.status import state_status

    for rules in all_treaties().values():
        view = store.view(rules.id)
        fresh = Store(store.url)  # no view built: each State's timeline alone
        for code in store.registry().codes:
            alone = state_status(fresh, rules, code, on).to_dict(explain=True)
            assert alone == view.status(code, on).to_dict(explain=True), (rules.id, code)


def test_a_states_timeline_after_its_status_alone_is_the_timeline_answer(store: Store) -> None:
    from normwatch.service import status as service

    fresh = Store(store.url)  # no view built: the status reads the State's timeline alone
    service.status(fresh, "apmbt", ["UKR"], dt.date(2026, 1, 1))
    got = service.timeline(fresh, "apmbt", "UKR")
    assert got == service.timeline(Store(store.url), "apmbt", "UKR")
    assert any(e.get("action") == "suspension_notified" for e in got["entries"])
