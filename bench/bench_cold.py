"""Benchmark: cold CLI commands and ``untc parse`` on the UN's 2018 status files, against floors.

Run: .venv/bin/python bench/bench_cold.py [--runs 7] [--parse-runs 5] [--files DIR]

The commands (``status ccm LTU``, ``counts ccm``, ``state UKR``, ``erosion``) read a store made
from the bundled data before any timing.

Every figure is the median wall time of separate interpreter processes. Two states:
- cached: bytecode caches warm (one warm-up run first), the normal case;
- uncached: every run gets a fresh empty PYTHONPYCACHEPREFIX, so every module (standard
  library included, for the floors too) is compiled from source.
Floors: ``python -c "import click, rich.table"`` for the cold CLI; a bare
``xml.etree.ElementTree.parse`` of the same files (in one process) for ``untc parse``.
No figure here is asserted; they are reported.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = Path("/work/shared/data/untc-2018")

BARE_PARSE = """
import sys
import xml.etree.ElementTree as ET
for f in sys.argv[1:]:
    try:
        ET.parse(f)
    except ET.ParseError:
        pass
"""


def _env(uncached_dir: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if uncached_dir is not None:
        env["PYTHONPYCACHEPREFIX"] = uncached_dir
    else:
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def timed(cmd: list[str], runs: int, *, cached: bool) -> float:
    """Median wall seconds of ``runs`` runs of ``cmd`` (output discarded)."""
    return timed_both(cmd, runs, cached=cached)[0]


def timed_both(cmd: list[str], runs: int, *, cached: bool) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (user + system, of the process and its
    children) of ``runs`` runs of ``cmd``: on a shared machine the CPU time varies less with
    the other load than the wall time."""
    if cached:
        subprocess.run(cmd, env=_env(None), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as fresh:
            env = _env(None if cached else fresh)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="runs per cold-start figure")
    parser.add_argument("--parse-runs", type=int, default=5, help="runs per untc parse figure")
    parser.add_argument("--files", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--skip-parse", action="store_true")
    args = parser.parse_args()
    py = sys.executable
    floor = [py, "-c", "import click, rich.table"]
    print(f"python: {py}")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.sqlite")
        subprocess.run([py, "-m", "normwatch", "--db", db, "db", "version"], env=_env(None),
                       stdout=subprocess.DEVNULL, check=True)  # fmt: skip
        commands = {
            "status ccm LTU": ["status", "ccm", "LTU", "--on", "2026-02-03"],
            "counts ccm": ["counts", "ccm", "--on", "2026-02-03"],
            "state UKR": ["state", "UKR", "--on", "2026-02-03"],
            "erosion": ["erosion"],
        }
        for cached in (True, False):
            label = "cached" if cached else "uncached"
            t_floor, c_floor = timed_both(floor, args.runs, cached=cached)
            print(
                f'[{label}] floor python -c "import click, rich.table": wall '
                f"{t_floor * 1000:.0f} ms, CPU {c_floor * 1000:.0f} ms (medians of {args.runs})"
            )
            for name, argv in commands.items():
                cmd = [py, "-m", "normwatch", "--db", db, *argv]
                t_cli, c_cli = timed_both(cmd, args.runs, cached=cached)
                print(
                    f"[{label}]   normwatch {name}: wall {t_cli * 1000:.0f} ms (ratio "
                    f"{t_cli / t_floor:.2f}), CPU {c_cli * 1000:.0f} ms "
                    f"(ratio {c_cli / c_floor:.2f})"
                )
    if args.skip_parse:
        return
    files = sorted(str(p) for p in args.files.glob("*.xml"))
    if not files:
        print(f"no status files in {args.files}; untc parse skipped")
        return
    parse = [py, "-m", "normwatch", "untc", "parse", *files]
    bare = [py, "-c", BARE_PARSE, *files]
    for cached in (True, False):
        label = "cached" if cached else "uncached"
        t_json = timed([*parse, "--format", "json"], args.parse_runs, cached=cached)
        t_table = timed(parse, args.parse_runs, cached=cached)
        t_bare = timed(bare, args.parse_runs, cached=cached)
        print(
            f"[{label}] untc parse {len(files)} files: json {t_json:.2f} s, "
            f"table {t_table:.2f} s (table/json {t_table / t_json:.2f}); "
            f"bare ElementTree.parse {t_bare:.2f} s; ratios to it: json {t_json / t_bare:.1f}, "
            f"table {t_table / t_bare:.1f} (median of {args.parse_runs})"
        )


if __name__ == "__main__":
    main()
