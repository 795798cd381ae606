"""Write ``src/normwatch/data/state_names_fr_es.csv``: the French and Spanish names of the
registry's States, as the Debian iso-codes project translates ISO 3166-1 (its ``fr`` and ``es``
locales, read through the ``pycountry`` package, LGPL-2.1), each row naming its source.

``normwatch meetings import-files`` resolves a speaker named in French or Spanish
("Déclaration de la France", "Intervención de México") through them. Only translations are
written, never a name made up here: for each State the locale's rendering of the ISO name,
official name and common name. A translation equal to a name the registry already has for the
State is left out (nothing to add), and so is one that another State already answers to, or
that two States' translations share (it would name no one).

    pip install pycountry
    PYTHONPATH=src python scripts/write_state_names.py [--check]

``--check`` writes nothing and exits 1 when the file is not what the script would write.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import importlib
import io
import sys
from pathlib import Path
from typing import Any

from normwatch.catalog import read_csv
from normwatch.core.registry import fold

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "normwatch" / "data" / "state_names_fr_es.csv"
LANGUAGES = ("fr", "es")
COLUMNS = ("alias", "code", "language", "source")


def _english_keys() -> dict[str, set[str]]:
    """Folded name, alias or code → the codes the bundled registry gives it."""
    keys: dict[str, set[str]] = {}
    for _, row in read_csv("states.csv", ("code", "alpha2", "name")):
        for value in (row["code"], row["alpha2"], row["name"]):
            keys.setdefault(fold(value), set()).add(row["code"])
    for _, row in read_csv("state_aliases.csv", ("alias", "code")):
        keys.setdefault(fold(row["alias"]), set()).add(row["code"])
    return keys


def rows(pycountry: Any) -> list[dict[str, str]]:
    """The rows of the file, sorted by code, language and name."""
    english = _english_keys()
    codes = [row["code"] for _, row in read_csv("states.csv", ("code",))]
    found: dict[str, dict[str, str]] = {}  # folded translation → row
    shared: set[str] = set()
    for language in LANGUAGES:
        locale = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        source = f"iso-codes {language} locale (iso3166-1) via pycountry {pycountry_version()}"
        for code in codes:
            country = pycountry.countries.get(alpha_3=code)
            if country is None:
                raise SystemExit(f"{code}: not in pycountry's ISO 3166-1")
            for attr in ("name", "official_name", "common_name"):
                original = getattr(country, attr, None)
                if not original:
                    continue
                name = locale.gettext(original)
                key = fold(name)
                if name == original or code in english.get(key, set()):
                    continue  # untranslated, or a name the registry has already
                if english.get(key) or (key in found and found[key]["code"] != code):
                    shared.add(key)  # another State's name too: it names no one
                    continue
                found.setdefault(
                    key, {"alias": name, "code": code, "language": language, "source": source}
                )
    kept = [row for key, row in found.items() if key not in shared]
    return sorted(kept, key=lambda r: (r["code"], r["language"], r["alias"]))


def pycountry_version() -> str:
    from importlib.metadata import version

    return version("pycountry")


def text(pycountry: Any) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(pycountry))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    written = text(importlib.import_module("pycountry"))
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else ""
        if current != written:
            sys.exit(f"{OUT} is not current: run scripts/write_state_names.py")
        return
    OUT.write_text(written, encoding="utf-8")
    print(OUT)


if __name__ == "__main__":
    main()
