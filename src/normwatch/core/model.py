"""The domain model: States, treaty actions, domestic events, armed conflicts and their sources.

Every fact carries at least one :class:`Source`. A treaty action is a deposit or notification
recorded by the depositary and has legal effect; a domestic :class:`Event` (a cabinet
decision, a parliamentary vote) is shown in timelines and never changes a status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from normwatch.core.dates import PartialDate


class ActionKind(StrEnum):
    """What a State did, as the depositary records it."""

    SIGNATURE = "signature"
    DEFINITIVE_SIGNATURE = "definitive_signature"
    RATIFICATION = "ratification"
    ACCEPTANCE = "acceptance"
    APPROVAL = "approval"
    ACCESSION = "accession"
    SUCCESSION = "succession"
    FORMAL_CONFIRMATION = "formal_confirmation"
    PROVISIONAL_APPLICATION = "provisional_application"
    #: "Consent to be bound" (P): a CCW protocol's or amendment's consent (CCW art. 4(3)-(4))
    CONSENT_TO_BE_BOUND = "consent_to_be_bound"
    WITHDRAWAL = "withdrawal"
    WITHDRAWAL_REVOKED = "withdrawal_revoked"
    #: a ratification revoked before the treaty entered into force for the State (Russia,
    #: CTBT, 2023): the State is back to where its signature left it
    RATIFICATION_REVOKED = "ratification_revoked"
    #: a signatory's notice that it does not intend to become a party (VCLT art. 18(a); United
    #: States, ATT, 2019): it is no longer a plain signatory (status ``unsigned``)
    INTENT_NOT_TO_BECOME_PARTY = "intent_not_to_become_party"
    #: a communication that purports to suspend the treaty's operation (Ukraine, APMBT, 2025);
    #: changes nothing where the treaty allows no suspension
    SUSPENSION_NOTIFIED = "suspension_notified"

    @property
    def is_consent(self) -> bool:
        """An instrument that expresses consent to be bound."""
        return self in CONSENT_KINDS


CONSENT_KINDS = frozenset(
    {
        ActionKind.RATIFICATION,
        ActionKind.ACCEPTANCE,
        ActionKind.APPROVAL,
        ActionKind.ACCESSION,
        ActionKind.SUCCESSION,
        ActionKind.DEFINITIVE_SIGNATURE,
        ActionKind.FORMAL_CONFIRMATION,
        ActionKind.CONSENT_TO_BE_BOUND,
    }
)


class Status(StrEnum):
    """A State's standing towards a treaty on one day."""

    NON_SIGNATORY = "non_signatory"
    SIGNATORY = "signatory"
    #: signed, then notified that it does not intend to become a party
    UNSIGNED = "unsigned"
    CONSENTED = "consented"
    PARTY = "party"
    WITHDRAWING = "withdrawing"
    WITHDRAWN = "withdrawn"


# prefix of an action note recording why a withdrawal has no depositary notification symbol
NO_NOTIFICATION = "no depositary notification"


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: a URL or file, and the depositary notification where known."""

    url: str
    symbol: str | None = None
    title: str | None = None
    published: str | None = None
    retrieved: str | None = None
    confidence: str | None = None
    note: str | None = None

    def cite(self) -> str:
        bits = [self.url]
        if self.symbol:
            bits.append(self.symbol)
        return " | ".join(bits)


@dataclass(frozen=True)
class Action:
    """A treaty action of one State: signature, consent, provisional application, withdrawal."""

    treaty: str
    state: str
    kind: ActionKind
    date: PartialDate
    sources: tuple[Source, ...] = ()
    note: str | None = None

    @property
    def id(self) -> str:
        """Stable id from the action's identity (treaty, State, kind, date)."""
        return action_id(self.treaty, self.state, self.kind, str(self.date))

    @property
    def day(self) -> dt.date:
        """The day of the action; for a partial date the earliest day it can mean."""
        return self.date.earliest()

    def describe(self) -> str:
        src = "; ".join(s.cite() for s in self.sources) or "no source"
        return f"{self.state} {self.kind.value} {self.date} [{src}]"


def action_id(treaty: str, state: str, kind: str, date: str) -> str:
    raw = f"{treaty}|{state}|{kind}|{date}".encode()
    import hashlib

    return hashlib.sha1(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Event:
    """A domestic step (decision, vote, decree) with no legal effect on treaty status."""

    treaty: str
    state: str
    date: PartialDate
    description: str
    sources: tuple[Source, ...] = ()
    #: what the step was (``parliamentary_vote``, ``presidential_decree`` …; and
    #: ``withdrawal_announced``: a withdrawal announced and never deposited)
    kind: str = ""
    confidence: str | None = None


#: the kind of :class:`Event` that records a withdrawal announced but never deposited
WITHDRAWAL_ANNOUNCED = "withdrawal_announced"


@dataclass(frozen=True)
class ArmedConflict:
    """A State engaged in an armed conflict from ``start`` until ``end`` (None: ongoing)."""

    state: str
    counterpart: str | None
    kind: str
    start: PartialDate
    end: PartialDate | None
    sources: tuple[Source, ...] = ()
    note: str | None = None

    def engaged_on(self, day: dt.date) -> bool:
        """Engaged on ``day``. A start known to the month counts from its first day; an end
        known to the month counts to its last day, so an uncertain edge never shortens it."""
        if day < self.start.earliest():
            return False
        return self.end is None or day <= self.end.latest()


@dataclass(frozen=True)
class State:
    """A State that can join UN-deposited treaties."""

    code: str
    alpha2: str
    name: str
    regional_group: str | None
    kind: str = "un_member"
    aliases: tuple[str, ...] = field(default=())


#: kinds of :class:`Record`
RECORD_KINDS = ("companion_consent", "objection", "meeting_decision")


@dataclass(frozen=True)
class Record:
    """A sourced fact about a State's standing that is not an act with legal effect of its own.

    ``companion_consent``: the State consented to ``subject`` (e.g. "Protocol I"), a companion act
    its consent needs (CCW art. 4(3)). ``objection``: ``actor`` objected to an act of ``state``
    (Switzerland to Ukraine's purported suspension). ``meeting_decision``: a meeting (``actor``,
    e.g. "22MSP") decided on an act of ``state``. ``date`` is None when no source gives it.
    """

    treaty: str
    state: str
    kind: str
    date: PartialDate | None
    sources: tuple[Source, ...] = ()
    actor: str | None = None
    subject: str | None = None
    note: str | None = None

    def describe(self) -> str:
        when = str(self.date) if self.date else "date not known"
        src = "; ".join(s.cite() for s in self.sources) or "no source"
        what = {
            "companion_consent": f"consent to {self.subject}",
            "objection": f"objection by {self.actor}",
            "meeting_decision": f"decision of {self.actor}",
        }.get(self.kind, self.kind)
        tail = f": {self.note}" if self.note and self.kind == "meeting_decision" else ""
        return f"{what} ({when}){tail} [{src}]"
