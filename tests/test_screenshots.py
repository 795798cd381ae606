"""scripts/screenshots.py: PNGs of the main pages at 1400 and 390 px, from a copy of the store."""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import screenshots  # noqa: E402


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_store_is_copied_and_the_original_left_as_it_was(
    bundled_db: str, tmp_path: Path
) -> None:
    before = hashlib.sha256(Path(bundled_db).read_bytes()).hexdigest()
    copy = screenshots.throwaway_store(bundled_db, tmp_path)
    assert Path(copy).parent == tmp_path and Path(copy).stat().st_size > 0
    assert hashlib.sha256(Path(bundled_db).read_bytes()).hexdigest() == before


def test_a_database_url_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not a URL"):
        screenshots.throwaway_store("postgresql://localhost/normwatch", tmp_path)
    with pytest.raises(SystemExit, match="no such store file"):
        screenshots.throwaway_store(str(tmp_path / "absent.sqlite"), tmp_path)


@pytest.mark.browser
@pytest.mark.skipif(not screenshots.CHROMIUM.exists(), reason="no /usr/bin/chromium")
def test_screenshots_of_five_pages_at_two_widths(tmp_path: Path) -> None:
    from test_web_support import make_web_db

    db = make_web_db(tmp_path)
    out = tmp_path / "shots"
    assert screenshots.main(["--db", db, "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    expected = sorted(
        f"{page}-{w}.png"
        for page in ("home", "treaty", "state", "meeting", "deadlines")
        for w in (1400, 390)
    )
    assert names == expected
    for name in names:
        width, height = png_size(out / name)
        assert width == int(name.rsplit("-", 1)[1].removesuffix(".png")) and height > 800
