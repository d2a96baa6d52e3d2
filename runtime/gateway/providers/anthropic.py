"""Anthropic's Messages API. Chat and completions both go to `{base}/messages` (the legacy
`/complete` route mlflow still calls is retired); system messages become `system`, tool calls
become tool_use / tool_result blocks, and OpenAI's temperature (0..2) is halved to Anthropic's 0..1.
"""

import json

from runtime.gateway.errors import GatewayError
from runtime.gateway.providers.base import (
    Provider, UpstreamRequest, chat_chunk, chat_response, completions_chunk, completions_response,
    join_url, require, usage,
)

DEFAULT_MAX_TOKENS = 8192
MAX_MAX_TOKENS = 1_000_000
_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}
_DROPPED = {"n", "stop", "max_tokens", "max_completion_tokens", "temperature", "stream", "stream_options",
            "messages", "prompt", "tools", "tool_choice", "model", "frequency_penalty", "presence_penalty"}


class Anthropic(Provider):
    NAME = "anthropic"
    SECRET_KEYS = frozenset({"anthropic_api_key"})
    STREAMS = frozenset({"chat", "completions"})

    @classmethod
    def check_config(cls, config, endpoint_type, model_name):
        require(config, "anthropic_api_key")
        config.setdefault("anthropic_version", "2023-06-01")
        config.setdefault("anthropic_api_base", "https://api.anthropic.com/v1")
        return config

    def build(self, kind, payload, stream=False):
        if kind == "embeddings":
            return super().build(kind, payload, stream)
        if payload.get("n", 1) != 1:
            raise GatewayError(422, "'n' must be '1' for the Anthropic provider. Received value: '%s'." % payload["n"])
        if payload.get("temperature") is not None and payload.get("top_p") is not None:
            raise GatewayError(422, "Cannot set both 'temperature' and 'top_p' parameters. Please use only the temperature parameter for your query.")
        max_tokens = payload.get("max_tokens") or payload.get("max_completion_tokens") or DEFAULT_MAX_TOKENS
        if max_tokens > MAX_MAX_TOKENS:
            raise GatewayError(422, f"Invalid value for max_tokens: cannot exceed {MAX_MAX_TOKENS}.")
        messages = payload["messages"] if kind == "chat" else [{"role": "user", "content": payload["prompt"]}]
        system, converted = _convert_messages(messages)
        body = {k: v for k, v in payload.items() if k not in _DROPPED}
        body.update({"model": self.model, "messages": converted, "max_tokens": max_tokens})
        if system:
            body["system"] = system
        if payload.get("stop"):
            body["stop_sequences"] = payload["stop"]
        if payload.get("temperature") is not None:
            body["temperature"] = payload["temperature"] * 0.5
        if payload.get("tools"):
            body["tools"] = [_tool(t) for t in payload["tools"]]
        if stream:
            body["stream"] = True
        headers = {"x-api-key": self.config["anthropic_api_key"], "anthropic-version": self.config["anthropic_version"]}
        return UpstreamRequest(join_url(self.config["anthropic_api_base"], "messages"), headers, body)

    def translate(self, kind, body):
        text = "".join(b.get("text", "") for b in body.get("content") or [] if b.get("type") == "text")
        tool_calls = [
            {"id": b["id"], "type": "function", "function": {"name": b["name"], "arguments": json.dumps(b.get("input", {}))}}
            for b in body.get("content") or [] if b.get("type") == "tool_use"
        ]
        raw = body.get("usage") or {}
        tokens = usage(raw.get("input_tokens"), raw.get("output_tokens"))
        finish = _FINISH.get(body.get("stop_reason"), body.get("stop_reason"))
        if kind == "completions":
            choice = {"index": 0, "text": text, "finish_reason": finish}
            return completions_response(self.NAME, body.get("model", self.model), [choice], tokens, id_=body.get("id"))
        message = {"role": "assistant", "content": text or None}
        if tool_calls:
            message["tool_calls"] = tool_calls
        choice = {"index": 0, "message": message, "finish_reason": finish}
        return chat_response(self.NAME, body.get("model", self.model), [choice], tokens, id_=body.get("id"))

    def translate_chunk(self, kind, event):
        kind_of_event = event.get("type")
        if kind_of_event == "message_start":
            self._stream_id = (event.get("message") or {}).get("id")
            return []
        stream_id = getattr(self, "_stream_id", None)
        if kind_of_event == "content_block_delta" and (event.get("delta") or {}).get("type") == "text_delta":
            text = event["delta"]["text"]
            if kind == "completions":
                return [completions_chunk(self.NAME, self.model, 0, text, id_=stream_id)]
            return [chat_chunk(self.NAME, self.model, 0, {"role": "assistant", "content": text}, id_=stream_id)]
        if kind_of_event == "message_delta":
            finish = _FINISH.get((event.get("delta") or {}).get("stop_reason"))
            if kind == "completions":
                return [completions_chunk(self.NAME, self.model, 0, "", finish, id_=stream_id)]
            return [chat_chunk(self.NAME, self.model, 0, {}, finish, id_=stream_id)]
        if kind_of_event == "error":
            raise GatewayError(502, (event.get("error") or {}).get("message", "The provider stream failed."))
        return []


def _tool(tool):
    function = tool.get("function") or {}
    converted = {"name": function.get("name"), "input_schema": function.get("parameters") or {"type": "object"}}
    if function.get("description"):
        converted["description"] = function["description"]
    return converted


def _convert_messages(messages):
    system, converted = [], []
    for message in messages:
        role, content = message.get("role"), message.get("content")
        if role == "system":
            system.append(content if isinstance(content, str) else "".join(p.get("text", "") for p in content or []))
        elif role == "tool":
            block = {"type": "tool_result", "tool_use_id": message.get("tool_call_id"), "content": content}
            converted.append({"role": "user", "content": [block]})
        elif role == "assistant" and message.get("tool_calls"):
            blocks = [{"type": "text", "text": content}] if content else []
            for call in message["tool_calls"]:
                function = call.get("function") or {}
                arguments = function.get("arguments") or "{}"
                blocks.append({"type": "tool_use", "id": call.get("id"), "name": function.get("name"),
                               "input": json.loads(arguments) if isinstance(arguments, str) else arguments})
            converted.append({"role": "assistant", "content": blocks})
        else:
            converted.append({"role": role, "content": content})
    return "\n".join(system), converted
