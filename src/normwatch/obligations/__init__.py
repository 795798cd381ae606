"""Obligations and deadlines: stockpile destruction, clearance and transparency reports.

Being a party means deadlines. This package computes them from the treaty's own articles (the
``[[obligations]]`` tables of each rule file, :mod:`.rules`) and the sourced facts on record
(declared stockpiles and contamination, extensions, completions, reports: :mod:`.facts`), and
explains each one (:mod:`.engine`, pure functions). :mod:`.queries` holds the library calls
behind the CLI commands (:mod:`.cli`) and the web app; :mod:`.ical` writes the iCalendar feed.

The submodules are imported lazily so that ``import normwatch.obligations`` stays cheap; the
library calls are reachable from here too (``normwatch.obligations.deadlines(...)``).
"""

from __future__ import annotations

from typing import Any

_PUBLIC = {
    "obligations_for": "normwatch.obligations.queries",
    "deadlines": "normwatch.obligations.queries",
    "calendar_ics": "normwatch.obligations.queries",
    "check": "normwatch.obligations.queries",
    "import_facts": "normwatch.obligations.facts",
    "obligation_rules": "normwatch.obligations.rules",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'normwatch.obligations' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
