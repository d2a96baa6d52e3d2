"""What every provider is: a pure translation between the gateway's OpenAI shapes and one
upstream wire format, plus the default I/O that drives it over the shared upstream client (runtime/gateway/http.py).

A provider builds an UpstreamRequest from a checked payload, turns the upstream JSON into an
OpenAI-shaped answer (with `provider`), and turns each upstream stream event into zero or more
OpenAI chunks. Only `invoke`/`stream` touch the network, so translations are testable alone.
"""

import json
import time
import uuid
from dataclasses import dataclass, field

from runtime.gateway.errors import GatewayError

KIND_OF_TYPE = {"llm/v1/chat": "chat", "llm/v1/completions": "completions", "llm/v1/embeddings": "embeddings"}


@dataclass
class UpstreamRequest:
    url: str
    headers: dict
    json: dict | None
    method: str = "POST"
    params: dict = field(default_factory=dict)


class Provider:
    NAME = ""
    SECRET_KEYS = frozenset()
    STREAMS = frozenset({"chat"})  # kinds this provider can stream
    STREAM_FORMAT = "sse"  # "sse" (data: lines) or "ndjson" (one JSON per line)

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.config = endpoint.config
        self.model = endpoint.model_name

    @classmethod
    def check_config(cls, config, endpoint_type, model_name):
        """Validate and complete the `model.config` mapping (defaults filled); ValueError on a problem."""
        return config

    # --- pure translation, overridden per provider -----------------------------------------
    def build(self, kind, payload, stream=False):
        raise GatewayError(400, f"The {kind} endpoint type is not supported by the {self.NAME} provider.")

    def translate(self, kind, body):
        raise NotImplementedError

    def translate_chunk(self, kind, event):
        """OpenAI chunks for one decoded upstream stream event (a dict)."""
        raise NotImplementedError

    # --- I/O ---------------------------------------------------------------------------------
    async def invoke(self, http, kind, payload):
        request = self.build(kind, payload, stream=False)
        response = await http.request(request.method, request.url, headers=request.headers,
                                      json=request.json, params=request.params or None)
        body = await read_json(response)
        return self.translate(kind, body)

    async def stream_batches(self, http, kind, payload):
        """Lists of OpenAI chunks, one list per upstream read, so the gateway relays each in one write."""
        if kind not in self.STREAMS:
            raise GatewayError(400, f"Streaming is not supported for {kind} on the {self.NAME} provider.")
        request = self.build(kind, payload, stream=True)
        async with http.stream(request.method, request.url, headers=request.headers,
                               json=request.json, params=request.params or None) as response:
            if response.status_code >= 400:
                await response.aread()
                await read_json(response)  # raises with the upstream's message
            async for events in iter_event_batches(response, self.STREAM_FORMAT):
                chunks = [chunk for event in events for chunk in self.translate_chunk(kind, event)]
                if chunks:
                    yield chunks

    async def stream(self, http, kind, payload):
        """The OpenAI chunks one by one (what a third-party provider may override instead)."""
        async for chunks in self.stream_batches(http, kind, payload):
            for chunk in chunks:
                yield chunk


async def read_json(response):
    """The upstream's JSON body; an upstream failure becomes a GatewayError with its status."""
    if response.status_code >= 400:
        text = response.text
        try:
            detail = json.loads(text)
        except ValueError:
            detail = text
        raise GatewayError(response.status_code, detail)
    try:
        return response.json()
    except ValueError:
        raise GatewayError(502, "The provider answered with a body that is not JSON.") from None


async def iter_event_batches(response, form):
    """Decoded JSON events of an upstream stream (SSE `data:` lines or newline-delimited JSON),
    grouped by the network read that brought them; ends at SSE's `[DONE]`."""
    async for lines in response.aiter_line_batches():
        events = []
        for line in lines:
            line = line.strip()
            if not line:
                continue
            if form == "sse":
                if not line.startswith("data:"):
                    continue  # event:, id:, retry: and comments carry nothing we use
                line = line[5:].strip()
                if line == "[DONE]":
                    if events:
                        yield events
                    return
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        if events:
            yield events


# --- helpers shared by the translations ---------------------------------------------------------
def new_id(prefix="chatcmpl"):
    return f"{prefix}-{uuid.uuid4().hex}"


def now():
    return int(time.time())


def usage(prompt=None, completion=None, total=None):
    if total is None and prompt is not None and completion is not None:
        total = prompt + completion
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}


def chat_response(provider, model, choices, usage_, id_=None, created=None):
    return {
        "id": id_ or new_id(),
        "object": "chat.completion",
        "created": created or now(),
        "model": model,
        "choices": choices,
        "usage": usage_,
        "provider": provider,
    }


def chat_chunk(provider, model, index, delta, finish_reason=None, id_=None, created=None, usage_=None):
    chunk = {
        "id": id_ or new_id(),
        "object": "chat.completion.chunk",
        "created": created or now(),
        "model": model,
        "choices": [{"index": index, "finish_reason": finish_reason, "delta": delta}],
        "provider": provider,
    }
    if usage_ is not None:
        chunk["usage"] = usage_
    return chunk


def completions_response(provider, model, choices, usage_, id_=None, created=None):
    return {
        "id": id_ or new_id("cmpl"),
        "object": "text_completion",
        "created": created or now(),
        "model": model,
        "choices": choices,
        "usage": usage_,
        "provider": provider,
    }


def completions_chunk(provider, model, index, text, finish_reason=None, id_=None, created=None):
    return {
        "id": id_ or new_id("cmpl"),
        "object": "text_completion_chunk",
        "created": created or now(),
        "model": model,
        "choices": [{"index": index, "finish_reason": finish_reason, "text": text}],
        "provider": provider,
    }


def embeddings_response(provider, model, vectors, prompt_tokens=None):
    return {
        "object": "list",
        "data": [{"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(vectors)],
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        "provider": provider,
    }


def require(config, *keys):
    for key in keys:
        if not config.get(key):
            raise ValueError(f"model.config needs '{key}'")


def without(payload, *keys):
    return {k: v for k, v in payload.items() if k not in keys}


def as_list(value):
    return [value] if isinstance(value, str) else list(value)


def join_url(base, path):
    return base.rstrip("/") + "/" + path.lstrip("/")
