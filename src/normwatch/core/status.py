"""The treaty rules engine: who is bound, since when, and why.

Pure functions over facts: a treaty's rules, its actions, armed conflicts and the States
universe go in; statuses, timelines, rolls, counts and changes come out, each with an
:class:`Explanation` (the article applied, the actions used with their sources, and the date
arithmetic). Nothing here reads files, the database or the clock: "today" is always passed in.

Status of a State on a day (the day is included in the period that starts on it):

``non_signatory`` → ``signatory`` (signed) → ``consented`` (instrument deposited, treaty not yet
in force for it) → ``party`` (in force) → ``withdrawing`` (withdrawal received by the
depositary, not yet effective) → ``withdrawn``. A later consent starts over at ``consented``.

Acts beyond signature, consent and withdrawal: a ``ratification_revoked`` before entry into
force for the State takes it back to ``signatory`` (or ``non_signatory`` without a signature); an
``intent_not_to_become_party`` makes a signatory ``unsigned``; a ``suspension_notified`` changes
nothing where the rule file allows no suspension, and the explanation says so, with the
objections and meeting decisions on record (:class:`~normwatch.core.model.Record`). A treaty whose
entry into force needs named States (CTBT art. XIV) explains, for every instrument deposited,
which of them are missing on the date asked. A consent that needs companion acts (CCW art.
4(3)) is checked and explained, never changes a status.

Armed-conflict clause: when the notice period expires while the State is engaged in an armed
conflict, the withdrawal takes effect on the first day on which it is no longer engaged (the
day after the recorded end of the conflict); while the conflict is ongoing the withdrawal is
``postponed`` and has no effective date.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import accumulate, groupby
from typing import Any

from normwatch.core.model import Action, ActionKind, ArmedConflict, Record, Status
from normwatch.core.treaty import TreatyRules

ONE_DAY = dt.timedelta(days=1)

#: statuses counted as "parties" by the depositary: consent deposited, withdrawal not effective
PARTY_STATUSES = frozenset({Status.CONSENTED, Status.PARTY, Status.WITHDRAWING})
#: statuses in which the treaty is in force for the State
IN_FORCE_STATUSES = frozenset({Status.PARTY, Status.WITHDRAWING})


@dataclass(frozen=True)
class Explanation:
    """Why a result is what it is."""

    rule: str
    actions: tuple[Action, ...] = ()
    steps: tuple[str, ...] = ()
    conflicts: tuple[ArmedConflict, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "actions": [
                {
                    "state": a.state,
                    "action": a.kind.value,
                    "date": str(a.date),
                    "sources": [s.url for s in a.sources],
                    "symbols": [s.symbol for s in a.sources if s.symbol],
                }
                for a in self.actions
            ],
            "arithmetic": list(self.steps),
            "armed_conflicts": [
                {
                    "state": c.state,
                    "counterpart": c.counterpart,
                    "start": str(c.start),
                    "end": str(c.end) if c.end else None,
                    "sources": [s.url for s in c.sources],
                }
                for c in self.conflicts
            ],
        }

    def lines(self) -> list[str]:
        out = [f"rule: {self.rule}"]
        out += [f"action: {a.describe()}" for a in self.actions]
        out += [f"arithmetic: {s}" for s in self.steps]
        for c in self.conflicts:
            end = str(c.end) if c.end else "ongoing"
            src = "; ".join(s.url for s in c.sources)
            out.append(f"armed conflict: {c.state}–{c.counterpart or '?'} {c.start}–{end} [{src}]")
        return out


@dataclass(frozen=True)
class EntryIntoForce:
    """The treaty's own entry into force, computed from the deposits."""

    date: dt.date | None
    threshold_date: dt.date | None
    threshold_actions: tuple[Action, ...]
    explanation: Explanation


@dataclass(frozen=True)
class Period:
    """One status from ``start`` (inclusive) to ``end`` (exclusive; None: open)."""

    status: Status
    start: dt.date | None
    end: dt.date | None
    explanation: Explanation
    notified: dt.date | None = None
    effective: dt.date | None = None
    postponed: bool = False
    #: when the status itself began, if before ``start`` (a period split by an act without
    #: legal effect, such as a purported suspension, keeps the status's first day here)
    since: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


_NON_SIGNATORY = Explanation(rule="no treaty action recorded for this State")
#: the period of a State on a day none of its periods covers (one value, shared)
NO_PERIOD = Period(Status.NON_SIGNATORY, None, None, _NON_SIGNATORY)


@dataclass(frozen=True)
class Timeline:
    state: str
    periods: tuple[Period, ...]
    warnings: tuple[str, ...] = ()

    def at(self, day: dt.date) -> Period:
        for p in reversed(self.periods):
            if p.covers(day):
                return p
        return NO_PERIOD


@dataclass(frozen=True)
class StatusResult:
    """A State's status towards a treaty on one day, with its explanation."""

    treaty: str
    state: str
    date: dt.date
    period: Period

    @property
    def status(self) -> Status:
        return self.period.status

    def to_dict(self, *, explain: bool = False, name: str | None = None) -> dict[str, Any]:
        p = self.period
        row: dict[str, Any] = {
            "state": self.state,
            "name": name,
            "treaty": self.treaty,
            "date": self.date.isoformat(),
            "status": p.status.value,
            "since": since.isoformat() if (since := p.since or p.start) else None,
        }
        if p.notified is not None:
            row["notified"] = p.notified.isoformat()
            row["effective"] = p.effective.isoformat() if p.effective else None
            row["postponed"] = p.postponed
        if explain:
            row["explanation"] = p.explanation.to_dict()
        return row


@dataclass(frozen=True)
class Change:
    date: dt.date
    state: str
    before: Status
    after: Status
    explanation: Explanation

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "state": self.state,
            "from": self.before.value,
            "to": self.after.value,
            "rule": self.explanation.rule,
        }


COUNT_KEYS = (
    "parties",
    "in_force",
    "consented",
    "signatories",
    "withdrawing",
    "withdrawn",
    "non_signatories",
    "unsigned",
)


def _counts_from(by_status: Mapping[Status, int]) -> dict[str, int]:
    return {
        "parties": sum(by_status.get(s, 0) for s in PARTY_STATUSES),
        "in_force": sum(by_status.get(s, 0) for s in IN_FORCE_STATUSES),
        "consented": by_status.get(Status.CONSENTED, 0),
        "signatories": by_status.get(Status.SIGNATORY, 0),
        "withdrawing": by_status.get(Status.WITHDRAWING, 0),
        "withdrawn": by_status.get(Status.WITHDRAWN, 0),
        "non_signatories": by_status.get(Status.NON_SIGNATORY, 0),
        "unsigned": by_status.get(Status.UNSIGNED, 0),
    }


# --- the treaty's entry into force -------------------------------------------------------


def treaty_entry_into_force(rules: TreatyRules, actions: Iterable[Action]) -> EntryIntoForce:
    """Compute the treaty's entry into force from the deposits of consent (art. 17(1) style).

    Instruments are counted as they stand on each day: a ratification revoked before the
    condition is met no longer counts. The condition is ``threshold`` instruments, or every State
    of ``required_states``; the date is the rule applied to the day the condition is met, not
    earlier than ``not_earlier_than``.
    """
    rule = rules.entry_into_force_rule
    required = rule.required_states
    threshold = rule.threshold or 1
    live: dict[str, Action] = {}
    label = f"art. {rule.article}: {rule.text}"
    reached: dt.date | None = None
    ordered = sorted(actions, key=lambda a: (a.day, a.state))
    unlisted = sorted(rule.counted_instruments, key=lambda c: c[1])
    days = sorted({a.day for a in ordered} | {c[1] for c in unlisted})
    by_day = {day: list(group) for day, group in groupby(ordered, key=lambda a: a.day)}
    for day in days:
        for a in by_day.get(day, ()):
            if a.kind.is_consent and a.state not in live:
                live[a.state] = a
            elif a.kind == ActionKind.RATIFICATION_REVOKED:
                live.pop(a.state, None)
        extra = sum(1 for c in unlisted if c[1] <= day)
        met = all(s in live for s in required) if required else len(live) + extra >= threshold
        if met:
            reached = day
            break
    if reached is None:
        if required:
            missing = [s for s in required if s not in live]
            short = (
                f"with every act on record, {len(required) - len(missing)} of the "
                f"{len(required)} States whose instruments are required have one standing; "
                f"missing: {', '.join(missing)} → not yet in force",
            )
        else:
            short = (f"{len(live)} instruments deposited; {threshold} needed → not yet in force",)
        return EntryIntoForce(None, None, (), Explanation(label, (), short))
    same_day = tuple(sorted((a for a in live.values() if a.day == reached), key=lambda a: a.state))
    names = " and ".join(a.state for a in same_day)
    if required:
        first = f"the last of the {len(required)} required States deposited on {reached} ({names})"
    else:
        first = f"instrument no. {threshold} deposited on {reached.isoformat()} ({names})"
    eif = rule.apply(reached)
    steps: tuple[str, ...] = ()
    counted = [c for c in unlisted if c[1] <= reached]
    if counted:
        steps += (
            "counted with the listed instruments, those of participants no longer listed: "
            + "; ".join(f"{n} {d.isoformat()} [{src}]" for n, d, src in counted),
        )
    steps += (first, rule.arithmetic(reached))
    if rule.not_earlier_than is not None and eif < rule.not_earlier_than:
        eif = rule.not_earlier_than
        steps += (f"but not earlier than {eif.isoformat()} (art. {rule.article}) → {eif}",)
    elif rule.not_earlier_than is not None:
        steps += (f"later than the earliest date allowed ({rule.not_earlier_than.isoformat()})",)
    if rule.depositary_date is not None and rule.depositary_date != eif:
        steps += (
            f"the depositary records entry into force on {rule.depositary_date.isoformat()}, "
            f"not {eif.isoformat()}: {rule.depositary_date_note}; the depositary's date is used",
        )
        eif = rule.depositary_date
    return EntryIntoForce(eif, reached, same_day, Explanation(label, same_day, steps))


def missing_required(view: TreatyView, on: dt.date) -> list[str]:
    """The States whose instruments the treaty's entry into force requires (CTBT Annex 2) that
    have none standing on ``on``."""
    return [
        s
        for s in view.rules.entry_into_force_rule.required_states
        if view.raw_status(s, on) not in PARTY_STATUSES
    ]


# --- one State's timeline ----------------------------------------------------------------


def _withdrawal_effect(
    rules: TreatyRules, received: dt.date, conflicts: Sequence[ArmedConflict]
) -> tuple[dt.date | None, list[str], list[ArmedConflict]]:
    """Effective date of a withdrawal received on ``received`` (None while postponed)."""
    rule = rules.withdrawal_rule
    assert rule is not None
    expiry = rule.expiry(received)
    steps = [f"receipt {received.isoformat()} + {rule.period()} → {expiry.isoformat()}"]
    used: list[ArmedConflict] = []
    if not rule.armed_conflict_postpones:
        return expiry, steps, used
    day = expiry
    while True:
        active = [c for c in conflicts if c.engaged_on(day)]
        if not active:
            break
        used.extend(c for c in active if c not in used)
        if any(c.end is None for c in active):
            steps.append(
                f"on {day.isoformat()} the State is engaged in an armed conflict that has not "
                "ended → withdrawal postponed until its end; no effective date yet"
            )
            return None, steps, used
        last = max(c.end.latest() for c in active if c.end is not None)
        day = last + ONE_DAY
        steps.append(
            f"engaged in an armed conflict until {last.isoformat()} → effect postponed to "
            f"the first day after it: {day.isoformat()}"
        )
    if day == expiry:
        steps.append(f"not engaged in any recorded armed conflict on {expiry.isoformat()}")
    return day, steps, used


def state_timeline(
    rules: TreatyRules,
    state: str,
    actions: Iterable[Action],
    conflicts: Iterable[ArmedConflict] = (),
    eif: EntryIntoForce | None = None,
    records: Iterable[Record] = (),
) -> Timeline:
    """The successive statuses of one State towards a treaty, each with its explanation.

    ``actions`` may include other States' actions (they are ignored); ``eif`` is the treaty's
    computed entry into force (computed from ``actions`` when not given).
    """
    all_actions = list(actions)
    if eif is None:
        eif = treaty_entry_into_force(rules, all_actions)
    mine = sorted((a for a in all_actions if a.state == state), key=lambda a: (a.day, a.kind))
    my_conflicts = [c for c in conflicts if c.state == state]
    my_records = [r for r in records if r.state == state and r.kind != "companion_consent"]
    periods: list[Period] = []
    warnings: list[str] = []

    def begin(period: Period) -> None:
        if periods:
            last = periods[-1]
            if period.start is not None and last.start is not None and period.start < last.start:
                raise AssertionError("periods out of order")
            periods[-1] = replace(last, end=period.start)
            if last.start == period.start:
                periods.pop()
        periods.append(period)

    def current() -> Status:
        return periods[-1].status if periods else Status.NON_SIGNATORY

    # (day the status would change, period) waiting to start, e.g. entry into force
    pending: list[Period] = []
    signature: Action | None = None
    consent: Action | None = None
    provisional: Action | None = None
    before_withdrawal: Period | None = None

    def flush(until: dt.date | None) -> None:
        """Start the pending periods whose day has come (before ``until``)."""
        while pending:
            start = pending[0].start
            if start is None or (until is not None and start > until):
                break
            begin(pending.pop(0))

    for a in mine:
        flush(a.day)
        if a.kind in (ActionKind.SIGNATURE,):
            signature = signature or a
            if current() == Status.NON_SIGNATORY:
                begin(
                    Period(
                        Status.SIGNATORY,
                        a.day,
                        None,
                        Explanation(
                            "signature without a deposited instrument of consent",
                            (a,),
                            (f"signed on {a.day.isoformat()}",),
                        ),
                    )
                )
        elif a.kind == ActionKind.PROVISIONAL_APPLICATION:
            provisional = a
        elif a.kind.is_consent:
            if current() in PARTY_STATUSES:
                warnings.append(f"{a.describe()}: a second instrument of consent; ignored")
                continue
            consent = a
            pending.clear()
            periods_for_consent = _consent_periods(rules, a, eif, signature, provisional)
            begin(periods_for_consent[0])
            pending.extend(periods_for_consent[1:])
        elif a.kind == ActionKind.WITHDRAWAL:
            flush(a.day)
            if current() not in PARTY_STATUSES or consent is None:
                warnings.append(f"{a.describe()}: withdrawal without a prior instrument of consent")
                continue
            if rules.withdrawal_rule is None:
                warnings.append(f"{a.describe()}: the treaty's rule file has no withdrawal rule")
                continue
            before_withdrawal = periods[-1]
            # a withdrawal received before entry into force for the State ends the pending one
            pending.clear()
            effective, steps, used = _withdrawal_effect(rules, a.day, my_conflicts)
            rule = f"art. {rules.withdrawal_rule.article}: {rules.withdrawal_rule.text}"
            acts: tuple[Action, ...] = (consent, a)
            begin(
                Period(
                    Status.WITHDRAWING,
                    a.day,
                    None,
                    Explanation(rule, acts, tuple(steps), tuple(used)),
                    notified=a.day,
                    effective=effective,
                    postponed=effective is None,
                )
            )
            if effective is not None:
                pending.append(
                    Period(
                        Status.WITHDRAWN,
                        effective,
                        None,
                        Explanation(rule, acts, tuple(steps), tuple(used)),
                        notified=a.day,
                        effective=effective,
                    )
                )
        elif a.kind == ActionKind.RATIFICATION_REVOKED:
            if current() != Status.CONSENTED or consent is None:
                warnings.append(
                    f"{a.describe()}: a revocation of ratification needs an instrument "
                    "deposited and not yet in force for the State; ignored"
                )
                continue
            pending.clear()
            back = Status.SIGNATORY if signature is not None else Status.NON_SIGNATORY
            acts = tuple(x for x in (signature, consent, a) if x is not None)
            begin(
                Period(
                    back,
                    a.day,
                    None,
                    Explanation(
                        "ratification revoked before the treaty entered into force for the "
                        "State: the instrument no longer stands, the signature remains",
                        acts,
                        (
                            f"instrument of {consent.kind.value} deposited "
                            f"{consent.day.isoformat()}",
                            (
                                f"revoked on {a.day.isoformat()} → {back.value}"
                                if a.date.precision == "day"
                                else f"revoked in {a.date} (day not known: counted from "
                                f"{a.day.isoformat()}) → {back.value}"
                            ),
                        ),
                    ),
                )
            )
            consent = None
        elif a.kind == ActionKind.INTENT_NOT_TO_BECOME_PARTY:
            if current() != Status.SIGNATORY:
                warnings.append(f"{a.describe()}: not a signatory; ignored")
                continue
            acts = tuple(x for x in (signature, a) if x is not None)
            begin(
                Period(
                    Status.UNSIGNED,
                    a.day,
                    None,
                    Explanation(
                        "notification by a signatory that it does not intend to become a party "
                        "(VCLT art. 18(a)): it no longer has obligations arising from its "
                        "signature",
                        acts,
                        (
                            f"signed {signature.day.isoformat() if signature else '?'}; "
                            f"notified on {a.day.isoformat()} → unsigned",
                        ),
                    ),
                )
            )
        elif a.kind == ActionKind.SUSPENSION_NOTIFIED:
            if not periods or current() not in PARTY_STATUSES:
                warnings.append(f"{a.describe()}: suspension notified by a non-party; ignored")
                continue
            prior = periods[-1]
            rule_s = rules.suspension_rule
            if rule_s is not None and rule_s.allowed:
                verdict = (
                    f"the treaty provides for suspension ({rule_s.text}); normwatch does not "
                    f"model suspended obligations: status recorded unchanged ({prior.status})"
                )
            else:
                why = rule_s.text if rule_s is not None else "its rule file records no such clause"
                verdict = (
                    f"the treaty does not provide for the suspension of its operation ({why}) "
                    f"→ no legal effect: status unchanged ({prior.status})"
                )
            steps_s = [
                *prior.explanation.steps,
                f"{a.day.isoformat()}: suspension of the treaty's operation notified; {verdict}",
            ]
            steps_s += [f"on record: {r.describe()}" for r in my_records]
            begin(
                Period(
                    prior.status,
                    a.day,
                    None,
                    Explanation(
                        f"{prior.explanation.rule}; purported suspension without legal effect",
                        (*prior.explanation.actions, a),
                        tuple(steps_s),
                        prior.explanation.conflicts,
                    ),
                    prior.notified,
                    prior.effective,
                    prior.postponed,
                    since=prior.since or prior.start,
                )
            )
        elif a.kind == ActionKind.WITHDRAWAL_REVOKED:
            if current() != Status.WITHDRAWING or before_withdrawal is None:
                warnings.append(f"{a.describe()}: no withdrawal pending to revoke; ignored")
                continue
            pending.clear()
            prior = before_withdrawal
            begin(
                Period(
                    prior.status,
                    a.day,
                    None,
                    Explanation(
                        "withdrawal revoked before it took effect",
                        (*prior.explanation.actions, a),
                        (
                            f"withdrawal revoked on {a.day.isoformat()}; "
                            "the status before the notice is restored",
                        ),
                    ),
                )
            )
            if prior.status == Status.CONSENTED and consent is not None:
                pending.extend(_consent_periods(rules, consent, eif, signature, provisional)[1:])
    flush(None)
    return Timeline(state, tuple(periods), tuple(warnings))


def _consent_periods(
    rules: TreatyRules,
    consent: Action,
    eif: EntryIntoForce,
    signature: Action | None,
    provisional: Action | None,
) -> list[Period]:
    """``consented`` from the deposit, then ``party`` from entry into force for the State."""
    state_rule = rules.state_entry_into_force_rule
    treaty_rule = rules.entry_into_force_rule
    acts = tuple(x for x in (signature, consent, provisional) if x is not None)
    deposit = consent.day
    if eif.date is None or eif.threshold_date is None:
        expl = Explanation(
            f"art. {treaty_rule.article}: {treaty_rule.text}",
            acts,
            (f"instrument deposited {deposit.isoformat()}", *eif.explanation.steps),
        )
        return [Period(Status.CONSENTED, deposit, None, expl)]
    with_treaty = deposit <= eif.threshold_date or (
        state_rule.applies_after == "entry_into_force" and deposit <= eif.date
    )
    if with_treaty:
        in_force = eif.date
        rule = f"art. {treaty_rule.article}: {treaty_rule.text}"
        steps: tuple[str, ...] = (
            (
                f"instrument deposited {deposit.isoformat()}, on or before the threshold "
                f"instrument ({eif.threshold_date.isoformat()})"
            )
            if deposit <= eif.threshold_date
            else (
                f"instrument deposited {deposit.isoformat()}, before the treaty's entry into "
                f"force; the later-State rule (art. {state_rule.article}) applies only after it"
            ),
            *eif.explanation.steps,
            f"in force for the State with the treaty: {in_force.isoformat()}",
        )
    else:
        own = state_rule.apply(deposit)
        in_force = max(own, eif.date)
        rule = f"art. {state_rule.article}: {state_rule.text}"
        steps = (state_rule.arithmetic(deposit),)
        if own < eif.date:
            steps += (f"the treaty itself enters into force on {eif.date.isoformat()}",)
    if provisional is not None:
        steps += (
            f"provisional application of article 1 declared {provisional.day.isoformat()} "
            f"(art. {rules.provisional_application_article or '?'}); no effect on status",
        )
    consented = Period(
        Status.CONSENTED,
        deposit,
        None,
        Explanation(
            rule, acts, (*steps, f"consented from {deposit.isoformat()} until entry into force")
        ),
    )
    party = Period(Status.PARTY, in_force, None, Explanation(rule, acts, steps))
    if in_force <= deposit:
        return [party]
    return [consented, party]


# --- a whole treaty ----------------------------------------------------------------------


@dataclass
class TreatyView:
    """Every State's timeline for one treaty: the object the views query."""

    rules: TreatyRules
    states: tuple[str, ...]
    entry_into_force: EntryIntoForce
    timelines: dict[str, Timeline]
    warnings: list[str] = field(default_factory=list)
    #: each State's period on the days of one interval between period bounds, by interval
    _spans: dict[int, dict[str, Period]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: the counts of :meth:`counts` on the days of one interval, by interval
    _counts: dict[int, dict[str, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def bounds(self) -> list[dt.date]:
        """Every day on which a period of some State starts or ends, in order: between two of
        them (and before the first, after the last) every State keeps one period."""
        days = {
            d for tl in self.timelines.values() for p in tl.periods for d in (p.start, p.end) if d
        }
        return sorted(days)

    def span(self, on: dt.date) -> int:
        """The interval between :attr:`bounds` that ``on`` is in (the same number for two days
        on which every State has the same period)."""
        return bisect_right(self.bounds, on)

    def periods_on(self, on: dt.date) -> dict[str, Period]:
        """Each State's period on ``on`` (no entry: no period, so ``non_signatory``), worked
        out once per interval between :attr:`bounds`, so a new day mostly costs a lookup."""
        span = self.span(on)
        found = self._spans.get(span)
        if found is None:
            found = {code: tl.at(on) for code, tl in self.timelines.items()}
            self._spans[span] = found
        return found

    def period(self, state: str, on: dt.date) -> Period:
        """The State's period on ``on`` (one State: worked out alone unless its interval's
        periods are known already)."""
        known = self._spans.get(self.span(on))
        if known is not None:
            return known.get(state) or NO_PERIOD
        tl = self.timelines.get(state)
        return tl.at(on) if tl else NO_PERIOD

    def raw_status(self, state: str, on: dt.date) -> Status:
        return self.period(state, on).status

    def status(
        self, state: str, on: dt.date, periods: Mapping[str, Period] | None = None
    ) -> StatusResult:
        """The State's status on ``on``, explained (``periods``: :meth:`periods_on` of ``on``,
        when a caller asks for many States)."""
        period = (periods.get(state) if periods is not None else None) or self.period(state, on)
        rule = self.rules.entry_into_force_rule
        eif = self.entry_into_force.date
        if rule.required_states and period.status == Status.CONSENTED and (eif is None or on < eif):
            missing = missing_required(self, on)
            step = (
                f"on {on.isoformat()} the treaty is not in force: "
                f"{len(missing)} of the {len(rule.required_states)} States whose instruments "
                f"art. {rule.article} requires have none deposited: {', '.join(missing)} "
                f"(list: {rule.required_states_source})"
                if missing
                else f"on {on.isoformat()} every required State has deposited; entry into "
                f"force on {eif.isoformat() if eif else '?'}"
            )
            expl = period.explanation
            period = replace(period, explanation=replace(expl, steps=(*expl.steps, step)))
        return StatusResult(self.rules.id, state, on, period)

    def roll(self, on: dt.date, statuses: Iterable[Status] | None = None) -> list[StatusResult]:
        wanted = set(statuses) if statuses else None
        periods = self.periods_on(on)
        rows = [self.status(s, on, periods) for s in self.states]
        return [r for r in rows if wanted is None or r.status in wanted]

    def counts(self, on: dt.date) -> dict[str, int]:
        """How many States have each status on ``on`` (worked out once per interval between
        :attr:`bounds`; each call gets its own dict)."""
        span = self.span(on)
        found = self._counts.get(span)
        if found is None:
            periods = self.periods_on(on)
            by_status: dict[Status, int] = {}
            for state in self.states:
                p = periods.get(state)
                status = p.status if p is not None else Status.NON_SIGNATORY
                by_status[status] = by_status.get(status, 0) + 1
            found = self._counts[span] = _counts_from(by_status)
        return dict(found)

    def changes(self, since: dt.date, until: dt.date) -> list[Change]:
        """Status changes that start on a day in [since, until], in date order."""
        out: list[Change] = []
        for state, tl in self.timelines.items():
            prev = Status.NON_SIGNATORY
            for p in tl.periods:
                if p.start is not None and since <= p.start <= until and p.status != prev:
                    out.append(Change(p.start, state, prev, p.status, p.explanation))
                prev = p.status
        return sorted(out, key=lambda c: (c.date, c.state))

    def daily_counts(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        """Counts for every day from ``start`` to ``end`` inclusive, by one sweep."""
        n = (end - start).days + 1
        if n <= 0:
            return []
        statuses = list(Status)
        index = {s: i for i, s in enumerate(statuses)}
        delta = [[0] * (n + 1) for _ in statuses]
        first = [0] * len(statuses)
        first[index[Status.NON_SIGNATORY]] = len(self.states)
        for state in self.states:
            tl = self.timelines.get(state)
            if tl is None:
                continue
            for p in tl.periods:
                lo = 0 if p.start is None else (p.start - start).days
                hi = n if p.end is None else (p.end - start).days
                lo, hi = max(lo, 0), min(hi, n)
                if lo >= hi:
                    continue
                i = index[p.status]
                delta[i][lo] += 1
                delta[i][hi] -= 1
                # the State is not non_signatory for those days
                j = index[Status.NON_SIGNATORY]
                delta[j][lo] -= 1
                delta[j][hi] += 1
        # running totals per status, by prefix sums (C speed), then one dict per day
        totals = {
            s: list(accumulate(delta[index[s]][:n], initial=first[index[s]]))[1:] for s in statuses
        }
        consented, party, withdrawing = (
            totals[Status.CONSENTED],
            totals[Status.PARTY],
            totals[Status.WITHDRAWING],
        )
        ordinal = start.toordinal()
        return [
            {
                "date": dt.date.fromordinal(ordinal + d),
                "parties": c + p + w,
                "in_force": p + w,
                "consented": c,
                "signatories": sg,
                "withdrawing": w,
                "withdrawn": wn,
                "non_signatories": ns,
                "unsigned": us,
            }
            for d, (c, p, w, sg, wn, ns, us) in enumerate(
                zip(
                    consented,
                    party,
                    withdrawing,
                    totals[Status.SIGNATORY],
                    totals[Status.WITHDRAWN],
                    totals[Status.NON_SIGNATORY],
                    totals[Status.UNSIGNED],
                    strict=True,
                )
            )
        ]


def _with_companions(
    rules: TreatyRules, tl: Timeline, companions: Sequence[str]
) -> tuple[Timeline, list[str]]:
    """Each consent period of ``tl`` explains the companion requirement; a warning if unmet."""
    rule = rules.companion_rule
    assert rule is not None
    met = len(companions) >= rule.minimum
    on_record = ", ".join(companions) or "none"
    step = (
        f"art. {rule.article}: consent to at least {rule.minimum} of "
        f"{', '.join((*rule.instruments, *rule.treaties))} required; on record: {on_record} → "
        + ("met" if met else "NOT met on record (the status is the depositary's, unchanged)")
    )
    periods = tuple(
        replace(p, explanation=replace(p.explanation, steps=(*p.explanation.steps, step)))
        if p.status in PARTY_STATUSES
        else p
        for p in tl.periods
    )
    warnings: list[str] = []
    if not met and any(p.status in PARTY_STATUSES for p in tl.periods):
        warnings.append(
            f"{tl.state}: art. {rule.article}: consent to {rule.minimum} companion acts needed, "
            f"{len(companions)} on record ({on_record})"
        )
    return Timeline(tl.state, periods, tl.warnings), warnings


def _timeline_with_companions(
    rules: TreatyRules,
    state: str,
    mine: Sequence[Action],
    conflicts: Sequence[ArmedConflict],
    eif: EntryIntoForce,
    records: Sequence[Record],
    companions: Mapping[str, Sequence[str]] | None,
) -> tuple[Timeline, list[str]]:
    tl = state_timeline(
        rules, state, mine, [c for c in conflicts if c.state == state], eif, records
    )
    if rules.companion_rule is None:
        return tl, []
    return _with_companions(rules, tl, (companions or {}).get(state, ()))


def build_timeline(
    rules: TreatyRules,
    state: str,
    actions: Iterable[Action],
    conflicts: Iterable[ArmedConflict] = (),
    records: Iterable[Record] = (),
    companions: Mapping[str, Sequence[str]] | None = None,
) -> Timeline:
    """One State's timeline, the same as :func:`build_view` gives it, without computing every
    other State's (the treaty's entry into force still counts every instrument)."""
    acts = [a for a in actions if a.treaty == rules.id]
    eif = treaty_entry_into_force(rules, acts)
    recs = [r for r in records if r.treaty == rules.id]
    mine = [a for a in acts if a.state == state]
    return _timeline_with_companions(rules, state, mine, list(conflicts), eif, recs, companions)[0]


def build_view(
    rules: TreatyRules,
    states: Iterable[str],
    actions: Iterable[Action],
    conflicts: Iterable[ArmedConflict] = (),
    records: Iterable[Record] = (),
    companions: Mapping[str, Sequence[str]] | None = None,
) -> TreatyView:
    """Compute every State's timeline for a treaty.

    ``records`` are the treaty's depositary records (objections, meeting decisions, companion
    consents); ``companions`` maps a State to the companion acts on record for it, for a treaty
    with a ``[rules.companion]`` requirement (computed from ``records`` and the consents to the
    rule's ``treaties`` by the caller).
    """
    acts = [a for a in actions if a.treaty == rules.id]
    recs = [r for r in records if r.treaty == rules.id]
    confl = list(conflicts)
    eif = treaty_entry_into_force(rules, acts)
    universe = tuple(states)
    by_state: dict[str, list[Action]] = {}
    for a in acts:
        by_state.setdefault(a.state, []).append(a)
    timelines: dict[str, Timeline] = {}
    warnings: list[str] = []
    for state, mine in by_state.items():
        tl, more = _timeline_with_companions(rules, state, mine, confl, eif, recs, companions)
        timelines[state] = tl
        warnings.extend(more)
        warnings.extend(tl.warnings)
    unknown = sorted(set(by_state) - set(universe))
    if unknown:
        warnings.append(f"actions for States outside the universe: {', '.join(unknown)}")
    return TreatyView(rules, universe, eif, timelines, warnings)
