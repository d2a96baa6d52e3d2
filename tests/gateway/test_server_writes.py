"""The write side of `mlf server`'s gateway REST API on a database mlf created: model
definitions, endpoints with model mappings, tags, bindings and budgets through mlflow's paths
and fields, mlflow's error shape on bad input, and real mlflow 3.17.2 reading what mlf wrote."""

import json
import os
import subprocess
import textwrap

import pytest

from tests.support.mlflow_venv import mlflow_python

API = "/api/3.0/mlflow/gateway"
PASSPHRASE = "server-writes-pass"


def _client(uri, folder, monkeypatch):
    from starlette.testclient import TestClient

    from runtime.server.app import build_app
    from runtime.server.config import ServerConfig

    monkeypatch.setenv("MLFLOW_CRYPTO_KEK_PASSPHRASE", PASSPHRASE)
    test_client = TestClient(build_app(ServerConfig(backend_store_uri=uri, artifacts_destination=str(folder / "artifacts"))),
                             base_url="http://localhost")
    test_client.uri, test_client.folder = uri, folder
    return test_client


@pytest.fixture
def client(tmp_path, monkeypatch):
    """The whole `mlf server` app on a fresh sqlite database it creates."""
    with _client(f"sqlite:///{tmp_path / 'mlf.db'}", tmp_path, monkeypatch) as test_client:
        yield test_client


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def any_client(request, tmp_path, monkeypatch):
    """The same on each database mlf supports (real PostgreSQL and MariaDB, one fresh database each)."""
    from tests.support.databases import database_available, fresh_database

    if request.param == "sqlite":
        with _client(f"sqlite:///{tmp_path / 'mlf.db'}", tmp_path, monkeypatch) as test_client:
            yield test_client
        return
    if not database_available(request.param):
        pytest.skip(f"no {request.param} server here")
    with fresh_database(request.param) as url, _client(url, tmp_path, monkeypatch) as test_client:
        yield test_client


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def refused(response, code="INVALID_PARAMETER_VALUE", status=400):
    assert (response.status_code, response.json()["error_code"]) == (status, code), response.text
    return response.json()["message"]


def delete(client, path, body):
    return client.request("DELETE", f"{API}/{path}", json=body)


def make_model(client, name="gpt", secret_name="key"):
    secret = ok(client.post(f"{API}/secrets/create", json={"secret_name": secret_name, "provider": "openai",
                                                            "secret_value": {"api_key": "sk-writes-test-4321"}}))["secret"]
    return ok(client.post(f"{API}/model-definitions/create", json={
        "name": name, "secret_id": secret["secret_id"], "provider": "openai", "model_name": "gpt-4o-mini"}))["model_definition"]


def test_model_definitions_create_update_delete(client):
    model = make_model(client)
    assert model["model_definition_id"].startswith("d-") and model["secret_name"] == "key"
    refused(client.post(f"{API}/model-definitions/create", json={"name": "gpt", "secret_id": model["secret_id"],
                                                                 "provider": "openai", "model_name": "x"}),
            "RESOURCE_ALREADY_EXISTS")
    refused(client.post(f"{API}/model-definitions/create", json={"name": "other", "secret_id": "s-nope",
                                                                 "provider": "openai", "model_name": "x"}),
            "RESOURCE_DOES_NOT_EXIST", 404)
    refused(client.post(f"{API}/model-definitions/create", json={"name": "other"}))
    updated = ok(client.post(f"{API}/model-definitions/update", json={
        "model_definition_id": model["model_definition_id"], "model_name": "gpt-4o", "updated_by": "ana"}))
    assert updated["model_definition"]["model_name"] == "gpt-4o"
    assert updated["model_definition"]["last_updated_by"] == "ana" and updated["model_definition"]["name"] == "gpt"
    assert ok(delete(client, "model-definitions/delete", {"model_definition_id": model["model_definition_id"]})) == {}
    refused(client.get(f"{API}/model-definitions/get", params={"model_definition_id": model["model_definition_id"]}),
            "RESOURCE_DOES_NOT_EXIST", 404)


def test_endpoints_mappings_tags_and_bindings(any_client):
    client = any_client
    first, second = make_model(client), make_model(client, "claude", "key2")
    refused(client.post(f"{API}/endpoints/create", json={"name": "chat", "model_configs": []}))
    refused(client.post(f"{API}/endpoints/create", json={"name": "chat", "model_configs": [
        {"model_definition_id": "d-missing"}]}), "RESOURCE_DOES_NOT_EXIST", 404)
    refused(client.post(f"{API}/endpoints/create", json={"name": "chat", "model_configs": [
        {"model_definition_id": first["model_definition_id"], "linkage_type": "SIDEWAYS"}]}))
    endpoint = ok(client.post(f"{API}/endpoints/create", json={
        "name": "chat", "created_by": "ana", "routing_strategy": "REQUEST_BASED_TRAFFIC_SPLIT",
        "model_configs": [{"model_definition_id": first["model_definition_id"], "linkage_type": "PRIMARY", "weight": 1},
                          {"model_definition_id": second["model_definition_id"], "linkage_type": 2, "fallback_order": 1}],
        "fallback_config": {"strategy": "SEQUENTIAL", "max_attempts": 2}}))["endpoint"]
    endpoint_id = endpoint["endpoint_id"]
    assert endpoint_id.startswith("e-") and endpoint["fallback_config"] == {"strategy": "SEQUENTIAL", "max_attempts": 2}
    assert sorted(m["linkage_type"] for m in endpoint["model_mappings"]) == ["FALLBACK", "PRIMARY"]
    refused(client.post(f"{API}/endpoints/create", json={"name": "chat", "model_configs": [
        {"model_definition_id": first["model_definition_id"]}]}), "RESOURCE_ALREADY_EXISTS")
    in_use = refused(delete(client, "model-definitions/delete", {"model_definition_id": first["model_definition_id"]}))
    assert endpoint_id in in_use

    ok(client.post(f"{API}/endpoints/models/detach", json={"endpoint_id": endpoint_id,
                                                          "model_definition_id": second["model_definition_id"]}))
    mapping = ok(client.post(f"{API}/endpoints/models/attach", json={
        "endpoint_id": endpoint_id, "model_config": {"model_definition_id": second["model_definition_id"], "weight": 3}}))
    assert mapping["mapping"]["weight"] == 3 and mapping["mapping"]["model_definition"]["name"] == "claude"
    refused(client.post(f"{API}/endpoints/models/attach", json={
        "endpoint_id": endpoint_id, "model_config": {"model_definition_id": second["model_definition_id"]}}),
        "RESOURCE_ALREADY_EXISTS")

    ok(client.post(f"{API}/endpoints/set-tag", json={"endpoint_id": endpoint_id, "key": "team", "value": "a"}))
    ok(client.post(f"{API}/endpoints/set-tag", json={"endpoint_id": endpoint_id, "key": "team", "value": "b"}))
    got = ok(client.get(f"{API}/endpoints/get", params={"endpoint_id": endpoint_id}))["endpoint"]
    assert got["tags"] == [{"key": "team", "value": "b"}]
    ok(delete(client, "endpoints/delete-tag", {"endpoint_id": endpoint_id, "key": "team"}))

    binding = {"endpoint_id": endpoint_id, "resource_type": "scorer", "resource_id": "job-1"}
    assert ok(client.post(f"{API}/endpoints/bindings/create", json=binding))["binding"]["resource_id"] == "job-1"
    refused(client.post(f"{API}/endpoints/bindings/create", json=binding), "RESOURCE_ALREADY_EXISTS")
    listed = ok(client.get(f"{API}/endpoints/bindings/list", params={"endpoint_id": endpoint_id}))["bindings"]
    assert [b["resource_type"] for b in listed] == ["scorer"]
    ok(delete(client, "endpoints/bindings/delete", binding))
    refused(delete(client, "endpoints/bindings/delete", binding), "RESOURCE_DOES_NOT_EXIST", 404)

    renamed = ok(client.post(f"{API}/endpoints/update", json={
        "endpoint_id": endpoint_id, "name": "chat2", "updated_by": "bo",
        "model_configs": [{"model_definition_id": first["model_definition_id"]}]}))["endpoint"]
    assert renamed["name"] == "chat2" and len(renamed["model_mappings"]) == 1 and "fallback_config" not in renamed
    ok(delete(client, "endpoints/delete", {"endpoint_id": endpoint_id}))
    refused(delete(client, "endpoints/delete", {"endpoint_id": endpoint_id}), "RESOURCE_DOES_NOT_EXIST", 404)
    assert ok(delete(client, "model-definitions/delete", {"model_definition_id": first["model_definition_id"]})) == {}


def test_budgets(any_client):
    client = any_client
    body = {"budget_unit": "USD", "budget_amount": 25.5, "duration": {"unit": "DAYS", "value": 7},
            "target_scope": "GLOBAL", "budget_action": "ALERT"}
    policy = ok(client.post(f"{API}/budgets/create", json=body))["budget_policy"]
    assert policy["budget_policy_id"].startswith("bp-") and policy["duration"] == {"unit": "DAYS", "value": 7}
    refused(client.post(f"{API}/budgets/create", json={**body, "target_scope": "ENDPOINT", "target_value": "e-x"}),
            "RESOURCE_DOES_NOT_EXIST", 404)
    refused(client.post(f"{API}/budgets/create", json={**body, "duration": {"unit": "DAYS", "value": 0}}))
    refused(client.post(f"{API}/budgets/create", json={**body, "budget_amount": "lots"}))
    ok(client.post(f"{API}/budgets/create", json={**body, "budget_action": 2}))
    updated = ok(client.post(f"{API}/budgets/update", json={"budget_policy_id": policy["budget_policy_id"],
                                                            "budget_amount": 99}))["budget_policy"]
    assert updated["budget_amount"] == 99 and updated["budget_action"] == "ALERT"
    page = ok(client.get(f"{API}/budgets/list", params={"max_results": 1}))
    assert len(page["budget_policies"]) == 1 and page["next_page_token"]
    rest = ok(client.get(f"{API}/budgets/list", params={"max_results": 1, "page_token": page["next_page_token"]}))
    assert rest["budget_policies"][0]["budget_action"] == "REJECT" and "next_page_token" not in rest
    ok(delete(client, "budgets/delete", {"budget_policy_id": policy["budget_policy_id"]}))
    refused(client.get(f"{API}/budgets/get", params={"budget_policy_id": policy["budget_policy_id"]}),
            "RESOURCE_DOES_NOT_EXIST", 404)


def test_bad_bodies_are_4xx(client):
    for path in ("endpoints/create", "model-definitions/update", "budgets/create", "endpoints/models/attach"):
        assert client.post(f"{API}/{path}", content=b"not json").status_code == 400
        assert client.post(f"{API}/{path}", json=["a list"]).status_code == 400
    refused(client.post(f"{API}/endpoints/create", json={"name": 5, "model_configs": []}))


READ_ENDPOINT = textwrap.dedent("""
    import json, sys
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    store = SqlAlchemyStore(sys.argv[1], sys.argv[2])
    endpoint = store.get_gateway_endpoint(name="chat")
    print(json.dumps({"models": [m.model_definition.model_name for m in endpoint.model_mappings],
                      "tags": {t.key: t.value for t in endpoint.tags},
                      "budgets": [p.budget_amount for p in store.list_budget_policies()],
                      "secret": store._get_decrypted_secret(endpoint.model_mappings[0].model_definition.secret_id)}))
""")


def test_mlflow_reads_what_mlf_wrote(client):
    model = make_model(client)
    endpoint = ok(client.post(f"{API}/endpoints/create", json={
        "name": "chat", "model_configs": [{"model_definition_id": model["model_definition_id"]}]}))["endpoint"]
    ok(client.post(f"{API}/endpoints/set-tag", json={"endpoint_id": endpoint["endpoint_id"], "key": "k", "value": "v"}))
    ok(client.post(f"{API}/budgets/create", json={
        "budget_unit": "USD", "budget_amount": 3, "duration": {"unit": "HOURS", "value": 1}, "target_scope": "ENDPOINT",
        "target_value": endpoint["endpoint_id"], "budget_action": "REJECT"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["MLFLOW_CRYPTO_KEK_PASSPHRASE"] = PASSPHRASE
    read = subprocess.run([mlflow_python(), "-c", READ_ENDPOINT, client.uri, str(client.folder / "artifacts")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert read.returncode == 0, read.stderr[-3000:]
    assert json.loads(read.stdout.strip().splitlines()[-1]) == {
        "models": ["gpt-4o-mini"], "tags": {"k": "v"}, "budgets": [3.0], "secret": {"api_key": "sk-writes-test-4321"}}


def test_usage_tracking_makes_the_gateway_experiment(client):
    model = make_model(client)
    endpoint = ok(client.post(f"{API}/endpoints/create", json={
        "name": "tracked", "usage_tracking": True,
        "model_configs": [{"model_definition_id": model["model_definition_id"]}]}))["endpoint"]
    assert endpoint["usage_tracking"] is True and endpoint["experiment_id"]
    experiment = ok(client.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": endpoint["experiment_id"]}))
    tags = {t["key"]: t["value"] for t in experiment["experiment"]["tags"]}
    assert experiment["experiment"]["name"] == "gateway/tracked"
    assert tags["mlflow.experiment.sourceId"] == endpoint["endpoint_id"] and tags["mlflow.experiment.isGateway"] == "true"
    refused(client.post(f"{API}/endpoints/create", json={
        "name": "tracked", "usage_tracking": True, "model_configs": [{"model_definition_id": model["model_definition_id"]}]}),
        "RESOURCE_ALREADY_EXISTS")
