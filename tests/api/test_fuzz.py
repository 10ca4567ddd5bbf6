"""The API fuzzed from its own OpenAPI schema: whatever is sent, no response is a 5xx.

Bounded examples per operation keep the suite quick; the data lives in the test's rolled-back
transaction, on each database backend.
"""

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import Session

from alima.core.service import auth
from tests.factories.core import World

MAX_EXAMPLES = 30


@pytest.fixture
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


@pytest.fixture
def token(session: Session, world: World) -> str:
    return auth.create_api_token(
        session, username=world.users["data_manager"].username, name="fuzz", days=1
    ).token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_error(case: schemathesis.Case[Any], token: str) -> None:
    # A generous read timeout: on a loaded CI machine (tests on every CPU) one request of a
    # month's approval can take over schemathesis' default 10 s; a server error still fails.
    response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=120)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "context"}, body
