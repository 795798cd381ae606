#!/bin/sh
# The long form of the robustness suite (tests/robustness): ten thousand mutated inputs per
# parser, hundreds per importer, thirty killed imports, ten rounds of concurrent writers and a
# thousand generated requests per API operation. Prints the counts at the end. Extra arguments
# go to pytest (-k "status_files" to run one trial).
set -e
cd "$(dirname "$0")/.."
NORMWATCH_ROBUST=long exec .venv/bin/python -m pytest -p no:cacheprovider tests/robustness "$@"
