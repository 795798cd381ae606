"""Benchmark: importing the depositary's twelve Chapter XXVI status pages of 2026-02-03 (HTML).

Run: .venv/bin/python bench/bench_pages.py [--shared ../shared/data]
Reads the pages from ``untc-2026/`` of the project's shared data and imports each into a fresh
store loaded with the bundled data (parse, reconcile, apply). Target: all twelve under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    "enmod", "ccw", "ccw_p4", "ccw_p2a", "ccw_art1", "ccw_p5",
    "cwc", "ctbt", "ottawa", "ccm", "att", "tpnw",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("NORMWATCH_SHARED") or str(ROOT.parent / "shared")
    parser.add_argument("--shared", type=Path, default=Path(default) / "data")
    args = parser.parse_args()
    folder = args.shared / "untc-2026"
    files = [folder / f"{name}.html" for name in PAGES]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise SystemExit(f"pages not found: {', '.join(missing)}")
    from normwatch.sources.untc.importer import import_untc
    from normwatch.sources.untc.viewdetails import parse_status_file
    from normwatch.store.db import open_store

    parse = []
    for _ in range(3):
        t0 = time.perf_counter()
        for f in files:
            parse_status_file(f)
        parse.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "pages.sqlite"))
        t0 = time.perf_counter()
        acts = sum(r.confirmed + len(r.new) for r in (import_untc(store, str(f)) for f in files))
        total = time.perf_counter() - t0
    print(
        f"parse {len(files)} pages: median {statistics.median(parse):.3f} s over 3 runs; "
        f"import (parse, reconcile, apply) into a bundled store: {total:.3f} s, {acts} acts; "
        f"target 2 s: {'met' if total < 2 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
