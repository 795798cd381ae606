"""What a coder returns: codes with a confidence and the passages that support them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """A passage of the coded text: ``text[start:end] == quote``."""

    start: int
    end: int
    quote: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Evidence:
        return cls(start, end, text[start:end])

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "quote": self.quote}


@dataclass(frozen=True, slots=True)
class CodeHit:
    """One code found in a text, how sure the coder is (0–1), and why."""

    code: str
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    implied_by: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.implied_by:
            out["implied_by"] = list(self.implied_by)
        return out


@dataclass(slots=True)
class CodingResult:
    """The codes of one text under one codebook."""

    codebook: str
    method: str
    lang: str | None
    codes: list[CodeHit] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [h.code for h in self.codes]

    def hit(self, code: str) -> CodeHit | None:
        for h in self.codes:
            if h.code == code:
                return h
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "codebook": self.codebook,
            "method": self.method,
            "lang": self.lang,
            "labels": self.labels,
            "codes": [h.to_dict() for h in self.codes],
        }
