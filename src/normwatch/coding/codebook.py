"""Codebooks: what a statement can be coded for, and the words that show it, read from YAML.

A codebook is one YAML file in the package's ``codebooks/`` folder (or any path). Everything
that is specific to a codebook or to a language lives in that file; the code that applies it
(:mod:`normwatch.coding.patterns`, :mod:`normwatch.coding.classifier`) is generic.

Layout (keys not listed are ignored)::

    id: withdrawal-reaction          # [a-z0-9-]+, the name used on the command line
    extends: other-codebook          # optional: start from that codebook (see below)
    version: "1"                     # changes whenever a definition or pattern changes
    title: ...
    question: ...                    # the question a coder answers for each statement
    multi_label: true                # any subset of codes (false: at most one)
    treaty: ccm                      # optional: the treaty whose acts the codes are about
                                     #   (texts from another treaty's meeting: see patterns.py)
    languages: [en, fr, es]          # ISO 639-1 codes the rules can read; a codebook without
                                     #   languages (and patterns) is for coding by hand only
    targets:                         # proper names of what the codebook is about, per language;
      en: [Lithuania]                #   patterns use them as {target}
    objects:                         # what an evaluative expression can be about
      withdrawal:
        description: ...
        anaphora_window: 2           # sentences back an anaphor ("this decision") may reach
        cataphora_window: 0          # sentences forward it may reach when none is found back
        antecedents: [state]         # other objects whose references an anaphor may take up
        requires: []                 # objects (any one) the statement must refer to nearby
        requires_window: 3           #   within this many sentences
    lexicon:                         # per language
      en:
        macros: {name: regex}        # reusable pieces, written {name} in any pattern
        negation: [regex]            # cues that cancel an evaluative expression after them
        negation_exceptions: [regex] # negated idioms that are not negations ("cannot but")
        reported: [regex]            # cues that the view is someone else's ("many delegations")
        reported_exceptions: [regex] # ... unless the speaker joins it ("like many delegations")
        reported_frames: [regex]     # frames whose clause, to the end of the sentence, is
                                     #   someone else's ("the minister said that", "the
                                     #   Government should", "we call on States to condemn")
        denial: [regex]              # words right before a reference that deny the act
                                     #   ("this is not a withdrawal")
        own_act: [regex]             # words by which the speaker claims the act as its own
                                     #   ("our decision to withdraw"): the statement is then
                                     #   the acting State's
        hypothetical: [regex]        # cues that make what follows hypothetical
        clause_breaks: [regex]       # words that end a clause ("but", "however")
        objects:
          withdrawal:
            refer: [regex]           # expressions referring to the object
            anaphora: [regex]        # back-references to it ("this decision")
            other: [regex]           # other things an evaluation may be about instead
            exclude: [regex]         # spans where a refer match is something else
    codes:
      - id: concern
        label: ...
        definition: ...
        examples: [...]
        implies: [mention]           # codes that are true whenever this one is
        about: [withdrawal]          # objects the expression must apply to ([] = none needed)
        fires_on: expression         # or "object": the reference itself is the evidence
        confidence: 0.85             # default confidence of a hit
        not_by_actor: false          # true: never fires in a statement by the acting State
        patterns:
          en:
            include: [regex]         # evaluative expressions
            exclude: [regex]         # spans where an include match does not count

A pattern is a regular expression, matched case-insensitively; a space in it matches any run of
white space and an apostrophe any apostrophe (' ’ ʼ). A pattern may also be a mapping
``{pattern: regex, weight: 0.6}`` to give its hits their own confidence, and an include pattern
``{pattern: regex, nearby: true}`` that carries its own reference ("made it necessary") needs
only a reference to one of the code's objects in its sentence or within the object's anaphora
(or cataphora) window; one marked ``standalone: true`` ("we remain a State Party, and a
convinced one") needs no reference at all. A reference pattern marked ``factual: true``
("follow this example") refers to what actually happened even inside a hypothetical clause
("were others to follow this example"), as a reference that names the target does.

A codebook can build on another: with ``extends: withdrawal-reaction`` (an id, or a path taken
from the codebook's own folder) that codebook is read first and this file is merged over it.
Mappings are merged key by key, at any depth; ``codes`` are merged by ``id`` (a code the parent
lacks is added at the end); any other value, a list included, replaces the parent's. The ``id``
is never inherited. Errors name the child file and the key. A codebook for another treaty thus
gives only its title, targets, the macros that name the treaty and the codes it words otherwise.

Cue patterns (negation, reported, reported frames, denials, own acts, hypothetical, clause
breaks and their exceptions) must end at a word boundary: "not" does not match in "note".
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from normwatch.core.kinds import kind_of
from normwatch.errors import DataError, NotFoundError

CODEBOOK_DIR = Path(__file__).resolve().parent.parent / "data" / "codebooks"

#: codebooks kept loaded (by file) and the most regular expressions remembered valid: a
#: process that reads many codebook files (or many versions of one) holds a bounded memory
CACHED_CODEBOOKS = 64
CHECKED_REGEXES = 8192


@functools.lru_cache(maxsize=CHECKED_REGEXES)
def _check_regex(regex: str) -> None:
    """Raise ``re.error`` for an invalid regular expression. Each is compiled once however
    often it is checked: a codebook holds more patterns than ``re``'s own cache of 512, which
    would otherwise compile all of them again at every load."""
    re.compile(regex)


def _unchanged(stamps: tuple[_Stamp, ...]) -> bool:
    """Whether every file a cached entry was read from is still as it was then."""
    return all(_stamp(Path(f)) == (f, m, n) for f, m, n in stamps)


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    """``cache[key] = value``, the oldest entry dropped beyond :data:`CACHED_CODEBOOKS`."""
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > CACHED_CODEBOOKS:
        del cache[next(iter(cache))]


_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_MACRO_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_FIRES_ON = ("expression", "object")


@dataclass(frozen=True)
class Pattern:
    """One regular expression as written in the codebook, with where it was written."""

    regex: str
    weight: float | None
    where: str
    nearby: bool = False
    standalone: bool = False
    factual: bool = False


@dataclass(frozen=True)
class ObjectPatterns:
    refer: tuple[Pattern, ...] = ()
    anaphora: tuple[Pattern, ...] = ()
    other: tuple[Pattern, ...] = ()
    exclude: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """The language-specific part of a codebook that is not tied to one code."""

    lang: str
    targets: tuple[str, ...]
    macros: Mapping[str, str]
    negation: tuple[Pattern, ...]
    negation_exceptions: tuple[Pattern, ...]
    hypothetical: tuple[Pattern, ...]
    clause_breaks: tuple[Pattern, ...]
    objects: Mapping[str, ObjectPatterns]
    reported: tuple[Pattern, ...] = ()
    reported_exceptions: tuple[Pattern, ...] = ()
    reported_frames: tuple[Pattern, ...] = ()
    denial: tuple[Pattern, ...] = ()
    own_act: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class ObjectDef:
    id: str
    description: str
    anaphora_window: int = 2
    requires: tuple[str, ...] = ()
    requires_window: int = 3
    antecedents: tuple[str, ...] = ()
    cataphora_window: int = 0


@dataclass(frozen=True)
class CodeDef:
    id: str
    label: str
    definition: str
    examples: tuple[str, ...]
    implies: tuple[str, ...]
    about: tuple[str, ...]
    fires_on: str
    confidence: float
    include: Mapping[str, tuple[Pattern, ...]]
    exclude: Mapping[str, tuple[Pattern, ...]]
    not_by_actor: bool = False


@dataclass(eq=False)
class Codebook:
    """A validated codebook. Compiled forms are cached on the instance (``cache``)."""

    id: str
    version: str
    title: str
    question: str
    multi_label: bool
    languages: tuple[str, ...]
    objects: Mapping[str, ObjectDef]
    codes: tuple[CodeDef, ...]
    lexicon: Mapping[str, Lexicon]
    source: Path | None = None
    #: the treaty (its id, e.g. ``ccm``) whose acts the codes are about, if the codebook says
    treaty: str | None = None
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def code_ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def code(self, code_id: str) -> CodeDef:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise NotFoundError(f"codebook {self.id!r} has no code {code_id!r}")

    def closure(self, labels: Iterable[str]) -> set[str]:
        """``labels`` with every code they imply, transitively."""
        return _closure(labels, lambda label: self.code(label).implies)

    @property
    def automatic(self) -> bool:
        """Whether the codebook can be applied automatically (it reads some language)."""
        return bool(self.languages)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "question": self.question,
            "multi_label": self.multi_label,
            "languages": list(self.languages),
            "codes": [c.id for c in self.codes],
            "source": str(self.source) if self.source else None,
        }


def _closure(labels: Iterable[str], implies: Callable[[str], Iterable[str]]) -> set[str]:
    out: set[str] = set()
    todo = list(labels)
    while todo:
        label = todo.pop()
        if label in out:
            continue
        out.add(label)
        todo.extend(implies(label))
    return out


@dataclass(frozen=True)
class CodebookOutline:
    """What a tally of coded reactions needs of a codebook: its id, title, target treaty and
    codes (in order, with the codes each implies), read without compiling its patterns and
    lexicon (:func:`codebook_outline`). For a valid file, the same values as the
    :class:`Codebook` that :func:`load_codebook` gives."""

    id: str
    title: str
    treaty: str | None
    implies: Mapping[str, tuple[str, ...]]

    @property
    def code_ids(self) -> list[str]:
        return list(self.implies)

    def closure(self, labels: Iterable[str]) -> set[str]:
        """``labels`` with every code they imply, transitively."""

        def implied(label: str) -> tuple[str, ...]:
            if label not in self.implies:
                raise NotFoundError(f"codebook {self.id!r} has no code {label!r}")
            return self.implies[label]

        return _closure(labels, implied)

    @classmethod
    def of(cls, book: Codebook) -> CodebookOutline:
        return cls(book.id, book.title, book.treaty, {c.id: c.implies for c in book.codes})


# --------------------------------------------------------------------------- loading


def codebook_dirs() -> list[Path]:
    """Where codebooks are looked up by id: the folders named in ``NORMWATCH_CODEBOOKS``
    (separated like ``PATH``), then the package's own."""
    extra = os.environ.get("NORMWATCH_CODEBOOKS", "")
    return [*(Path(x) for x in extra.split(os.pathsep) if x), CODEBOOK_DIR]


def list_codebooks() -> list[str]:
    """Ids of the codebooks that can be named by id, sorted."""
    return sorted({p.stem for d in codebook_dirs() if d.is_dir() for p in d.glob("*.yaml")})


def codebook_for_target(treaty: str, *, like: str | None = None) -> Codebook:
    """The codebook whose codes are about acts under ``treaty`` (its ``treaty`` key).

    When several are, the one that is ``like`` (an id: itself, or one extending the same
    parent) is taken; otherwise the choice is an error listing them."""
    found = [b for b in (load_codebook(i) for i in list_codebooks()) if b.treaty == treaty]
    if like is not None and len(found) > 1:
        found = [b for b in found if b.id == like] or found
    if len(found) == 1:
        return found[0]
    if not found:
        known = sorted({b.treaty for b in map(load_codebook, list_codebooks()) if b.treaty})
        raise NotFoundError(
            f"no codebook has target treaty {treaty!r} (targets: {', '.join(known) or 'none'})"
        )
    ids = ", ".join(b.id for b in found)
    raise NotFoundError(f"several codebooks have target treaty {treaty!r}: {ids}; use --codebook")


_Stamp = tuple[str, int, int]
_CACHE: dict[str, tuple[tuple[_Stamp, ...], Codebook]] = {}


def load_codebook(id_or_path: str | Path) -> Codebook:
    """A codebook by id (``withdrawal-reaction``) or by the path of a YAML file.

    Raises :class:`NotFoundError` for an unknown id or a missing file and :class:`DataError`
    (naming the file and the key) for an invalid one. Loaded codebooks are cached per version
    of the file (and of the files it extends), so repeated calls are cheap.
    """
    path = _locate(id_or_path)
    key = str(path.resolve())
    cached = _CACHE.get(key)
    if cached is not None and _unchanged(cached[0]):
        return cached[1]
    stamps: list[_Stamp] = []
    data = _inherit(_read(path, stamps), path, stamps)
    book = _validate(data, str(path))
    book.source = path
    _remember(_CACHE, key, (tuple(stamps), book))
    return book


def codebook_target(book_id: str) -> tuple[str | None, tuple[str, ...]]:
    """The treaty a codebook's codes are about and its English ``targets`` (the names of the
    acting States), read from the file and what it ``extends`` without validating or compiling
    the codebook: cheap enough to link every act to the codebooks about it (cached per version
    of the files). A file that cannot be read this way gives ``(None, ())``;
    :func:`load_codebook` reports why."""
    try:
        path = _locate(book_id)
        cached = _TARGETS.get(str(path.resolve()))
        if cached is not None and _unchanged(cached[0]):
            return cached[1]
        stamps: list[_Stamp] = []
        data = _inherit(_read(path, stamps), path, stamps)
    except (OSError, NotFoundError, DataError, RecursionError):
        return None, ()
    targets = data.get("targets") if isinstance(data, dict) else None
    english = targets.get("en") if isinstance(targets, dict) else None
    treaty = data.get("treaty") if isinstance(data, dict) else None
    found = (
        treaty if isinstance(treaty, str) else None,
        tuple(t for t in english or () if isinstance(t, str)),
    )
    _remember(_TARGETS, str(path.resolve()), (tuple(stamps), found))
    return found


_TARGETS: dict[str, tuple[tuple[_Stamp, ...], tuple[str | None, tuple[str, ...]]]] = {}


def codebook_outline(book_id: str) -> CodebookOutline:
    """The :class:`CodebookOutline` of a codebook by id, from its file and what it
    ``extends``, merged as :func:`load_codebook` merges them, without compiling the patterns
    (cached per version of the files). A file whose id, title, treaty or codes are not of the
    shape :func:`load_codebook` takes is loaded by it, which names the problem; a pattern
    that does not compile is not seen here (``normwatch check`` and the coder report it)."""
    path = _locate(book_id)
    key = str(path.resolve())
    cached = _OUTLINES.get(key)
    if cached is not None and _unchanged(cached[0]):
        return cached[1]
    stamps: list[_Stamp] = []
    outline = _outline(_inherit(_read(path, stamps), path, stamps))
    if outline is None:
        outline = CodebookOutline.of(load_codebook(book_id))
    _OUTLINES[key] = (tuple(stamps), outline)
    return outline


_OUTLINES: dict[str, tuple[tuple[_Stamp, ...], CodebookOutline]] = {}


def _outline(data: Any) -> CodebookOutline | None:
    """The outline in merged codebook data, or None where its shape is not plainly valid."""
    if not isinstance(data, dict):
        return None
    book_id, title, treaty, codes = (data.get(k) for k in ("id", "title", "treaty", "codes"))
    if not isinstance(book_id, str) or not _ID_RE.match(book_id.strip()):
        return None
    if not isinstance(title, str) or not title.strip():
        return None
    if treaty is not None and (not isinstance(treaty, str) or not _ID_RE.match(treaty)):
        return None
    if not isinstance(codes, list) or not codes:
        return None
    implies: dict[str, tuple[str, ...]] = {}
    for code in codes:
        code_id = code.get("id") if isinstance(code, dict) else None
        if not isinstance(code_id, str) or not _ID_RE.match(code_id.strip()):
            return None
        implied = code.get("implies") or []
        if not isinstance(implied, list) or not all(isinstance(i, str) for i in implied):
            return None
        if code_id.strip() in implies:
            return None
        implies[code_id.strip()] = tuple(i.strip() for i in implied)
    if any(i not in implies or i == c for c, imp in implies.items() for i in imp):
        return None
    return CodebookOutline(book_id.strip(), title.strip(), treaty, implies)


def parse_codebook(raw: str, *, source: Path | str | None = None) -> Codebook:
    """Parse and validate codebook YAML text (``source`` names it in messages, and a relative
    ``extends`` path is read from its folder)."""
    name = str(source) if source is not None else "<codebook>"
    data = _inherit(_yaml(raw, name), Path(name), [])
    book = _validate(data, name)
    book.source = Path(source) if source is not None else None
    return book


def _validate(data: Any, name: str) -> Codebook:
    """The codebook in ``data``: its shape checked by the schema model (every problem listed
    at once), then what the model cannot check (patterns, macros, ids named across keys)."""
    if isinstance(data, dict):
        from normwatch.core import schemas  # pydantic: not needed for an outline
        from normwatch.core.schemas.codebook import CodebookFile, code_labels

        _model, found = schemas.problems(
            CodebookFile, data, name, labels=code_labels(data), skip=("extends",)
        )
        if len(found) == 1:
            raise DataError(found[0])
        if found:
            lines = "\n".join(f"  - {p}" for p in found)
            raise DataError(f"{schemas.listed(len(found), name)}:\n{lines}")
    return _Validator(name).codebook(data)


def _locate(id_or_path: str | Path, folder: Path | None = None) -> Path:
    """The file of a codebook named by id or by path (a relative path is taken from
    ``folder`` when given, else from the working directory)."""
    text = str(id_or_path)
    looks_like_path = (
        isinstance(id_or_path, Path)
        or text.endswith((".yaml", ".yml"))
        or ("/" in text or "\\" in text)
    )
    if looks_like_path:
        path = folder / text if folder is not None else Path(text)
        if not path.is_file():
            raise NotFoundError(f"codebook file not found: {path}")
        return path
    found = [d / f"{text}.yaml" for d in codebook_dirs() if (d / f"{text}.yaml").is_file()]
    if not found:
        known = ", ".join(list_codebooks()) or "none"
        raise NotFoundError(f"unknown codebook {text!r} (known: {known})")
    return found[0]


def _stamp(path: Path) -> _Stamp:
    try:
        stat = path.stat()
    except OSError as exc:
        raise NotFoundError(f"codebook file cannot be read: {path}: {exc.strerror}") from exc
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _read(path: Path, stamps: list[_Stamp]) -> Any:
    """The YAML data of ``path``, noting the file's version in ``stamps``."""
    stamps.append(_stamp(path))
    from normwatch import inputs
    from normwatch.errors import SourceError

    try:
        raw = inputs.read_text(path)
    except SourceError as exc:
        raise DataError(f"cannot read codebook: {exc}", where=str(path)) from None
    return _yaml(raw, str(path))


#: a safe YAML loader, the C one where PyYAML was built with it
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(raw: str, name: str) -> Any:
    try:
        return yaml.load(raw, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise DataError(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}", where=where
        ) from exc


def _inherit(data: Any, path: Path, stamps: list[_Stamp]) -> Any:
    """``data`` merged over the codebook it ``extends`` (and so on up), without ``extends``."""
    if not isinstance(data, dict) or "extends" not in data:
        return data
    child = dict(data)
    ref = child.pop("extends")
    if not isinstance(ref, str) or not ref.strip():
        raise DataError("must name a codebook (an id or a path)", where=f"{path}: extends")
    try:
        parent_path = _locate(ref.strip(), path.parent)
    except NotFoundError as exc:
        raise DataError(str(exc), where=f"{path}: extends") from None
    if parent_path.resolve() in {path.resolve(), *(Path(f) for f, _, _ in stamps)}:
        raise DataError(f"codebooks extend each other in a loop ({ref})", where=f"{path}: extends")
    parent = _inherit(_read(parent_path, stamps), parent_path, stamps)
    if not isinstance(parent, dict):
        raise DataError("the codebook it extends is not a mapping", where=f"{path}: extends")
    parent.pop("id", None)  # a codebook's id is its own
    return _merge(parent, child)


def _merge(parent: Any, child: Any, key: str = "") -> Any:
    """``child`` over ``parent``: mappings are merged key by key, ``codes`` by code id; any
    other value in the child replaces the parent's."""
    if isinstance(parent, dict) and isinstance(child, dict):
        out = dict(parent)
        for k, v in child.items():
            out[k] = _merge(parent[k], v, k) if k in parent else v
        return out
    if key == "codes" and isinstance(parent, list) and isinstance(child, list):
        merged = list(parent)
        where = {c["id"]: i for i, c in enumerate(merged) if isinstance(c, dict) and "id" in c}
        for c in child:
            i = where.get(c.get("id")) if isinstance(c, dict) else None
            if i is None:
                merged.append(c)
            else:
                merged[i] = _merge(merged[i], c)
        return merged
    return child


class _Validator:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, key: str, message: str) -> DataError:
        return DataError(message, where=f"{self.name}: {key}" if key else self.name)

    # -- primitives

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping, not {kind_of(value)}")
        return {str(k): v for k, v in value.items()}

    def string(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        default: str = "",
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(_join(path, key), "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(_join(path, key), f"must be text, not {kind_of(value)}")
        text = str(value).strip()
        if required and not text:
            raise self.fail(_join(path, key), "must not be empty")
        return text

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of text, not {kind_of(value)}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{key}[{i}]", "must be non-empty text")
            out.append(item.strip())
        return tuple(out)

    def number(
        self, data: Mapping[str, Any], key: str, path: str, default: float, low: float, high: float
    ) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(_join(path, key), f"must be a number, not {kind_of(value)}")
        if not low <= float(value) <= high:
            raise self.fail(_join(path, key), f"must be between {low} and {high}, not {value}")
        return float(value)

    def flag(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(_join(path, key), f"must be true or false, not {kind_of(value)}")
        return value

    def patterns(self, value: Any, key: str, macros: Mapping[str, str]) -> tuple[Pattern, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of patterns, not {kind_of(value)}")
        out = []
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            weight: float | None = None
            nearby = standalone = factual = False
            if isinstance(item, dict):
                entry = self.mapping(item, where)
                regex = self.string(entry, "pattern", where)
                if "weight" in entry:
                    weight = self.number(entry, "weight", where, 0.5, 0.0, 1.0)
                nearby = entry.get("nearby", False)
                standalone = entry.get("standalone", False)
                factual = entry.get("factual", False)
                for flag, value in (
                    ("nearby", nearby),
                    ("standalone", standalone),
                    ("factual", factual),
                ):
                    if not isinstance(value, bool):
                        raise self.fail(f"{where}.{flag}", "must be true or false")
            elif isinstance(item, str) and item.strip():
                regex = item.strip()
            else:
                raise self.fail(
                    where, "must be a non-empty pattern (text) or {pattern: ..., weight: ...}"
                )
            try:
                _check_regex(expand_pattern(regex, macros))
            except KeyError as exc:
                raise self.fail(where, f"unknown macro {{{exc.args[0]}}} in {regex!r}") from None
            except re.error as exc:
                raise self.fail(where, f"invalid regular expression {regex!r}: {exc}") from None
            out.append(Pattern(regex, weight, f"{self.name}: {where}", nearby, standalone, factual))
        return tuple(out)

    # -- the document

    def codebook(self, data: Any) -> Codebook:
        doc = self.mapping(data, "")
        book_id = self.string(doc, "id", "")
        if not _ID_RE.match(book_id):
            raise self.fail("id", f"must be lower-case letters, digits and '-', not {book_id!r}")
        version = self.string(doc, "version", "", required=False, default="0")
        title = self.string(doc, "title", "")
        question = self.string(doc, "question", "", required=False, default=title)
        multi = doc.get("multi_label", True)
        if not isinstance(multi, bool):
            raise self.fail("multi_label", f"must be true or false, not {kind_of(multi)}")
        languages = self.strings(doc.get("languages"), "languages")
        for i, lang in enumerate(languages):
            if not _LANG_RE.match(lang):
                raise self.fail(f"languages[{i}]", f"must be an ISO 639-1 code, not {lang!r}")

        objects = self.objects(doc.get("objects") or {})
        targets_raw = self.mapping(doc.get("targets") or {}, "targets")
        lex_raw = self.mapping(doc.get("lexicon") or {}, "lexicon")
        for lang in [*targets_raw, *lex_raw]:
            if lang not in languages:
                section = "targets" if lang in targets_raw else "lexicon"
                raise self.fail(f"{section}.{lang}", f"language {lang!r} is not in languages")
        lexicon = {
            lang: self.lexicon(
                lang,
                self.strings(targets_raw.get(lang), f"targets.{lang}"),
                lex_raw.get(lang) or {},
                objects,
            )
            for lang in languages
        }
        codes = self.codes(doc.get("codes"), languages, objects, lexicon)
        treaty = doc.get("treaty")
        if treaty is not None and (not isinstance(treaty, str) or not _ID_RE.match(treaty)):
            raise self.fail("treaty", f"must be a treaty id such as 'ccm', not {treaty!r}")
        return Codebook(
            book_id,
            version,
            title,
            question,
            multi,
            languages,
            objects,
            codes,
            lexicon,
            treaty=treaty,
        )

    def objects(self, value: Any) -> dict[str, ObjectDef]:
        raw = self.mapping(value, "objects")
        out: dict[str, ObjectDef] = {}
        for obj_id, spec in raw.items():
            key = f"objects.{obj_id}"
            if not _ID_RE.match(obj_id):
                raise self.fail(key, "an object id must be lower-case letters, digits, '_'")
            entry = self.mapping(spec or {}, key)
            requires = self.strings(entry.get("requires"), f"{key}.requires")
            antecedents = self.strings(entry.get("antecedents"), f"{key}.antecedents")
            for field_name, ids in (("requires", requires), ("antecedents", antecedents)):
                for other in ids:
                    if other not in raw:
                        raise self.fail(f"{key}.{field_name}", f"unknown object {other!r}")
                    if other == obj_id:
                        raise self.fail(
                            f"{key}.{field_name}", f"an object cannot name itself in {field_name}"
                        )
            out[obj_id] = ObjectDef(
                obj_id,
                self.string(entry, "description", key, required=False),
                int(self.number(entry, "anaphora_window", key, 2, 0, 20)),
                requires,
                int(self.number(entry, "requires_window", key, 3, 0, 1000)),
                antecedents,
                int(self.number(entry, "cataphora_window", key, 0, 0, 20)),
            )
        return out

    def lexicon(
        self, lang: str, targets: tuple[str, ...], value: Any, objects: Mapping[str, ObjectDef]
    ) -> Lexicon:
        key = f"lexicon.{lang}"
        entry = self.mapping(value, key)
        macros_raw = self.mapping(entry.get("macros") or {}, f"{key}.macros")
        macros: dict[str, str] = {}
        for name, regex in macros_raw.items():
            if not isinstance(regex, str) or not regex.strip():
                raise self.fail(f"{key}.macros.{name}", "must be a non-empty pattern")
            macros[name] = regex.strip()
        if targets:
            macros.setdefault(
                "target",
                "(?:"
                + "|".join(_name_regex(t) for t in sorted(targets, key=len, reverse=True))
                + r")(?!\w)",
            )
        else:
            macros.setdefault("target", "(?!x)x")
        # macros may use macros defined before them; check they all expand
        for name, regex in macros.items():
            try:
                _check_regex(expand_pattern(regex, macros))
            except KeyError as exc:
                raise self.fail(
                    f"{key}.macros.{name}", f"unknown macro {{{exc.args[0]}}}"
                ) from None
            except RecursionError:
                raise self.fail(
                    f"{key}.macros.{name}", "macros refer to each other in a loop"
                ) from None
            except re.error as exc:
                raise self.fail(
                    f"{key}.macros.{name}", f"invalid regular expression: {exc}"
                ) from None
        objs_raw = self.mapping(entry.get("objects") or {}, f"{key}.objects")
        obj_patterns: dict[str, ObjectPatterns] = {}
        for obj_id, spec in objs_raw.items():
            okey = f"{key}.objects.{obj_id}"
            if obj_id not in objects:
                raise self.fail(okey, f"object {obj_id!r} is not declared under objects")
            o = self.mapping(spec or {}, okey)
            obj_patterns[obj_id] = ObjectPatterns(
                self.patterns(o.get("refer"), f"{okey}.refer", macros),
                self.patterns(o.get("anaphora"), f"{okey}.anaphora", macros),
                self.patterns(o.get("other"), f"{okey}.other", macros),
                self.patterns(o.get("exclude"), f"{okey}.exclude", macros),
            )
        return Lexicon(
            lang,
            targets,
            macros,
            self.patterns(entry.get("negation"), f"{key}.negation", macros),
            self.patterns(entry.get("negation_exceptions"), f"{key}.negation_exceptions", macros),
            self.patterns(entry.get("hypothetical"), f"{key}.hypothetical", macros),
            self.patterns(entry.get("clause_breaks"), f"{key}.clause_breaks", macros),
            obj_patterns,
            self.patterns(entry.get("reported"), f"{key}.reported", macros),
            self.patterns(entry.get("reported_exceptions"), f"{key}.reported_exceptions", macros),
            self.patterns(entry.get("reported_frames"), f"{key}.reported_frames", macros),
            self.patterns(entry.get("denial"), f"{key}.denial", macros),
            self.patterns(entry.get("own_act"), f"{key}.own_act", macros),
        )

    def codes(
        self,
        value: Any,
        languages: tuple[str, ...],
        objects: Mapping[str, ObjectDef],
        lexicon: Mapping[str, Lexicon],
    ) -> tuple[CodeDef, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("codes", "must be a non-empty list of codes")
        seen: set[str] = set()
        codes: list[CodeDef] = []
        for i, spec in enumerate(value):
            key = f"codes[{i}]"
            entry = self.mapping(spec, key)
            code_id = self.string(entry, "id", key)
            key = f"codes[{i}] ({code_id})"
            if not _ID_RE.match(code_id):
                raise self.fail(f"{key}.id", "must be lower-case letters, digits, '_' and '-'")
            if code_id in seen:
                raise self.fail(f"{key}.id", f"duplicate code id {code_id!r}")
            seen.add(code_id)
            about = self.strings(entry.get("about"), f"{key}.about")
            for obj in about:
                if obj not in objects:
                    raise self.fail(f"{key}.about", f"unknown object {obj!r}")
            fires_on = self.string(entry, "fires_on", key, required=False, default="expression")
            if fires_on not in _FIRES_ON:
                raise self.fail(f"{key}.fires_on", f"must be one of {', '.join(_FIRES_ON)}")
            if fires_on == "object" and not about:
                raise self.fail(f"{key}.about", "a code that fires on an object needs 'about'")
            pats = self.mapping(entry.get("patterns") or {}, f"{key}.patterns")
            include: dict[str, tuple[Pattern, ...]] = {}
            exclude: dict[str, tuple[Pattern, ...]] = {}
            for lang, spec_lang in pats.items():
                pkey = f"{key}.patterns.{lang}"
                if lang not in languages:
                    raise self.fail(pkey, f"language {lang!r} is not in languages")
                if isinstance(spec_lang, list):  # a bare list is the include list
                    spec_lang = {"include": spec_lang}
                p = self.mapping(spec_lang, pkey)
                macros = lexicon[lang].macros
                include[lang] = self.patterns(p.get("include"), f"{pkey}.include", macros)
                exclude[lang] = self.patterns(p.get("exclude"), f"{pkey}.exclude", macros)
            if languages and fires_on == "expression" and not any(include.values()):
                raise self.fail(
                    f"{key}.patterns",
                    "a code needs at least one include pattern "
                    "(or fires_on: object), unless the codebook "
                    "lists no languages (coding by hand only)",
                )
            codes.append(
                CodeDef(
                    code_id,
                    self.string(entry, "label", key, required=False, default=code_id),
                    self.string(entry, "definition", key),
                    self.strings(entry.get("examples"), f"{key}.examples"),
                    self.strings(entry.get("implies"), f"{key}.implies"),
                    about,
                    fires_on,
                    self.number(entry, "confidence", key, 0.8, 0.0, 1.0),
                    include,
                    exclude,
                    self.flag(entry, "not_by_actor", key),
                )
            )
        for i, code in enumerate(codes):
            for implied in code.implies:
                if implied not in seen:
                    raise self.fail(f"codes[{i}] ({code.id}).implies", f"unknown code {implied!r}")
                if implied == code.id:
                    raise self.fail(f"codes[{i}] ({code.id}).implies", "a code cannot imply itself")
        return tuple(codes)


# --------------------------------------------------------------------------- patterns


def expand_pattern(regex: str, macros: Mapping[str, str], _depth: int = 0) -> str:
    """``regex`` with ``{macro}`` replaced (recursively), spaces made ``\\s+`` and apostrophes
    made to match any apostrophe. Raises ``KeyError`` naming an unknown macro."""
    if _depth > 20:
        raise RecursionError("macro loop")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise KeyError(name)
        return "(?:" + expand_pattern(macros[name], macros, _depth + 1) + ")"

    return (
        _normalise_literals(_MACRO_RE.sub(sub, regex)) if _depth == 0 else _MACRO_RE.sub(sub, regex)
    )


def _normalise_literals(regex: str) -> str:
    """Spaces → ``\\s+`` and ``'`` → any apostrophe, outside character classes and escapes.

    Inside a look-behind, which must have a fixed width, a space becomes a single ``\\s``.
    """
    out: list[str] = []
    in_class = False
    groups: list[bool] = []  # for each open group: is it a look-behind?
    i = 0
    n = len(regex)
    while i < n:
        ch = regex[i]
        if ch == "\\" and i + 1 < n:
            out.append(regex[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "'":
                out.append("'’ʼ")
                i += 1
                continue
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            if i + 1 < n and regex[i + 1] == "^":
                out.append("^")
                i += 1
            if i + 1 < n and regex[i + 1] == "]":  # a literal ] first in a class
                out.append("]")
                i += 1
        elif ch == "(":
            groups.append(regex.startswith(("(?<!", "(?<="), i))
            out.append(ch)
        elif ch == ")":
            if groups:
                groups.pop()
            out.append(ch)
        elif ch == " ":
            if any(groups):
                out.append(r"\s")
            else:
                while i + 1 < n and regex[i + 1] == " ":
                    i += 1
                out.append(r"\s+")
        elif ch == "'":
            out.append("['’ʼ]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _name_regex(name: str) -> str:
    return re.escape(name).replace(r"\ ", " ")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
