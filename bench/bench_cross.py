"""Benchmark: a State across treaties and the erosion timeline, against floors of the same run.

Run: .venv/bin/python bench/bench_cross.py [--runs 7] [--state UKR]

Every figure is a median. Three parts:
- cold ``normwatch state UKR``: separate interpreter processes (bytecode caches warm, one
  warm-up run first) on a store made from the bundled data before timing, as a ratio to
  ``python -c "import click, rich.table"`` (the floor of bench_cold.py);
- the State page and the erosion page uncached, as a running server answers them: the treaty
  views built at start-up, the response cache emptied before each request; as ratios to the
  treaty page ``/treaties/ccm`` measured the same way;
- the same pages from a cold store (no view built yet, as for the first request after a
  data change), with the same floor page.
No figure here is asserted; they are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 2, 3)


def median_of(runs: int, once: Callable[[], float]) -> float:
    return statistics.median(once() for _ in range(runs))


def process_seconds(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def cold_cli(db: str, state: str, runs: int) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    py = sys.executable
    cmd = [py, "-m", "normwatch", "--db", db, "state", state, "--on", TODAY.isoformat()]
    floor = [py, "-c", "import click, rich.table"]
    for c in (cmd, floor):
        process_seconds(c, env)  # warm the bytecode caches
    t_cmd = median_of(runs, lambda: process_seconds(cmd, env))
    t_floor = median_of(runs, lambda: process_seconds(floor, env))
    print(
        f"cold `normwatch state {state}`: {t_cmd * 1000:.0f} ms; "
        f'python -c "import click, rich.table": {t_floor * 1000:.0f} ms; '
        f"ratio {t_cmd / t_floor:.2f} (median of {runs})"
    )


def pages(db: str, state: str, runs: int) -> None:
    from fastapi.testclient import TestClient

    from normwatch.store.db import Store, open_store
    from normwatch.web import create_app

    url = open_store(db).url
    paths = {
        "treaty page /treaties/ccm (floor)": "/treaties/ccm",
        f"State page /states/{state}": f"/states/{state}",
        "erosion page /erosion": "/erosion",
    }

    def get(client: TestClient, path: str) -> float:
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    app = create_app(Store(url), today=lambda: TODAY)
    with TestClient(app) as client:  # start-up builds the views, as `normwatch serve` does
        site = app.state.site
        warm: dict[str, float] = {}
        for label, path in paths.items():

            def once(path: str = path) -> float:
                site.clear()
                return get(client, path)

            once()
            warm[label] = median_of(runs, once)
    cold: dict[str, float] = {}
    for label, path in paths.items():

        def fresh(path: str = path) -> float:
            client = TestClient(create_app(Store(url), today=lambda: TODAY))  # no start-up
            return get(client, path)

        cold[label] = median_of(runs, fresh)
    for name, figures in (("views built, response cache empty", warm), ("cold store", cold)):
        floor = next(iter(figures.values()))
        print(f"[{name}] (median of {runs})")
        for label, seconds in figures.items():
            ratio = seconds / floor
            print(f"  {label}: {seconds * 1000:.0f} ms; ratio to the treaty page {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--state", default="UKR")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from normwatch.store.db import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.sqlite")
        open_store(db)  # made from the bundled data, before any timing
        cold_cli(db, args.state, args.runs)
        pages(db, args.state, args.runs)


if __name__ == "__main__":
    main()
