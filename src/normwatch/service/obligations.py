"""The library calls behind ``normwatch obligations``, ``deadlines``, ``calendar`` and the web app.

Each takes a :class:`~normwatch.store.db.Store` and plain arguments and returns JSON-ready rows
(or, for the calendar, the iCalendar text). :func:`check` is registered in
``features.CHECKS`` and reports facts that cannot be right, naming file and line.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from normwatch.catalog import get_treaty, obligation_rules
from normwatch.core.dates import MAX_DATE, PartialDate, add_months, add_years
from normwatch.core.obligation_rules import ObligationRule, known_fact_names
from normwatch.core.obligations import (
    ALL_STATES,
    InForce,
    ObligationFact,
    ObligationState,
    ObStatus,
    change_days,
    evaluate,
    evaluate_all,
    in_force_spans,
    instances,
    standing,
)
from normwatch.core.registry import fold
from normwatch.core.treaty import TreatyRules
from normwatch.errors import DataError, NormwatchError
from normwatch.sources.obligation_facts import read_facts

if TYPE_CHECKING:
    from normwatch.core.registry import Registry
    from normwatch.core.status import TreatyView
    from normwatch.service.ical import AllDayEvent
    from normwatch.service.status import Problem
    from normwatch.store.db import Store

#: statuses that carry a deadline still ahead (or possibly ahead)
UPCOMING = frozenset({ObStatus.PENDING, ObStatus.EXTENDED, ObStatus.UNKNOWN})


@dataclass(frozen=True)
class _Treaty:
    rules: TreatyRules
    obligations: tuple[ObligationRule, ...]
    view: TreatyView
    facts: list[ObligationFact]

    @cached_property
    def _facts_by_state(self) -> dict[str, list[ObligationFact]]:
        """Each State's facts with those about all States, in the order recorded."""
        out: dict[str, list[ObligationFact]] = {}
        for state in self.view.states:
            out[state] = []
        for f in self.facts:
            for state in self.view.states if f.state == ALL_STATES else (f.state,):
                out.setdefault(state, []).append(f)
        return out

    def evaluate(self, state: str, on: dt.date) -> list[ObligationState]:
        facts = self._facts_by_state.get(state)
        if facts is None:  # a State outside the treaty's universe: only the general facts
            facts = [f for f in self.facts if f.state in (state, ALL_STATES)]
        return evaluate_all(self.obligations, state, self.view.timelines.get(state), facts, on)

    def evaluate_one(self, item: _Item, on: dt.date) -> ObligationState:
        """What :meth:`evaluate` gives for ``item`` on ``on`` (a day on which it applies)."""
        facts = self._facts_by_state[item.state]
        return evaluate(
            item.rule,
            item.state,
            self.view.timelines.get(item.state),
            [f for f in facts if f.state == item.state],
            on,
            aggregates=[f for f in facts if f.state == ALL_STATES],
            rules=self.obligations,
            hostilities=item.hostilities,
        )

    @cached_property
    def horizon(self) -> dt.date:
        """The first day the index of :meth:`items_on` does not cover: 1 January
        ``HORIZON_YEARS`` after the year of the latest day on which a State's status under the
        treaty changes (later days are evaluated in full)."""
        days = [
            d
            for t in self.view.timelines.values()
            for p in t.periods
            for d in (p.start, p.end)
            if d is not None
        ]
        latest = max(days, default=self.rules.opened_for_signature)
        return min(dt.date(latest.year + HORIZON_YEARS, 1, 1), MAX_DATE)

    def indexed(self) -> int:
        """How many obligations (of a State, in one in-force stretch) the index holds: worked
        out on first use, then kept with the treaty."""
        return sum(len(items) for stretches in self._index.values() for _, items in stretches)

    @cached_property
    def _index(self) -> dict[str, list[tuple[InForce, list[_Item]]]]:
        """Each State's in-force stretches, each with its obligations (in the order of
        :func:`evaluate_all`) and their status and deadline from each day on which they may
        change (``change_days``) up to :attr:`horizon`: worked out once per store version."""
        out: dict[str, list[tuple[InForce, list[_Item]]]] = {}
        for code in self.view.states:
            timeline = self.view.timelines.get(code)
            facts = self._facts_by_state[code]
            mine = [f for f in facts if f.state == code]
            stretches = []
            for span in in_force_spans(timeline):
                if span.end is not None and span.end <= span.start:
                    continue
                items = []
                for rule, ended in instances(self.obligations, mine):
                    item = _Item(code, rule, ended, [], [])
                    for day in [span.start, *change_days(rule, span, facts, self.obligations,
                                                         ended, self.horizon)]:  # fmt: skip
                        if day >= self.horizon:
                            break
                        s = self.evaluate_one(item, day)
                        if not item.values or item.values[-1] != (s.status, s.deadline):
                            item.days.append(day)
                            item.values.append((s.status, s.deadline))
                    items.append(item)
                stretches.append((span, items))
            out[code] = stretches
        return out

    def items_on(self, on: dt.date) -> Iterator[tuple[_Item, ObStatus, PartialDate | None]]:
        """Every obligation of every State for which the treaty is in force on ``on``, with its
        status and deadline on that day, in the order of :func:`deadline_states` before its
        sort: from the index (below :attr:`horizon`), else evaluated."""
        for code in self.view.states:
            span_items = next((items for span, items in self._index[code] if span.covers(on)), None)
            for item in span_items or ():
                if on >= self.horizon or not item.days:
                    s = self.evaluate_one(item, on)
                    yield item, s.status, s.deadline
                else:
                    yield item, *item.values[bisect_right(item.days, on) - 1]


#: how many years after the latest change of status the index of obligations reaches
HORIZON_YEARS = 10


@dataclass
class _Item:
    """One obligation of one State (the one after one end of hostilities, with
    ``hostilities``), and its status and deadline from each of ``days`` on (see ``_index``)."""

    state: str
    rule: ObligationRule
    hostilities: PartialDate | None
    days: list[dt.date]
    values: list[tuple[ObStatus, PartialDate | None]]


def _rules(treaty: str) -> tuple[TreatyRules, tuple[ObligationRule, ...]]:
    rules = get_treaty(treaty)
    obligations = obligation_rules(rules.id)
    if not obligations:
        raise DataError(f"the rule file of {rules.id} defines no obligations ([[obligations]])")
    return rules, obligations


def _load(store: Store, treaty: str) -> _Treaty:
    rules, obligations = _rules(treaty)
    # once per store version and rule file (the memo keeps both alive, so their ids stay
    # theirs): the facts grouped by State are kept with it
    return store.memo(
        ("obligations", rules.id, id(rules), id(obligations)),
        lambda: _Treaty(rules, obligations, store.view(rules.id), read_facts(store, rules.id)),
    )


def prepare(store: Store, treaty: str) -> int:
    """Work out once what :func:`deadlines` answers any day from (the index of each State's
    obligations), so that the first question does not wait for it; how many obligations it
    holds (0 for a treaty whose rule file defines none)."""
    try:
        t = _load(store, treaty)
    except DataError:
        return 0
    return t.indexed()


def parse_within(text: str) -> int:
    """A window such as ``12m``, ``18`` (months) or ``2y`` as a number of months."""
    raw = text.strip().lower()
    unit = raw[-1] if raw and raw[-1] in "my" else "m"
    number = raw[:-1] if raw and raw[-1] in "my" else raw
    if not number.isdigit() or int(number) <= 0:
        raise DataError(
            f"--within: expected a number of months or years such as 12m or 2y, got {text!r}"
        )
    months = int(number) * (12 if unit == "y" else 1)
    if months > MAX_WITHIN_MONTHS:
        raise DataError(f"--within: at most {MAX_WITHIN_MONTHS // 12} years, got {text!r}")
    return months


#: the longest window ``--within`` takes: a century covers every deadline a treaty can set
MAX_WITHIN_MONTHS = 1200


def obligations_for(store: Store, treaty: str, state: str, on: dt.date) -> list[dict[str, Any]]:
    """Every obligation of one State (name or code) under a treaty on a day, explained."""
    rules, obligations = _rules(treaty)
    reg = store.registry()
    code = reg.resolve(state)
    facts = [f for f in read_facts(store, rules.id) if f.state in (code, ALL_STATES)]
    timeline = store.timeline(rules.id, code)  # this State's alone: no need for the others'
    return [
        s.to_dict(name=reg.name(code)) for s in evaluate_all(obligations, code, timeline, facts, on)
    ]


def _upcoming(s: ObligationState, on: dt.date, until: dt.date | None) -> bool:
    return _due(s.status, s.deadline, on, until)


def _due(
    status: ObStatus, deadline: PartialDate | None, on: dt.date, until: dt.date | None
) -> bool:
    """Whether an obligation of ``status`` with ``deadline`` is still to be met from ``on``
    (by ``until`` when given)."""
    if status not in UPCOMING or deadline is None or deadline.latest() < on:
        return False
    return until is None or deadline.earliest() <= until


def deadlines(
    store: Store,
    treaty: str,
    on: dt.date,
    within_months: int | None = None,
    overdue_only: bool = False,
) -> list[dict[str, Any]]:
    """Deadlines of every State for which the treaty is in force on ``on``.

    Overdue obligations always; with ``overdue_only`` nothing else; otherwise also every
    deadline from ``on`` on (within ``within_months`` when given), in date order.
    """
    reg = store.registry()
    return [
        s.to_dict(name=reg.name(s.state))
        for s in deadline_states(store, treaty, on, within_months, overdue_only)
    ]


def deadline_states(
    store: Store,
    treaty: str,
    on: dt.date,
    within_months: int | None = None,
    overdue_only: bool = False,
) -> list[ObligationState]:
    """The obligations behind :func:`deadlines`, in its order (for a caller that shows only
    some of them: each costs its ``to_dict`` only when shown)."""
    t, found = _found(store, treaty, on, within_months, overdue_only)
    return [t.evaluate_one(item, on) for item, _ in found]


def deadline_summary(
    store: Store, treaty: str, on: dt.date, within_months: int | None, n: int
) -> tuple[int, int, list[ObligationState]]:
    """Of :func:`deadline_states`: how many are overdue, how many are not, and the first ``n``
    of those that are not (only these are evaluated in full)."""
    t, found = _found(store, treaty, on, within_months, False)
    upcoming = [item for item, status in found if status != ObStatus.OVERDUE]
    return len(found) - len(upcoming), len(upcoming), [t.evaluate_one(i, on) for i in upcoming[:n]]


def _found(
    store: Store, treaty: str, on: dt.date, within_months: int | None, overdue_only: bool
) -> tuple[_Treaty, list[tuple[_Item, ObStatus]]]:
    """The obligations that :func:`deadline_states` lists, in its order, with their status."""
    if within_months is not None and within_months <= 0:
        raise DataError("--within must be at least one month")
    t = _load(store, treaty)
    until = add_months(on, within_months) if within_months is not None else None
    found = [
        (item, status, deadline)
        for item, status, deadline in t.items_on(on)
        if status == ObStatus.OVERDUE or (not overdue_only and _due(status, deadline, on, until))
    ]
    # the order of the rows: deadline (as written, undated first), State, obligation
    found.sort(key=lambda x: (str(x[2]) if x[2] else "", x[0].state, x[0].rule.id))
    return t, [(item, status) for item, status, _ in found]


def group_deadlines(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``deadlines`` rows for reading: one group per identical obligation (same obligation,
    article, status, confidence and deadline) with its States sorted by name. Overdue groups
    come first, then by deadline (undated last), then obligation. Each group has
    ``deadline``, ``obligation``, ``article``, ``status``, ``confidence``, ``overdue_days``
    (when every State has the same), ``count``, ``states`` (the rows) and ``label``, e.g.
    ``161 States`` or the State's name."""
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        key = (
            row["status"],
            row.get("deadline"),
            row["obligation"],
            row.get("article"),
            row.get("confidence"),
        )
        groups.setdefault(key, []).append(row)
    out = []
    for (status, deadline, obligation, article, confidence), members in groups.items():
        members = sorted(members, key=lambda r: (fold(str(r.get("name") or "")), r["state"]))
        overdue_days = {r.get("overdue_days") for r in members}
        out.append(
            {
                "deadline": deadline,
                "obligation": obligation,
                "article": article,
                "status": status,
                "confidence": confidence,
                "overdue_days": overdue_days.pop() if len(overdue_days) == 1 else None,
                "count": len(members),
                "states": members,
                "label": members[0]["name"] if len(members) == 1 else f"{len(members)} States",
            }
        )
    out.sort(
        key=lambda g: (
            g["status"] != ObStatus.OVERDUE.value,
            g["deadline"] is None,
            str(g["deadline"] or ""),
            g["obligation"],
            str(g["article"] or ""),
            g["status"],
        )
    )
    return out


def calendar_ics(store: Store, treaty: str, states: Sequence[str], on: dt.date) -> str:
    """An iCalendar (RFC 5545) text: one all-day event per deadline from ``on`` on.

    ``states`` are names or codes; none means every State for which the treaty is in force.
    A deadline known only to the month or year is placed on its last possible day, and says so.
    """
    from normwatch.service.ical import calendar

    name = f"{get_treaty(treaty).short_name} deadlines"
    return calendar(calendar_events(store, treaty, states, on), name=name, stamp=on)


def calendar_events(
    store: Store, treaty: str, states: Sequence[str], on: dt.date
) -> list[AllDayEvent]:
    """The events of :func:`calendar_ics`, in date order: one per deadline, except that the
    same obligation due the same day from several States is one event naming them all."""
    t = _load(store, treaty)
    reg = store.registry()
    codes = (
        reg.resolve_all(list(states))
        if states
        else [c for c in t.view.states if standing(t.view.timelines.get(c), on)[0] is not None]
    )
    groups: dict[tuple[str, str, str], list[tuple[str, ObligationState]]] = {}
    for code in codes:
        for s in t.evaluate(code, on):
            if _upcoming(s, on, None):
                groups.setdefault((str(s.deadline), s.rule.id, s.label), []).append((code, s))
    events = [_calendar_event(t, reg, on, members) for members in groups.values()]
    events.sort(key=lambda e: (e.day, e.uid))
    return events


def _calendar_event(
    t: _Treaty, reg: Registry, on: dt.date, members: list[tuple[str, ObligationState]]
) -> AllDayEvent:
    """One all-day event for the States of ``members``, all owing the same obligation on the
    same deadline (their rule, deadline and article are the same; their facts may differ)."""
    from normwatch.service.ical import AllDayEvent, uid

    code, s = members[0]
    assert s.deadline is not None
    vague = (
        ""
        if s.deadline.precision == "day"
        else f" (deadline known only as {s.deadline}; placed on its last possible day)"
    )
    what = s.rule.id.replace("_", " ")
    text_url = t.rules.raw.get("text_url")
    sources = list(dict.fromkeys(f.source.url for _, m in members for f in m.facts))
    if len(members) == 1:
        who, key, name = f"{reg.name(code)} ({code})", code, reg.name(code)
        status = f"{s.status.value}. {s.summary[:1].upper()}{s.summary[1:]}."
    else:
        who, key = f"{len(members)} States", "states"
        name = who
        ordered = sorted(members, key=lambda m: (fold(reg.name(m[0])), m[0]))
        status = "per State: " + "; ".join(
            f"{reg.name(c)} ({c}): {m.status.value}" for c, m in ordered
        )
    description = "\n".join(
        [
            f"{who}, {t.rules.short_name} {s.label}: {what} due {s.deadline}{vague}.",
            f"Status on {on.isoformat()}: {status}",
            f"Rule: {s.label}: {s.rule_text}.",
            *(f"- {step}" for step in s.steps[1:]),
            "Sources: "
            + ("; ".join(sources) if sources else f"the treaty text ({text_url or t.rules.name})"),
        ]
    )
    return AllDayEvent(
        uid=uid([t.rules.id, key, s.rule.id, str(s.deadline)]),
        day=s.deadline.latest(),
        summary=f"{t.rules.short_name}: {name} - {what} due ({s.label})",
        description=description,
        url=sources[0] if sources else (text_url if isinstance(text_url, str) else None),
        categories=(t.rules.short_name, s.rule.id),
    )


# --- normwatch check ----------------------------------------------------------------------


def _problems_for(store: Store, rules: TreatyRules) -> list[str]:
    try:
        obligations = obligation_rules(rules)
    except NormwatchError as exc:
        return [str(exc)]
    facts = read_facts(store, rules.id)
    if not facts:
        return []
    names = known_fact_names(obligations)
    known = ", ".join(sorted(names))
    codes = set(store.registry().codes)
    view = store.view(rules.id)
    out: list[str] = []
    # the deadline in force after each granted step, by (State, obligation, end of
    # hostilities), in file order
    current: dict[tuple[str, str, PartialDate | None], PartialDate] = {}
    granted_steps: dict[tuple[str, str, PartialDate | None], int] = {}
    # a completion followed by a new deadline (mined areas found later): that deadline is the
    # meeting's decision on new work, not an extension bound by the per-extension maximum
    reopened: set[tuple[str, str, PartialDate | None]] = set()
    for f in facts:
        at = f"{f.label}: {f.state} {f.obligation}"
        rule = names.get(f.obligation)
        bad_state = f.state != ALL_STATES and f.state not in codes
        if bad_state:
            out.append(f"{f.label}: unknown State code {f.state!r}")
        if rule is None:
            out.append(
                f"{f.label}: unknown obligation id {f.obligation!r} for {rules.id} (known: {known})"
            )
        if rule is None or bad_state:
            continue
        if f.state == ALL_STATES:
            if f.completed_by is None:
                out.append(f"{at}: a fact about all States Parties needs completed_by")
            continue
        spans = in_force_spans(view.timelines.get(f.state))
        if not spans:
            out.append(
                f"{at}: {rules.short_name} has never been in force for {f.state}, so it "
                "has no obligations under it"
            )
            continue
        eif = spans[0].start
        ended = f.hostilities_ended
        later = rule.after_hostilities
        if ended is not None and later is None:
            out.append(
                f"{at}: hostilities_ended is only for an obligation with a deadline "
                f"after hostilities (none for {rules.short_name} {rule.label})"
            )
            continue
        if ended is not None and ended.latest() < eif:
            out.append(
                f"{at}: hostilities ended {ended}, before entry into force for the "
                f"State ({eif.isoformat()}): {rule.label} applies, not "
                f"{later.label if later else 'a later deadline'}"
            )
        if f.completed_on is not None and f.completed_on.latest() < eif and not f.before_eif:
            out.append(
                f"{at}: completion {f.completed_on} is before entry into force for the "
                f"State ({eif.isoformat()}); if a source says so, set before_eif=yes"
            )
        if (
            f.outstanding_on is not None
            and f.completed_on is not None
            and f.outstanding_on.earliest() > f.completed_on.latest()
        ):
            out.append(
                f"{at}: outstanding on {f.outstanding_on}, after its completion {f.completed_on}"
            )
        if rule.recurring:
            if f.obligation == rule.id and f.report_year is None:
                out.append(f"{at}: a fact on a yearly report needs report_year")
            if f.is_extension:
                out.append(f"{at}: a yearly report ({rule.label}) cannot be extended")
            continue
        if f.report_year is not None:
            out.append(f"{at}: report_year is only for yearly reports")
        computed, how = rule.first_deadline(eif, ended)
        if ended is None:
            how = f"{how}, {rule.label}"
        if f.original_deadline is not None and f.original_deadline != computed:
            out.append(
                f"{at}: original deadline {f.original_deadline} differs from the computed "
                f"{computed} ({how})"
            )
        key = (f.state, rule.id, ended)
        if not f.is_extension:
            if f.completed_on is not None:
                reopened.add(key)
            continue
        ext = rule.extension
        if ext is None:
            out.append(
                f"{at}: {rules.short_name} {rule.label} has no extension rule, so no "
                "extension can be granted or requested"
            )
            continue
        before = current.get(key, computed)
        new = f.extended_deadline
        if new is not None:
            if new.latest() <= before.latest():
                out.append(
                    f"{at}: extension to {new} does not move the deadline later (the "
                    f"deadline it extends is {before})"
                )
            elif key not in reopened and new.earliest() > add_years(before.latest(), ext.max_years):
                out.append(
                    f"{at}: extension from {before} to {new} is longer than the "
                    f"{ext.max_years} years allowed per extension (art. {ext.article})"
                )
        if f.granted:
            granted_steps[key] = granted_steps.get(key, 0) + 1
            if granted_steps[key] > 1 and not ext.renewable:
                out.append(f"{at}: a further extension, but art. {ext.article} allows only one")
            if new is not None:
                current[key] = new
        if f.completed_on is not None:
            reopened.add(key)
    return out


def check(store: Store, treaties: Collection[str] | None = None) -> list[Problem]:
    """Obligation facts that cannot be right (registered in ``features.CHECKS``); of
    ``treaties`` only when given."""
    from normwatch.service.status import Problem

    return [
        Problem("obligations", message)
        for rules in sorted(store.treaties().values(), key=lambda r: r.id)
        if treaties is None or rules.id in treaties
        for message in _problems_for(store, rules)
    ]
