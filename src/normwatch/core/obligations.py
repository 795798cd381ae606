"""The obligations engine: what each obligation of a State requires on a given day, and why.

Pure functions: an obligation rule, the State's timeline (from the foundation engine), the facts
on record and a day go in; an :class:`ObligationState` comes out. Nothing here reads files, the
database or the clock.

Entry into force for the State is the start of its ``party`` period in the foundation timeline;
the obligations end on the day a withdrawal takes effect (the start of ``withdrawn``). A State
for which the treaty is not in force on the day has no obligations (``not_applicable``).

Statuses:

``not_applicable``  not in force for the State, or (``applies = "declared"``) a sourced
                    fact says the State has nothing to do (``declared = no``)
``pending``         the deadline is ahead (the deadline day itself is still in time)
``extended``        pending, with a deadline moved by a granted extension
``completed``       done: on time, late (by how much) or - known only from an aggregate
                    statement or a date range - with the timing unknown
``overdue``         the deadline has passed and no completion is on record by the day (for
                    reports: only where a source says the report was outstanding)
``unknown``         the facts do not decide: an obligation that applies only to some States
                    (``applies = "declared"``) with nothing on record for the State ("no
                    declaration on record"), a report with no submission data, a deadline
                    that passed while an extension request awaits a decision not on record, a
                    completion known only to lie in a range that straddles the day

Dates of any precision are compared conservatively: a completion is on time when its latest
possible day is no later than the deadline's earliest possible day, late when its earliest
possible day is after the deadline's latest, and of unknown timing otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from normwatch.core.dates import PartialDate
from normwatch.core.model import Source, Status
from normwatch.core.obligation_rules import AfterHostilitiesRule, ObligationRule
from normwatch.core.status import Explanation, Period, Timeline

#: the ``state`` of an aggregate statement about all States Parties
ALL_STATES = "*"


@dataclass(frozen=True)
class ObligationFact:
    """One sourced fact about one State's obligation (or, with state ``*``, about all)."""

    treaty: str
    state: str
    obligation: str
    source: Source
    original_deadline: PartialDate | None = None
    extended_deadline: PartialDate | None = None
    decided_at: str | None = None
    decision: str | None = None
    decided_on: PartialDate | None = None
    completed_on: PartialDate | None = None
    completed_by: PartialDate | None = None
    outstanding_on: PartialDate | None = None
    report_year: int | None = None
    before_eif: bool = False
    declared: bool = True
    hostilities_ended: PartialDate | None = None
    where: str | None = None

    @property
    def is_extension(self) -> bool:
        """A step that extends (or asks to extend) the deadline."""
        return self.decision is not None

    @property
    def granted(self) -> bool:
        return self.decision == "granted"

    @property
    def label(self) -> str:
        """Where the fact comes from, for messages: ``ccm/obligations.csv:12`` or the treaty."""
        return self.where or f"{self.treaty} obligation fact"

    def cite(self) -> str:
        conf = f", {self.source.confidence}" if self.source.confidence else ""
        return f"[{self.source.url}{conf}]"

    def to_dict(self) -> dict[str, Any]:
        def s(p: PartialDate | None) -> str | None:
            return str(p) if p is not None else None

        return {
            "state": self.state,
            "obligation": self.obligation,
            "original_deadline": s(self.original_deadline),
            "extended_deadline": s(self.extended_deadline),
            "decided_at": self.decided_at,
            "decision": self.decision,
            "decided_on": s(self.decided_on),
            "completed_on": s(self.completed_on),
            "completed_by": s(self.completed_by),
            "outstanding_on": s(self.outstanding_on),
            "report_year": self.report_year,
            "before_eif": self.before_eif,
            "declared": self.declared,
            "hostilities_ended": s(self.hostilities_ended),
            "source": self.source.url,
            "confidence": self.source.confidence,
            "note": self.source.note,
            "where": self.where,
        }


ONE_DAY = dt.timedelta(days=1)
# the reason given when a State-specific obligation has no fact on record for the State
NO_DECLARATION = "no declaration on record"
# confidence levels of the vetted data, lowest first
_RANK = {"low": 0, "medium": 1, "high": 2}


class ObStatus(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    PENDING = "pending"
    EXTENDED = "extended"
    COMPLETED = "completed"
    OVERDUE = "overdue"
    UNKNOWN = "unknown"


# --- when the treaty binds the State ------------------------------------------------------


@dataclass(frozen=True)
class InForce:
    """A stretch of days on which the treaty is in force for the State.

    ``start`` is entry into force for the State; ``end`` is the first day it no longer binds
    (a withdrawal's effective date), None while open or while the effect is postponed.
    """

    start: dt.date
    end: dt.date | None
    party: Period
    withdrawal: Period | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def in_force_spans(timeline: Timeline | None) -> list[InForce]:
    """The in-force stretches of a foundation timeline (``party`` through ``withdrawing``)."""
    spans: list[InForce] = []
    if timeline is None:
        return spans
    party: Period | None = None
    withdrawing: Period | None = None
    for p in timeline.periods:
        if p.status == Status.PARTY:
            if party is None:
                party = p
            withdrawing = None  # a revoked withdrawal restores the party period
        elif p.status == Status.WITHDRAWING:
            if party is not None:
                withdrawing = p
        elif party is not None:
            assert party.start is not None
            spans.append(InForce(party.start, p.start, party, withdrawing))
            party, withdrawing = None, None
    if party is not None and party.start is not None:
        spans.append(InForce(party.start, None, party, withdrawing))
    return spans


def standing(timeline: Timeline | None, on: dt.date) -> tuple[InForce | None, str]:
    """The in-force stretch covering ``on``, or None and the reason there is none."""
    spans = in_force_spans(timeline)
    for s in spans:
        if s.covers(on):
            return s, ""
    status = timeline.at(on).status if timeline is not None else Status.NON_SIGNATORY
    ahead = [s for s in spans if s.start > on]
    if ahead and status == Status.CONSENTED:
        return None, (
            f"not yet in force for the State on {on.isoformat()}: it enters into force "
            f"on {ahead[0].start.isoformat()}, and its obligations run from then"
        )
    ended = [s for s in spans if s.end is not None and s.end <= on]
    if ended:
        last = ended[-1]
        assert last.end is not None
        rule = last.withdrawal.explanation.rule if last.withdrawal else "withdrawal"
        return None, (
            f"obligations ended on {last.end.isoformat()}, when the withdrawal took "
            f"effect ({rule.split(':')[0]})"
        )
    return None, f"not a party on {on.isoformat()} (status: {status.value})"


# --- comparing dates of any precision -----------------------------------------------------


@dataclass(frozen=True)
class Range:
    """A day known to lie between ``lo`` and ``hi`` inclusive (``lo`` None: no lower bound)."""

    lo: dt.date | None
    hi: dt.date

    @classmethod
    def of(cls, p: PartialDate) -> Range:
        return cls(p.earliest(), p.latest())

    def __str__(self) -> str:
        if self.lo == self.hi:
            return self.hi.isoformat()
        if self.lo is None:
            return f"by {self.hi.isoformat()}"
        return f"between {self.lo.isoformat()} and {self.hi.isoformat()}"


def timing(done: Range, deadline: PartialDate) -> tuple[bool | None, tuple[int, int] | None]:
    """Whether ``done`` met ``deadline``: (True, None) on time, (False, (min, max) days late),
    or (None, None) when the range straddles the deadline."""
    if done.hi <= deadline.earliest():
        return True, None
    if done.lo is not None and done.lo > deadline.latest():
        return False, ((done.lo - deadline.latest()).days, (done.hi - deadline.earliest()).days)
    return None, None


def days_text(span: tuple[int, int]) -> str:
    lo, hi = span
    if lo == hi:
        return f"{lo} day{'s' if lo != 1 else ''}"
    return f"between {lo} and {hi} days"


# --- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDue:
    """One due date of a yearly report and what is known about it."""

    covers: int
    due: dt.date
    compliance: str  # on_time | late | submitted (timing unknown) | missing | unknown | upcoming
    submitted: PartialDate | None = None
    fact: ObligationFact | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "covers": self.covers,
            "due": self.due.isoformat(),
            "compliance": self.compliance,
            "submitted": str(self.submitted) if self.submitted else None,
            "source": self.fact.source.url if self.fact else None,
        }


@dataclass(frozen=True)
class ObligationState:
    """One obligation of one State on one day, with the reasons."""

    rule: ObligationRule
    state: str
    on: dt.date
    status: ObStatus
    summary: str
    deadline: PartialDate | None = None
    original_deadline: PartialDate | None = None
    #: for a deadline counted from the end of hostilities (CCM art. 4(1)(b)): that end
    hostilities_ended: PartialDate | None = None
    entry_into_force: dt.date | None = None
    ends: dt.date | None = None
    completed: PartialDate | None = None
    completed_by: dt.date | None = None
    on_time: bool | None = None
    late_by: tuple[int, int] | None = None
    overdue_days: int | None = None
    extensions: tuple[ObligationFact, ...] = ()
    requests: tuple[ObligationFact, ...] = ()
    facts: tuple[ObligationFact, ...] = ()
    reports: tuple[ReportDue, ...] = ()
    steps: tuple[str, ...] = ()
    eif: Explanation | None = None

    @property
    def obligation(self) -> str:
        return self.rule.id

    @property
    def basis(self) -> ObligationRule | AfterHostilitiesRule:
        """The rule the deadline comes from: the obligation's, or its deadline after
        hostilities (CCM art. 4(1)(b)) when this is about work that arose later."""
        later = self.rule.after_hostilities
        return later if self.hostilities_ended is not None and later is not None else self.rule

    @property
    def article(self) -> str:
        return self.basis.article

    @property
    def label(self) -> str:
        return self.basis.label

    @property
    def rule_text(self) -> str:
        return self.basis.text

    def explanation(self) -> str:
        """The status in words, then the article, the arithmetic and the facts, as sentences."""
        text = " ".join(_sentence(x) for x in (self.summary, *self.steps))
        return text[:1].upper() + text[1:]

    @property
    def confidence(self) -> str | None:
        """For an overdue or completed status, the lowest confidence among its facts."""
        if self.status not in (ObStatus.OVERDUE, ObStatus.COMPLETED):
            return None
        levels = [f.source.confidence for f in self.facts if f.source.confidence in _RANK]
        return min(levels, key=lambda c: _RANK[c or ""]) if levels else None

    def to_dict(self, *, name: str | None = None) -> dict[str, Any]:
        def d(x: dt.date | None) -> str | None:
            return x.isoformat() if x else None

        past = [r for r in self.reports if r.compliance != "upcoming"]
        return {
            "treaty": self.rule.treaty,
            "state": self.state,
            "name": name,
            "date": self.on.isoformat(),
            "obligation": self.rule.id,
            "article": self.article,
            "status": self.status.value,
            "confidence": self.confidence,
            "deadline": str(self.deadline) if self.deadline else None,
            "original_deadline": str(self.original_deadline) if self.original_deadline else None,
            "hostilities_ended": str(self.hostilities_ended) if self.hostilities_ended else None,
            "completed": str(self.completed) if self.completed else None,
            "completed_by": d(self.completed_by),
            "on_time": self.on_time,
            "late_by_days": self.late_by[0] if self.late_by else None,
            "late_by": days_text(self.late_by) if self.late_by else None,
            "overdue_days": self.overdue_days,
            "entry_into_force": d(self.entry_into_force),
            "ends": d(self.ends),
            "extensions": [_step(f) for f in self.extensions],
            "requests": [_step(f) for f in self.requests],
            "reports": {
                "due_so_far": len(past),
                "on_record": [r.to_dict() for r in past if r.fact is not None],
                "unknown": sum(r.compliance == "unknown" for r in past),
                "missing": sum(r.compliance == "missing" for r in past),
            }
            if self.rule.recurring
            else None,
            "summary": self.summary,
            "explanation": self.explanation(),
            "basis": {
                "rule": f"{self.label}: {self.rule_text}",
                "period": self.rule.period(),
                "extension": (
                    f"art. {self.rule.extension.article}: {self.rule.extension.text}"
                    if self.rule.extension
                    else None
                ),
                "entry_into_force": self.eif.to_dict() if self.eif else None,
                "arithmetic": list(self.steps),
                "facts": [f.to_dict() for f in self.facts],
            },
        }


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def _step(f: ObligationFact) -> dict[str, Any]:
    return {
        "deadline": str(f.extended_deadline) if f.extended_deadline else None,
        "decision": f.decision,
        "decided_at": f.decided_at,
        "decided_on": str(f.decided_on) if f.decided_on else None,
        "source": f.source.url,
        "confidence": f.source.confidence,
        "note": f.source.note,
    }


def _what(f: ObligationFact, part: str = "all") -> str:
    """A fact in words with its source; ``part`` picks the extension or the completion side
    of a row that records both."""
    bits: list[str] = []
    if f.is_extension and part in ("all", "extension"):
        target = f"to {f.extended_deadline}" if f.extended_deadline else "(new deadline not known)"
        verb = "granted" if f.granted else "requested, decision not on record"
        bits.append(f"extension {target} {verb}" + (f" ({f.decided_at})" if f.decided_at else ""))
    if part in ("all", "completion"):
        if f.completed_on is not None:
            bits.append(
                f"submitted {f.completed_on}" if f.report_year else f"completed {f.completed_on}"
            )
        if f.completed_by is not None:
            who = "all States Parties " if f.state == "*" else ""
            bits.append(f"{who}completed by {f.completed_by} (date itself not known)")
        if f.outstanding_on is not None:
            prep = "on" if f.outstanding_on.precision == "day" else "in"
            bits.append(f"still outstanding {prep} {f.outstanding_on}")
    if not f.declared:
        bits.append("the State declares nothing to do")
    if not bits:
        bits.append("declared")
    return f"{', '.join(bits)} {f.cite()}"


# --- evaluating one obligation ------------------------------------------------------------


@dataclass
class _Ctx:
    rule: ObligationRule
    state: str
    on: dt.date
    span: InForce
    steps: list[str] = field(default_factory=list)
    used: list[ObligationFact] = field(default_factory=list)
    hostilities: PartialDate | None = None

    def result(self, status: ObStatus, summary: str, **kw: Any) -> ObligationState:
        if self.span.end is not None:
            self.steps.append(
                f"the obligations end on {self.span.end.isoformat()}, when the "
                "withdrawal takes effect"
            )
        return ObligationState(
            self.rule,
            self.state,
            self.on,
            status,
            summary,
            hostilities_ended=self.hostilities,
            entry_into_force=self.span.start,
            ends=self.span.end,
            facts=tuple(self.used),
            steps=tuple(self.steps),
            eif=self.span.party.explanation,
            **kw,
        )


def evaluate(
    rule: ObligationRule,
    state: str,
    timeline: Timeline | None,
    facts: Iterable[ObligationFact],
    on: dt.date,
    *,
    aggregates: Sequence[ObligationFact] = (),
    rules: Sequence[ObligationRule] = (),
    hostilities: PartialDate | None = None,
) -> ObligationState:
    """The state of ``rule`` for ``state`` on ``on``.

    ``facts`` are the State's facts (others are ignored); ``aggregates`` the treaty's
    statements about all States Parties; ``rules`` the treaty's other obligations (needed when
    a yearly obligation starts ``after`` another). With ``hostilities``, the deadline is the
    rule's ``after_hostilities`` one, counted from that end of hostilities, and only the facts
    that give the same ``hostilities_ended`` count; without it, only those that give none.
    """
    basis = rule.after_hostilities if hostilities is not None else None
    label, text = (basis or rule).label, (basis or rule).text
    span, why = standing(timeline, on)
    if span is None:
        return ObligationState(
            rule,
            state,
            on,
            ObStatus.NOT_APPLICABLE,
            why,
            hostilities_ended=hostilities,
            steps=(f"{label}: {text}",),
        )
    mine = [
        f
        for f in facts
        if f.state == state
        and f.obligation in (rule.id, rule.fact)
        and f.hostilities_ended == hostilities
    ]
    ctx = _Ctx(rule, state, on, span, [f"{label}: {text}"], hostilities=hostilities)
    if rule.applies == "declared":
        declarations = [f for f in mine if f.obligation == rule.fact and f.report_year is None]
        if not declarations:
            what = rule.fact.replace("_", " ")
            # silence is not a declaration: only a sourced fact makes it not_applicable
            return ctx.result(
                ObStatus.UNKNOWN,
                f"{NO_DECLARATION}: nothing on {what} is on record for the State, so "
                f"whether {label} applies to it is unknown",
            )
        if not any(f.declared for f in declarations):
            ctx.used.extend(declarations)
            ctx.steps += [_what(f) for f in declarations]
            note = declarations[0].source.note or "no declaration"
            return ctx.result(
                ObStatus.NOT_APPLICABLE, f"the State declares nothing to do under {label} ({note})"
            )
    if rule.recurring:
        return _yearly(ctx, mine, rules)
    return _one_off(ctx, mine, aggregates)


def _completion(
    ctx: _Ctx, mine: list[ObligationFact], aggregates: Sequence[ObligationFact]
) -> tuple[Range | None, ObligationFact | None]:
    """When the obligation was completed, as far as the facts say, and the fact that says so."""
    done = [f for f in mine if f.completed_on is not None or f.completed_by is not None]
    best: tuple[Range, ObligationFact] | None = None
    for f in done:
        if f.completed_on is not None:
            r = Range.of(f.completed_on)
        elif f.completed_by is not None:
            r = Range(None, f.completed_by.latest())
        else:
            continue
        if best is None or r.hi > best[0].hi:
            best = (r, f)
    if best is None:
        # an aggregate statement covers each State in force on its date
        for a in aggregates:
            if a.obligation in (ctx.rule.id, ctx.rule.fact) and a.completed_by is not None:
                day = a.completed_by.latest()
                if ctx.span.covers(day) and (best is None or day < best[0].hi):
                    best = (Range(None, day), a)
    if best is None:
        return None, None
    rng, fact = best
    lows = [f.outstanding_on.earliest() for f in mine if f.outstanding_on is not None]
    if lows:
        # a source saw it still outstanding on that day: completion came later
        floor = max(lows) + ONE_DAY
        lo = floor if rng.lo is None else max(rng.lo, floor)
        rng = Range(min(lo, rng.hi), rng.hi)
    return rng, fact


def _extensions_in_effect(
    mine: Sequence[ObligationFact], original: PartialDate, on: dt.date
) -> tuple[list[ObligationFact], dict[int, str]]:
    """The granted extension steps in effect on ``on``, in the order recorded, and a remark
    (by ``id`` of the fact) on each step counted from an assumed day or not counted yet.

    A step counts from the earliest day its decision can have been taken. A step whose
    decision is not dated counts from the day after the deadline it extends: it was in effect
    by then at the latest, and without a date it cannot be shown in effect earlier.
    """
    in_effect: list[ObligationFact] = []
    notes: dict[int, str] = {}
    before = original
    for f in mine:
        if not f.granted or f.extended_deadline is None:
            continue
        if f.decided_on is not None:
            start = f.decided_on.earliest()
        else:
            start = before.latest() + ONE_DAY
            notes[id(f)] = (
                f" (decision not dated: counted from {start.isoformat()}, the day "
                "after the deadline it extends)"
            )
        if start <= on:
            in_effect.append(f)
        else:
            notes[id(f)] = f" (not in effect on {on.isoformat()}: counted from {start.isoformat()})"
        before = f.extended_deadline
    return in_effect, notes


def _one_off(
    ctx: _Ctx, mine: list[ObligationFact], aggregates: Sequence[ObligationFact]
) -> ObligationState:
    rule, on = ctx.rule, ctx.on
    if rule.set_by is not None:
        found = _deadline_set(ctx, mine)
        if found is None:
            return ctx.result(
                ObStatus.UNKNOWN,
                f"the deadline is set by a meeting of States Parties ({rule.label}); no "
                "decision setting it for the State is on record",
            )
        original = found
    else:
        original, how = rule.first_deadline(ctx.span.start, ctx.hostilities)
        ctx.steps.append(how)
    for f in mine:
        if (
            not f.is_extension
            and f.completed_on is None
            and f.completed_by is None
            and f.outstanding_on is None
        ):
            ctx.used.append(f)
            note = f": {f.source.note}" if f.source.note else ""
            ctx.steps.append(f"on record for the State {f.cite()}{note}")
    granted, notes = _extensions_in_effect(mine, original, on)
    deadline = granted[-1].extended_deadline if granted else original
    assert deadline is not None
    requests = [f for f in mine if f.decision == "requested"]
    for f in [f for f in mine if f.is_extension]:
        ctx.used.append(f)
        ctx.steps.append(_what(f, "extension") + notes.get(id(f), ""))
    done, done_fact = _completion(ctx, mine, aggregates)
    if done is not None and done_fact is not None:
        later = [
            f for f in granted if f.decided_on is not None and f.decided_on.earliest() > done.hi
        ]
        if later:
            ctx.used.append(done_fact)
            ctx.steps.append(
                f"{_what(done_fact, 'completion')}, but an extension was granted "
                f"after it ({later[0].decided_at or later[0].decided_on}): the "
                "obligation was reopened"
            )
            done, done_fact = None, None
        else:
            if done_fact not in ctx.used:
                ctx.used.append(done_fact)
            ctx.steps.append(_what(done_fact, "completion"))
    for f in mine:
        if f.outstanding_on is not None and f is not done_fact:
            if f not in ctx.used:
                ctx.used.append(f)
            ctx.steps.append(_what(f, "completion"))
    extended = bool(granted)
    common: dict[str, Any] = {
        "deadline": deadline,
        "original_deadline": original,
        "extensions": tuple(granted),
        "requests": tuple(requests),
    }
    dl = f"{'extended ' if extended else ''}deadline {deadline}"
    if done is not None and done_fact is not None and done.hi <= on:
        on_time, late = timing(done, deadline)
        exact = done_fact.completed_on
        when = f"completed {exact}" if exact else f"completed, date not known ({done})"
        if on_time:
            verdict = f"on time ({dl})"
        elif on_time is False and late is not None:
            verdict = f"late by {days_text(late)} ({dl})"
        else:
            verdict = f"whether before the {dl} is not known"
        return ctx.result(
            ObStatus.COMPLETED,
            f"{when}, {verdict}",
            completed=exact,
            completed_by=done.hi if exact is None else None,
            on_time=on_time,
            late_by=late,
            **common,
        )
    if on <= deadline.earliest():
        status = ObStatus.EXTENDED if extended else ObStatus.PENDING
        left = (deadline.earliest() - on).days
        return ctx.result(
            status,
            f"{'extended; ' if extended else ''}due by {deadline} ({left} days left)",
            **common,
        )
    if on <= deadline.latest():
        return ctx.result(
            ObStatus.UNKNOWN,
            f"{dl} is known only to the {deadline.precision}: it "
            f"may have passed by {on.isoformat()}",
            **common,
        )
    # the deadline has passed and no completion is on record by the day
    open_requests = [
        r
        for r in requests
        if r.extended_deadline is None or r.extended_deadline.latest() > deadline.latest()
    ]
    if open_requests:
        r = open_requests[-1]
        return ctx.result(
            ObStatus.UNKNOWN,
            f"{dl} has passed; an extension was requested "
            f"({r.decided_at or 'meeting not known'}) and its outcome is not on "
            "record",
            **common,
        )
    missed = done is None or (done.lo is not None and done.lo > deadline.latest())
    if not missed and done is not None:
        return ctx.result(
            ObStatus.UNKNOWN,
            f"{dl} has passed; completion is on record only as "
            f"{done}, which may or may not be before {on.isoformat()}",
            **common,
        )
    if (
        done is None
        and rule.applies == "all_parties"
        and not any(f.outstanding_on is not None for f in mine)
    ):
        return ctx.result(
            ObStatus.UNKNOWN,
            f"{dl} has passed; no submission data on record, so compliance is unknown",
            **common,
        )
    days = (on - deadline.latest()).days
    return ctx.result(
        ObStatus.OVERDUE,
        f"overdue by {days} days ({dl}; no completion on record by {on.isoformat()})",
        overdue_days=days,
        **common,
    )


def _deadline_set(ctx: _Ctx, mine: list[ObligationFact]) -> PartialDate | None:
    """The deadline a meeting set for the State (``set_by = "meeting"``): the latest fact that
    gives an ``original_deadline``, with the decision that set it; None when none is on record."""
    setting = [f for f in mine if f.original_deadline is not None and f.extended_deadline is None]
    if not setting:
        return None
    f = setting[-1]
    by = f.decided_at or "a meeting of States Parties (which one: not on record)"
    ctx.steps.append(
        f"deadline {f.original_deadline} set by {by} under {ctx.rule.label} {f.cite()}"
    )
    return f.original_deadline


def yearly_due_dates(
    rule: ObligationRule,
    anchor: dt.date,
    after: dt.date | None,
    last_covered: int | None,
    until: dt.date | None,
    horizon: dt.date,
) -> list[tuple[int, dt.date]]:
    """(year covered, due date) of a yearly obligation, from the first due date up to and
    including the first one on or after ``horizon``; due dates on or after ``until`` (the end
    of the obligations) and reports on years after ``last_covered`` are left out."""
    out: list[tuple[int, dt.date]] = []
    year = rule.first_due_year(anchor, after)
    while True:
        due = rule.due_on(year)
        if (until is not None and due >= until) or (
            last_covered is not None and year - 1 > last_covered
        ):
            break
        out.append((year - 1, due))
        if due >= horizon:
            break
        year += 1
    return out


def _yearly(
    ctx: _Ctx, mine: list[ObligationFact], rules: Sequence[ObligationRule]
) -> ObligationState:
    rule, on, anchor = ctx.rule, ctx.on, ctx.span.start
    after: dt.date | None = None
    if rule.after is not None:
        target = next((r for r in rules if r.id == rule.after), None)
        if target is None:
            raise ValueError(f"{rule.id}: obligation {rule.after!r} not given")
        after = target.deadline(anchor)
        what = rule.after.replace("_", " ")
        ctx.steps.append(
            f"{rule.period()}, from the first such day after the {what} deadline "
            f"({after.isoformat()})"
        )
    else:
        ctx.steps.append(f"{rule.period()}, covering each calendar year from {anchor.year}")
    declarations = [f for f in mine if f.report_year is None]
    ctx.used.extend(declarations)
    last_covered = None
    ended = [f.completed_on for f in declarations if f.completed_on is not None]
    if ended and rule.applies == "declared":
        last_covered = max(p.latest().year for p in ended)
        ctx.steps.append(
            f"ended in {max(ended)} {declarations[0].cite()}: the last report covers {last_covered}"
        )
    dues = yearly_due_dates(rule, anchor, after, last_covered, ctx.span.end, on)
    submissions: dict[int, list[ObligationFact]] = {}  # by the year each report covers
    for f in mine:
        if f.report_year is not None:
            submissions.setdefault(f.report_year, []).append(f)
    reports: list[ReportDue] = []
    for covers, due in dues:
        if due >= on:
            reports.append(ReportDue(covers, due, "upcoming"))
            continue
        on_year = submissions.get(covers, ())
        sub = gone = None
        if on_year:
            sub = next(
                (
                    f
                    for f in on_year
                    if f.completed_on is not None and f.completed_on.latest() <= on
                ),
                None,
            )
            gone = next(
                (
                    f
                    for f in on_year
                    if f.outstanding_on is not None and f.outstanding_on.earliest() > due
                ),
                None,
            )
        if sub is not None and sub.completed_on is not None:
            ok, _ = timing(Range.of(sub.completed_on), PartialDate.of(due))
            verdict = {True: "on_time", False: "late", None: "submitted"}[ok]
            reports.append(ReportDue(covers, due, verdict, sub.completed_on, sub))
        elif gone is not None:
            reports.append(ReportDue(covers, due, "missing", None, gone))
        else:
            reports.append(ReportDue(covers, due, "unknown"))
    for r in reports:
        if r.fact is not None:
            ctx.used.append(r.fact)
            ctx.steps.append(f"report on {r.covers} (due {r.due.isoformat()}): {_what(r.fact)}")
    past = [r for r in reports if r.compliance != "upcoming"]
    nxt = next((r for r in reports if r.compliance == "upcoming"), None)
    deadline = PartialDate.of(nxt.due) if nxt else None
    common: dict[str, Any] = {"deadline": deadline, "reports": tuple(reports)}
    ahead = (
        f"next due {nxt.due.isoformat()} (covering {nxt.covers})"
        if nxt
        else "no further report falls due"
    )
    missing = [r for r in past if r.compliance == "missing"]
    unknown = [r for r in past if r.compliance == "unknown"]
    if missing:
        days = (on - missing[0].due).days
        return ctx.result(
            ObStatus.OVERDUE,
            f"overdue by {days} days: the report on "
            f"{missing[0].covers} (due {missing[0].due.isoformat()}) was still "
            f"outstanding when last seen; {ahead}",
            overdue_days=days,
            **common,
        )
    if unknown:
        return ctx.result(
            ObStatus.UNKNOWN,
            f"{ahead}; no submission data on record for "
            f"{len(unknown)} of the {len(past)} reports due so far, so compliance "
            "is unknown",
            **common,
        )
    if nxt is not None:
        return ctx.result(
            ObStatus.PENDING,
            f"{ahead}; every report due so far is on record ({len(past)})",
            **common,
        )
    if past:
        return ctx.result(
            ObStatus.COMPLETED,
            f"every report due is on record ({len(past)}); none falls due any more",
            **common,
        )
    return ctx.result(
        ObStatus.NOT_APPLICABLE,
        "no report falls due while the treaty is in force for the State",
        **common,
    )


def evaluate_all(
    rules: Sequence[ObligationRule],
    state: str,
    timeline: Timeline | None,
    facts: Sequence[ObligationFact],
    on: dt.date,
) -> list[ObligationState]:
    """Every obligation of a treaty for one State on one day, in rule-file order.

    An obligation with a deadline after hostilities (CCM art. 4(1)(b)) comes once per end of
    hostilities on record for the State, after its entry-into-force deadline - which is left
    out when every fact on record is about later work.
    """
    aggregates = [f for f in facts if f.state == "*"]
    mine = [f for f in facts if f.state == state]
    return [
        evaluate(r, state, timeline, mine, on, aggregates=aggregates, rules=rules, hostilities=end)
        for r, end in instances(rules, mine)
    ]


def instances(
    rules: Sequence[ObligationRule], mine: Sequence[ObligationFact]
) -> list[tuple[ObligationRule, PartialDate | None]]:
    """What :func:`evaluate_all` evaluates for a State with the facts ``mine``, in its order:
    each rule, and a rule with a deadline after hostilities once per end of hostilities on
    record (its entry-into-force deadline only when a fact is about it)."""
    out: list[tuple[ObligationRule, PartialDate | None]] = []
    for r in rules:
        own = [f for f in mine if f.obligation in (r.id, r.fact)]
        ends = sorted({f.hostilities_ended for f in own if f.hostilities_ended is not None})
        if r.after_hostilities is None:
            ends = []
        if not ends or any(f.hostilities_ended is None for f in own):
            out.append((r, None))
        out += [(r, end) for end in ends]
    return out


def change_days(
    rule: ObligationRule,
    span: InForce,
    facts: Iterable[ObligationFact],
    rules: Sequence[ObligationRule],
    hostilities: PartialDate | None,
    horizon: dt.date,
) -> list[dt.date]:
    """The days after ``span.start``, before its end and before ``horizon``, on which the status
    or the deadline that :func:`evaluate` gives ``rule`` may change, in order: between two of
    them (and from the span's start to the first) both stay the same.

    They are the days on which a comparison of the day asked in :func:`evaluate` may turn:
    an extension's decision taking effect (``decided_on``, else the day after the deadline it
    extends), a completion known by then (the latest day of ``completed_on`` or
    ``completed_by``, also of a fact about all States), a deadline - the rule's, one set by a
    meeting, an extended one, a yearly due date - passing (the day after its earliest and
    its latest day). ``facts`` are the State's and those about all States."""
    days: set[dt.date] = set()

    def passed(p: PartialDate | None) -> None:
        if p is not None:
            days.update((p.earliest() + ONE_DAY, p.latest() + ONE_DAY))

    for f in facts:
        passed(f.original_deadline)
        passed(f.extended_deadline)
        if f.decided_on is not None:
            days.add(f.decided_on.earliest())
        for done in (f.completed_on, f.completed_by):
            if done is not None:
                days.add(done.latest())
    if rule.recurring:
        target = next((r for r in rules if r.id == rule.after), None) if rule.after else None
        after = target.deadline(span.start) if target is not None else None
        for _, due in yearly_due_dates(rule, span.start, after, None, span.end, horizon):
            days.add(due + ONE_DAY)
    elif rule.set_by is None:
        passed(rule.first_deadline(span.start, hostilities)[0])
    end = horizon if span.end is None else min(span.end, horizon)
    return sorted(d for d in days if span.start < d < end)
