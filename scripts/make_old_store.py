"""Write the store file of an earlier release, for the migration tests.

    python scripts/make_old_store.py cfd1606 tests/fixtures/stores/release-cfd1606.sqlite

Checks the release out into a temporary worktree, opens a new store with that code (loading the
bundled data), imports the test meeting and the fictional obligation facts into it, so that
user data is there to be kept, and copies the file to the target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit")
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.commit],
            check=True,
            capture_output=True,
        )
        try:
            db = Path(tmp) / "old.sqlite"
            env = {**os.environ, "PYTHONPATH": str(tree / "src"), "NORMWATCH_DB": str(db)}
            for argv in (
                ["counts", "ccm"],
                ["meetings", "import", str(tree / "tests/fixtures/meetings/ccm-test-msp")],
                [
                    "import",
                    "obligations",
                    "ccm",
                    str(tree / "tests/fixtures/obligations/fictional-later-remnants.csv"),
                ],
            ):
                subprocess.run(
                    [sys.executable, "-m", "normwatch", *argv],
                    env=env,
                    check=True,
                    capture_output=True,
                    cwd=tmp,
                )
            args.target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db, args.target)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True
            )
    print(f"{args.target}: {args.target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
