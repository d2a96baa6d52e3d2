"""What the gateway UI asks before it stores a model: which providers the server's gateway can
call (GET …/gateway/supported-providers), how each one authenticates (GET
…/gateway/provider-config?provider=: auth modes with secret and config fields, in mlflow's
answer shape), and whether secrets are sealed with the development passphrase (GET
…/gateway/secrets/config). Served under /ajax-api/3.0/mlflow/gateway/, as mlflow serves them.

The lists are the providers and fields mlf's DB gateway really uses (db_providers.py), not
mlflow's LiteLLM catalog: a provider listed here can be invoked.
"""

import os

from starlette.routing import Route

from runtime.errors import InvalidParameter
from runtime.gateway.server_common import crud_route

AJAX_API = "/ajax-api/3.0/mlflow/gateway"
SIMPLE_KEY_PROVIDERS = ("anthropic", "cohere", "deepseek", "gemini", "groq", "mistral", "ollama", "openai", "openrouter",
                        "togetherai", "xai")


def _field(name, description, required=True):
    return {"name": name, "type": "string", "description": description, "required": required}


def _mode(mode, display_name, description, secret_fields, config_fields):
    return {"mode": mode, "display_name": display_name, "description": description, "secret_fields": secret_fields,
            "config_fields": config_fields}


def _simple(provider):
    title = provider.title()
    return {"auth_modes": [_mode("api_key", "API Key", f"Use {title} API Key", [_field("api_key", f"{title} API Key")],
                                 [_field("api_base", f"{title} API Base URL", required=False)])],
            "default_mode": "api_key"}


AUTH_MODES = {
    "azure": {"auth_modes": [_mode(
        "api_key", "API Key", "Use an Azure OpenAI API key", [_field("api_key", "Azure OpenAI API Key")],
        [_field("api_base", "Azure OpenAI endpoint URL"), _field("api_version", "Azure OpenAI API version"),
         _field("deployment_name", "Azure OpenAI deployment name")])], "default_mode": "api_key"},
    "bedrock": {"auth_modes": [
        _mode("access_keys", "Access Keys", "Use AWS access key id and secret access key",
              [_field("aws_access_key_id", "AWS Access Key ID"), _field("aws_secret_access_key", "AWS Secret Access Key"),
               _field("aws_session_token", "AWS Session Token", required=False)],
              [_field("aws_region_name", "AWS Region", required=False)]),
        _mode("iam_role", "IAM Role Assumption", "Assume an IAM role with the server's own AWS credentials", [],
              [_field("aws_role_name", "IAM Role ARN"), _field("aws_region_name", "AWS Region", required=False)]),
    ], "default_mode": "access_keys"},
}


def _allowed():
    raw = (os.environ.get("MLFLOW_GATEWAY_ALLOWED_PROVIDERS") or "").strip()
    return {p.strip().lower() for p in raw.split(",") if p.strip()} if raw else None


def supported_providers():
    allowed = _allowed()
    return sorted(p for p in (*SIMPLE_KEY_PROVIDERS, *AUTH_MODES) if allowed is None or p in allowed)


def provider_config(provider):
    if not provider:
        raise InvalidParameter("Provider parameter is required")
    name = provider.lower().replace("-", "_")
    name = "bedrock" if name == "amazon_bedrock" else name
    allowed = _allowed()
    if allowed is not None and name not in allowed:
        raise InvalidParameter(f"Provider '{provider}' is not allowed by the current gateway provider policy.")
    if name in AUTH_MODES:
        return AUTH_MODES[name]
    if name in SIMPLE_KEY_PROVIDERS:
        return _simple(name)
    raise InvalidParameter(f"Provider '{provider}' is not supported by mlf's gateway; supported: "
                           f"{', '.join(supported_providers())}.")


def routes(ctx):
    def secrets_config(params):
        return {"secrets_available": True, "using_default_passphrase": not os.environ.get("MLFLOW_CRYPTO_KEK_PASSPHRASE")}

    return [
        Route(f"{AJAX_API}/supported-providers", crud_route(lambda p: {"providers": supported_providers()}), methods=["GET"]),
        Route(f"{AJAX_API}/provider-config", crud_route(lambda p: provider_config(p.get("provider"))), methods=["GET"]),
        Route(f"{AJAX_API}/secrets/config", crud_route(secrets_config), methods=["GET"]),
    ]
