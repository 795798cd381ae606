"""The one exception tree of normwatch.

    NormwatchError            anything normwatch refuses to do, with a message meant for a person
    ├── DataError             a fact or a file of facts is wrong (names file, line and field)
    │   └── UnknownStateError a State name or code that the registry does not know, or knows twice
    ├── RuleError             a treaty rule file is missing a rule or has a bad one
    ├── SourceError           a source could not be read or fetched (network, encoding, XML)
    ├── StoreError            the database could not be opened or written
    ├── NotFoundError         a treaty, meeting, statement or code that does not exist
    ├── AuthError             no valid credential: wrong password, unknown, expired or
    │                         revoked token, no session (HTTP 401)
    ├── ForbiddenError        a valid user whose role may not do this, or a bad CSRF token (403)
    └── ConflictError         a save over a statement whose codings changed meanwhile (409)

The CLI turns each into one line on stderr and a non-zero exit; the web app into
``{"error": {"code", "message"}}`` with a 4xx status. A message never shows the password of a
URL in it (:func:`redact`): a database URL's, or a fetched page's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

#: ``scheme://user:secret@``: the password of a URL, up to its first "@" (as SQLAlchemy reads
#: it); in a message, a URL ends at a space
_SCHEME_USER = r"(?P<keep>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*:)"
_USERINFO = re.compile(_SCHEME_USER + r"(?P<secret>[^@]*)@")
_USERINFO_IN_TEXT = re.compile(_SCHEME_USER + r"(?P<secret>[^\s@]*)@")
#: ``?password=secret`` in a URL's query (libpq reads one there); in a message, the URL ends
#: at a space, a colon before it being the message's
_QUERY_KEY = r"(?P<keep>://[^\s?#]*\?(?:[^\s#]*&)?(?:password|passwd)=)"
_QUERY = re.compile(_QUERY_KEY + r"(?P<secret>[^&#]*)")
_QUERY_IN_TEXT = re.compile(_QUERY_KEY + r"(?P<secret>[^\s&#]*?)(?=:?(?:[\s&#]|$))")


def url_secrets(url: str) -> list[str]:
    """The passwords in ``url`` (after ``user:`` and in ``?password=``), as written and decoded."""
    found = [m["secret"] for m in (*_USERINFO.finditer(url), *_QUERY.finditer(url))]
    return [x for secret in found if secret for x in dict.fromkeys((secret, unquote(secret)))]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the password of each URL in it, and each of ``secrets`` wherever it
    appears (a driver may quote one in its own words), shown as ``***``."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        # where a URL holds it, whatever it is; elsewhere only if long enough not to hide
        # letters of the words around it
        text = text.replace(f":{secret}@", ":***@").replace(f"password={secret}", "password=***")
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _USERINFO_IN_TEXT.sub(lambda m: f"{m['keep']}***@" if m["secret"] else m[0], text)
    return _QUERY_IN_TEXT.sub(lambda m: f"{m['keep']}***" if m["secret"] else m[0], text)


class NormwatchError(Exception):
    """Base class: a problem a user can act on. ``str(err)`` is the message, any URL's
    password in it hidden (:func:`redact`)."""

    exit_code = 1

    def __str__(self) -> str:
        return redact(super().__str__())


class DataError(NormwatchError):
    """A fact is wrong or incomplete.

    ``where`` names the file, line and field when known ("actions.csv:12: date").
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class UnknownStateError(DataError):
    """One or more State names could not be resolved; ``names`` lists every one."""

    def __init__(self, names: list[str], *, where: str | None = None, hint: str = "") -> None:
        self.names = names
        listed = ", ".join(repr(n) for n in names)
        noun = "State name" if len(names) == 1 else "State names"
        super().__init__(f"unknown {noun}: {listed}{hint}", where=where)


class RuleError(NormwatchError):
    """A treaty rule file is invalid."""


class SourceError(NormwatchError):
    """A source (file or URL) could not be read or parsed."""

    exit_code = 2


class StoreError(NormwatchError):
    """The store could not be opened, created or written."""


class NotFoundError(NormwatchError):
    """Something asked for by id does not exist."""


class AuthError(NormwatchError):
    """No valid credential (the web app answers 401)."""


class ForbiddenError(NormwatchError):
    """A signed-in user whose role may not do this, or a form without its CSRF token (403)."""


class ConflictError(NormwatchError):
    """A save refused because what it was based on changed meanwhile (409); the message names
    what changed, ``changes`` lists it and ``current`` is the version it is at now."""

    def __init__(
        self, message: str, *, changes: tuple[str, ...] = (), current: int | None = None
    ) -> None:
        self.changes = changes
        self.current = current
        super().__init__(message)
