"""The JSON Schemas normwatch publishes, one per kind of file people write.

:data:`PUBLISHED` is the one place a schema is registered: ``normwatch schema NAME`` prints it,
and ``scripts/write_schemas.py`` writes it to ``schemas/NAME.schema.json`` (a test keeps the
committed files equal to these).
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from pydantic import BaseModel

#: schema name → ``module:Model``
PUBLISHED: dict[str, str] = {
    "codebook": "normwatch.core.schemas.codebook:CodebookFile",
    "meeting": "normwatch.core.schemas.meeting:MeetingFile",
    "obligations": "normwatch.core.schemas.obligations:ObligationRow",
    "treaty": "normwatch.core.treaty_schema:TreatyFile",
    "state": "normwatch.core.schemas.standing:StateStandingOut",
}

#: what each published file is, for the schema's description
WHAT: dict[str, str] = {
    "codebook": "a codebook (data/codebooks/<id>.yaml)",
    "meeting": "a meeting folder's meeting.yaml",
    "obligations": "one row of an obligations table (CSV), as a mapping of column to cell",
    "treaty": "a treaty rule file (data/treaties/<id>.toml)",
    "state": "the answer of `normwatch state CODE --format json` and /api/v1/states/{code}",
}

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def model(name: str) -> type[BaseModel]:
    module, _, attr = PUBLISHED[name].partition(":")
    found = getattr(importlib.import_module(module), attr)
    assert isinstance(found, type) and issubclass(found, BaseModel)
    return found


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a published file kind."""
    schema = model(name).model_json_schema()
    head: dict[str, Any] = {"$schema": DIALECT, "$id": f"normwatch:{name}"}
    if name in WHAT:
        head["title"] = f"normwatch {name}: {WHAT[name]}"
    return {**head, **{k: v for k, v in schema.items() if k != "title"}}


def schema_text(name: str) -> str:
    """The schema as written to ``schemas/NAME.schema.json`` and printed by the CLI."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"
