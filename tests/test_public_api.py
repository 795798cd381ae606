"""The public API is what ``__all__`` says, and the example in its docstring holds."""

from __future__ import annotations

import datetime as dt

import normwatch


def test_all_names_exist_and_nothing_public_is_left_out() -> None:
    for name in normwatch.__all__:
        assert hasattr(normwatch, name), name
    public = {n for n in vars(normwatch) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(normwatch, n)).__name__ == "module"}
    assert public - modules - {"annotations"} == set(normwatch.__all__) - {"__version__"}


def test_the_docstring_example(bundled_db: str) -> None:
    store = normwatch.open_store(bundled_db)
    result = store.view("ccm").status("LTU", dt.date(2025, 3, 5))
    assert result.status is normwatch.Status.WITHDRAWING
    assert result.period.effective == dt.date(2025, 3, 6)
    assert any(line.startswith("rule: art. 20(2)") for line in result.period.explanation.lines())
