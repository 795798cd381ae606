"""Shared fixtures: a store loaded from the bundled data, created once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from normwatch.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a store created from the bundled data (do not write to it)."""
    path = tmp_path_factory.mktemp("bundled") / "normwatch.sqlite"
    open_store(str(path))
    return str(path)


@pytest.fixture()
def store(bundled_db: str) -> Store:
    return open_store(bundled_db)
