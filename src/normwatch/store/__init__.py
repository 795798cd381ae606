"""The store: one SQL database (SQLite by default, PostgreSQL for teams) with its schema,
the bundled facts and their loaders. :mod:`.db` holds :class:`Store` and :func:`open_store`."""

from normwatch.store.db import Store, open_store

__all__ = ["Store", "open_store"]
