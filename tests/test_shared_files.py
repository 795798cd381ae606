"""The shared reference files are looked for only where every machine looks for them."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import shared_files


def test_without_the_variable_only_the_folder_beside_the_checkout_is_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NORMWATCH_SHARED", raising=False)
    module = importlib.reload(shared_files)
    try:
        assert [module.REPO.parent / "shared"] == module._CANDIDATES
        assert module.REPO.parent / "shared" == module.SHARED
    finally:
        monkeypatch.undo()
        importlib.reload(shared_files)


def test_the_variable_names_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("NORMWATCH_SHARED", str(tmp_path))
    module = importlib.reload(shared_files)
    try:
        assert tmp_path == module.SHARED
        assert tmp_path / "data" / "untc-2018" == module.UNTC_2018
    finally:
        monkeypatch.undo()
        importlib.reload(shared_files)
