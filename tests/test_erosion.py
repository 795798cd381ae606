"""The erosion timeline: computed from the acts and events on record (a fictional withdrawal
added to a fictional treaty appears with its computed effect), shown by the CLI, the page, the
feed and the downloads, with the reactions linked to each act."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient

from clirun import run
from normwatch import catalog
from normwatch.core.dates import PartialDate
from normwatch.core.model import Action, ActionKind, Source
from normwatch.store.db import create_example_store
from normwatch.store.facts import ensure_treaty, write_actions

FICTIONAL_TREATY = """
id = "fict-erosion"
name = "Fictional Convention on Imaginary Munitions (written for the tests)"
short_name = "FCIM"
opened_for_signature = "2030-03-01"
depositary = "Secretary-General of the United Nations"
[rules.entry_into_force]
article = "15(1)"
kind = "months_after"
months = 6
threshold = 2
text = "six months after the second instrument"
[rules.state_entry_into_force]
article = "15(2)"
kind = "days_after"
days = 90
text = "ninety days after a later deposit"
[rules.withdrawal]
article = "17(2)"
notice_months = 12
armed_conflict_postpones = true
text = "twelve months after receipt; not while engaged in an armed conflict"
"""

FICTION = "https://example.org/fict-erosion/"


def _act(state: str, kind: ActionKind, date: str, symbol: str | None = None) -> Action:
    src = Source(
        f"{FICTION}{state.lower()}-{kind.value}", symbol, published=date if symbol else None
    )
    return Action("fict-erosion", state, kind, PartialDate.parse(date), (src,))


@pytest.fixture()
def fictional_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    folder = tmp_path / "treaties"
    folder.mkdir()
    (folder / "fict-erosion.toml").write_text(FICTIONAL_TREATY, encoding="utf-8")
    monkeypatch.setenv("NORMWATCH_TREATIES", str(folder))
    catalog.reload_treaties()
    try:
        path = str(tmp_path / "example.sqlite")
        store = create_example_store(path)
        with store.transaction() as conn:
            ensure_treaty(conn, catalog.get_treaty("fict-erosion"))
            write_actions(
                conn,
                [
                    _act("NOR", ActionKind.RATIFICATION, "2030-04-01"),
                    _act("ISL", ActionKind.RATIFICATION, "2030-05-02"),
                    # received on 29 February: twelve months on is the last day of February
                    _act("ISL", ActionKind.WITHDRAWAL, "2032-02-29", "C.N.1.2032.FICTIONAL"),
                ],
            )
        yield path
    finally:
        monkeypatch.delenv("NORMWATCH_TREATIES")
        catalog.reload_treaties()


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_a_fictional_withdrawal_appears_with_its_computed_effective_date(
    capsys: pytest.CaptureFixture[str], fictional_db: str
) -> None:
    entries = _json(capsys, "--db", fictional_db, "erosion", "--treaty", "fict-erosion")
    assert len(entries) == 1
    e = entries[0]
    assert (e["state"], e["kind"], e["date"]) == ("ISL", "withdrawal", "2032-02-29")
    assert e["effective"] == "2033-02-28" and e["postponed"] is False
    assert e["article"] == "17(2)" and e["notification"] == "C.N.1.2032.FICTIONAL"
    assert e["explanation"]["arithmetic"][0] == "receipt 2032-02-29 + 12 months → 2033-02-28"
    assert e["sources"] == [f"{FICTION}isl-withdrawal"]
    # the whole timeline holds it beside the real acts, in date order
    every = _json(capsys, "--db", fictional_db, "erosion")
    assert [x["day"] for x in every] == sorted(x["day"] for x in every)
    assert every[-1]["id"] == e["id"]


def test_a_withdrawal_under_way_during_an_armed_conflict_is_postponed(
    capsys: pytest.CaptureFixture[str], fictional_db: str
) -> None:
    from normwatch.store import schema as t
    from normwatch.store.db import open_store
    from normwatch.store.facts import ensure_source

    store = open_store(fictional_db)
    with store.transaction() as conn:
        conn.execute(
            t.armed_conflicts.insert().values(
                state="ISL",
                counterpart=None,
                kind="fictional",
                start="2033-01",
                end=None,
                source_id=ensure_source(conn, Source(f"{FICTION}conflict")),
                note="fictional, for the tests",
            )
        )
    (e,) = _json(capsys, "--db", fictional_db, "erosion", "--treaty", "fict-erosion")
    assert e["effective"] is None and e["postponed"] is True
    assert e["effect"].startswith("postponed")


def test_every_kind_of_act_on_record_is_an_entry(
    capsys: pytest.CaptureFixture[str], bundled_db: str
) -> None:
    entries = _json(capsys, "--db", bundled_db, "erosion")
    from normwatch.store.db import open_store

    store = open_store(bundled_db)
    kinds = {"withdrawal", "ratification_revoked", "intent_not_to_become_party"}
    kinds |= {"suspension_notified"}
    expected: set[tuple[str, str, str, str]] = {
        (r.id, a.state, str(a.kind.value), str(a.date))
        for r in store.treaties().values()
        for a in store.actions(r.id)
        if a.kind.value in kinds
    }
    expected |= {
        (r.id, ev.state, ev.kind, str(ev.date))
        for r in store.treaties().values()
        for ev in store.events(r.id)
        if ev.kind == "withdrawal_announced"
    }
    got = {(e["treaty"], e["state"], e["kind"], e["date"]) for e in entries}
    assert got == expected
    by = {(e["treaty"], e["state"], e["kind"]): e for e in entries}
    ltu = by[("ccm", "LTU", "withdrawal")]
    assert ltu["effective"] == "2025-03-06" and ltu["other_treaties"] == ["apmbt"]
    assert [d["kind"] for d in ltu["domestic_steps"]][-1] == "parliamentary_vote"
    ukr = by[("apmbt", "UKR", "suspension_notified")]
    assert ukr["status_after"] == ukr["status_before"] == "party"
    assert len(ukr["reactions"]["objections"]) == 6 and ukr["reactions"]["decisions"]
    assert ukr["reactions"]["codebooks"] == []  # no codebook targets Ukraine
    eri = by[("apmbt", "ERI", "withdrawal_announced")]
    assert eri["deposited"] is False and eri["effective"] is None
    assert by[("ctbt", "RUS", "ratification_revoked")]["status_after"] == "signatory"
    assert by[("att", "USA", "intent_not_to_become_party")]["status_after"] == "unsigned"


def test_since_and_treaty_filter_and_csv_counts(
    capsys: pytest.CaptureFixture[str], bundled_db: str
) -> None:
    later = _json(capsys, "--db", bundled_db, "erosion", "--since", "2025-01-01")
    assert later and all(e["day"] >= "2025-01-01" for e in later)
    code, out, _ = run(
        capsys, "--db", bundled_db, "erosion", "--treaty", "apmbt", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["treaty"] for r in rows} == {"apmbt"}
    code, _, err = run(
        capsys, "--db", bundled_db, "erosion", "--since", "2025-01-01", "--until", "2024-01-01"
    )
    assert code != 0 and "before" in err


def test_reactions_name_who_reacted_how_and_who_was_silent(client: TestClient) -> None:
    entries = client.get("/erosion.json?treaty=ccm").json()
    (ltu,) = [e for e in entries if e["state"] == "LTU"]
    meetings = {m["meeting"]: m for m in ltu["reactions"]["meetings"]}
    web = meetings["ccm-web-msp"]  # the fictional web-test meeting, coded for the tests
    how = {r["state"]: r["codes"] for r in web["reacted"]}
    assert "concern" in how["NOR"] and "call_to_reconsider" in how["AUT"]
    assert "mention" in how["DEU"]
    # silent: the parties on the meeting's day with nothing coded, Lithuania itself left out
    assert "LTU" not in web["silent"] and not set(how) & set(web["silent"])
    assert len(web["silent"]) + len(how) + web["acting_state_counted"] == web["parties"]
    assert web["coverage"].startswith("complete record")
    assert meetings["ccm-12msp"]["coverage"].startswith("partial record")


def test_erosion_page_chart_table_and_details(client: TestClient) -> None:
    page = client.get("/erosion").text
    svg = page[page.index('<svg class="chart erosion"') : page.index("</svg>")]
    ElementTree.fromstring(svg + "</svg>")  # well-formed
    entries = client.get("/erosion.json").json()
    assert svg.count('<a href="#act-') == len(entries)
    for e in entries:
        anchor = "act-" + "".join(c if c.isalnum() else "-" for c in e["id"])
        assert f'id="{anchor}"' in page
    assert "States that left or weakened more than one treaty" in page
    assert "Lithuania</a>: CCM, APMBT" in page or "Lithuania</a>: APMBT, CCM" in page
    assert "no codebook targets this act" in page  # Ukraine's suspension: coverage stated


def test_erosion_feed_and_downloads(client: TestClient) -> None:
    feed = client.get("/feeds/erosion.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom")
    root = ElementTree.fromstring(feed.content)
    ns = "{http://www.w3.org/2005/Atom}"
    titles = [e.findtext(f"{ns}title") for e in root.iter(f"{ns}entry")]
    entries = client.get("/erosion.json").json()
    assert len(titles) == len(entries) and titles[0].startswith("Poland")  # newest first
    data = client.get("/erosion.csv?treaty=apmbt")
    assert data.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(data.text)))
    assert {r["treaty"] for r in rows} == {"apmbt"}
    assert client.get("/feeds/erosion.atom?treaty=atlantis").status_code == 404


def test_erosion_csv_cells_cannot_become_formulas() -> None:
    from normwatch.formats import to_csv
    from normwatch.service.erosion import EROSION_FIELDS

    row = dict.fromkeys(EROSION_FIELDS, "")
    row["effect"] = "=HYPERLINK(1)"
    assert "'=HYPERLINK(1)" in to_csv([row], EROSION_FIELDS)


def test_the_meeting_and_state_pages_link_to_the_acts_reacted_to(client: TestClient) -> None:
    meeting = client.get("/meetings/ccm-web-msp").text
    assert 'href="/erosion#act-ccm-LTU-withdrawal-2024-09-06"' in meeting
    state = client.get("/states/LTU?on=2026-01-01").text
    assert state.count('href="/erosion#act-ccm-LTU-withdrawal-2024-09-06"') >= 2  # cell, section
    assert 'href="/erosion#act-apmbt-LTU-withdrawal-2025-06-27"' in state
    other = client.get("/meetings/ccm-web-msp?codebook=apmbt-withdrawal-reaction").text
    assert "act-ccm-LTU" not in other  # no coding with that codebook at this meeting
