"""Team coding on the web: log-in and log-out, ``/api/v1/me``, the coding page of a meeting
and the write endpoints (decisions on codes, double-coding assignments).

Nothing here is cached: every answer depends on who asks. Writes need an account: coder or
above for decisions, reviewer for double coding; anonymous writes get 401, a lower role 403,
a session's form without its CSRF token 403, a save over a statement changed meanwhile 409.
Pages work as plain HTML forms; the coding page adds a small self-hosted script for keys.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from normwatch.core.meetings import DEFAULT_CODEBOOK
from normwatch.errors import AuthError
from normwatch.service import accounts
from normwatch.service.accounts import User
from normwatch.web import auth
from normwatch.web.deps import MeetingPath, StatementPath, error_responses, get_site

router = APIRouter()
pages = APIRouter(include_in_schema=False)

#: the coding page runs its own script (keys, selection as evidence) and nothing else
CODING_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
NO_STORE = {"cache-control": "no-store"}

_WRITE = error_responses(400, 401, 403, 404, 422)


def _signed_in(role: str) -> Any:
    """A dependency: the user, if of ``role`` or above. It runs before the request body is
    read, so an anonymous write is a 401 whatever it sends."""

    def dependency(request: Request) -> User:
        return auth.authenticated(request, role)

    return Depends(dependency)


Viewer = Annotated[User, _signed_in("viewer")]
Coder = Annotated[User, _signed_in("coder")]
Reviewer = Annotated[User, _signed_in("reviewer")]


def _limiter(request: Request) -> auth.LoginLimiter:
    state = request.app.state
    if getattr(state, "login_limiter", None) is None:
        state.login_limiter = auth.LoginLimiter()
    limiter: auth.LoginLimiter = state.login_limiter
    return limiter


def _local(target: str | None) -> str:
    """A redirect target on this site only (no ``//host`` or scheme)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _changed(request: Request) -> None:
    """The data changed: drop the cached pages and answers now, not at the next check."""
    site = get_site(request)
    site.clear()
    site.store.invalidate()


# ---------------------------------------------------------------------------- log-in


@pages.get("/login")
def login_page(request: Request, next: str | None = None, error: str | None = None) -> Response:
    from normwatch.web.routers.pages import render

    token = auth.login_token(request)
    found = auth.current(request)
    html = render(
        "login.html",
        request,
        title="Log in",
        csrf=token,
        next=_local(next),
        error=error,
        user=found[0] if found else None,
        session_csrf=found[1] if found else None,
    )
    response = HTMLResponse(html, headers=NO_STORE)
    auth.set_cookie(request, response, auth.LOGIN_COOKIE, token, 3600)
    return response


@pages.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    auth.check_login_token(request, csrf)
    client = request.client.host if request.client else "?"
    keys = (f"ip:{client}", f"name:{name.casefold()}")
    limiter = _limiter(request)
    wait = limiter.wait(*keys)
    if wait > 0:
        raise HTTPException(
            429,
            f"too many failed log-ins: try again in {int(wait) + 1} s",
            headers={"retry-after": str(int(wait) + 1)},
        )
    try:
        user = accounts.authenticate(get_site(request).store, name, password)
    except AuthError:
        limiter.failed(*keys)
        target = f"/login?error=1&next={quote(_local(next))}"
        return RedirectResponse(target, status_code=303, headers=NO_STORE)
    response = RedirectResponse(_local(next), status_code=303, headers=NO_STORE)
    auth.start_session(request, response, user)
    return response


@pages.post("/logout")
def logout(request: Request, user: Viewer, csrf: Annotated[str, Form()] = "") -> Response:
    auth.check_csrf(request, csrf)
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    auth.end_session(request, response)
    return response


class MeOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: str = Field(description="viewer, coder, reviewer or admin")
    coder: str = Field(description="what the user's codings carry: human:NAME")


@router.get(
    "/api/v1/me",
    response_model=MeOut,
    summary="Who is asking",
    responses=error_responses(401),
)
def api_me(user: Viewer) -> Response:
    return JSONResponse(
        {"name": user.name, "role": user.role, "coder": user.coder}, headers=NO_STORE
    )


# ---------------------------------------------------------------------------- decisions


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    action: str = Field(description="accept (a suggestion), reject, or add (with evidence)")
    version: int = Field(description="the statement's version the decision was made on")
    codebook: str = DEFAULT_CODEBOOK
    evidence: str | None = Field(None, description="words of the statement the code rests on")


class DecisionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statement: str
    codebook: str
    code: str
    coder: str
    review_state: str
    result: str
    version: int = Field(description="the statement's version after the decision")


@router.post(
    "/api/v1/meetings/{meeting}/statements/{statement}/decisions",
    response_model=DecisionOut,
    summary="Accept, reject or add a code on a statement (coder or above)",
    responses={**_WRITE, **error_responses(409)},
)
def api_decide(
    request: Request,
    user: Coder,
    meeting: MeetingPath,
    statement: StatementPath,
    body: Annotated[DecisionIn, Body()],
) -> Response:
    from normwatch.service.review import decide

    auth.check_csrf(request, None)
    done = decide(
        get_site(request).store,
        f"{meeting}/{statement}",
        body.code,
        body.action,
        user,
        version=body.version,
        codebook=body.codebook,
        evidence=body.evidence,
    )
    _changed(request)
    return JSONResponse(done, headers=NO_STORE)


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codebook: str
    code: str
    coder: str
    actor: str = Field(description="who made the change: a person or an automatic coder")
    action: str = Field(description="created, changed or deleted")
    at: str
    old_review_state: str | None
    new_review_state: str | None
    old_evidence: str | None
    new_evidence: str | None
    revision: int


class HistoryOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statement: str
    codebook: str
    version: int = Field(description="the version a decision on the statement must name")
    history: list[HistoryEntry]


@router.get(
    "/api/v1/meetings/{meeting}/statements/{statement}/history",
    response_model=HistoryOut,
    summary="A statement's version (to decide on) and every change to its codings: who, "
    "when, what it replaced",
    responses=error_responses(401, 404, 422),
)
def api_history(
    request: Request,
    meeting: MeetingPath,
    statement: StatementPath,
    codebook: str = DEFAULT_CODEBOOK,
) -> Response:
    from normwatch.service.codings import find_statement
    from normwatch.service.review import current_version, history

    store = get_site(request).store
    row = find_statement(store, f"{meeting}/{statement}")
    return JSONResponse(
        {
            "statement": row["id"],
            "codebook": codebook,
            "version": current_version(store, row["id"], codebook),
            "history": history(store, row["id"], blind_for=_blind_for(request, row, codebook)),
        },
        headers=NO_STORE,
    )


def _blind_for(request: Request, statement: dict[str, Any], codebook: str) -> str | None:
    """Whose view of a statement's history is blind: the asking coder's (or anyone's, ``""``)
    while the statement's double coding waits for a coder; None when nothing is hidden."""
    from normwatch.service.double_coding import disagreements

    waiting = disagreements(get_site(request).store, statement["meeting_id"], codebook)["pending"]
    if statement["id"] not in {p["statement"] for p in waiting}:
        return None
    found = auth.current(request)
    return found[0].coder if found else ""


class DoubleCodingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    coders: list[str] = Field(min_length=2, max_length=2, description="two user names")
    codebook: str = DEFAULT_CODEBOOK
    share: float | None = Field(None, gt=0, le=1, description="a share of the statements")
    statements: list[str] | None = Field(None, description="or these statements (local ids)")


class DoubleCodingOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meeting: str
    codebook: str
    coders: list[str]
    statements: list[str]


@router.post(
    "/api/v1/meetings/{meeting}/double-coding",
    response_model=DoubleCodingOut,
    summary="Give a sample of statements to two coders, blind to each other (reviewer)",
    responses=_WRITE,
)
def api_double_coding(
    request: Request,
    user: Reviewer,
    meeting: MeetingPath,
    body: Annotated[DoubleCodingIn, Body()],
) -> Response:
    from normwatch.service.double_coding import assign

    auth.check_csrf(request, None)
    done = assign(
        get_site(request).store,
        meeting,
        body.coders,
        user,
        codebook=body.codebook,
        share=body.share,
        statements=body.statements,
    )
    _changed(request)
    return JSONResponse(done, headers=NO_STORE)


# ---------------------------------------------------------------------------- coding page


@pages.get("/meetings/{meeting}/coding")
def coding_page(
    request: Request,
    meeting: str,
    codebook: str | None = None,
    order: str = "agenda",
    code: str | None = None,
    speaker: str | None = None,
    group: str | None = None,
    all: str | None = None,
    error: str | None = None,
) -> Response:
    from normwatch.coding.codebook import load_codebook
    from normwatch.service.review import ORDERS, coding_queue, history
    from normwatch.store.meetings import get_meeting
    from normwatch.web.routers.api import checked_codebook
    from normwatch.web.routers.pages import evidence_spans, highlight, render, url

    found = auth.current(request)
    if found is None:
        target = quote(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        )
        return RedirectResponse(f"/login?next={target}", status_code=303, headers=NO_STORE)
    user = auth.authenticated(request, "coder")
    store = get_site(request).store
    m = get_meeting(store, meeting)
    book = load_codebook(checked_codebook(codebook))
    items = coding_queue(
        store,
        m["id"],
        user,
        codebook=book.id,
        order=order,
        code=code or None,
        speaker=speaker or None,
        group=group or None,
        reviewed=bool(all),
    )
    for item in items:
        text = item["statement"].get("text")
        shown = [c for c in item["codings"] if c["review_state"] != "rejected"]
        item["html"] = highlight(text, evidence_spans(text, shown)) if text else None
        item["history"] = history(
            store, item["statement"]["id"], blind_for=user.coder if item["blind"] else None
        )
        item["suggested"] = sorted(
            {c["code"] for c in item["codings"] if c["coder"].startswith("auto:")}
        )
        item["mine"] = {
            c["code"]: c["review_state"] for c in item["codings"] if c["coder"] == user.coder
        }
    params = {
        "codebook": book.id,
        "order": order,
        "code": code,
        "speaker": speaker,
        "group": group,
        "all": all,
    }
    html = render(
        "coding.html",
        request,
        title=f"Coding: {m['name']}",
        m=m,
        book=book,
        items=items,
        user=user,
        csrf=found[1],
        orders=ORDERS,
        params=params,
        back=url(f"/meetings/{m['id']}/coding", **params),
        error=error,
    )
    return HTMLResponse(html, headers={**NO_STORE, "content-security-policy": CODING_CSP})


@pages.post("/meetings/{meeting}/coding")
def coding_save(
    request: Request,
    user: Viewer,
    meeting: str,
    statement: Annotated[str, Form()],
    code: Annotated[str, Form()],
    action: Annotated[str, Form()],
    version: Annotated[int, Form()],
    codebook: Annotated[str, Form()] = DEFAULT_CODEBOOK,
    evidence: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """A decision from the coding page. Refused for a role below coder (403) or over a
    statement changed since the page was made (409), it answers a page saying why, naming
    what changed, with the codes as they are now and a button to decide again on them."""
    from normwatch.errors import ConflictError
    from normwatch.service.review import decide

    auth.check_csrf(request, csrf)
    local = statement.rsplit("/", 1)[-1]
    target = _local(back or f"/meetings/{meeting}/coding")
    tried = f"{action} {code.replace('_', ' ')} on statement {statement}"
    if not user.can("coder"):
        return _refused(
            request,
            user,
            403,
            heading="your role may not code",
            reason=f"{user.name} is a {user.role}: deciding on codes needs the coder role or "
            f"above (an admin gives it: normwatch users set-role {user.name} coder).",
            tried=tried,
            back=f"{target}#st-{quote(local)}",
        )
    store = get_site(request).store
    try:
        decide(
            store,
            statement,
            code,
            action,
            user,
            version=version,
            codebook=codebook,
            evidence=evidence or None,
        )
    except ConflictError as exc:
        fields = {
            "csrf": csrf,
            "statement": statement,
            "codebook": codebook,
            "code": code,
            "action": action,
            "version": str(exc.current),
            "evidence": evidence,
            "back": back,
        }
        return _refused(
            request,
            user,
            409,
            heading="the statement changed since you opened it",
            reason=f"Statement {statement} was at version {version} when your page was made; "
            f"it is at version {exc.current} now. Your decision was not applied over changes "
            "you have not seen.",
            tried=f"{tried} (version {version})",
            back=f"{target}#st-{quote(local)}",
            changes=list(exc.changes),
            codings=_codings_now(request, user, statement, codebook),
            retry={
                "action": f"/meetings/{quote(meeting)}/coding",
                "fields": fields,
                "label": f"{action} {code.replace('_', ' ')} on version {exc.current} anyway",
            },
        )
    _changed(request)
    return RedirectResponse(f"{target}#st-{quote(local)}", status_code=303, headers=NO_STORE)


def _codings_now(
    request: Request, user: User, statement: str, codebook: str
) -> list[dict[str, Any]]:
    """The statement's codings as ``user`` may see them now (blind while double-coding)."""
    from normwatch.service.codings import find_statement, meeting_codings
    from normwatch.service.review import blind_statements, hide_from

    store = get_site(request).store
    row = find_statement(store, statement)
    found = [
        c
        for c in meeting_codings(store, row["meeting_id"], codebook)
        if c["statement"] == row["id"]
    ]
    if row["id"] in blind_statements(store, row["meeting_id"], codebook, user.coder):
        return hide_from(found, user.coder)
    return found


def _refused(request: Request, user: User, status: int, **context: Any) -> Response:
    """The page of a refused save: what was asked, why it was refused, what to do."""
    from normwatch.web.routers.pages import render

    context.setdefault("changes", [])
    context.setdefault("codings", None)
    context.setdefault("retry", None)
    html = render(
        "refused.html", request, title=f"Not saved: {context['heading']}", user=user, **context
    )
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


@pages.post("/meetings/{meeting}/double-coding")
def double_coding_form(
    request: Request,
    user: Viewer,
    meeting: str,
    coders: Annotated[str, Form()],
    codebook: Annotated[str, Form()] = DEFAULT_CODEBOOK,
    share: Annotated[str, Form()] = "",
    statements: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    from normwatch.errors import DataError
    from normwatch.service.double_coding import assign

    auth.check_csrf(request, csrf)
    back = f"/meetings/{quote(meeting)}/coding?codebook={quote(codebook)}&all=1"
    if not user.can("reviewer"):
        return _refused(
            request,
            user,
            403,
            heading="your role may not assign double coding",
            reason=f"{user.name} is a {user.role}: assigning double coding needs the reviewer "
            f"role or above (an admin gives it: normwatch users set-role {user.name} reviewer).",
            tried=f"give statements of {meeting} to {coders} for double coding",
            back=back,
        )
    try:
        fraction = float(share) if share.strip() else None
    except ValueError:
        raise DataError(f"share: a number between 0 and 1, not {share!r}") from None
    listed: list[str] | None = [s for s in statements.replace(",", " ").split() if s] or None
    assign(
        get_site(request).store,
        meeting,
        [c.strip() for c in coders.split(",") if c.strip()],
        user,
        codebook=codebook,
        share=fraction,
        statements=listed,
    )
    _changed(request)
    return RedirectResponse(back, status_code=303, headers=NO_STORE)
