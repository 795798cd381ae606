"""Integrity checks for the States universe, aliases, other participants and group memberships.

These tests read the CSV files with the csv module only, so they do not depend on the rest of
normwatch. The last test resolves every participant name of the 2018 UN Treaty Collection
status files in ../shared against the data files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from shared_files import UNTC_2018

DATA = Path(__file__).resolve().parents[1] / "src" / "normwatch" / "data"

REGIONAL_GROUPS = {
    "African": "un-african",
    "Asia-Pacific": "un-asia-pacific",
    "Eastern European": "un-eastern-european",
    "Latin American and Caribbean": "un-grulac",
    "Western European and Others": "un-weog",
}
KINDS = {"un_member", "observer_state", "non_member_state"}
OTHER_KINDS = {"organization", "former_state", "territory"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SOURCE_SEPARATOR = re.compile(r"\s+;\s+")  # several sources in one cell: "url ; url"


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def fold(name: str) -> str:
    """Case-insensitive, accent-free, whitespace-collapsed form of a name."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\u00a0", " "))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def sourced(cell: str) -> bool:
    """True when every ' ; '-separated source in the cell starts with an https URL."""
    parts = SOURCE_SEPARATOR.split(cell.strip())
    return bool(cell.strip()) and all(
        part.startswith("https://") and part.count("://") == 1 for part in parts
    )


def parse_date(value: str) -> dt.date | None:
    if not value:
        return None
    assert ISO_DATE.match(value), value
    return dt.date.fromisoformat(value)


def members_on(group: str, day: dt.date) -> set[str]:
    found = set()
    for row in read("group_members.csv"):
        if row["group"] != group:
            continue
        start, end = parse_date(row["start"]), parse_date(row["end"])
        if (start is None or start <= day) and (end is None or day <= end):
            found.add(row["state"])
    return found


@pytest.fixture(scope="module")
def states() -> list[dict[str, str]]:
    return read("states.csv")


@pytest.fixture(scope="module")
def codes(states: list[dict[str, str]]) -> set[str]:
    return {row["code"] for row in states}


def test_states_universe_has_197_states_with_193_un_members(states: list[dict[str, str]]) -> None:
    assert len(states) == 197
    kinds = Counter(row["kind"] for row in states)
    assert set(kinds) <= KINDS
    assert kinds == {"un_member": 193, "observer_state": 2, "non_member_state": 2}
    by_code = {row["code"]: row for row in states}
    assert by_code["VAT"]["kind"] == by_code["PSE"]["kind"] == "observer_state"
    assert by_code["COK"]["kind"] == by_code["NIU"]["kind"] == "non_member_state"
    assert "XKX" not in by_code and "Kosovo" not in {row["name"] for row in states}


def test_state_codes_names_and_alpha2_are_unique_and_well_formed(
    states: list[dict[str, str]],
) -> None:
    for column, pattern in (("code", r"[A-Z]{3}"), ("alpha2", r"[A-Z]{2}")):
        values = [row[column] for row in states]
        assert len(set(values)) == len(values), column
        assert all(re.fullmatch(pattern, v) for v in values), column
    folded = [fold(row["name"]) for row in states]
    assert len(set(folded)) == len(folded)


def test_every_state_is_sourced_and_has_a_valid_regional_group(
    states: list[dict[str, str]],
) -> None:
    for row in states:
        assert sourced(row["source"]), row["code"]
        assert row["regional_group"] in {"", *REGIONAL_GROUPS}, row["code"]
    by_code = {row["code"]: row["regional_group"] for row in states}
    assert by_code["ISR"] == by_code["TUR"] == "Western European and Others"
    assert by_code["PSE"] == "Asia-Pacific"
    assert by_code["USA"] == by_code["KIR"] == by_code["VAT"] == ""


def test_current_un_names_are_used(states: list[dict[str, str]]) -> None:
    names = {row["code"]: row["name"] for row in states}
    assert names["TUR"] == "Türkiye"
    assert names["NLD"] == "Netherlands (Kingdom of the)"
    assert names["SWZ"] == "Eswatini"
    assert names["MKD"] == "North Macedonia"
    assert names["CZE"] == "Czechia"
    assert names["KNA"] == "Saint Kitts and Nevis"


def test_aliases_point_at_known_states_without_colliding(
    states: list[dict[str, str]], codes: set[str]
) -> None:
    owner = {fold(row["name"]): row["code"] for row in states}
    for row in read("state_aliases.csv"):
        assert row["code"] in codes, row
        key = fold(row["alias"])
        assert owner.setdefault(key, row["code"]) == row["code"], row


def test_ambiguous_names_are_not_aliases() -> None:
    aliases = {fold(row["alias"]) for row in read("state_aliases.csv")}
    assert not aliases & {"korea", "guinea", "yugoslavia"}


def test_other_participants_are_classified_and_do_not_shadow_states(
    states: list[dict[str, str]], codes: set[str]
) -> None:
    state_names = {fold(row["name"]) for row in states}
    state_names |= {fold(row["alias"]) for row in read("state_aliases.csv")}
    seen: set[str] = set()
    for row in read("other_participants.csv"):
        key = fold(row["name"])
        assert key not in state_names and key not in seen, row["name"]
        seen.add(key)
        assert row["kind"] in OTHER_KINDS, row
        assert row["successor"] == "" or row["successor"] in codes, row
        assert sourced(row["source"]), row["name"]
    by_name = {row["name"]: row for row in read("other_participants.csv")}
    assert by_name["Union of Soviet Socialist Republics"]["successor"] == "RUS"
    assert by_name["Serbia and Montenegro"]["successor"] == "SRB"
    assert by_name["European Union"]["kind"] == "organization"


def test_groups_and_memberships_reference_known_ids_and_codes(codes: set[str]) -> None:
    groups = read("groups.csv")
    ids = {row["id"] for row in groups}
    assert ids == {*REGIONAL_GROUPS.values(), "eu", "nato"}
    assert all(sourced(row["source"]) for row in groups)
    pairs: Counter[tuple[str, str]] = Counter()
    for row in read("group_members.csv"):
        assert row["group"] in ids, row
        assert row["state"] in codes, row
        assert sourced(row["source"]), row
        start, end = parse_date(row["start"]), parse_date(row["end"])
        if start and end:
            assert start <= end, row
        pairs[row["group"], row["state"]] += 1
    assert max(pairs.values()) == 1


def test_regional_group_rows_match_states_file(states: list[dict[str, str]]) -> None:
    expected = {
        (REGIONAL_GROUPS[row["regional_group"]], row["code"])
        for row in states
        if row["regional_group"]
    }
    listed = {
        (row["group"], row["state"])
        for row in read("group_members.csv")
        if row["group"].startswith("un-")
    }
    assert listed == expected


def test_nato_accession_dates_of_the_latest_members() -> None:
    start = {r["state"]: r["start"] for r in read("group_members.csv") if r["group"] == "nato"}
    assert start["FIN"] == "2023-04-04"
    assert start["SWE"] == "2024-03-07"
    assert start["MKD"] == "2020-03-27"
    assert start["USA"] == "1949-08-24"


def test_united_kingdom_left_the_eu_on_31_january_2020() -> None:
    uk = [r for r in read("group_members.csv") if r["group"] == "eu" and r["state"] == "GBR"]
    assert [(r["start"], r["end"]) for r in uk] == [("1973-01-01", "2020-01-31")]
    assert "GBR" in members_on("eu", dt.date(2020, 1, 31))
    assert "GBR" not in members_on("eu", dt.date(2020, 2, 1))


def test_membership_counts_on_1_january_2025() -> None:
    day = dt.date(2025, 1, 1)
    assert len(members_on("eu", day)) == 27
    assert len(members_on("nato", day)) == 32
    assert "SWE" not in members_on("nato", dt.date(2024, 3, 6))


def participant_names(text: str) -> list[str]:
    """First cell of every body row of the participants table, without footnote markers."""
    table = re.search(r"<Participants>.*?<Tbody>(.*?)</Tbody>", text, re.S)
    if table is None:
        return []
    names = []
    for row in re.finditer(r"<Row>(.*?)</Row>", table.group(1), re.S):
        cell = re.match(r"\s*<Entry\s*(?:/>|>(.*?)</Entry>)", row.group(1), re.S)
        assert cell is not None, row.group(0)[:200]
        name = re.sub(r"&lt;superscript&gt;.*?&lt;/superscript&gt;", "", cell.group(1) or "")
        name = name.replace("&amp;", "&").replace("&apos;", "'")
        names.append(" ".join(name.split()))
    return names


@pytest.mark.skipif(not UNTC_2018.is_dir(), reason=f"the 2018 UNTC files are not at {UNTC_2018}")
def test_every_participant_of_the_2018_untc_files_is_classified(
    states: list[dict[str, str]],
) -> None:
    known = {fold(row["name"]) for row in states}
    known |= {fold(row["alias"]) for row in read("state_aliases.csv")}
    known |= {fold(row["name"]) for row in read("other_participants.csv")}
    files = sorted(UNTC_2018.glob("*.xml"))
    assert len(files) == 407
    seen: set[str] = set()
    for path in files:
        seen.update(participant_names(path.read_bytes().decode("latin-1")))
    assert len(seen) > 200
    assert "" not in seen
    assert sorted(n for n in seen if fold(n) not in known) == []


def test_organization_aliases_are_sourced_and_name_no_state() -> None:
    rows = read("organization_aliases.csv")
    assert rows and all(row["name"] and row["alias"] and sourced(row["source"]) for row in rows)
    state_names = {fold(row["name"]) for row in read("states.csv")} | {
        fold(row["alias"]) for row in read("state_aliases.csv")
    }
    assert not {fold(r["name"]) for r in rows} & state_names
    assert not {fold(r["alias"]) for r in rows} & state_names
