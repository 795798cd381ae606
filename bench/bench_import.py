"""Benchmark: importing generated UNTC status files.

Run: .venv/bin/python bench/bench_import.py [--documents 600]
Reports the per-document cost at the start and the end of the run.
Targets: one document with 200 participants under 0.5 s; 600 such documents (one rule file
each, the size of the whole UN collection) in one run under 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mtdsg_export import cell

RULES = """id = "bench{n}"
name = "Generated treaty {n}"
opened_for_signature = "2000-01-01"
depositary = "Secretary-General of the United Nations"
untc_id = "XXX-{n}"
[rules.entry_into_force]
article = "1"
threshold = 20
kind = "days_after"
days = 90
text = "generated"
[rules.state_entry_into_force]
article = "2"
kind = "days_after"
days = 90
text = "generated"
"""


def document(n: int, names: list[str], rng: random.Random) -> bytes:
    rows = []
    for name in names:
        sig = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        cons = sig + dt.timedelta(days=rng.randrange(1, 2000))
        code = rng.choice(["", "a", "A", "AA"])
        rows.append(
            f"<Row><Entry>{name}</Entry><Entry>{cell(sig)}</Entry>"
            f"<Entry>{cell(cons, code)}</Entry></Row>"
        )
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<Document><Treaty><Header><Chapter><Header>CHAPTER XXX</Header><Name>BENCH</Name></Chapter>
<ExternalData><Numsect>{n}</Numsect><Titlesect>Generated treaty {n}</Titlesect></ExternalData>
</Header><Participants><Table><TGroup cols="3"><Thead><Row><Entry colname="1">Participant</Entry>
<Entry colname="2">Signature</Entry><Entry colname="3">Ratification, Acceptance(A),
Approval(AA), Accession(a)</Entry></Row></Thead><Tbody><Rows>{"".join(rows)}</Rows></Tbody>
</TGroup></Table></Participants><EndNotes /></Treaty></Document>""".encode("latin-1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=600)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "rules").mkdir()
        os.environ["NORMWATCH_TREATIES"] = str(root / "rules")
        from normwatch.sources.untc.importer import import_untc
        from normwatch.store.db import open_store

        store = open_store(str(root / "bench.sqlite"))
        names = [s.name for s in store.registry().states] + [
            "European Union",
            "Andean Community",
            "Caribbean Community",
        ]
        files = []
        for n in range(1, args.documents + 1):
            (root / "rules" / f"bench{n}.toml").write_text(RULES.format(n=n), encoding="utf-8")
            path = root / f"XXX-{n}.en.xml"
            path.write_bytes(document(n, names, rng))
            files.append(path)
        t0 = time.perf_counter()
        report = import_untc(store, str(files[0]))
        one = time.perf_counter() - t0
        print(f"one document, {len(names)} participants, {len(report.new)} new acts: {one:.3f} s")
        total = len(report.new)
        each = [one]
        for path in files[1:]:
            t0 = time.perf_counter()
            total += len(import_untc(store, str(path)).new)
            each.append(time.perf_counter() - t0)
        print(f"{len(files)} documents in one run: {sum(each):.1f} s ({total} acts)")
        # per-document cost along the run: flat when nothing re-reads what earlier calls read
        k = min(10, len(each))
        first, last = statistics.median(each[:k]), statistics.median(each[-k:])
        print(
            f"per document: median of first {k} {first:.3f} s, of last {k} {last:.3f} s "
            f"(last/first {last / first:.2f})"
        )


if __name__ == "__main__":
    main()
