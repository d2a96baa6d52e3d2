"""Google Gemini (generativelanguage API): `{model}:generateContent`, `:streamGenerateContent?alt=sse`
and `:batchEmbedContents`, key in `x-goog-api-key`. Messages become `contents` with roles user/model,
system messages `system_instruction`, and the knobs go into `generationConfig`."""

import json

from runtime.gateway.providers.base import (
    Provider, UpstreamRequest, chat_chunk, chat_response, completions_chunk, completions_response,
    embeddings_response, join_url, require, usage,
)

_FINISH = {"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter", "RECITATION": "content_filter"}
_GENERATION = {"temperature": "temperature", "stop": "stopSequences", "n": "candidateCount",
               "max_tokens": "maxOutputTokens", "max_completion_tokens": "maxOutputTokens",
               "top_p": "topP", "top_k": "topK"}


def _text(content):
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content or [])


class Gemini(Provider):
    NAME = "gemini"
    SECRET_KEYS = frozenset({"gemini_api_key"})
    STREAMS = frozenset({"chat", "completions"})

    @classmethod
    def check_config(cls, config, endpoint_type, model_name):
        require(config, "gemini_api_key")
        config.setdefault("gemini_api_base", "https://generativelanguage.googleapis.com/v1beta/models")
        return config

    def _request(self, action, body, params=None):
        url = join_url(self.config["gemini_api_base"], f"{self.model}:{action}")
        return UpstreamRequest(url, {"x-goog-api-key": self.config["gemini_api_key"]}, body, params=params or {})

    def build(self, kind, payload, stream=False):
        if kind == "embeddings":
            texts = [payload["input"]] if isinstance(payload["input"], str) else payload["input"]
            requests = [{"model": f"models/{self.model}", "content": {"parts": [{"text": t}]}} for t in texts]
            return self._request("batchEmbedContents", {"requests": requests})
        messages = payload["messages"] if kind == "chat" else [{"role": "user", "content": payload["prompt"]}]
        system = [_text(m.get("content")) for m in messages if m.get("role") == "system"]
        contents = []
        for message in messages:
            role = message.get("role")
            if role == "system":
                continue
            if role == "assistant" and message.get("tool_calls"):
                parts = [{"functionCall": {"name": c["function"]["name"], "args": json.loads(c["function"].get("arguments") or "{}")}}
                         for c in message["tool_calls"]]
                contents.append({"role": "model", "parts": parts})
            elif role == "tool":
                parts = [{"functionResponse": {"name": message.get("name") or message.get("tool_call_id"),
                                               "response": {"content": _text(message.get("content"))}}}]
                contents.append({"role": "user", "parts": parts})
            else:
                contents.append({"role": "model" if role == "assistant" else "user",
                                 "parts": [{"text": _text(message.get("content"))}]})
        body = {"contents": contents}
        if system:
            body["system_instruction"] = {"parts": [{"text": "\n".join(system)}]}
        config = {target: payload[source] for source, target in _GENERATION.items() if payload.get(source) is not None}
        if config:
            body["generationConfig"] = config
        if payload.get("tools"):
            body["tools"] = [{"functionDeclarations": [
                {k: v for k, v in (t.get("function") or {}).items() if k in ("name", "description", "parameters")}
                for t in payload["tools"]]}]
        if stream:
            return self._request("streamGenerateContent", body, {"alt": "sse"})
        return self._request("generateContent", body)

    def _choices(self, kind, body):
        choices = []
        for index, candidate in enumerate(body.get("candidates") or []):
            parts = (candidate.get("content") or {}).get("parts") or []
            text = "".join(p.get("text", "") for p in parts)
            finish = _FINISH.get(candidate.get("finishReason"), (candidate.get("finishReason") or "").lower() or None)
            if kind == "completions":
                choices.append({"index": candidate.get("index", index), "text": text, "finish_reason": finish})
                continue
            message = {"role": "assistant", "content": text or None}
            calls = [p["functionCall"] for p in parts if "functionCall" in p]
            if calls:
                message["tool_calls"] = [{"id": f"call_{i}", "type": "function",
                                          "function": {"name": c["name"], "arguments": json.dumps(c.get("args", {}))}}
                                         for i, c in enumerate(calls)]
                finish = "tool_calls"
            choices.append({"index": candidate.get("index", index), "message": message, "finish_reason": finish})
        return choices

    def translate(self, kind, body):
        meta = body.get("usageMetadata") or {}
        if kind == "embeddings":
            return embeddings_response(self.NAME, self.model, [e.get("values") for e in body.get("embeddings") or []])
        tokens = usage(meta.get("promptTokenCount"), meta.get("candidatesTokenCount"), meta.get("totalTokenCount"))
        if kind == "completions":
            return completions_response(self.NAME, self.model, self._choices(kind, body), tokens)
        return chat_response(self.NAME, self.model, self._choices(kind, body), tokens)

    def translate_chunk(self, kind, event):
        chunks = []
        for choice in self._choices(kind, event):
            if kind == "completions":
                chunks.append(completions_chunk(self.NAME, self.model, choice["index"], choice["text"], choice["finish_reason"]))
            else:
                delta = {"role": "assistant", "content": choice["message"]["content"] or ""}
                chunks.append(chat_chunk(self.NAME, self.model, choice["index"], delta, choice["finish_reason"]))
        return chunks
