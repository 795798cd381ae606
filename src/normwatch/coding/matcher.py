"""Fast matching of many codebook patterns over a statement.

A :class:`PatternSet` joins the patterns of one kind (a code's evaluative expressions, the
references to one object, the negation cues ...) into one regular expression. Two things keep
the rules method fast without changing what matches:

* inside a set, the alternatives are grouped by the characters they can start with, each group
  behind a one-character look-ahead, so that at a word start the regex engine only tries the
  patterns that can begin there;
* a :class:`Gate` looks once through the (lower-cased) statement for the literal strings that
  every match of a pattern must contain (worked out from the parsed pattern: "regret" for
  ``(?:deeply )?regret\\w*``), and a set is then run only over the sentences that contain one
  of its literals. A set with a pattern for which no such literal can be found is run over the
  whole text.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from normwatch.coding.codebook import Pattern, expand_pattern

FLAGS = re.IGNORECASE | re.UNICODE
#: literals shorter than this are too common to be worth gating on
MIN_LITERAL = 3

_SRE_PARSER: Any = importlib.import_module("re._parser")

Match = tuple[int, int, float | None, str]


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
        literals: set[str] | None = set()
        for i, p in enumerate(patterns):
            body = expand_pattern(p.regex, macros)
            if cue and not p.regex.rstrip().endswith(("'", "’")):
                body = f"(?:{body})(?!\\w)"
            scope = "standalone" if p.standalone else "nearby" if p.nearby else "attached"
            parsed = _parse(body)
            first = _first_chars(parsed)
            need = required_literals(parsed)
            if need is None or literals is None:
                literals = None
            else:
                literals |= need
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
        for ch in sorted(buckets):
            alts = "|".join(f"(?P<{name}>{body})" for name, body in buckets[ch])
            parts.append(f"(?={re.escape(ch)})(?:{alts})")
        if anywhere:
            parts.append("|".join(f"(?P<{name}>{body})" for name, body in anywhere))
        # one shared check that a match starts a word, instead of one per alternative
        self.regex = re.compile("(?<!\\w)(?:" + "|".join(parts) + ")", FLAGS)
        self.literals: frozenset[str] | None = (
            frozenset(literals) if literals is not None else None)

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


class Gate:
    """Finds, in one pass, which sentences may hold a match of each registered set."""

    def __init__(self) -> None:
        self.sets: list[PatternSet] = []
        self._owners: dict[str, set[int]] = {}
        self._closure: dict[str, frozenset[int]] = {}
        self._regex: re.Pattern[str] | None = None

    def register(self, ps: PatternSet | None) -> None:
        if ps is None:
            return
        ps.id = len(self.sets)
        self.sets.append(ps)
        for lit in ps.literals or ():
            self._owners.setdefault(lit, set()).add(ps.id)

    def build(self) -> None:
        lits = sorted(self._owners)
        # the trie regex matches the longest literal at a place; the others that start there
        # are its prefixes, so each literal carries the owners of its prefixes too
        closure: dict[str, frozenset[int]] = {}
        for lit in lits:
            ids: set[int] = set()
            for n in range(1, len(lit) + 1):
                ids |= self._owners.get(lit[:n], set())
            closure[lit] = frozenset(ids)
        self._closure = closure
        self._regex = re.compile(_trie_regex(lits)) if lits else None

    def hits(self, lower: str) -> list[tuple[int, frozenset[int]]]:
        """Where, in ``lower``, a literal starts, and the ids of the sets that need it."""
        rx = self._regex
        if rx is None:
            return []
        closure = self._closure
        return [(m.start(), closure[m.group()]) for m in rx.finditer(lower)]


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


def required_literals(parsed: list[Any] | None) -> set[str] | None:
    """Lower-case strings one of which every match contains (``None`` if none can be found)."""
    if parsed is None:
        return None
    found = _required(parsed, 0)
    if not found or min(len(s) for s in found) < MIN_LITERAL:
        return None
    return found


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
