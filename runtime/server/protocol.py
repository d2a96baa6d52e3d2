"""MLflow's wire protocol, shared by every route module.

Requests: JSON bodies (POST/PATCH/PUT/DELETE) or query strings (GET) parsed
against the message schema in proto_schema.json the way MLflow's protobuf
parsing does it: proto field names and camelCase json names are both
accepted (both for one field is an error), unknown fields are ignored,
int64 may come as a string, doubles may be "NaN"/"Infinity", enums by name or
number, repeated query fields as repeated keys, query bools as 'true'/'false' or
Python's 'True'/'False' (the mlflow client lets requests spell them that way).

Responses: proto field names, int64 as JSON numbers, non-finite doubles as
protobuf's "NaN"/"Infinity"/"-Infinity" strings. Errors:
{"error_code": ..., "message": ...} with the status from runtime.errors.

A route module builds its routes with ``rpc_routes`` (the paths MLflow serves
an RPC on) or ``api_routes`` (paths of its own choosing), giving a handler
``handler(body, request) -> dict | starlette Response``. Handlers are plain
functions; they run in the thread pool because stores block.
"""

import json
import logging
import math
from functools import lru_cache
from pathlib import Path

from runtime.errors import InvalidParameter, MlfError

log = logging.getLogger("mlf.server")

SCHEMA_PATH = Path(__file__).with_name("proto_schema.json")
JSON_MEDIA_TYPE = "application/json"
STATE_CHANGING_METHODS = ("POST", "PUT", "PATCH", "DELETE")

_INT_TYPES = {"int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64"}
_FLOAT_TYPES = {"double", "float"}
# Well-known types whose JSON form is not an object of their fields.
_RAW_JSON_MESSAGES = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
_STRING_FORM_MESSAGES = {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# ---- schema --------------------------------------------------------------
@lru_cache(maxsize=1)
def schema():
    """The compact message/RPC schema (built by tests/server/build_proto_schema.py)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _fields(message_name):
    """name -> field spec, plus json name -> proto name, for one message."""
    try:
        specs = schema()["messages"][message_name]
    except KeyError:
        raise KeyError(f"message {message_name} is not in {SCHEMA_PATH.name}") from None
    by_name = {f["name"]: f for f in specs}
    aliases = {f["json"]: f["name"] for f in specs if "json" in f}
    return by_name, aliases


def rpc_info(rpc_name):
    """{"request": message name, "endpoints": [[method, path], ...]} for a full RPC name."""
    try:
        return schema()["rpcs"][rpc_name]
    except KeyError:
        raise KeyError(f"rpc {rpc_name} is not in {SCHEMA_PATH.name}") from None


# ---- request parsing -----------------------------------------------------
def _bad(message):
    raise InvalidParameter(message)


def _describe(value):
    # As MLflow spells a bad value: its JSON form (strings in double quotes).
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= 80 else text[:77] + "..."


def _convert_int(value, where):
    if isinstance(value, bool):
        _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip(), 10)
        except ValueError:
            pass
    _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected an integer")


def _convert_float(value, where):
    if isinstance(value, bool):
        _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        if value in _NON_FINITE:
            return _NON_FINITE[value]
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
    _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected a number")


_QUERY_BOOLS = {"true": True, "false": False, "True": True, "False": False}


def _convert_bool(value, where, from_query):
    if isinstance(value, bool):
        return value
    if from_query and value in _QUERY_BOOLS:
        return _QUERY_BOOLS[value]
    _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected true or false")


def _convert_enum(value, type_name, where):
    values = schema()["enums"].get(type_name, {})
    if isinstance(value, str) and value in values:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        for name, number in values.items():
            if number == value:
                return name
    _bad(
        f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected one of "
        + ", ".join(values)
    )


def _convert_scalar(spec, value, where, from_query):
    kind = spec["type"]
    if kind == "string":
        if not isinstance(value, str):
            _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected a string")
        return value
    if kind in _INT_TYPES:
        return _convert_int(value, where)
    if kind in _FLOAT_TYPES:
        return _convert_float(value, where)
    if kind == "bool":
        return _convert_bool(value, where, from_query)
    if kind == "enum":
        return _convert_enum(value, spec["type_name"], where)
    if kind == "bytes":
        if not isinstance(value, str):
            _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected base64 text")
        return value
    if kind == "message":
        return _convert_message_value(spec["type_name"], value, where, from_query)
    raise AssertionError(f"unhandled field type {kind}")


def _convert_message_value(type_name, value, where, from_query):
    if type_name in _RAW_JSON_MESSAGES:
        return value
    if type_name in _STRING_FORM_MESSAGES:
        if not isinstance(value, str):
            _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected a string")
        return value
    if not isinstance(value, dict):
        _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected an object")
    return parse_message(type_name, value, from_query=from_query, where=where + ".")


def _convert_field(spec, value, where, from_query):
    if spec["type"] == "map":
        if not isinstance(value, dict):
            _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected an object")
        value_spec = {"type": spec["map_value"], "type_name": spec.get("type_name")}
        if spec["map_value"] in ("message", "enum") and not spec.get("type_name"):
            return dict(value)
        return {str(k): _convert_scalar(value_spec, v, f"{where}[{k}]", from_query) for k, v in value.items() if v is not None}
    if spec.get("repeated"):
        if not isinstance(value, list):
            if from_query:
                value = [value]
            else:
                _bad(f"Invalid value {_describe(value)} for parameter '{where}' supplied: expected an array")
        return [_convert_scalar(spec, item, f"{where}[{i}]", from_query) for i, item in enumerate(value) if item is not None]
    return _convert_scalar(spec, value, where, from_query)


def parse_message(message_name, data, from_query=False, where=""):
    """Check and convert a JSON object (or query dict) for message_name into a proto-named dict.

    Unknown fields are dropped, schema defaults fill missing fields, and fields
    the schema marks required must be present.
    """
    if not isinstance(data, dict):
        _bad("Invalid request body: expected a JSON object")
    by_name, aliases = _fields(message_name)
    out = {}
    for key, value in data.items():
        name = aliases.get(key, key)
        spec = by_name.get(name)
        if spec is None or value is None:
            continue
        if name in out:
            _bad(f"Invalid request body: field '{where}{name}' is given more than once ('{name}' and its json name)")
        out[name] = _convert_field(spec, value, where + name, from_query)
    for name, spec in by_name.items():
        if name in out:
            continue
        if "default" in spec:
            out[name] = spec["default"]
        elif spec.get("required") and not (name == "run_id" and "run_uuid" in out):
            missing_parameter(where + name)
    return out


def missing_parameter(name):
    _bad(f"Missing value for required parameter '{name}'. See the API docs for more information about request parameters.")


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
    by_name, aliases = _fields(message_name) if message_name else ({}, {})
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
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _bad(f"Invalid request body: malformed JSON ({exc})")
    if isinstance(data, str):  # some old clients double-encode the body
        try:
            data = json.loads(data)
        except json.JSONDecodeError:
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
def _wire_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _wire_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire_value(v) for v in value]
    return value


def dumps(payload):
    """JSON text as MLflow sends it; non-finite floats become protobuf's strings."""
    try:
        return json.dumps(payload, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(_wire_value(payload), allow_nan=False, separators=(",", ":"))


def json_response(payload, status=200, headers=None):
    from starlette.responses import Response

    return Response(dumps(payload), status_code=status, media_type=JSON_MEDIA_TYPE, headers=headers)


def error_response(exc):
    """The JSON error body for an MlfError, with its HTTP status."""
    return json_response(exc.to_json(), status=exc.http_status)


def internal_error_response(exc):
    log.exception("unexpected error while serving a request")
    return json_response({"error_code": "INTERNAL_ERROR", "message": f"{type(exc).__name__}: {exc}"}, status=500)


# ---- endpoints and routes ------------------------------------------------
def endpoint(handler, message_name=None):
    """Wrap handler(body, request) -> dict | Response as a starlette endpoint.

    The request is parsed against message_name (path parameters are merged
    into the body); MlfError becomes MLflow's error body.
    """
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    async def serve(request):
        try:
            body = await read_request(request, message_name, request.path_params)
            body.update(request.path_params)
            result = await run_in_threadpool(handler, body, request)
        except MlfError as exc:
            return error_response(exc)
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
