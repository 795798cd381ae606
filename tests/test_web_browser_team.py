"""Browser test of team coding: log in, code with the keys and the forms, assign and settle
double coding, log out; Playwright driving Debian's Chromium against a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from normwatch.service.codings import auto_code
from normwatch.store.db import open_store
from team_support import PASSWORDS, make_team_db
from test_web_browser import ARGS, CHROMIUM, SHOTS, free_port
from test_web_support import MEETING, SCRIPT, web_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    import threading
    import time

    import uvicorn

    db = make_team_db(tmp_path_factory.mktemp("browser-team"))
    auto_code(open_store(db), MEETING)
    port = free_port()
    config = uvicorn.Config(web_app(db), host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def log_in(page: Any, base: str, name: str, target: str) -> None:
    page.goto(base + target)
    page.wait_for_url("**/login?next=**")
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', PASSWORDS[name][1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{target}")


def human_codings(db: str, coder: str) -> list[tuple[str, str, str]]:
    rows = open_store(db).query(
        "SELECT statement_id, code, review_state FROM codings WHERE coder = :c ORDER BY 1, 2",
        {"c": coder},
    )
    return [(r["statement_id"].rsplit("/", 1)[-1], r["code"], r["review_state"]) for r in rows]


def test_log_in_code_review_and_log_out(chromium: Any, served: tuple[str, str]) -> None:
    base, db = served
    coding = f"/meetings/{MEETING}/coding?all=1"
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))  # an XSS would alert

    # a reviewer assigns double coding of s01 and s02 to carol and dora
    log_in(page, base, "rita", coding)
    page.fill('input[name="coders"]', "carol, dora")
    page.fill('input[name="statements"]', "s01 s02")
    page.get_by_role("button", name="Assign").click()
    page.wait_for_url("**/coding?**")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(base + "/")

    # carol: the keys accept the first open suggestion of s01 (j focuses it)
    log_in(page, base, "carol", coding)
    assert SCRIPT not in page.content()
    page.screenshot(path=str(SHOTS / "coding-page.png"), full_page=True)
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert human_codings(db, "human:carol")[0][0] == "s01"
    assert human_codings(db, "human:carol")[0][2] == "accepted"
    # then adds a code to s02 by selecting words of its text as evidence
    article = page.locator("#st-s02")
    article.locator(".statement-text").select_text()
    words = article.locator("input.evidence").input_value()
    assert words.startswith("We call on Lithuania")
    article.locator('select[name="code"]').select_option("concern")
    with page.expect_navigation():
        article.get_by_role("button", name="add").click()
    assert ("s02", "concern", "accepted") in human_codings(db, "human:carol")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(base + "/")

    # dora, blind to carol, rejects concern on s02 with the plain form
    log_in(page, base, "dora", coding)
    s02 = page.locator("#st-s02")
    assert "human:carol" not in s02.inner_text()
    s02.locator('select[name="code"]').select_option("concern")
    s02.locator("input.evidence").fill("Lithuania")
    with page.expect_navigation():
        s02.get_by_role("button", name="add").click()
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("r")
    page.goto(f"{base}/meetings/{MEETING}")
    assert "Agreement between coders" in page.content()
    page.screenshot(path=str(SHOTS / "meeting-agreement.png"), full_page=True)
    page.goto(base + "/login")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(base + "/")
    page.goto(base + coding)
    page.wait_for_url("**/login?next=**")  # logged out: the coding page asks to log in
    assert problems == []
    context.close()


def test_a_reviewer_uploads_statement_files_corrects_a_speaker_and_confirms(
    chromium: Any,
    served: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, db = served
    monkeypatch.setenv("NORMWATCH_UPLOAD_DIR", str(tmp_path / "uploads"))
    made = tmp_path / "files"
    made.mkdir()
    invented = "INVENTED STATEMENT, written for normwatch's tests; not said by anyone."
    (made / "Declaration_Allemagne.txt").write_text(
        "DÉCLARATION INVENTÉE pour les tests de normwatch ; prononcée par personne.\n\n"
        "Déclaration de l'Allemagne\n\nMonsieur le Président, l'Allemagne appelle tous les "
        "États à adhérer à la Convention.\n",
        encoding="utf-8",
    )
    (made / "statement_17.txt").write_text(
        f"{invented}\n\nMr. President, we share the concerns about the withdrawal.\n",
        encoding="utf-8",
    )
    markup = "note <img src=x onerror=alert(1)>.txt"  # a dialog would show an XSS
    (made / markup).write_text(f"{invented}\n\nStatement by {SCRIPT}\n", "utf-8")
    target = f"/meetings/{MEETING}/import"
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))

    log_in(page, base, "rita", target)
    page.set_input_files('input[name="files"]', sorted(str(p) for p in made.iterdir()))
    page.get_by_role("button", name="Upload and propose").click()
    page.wait_for_url(f"**{target}/**")
    assert (
        open_store(db).query("SELECT id FROM statements WHERE local_id = 'statement_17'") == []
    )  # proposed only
    row = page.locator("tr", has_text="Declaration_Allemagne.txt")
    assert row.get_by_label("Speaker of Declaration_Allemagne.txt").input_value() == "DEU"
    unresolved = page.locator("tr", has_text="statement_17.txt")
    assert "Could not resolve" in unresolved.inner_text()
    page.screenshot(path=str(SHOTS / "import-plan.png"), full_page=True)
    page.get_by_label("Speaker of statement_17.txt").fill("Kenya")
    page.get_by_label("Action for statement_17.txt").select_option("import")
    page.get_by_label(f"Action for {markup}").select_option("skip")
    with page.expect_navigation():
        page.get_by_role("button", name="Import these statements").click()
    assert "Statements brought in" in page.content()
    speakers = {
        r["local_id"]: r["speaker"]
        for r in open_store(db).query(
            "SELECT local_id, speaker FROM statements WHERE meeting_id = :m", {"m": MEETING}
        )
    }
    assert speakers["statement_17"] == "KEN" and speakers["Declaration_Allemagne"] == "DEU"
    assert not any(s.startswith("note") for s in speakers)
    assert problems == []
    context.close()
