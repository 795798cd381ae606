"""The robustness suite: fuzzed parsers and importers, killed and concurrent writers, the API
under schemathesis, a catalogue of bad command lines.

Each trial counts what it did in :data:`TALLY` (cases run, clean refusals, imports that went
through, violations: a traceback, an error of another type than normwatch's, a refused import
that changed the store), and the most one case took: CPU and wall-clock seconds, and memory (the
peak resident size of the process during the case, over what it held when the case began; Linux
lets the peak be reset before each case). The counts are printed at the end of the run. The
short form runs with the normal tests; ``NORMWATCH_ROBUST=long`` (or ``scripts/robustness.sh``)
runs the long form: at least 10,000 inputs per parser.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from normwatch.errors import NormwatchError

LONG = os.environ.get("NORMWATCH_ROBUST", "").strip().lower() == "long"


def examples(short: int, long: int = 10_000) -> int:
    """How many inputs a fuzzing trial draws: ``long`` with NORMWATCH_ROBUST=long."""
    return long if LONG else short


@dataclass
class Counts:
    cases: int = 0
    refusals: int = 0
    imports: int = 0
    violations: int = 0
    worst_seconds: float = 0.0
    worst_wall: float = 0.0
    worst_mb: float = 0.0
    examples: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.cases} cases, {self.refusals} clean refusals, {self.imports} "
            f"accepted, {self.violations} violations; per case at most "
            f"{self.worst_seconds:.2f} s of CPU, {self.worst_wall:.2f} s wall, "
            f"{self.worst_mb:.0f} MB of memory"
        )


TALLY: dict[str, Counts] = {}


class Case:
    """One case of a trial: the body says how its input ended (an exception says it too)."""

    def __init__(self) -> None:
        self.outcome = ""

    def accepted(self) -> None:
        self.outcome = "accepted"

    def refused(self) -> None:
        self.outcome = "refused"


@contextmanager
def trial(name: str) -> Iterator[Case]:
    """Count one case of ``name``: a NormwatchError (or ``case.refused()``) is a clean refusal,
    ``case.accepted()`` an input that went through, any other exception a violation
    (re-raised, so that the test fails and hypothesis shrinks the input)."""
    counts = TALLY.setdefault(name, Counts())
    counts.cases += 1
    case = Case()
    held = _reset_peak()
    started, wall = time.process_time(), time.perf_counter()
    try:
        yield case
    except NormwatchError:
        counts.refusals += 1
    except BaseException as exc:
        if not isinstance(exc, (KeyboardInterrupt, pytest.skip.Exception)):
            counts.violations += 1
            counts.examples.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        raise
    else:
        if case.outcome == "refused":
            counts.refusals += 1
        elif case.outcome == "accepted":
            counts.imports += 1
    finally:
        counts.worst_seconds = max(counts.worst_seconds, time.process_time() - started)
        counts.worst_wall = max(counts.worst_wall, time.perf_counter() - wall)
        peak = _status_mb("VmHWM")
        counts.worst_mb = max(counts.worst_mb, peak - held)
        _PEAK[0] = max(_PEAK[0], peak)


#: the process's peak resident size over the cases (resetting it for each case also resets
#: what getrusage reports)
_PEAK = [0.0]


def _status_mb(key: str) -> float:
    """A size from /proc/self/status (``VmRSS``: resident now, ``VmHWM``: its peak), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(key)


def _reset_peak() -> float:
    """Reset the process's peak resident size to what it holds now (Linux's clear_refs), and
    return that, in MB: the case's own peak is then VmHWM less this."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """The process's peak resident memory over the run so far, in MB."""
    return max(_PEAK[0], _status_mb("VmHWM"))


def report(terminalreporter: Any) -> None:
    """Print the counts at the end of a run (called by tests/conftest.py)."""
    if not TALLY:
        return
    terminalreporter.section("robustness counts" + (" (long form)" if LONG else ""))
    for name in sorted(TALLY):
        terminalreporter.write_line(TALLY[name].line(name))
        for example in TALLY[name].examples[:3]:
            terminalreporter.write_line(f"    violation: {example}")
    terminalreporter.write_line(f"peak memory of the test process: {peak_rss_mb():.0f} MB")
