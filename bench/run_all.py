"""Every speed figure of normwatch in one run, each as a ratio to a floor measured in the same run.

Run: .venv/bin/python bench/run_all.py [--requests 60] [--runs 7] [--rss-seconds 60]
     .venv/bin/python bench/run_all.py --only rss --minutes 10    # memory alone, ten minutes

- pages and API (``normwatch serve`` on a copy of the bundled data, one keep-alive client on
  loopback, ``Accept-Encoding: gzip`` like a browser): the median time of a request, uncached
  (a new ``?on=`` date on every request) and cached (the same date again); floor: a static file
  served by the same server. With ``datasette`` installed (``pip install -e ".[bench]"``), the
  same roll by SQL over the exported store (an index on ``status_periods(treaty, state)``),
  uncached too, a new date on every request; its floor: its own static ``/-/static/app.css``.
- memory: the server's resident memory (VmRSS) sampled while one client asks the home page
  for random dates (1998-2036) for ``--rss-seconds`` (or ``--minutes``): after the warm-up,
  after a tenth of the time, at the middle and at the end.
- cold CLI: the median wall time of separate processes (bytecode caches warm) of
  ``normwatch status …`` and ``normwatch counts …``; floor: ``python -c "import click,
  rich.table"``.
- bulk: ``normwatch untc parse`` of the UN's 2018 status files (``--files``, default the
  shared copy) as JSON and as a table; floor: a bare defusedxml parse of the same files with
  the same repairs, in one process.

Nothing here is asserted; the figures are printed, medians of repeated runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import ROLL_SQL, free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_FILES = Path(os.environ.get("NORMWATCH_SHARED", "/work/shared")) / "data" / "untc-2018"
FLOOR_CLI = [sys.executable, "-c", "import click, rich.table"]

BARE_PARSE = """
import sys
from pathlib import Path
import defusedxml.ElementTree as ET
from normwatch.sources.untc.mtdsg import _DECL_TEXT, _decode, _repair
for f in sys.argv[1:]:
    body = _DECL_TEXT.sub("", _decode(Path(f).read_bytes(), []), count=1)
    try:
        ET.fromstring(body)
    except Exception:
        try:
            ET.fromstring(_repair(body)[0])
        except Exception:
            pass
"""


class Rows:
    """The table printed at the end: one row per figure."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, value: float, floor: float | None, unit: str = "ms") -> None:
        shown = f"{value * 1000:.2f} ms" if unit == "ms" else f"{value:.1f} {unit}"
        ratio = f"{value / floor:.2f}x" if floor else ""
        self.rows.append((what, shown, ratio, ""))
        print(f"  {what}: {shown} {ratio}", flush=True)

    def note(self, what: str, text: str) -> None:
        self.rows.append((what, text, "", ""))
        print(f"  {what}: {text}", flush=True)

    def print(self) -> None:
        widths = [max(len(r[i]) for r in self.rows) for i in range(3)]
        print()
        for r in self.rows:
            print(f"{r[0].ljust(widths[0])}  {r[1].rjust(widths[1])}  {r[2].rjust(widths[2])}")


# -- the web -----------------------------------------------------------------------------


def _days(seed: int) -> list[str]:
    """Distinct dates from 1998 to 2026 in a random order (a new one for every request)."""
    first = dt.date(1998, 1, 1)
    days = [(first + dt.timedelta(days=n)).isoformat() for n in range(10_000)]
    random.Random(seed).shuffle(days)
    return days


def median_request(host: str, port: int, paths: list[str]) -> float:
    """Median seconds of GETs of ``paths`` in turn on one keep-alive connection."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    times = []
    for path in paths:
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        reply = conn.getresponse()
        reply.read()
        times.append(time.perf_counter() - t0)
        if reply.status != 200:
            raise SystemExit(f"{path}: HTTP {reply.status}")
    conn.close()
    return statistics.median(times)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def serve(db: str) -> tuple[subprocess.Popen[bytes], str, int]:
    """``normwatch serve`` on ``db`` on a free loopback port, answering."""
    host, port = "127.0.0.1", free_port()
    server = subprocess.Popen(
        [str(BIN / "normwatch"), "--db", db, "serve", "--host", host, "--port", str(port),
         "--log-level", "warning"],
    )  # fmt: skip
    wait_for(f"http://{host}:{port}/api/v1/treaties", server)
    return server, host, port


def bench_memory(rows: Rows, tmp: Path, seconds: float) -> None:
    """The server's memory alone (``--only rss``), e.g. ten minutes with ``--minutes 10``."""
    from normwatch.store.db import open_store

    db = str(tmp / "rss.sqlite")
    open_store(db)
    server, host, port = serve(db)
    try:
        bench_rss(rows, host, port, server.pid, seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)


def bench_web(rows: Rows, tmp: Path, n: int, rss_seconds: float) -> None:
    from normwatch.service.export import export
    from normwatch.store.db import open_store

    db = str(tmp / "bench.sqlite")
    export(open_store(db), tmp / "export", ["sqlite"])
    server, host, port = serve(db)
    try:
        days = iter(_days(1))
        floor = median_request(host, port, ["/static/style.css"] * n)
        rows.add("floor: static file (/static/style.css)", floor, None)
        for name, path in (
            ("home page /", "/"),
            ("State page /states/LTU", "/states/LTU"),
            ("roll API /api/v1/treaties/ccm/roll", "/api/v1/treaties/ccm/roll"),
        ):
            median_request(host, port, [f"{path}?on={next(days)}" for _ in range(5)])  # warm
            uncached = median_request(host, port, [f"{path}?on={next(days)}" for _ in range(n)])
            rows.add(f"uncached (new date each time): {name}", uncached, floor)
            same = f"{path}?on=2025-03-05"
            cached = median_request(host, port, [same] * n)
            rows.add(f"cached (the same date again): {name}", cached, floor)
        bench_rss(rows, host, port, server.pid, rss_seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    bench_datasette(rows, tmp / "export" / "normwatch.sqlite", n)


def _rss_days(seed: int) -> Iterator[str]:
    """Dates from 1998 to 2036 in a random order, again in another order when all were asked
    (a long run asks some twice, as visitors do)."""
    first = dt.date(1998, 1, 1)
    days = [(first + dt.timedelta(days=n)).isoformat() for n in range(14_245)]
    rng = random.Random(seed)
    while True:
        rng.shuffle(days)
        yield from days


def bench_rss(rows: Rows, host: str, port: int, pid: int, seconds: float) -> None:
    """RSS while one client asks for the home page on random dates for ``seconds``: after the
    warm-up, after a tenth of the time (the response cache full by then), at the middle and at
    the end, with the largest sample."""
    days = _rss_days(2)
    samples: list[tuple[float, int]] = []
    median_request(host, port, [f"/?on={next(days)}" for _ in range(20)])  # warm-up
    start = rss_kib(pid)
    began = time.monotonic()
    stop = began + seconds

    def sample() -> None:
        while time.monotonic() < stop:
            samples.append((time.monotonic() - began, rss_kib(pid)))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample)
    sampler.start()
    count = 0
    while time.monotonic() < stop:
        median_request(host, port, [f"/?on={next(days)}" for _ in range(10)])
        count += 10
    sampler.join()

    def at(fraction: float) -> float:
        kib = next((k for t, k in samples if t >= seconds * fraction), samples[-1][1])
        return kib / 1024

    rows.note(
        f"server RSS, home page on {count} random dates in {seconds:g} s",
        f"{start / 1024:.0f} MiB after warm-up, {at(0.1):.0f} after {seconds * 0.1:g} s, "
        f"{at(0.5):.0f} at the middle, {samples[-1][1] / 1024:.0f} at the end, max "
        f"{max(k for _, k in samples) / 1024:.0f}",
    )


def bench_datasette(rows: Rows, sqlite_file: Path, n: int) -> None:
    exe = BIN / "datasette"
    if not exe.exists():
        rows.note("Datasette", 'skipped: not installed (pip install -e ".[bench]")')
        return
    with sqlite3.connect(sqlite_file) as con:
        con.execute("CREATE INDEX IF NOT EXISTS bench_periods ON status_periods (treaty, state)")
    host, port = "127.0.0.1", free_port()
    proc = subprocess.Popen(
        [str(exe), "serve", "-i", str(sqlite_file), "--host", host, "--port", str(port),
         "--setting", "sql_time_limit_ms", "5000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        sql = " ".join(ROLL_SQL.split())

        def path(day: str) -> str:
            query = urllib.parse.urlencode({"sql": sql, "on": day, "_shape": "array"})
            return f"/{sqlite_file.stem}.json?{query}"

        wait_for(f"http://{host}:{port}{path('2025-03-05')}", proc)
        floor = median_request(host, port, ["/-/static/app.css"] * n)
        rows.add("Datasette floor: its static file /-/static/app.css", floor, None)
        days = iter(_days(3))
        median_request(host, port, [path(next(days)) for _ in range(5)])
        value = median_request(host, port, [path(next(days)) for _ in range(n)])
        rows.add("Datasette, the same roll by SQL, new date each time", value, floor)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- processes: the CLI and the parser -----------------------------------------------------


def median_run(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_cli(rows: Rows, tmp: Path, runs: int) -> None:
    from normwatch.store.db import open_store

    db = str(tmp / "cli.sqlite")
    open_store(db)
    env = {**os.environ, "NORMWATCH_DB": db}
    floor = median_run(FLOOR_CLI, runs, env)
    rows.add('floor: python -c "import click, rich.table"', floor, None)
    nw = str(BIN / "normwatch")
    for args in (
        ["status", "ccm", "Lithuania", "--on", "2025-03-05"],
        ["counts", "ccm", "--on", "2025-03-06"],
    ):
        rows.add(f"cold CLI: normwatch {' '.join(args)}", median_run([nw, *args], runs, env), floor)


def bench_parse(rows: Rows, files: Path, runs: int) -> None:
    paths = sorted(str(p) for p in files.glob("*.xml"))
    if not paths:
        rows.note("untc parse", f"skipped: no status files in {files}")
        return
    env = dict(os.environ)
    floor = median_run([sys.executable, "-c", BARE_PARSE, *paths], runs, env)
    rows.add(f"floor: bare defusedxml parse + repairs, {len(paths)} files", floor, None)
    nw = str(BIN / "normwatch")
    for fmt in ("json", "table"):
        value = median_run([nw, "untc", "parse", *paths, "--format", fmt], runs, env)
        rows.add(f"normwatch untc parse ({len(paths)} files) --format {fmt}", value, floor)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=60, help="requests per web figure")
    ap.add_argument("--runs", type=int, default=7, help="processes per CLI or parse figure")
    ap.add_argument("--rss-seconds", type=float, default=60.0)
    ap.add_argument(
        "--minutes", type=float, help="minutes of RSS sampling (instead of --rss-seconds)"
    )
    ap.add_argument("--files", type=Path, default=DEFAULT_FILES)
    ap.add_argument(
        "--only",
        choices=["web", "cli", "parse", "rss"],
        action="append",
        help="rss: the server's memory alone, for --minutes or --rss-seconds",
    )
    args = ap.parse_args()
    if args.minutes is not None:
        args.rss_seconds = args.minutes * 60
    if args.requests > 2000 or args.runs > 50 or args.rss_seconds > 900:
        raise SystemExit("bounded: at most 2000 requests, 50 runs and 900 s of RSS sampling")
    only = set(args.only or ["web", "cli", "parse"])
    rows = Rows()
    print(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="normwatch-bench-") as folder:
        tmp = Path(folder)
        if "web" in only:
            bench_web(rows, tmp, args.requests, args.rss_seconds)
        elif "rss" in only:
            bench_memory(rows, tmp, args.rss_seconds)
        if "cli" in only:
            bench_cli(rows, tmp, args.runs)
        if "parse" in only:
            bench_parse(rows, args.files, max(3, args.runs // 2))
    rows.print()


if __name__ == "__main__":
    main()
