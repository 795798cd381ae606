"""The web response cache is bounded in bytes and drops the least recently used entries."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

import pytest

from normwatch.errors import DataError
from normwatch.store.db import Store
from normwatch.web.deps import Body
from normwatch.web.site import DEFAULT_CACHE_BYTES, Site, cache_bytes_setting, size_of


def _site(bound: int) -> Site:
    return Site(cast(Store, object()), cache_bytes=bound)


def test_eviction_keeps_total_bytes_under_the_bound() -> None:
    site = _site(10_000)
    for n in range(200):
        site.cached(("page", n), partial(Body.of, b"x" * (300 + n), "text/plain"))
        assert 0 < site.cached_bytes <= 10_000
    # what is held adds up to the count kept
    assert site.cached_bytes == sum(size for _, size in site._cache.values())


def test_least_recently_used_entry_is_dropped_first() -> None:
    site = _site(3 * size_of(("k", 0)) + 3 * 1000 + 10)
    calls: list[int] = []

    def page(n: int) -> bytes:
        calls.append(n)
        return bytes(1000)

    for n in (1, 2, 3):
        site.cached(("k", n), partial(page, n))
    site.cached(("k", 1), lambda: page(1))  # a hit: 1 becomes most recent
    site.cached(("k", 4), lambda: page(4))  # over the bound: 2 (least recent) goes
    assert calls == [1, 2, 3, 4]
    site.cached(("k", 1), lambda: page(1))
    site.cached(("k", 3), lambda: page(3))
    assert calls == [1, 2, 3, 4]  # both still cached
    site.cached(("k", 2), lambda: page(2))
    assert calls == [1, 2, 3, 4, 2]  # 2 had been evicted


def test_a_value_larger_than_the_bound_is_returned_not_kept() -> None:
    site = _site(500)
    assert site.cached(("big",), lambda: "é" * 1000) == "é" * 1000
    assert site.cached_bytes == 0


def test_body_counts_both_encodings() -> None:
    compressed = Body.of(b"a" * 5000, "text/plain")
    plain = Body.of(b"a" * 100, "text/plain")
    assert size_of(compressed) == 5000 + len(compressed.gz) + 200
    assert size_of(plain) == 100 + 200


def test_cache_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NORMWATCH_CACHE_BYTES", raising=False)
    assert cache_bytes_setting() == DEFAULT_CACHE_BYTES == 64 * 1024 * 1024
    monkeypatch.setenv("NORMWATCH_CACHE_BYTES", "4096")
    assert cache_bytes_setting() == 4096
    assert Site(cast(Store, object())).cache_bytes == 4096
    monkeypatch.setenv("NORMWATCH_CACHE_BYTES", "64MB")
    with pytest.raises(DataError, match=r"NORMWATCH_CACHE_BYTES.*'64MB'"):
        cache_bytes_setting()


# --- blocking work stays off the event loop ---------------------------------------------------


def test_no_handler_of_the_app_is_a_coroutine(web_db: str) -> None:
    """Routes and error handlers are plain functions: Starlette runs them in its thread pool,
    so a slow query or a template never holds up the event loop."""
    import inspect

    from fastapi.routing import APIRoute

    from normwatch.web.routers import api, downloads, feeds, pages, team
    from test_web_support import web_app

    app: Any = web_app(web_db)
    routers = (api.router, downloads.router, feeds.router, pages.router, team.router, team.pages)
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 20
    assert [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)] == []
    ours = [h for h in app.exception_handlers.values() if h.__module__.startswith("normwatch")]
    assert len(ours) == 4 and not [h for h in ours if inspect.iscoroutinefunction(h)]


def test_the_data_check_and_error_pages_run_outside_the_event_loop(web_db: str) -> None:
    import asyncio

    from fastapi.testclient import TestClient

    from test_web_support import web_app

    app: Any = web_app(web_db, check_every=0.0)
    site = app.state.site
    on_loop: list[bool] = []
    refresh = site.refresh

    def watched() -> None:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        refresh()

    site.refresh = watched
    with TestClient(app) as client:
        assert client.get("/api/v1/treaties/ccm/counts?on=2025-03-06").json()["parties"] > 100
        missing = client.get("/nowhere")
        assert missing.status_code == 404 and "nothing at /nowhere" in missing.text
        bad = client.get("/api/v1/treaties/ccm/counts?on=someday")
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_date"
    assert on_loop and not any(on_loop)
