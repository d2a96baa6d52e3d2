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
