"""The JSON API under schemathesis, counted: every generated request answers as documented,
never with a server error (the full conformance run is tests/test_web_schema.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from robust_tally import LONG, examples, trial

from test_web_schema import CHECKS, schema

# the short form leaves the API to tests/test_web_schema.py, which runs with every test run
pytestmark = pytest.mark.skipif(not LONG, reason="long form only (NORMWATCH_ROBUST=long)")


@schema.parametrize()
@settings(
    max_examples=examples(5, 1_000),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_answer_as_documented(case: Any) -> None:
    with trial("API requests (schemathesis)") as counted:
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        assert response.status_code < 500, response.text
        counted.refused() if response.status_code >= 400 else counted.accepted()
