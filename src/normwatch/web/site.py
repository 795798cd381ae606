"""What every request shares: the one store, "today", parameter parsing and the caches.

The treaty views are cached by the store; rendered pages and serialized API answers are cached
here, keyed by everything they depend on (path, parameters, the resolved date). The caches are
dropped when the data changes: for a SQLite file, when its modification time or size changes;
for another database, when the count of actions or the last import changes. Both are checked
at most every ``check_every`` seconds, so a request costs no database round trip.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from normwatch.core.dates import parse_date
from normwatch.core.model import Status
from normwatch.errors import DataError
from normwatch.store.db import Store

T = TypeVar("T")

#: the dates the site answers for; outside them a date is a 400, not a long computation
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)


class DateParamError(DataError):
    """A date parameter that is not a full ISO date in the supported range."""


def parse_day(text: str | None, today: dt.date, *, name: str = "on") -> dt.date:
    """``YYYY-MM-DD`` or ``today`` (or nothing: today) → a date within the supported range."""
    if text is None or not text.strip() or text.strip() == "today":
        return today
    try:
        day = parse_date(text.strip())
    except DataError as exc:
        raise DateParamError(f"{name}: {exc}") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise DateParamError(
            f"{name}: {day} is outside the supported range {MIN_DATE} – {MAX_DATE}"
        )
    return day


def parse_status_list(values: Iterable[str] | None) -> list[Status] | None:
    """``?status=party,withdrawing`` or ``?status=party&status=withdrawing`` → statuses."""
    from normwatch.service.status import parse_statuses

    parts = [p for v in values or () for p in v.split(",") if p.strip()]
    return parse_statuses(",".join(parts)) if parts else None


class Site:
    """The store behind an app, "today", and the caches over both."""

    def __init__(
        self,
        store: Store,
        *,
        today: Callable[[], dt.date] | None = None,
        check_every: float = 2.0,
        cache_size: int = 2048,
    ) -> None:
        self.store = store
        self._today = today or dt.date.today
        self.check_every = check_every
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._checked = float("-inf")
        #: the open-data export served under /data/ (see normwatch.web.routers.downloads)
        self.export: Any = None

    def today(self) -> dt.date:
        return self._today()

    # -- freshness -------------------------------------------------------------------

    def data_version(self) -> tuple[Any, ...]:
        path = getattr(self.store, "_sqlite", None)
        if path:
            out: list[Any] = []
            for p in (path, f"{path}-wal"):
                try:
                    st = os.stat(p)
                    out += [st.st_mtime_ns, st.st_size]
                except OSError:
                    out += [None, None]
            return tuple(out)
        row = self.store.query(
            "SELECT (SELECT COUNT(*) FROM actions) AS a, (SELECT MAX(imported_at) FROM imports) "
            "AS i, (SELECT COUNT(*) FROM events) AS e"
        )[0]
        return (row["a"], row["i"], row["e"])

    def refresh(self) -> None:
        """Drop every cache when the data has changed (checked at most every few seconds)."""
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return
        self._checked = now
        version = self.data_version()
        if version != self._version:
            with self._lock:
                if self._version is not None:
                    self.store.invalidate()
                self._version = version
                self._cache.clear()

    # -- cache -----------------------------------------------------------------------

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` (least recently used entries dropped first)."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                value: T = self._cache[key]
                return value
        value = compute()
        with self._lock:
            self._cache[key] = value
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
