"""Screenshots of the main pages at desktop and phone widths, for reviewers without a server.

    python scripts/screenshots.py                      # PNGs in artifacts/screenshots/pages/
    python scripts/screenshots.py --db ~/my.sqlite --out /tmp/shots --state UKR

Copies the store (``--db``, else ``NORMWATCH_DB``, else the default store file; a fresh store
from the bundled data when there is none) into a temporary folder, so nothing is written to it,
serves the app on that copy on a free loopback port and saves a full-page PNG of the home,
treaty, State, meeting and deadlines pages at 1400 and 390 px wide with Playwright driving
Debian's Chromium (``/usr/bin/chromium``; ``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1400, 390)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def throwaway_store(source: str | None, folder: Path) -> str:
    """A copy of the SQLite store file ``source`` in ``folder`` (a fresh store when there is
    none); a PostgreSQL URL is refused, since it cannot be copied."""
    from normwatch.store.db import default_db_path, open_store

    target = folder / "normwatch.sqlite"
    given = source or os.environ.get("NORMWATCH_DB")
    if given and "://" in given:
        sys.exit(f"screenshots: {given}: give a SQLite store file, not a URL (it is copied)")
    path = Path(given).expanduser() if given else default_db_path()
    if path.is_file():
        shutil.copyfile(path, target)
    elif given:
        sys.exit(f"screenshots: {path}: no such store file")
    open_store(str(target))  # a fresh store loads the bundled data; an old one is checked
    return str(target)


def first_meeting(db: str) -> str | None:
    """The meeting with the most statements, for the meeting page."""
    from normwatch.service.meetings import list_meetings
    from normwatch.store.db import open_store

    meetings = list_meetings(open_store(db))
    if not meetings:
        return None
    return str(max(meetings, key=lambda m: m["statements"])["id"])


def start_server(db: str) -> tuple[Any, threading.Thread, str]:
    import uvicorn

    from normwatch.web.app import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(db=db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sys.exit("screenshots: the server did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def pages(treaty: str, state: str, meeting: str | None) -> list[tuple[str, str]]:
    out = [
        ("home", "/"),
        ("treaty", f"/treaties/{treaty}"),
        ("state", f"/states/{state}"),
        ("deadlines", f"/treaties/{treaty}/deadlines"),
    ]
    if meeting:
        out.insert(3, ("meeting", f"/meetings/{meeting}"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite store file to copy (default: NORMWATCH_DB)")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "screenshots" / "pages")
    parser.add_argument("--treaty", default="ccm")
    parser.add_argument("--state", default="LTU")
    parser.add_argument("--meeting", help="meeting id (default: the one with most statements)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        sys.exit(f"screenshots: {CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="normwatch-shots-") as tmp:
        db = throwaway_store(args.db, Path(tmp))
        meeting = args.meeting or first_meeting(db)
        server, thread, base = start_server(db)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                for width in WIDTHS:
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    for name, path in pages(args.treaty, args.state, meeting):
                        response = page.goto(base + path)
                        if response is None or response.status != 200:
                            code = response.status if response else "no answer"
                            sys.exit(f"screenshots: {path}: {code}")
                        target = args.out / f"{name}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)
                    page.close()
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
