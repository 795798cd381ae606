#!/bin/sh
# The long form of the robustness suite (tests/robustness): ten thousand mutated inputs per
# parser (status XML and HTML, meeting folders, obligation tables, codebooks, treaty files,
# statement HTML and DOCX), two hundred per importer, thirty killed imports and ten rounds of
# concurrent writers on SQLite and on PostgreSQL, and a thousand generated requests per API
# operation. Prints the counts at the end, with the most CPU, wall time and memory one case
# took. Extra arguments go to pytest (-k "status_files" to run one trial). On a shared machine:
# nice scripts/robustness.sh
set -e
cd "$(dirname "$0")/.."
NORMWATCH_ROBUST=long exec .venv/bin/python -m pytest -p no:cacheprovider tests/robustness "$@"
