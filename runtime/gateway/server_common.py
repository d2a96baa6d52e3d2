"""What the gateway's REST routes share: the store the server opens on its backend database
(schema created in a fresh one), and a route wrapper that reads parameters from the query
string or the JSON body and answers MLflow's error shape."""

import os

from runtime.errors import InvalidParameter, MlfError
from runtime.gateway.errors import GatewayError
from runtime.server.routing import error_response, json_response
from runtime.wire.json_body import decode_json

API = "/api/3.0/mlflow/gateway"


def gateway_store(ctx):
    def open_store():
        from runtime.crypto.envelope import derive_kek, kek_settings
        from runtime.gateway.db import GatewayStore, SecretCache
        from runtime.store.sql.engine import get_engine
        from runtime.store.sql.upgrade import ensure_schema
        from runtime.tracking_uri import SQL_SCHEMES, uri_scheme

        uri = ctx.config.backend_store_uri
        if uri_scheme(uri) not in SQL_SCHEMES:
            raise InvalidParameter("The AI gateway stores its configuration in the database: start the server with a "
                                   "sqlite:, postgresql: or mysql: --backend-store-uri.")
        passphrase, version, _ = kek_settings(os.environ)
        extra = ctx.config.extra or {}
        cache = SecretCache(ttl=extra.get("secrets_cache_ttl") or 60, max_size=extra.get("secrets_cache_max_size") or 1000)
        engine = get_engine(uri)
        ensure_schema(engine, uri)  # a fresh database gets mlflow's schema, gateway tables included
        return GatewayStore(engine, derive_kek(passphrase, version), cache, version)

    return ctx.shared("gateway_store", open_store)


def crud_route(handler, body=False):
    """A read (query string) or write (JSON body) route answering MLflow's error shape."""

    async def endpoint(request):
        import anyio

        try:
            if body:
                params = decode_json(await request.body() or b"{}")
                if not isinstance(params, dict):
                    raise InvalidParameter("The request body must be a JSON object.")
            else:
                params = request.query_params
            return json_response(await anyio.to_thread.run_sync(handler, params))
        except MlfError as exc:
            return error_response(exc)

    return endpoint


def string_map_param(params, name, required=False):
    value = params.get(name)
    if value in (None, {}) and not required:
        return None
    if not isinstance(value, dict) or not value or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InvalidParameter(f"Invalid value for parameter '{name}': expected a non-empty map of strings.")
    return value


def string_param(params, name, required=False):
    value = params.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise InvalidParameter(f"Missing value for required parameter '{name}'." if value in (None, "")
                               else f"Invalid value for parameter '{name}': expected a string.")
    return value


async def read_body(request):
    try:
        payload = decode_json(await request.body())
    except InvalidParameter as exc:
        raise GatewayError(400, exc.message) from None
    if not isinstance(payload, dict):
        raise GatewayError(400, "The request body must be a JSON object.")
    return payload


def error_answer(exc):
    if isinstance(exc, MlfError):
        return error_response(exc)
    return json_response({"detail": exc.detail}, status=exc.status_code)
