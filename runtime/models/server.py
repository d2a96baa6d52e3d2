"""The scoring server (starlette app run by uvicorn).

Routes, as MLflow's scoring server has them:
  GET  /ping, /health   200 once the model is loaded
  GET  /version         the mlf version
  POST /invocations     application/json or text/csv -> {"predictions": [...]}
With enable_mlserver the V2 inference protocol routes are added (see v2_protocol).
Bad payloads get 400 with {"error_code": ..., "message": ...}; a body over the size limit
gets 413 before it is read in full; a prediction slower than the timeout gets 504.
The server keeps answering after any of these.

Limits: request timeout from --timeout / MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT (seconds,
default 60); body size from MLF_SCORING_SERVER_MAX_BODY_SIZE (bytes, default 64 MiB).
"""

import asyncio
import gc
import json
import os

from runtime.errors import InvalidParameter
from runtime.models.request_body import BodyTooLarge, read_body

DEFAULT_TIMEOUT = 60
DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024
MAX_BODY_ENV = "MLF_SCORING_SERVER_MAX_BODY_SIZE"
# How a parent process hands the configuration to uvicorn worker processes.
_ENV_MODEL_PATH = "MLF_SERVING_MODEL_PATH"
_ENV_TIMEOUT = "MLF_SERVING_TIMEOUT"
_ENV_MLSERVER = "MLF_SERVING_ENABLE_MLSERVER"


def max_body_size():
    raw = os.environ.get(MAX_BODY_ENV)
    if not raw:
        return DEFAULT_MAX_BODY_SIZE
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"{MAX_BODY_ENV} must be a number of bytes, got {raw!r}") from None
    if value <= 0:
        raise InvalidParameter(f"{MAX_BODY_ENV} must be positive, got {value}")
    return value


def error_response(status, error_code, message):
    from starlette.responses import Response

    body = json.dumps({"error_code": error_code, "message": message})
    return Response(body, status_code=status, media_type="application/json")


def create_app(model, timeout=DEFAULT_TIMEOUT, enable_mlserver=False, body_limit=None):
    """A starlette app that serves model (a loaded PyFuncModel)."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from runtime import __version__
    from runtime.models.scoring import prepare, score

    prepare()
    limit = body_limit or max_body_size()
    timeout = timeout or DEFAULT_TIMEOUT

    async def ping(request):
        return Response("\n", status_code=200, media_type="application/json")

    async def version(request):
        return Response(__version__, status_code=200, media_type="application/json")

    async def invocations(request):
        try:
            body = await read_body(request, limit)
        except BodyTooLarge:
            return error_response(
                413, "BAD_REQUEST", f"The request body is larger than the limit of {limit} bytes ({MAX_BODY_ENV})."
            )
        content_type = request.headers.get("content-type")
        loop = asyncio.get_running_loop()
        try:
            result = await asyncio.wait_for(loop.run_in_executor(None, score, model, body, content_type), timeout)
        except asyncio.TimeoutError:
            return Response("Request processing time exceeded limit", status_code=504, media_type="application/json")
        return Response(result.body, status_code=result.status, media_type=result.media_type)

    routes = [
        Route("/ping", ping, methods=["GET"]),
        Route("/health", ping, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
        Route("/invocations", invocations, methods=["POST"]),
    ]
    if enable_mlserver:
        from runtime.models.v2_protocol import v2_routes

        routes += v2_routes(model, timeout=timeout, body_limit=limit)
    return Starlette(routes=routes)


def loaded_app(model_path, timeout=DEFAULT_TIMEOUT, enable_mlserver=False):
    """Load the model and build its app, ready to answer the first request at full speed."""
    from runtime.models.pyfunc import load_local

    # Start-up imports thousands of modules and makes no garbage worth collecting: the cyclic
    # collector would only slow it down. What start-up built lives as long as the server, so it
    # is then frozen out of later collections (their pauses would show up as latency spikes).
    gc.disable()
    try:
        app = create_app(load_local(model_path), timeout=timeout, enable_mlserver=enable_mlserver)
        gc.freeze()
    finally:
        gc.enable()
    return app


def app_from_env():
    """uvicorn factory for worker processes: configuration comes from the parent's environment."""
    return loaded_app(
        os.environ[_ENV_MODEL_PATH],
        timeout=int(os.environ.get(_ENV_TIMEOUT) or DEFAULT_TIMEOUT),
        enable_mlserver=os.environ.get(_ENV_MLSERVER) == "true",
    )


def parse_workers(workers):
    if workers in (None, ""):
        return 1
    try:
        count = int(workers)
    except (TypeError, ValueError):
        raise InvalidParameter.for_param("workers", f"must be a whole number, got {workers!r}") from None
    if count < 1:
        raise InvalidParameter.for_param("workers", f"must be at least 1, got {count}")
    return count


def serve(model_path, host="127.0.0.1", port=5000, workers=None, timeout=DEFAULT_TIMEOUT, enable_mlserver=False):
    """Load the model at a local path and serve it until interrupted."""
    import uvicorn

    count = parse_workers(workers)
    max_body_size()  # refuse a bad limit before binding the port
    if count == 1:
        app = loaded_app(model_path, timeout=timeout, enable_mlserver=enable_mlserver)
        uvicorn.run(app, host=host, port=int(port), log_level="info", access_log=False, ws="none")
        return
    os.environ[_ENV_MODEL_PATH] = os.path.abspath(model_path)
    os.environ[_ENV_TIMEOUT] = str(timeout or DEFAULT_TIMEOUT)
    os.environ[_ENV_MLSERVER] = "true" if enable_mlserver else "false"
    uvicorn.run(
        "runtime.models.server:app_from_env",
        factory=True,
        host=host,
        port=int(port),
        workers=count,
        log_level="info",
        access_log=False,
        ws="none",
    )
