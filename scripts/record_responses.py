"""Record what normwatch answers on the bundled data, for ``tests/test_recorded.py`` to compare
live answers with: every command of the README's tour in each ``--format``, every page and API
route with a few dates (the list and the placeholders are in ``tests/recorded.py``).

    .venv/bin/python scripts/record_responses.py [--out tests/data/responses.json.gz]

Run it only when an answer is meant to change, and read the diff before committing it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import recorded  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=recorded.OUT)
    out: Path = parser.parse_args().out
    print(f"{recorded.write(out)} answers written to {out}")


if __name__ == "__main__":
    main()
