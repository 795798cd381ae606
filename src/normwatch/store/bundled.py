"""Loading the bundled data (package ``data/`` folder) into a new store.

Each CSV keeps the source column of the vetted facts it was copied from. A bad row is a
:class:`DataError` naming the file, line and field; the caller's transaction then rolls back.
"""

from __future__ import annotations

from sqlalchemy import Connection

from normwatch import features
from normwatch.catalog import all_treaties, has_data, read_csv
from normwatch.core.dates import PartialDate, parse_date
from normwatch.core.model import NO_NOTIFICATION, RECORD_KINDS, Action, ActionKind, Source
from normwatch.errors import DataError
from normwatch.store import schema as t
from normwatch.store.facts import ensure_source, split_sources, write_actions

BUNDLED_SEEN = "bundled"


def _need(row: dict[str, str], field: str, where: str) -> str:
    value = row.get(field, "")
    if not value:
        raise DataError("empty value", where=f"{where}: {field}")
    return value


def load_states(conn: Connection) -> set[str]:
    codes: set[str] = set()
    rows = []
    for where, row in read_csv("states.csv", ("code", "alpha2", "name", "kind", "source")):
        code = _need(row, "code", where)
        rows.append(
            {
                "code": code,
                "alpha2": _need(row, "alpha2", where),
                "name": _need(row, "name", where),
                "kind": _need(row, "kind", where),
                "regional_group": row.get("regional_group") or None,
                "source": _need(row, "source", where),
            }
        )
        codes.add(code)
    conn.execute(t.states.insert(), rows)
    aliases = []
    seen: set[str] = set()
    for where, row in read_csv("state_aliases.csv", ("alias", "code")):
        code = _need(row, "code", where)
        if code not in codes:
            raise DataError(f"unknown State code {code!r}", where=f"{where}: code")
        alias = _need(row, "alias", where)
        if alias in seen:
            continue
        seen.add(alias)
        aliases.append({"alias": alias, "code": code, "note": row.get("note") or None})
    if aliases:
        conn.execute(t.state_aliases.insert(), aliases)
    return codes


def load_treaties(conn: Connection) -> set[str]:
    treaties = all_treaties()
    conn.execute(
        t.treaties.insert(),
        [
            {
                "id": r.id,
                "name": r.name,
                "short_name": r.short_name,
                "untc_id": r.untc_id,
                "rule_file": r.path,
            }
            for r in treaties.values()
        ],
    )
    return set(treaties)


def load_actions(conn: Connection, treaty: str, name: str, codes: set[str]) -> int:
    acts: list[Action] = []
    for where, row in read_csv(name, ("state", "action", "date", "source")):
        state = _need(row, "state", where)
        if state not in codes:
            raise DataError(f"unknown State code {state!r}", where=f"{where}: state")
        kind_text = _need(row, "action", where)
        try:
            kind = ActionKind(kind_text)
        except ValueError:
            raise DataError(f"unknown action {kind_text!r}", where=f"{where}: action") from None
        date = PartialDate.parse(_need(row, "date", where), where=f"{where}: date")
        confidence = row.get("confidence") or None
        symbol = row.get("notification") or None
        published = row.get("notification_date") or None
        if published is not None:
            parse_date(published, where=f"{where}: notification_date")
        if published is not None and symbol is None:
            raise DataError("notification date without a symbol", where=f"{where}: notification")
        primary = split_sources(_need(row, "source", where))
        # the depositary notification (C.N. symbol and date) belongs to the row's main source
        sources = tuple(
            Source(
                s.url,
                symbol if i == 0 else s.symbol,
                s.title,
                published if i == 0 else s.published,
                confidence=confidence,
                note=s.note,
            )
            for i, s in enumerate(primary)
        ) + tuple(
            Source(s.url, s.symbol, s.title, s.published, note=s.note or "further source")
            for s in split_sources(row.get("further_sources") or "")
        )
        note = row.get("note") or None
        reason = row.get("no_notification_reason") or None
        if reason is not None:
            note = f"{NO_NOTIFICATION}: {reason}" + (f"; {note}" if note else "")
        acts.append(Action(treaty, state, kind, date, sources, note))
    return write_actions(conn, acts, seen_at=BUNDLED_SEEN)


def load_records(conn: Connection, treaty: str, name: str, codes: set[str]) -> int:
    """``data/<id>/records.csv``: companion consents, objections, meeting decisions."""
    n = 0
    for where, row in read_csv(name, ("state", "kind", "source")):
        state = _need(row, "state", where)
        if state not in codes:
            raise DataError(f"unknown State code {state!r}", where=f"{where}: state")
        kind = _need(row, "kind", where)
        if kind not in RECORD_KINDS:
            known = ", ".join(RECORD_KINDS)
            raise DataError(f"unknown kind {kind!r} (known: {known})", where=f"{where}: kind")
        date = row.get("date") or None
        if date is not None:
            PartialDate.parse(date, where=f"{where}: date")
        if kind == "companion_consent" and not row.get("subject"):
            raise DataError("a companion consent names its subject", where=f"{where}: subject")
        if kind != "companion_consent" and not row.get("actor"):
            raise DataError("an objection or decision names its actor", where=f"{where}: actor")
        src = split_sources(_need(row, "source", where))[0]
        conn.execute(
            t.records.insert().values(
                treaty=treaty,
                state=state,
                kind=kind,
                date=date,
                actor=row.get("actor") or None,
                subject=row.get("subject") or None,
                source_id=ensure_source(conn, src),
                symbol=row.get("notification") or None,
                confidence=row.get("confidence") or None,
                note=row.get("note") or None,
            )
        )
        n += 1
    return n


def load_conflicts(conn: Connection, codes: set[str]) -> None:
    for where, row in read_csv("armed_conflicts.csv", ("state", "kind", "start", "source")):
        state = _need(row, "state", where)
        if state not in codes:
            raise DataError(f"unknown State code {state!r}", where=f"{where}: state")
        start = PartialDate.parse(_need(row, "start", where), where=f"{where}: start")
        end = PartialDate.parse(row["end"], where=f"{where}: end") if row.get("end") else None
        if end is not None and end < start:
            raise DataError("end before start", where=f"{where}: end")
        src = split_sources(_need(row, "source", where))[0]
        conn.execute(
            t.armed_conflicts.insert().values(
                state=state,
                counterpart=row.get("counterpart") or None,
                kind=row["kind"],
                start=str(start),
                end=str(end) if end else None,
                source_id=ensure_source(conn, src),
                note=row.get("note") or None,
            )
        )


def load_events(conn: Connection, codes: set[str], treaties: set[str]) -> None:
    for where, row in read_csv(
        "events.csv", ("treaty", "state", "date", "kind", "description", "source")
    ):
        if row["treaty"] not in treaties:
            raise DataError(f"unknown treaty {row['treaty']!r}", where=f"{where}: treaty")
        if row["state"] not in codes:
            raise DataError(f"unknown State code {row['state']!r}", where=f"{where}: state")
        date = PartialDate.parse(_need(row, "date", where), where=f"{where}: date")
        src = split_sources(_need(row, "source", where))[0]
        conn.execute(
            t.events.insert().values(
                treaty=row["treaty"],
                state=row["state"],
                date=str(date),
                kind=row["kind"],
                description=_need(row, "description", where),
                source_id=ensure_source(conn, src),
                confidence=row.get("confidence") or None,
            )
        )


def load_reference_counts(conn: Connection, treaties: set[str]) -> None:
    rows = []
    for where, row in read_csv("reference_counts.csv", ("treaty", "date", "parties", "source")):
        if row["treaty"] not in treaties:
            raise DataError(f"unknown treaty {row['treaty']!r}", where=f"{where}: treaty")
        parse_date(row["date"], where=f"{where}: date")
        try:
            nums = {
                k: int(row[k])
                for k in ("parties", "in_force", "signatories", "withdrawing", "withdrawn")
            }
        except (KeyError, ValueError):
            raise DataError("counts must be whole numbers", where=where) from None
        rows.append(
            {
                "treaty": row["treaty"],
                "date": row["date"],
                **nums,
                "external_confirmation": row.get("external_confirmation") or None,
                "source": _need(row, "source", where),
            }
        )
    conn.execute(t.reference_counts.insert(), rows)


def load_new_treaties(conn: Connection) -> list[str]:
    """For an upgraded store: the bundled treaties it does not have (their rule-file rows, acts
    and records), the records of the treaties it has, and the State aliases it lacks. Nothing
    already in the store is changed; what was added is returned as lines for the upgrade log."""
    from sqlalchemy import select

    done: list[str] = []
    codes = {r[0] for r in conn.execute(select(t.states.c.code))}
    have = {r[0] for r in conn.execute(select(t.treaties.c.id))}
    aliases = {r[0] for r in conn.execute(select(t.state_aliases.c.alias))}
    new_aliases = []
    for where, row in read_csv("state_aliases.csv", ("alias", "code")):
        alias, code = _need(row, "alias", where), _need(row, "code", where)
        if alias not in aliases and code in codes:
            aliases.add(alias)
            new_aliases.append({"alias": alias, "code": code, "note": row.get("note") or None})
    if new_aliases:
        conn.execute(t.state_aliases.insert(), new_aliases)
        done.append(f"{len(new_aliases)} State aliases added")
    with_records = {r[0] for r in conn.execute(select(t.records.c.treaty).distinct())}
    for rules in sorted(all_treaties().values(), key=lambda r: r.id):
        if rules.id not in have:
            conn.execute(
                t.treaties.insert().values(
                    id=rules.id,
                    name=rules.name,
                    short_name=rules.short_name,
                    untc_id=rules.untc_id,
                    rule_file=rules.path,
                )
            )
            n = 0
            if rules.data and has_data(f"{rules.data}/actions.csv"):
                n = load_actions(conn, rules.id, f"{rules.data}/actions.csv", codes)
            done.append(f"treaty {rules.id} added with {n} bundled acts")
        if rules.id not in with_records and rules.data and has_data(f"{rules.data}/records.csv"):
            n = load_records(conn, rules.id, f"{rules.data}/records.csv", codes)
            done.append(f"{rules.id}: {n} bundled records added")
    return done


def load_bundled(conn: Connection) -> None:
    """Load every bundled fact into an empty schema (the caller owns the transaction)."""
    codes = load_states(conn)
    treaties = load_treaties(conn)
    for rules in all_treaties().values():
        if rules.data and has_data(f"{rules.data}/actions.csv"):
            load_actions(conn, rules.id, f"{rules.data}/actions.csv", codes)
        if rules.data and has_data(f"{rules.data}/records.csv"):
            load_records(conn, rules.id, f"{rules.data}/records.csv", codes)
    load_conflicts(conn, codes)
    load_events(conn, codes, treaties)
    load_reference_counts(conn, treaties)
    for dotted in features.BUNDLED_LOADERS:
        features.resolve(dotted)(conn, codes)
