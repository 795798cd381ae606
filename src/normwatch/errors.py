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
``{"error": {"code", "message"}}`` with a 4xx status.
"""

from __future__ import annotations


class NormwatchError(Exception):
    """Base class: a problem a user can act on. ``str(err)`` is the message."""

    exit_code = 1


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
