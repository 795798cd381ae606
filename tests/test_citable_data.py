"""The bundled data cites the depositary: withdrawals carry their C.N. symbol and date."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from clirun import run
from normwatch.core.model import ActionKind
from normwatch.store.db import Store

UNTC = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no="

# from /work/shared/data/withdrawal_notifications.csv
NOTIFICATIONS = {
    ("ccm", "LTU"): ("C.N.347.2024.TREATIES-XXVI-6", "2024-09-06"),
    ("apmbt", "EST"): ("C.N.360.2025.TREATIES-XXVI-5", "2025-07-03"),
    ("apmbt", "LVA"): ("C.N.361.2025.TREATIES-XXVI-5", "2025-07-03"),
    ("apmbt", "LTU"): ("C.N.362.2025.TREATIES-XXVI-5", "2025-07-03"),
    ("apmbt", "FIN"): ("C.N.372.2025.TREATIES-XXVI-5", "2025-07-11"),
    ("apmbt", "POL"): ("C.N.421.2025.TREATIES-XXVI-5", "2025-08-26"),
}


def test_every_bundled_withdrawal_cites_the_un_status_page_with_its_notification(
    store: Store,
) -> None:
    found = {}
    for treaty in ("ccm", "apmbt"):
        for a in store.actions(treaty):
            if a.kind == ActionKind.WITHDRAWAL:
                main = [s for s in a.sources if s.symbol]
                assert len(main) == 1, a
                assert main[0].url.startswith(UNTC), main[0].url
                assert main[0].confidence == "high"
                found[(treaty, a.state)] = (main[0].symbol, main[0].published)
    assert found == NOTIFICATIONS


def test_withdrawals_no_longer_cite_unrelated_pages(store: Store) -> None:
    urls = {
        s.url
        for treaty in ("ccm", "apmbt")
        for a in store.actions(treaty)
        if a.kind == ActionKind.WITHDRAWAL
        for s in a.sources
    }
    assert not any("2012/01/11/finland-joins" in u for u in urls)
    assert not any("trb-2003-112" in u for u in urls)
    assert not any("bgbl_2016" in u for u in urls)
    # good secondary sources stay as further sources
    assert any("maginternational.org" in u for u in urls)


def test_status_explain_and_timeline_show_the_notification_symbol(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--db", bundled_db, "status", "apmbt", "Latvia", "--on", "2026-01-01", "--explain"
    )
    assert code == 0
    assert "withdrawal 2025-06-27 depositary notification C.N.361.2025.TREATIES-XXVI-5" in out
    code, out, _ = run(capsys, "--db", bundled_db, "timeline", "apmbt", "FIN", "--format", "json")
    assert code == 0
    entries = json.loads(out)["entries"]
    withdrawal = [e for e in entries if e.get("action") == "withdrawal"]
    assert [e["notification"] for e in withdrawal] == ["C.N.372.2025.TREATIES-XXVI-5"]


def test_state_page_shows_the_notification_symbol(client: object) -> None:
    resp = client.get("/states/POL")  # type: ignore[attr-defined]
    assert resp.status_code == 200
    assert "C.N.421.2025.TREATIES-XXVI-5" in resp.text


def test_check_fails_on_a_withdrawal_without_a_notification_symbol(
    tmp_path: Path, bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(Path(bundled_db).read_bytes())
    con = sqlite3.connect(copy)
    con.execute("UPDATE sources SET symbol = NULL WHERE symbol LIKE 'C.N.372.2025%'")
    con.commit()
    con.close()
    code, out, _ = run(capsys, "--db", str(copy), "check", "--format", "json")
    assert code == 1
    problems = json.loads(out)
    assert [p["check"] for p in problems] == ["notification"]
    assert "FIN withdrawal" in problems[0]["message"]


def test_check_accepts_a_withdrawal_whose_missing_notification_has_a_reason(
    tmp_path: Path, bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(Path(bundled_db).read_bytes())
    con = sqlite3.connect(copy)
    con.execute("UPDATE sources SET symbol = NULL WHERE symbol LIKE 'C.N.372.2025%'")
    con.execute(
        "UPDATE actions SET note = 'no depositary notification: not yet circulated' "
        "WHERE state = 'FIN' AND kind = 'withdrawal'"
    )
    con.commit()
    con.close()
    code, out, _ = run(capsys, "--db", str(copy), "check")
    assert code == 0, out


def test_ukraines_law_of_15_july_2025_is_recorded_as_a_suspension_not_a_withdrawal(
    store: Store,
) -> None:
    (law,) = [e for e in store.events("apmbt", "UKR") if str(e.date) == "2025-07-15"]
    assert "suspension" in law.description
    assert "law on withdrawal" not in law.description
    assert [s.url for s in law.sources] == [
        "https://news.az/news/ukraine-suspends-participation-in-ottawa-convention-on-landmine-ban"
    ]


def test_ukraine_mine_ban_obligations_from_the_bundled_data(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        bundled_db,
        "obligations",
        "apmbt",
        "UKR",
        "--on",
        "2026-01-01",
        "--format",
        "json",
    )
    assert code == 0, out
    rows = {r["obligation"]: r for r in json.loads(out)}
    assert rows["stockpile_destruction"]["status"] == "overdue"
    assert rows["stockpile_destruction"]["deadline"] == "2010-06-01"
    assert rows["clearance"]["deadline"] == "2033-12-01"
    assert rows["clearance"]["status"] != "overdue"


def test_mine_ban_overdue_deadlines_on_1_january_2026_include_ukraine_and_greece(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        bundled_db,
        "deadlines",
        "apmbt",
        "--overdue",
        "--on",
        "2026-01-01",
        "--format",
        "json",
    )
    assert code == 0, out
    overdue = {(r["state"], r["obligation"]) for r in json.loads(out)}
    assert ("UKR", "stockpile_destruction") in overdue
    assert ("GRC", "stockpile_destruction") in overdue
    # Ukraine's clearance deadline was extended to 2033
    assert ("UKR", "clearance") not in overdue


def test_an_overdue_status_carries_the_lowest_confidence_of_its_facts(
    bundled_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--db", bundled_db, "obligations", "ccm", "GBR", "--on", "2026-01-01")
    code, out, _ = run(capsys, *args, "--format", "json")
    assert code == 0, out
    rows = {r["obligation"]: r for r in json.loads(out)}
    # the UK's CCM clearance overdue rests on one medium-confidence Monitor row
    assert rows["clearance"]["status"] == "overdue"
    assert rows["clearance"]["confidence"] == "medium"
    # its stockpile completion is read on a Monitor page alone: medium, not high (data README)
    assert rows["stockpile_destruction"]["confidence"] == "medium"
    # a status that rests on no fact carries no confidence
    assert rows["initial_report"]["confidence"] is None
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "confidence" in out and "medium" in out


def test_api_obligations_carry_confidence(client: object) -> None:
    resp = client.get(  # type: ignore[attr-defined]
        "/api/v1/treaties/ccm/states/GBR/obligations", params={"on": "2026-01-01"}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    rows = body if isinstance(body, list) else body.get("obligations", body.get("items"))
    clearance = next(r for r in rows if r["obligation"] == "clearance")
    assert clearance["confidence"] == "medium"
