"""The provider pass-through routes of `mlf server`'s gateway, configured through its own REST
API on an mlf-created database, against a fake provider on loopback: the body goes upstream
untranslated with the stored key and the model name, the answer comes back as sent, streams
are relayed, and an endpoint of another provider family is refused."""

import pytest

from tests.gateway.fake_upstream import FakeUpstream, sse
from tests.gateway.test_server_writes import API, client, ok  # noqa: F401  (client is a fixture)

PROVIDERS = {"openai": "sk-openai-pass-1111", "anthropic": "sk-ant-pass-2222", "gemini": "gm-pass-3333"}
OPEN_NETWORK = {"MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES": "http,https", "MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS": "true"}


@pytest.fixture
def upstream():
    fake = FakeUpstream().start()
    yield fake
    fake.stop()


@pytest.fixture
def gateway(client, upstream, monkeypatch):  # noqa: F811
    for name, value in OPEN_NETWORK.items():
        monkeypatch.setenv(name, value)
    bases = {"openai": "/v1", "anthropic": "/anthropic/v1", "gemini": "/v1beta/models"}
    for provider, key in PROVIDERS.items():
        secret = ok(client.post(f"{API}/secrets/create", json={
            "secret_name": f"{provider}-key", "secret_value": {"api_key": key}, "provider": provider,
            "auth_config": {"api_base": upstream.url + bases[provider]}}))["secret"]
        model = ok(client.post(f"{API}/model-definitions/create", json={
            "name": provider, "secret_id": secret["secret_id"], "provider": provider, "model_name": f"{provider}-model"}))
        ok(client.post(f"{API}/endpoints/create", json={
            "name": f"{provider}-ep", "model_configs": [{"model_definition_id": model["model_definition"]["model_definition_id"]}]}))
    return client


def test_openai_chat_and_embeddings_pass_through(gateway, upstream):
    answer = {"id": "x", "object": "chat.completion", "choices": [], "custom": "kept as sent"}
    upstream.reply(answer)
    got = gateway.post("/gateway/openai/v1/chat/completions",
                       json={"model": "openai-ep", "messages": [{"role": "user", "content": "hi"}], "seed": 7})
    assert got.status_code == 200 and got.json() == answer
    seen = upstream.requests[-1]
    assert seen.path == "/v1/chat/completions" and seen.headers["authorization"] == "Bearer sk-openai-pass-1111"
    assert seen.body == {"messages": [{"role": "user", "content": "hi"}], "seed": 7, "model": "openai-model"}
    upstream.reply({"object": "list", "data": []})
    ok(gateway.post("/gateway/openai/v1/embeddings", json={"model": "openai-ep", "input": "a"}))
    assert upstream.requests[-1].path == "/v1/embeddings"
    upstream.reply({"id": "resp_1", "object": "response"})
    assert ok(gateway.post("/gateway/openai/v1/responses", json={"model": "openai-ep", "input": "a"}))["id"] == "resp_1"
    assert upstream.requests[-1].path == "/v1/responses"
    assert "sk-openai-pass-1111" not in got.text


def test_anthropic_and_gemini_pass_through(gateway, upstream):
    upstream.reply({"id": "msg_1", "type": "message", "content": [{"type": "text", "text": "yo"}]})
    body = {"model": "anthropic-ep", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
    assert ok(gateway.post("/gateway/anthropic/v1/messages", json=body))["id"] == "msg_1"
    seen = upstream.requests[-1]
    assert (seen.path, seen.headers["x-api-key"], seen.body["model"]) == ("/anthropic/v1/messages", "sk-ant-pass-2222",
                                                                           "anthropic-model")
    assert seen.body["messages"] == body["messages"]

    upstream.reply({"candidates": [{"content": {"parts": [{"text": "g"}]}}]})
    contents = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    assert ok(gateway.post("/gateway/gemini/v1beta/models/gemini-ep:generateContent", json=contents))["candidates"]
    seen = upstream.requests[-1]
    assert (seen.path, seen.headers["x-goog-api-key"], seen.body) == (
        "/v1beta/models/gemini-model:generateContent", "gm-pass-3333", contents)

    upstream.reply_stream(sse({"candidates": [{"content": {"parts": [{"text": "a"}]}}]}, done=False))
    streamed = gateway.post("/gateway/gemini/v1beta/models/gemini-ep:streamGenerateContent", json=contents)
    assert streamed.status_code == 200 and streamed.headers["content-type"].startswith("text/event-stream")
    assert '"text": "a"' in streamed.text
    assert upstream.requests[-1].query == "alt=sse"


def test_streams_and_refusals(gateway, upstream):
    upstream.reply_stream(sse({"choices": [{"delta": {"content": "he"}}]}, {"choices": [{"delta": {"content": "y"}}]}))
    streamed = gateway.post("/gateway/openai/v1/chat/completions",
                            json={"model": "openai-ep", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
    assert streamed.status_code == 200 and streamed.text.count("data: ") == 3 and streamed.text.endswith("data: [DONE]\n\n")
    assert upstream.requests[-1].body["stream"] is True

    wrong = gateway.post("/gateway/anthropic/v1/messages", json={"model": "openai-ep", "messages": []})
    assert wrong.status_code == 400 and "openai" in wrong.json()["detail"]
    missing = gateway.post("/gateway/openai/v1/chat/completions", json={"model": "nope", "messages": []})
    assert missing.status_code == 404
    assert gateway.post("/gateway/openai/v1/chat/completions", json={"messages": []}).status_code == 400
    assert gateway.post("/gateway/openai/v1/chat/completions", content=b"{").status_code == 400

    upstream.reply({"error": {"message": "bad key"}}, status=401)
    failed = gateway.post("/gateway/openai/v1/chat/completions", json={"model": "openai-ep", "messages": []})
    assert failed.status_code == 401 and failed.json()["detail"] == {"error": {"message": "bad key"}}


def test_provider_catalog_routes(client, monkeypatch):  # noqa: F811
    ajax = "/ajax-api/3.0/mlflow/gateway"
    providers = ok(client.get(f"{ajax}/supported-providers"))["providers"]
    assert {"openai", "anthropic", "gemini", "bedrock", "azure"} <= set(providers) and providers == sorted(providers)
    config = ok(client.get(f"{ajax}/provider-config", params={"provider": "anthropic"}))
    assert config["default_mode"] == "api_key"
    assert [f["name"] for f in config["auth_modes"][0]["secret_fields"]] == ["api_key"]
    bedrock = ok(client.get(f"{ajax}/provider-config", params={"provider": "amazon-bedrock"}))
    assert [m["mode"] for m in bedrock["auth_modes"]] == ["access_keys", "iam_role"]
    missing = client.get(f"{ajax}/provider-config")
    assert (missing.status_code, missing.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert client.get(f"{ajax}/provider-config", params={"provider": "vertex_ai"}).status_code == 400
    assert ok(client.get(f"{ajax}/secrets/config")) == {"secrets_available": True, "using_default_passphrase": False}
    monkeypatch.setenv("MLFLOW_GATEWAY_ALLOWED_PROVIDERS", "openai")
    assert ok(client.get(f"{ajax}/supported-providers"))["providers"] == ["openai"]
    refused = client.get(f"{ajax}/provider-config", params={"provider": "anthropic"})
    assert refused.status_code == 400 and "not allowed" in refused.json()["message"]


def test_unknown_provider_of_a_stored_model_is_a_400(gateway):
    ok(gateway.post(f"{API}/model-definitions/update", json={
        "model_definition_id": ok(gateway.get(f"{API}/model-definitions/list"))["model_definitions"][0]["model_definition_id"],
        "provider": "vertex_ai"}))
    endpoint = ok(gateway.get(f"{API}/model-definitions/list"))["model_definitions"][0]["name"]
    refused = gateway.post(f"/gateway/{endpoint}-ep/mlflow/invocations", json={"messages": [{"role": "user", "content": "x"}]})
    assert refused.status_code == 400 and "vertex_ai" in refused.json()["detail"]


def test_raw_proxy(gateway, upstream):
    upstream.reply({"ok": 1})
    body = {"model": "caller-picked", "messages": [{"role": "user", "content": "hi"}]}
    assert ok(gateway.post("/gateway/proxy/openai-ep/chat/completions?x=1", json=body)) == {"ok": 1}
    seen = upstream.requests[-1]
    assert (seen.path, seen.query, seen.body) == ("/v1/chat/completions", "x=1", body)
    assert seen.headers["authorization"] == "Bearer sk-openai-pass-1111"
    upstream.reply_stream(sse({"candidates": []}, done=False))
    streamed = gateway.post("/gateway/proxy/gemini-ep/gemini-model:streamGenerateContent?alt=sse", json={"contents": []})
    assert streamed.headers["content-type"].startswith("text/event-stream") and "candidates" in streamed.text
    assert upstream.requests[-1].headers["x-goog-api-key"] == "gm-pass-3333"
    before = len(upstream.requests)
    escaping = gateway.post("/gateway/proxy/openai-ep/a/%2E%2E/%2E%2E/b", json={})  # the client would fold a plain ../
    assert escaping.status_code == 400 and "relative path" in escaping.json()["detail"]
    assert gateway.post("/gateway/proxy/nope/chat", json={}).status_code == 404
    assert len(upstream.requests) == before
