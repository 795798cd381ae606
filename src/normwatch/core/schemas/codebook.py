"""A codebook YAML file (``data/codebooks/<id>.yaml``): its keys and their kinds.

:mod:`normwatch.coding.codebook` validates a codebook with this model (after merging what it
``extends``), then checks what a model cannot: that patterns compile and macros expand, and
that codes, objects and languages named in one place are declared in another.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

from normwatch.core.kinds import kind_of
from normwatch.core.schemas._base import ID_PATTERN, LANG_PATTERN, Loc, Text

Id = Annotated[
    Text,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="lower-case letters, digits, '_' and '-'"),
]
Lang = Annotated[Text, StringConstraints(pattern=LANG_PATTERN), Field(description="ISO 639-1")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonEmpty = Annotated[Text, StringConstraints(min_length=1)]


def _listed(value: Any) -> Any:
    """A single text where a list is expected is a list of one."""
    return [value] if isinstance(value, str) else value


def _pattern(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return {"pattern": value}
    if isinstance(value, dict):
        return value
    raise PydanticCustomError(
        "pattern",
        "must be a non-empty pattern (text) or {pattern: ..., weight: ...}, not {kind}",
        {"kind": kind_of(value)},
    )


def _include_list(value: Any) -> Any:
    return {"include": value} if isinstance(value, list) else value


def _empty_mapping(value: Any) -> Any:
    return {} if value is None else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class PatternSpec(_Model):
    """A regular expression (case-insensitive; a space matches any white space)."""

    pattern: NonEmpty
    weight: Share | None = Field(None, description="the confidence of this pattern's hits")
    nearby: StrictBool = False
    standalone: StrictBool = False
    factual: StrictBool = False


Pattern = Annotated[
    PatternSpec, BeforeValidator(_pattern, json_schema_input_type=NonEmpty | PatternSpec)
]
Patterns = list[Pattern]
Texts = Annotated[
    list[NonEmpty], BeforeValidator(_listed, json_schema_input_type=NonEmpty | list[NonEmpty])
]


class ObjectSpec(_Model):
    """What an evaluative expression can be about."""

    description: Text = ""
    anaphora_window: Annotated[int, Field(ge=0, le=20)] = 2
    cataphora_window: Annotated[int, Field(ge=0, le=20)] = 0
    antecedents: Texts = []
    requires: Texts = []
    requires_window: Annotated[int, Field(ge=0, le=1000)] = 3


class ObjectLexicon(_Model):
    refer: Patterns = []
    anaphora: Patterns = []
    other: Patterns = []
    exclude: Patterns = []


class Lexicon(_Model):
    """The part of a codebook for one language that is not tied to one code."""

    macros: dict[str, NonEmpty] = {}
    negation: Patterns = []
    negation_exceptions: Patterns = []
    reported: Patterns = []
    reported_exceptions: Patterns = []
    reported_frames: Patterns = []
    denial: Patterns = []
    own_act: Patterns = []
    hypothetical: Patterns = []
    clause_breaks: Patterns = []
    objects: dict[
        str,
        Annotated[
            ObjectLexicon,
            BeforeValidator(_empty_mapping, json_schema_input_type=ObjectLexicon | None),
        ],
    ] = {}


class CodePatterns(_Model):
    include: Patterns = []
    exclude: Patterns = []


class CodeSpec(_Model):
    id: Id
    label: Text | None = None
    definition: NonEmpty
    examples: Texts = []
    implies: Texts = []
    about: Texts = []
    fires_on: Literal["expression", "object"] = "expression"
    confidence: Share = 0.8
    not_by_actor: StrictBool = Field(
        False, description="never fires in a statement by the State that took the act"
    )
    patterns: dict[
        Lang,
        Annotated[
            CodePatterns,
            BeforeValidator(_include_list, json_schema_input_type=CodePatterns | Patterns),
        ],
    ] = {}


class CodebookFile(_Model):
    """A codebook: what a statement can be coded for, and the words that show it."""

    id: Id
    extends: Text | None = Field(None, description="a codebook id or path to merge this over")
    version: Text = "0"
    title: NonEmpty
    question: Text | None = None
    multi_label: StrictBool = True
    treaty: Id | None = Field(None, description="the treaty whose acts the codes are about")
    languages: Annotated[
        list[Lang], BeforeValidator(_listed, json_schema_input_type=Lang | list[Lang])
    ] = []
    targets: dict[Lang, Texts] = {}
    objects: dict[
        Id,
        Annotated[
            ObjectSpec, BeforeValidator(_empty_mapping, json_schema_input_type=ObjectSpec | None)
        ],
    ] = {}
    lexicon: dict[
        Lang,
        Annotated[Lexicon, BeforeValidator(_empty_mapping, json_schema_input_type=Lexicon | None)],
    ] = {}
    codes: Annotated[list[CodeSpec], Field(min_length=1)]


def code_labels(data: Any) -> Any:
    """Names ``codes[1]`` by its id in messages: ``codes[1] (liked)``."""

    def label(loc: Loc) -> str | None:
        if len(loc) == 2 and loc[0] == "codes" and isinstance(data, dict):
            codes = data.get("codes")
            i = loc[1]
            if isinstance(codes, list) and isinstance(i, int) and i < len(codes):
                item = codes[i]
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    return str(item["id"])
        return None

    return label
