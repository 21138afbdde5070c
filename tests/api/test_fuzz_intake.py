"""Schema-driven fuzzing of the intake endpoints (Schemathesis over our OpenAPI document):
whatever the body, path or query, no answer is a server error."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree

INTAKE_PATHS = r"^/(open311/v2/|api/v1/reports|api/v1/partners/[^/]+/reports)"
MAX_EXAMPLES = 12
"""Examples per operation: bounded so the run takes about a minute on both databases."""


@pytest.mark.slow
def test_no_server_error(app: FastAPI, session: Session, clock: FixedClock) -> None:
    beijing_tree(session)
    headers = bearer(session, make_user(session, now=clock.now(), username="fuzz"), now=clock.now())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=INTAKE_PATHS)
    operations = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:  # type: ignore[type-arg]  # its parameters are internal
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

        call()
