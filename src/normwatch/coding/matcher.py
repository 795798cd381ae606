"""Fast matching of many codebook patterns over a statement.

A :class:`PatternSet` joins the patterns of one kind (a code's evaluative expressions, the
references to one object, the negation cues ...) into one regular expression, compiled once
per codebook and language. Two things keep the rules method fast without changing what
matches:

* inside a set, the alternatives are grouped by the characters they can start with, each group
  behind a one-character look-ahead, so that at a word start the regex engine only tries the
  patterns that can begin there;
* a :class:`Gate` is a cheap prefilter: every pattern needs some *keywords* (runs of word
  characters that every match contains, worked out by :mod:`normwatch.coding.regex_info`:
  "regret" for ``(?:deeply )?regret\\w*``; up to two groups of them, one keyword of each
  needed). The gate looks once at the words of each sentence and a set is then run only over
  the sentences where one of its patterns finds its keywords. A set with a pattern for which
  no keyword can be found is run over the whole text.

Since a keyword is made of word characters only, each of its occurrences lies inside one word
of the text (a maximal run of word characters); so the gate only has to ask, once per distinct
word (remembered across texts), which keywords the word contains.
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

#: letters by how often words start with them in English, French and Spanish statements
_COMMON_FIRST = "tdalcspeoiwrmnfuhbgvqjykxz"
#: a word of the text, for the gate
_WORD = re.compile(r"\w+")
#: the gate forgets the words it has seen when it has seen this many
_MEMO_LIMIT = 200_000


class PatternSet:
    """Several patterns as one regex; the weight and scope of the alternative that matched.

    ``cue=True`` makes every pattern end at a word boundary (unless it ends in an apostrophe,
    as French "n'" does). Every match starts at a word boundary.
    """

    def __init__(self, patterns: Sequence[Pattern], macros: dict[str, str], *,
                 cue: bool = False) -> None:
        self.id = -1  # set by Gate.register
        #: the gate's bits for this set (0 when it is not gated), set by Gate.build
        self.bits = 0
        self.weights: dict[str, float | None] = {}
        self.scope: dict[str, str] = {}
        buckets: dict[str, list[tuple[str, str]]] = {}
        anywhere: list[tuple[str, str]] = []
        groups: list[list[frozenset[str]]] | None = []
        for i, p in enumerate(patterns):
            body = expand_pattern(p.regex, macros)
            if cue and not p.regex.rstrip().endswith(("'", "’")):
                body = f"(?:{body})(?!\\w)"
            scope = ("standalone" if p.standalone else "nearby" if p.nearby
                     else "factual" if p.factual else "attached")
            tree = _parse(body)
            first = first_chars(tree) if tree is not None else None
            need = required_groups(tree) if tree is not None else None
            if need is None or groups is None:
                groups = None
            else:
                groups.append(need)
            if first is None:
                name = f"_p{i}_0"
                anywhere.append((name, body))
                self.weights[name], self.scope[name] = p.weight, scope
            else:
                for ch in first:
                    name = f"_p{i}_{ord(ch)}"
                    buckets.setdefault(ch, []).append((name, body))
                    self.weights[name], self.scope[name] = p.weight, scope
        parts = []
        # common word-initial letters first, so that the dispatch stops early
        order = sorted(buckets, key=lambda c: (_COMMON_FIRST.find(c) % 100, c))
        for ch in order:
            alts = "|".join(f"(?P<{name}>{body})" for name, body in buckets[ch])
            parts.append(f"(?={re.escape(ch)})(?:{alts})")
        if anywhere:
            parts.append("|".join(f"(?P<{name}>{body})" for name, body in anywhere))
        # one shared check that a match starts a word, instead of one per alternative, and,
        # when every pattern has known first characters, one check of the first character
        first_class = ""
        if buckets and not anywhere:
            first_class = "(?=[" + "".join(re.escape(c) for c in sorted(buckets)) + "])"
        self.regex = compile_lower("(?<!\\w)" + first_class + "(?:" + "|".join(parts) + ")")
        #: per pattern, the groups of keywords a match must contain (one of each group), or
        #: ``None`` when some pattern has none: the set is then run over the whole text
        self.groups = groups

    @property
    def gated(self) -> bool:
        return self.groups is not None

    def matches(self, text: str, regions: Iterable[tuple[int, int]] | None = None
                ) -> list[Match]:
        """(start, end, weight, scope) of each match, in the given regions (start, end) of
        ``text`` or in all of it; scope is "attached", "nearby", "standalone" or "factual"
        (as the pattern is marked in the codebook)."""
        out: list[Match] = []
        weights, scopes = self.weights, self.scope
        for lo, hi in regions if regions is not None else [(0, len(text))]:
            for m in self.regex.finditer(text, lo, hi):
                start, end = m.span()
                if end == start:
                    continue
                group = m.lastgroup or ""
                out.append((start, end, weights.get(group), scopes.get(group, "attached")))
        return out

    def overlapping(self, text: str, start: int, end: int, limit: int) -> Iterator[Match]:
        """The matches that start inside the match at start–end (after ``start``, before
        ``end``), each the one the regex finds first from its place, up to ``limit``."""
        regex, weights, scopes = self.regex, self.weights, self.scope
        pos = start + 1
        while pos < end:
            m = regex.search(text, pos, limit)
            if m is None or m.start() >= end:
                return
            group = m.lastgroup or ""
            if m.end() > m.start():
                yield m.start(), m.end(), weights.get(group), scopes.get(group, "attached")
            pos = m.start() + 1

    def spans(self, text: str, regions: Iterable[tuple[int, int]] | None = None
              ) -> list[tuple[int, int, float | None]]:
        return [(s, e, w) for s, e, w, _ in self.matches(text, regions)]


class Gate:
    """Tells, for each sentence of a text, which registered sets may match in it.

    Bits: each gated pattern ``k`` (over all sets) has bit ``k`` for its first keyword group
    and bit ``P + k`` for its second (``P`` patterns in all); a pattern with one group has
    its second bit always on. A word's mask has the bits of the keywords it contains; a
    sentence's mask ``m`` is the union over its words, and pattern ``k`` may match in the
    sentence when both its bits are on: ``m & (m >> P)``, bit ``k``.
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
        mask = self._memo.get(word)
        if mask is None:
            mask = 0
            keywords = self._keywords
            size = len(word)
            for length in self._lengths:
                if length > size:
                    break
                for i in range(size - length + 1):
                    bits = keywords.get(word[i:i + length])
                    if bits:
                        mask |= bits
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[word] = mask
        return mask

    def sentence_masks(self, lower: str, spans: Iterable[tuple[int, int]]) -> list[int]:
        """For each (start, end) span of ``lower``: the bits of the patterns that may match
        in it (test a set with ``mask & ps.bits``)."""
        memo = self._memo
        word_mask = self.word_mask
        always = self._always
        shift = self._patterns
        low = self._low_half
        out = []
        for start, end in spans:
            m = always
            for word in _WORD.findall(lower, start, end):
                bits = memo.get(word)
                m |= bits if bits is not None else word_mask(word)
            out.append(m & (m >> shift) & low)
        return out


def compile_lower(regex: str) -> re.Pattern[str]:
    """Compile ``regex`` to match lower-cased text: its literal characters are lower-cased
    (escapes such as ``\\W`` or ``\\S`` are left alone)."""
    out: list[str] = []
    i = 0
    n = len(regex)
    while i < n:
        ch = regex[i]
        if ch == "\\" and i + 1 < n:
            out.append(regex[i:i + 2])
            i += 2
            continue
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
        i += 1
    lowered = "".join(out).replace("(?p<", "(?P<").replace("(?p=", "(?P=")
    return re.compile(lowered, FLAGS)


def lower_same_length(text: str) -> str:
    """``text`` in lower case, one character for one (so offsets carry over)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _parse(regex: str) -> Node | None:
    try:
        return parse(regex)
    except Unsupported:
        return None
