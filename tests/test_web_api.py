"""The JSON API: the CLI's JSON for every endpoint, one error shape, caching and freshness."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from normwatch.cli.main import main
from test_web_support import MEETING, TODAY, make_web_db, web_app


def cli_json(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Any:
    with pytest.raises(SystemExit) as exc:
        main(["--db", db, *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert exc.value.code == 0, err
    return json.loads(out)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert "Traceback" not in response.text
    return body


# -- the same JSON as the CLI --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "cli"),
    [
        ("/api/v1/treaties?on=2025-03-06", ["treaties", "--on", "2025-03-06"]),
        ("/api/v1/treaties/ccm/counts?on=2025-03-06", ["counts", "ccm", "--on", "2025-03-06"]),
        ("/api/v1/treaties/ccm/roll?on=2025-03-05", ["roll", "ccm", "--on", "2025-03-05"]),
        (
            "/api/v1/treaties/apmbt/roll?on=2026-02-20&status=withdrawing,withdrawn",
            ["roll", "apmbt", "--on", "2026-02-20", "--status", "withdrawing,withdrawn"],
        ),
        (
            "/api/v1/treaties/ccm/status?state=Lithuania&state=FRA&on=2025-03-05&explain=true",
            ["status", "ccm", "Lithuania", "FRA", "--on", "2025-03-05", "--explain"],
        ),
        ("/api/v1/treaties/ccm/states/LTU/timeline", ["timeline", "ccm", "LTU"]),
        (
            "/api/v1/treaties/ccm/changes?since=2024-01-01&until=2025-12-31",
            ["changes", "ccm", "--since", "2024-01-01", "--until", "2025-12-31"],
        ),
        (
            "/api/v1/treaties/ccm/deadlines?on=2025-03-05&within=12m",
            ["deadlines", "ccm", "--on", "2025-03-05", "--within", "12m"],
        ),
        (
            "/api/v1/treaties/ccm/deadlines?on=2025-03-05&overdue=true",
            ["deadlines", "ccm", "--on", "2025-03-05", "--overdue"],
        ),
        (
            "/api/v1/treaties/ccm/states/BGR/obligations?on=2015-01-01",
            ["obligations", "ccm", "BGR", "--on", "2015-01-01"],
        ),
        (
            f"/api/v1/meetings/{MEETING}/reactions?by=regional_group",
            ["reactions", MEETING, "--by", "regional_group"],
        ),
        (
            f"/api/v1/meetings/{MEETING}/reactions?denominator=parties&national_only=true",
            ["reactions", MEETING, "--denominator", "parties", "--national-only"],
        ),
        ("/api/v1/meetings", ["meetings", "list"]),
        ("/api/v1/sources", ["sources"]),
    ],
)
def test_api_answers_what_the_cli_prints_as_json(
    client: TestClient,
    web_db: str,
    capsys: pytest.CaptureFixture[str],
    path: str,
    cli: list[str],
) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == cli_json(capsys, web_db, *cli)


def test_state_endpoint_is_one_status_row_with_its_explanation(client: TestClient) -> None:
    before = client.get("/api/v1/treaties/ccm/states/LTU?on=2025-03-05").json()
    after = client.get("/api/v1/treaties/ccm/states/Lithuania?on=2025-03-06").json()
    assert (before["status"], after["status"]) == ("withdrawing", "withdrawn")
    assert before["effective"] == "2025-03-06" and before["notified"] == "2024-09-06"
    assert before["explanation"]["rule"].startswith("art. 20(2)")
    assert "receipt 2024-09-06 + 6 months → 2025-03-06" in before["explanation"]["arithmetic"]


def test_counts_reproduce_the_reference_counts(client: TestClient) -> None:
    got = client.get("/api/v1/treaties/ccm/counts?on=2025-03-06").json()
    assert (got["parties"], got["signatories"], got["withdrawn"], got["states"]) == (
        111,
        12,
        1,
        197,
    )


def test_dates_default_to_today_and_accept_the_word_today(client: TestClient) -> None:
    plain = client.get("/api/v1/treaties/ccm/counts").json()
    word = client.get("/api/v1/treaties/ccm/counts?on=today").json()
    assert plain == word and plain["date"] == TODAY.isoformat()


def test_state_across_treaties_and_states_list(client: TestClient) -> None:
    ltu = client.get("/api/v1/states/LTU?on=2025-12-27").json()
    by_treaty = {t["treaty"]: t["status"] for t in ltu["treaties"]}
    assert by_treaty["apmbt"] == by_treaty["ccm"] == "withdrawn"
    assert by_treaty["cwc"] == "party" and by_treaty["ctbt"] == "consented"  # not in force
    from normwatch.catalog import all_treaties

    assert set(by_treaty) == set(all_treaties())
    states = client.get("/api/v1/states").json()
    assert len(states) == 197 and {"code", "alpha2", "name", "aliases"} <= set(states[0])


def test_treaty_endpoint_names_the_articles(client: TestClient) -> None:
    ccm = client.get("/api/v1/treaties/CCM").json()
    assert ccm["id"] == "ccm" and ccm["rules"]["withdrawal"].startswith("art. 20(2)")


def test_meeting_statements_and_codings(client: TestClient) -> None:
    meeting = client.get(f"/api/v1/meetings/{MEETING}").json()
    assert meeting["meeting"]["id"] == MEETING and len(meeting["statements"]) == 3
    with_text = client.get(f"/api/v1/meetings/{MEETING}/statements?text=true").json()
    assert "<script>" in with_text[0]["text"]  # JSON carries the text as it is
    codings = client.get(f"/api/v1/meetings/{MEETING}/codings?codebook=withdrawal-reaction")
    assert {c["code"] for c in codings.json()} == {"concern", "call_to_reconsider", "mention"}


def test_roll_as_csv(client: TestClient) -> None:
    response = client.get("/api/v1/treaties/ccm/roll?on=2025-03-05&status=withdrawing&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("state,name,treaty,date,status") and len(lines) == 2
    assert lines[1].startswith("LTU,Lithuania,ccm,2025-03-05,withdrawing")
    assert response.headers["content-disposition"] == (
        'attachment; filename="ccm-roll-2025-03-05.csv"'
    )


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/treaties/ccm/states/Atlantis", 404, "unknown_state"),
        ("/api/v1/treaties/ccm/status?state=LTU&state=Narnia", 404, "unknown_state"),
        ("/api/v1/states/XX", 404, "unknown_state"),
        ("/api/v1/treaties/ccm/counts?on=2025-13-01", 400, "invalid_date"),
        ("/api/v1/treaties/ccm/counts?on=2025-03", 400, "invalid_date"),
        ("/api/v1/treaties/ccm/roll?on=yesterday", 400, "invalid_date"),
        ("/api/v1/treaties/ccm/roll?on=9999-12-31", 400, "invalid_date"),
        (
            "/api/v1/treaties/ccm/changes?since=2025-01-01&until=2024-01-01",
            400,
            "invalid_parameter",
        ),
        ("/api/v1/treaties/ccm/roll?status=member", 400, "invalid_parameter"),
        ("/api/v1/treaties/ccm/roll?format=xml", 422, "invalid_parameter"),
        ("/api/v1/treaties/ccm/roll?explain=maybe", 422, "invalid_parameter"),
        ("/api/v1/treaties/ccm/status", 422, "invalid_parameter"),
        ("/api/v1/treaties/nwt/counts", 404, "not_found"),
        ("/api/v1/treaties/ccm/deadlines?within=soon", 400, "invalid_parameter"),
        ("/api/v1/treaties/ccm/deadlines?within=99999999y", 400, "invalid_parameter"),
        ("/api/v1/meetings/ccm-99msp", 404, "not_found"),
        (f"/api/v1/meetings/{MEETING}/reactions?codebook=../../etc/passwd", 404, "not_found"),
        (f"/api/v1/meetings/{MEETING}/reactions?denominator=everyone", 400, "invalid_parameter"),
        ("/api/v1/nothing-here", 404, "not_found"),
        ("/feeds/changes.atom?treaty=nwt", 404, "not_found"),
        ("/feeds/deadlines.ics?state=Atlantis", 404, "unknown_state"),
        ("/data/..%2F..%2Fetc%2Fpasswd", 404, "not_found"),
        ("/data/secrets.csv", 404, "not_found"),
    ],
)
def test_bad_requests_get_the_one_error_shape(
    client: TestClient, path: str, status: int, code: str
) -> None:
    assert_error(client.get(path), status, code)


def test_writes_are_refused_with_the_error_shape(client: TestClient) -> None:
    body = assert_error(client.post("/api/v1/treaties/ccm/counts"), 405, "method_not_allowed")
    assert "read-only" in body["error"]["message"]
    assert_error(client.delete("/api/v1/treaties"), 405, "method_not_allowed")


def test_an_unexpected_failure_is_a_500_without_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from normwatch.service import status as queries

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals at /srv/normwatch")

    monkeypatch.setattr(queries, "counts", broken)
    response = client.get("/api/v1/treaties/ccm/counts?on=1999-01-01")
    body = assert_error(response, 500, "internal_error")
    assert "secret" not in response.text and "/srv" not in body["error"]["message"]


# -- headers, caching, freshness -------------------------------------------------------------


def test_security_headers_on_every_answer(client: TestClient) -> None:
    for path in ("/", "/api/v1/treaties", "/api/v1/nothing", "/feeds/changes.atom"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert "script-src" not in csp  # no script of any origin
        assert headers["x-content-type-options"] == "nosniff"


def test_answers_are_gzipped_and_revalidated_with_etags(client: TestClient) -> None:
    first = client.get(
        "/api/v1/treaties/ccm/roll?on=2025-03-05", headers={"accept-encoding": "gzip"}
    )
    assert first.headers["content-encoding"] == "gzip"
    etag = first.headers["etag"]
    again = client.get(
        "/api/v1/treaties/ccm/roll?on=2025-03-05",
        headers={"if-none-match": etag, "accept-encoding": "identity"},
    )
    assert again.status_code == 304 and again.content == b""
    raw = client.get(
        "/api/v1/treaties/ccm/roll?on=2025-03-05", headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in raw.headers
    assert json.loads(raw.content) == first.json()
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/treaties/ccm?on=2025-03-05",
        "/api/v1/treaties/ccm/counts",
        "/feeds/changes.atom",
        "/data/states.csv",
        "/static/style.css",
    ],
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    get = client.get(path, headers={"accept-encoding": "identity"})
    head = client.head(path, headers={"accept-encoding": "identity"})
    assert (head.status_code, head.content) == (200, b"")
    for name in (
        "content-type",
        "content-length",
        "etag",
        "cache-control",
        "content-security-policy",
    ):
        assert head.headers[name] == get.headers[name], name
    assert int(head.headers["content-length"]) == len(get.content)


def test_unknown_query_parameters_make_no_new_cache_entries(client: TestClient) -> None:
    cache = client.app.state.site._cache  # type: ignore[attr-defined]
    paths = [
        "/treaties/ccm?on=2025-03-05",
        "/api/v1/treaties/ccm/counts?on=2025-03-05",
        "/meetings/ccm-12msp",
    ]
    pages = [client.get(p).text for p in paths]
    size = len(cache)
    for i in range(5):
        for path, page in zip(paths, pages, strict=True):
            assert client.get(f"{path}{'&' if '?' in path else '?'}x={i}").text == page
        client.get(f"/treaties/ccm?on=2025-03-05&sort=bogus{i}")  # an unknown sort: by name
    assert len(cache) == size


def test_data_files_are_revalidated_and_static_files_cached(client: TestClient) -> None:
    first = client.get("/data/states.csv")
    assert first.headers["content-disposition"] == 'attachment; filename="states.csv"'
    again = client.get("/data/states.csv", headers={"if-none-match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    other = client.get("/data/states.csv", headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "max-age=86400" in css.headers["cache-control"]


def test_the_app_sees_data_written_by_another_process(tmp_path: Path) -> None:
    from normwatch.core.dates import PartialDate
    from normwatch.core.model import Action, ActionKind, Source
    from normwatch.store.db import open_store
    from normwatch.store.facts import write_action

    db = make_web_db(tmp_path)
    with TestClient(web_app(db, check_every=0.0)) as c:  # type: ignore[arg-type]
        before = c.get("/api/v1/treaties/ccm/counts?on=2026-01-01").json()
        writer = open_store(db)  # another Store object, as a CLI import would be
        with writer.transaction() as conn:
            write_action(
                conn,
                Action(
                    "ccm",
                    "USA",
                    ActionKind.SIGNATURE,
                    PartialDate.parse("2025-06-01"),
                    (Source("https://example.org/test-signature"),),
                ),
            )
        after = c.get("/api/v1/treaties/ccm/counts?on=2026-01-01").json()
    assert after["signatories"] == before["signatories"] + 1


def test_openapi_lists_every_endpoint_with_the_error_shape(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/treaties",
        "/api/v1/treaties/{treaty}/counts",
        "/api/v1/treaties/{treaty}/roll",
        "/api/v1/treaties/{treaty}/states/{state}",
        "/api/v1/treaties/{treaty}/deadlines",
        "/api/v1/meetings/{meeting}/reactions",
        "/feeds/changes.atom",
        "/feeds/deadlines.ics",
    } <= paths
    counts = spec["paths"]["/api/v1/treaties/{treaty}/counts"]["get"]["responses"]
    assert counts["400"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorBody")
    docs = client.get("/api/v1/docs").text
    for path in paths:
        assert path.replace("{", "").replace("}", "") in docs.replace("{", "").replace("}", "")


def test_feeds_are_valid_atom_and_icalendar(client: TestClient) -> None:
    import icalendar
    from defusedxml import ElementTree

    atom = client.get("/feeds/changes.atom?treaty=ccm")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ElementTree.fromstring(atom.content)
    entries = root.findall("a:entry", ns)
    assert root.find("a:id", ns) is not None and root.find("a:updated", ns) is not None
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert "Lithuania: withdrawing → withdrawn (CCM)" in titles
    assert all(
        e.find("a:id", ns) is not None and e.find("a:updated", ns) is not None for e in entries
    )
    ics = client.get("/feeds/deadlines.ics?treaty=ccm")
    assert ics.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(ics.content)
    events = [c for c in cal.walk("VEVENT")]
    assert events and all(c.decoded("DTSTART") >= TODAY for c in events)
    both = icalendar.Calendar.from_ical(client.get("/feeds/deadlines.ics").content)
    from normwatch.catalog import all_treaties, obligation_rules

    each = 0
    for treaty in all_treaties():
        if obligation_rules(treaty):  # ccm, apmbt, att, tpnw
            one = client.get(f"/feeds/deadlines.ics?treaty={treaty}").content
            each += len(list(icalendar.Calendar.from_ical(one).walk("VEVENT")))
    assert len(list(both.walk("VEVENT"))) == each


def test_date_bounds() -> None:
    from normwatch.web.site import DateParamError, parse_day

    today = dt.date(2026, 3, 1)
    assert parse_day(None, today) == today and parse_day(" 2025-03-05 ", today) == dt.date(
        2025, 3, 5
    )
    for bad in ("1899-12-31", "2200-01-01", "2025-02-30", "05/03/2025"):
        with pytest.raises(DateParamError):
            parse_day(bad, today)


def test_serve_command_runs_uvicorn_on_the_given_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    db = tmp_path / "served.sqlite"
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--db", str(db), "--host", "127.0.0.1", "--port", "8123"])
    assert exc.value.code == 0
    ((app, kwargs),) = calls
    assert (kwargs["host"], kwargs["port"]) == ("127.0.0.1", 8123)
    assert app.state.site.store.url.endswith("served.sqlite") and db.is_file()
    assert "http://127.0.0.1:8123/" in capsys.readouterr().err


@pytest.mark.parametrize(
    "path", ["/api/v1/treaties", "/api/v1/openapi.json", "/data/datapackage.json"]
)
def test_the_api_and_data_files_may_be_read_from_any_origin(client: TestClient, path: str) -> None:
    for method in ("GET", "HEAD"):
        response = client.request(method, path, headers={"Origin": "https://example.org"})
        assert response.status_code == 200, (method, path)
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    "path", ["/", "/data", "/api/v1/docs", "/treaties/ccm", "/feeds/changes.atom"]
)
def test_pages_and_feeds_send_no_cors_header(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_a_preflight_for_get_on_the_api_is_answered(client: TestClient) -> None:
    response = client.options(
        "/api/v1/treaties",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "POST" not in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("path", "method"), [("/api/v1/treaties", "POST"), ("/api/v1/treaties", "DELETE"), ("/", "GET")]
)
def test_a_preflight_for_writing_or_for_a_page_is_not_granted(
    client: TestClient, path: str, method: str
) -> None:
    response = client.options(
        path, headers={"Origin": "https://example.org", "Access-Control-Request-Method": method}
    )
    assert response.status_code != 204
    assert "access-control-allow-origin" not in response.headers
