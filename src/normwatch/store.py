"""The store: an embedded SQLite file by default, any SQLAlchemy URL (PostgreSQL) for teams.

``open_store(db)`` takes a file path or a SQLAlchemy URL (``--db`` / ``NORMWATCH_DB``; the
default is ``normwatch.sqlite`` in the user data directory). A new store is created and loaded
from the bundled data in one transaction. The engine reads facts through the narrow methods
of :class:`Store` (``registry``, ``actions``, ``conflicts``, ``events``) and never sees SQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from normwatch import schema as t
from normwatch.dates import PartialDate
from normwatch.engine import TreatyView, build_view
from normwatch.errors import StoreError
from normwatch.model import Action, ActionKind, ArmedConflict, Event, Source, State
from normwatch.registry import Registry
from normwatch.rules import TreatyRules, all_treaties, get_treaty

SCHEMA_VERSION = "1"


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("normwatch", appauthor=False)) / "normwatch.sqlite"


def db_url(db: str | None) -> str:
    """A SQLAlchemy URL from ``--db`` / ``NORMWATCH_DB`` / the default file."""
    value = db or os.environ.get("NORMWATCH_DB") or str(default_db_path())
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def source_id(url: str, symbol: str | None = None) -> str:
    return hashlib.sha1(f"{url}|{symbol or ''}".encode()).hexdigest()[:16]


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)

        # Let SQLAlchemy, not the sqlite3 module, open transactions, so that DDL and DML of
        # one load commit or roll back together (the documented pysqlite recipe).
        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """A normwatch database: facts in, engine views out."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = _make_engine(url)
        except (SQLAlchemyError, ModuleNotFoundError, OSError) as exc:
            raise StoreError(f"cannot open store {url}: {exc}") from None
        self._registry: Registry | None = None
        self._views: dict[str, TreatyView] = {}

    # -- set-up ----------------------------------------------------------------------

    def is_initialised(self) -> bool:
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("meta"):
                    return False
                row = conn.execute(
                    select(t.meta.c.value).where(t.meta.c.key == "schema_version")
                ).first()
                return row is not None
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read store {self.url}: {exc.__class__.__name__}: {exc}") from None

    def initialise(self) -> None:
        """Create the schema and load the bundled data, all in one transaction."""
        from normwatch.bundled import load_bundled
        from normwatch.features import import_schema_modules

        import_schema_modules()
        try:
            with self.engine.begin() as conn:
                t.metadata.create_all(conn)
                load_bundled(conn)
                conn.execute(t.meta.insert(), [
                    {"key": "schema_version", "value": SCHEMA_VERSION},
                    {"key": "created_at", "value": now_iso()},
                ])
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot create store {self.url}: {exc}") from None
        self.invalidate()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"store write failed, nothing was changed: {exc}") from None
        finally:
            self.invalidate()

    def invalidate(self) -> None:
        self._registry = None
        self._views.clear()

    # -- the narrow read interface ---------------------------------------------------

    def registry(self) -> Registry:
        if self._registry is None:
            with self.engine.connect() as conn:
                aliases: dict[str, list[str]] = {}
                for alias, code in conn.execute(select(t.state_aliases.c.alias, t.state_aliases.c.code)):
                    aliases.setdefault(code, []).append(alias)
                states = [
                    State(r.code, r.alpha2, r.name, r.regional_group, r.kind,
                          tuple(aliases.get(r.code, ())))
                    for r in conn.execute(select(t.states))
                ]
            self._registry = Registry.build(states)
        return self._registry

    def actions(self, treaty: str) -> list[Action]:
        query = (
            select(
                t.actions.c.id, t.actions.c.state, t.actions.c.kind, t.actions.c.date,
                t.actions.c.note, t.sources.c.url, t.sources.c.symbol, t.sources.c.title,
                t.sources.c.published, t.action_sources.c.confidence,
            )
            .join(t.action_sources, t.action_sources.c.action_id == t.actions.c.id, isouter=True)
            .join(t.sources, t.sources.c.id == t.action_sources.c.source_id, isouter=True)
            .where(t.actions.c.treaty == treaty)
            .order_by(t.actions.c.date, t.actions.c.state, t.sources.c.url)
        )
        rows: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                entry = rows.setdefault(r.id, {"row": r, "sources": []})
                if r.url is not None:
                    entry["sources"].append(Source(
                        r.url, r.symbol, r.title, r.published, confidence=r.confidence))
        return [
            Action(treaty, e["row"].state, ActionKind(e["row"].kind),
                   PartialDate.parse(e["row"].date), tuple(e["sources"]), e["row"].note)
            for e in rows.values()
        ]

    def conflicts(self) -> list[ArmedConflict]:
        query = select(t.armed_conflicts, t.sources.c.url).join(
            t.sources, t.sources.c.id == t.armed_conflicts.c.source_id)
        with self.engine.connect() as conn:
            return [
                ArmedConflict(
                    r.state, r.counterpart, r.kind, PartialDate.parse(r.start),
                    PartialDate.parse(r.end) if r.end else None, (Source(r.url),), r.note)
                for r in conn.execute(query)
            ]

    def events(self, treaty: str, state: str | None = None) -> list[Event]:
        query = select(t.events, t.sources.c.url).join(
            t.sources, t.sources.c.id == t.events.c.source_id).where(t.events.c.treaty == treaty)
        if state:
            query = query.where(t.events.c.state == state)
        with self.engine.connect() as conn:
            return [
                Event(treaty, r.state, PartialDate.parse(r.date), r.description, (Source(r.url),))
                for r in conn.execute(query.order_by(t.events.c.date))
            ]

    def treaties(self) -> dict[str, TreatyRules]:
        return all_treaties()

    def view(self, treaty: str) -> TreatyView:
        """The engine's view of a treaty (computed once per store object)."""
        rules = get_treaty(treaty)
        if rules.id not in self._views:
            self._views[rules.id] = build_view(
                rules, self.registry().codes, self.actions(rules.id), self.conflicts())
        return self._views[rules.id]

    def reference_counts(self, treaty: str | None = None) -> list[dict[str, Any]]:
        query = select(t.reference_counts).order_by(t.reference_counts.c.treaty,
                                                     t.reference_counts.c.date)
        if treaty:
            query = query.where(t.reference_counts.c.treaty == treaty)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.metadata.tables[table])).scalar_one())


def open_store(db: str | None = None) -> Store:
    """Open (and on first use create and load) the store at ``db``."""
    store = Store(db_url(db))
    if not store.is_initialised():
        store.initialise()
    return store
