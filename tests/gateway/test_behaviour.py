"""Gateway behaviour: config validation (mlflow's messages), $VAR and file keys, routes and
listings, rate limits on every path, traffic split proportions, hot reload."""

import base64
import json
import threading
import time

import pytest
import yaml

from runtime.gateway.config import GatewayConfigError, parse_config, read_config_file
from tests.gateway.conftest import endpoint

ANSWER = {"id": "x", "object": "chat.completion", "created": 1, "model": "m",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
MESSAGES = {"messages": [{"role": "user", "content": "hi"}]}


def openai_endpoint(name, base, limit=None, endpoint_type="llm/v1/chat"):
    return endpoint(name, endpoint_type, "openai", "m", {"openai_api_key": "k", "openai_api_base": base}, limit)


@pytest.mark.parametrize("document, message", [
    ({"endpoints": [{"name": "a b", "endpoint_type": "llm/v1/chat", "model": {"provider": "openai", "config": {"openai_api_key": "k"}}}]},
     "The route name provided contains disallowed characters for a url endpoint. 'a b' is invalid."),
    ({"endpoints": [{"name": "a", "route_type": "llm/v1/chat", "model": {}}]},
     "The 'route_type' configuration key is not supported in the configuration file. Use 'endpoint_type' instead."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v1/chat", "model": {"provider": "nosuch"}}]},
     "The provider 'nosuch' is not supported."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v2/chat", "model": {"provider": "openai"}}]},
     "The route_type 'llm/v2/chat' is not supported."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v1/chat", "model": {"provider": "openai"}}]},
     "A config must be supplied when setting a provider. The provider entry for openai is incorrect."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v1/chat", "model": {"provider": "openai", "config": {"openai_api_key": "k"}}},
                    {"name": "a", "endpoint_type": "llm/v1/chat", "model": {"provider": "openai", "config": {"openai_api_key": "k"}}}]},
     "Duplicate names found in endpoint / route configurations."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v1/chat", "model": {"provider": "openai", "config": {"openai_api_key": "k"}}}],
      "routes": [{"name": "r", "task_type": "llm/v1/chat", "destinations": [{"name": "a", "traffic_percentage": 60}]}]},
     "For each route configuration, the traffic percentage sum of destinations must be 100, but got invalid configuration of route 'r'."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v1/chat", "model": {"provider": "openai", "config": {"openai_api_key": "k"}}}],
      "routes": [{"name": "r", "task_type": "llm/v1/chat", "destinations": [{"name": "zz", "traffic_percentage": 100}]}]},
     "The route destination name must be a endpoint name, but the route 'r' has an invalid destination name 'zz'."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v1/chat", "limit": {"calls": 0, "renewal_period": "minute"},
                     "model": {"provider": "openai", "config": {"openai_api_key": "k"}}}]},
     "Failed to parse the rate limit configuration."),
    ({"endpoints": [{"name": "a", "endpoint_type": "llm/v1/chat", "model": {"provider": "openai", "config": {
        "openai_api_key": "k", "openai_api_type": "azure"}}}]},
     "must specify 'openai_api_base', 'openai_deployment_name', and 'openai_api_version'"),
])
def test_config_errors_use_mlflows_messages(document, message):
    with pytest.raises(GatewayConfigError) as caught:
        parse_config(document, {})
    assert message in str(caught.value)


def test_api_keys_from_env_file_and_literal(tmp_path):
    key_file = tmp_path / "key.txt"
    key_file.write_text("sk-from-file\n")
    document = {"endpoints": [endpoint(n, "llm/v1/chat", "openai", "m", {"openai_api_key": k})
                              for n, k in (("env", "$MY_KEY"), ("file", str(key_file)), ("lit", "sk-literal"))]}
    config = parse_config(document, {"MY_KEY": "sk-from-env"})
    assert [config.endpoints[n].config["openai_api_key"] for n in ("env", "file", "lit")] == ["sk-from-env", "sk-from-file", "sk-literal"]
    with pytest.raises(GatewayConfigError, match="Environment variable 'MY_KEY' is not set"):
        parse_config(document, {})


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(GatewayConfigError, match="does not exist"):
        read_config_file(str(tmp_path / "nope.yaml"), {})
    broken = tmp_path / "broken.yaml"
    broken.write_text("endpoints: [\n")
    with pytest.raises(GatewayConfigError, match="is not a valid yaml file"):
        read_config_file(str(broken), {})


def test_allowed_providers_policy():
    document = {"endpoints": [endpoint("a", "llm/v1/chat", "anthropic", "m", {"anthropic_api_key": "k"})]}
    with pytest.raises(GatewayConfigError, match="Provider 'anthropic' is not allowed by the current gateway provider policy."):
        parse_config(document, {"MLFLOW_GATEWAY_ALLOWED_PROVIDERS": "openai, mistral"})
    assert parse_config(document, {"MLFLOW_GATEWAY_ALLOWED_PROVIDERS": "openai,anthropic"}).endpoints["a"]


def test_listing_routes_and_errors(upstream, gateway):
    client = gateway({"endpoints": [openai_endpoint("chat", upstream.url, {"calls": 5, "renewal_period": "minute"}),
                                    openai_endpoint("emb", upstream.url, endpoint_type="llm/v1/embeddings")],
                      "routes": [{"name": "split", "task_type": "llm/v1/chat", "destinations": [{"name": "chat", "traffic_percentage": 100}]}]})
    assert client.get("/health").json() == {"status": "OK"}
    listed = client.get("/api/2.0/endpoints/").json()
    assert [e["name"] for e in listed["endpoints"]] == ["chat", "emb"] and "next_page_token" not in listed
    chat = {"name": "chat", "endpoint_type": "llm/v1/chat", "model": {"name": "m", "provider": "openai"},
            "endpoint_url": "/gateway/chat/invocations", "limit": {"calls": 5, "key": None, "renewal_period": "minute"}}
    assert client.get("/api/2.0/endpoints/chat").json() == chat
    assert client.get("/api/3.0/gateway/endpoint/chat").json() == chat
    assert client.get("/api/2.0/gateway/routes/chat").json()["route_type"] == "llm/v1/chat"
    assert client.get("/api/2.0/gateway/routes/").json()["routes"][1]["route_url"] == "/gateway/emb/invocations"
    assert client.get("/api/3.0/gateway/route/split").json() == {
        "name": "split", "task_type": "llm/v1/chat", "destinations": [{"name": "chat", "traffic_percentage": 100}],
        "routing_strategy": "TRAFFIC_SPLIT"}
    missing = client.get("/api/2.0/endpoints/nope")
    assert missing.status_code == 404 and "The endpoint 'nope' is not present" in missing.json()["detail"]
    assert client.get("/api/2.0/endpoints/limits/chat").status_code == 501
    wrong = client.post("/v1/embeddings", json={"model": "chat", "input": "x"})
    assert (wrong.status_code, wrong.json()) == (400, {"detail": "Endpoint 'chat' is not an embeddings endpoint."})
    assert client.post("/v1/chat/completions", json={"model": "zz", **MESSAGES}).status_code == 404
    with_model = client.post("/endpoints/chat/invocations", json={"model": "x", **MESSAGES})
    assert with_model.status_code == 422 and "'model' is not permitted" in with_model.json()["detail"]
    empty = client.post("/endpoints/chat/invocations", json={"messages": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "messages"]
    assert client.post("/endpoints/chat/invocations", content=b"{not json").status_code == 422
    assert client.post("/endpoints/nope/invocations", json=MESSAGES).status_code == 404
    bad_token = client.get("/api/2.0/endpoints/", params={"page_token": "zzz"})
    assert bad_token.status_code == 400
    token = base64.b64encode(json.dumps({"index": 1}).encode()).decode()
    assert [e["name"] for e in client.get("/api/2.0/endpoints/", params={"page_token": token}).json()["endpoints"]] == ["emb"]
    assert upstream.requests == []


@pytest.mark.parametrize("path, body", [
    ("/endpoints/chat/invocations", MESSAGES),
    ("/gateway/chat/invocations", MESSAGES),
    ("/v1/chat/completions", {"model": "chat", **MESSAGES}),
    ("/gateway/split/invocations", MESSAGES),
])
def test_rate_limit_on_every_path(upstream, gateway, path, body):
    client = gateway({"endpoints": [openai_endpoint("chat", upstream.url, {"calls": 2, "renewal_period": "minute"})],
                      "routes": [{"name": "split", "task_type": "llm/v1/chat", "destinations": [{"name": "chat", "traffic_percentage": 100}]}]})
    upstream.default = ("json", 200, ANSWER)
    assert [client.post(path, json=body).status_code for _ in range(2)] == [200, 200]
    limited = client.post(path, json=body)
    assert (limited.status_code, limited.json()) == (429, {"error": "Rate limit exceeded: 2 per 1 minute"})
    # the counter is the endpoint's, whichever path reached it
    assert client.post("/v1/chat/completions", json={"model": "chat", **MESSAGES}).status_code == 429
    assert len(upstream.requests) == 2


def test_traffic_split_proportions(upstream, gateway):
    client = gateway({"endpoints": [openai_endpoint("a", upstream.url + "/a"), openai_endpoint("b", upstream.url + "/b")],
                      "routes": [{"name": "r", "task_type": "llm/v1/chat",
                                  "destinations": [{"name": "a", "traffic_percentage": 80}, {"name": "b", "traffic_percentage": 20}]}]})
    upstream.default = ("json", 200, ANSWER)
    for _ in range(400):
        assert client.post("/gateway/r/invocations", json=MESSAGES).status_code == 200
    to_a = sum(r.path.startswith("/a/") for r in upstream.requests)
    assert 280 <= to_a <= 360  # 80% of 400 = 320; +-40 is beyond 4 standard deviations


def test_hot_reload_swaps_without_failing_requests_in_flight(upstream, gateway, caplog):
    client = gateway({"endpoints": [openai_endpoint("chat", upstream.url)]})
    upstream.default = ("json", 200, ANSWER)
    upstream.delay = 0.02
    results, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            results.append(client.post("/endpoints/chat/invocations", json=MESSAGES).status_code)

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        path = client.config_path
        gateway_object = client.app.state.gateway
        new = {"endpoints": [openai_endpoint("chat", upstream.url), openai_endpoint("chat2", upstream.url)]}
        path.write_text(yaml.safe_dump(new))
        _wait(lambda: "chat2" in gateway_object.state.endpoints)
        path.write_text("endpoints: [{name: 'bad name', endpoint_type: llm/v1/chat, model: {provider: openai}}]\n")
        _wait(lambda: "Invalid configuration" in caplog.text)
        assert "chat2" in gateway_object.state.endpoints
        time.sleep(0.2)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert results and set(results) == {200}
    assert client.get("/api/2.0/endpoints/chat2").status_code == 200


def _wait(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)
