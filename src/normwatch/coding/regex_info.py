"""What a regular expression needs: the characters a match can start with and the literal
strings every match must contain, worked out from the pattern text alone.

The rules method uses this to skip work (see :mod:`normwatch.coding.matcher`): a pattern is
tried only in the sentences that contain its required literals, and its alternatives are
grouped by their first character. Both are optimisations that must never change what
matches, so the analysis is deliberately simple and conservative. It reads the pattern with
its own small parser (public APIs only, no private module of :mod:`re`) that knows:

* literal characters and escaped punctuation (``\\.``, ``\\(``), ``\\n``/``\\t``;
* classes ``[...]``, ``.``, ``\\w \\W \\s \\S \\d \\D`` (never literals);
* groups ``(...)``, ``(?:...)``, ``(?P<name>...)``, alternation ``|``;
* quantifiers ``? * + {m} {m,} {,n} {m,n}``, lazy or possessive;
* zero-width parts: ``^ $ \\b \\B \\A \\Z`` and look-arounds (skipped: what they look at is
  not part of the match).

Anything else (back-references, inline flags, comments, ``\\x``/``\\u`` escapes ...) makes the
analysis give up for that pattern (:class:`Unsupported`), and the caller then simply runs the
pattern everywhere. The rules for literals:

* a run of literal characters in a sequence is a literal ("regret" in ``regret\\w*``);
* an alternation requires one of its branches' literals (``(?:regret|deplor)`` requires
  "regret" or "deplor") when every branch requires some;
* an optional part (``?``, ``*``, ``{0,n}``) requires nothing; a repeated one (``+``,
  ``{1,n}``) requires what its body requires;
* of several candidates in a sequence, the most selective is kept (longest shortest
  literal, then fewest literals).

All characters are lower-cased: patterns are matched against lower-cased text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: literals shorter than this are too common to be worth gating on
MIN_LITERAL = 3
#: the same for a second group of keywords: as a further condition it can only narrow the
#: gate, so shorter literals are worth it there ("go" or "keep" as well as "abide")
MIN_FURTHER_LITERAL = 2

_CATEGORY_ESCAPES = frozenset("wWsSdD")
_ZERO_WIDTH_ESCAPES = frozenset("bBAZ")
_CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
_MAX_CLASS_RANGE = 200
_WORD_RUN = re.compile(r"\w+")


class Unsupported(ValueError):
    """A construct the analysis does not read; the pattern is then treated as unknown."""


@dataclass(frozen=True, slots=True)
class Node:
    """A parsed piece of a pattern.

    ``kind`` is "lit" (``chars`` holds the one character), "cls" (``chars`` the characters
    it can match, or ``None`` when that is open-ended), "seq" and "alt" (``items``), "rep"
    (``items[0]`` repeated ``low`` to ``high`` times, ``high`` -1 for no limit) or "zw"
    (zero-width).
    """

    kind: str
    chars: frozenset[str] | None = None
    items: tuple[Node, ...] = ()
    low: int = 0
    high: int = 0


_ZW = Node("zw")


def parse(regex: str) -> Node:
    """The pattern as a tree of :class:`Node` (raises :class:`Unsupported`)."""
    parser = _Parser(regex)
    node = parser.alternation()
    if parser.pos != len(regex):
        raise Unsupported(f"unbalanced ')' at {parser.pos}")
    return node


class _Parser:
    def __init__(self, regex: str) -> None:
        self.s = regex
        self.pos = 0

    def peek(self) -> str:
        return self.s[self.pos] if self.pos < len(self.s) else ""

    def alternation(self) -> Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else Node("alt", items=tuple(branches))

    def sequence(self) -> Node:
        items: list[Node] = []
        while self.pos < len(self.s) and self.peek() not in "|)":
            atom = self.atom()
            items.append(self.quantified(atom))
        return Node("seq", items=tuple(items))

    def quantified(self, atom: Node) -> Node:
        ch = self.peek()
        if ch == "*":
            low, high = 0, -1
            self.pos += 1
        elif ch == "+":
            low, high = 1, -1
            self.pos += 1
        elif ch == "?":
            low, high = 0, 1
            self.pos += 1
        elif ch == "{":
            bounds = self._braces()
            if bounds is None:
                return atom
            low, high = bounds
        else:
            return atom
        if self.peek() in ("?", "+"):  # lazy or possessive: the same characters match
            self.pos += 1
        if self.peek() in ("*", "+", "?") or (self.peek() == "{" and self._looks_braced()):
            raise Unsupported("multiple repeat")
        return Node("rep", items=(atom,), low=low, high=high)

    def _looks_braced(self) -> bool:
        save = self.pos
        try:
            return self._braces() is not None
        finally:
            self.pos = save

    def _braces(self) -> tuple[int, int] | None:
        """``{m}``, ``{m,}``, ``{,n}``, ``{m,n}`` at the position (consumed), else ``None``
        (a literal brace, as Python reads it)."""
        end = self.s.find("}", self.pos)
        if end < 0:
            return None
        body = self.s[self.pos + 1 : end]
        low_text, comma, high_text = body.partition(",")
        if not (low_text.isdigit() or (comma and low_text == "")):
            return None
        if high_text and not high_text.isdigit():
            return None
        if not comma and not low_text:
            return None
        low = int(low_text) if low_text else 0
        high = (int(high_text) if high_text else -1) if comma else low
        self.pos = end + 1
        return low, high

    def atom(self) -> Node:
        ch = self.s[self.pos]
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape()
        self.pos += 1
        if ch == ".":
            return Node("cls")
        if ch in "^$":
            return _ZW
        if ch in "*+?":
            raise Unsupported("nothing to repeat")
        return Node("lit", chars=frozenset(_low(ch)))

    def escape(self) -> Node:
        if self.pos + 1 >= len(self.s):
            raise Unsupported("trailing backslash")
        ch = self.s[self.pos + 1]
        self.pos += 2
        if ch in _CATEGORY_ESCAPES:
            return Node("cls")
        if ch in _ZERO_WIDTH_ESCAPES:
            return _ZW
        if ch in _CONTROL_ESCAPES:
            return Node("lit", chars=frozenset(_CONTROL_ESCAPES[ch]))
        if ch.isalnum() or ch == "_":
            raise Unsupported(f"escape \\{ch}")
        return Node("lit", chars=frozenset(_low(ch)))

    def group(self) -> Node:
        s = self.s
        self.pos += 1
        zero_width = False
        if s.startswith("?:", self.pos):
            self.pos += 2
        elif s.startswith(("?=", "?!"), self.pos):
            self.pos += 2
            zero_width = True
        elif s.startswith(("?<=", "?<!"), self.pos):
            self.pos += 3
            zero_width = True
        elif s.startswith("?P<", self.pos):
            end = s.find(">", self.pos)
            if end < 0:
                raise Unsupported("unterminated group name")
            self.pos = end + 1
        elif s.startswith("?", self.pos):
            raise Unsupported("group extension")
        inner = self.alternation()
        if self.peek() != ")":
            raise Unsupported("missing ')'")
        self.pos += 1
        return _ZW if zero_width else inner

    def char_class(self) -> Node:
        s = self.s
        self.pos += 1
        negated = s.startswith("^", self.pos)
        if negated:
            self.pos += 1
        chars: set[str] = set()
        open_ended = False
        first = True
        while True:
            if self.pos >= len(s):
                raise Unsupported("unterminated class")
            ch = s[self.pos]
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            lo = self._class_char()
            if lo is None:
                open_ended = True
                continue
            if self.peek() == "-" and self.pos + 1 < len(s) and s[self.pos + 1] != "]":
                self.pos += 1
                hi = self._class_char()
                if hi is None:
                    raise Unsupported("bad range")
                if ord(hi) - ord(lo) > _MAX_CLASS_RANGE or ord(hi) < ord(lo):
                    open_ended = True
                    continue
                chars.update(_low(chr(c)) for c in range(ord(lo), ord(hi) + 1))
            else:
                chars.add(_low(lo))
        if negated or open_ended:
            return Node("cls")
        return Node("cls", chars=frozenset(chars))

    def _class_char(self) -> str | None:
        """One member of a class (consumed); ``None`` for a category such as ``\\w``."""
        ch = self.s[self.pos]
        if ch != "\\":
            self.pos += 1
            return ch
        if self.pos + 1 >= len(self.s):
            raise Unsupported("trailing backslash")
        nxt = self.s[self.pos + 1]
        self.pos += 2
        if nxt in _CATEGORY_ESCAPES:
            return None
        if nxt in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[nxt]
        if nxt.isalnum() or nxt == "_":
            raise Unsupported(f"escape \\{nxt} in a class")
        return nxt


def _low(ch: str) -> str:
    """``ch`` in lower case when that is one character (as the text is lower-cased)."""
    low = ch.lower()
    return low if len(low) == 1 else ch


# --------------------------------------------------------------------------- analysis


def first_chars(node: Node) -> frozenset[str] | None:
    """The lower-case characters a match can start with, or ``None`` when that cannot be told
    (a class such as ``\\w``, a wildcard, or a pattern that can match the empty string)."""
    chars, can_be_empty = _first(node)
    if chars is None or can_be_empty or not chars:
        return None
    return frozenset(chars)


def _first(node: Node) -> tuple[set[str] | None, bool]:
    """First characters of ``node`` and whether it can match the empty string."""
    kind = node.kind
    if kind == "zw":
        return set(), True
    if kind in ("lit", "cls"):
        return (set(node.chars) if node.chars is not None else None), False
    if kind == "rep":
        chars, empty = _first(node.items[0])
        return chars, empty or node.low == 0
    if kind == "alt":
        out: set[str] = set()
        any_empty = False
        for branch in node.items:
            chars, empty = _first(branch)
            if chars is None:
                return None, False
            out |= chars
            any_empty = any_empty or empty
        return out, any_empty
    # a sequence: the first characters of its items up to the first that cannot be empty
    out = set()
    for item in node.items:
        chars, empty = _first(item)
        if chars is None:
            return None, False
        out |= chars
        if not empty:
            return out, False
    return out, True


def required(node: Node) -> frozenset[str] | None:
    """The best set of literals one of which every match of ``node`` contains, or ``None``."""
    kind = node.kind
    if kind == "lit":
        return node.chars
    if kind in ("cls", "zw"):
        return None
    if kind == "rep":
        return required(node.items[0]) if node.low >= 1 else None
    if kind == "alt":
        out: set[str] = set()
        for branch in node.items:
            sub = required(branch)
            if not sub:
                return None
            out |= sub
        return frozenset(out)
    candidates = _candidates(node.items)
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


def _candidates(items: tuple[Node, ...]) -> list[frozenset[str]]:
    """For a sequence: its runs of literal characters and what its other items require."""
    out: list[frozenset[str]] = []
    run: list[str] = []
    for item in items:
        if item.kind == "lit" and item.chars is not None:
            run.append(next(iter(item.chars)))
            continue
        if item.kind == "zw":  # zero-width: the literal run goes on across it
            continue
        if run:
            out.append(frozenset({"".join(run)}))
            run = []
        sub = required(item)
        if sub:
            out.append(sub)
    if run:
        out.append(frozenset({"".join(run)}))
    return out


def _selectivity(group: frozenset[str]) -> tuple[int, int]:
    return min(len(x) for x in group), -len(group)


def required_groups(node: Node, most: int = 2) -> list[frozenset[str]] | None:
    """Up to ``most`` groups of *keywords* such that every match contains one keyword of each
    group, the most selective first, or ``None`` when there is none.

    A keyword is a run of word characters (``\\w``) of at least :data:`MIN_LITERAL`
    characters (:data:`MIN_FURTHER_LITERAL` after the first group); a required literal that
    holds other characters ("set-back") is cut to its longest such run ("back"), which a
    match contains just as surely. So any occurrence of a keyword lies inside one word of
    the text (a maximal run of word characters), which is what lets
    :class:`~normwatch.coding.matcher.Gate` look for keywords word by word.
    Example: "denunciation" and "convention" for ``denunciation of the convention``.
    """
    top = node
    # look through groups that wrap the whole pattern: "(?:a b c)" is the sequence a b c
    while top.kind == "seq":
        real = [x for x in top.items if x.kind != "zw"]
        if len(real) == 1 and real[0].kind == "seq":
            top = real[0]
            continue
        break
    items = top.items if top.kind == "seq" else (top,)
    candidates = []
    for group in _candidates(items):
        words = frozenset(_longest_word_run(x) for x in group)
        if min(len(w) for w in words) >= MIN_FURTHER_LITERAL and words not in candidates:
            candidates.append(words)
    candidates.sort(key=_selectivity, reverse=True)
    if not candidates or _selectivity(candidates[0])[0] < MIN_LITERAL:
        return None
    return candidates[:most]


def _longest_word_run(literal: str) -> str:
    return max(_WORD_RUN.findall(literal), key=len, default="")
