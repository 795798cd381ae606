"""The store: an embedded SQLite file by default, any SQLAlchemy URL (PostgreSQL) for teams.

``open_store(db)`` takes a file path or a SQLAlchemy URL (``--db`` / ``NORMWATCH_DB``; the
default is ``normwatch.sqlite`` in the user data directory). A new store is created and loaded
from the bundled data in one transaction. The engine reads facts through the narrow methods
of :class:`Store` (``registry``, ``actions``, ``conflicts``, ``events``) and never sees SQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from normwatch.catalog import all_treaties, get_treaty
from normwatch.core.dates import PartialDate
from normwatch.core.model import (
    Action,
    ActionKind,
    ArmedConflict,
    Event,
    Record,
    Source,
    State,
)
from normwatch.core.registry import Registry
from normwatch.core.status import Timeline, TreatyView, build_timeline, build_view
from normwatch.core.treaty import TreatyRules
from normwatch.errors import DataError, StoreError, redact, url_secrets
from normwatch.store.migrations import SCHEMA_VERSION, check_version
from normwatch.store.stamps import now_iso

T = TypeVar("T")

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Connection, Engine


#: a check an importer runs around its writes, given the transaction's connection; it may
#: refuse them by raising (the service layer passes ``normwatch check`` this way)
Verify = Callable[["Connection"], AbstractContextManager[object]]
#: the same for an importer of one treaty's acts, also given that treaty's id (the service
#: keeps its check to the treaties those acts can change)
TreatyVerify = Callable[["Connection", str], AbstractContextManager[object]]


#: the registry last built, with the States it was built from: another store object reading
#: the same States (a store bound to an import's transaction, a store after a write) shares it
_LAST_REGISTRY: list[tuple[tuple[State, ...], Registry]] = []


def _registry_of(states: tuple[State, ...]) -> Registry:
    if _LAST_REGISTRY and _LAST_REGISTRY[0][0] == states:
        return _LAST_REGISTRY[0][1]
    registry = Registry.build(states)
    _LAST_REGISTRY[:] = [(states, registry)]
    return registry


def _dict_rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """The rows of ``cursor`` as dicts, as ``dict(sqlite3.Row)`` gives them: keys in column
    order; a name given twice keeps its first column's value."""
    if cursor.description is None:
        return []
    cols = [d[0] for d in cursor.description]
    if len(set(cols)) == len(cols):
        return [dict(zip(cols, row, strict=True)) for row in cursor]
    out = []
    for row in cursor:
        d: dict[str, Any] = {}
        for k, v in zip(cols, row, strict=True):
            d.setdefault(k, v)
        out.append(d)
    return out


def brief(exc: BaseException, url: str) -> str:
    """A database error in one line: the driver's own message, without SQLAlchemy's
    statement echo and its "Background on this error" link, and without the password of the
    store's ``url`` should the driver quote it."""
    inner = getattr(exc, "orig", None) or exc
    lines = [x.strip() for x in str(inner).splitlines() if x.strip()]
    return redact(lines[0], url_secrets(url)) if lines else type(inner).__name__


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("normwatch", appauthor=False)) / "normwatch.sqlite"


def db_url(db: str | None) -> str:
    """A SQLAlchemy URL from ``--db`` / ``NORMWATCH_DB`` / the default file."""
    given = db or os.environ.get("NORMWATCH_DB")
    if given and "://" in given:
        return given
    if given:
        path = Path(given).expanduser().resolve()
        if not path.parent.is_dir():  # a mistyped path must not become a new, empty store
            raise StoreError(
                f"cannot open store {given}: there is no folder {path.parent} "
                "(check the --db path or NORMWATCH_DB; create the folder for a new store)"
            )
    else:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


BUSY_TIMEOUT_ENV = "NORMWATCH_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 10.0


def busy_timeout() -> float:
    """Seconds a SQLite connection waits for another writer's lock (``NORMWATCH_BUSY_TIMEOUT``)."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV)
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"{BUSY_TIMEOUT_ENV} must be a number of seconds, not {raw!r}") from None
    if value < 0:
        raise StoreError(f"{BUSY_TIMEOUT_ENV} must not be negative, not {raw!r}")
    return value


def _sqlite_path(url: str) -> str | None:
    """The file of a plain ``sqlite:///path`` URL (None for memory or other databases)."""
    if url.startswith("sqlite:///") and "?" not in url and not url.endswith(":memory:"):
        return url.removeprefix("sqlite:///")
    return None


def _make_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout()})

        # Let SQLAlchemy, not the sqlite3 module, open transactions, so that DDL and DML of
        # one load commit or roll back together (the documented pysqlite recipe).
        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        # IMMEDIATE takes the write lock at once, so a second writer waits (busy timeout)
        # instead of failing with "database is locked" when it upgrades a read lock.
        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _read_connection(path: str) -> sqlite3.Connection:
    """A connection for reading a SQLite store.

    It is opened read-write where the file allows, so that SQLite rolls back the hot
    journal a killed writer left behind (a ``mode=ro`` connection cannot, and every read
    then fails with "attempt to write a readonly database"); ``query_only`` keeps the
    connection itself from writing. A file the user may not write is opened read-only.
    """
    import sqlite3

    uri = Path(path).as_uri()
    mode = "rw" if os.access(path, os.W_OK) and os.access(Path(path).parent, os.W_OK) else "ro"
    con = sqlite3.connect(f"{uri}?mode={mode}", uri=True, timeout=busy_timeout())
    try:
        con.execute("PRAGMA query_only=ON")
    except sqlite3.Error:
        con.close()
        raise
    return con


class Store:
    """A normwatch database: facts in, engine views out.

    Reads are plain SQL with ``:name`` parameters. For a SQLite file they go straight
    through the standard library's ``sqlite3`` (so a CLI query does not pay for importing
    SQLAlchemy); for any other database through SQLAlchemy. Writes and schema changes always
    use SQLAlchemy (:meth:`transaction`).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        #: the URL as messages and output show it: its password, if any, as ***
        self.shown = redact(url, url_secrets(url))
        self._engine: Engine | None = None
        self._sqlite = _sqlite_path(url)
        self._registry: Registry | None = None
        self._views: dict[str, TreatyView] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}
        #: the connection of an open transaction that a :meth:`bound` store reads through
        self._conn: Connection | None = None

    def bound(self, conn: Connection) -> Store:
        """This store as seen through ``conn``, a connection inside an open transaction: its
        reads see that transaction's uncommitted writes (an import's result is checked this
        way before it commits). It cannot open transactions of its own."""
        other = Store(self.url)
        other._sqlite = None
        other._conn = conn
        return other

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from sqlalchemy.exc import ArgumentError, SQLAlchemyError

            try:
                self._engine = _make_engine(self.url)
            except ValueError:  # a URL that does not parse: a bad port, an unclosed [IPv6]
                raise StoreError(
                    f"cannot open store {self.shown}: not a valid database URL (check the host, "
                    "the brackets around an IPv6 address and the port, a number up to 65535)"
                ) from None
            except (SQLAlchemyError, ArgumentError, ModuleNotFoundError, OSError) as exc:
                raise StoreError(
                    f"cannot open store {self.shown}: {brief(exc, self.url)}"
                ) from None
        return self._engine

    # -- plain reads -----------------------------------------------------------------

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a read-only SQL query as dicts."""
        if self._sqlite is not None:
            import sqlite3

            try:
                con = _read_connection(self._sqlite)
                try:
                    return _dict_rows(con.execute(sql, params or {}))
                finally:
                    con.close()
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot read store {self.shown}: {brief(exc, self.url)}"
                ) from None
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        try:
            if self._conn is not None:
                return [dict(r._mapping) for r in self._conn.execute(text(sql), params or {})]
            with self.engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(text(sql), params or {})]
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read store {self.shown}: {brief(exc, self.url)}") from None

    # -- set-up ----------------------------------------------------------------------

    def is_initialised(self) -> bool:
        if self._sqlite is not None:
            if not Path(self._sqlite).is_file():
                return False
            found = self.query("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'")
            if not found:
                return False
        else:
            from sqlalchemy import inspect
            from sqlalchemy.exc import SQLAlchemyError

            try:
                with self.engine.connect() as conn:
                    if not inspect(conn).has_table("meta"):
                        return False
            except SQLAlchemyError as exc:
                raise StoreError(
                    f"cannot read store {self.shown}: {brief(exc, self.url)}"
                ) from None
        rows = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        return bool(rows)

    def is_example(self) -> bool:
        """Whether this is an example store (``normwatch db example``): the only kind that
        takes fictional records. A store of real data refuses them."""
        rows = self.query("SELECT value FROM meta WHERE key = :k", {"k": EXAMPLE_KEY})
        return bool(rows) and rows[0]["value"] == "yes"

    def initialise(self, *, example: bool = False) -> None:
        """Create the schema and load the bundled data, all in one transaction."""
        from normwatch.features import import_schema_modules
        from normwatch.store import schema as t
        from normwatch.store.bundled import load_bundled

        import_schema_modules()
        with self.transaction() as conn:
            t.metadata.create_all(conn)
            load_bundled(conn)
            conn.execute(
                t.meta.insert(),
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "created_at", "value": now_iso()},
                    *([{"key": EXAMPLE_KEY, "value": "yes"}] if example else []),
                ],
            )

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all."""
        from sqlalchemy.exc import SQLAlchemyError

        if self._conn is not None:
            raise StoreError("a store bound to an open transaction cannot start another")

        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(
                f"store write failed, nothing was changed: {brief(exc, self.url)}"
            ) from None
        finally:
            self.invalidate()

    def invalidate(self) -> None:
        self._registry = None
        self._views.clear()
        self._memo.clear()

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` until the store is written through this object or
        :meth:`invalidate` is called (the web app calls it when another process wrote): facts
        read once and shared, so callers must not change what they get."""
        try:
            found: T = self._memo[key]
            return found
        except KeyError:
            value = self._memo[key] = compute()
            return value

    # -- the narrow read interface ---------------------------------------------------

    def registry(self) -> Registry:
        if self._registry is None:
            aliases: dict[str, list[str]] = {}
            for r in self.query("SELECT alias, code FROM state_aliases"):
                aliases.setdefault(r["code"], []).append(r["alias"])
            states = tuple(
                State(
                    r["code"],
                    r["alpha2"],
                    r["name"],
                    r["regional_group"],
                    r["kind"],
                    tuple(aliases.get(r["code"], ())),
                )
                for r in self.query("SELECT * FROM states")
            )
            self._registry = _registry_of(states)
        return self._registry

    def actions(self, treaty: str) -> list[Action]:
        """The treaty's acts (read once per store version: do not change the list)."""
        return self.memo(("actions", treaty), lambda: self._read_actions(treaty))

    def _read_actions(self, treaty: str) -> list[Action]:
        rows: dict[str, dict[str, Any]] = {}
        for r in self.query(_ACTIONS_SQL, {"treaty": treaty}):
            entry = rows.setdefault(r["id"], {"row": r, "sources": []})
            if r["url"] is not None:
                entry["sources"].append(
                    Source(
                        r["url"],
                        r["symbol"],
                        r["title"],
                        r["published"],
                        confidence=r["confidence"],
                        note=r["source_note"],
                    )
                )
        return [
            Action(
                treaty,
                e["row"]["state"],
                ActionKind(e["row"]["kind"]),
                PartialDate.parse(e["row"]["date"]),
                tuple(e["sources"]),
                e["row"]["note"],
            )
            for e in rows.values()
        ]

    def conflicts(self) -> list[ArmedConflict]:
        return self.memo(("conflicts",), self._read_conflicts)

    def _read_conflicts(self) -> list[ArmedConflict]:
        sql = (
            "SELECT c.*, s.url FROM armed_conflicts c JOIN sources s ON s.id = c.source_id "
            "ORDER BY c.state, c.start"
        )
        return [
            ArmedConflict(
                r["state"],
                r["counterpart"],
                r["kind"],
                PartialDate.parse(r["start"]),
                PartialDate.parse(r["end"]) if r["end"] else None,
                (Source(r["url"]),),
                r["note"],
            )
            for r in self.query(sql)
        ]

    def events(self, treaty: str, state: str | None = None) -> list[Event]:
        return self.memo(("events", treaty, state), lambda: self._read_events(treaty, state))

    def _read_events(self, treaty: str, state: str | None) -> list[Event]:
        sql = (
            "SELECT e.*, s.url FROM events e JOIN sources s ON s.id = e.source_id "
            "WHERE e.treaty = :treaty"
            + (" AND e.state = :state" if state else "")
            + " ORDER BY e.date, e.id"
        )
        return [
            Event(
                treaty,
                r["state"],
                PartialDate.parse(r["date"]),
                r["description"],
                (Source(r["url"]),),
                r["kind"],
                r["confidence"],
            )
            for r in self.query(sql, {"treaty": treaty, "state": state})
        ]

    def records(self, treaty: str) -> list[Record]:
        """The treaty's depositary records (companion consents, objections, decisions)."""
        return self.memo(("records", treaty), lambda: self._read_records(treaty))

    def _read_records(self, treaty: str) -> list[Record]:
        sql = (
            "SELECT r.*, s.url FROM records r JOIN sources s ON s.id = r.source_id "
            "WHERE r.treaty = :treaty ORDER BY r.state, r.date, r.id"
        )
        rows = self.query(sql, {"treaty": treaty})
        return [
            Record(
                treaty,
                r["state"],
                r["kind"],
                PartialDate.parse(r["date"]) if r["date"] else None,
                (Source(r["url"], r["symbol"], confidence=r["confidence"]),),
                r["actor"],
                r["subject"],
                r["note"],
            )
            for r in rows
        ]

    def treaties(self) -> dict[str, TreatyRules]:
        return all_treaties()

    def companions(
        self, rules: TreatyRules, records: list[Record] | None = None
    ) -> dict[str, list[str]] | None:
        """For a treaty with a companion requirement (CCW art. 4(3)), each State's companion
        acts on record: its companion-consent records and its consents to the rule's treaties."""
        rule = rules.companion_rule
        if rule is None:
            return None
        out: dict[str, list[str]] = {}
        for r in records if records is not None else self.records(rules.id):
            if r.kind == "companion_consent" and r.subject:
                out.setdefault(r.state, []).append(r.subject)
        known = all_treaties()
        for other in rule.treaties:
            if other not in known:
                continue
            for a in self.actions(other):
                if a.kind.is_consent and other not in out.get(a.state, []):
                    out.setdefault(a.state, []).append(other)
        return out

    def view(self, treaty: str) -> TreatyView:
        """The engine's view of a treaty (computed once per store object)."""
        rules = get_treaty(treaty)
        if rules.id not in self._views:
            records = self.records(rules.id)
            companions = self.companions(rules, records)
            self._views[rules.id] = build_view(
                rules,
                self.registry().codes,
                self.actions(rules.id),
                self.conflicts(),
                records,
                companions,
            )
        return self._views[rules.id]

    def timeline(self, treaty: str, state: str) -> Timeline:
        """One State's timeline under a treaty: the view's when it is computed, else computed
        for that State alone (cheaper for a question about one State)."""
        rules = get_treaty(treaty)
        view = self._views.get(rules.id)
        if view is not None:
            return view.timelines.get(state) or Timeline(state, ())

        def build() -> Timeline:
            records = self.records(rules.id)
            return build_timeline(
                rules,
                state,
                self.actions(rules.id),
                [c for c in self.conflicts() if c.state == state],
                records,
                self.companions(rules, records),
            )

        return self.memo(("timeline", rules.id, state), build)

    def reference_counts(self, treaty: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT * FROM reference_counts"
            + (" WHERE treaty = :treaty" if treaty else "")
            + " ORDER BY treaty, date"
        )
        return self.query(sql, {"treaty": treaty})

    def data_version(self) -> tuple[Any, ...]:
        """A value that changes whenever anything is written to the store, by this process or
        another (the web app drops its caches when it does), read without scanning tables.

        A SQLite file: the times and sizes of the file and its write-ahead log. PostgreSQL: the
        next transaction id (``pg_current_snapshot()``'s xmax), which moves only when some
        transaction writes; a refused import or another database of the server may move it too,
        which only costs a cache refill. Other databases: counts and the newest import.
        """
        if self._sqlite:
            out: list[Any] = []
            for p in (self._sqlite, f"{self._sqlite}-wal"):
                try:
                    st = os.stat(p)
                    out += [st.st_mtime_ns, st.st_size]
                except OSError:
                    out += [None, None]
            return tuple(out)
        if self.url.startswith("postgresql"):
            row = self.query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x")[0]
            return (row["x"],)
        row = self.query(
            "SELECT (SELECT COUNT(*) FROM actions) AS a, (SELECT MAX(imported_at) FROM imports) "
            "AS i, (SELECT COUNT(*) FROM events) AS e"
        )[0]
        return (row["a"], row["i"], row["e"])

    def count(self, table: str) -> int:
        if not table.isidentifier():
            raise StoreError(f"not a table name: {table!r}")
        return int(self.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])


#: the ``meta`` key that marks an example store (value ``yes``)
EXAMPLE_KEY = "example"


class FictionRefused(DataError):
    """A fictional record offered to a store of real data."""


def refuse_fiction(store: Store, where: str) -> None:
    """Stop the import of a record marked fictional unless ``store`` is an example store."""
    if not store.is_example():
        raise FictionRefused(
            "marked fictional; a store of real data takes no fictional record (make a "
            "throw-away one with `normwatch db example PATH` and pass --db PATH); "
            "nothing was written",
            where=where,
        )


def create_example_store(path: str) -> Store:
    """A new throw-away example store at ``path`` (a file), loaded from the bundled data.

    An existing example store there is replaced; any other file is refused.
    """
    target = Path(path).expanduser()
    if "://" in path:
        raise StoreError("an example store is a file: give a path, not a URL")
    if target.exists():
        old = Store(db_url(str(target)))
        if not (old.is_initialised() and old.is_example()):
            raise StoreError(f"{target} exists and is not an example store: not replaced")
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    return open_store(str(target), example=True)


_ACTIONS_SQL = """
SELECT a.id, a.state, a.kind, a.date, a.note, s.url, s.symbol, s.title, s.published,
       COALESCE(x.note, s.note) AS source_note, x.confidence
FROM actions a
LEFT JOIN action_sources x ON x.action_id = a.id
LEFT JOIN sources s ON s.id = x.source_id
WHERE a.treaty = :treaty
ORDER BY a.date, a.state, s.url
"""


def open_store(db: str | None = None, *, check: bool = True, example: bool = False) -> Store:
    """Open (and on first use create and load) the store at ``db``.

    A store of another schema version is refused (see :mod:`normwatch.store.migrations`)
    unless ``check`` is false, as for ``normwatch db upgrade``. ``example`` marks a store
    created by this call as an example store (fictional records allowed).
    """
    store = Store(db_url(db))
    if not store.is_initialised():
        store.initialise(example=example)
    elif check:
        check_version(store)
    return store
