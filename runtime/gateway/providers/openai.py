"""OpenAI and Azure OpenAI, and the services that speak OpenAI's wire format under their own
base URL (deepseek, groq, xai, openrouter, ollama, togetherai). The upstream request is the
client's payload plus the model name; answers are already OpenAI-shaped and only gain `provider`.
"""

from runtime.gateway.providers.base import Provider, UpstreamRequest, join_url, require

_PATHS = {"chat": "chat/completions", "completions": "completions", "embeddings": "embeddings"}
_API_TYPES = ("openai", "azure", "azuread")


class OpenAICompatible(Provider):
    """An OpenAI-speaking service: Bearer key, `{base}/chat/completions`, `{base}/embeddings`."""

    STREAMS = frozenset({"chat", "completions"})
    DEFAULT_API_BASE = "https://api.openai.com/v1"
    KEY_FIELD, BASE_FIELD = "api_key", "api_base"
    SECRET_KEYS = frozenset({"api_key"})
    KEY_DEFAULT = None

    @classmethod
    def check_config(cls, config, endpoint_type, model_name):
        if cls.KEY_DEFAULT is not None:
            config.setdefault(cls.KEY_FIELD, cls.KEY_DEFAULT)
        require(config, cls.KEY_FIELD)
        config.setdefault(cls.BASE_FIELD, cls.DEFAULT_API_BASE)
        return config

    def headers(self):
        return {"Authorization": f"Bearer {self.config[self.KEY_FIELD]}"}

    def url(self, kind):
        return join_url(self.config[self.BASE_FIELD], _PATHS[kind])

    def body(self, kind, payload, stream):
        body = {**payload, "model": self.model}
        if stream:
            body["stream"] = True
            options = dict(body.get("stream_options") or {})
            options.setdefault("include_usage", True)
            body["stream_options"] = options
        else:
            body.pop("stream", None)
        return body

    def build(self, kind, payload, stream=False):
        return UpstreamRequest(self.url(kind), self.headers(), self.body(kind, payload, stream))

    def translate(self, kind, body):
        if kind == "embeddings":
            return {
                "object": "list",
                "data": [{"object": "embedding", "embedding": d["embedding"], "index": d.get("index", i)}
                         for i, d in enumerate(body.get("data") or [])],
                "model": body.get("model", self.model),
                "usage": {"prompt_tokens": (body.get("usage") or {}).get("prompt_tokens"),
                          "total_tokens": (body.get("usage") or {}).get("total_tokens")},
                "provider": self.NAME,
            }
        answer = {
            "id": body.get("id"),
            "object": body.get("object", "chat.completion" if kind == "chat" else "text_completion"),
            "created": body.get("created"),
            "model": body.get("model", self.model),
            "choices": [self._choice(kind, c, i) for i, c in enumerate(body.get("choices") or [])],
            "usage": _usage(body.get("usage")),
            "provider": self.NAME,
        }
        return answer

    @staticmethod
    def _choice(kind, choice, index):
        if kind == "chat":
            message = choice.get("message") or {}
            kept = {"role": message.get("role", "assistant"), "content": message.get("content")}
            for extra in ("tool_calls", "refusal"):
                if message.get(extra) is not None:
                    kept[extra] = message[extra]
            return {"index": choice.get("index", index), "message": kept, "finish_reason": choice.get("finish_reason")}
        return {"index": choice.get("index", index), "text": choice.get("text", ""), "finish_reason": choice.get("finish_reason")}

    def translate_chunk(self, kind, event):
        if "choices" not in event:
            return []
        chunk = {
            "id": event.get("id"),
            "object": event.get("object", "chat.completion.chunk" if kind == "chat" else "text_completion_chunk"),
            "created": event.get("created"),
            "model": event.get("model", self.model),
            "choices": event.get("choices") or [],
            "provider": self.NAME,
        }
        if event.get("usage"):
            chunk["usage"] = _usage(event["usage"])
        return [chunk]


def _usage(raw):
    raw = raw or {}
    return {"prompt_tokens": raw.get("prompt_tokens"), "completion_tokens": raw.get("completion_tokens"),
            "total_tokens": raw.get("total_tokens")}


class OpenAI(OpenAICompatible):
    """openai, azure and azuread (`openai_api_type`)."""

    NAME = "openai"
    KEY_FIELD, BASE_FIELD = "openai_api_key", "openai_api_base"
    SECRET_KEYS = frozenset({"openai_api_key"})
    DEFAULT_TYPE = "openai"

    @classmethod
    def check_config(cls, config, endpoint_type, model_name):
        api_type = str(config.get("openai_api_type") or cls.DEFAULT_TYPE).lower()
        if api_type not in _API_TYPES:
            raise ValueError(f"Invalid OpenAI API type '{config.get('openai_api_type')}'")
        config["openai_api_type"] = api_type
        require(config, "openai_api_key")
        if api_type == "openai":
            if config.get("openai_deployment_name") is not None:
                raise ValueError(
                    "OpenAI route configuration can only specify a value for 'openai_deployment_name' if "
                    f"'openai_api_type' is 'azure' or 'azuread'. Found type: '{api_type}'"
                )
            config.setdefault("openai_api_base", cls.DEFAULT_API_BASE)
            config["openai_api_base"] = config["openai_api_base"] or cls.DEFAULT_API_BASE
        else:
            if config.get("openai_organization") is not None:
                raise ValueError(
                    "OpenAI route configuration can only specify a value for 'openai_organization' if "
                    "'openai_api_type' is 'openai'"
                )
            if not all(config.get(k) for k in ("openai_api_base", "openai_deployment_name", "openai_api_version")):
                raise ValueError(
                    "OpenAI route configuration must specify 'openai_api_base', 'openai_deployment_name', and "
                    "'openai_api_version' if 'openai_api_type' is 'azure' or 'azuread'."
                )
        return config

    @property
    def azure(self):
        return self.config["openai_api_type"] != "openai"

    def headers(self):
        api_type = self.config["openai_api_type"]
        if api_type == "azure":
            return {"api-key": self.config["openai_api_key"]}
        headers = {"Authorization": f"Bearer {self.config['openai_api_key']}"}
        if api_type == "openai" and self.config.get("openai_organization"):
            headers["OpenAI-Organization"] = self.config["openai_organization"]
        return headers

    def url(self, kind):
        if not self.azure:
            return super().url(kind)
        deployment = self.config["openai_deployment_name"]
        return join_url(self.config["openai_api_base"], f"openai/deployments/{deployment}/{_PATHS[kind]}")

    def build(self, kind, payload, stream=False):
        request = super().build(kind, payload, stream)
        if self.azure:
            request.json.pop("model", None)  # the deployment names the model
            request.params = {"api-version": self.config["openai_api_version"]}
        return request


class Azure(OpenAI):
    NAME = "azure"
    DEFAULT_TYPE = "azure"


def _compatible(name, base, key_default=None, key_field="api_key", base_field="api_base"):
    return type(name.capitalize(), (OpenAICompatible,), {
        "NAME": name, "DEFAULT_API_BASE": base, "KEY_DEFAULT": key_default,
        "KEY_FIELD": key_field, "BASE_FIELD": base_field, "SECRET_KEYS": frozenset({key_field}),
        "__doc__": f"{name}: OpenAI's wire format at {base}.",
    })


DeepSeek = _compatible("deepseek", "https://api.deepseek.com/v1")
Groq = _compatible("groq", "https://api.groq.com/openai/v1")
XAI = _compatible("xai", "https://api.x.ai/v1")
OpenRouter = _compatible("openrouter", "https://openrouter.ai/api/v1")
Ollama = _compatible("ollama", "http://localhost:11434/v1", key_default="ollama")
TogetherAI = _compatible("togetherai", "https://api.together.xyz/v1", key_field="togetherai_api_key",
                         base_field="togetherai_api_base")
