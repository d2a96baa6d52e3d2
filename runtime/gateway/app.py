"""The gateway's HTTP API (starlette): mlflow's endpoint and route listings, the invocation
routes, the OpenAI-compatible /v1 routes and /health. One aiohttp session per process carries
every upstream call (pooled connections); the configuration is reloaded from its file and
swapped in whole when it changes.
"""

import asyncio
import base64
import contextlib
import json
import logging
import os

from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from runtime.errors import InvalidParameter
from runtime.gateway.config import GatewayConfigError, read_config_file
from runtime.gateway.errors import GatewayError
from runtime.gateway.limits import RateLimiter
from runtime.gateway.payloads import check_payload
from runtime.gateway.providers import registry
from runtime.gateway.state import GatewayState
from runtime.wire.json_body import decode_json

log = logging.getLogger("mlf.gateway")
PAGE_SIZE = 3000  # mlflow pages endpoints and legacy routes by 3000
RELOAD_POLL_SECONDS = 0.5
DEFAULT_TIMEOUT_SECONDS = 300  # mlflow's MLFLOW_GATEWAY_ROUTE_TIMEOUT_SECONDS default
LIMITS_DIR_ENV = "MLF_GATEWAY_LIMITS_DIR"


def _json(data, status=200):
    return Response(json.dumps(data, separators=(",", ":")), status_code=status, media_type="application/json")


def _detail(status, detail):
    return _json({"detail": detail}, status)


# --- page tokens: base64 of {"index": N}, as mlflow encodes them ------------------------------
def _decode_token(token):
    if token is None:
        return 0
    try:
        index = int(json.loads(base64.b64decode(token))["index"])
    except Exception:
        raise GatewayError(400, {"error_code": "INVALID_PARAMETER_VALUE", "message":
                                 f"Invalid SearchRoutes token: {token}. The index is not defined as a value that "
                                 "can be represented as a positive integer."}) from None
    if index < 0:
        raise GatewayError(400, {"error_code": "INVALID_PARAMETER_VALUE", "message":
                                 f"Invalid SearchRoutes token: {token}. The index cannot be negative."})
    return index


def _page(items, token, size):
    start = _decode_token(token)
    page = {"items": items[start:start + size]}
    if len(items) > start + size:
        page["next_page_token"] = base64.b64encode(json.dumps({"index": start + size}).encode()).decode()
    return page


class Gateway:
    """Holds the live state, the HTTP client and the limiter of one worker process."""

    def __init__(self, config_path, environ=None):
        self.environ = os.environ if environ is None else environ
        self.config_path = config_path
        self.state = self._load()
        self.fingerprint = self._fingerprint()
        self.limiter = RateLimiter(self.environ.get(LIMITS_DIR_ENV))
        self.http = None

    def _load(self):
        providers = registry(self.environ)
        return GatewayState(read_config_file(self.config_path, self.environ, providers), providers)

    def _fingerprint(self):
        try:
            with open(self.config_path, "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def reload_if_changed(self):
        content = self._fingerprint()
        if content is None or content == self.fingerprint:
            return False
        self.fingerprint = content
        try:
            state = self._load()
        except (GatewayConfigError, OSError) as exc:
            log.warning("Invalid configuration: %s (the previous configuration stays in service)", exc)
            return False
        self.state = state  # one reference swap: requests in flight keep the state they took
        log.info("Configuration reloaded: %d endpoint(s), %d route(s)", len(state.endpoints), len(state.routes))
        return True

    async def watch(self):
        while True:
            await asyncio.sleep(RELOAD_POLL_SECONDS)
            try:
                self.reload_if_changed()
            except Exception:  # the watcher must outlive any surprise
                log.exception("Configuration reload failed")

    async def start(self):
        from runtime.gateway.http import UpstreamClient

        timeout = float(self.environ.get("MLFLOW_GATEWAY_ROUTE_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS)
        self.http = UpstreamClient(timeout)

    async def stop(self):
        if self.http is not None:
            await self.http.aclose()

    # --- invocation -----------------------------------------------------------------------
    async def invoke(self, request, name, kind, payload, state):
        endpoint, provider = state.pick(name)
        message = self.limiter.allow(endpoint, request.client.host if request.client else "")
        if message:
            return _json({"error": message}, 429)
        payload = check_payload(kind, payload)
        if payload.pop("stream", False):
            return self._stream(provider, kind, payload)
        return _json(await _call(provider.invoke(self.http, kind, payload)))

    def _stream(self, provider, kind, payload):
        return stream_response(provider, self.http, kind, payload)


def stream_response(provider, http, kind, payload):
    """Server-sent events of the provider's OpenAI chunks, ending with `data: [DONE]`; a failure
    mid-stream becomes one `{"error": ...}` event (the status line has already been sent)."""

    from runtime.gateway.providers.base import Provider

    if type(provider).stream is not Provider.stream:  # a provider that streams chunk by chunk itself
        async def batches():
            async for chunk in provider.stream(http, kind, payload):
                yield [chunk]
    else:
        def batches():
            return provider.stream_batches(http, kind, payload)

    async def events():
        try:
            async for chunks in batches():
                yield "".join(f"data: {json.dumps(c, separators=(',', ':'))}\n\n" for c in chunks)
        except Exception as exc:
            error = _upstream_error(exc)
            detail = error.detail if isinstance(error.detail, str) else json.dumps(error.detail)
            yield "data: " + json.dumps({"error": {"message": detail, "type": type(exc).__name__}}) + "\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


def _upstream_error(exc):
    from runtime.gateway.http import UpstreamError

    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, UpstreamError):
        return GatewayError(exc.status, str(exc))
    raise exc


async def _call(awaitable):
    try:
        return await awaitable
    except Exception as exc:
        raise _upstream_error(exc) from None


async def _body(request):
    try:
        return decode_json(await request.body())
    except InvalidParameter:
        raise GatewayError(422, [{"type": "json_invalid", "loc": ["body"], "msg": "JSON decode error"}]) from None


def build_app(gateway):
    async def health(request):
        return _json({"status": "OK"})

    def named(items, request, kind):
        """The endpoint or route named in the path, or mlflow's 404 for it."""
        name = request.path_params["name"]
        if name not in items:
            raise GatewayError(404, f"The {kind} '{name}' is not present or active on the server. "
                                    f"Please verify the {kind} name.")
        return items[name]

    def listing(request, key, render):
        items = [render(e) for e in gateway.state.endpoints.values()]
        page = _page(items, request.query_params.get("page_token"), PAGE_SIZE)
        return _json({key: page.pop("items"), **page})

    async def list_endpoints(request):
        return listing(request, "endpoints", lambda e: e.to_json())

    async def get_endpoint(request):
        return _json(named(gateway.state.endpoints, request, "endpoint").to_json())

    async def legacy_list_routes(request):
        return listing(request, "routes", lambda e: e.to_legacy_json())

    async def legacy_get_route(request):
        return _json(named(gateway.state.endpoints, request, "route").to_legacy_json())

    async def get_route(request):
        return _json(named(gateway.state.routes, request, "route").to_json())

    async def get_limits(request):
        return _detail(501, "The get_limits API is not available yet.")

    async def set_limits(request):
        return _detail(501, "The set_limits API is not available yet.")

    async def invocations(request):
        state = gateway.state
        name = request.path_params["name"]
        kind = state.kind_of(name)
        if kind is None:
            return _detail(404, "Not Found")
        payload = await _body(request)
        if isinstance(payload, dict) and "model" in payload:
            raise GatewayError(422, "The parameter 'model' is not permitted to be passed. The route being queried "
                                    "already defines a model instance.")
        return await gateway.invoke(request, name, kind, payload, state)

    def openai_route(kind):
        async def handler(request):
            state = gateway.state
            payload = await _body(request)
            if not isinstance(payload, dict) or not isinstance(payload.get("model"), str):
                raise GatewayError(422, [{"type": "missing", "loc": ["body", "model"], "msg": "Field required"}])
            payload = dict(payload)
            name = payload.pop("model")
            state.require_kind(name, kind)
            return await gateway.invoke(request, name, kind, payload, state)

        return handler

    async def on_gateway_error(request, exc):
        return _detail(exc.status_code, exc.detail)

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/api/2.0/endpoints/", list_endpoints, methods=["GET"]),
        Route("/api/2.0/endpoints/limits/{endpoint}", get_limits, methods=["GET"]),
        Route("/api/2.0/endpoints/limits/", set_limits, methods=["POST"]),
        Route("/api/2.0/endpoints/{name}", get_endpoint, methods=["GET"]),
        Route("/api/2.0/gateway/limits/{endpoint}", get_limits, methods=["GET"]),
        Route("/api/2.0/gateway/limits/", set_limits, methods=["POST"]),
        Route("/api/2.0/gateway/routes/", legacy_list_routes, methods=["GET"]),
        Route("/api/2.0/gateway/routes/{name}", legacy_get_route, methods=["GET"]),
        Route("/api/3.0/gateway/endpoint/{name}", get_endpoint, methods=["GET"]),
        Route("/api/3.0/gateway/route/{name}", get_route, methods=["GET"]),
        Route("/endpoints/{name}/invocations", invocations, methods=["POST"]),
        Route("/gateway/{name}/invocations", invocations, methods=["POST"]),
        Route("/v1/chat/completions", openai_route("chat"), methods=["POST"]),
        Route("/v1/completions", openai_route("completions"), methods=["POST"]),
        Route("/v1/embeddings", openai_route("embeddings"), methods=["POST"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await gateway.start()
        watcher = asyncio.create_task(gateway.watch())
        try:
            yield
        finally:
            watcher.cancel()
            await gateway.stop()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={GatewayError: on_gateway_error})
    app.state.gateway = gateway
    return app


def create_app_from_env():
    """uvicorn's factory in each worker: the config path comes from MLFLOW_GATEWAY_CONFIG."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp").setLevel(logging.WARNING)
    return build_app(Gateway(os.environ["MLFLOW_GATEWAY_CONFIG"]))
