"""Bringing a meeting's statement files in through the browser (reviewer or above): upload the
files, see the plan proposed for them, correct the speakers it could not resolve, confirm.

The same two steps as ``normwatch meetings import-files`` and the same service
(:mod:`normwatch.service.meeting_files`): the proposal writes nothing to the store; the
uploaded files and their plan wait in an upload folder of the server
(:mod:`normwatch.service.uploads`) until the reviewer confirms (the statements are imported in
one transaction, journalled) or drops them. Every form carries the session's CSRF token;
nothing here is cached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from normwatch.errors import DataError, SourceError
from normwatch.service.accounts import User
from normwatch.sources.meetings.texts import SUFFIXES
from normwatch.web import auth
from normwatch.web.deps import get_site
from normwatch.web.routers.team import NO_STORE, Viewer, _changed, _refused

pages = APIRouter(include_in_schema=False)

ROLE = "reviewer"


def _may_import(request: Request, user: User, meeting: str, tried: str) -> Response | None:
    """None when ``user`` may bring statements in; else the page saying which role it needs."""
    if user.can(ROLE):
        return None
    return _refused(
        request,
        user,
        403,
        heading="your role may not bring statements in",
        reason=f"{user.name} is a {user.role}: uploading a meeting's statement files needs the "
        f"reviewer role or above (an admin gives it: normwatch users set-role {user.name} "
        "reviewer).",
        tried=tried,
        back=f"/meetings/{quote(meeting)}",
    )


def _page(
    request: Request, user: User, csrf: str, m: dict[str, Any], status: int = 200, **context: Any
) -> Response:
    from normwatch.service.uploads import MAX_FILES, total_limit
    from normwatch.web.routers.pages import render

    html = render(
        "import.html",
        request,
        title=f"Bring statements in: {m['name']}",
        m=m,
        user=user,
        csrf=csrf,
        suffixes=", ".join(SUFFIXES),
        max_files=MAX_FILES,
        max_bytes=total_limit()[0],
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def _session(request: Request) -> str:
    found = auth.current(request)
    return (found[1] if found else None) or ""


@pages.get("/meetings/{meeting}/import")
def upload_form(request: Request, meeting: str) -> Response:
    from normwatch.store.meetings import get_meeting

    found = auth.current(request)
    if found is None:
        target = quote(f"/meetings/{meeting}/import")
        return RedirectResponse(f"/login?next={target}", status_code=303, headers=NO_STORE)
    user = found[0]
    refused = _may_import(request, user, meeting, f"bring statement files into {meeting}")
    if refused is not None:
        return refused
    m = get_meeting(get_site(request).store, meeting)
    return _page(request, user, found[1] or "", m)


@pages.post("/meetings/{meeting}/import")
def upload(
    request: Request,
    user: Viewer,
    meeting: str,
    files: Annotated[list[UploadFile] | None, File()] = None,
    agenda: Annotated[UploadFile | None, File()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Keep the sent files and propose a plan for them (the store is only read)."""
    sent = [f for f in files or [] if f.filename or f.size]
    from normwatch.service.meeting_files import propose_files
    from normwatch.service.uploads import new_upload, save, save_agenda
    from normwatch.store.meetings import get_meeting

    auth.check_csrf(request, csrf)
    refused = _may_import(request, user, meeting, f"bring {len(sent)} files into {meeting}")
    if refused is not None:
        return refused
    store = get_site(request).store
    m = get_meeting(store, meeting)
    kept = new_upload(m["id"], user.name)
    try:
        save(kept, [(f.filename, f.file) for f in sent])
        given = save_agenda(kept, agenda.file) if agenda is not None and agenda.filename else None
        propose_files(store, kept.files, m["id"], plan=kept.plan, agenda=given)
    except (DataError, SourceError) as exc:
        kept.discard()
        error = str(exc).replace(f"{kept.files}/", "").replace(str(kept.path), "the upload")
        return _page(request, user, csrf, m, status=400, error=error)
    return RedirectResponse(
        f"/meetings/{quote(m['id'])}/import/{kept.id}", status_code=303, headers=NO_STORE
    )


def _plan_page(
    request: Request,
    user: User,
    csrf: str,
    m: dict[str, Any],
    upload_id: str,
    plan: Path,
    status: int = 200,
    problems: list[str] | None = None,
) -> Response:
    from normwatch.service.meeting_files import read_plan_rows

    rows: list[dict[str, Any]] = list(read_plan_rows(plan))
    by_row: dict[int, list[str]] = {}
    general: list[str] = []
    for problem in problems or []:
        # "PLAN:LINE: field: message": under the row of that line (the header is line 1)
        head, _, rest = problem.partition(": ")
        where = head.rsplit(":", 1)
        if head.startswith(str(plan)) and len(where) == 2 and where[1].isdigit():
            by_row.setdefault(int(where[1]) - 2, []).append(rest)
        else:
            general.append(problem.replace(str(plan.parent), "the upload"))
    for i, row in enumerate(rows):
        row["problems"] = by_row.get(i, [])
        row["unresolved_list"] = [u for u in row["unresolved"].split("; ") if u]
    return _page(
        request,
        user,
        csrf,
        m,
        status=status,
        upload_id=upload_id,
        rows=rows,
        problems=general,
        refused=bool(problems),
    )


@pages.get("/meetings/{meeting}/import/{upload_id}")
def plan_page(request: Request, user: Viewer, meeting: str, upload_id: str) -> Response:
    from normwatch.service.uploads import open_upload
    from normwatch.store.meetings import get_meeting

    refused = _may_import(request, user, meeting, f"see the plan of an upload for {meeting}")
    if refused is not None:
        return refused
    m = get_meeting(get_site(request).store, meeting)
    kept = open_upload(upload_id, m["id"], user.name)
    return _plan_page(request, user, _session(request), m, kept.id, kept.plan)


@pages.post("/meetings/{meeting}/import/{upload_id}")
def confirm(
    request: Request,
    user: Viewer,
    meeting: str,
    upload_id: str,
    file: Annotated[list[str], Form()],
    speaker: Annotated[list[str], Form()],
    action: Annotated[list[str], Form()],
    csrf: Annotated[str, Form()] = "",
    drop: Annotated[str, Form()] = "",
) -> Response:
    """Import the plan as the reviewer corrected it, or drop the upload; a plan with problems
    comes back with each problem under its row, and nothing is written."""
    from normwatch.service.meeting_files import confirm_files, edit_plan
    from normwatch.service.uploads import open_upload
    from normwatch.sources.meetings.importer import MeetingImportError
    from normwatch.store.meetings import get_meeting
    from normwatch.web.routers.pages import render

    auth.check_csrf(request, csrf)
    refused = _may_import(request, user, meeting, f"import an upload into {meeting}")
    if refused is not None:
        return refused
    store = get_site(request).store
    m = get_meeting(store, meeting)
    kept = open_upload(upload_id, m["id"], user.name)
    if drop:
        kept.discard()
        return RedirectResponse(
            f"/meetings/{quote(m['id'])}/import", status_code=303, headers=NO_STORE
        )
    if not len(file) == len(speaker) == len(action):
        raise DataError("the form's rows are incomplete: reload the plan")
    rows = zip(file, speaker, action, strict=True)
    edit_plan(kept.plan, {f: {"speaker": s, "action": a} for f, s, a in rows})
    names = ", ".join(file)
    try:
        report = confirm_files(
            store,
            kept.files,
            m["id"],
            kept.plan,
            label=f"upload by {user.name} into {m['id']}: {names}",
        )
    except DataError as exc:
        problems = exc.problems if isinstance(exc, MeetingImportError) else [str(exc)]
        return _plan_page(request, user, csrf, m, kept.id, kept.plan, status=400, problems=problems)
    kept.discard()
    _changed(request)
    html = render(
        "import_done.html",
        request,
        title=f"Statements brought in: {m['name']}",
        m=m,
        report=report,
        user=user,
    )
    return HTMLResponse(html, headers=NO_STORE)
