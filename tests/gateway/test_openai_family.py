"""OpenAI, Azure OpenAI and the OpenAI-compatible providers against a fake upstream on loopback:
the exact upstream request and the translated answer, streaming included."""

import pytest

from tests.gateway.conftest import endpoint
from tests.gateway.fake_upstream import sse, sse_events

CHAT_ANSWER = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}


def test_openai_chat_request_and_answer(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "openai", "gpt-4o-mini",
                                             {"openai_api_key": "sk-test", "openai_api_base": upstream.url + "/v1",
                                              "openai_organization": "org-1"})]})
    upstream.reply(CHAT_ANSWER)
    response = client.post("/endpoints/chat/invocations",
                           json={"messages": [{"role": "user", "content": "Hello"}], "temperature": 0.3})
    assert response.status_code == 200
    seen = upstream.requests[0]
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.headers["openai-organization"] == "org-1"
    assert seen.body == {"messages": [{"role": "user", "content": "Hello"}], "temperature": 0.3, "n": 1,
                         "model": "gpt-4o-mini"}
    assert response.json() == {**CHAT_ANSWER, "provider": "openai"}


def test_openai_completions_and_embeddings(upstream, gateway):
    config = {"openai_api_key": "sk-test", "openai_api_base": upstream.url + "/v1"}
    client = gateway({"endpoints": [endpoint("comp", "llm/v1/completions", "openai", "gpt-3.5-turbo-instruct", config),
                                    endpoint("emb", "llm/v1/embeddings", "openai", "text-embedding-3-small", config)]})
    upstream.reply({"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "gpt-3.5-turbo-instruct",
                    "choices": [{"index": 0, "text": "world", "finish_reason": "length"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
    answer = client.post("/gateway/comp/invocations", json={"prompt": "hello", "max_tokens": 3}).json()
    assert upstream.requests[0].path == "/v1/completions"
    assert upstream.requests[0].body == {"prompt": "hello", "max_tokens": 3, "n": 1, "model": "gpt-3.5-turbo-instruct"}
    assert answer["choices"] == [{"index": 0, "text": "world", "finish_reason": "length"}]
    assert answer["provider"] == "openai"

    upstream.reply({"object": "list", "data": [{"object": "embedding", "embedding": [0.1, 0.2], "index": 0}],
                    "model": "text-embedding-3-small", "usage": {"prompt_tokens": 2, "total_tokens": 2}})
    answer = client.post("/v1/embeddings", json={"model": "emb", "input": "hi"}).json()
    assert upstream.requests[1].path == "/v1/embeddings"
    assert upstream.requests[1].body == {"input": "hi", "model": "text-embedding-3-small"}
    assert answer == {"object": "list", "data": [{"object": "embedding", "embedding": [0.1, 0.2], "index": 0}],
                      "model": "text-embedding-3-small", "usage": {"prompt_tokens": 2, "total_tokens": 2},
                      "provider": "openai"}


def test_openai_streaming_asks_for_usage_and_ends_with_done(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "openai", "gpt-4o-mini",
                                             {"openai_api_key": "sk-test", "openai_api_base": upstream.url})]})
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": None}]}
    upstream.reply_stream(sse(chunk, {**chunk, "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}))
    response = client.post("/v1/chat/completions",
                           json={"model": "chat", "messages": [{"role": "user", "content": "x"}], "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert upstream.requests[0].body["stream"] is True
    assert upstream.requests[0].body["stream_options"] == {"include_usage": True}
    events = sse_events(response)
    assert events[0]["choices"][0]["delta"]["content"] == "Hi"
    assert events[0]["provider"] == "openai"
    assert events[1]["usage"]["total_tokens"] == 2


def test_azure_deployment_url_key_header_and_no_model(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "azure", "gpt-4o", {
        "openai_api_key": "az-key", "openai_api_base": upstream.url, "openai_deployment_name": "dep1",
        "openai_api_version": "2024-02-01"})]})
    upstream.reply(CHAT_ANSWER)
    assert client.post("/endpoints/chat/invocations", json={"messages": [{"role": "user", "content": "x"}]}).status_code == 200
    seen = upstream.requests[0]
    assert seen.path == "/openai/deployments/dep1/chat/completions"
    assert seen.query == "api-version=2024-02-01"
    assert seen.headers["api-key"] == "az-key" and "authorization" not in seen.headers
    assert "model" not in seen.body


def test_azuread_uses_bearer(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "openai", "gpt-4o", {
        "openai_api_type": "azuread", "openai_api_key": "tok", "openai_api_base": upstream.url,
        "openai_deployment_name": "d", "openai_api_version": "v"})]})
    upstream.reply(CHAT_ANSWER)
    client.post("/endpoints/chat/invocations", json={"messages": [{"role": "user", "content": "x"}]})
    assert upstream.requests[0].headers["authorization"] == "Bearer tok"


@pytest.mark.parametrize("provider, key_field, base_field", [
    ("deepseek", "api_key", "api_base"), ("groq", "api_key", "api_base"), ("xai", "api_key", "api_base"),
    ("openrouter", "api_key", "api_base"), ("ollama", "api_key", "api_base"),
    ("togetherai", "togetherai_api_key", "togetherai_api_base"),
])
def test_openai_compatible_providers(upstream, gateway, provider, key_field, base_field):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", provider, "m1",
                                             {key_field: "k-1", base_field: upstream.url + "/v1"})]})
    upstream.reply(CHAT_ANSWER)
    answer = client.post("/endpoints/chat/invocations", json={"messages": [{"role": "user", "content": "x"}]}).json()
    seen = upstream.requests[0]
    assert (seen.path, seen.headers["authorization"]) == ("/v1/chat/completions", "Bearer k-1")
    assert seen.body["model"] == "m1"
    assert answer["provider"] == provider and answer["choices"][0]["message"]["content"] == "Hi!"
    chunk = {"id": "c", "created": 1, "model": "m1", "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": None}]}
    upstream.reply_stream(sse(chunk))
    events = sse_events(client.post("/endpoints/chat/invocations",
                                 json={"messages": [{"role": "user", "content": "x"}], "stream": True}))
    assert [e["choices"][0]["delta"]["content"] for e in events] == ["a"]


def test_ollama_needs_no_key(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "ollama", "llama3", {"api_base": upstream.url})]})
    upstream.reply(CHAT_ANSWER)
    client.post("/endpoints/chat/invocations", json={"messages": [{"role": "user", "content": "x"}]})
    assert upstream.requests[0].headers["authorization"] == "Bearer ollama"


def test_upstream_error_keeps_its_status_and_message(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "openai", "m",
                                             {"openai_api_key": "k", "openai_api_base": upstream.url})]})
    upstream.reply({"error": {"message": "bad key"}}, status=401)
    response = client.post("/endpoints/chat/invocations", json={"messages": [{"role": "user", "content": "x"}]})
    assert response.status_code == 401
    assert response.json() == {"detail": {"error": {"message": "bad key"}}}
