"""Ask an LLM judge's model for a verdict over HTTP (requests), by model URI.

``openai:/<model>`` uses the Chat Completions API (OPENAI_API_KEY;
OPENAI_BASE_URL or a base URL for compatible gateways); ``anthropic:/<model>``
uses the Messages API (ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL). The judge is
asked for a JSON object {"result": ..., "rationale": ...}.
"""

import json
import re

from runtime.errors import MlfError

_PROVIDERS = {
    "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1"),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1"),
}
TIMEOUT_S = 120
SYSTEM_PROMPT = (
    "You are an impartial judge evaluating the output of an AI application. Follow the instructions, then answer "
    'with one JSON object and nothing else: {"result": <your verdict>, "rationale": <one or two sentences why>}.'
)


def split_model_uri(model):
    provider, _, name = model.partition(":/")
    return provider, name.lstrip("/")


def render_prompt(instructions, values):
    """Replace {{ inputs }} etc. with the values as JSON (strings as they are)."""

    def substitute(match):
        value = values.get(match.group(1))
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)

    return re.sub(r"\{\{\s*(\w+)\s*\}\}", substitute, instructions)


def check_credentials(model, environ, base_url=None):
    """Fail now, with what to set, when the judge's model cannot be called."""
    provider, _ = split_model_uri(model)
    _credentials(provider, model, environ, base_url)


def _credentials(provider, model, environ, base_url):
    if provider not in _PROVIDERS:
        raise MlfError(f"LLM judges on {provider}:/ models are not supported by mlf: use openai:/<model> (or an "
                       "OpenAI-compatible gateway with OPENAI_BASE_URL) or anthropic:/<model>.")
    key_name, url_name, default_url = _PROVIDERS[provider]
    key = environ.get(key_name)
    if not key:
        raise MlfError(f"The judge model {model} needs credentials: set {key_name} in the environment "
                       f"(and {url_name} for a compatible gateway).")
    return key, (base_url or environ.get(url_name) or default_url).rstrip("/")


def _post(url, headers, body):
    import requests

    try:
        response = requests.post(url, headers=headers, json=body, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        raise MlfError(f"Could not reach the judge model at {url}: {exc}") from None
    if response.status_code >= 400:
        raise MlfError(f"The judge model at {url} answered {response.status_code}: {response.text[:300]}")
    try:
        return response.json()
    except ValueError:
        raise MlfError(f"The judge model at {url} answered with something that is not JSON") from None


def complete(model, prompt, environ, base_url=None, extra_headers=None):
    """The model's text answer to one prompt."""
    provider, name = split_model_uri(model)
    key, root = _credentials(provider, model, environ, base_url)
    headers = {"Content-Type": "application/json", **(extra_headers or {})}
    if provider == "anthropic":
        headers.update({"x-api-key": key, "anthropic-version": "2023-06-01"})
        data = _post(f"{root}/messages", headers, {"model": name, "max_tokens": 1024, "system": SYSTEM_PROMPT,
                                                    "messages": [{"role": "user", "content": prompt}]})
        return "".join(block.get("text", "") for block in data.get("content", []) if isinstance(block, dict))
    headers["Authorization"] = f"Bearer {key}"
    data = _post(f"{root}/chat/completions", headers, {
        "model": name, "temperature": 0,
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]})
    try:
        return data["choices"][0]["message"]["content"] or ""
    except (KeyError, IndexError, TypeError):
        raise MlfError(f"The judge model {model} answered without a message: {json.dumps(data)[:300]}") from None


def parse_verdict(text):
    """(result, rationale) from the model's answer: the JSON object it was asked for, else the plain text."""
    match = re.search(r"\{.*\}", text or "", re.DOTALL)
    if match:
        try:
            data = json.loads(match.group(0))
            if isinstance(data, dict) and "result" in data:
                return data["result"], data.get("rationale")
        except ValueError:
            pass
    return (text or "").strip(), None
