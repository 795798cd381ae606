"""The States universe and name resolution.

197 States can join UN-deposited treaties: the 193 UN members, the Holy See, the State of
Palestine, the Cook Islands and Niue. A State that never acted is still a row, so denominators
stay stable. Names resolve through an explicit alias table: an exact code (alpha-3 or alpha-2),
name or alias - compared without case, accents or extra spaces - and nothing else. An unknown
or ambiguous name is an error that names it; there is no fuzzy guessing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from normwatch.core.model import State
from normwatch.errors import UnknownStateError


def fold(name: str) -> str:
    """Case-, accent-, punctuation-spacing-insensitive key for a name."""
    if name.isascii():  # nothing to decompose or strip: the common case, a code or an alias
        return " ".join(name.lower().split())
    text = unicodedata.normalize("NFKD", name.replace("\u2019", "'").replace("\u00a0", " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Registry:
    states: tuple[State, ...]
    _index: dict[str, frozenset[str]]
    _by_code: dict[str, State] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self._by_code:
            object.__setattr__(self, "_by_code", {s.code: s for s in self.states})

    @classmethod
    def build(cls, states: Iterable[State]) -> Registry:
        ordered = tuple(sorted(states, key=lambda s: s.code))
        index: dict[str, set[str]] = {}
        for s in ordered:
            for key in (s.code, s.alpha2, s.name, *s.aliases):
                if key:
                    index.setdefault(fold(key), set()).add(s.code)
        return cls(ordered, {k: frozenset(v) for k, v in index.items()})

    def with_aliases(self, aliases: Iterable[tuple[str, str]]) -> Registry:
        """This registry answering also to ``(alias, code)`` pairs (names in other languages);
        an alias that already names another State, or a code it does not hold, is left out."""
        index = dict(self._index)
        for alias, code in aliases:
            key = fold(alias)
            if code in self._by_code and index.get(key, frozenset({code})) == {code}:
                index[key] = frozenset({code})
        return Registry(self.states, index, self._by_code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.states)

    def get(self, code: str) -> State:
        state = self._by_code.get(code)
        if state is None:
            raise UnknownStateError([code])
        return state

    def name(self, code: str) -> str:
        return self.get(code).name

    def lookup(self, name: str) -> str | None:
        """The code for ``name``, None when unknown; an ambiguous name raises."""
        found = self._index.get(fold(name))
        if not found:
            return None
        if len(found) > 1:
            raise UnknownStateError(
                [name], hint=f" (ambiguous: could be {', '.join(sorted(found))})"
            )
        return next(iter(found))

    def resolve(self, name: str, *, where: str | None = None) -> str:
        code = self.lookup(name)
        if code is None:
            raise UnknownStateError([name], where=where)
        return code

    def resolve_all(self, names: Sequence[str], *, where: str | None = None) -> list[str]:
        """Resolve every name; one error lists every unknown name."""
        codes: list[str] = []
        unknown: list[str] = []
        for n in names:
            code = self.lookup(n)
            if code is None:
                unknown.append(n)
            else:
                codes.append(code)
        if unknown:
            raise UnknownStateError(unknown, where=where)
        return codes
