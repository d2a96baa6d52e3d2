"""Mistral: OpenAI's chat and embeddings format at api.mistral.ai. Completions are sent as a
one-message chat (Mistral has no completions route), without `stop` and `n`, temperature halved."""

from runtime.gateway.providers.base import UpstreamRequest, completions_chunk, completions_response, join_url
from runtime.gateway.providers.openai import OpenAICompatible


class Mistral(OpenAICompatible):
    NAME = "mistral"
    DEFAULT_API_BASE = "https://api.mistral.ai/v1"
    KEY_FIELD, BASE_FIELD = "mistral_api_key", "mistral_api_base"
    SECRET_KEYS = frozenset({"mistral_api_key"})
    STREAMS = frozenset({"chat"})

    def build(self, kind, payload, stream=False):
        if kind == "completions":
            chat = {k: v for k, v in payload.items() if k not in ("prompt", "stop", "n")}
            chat["messages"] = [{"role": "user", "content": payload["prompt"]}]
            if chat.get("temperature") is not None:
                chat["temperature"] = chat["temperature"] * 0.5
            return super().build("chat", chat, stream)
        if kind == "embeddings":
            body = {"model": self.model, "input": payload["input"]}
            return UpstreamRequest(join_url(self.config[self.BASE_FIELD], "embeddings"), self.headers(), body)
        return super().build(kind, payload, stream)

    def translate(self, kind, body):
        if kind != "completions":
            return super().translate(kind, body)
        chat = super().translate("chat", body)
        choices = [{"index": c["index"], "text": c["message"]["content"] or "", "finish_reason": c["finish_reason"]}
                   for c in chat["choices"]]
        return completions_response(self.NAME, chat["model"], choices, chat["usage"], id_=chat["id"], created=chat["created"])

    def translate_chunk(self, kind, event):
        chunks = super().translate_chunk("chat", event)
        if kind != "completions":
            return chunks
        return [completions_chunk(self.NAME, c["model"], ch.get("index", 0), (ch.get("delta") or {}).get("content") or "",
                                  ch.get("finish_reason"), id_=c["id"], created=c["created"])
                for c in chunks for ch in c["choices"]]
