"""Benchmark: daily counts for both treaties, for all twelve over their lives, and the cold
start of the CLI.

Run: .venv/bin/python bench/bench_engine.py
Targets: the full daily series (1997-12-03 to 2026-12-31, 197 States, 2 treaties) under 1 s;
every bundled treaty from its opening for signature to 2026-12-31 (12 treaties, about 200,000
treaty-days) under 1 s; ``normwatch status ccm LTU`` from a cold process under 0.3 s.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from normwatch.catalog import all_treaties, get_treaty
from normwatch.core.status import build_view
from normwatch.store.db import open_store

START, END = dt.date(1997, 12, 3), dt.date(2026, 12, 31)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.sqlite")
        store = open_store(db)
        facts = {t: (store.actions(t), get_treaty(t)) for t in ("ccm", "apmbt")}
        codes, conflicts = store.registry().codes, store.conflicts()
        timings = []
        for _ in range(5):
            t0 = time.perf_counter()
            days = 0
            for actions, rules in facts.values():
                view = build_view(rules, codes, actions, conflicts)
                days += len(view.daily_counts(START, END))
            timings.append(time.perf_counter() - t0)
        print(
            f"daily counts: {days} treaty-days ({len(codes)} States), "
            f"best {min(timings):.3f} s, median {statistics.median(timings):.3f} s "
            "(timelines built from facts in memory + one sweep per treaty)"
        )

        # every treaty over its whole life, with its records and companion consents
        lives = []
        for rules in all_treaties().values():
            records = store.records(rules.id)
            companions = store.companions(rules, records)
            lives.append((rules, store.actions(rules.id), records, companions))
        timings = []
        for _ in range(5):
            t0 = time.perf_counter()
            days = 0
            for rules, actions, records, companions in lives:
                view = build_view(rules, codes, actions, conflicts, records, companions)
                days += len(view.daily_counts(rules.opened_for_signature, END))
            timings.append(time.perf_counter() - t0)
        median = statistics.median(timings)
        print(
            f"daily counts, all {len(lives)} treaties over their lives: {days} treaty-days "
            f"({len(codes)} States), best {min(timings):.3f} s, median {median:.3f} s; "
            f"target 1 s: {'met' if median < 1 else 'NOT met'}"
        )

        cmd = [str(Path(sys.executable).with_name("normwatch")), "--db", db, "status", "ccm", "LTU"]
        subprocess.run(cmd, check=True, capture_output=True)
        cold = []
        for _ in range(10):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            cold.append(time.perf_counter() - t0)
        print(
            f"cold CLI start `normwatch status ccm LTU`: best {min(cold):.3f} s, "
            f"median {statistics.median(cold):.3f} s over {len(cold)} runs"
        )


if __name__ == "__main__":
    main()
