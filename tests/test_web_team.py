"""Team coding on the web: sessions, tokens, roles, CSRF, the coding page, conflicts, XSS."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from normwatch.store.db import Store, open_store
from team_support import PASSWORDS, form_token, log_in, token_for
from test_web_support import MEETING, SCRIPT, web_app

CODING = f"/meetings/{MEETING}/coding"
DECIDE = f"/api/v1/meetings/{MEETING}/statements/s01/decisions"


@pytest.fixture
def browser(team_db: str) -> Iterator[TestClient]:
    with TestClient(web_app(team_db), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c


def version_of(db: str, statement: str = f"{MEETING}/s01") -> int:
    rows = Store(open_store(db).url).query(
        "SELECT COALESCE(MAX(revision), 0) AS v FROM codings WHERE statement_id = :s "
        "AND codebook = 'withdrawal-reaction'",
        {"s": statement},
    )
    return int(rows[0]["v"])


def codings_of(db: str) -> list[dict[str, Any]]:
    return Store(open_store(db).url).query("SELECT * FROM codings ORDER BY id")


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_me_names_the_user_of_a_session_or_a_token_and_is_401_anonymously(
    browser: TestClient, team_db: str
) -> None:
    r = browser.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
    log_in(browser, "carol")
    assert browser.get("/api/v1/me").json() == {
        "name": "carol",
        "role": "coder",
        "coder": "human:carol",
    }
    with TestClient(web_app(team_db)) as other:  # type: ignore[arg-type]
        me = other.get("/api/v1/me", headers=bearer(token_for(team_db, "rita")))
        assert me.json()["role"] == "reviewer"


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(team_db: str) -> None:
    with TestClient(web_app(team_db), base_url="https://testserver") as c:  # type: ignore[arg-type]
        token = form_token(c.get("/login").text)
        r = c.post(
            "/login",
            data={"name": "carol", "password": PASSWORDS["carol"][1], "csrf": token},
            follow_redirects=False,
        )
        cookie = r.headers["set-cookie"].lower()
        assert "nw_session=" in cookie and "httponly" in cookie
        assert "samesite=lax" in cookie and "secure" in cookie
    with TestClient(web_app(team_db)) as plain:  # type: ignore[arg-type]
        log_in(plain, "carol")
        assert plain.cookies.get("nw_session")


def test_a_new_session_id_at_every_log_in_and_the_old_one_stops_working(
    browser: TestClient, team_db: str
) -> None:
    browser.cookies.set("nw_session", "planted-by-someone-else", domain="testserver.local")
    log_in(browser, "carol")
    first = browser.cookies.get("nw_session")
    assert first and first != "planted-by-someone-else"
    log_in(browser, "rita")
    second = browser.cookies.get("nw_session")
    assert second and second != first
    assert browser.get("/api/v1/me").json()["name"] == "rita"
    with TestClient(web_app(team_db)) as thief:  # type: ignore[arg-type]
        thief.cookies.set("nw_session", first, domain="testserver.local")
        assert thief.get("/api/v1/me").status_code == 401


def test_log_out_ends_the_session(browser: TestClient, team_db: str) -> None:
    csrf = log_in(browser, "carol")
    cookie = browser.cookies.get("nw_session")
    r = browser.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert browser.get("/api/v1/me").status_code == 401
    with TestClient(web_app(team_db)) as again:  # type: ignore[arg-type]
        again.cookies.set("nw_session", cookie or "", domain="testserver.local")
        assert again.get("/api/v1/me").status_code == 401


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    browser: TestClient, team_db: str
) -> None:
    csrf = log_in(browser, "carol")
    before = codings_of(team_db)
    form = {
        "statement": f"{MEETING}/s01",
        "code": "concern",
        "action": "reject",
        "version": str(version_of(team_db)),
    }
    for sent in ({}, {"csrf": "not-the-token"}, {"csrf": csrf[:-1]}):
        r = browser.post(CODING, data={**form, **sent}, follow_redirects=False)
        assert r.status_code == 403, sent
        assert "CSRF" in r.text
    assert codings_of(team_db) == before
    # the log-in form too: without the token of its own cookie
    with TestClient(web_app(team_db)) as fresh:  # type: ignore[arg-type]
        r = fresh.post("/login", data={"name": "carol", "password": PASSWORDS["carol"][1]})
        assert r.status_code == 403
    # and with the token, the same form goes through
    r = browser.post(CODING, data={**form, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303


def test_log_in_is_rate_limited_after_repeated_failures(team_db: str) -> None:
    with TestClient(web_app(team_db)) as c:  # type: ignore[arg-type]
        token = form_token(c.get("/login").text)
        for _ in range(5):
            r = c.post(
                "/login",
                data={"name": "dora", "password": "wrong-password", "csrf": token},
                follow_redirects=False,
            )
            assert r.status_code == 303 and "error=1" in r.headers["location"]
        r = c.post(
            "/login",
            data={"name": "dora", "password": PASSWORDS["dora"][1], "csrf": token},
            follow_redirects=False,
        )
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert c.get("/api/v1/me").status_code == 401


def test_roles_a_viewer_may_not_code_a_coder_may_not_assign_double_coding(
    team_db: str,
) -> None:
    with TestClient(web_app(team_db)) as c:  # type: ignore[arg-type]
        body = {"code": "concern", "action": "reject", "version": version_of(team_db)}
        r = c.post(DECIDE, json=body, headers=bearer(token_for(team_db, "vic")))
        assert r.status_code == 403 and "viewer" in r.json()["error"]["message"]
        assign = {"coders": ["carol", "dora"], "share": 1.0}
        url = f"/api/v1/meetings/{MEETING}/double-coding"
        r = c.post(url, json=assign, headers=bearer(token_for(team_db, "carol")))
        assert r.status_code == 403
        r = c.post(url, json=assign, headers=bearer(token_for(team_db, "rita")))
        assert r.status_code == 200 and len(r.json()["statements"]) == 3
        r = c.post(DECIDE, json=body, headers=bearer(token_for(team_db, "carol")))
        assert r.status_code == 200 and r.json()["review_state"] == "rejected"


def test_an_expired_or_revoked_token_is_401_saying_why(team_db: str) -> None:
    from normwatch.service.accounts import revoke_token

    expired = token_for(team_db, "carol", expires=dt.date(2020, 1, 31))
    revoked = token_for(team_db, "carol")
    revoke_token(open_store(team_db), revoked)
    with TestClient(web_app(team_db)) as c:  # type: ignore[arg-type]
        body = {"code": "concern", "action": "reject", "version": version_of(team_db)}
        for token, why in ((expired, "expired on 2020-01-31"), (revoked, "revoked")):
            for r in (
                c.get("/api/v1/me", headers=bearer(token)),
                c.post(DECIDE, json=body, headers=bearer(token)),
            ):
                assert r.status_code == 401 and why in r.json()["error"]["message"]
        r = c.get("/api/v1/me", headers={"authorization": "Basic Y2Fyb2w6eA=="})
        assert r.status_code == 401


def test_every_write_operation_of_the_openapi_description_refuses_anonymous_requests(
    client: TestClient,
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    writes = [
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) >= 2
    for method, path in writes:
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        r = client.request(method.upper(), concrete.replace("/x/", f"/{MEETING}/", 1), json={})
        assert r.status_code == 401, (method, path, r.status_code)
    # the write forms of the pages (not in the description) refuse too
    for path in (CODING, f"/meetings/{MEETING}/double-coding", "/logout"):
        r = client.post(
            path,
            data={"statement": "x", "code": "x", "action": "x", "version": "0", "coders": "a,b"},
        )
        assert r.status_code == 401, path


def test_the_coding_page_needs_a_coder_and_sends_anonymous_visitors_to_log_in(
    browser: TestClient,
) -> None:
    r = browser.get(CODING, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    log_in(browser, "vic")
    assert browser.get(CODING).status_code == 403
    log_in(browser, "carol")
    page = browser.get(CODING)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_statement_text_evidence_and_names_are_escaped_on_the_coding_and_meeting_pages(
    browser: TestClient, team_db: str
) -> None:
    csrf = log_in(browser, "carol")
    # the statement's text holds a script tag; take it as evidence, so that it is stored too
    r = browser.post(
        CODING,
        data={
            "csrf": csrf,
            "statement": f"{MEETING}/s01",
            "code": "concern",
            "action": "add",
            "evidence": SCRIPT,
            "version": str(version_of(team_db)),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert any(c["evidence_quote"] == SCRIPT for c in codings_of(team_db))
    for path in (f"{CODING}?all=1", f"/meetings/{MEETING}"):
        page = browser.get(path).text
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(" in page
        # the one script tag is the coding page's own file; the meeting page has none
        assert page.count("<script") == (1 if path.startswith(CODING) else 0)
        assert "<b>of</b>" not in page  # the meeting's name holds markup too


def test_a_second_save_on_a_moved_version_is_refused_naming_what_changed(team_db: str) -> None:
    carol, dora = token_for(team_db, "carol"), token_for(team_db, "dora")
    seen = version_of(team_db)
    with TestClient(web_app(team_db)) as c:  # type: ignore[arg-type]
        first = c.post(
            DECIDE,
            json={"code": "concern", "action": "reject", "version": seen},
            headers=bearer(carol),
        )
        assert first.status_code == 200 and first.json()["version"] > seen
        second = c.post(
            DECIDE,
            json={"code": "concern", "action": "accept", "version": seen},
            headers=bearer(dora),
        )
        assert second.status_code == 409
        message = second.json()["error"]["message"]
        assert "human:carol changed concern" in message or "human:carol created concern" in message
        assert "rejected" in message
        stored = [c for c in codings_of(team_db) if c["coder"] == "human:dora"]
        assert stored == []  # refused: nothing of dora's written
        again = c.post(
            DECIDE,
            json={"code": "concern", "action": "accept", "version": first.json()["version"]},
            headers=bearer(dora),
        )
        assert again.status_code == 200


def test_two_saves_at_once_on_one_statement_one_wins_one_is_told(team_db: str) -> None:
    tokens = [token_for(team_db, "carol"), token_for(team_db, "dora")]
    seen = version_of(team_db)
    answers: list[int] = []
    gate = threading.Barrier(2)
    app = web_app(team_db)

    def save(token: str) -> None:
        with TestClient(app) as c:  # type: ignore[arg-type]
            gate.wait()
            r = c.post(
                DECIDE,
                json={"code": "mention", "action": "reject", "version": seen},
                headers=bearer(token),
            )
            answers.append(r.status_code)

    threads = [threading.Thread(target=save, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 409]
    humans = {c["coder"] for c in codings_of(team_db) if c["code"] == "mention"}
    assert len(humans & {"human:carol", "human:dora"}) == 1


def test_decisions_leave_the_queue_go_to_the_history_and_survive_an_automatic_run(
    browser: TestClient, team_db: str
) -> None:
    from normwatch.service.codings import auto_code

    store = open_store(team_db)
    auto_code(store, MEETING)
    csrf = log_in(browser, "dora")
    # the fixture's codings are by alice: with all=1 every statement, without it none left
    assert browser.get(CODING).text.count('class="op coding"') == 0
    page = browser.get(f"{CODING}?all=1&order=language").text
    assert page.count('class="op coding"') == 3
    r = browser.post(
        CODING,
        data={
            "csrf": csrf,
            "statement": f"{MEETING}/s02",
            "code": "call_to_reconsider",
            "action": "reject",
            "version": str(version_of(team_db, f"{MEETING}/s02")),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("#st-s02")
    auto_code(open_store(team_db), MEETING)
    mine = [c for c in codings_of(team_db) if c["coder"] == "human:dora"]
    assert [(c["code"], c["review_state"]) for c in mine] == [("call_to_reconsider", "rejected")]
    answer = browser.get(f"/api/v1/meetings/{MEETING}/statements/s02/history").json()
    assert answer["version"] == version_of(team_db, f"{MEETING}/s02")
    history = answer["history"]
    assert [h["actor"] for h in history if h["coder"] == "human:dora"] == ["human:dora"]
    filtered = browser.get(f"{CODING}?all=1&code=call_to_reconsider").text
    assert 'id="st-s02"' in filtered and 'id="st-s03"' not in filtered
    assert 'id="st-s01"' in browser.get(f"{CODING}?all=1&speaker=NOR").text
    assert 'id="st-s01"' not in browser.get(f"{CODING}?all=1&group=eu").text


def test_double_coders_are_blind_to_each_other_and_the_meeting_shows_agreement(
    team_db: str,
) -> None:
    tokens = {n: token_for(team_db, n) for n in ("carol", "dora", "rita")}
    with TestClient(web_app(team_db)) as c:  # type: ignore[arg-type]
        r = c.post(
            f"/api/v1/meetings/{MEETING}/double-coding",
            json={"coders": ["carol", "dora"], "statements": ["s01", "s02"]},
            headers=bearer(tokens["rita"]),
        )
        assert r.status_code == 200
        for name, action in (("carol", "accept"), ("dora", "reject")):
            for local in ("s01", "s02"):
                r = c.post(
                    f"/api/v1/meetings/{MEETING}/statements/{local}/decisions",
                    json={
                        "code": "concern",
                        "action": action,
                        "version": version_of(team_db, f"{MEETING}/{local}"),
                        "evidence": "Lithuania",
                    },
                    headers=bearer(tokens[name]),
                )
                assert r.status_code == 200, r.text
    with TestClient(web_app(team_db)) as b:  # type: ignore[arg-type]
        log_in(b, "dora")
        page = b.get(f"{CODING}?all=1").text
        s01 = page.split('id="st-s01"')[1].split("</article>")[0]
        assert "human:carol" not in s01 and "human:alice" not in s01 and "human:dora" in s01
        # while carol has not coded s03 (assigned below), nobody sees dora's codes there
        r = b.post(
            f"/api/v1/meetings/{MEETING}/double-coding",
            json={"coders": ["carol", "dora"], "statements": ["s03"]},
            headers=bearer(tokens["rita"]),
        )
        assert r.status_code == 200
        r = b.post(
            f"/api/v1/meetings/{MEETING}/statements/s03/decisions",
            json={
                "code": "mention",
                "action": "reject",
                "version": version_of(team_db, f"{MEETING}/s03"),
            },
            headers=bearer(tokens["dora"]),
        )
        assert r.status_code == 200
        carol_sees = b.get(
            f"/api/v1/meetings/{MEETING}/statements/s03/history", headers=bearer(tokens["carol"])
        ).json()["history"]
        assert not [h for h in carol_sees if h["actor"].startswith("human:")]
        meeting = b.get(f"/meetings/{MEETING}").text
        s03 = meeting.split('id="st-s03"')[1].split("</article>")[0]
        assert "Double coding under way" in s03 and "human:dora" not in s03
        assert "Disagreements to settle" in meeting
        assert "yes by human:carol, no by human:dora" in meeting
        reactions = b.get(f"/api/v1/meetings/{MEETING}/reactions").json()
        assert reactions["agreement"]["coders"] == ["human:carol", "human:dora"]
        assert reactions["agreement"]["measured_on"] == "double coding"
        assert reactions["coverage"] == {"statements": 3, "reviewed": 3, "share": 1.0}
