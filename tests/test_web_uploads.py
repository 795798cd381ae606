"""The upload form of a meeting's statement files (reviewer or above): the same two steps and
the same service as ``normwatch meetings import-files``; nothing is written to the store until
the reviewer confirms; CSRF, roles, size limits and escaping checked on the real app."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from normwatch.store.db import open_store
from team_support import form_token, log_in
from test_import_files import docx_file, text_pdf
from test_web_support import MEETING, SCRIPT, web_app

FORM = f"/meetings/{MEETING}/import"
INVENTED = "INVENTED STATEMENT, written for normwatch's tests; not said by anyone."


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setenv("NORMWATCH_UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def browser(team_db: str, uploads: Path) -> Iterator[TestClient]:
    with TestClient(web_app(team_db), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c


@pytest.fixture
def files(tmp_path: Path) -> dict[str, bytes]:
    """Statement files as a document site publishes them: TXT, DOCX and PDF, in English,
    French and Spanish; one names no one."""
    d = tmp_path / "made"
    d.mkdir()
    docx_file(
        d / "Intervencion-12MSP.docx",
        [
            "DECLARACIÓN INVENTADA para las pruebas de normwatch; no la pronunció nadie.",
            "Intervención de México sobre la asistencia a las víctimas",
            "Señor Presidente, la asistencia a las víctimas es una prioridad de todos los "
            "Estados Partes de la Convención.",
        ],
    )
    text_pdf(
        d / "Statement_Norway_EN.pdf",
        [[INVENTED, "Madam President, we regret the withdrawal from the Convention."]],
    )
    out = {p.name: p.read_bytes() for p in d.iterdir()}
    out["Declaration_Allemagne.txt"] = (
        "DÉCLARATION INVENTÉE pour les tests de normwatch ; prononcée par personne.\n\n"
        "Déclaration de l'Allemagne\n\nMonsieur le Président, l'Allemagne appelle tous les "
        "États à adhérer à la Convention dans les meilleurs délais.\n"
    ).encode()
    out["statement_17.txt"] = (
        f"{INVENTED}\n\nMr. President, we share the concerns expressed by many delegations "
        "about the withdrawal of Lithuania from the Convention.\n"
    ).encode()
    return out


def kept(uploads: Path) -> list[Path]:
    """The upload folders on the server."""
    return sorted(uploads.iterdir()) if uploads.exists() else []


def statements(db: str) -> list[dict[str, Any]]:
    return open_store(db).query(
        "SELECT local_id, speaker, language FROM statements WHERE meeting_id = :m "
        "ORDER BY local_id",
        {"m": MEETING},
    )


def send(client: TestClient, csrf: str, files: dict[str, bytes], **extra: Any) -> Any:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files.items()]
    return client.post(FORM, data={"csrf": csrf, **extra}, files=parts, follow_redirects=False)


def plan_rows(page: str) -> dict[str, dict[str, str]]:
    """The plan form's rows: file → its speaker input and chosen action."""
    import re

    out = {}
    for row in page.split('<tr id="file-')[1:]:
        file = re.search(r'name="file" value="([^"]*)"', row)
        speaker = re.search(r'name="speaker" value="([^"]*)"', row)
        action = re.search(r'<option value="(\w+)" selected', row)
        assert file and speaker and action
        out[html_unescape(file[1])] = {"speaker": speaker[1], "action": action[1], "row": row}
    return out


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def confirm_form(
    csrf: str, rows: dict[str, dict[str, str]], **changed: dict[str, str]
) -> dict[str, Any]:
    data: dict[str, Any] = {"csrf": csrf, "file": [], "speaker": [], "action": []}
    for file, row in rows.items():
        row = {**row, **changed.get(file, {})}
        for key, value in (("file", file), ("speaker", row["speaker"]), ("action", row["action"])):
            data[key].append(value)
    return data


def test_a_reviewer_uploads_checks_the_plan_corrects_a_speaker_and_confirms(
    browser: TestClient, team_db: str, uploads: Path, files: dict[str, bytes]
) -> None:
    before = statements(team_db)
    csrf = log_in(browser, "rita")
    assert f'href="{FORM}"' in browser.get(f"/meetings/{MEETING}/coding").text
    form = browser.get(FORM)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    r = send(browser, form_token(form.text), files)
    assert r.status_code == 303, r.text
    plan_url = r.headers["location"]
    assert statements(team_db) == before  # proposing writes nothing to the store
    page = browser.get(plan_url)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    rows = plan_rows(page.text)
    assert set(rows) == set(files)
    assert rows["Declaration_Allemagne.txt"]["speaker"] == "DEU"  # a French name
    assert rows["Intervencion-12MSP.docx"]["speaker"] == "MEX"
    assert rows["Statement_Norway_EN.pdf"]["speaker"] == "NOR"
    unresolved = rows["statement_17.txt"]
    assert unresolved["action"] == "check" and unresolved["speaker"] == ""
    assert "Could not resolve" in unresolved["row"] and "speaker" in unresolved["row"]
    assert "line 2" in rows["Declaration_Allemagne.txt"]["row"]  # the evidence
    # confirming with the row still to check: refused under its row, nothing written
    refused = browser.post(plan_url, data=confirm_form(csrf, rows), follow_redirects=False)
    assert refused.status_code == 400
    assert (
        "statement_17.txt is still to check" in plan_rows(refused.text)["statement_17.txt"]["row"]
    )
    assert statements(team_db) == before
    # a speaker the registry does not know: refused too, naming it
    wrong = confirm_form(
        csrf, rows, **{"statement_17.txt": {"speaker": "Atlantis", "action": "import"}}
    )
    refused = browser.post(plan_url, data=wrong, follow_redirects=False)
    assert refused.status_code == 400 and "Atlantis" in refused.text
    assert statements(team_db) == before
    # corrected in the form and confirmed
    fixed = confirm_form(
        csrf, rows, **{"statement_17.txt": {"speaker": "Kenya", "action": "import"}}
    )
    done = browser.post(plan_url, data=fixed, follow_redirects=False)
    assert done.status_code == 200, done.text
    assert "4 statements new" in done.text
    added = {s["local_id"]: s for s in statements(team_db)}
    assert added["statement_17"]["speaker"] == "KEN"
    assert added["Declaration_Allemagne"]["speaker"] == "DEU"
    assert added["Declaration_Allemagne"]["language"] == "fr"
    assert len(added) == len(before) + 4
    assert kept(uploads) == []  # the upload is removed once imported
    journal = open_store(team_db).query("SELECT * FROM import_journal ORDER BY id DESC")
    assert "upload by rita" in str(journal[0])
    assert browser.get(plan_url).status_code == 404  # and cannot be confirmed twice


def test_the_web_proposes_the_plan_the_command_line_proposes(
    browser: TestClient, team_db: str, uploads: Path, files: dict[str, bytes], tmp_path: Path
) -> None:
    from normwatch.service.meeting_files import propose_files

    log_in(browser, "rita")
    r = send(browser, form_token(browser.get(FORM).text), files)
    assert r.status_code == 303
    [upload] = kept(uploads)
    folder = tmp_path / "cli"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    cli = propose_files(open_store(team_db), folder, MEETING, plan=tmp_path / "cli-plan.csv")
    assert (upload / "plan.csv").read_text("utf-8") == (tmp_path / "cli-plan.csv").read_text(
        "utf-8"
    )
    assert len(cli.unresolved) == 1


def test_dropping_an_upload_removes_its_files_and_writes_nothing(
    browser: TestClient, team_db: str, uploads: Path, files: dict[str, bytes]
) -> None:
    before = statements(team_db)
    csrf = log_in(browser, "rita")
    plan_url = send(browser, form_token(browser.get(FORM).text), files).headers["location"]
    rows = plan_rows(browser.get(plan_url).text)
    r = browser.post(
        plan_url, data={**confirm_form(csrf, rows), "drop": "1"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == FORM
    assert kept(uploads) == [] and statements(team_db) == before


def test_only_a_reviewer_or_admin_may_upload_and_anonymous_is_sent_to_log_in(
    browser: TestClient, team_db: str, uploads: Path, files: dict[str, bytes]
) -> None:
    r = browser.get(FORM, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert send(browser, "", files).status_code == 401
    for name in ("vic", "carol"):
        csrf = log_in(browser, name)
        page = browser.get(FORM)
        assert page.status_code == 403 and "needs the reviewer role" in page.text
        r = send(browser, csrf, files)
        assert r.status_code == 403 and f"{name} is a" in r.text
    assert kept(uploads) == []
    from normwatch.service import accounts

    accounts.add_user(open_store(team_db), "ada", "admin", "ada-password-1")
    token = form_token(browser.get("/login").text)
    browser.post("/login", data={"name": "ada", "password": "ada-password-1", "csrf": token})
    assert browser.get(FORM).status_code == 200


def test_an_upload_without_its_csrf_token_is_refused_and_nothing_is_kept(
    browser: TestClient, uploads: Path, files: dict[str, bytes]
) -> None:
    csrf = log_in(browser, "rita")
    for sent in ("", "not-the-token", csrf[:-1]):
        r = send(browser, sent, files)
        assert r.status_code == 403 and "CSRF" in r.text
    assert kept(uploads) == []


def test_another_person_s_upload_or_a_made_up_one_is_not_found(
    team_db: str, uploads: Path, files: dict[str, bytes]
) -> None:
    with TestClient(web_app(team_db)) as rita, TestClient(web_app(team_db)) as other:  # type: ignore[arg-type]
        log_in(rita, "rita")
        plan_url = send(rita, form_token(rita.get(FORM).text), files).headers["location"]
        from normwatch.service import accounts

        accounts.add_user(open_store(team_db), "rhea", "reviewer", "rhea-password-1")
        token = form_token(other.get("/login").text)
        other.post("/login", data={"name": "rhea", "password": "rhea-password-1", "csrf": token})
        assert other.get(plan_url).status_code == 404
        assert other.get(f"{FORM}/{'A' * 22}").status_code == 404
        assert other.get(f"{FORM}/..%2F..%2Fetc").status_code == 404
        assert rita.get(plan_url).status_code == 200


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"setup.exe": b"MZ"}, "setup.exe: not a statement file"),
        ({".hidden.txt": b"text"}, "not a name a file can be kept under"),
        ({}, "no file sent"),
        ({"": b""}, "files"),  # an empty file field (a form sent without a file)
    ],
)
def test_bad_files_are_refused_naming_them_and_nothing_is_kept(
    browser: TestClient, uploads: Path, sent: dict[str, bytes], message: str
) -> None:
    log_in(browser, "rita")
    csrf = form_token(browser.get(FORM).text)
    parts = [("files", (n, d, "text/plain")) for n, d in sent.items()]
    r = browser.post(FORM, data={"csrf": csrf}, files=parts or None, follow_redirects=False)
    assert r.status_code in (400, 422) and message in r.text
    assert kept(uploads) == []


def test_a_path_in_a_file_name_is_dropped_and_a_name_sent_twice_refused(
    browser: TestClient, uploads: Path, files: dict[str, bytes]
) -> None:
    log_in(browser, "rita")
    csrf = form_token(browser.get(FORM).text)
    body = files["statement_17.txt"]
    r = send(browser, csrf, {"../../outside.txt": body})
    assert r.status_code == 303
    [folder] = kept(uploads)
    assert [p.name for p in (folder / "files").iterdir()] == ["outside.txt"]
    assert not (uploads.parent / "outside.txt").exists()
    parts = [("files", ("a.txt", body, "text/plain")), ("files", ("dir/a.txt", body, "text/plain"))]
    r = browser.post(FORM, data={"csrf": csrf}, files=parts, follow_redirects=False)
    assert r.status_code == 400 and "a.txt: sent twice" in r.text


def test_size_limits_a_file_over_the_input_limit_and_an_upload_over_the_total(
    browser: TestClient, uploads: Path, files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(browser, "rita")
    csrf = form_token(browser.get(FORM).text)
    monkeypatch.setenv("NORMWATCH_MAX_INPUT_BYTES", "100")
    r = send(browser, csrf, {"big.txt": b"x" * 101, "small.txt": b"Statement by Norway"})
    assert r.status_code == 400 and "big.txt: more than 100 bytes" in r.text
    assert kept(uploads) == []
    monkeypatch.delenv("NORMWATCH_MAX_INPUT_BYTES")
    monkeypatch.setenv("NORMWATCH_MAX_UPLOAD_BYTES", "5000")
    r = send(browser, csrf, {"huge.txt": b"x" * 6000})
    assert r.status_code == 413 and "over the limit of 5,000" in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert kept(uploads) == []


def test_names_and_texts_from_the_files_are_escaped_on_the_plan(
    browser: TestClient, uploads: Path
) -> None:
    csrf = log_in(browser, "rita")
    name = "<img src=x onerror=alert(1)>.txt"
    text = f"{INVENTED}\n\nStatement by {SCRIPT}\n\nMr. President, we regret it.\n".encode()
    r = send(browser, form_token(browser.get(FORM).text), {name: text})
    assert r.status_code == 303
    plan_url = r.headers["location"]
    page = browser.get(plan_url).text
    assert "<img src=x" not in page and SCRIPT not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    rows = plan_rows(page)
    typed = confirm_form(csrf, rows, **{name: {"speaker": SCRIPT, "action": "import"}})
    refused = browser.post(plan_url, data=typed, follow_redirects=False)
    assert refused.status_code == 400
    assert SCRIPT not in refused.text and "&lt;script&gt;" in refused.text
    assert "<script" not in refused.text


def test_an_agenda_given_with_the_files_sets_the_items(
    browser: TestClient, uploads: Path, files: dict[str, bytes]
) -> None:
    log_in(browser, "rita")
    csrf = form_token(browser.get(FORM).text)
    agenda = "item,title\n7,General exchange of views\n9,Victim assistance\n"
    parts = [("files", (n, d, "application/octet-stream")) for n, d in files.items()]
    parts.append(("agenda", ("agenda.csv", agenda.encode(), "text/csv")))
    r = browser.post(FORM, data={"csrf": csrf}, files=parts, follow_redirects=False)
    assert r.status_code == 303, r.text
    [folder] = kept(uploads)
    plan = {
        row["file"]: row
        for row in csv.DictReader(io.StringIO((folder / "plan.csv").read_text("utf-8")))
    }
    assert plan["Intervencion-12MSP.docx"]["agenda_item"] == "9. Victim assistance"
    bad = [*parts[:-1], ("agenda", ("agenda.csv", b"number,name\n1,x\n", "text/csv"))]
    r = browser.post(FORM, data={"csrf": csrf}, files=bad, follow_redirects=False)
    assert r.status_code == 400 and "agenda" in r.text
    assert len(kept(uploads)) == 1  # the refused one left nothing behind


def test_uploads_left_a_day_are_removed_at_the_next_one(uploads: Path) -> None:
    import os
    import time

    from normwatch.service.uploads import KEEP, new_upload, open_upload

    old = new_upload(MEETING, "rita")
    past = time.time() - KEEP - 60
    os.utime(old.path, (past, past))
    fresh = new_upload(MEETING, "rita")  # sweeps the old one
    assert kept(uploads) == [fresh.path]
    with pytest.raises(Exception, match="no upload"):
        open_upload(old.id, MEETING, "rita")
    assert open_upload(fresh.id, MEETING, "rita") == fresh
    with pytest.raises(Exception, match="no upload"):
        open_upload(fresh.id, "ccm-other-msp", "rita")  # for another meeting: not found


def test_anonymous_requests_to_the_plan_are_refused(browser: TestClient, uploads: Path) -> None:
    from normwatch.service.uploads import new_upload

    made = new_upload(MEETING, "rita")
    url = f"{FORM}/{made.id}"
    assert browser.get(url).status_code == 401
    r = browser.post(url, data={"file": "a", "speaker": "", "action": "skip", "drop": "1"})
    assert r.status_code == 401
    assert kept(uploads) == [made.path]
