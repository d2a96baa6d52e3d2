"""Anthropic, Mistral, Cohere, Gemini and Bedrock against fake upstreams speaking their wire
formats: the exact upstream request and the OpenAI-shaped answer, streaming included."""

import json

from tests.gateway.conftest import endpoint
from tests.gateway.fake_upstream import sse, sse_events

USER = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]


def test_anthropic_chat(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "anthropic", "claude-3-5-haiku",
                                             {"anthropic_api_key": "ak", "anthropic_api_base": upstream.url + "/v1"})]})
    upstream.reply({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-3-5-haiku",
                    "content": [{"type": "text", "text": "Hi there"}], "stop_reason": "end_turn",
                    "usage": {"input_tokens": 9, "output_tokens": 3}})
    answer = client.post("/endpoints/chat/invocations",
                         json={"messages": USER, "temperature": 0.4, "stop": ["END"]}).json()
    seen = upstream.requests[0]
    assert seen.path == "/v1/messages"
    assert (seen.headers["x-api-key"], seen.headers["anthropic-version"]) == ("ak", "2023-06-01")
    assert seen.body == {"model": "claude-3-5-haiku", "messages": [{"role": "user", "content": "Hello"}],
                         "max_tokens": 8192, "system": "Be brief.", "stop_sequences": ["END"], "temperature": 0.2}
    assert answer["choices"] == [{"index": 0, "message": {"role": "assistant", "content": "Hi there"}, "finish_reason": "stop"}]
    assert answer["usage"] == {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}
    assert answer["provider"] == "anthropic" and answer["object"] == "chat.completion"


def test_anthropic_streaming_and_rules(upstream, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "anthropic", "claude",
                                             {"anthropic_api_key": "ak", "anthropic_api_base": upstream.url})]})
    upstream.reply_stream([
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_9"}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ])
    events = sse_events(client.post("/endpoints/chat/invocations", json={"messages": USER, "stream": True}))
    assert upstream.requests[0].body["stream"] is True
    assert "".join(e["choices"][0]["delta"].get("content", "") for e in events) == "Hello"
    assert events[-1]["choices"][0]["finish_reason"] == "stop" and events[0]["id"] == "msg_9"
    both = client.post("/endpoints/chat/invocations", json={"messages": USER, "temperature": 0.1, "top_p": 0.5})
    assert both.status_code == 422
    assert client.post("/endpoints/chat/invocations", json={"messages": USER, "n": 2}).status_code == 422
    assert len(upstream.requests) == 1


def test_mistral_chat_completions_embeddings(upstream, gateway):
    config = {"mistral_api_key": "mk", "mistral_api_base": upstream.url + "/v1"}
    client = gateway({"endpoints": [endpoint("comp", "llm/v1/completions", "mistral", "mistral-small", config),
                                    endpoint("emb", "llm/v1/embeddings", "mistral", "mistral-embed", config)]})
    upstream.reply({"id": "m1", "object": "chat.completion", "created": 2, "model": "mistral-small",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}})
    answer = client.post("/endpoints/comp/invocations", json={"prompt": "Say ok", "temperature": 1.0, "stop": ["x"]}).json()
    seen = upstream.requests[0]
    assert (seen.path, seen.headers["authorization"]) == ("/v1/chat/completions", "Bearer mk")
    assert seen.body == {"temperature": 0.5, "messages": [{"role": "user", "content": "Say ok"}], "model": "mistral-small"}
    assert answer["object"] == "text_completion" and answer["choices"][0]["text"] == "ok"
    upstream.reply({"id": "e", "object": "list", "data": [{"object": "embedding", "embedding": [1.0], "index": 0}],
                    "model": "mistral-embed", "usage": {"prompt_tokens": 1, "total_tokens": 1}})
    answer = client.post("/endpoints/emb/invocations", json={"input": ["a"]}).json()
    assert upstream.requests[1].path == "/v1/embeddings"
    assert upstream.requests[1].body == {"model": "mistral-embed", "input": ["a"]}
    assert answer["data"][0]["embedding"] == [1.0] and answer["provider"] == "mistral"


def test_cohere_chat_history_and_stream(upstream, gateway):
    config = {"cohere_api_key": "ck", "cohere_api_base": upstream.url + "/v1"}
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "cohere", "command-r", config)]})
    upstream.reply({"response_id": "r1", "text": "Sure", "finish_reason": "COMPLETE",
                    "meta": {"billed_units": {"input_tokens": 4, "output_tokens": 1}}})
    messages = USER + [{"role": "assistant", "content": "Hi"}, {"role": "user", "content": "More"}]
    answer = client.post("/endpoints/chat/invocations", json={"messages": messages, "temperature": 0.4}).json()
    seen = upstream.requests[0]
    assert (seen.path, seen.headers["authorization"]) == ("/v1/chat", "Bearer ck")
    assert seen.body == {"model": "command-r", "temperature": 1.0, "message": "More", "preamble_override": "Be brief.",
                         "chat_history": [{"role": "USER", "message": "Hello"}, {"role": "CHATBOT", "message": "Hi"}]}
    assert answer["choices"][0]["message"]["content"] == "Sure"
    assert answer["usage"] == {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5}
    upstream.reply_stream([
        json.dumps({"event_type": "stream-start", "generation_id": "g1"}) + "\n",
        json.dumps({"event_type": "text-generation", "text": "A"}) + "\n",
        json.dumps({"event_type": "stream-end", "finish_reason": "MAX_TOKENS"}) + "\n",
    ], media_type="application/stream+json")
    events = sse_events(client.post("/endpoints/chat/invocations", json={"messages": USER, "stream": True}))
    assert [e["choices"][0]["finish_reason"] for e in events] == [None, "length"]
    assert events[0]["choices"][0]["delta"]["content"] == "A"


def test_cohere_completions_and_embeddings(upstream, gateway):
    config = {"cohere_api_key": "ck", "cohere_api_base": upstream.url}
    client = gateway({"endpoints": [endpoint("comp", "llm/v1/completions", "cohere", "command", config),
                                    endpoint("emb", "llm/v1/embeddings", "cohere", "embed-english-v3.0", config)]})
    upstream.reply({"id": "g", "generations": [{"text": "one"}, {"text": "two"}], "meta": {}})
    answer = client.post("/endpoints/comp/invocations", json={"prompt": "p", "n": 2, "stop": ["."]}).json()
    assert upstream.requests[0].path == "/generate"
    assert upstream.requests[0].body == {"model": "command", "prompt": "p", "stop_sequences": ["."], "num_generations": 2}
    assert [c["text"] for c in answer["choices"]] == ["one", "two"]
    upstream.reply({"id": "e", "embeddings": [[0.5, 0.25]], "texts": ["hi"], "meta": {"billed_units": {"input_tokens": 1}}})
    answer = client.post("/endpoints/emb/invocations", json={"input": "hi"}).json()
    assert (upstream.requests[1].path, upstream.requests[1].body) == ("/embed", {"model": "embed-english-v3.0", "texts": ["hi"]})
    assert answer["data"] == [{"object": "embedding", "embedding": [0.5, 0.25], "index": 0}]


def test_gemini_chat_stream_and_embeddings(upstream, gateway):
    config = {"gemini_api_key": "gk", "gemini_api_base": upstream.url + "/v1beta/models"}
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "gemini", "gemini-2.0-flash", config),
                                    endpoint("emb", "llm/v1/embeddings", "gemini", "text-embedding-004", config)]})
    upstream.reply({"candidates": [{"content": {"role": "model", "parts": [{"text": "Yo"}]}, "finishReason": "MAX_TOKENS", "index": 0}],
                    "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1, "totalTokenCount": 4}})
    answer = client.post("/endpoints/chat/invocations",
                         json={"messages": USER, "max_tokens": 5, "stop": ["z"], "top_p": 0.9}).json()
    seen = upstream.requests[0]
    assert (seen.path, seen.headers["x-goog-api-key"]) == ("/v1beta/models/gemini-2.0-flash:generateContent", "gk")
    assert seen.body == {"contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
                         "system_instruction": {"parts": [{"text": "Be brief."}]},
                         "generationConfig": {"stopSequences": ["z"], "candidateCount": 1, "maxOutputTokens": 5, "topP": 0.9}}
    assert answer["choices"] == [{"index": 0, "message": {"role": "assistant", "content": "Yo"}, "finish_reason": "length"}]
    assert answer["usage"]["total_tokens"] == 4
    upstream.reply_stream(sse({"candidates": [{"content": {"parts": [{"text": "a"}]}, "index": 0}]},
                              {"candidates": [{"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP", "index": 0}]},
                              done=False))
    events = sse_events(client.post("/endpoints/chat/invocations", json={"messages": USER, "stream": True}))
    assert upstream.requests[1].path.endswith(":streamGenerateContent") and upstream.requests[1].query == "alt=sse"
    assert [e["choices"][0]["delta"]["content"] for e in events] == ["a", "b"]
    upstream.reply({"embeddings": [{"values": [0.1]}, {"values": [0.2]}]})
    answer = client.post("/endpoints/emb/invocations", json={"input": ["x", "y"]}).json()
    assert upstream.requests[2].path.endswith("text-embedding-004:batchEmbedContents")
    assert upstream.requests[2].body["requests"][1] == {"model": "models/text-embedding-004", "content": {"parts": [{"text": "y"}]}}
    assert [d["embedding"] for d in answer["data"]] == [[0.1], [0.2]]


def test_bedrock_converse_through_boto3(upstream, gateway):
    aws = {"aws_region": "us-east-1", "aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "secret",
           "endpoint_url": upstream.url}
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "bedrock", "anthropic.claude-3-haiku", {"aws_config": aws})]})
    upstream.reply({"output": {"message": {"role": "assistant", "content": [{"text": "Hey"}]}}, "stopReason": "end_turn",
                    "usage": {"inputTokens": 5, "outputTokens": 1, "totalTokens": 6}})
    answer = client.post("/endpoints/chat/invocations", json={"messages": USER, "temperature": 0.5, "max_tokens": 20}).json()
    seen = upstream.requests[0]
    assert seen.path == "/model/anthropic.claude-3-haiku/converse"
    assert seen.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
    assert seen.body == {"messages": [{"role": "user", "content": [{"text": "Hello"}]}], "system": [{"text": "Be brief."}],
                         "inferenceConfig": {"temperature": 0.5, "maxTokens": 20}}
    assert answer["choices"] == [{"index": 0, "message": {"role": "assistant", "content": "Hey"}, "finish_reason": "stop"}]
    assert answer["usage"] == {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}
    assert answer["provider"] == "bedrock"


def test_bedrock_titan_embeddings(upstream, gateway):
    aws = {"aws_region": "us-east-1", "aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "s", "endpoint_url": upstream.url}
    client = gateway({"endpoints": [endpoint("emb", "llm/v1/embeddings", "bedrock", "amazon.titan-embed-text-v2:0", {"aws_config": aws})]})
    upstream.reply({"embedding": [0.3], "inputTextTokenCount": 2})
    answer = client.post("/endpoints/emb/invocations", json={"input": "hi"}).json()
    assert upstream.requests[0].path == "/model/amazon.titan-embed-text-v2:0/invoke"
    assert upstream.requests[0].body == {"inputText": "hi"}
    assert answer["data"][0]["embedding"] == [0.3] and answer["usage"]["prompt_tokens"] == 2
