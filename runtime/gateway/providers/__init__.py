"""Which provider class serves a `model.provider` name: the built-in ones, then third-party
classes registered under the `mlflow.gateway.providers` entry-point group (name -> class),
filtered by MLFLOW_GATEWAY_ALLOWED_PROVIDERS. Provider modules are imported only when used.
"""

import importlib
import os

from runtime.gateway.config import GatewayConfigError

ENTRY_POINT_GROUP = "mlflow.gateway.providers"
_BUILTIN = {
    "openai": "openai:OpenAI",
    "azure": "openai:Azure",
    "deepseek": "openai:DeepSeek",
    "groq": "openai:Groq",
    "xai": "openai:XAI",
    "openrouter": "openai:OpenRouter",
    "ollama": "openai:Ollama",
    "togetherai": "openai:TogetherAI",
    "anthropic": "anthropic:Anthropic",
    "mistral": "mistral:Mistral",
    "cohere": "cohere:Cohere",
    "gemini": "gemini:Gemini",
    "bedrock": "bedrock:Bedrock",
    "amazon-bedrock": "bedrock:Bedrock",
}
# mlflow providers that mlf does not carry: named in the error instead of "not supported".
_NOT_CARRIED = {"ai21labs", "mlflow-model-serving", "mosaicml", "huggingface-text-generation-inference", "palm",
                "databricks-model-serving", "databricks", "litellm", "vertex_ai", "portkey", "sap-ai-core", "typesafe"}


def _allowed(environ):
    raw = (environ.get("MLFLOW_GATEWAY_ALLOWED_PROVIDERS") or "").strip()
    return {p.strip().lower() for p in raw.split(",") if p.strip()} if raw else None


class ProviderRegistry:
    def __init__(self, environ=None):
        self.allowed = _allowed(os.environ if environ is None else environ)
        self._plugins = None
        self._loaded = {}

    def plugins(self):
        if self._plugins is None:
            from importlib.metadata import entry_points

            self._plugins = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
        return self._plugins

    def canonical_name(self, value):
        if not isinstance(value, str):
            raise GatewayConfigError(f"The provider '{value}' is not supported.")
        folded = value.replace("_", "-").lower()
        for name in list(_BUILTIN) + sorted(_NOT_CARRIED):
            if name.replace("_", "-") == folded:
                return name
        if value in self.plugins():
            return value
        raise GatewayConfigError(f"The provider '{value}' is not supported.")

    def is_builtin(self, name):
        return name in _BUILTIN

    def get(self, name):
        if self.allowed is not None and name.lower() not in self.allowed:
            raise GatewayConfigError(f"Provider '{name}' is not allowed by the current gateway provider policy.")
        if name in self._loaded:
            return self._loaded[name]
        if name in _BUILTIN:
            module, attribute = _BUILTIN[name].split(":")
            provider = getattr(importlib.import_module(f"runtime.gateway.providers.{module}"), attribute)
        elif name in self.plugins():
            provider = self.plugins()[name].load()
        else:
            raise GatewayConfigError(f"The provider '{name}' is not supported by mlf's gateway.")
        self._loaded[name] = provider
        return provider


def registry(environ=None):
    return ProviderRegistry(environ)
