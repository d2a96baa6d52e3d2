"""The provider pass-through routes of `mlf server`'s gateway: a client speaking a provider's
own API (OpenAI chat/embeddings/responses, Anthropic messages, Gemini generateContent) reaches
a gateway endpoint by name, and the body goes upstream untranslated with the endpoint's stored
key and model; /gateway/proxy/{endpoint}/{path} posts any body to any path under the provider's
base URL with the stored key only. The endpoint's model must be of that provider's family. Answers (and stream
bytes) come back as the provider sent them.
"""

import json
import os

from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from runtime.errors import MlfError
from runtime.gateway.errors import GatewayError
from runtime.gateway.providers.base import UpstreamRequest, join_url, read_json
from runtime.gateway.server_common import read_body, error_answer

OPENAI_ACTIONS = {"chat": "chat/completions", "embeddings": "embeddings", "responses": "responses",
                  "responses/compact": "responses/compact"}


def _openai_request(provider, action, body):
    from runtime.gateway.providers.openai import OpenAI, OpenAICompatible

    if not isinstance(provider, OpenAICompatible):
        return None
    azure = isinstance(provider, OpenAI) and provider.azure
    if action in ("chat", "embeddings"):
        url = provider.url(action)
    elif azure:
        raise GatewayError(400, f"The {action} API is not available through an Azure OpenAI deployment.")
    else:
        url = join_url(provider.config[provider.BASE_FIELD], OPENAI_ACTIONS[action])
    params = {"api-version": provider.config["openai_api_version"]} if azure else {}
    return UpstreamRequest(url, provider.headers(), body if azure else {**body, "model": provider.model}, params=params)


def _anthropic_request(provider, action, body):
    if provider.NAME != "anthropic":
        return None
    headers = {"x-api-key": provider.config["anthropic_api_key"],
               "anthropic-version": provider.config["anthropic_version"]}
    return UpstreamRequest(join_url(provider.config["anthropic_api_base"], "messages"), headers,
                           {**body, "model": provider.model})


def _gemini_request(provider, action, body):
    if provider.NAME != "gemini":
        return None
    url = join_url(provider.config["gemini_api_base"], f"{provider.model}:{action}")
    params = {"alt": "sse"} if action == "streamGenerateContent" else {}
    return UpstreamRequest(url, {"x-goog-api-key": provider.config["gemini_api_key"]}, body, params=params)


BUILDERS = {"openai": _openai_request, "anthropic": _anthropic_request, "gemini": _gemini_request}


def _raw_target(provider):
    """(base URL, auth headers) of an endpoint's provider for the raw proxy; None when it has none."""
    from runtime.gateway.providers.openai import OpenAICompatible

    if isinstance(provider, OpenAICompatible):
        return provider.config[provider.BASE_FIELD], provider.headers()
    config = provider.config
    if provider.NAME == "anthropic":
        return config["anthropic_api_base"], {"x-api-key": config["anthropic_api_key"],
                                               "anthropic-version": config["anthropic_version"]}
    if provider.NAME == "gemini":
        return config["gemini_api_base"], {"x-goog-api-key": config["gemini_api_key"]}
    if provider.NAME == "cohere":
        return config["cohere_api_base"], {"Authorization": f"Bearer {config['cohere_api_key']}"}
    return None


STREAM_TYPES = ("text/event-stream", "application/x-ndjson")


class PassThrough:
    def __init__(self, invoker):
        self.invoker = invoker

    async def _relay(self, request, family, action, endpoint_name=None):
        import anyio

        from runtime.gateway.ssrf import check_upstream_url

        try:
            body = await read_body(request)
            if endpoint_name is None:
                endpoint_name = body.pop("model", None)
                if not isinstance(endpoint_name, str) or not endpoint_name:
                    raise GatewayError(400, "The request needs 'model': the name of a gateway endpoint.")
            provider, base = await anyio.to_thread.run_sync(self.invoker._provider, endpoint_name)
            upstream = BUILDERS[family](provider, action, body)
            if upstream is None:
                raise GatewayError(400, f"Endpoint '{endpoint_name}' is served by the '{provider.NAME}' provider, "
                                        f"not by {family}: use its own route.")
            if base:
                await check_upstream_url(base, os.environ)
            http = self.invoker._client()
            if body.get("stream") or action == "streamGenerateContent":
                return await _stream(http, upstream)
            response = await http.request(upstream.method, upstream.url, headers=upstream.headers, json=upstream.json,
                                          params=upstream.params or None)
            return Response(json.dumps(await read_json(response), separators=(",", ":")), media_type="application/json")
        except (GatewayError, MlfError) as exc:
            return error_answer(exc)
        except Exception as exc:
            from runtime.gateway.app import _upstream_error

            return error_answer(_upstream_error(exc))

    async def raw_proxy(self, request):
        """POST {provider base}/{path}?{query} with the body as sent (model included) and the
        endpoint's credentials; a streaming answer is recognised by its content type."""
        import anyio

        from runtime.gateway.ssrf import check_upstream_url

        name, path = request.path_params["endpoint"], request.path_params["path"]
        try:
            if ".." in path.split("/") or "" in path.split("/")[:-1]:
                raise GatewayError(400, "The proxied path must be a plain relative path.")
            body = await read_body(request)
            provider, _ = await anyio.to_thread.run_sync(self.invoker._provider, name)
            target = _raw_target(provider)
            if target is None:
                raise GatewayError(400, f"The raw proxy does not support the '{provider.NAME}' provider of endpoint '{name}'.")
            base, headers = target
            await check_upstream_url(base, os.environ)  # the caller picks the path: always guarded
            url = join_url(base, path) + (f"?{request.url.query}" if request.url.query else "")
            return await _stream(self.invoker._client(), UpstreamRequest(url, headers, body), buffer_unless_stream=True)
        except (GatewayError, MlfError) as exc:
            return error_answer(exc)
        except Exception as exc:
            from runtime.gateway.app import _upstream_error

            return error_answer(_upstream_error(exc))

    def routes(self):
        def route(path, family, action):
            async def endpoint(request):
                return await self._relay(request, family, action, request.path_params.get("endpoint"))

            return Route(path, endpoint, methods=["POST"])

        return [route(f"/gateway/openai/v1/{path}", "openai", action) for action, path in OPENAI_ACTIONS.items()] + [
            route("/gateway/anthropic/v1/messages", "anthropic", "messages"),
            route("/gateway/gemini/v1beta/models/{endpoint}:generateContent", "gemini", "generateContent"),
            route("/gateway/gemini/v1beta/models/{endpoint}:streamGenerateContent", "gemini", "streamGenerateContent"),
            Route("/gateway/proxy/{endpoint}/{path:path}", self.raw_proxy, methods=["POST"]),
        ]


async def _stream(http, upstream, buffer_unless_stream=False):
    """The upstream's stream relayed line by line; its failure status (before any byte) as an error.
    With buffer_unless_stream, an answer that is not a stream by its content type is read whole."""
    opened = http.stream(upstream.method, upstream.url, headers=upstream.headers, json=upstream.json,
                         params=upstream.params or None)
    response = await opened.__aenter__()
    if response.status_code >= 400:
        try:
            await response.aread()
            await read_json(response)
        finally:
            await opened.__aexit__(None, None, None)
    media_type = response.headers.get("content-type", "text/event-stream")
    if buffer_unless_stream and not media_type.startswith(STREAM_TYPES):
        try:
            body = await response.aread()
        finally:
            await opened.__aexit__(None, None, None)
        return Response(body, status_code=response.status_code, media_type=media_type)

    async def lines():
        try:
            async for batch in response.aiter_line_batches():
                yield "".join(line + "\n" for line in batch)
        finally:
            await opened.__aexit__(None, None, None)

    return StreamingResponse(lines(), media_type=media_type)
