"""The checks of ``normwatch check`` run on an import's result before it commits.

An importer writes inside its transaction, then :class:`ImportCheck` runs every check through
that transaction's connection (so it sees the uncommitted result) and compares with the checks
run at the transaction's start. An import of one treaty's records (a status file, an
obligations table) is checked for the treaties those records can change
(:func:`~normwatch.service.status.affected_by`): the checks of other treaties cannot newly fail
through it. A check that newly fails refuses the import: the transaction rolls back and the
store is unchanged. A check that already failed before does not block an unrelated import. The
comparisons with pinned reference counts (``reference_counts``: the depositary's figures on
given dates) only warn, since a newer status file may rightly differ from the figures of the
bundled data's date.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from normwatch.errors import DataError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from normwatch.service.status import Problem
    from normwatch.store.db import Store

#: checks whose new failures an import reports as warnings instead of refusing
WARN_ONLY = frozenset({"reference_counts"})
#: how many new failures a refusal names before "and N more"
_LISTED = 10


class ImportRefused(DataError):
    """An import whose result would fail ``normwatch check``; nothing was written."""


class ImportCheck:
    """``with ImportCheck(store)(conn): write…`` — refuse writes that make a check fail."""

    def __init__(
        self,
        store: Store,
        label: str,
        before: set[Problem] | None = None,
        treaties: Collection[str] | None = None,
    ) -> None:
        self.store = store
        self.label = label
        #: the treaties whose problems are compared (None: every check of the store)
        self.treaties = None if treaties is None else frozenset(treaties)
        #: the problems before the import, when known (the result of the previous file of a
        #: series imported one after the other); else found at the transaction's start
        self.before = before
        #: the problems of the result, once checked
        self.after: set[Problem] = set()
        #: new failures of the :data:`WARN_ONLY` checks, after a successful import
        self.warnings: list[str] = []

    def _problems(self, conn: Connection) -> list[Problem]:
        from normwatch.service.status import check

        return check(self.store.bound(conn), self.treaties)

    @contextmanager
    def __call__(self, conn: Connection) -> Iterator[None]:
        before = set(self._problems(conn)) if self.before is None else self.before
        yield
        result = self._problems(conn)
        self.after = set(result)
        new = [p for p in result if p not in before]
        self.warnings = [
            f"{p.check}: {p.message} (figures pinned for an earlier date; the import is kept)"
            for p in new
            if p.check in WARN_ONLY
        ]
        refused = [p for p in new if p.check not in WARN_ONLY]
        if refused:
            raise ImportRefused(refusal_message(refused), where=self.label)


def refusal_message(problems: list[Problem]) -> str:
    listed = "; ".join(f"{p.check}: {p.message}" for p in problems[:_LISTED])
    more = f"; and {len(problems) - _LISTED} more" if len(problems) > _LISTED else ""
    return (
        f"import refused: its result would fail `normwatch check` ({len(problems)} new "
        f"problem(s)): {listed}{more}. Nothing was written"
    )
