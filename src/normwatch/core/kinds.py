"""How a person would name the kind of a value read from YAML or JSON (no pydantic, so the
codebook reader can use it without loading the schema layer)."""

from __future__ import annotations

from typing import Any


def kind_of(value: Any) -> str:
    """How a person would name the kind of a YAML value."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__
