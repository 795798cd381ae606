"""Fast matching of many codebook patterns over a statement.

A :class:`PatternSet` joins the patterns of one kind (a code's evaluative expressions, the
references to one object, the negation cues ...) into one regular expression. Two things keep
the rules method fast without changing what matches:

* inside a set, the alternatives are grouped by the characters they can start with, each group
  behind a one-character look-ahead, so that at a word start the regex engine only tries the
  patterns that can begin there;
* a :class:`Gate` looks once through the (lower-cased) statement for the literal strings that
  every match of a pattern must contain (worked out from the parsed pattern: "regret" for
  ``(?:deeply )?regret\\w*``; up to two such groups, both needed), and a set is then run only
  over the sentences where one of its patterns finds them. A set with a pattern for which no
  such literal can be found is run over the whole text.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from normwatch.coding.codebook import Pattern, expand_pattern

#: texts are matched in lower case (see :func:`lower_same_length`), so patterns are compiled
#: in lower case too, without the slower case-insensitive matching
FLAGS = re.UNICODE
#: literals shorter than this are too common to be worth gating on
MIN_LITERAL = 3

_SRE_PARSER: Any = importlib.import_module("re._parser")

Match = tuple[int, int, float | None, str]

#: letters by how often words start with them in English, French and Spanish statements
_COMMON_FIRST = "tdalcspeoiwrmnfuhbgvqjykxz"


class PatternSet:
    """Several patterns as one regex; the weight and scope of the alternative that matched.

    ``cue=True`` makes every pattern end at a word boundary (unless it ends in an apostrophe,
    as French "n'" does). Every match starts at a word boundary.
    """

    def __init__(self, patterns: Sequence[Pattern], macros: dict[str, str], *,
                 cue: bool = False) -> None:
        self.id = -1  # set by Gate.register
        self.weights: dict[str, float | None] = {}
        self.scope: dict[str, str] = {}
        buckets: dict[str, list[tuple[str, str]]] = {}
        anywhere: list[tuple[str, str]] = []
        groups: list[list[frozenset[str]]] | None = []
        for i, p in enumerate(patterns):
            body = expand_pattern(p.regex, macros)
            if cue and not p.regex.rstrip().endswith(("'", "’")):
                body = f"(?:{body})(?!\\w)"
            scope = "standalone" if p.standalone else "nearby" if p.nearby else "attached"
            parsed = _parse(body)
            first = _first_chars(parsed)
            need = required_groups(parsed)
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
        #: per pattern, the groups of literals a match must contain (one of each group), or
        #: ``None`` when some pattern has none: the set is then run over the whole text
        self.groups = groups
        self.literals: frozenset[str] | None = (
            None if groups is None else frozenset(x for g in groups for lits in g for x in lits))

    def matches(self, text: str, regions: Iterable[tuple[int, int]] | None = None
                ) -> list[Match]:
        """(start, end, weight, scope) of each match, in the given regions (start, end) of
        ``text`` or in all of it; scope is "attached", "nearby" or "standalone"."""
        out: list[Match] = []
        for lo, hi in regions if regions is not None else [(0, len(text))]:
            for m in self.regex.finditer(text, lo, hi):
                if m.end() == m.start():
                    continue
                group = m.lastgroup or ""
                out.append((m.start(), m.end(), self.weights.get(group),
                            self.scope.get(group, "attached")))
        return out

    def spans(self, text: str, regions: Iterable[tuple[int, int]] | None = None
              ) -> list[tuple[int, int, float | None]]:
        return [(s, e, w) for s, e, w, _ in self.matches(text, regions)]


Need = tuple[int, int, int]  # (set id, pattern index, group index)


class Gate:
    """Finds, in one pass, which sentences may hold a match of each registered set."""

    def __init__(self) -> None:
        self.sets: list[PatternSet] = []
        self._owners: dict[str, set[Need]] = {}
        self._closure: dict[str, frozenset[Need]] = {}
        self._regex: re.Pattern[str] | None = None

    def register(self, ps: PatternSet | None) -> None:
        if ps is None:
            return
        ps.id = len(self.sets)
        self.sets.append(ps)
        for k, groups in enumerate(ps.groups or ()):
            for g, literals in enumerate(groups):
                for lit in literals:
                    self._owners.setdefault(lit, set()).add((ps.id, k, g))

    def build(self) -> None:
        lits = sorted(self._owners)
        # the trie regex matches the longest literal at a place; the others that start there
        # are its prefixes, so each literal carries the needs of its prefixes too
        closure: dict[str, frozenset[Need]] = {}
        for lit in lits:
            needs: set[Need] = set()
            for n in range(1, len(lit) + 1):
                needs |= self._owners.get(lit[:n], set())
            closure[lit] = frozenset(needs)
        self._closure = closure
        self._regex = re.compile(_trie_regex(lits)) if lits else None

    def hits(self, lower: str) -> list[tuple[int, frozenset[Need]]]:
        """Where, in ``lower``, a literal starts, and which (set, pattern, group) it serves."""
        rx = self._regex
        if rx is None:
            return []
        closure = self._closure
        return [(m.start(), closure[m.group()]) for m in rx.finditer(lower)]

    def sentences(self, hits: list[tuple[int, frozenset[Need]]], sentence_of: Any
                  ) -> dict[int, set[int]]:
        """For each set id, the sentences in which some pattern of the set finds a literal of
        every one of its groups."""
        found: dict[tuple[int, int], dict[int, set[int]]] = {}
        for pos, needs in hits:
            i = sentence_of(pos)
            for set_id, k, g in needs:
                found.setdefault((set_id, k), {}).setdefault(g, set()).add(i)
        out: dict[int, set[int]] = {}
        for (set_id, k), by_group in found.items():
            groups = self.sets[set_id].groups
            assert groups is not None
            if len(by_group) < len(groups[k]):
                continue
            common = set.intersection(*by_group.values())
            if common:
                out.setdefault(set_id, set()).update(common)
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


# --------------------------------------------------------------------------- pattern analysis


def _parse(regex: str) -> list[Any] | None:
    try:
        return list(_SRE_PARSER.parse(regex, re.IGNORECASE))
    except re.error:
        return None


def _first_chars(parsed: list[Any] | None) -> set[str] | None:
    """The lower-case characters a match can start with, or ``None`` when that cannot be told
    (a class such as ``\\w``, a wildcard, or a pattern that can match empty)."""
    if parsed is None:
        return None
    chars, can_be_empty = _first_of(parsed, 0)
    if chars is None or can_be_empty or not chars:
        return None
    return chars


def _first_of(items: list[Any], depth: int) -> tuple[set[str] | None, bool]:
    """First characters of a sequence of parsed items, and whether it can match empty."""
    if depth > 50:
        return None, False
    chars: set[str] = set()
    for op, av in items:
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):  # zero-width
            continue
        if name == "LITERAL":
            chars.add(chr(av).lower())
            return chars, False
        if name == "IN":
            for sub_op, sub_av in av:
                sub = str(sub_op)
                if sub == "LITERAL":
                    chars.add(chr(sub_av).lower())
                elif sub == "RANGE" and sub_av[1] - sub_av[0] < 200:
                    chars |= {chr(c).lower() for c in range(sub_av[0], sub_av[1] + 1)}
                else:
                    return None, False
            return chars, False
        sub_chars: set[str] | None
        if name == "SUBPATTERN":
            sub_chars, empty = _first_of(list(av[-1]), depth + 1)
        elif name == "BRANCH":
            sub_chars, empty = set(), False
            for branch in av[1]:
                b_chars, b_empty = _first_of(list(branch), depth + 1)
                if b_chars is None:
                    return None, False
                sub_chars |= b_chars
                empty = empty or b_empty
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, body = av
            sub_chars, empty = _first_of(list(body), depth + 1)
            empty = empty or low == 0
        else:  # a category (\w, \s), a wildcard, a back-reference ...
            return None, False
        if sub_chars is None:
            return None, False
        chars |= sub_chars
        if not empty:
            return chars, False
    return chars, True


def required_groups(parsed: list[Any] | None, most: int = 2) -> list[frozenset[str]] | None:
    """Up to ``most`` groups of literals such that every match contains one literal of each
    group (``None`` if there is none): the most selective parts of the pattern's top-level
    sequence ("denunciation" and "convention" for ``denunciation of the convention``)."""
    if parsed is None:
        return None
    items = _top_sequence(parsed)
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in [*items, ("END", None)]:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av).lower())
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        if name in ("SUBPATTERN", "BRANCH") or (
                name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1):
            sub = _required([(op, av)], 0)
            if sub:
                candidates.append(sub)
    good = [c for c in candidates if min(len(x) for x in c) >= MIN_LITERAL]
    if not good:
        return None
    good.sort(key=lambda c: (min(len(x) for x in c), -len(c)), reverse=True)
    return [frozenset(c) for c in good[:most]]


def _top_sequence(items: list[Any]) -> list[Any]:
    """The sequence inside a pattern that is one group (plus zero-width checks)."""
    for _ in range(10):
        real = [(op, av) for op, av in items if str(op) not in ("AT", "ASSERT", "ASSERT_NOT")]
        if len(real) != 1 or str(real[0][0]) != "SUBPATTERN":
            return items
        inner = list(real[0][1][-1])
        if len(inner) == 1 and str(inner[0][0]) == "BRANCH":
            return items
        items = inner
    return items


def _required(items: list[Any], depth: int) -> set[str] | None:
    """The best set of literals one of which a match of the sequence must contain."""
    if depth > 50:
        return None
    candidates: list[set[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av).lower())
            continue
        close_run()
        sub: set[str] | None
        if name == "SUBPATTERN":
            sub = _required(list(av[-1]), depth + 1)
        elif name == "BRANCH":
            sub = set()
            for branch in av[1]:
                alt = _required(list(branch), depth + 1)
                if alt is None:
                    sub = None
                    break
                sub |= alt
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            sub = _required(list(av[2]), depth + 1)
        else:  # classes, optional parts, assertions: no literal is required from them
            sub = None
        if sub:
            candidates.append(sub)
    close_run()
    if not candidates:
        return None
    # the most selective: longest shortest literal, then fewest literals
    return max(candidates, key=lambda c: (min(len(s) for s in c), -len(c)))


def _trie_regex(literals: Sequence[str]) -> str:
    """One regex matching any of ``literals``, shaped as a trie so that the engine follows one
    branch per character instead of trying every literal."""
    trie: dict[str, Any] = {}
    for lit in literals:
        node = trie
        for ch in lit:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie)
