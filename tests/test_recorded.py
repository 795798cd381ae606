"""Every recorded answer is still given, byte for byte: each command of the README's tour in each
``--format`` and every page and API route for a few dates (``tests/recorded.py``; re-record with
``scripts/record_responses.py`` only when an answer is meant to change)."""

from __future__ import annotations

import difflib

import pytest

import recorded

RECORDED = recorded.load()


@pytest.fixture(scope="module")
def live() -> dict[str, recorded.Answer]:
    return {a.name: a for a in recorded.answers()}


def test_the_same_questions_are_answered(live: dict[str, recorded.Answer]) -> None:
    assert sorted(live) == sorted(RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_answer_is_the_recorded_one(name: str, live: dict[str, recorded.Answer]) -> None:
    want, got = RECORDED[name], live.get(name)
    assert got is not None, f"{want.asked}: no longer asked"
    assert got.asked == want.asked
    if got.text != want.text:
        diff = difflib.unified_diff(
            want.text.splitlines(), got.text.splitlines(), "recorded", "live", lineterm="", n=2
        )
        pytest.fail(f"{want.asked} answers differently:\n" + "\n".join(list(diff)[:60]))
