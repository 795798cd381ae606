"""The rule files and package data on disk: one place that finds and reads them.

Treaty rule files (``data/treaties/*.toml`` and the folders of ``NORMWATCH_TREATIES``) are
parsed by :mod:`normwatch.core.treaty`; bundled tables are read from ``normwatch/data`` with
:mod:`importlib.resources`. Results are cached per file and its modification time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from normwatch.core.treaty import TreatyRules, parse_rules
from normwatch.errors import DataError, NotFoundError, RuleError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from normwatch.core.obligation_rules import ObligationRule


#: the bundled data beside this module (an ordinary install); importlib.resources otherwise
_DATA = Path(__file__).resolve().parent / "data"


def data_file(*parts: str) -> Traversable:
    """A file of the bundled package data (``data_file("ccm", "actions.csv")``)."""
    if _DATA.is_dir():
        return _DATA.joinpath(*parts)
    from importlib import resources  # a zipped or otherwise unusual install

    return resources.files("normwatch").joinpath("data", *parts)


def data_text(name: str) -> str:
    return data_file(name).read_text(encoding="utf-8")


def has_data(name: str) -> bool:
    return data_file(name).is_file()


def read_csv(name: str, required: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows of a bundled CSV with a ``file:line`` label; missing columns are an error."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(data_text(name)))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", where=name)
    for row in reader:
        yield f"{name}:{reader.line_num}", {k: (v or "").strip() for k, v in row.items() if k}


def load_rules_file(path: str | Path) -> TreatyRules:
    from normwatch import inputs
    from normwatch.errors import SourceError

    p = Path(path)
    try:
        text = inputs.read_text(p)
    except SourceError as exc:
        raise RuleError(f"cannot read rule file: {exc}") from None
    return parse_rules(text, str(p))


def _extra_dirs() -> list[Path]:
    extra = os.environ.get("NORMWATCH_TREATIES", "")
    return [Path(p) for p in extra.split(os.pathsep) if p]


@cache
def _bundled_file(name: str) -> TreatyRules:
    """The bundled rule file ``treaties/<name>``, read once per process."""
    return parse_rules(data_file("treaties", name).read_text(encoding="utf-8"), f"treaties/{name}")


@cache
def _bundled() -> tuple[TreatyRules, ...]:
    names = sorted(e.name for e in data_file("treaties").iterdir() if e.name.endswith(".toml"))
    return tuple(_bundled_file(name) for name in names)


def _bundled_by_id(key: str) -> TreatyRules | None:
    """The bundled treaty with id ``key``, read from its own file ``<id>.toml`` alone, when no
    NORMWATCH_TREATIES folder could override it and ``key`` looks like an id; else None (the
    caller then reads every rule file). The rule files are named after their ids, and no
    bundled treaty's short name or UNTC reference is another's id (tests/test_catalog.py), so
    this is the treaty the full catalog gives for ``key``."""
    if _extra_dirs() or not key.isascii() or not key.replace("-", "").isalnum():
        return None
    name = f"{key}.toml"
    if not data_file("treaties", name).is_file():
        return None
    rules = _bundled_file(name)
    return rules if rules.id == key else None


@cache
def _load_cached(path: str, _mtime_ns: int) -> TreatyRules:
    return load_rules_file(path)


@dataclass(frozen=True)
class _Catalog:
    by_id: dict[str, TreatyRules]
    by_key: dict[str, TreatyRules]  # id, short name and UNTC reference, lower case
    by_untc: dict[str, TreatyRules]  # UNTC reference, lower case


def _folder_stamp(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return -1


@cache
def _catalog(folders: tuple[tuple[str, int], ...]) -> _Catalog:
    """The treaties of the bundled files and ``folders``, read once per process.

    Keyed on each folder and its modification time, so a rule file added to or removed from a
    folder is seen; an edit in place is seen after :func:`reload_treaties`.
    """
    by_id = {t.id: t for t in _bundled()}
    for folder, _stamp in folders:
        for path in sorted(Path(folder).glob("*.toml")):
            rules = _load_cached(str(path), path.stat().st_mtime_ns)
            by_id[rules.id] = rules
    by_key: dict[str, TreatyRules] = {}
    by_untc: dict[str, TreatyRules] = {}
    # the first treaty (in id order of loading) wins a shared key, as the former scan did
    for t in by_id.values():
        for key in (t.id, t.short_name.lower(), (t.untc_id or "").lower()):
            if key:
                by_key.setdefault(key, t)
        if t.untc_id:
            by_untc.setdefault(t.untc_id.lower(), t)
    return _Catalog(by_id, by_key, by_untc)


def _current() -> _Catalog:
    return _catalog(tuple((str(f), _folder_stamp(f)) for f in _extra_dirs()))


def reload_treaties() -> None:
    """Forget the rule files read so far (they are read again on next use)."""
    _catalog.cache_clear()
    _load_cached.cache_clear()


def all_treaties() -> dict[str, TreatyRules]:
    """Every known treaty by id: the bundled rule files, then those in NORMWATCH_TREATIES."""
    return dict(_current().by_id)


def treaty_by_untc(reference: str) -> TreatyRules | None:
    """The treaty whose rule file has the UNTC reference ``reference`` (any case), if any."""
    return _current().by_untc.get(reference.lower())


def get_treaty(treaty_id: str) -> TreatyRules:
    """A treaty by id (``ccm``), short name (``CCM``) or UNTC reference (``XXVI-6``)."""
    key = treaty_id.strip().lower()
    found = _bundled_by_id(key)  # one rule file read, not all, for a command on one treaty
    if found is not None:
        return found
    catalog = _current()
    found = catalog.by_key.get(key)
    if found is not None:
        return found
    raise NotFoundError(f"unknown treaty {treaty_id!r} (known: {', '.join(sorted(catalog.by_id))})")


@cache
def _cached(treaty: str, path: str) -> tuple[ObligationRule, ...]:
    from normwatch.core.obligation_rules import parse_obligations

    rules = get_treaty(treaty)
    return parse_obligations(rules.id, rules.raw, rules.path)


def obligation_rules(treaty: str | TreatyRules) -> tuple[ObligationRule, ...]:
    """The obligations of a treaty (by id or rules), in rule-file order."""
    from normwatch.core.obligation_rules import parse_obligations  # not for a status question

    rules = treaty if isinstance(treaty, TreatyRules) else get_treaty(treaty)
    if isinstance(treaty, TreatyRules):
        return parse_obligations(rules.id, rules.raw, rules.path)
    return _cached(rules.id, rules.path)
