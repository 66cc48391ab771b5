"""Generated requests against every API operation: no 5xx, every answer as the schema says.

Bounded and seeded (derandomize): the same few examples per operation on every run, so the
suite stays fast and a failure repeats.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.api import api
from api.tokens import token_create
from tests.factories import (
    add_speaker,
    make_registration,
    make_series,
    make_speaker,
    make_webinar,
)

EXAMPLES_PER_OPERATION = 25
# Every operation the API serves, named at collection: a new one is fuzzed without a word here.
OPERATIONS = sorted(
    (path, method)
    for path, item in api.get_openapi_schema(path_prefix="/api/")["paths"].items()
    for method in item
)


@pytest.fixture
def write_token(organiser) -> str:
    """The organisers' operations are fuzzed with a token that may write in every series."""
    return token_create(user=organiser, name="fuzz", can_write=True)[1]


@pytest.fixture
def api_schema(client, db, settings, write_token):
    # Generated requests come from one client: the rate limit would answer most of them.
    settings.API_RATE_LIMIT = settings.API_TOKEN_RATE_LIMIT = 100_000
    series = make_series(slug="supply")
    mining = make_webinar(series=series, slug="mining", capacity=1)
    add_speaker(mining, make_speaker(slug="ada"))
    make_registration(mining)
    loaded = schemathesis.openapi.from_dict(client.get("/api/openapi.json").json())
    loaded.app = get_wsgi_application()
    # The requests run inside the test's transaction: the end of a request must not close its
    # connection (Django's own test client holds these signals off the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_is_fuzzed(api_schema):
    assert {(path, method) for path, methods in api_schema.raw_schema["paths"].items()
            for method in methods} == set(OPERATIONS)  # fmt: skip


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_api_answers_generated_requests_without_5xx_and_as_its_schema_says(
    api_schema, write_token, path, method
):
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {write_token}"}
    # A write the schema allows may still break a rule it cannot say (an end before the start,
    # a webinar that does not exist): 422 is a right answer there, not a rejected valid request.
    writes = method in ("post", "patch")
    excluded = [positive_data_acceptance] if writes else []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_promised(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    answers_as_promised()
