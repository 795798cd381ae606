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
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from normwatch.core.dates import MAX_DATE, MIN_DATE, parse_date
from normwatch.core.model import Status
from normwatch.errors import DataError
from normwatch.store.db import Store

T = TypeVar("T")


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


#: default bound of the response cache in bytes; NORMWATCH_CACHE_BYTES overrides it
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024


def cache_bytes_setting() -> int:
    """The response cache bound from NORMWATCH_CACHE_BYTES (bytes), else the default."""
    raw = os.environ.get("NORMWATCH_CACHE_BYTES", "").strip()
    if not raw:
        return DEFAULT_CACHE_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise DataError(
            f"NORMWATCH_CACHE_BYTES must be a whole number of bytes, not {raw!r}"
        ) from None
    if value < 0:
        raise DataError(f"NORMWATCH_CACHE_BYTES must not be negative, not {value}")
    return value


def size_of(value: Any, _depth: int = 0) -> int:
    """An estimate of the memory ``value`` holds: exact for text and bytes, an object's own
    ``cache_bytes`` when it has one, else the sizes of a container's items (a few levels)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    own = getattr(value, "cache_bytes", None)
    if isinstance(own, int):
        return own
    size = sys.getsizeof(value)
    if _depth >= 4:
        return size
    if isinstance(value, dict):
        return size + sum(size_of(k, _depth + 1) + size_of(v, _depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return size + sum(size_of(v, _depth + 1) for v in value)
    return size


class Site:
    """The store behind an app, "today", and the caches over both."""

    def __init__(
        self,
        store: Store,
        *,
        today: Callable[[], dt.date] | None = None,
        check_every: float = 2.0,
        cache_bytes: int | None = None,
    ) -> None:
        self.store = store
        self._today = today or dt.date.today
        self.check_every = check_every
        #: the bound of the cache in bytes (estimated by :func:`size_of`)
        self.cache_bytes = cache_bytes_setting() if cache_bytes is None else cache_bytes
        self._cache: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._checked = float("-inf")
        #: the open-data export served under /data/ (see normwatch.web.routers.downloads)
        self.export: Any = None

    def today(self) -> dt.date:
        return self._today()

    # -- freshness -------------------------------------------------------------------

    def data_version(self) -> tuple[Any, ...]:
        return self.store.data_version()

    def refresh_due(self) -> bool:
        """Whether :meth:`refresh` would look at the data now (cheap: no I/O)."""
        return time.monotonic() - self._checked >= self.check_every

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
                self._cached_bytes = 0

    # -- cache -----------------------------------------------------------------------

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key``; the least recently used entries are dropped until the
        cache holds at most ``cache_bytes``. A value larger than the bound is not kept."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                value: T = hit[0]
                return value
        value = compute()
        size = size_of(value) + size_of(key)
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._cached_bytes -= old[1]
            if size > self.cache_bytes:
                return value
            self._cache[key] = (value, size)
            self._cached_bytes += size
            while self._cached_bytes > self.cache_bytes:
                _, (_, dropped) = self._cache.popitem(last=False)
                self._cached_bytes -= dropped
        return value

    @property
    def cached_bytes(self) -> int:
        """The estimated bytes the cache holds now."""
        return self._cached_bytes

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._cached_bytes = 0
