"""The gateway inside `mlf server`, on a database where real mlflow 3.17.2 created a secret, a
model definition and an endpoint through its own store API: the read API answers with masked
secrets only, invocations decrypt the secret (mlflow's envelope) and reach the fake provider,
and the SSRF guard refuses a private provider address unless allowed."""

import json
import os
import subprocess
import textwrap

import pytest

from tests.support.mlflow_venv import mlflow_python

ANSWER = {"id": "chatcmpl-5", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "from the db gateway"}, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6}}
PASSPHRASE = "server-gateway-pass"

CREATE = textwrap.dedent("""
    import json, sys
    from mlflow.entities.gateway_endpoint import GatewayEndpointModelConfig, GatewayModelLinkageType
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    store = SqlAlchemyStore(sys.argv[1], sys.argv[2])
    secret = store.create_gateway_secret("openai-key", {"api_key": "sk-stored-in-db-1234"}, provider="openai",
                                         auth_config={"api_base": sys.argv[3]})
    model = store.create_gateway_model_definition(name="gpt", secret_id=secret.secret_id, provider="openai",
                                                  model_name="gpt-4o-mini")
    endpoint = store.create_gateway_endpoint(name="chat", model_configs=[GatewayEndpointModelConfig(
        model_definition_id=model.model_definition_id, linkage_type=GatewayModelLinkageType.PRIMARY, weight=1.0)])
    print(json.dumps({"secret_id": secret.secret_id, "endpoint_id": endpoint.endpoint_id,
                      "model_definition_id": model.model_definition_id}))
""")


@pytest.fixture(scope="module")
def mlflow_db(tmp_path_factory, request):
    from tests.gateway.fake_upstream import FakeUpstream

    upstream = FakeUpstream().start()
    request.addfinalizer(upstream.stop)
    folder = tmp_path_factory.mktemp("server-gateway")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["MLFLOW_CRYPTO_KEK_PASSPHRASE"] = PASSPHRASE
    result = subprocess.run([mlflow_python(), "-c", CREATE, uri, str(folder / "artifacts"), upstream.url + "/v1"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return uri, folder, upstream, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def server(mlflow_db, monkeypatch):
    """server(**env) -> a client of the whole `mlf server` app on the mlflow-made database."""
    from starlette.testclient import TestClient

    from runtime.server.app import build_app
    from runtime.server.config import ServerConfig

    clients = []

    def start(**env):
        for name in ("MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES", "MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("MLFLOW_CRYPTO_KEK_PASSPHRASE", PASSPHRASE)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        config = ServerConfig(backend_store_uri=mlflow_db[0], artifacts_destination=str(mlflow_db[1] / "artifacts"),
                              extra={"secrets_cache_ttl": 10, "secrets_cache_max_size": 5})
        client = TestClient(build_app(config), base_url="http://localhost")
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def test_read_api_masks_secrets(server, mlflow_db):
    ids = mlflow_db[3]
    client = server()
    listed = client.get("/api/3.0/mlflow/gateway/secrets/list").json()["secrets"]
    assert [s["secret_name"] for s in listed] == ["openai-key"]
    assert listed[0]["masked_values"] == {"api_key": "sk-...1234"}
    assert "sk-stored-in-db-1234" not in json.dumps(listed)
    got = client.get("/api/3.0/mlflow/gateway/secrets/get", params={"secret_id": ids["secret_id"]}).json()["secret"]
    assert got["auth_config"] == {"api_base": mlflow_db[2].url + "/v1"} and got["provider"] == "openai"
    endpoint = client.get("/api/3.0/mlflow/gateway/endpoints/get", params={"name": "chat"}).json()["endpoint"]
    assert endpoint["endpoint_id"] == ids["endpoint_id"]
    assert endpoint["model_mappings"][0]["model_definition"]["secret_name"] == "openai-key"
    assert endpoint["model_mappings"][0]["linkage_type"] == "PRIMARY"
    missing = client.get("/api/3.0/mlflow/gateway/endpoints/get", params={"name": "nope"})
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    definitions = client.get("/api/3.0/mlflow/gateway/model-definitions/list").json()["model_definitions"]
    assert definitions[0]["model_name"] == "gpt-4o-mini"


def test_invocations_decrypt_and_relay(server, mlflow_db):
    upstream = mlflow_db[2]
    upstream.default = ("json", 200, ANSWER)
    client = server(MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES="http,https", MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS="true")
    answer = client.post("/gateway/chat/mlflow/invocations",
                        json={"messages": [{"role": "user", "content": "hi"}]}).json()
    assert answer["choices"][0]["message"]["content"] == "from the db gateway"
    seen = upstream.requests[-1]
    assert (seen.path, seen.headers["authorization"]) == ("/v1/chat/completions", "Bearer sk-stored-in-db-1234")
    openai_style = client.post("/gateway/mlflow/v1/chat/completions",
                              json={"model": "chat", "messages": [{"role": "user", "content": "hi"}]})
    assert openai_style.status_code == 200 and openai_style.json()["provider"] == "openai"
    assert client.get("/gateway/mlflow/v1/models").json()["data"][0]["id"] == "chat"


def test_ssrf_guard_refuses_private_provider_address(server, mlflow_db):
    upstream = mlflow_db[2]
    before = len(upstream.requests)
    client = server()
    refused = client.post("/gateway/chat/mlflow/invocations", json={"messages": [{"role": "user", "content": "hi"}]})
    assert refused.status_code == 502 and "scheme 'http' is not allowed" in refused.json()["detail"]
    client = server(MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES="http,https")
    refused = client.post("/gateway/chat/mlflow/invocations", json={"messages": [{"role": "user", "content": "hi"}]})
    assert refused.status_code == 502 and "private or reserved address" in refused.json()["detail"]
    assert len(upstream.requests) == before


READ_SECRET = textwrap.dedent("""
    import json, sys
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    print(json.dumps(SqlAlchemyStore(sys.argv[1], sys.argv[2])._get_decrypted_secret(sys.argv[3])))
""")


def test_secret_writes_are_readable_by_mlflow(server, mlflow_db):
    import os

    uri, folder = mlflow_db[0], mlflow_db[1]
    client = server()
    created = client.post("/api/3.0/mlflow/gateway/secrets/create", json={
        "secret_name": "written-by-mlf", "secret_value": {"api_key": "sk-mlf-made-98765"}, "provider": "anthropic",
        "auth_config": {"api_base": "https://example.invalid/v1"}})
    assert created.status_code == 200, created.text
    secret = created.json()["secret"]
    assert secret["masked_values"] == {"api_key": "sk-...8765"} and secret["secret_id"].startswith("s-")
    assert "sk-mlf-made-98765" not in created.text
    again = client.post("/api/3.0/mlflow/gateway/secrets/create", json={"secret_name": "written-by-mlf", "secret_value": {"api_key": "x"}})
    assert (again.status_code, again.json()["error_code"]) == (400, "RESOURCE_ALREADY_EXISTS")
    bad = client.post("/api/3.0/mlflow/gateway/secrets/create", json={"secret_name": "n", "secret_value": {}})
    assert (bad.status_code, bad.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    updated = client.post("/api/3.0/mlflow/gateway/secrets/update",
                          json={"secret_id": secret["secret_id"], "secret_value": {"api_key": "sk-rotated-11112222"}})
    assert updated.json()["secret"]["masked_values"] == {"api_key": "sk-...2222"}

    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["MLFLOW_CRYPTO_KEK_PASSPHRASE"] = PASSPHRASE
    read = subprocess.run([mlflow_python(), "-c", READ_SECRET, uri, str(folder / "artifacts"), secret["secret_id"]],
                          env=env, capture_output=True, text=True, timeout=300)
    assert read.returncode == 0, read.stderr[-3000:]
    assert json.loads(read.stdout.strip().splitlines()[-1]) == {"api_key": "sk-rotated-11112222"}

    assert client.request("DELETE", "/api/3.0/mlflow/gateway/secrets/delete", json={"secret_id": secret["secret_id"]}).json() == {}
    gone = client.get("/api/3.0/mlflow/gateway/secrets/get", params={"secret_id": secret["secret_id"]})
    assert gone.status_code == 404


def test_writes_on_the_mlflow_database(server, mlflow_db):
    ids, api = mlflow_db[3], "/api/3.0/mlflow/gateway"
    client = server()
    tagged = client.post(f"{api}/endpoints/set-tag", json={"endpoint_id": ids["endpoint_id"], "key": "owner", "value": "mlf"})
    assert tagged.status_code == 200, tagged.text
    endpoint = client.get(f"{api}/endpoints/get", params={"endpoint_id": ids["endpoint_id"]}).json()["endpoint"]
    assert endpoint["tags"] == [{"key": "owner", "value": "mlf"}]
    budget = client.post(f"{api}/budgets/create", json={
        "budget_unit": "USD", "budget_amount": 1, "duration": {"unit": "MONTHS", "value": 1}, "target_scope": "ENDPOINT",
        "target_value": ids["endpoint_id"], "budget_action": "ALERT"})
    assert budget.status_code == 200, budget.text
    policy_id = budget.json()["budget_policy"]["budget_policy_id"]
    assert client.request("DELETE", f"{api}/budgets/delete", json={"budget_policy_id": policy_id}).status_code == 200
    assert client.request("DELETE", f"{api}/endpoints/delete-tag",
                          json={"endpoint_id": ids["endpoint_id"], "key": "owner"}).status_code == 200
