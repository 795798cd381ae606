"""The twelve Chapter XXVI treaties in the bundled data: entry into force computed from the acts,
the CTBT not in force, the depositary's 2026-02-03 counts, and the special acts explained."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from normwatch.core.model import ActionKind, Status
from normwatch.service import status as service
from normwatch.sources.untc.viewdetails import parse_status_file
from normwatch.store.db import Store
from shared_files import SHARED

PAGES = SHARED / "data" / "untc-2026"
AS_AT = dt.date(2026, 2, 3)
FILES = {
    "enmod": "enmod.html",
    "ccw": "ccw.html",
    "ccw-p4": "ccw_p4.html",
    "ccw-p2a": "ccw_p2a.html",
    "ccw-art1": "ccw_art1.html",
    "ccw-p5": "ccw_p5.html",
    "cwc": "cwc.html",
    "ctbt": "ctbt.html",
    "apmbt": "ottawa.html",
    "ccm": "ccm.html",
    "att": "att.html",
    "tpnw": "tpnw.html",
}
NEW = [t for t in FILES if t not in ("apmbt", "ccm")]
needs_pages = pytest.mark.skipif(not PAGES.is_dir(), reason=f"no 2026 pages at {PAGES}")


@pytest.mark.parametrize(
    ("treaty", "date", "threshold"),
    [
        ("tpnw", "2021-01-22", "2020-10-24"),
        ("att", "2014-12-24", "2014-09-25"),
        ("cwc", "1997-04-29", "1996-10-31"),
        ("ccw", "1983-12-02", "1983-06-02"),
        ("enmod", "1978-10-05", "1978-10-05"),
    ],
)
def test_entry_into_force_is_computed_from_the_deposits(
    store: Store, treaty: str, date: str, threshold: str
) -> None:
    view = store.view(treaty)
    eif = view.entry_into_force
    assert eif.date == dt.date.fromisoformat(date)
    assert eif.threshold_date == dt.date.fromisoformat(threshold)
    assert view.rules.entry_into_force_rule.depositary_date is None  # nothing copied
    assert eif.explanation.steps  # the arithmetic is shown
    # the threshold instrument decides: without the acts of that day the date moves
    later = [a for a in store.actions(treaty) if a.day != eif.threshold_date]
    from normwatch.core.status import treaty_entry_into_force

    assert treaty_entry_into_force(view.rules, later).date != eif.date


def test_ccw_counts_the_instruments_of_predecessor_states_its_page_names() -> None:
    from normwatch.catalog import get_treaty

    rule = get_treaty("ccw").entry_into_force_rule
    assert [n for n, _, _ in rule.counted_instruments] == [
        "German Democratic Republic",
        "Czechoslovakia",
        "former Yugoslavia",
    ]
    assert all("end note" in src for _, _, src in rule.counted_instruments)


def test_ctbt_is_in_force_on_no_day_and_says_which_annex_2_states_are_missing(
    store: Store,
) -> None:
    view = store.view("ctbt")
    assert view.entry_into_force.date is None
    daily = view.daily_counts(dt.date(1996, 9, 24), AS_AT)
    assert all(row["in_force"] == 0 for row in daily)
    assert all(r.status != Status.PARTY for r in view.roll(AS_AT))
    now = service.status(store, "ctbt", ["France"], AS_AT, explain=True)[0]
    assert now["status"] == "consented"
    last = now["explanation"]["arithmetic"][-1]
    missing = re.search(r"have none deposited: ([A-Z, ]+)", last)
    assert missing is not None
    assert missing.group(1).strip().split(", ") == [
        "CHN", "PRK", "EGY", "IND", "IRN", "ISR", "PAK", "RUS", "USA"
    ]  # fmt: skip
    # on 2010-01-01 the Russian Federation's ratification stood
    then = view.status("FRA", dt.date(2010, 1, 1)).period.explanation.steps[-1]
    assert "RUS" not in then and "USA" in then and "COL" not in then


@needs_pages
def test_the_annex_2_list_is_the_one_the_page_quotes(store: Store) -> None:
    doc = parse_status_file(PAGES / "ctbt.html")
    quoted = re.search(r"that is to say: (.*?)\), but in no case", doc.eif_text)
    assert quoted is not None
    *names, last = quoted.group(1).split(", ")
    names += last.split(" and ")  # "Viet Nam and Zaire"
    codes = store.registry().resolve_all(names)
    assert tuple(codes) == store.view("ctbt").rules.entry_into_force_rule.required_states


@needs_pages
@pytest.mark.parametrize("treaty", list(FILES))
def test_counts_on_the_page_date_reproduce_the_page_header(store: Store, treaty: str) -> None:
    doc = parse_status_file(PAGES / FILES[treaty])
    assert doc.status_as_at == AS_AT
    counts = store.view(treaty).counts(AS_AT)
    assert counts["parties"] == doc.status_parties
    if treaty in NEW:
        signed = {a.state for a in store.actions(treaty) if a.kind == ActionKind.SIGNATURE}
        assert len(signed) == (doc.status_signatories or 0)


@pytest.mark.parametrize("treaty", NEW)
def test_every_bundled_act_cites_the_2026_page(store: Store, treaty: str) -> None:
    for a in store.actions(treaty):
        urls = [s.url for s in a.sources]
        if a.kind == ActionKind.RATIFICATION and a.state == "RUS" and treaty == "ctbt":
            assert any(u.endswith("XXVI-4.en.xml") for u in urls)  # only the 2018 XML has it
            continue
        assert any("ViewDetails.aspx" in u for u in urls), a.describe()


def test_russia_ctbt_timeline_shows_the_ratification_and_its_revocation(store: Store) -> None:
    tl = service.timeline(store, "ctbt", "Russian Federation")
    statuses = [e["status"] for e in tl["entries"] if e["type"] == "status"]
    assert statuses == ["signatory", "consented", "signatory"]
    acts = [(e["action"], e["date"]) for e in tl["entries"] if e["type"] == "action"]
    assert ("ratification", "2000-06-30") in acts and ("ratification_revoked", "2023-11") in acts
    row = service.status(store, "ctbt", ["RUS"], AS_AT, explain=True)[0]
    assert row["status"] == "signatory"
    assert "revoked" in row["explanation"]["rule"]


def test_united_states_att_is_unsigned_with_its_communication(store: Store) -> None:
    row = service.status(store, "att", ["USA"], AS_AT, explain=True)[0]
    assert row["status"] == "unsigned" and row["since"] == "2019-07-18"
    assert "does not intend to become a party" in row["explanation"]["rule"]
    before = service.status(store, "att", ["USA"], dt.date(2019, 7, 17))[0]
    assert before["status"] == "signatory"
    act = next(a for a in store.actions("att") if a.kind == ActionKind.INTENT_NOT_TO_BECOME_PARTY)
    assert (act.note or "").startswith("no depositary notification")


def test_ukraine_apmbt_suspension_changes_nothing_and_explain_shows_objections(
    store: Store,
) -> None:
    row = service.status(store, "apmbt", ["Ukraine"], dt.date(2026, 1, 1), explain=True)[0]
    assert row["status"] == "party" and row["since"] == "2006-06-01"  # the status's first day
    steps = "\n".join(row["explanation"]["arithmetic"])
    assert "suspension of the treaty's operation notified" in steps
    assert "no legal effect: status unchanged (party)" in steps
    for actor in ("CHE", "NZL", "NOR", "AUT", "BEL", "COL"):
        assert f"objection by {actor}" in steps
    assert "decision of 22MSP (2025-12-05)" in steps
    assert not [
        c for c in store.view("apmbt").changes(dt.date(2025, 7, 1), AS_AT) if c.state == "UKR"
    ]
    tl = service.timeline(store, "apmbt", "UKR")
    assert any(e.get("action") == "suspension_notified" for e in tl["entries"])


def test_ccw_parties_consent_to_two_protocols_and_explanations_say_so(store: Store) -> None:
    view = store.view("ccw")
    assert not [w for w in view.warnings if "4(3)" in w]
    steps = view.status("BHR", AS_AT).period.explanation.steps
    assert steps[-1].endswith("on record: Protocol III, ccw-p4, ccw-p5 → met")


def test_check_passes_on_the_bundled_data(store: Store) -> None:
    assert [p.to_dict() for p in service.check(store)] == []


@needs_pages
def test_reimporting_the_pages_changes_nothing_and_keeps_the_revoked_ratification(
    tmp_path: Path,
) -> None:
    from normwatch.sources.untc.importer import import_untc
    from normwatch.store.db import open_store

    fresh = open_store(str(tmp_path / "import.sqlite"))
    before = {t: len(fresh.actions(t)) for t in FILES}
    for treaty, name in FILES.items():
        report = import_untc(fresh, str(PAGES / name))
        assert report.treaty == treaty
        assert not report.new and not report.changed and not report.conflicts, report.lines()
        if treaty == "ctbt":
            assert [(i.state, i.action) for i in report.gone] == [("RUS", "ratification")]
            assert "kept: its revocation is on record (2023-11)" in (report.gone[0].note or "")
        elif treaty not in ("apmbt", "ccm"):
            assert not report.gone
    after = open_store(str(tmp_path / "import.sqlite"))
    assert {t: len(after.actions(t)) for t in FILES} == before
    assert after.view("ctbt").status("RUS", AS_AT).status == Status.SIGNATORY
    assert [p.to_dict() for p in service.check(after)] == []


def test_att_and_tpnw_obligations_count_from_entry_into_force_for_the_state() -> None:
    from normwatch.catalog import obligation_rules

    att = {o.id: o for o in obligation_rules("att")}
    assert att["initial_report"].deadline(dt.date(2014, 12, 24)) == dt.date(2015, 12, 24)
    assert att["initial_report"].period() == "1 year"
    assert att["annual_report"].due_on(2016) == dt.date(2016, 5, 31)
    tpnw = {o.id: o for o in obligation_rules("tpnw")}
    assert tpnw["initial_declaration"].deadline(dt.date(2021, 1, 22)) == dt.date(2021, 2, 21)
    safeguards = tpnw["safeguards_agreement"]
    assert safeguards.period() == "18 months" and safeguards.applies == "declared"
    assert safeguards.deadline(dt.date(2021, 1, 22)) == dt.date(2022, 7, 22)
    assert safeguards.deadline(dt.date(2023, 8, 31)) == dt.date(2025, 2, 28)  # month's last day


def test_a_tpnw_party_without_facts_has_unknown_obligations(store: Store) -> None:
    from normwatch.service import obligations

    rows = obligations.obligations_for(store, "tpnw", "Mexico", dt.date(2026, 1, 1))
    assert {r["obligation"]: r["status"] for r in rows} == {
        "initial_declaration": "unknown",
        "safeguards_agreement": "unknown",
        "nuclear_weapons_destruction": "unknown",
        "foreign_weapons_removal": "unknown",
    }


def test_check_asks_a_revocation_for_its_symbol_or_the_reason_none_is_known(
    tmp_path: Path, bundled_db: str
) -> None:
    import sqlite3

    from normwatch.store.db import Store as OpenStore

    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(Path(bundled_db).read_bytes())
    con = sqlite3.connect(copy)
    con.execute("UPDATE actions SET note = NULL WHERE kind = 'ratification_revoked'")
    con.commit()
    con.close()
    problems = [p.to_dict() for p in service.check(OpenStore(f"sqlite:///{copy}"))]
    assert [p["check"] for p in problems] == ["notification"]
    assert "ratification_revoked without a depositary notification symbol" in problems[0]["message"]


def test_state_page_shows_the_suspension_with_objections_and_decision(client: TestClient) -> None:
    page = client.get("/states/UKR?on=2026-01-01").text
    assert "2025-07-18: suspension of the treaty" in page
    assert "no legal effect: status unchanged (party)" in page
    assert "objection by CHE (2025-10-17)" in page and "decision of 22MSP (2025-12-05)" in page


def test_home_page_lists_every_treaty_with_its_counts(client: TestClient) -> None:
    from normwatch.catalog import all_treaties

    page = client.get("/?on=2026-02-03").text
    overview = re.search(r"<caption>All (\d+) treaties on 2026-02-03", page)
    assert overview is not None and int(overview.group(1)) == len(all_treaties())
    for treaty in all_treaties():
        assert f'href="#h-{treaty}"' in page


@pytest.mark.parametrize("treaty", ["ctbt", "att", "ccw", "enmod"])
def test_daily_counts_agree_with_counts_over_a_treatys_life(store: Store, treaty: str) -> None:
    view = store.view(treaty)
    start = view.rules.opened_for_signature
    rows = view.daily_counts(start, AS_AT)
    assert len(rows) == (AS_AT - start).days + 1
    for row in rows[:: max(1, len(rows) // 40)] + rows[-1:]:
        assert {k: v for k, v in row.items() if k != "date"} == view.counts(row["date"])


@needs_pages
def test_the_bundling_script_reproduces_the_bundled_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    from normwatch import catalog

    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [
            sys.executable,
            str(repo / "scripts" / "bundle_untc_2026.py"),
            "--shared",
            str(SHARED / "data"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = Path(catalog.__file__).parent / "data"
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    assert len(written) == len(NEW) + 1  # the ten actions.csv and ccw/records.csv
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (data / rel).read_bytes(), rel
