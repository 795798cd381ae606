"""Identities and times written with every stored fact."""

from __future__ import annotations

import datetime as dt


def source_id(url: str, symbol: str | None = None) -> str:
    import hashlib

    return hashlib.sha1(f"{url}|{symbol or ''}".encode()).hexdigest()[:16]


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
