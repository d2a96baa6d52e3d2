"""From a stored model definition (provider, model name, decrypted secret, auth_config) to the
`model.config` a provider class takes, following the key names mlflow's server gateway uses."""

_OPENAI_COMPATIBLE = {"deepseek", "groq", "xai", "openrouter", "ollama"}
_BASE_KEYS = {"anthropic": "anthropic_api_base", "mistral": "mistral_api_base", "cohere": "cohere_api_base",
              "gemini": "gemini_api_base", "togetherai": "togetherai_api_base"}


def provider_config(provider, secret, auth):
    key = secret.get("api_key")
    base = auth.get("api_base")
    if provider in ("openai", "azure"):
        config = {"openai_api_key": key}
        api_type = auth.get("api_type") or ("azure" if provider == "azure" else None)
        if api_type in ("azure", "azuread"):
            config.update(openai_api_type=api_type, openai_api_base=base,
                          openai_deployment_name=auth.get("deployment_name"), openai_api_version=auth.get("api_version"))
        else:
            if base:
                config["openai_api_base"] = base
            if auth.get("organization"):
                config["openai_organization"] = auth["organization"]
        return config
    if provider in _OPENAI_COMPATIBLE:
        return {k: v for k, v in {"api_key": key, "api_base": base}.items() if v}
    if provider in ("bedrock", "amazon-bedrock"):
        aws = {"aws_region": auth.get("aws_region_name")}
        if auth.get("aws_role_name"):
            aws["aws_role_arn"] = auth["aws_role_name"]
        for name in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
            if secret.get(name):
                aws[name] = secret[name]
        return {"aws_config": aws}
    config = {f"{provider}_api_key": key}
    if provider == "anthropic" and auth.get("version"):
        config["anthropic_version"] = auth["version"]
    if base and provider in _BASE_KEYS:
        config[_BASE_KEYS[provider]] = base
    return config


def upstream_base(provider_class, config):
    """The base URL a provider will call, for the SSRF guard (None: the provider's fixed default)."""
    for key, value in config.items():
        if key.endswith("api_base") and value:
            return value
    return getattr(provider_class, "DEFAULT_API_BASE", None)
