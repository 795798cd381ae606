"""Importing UN depositary status files (MTDSG XML) into the store, reconciled.

The incoming acts are compared with the store before anything is written:

* **new** - an act the store does not have;
* **changed** - the depositary's listing now says something else for an act that came from
  that same listing (``~ BDI ratification 2009-12-25 → 2009-09-25``);
* **gone** - an act that came only from that listing and is no longer in it;
* **conflicts** - the listing disagrees with a value that came from another source: reported,
  never silently replaced.

The same act on the same date already known from another source is not a change: it gains a
source. The plan is applied in one transaction, or not at all (``--dry-run`` writes nothing).
Re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from normwatch import inputs
from normwatch.catalog import data_text, get_treaty, treaty_by_untc
from normwatch.core.model import Action, ActionKind, Source
from normwatch.core.registry import fold
from normwatch.core.treaty import TreatyRules
from normwatch.errors import DataError, SourceError, UnknownStateError, redact
from normwatch.sources.untc.mtdsg import UntcDocument
from normwatch.sources.untc.viewdetails import parse_status
from normwatch.store.db import Store, TreatyVerify
from normwatch.store.stamps import now_iso

if TYPE_CHECKING:
    import httpx

FETCH_TIMEOUT = 30.0
FETCH_ATTEMPTS = 3


@dataclass(frozen=True)
class Fetched:
    location: str
    data: bytes
    published: str | None


def fetch(
    location: str,
    *,
    timeout: float = FETCH_TIMEOUT,
    attempts: int = FETCH_ATTEMPTS,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """Read a file path, or fetch an http(s) URL with a timeout and retries.

    A connection that cannot be made is retried by httpx's transport (``retries``); a server
    error (5xx) or an answer that does not come in time is asked again here, ``attempts``
    times in all, with a short pause between. ``timeout`` bounds each wait for the server;
    the whole fetch, however slowly the answer trickles in, is bounded by
    ``NORMWATCH_MAX_FETCH_SECONDS``. The answer is read as it comes and given up as soon as it
    passes ``NORMWATCH_MAX_STATUS_BYTES`` (or announces more). ``transport`` replaces the
    network (tests use ``httpx.MockTransport``)."""
    if not location.startswith(("http://", "https://")):
        # one file, one source, however its path was typed
        path = Path(location).expanduser().resolve()
        return Fetched(str(path), inputs.read_bytes(path, inputs.STATUS), None)
    import httpx  # only when fetching: the import costs start-up time

    deadline = inputs.Deadline(location, inputs.FETCH_SECONDS)
    last = ""
    with httpx.Client(
        transport=transport or httpx.HTTPTransport(retries=max(attempts - 1, 0)),
        timeout=timeout,
        headers={"User-Agent": "normwatch"},
        follow_redirects=True,
    ) as client:
        for attempt in range(attempts):
            try:
                with client.stream("GET", location) as resp:
                    if resp.is_success:
                        data = _body(location, resp, deadline)
                        # the source recorded is the URL without a password in it
                        return Fetched(redact(location), data, _published(resp))
                last = f"HTTP {resp.status_code}"
                if resp.status_code < 500:
                    break
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # the transport has already retried the connection
                last = f"{exc} (offline, or the server did not answer)"
                break
            except httpx.TimeoutException as exc:
                last = f"{exc or 'timed out'} (offline, or the server did not answer)"
            except httpx.HTTPError as exc:
                last = f"{exc} (offline, or the server did not answer)"
            if attempt + 1 < attempts:
                time.sleep(0.5 * (attempt + 1))
                deadline.check()
    raise SourceError(f"{location}: cannot fetch: {last}")


def _body(location: str, resp: httpx.Response, deadline: inputs.Deadline) -> bytes:
    """The body of ``resp`` read as it comes, within the size limit and the fetch's time."""
    cap = inputs.limit(inputs.STATUS)
    announced = resp.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > cap:
        raise inputs.too_large(location, int(announced), inputs.STATUS)
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise SourceError(
                f"{location}: more than {cap:,} bytes, over the limit: given up after "
                f"{size:,} (set {inputs.STATUS} to raise it)"
            )
        chunks.append(chunk)
        deadline.check()
    return b"".join(chunks)


def _published(resp: httpx.Response) -> str | None:
    """The day the answer says its document was last changed, if it says."""
    modified = resp.headers.get("Last-Modified")
    if not modified:
        return None
    try:
        return parsedate_to_datetime(modified).date().isoformat()
    except (TypeError, ValueError):
        return None


# --- reconciliation ------------------------------------------------------------------------


def _group(kind: ActionKind) -> str:
    return "consent" if kind.is_consent else kind.value


@dataclass(frozen=True)
class Item:
    state: str
    name: str
    action: str
    date: str
    before: dict[str, str] | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "state": self.state,
            "name": self.name,
            "action": self.action,
            "date": self.date,
        }
        if self.before is not None:
            out["before"] = self.before
        if self.note:
            out["note"] = self.note
        return out


_GONE = "no longer in the depositary's listing"


@dataclass
class Report:
    source: str
    treaty: str
    reference: str
    new: list[Item] = field(default_factory=list)
    changed: list[Item] = field(default_factory=list)
    gone: list[Item] = field(default_factory=list)
    conflicts: list[Item] = field(default_factory=list)
    confirmed: int = 0
    #: acts on record that came from this listing alone (what an import could remove)
    listed: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    #: why applying this report would be refused without ``allow_removals``
    refusal: str | None = None
    # what apply() writes
    _add: list[Action] = field(default_factory=list)
    _drop: list[Action] = field(default_factory=list)
    _link: list[Action] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "treaty": self.treaty,
            "reference": self.reference,
            "new": [i.to_dict() for i in self.new],
            "changed": [i.to_dict() for i in self.changed],
            "gone": [i.to_dict() for i in self.gone],
            "conflicts": [i.to_dict() for i in self.conflicts],
            "confirmed": self.confirmed,
            "refusal": self.refusal,
            "warnings": self.warnings,
            "dry_run": self.dry_run,
        }

    #: the columns of :meth:`rows`, the import report as a table
    ROW_COLUMNS = (
        "source",
        "treaty",
        "change",
        "state",
        "name",
        "action",
        "date",
        "before_action",
        "before_date",
        "note",
    )

    def rows(self) -> list[dict[str, Any]]:
        """One row per act that is new, changed, gone or in conflict (``change`` says which)."""
        out = []
        for change, items in (
            ("new", self.new),
            ("changed", self.changed),
            ("gone", self.gone),
            ("conflict", self.conflicts),
        ):
            for i in items:
                before = i.before or {}
                out.append(
                    {
                        "source": self.source,
                        "treaty": self.treaty,
                        "change": change,
                        "state": i.state,
                        "name": i.name,
                        "action": i.action,
                        "date": i.date,
                        "before_action": before.get("action"),
                        "before_date": before.get("date"),
                        "note": i.note,
                    }
                )
        return out

    def lines(self) -> list[str]:
        out = [f"{self.source} → {self.treaty} ({self.reference})"]
        out += [f"+ {i.state} {i.action} {i.date}" for i in self.new]
        for i in self.changed:
            b = i.before or {}
            what = i.action if b.get("action") == i.action else f"{b.get('action')} → {i.action}"
            out.append(f"~ {i.state} {what} {b.get('date')} → {i.date}")
        out += [
            f"- {i.state} {i.action} {i.date}"
            + (f" ({i.note})" if i.note and i.note.startswith(_GONE + ";") else "")
            for i in self.gone
        ]
        for i in self.conflicts:
            b = i.before or {}
            out.append(
                f"! {i.state} {i.action} {i.date} conflicts with {b.get('action')} "
                f"{b.get('date')} from {b.get('source')}"
            )
        out.append(
            f"  {len(self.new)} new, {len(self.changed)} changed, {len(self.gone)} gone, "
            f"{len(self.conflicts)} conflicts, {self.confirmed} confirmed"
            + (" (dry run: nothing written)" if self.dry_run else "")
        )
        out += [f"  warning: {w}" for w in self.warnings]
        return out


def _same_listing(src: Source, reference: str, location: str) -> bool:
    """Whether ``src`` is the depositary listing being imported (any copy of it: the file or URL
    read now, the MTDSG XML of the same reference, or its ``ViewDetails`` status page)."""
    url = src.url.split(" ", 1)[0]  # a bundled source may say "(status as at …)" after the URL
    if location in (src.url, url):
        return True
    if url.endswith((f"/{reference}.en.xml", f"/{reference.replace('-', '%2D')}.en.xml")):
        return True
    parts = urlsplit(url)
    if parts.path.lower().endswith("/viewdetails.aspx"):
        shown = parse_qs(parts.query).get("mtdsg_no", [])
        return any(n.strip().lower() == reference.lower() for n in shown)
    return False


@cache
def _non_states() -> dict[str, str]:
    reader = csv.DictReader(io.StringIO(data_text("other_participants.csv")))
    return {fold(r["name"]): r["kind"] for r in reader if r.get("name")}


def treaty_for(doc: UntcDocument, treaty: str | None) -> TreatyRules:
    """The treaty a status file is about: ``treaty`` when given (it must agree with the file's
    own MTDSG reference), else the rule file with that reference."""
    if treaty:
        rules = get_treaty(treaty)
        if rules.untc_id and doc.reference and rules.untc_id.lower() != doc.reference.lower():
            raise DataError(
                f"{doc.source}: the file is the status of {doc.reference}, but "
                f"--treaty {treaty} is {rules.untc_id}; nothing was imported"
            )
        return rules
    found = treaty_by_untc(doc.reference) if doc.reference else None
    if found is not None:
        return found
    raise DataError(
        f"{doc.source}: no treaty rule file has the UNTC reference {doc.reference!r}; "
        "pass --treaty or add a rule file"
    )


def incoming_actions(
    store: Store, doc: UntcDocument, rules: TreatyRules, source: Source
) -> tuple[list[Action], list[str]]:
    """The acts the document records, with State codes; every unknown name is one error."""
    registry = store.registry()
    non_states = _non_states()
    errors = [p for p in doc.problems if p.severity == "error"]
    if errors:
        detail = "; ".join(
            f"row {p.row} ({p.participant}) column {p.column}: {p.message}" for p in errors
        )
        raise SourceError(f"{doc.source}: cells that are not dates: {detail}")
    warnings = list(doc.warnings)
    unknown: list[str] = []
    codes: dict[int, str] = {}
    for p in doc.participants:
        code = registry.lookup(p.name)
        if code is None:
            kind = non_states.get(fold(p.name))
            if kind:
                warnings.append(f"row {p.row}: {p.name} is not a State ({kind}); skipped")
            else:
                unknown.append(p.name)
            continue
        codes[p.row] = code
    if unknown:
        err = UnknownStateError(
            unknown, where=doc.source, hint=" (add an alias to state_aliases.csv if it is a State)"
        )
        err.exit_code = 2  # a status listing naming an unknown participant is a bad source
        raise err
    acts: list[Action] = []
    columns = {c.index: c.header for c in doc.columns}
    for p in doc.participants:
        code = codes.get(p.row)
        if code is None:
            continue
        for a in p.actions:
            note = f"row {p.row}, column '{columns.get(a.column, a.column)}': {a.raw.strip()}"
            acts.append(Action(rules.id, code, a.kind, _pd(a.date), (_with_note(source, note),)))
    for w in doc.withdrawals:
        if w.row is None or w.row not in codes:
            warnings.append(
                f"note {w.note_index}: a withdrawal of {w.participant or '?'} that "
                "matches no participant row; not imported"
            )
            continue
        if w.notified is None:
            warnings.append(
                f"note {w.note_index}: withdrawal of {w.participant} without a date "
                "of notification; not imported"
            )
            continue
        note = f"end note {w.note_index}: {w.text}"
        cited = _with_note(source, note, symbol=w.symbol)  # the note's C.N. symbol, if cited
        acts.append(Action(rules.id, codes[w.row], w.kind, _pd(w.notified), (cited,)))
    return acts, warnings


def _pd(day: Any) -> Any:
    from normwatch.core.dates import PartialDate

    return PartialDate.of(day)


def _with_note(src: Source, note: str, symbol: str | None = None) -> Source:
    return Source(
        src.url, symbol or src.symbol, src.title, src.published, src.retrieved, "high", note
    )


def reconcile(
    store: Store, rules: TreatyRules, incoming: Iterable[Action], reference: str, location: str
) -> Report:
    registry = store.registry()
    report = Report(location, rules.id, reference)
    existing = store.actions(rules.id)
    by_key: dict[tuple[str, str], list[Action]] = {}
    for a in existing:
        by_key.setdefault((a.state, _group(a.kind)), []).append(a)
    matched: set[str] = set()
    inc_by_key: dict[tuple[str, str], list[Action]] = {}
    for a in incoming:
        inc_by_key.setdefault((a.state, _group(a.kind)), []).append(a)

    def item(a: Action, before: Action | None = None, note: str | None = None) -> Item:
        b = None
        if before is not None:
            b = {
                "action": before.kind.value,
                "date": str(before.date),
                "source": "; ".join(s.url for s in before.sources),
            }
        return Item(a.state, registry.name(a.state), a.kind.value, str(a.date), b, note)

    for key, acts in sorted(inc_by_key.items()):
        olds = sorted(by_key.get(key, []), key=lambda a: a.day)
        for a in sorted(acts, key=lambda a: a.day):
            same = next((o for o in olds if o.kind == a.kind and o.date == a.date), None)
            if same is not None:
                olds.remove(same)
                matched.add(same.id)
                report.confirmed += 1
                report._link.append(a)  # gains (or refreshes) this source
                continue
            if not olds:
                report.new.append(item(a))
                report._add.append(a)
                continue
            old = olds.pop(0)
            matched.add(old.id)
            if all(_same_listing(s, reference, location) for s in old.sources):
                report.changed.append(item(a, old))
                report._drop.append(old)
                report._add.append(a)
            else:
                report.conflicts.append(item(a, old))
    revoked = {a.state: a for a in existing if a.kind == ActionKind.RATIFICATION_REVOKED}
    for a in existing:
        if a.kind in _NOT_IN_LISTINGS:
            continue  # the listing's rows never carry these: their absence says nothing
        if not a.sources or not all(_same_listing(s, reference, location) for s in a.sources):
            continue
        report.listed += 1
        if a.id not in matched:
            later = revoked.get(a.state)
            if a.kind.is_consent and later is not None and later.day >= a.day:
                # the act happened; the listing stopped showing it because it was revoked
                note = (
                    f"{_GONE}; kept: its revocation is on record ({later.date}), which "
                    "explains the absence"
                )
                report.gone.append(item(a, note=note))
                continue
            report.gone.append(item(a, note=_GONE))
            report._drop.append(a)
    return report


#: acts recorded in end notes or elsewhere, never as a row of a status listing
_NOT_IN_LISTINGS = frozenset(
    {
        ActionKind.RATIFICATION_REVOKED,
        ActionKind.INTENT_NOT_TO_BECOME_PARTY,
        ActionKind.SUSPENSION_NOTIFIED,
    }
)


#: an import may remove up to this many acts listed from its source without --allow-removals …
REMOVAL_LIMIT = 10
#: … or up to this share of them, whichever is larger
REMOVAL_SHARE = 0.05


def removal_refusal(report: Report, participants: int) -> str | None:
    """Why the report removes too much to apply without ``--allow-removals`` (None: it may)."""
    gone = len(report.gone)
    if participants == 0 and report.listed:
        why = "the file lists no participants (a header-only or truncated file)"
    elif gone > max(REMOVAL_LIMIT, REMOVAL_SHARE * report.listed):
        why = (
            f"it would remove {gone} of the {report.listed} acts listed from this source "
            f"(more than {REMOVAL_LIMIT} or {REMOVAL_SHARE:.0%})"
        )
    else:
        return None
    first = ", ".join(f"{i.state} {i.action} {i.date}" for i in report.gone[:5])
    more = f" and {gone - 5} more" if gone > 5 else ""
    return (
        f"{report.source}: import refused: {why}; it would remove {gone} act(s) of "
        f"{report.treaty}: {first}{more}. Check the file (--dry-run lists them all), or pass "
        "--allow-removals"
    )


def apply(
    store: Store,
    rules: TreatyRules,
    report: Report,
    *,
    published: str | None,
    imported_at: str,
    verify: TreatyVerify | None = None,
) -> None:
    """Write the plan of ``report`` in one transaction (``verify`` wraps the writes)."""
    from sqlalchemy import delete

    from normwatch.store import schema as t
    from normwatch.store.facts import ensure_source, ensure_treaty, write_actions
    from normwatch.store.journal import journaled

    touched = ("treaties", "sources", "actions", "action_sources", "imports")
    with (
        store.transaction() as conn,
        journaled(conn, "untc", report.source, touched),
        verify(conn, rules.id) if verify else nullcontext(),
    ):
        ensure_treaty(conn, rules)
        drop = [a.id for a in report._drop]
        if drop:
            conn.execute(delete(t.action_sources).where(t.action_sources.c.action_id.in_(drop)))
            conn.execute(delete(t.actions).where(t.actions.c.id.in_(drop)))
        write_actions(conn, [*report._add, *report._link], seen_at=imported_at, kind="depositary")
        sid = ensure_source(
            conn,
            Source(report.source, title=f"UNTC status {report.reference}", published=published),
            kind="depositary",
        )
        conn.execute(
            t.imports.insert().values(
                source_id=sid,
                importer="untc",
                treaty=report.treaty,
                imported_at=imported_at,
                published=published,
                new=len(report.new),
                changed=len(report.changed),
                gone=len(report.gone),
                conflicts=len(report.conflicts),
            )
        )


@dataclass(frozen=True)
class _Read:
    """A status file fetched, parsed and resolved to the store's States: ready to reconcile."""

    got: Fetched
    doc: UntcDocument
    rules: TreatyRules
    actions: list[Action]
    warnings: list[str]


def _read(store: Store, location: str, treaty: str | None) -> _Read:
    got = fetch(location)
    doc = parse_status(got.data, source=got.location)
    rules = treaty_for(doc, treaty)
    source = Source(
        got.location,
        title=f"UNTC status {doc.reference}: {doc.title}"[:300],
        published=got.published,
    )
    acts, warnings = incoming_actions(store, doc, rules, source)
    return _Read(got, doc, rules, acts, warnings)


def import_untc(
    store: Store,
    location: str,
    *,
    treaty: str | None = None,
    dry_run: bool = False,
    imported_at: str | None = None,
    allow_removals: bool = False,
) -> Report:
    """Fetch, parse, reconcile and (unless ``dry_run``) apply one status file."""
    return import_untc_files(
        store,
        [location],
        treaty=treaty,
        dry_run=dry_run,
        imported_at=imported_at,
        allow_removals=allow_removals,
    )[0]


def import_untc_files(
    store: Store,
    locations: Sequence[str],
    *,
    treaty: str | None = None,
    dry_run: bool = False,
    imported_at: str | None = None,
    allow_removals: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    verify: TreatyVerify | None = None,
) -> list[Report]:
    """Import several status files: every file is fetched, parsed and its names resolved
    before anything is written, so one bad file stops them all; then each is reconciled
    with the store as the files before it left it, and applied in its own transaction.

    A file that lists no participants, or that would remove more than :data:`REMOVAL_LIMIT`
    acts (or :data:`REMOVAL_SHARE` of those listed from it), is refused before anything is
    written unless ``allow_removals``; a dry run reports it as a warning.

    ``progress(step, done, total)`` is called as each file is read ("reading") and applied
    ("applying", or "checking" in a dry run). ``verify`` wraps each file's writes inside its
    transaction, given the file's treaty, and may refuse them (the service runs ``normwatch
    check`` there, for the treaties those writes can change)."""
    total = len(locations)
    read = []
    for i, location in enumerate(locations):
        if progress:
            progress("reading", i, total)
        read.append(_read(store, location, treaty))
    if progress:
        progress("reading", total, total)
    step = "checking" if dry_run else "applying"
    stamp = imported_at or now_iso()
    if not dry_run and not allow_removals:
        # every file is checked against the store before any is written
        for r in read:
            plan = reconcile(store, r.rules, r.actions, r.doc.reference, r.got.location)
            refusal = removal_refusal(plan, len(r.doc.participants))
            if refusal:
                raise SourceError(refusal)
    reports = []
    for i, r in enumerate(read):
        if progress:
            progress(step, i, total)
        report = reconcile(store, r.rules, r.actions, r.doc.reference, r.got.location)
        report.warnings = r.warnings
        report.dry_run = dry_run
        report.refusal = removal_refusal(report, len(r.doc.participants))
        if report.refusal and dry_run:
            report.warnings.append("without --allow-removals this import would be refused")
        if not dry_run:
            apply(
                store,
                r.rules,
                report,
                published=r.got.published,
                imported_at=stamp,
                verify=verify,
            )
        reports.append(report)
    if progress:
        progress(step, total, total)
    return reports


def sources_summary(store: Store) -> list[dict[str, Any]]:
    """Each source with what cites it and its last import: ``actions`` and ``events`` of the
    core, ``other`` the rows of the feature tables (obligation facts, meeting records,
    group memberships ...) that cite it."""
    from normwatch.errors import StoreError
    from normwatch.features import import_schema_modules
    from normwatch.store import schema

    sql = """
    SELECT s.id, s.url, s.symbol, s.kind, s.title, s.published,
           (SELECT COUNT(*) FROM action_sources x WHERE x.source_id = s.id) AS actions,
           (SELECT COUNT(*) FROM events e WHERE e.source_id = s.id) AS events,
           (SELECT MAX(i.imported_at) FROM imports i WHERE i.source_id = s.id) AS last_import,
           (SELECT COUNT(*) FROM imports i WHERE i.source_id = s.id) AS imports
    FROM sources s
    """
    # sorted here, the same on every database (collations differ): the last imported first,
    # then the most cited, then by URL (stable sorts, the last key first)
    rows = sorted(store.query(sql), key=lambda r: (r["url"], r["symbol"] or "", r["id"]))
    rows.sort(key=lambda r: -int(r["actions"]))
    rows.sort(key=lambda r: r["last_import"] or "", reverse=True)
    rows.sort(key=lambda r: r["last_import"] is None)
    import_schema_modules()
    core = {"action_sources", "events", "imports"}
    other: dict[str, int] = {}
    for table in schema.metadata.sorted_tables:
        if "source_id" not in table.c or table.name in core:
            continue
        try:
            found = store.query(
                f"SELECT source_id, COUNT(*) AS n FROM {table.name} "
                "WHERE source_id IS NOT NULL GROUP BY source_id"
            )
        except StoreError:  # a table a store made before that feature does not have
            continue
        for r in found:
            other[r["source_id"]] = other.get(r["source_id"], 0) + r["n"]
    from normwatch.store.freshness import source_freshness

    newest = source_freshness(store)
    created = store.query("SELECT value FROM meta WHERE key = 'created_at'")
    for row in rows:
        row["other"] = other.get(row["id"], 0)
        row["newest_act"] = newest.get(row["id"])
        # a source no import named came with the bundled data, loaded when the store was made
        row["last_import_by"] = "import" if row["last_import"] else "bundled data loaded"
        if not row["last_import"] and created:
            row["last_import"] = created[0]["value"]
    return rows
