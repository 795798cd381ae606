"""Property-based run of the JSON API against its own OpenAPI description (schemathesis).

Bounded: a few hundred generated requests in all, well under a minute. Every answer must be a
non-5xx whose body fits the documented schema (the error shape for 4xx answers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from test_web_support import make_web_db, web_app

_root = Path(__import__("tempfile").mkdtemp(prefix="normwatch-schema-"))
APP: Any = web_app(make_web_db(_root))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error,))
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and response.status_code != 405:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


@pytest.fixture(autouse=True, scope="module")
def _cleanup() -> Any:
    yield
    import shutil

    shutil.rmtree(_root, ignore_errors=True)
