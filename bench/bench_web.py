"""Load benchmark of ``normwatch serve``, and the same roll query served by Datasette.

Loopback only, bounded in time: each target gets ``--clients`` concurrent keep-alive clients
for ``--duration`` seconds (defaults 32 and 20). Targets: the home page, a State page and the
roll API (``/api/v1/treaties/ccm/roll``), then - with ``--datasette PATH`` - the same roll
computed by SQL over ``normwatch export --format sqlite`` (the ``status_periods`` table) and
served by Datasette in immutable mode. Before the load, the Datasette answer is checked to
give every State the same status as the API.

    .venv/bin/python bench/bench_web.py --datasette /tmp/dsvenv/bin/datasette

Targets: p95 under 50 ms, no error, roll throughput at least Datasette's. The clients are a
small asyncio HTTP/1.1 client (raw sockets, keep-alive, ``Accept-Encoding: gzip`` like a
browser) running in this process while the servers run in their own processes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROLL_SQL = """
SELECT s.code AS state, s.name AS name, 'ccm' AS treaty, :on AS date,
       COALESCE(p.status, 'non_signatory') AS status, p.start AS since,
       p.notified AS notified, p.effective AS effective, p.postponed AS postponed
FROM states s
LEFT JOIN status_periods p
  ON p.state = s.code AND p.treaty = 'ccm'
 AND (p.start IS NULL OR p.start <= :on) AND (p."end" IS NULL OR :on < p."end")
ORDER BY s.code
"""


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    def row(self) -> dict[str, object]:
        lat = sorted(self.latencies)
        q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
        return {
            "target": self.name,
            "requests": len(lat),
            "errors": self.errors,
            "req/s": round(len(lat) / self.elapsed, 1) if self.elapsed else 0.0,
            "p50 ms": round(q[49] * 1000, 2),
            "p95 ms": round(q[94] * 1000, 2),
            "p99 ms": round(q[98] * 1000, 2),
        }


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _client(host: str, port: int, path: str, until: float, result: Result) -> None:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            writer.write(request)
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.latencies.append(time.perf_counter() - t0)
            if status != 200:
                result.errors += 1
    finally:
        writer.close()


async def load(name: str, host: str, port: int, path: str, clients: int, duration: float) -> Result:
    result = Result(name)
    warm = time.perf_counter() + 1.0
    await asyncio.gather(
        *(_client(host, port, path, warm, Result("warm-up")) for _ in range(clients))
    )
    t0 = time.perf_counter()
    await asyncio.gather(
        *(_client(host, port, path, t0 + duration, result) for _ in range(clients))
    )
    result.elapsed = time.perf_counter() - t0
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer in {timeout} s: {url}")


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per target")
    ap.add_argument("--datasette", metavar="PATH", help="datasette executable (own venv)")
    ap.add_argument("--state", default="LTU")
    args = ap.parse_args()
    if args.duration > 120 or args.clients > 256:
        raise SystemExit("bounded benchmark: at most 120 s per target and 256 clients")

    from normwatch.service.export import export
    from normwatch.store.db import open_store

    host = "127.0.0.1"
    procs: list[subprocess.Popen[bytes]] = []
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="normwatch-bench-") as tmp:
        db = str(Path(tmp) / "bench.sqlite")
        store = open_store(db)
        export(store, Path(tmp) / "export", ["sqlite"])
        sqlite_export = Path(tmp) / "export" / "normwatch.sqlite"
        try:
            port = free_port()
            exe = Path(sys.executable).with_name("normwatch")
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            procs.append(
                subprocess.Popen(
                    [
                        str(exe),
                        "--db",
                        db,
                        "serve",
                        "--host",
                        host,
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                )
            )
            base = f"http://{host}:{port}"
            wait_for(base + "/api/v1/treaties", procs[-1])
            targets = [
                ("home page /", "/"),
                (f"State page /states/{args.state}", f"/states/{args.state}"),
                ("API /api/v1/treaties/ccm/roll", "/api/v1/treaties/ccm/roll"),
            ]
            for _, path in targets:  # render once before measuring (the first view)
                urllib.request.urlopen(base + path, timeout=30).read()
            for name, path in targets:
                results.append(
                    asyncio.run(load(name, host, port, path, args.clients, args.duration))
                )
                print(json.dumps(results[-1].row()), flush=True)

            if args.datasette:
                dport = free_port()
                procs.append(
                    subprocess.Popen(
                        [
                            args.datasette,
                            "serve",
                            "-i",
                            str(sqlite_export),
                            "--host",
                            host,
                            "--port",
                            str(dport),
                            "--setting",
                            "sql_time_limit_ms",
                            "5000",
                        ],
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
                today = dt.date.today().isoformat()
                query = urllib.parse.urlencode(
                    {"sql": " ".join(ROLL_SQL.split()), "on": today, "_shape": "array"}
                )
                dpath = f"/normwatch.json?{query}"
                wait_for(f"http://{host}:{dport}{dpath}", procs[-1])
                ours = get_json(base + "/api/v1/treaties/ccm/roll")
                theirs = get_json(f"http://{host}:{dport}{dpath}")
                assert isinstance(ours, list) and isinstance(theirs, list)
                mine = {r["state"]: r["status"] for r in ours}
                other = {r["state"]: r["status"] for r in theirs}
                if mine != other:
                    raise SystemExit(
                        "Datasette's roll differs from the API's: "
                        f"{sorted(set(mine.items()) ^ set(other.items()))[:5]}"
                    )
                print(
                    f"checked: Datasette's roll = the API's roll for all {len(mine)} "
                    f"States on {today}",
                    flush=True,
                )
                results.append(
                    asyncio.run(
                        load(
                            "Datasette, same roll by SQL",
                            host,
                            dport,
                            dpath,
                            args.clients,
                            args.duration,
                        )
                    )
                )
                print(json.dumps(results[-1].row()), flush=True)
        finally:
            for p in procs:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()

    print(
        f"\n{args.clients} concurrent keep-alive clients, {args.duration:g} s per target, "
        f"loopback, {os.cpu_count()} CPU cores shared by clients and server"
    )
    cols = ["target", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    rows = [r.row() for r in results]
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths, strict=True)))
    ok = all(float(str(r["p95 ms"])) < 50 and r["errors"] == 0 for r in rows[:3])
    if len(rows) == 4:
        ok = ok and float(str(rows[2]["req/s"])) >= float(str(rows[3]["req/s"]))
    print("\ntargets (p95 < 50 ms, no error, roll req/s >= Datasette):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
