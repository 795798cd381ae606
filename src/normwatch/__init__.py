"""normwatch: who is bound by a humanitarian disarmament treaty, what is due, and who spoke up.

The public API, for use from Python::

    import datetime as dt
    import normwatch

    store = normwatch.open_store()            # the default SQLite file, created on first use
    view = store.view("ccm")                  # every State's timeline for the CCM
    result = view.status("LTU", dt.date(2025, 3, 5))
    result.status, result.period.effective    # (Status.WITHDRAWING, datetime.date(2025, 3, 6))
    result.period.explanation.lines()         # the article, the actions and the arithmetic

Everything else is reached through these names; modules starting with an underscore and the
feature packages' internals may change between versions.
"""

from __future__ import annotations

import typing as _typing

if _typing.TYPE_CHECKING:
    from normwatch.catalog import all_treaties, get_treaty
    from normwatch.core.dates import PartialDate
    from normwatch.core.model import Action, ActionKind, ArmedConflict, Event, Source, State, Status
    from normwatch.core.status import Explanation, Period, StatusResult, TreatyView, build_view
    from normwatch.core.treaty import TreatyRules
    from normwatch.errors import (
        DataError,
        NormwatchError,
        NotFoundError,
        RuleError,
        SourceError,
        StoreError,
        UnknownStateError,
    )
    from normwatch.store.db import Store, open_store

#: where each public name is defined: imported on first use (PEP 562), so that the command
#: line, which starts with this package, does not import what a command does not use
_HOMES = {
    "all_treaties": "normwatch.catalog",
    "get_treaty": "normwatch.catalog",
    "PartialDate": "normwatch.core.dates",
    **dict.fromkeys(
        ("Action", "ActionKind", "ArmedConflict", "Event", "Source", "State", "Status"),
        "normwatch.core.model",
    ),
    **dict.fromkeys(
        ("Explanation", "Period", "StatusResult", "TreatyView", "build_view"),
        "normwatch.core.status",
    ),
    "TreatyRules": "normwatch.core.treaty",
    **dict.fromkeys(
        (
            "DataError",
            "NormwatchError",
            "NotFoundError",
            "RuleError",
            "SourceError",
            "StoreError",
            "UnknownStateError",
        ),
        "normwatch.errors",
    ),
    "Store": "normwatch.store.db",
    "open_store": "normwatch.store.db",
}

__version__ = "0.1.0"

__all__ = [
    "Action",
    "ActionKind",
    "ArmedConflict",
    "DataError",
    "Event",
    "Explanation",
    "NormwatchError",
    "NotFoundError",
    "PartialDate",
    "Period",
    "RuleError",
    "Source",
    "SourceError",
    "State",
    "Status",
    "StatusResult",
    "Store",
    "StoreError",
    "TreatyRules",
    "TreatyView",
    "UnknownStateError",
    "__version__",
    "all_treaties",
    "build_view",
    "get_treaty",
    "open_store",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'normwatch' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
