"""Meetings of the Mine Ban Treaty from the vetted table, the 22nd meeting's record (its
decision on Ukraine's purported suspension, sourced positions, reported aggregates), the 12MSP
record's sourced national position, and the rule that no share is drawn over fewer than 10."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from normwatch.core.meetings import MIN_SHARE_DENOMINATOR, share_of
from normwatch.service.meetings import list_meetings, show_meeting
from normwatch.service.reactions import reaction_rows, reactions
from normwatch.store.db import Store

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "normwatch" / "data" / "meetings"
NPA = (
    "https://www.npaid.org/mine-action-and-disarmament/news/states-parties-affirm-ukraines-"
    "suspension-not-allowed-under-the-anti-personnel-mine-ban-convention"
)


def test_every_vetted_mine_ban_meeting_is_listed(store: Store) -> None:
    with (BUNDLED / "apmbt" / "meetings.csv").open(encoding="utf-8") as f:
        vetted = list(csv.DictReader(f))
    rows = {m["id"]: m for m in list_meetings(store, "apmbt")}
    assert len(vetted) == 27 and set(rows) == {f"apmbt-{r['code'].lower()}" for r in vetted}
    assert (rows["apmbt-1msp"]["start_date"], rows["apmbt-1msp"]["president"]) == (
        "1999-05-03",
        "MOZ",
    )
    assert rows["apmbt-1rc"]["kind"] == "review_conference"
    assert rows["apmbt-2msp"]["president"] is None  # "President NOT FOUND": stays unknown
    assert rows["apmbt-22msp"]["president"] == "JPN"


def test_the_22msp_records_its_decision_that_no_suspension_is_allowed(store: Store) -> None:
    shown = show_meeting(store, "apmbt-22msp")
    assert shown["meeting"]["completeness"] == "partial"
    (decision,) = shown["decisions"]
    assert "does not allow the suspension of its operation" in decision["text"]
    assert decision["source"] == NPA and decision["verification"] == "reported"
    gaps = " ".join(g["text"] for g in shown["gaps"])
    assert "93 States" in gaps and "not 93 codings" in gaps
    assert "Colombia" in gaps  # the objections, as reported, not coded


def test_the_22msp_codes_only_sourced_positions_and_draws_no_share(store: Store) -> None:
    r = reactions(store, "apmbt-22msp", "apmbt-withdrawal-reaction")
    assert r["denominator"]["states"] == ["JPN", "NZL"]
    assert r["codes"]["concern"]["states"] == ["NZL"]  # the presidency is not Japan's view
    assert all(c["share"] is None for c in r["codes"].values())
    assert all(row["share"] is None for row in reaction_rows(r))


def test_the_12msp_keeps_its_partial_mark_and_adds_the_holy_see(store: Store) -> None:
    shown = show_meeting(store, "ccm-12msp")
    assert shown["meeting"]["completeness"] == "partial"
    assert "VAT" in [p["participant"] for p in shown["participants"]]
    r = reactions(store, "ccm-12msp")
    assert r["codes"]["concern"]["states"] == ["VAT"]


def test_a_share_over_the_parties_is_drawn(store: Store) -> None:
    r = reactions(store, "apmbt-22msp", "apmbt-withdrawal-reaction", denominator="parties")
    assert r["denominator"]["count"] >= MIN_SHARE_DENOMINATOR
    n = r["denominator"]["count"]
    assert r["codes"]["concern"]["share"] == round(1 / n, 4)


@given(count=st.integers(0, 300), denominator=st.integers(0, 300))
def test_no_share_is_drawn_over_a_denominator_below_10(count: int, denominator: int) -> None:
    share = share_of(min(count, denominator), denominator)
    if denominator < 10:
        assert share is None
    else:
        assert share == round(min(count, denominator) / denominator, 4)
