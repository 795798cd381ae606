"""Open data: the data package and the data page state a licence, how to cite, the data date,
where to start, and the change log names every release."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from normwatch import __version__
from normwatch.service.export import data_as_of, export
from normwatch.store.db import Store, open_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def package(bundled_db: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("package")
    export(open_store(bundled_db), out, ["csv", "json"], created="2026-01-01T00:00:00+00:00")
    data: dict[str, Any] = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    data["_dir"] = str(out)
    return data


def test_package_states_an_open_licence_and_that_sources_keep_their_terms(
    package: dict[str, Any],
) -> None:
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0 International",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
    assert "keep their own terms" in package["terms"]


def test_citation_names_the_version_and_the_data_date(package: dict[str, Any]) -> None:
    assert package["version"] == __version__
    assert re.fullmatch(r"\d{4}(-\d\d){0,2}", package["data_as_of"])
    assert f"version {__version__}, data as of {package['data_as_of']}" in package["citation"]


def test_data_date_is_the_newest_dated_fact(store: Store) -> None:
    as_of = data_as_of(store)
    assert as_of is not None
    acts = [str(a.date) for t in store.treaties() for a in store.actions(t)]
    published = [
        r["published"] for r in store.query("SELECT published FROM sources") if r["published"]
    ]
    assert as_of == max([*acts, *published])


def test_data_date_follows_an_import(tmp_path: Path) -> None:
    import datetime as dt

    from mtdsg_export import export_mtdsg
    from normwatch.sources.untc.importer import import_untc

    store = open_store(str(tmp_path / "s.sqlite"))
    before = data_as_of(store)
    names = {s.code: s.name for s in store.registry().states}
    status_file = tmp_path / "XXVI-6.en.xml"
    status_file.write_bytes(export_mtdsg(store.actions("ccm"), names))
    import_untc(store, str(status_file))  # nothing new, but an import on record
    stamped = store.query("SELECT imported_at FROM imports")
    after = data_as_of(open_store(str(tmp_path / "s.sqlite")))
    assert before is not None and before < dt.date.today().isoformat()
    assert after == stamped[0]["imported_at"][:10] == dt.datetime.now(dt.UTC).date().isoformat()


def test_start_here_names_three_files_of_the_package(package: dict[str, Any]) -> None:
    paths = {r["path"] for r in package["resources"]}
    start = [f["path"] for f in package["start_here"]]
    assert start == ["status_periods.csv", "actions.csv", "sources.csv"]
    assert set(start) <= paths
    for f in start:
        assert (Path(package["_dir"]) / f).stat().st_size > 1000


def test_start_here_falls_back_to_json_without_csv(bundled_db: str, tmp_path: Path) -> None:
    export(open_store(bundled_db), tmp_path, ["json"])
    data = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in data["start_here"]] == [
        "status_periods.json",
        "actions.json",
        "sources.json",
    ]


def test_data_page_shows_start_here_licence_and_citation(client: TestClient) -> None:
    page = client.get("/data").text
    package = client.get("/data/datapackage.json").json()
    positions = [page.index(f'id="{h}"') for h in ("start-here", "licence", "cite", "files")]
    assert positions == sorted(positions)
    start = page.split('id="start-here"', 1)[1].split('id="licence"', 1)[0]
    links = re.findall(r'<li><a href="(/data/[^"]+)">', start)
    assert links == ["/data/status_periods.csv", "/data/actions.csv", "/data/sources.csv"]
    for href in links:
        assert client.get(href).status_code == 200
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    cite = re.search(r'<blockquote class="cite"><p>(.*?)</p></blockquote>', page, re.S)
    assert cite is not None
    text = cite.group(1)
    assert f"version {package['version']}" in text and package["data_as_of"] in text
    assert "http://testserver/data (retrieved " in text


def test_changelog_has_a_section_for_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    headings = re.findall(r"^## (\S+) — ", text, re.M)
    assert headings[0] == version == __version__
    # every commit named as a release exists in the history of the repository
    import subprocess

    for name in headings[1:]:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "cat-file", "-t", name], capture_output=True, text=True
        )
        if found.returncode != 0 and "not a git repository" in found.stderr:
            pytest.skip("not a git checkout")
        assert found.stdout.strip() == "commit", name
