"""The tracking server's HTTP glue around the wire protocol (runtime.wire.protocol).

Requests: JSON bodies (POST/PATCH/PUT/DELETE) or query strings (GET), parsed
against the RPC's request message. Responses: JSON as MLflow sends it. Errors:
{"error_code": ..., "message": ...} with the status from runtime.errors.

A route module builds its routes with ``rpc_routes`` (the paths MLflow serves
an RPC on) or ``api_routes`` (paths of its own choosing), giving a handler
``handler(body, request) -> dict | starlette Response``. Handlers are plain
functions; they run in the thread pool because stores block.
"""

import logging
import uuid

from runtime.errors import InvalidParameter, MlfError
from runtime.wire.json_body import decode_json
from runtime.wire.protocol import dumps, message_fields, missing_parameter, parse_message, rpc_info

log = logging.getLogger("mlf.server")

JSON_MEDIA_TYPE = "application/json"
STATE_CHANGING_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _bad(message):
    raise InvalidParameter(message)


# ---- requests ------------------------------------------------------------
def require(body, name):
    """The value of a required request field; INVALID_PARAMETER_VALUE when absent or empty."""
    value = body.get(name)
    if value is None or value == "":
        missing_parameter(name)
    return value


def run_id_of(body):
    """run_id, or the deprecated run_uuid older clients still send."""
    value = body.get("run_id") or body.get("run_uuid")
    if not value:
        missing_parameter("run_id")
    return value


def query_to_dict(request, message_name):
    """Query string -> dict: repeated keys become lists for repeated fields, others take the first value."""
    by_name, aliases = message_fields(message_name) if message_name else ({}, {})
    data = {}
    for key in request.query_params.keys():
        if key in data:
            continue
        values = request.query_params.getlist(key)
        spec = by_name.get(aliases.get(key, key))
        data[key] = values if spec is not None and spec.get("repeated") else values[0]
    return data


def is_json_content_type(request):
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == JSON_MEDIA_TYPE


async def read_json_body(request):
    """The JSON object in the request body ({} when empty); requires application/json."""
    raw = await request.body()
    if not raw.strip():
        if request.method in ("POST", "PUT", "PATCH") and "content-type" not in request.headers:
            _bad("Bad Request. Content-Type header is missing.")
        return {}
    if not is_json_content_type(request):
        _bad(f"Bad Request. Content-Type must be one of ['{JSON_MEDIA_TYPE}'].")
    data = decode_json(raw)
    if isinstance(data, str):  # some old clients double-encode the body
        try:
            data = decode_json(data)
        except InvalidParameter:
            pass
    if not isinstance(data, dict):
        _bad("Invalid request body: expected a JSON object")
    return data


async def read_request(request, message_name, path_params=None):
    """Parse a request into a proto-named dict: query string for GET, JSON body otherwise.

    path_params (e.g. {model_id} of /logged-models/{model_id}) count as request
    fields, so required fields carried in the path are found.
    """
    if request.method in ("GET", "HEAD"):
        data, from_query = query_to_dict(request, message_name), True
    else:
        data, from_query = await read_json_body(request), False
    if path_params:
        data.update(path_params)
    if message_name is None:
        return data
    return parse_message(message_name, data, from_query=from_query)



# ---- responses -----------------------------------------------------------
def json_response(payload, status=200, headers=None):
    from starlette.responses import Response

    return Response(dumps(payload), status_code=status, media_type=JSON_MEDIA_TYPE, headers=headers)


def error_response(exc):
    """The JSON error body for an MlfError, with its HTTP status."""
    return json_response(exc.to_json(), status=exc.http_status)


def internal_error_response(exc):
    """A 500 that names a request id and nothing else: the exception (paths, internals) goes to the log only."""
    request_id = uuid.uuid4().hex[:16]
    log.error("unexpected error while serving a request (request id %s)", request_id, exc_info=exc)
    message = f"Internal server error; the server log has the details under request id {request_id}."
    return json_response({"error_code": "INTERNAL_ERROR", "message": message}, status=500)


# ---- endpoints and routes ------------------------------------------------
def endpoint(handler, message_name=None):
    """Wrap handler(body, request) -> dict | Response as a starlette endpoint.

    The request is parsed against message_name (path parameters are merged
    into the body); MlfError becomes MLflow's error body.
    """
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import ClientDisconnect
    from starlette.responses import Response

    async def serve(request):
        try:
            body = await read_request(request, message_name, request.path_params)
            body.update(request.path_params)
            result = await run_in_threadpool(handler, body, request)
        except MlfError as exc:
            return error_response(exc)
        except ClientDisconnect:
            # Not a server fault: nothing was read whole, so nothing was written; nobody is left to answer.
            log.info("client disconnected before sending the whole body of %s %s", request.method, request.url.path)
            return Response(status_code=400)
        except Exception as exc:  # noqa: BLE001 - any failure must still answer in MLflow's format
            return internal_error_response(exc)
        if isinstance(result, Response):
            return result
        return json_response({} if result is None else result)

    serve.__name__ = getattr(handler, "__name__", "endpoint")
    return serve


def rpc_routes(rpc_name, handler, message_name=None):
    """Routes for every (method, path) MLflow serves rpc_name on, all calling handler."""
    from starlette.routing import Route

    info = rpc_info(rpc_name)
    serve = endpoint(handler, message_name or info["request"])
    return [Route(path, serve, methods=[method], name=f"{rpc_name}:{method}:{path}") for method, path in info["endpoints"]]


def rpc_table_routes(service, table, handlers):
    """Routes for a {rpc short name: handler method name} table of one service (e.g. "mlflow.MlflowService.")."""
    out = []
    for rpc, method in table.items():
        out.extend(rpc_routes(service + rpc, getattr(handlers, method)))
    return out


def api_routes(path, handler, methods, message_name=None, versions=("2.0",), area="mlflow"):
    """Routes for /api/<v>/<area><path> and /ajax-api/<v>/<area><path> for each version."""
    from starlette.routing import Route

    serve = endpoint(handler, message_name)
    return [
        Route(f"/{base}/{version}/{area}{path}", serve, methods=list(methods))
        for version in versions
        for base in ("api", "ajax-api")
    ]
