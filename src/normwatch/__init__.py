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
