"""The API's test client: every answer it receives is checked against the served schema."""

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_spec_validator import validate


@pytest.fixture
def schema(client, db) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def api(client, schema):
    """api(url, **headers) -> the response, after validating it against /api/openapi.json."""
    validate(schema)  # a valid OpenAPI document before anything is checked against it
    openapi = OpenAPI.from_dict(schema)
    seen = []

    def get(url, method="get", **headers):
        response = getattr(client, method)(url, headers=headers)
        assert "Set-Cookie" not in response, url  # cookie-free
        openapi.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )
        seen.append(url)
        return response

    get.seen = seen
    return get
