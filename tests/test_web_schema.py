"""Property-based run of the JSON API, the feeds and the data files against their own OpenAPI
description (schemathesis).

Bounded: a few thousand generated requests in all, well under a minute. Every answer must
be a non-5xx with a documented status code and media type, whose body fits the documented
schema (the error shape for 4xx answers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from normwatch.catalog import all_treaties
from test_web_support import make_web_db, web_app

_root = Path(__import__("tempfile").mkdtemp(prefix="normwatch-schema-"))
APP: Any = web_app(make_web_db(_root))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


@schema.parametrize()
@settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_api_answers_as_documented(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and response.status_code != 405:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


def test_parameters_offer_values_that_exist() -> None:
    """Each path parameter (and required query parameter) has an enum or examples, and the
    first of them gives a 200: generated requests reach real treaties, States and meetings."""
    spec = schema.raw_schema
    treaty = spec["paths"]["/api/v1/treaties/{treaty}"]["get"]["parameters"][0]["schema"]
    assert treaty["enum"] == sorted(all_treaties())
    with TestClient(APP) as client:
        for path, item in spec["paths"].items():
            if "get" not in item or path == "/api/v1/me":  # need an account (test_web_team.py)
                continue
            params = [
                p
                for p in item["get"].get("parameters", [])
                if p["in"] == "path" or p.get("required")
            ]
            values = {
                p["name"]: (p["schema"].get("enum") or p["schema"]["examples"])[0] for p in params
            }
            query = {p["name"]: values[p["name"]] for p in params if p["in"] == "query"}
            response = client.get(path.format(**values), params=query)
            assert response.status_code == 200, (path, values, response.text)


def test_feeds_and_files_document_their_media_types_and_errors() -> None:
    paths = schema.raw_schema["paths"]
    for path, media in [
        ("/feeds/changes.atom", "application/atom+xml"),
        ("/feeds/deadlines.ics", "text/calendar"),
        ("/data/{name}", "text/csv"),
    ]:
        responses = paths[path]["get"]["responses"]
        assert media in responses["200"]["content"], path
        assert "application/json" not in responses["200"]["content"] or path.startswith("/data/")
        for code in ("404", "422"):
            ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorBody"), (path, code)
    assert "400" in paths["/feeds/deadlines.ics"]["get"]["responses"]
    assert "304" in paths["/data/{name}"]["get"]["responses"]
    assert "HTTPValidationError" not in schema.raw_schema["components"]["schemas"]


@pytest.fixture(autouse=True, scope="module")
def _cleanup() -> Any:
    yield
    import shutil

    shutil.rmtree(_root, ignore_errors=True)
