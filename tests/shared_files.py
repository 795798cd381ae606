"""Where the project's shared reference material is: the vetted data and the 407 UN status
files of January 2018 that some tests read.

``NORMWATCH_SHARED`` names the folder when it is set; otherwise ``shared`` beside the
checkout (``../shared``, relative to the repository root). No other place is looked at, so a
run on any machine finds the same files as CI. Tests that need them skip, naming the path they
looked at, when none is there.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_CANDIDATES = (
    [Path(os.environ["NORMWATCH_SHARED"])]
    if os.environ.get("NORMWATCH_SHARED")
    else [REPO.parent / "shared"]
)
SHARED = next((p for p in _CANDIDATES if (p / "data").is_dir()), _CANDIDATES[0])
UNTC_2018 = SHARED / "data" / "untc-2018"
