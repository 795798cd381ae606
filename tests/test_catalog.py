"""Treaty rule files in NORMWATCH_TREATIES are read once per process per folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from normwatch import catalog
from normwatch.core.treaty import TreatyRules
from normwatch.errors import NotFoundError

RULES = """id = "cached{n}"
name = "Cached treaty {n}"
opened_for_signature = "2000-01-01"
depositary = "Secretary-General of the United Nations"
untc_id = "ZZ-{n}"
[rules.entry_into_force]
article = "1"
threshold = 20
kind = "days_after"
days = 90
text = "test"
[rules.state_entry_into_force]
article = "2"
kind = "days_after"
days = 90
text = "test"
"""


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for n in (1, 2):
        (folder / f"cached{n}.toml").write_text(RULES.format(n=n), encoding="utf-8")
    monkeypatch.setenv("NORMWATCH_TREATIES", str(folder))
    catalog.reload_treaties()
    return folder


def test_rule_files_are_read_once_however_many_lookups(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = catalog.load_rules_file

    def counting(path: str | Path) -> TreatyRules:
        reads.append(str(path))
        return real(path)

    monkeypatch.setattr(catalog, "load_rules_file", counting)
    for _ in range(50):
        assert catalog.get_treaty("cached1").untc_id == "ZZ-1"
        assert catalog.treaty_by_untc("zz-2") is catalog.get_treaty("ZZ-2")
        assert {"cached1", "cached2"} <= set(catalog.all_treaties())
    assert sorted(Path(p).name for p in reads) == ["cached1.toml", "cached2.toml"]


def test_a_rule_file_added_to_the_folder_is_found(rules_dir: Path) -> None:
    assert catalog.treaty_by_untc("ZZ-3") is None
    (rules_dir / "cached3.toml").write_text(RULES.format(n=3), encoding="utf-8")
    # the folder's modification time is part of the key; make sure it moved
    stamp = rules_dir.stat().st_mtime_ns

    os.utime(rules_dir, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))
    found = catalog.treaty_by_untc("ZZ-3")
    assert found is not None and found.id == "cached3"


def test_unknown_treaty_names_the_known_ones(rules_dir: Path) -> None:
    with pytest.raises(NotFoundError, match=r"unknown treaty 'nope'.*cached1"):
        catalog.get_treaty("nope")


def test_a_lookup_by_id_reads_that_treatys_file_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NORMWATCH_TREATIES", raising=False)
    catalog._bundled_file.cache_clear()
    catalog._bundled.cache_clear()
    catalog.reload_treaties()
    assert catalog.get_treaty(" CCM ").id == "ccm"
    assert catalog._bundled_file.cache_info().currsize == 1
    # the same object as the full scan gives, which reads the others once more each
    assert catalog.get_treaty("ccm") is catalog.all_treaties()["ccm"]
    assert catalog._bundled_file.cache_info().currsize == len(catalog.all_treaties())


def test_every_key_finds_what_the_full_scan_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lookups by id read one file: right only while no bundled treaty's short name or UNTC
    reference is another treaty's id (the full scan would give the first in file order)."""
    monkeypatch.delenv("NORMWATCH_TREATIES", raising=False)
    catalog.reload_treaties()
    treaties = catalog.all_treaties()
    for rules in treaties.values():
        for key in (rules.id, rules.short_name, rules.untc_id or rules.id):
            assert catalog._current().by_key[key.lower()] is rules, key
            assert catalog.get_treaty(key) is rules, key


def test_an_id_in_a_rules_folder_overrides_the_bundled_file(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (rules_dir / "ccm.toml").write_text(
        RULES.format(n=9).replace('id = "cached9"', 'id = "ccm"'), encoding="utf-8"
    )
    catalog.reload_treaties()
    assert catalog.get_treaty("ccm").untc_id == "ZZ-9"
