"""The AI gateway inside `mlf server`: mlflow's read API over the gateway tables
(/api/3.0/mlflow/gateway/{secrets,endpoints,model-definitions}/{get,list}), the secrets' writes
(secrets/create, update, delete: encrypted as mlflow does), the other writes (server_writes.py)
and the invocation
routes (/gateway/{endpoint}/mlflow/invocations, /gateway/mlflow/v1/chat/completions,
/gateway/mlflow/v1/models). Secrets leave the database only masked; decrypted ones stay in
memory for --secrets-cache-ttl seconds. Provider URLs pass the SSRF guard before every call.
"""

import json
import os
import random

from starlette.routing import Route

from runtime.errors import InvalidParameter, MlfError, NotFound
from runtime.gateway import provider_catalog, server_writes
from runtime.gateway.errors import GatewayError
from runtime.gateway.passthrough import PassThrough
from runtime.gateway.server_common import (API, read_body, error_answer, crud_route, gateway_store, string_param,
                                             string_map_param)
from runtime.server.routing import error_response, json_response


def _found(value, what, key):
    if value is None:
        raise NotFound(f"{what} not found ({key})")
    return value


def _one_of(params, *names):
    for name in names:
        if params.get(name):
            return name, params[name]
    raise InvalidParameter(f"Missing value for required parameter '{names[0]}'.")


def routes(ctx):
    def get_secret(params):
        key, value = _one_of(params, "secret_id", "secret_name")
        return {"secret": _found(gateway_store(ctx).get_secret(**{key: value}), "GatewaySecret", f"{key}='{value}'")}

    def list_secrets(params):
        return {"secrets": gateway_store(ctx).list_secrets()}

    def create_secret(params):
        return {"secret": gateway_store(ctx).create_secret(
            string_param(params, "secret_name", required=True), string_map_param(params, "secret_value", required=True),
            provider=string_param(params, "provider") or None, auth_config=string_map_param(params, "auth_config"),
            created_by=string_param(params, "created_by") or None)}

    def update_secret(params):
        secret_id = string_param(params, "secret_id", required=True)
        updated = gateway_store(ctx).update_secret(secret_id, string_map_param(params, "secret_value"),
                                            params.get("auth_config") if isinstance(params.get("auth_config"), dict) else None,
                                            string_param(params, "updated_by") or None)
        return {"secret": _found(updated, "GatewaySecret", f"secret_id='{secret_id}'")}

    def delete_secret(params):
        secret_id = string_param(params, "secret_id", required=True)
        _found(gateway_store(ctx).delete_secret(secret_id) or None, "GatewaySecret", f"secret_id='{secret_id}'")
        return {}

    def get_endpoint(params):
        key, value = _one_of(params, "endpoint_id", "name")
        return {"endpoint": _found(gateway_store(ctx).get_endpoint(**{key: value}), "GatewayEndpoint", f"{key}='{value}'")}

    def list_endpoints(params):
        return {"endpoints": gateway_store(ctx).list_endpoints()}

    def get_model_definition(params):
        _, value = _one_of(params, "model_definition_id")
        return {"model_definition": _found(gateway_store(ctx).get_model_definition(value), "GatewayModelDefinition",
                                           f"model_definition_id='{value}'")}

    def list_model_definitions(params):
        return {"model_definitions": gateway_store(ctx).list_model_definitions()}

    invoker = Invoker(ctx)
    return server_writes.routes(ctx) + provider_catalog.routes(ctx) + PassThrough(invoker).routes() + [
        Route(f"{API}/secrets/get", crud_route(get_secret), methods=["GET"]),
        Route(f"{API}/secrets/list", crud_route(list_secrets), methods=["GET"]),
        Route(f"{API}/secrets/create", crud_route(create_secret, body=True), methods=["POST"]),
        Route(f"{API}/secrets/update", crud_route(update_secret, body=True), methods=["POST"]),
        Route(f"{API}/secrets/delete", crud_route(delete_secret, body=True), methods=["DELETE"]),
        Route(f"{API}/endpoints/get", crud_route(get_endpoint), methods=["GET"]),
        Route(f"{API}/endpoints/list", crud_route(list_endpoints), methods=["GET"]),
        Route(f"{API}/model-definitions/get", crud_route(get_model_definition), methods=["GET"]),
        Route(f"{API}/model-definitions/list", crud_route(list_model_definitions), methods=["GET"]),
        Route("/gateway/mlflow/v1/chat/completions", invoker.openai_chat, methods=["POST"]),
        Route("/gateway/mlflow/v1/models", invoker.models, methods=["GET"]),
        Route("/gateway/{endpoint}/mlflow/invocations", invoker.invocations, methods=["POST"]),
    ]


class Invoker:
    """Resolves an endpoint to one of its primary models (weighted) and relays the call."""

    def __init__(self, ctx):
        self.ctx = ctx

    def _client(self):
        """The process's upstream client, made in the serving event loop; ctx.close() closes it."""
        from runtime.gateway.http import UpstreamClient

        timeout = float(os.environ.get("MLFLOW_GATEWAY_ROUTE_TIMEOUT_SECONDS") or 300)
        return self.ctx.shared("gateway_http", lambda: UpstreamClient(timeout))

    def _provider(self, name):
        from runtime.gateway.config import Endpoint
        from runtime.gateway.db_providers import provider_config, upstream_base
        from runtime.gateway.providers import registry

        store = gateway_store(self.ctx)
        endpoint = store.get_endpoint(name=name)
        if endpoint is None:
            raise GatewayError(404, f"Endpoint '{name}' not found.")
        primaries = [m for m in endpoint["model_mappings"] if m["linkage_type"] == "PRIMARY" and m["model_definition"]]
        if not primaries:
            raise GatewayError(400, f"Endpoint '{name}' has no model configured.")
        mapping = random.choices(primaries, weights=[max(m["weight"], 0) or 1e-9 for m in primaries])[0]
        definition = mapping["model_definition"]
        if not definition.get("secret_id"):
            raise GatewayError(400, f"The model '{definition['name']}' of endpoint '{name}' has no secret.")
        secret, auth = store.decrypted_secret(definition["secret_id"])
        providers = registry()
        try:
            provider_name = providers.canonical_name(definition["provider"])
            provider_class = providers.get(provider_name)
        except ValueError as exc:  # not carried by mlf, or refused by MLFLOW_GATEWAY_ALLOWED_PROVIDERS
            raise GatewayError(400, f"The model '{definition['name']}' of endpoint '{name}': {exc}") from None
        try:
            config = provider_class.check_config(provider_config(provider_name, secret, auth), "llm/v1/chat",
                                                 definition["model_name"])
        except ValueError as exc:
            raise GatewayError(400, f"The model '{definition['name']}' is misconfigured: {exc}") from None
        return provider_class(Endpoint(name, "llm/v1/chat", provider_name, definition["model_name"], config)), \
            upstream_base(provider_class, config)

    async def _call(self, name, kind, payload):
        import anyio

        from runtime.gateway.app import _call, _json, stream_response
        from runtime.gateway.payloads import check_payload
        from runtime.gateway.ssrf import check_upstream_url

        provider, base = await anyio.to_thread.run_sync(self._provider, name)
        if base:
            await check_upstream_url(base, os.environ)
        payload = check_payload(kind, payload)
        if payload.pop("stream", False):
            return stream_response(provider, self._client(), kind, payload)
        return _json(await _call(provider.invoke(self._client(), kind, payload)))

    async def invocations(self, request):
        try:
            payload = await read_body(request)
            kind = "chat" if "messages" in payload else "embeddings" if "input" in payload else None
            if kind is None:
                raise GatewayError(400, "The request needs 'messages' (chat) or 'input' (embeddings).")
            return await self._call(request.path_params["endpoint"], kind, payload)
        except (GatewayError, MlfError) as exc:
            return error_answer(exc)

    async def openai_chat(self, request):
        try:
            payload = await read_body(request)
            name = payload.pop("model", None)
            if not isinstance(name, str):
                raise GatewayError(400, "The request needs 'model': the name of a gateway endpoint.")
            return await self._call(name, "chat", payload)
        except (GatewayError, MlfError) as exc:
            return error_answer(exc)

    async def models(self, request):
        import anyio

        try:
            listed = await anyio.to_thread.run_sync(gateway_store(self.ctx).list_endpoints)
        except MlfError as exc:
            return error_response(exc)
        return json_response({"object": "list", "data": [
            {"id": e["name"], "object": "model", "created": e["created_at"] // 1000, "owned_by": "mlflow"} for e in listed]})
