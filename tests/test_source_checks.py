"""Every source URL of the bundled data is checked: well formed, about the row's State, and a
``high`` rating only where the depositary, a treaty body or a government is cited (the data
README's meaning of ``confidence``). No network is used: the checks read the URLs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from normwatch.core.source_kinds import can_be_high, source_kind
from normwatch.service.checks import check_confidence
from normwatch.sources.obligations import import_facts
from normwatch.store.db import Store, open_store


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]+", "-", text.lower()).strip("-")


def _cited(store: Store) -> list[tuple[str, str, str]]:
    """(what, State, URL) of every action, event and obligation fact and each URL it cites."""
    rows = [
        (f"{r['treaty']} {r['kind']} {r['date']}", r["state"], r["url"])
        for r in store.query(
            "SELECT a.treaty, a.kind, a.date, a.state, s.url FROM actions a "
            "JOIN action_sources x ON x.action_id = a.id JOIN sources s ON s.id = x.source_id"
        )
    ]
    rows += [
        (f"{r['treaty']} event {r['date']}", r["state"], r["url"])
        for r in store.query(
            "SELECT e.treaty, e.date, e.state, s.url FROM events e "
            "JOIN sources s ON s.id = e.source_id"
        )
    ]
    rows += [
        (f"{r['treaty']} {r['obligation']} {r['origin']}", r["state"], r["url"])
        for r in store.query(
            "SELECT f.treaty, f.obligation, f.origin, f.state, s.url FROM obligation_facts f "
            "JOIN sources s ON s.id = f.source_id"
        )
    ]
    return rows


def test_every_bundled_source_url_is_well_formed(store: Store) -> None:
    for what, _, url in _cited(store):
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.hostname, (what, url)
        assert "/translations/delete" not in url, (what, url)  # an editor's link, not a page


#: sources whose path names another State, each read and found to be about the row
RELATED_ALL_THE_SAME = {
    # the Philippine mission's statement regretting Lithuania's withdrawal
    ("LTU", "PHL"),
    # a CMC release on Japan's completion that lists the States that had completed, Ecuador among
    ("ECU", "JPN"),
    # the Monitor's page "congo,-democratic-republic-of"
    ("COD", "COG"),
}


def test_no_bundled_source_is_about_another_state(store: Store) -> None:
    reg = store.registry()
    names = {}
    for known in reg.states:
        for name in (known.name, *known.aliases):
            if len(_slug(name)) >= 5:
                names[_slug(name)] = known.code
    found = set()
    for _, state, url in _cited(store):
        if state == "*":
            continue
        parts = urlsplit(url)
        path = _slug(f"{parts.path} {parts.query}")
        named = {
            code for slug, code in names.items() if re.search(rf"(^|-){re.escape(slug)}($|-)", path)
        }
        if named and state not in named:
            found |= {(state, other) for other in named}
    assert found <= RELATED_ALL_THE_SAME, sorted(found - RELATED_ALL_THE_SAME)


def test_the_unrelated_sources_are_gone(store: Store) -> None:
    urls = {(state, url) for _, state, url in _cited(store)}
    assert not [u for s, u in urls if s == "LVA" and "finland-notifies" in u]
    assert not [u for _, u in urls if "news-pravda.com" in u]


def test_a_high_rating_rests_on_the_depositary_a_treaty_body_or_a_government(
    store: Store,
) -> None:
    assert check_confidence(store) == []


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5", "un"),
        ("https://www.clusterconvention.org/12msp/", "treaty_body"),
        ("https://new.apminebanconvention.org/en/membership/afghanistan/", "treaty_body"),
        ("https://ccm3.pronk.se/2018/11/22/botswana-completes-destruction", "treaty_body"),
        ("https://www.regjeringen.no/en/aktuelt/x/id1/", "official"),
        ("https://www.bmeia.gv.at/en/x", "official"),
        ("https://www.the-monitor.org/en-gb/reports/2023/x", "secondary"),
        ("https://www.hrw.org/news/2025/07/24/x", "secondary"),
        ("https://docslib.org/doc/1/x", "secondary"),
    ],
)
def test_source_kinds(url: str, kind: str) -> None:
    assert source_kind(url) == kind
    assert can_be_high([url]) == (kind != "secondary")


def test_check_fails_on_a_high_rating_from_a_secondary_source(
    bundled_db: str, tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite"
    shutil.copy(bundled_db, db)
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "iso3,obligation,original_deadline,source_url,confidence\n"
        "AUT,stockpile_destruction,2018-08-01,https://www.the-monitor.org/en-gb/x,high\n",
        encoding="utf-8",
    )
    store = open_store(str(db))
    import_facts(store, "ccm", facts)
    problems = check_confidence(store)
    assert [p.check for p in problems] == ["confidence"]
    assert "AUT stockpile_destruction facts.csv:2" in problems[0].message
