"""Shared fixtures: a store loaded from the bundled data, created once per test session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from normwatch.store.db import Store, open_store

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a store created from the bundled data (do not write to it)."""
    path = tmp_path_factory.mktemp("bundled") / "normwatch.sqlite"
    open_store(str(path))
    return str(path)


@pytest.fixture()
def store(bundled_db: str) -> Store:
    return open_store(bundled_db)


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with the bundled data and the fictional test meeting, for the web tests."""
    from test_web_support import make_web_db

    return make_web_db(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(web_db: str) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from test_web_support import web_app

    with TestClient(web_app(web_db), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c


@pytest.fixture(scope="module")
def team_master(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store of the web tests with the team accounts (``team_support.PASSWORDS``); a module's
    tests copy it with ``team_db``."""
    from team_support import make_team_db

    return make_team_db(tmp_path_factory.mktemp("team"))


@pytest.fixture
def team_db(team_master: str, tmp_path: Path) -> str:
    """A fresh copy of the team store for each test (tests write to it)."""
    import shutil

    path = tmp_path / "team.sqlite"
    shutil.copyfile(team_master, path)
    return str(path)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The counts of the robustness trials (tests/robustness), when any ran."""
    tally = sys.modules.get("robust_tally")
    if tally is not None:
        tally.report(terminalreporter)
