"""Hostile JSON bodies on every kind of gateway route get a 4xx, never a server error: nesting
deeper than the wire decoder's bound and integers too long for Python to read."""

import pytest

from tests.gateway.test_server_writes import API, client  # noqa: F401  (client is a fixture)

DEEP = b"[" * 50_000 + b"]" * 50_000
LONG_INTEGER = b'{"n": ' + b"9" * 5_000 + b"}"
HOSTILE = pytest.mark.parametrize("body", [DEEP, LONG_INTEGER], ids=["deep", "long-integer"])
HEADERS = {"Content-Type": "application/json"}


@HOSTILE
def test_server_gateway_crud_route_refuses(client, body):  # noqa: F811
    response = client.post(f"{API}/secrets/create", content=body, headers=HEADERS)
    assert (response.status_code, response.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE"), response.text
    assert client.get(f"{API}/secrets/list").json().get("secrets", []) == []


@HOSTILE
def test_server_gateway_invocation_route_refuses(client, body):  # noqa: F811
    response = client.post("/gateway/some-endpoint/mlflow/invocations", content=body, headers=HEADERS)
    assert response.status_code == 400, response.text
    assert "Traceback" not in response.text


@HOSTILE
def test_standalone_gateway_refuses(gateway, body):
    client = gateway({"endpoints": [{"name": "chat", "endpoint_type": "llm/v1/chat", "model": {
        "provider": "openai", "name": "gpt-4o-mini", "config": {"openai_api_key": "k"}}}]})
    response = client.post("/endpoints/chat/invocations", content=body, headers=HEADERS)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"] == "json_invalid"
