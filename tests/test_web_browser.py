"""Browser tests: Playwright driving Debian's Chromium against a real uvicorn server.

Screenshots go to ``artifacts/screenshots/`` (git-ignored) for people to look at.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_web_support import MEETING, SCRIPT, make_web_db, web_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    app = web_app(make_web_db(tmp_path_factory.mktemp("browser")))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,  # type: ignore[arg-type]
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: problems.append(str(e)))
        pg.problems = problems  # type: ignore[attr-defined]
        yield pg
        browser.close()


def ccm_status(page: Any) -> str:
    text: str = page.locator('[data-treaty="ccm"] .status').inner_text()
    return text.strip()


def test_lithuania_leaves_the_ccm_between_two_dates(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert "Who is in, who is leaving" in page.title() or page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    page.get_by_role("link", name="Lithuania", exact=True).first.click()  # not an erosion entry
    page.wait_for_url("**/states/LTU**")
    assert page.locator("h1").inner_text() == "Lithuania"

    page.fill('input[name="on"]', "2025-03-05")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/states/LTU?on=2025-03-05")
    assert ccm_status(page) == "withdrawing"
    page.screenshot(path=str(SHOTS / "lithuania-2025-03-05.png"), full_page=True)

    page.fill('input[name="on"]', "2025-03-06")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/states/LTU?on=2025-03-06")
    assert ccm_status(page) == "withdrawn"
    page.screenshot(path=str(SHOTS / "lithuania-2025-03-06.png"), full_page=True)
    assert page.problems == []


def test_meeting_page_shows_the_reaction_chart(page: Any, base_url: str) -> None:
    page.goto(base_url + "/meetings")
    page.get_by_role("link", name="Web Test Meeting <b>of</b> States Parties (fictional)").click()
    page.wait_for_url(f"**/meetings/{MEETING}")
    chart = page.locator("svg.bars")
    assert chart.is_visible()
    assert chart.locator("rect").count() >= 6
    box = chart.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 100
    chart.screenshot(path=str(SHOTS / "meeting-reactions.png"))
    # the statement with a script tag in it is shown as text, and nothing ran
    page.locator("details").first.locator("summary").click()
    assert SCRIPT in page.locator(".statement-text").first.inner_text()
    page.screenshot(path=str(SHOTS / "meeting.png"), full_page=True)
    assert page.problems == []


def test_map_and_roll_filter_by_status(page: Any, base_url: str) -> None:
    page.goto(base_url + "/treaties/ccm?on=2025-03-06")
    page.locator("svg.map").scroll_into_view_if_needed()
    page.locator("svg.map").screenshot(path=str(SHOTS / "ccm-map-2025-03-06.png"))
    page.locator("ul.legend a", has_text="withdrawn").click()
    page.wait_for_url("**status=withdrawn**")
    rows = page.locator("table.roll tbody tr")
    assert rows.count() == 1 and "Lithuania" in rows.first.inner_text()
    assert page.problems == []


PHONE_PAGES = [
    "/",
    "/treaties/ccm",
    "/treaties/ccm/deadlines",
    "/states/LTU",
    "/meetings",
    f"/meetings/{MEETING}",
    "/meetings/ccm-12msp",
    "/methods",
    "/data",
    "/api/v1/docs",
]


def test_main_pages_fit_a_phone_screen(page: Any, base_url: str) -> None:
    """At 390 px nothing scrolls sideways but the tables, each in its own scroller."""
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for path in PHONE_PAGES:
            phone.goto(base_url + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
        phone.screenshot(path=str(SHOTS / "phone-meeting-12msp.png"), full_page=True)
    finally:
        phone.close()
