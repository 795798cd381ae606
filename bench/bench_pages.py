"""Benchmark: importing the depositary's twelve Chapter XXVI status pages of 2026-02-03 (HTML).

Run: .venv/bin/python bench/bench_pages.py [--shared ../shared/data] [--runs 5]
Reads the pages from ``untc-2026/`` of the project's shared data and imports all twelve, as
``normwatch import untc`` does (parse, reconcile, apply, and each file's ``normwatch check`` of
the treaties it can change, inside its transaction), into a copy of a store made from the
bundled data. Every figure is a median of ``--runs`` runs; the floor is parsing the same pages
in the same run. Target: all twelve under 2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = args.shared / "untc-2026"
    files = [folder / f"{name}.html" for name in PAGES]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise SystemExit(f"pages not found: {', '.join(missing)}")
    from normwatch.service.imports import import_untc
    from normwatch.sources.untc.viewdetails import parse_status_file
    from normwatch.store.db import open_store

    parse: list[float] = []
    total: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        made = Path(tmp) / "bundled.sqlite"
        open_store(str(made))  # the bundled data, before any timing
        for i in range(args.runs):
            t0 = time.perf_counter()
            for f in files:
                parse_status_file(f)
            parse.append(time.perf_counter() - t0)
            db = Path(tmp) / f"run{i}.sqlite"
            shutil.copy(made, db)
            store = open_store(str(db))
            t0 = time.perf_counter()
            reports = import_untc(store, [str(f) for f in files])
            total.append(time.perf_counter() - t0)
            assert all(r.refusal is None for r in reports)
    t_parse, t_total = statistics.median(parse), statistics.median(total)
    print(
        f"parse {len(files)} pages (floor): {t_parse:.3f} s; import (parse, reconcile, check, "
        f"apply) into a bundled store: {t_total:.3f} s, ratio to the parse {t_total / t_parse:.2f} "
        f"(median of {args.runs}); target 2 s: {'met' if t_total < 2 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
