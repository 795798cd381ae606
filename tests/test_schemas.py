"""The schema layer: files people write are checked by pydantic models, every problem at once,
each naming its file and its key path or line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normwatch.coding.codebook import load_codebook
from normwatch.core.dates import PartialDate
from normwatch.core.schemas import problems
from normwatch.core.schemas.obligations import ObligationRow
from normwatch.errors import DataError
from normwatch.sources.meetings.importer import MeetingImportError, MeetingRecord, read_meeting_dir
from normwatch.sources.obligations import parse_csv
from normwatch.store.db import Store

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

GOOD_MEETING = Path(__file__).resolve().parent / "fixtures" / "meetings" / "ccm-test-msp"

CODEBOOK = """
id: tiny
title: Tiny
languages: [en]
objects:
  thing: {description: the thing}
codes:
  - id: seen
    definition: mentions the thing
    about: [thing]
    fires_on: object
"""


def test_a_codebook_lists_every_problem_of_its_shape_at_once(tmp_path: Path) -> None:
    bad = (
        CODEBOOK.replace("id: tiny", "id: Tiny")
        .replace("languages: [en]", "languages: [en]\nmulti_label: sometimes")
        .replace("    fires_on: object", "    fires_on: objects\n    confidence: 2")
    )
    path = tmp_path / "tiny.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_codebook(path)
    message = str(info.value)
    assert message.startswith(f"4 problems in {path}:")
    assert f"{path}: id: must be lower-case letters" in message
    assert f"{path}: multi_label: must be true or false, not text" in message
    assert f"{path}: codes[0] (seen).fires_on: must be one of 'expression' or 'object'" in message
    assert f"{path}: codes[0] (seen).confidence: must be at most 1.0, not 2" in message


def test_a_codebook_pattern_must_be_text_or_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        CODEBOOK.replace("    fires_on: object", "    patterns:\n      en: [5]"), encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"codes\[0\] \(seen\)\.patterns\.en\.include\[0\]: must"):
        load_codebook(path)


def _read(store: Store, directory: Path) -> MeetingRecord:
    return read_meeting_dir(directory, store.registry(), {"ccm", "apmbt"})


def _meeting_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "ccm-test-msp"
    shutil.copytree(GOOD_MEETING, directory)
    return directory


def test_meeting_yaml_lists_every_problem_with_its_key_path(store: Store, tmp_path: Path) -> None:
    directory = _meeting_copy(tmp_path)
    path = directory / "meeting.yaml"
    text = path.read_text(encoding="utf-8")
    assert "kind:" in text and "start_date:" in text
    path.write_text(
        text.replace("kind: ", "kind: banquet # ", 1)
        + "number: twelve\nvenu: Geneva\nclaims:\n  - id: c1\n    value: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(MeetingImportError) as info:
        _read(store, directory)
    found = info.value.problems
    assert any(p.startswith("meeting.yaml: kind: unknown meeting kind 'banquet'") for p in found)
    assert "meeting.yaml: number: must be a whole number, not text" in found
    assert "meeting.yaml: venu: unknown key" in found
    assert "meeting.yaml: claims[0].value: value must be a share between 0 and 1" in found
    assert "meeting.yaml: claims[0].code: is required" in found


def test_a_good_meeting_folder_reads_as_before(store: Store) -> None:
    record = _read(store, GOOD_MEETING)
    assert record.meeting.id == "ccm-test-msp"
    assert record.meeting.sources


def test_an_obligations_table_lists_the_problems_of_every_row() -> None:
    text = (
        "iso3,obligation,source_url,completed_on,decision,before_eif\n"
        "AUT,clearance,https://e.org,2010,,\n"
        "BEL,clearance,,late 2010,,\n"
        "FRA,clearance,https://e.org,,maybe,perhaps\n"
    )
    with pytest.raises(DataError) as info:
        parse_csv("ccm", text, "x.csv")
    assert str(info.value).splitlines() == [
        "4 problems in x.csv:",
        "  - x.csv:3: source_url: empty value",
        "  - x.csv:3: completed_on: not a date (YYYY, YYYY-MM or YYYY-MM-DD): 'late 2010'",
        "  - x.csv:4: decision: unknown decision 'maybe' (known: granted, requested)",
        "  - x.csv:4: before_eif: expected yes or no, got 'perhaps'",
    ]


@given(
    st.integers(1000, 9999),
    st.one_of(st.none(), st.integers(1, 12)),
    st.integers(1, 28),
)
def test_obligation_dates_accept_every_partial_date(year: int, month: int | None, day: int) -> None:
    text = str(PartialDate(year, month, day if month else None))
    row, found = problems(
        ObligationRow,
        {"iso3": "AUT", "obligation": "x", "source_url": "u", "completed_on": text},
        "t",
    )
    assert found == [] and isinstance(row, ObligationRow) and row.completed_on == text


@given(st.text(min_size=1).filter(lambda s: not s.strip().replace("-", "").isdigit()))
def test_obligation_dates_refuse_what_is_not_a_date(text: str) -> None:
    _row, found = problems(
        ObligationRow,
        {"iso3": "AUT", "obligation": "x", "source_url": "u", "completed_on": text},
        "t",
    )
    assert len(found) == 1 and found[0].startswith("t: completed_on: ")


# --------------------------------------------------------------------------- published schemas

ROOT = Path(__file__).resolve().parent.parent


def test_the_committed_schemas_are_the_generated_ones() -> None:
    from normwatch.core.schemas.published import PUBLISHED, schema_text

    committed = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    assert committed == {f"{name}.schema.json" for name in PUBLISHED}
    for name in PUBLISHED:
        on_disk = (ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert on_disk == schema_text(name), f"run scripts/write_schemas.py ({name})"


def test_the_schema_command_prints_the_published_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from clirun import run

    code, out, _err = run(capsys, "schema", "codebook")
    assert code == 0
    assert out == (ROOT / "schemas" / "codebook.schema.json").read_text(encoding="utf-8")
    code, _out, err = run(capsys, "schema", "nothing")
    assert code == 2 and "nothing" in err


def _as_json(path: Path) -> object:
    import json

    import yaml

    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_the_bundled_files_validate_against_the_published_schemas() -> None:
    import jsonschema  # type: ignore[import-untyped]

    from normwatch.core.schemas.published import json_schema

    data = ROOT / "src" / "normwatch" / "data"
    cases = [("codebook", p) for p in sorted((data / "codebooks").glob("*.yaml"))]
    cases += [("meeting", p) for p in sorted(data.glob("meetings/*/meeting.yaml"))]
    cases += [("meeting", GOOD_MEETING / "meeting.yaml")]
    assert len(cases) >= 4
    for name, path in cases:
        jsonschema.validate(_as_json(path), json_schema(name))


def test_an_editor_using_the_schema_sees_a_wrong_value() -> None:
    import jsonschema

    from normwatch.core.schemas.published import json_schema

    meeting = _as_json(GOOD_MEETING / "meeting.yaml")
    assert isinstance(meeting, dict)
    meeting["completeness"] = "mostly"
    errors = list(jsonschema.Draft202012Validator(json_schema("meeting")).iter_errors(meeting))
    assert [list(e.absolute_path) for e in errors] == [["completeness"]]


# --------------------------------------------------------------------------- API answers

API_ANSWERS = [
    ("/api/v1/meetings", "list[MeetingOut]"),
    ("/api/v1/meetings?treaty=ccm", "list[MeetingOut]"),
    ("/api/v1/meetings/ccm-12msp", "MeetingDetail"),
    ("/api/v1/meetings/ccm-web-msp", "MeetingDetail"),
    ("/api/v1/meetings/ccm-web-msp/statements?text=true", "list[StatementOut]"),
    ("/api/v1/meetings/ccm-12msp/codings", "list[CodingOut]"),
    ("/api/v1/meetings/ccm-web-msp/codings", "list[CodingOut]"),
    ("/api/v1/meetings/ccm-12msp/reactions", "ReactionsOut"),
    ("/api/v1/meetings/ccm-12msp/reactions?by=nato&denominator=parties", "ReactionsOut"),
    ("/api/v1/meetings/ccm-web-msp/reactions?by=regional_group", "ReactionsOut"),
    ("/api/v1/treaties/ccm/deadlines?on=2026-01-01", "list[ObligationOut]"),
    ("/api/v1/treaties/ccm/states/BGR/obligations?on=2024-01-01", "list[ObligationOut]"),
    ("/api/v1/treaties/att/states/USA/obligations?on=2024-01-01", "list[ObligationOut]"),
]


@pytest.mark.parametrize(("path", "model"), API_ANSWERS)
def test_api_answers_are_exactly_their_models(client: TestClient, path: str, model: str) -> None:
    """The model describes every key of the answer (no extra key is allowed), and the answer
    read into it and written out again is the same JSON."""
    from pydantic import TypeAdapter

    from normwatch.core.schemas import codings, meeting, obligations

    names = {**vars(meeting), **vars(obligations), **vars(codings)}
    inner = model.removeprefix("list[").removesuffix("]")
    typ = list[names[inner]] if model.startswith("list[") else names[inner]  # type: ignore[valid-type]
    answer = client.get(path)
    assert answer.status_code == 200
    data = answer.json()
    assert data
    adapter: TypeAdapter[Any] = TypeAdapter(typ)
    assert (
        adapter.dump_python(adapter.validate_python(data), mode="json", exclude_unset=True) == data
    )


def test_the_openapi_description_types_meetings_and_obligations(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()

    def answer(path: str) -> dict[str, Any]:
        ok = spec["paths"]["/api/v1" + path]["get"]["responses"]["200"]
        return dict(ok["content"]["application/json"]["schema"])

    assert answer("/meetings/{meeting}") == {"$ref": "#/components/schemas/MeetingDetail"}
    assert answer("/meetings")["items"] == {"$ref": "#/components/schemas/MeetingOut"}
    obligations = "/treaties/{treaty}/states/{state}/obligations"
    assert answer(obligations)["items"] == {"$ref": "#/components/schemas/ObligationOut"}
    fields = spec["components"]["schemas"]["ObligationOut"]["properties"]
    assert {"deadline", "status", "basis", "extensions"} <= set(fields)
