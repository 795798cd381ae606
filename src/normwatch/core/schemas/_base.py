"""What the schema models share: text as people write it, and errors as ``where: message``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from normwatch.core.kinds import kind_of


def _text(value: Any) -> Any:
    """YAML reads ``version: 1`` as a number and ``2024-09-10`` as a date: both are text here."""
    if isinstance(value, bool) or value is None:
        raise PydanticCustomError("text", "must be text, not {kind}", {"kind": kind_of(value)})
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    raise PydanticCustomError("text", "must be text, not {kind}", {"kind": kind_of(value)})


#: text, with numbers and dates taken as written, surrounding white space removed
Text = Annotated[str, BeforeValidator(_text)]

#: an id: lower-case letters, digits, '_' and '-'
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
#: a language: an ISO 639-1 code
LANG_PATTERN = r"^[a-z]{2}$"

Loc = tuple[str | int, ...]


def where_of(loc: Loc, labels: Callable[[Loc], str | None] | None = None) -> str:
    """``("codes", 1, "implies", 0)`` → ``codes[1].implies[0]``; ``labels`` may name a list
    item (``codes[1] (liked)``) from the prefix of the path that ends at it."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            label = labels(loc[: i + 1]) if labels else None
            if label:
                out += f" ({label})"
        else:
            out += f".{part}" if out else str(part)
    return out


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "unknown key",
    "bool_type": "must be true or false, not {kind}",
    "dict_type": "must be a mapping, not {kind}",
    "model_type": "must be a mapping, not {kind}",
    "list_type": "must be a list, not {kind}",
    "int_type": "must be a whole number, not {kind}",
    "int_from_float": "must be a whole number, not {kind}",
    "float_type": "must be a number, not {kind}",
    "string_type": "must be text, not {kind}",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "greater_than_equal": "must be at least {ge}, not {input}",
    "less_than_equal": "must be at most {le}, not {input}",
    "greater_than": "must be more than {gt}, not {input}",
    "less_than": "must be less than {lt}, not {input}",
}


#: messages for the text patterns the models use, by pattern
PATTERN_MESSAGES: dict[str, str] = {
    ID_PATTERN: "must be lower-case letters, digits, '_' and '-', not {input!r}",
    LANG_PATTERN: "must be an ISO 639-1 code, not {input!r}",
}


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[ctx["pattern"]].format(input=error.get("input"))
    if kind in _MESSAGES:
        return _MESSAGES[kind].format(
            kind=kind_of(error.get("input")), input=error.get("input"), **ctx
        )
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}, not {error.get('input')!r}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    msg = str(error["msg"])
    return msg[:1].lower() + msg[1:]


def problems(
    model: type[BaseModel],
    data: Any,
    where: str,
    *,
    labels: Callable[[Loc], str | None] | None = None,
    skip: Sequence[str] = (),
) -> tuple[BaseModel | None, list[str]]:
    """``data`` validated by ``model``: the instance (or None) and every problem as
    ``where: key.path: message`` (``where`` is the file, or ``file:line`` for a CSV row).
    Errors under a top-level key in ``skip`` are left to the caller's own checks."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        out = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            if loc and loc[0] in skip:
                continue
            key = where_of(loc, labels)
            out.append(
                f"{where}: {key}: {_message(error)}" if key else f"{where}: {_message(error)}"
            )
        return None, out


def listed(count: int, where: str) -> str:
    """The head line of a list of problems."""
    return f"{count} problem{'s' if count != 1 else ''} in {where}"
