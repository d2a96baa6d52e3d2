"""Cohere's v1 API: `/chat` (last user message + history + preamble), `/generate` and `/embed`.
Its streams are newline-delimited JSON events. OpenAI's temperature (0..2) maps to Cohere's 0..5."""

from runtime.gateway.errors import GatewayError
from runtime.gateway.providers.base import (
    Provider, UpstreamRequest, chat_chunk, chat_response, completions_chunk, completions_response,
    embeddings_response, join_url, require, usage,
)

_FINISH = {"COMPLETE": "stop", "MAX_TOKENS": "length", "STOP_SEQUENCE": "stop"}
_ROLES = {"user": "USER", "assistant": "CHATBOT"}


def _tokens(body):
    units = (body.get("meta") or {}).get("billed_units") or {}
    return units.get("input_tokens"), units.get("output_tokens")


class Cohere(Provider):
    NAME = "cohere"
    SECRET_KEYS = frozenset({"cohere_api_key"})
    STREAMS = frozenset({"chat", "completions"})
    STREAM_FORMAT = "ndjson"

    @classmethod
    def check_config(cls, config, endpoint_type, model_name):
        require(config, "cohere_api_key")
        config.setdefault("cohere_api_base", "https://api.cohere.ai/v1")
        return config

    def _request(self, path, body):
        headers = {"Authorization": f"Bearer {self.config['cohere_api_key']}"}
        return UpstreamRequest(join_url(self.config["cohere_api_base"], path), headers, body)

    def _knobs(self, payload):
        body = {"model": self.model}
        if payload.get("temperature") is not None:
            body["temperature"] = payload["temperature"] * 2.5
        for key in ("max_tokens", "p", "k"):
            if payload.get(key) is not None:
                body[key] = payload[key]
        if payload.get("top_p") is not None:
            body["p"] = payload["top_p"]
        return body

    def build(self, kind, payload, stream=False):
        if kind == "embeddings":
            texts = [payload["input"]] if isinstance(payload["input"], str) else payload["input"]
            return self._request("embed", {"model": self.model, "texts": texts})
        body = self._knobs(payload)
        if stream:
            body["stream"] = True
        if kind == "completions":
            body["prompt"] = payload["prompt"]
            if payload.get("stop"):
                body["stop_sequences"] = payload["stop"]
            body["num_generations"] = payload.get("n", 1)
            return self._request("generate", body)
        if payload.get("stop"):
            raise GatewayError(422, "Parameter stop is not supported.")
        if payload.get("n", 1) != 1:
            raise GatewayError(422, "Parameter n must be 1 for the Cohere provider.")
        messages = payload["messages"]
        if messages[-1].get("role") != "user":
            raise GatewayError(422, "The last message must be from the user.")
        preamble = "\n".join(m["content"] for m in messages if m.get("role") == "system")
        history = [{"role": _ROLES[m["role"]], "message": m.get("content")} for m in messages[:-1]
                   if m.get("role") in _ROLES]
        body["message"] = messages[-1].get("content")
        if history:
            body["chat_history"] = history
        if preamble:
            body["preamble_override"] = preamble
        return self._request("chat", body)

    def translate(self, kind, body):
        prompt, completion = _tokens(body)
        if kind == "embeddings":
            return embeddings_response(self.NAME, self.model, body.get("embeddings") or [], prompt)
        if kind == "completions":
            choices = [{"index": i, "text": g.get("text", ""), "finish_reason": _FINISH.get(g.get("finish_reason"), "stop")}
                       for i, g in enumerate(body.get("generations") or [])]
            return completions_response(self.NAME, self.model, choices, usage(prompt, completion), id_=body.get("id"))
        choice = {"index": 0, "message": {"role": "assistant", "content": body.get("text")},
                  "finish_reason": _FINISH.get(body.get("finish_reason"), "stop")}
        return chat_response(self.NAME, self.model, [choice], usage(prompt, completion), id_=body.get("response_id"))

    def translate_chunk(self, kind, event):
        if kind == "completions":
            if event.get("is_finished"):
                return [completions_chunk(self.NAME, self.model, event.get("index", 0), "",
                                          _FINISH.get(event.get("finish_reason"), "stop"))]
            return [completions_chunk(self.NAME, self.model, event.get("index", 0), event.get("text", ""))]
        kind_of_event = event.get("event_type")
        if kind_of_event == "stream-start":
            self._stream_id = event.get("generation_id")
        elif kind_of_event == "text-generation":
            return [chat_chunk(self.NAME, self.model, 0, {"role": "assistant", "content": event.get("text", "")},
                               id_=getattr(self, "_stream_id", None))]
        elif kind_of_event == "stream-end":
            return [chat_chunk(self.NAME, self.model, 0, {}, _FINISH.get(event.get("finish_reason"), "stop"),
                               id_=getattr(self, "_stream_id", None))]
        return []
