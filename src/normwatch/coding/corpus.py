"""Labelled statements in JSON Lines: one ``{"id", "lang", "text", "labels": [...]}`` a line.

An optional ``family`` names the kind of difficulty an item was written to test (evaluation
reports scores per family). Other keys are ignored; blank lines are skipped. Labels must be
codes of the codebook and are completed with the codes they imply (a statement labelled
``concern`` is also a ``mention``), as the codebook defines them. Any problem is a
:class:`DataError` naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from normwatch.coding.codebook import Codebook
from normwatch.errors import DataError, SourceError


@dataclass(frozen=True)
class LabelledText:
    id: str
    lang: str | None
    text: str
    labels: frozenset[str]
    line: int = 0
    family: str | None = None


def read_labelled(path: str | Path, codebook: Codebook) -> list[LabelledText]:
    """Read a labelled JSONL file (see the module documentation)."""
    p = Path(path)
    from normwatch import inputs

    if p.exists() and not p.is_dir():
        inputs.regular_file(p)  # no pipe or device
        if p.stat().st_size > inputs.limit(inputs.INPUT):
            raise inputs.too_large(str(p), p.stat().st_size, inputs.INPUT)
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"labelled file not found: {p}") from None
    except IsADirectoryError:
        raise SourceError(f"labelled file is a directory: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read labelled file {p}: {exc}") from exc
    return parse_labelled(raw.splitlines(), codebook, name=str(p))


def parse_labelled(
    lines: Iterable[str], codebook: Codebook, *, name: str = "<labelled>"
) -> list[LabelledText]:
    known = set(codebook.code_ids)
    items: list[LabelledText] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"not valid JSON ({exc.msg} at column {exc.colno})", where=where
            ) from None
        if not isinstance(obj, dict):
            raise DataError("each line must be a JSON object", where=where)
        item_id = obj.get("id")
        if isinstance(item_id, bool) or not isinstance(item_id, str | int) or item_id == "":
            raise DataError("'id' must be a non-empty string or a number", where=where)
        text = obj.get("text")
        if not isinstance(text, str):
            raise DataError("'text' must be a string", where=where)
        lang = obj.get("lang")
        if lang is not None and (not isinstance(lang, str) or not lang.strip()):
            raise DataError("'lang' must be a language code such as \"en\"", where=where)
        labels = obj.get("labels")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise DataError("'labels' must be a list of codes", where=where)
        unknown = sorted(set(labels) - known)
        if unknown:
            raise DataError(
                f"unknown code(s) {', '.join(unknown)} for codebook "
                f"{codebook.id!r} (codes: {', '.join(codebook.code_ids)})",
                where=where,
            )
        family = obj.get("family")
        if family is not None and (not isinstance(family, str) or not family.strip()):
            raise DataError("'family' must be a non-empty string when given", where=where)
        key = str(item_id)
        if key in seen:
            raise DataError(f"duplicate id {key!r} (first on line {seen[key]})", where=where)
        seen[key] = number
        items.append(
            LabelledText(
                key,
                lang.strip().lower() if lang else None,
                text,
                frozenset(codebook.closure(labels)),
                number,
                family.strip() if family else None,
            )
        )
    return items
