"""The ``rules`` method: evaluative expressions that apply to an object, sentence by sentence.

For each language the codebook gives expressions that *refer* to objects (the withdrawal, the
withdrawing State, the Convention, the use of cluster munitions ...), *anaphora* that refer
back to them ("this decision"), *other* things an evaluation may be about instead ("the
funding shortfall"), and for each code its *evaluative* expressions ("we deeply regret"). A
code fires in a sentence when one of its expressions

* is not negated — no negation cue ("not", "ne", "no") stands shortly before it in its clause,
  unless the cue is part of an idiom listed as an exception ("cannot but", "ne peut que");
* is the speaker's own — no cue that the view is someone else's ("many delegations", "civil
  society") opens its clause, unless the speaker joins it ("like many delegations"), and no
  reported frame (``reported_frames``: "the minister said that", "the Government should ask",
  "we call on States to condemn") opens before it in its sentence;
* applies to one of the code's objects: a reference in the same sentence, or an anaphor in
  this sentence whose object was referred to in one of the few sentences before (or, at the
  opening of a statement, just after), with no clause break ("; but") between the two, and
  the expression's own object ("we regret *the funding shortfall*") not another thing; or,
  in a sentence of the speaker's own (a ``first_person`` word of the lexicon) or a fragment
  of a few words ("A sad precedent.") that refers to nothing and names no other thing, the
  object of the sentence just before it in its paragraph ("Lithuania has left. We are deeply
  concerned."), else of the one just after when it opens with a reference;
* and that reference is not hypothetical — no hypothetical cue ("should any State", "si un
  État") opens the clause it stands in, unless it names the withdrawing State.

Before any of this, each sentence is given the treaty it speaks of (its *topic*), when the
codebook's lexicon defines the macros ``topic_this`` (names of the codebook's own treaty) and
``topic_other`` (names of the other treaties whose acts are not the target), and optionally
``topic_this_weapon`` and ``topic_other_weapon`` (their weapons) and ``topic_other_actor``
(States whose acts under another treaty are not the target and who took none under this one:
"Finland" speaks of the Mine Ban withdrawals, never of the CCM's; ``topic_this_actor`` the
same for this treaty), and ``topic_both`` ("both treaties"); weapons decide only their own
sentence, actors too unless their sentence names an act. A sentence that names only another
treaty is about it; a sentence that names neither takes the topic of the last sentence of
its paragraph that named one, and at the start of a paragraph that of the statement: the
treaty of the meeting it was made at, when the caller says and the codebook names its
``treaty``; otherwise the codebook's treaty, unless the statement names only others (actors
and asides apart). A sentence about another treaty is left
out: its references, anaphora and expressions count for nothing ("Lithuania's withdrawal from
the Mine Ban Treaty. We deplore it." gives no code of the cluster munitions codebook).

A reference to the act itself (an object a code ``fires_on``) does not count when a denial
(``denial``: "this is not a", "no se trata de una") stands shortly before it in its clause:
the act did not happen ("Ukraine's suspension is not a withdrawal"). A treaty named inside an
aside (the ``aside`` macro: "Lithuania, which had already left the CCM, has now ...") decides
the topic of the aside only, and the references in it; and a statement in which the speaker
claims the act as its own (``own_act``: "our decision to withdraw", in a sentence that refers
to the act) is the acting State's: codes marked ``not_by_actor`` (its regret, its call, its
understanding, its loyalty to the treaty it leaves) do not fire in it.

Patterns marked ``nearby`` carry their own reference ("made it necessary") and need only a
reference to the object in or just before their sentence; ``standalone`` ones need none.

A code with ``fires_on: object`` (``mention``) fires on every real reference itself. The
evidence of a hit is the sentence that fired (from the antecedent's sentence on, for an anaphor),
its confidence the pattern's weight (or the code's), lowered a little for an anaphor and raised
by every further sentence that fires. Finally each code's implications are added (a code
implied by a hit gets the hit's confidence and evidence).

Everything specific to a codebook or a language comes from the codebook; this module is
generic. Matching is done by :mod:`normwatch.coding.matcher` on the lower-cased text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from normwatch.coding.codebook import Codebook, CodeDef, Pattern, expand_pattern
from normwatch.coding.matcher import (
    Gate,
    Match,
    PatternSet,
    Region,
    compile_lower,
    first_char_check,
    lower_same_length,
)
from normwatch.coding.result import CodeHit, CodingResult, Evidence
from normwatch.coding.text import Sentence, split_sentences

#: how far back (characters) a negation cue may stand before an evaluative expression
NEGATION_WINDOW = 45
#: how far after an evaluative expression its own object is looked for (characters)
OBJECT_WINDOW = 80
#: how far back (characters) a cue that the view is someone else's may stand
REPORTED_WINDOW = 110
#: an anaphor's confidence is multiplied by this
ANAPHORA_FACTOR = 0.9
#: a sentence of at most this many words is a fragment ("A sad precedent."): with no object of
#: its own, its evaluation is of the sentence before's (or after's), as a first-person one's
FRAGMENT_WORDS = 6
#: how far after a denial ("this is not a") the references it denies may start (characters)
DENIAL_REACH = 40
#: how far into the next sentence (characters) a reference may start to be what a sentence
#: with no object evaluates ("I will not hide my concern. These two withdrawals ...")
CATAPHOR_REACH = 30
#: the clause breaks, whatever the language: soft ones (commas, colons) and hard ones (the
#: others); one scan finds both
_BREAK = re.compile(r"[,;:()]|\s[–—]\s")
_SOFT = frozenset(",:")


# --------------------------------------------------------------------------- compiled forms


@dataclass
class _ObjectRules:
    id: str
    refer: PatternSet | None
    anaphora: PatternSet | None
    other: PatternSet | None
    exclude: PatternSet | None
    anaphora_window: int
    cataphora_window: int
    antecedents: tuple[str, ...]
    requires: tuple[str, ...]
    requires_window: int


@dataclass
class _CodeRules:
    code: CodeDef
    include: PatternSet | None
    exclude: PatternSet | None
    scopes: frozenset[str] = frozenset()  # the scopes of its include patterns


@dataclass
class _LangRules:
    lang: str
    negation: PatternSet | None
    negation_exceptions: PatternSet | None
    reported: PatternSet | None
    reported_exceptions: PatternSet | None
    hypothetical: PatternSet | None
    clause_breaks: PatternSet | None
    frames: PatternSet | None
    denial: PatternSet | None
    own_act: PatternSet | None
    names: re.Pattern[str] | None
    objects: dict[str, _ObjectRules]
    codes: list[_CodeRules]
    gate: Gate
    topic_this: re.Pattern[str] | None = None
    topic_other: re.Pattern[str] | None = None
    topic_this_weapon: re.Pattern[str] | None = None
    topic_other_weapon: re.Pattern[str] | None = None
    topic_other_actor: re.Pattern[str] | None = None
    topic_this_actor: re.Pattern[str] | None = None
    topic_both: re.Pattern[str] | None = None
    aside: re.Pattern[str] | None = None
    topic_here: re.Pattern[str] | None = None
    first_person: re.Pattern[str] | None = None
    #: the objects that codes fire on (the act itself): denials and own acts concern them
    acts: frozenset[str] = frozenset()


def _set(
    patterns: Sequence[Pattern], macros: dict[str, str], gate: Gate, *, cue: bool = False
) -> PatternSet | None:
    if not patterns:
        return None
    ps = PatternSet(patterns, macros, cue=cue)
    gate.register(ps)
    return ps


def compile_rules(codebook: Codebook) -> dict[str, _LangRules]:
    """The codebook's patterns compiled per language (cached on the codebook)."""
    cached = codebook.cache.get("rules")
    if cached is not None:
        compiled: dict[str, _LangRules] = cached
        return compiled
    compiled = {}
    for lang in codebook.languages:
        lex = codebook.lexicon[lang]
        macros = dict(lex.macros)
        gate = Gate()
        objects = {}
        for obj_id, obj in codebook.objects.items():
            pats = lex.objects.get(obj_id)
            objects[obj_id] = _ObjectRules(
                obj_id,
                _set(pats.refer, macros, gate) if pats else None,
                _set(pats.anaphora, macros, gate) if pats else None,
                _set(pats.other, macros, gate) if pats else None,
                _set(pats.exclude, macros, gate) if pats else None,
                obj.anaphora_window,
                obj.cataphora_window,
                obj.antecedents,
                obj.requires,
                obj.requires_window,
            )
        codes = []
        for c in codebook.codes:
            include = c.include.get(lang, ())
            scopes = frozenset(
                "standalone" if p.standalone else "nearby" if p.nearby else "attached"
                for p in include
            )
            codes.append(
                _CodeRules(
                    c,
                    _set(include, macros, gate),
                    _set(c.exclude.get(lang, ()), macros, gate),
                    scopes,
                )
            )
        names = (
            compile_lower(r"(?<!\w)" + expand_pattern("{target}", macros)) if lex.targets else None
        )
        compiled[lang] = _LangRules(
            lang,
            _set(lex.negation, macros, gate, cue=True),
            _set(lex.negation_exceptions, macros, gate, cue=True),
            _set(lex.reported, macros, gate, cue=True),
            _set(lex.reported_exceptions, macros, gate, cue=True),
            _set(lex.hypothetical, macros, gate, cue=True),
            _set(lex.clause_breaks, macros, gate, cue=True),
            _set(lex.reported_frames, macros, gate, cue=True),
            _set(lex.denial, macros, gate, cue=True),
            _set(lex.own_act, macros, gate, cue=True),
            names,
            objects,
            codes,
            gate,
            topic_this=_topic(macros, "topic_this"),
            topic_other=_topic(macros, "topic_other"),
            topic_this_weapon=_topic(macros, "topic_this_weapon"),
            topic_other_weapon=_topic(macros, "topic_other_weapon"),
            topic_other_actor=_topic(macros, "topic_other_actor"),
            topic_this_actor=_topic(macros, "topic_this_actor"),
            topic_both=_topic(macros, "topic_both"),
            topic_here=_topic(macros, "topic_here"),
            aside=compile_lower(expand_pattern("{aside}", macros)) if "aside" in macros else None,
            first_person=_topic(macros, "first_person"),
            acts=frozenset(o for c in codebook.codes if c.fires_on == "object" for o in c.about),
        )
        gate.build()
    codebook.cache["rules"] = compiled
    return compiled


def _topic(macros: dict[str, str], name: str) -> re.Pattern[str] | None:
    if name not in macros:
        return None
    body = expand_pattern("{" + name + "}", macros)
    return compile_lower(first_char_check(body) + r"(?<!\w)(?:" + body + r")(?!\w)")


_ELSEWHERE = "rejected: the sentence is about another treaty"
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
#: a sentence's topic: the codebook's own treaty, another one, both, or neither named
THIS, OTHER, BOTH = "this", "other", "both"


#: a clause set apart inside a sentence (see :func:`sentence_topics`): its start, end, topic
Aside = tuple[int, int, str | None]


def sentence_topics(
    lower: str,
    sentences: Sequence[Sentence],
    rules: _LangRules,
    default: str | None = None,
    acts_named: Callable[[int], bool] | None = None,
) -> tuple[list[str], list[list[Aside]]]:
    """Per sentence of the lower-cased text, the treaty it speaks of: ``this``, ``other`` or
    ``both`` (see the module documentation), and its asides. Without the topic macros every
    sentence is ``this``. ``default`` (``this`` or ``other``), when given, is the topic of a
    paragraph's sentences before one names a treaty (the treaty of the meeting the text
    comes from).

    A treaty's name (``topic_this``, ``topic_other``, or ``topic_both`` for the two at once)
    sets the topic of its sentence and of the sentences after it in the paragraph, and so does
    the name of a State that acted under only one of them (``topic_this_actor``,
    ``topic_other_actor``) in a sentence that names an act (``acts_named``, when given: "we
    thank Finland for its support" does not); a weapon's name (``topic_this_weapon``,
    ``topic_other_weapon``) or such a State's name elsewhere only that of its own sentence
    ("we cleared 40 km² of landmines" does not make the next sentence about the Mine Ban
    Treaty). A name inside an aside (a clause set apart, matched
    by the ``aside`` macro: "Lithuania, which had already left the CCM, has now ...") decides
    only the aside, whose topic is returned with its span: what the rest of the sentence
    speaks of is the main clause's. An aside that names no treaty but points at one as "this
    Convention" (``topic_here``) beside a main clause that names one speaks of the other."""
    n = len(sentences)
    this, other = rules.topic_this, rules.topic_other
    if this is None or other is None:
        return [THIS] * n, [[] for _ in range(n)]
    weaker = [p for p in (rules.topic_other_weapon, rules.topic_other_actor) if p is not None]
    both = rules.topic_both
    aside_re = rules.aside
    asides: list[list[Aside]] = [[] for _ in range(n)]
    # each name is looked for once in the whole text; a sentence then asks where they stand
    where: dict[re.Pattern[str], list[int]] = {}

    def found(p: re.Pattern[str] | None, s: Sentence, skip: list[Aside]) -> bool:
        if p is None:
            return False
        starts = where.get(p)
        if starts is None:
            starts = where[p] = [m.start() for m in p.finditer(lower)]
        k = bisect_left(starts, s.start)
        while k < len(starts) and starts[k] < s.end:
            if not any(a <= starts[k] < b for a, b, _ in skip):
                return True
            k += 1
        return False

    def named(
        own: re.Pattern[str] | None,
        alien: Sequence[re.Pattern[str]],
        s: Sentence,
        skip: list[Aside],
        pair: re.Pattern[str] | None = None,
    ) -> str | None:
        if found(pair, s, skip):
            return BOTH
        a = found(own, s, skip)
        b = any(found(p, s, skip) for p in alien)
        return BOTH if a and b else THIS if a else OTHER if b else None

    def main_clause(k: int) -> str | None:
        """The topic of sentence ``k`` outside its asides, which are noted with theirs."""
        s = sentences[k]
        if aside_re is not None:
            for m in aside_re.finditer(lower, s.start, s.end):
                whole = Sentence(m.start(), m.end(), "")
                asides[k].append((m.start(), m.end(), named(this, [other], whole, [], both)))
        main = named(this, [other], s, asides[k], both)
        if main in (THIS, OTHER) and rules.topic_here is not None:
            # an aside that points at a treaty only as "this Convention", beside a main clause
            # that names one, speaks of the other ("Lithuania, which ceased to be a party to
            # this Convention, has also left the Mine Ban Treaty")
            flip = OTHER if main == THIS else THIS
            asides[k] = [
                (a, b, flip if t is None and rules.topic_here.search(lower, a, b) else t)
                for a, b, t in asides[k]
            ]
        return main

    if default != OTHER and not any(p.search(lower) for p in (other, *weaker)):
        # no other treaty named: every sentence is about this one, but for the asides that
        # point at a treaty as "this Convention" (only their sentences are read further)
        here = rules.topic_here
        if here is not None and aside_re is not None:
            starts = [s.start for s in sentences]
            pointing = {
                max(0, bisect_right(starts, m.start()) - 1)
                for m in aside_re.finditer(lower)
                if here.search(lower, m.start(), m.end()) is not None
            }
            for k in sorted(pointing):
                main_clause(k)
        return [THIS] * n, asides

    strong = [main_clause(k) for k in range(n)]
    weapons = [rules.topic_other_weapon] if rules.topic_other_weapon is not None else []
    weak = [
        named(rules.topic_this_weapon, weapons, s, a)
        for s, a in zip(sentences, asides, strict=True)
    ]
    actors = [rules.topic_other_actor] if rules.topic_other_actor is not None else []
    actor = [
        named(rules.topic_this_actor, actors, s, a) for s, a in zip(sentences, asides, strict=True)
    ]
    if default is None:
        # the statement's own default: another treaty only when it names no other (actors
        # and asides apart)
        seen = {t for t in strong + weak if t is not None}
        default = OTHER if seen == {OTHER} else THIS
    topics: list[str] = []
    current: str = default
    for i, sent in enumerate(sentences):
        if i and _PARAGRAPH_BREAK.search(lower, sentences[i - 1].start, sent.start):
            current = default
        named_here = strong[i]
        if named_here is None and actor[i] is not None and acts_named and acts_named(i):
            named_here = actor[i]
        if named_here is not None:
            current = named_here
        topics.append(current if named_here is not None else weak[i] or actor[i] or current)
    return topics, asides


# --------------------------------------------------------------------------- one text


class _Target(NamedTuple):
    """A reference to an object, or an anaphor that takes one up. (The records of one text
    are named tuples: a text has many, and a named tuple is much faster to make than a
    frozen dataclass.)"""

    start: int
    end: int
    obj: str
    anaphor: bool
    antecedent: int  # index of the sentence of the antecedent (== own sentence if direct)
    weight: float | None


class _Fire(NamedTuple):
    """An expression that counts: its sentence, the passage of its evidence, its confidence."""

    sentence: int
    first_sentence: int
    last_sentence: int
    confidence: float


class _Analysis:
    """The spans of one text that every code looks at, computed as they are needed."""

    def __init__(self, text: str, rules: _LangRules, default_topic: str | None = None) -> None:
        self.text = text
        # patterns are matched against the text in lower case (same length, same offsets)
        self.lower = lower = lower_same_length(text)
        self.rules = rules
        self.sentences: list[Sentence] = split_sentences(text)
        self.starts = [s.start for s in self.sentences]
        # per sentence, the keywords of its words and the bits of the patterns whose keywords
        # it holds (see matcher.Gate)
        gate = rules.gate
        self._words = gate.sentence_masks(lower, [(s.start, s.end) for s in self.sentences])
        self.masks = [gate.possible(m) for m in self._words]
        self._cache: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._cue_cache: dict[tuple[int, int], list[int]] = {}
        # hard breaks (";", brackets, dashes, clause-break words) and soft ones (commas too)
        soft: list[int] = []
        hard: list[int] = []
        for m in _BREAK.finditer(text):
            pos = m.start()
            (soft if text[pos] in _SOFT else hard).append(pos)
        if rules.clause_breaks is not None:
            hard += [s for s, _, _ in self.spans(rules.clause_breaks)]
        self.hard_breaks = sorted(hard)
        self.soft_breaks = sorted(soft + hard)
        self._hyp: dict[int, list[tuple[int, int]]] = {}
        self._anchor_cache: dict[str, list[bool]] = {}
        self._relevant: dict[tuple[tuple[str, ...], bool], set[int]] = {}
        self._own: tuple[int, int] | None = None
        self._own_looked = False
        self._exclusions: dict[str, list[tuple[int, int, float | None]]] = {}
        #: when a list, every expression and reference looked at is noted here with what
        #: was decided and why (see :func:`explain_rules`)
        self.trace: list[tuple[str, int, int, str]] | None = None
        self.topics, self.asides = sentence_topics(
            lower, self.sentences, rules, default_topic, self._names_act
        )
        #: per sentence: whether it speaks of another treaty (and so counts for nothing)
        self.elsewhere = [t == OTHER for t in self.topics]
        self.targets = self._targets()

    def _names_act(self, sentence: int) -> bool:
        """Whether a reference pattern of an act (an object codes fire on) matches in the
        sentence (before any check of topic, negation or hypothesis)."""
        return any(
            self._sentence_spans(self.rules.objects[o].refer, sentence) for o in self.rules.acts
        )

    def aside_topic(self, pos: int, sentence: int) -> str | None:
        """The topic of the aside that ``pos`` stands in, when it names a treaty."""
        for a, b, topic in self.asides[sentence]:
            if a <= pos < b:
                return topic
        return None

    def about_elsewhere(self, pos: int, sentence: int) -> bool:
        """Whether what stands at ``pos`` speaks of another treaty: its aside's topic if
        that names one, else its sentence's."""
        topic = self.aside_topic(pos, sentence)
        return topic == OTHER if topic is not None else self.elsewhere[sentence]

    def elsewhere_why(self, pos: int, sentence: int) -> str:
        if self.aside_topic(pos, sentence) is not None:
            return "the clause it stands in is about another treaty"
        return _ELSEWHERE.split(": ", 1)[1]

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect_right(self.starts, pos) - 1)

    def note(self, what: str, start: int, end: int, why: str) -> None:
        if self.trace is not None:
            self.trace.append((what, start, end, why))

    def _regions(self, ps: PatternSet, only: set[int] | None = None) -> list[Region] | None:
        """The sentences ``ps`` may match in (of ``only``, if given) as regions: consecutive
        ones joined into one, each with the gate's mask for its words (a match may run over
        two sentences of a region); ``None``: the whole text."""
        gated = ps.gated
        if only is not None:
            indices: Iterable[int] = sorted(only)
        elif gated:
            indices = range(len(self.sentences))
        else:
            return None
        bits, ok, words, sentences = ps.bits, self.masks, self._words, self.sentences
        regions: list[tuple[int, int, int]] = []
        last = -2
        for i in indices:
            if gated and not ok[i] & bits:
                continue
            s = sentences[i]
            if i == last + 1:
                start, _, m = regions[-1]
                regions[-1] = (start, s.end, m | words[i])
            else:
                regions.append((s.start, s.end, words[i]))
            last = i
        possible = self.rules.gate.possible
        return [(start, end, possible(m)) for start, end, m in regions]

    def spans(self, ps: PatternSet) -> list[tuple[int, int, float | None]]:
        return ps.spans(self.lower, self._regions(ps))

    def matches(self, ps: PatternSet, only: set[int] | None = None) -> list[Match]:
        """Matches of ``ps``, in the sentences ``only`` if given."""
        return ps.matches(self.lower, self._regions(ps, only))

    def relevant_sentences(self, cr: _CodeRules) -> set[int] | None:
        """The sentences where an expression of ``cr`` can apply to one of its objects
        (``None``: any sentence)."""
        about = cr.code.about
        if not about or "standalone" in cr.scopes:
            return None
        key = (about, "nearby" in cr.scopes)
        cached = self._relevant.get(key)
        if cached is None:
            cached = self._relevant[key] = self._relevant_to(about, key[1])
        return cached

    def _relevant_to(self, about: tuple[str, ...], nearby: bool) -> set[int]:
        n = len(self.sentences)
        out = {i for obj_id in about for i, refs in enumerate(self.targets[obj_id]) if refs}
        if self.rules.first_person is not None:
            # the sentences around a direct reference may evaluate it without naming it (see
            # object_of_previous_sentence)
            for obj_id in about:
                for i, refs in enumerate(self.targets[obj_id]):
                    if any(not t.anaphor for t in refs):
                        out.update(k for k in (i - 1, i + 1) if 0 <= k < n)
        if nearby:
            for obj_id in about:
                obj = self.rules.objects[obj_id]
                for j, yes in enumerate(self._anchored(obj_id)):
                    if yes:
                        out.update(
                            range(
                                max(0, j - obj.cataphora_window),
                                min(n, j + obj.anaphora_window + 1),
                            )
                        )
        return out

    def _sentence_spans(self, ps: PatternSet | None, i: int) -> list[tuple[int, int]]:
        """Matches of ``ps`` in sentence ``i`` (computed once: the list is shared)."""
        if ps is None:
            return []
        key = (ps.id, i)
        found = self._cache.get(key)
        if found is None:
            if ps.gated and not self.masks[i] & ps.bits:
                found = []
            else:
                s = self.sentences[i]
                found = [
                    (a, b) for a, b, _ in ps.spans(self.lower, [(s.start, s.end, self.masks[i])])
                ]
            self._cache[key] = found
        return found

    def _cues(self, cues: PatternSet | None, exceptions: PatternSet | None, i: int) -> list[int]:
        """Where the cues stand in sentence ``i``, but for those inside an exception (computed
        once per sentence: every expression in it asks)."""
        if cues is None:
            return []
        key = (cues.id, i)
        found = self._cue_cache.get(key)
        if found is None:
            spans = self._sentence_spans(cues, i)
            exc = self._sentence_spans(exceptions, i) if spans else []
            found = sorted(s for s, _ in spans if not any(a <= s < b for a, b in exc))
            self._cue_cache[key] = found
        return found

    def _hypothetical_scopes(self, i: int) -> list[tuple[int, int]]:
        scopes = self._hyp.get(i)
        if scopes is None:
            scopes = []
            limit = self.sentences[i].end
            for start, end in self._sentence_spans(self.rules.hypothetical, i):
                j = bisect_left(self.hard_breaks, end)
                stop = self.hard_breaks[j] if j < len(self.hard_breaks) else limit
                scopes.append((start, min(stop, limit)))
            self._hyp[i] = scopes
        return scopes

    def hypothetical(self, start: int, end: int, sentence: int) -> bool:
        """Whether the reference at start–end (in ``sentence``) is hypothetical."""
        scopes = self._hypothetical_scopes(sentence)
        if not scopes or not any(s <= start < e for s, e in scopes):
            return False
        # a reference that names the withdrawing State is about what it did, even after
        # "we hope no other State will follow": "the path chosen by Lithuania"
        names = self.rules.names
        return names is None or names.search(self.lower, start, end) is None

    def _cue_before(self, cues: list[int], start: int, window: int) -> bool:
        if not cues:
            return False
        sent = self.sentences[self.sentence_of(start)]
        lo = max(sent.start, start - window)
        i = bisect_left(self.soft_breaks, start) - 1
        if i >= 0 and self.soft_breaks[i] >= lo:
            lo = self.soft_breaks[i]
        j = bisect_left(cues, lo)
        return j < len(cues) and cues[j] < start

    def negated(self, start: int) -> bool:
        r = self.rules
        cues = self._cues(r.negation, r.negation_exceptions, self.sentence_of(start))
        return self._cue_before(cues, start, NEGATION_WINDOW)

    def someone_elses(self, start: int) -> bool:
        r = self.rules
        i = self.sentence_of(start)
        cues = self._cues(r.reported, r.reported_exceptions, i)
        return self._cue_before(cues, start, REPORTED_WINDOW) or self.in_frame(start, i)

    def in_frame(self, start: int, sentence: int) -> bool:
        """Whether a reported frame ("the minister said that", "the Government should", "we
        call on States to condemn") opens before ``start`` in its sentence: what follows it,
        to the end of the sentence, is someone else's view or act."""
        return any(s < start for s, _ in self._sentence_spans(self.rules.frames, sentence))

    def denied(self, start: int, sentence: int) -> bool:
        """Whether a denial ("this is not a", "n'est pas un", "no se trata de una") stands
        before the reference at ``start``, in the same stretch of its clause and at most
        ``DENIAL_REACH`` characters before it: the act it names did not happen ("this is not
        a withdrawal under Article 20")."""
        return any(
            e <= start <= e + DENIAL_REACH and not self._soft_break_in((e, start))
            for _, e in self._sentence_spans(self.rules.denial, sentence)
        )

    def own_voice(self) -> tuple[int, int] | None:
        """Where the speaker claims the act as its own ("our decision to withdraw", "the
        debate in our Parliament"), in a sentence that refers to the act (an object a code
        fires on), outside reported frames: the statement is then the acting State's (the
        first such place), else ``None``."""
        if self._own_looked:
            return self._own
        own = self.rules.own_act
        self._own_looked = True
        if own is not None:
            acts = self.rules.acts
            # only the sentences that refer to the act are looked at
            referring = {
                i
                for o in acts
                for i, refs in enumerate(self.targets[o])
                if any(not t.anaphor for t in refs)
            }
            if referring:
                for start, end, _ in own.spans(self.lower, self._regions(own, referring)):
                    if not self.someone_elses(start):
                        self._own = (start, end)
                        break
        return self._own

    def _targets(self) -> dict[str, list[list[_Target]]]:
        """Per object, per sentence: the real references and the resolved anaphora."""
        n = len(self.sentences)
        direct: dict[str, list[list[_Target]]] = {}
        acts = self.rules.acts
        for obj_id, obj in self.rules.objects.items():
            per: list[list[_Target]] = [[] for _ in range(n)]
            if obj.refer is not None and n:
                found = self.matches(obj.refer)
                excluded = self._excluded(obj) if found else []
                for start, end, weight, scope in found:
                    what = f"reference to {obj_id}"
                    if excluded and any(s < end and start < e for s, e, _ in excluded):
                        self.note(what, start, end, "rejected: an exclusion pattern matches")
                        continue
                    i = self.sentence_of(start)
                    if self.about_elsewhere(start, i):
                        self.note(what, start, end, "rejected: " + self.elsewhere_why(start, i))
                        continue
                    if scope != "factual" and self.hypothetical(start, end, i):
                        self.note(what, start, end, "rejected: hypothetical")
                        continue
                    if obj_id in acts and self.denied(start, i):
                        self.note(
                            what, start, end, "rejected: denied (the act is said not to be one)"
                        )
                        continue
                    self.note(what, start, end, "accepted")
                    per[i].append(_Target(start, end, obj_id, False, i, weight))
            direct[obj_id] = per
        # references that count only near a reference to another object
        checked = dict(direct)
        for obj_id, obj in self.rules.objects.items():
            if not obj.requires:
                continue
            required = zip(*(direct[r] for r in obj.requires), strict=True)
            present = [i for i, refs in enumerate(required) if any(refs)]
            w = obj.requires_window
            checked[obj_id] = [
                refs if refs and any(abs(i - j) <= w for j in present) else []
                for i, refs in enumerate(direct[obj_id])
            ]
        out: dict[str, list[list[_Target]]] = {}
        for obj_id, obj in self.rules.objects.items():
            per = [list(refs) for refs in checked[obj_id]]
            sources = [checked[obj_id]] + [checked[a] for a in obj.antecedents]
            anchored = [any(refs) for refs in zip(*sources, strict=True)]
            if obj.anaphora is not None and any(anchored):
                # an anaphor can only take up a reference within the object's windows
                near: set[int] = set()
                for j, yes in enumerate(anchored):
                    if yes:
                        near.update(
                            range(
                                max(0, j - obj.cataphora_window),
                                min(n, j + obj.anaphora_window + 1),
                            )
                        )
                excluded = self._excluded(obj)
                for start, end, _, _ in self.matches(obj.anaphora, near):
                    if excluded and any(s < end and start < e for s, e, _ in excluded):
                        continue
                    i = self.sentence_of(start)
                    if self.about_elsewhere(start, i) or self.hypothetical(start, end, i):
                        continue
                    ante = _antecedent(anchored, i, obj.anaphora_window, obj.cataphora_window)
                    if ante is not None:
                        per[i].append(_Target(start, end, obj_id, True, ante, None))
            out[obj_id] = per
        return out

    def other_between(self, j: int, i: int, about: Iterable[str]) -> bool:
        """Whether a sentence strictly between sentences ``j`` and ``i`` is about another
        thing (the topic has moved on: "Lithuania has left. Funding fell. We are worried.")."""
        for k in range(min(i, j) + 1, max(i, j)):
            for obj_id in about:
                other = self.rules.objects[obj_id].other
                if other is not None and self._sentence_spans(other, k):
                    return True
        return False

    def _excluded(self, obj: _ObjectRules) -> list[tuple[int, int, float | None]]:
        """Spans where a reference to ``obj`` (or an anaphor) is something else."""
        if obj.exclude is None:
            return []
        found = self._exclusions.get(obj.id)
        if found is None:
            found = self._exclusions[obj.id] = self.spans(obj.exclude)
        return found

    def anchored_near(self, sentence: int, about: Iterable[str]) -> int | None:
        """The nearest sentence with a reference to one of ``about``: this one, else one
        within an object's anaphora window before, else within its cataphora window after."""
        best: int | None = None
        for obj_id in about:
            obj = self.rules.objects[obj_id]
            j = _antecedent(
                self._anchored(obj_id), sentence, obj.anaphora_window, obj.cataphora_window
            )
            if j is not None and (best is None or abs(j - sentence) < abs(best - sentence)):
                best = j
        return best

    def _anchored(self, obj_id: str) -> list[bool]:
        """Per sentence: whether it refers (directly) to the object or an antecedent of it."""
        cached = self._anchor_cache.get(obj_id)
        if cached is None:
            obj = self.rules.objects[obj_id]
            cached = [False] * len(self.sentences)
            for src in [self.targets[obj_id]] + [self.targets[x] for x in obj.antecedents]:
                for i, targets in enumerate(src):
                    if targets and not cached[i]:
                        cached[i] = any(not t.anaphor for t in targets)
            self._anchor_cache[obj_id] = cached
        return cached

    def attached(self, start: int, end: int, sentence: int, about: Iterable[str]) -> _Target | None:
        """The nearest reference to one of ``about`` that the span at start–end applies to.

        A reference does not count when a hard clause break lies between the two, when the
        expression's own object (what follows it up to the next comma) is another thing
        ("we regret *the funding shortfall* ... and note the withdrawal"), or when another
        thing stands between the reference and an expression after it in the same clause
        ("the withdrawal and *the funding gap* are regrettable").
        """
        best: tuple[int, _Target] | None = None
        for obj_id in about:
            targets = self.targets[obj_id][sentence]
            if not targets:
                continue
            other = self.rules.objects[obj_id].other
            # when another thing is the expression's own object, only a reference before it
            # in the same stretch of the clause (its subject) can still be what it is about:
            # "Lithuania's exit is a blow to survivors"
            other_after = other is not None and self._object_is_other(end, sentence, targets, other)
            for t in targets:
                if t.start >= end:
                    if other_after:
                        continue
                    gap = (end, t.start)
                elif t.end <= start:
                    gap = (t.end, start)
                    if other is not None and self._other_before(gap, sentence, other):
                        continue
                    if other_after and self._soft_break_in(gap):
                        continue
                else:
                    gap = (start, start)
                if gap[1] > gap[0] and self._hard_break_in(gap):
                    continue
                dist = gap[1] - gap[0]
                if best is None or dist < best[0]:
                    best = (dist, t)
        return best[1] if best else None

    def object_of_previous_sentence(
        self, sentence: int, about: Iterable[str], end: int
    ) -> int | None:
        """The sentence whose object an evaluation in ``sentence`` (up to ``end``, the end of
        the expression) is of, when ``sentence`` is the speaker's own (a first-person word) or
        a fragment of a few words ("A sad precedent."), refers to nothing and names no other
        thing: the sentence just before it in its paragraph, when that one refers directly to
        one of ``about`` ("Lithuania has left the Convention. We are deeply concerned."); else
        the one just after, when it opens with such a reference ("I will not hide my concern.
        These two withdrawals open a breach.")."""
        first_person = self.rules.first_person
        if first_person is None:
            return None
        s = self.sentences[sentence]
        if (
            first_person.search(self.lower, s.start, end) is None
            and len(s.text.split()) > FRAGMENT_WORDS
        ):
            return None
        if any(self.targets[obj][sentence] for obj in self.rules.objects):
            return None
        for obj_id in about:
            other = self.rules.objects[obj_id].other
            if other is not None and self._sentence_spans(other, sentence):
                return None
        j = sentence - 1
        if j >= 0 and not self.elsewhere[j] and not self._paragraph_between(j, sentence):
            for obj_id in about:
                if any(not t.anaphor for t in self.targets[obj_id][j]):
                    return j
        k = sentence + 1
        if k < len(self.sentences) and not self._paragraph_between(sentence, k):
            opening = self.starts[k] + CATAPHOR_REACH
            for obj_id in about:
                if any(not t.anaphor and t.start < opening for t in self.targets[obj_id][k]):
                    return k
        return None

    def _paragraph_between(self, i: int, j: int) -> bool:
        """Whether a paragraph break separates sentence ``i`` from the later sentence ``j``."""
        return (
            _PARAGRAPH_BREAK.search(self.lower, self.sentences[i].start, self.starts[j]) is not None
        )

    def _hard_break_in(self, gap: tuple[int, int]) -> bool:
        i = bisect_left(self.hard_breaks, gap[0])
        return i < len(self.hard_breaks) and self.hard_breaks[i] < gap[1]

    def _soft_break_in(self, gap: tuple[int, int]) -> bool:
        i = bisect_left(self.soft_breaks, gap[0])
        return i < len(self.soft_breaks) and self.soft_breaks[i] < gap[1]

    def object_is_other(self, end: int, sentence: int, about: Iterable[str]) -> bool:
        """Whether the expression ending at ``end`` has another thing as its own object, for
        every one of ``about`` that says what other things are."""
        found = False
        for obj_id in about:
            other = self.rules.objects[obj_id].other
            if other is None:
                continue
            if not self._object_is_other(end, sentence, self.targets[obj_id][sentence], other):
                return False
            found = True
        return found

    def _next_soft_break(self, pos: int, limit: int) -> int:
        i = bisect_left(self.soft_breaks, pos)
        return min(self.soft_breaks[i], limit) if i < len(self.soft_breaks) else limit

    def _object_is_other(
        self, end: int, sentence: int, targets: list[_Target], other: PatternSet
    ) -> bool:
        """Whether another thing comes right after the expression, before any reference."""
        limit = self._next_soft_break(end, self.sentences[sentence].end)
        limit = min(limit, end + OBJECT_WINDOW)
        m = other.search(self.lower, end, limit, self.masks[sentence])
        if m is None:
            return False
        return not any(end <= t.start < m[0] for t in targets)

    def _other_before(self, gap: tuple[int, int], sentence: int, other: PatternSet) -> bool:
        """Whether another thing stands in the gap (in ``sentence``) with no comma between
        it and the end."""
        for _, end, _, _ in other.finditer(self.lower, gap[0], gap[1], self.masks[sentence]):
            i = bisect_left(self.soft_breaks, end)
            if not (i < len(self.soft_breaks) and self.soft_breaks[i] < gap[1]):
                return True
        return False


def _antecedent(anchored: list[bool], i: int, back: int, forward: int) -> int | None:
    """The sentence an anaphor in sentence ``i`` takes up: its own, the nearest before
    (within ``back``), else the nearest after (within ``forward``)."""
    if anchored[i]:
        return i
    for j in range(i - 1, max(-1, i - back - 1), -1):
        if anchored[j]:
            return j
    for j in range(i + 1, min(len(anchored), i + forward + 1)):
        if anchored[j]:
            return j
    return None


def _code_fires(a: _Analysis, cr: _CodeRules) -> list[_Fire]:
    code = cr.code
    fires: list[_Fire] = []
    if code.not_by_actor:
        own = a.own_voice()
        if own is not None:
            a.note(code.id, *own, "rejected: the speaker is the State that took the act")
            return fires
    if code.fires_on == "object":
        for obj_id in code.about:
            for i, targets in enumerate(a.targets[obj_id]):
                for t in targets:
                    if not t.anaphor:
                        fires.append(_Fire(i, i, i, t.weight or code.confidence))
        return fires
    if cr.include is None:
        return fires
    only = a.relevant_sentences(cr)
    if only is not None and not only:
        return fires
    spans = a.matches(cr.include, only)
    if not spans:
        return fires
    excluded = a.spans(cr.exclude) if cr.exclude is not None else []
    for start, end, weight, scope in spans:
        fire = _fire(a, cr, excluded, start, end, weight, scope)
        if fire is not None:
            fires.append(fire)
            continue
        # the regex reports one match per place; when it does not count, a shorter one that
        # starts inside it may ("we hope that it will return one day": the call finds no
        # target, "return one day" needs none nearby)
        i = a.sentence_of(start)
        for more in cr.include.overlapping(a.lower, start, end, a.sentences[i].end, a.masks[i]):
            # a negation or someone else's view before the whole applies to the part too
            fire = _fire(a, cr, excluded, *more, cues_at=start)
            if fire is not None:
                fires.append(fire)
                break
    return fires


def _fire(
    a: _Analysis,
    cr: _CodeRules,
    excluded: list[tuple[int, int, float | None]],
    start: int,
    end: int,
    weight: float | None,
    scope: str,
    *,
    cues_at: int | None = None,
) -> _Fire | None:
    """What the expression at start–end shows, if it counts (see the module documentation);
    negation and reported-view cues are looked for before ``cues_at`` (default ``start``)."""
    code = cr.code
    what = code.id

    def no(why: str) -> _Fire | None:
        a.note(what, start, end, "rejected: " + why)
        return None

    if excluded and any(s < end and start < e for s, e, _ in excluded):
        return no("an exclusion pattern matches")
    here = a.sentence_of(start)
    if a.about_elsewhere(start, here):
        return no(a.elsewhere_why(start, here))
    cue_pos = start if cues_at is None else cues_at
    if a.negated(cue_pos):
        return no("negated")
    if a.someone_elses(cue_pos):
        if a.in_frame(cue_pos, a.sentence_of(cue_pos)):
            return no("someone else's view (inside a reported or delegated frame)")
        return no("someone else's view (reported)")
    i = a.sentence_of(start)
    confidence = weight if weight is not None else code.confidence
    if not code.about or scope == "standalone":
        a.note(what, start, end, "accepted: needs no object")
        return _Fire(i, i, i, confidence)
    about = ", ".join(code.about)
    if scope == "nearby":
        if a.object_is_other(end, i, code.about):
            return no(f"its object is another thing than {about}")
        j = a.anchored_near(i, code.about)
        if j is None:
            return no(f"no reference to {about} nearby")
        if a.other_between(j, i, code.about):
            return no(f"the topic moved on from {about}")
        a.note(what, start, end, f"accepted: {about} referred to in sentence {j + 1}")
        return _Fire(i, min(i, j), max(i, j), confidence * (1.0 if j == i else ANAPHORA_FACTOR))
    target = a.attached(start, end, i, code.about)
    if target is None:
        j = a.object_of_previous_sentence(i, code.about, end)
        if j is None:
            return no(f"not attached to a reference to {about}")
        a.note(
            what,
            start,
            end,
            f"accepted: the sentence names no object; {about} is the object of sentence {j + 1}",
        )
        return _Fire(i, min(i, j), max(i, j), confidence * ANAPHORA_FACTOR)
    if target.anaphor:
        confidence *= ANAPHORA_FACTOR
    a.note(
        what,
        start,
        end,
        f"accepted: applies to {a.text[target.start : target.end]!r} ({target.obj}"
        + (f", taking up sentence {target.antecedent + 1})" if target.anaphor else ")"),
    )
    return _Fire(i, min(i, target.antecedent), max(i, target.antecedent), confidence)


def code_with_rules(
    text: str, codebook: Codebook, lang: str, *, treaty: str | None = None
) -> CodingResult:
    """Code ``text`` (already known to be in ``lang``, a language of the codebook); ``treaty``
    is the treaty of the meeting the text comes from, if known."""
    rules = compile_rules(codebook)[lang]
    default = None
    if treaty is not None and codebook.treaty is not None:
        default = THIS if treaty == codebook.treaty else OTHER
    a = _Analysis(text, rules, default)
    hits: dict[str, CodeHit] = {}
    for cr in rules.codes:
        fires = _code_fires(a, cr)
        if fires:
            hits[cr.code.id] = _hit(text, a, cr.code.id, fires)
    return CodingResult(codebook.id, "rules", lang, apply_implications(codebook, hits))


def explain_rules(
    text: str, codebook: Codebook, lang: str, *, treaty: str | None = None
) -> dict[str, Any]:
    """How the rules method reads ``text``: per sentence, the treaty it was taken to speak of;
    per expression and reference looked at, whether it counted and why. JSON-ready."""
    rules = compile_rules(codebook)[lang]
    default = None
    if treaty is not None and codebook.treaty is not None:
        default = THIS if treaty == codebook.treaty else OTHER
    a = _Analysis(text, rules, default)
    a.trace = []
    # references are resolved when the analysis is made; run it again with the trace on
    a.targets = a._targets()
    a._anchor_cache.clear()
    a._relevant.clear()
    for cr in rules.codes:
        _code_fires(a, cr)
    own = codebook.treaty or "this codebook's treaty"
    seen: set[tuple[str, int, int]] = set()
    cues = []
    for what, start, end, why in a.trace:
        if (what, start, end) in seen:
            continue
        seen.add((what, start, end))
        cues.append(
            {
                "what": what,
                "sentence": a.sentence_of(start) + 1,
                "quote": text[start:end],
                "start": start,
                "end": end,
                "decision": why.split(":", 1)[0],
                "why": why.split(": ", 1)[1] if ": " in why else "",
            }
        )
    return {
        "treaty": codebook.treaty,
        "meeting_treaty": treaty,
        "sentences": [
            {
                "sentence": i + 1,
                "topic": {THIS: own, OTHER: "another treaty", BOTH: f"{own} and another"}[t],
                "text": sent.text,
            }
            for i, (sent, t) in enumerate(zip(a.sentences, a.topics, strict=True))
        ],
        "cues": sorted(cues, key=lambda c: (c["start"], c["what"])),
    }


def _hit(text: str, a: _Analysis, code: str, fires: list[_Fire]) -> CodeHit:
    # one piece of evidence per passage, best confidence first within a passage
    spans: dict[tuple[int, int], float] = {}
    for f in fires:
        key = (a.sentences[f.first_sentence].start, a.sentences[f.last_sentence].end)
        spans[key] = max(spans.get(key, 0.0), f.confidence)
    # nested passages (an anaphor's range covering a direct hit) are kept once
    keys = sorted(spans, key=lambda k: (k[0], -k[1]))
    kept: list[tuple[int, int]] = []
    for k in keys:
        if kept and kept[-1][0] <= k[0] and k[1] <= kept[-1][1]:
            spans[kept[-1]] = max(spans[kept[-1]], spans[k])
            continue
        kept.append(k)
    confidence = 1.0
    for k in kept:
        confidence *= 1.0 - spans[k]
    combined = min(0.99, 1.0 - confidence)
    return CodeHit(code, combined, [Evidence.of(text, s, e) for s, e in kept])


def apply_implications(codebook: Codebook, hits: dict[str, CodeHit]) -> list[CodeHit]:
    """The hits plus every code they imply, in codebook order."""
    out = dict(hits)
    changed = True
    while changed:
        changed = False
        for code in codebook.codes:
            hit = out.get(code.id)
            if hit is None:
                continue
            for implied in code.implies:
                if implied in out:
                    continue
                out[implied] = CodeHit(implied, hit.confidence, list(hit.evidence), [code.id])
                changed = True
    return [out[c.id] for c in codebook.codes if c.id in out]
