"""Fast matching of many codebook patterns over a statement.

A :class:`PatternSet` holds the patterns of one kind (a code's evaluative expressions, the
references to one object, the negation cues ...) and finds what the regex of their
alternation would find, compiled once per codebook and language. Three things keep the rules
method fast without changing what matches:

* a :class:`Gate` is a cheap prefilter: every pattern needs some *keywords* (runs of word
  characters that every match contains, worked out by :mod:`normwatch.coding.regex_info`:
  "regret" for ``(?:deeply )?regret\\w*``; up to two groups of them, one keyword of each
  needed). The gate looks once at the words of each sentence and a set is then run only over
  the sentences where one of its patterns finds its keywords. A set with a pattern for which
  no keyword can be found is run over the whole text;
* in those sentences, only the patterns whose keywords they hold are run, each compiled on its
  own: usually one or two of a set's dozens of patterns, and a pattern on its own is run
  several times faster than the alternation of all of them (whose alternatives, with their
  macros, come to tens of thousands of characters);
* a set that is not gated is compiled as one alternation whose alternatives are grouped by the
  characters they can start with, each group behind a one-character look-ahead, so that at a
  word start the regex engine only tries the patterns that can begin there.

Since a keyword is made of word characters only, each of its occurrences lies inside one word
of the text (a maximal run of word characters), and a word inside one token (a run of anything
but white space); so the gate only has to ask, once per distinct token (remembered across
texts), which keywords the words of the token contain. Splitting at white space is much
faster than finding the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from normwatch.coding.codebook import Pattern, expand_pattern
from normwatch.coding.regex_info import Node, Unsupported, first_chars, parse, required_groups

#: texts are matched in lower case (see :func:`lower_same_length`), so patterns are compiled
#: in lower case too, without the slower case-insensitive matching
FLAGS = re.UNICODE

Match = tuple[int, int, float | None, str]
#: a gate's mask that lets every pattern run
EVERY = -1
#: (start, end, the gate's mask for the words between them)
Region = tuple[int, int, int]

#: letters by how often words start with them in English, French and Spanish statements
_COMMON_FIRST = "tdalcspeoiwrmnfuhbgvqjykxz"
#: buckets of first characters per group in a set's regex (see PatternSet)
_GROUP_SIZE = 5
#: an escape (kept as it is) or a run of other characters (lower-cased), in a pattern
_ESCAPE_OR_TEXT = re.compile(r"\\.|[^\\]+", re.DOTALL)
#: a word of the text, for the gate
_WORD = re.compile(r"\w+")
#: the gate forgets the tokens it has seen when it has seen this many
_MEMO_LIMIT = 200_000


class PatternSet:
    """Several patterns of one kind, matched as the regex of their alternation (in order)
    would match: at a place, the first pattern that matches there; after a match, again from
    its end on. Each match comes with the weight and scope of its pattern.

    ``cue=True`` makes every pattern end at a word boundary (unless it ends in an apostrophe,
    as French "n'" does). Every match starts at a word boundary.

    A set is *gated* when every one of its patterns has keywords (see :class:`Gate`). Its
    patterns are then compiled one by one, and in a region of a text only those whose
    keywords the region holds are run, their matches combined as the alternation would have
    them (see :meth:`finditer`). A set that is not gated is compiled as one alternation.
    """

    def __init__(
        self, patterns: Sequence[Pattern], macros: dict[str, str], *, cue: bool = False
    ) -> None:
        self.id = -1  # set by Gate.register
        #: the gate's bits for this set (0 when it is not gated) and the first of them, set
        #: by Gate.register: pattern ``i`` has bit ``first_bit + i``
        self.bits = 0
        self.first_bit = 0
        bodies: list[tuple[str, frozenset[str] | None]] = []
        groups: list[list[frozenset[str]]] | None = []
        #: per pattern: weight and scope
        self._kinds: list[tuple[float | None, str]] = []
        for p in patterns:
            body = expand_pattern(p.regex, macros)
            if cue and not p.regex.rstrip().endswith(("'", "’")):
                body = f"(?:{body})(?!\\w)"
            self._kinds.append(
                (
                    p.weight,
                    "standalone"
                    if p.standalone
                    else "nearby"
                    if p.nearby
                    else "factual"
                    if p.factual
                    else "attached",
                )
            )
            tree = _parse(body)
            first = first_chars(tree) if tree is not None else None
            bodies.append((body, first))
            need = required_groups(tree) if tree is not None else None
            if need is None or groups is None:
                groups = None
            else:
                groups.append(need)
        #: per pattern, the groups of keywords a match must contain (one of each group), or
        #: ``None`` when some pattern has none: the set is then run over the whole text
        self.groups = groups
        #: the patterns in the order the alternation prefers them at a place: those with
        #: known first characters (only they can match there), then the others
        self._order = [i for i, (_, first) in enumerate(bodies) if first is not None] + [
            i for i, (_, first) in enumerate(bodies) if first is None
        ]
        self._every = (1 << len(bodies)) - 1
        self._late = sum(1 << i for i, (_, first) in enumerate(bodies) if first is None)
        if groups is not None:
            #: per pattern, its regex on its own; first the check of the first character: at
            #: most places it fails, and it fails faster than the check for a word start
            self._each = [
                compile_lower(("" if first is None else _lookahead(first)) + f"(?<!\\w)(?:{body})")
                for body, first in bodies
            ]
        else:
            self._alternation(bodies)

    def _alternation(self, bodies: list[tuple[str, frozenset[str] | None]]) -> None:
        """Compile the patterns as one regex: a named group for each, grouped by the
        characters they can start with behind look-aheads, so that at a word start the regex
        engine only tries the patterns that can begin there."""
        self._names: dict[str, int] = {}
        buckets: dict[str, list[str]] = {}
        anywhere: list[str] = []
        for i, (body, first) in enumerate(bodies):
            for ch in sorted(first) if first is not None else [""]:
                name = f"_p{i}_{ord(ch) if ch else 0}"
                self._names[name] = i
                (buckets.setdefault(ch, []) if ch else anywhere).append(f"(?P<{name}>{body})")
        # common word-initial letters first, so that the dispatch stops early; many buckets
        # are put in a few groups, each behind a look-ahead for its letters, so that at a
        # place the dispatch tries a few groups and then a few buckets, not all of them
        order = sorted(buckets, key=lambda c: (_COMMON_FIRST.find(c) % 100, c))
        parts = [f"(?={re.escape(ch)})(?:" + "|".join(buckets[ch]) + ")" for ch in order]
        if len(parts) > _GROUP_SIZE:
            parts = [
                _lookahead(order[k : k + _GROUP_SIZE])
                + "(?:"
                + "|".join(parts[k : k + _GROUP_SIZE])
                + ")"
                for k in range(0, len(parts), _GROUP_SIZE)
            ]
        if anywhere:
            parts.append("|".join(anywhere))
        # one shared check that a match starts a word, instead of one per alternative, and,
        # when every pattern has known first characters, one check of the first character
        first_class = _lookahead(buckets) if buckets and not anywhere else ""
        self._regex = compile_lower(first_class + "(?<!\\w)(?:" + "|".join(parts) + ")")

    @property
    def gated(self) -> bool:
        return self.groups is not None

    def matches(self, text: str, regions: Iterable[Region] | None = None) -> list[Match]:
        """(start, end, weight, scope) of each match, in the given regions of ``text`` or in
        all of it; scope is "attached", "nearby", "standalone" or "factual" (as the pattern
        is marked in the codebook). A region is (start, end, mask), the mask the gate's for
        the words of the region (:meth:`Gate.possible`)."""
        if regions is None:
            regions = [(0, len(text), EVERY)]
        out: list[Match] = []
        if not self.gated:
            # an empty match (of a set that is not gated: a keyword is never empty) is left out
            for lo, hi, _ in regions:
                out.extend(
                    m for m in map(self._match, self._regex.finditer(text, lo, hi)) if m[1] > m[0]
                )
            return out
        for lo, hi, mask in regions:
            chosen = self._chosen(mask)
            if not chosen:
                continue
            if len(chosen) == 1:  # the usual case, without the generator of finditer
                weight, scope = self._kinds[chosen[0]]
                for m in self._each[chosen[0]].finditer(text, lo, hi):
                    start, end = m.span()
                    out.append((start, end, weight, scope))
                continue
            out.extend(self.finditer(text, lo, hi, mask))
        return out

    def spans(
        self, text: str, regions: Iterable[Region] | None = None
    ) -> list[tuple[int, int, float | None]]:
        return [(s, e, w) for s, e, w, _ in self.matches(text, regions)]

    def finditer(self, text: str, lo: int, hi: int, mask: int = EVERY) -> Iterator[Match]:
        """The matches in lo–hi, where the words have the gate's mask ``mask``.

        Of a gated set, each pattern the mask allows is searched on its own; of their first
        matches, the alternation would find the leftmost, and there the first pattern in its
        order (:func:`_leftmost`); then it goes on from the end of that match, so each
        pattern whose first match starts before that end is searched again from there.
        """
        if not self.gated:
            for m in self._regex.finditer(text, lo, hi):
                yield self._match(m)
            return
        chosen = self._chosen(mask)
        if len(chosen) == 1:
            weight, scope = self._kinds[chosen[0]]
            for m in self._each[chosen[0]].finditer(text, lo, hi):
                yield m.start(), m.end(), weight, scope
            return
        heads = self._heads(chosen, text, lo, hi)
        while heads:
            r = _leftmost(heads)
            start, end = heads[r].span()
            yield start, end, *self._kinds[chosen[r]]
            for k, head in list(heads.items()):
                if head.start() < end:
                    again = self._each[chosen[k]].search(text, end, hi)
                    if again is None:
                        del heads[k]
                    else:
                        heads[k] = again

    def search(self, text: str, pos: int, endpos: int, mask: int = EVERY) -> Match | None:
        """The first match from ``pos`` on (before ``endpos``), where the words have the gate's
        mask ``mask``."""
        if not self.gated:
            m = self._regex.search(text, pos, endpos)
            return None if m is None else self._match(m)
        chosen = self._chosen(mask)
        heads = self._heads(chosen, text, pos, endpos)
        if not heads:
            return None
        r = _leftmost(heads)
        return heads[r].start(), heads[r].end(), *self._kinds[chosen[r]]

    def overlapping(
        self, text: str, start: int, end: int, limit: int, mask: int = EVERY
    ) -> Iterator[Match]:
        """The matches that start inside the match at start–end (after ``start``, before
        ``end``), each the one the set finds first from its place, up to ``limit``."""
        pos = start + 1
        while pos < end:
            m = self.search(text, pos, limit, mask)
            if m is None or m[0] >= end:
                return
            if m[1] > m[0]:
                yield m
            pos = m[0] + 1

    def _chosen(self, mask: int) -> list[int]:
        """The patterns that the gate's mask allows, in the alternation's order."""
        mine = mask >> self.first_bit & self._every
        if mine & self._late:
            return [i for i in self._order if mine >> i & 1]
        chosen = []  # the usual case: the alternation's order is that of the bits
        while mine:
            bit = mine & -mine
            chosen.append(bit.bit_length() - 1)
            mine ^= bit
        return chosen

    def _heads(
        self, chosen: list[int], text: str, pos: int, endpos: int
    ) -> dict[int, re.Match[str]]:
        """The first match from ``pos`` on of each pattern ``chosen`` that has one, by the
        pattern's rank in ``chosen``."""
        heads = {}
        for r, i in enumerate(chosen):
            m = self._each[i].search(text, pos, endpos)
            if m is not None:
                heads[r] = m
        return heads

    def _match(self, m: re.Match[str]) -> Match:
        """A match of the alternation, with the weight and scope of the pattern that made it
        (the named group that closed last)."""
        return m.start(), m.end(), *self._kinds[self._names[m.lastgroup or ""]]


def _leftmost(heads: dict[int, re.Match[str]]) -> int:
    """Of the first matches of several patterns, by the patterns' ranks in an alternation:
    the one the alternation finds, the leftmost and of those the first in its order. (No
    match of a gated pattern is empty, as it holds a keyword; so, like the alternation, each
    goes on from the end of the last match.)"""
    return min(heads, key=lambda r: (heads[r].start(), r))


class Gate:
    """Tells, for each sentence of a text, which registered patterns may match in it.

    Bits: each gated pattern ``k`` (over all sets) has bit ``k`` for its first keyword group
    and bit ``P + k`` for its second (``P`` patterns in all); a pattern with one group has
    its second bit always on. A word's mask has the bits of the keywords it contains; a
    sentence's mask ``m`` is the union over its words (:meth:`sentence_masks`), and pattern
    ``k`` may match in the sentence when both its bits are on: ``m & (m >> P)``, bit ``k``
    (:meth:`possible`). The same holds for several sentences together, with the union of
    their masks: a match may run from one sentence into the next.
    """

    def __init__(self) -> None:
        self.sets: list[PatternSet] = []
        self._pending: list[tuple[str, int, int]] = []  # (keyword, group, pattern index)
        self._patterns = 0
        self._single: list[int] = []
        self._keywords: dict[str, int] = {}
        self._lengths: list[int] = []
        self._always = 0
        self._low_half = 0
        self._memo: dict[str, int] = {}

    def register(self, ps: PatternSet | None) -> None:
        if ps is None:
            return
        ps.id = len(self.sets)
        self.sets.append(ps)
        if ps.groups is None:
            return
        ps.first_bit = self._patterns
        bits = 0
        for groups in ps.groups:
            k = self._patterns
            self._patterns += 1
            bits |= 1 << k
            for g, words in enumerate(groups[:2]):
                for word in words:
                    self._pending.append((word, g, k))
            if len(groups) == 1:
                self._single.append(k)
        ps.bits = bits

    def build(self) -> None:
        n = self._patterns
        keywords: dict[str, int] = {}
        for word, g, k in self._pending:
            keywords[word] = keywords.get(word, 0) | (1 << (k + n * g))
        self._keywords = keywords
        self._lengths = sorted({len(w) for w in keywords})
        self._always = sum(1 << (k + n) for k in self._single)
        self._low_half = (1 << n) - 1
        self._memo = {}

    def word_mask(self, word: str) -> int:
        """The bits of the keywords that ``word`` (lower case) contains."""
        mask = 0
        keywords = self._keywords
        size = len(word)
        for length in self._lengths:
            if length > size:
                break
            for i in range(size - length + 1):
                bits = keywords.get(word[i : i + length])
                if bits:
                    mask |= bits
        return mask

    def token_mask(self, token: str) -> int:
        """The bits of the keywords that the words of ``token`` (lower case, no white space)
        contain (remembered)."""
        mask = self._memo.get(token)
        if mask is None:
            mask = 0
            for word in _WORD.findall(token):
                mask |= self.word_mask(word)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[token] = mask
        return mask

    def sentence_masks(self, lower: str, spans: Iterable[tuple[int, int]]) -> list[int]:
        """For each (start, end) span of ``lower``: the bits of the keywords of its words
        (of several spans together: the union of theirs), for :meth:`possible`."""
        memo = self._memo
        token_mask = self.token_mask
        always = self._always
        out = []
        for start, end in spans:
            m = always
            for token in lower[start:end].split():
                bits = memo.get(token)
                m |= bits if bits is not None else token_mask(token)
            out.append(m)
        return out

    def possible(self, words: int) -> int:
        """The bits of the patterns that may match in a span whose words have the keyword
        bits ``words`` (test a set with ``mask & ps.bits``)."""
        return words & (words >> self._patterns) & self._low_half


def compile_lower(regex: str) -> re.Pattern[str]:
    """Compile ``regex`` to match lower-cased text: its literal characters are lower-cased
    (escapes such as ``\\W`` or ``\\S`` are left alone)."""
    lowered = _ESCAPE_OR_TEXT.sub(
        lambda m: m[0] if m[0].startswith("\\") else lower_same_length(m[0]), regex
    )
    lowered = lowered.replace("(?p<", "(?P<").replace("(?p=", "(?P=")
    return re.compile(lowered, FLAGS)


def lower_same_length(text: str) -> str:
    """``text`` in lower case, one character for one (so offsets carry over)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def first_char_check(regex: str) -> str:
    """A look-ahead for the characters a match of ``regex`` can start with (``""`` when they
    are not known): put before it, it makes a search skip most places at once."""
    tree = _parse(regex)
    first = first_chars(tree) if tree is not None else None
    return _lookahead(first) if first else ""


def _lookahead(chars: Iterable[str]) -> str:
    """A look-ahead for one of ``chars``."""
    return "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])"


def _parse(regex: str) -> Node | None:
    try:
        return parse(regex)
    except Unsupported:
        return None
