"""A save refused on the coding page (a statement changed meanwhile, or a role that may not
do it) answers a page saying what was refused and why, naming what changed, not the generic
error page; and nothing of the refused save is written."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from normwatch.store.db import open_store
from team_support import log_in, token_for
from test_web_support import MEETING, SCRIPT, web_app

CODING = f"/meetings/{MEETING}/coding"


@pytest.fixture
def browser(team_db: str) -> Iterator[TestClient]:
    with TestClient(web_app(team_db), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c


def page_version(page: str, local: str) -> int:
    """The version the coding page's forms name for statement ``local``."""
    article = page.split(f'id="st-{local}"')[1].split("</article>")[0]
    return int(re.findall(r'name="version" value="(\d+)"', article)[0])


def human_codings(db: str, coder: str) -> list[dict[str, Any]]:
    return open_store(db).query(
        "SELECT code, review_state, evidence_quote FROM codings WHERE coder = :c ORDER BY id",
        {"c": coder},
    )


def dora_decides(db: str, client: TestClient, local: str, version: int) -> None:
    r = client.post(
        f"/api/v1/meetings/{MEETING}/statements/{local}/decisions",
        json={"code": "concern", "action": "reject", "version": version},
        headers={"authorization": f"Bearer {token_for(db, 'dora')}"},
    )
    assert r.status_code == 200, r.text


def hidden_fields(page: str) -> dict[str, str]:
    form = page.split("<form", 1)[1].split("</form>")[0]
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return {k: html.unescape(v) for k, v in pairs}


def test_a_save_over_a_changed_statement_names_the_change_and_offers_to_decide_again(
    browser: TestClient, team_db: str
) -> None:
    csrf = log_in(browser, "carol")
    seen = page_version(browser.get(f"{CODING}?all=1").text, "s01")
    dora_decides(team_db, browser, "s01", seen)
    form = {
        "csrf": csrf,
        "statement": f"{MEETING}/s01",
        "code": "concern",
        "action": "add",
        "evidence": "Lithuania",
        "version": str(seen),
        "back": f"{CODING}?all=1",
    }
    r = browser.post(CODING, data=form, follow_redirects=False)
    assert r.status_code == 409 and r.headers["cache-control"] == "no-store"
    page = r.text
    assert "Not saved: the statement changed since you opened it" in page
    assert "409: conflict" not in page  # not the generic error page
    assert f"add concern on statement {MEETING}/s01 (version {seen})" in page
    changes = page.split("What changed since you opened it")[1].split("</ol>")[0]
    assert "human:dora" in changes and "rejected" in changes
    now = page.split("Its codes now")[1].split("</ul>")[0]
    assert "rejected by human:dora" in now
    assert human_codings(team_db, "human:carol") == []  # nothing of the refused save
    # the page's button decides again, on the version now there
    fields = hidden_fields(page)
    assert int(fields["version"]) > seen and fields["evidence"] == "Lithuania"
    again = browser.post(CODING, data=fields, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith("#st-s01")
    assert [c["review_state"] for c in human_codings(team_db, "human:carol")] == ["accepted"]


def test_the_refused_page_escapes_what_the_form_sent(browser: TestClient, team_db: str) -> None:
    csrf = log_in(browser, "carol")
    dora_decides(team_db, browser, "s01", page_version(browser.get(f"{CODING}?all=1").text, "s01"))
    r = browser.post(
        CODING,
        data={
            "csrf": csrf,
            "statement": f"{MEETING}/s01",
            "code": "concern",
            "action": "add",
            "evidence": SCRIPT,
            "version": "0",
            "back": '/x"><script>alert(2)</script>',
        },
        follow_redirects=False,
    )
    assert r.status_code == 409
    assert "<script" not in r.text
    assert "&lt;script&gt;alert(" in r.text


def test_a_double_coder_is_not_shown_the_other_coder_s_decision_in_a_refusal(
    browser: TestClient, team_db: str
) -> None:
    r = browser.post(
        f"/api/v1/meetings/{MEETING}/double-coding",
        json={"coders": ["carol", "dora"], "statements": ["s01"]},
        headers={"authorization": f"Bearer {token_for(team_db, 'rita')}"},
    )
    assert r.status_code == 200
    csrf = log_in(browser, "carol")
    seen = page_version(browser.get(f"{CODING}?all=1").text, "s01")
    dora_decides(team_db, browser, "s01", seen)
    r = browser.post(
        CODING,
        data={
            "csrf": csrf,
            "statement": f"{MEETING}/s01",
            "code": "concern",
            "action": "add",
            "evidence": "Lithuania",
            "version": str(seen),
        },
        follow_redirects=False,
    )
    assert r.status_code == 409
    assert "hidden while you double-code it" in r.text
    assert "human:dora" not in r.text
    # the API's refusal keeps it hidden too
    api = browser.post(
        f"/api/v1/meetings/{MEETING}/statements/s01/decisions",
        json={"code": "concern", "action": "accept", "version": seen},
        headers={"authorization": f"Bearer {token_for(team_db, 'carol')}"},
    )
    assert api.status_code == 409 and "human:dora" not in api.json()["error"]["message"]


def test_a_viewer_saving_a_code_is_told_which_role_it_needs(
    browser: TestClient, team_db: str
) -> None:
    csrf = log_in(browser, "vic")
    r = browser.post(
        CODING,
        data={
            "csrf": csrf,
            "statement": f"{MEETING}/s01",
            "code": "concern",
            "action": "reject",
            "version": "0",
        },
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "Not saved: your role may not code" in r.text
    assert "vic is a viewer" in r.text and "normwatch users set-role vic coder" in r.text
    assert "403: forbidden" not in r.text
    assert human_codings(team_db, "human:vic") == []


def test_a_coder_assigning_double_coding_is_told_which_role_it_needs(
    browser: TestClient, team_db: str
) -> None:
    csrf = log_in(browser, "carol")
    r = browser.post(
        f"/meetings/{MEETING}/double-coding",
        data={"csrf": csrf, "coders": "carol, dora", "share": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "needs the reviewer role" in r.text and "carol is a coder" in r.text
    assert open_store(team_db).query("SELECT * FROM double_codings") == []


def test_a_refused_form_still_checks_csrf_first_and_anonymous_is_401(
    browser: TestClient, team_db: str
) -> None:
    r = browser.post(
        CODING,
        data={"statement": f"{MEETING}/s01", "code": "concern", "action": "reject", "version": 0},
        follow_redirects=False,
    )
    assert r.status_code == 401
    log_in(browser, "vic")
    r = browser.post(
        CODING,
        data={"statement": f"{MEETING}/s01", "code": "concern", "action": "reject", "version": 0},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "CSRF" in r.text and "Not saved" not in r.text
