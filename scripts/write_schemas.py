"""Write the published JSON Schemas to ``schemas/NAME.schema.json`` (``tests/test_schemas.py``
checks that the committed files are these).

    PYTHONPATH=src python scripts/write_schemas.py [--out schemas]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from normwatch.core.schemas.published import PUBLISHED, schema_text

ROOT = Path(__file__).resolve().parent.parent


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(PUBLISHED):
        path = out / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "schemas")
    for path in write(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
