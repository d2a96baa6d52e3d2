"""The V2 (Open Inference) protocol routes served with --enable-mlserver.

  GET  /v2                                   server metadata
  GET  /v2/health/live, /v2/health/ready     200 when the server answers / the model is loaded
  GET  /v2/models/<name>[/versions/<v>]      model metadata (inputs/outputs from the signature)
  GET  /v2/models/<name>[/versions/<v>]/ready
  POST /v2/models/<name>[/versions/<v>]/infer
The model's name is MLSERVER_MODEL_NAME (default "mlflow-model", as MLflow's MLServer setup
used) and its version MLSERVER_MODEL_VERSION (optional).

Inference requests: {"inputs": [{"name", "shape", "datatype", "data"}], "parameters"?, "id"?}.
Inputs are decoded as a pandas table (one column per input) when the request or input asks
for content_type "pd" or when the model's signature names columns; otherwise as numpy arrays
(content_type "np"). Errors are {"error": "..."} with status 400, as MLServer answers.
"""

import asyncio
import json
import os
import uuid

from runtime.errors import MlfError

DEFAULT_MODEL_NAME = "mlflow-model"

# V2 datatype -> numpy dtype name.
DATATYPES = {
    "BOOL": "bool",
    "UINT8": "uint8",
    "UINT16": "uint16",
    "UINT32": "uint32",
    "UINT64": "uint64",
    "INT8": "int8",
    "INT16": "int16",
    "INT32": "int32",
    "INT64": "int64",
    "FP16": "float16",
    "FP32": "float32",
    "FP64": "float64",
    "BYTES": "object",
}
_SIGNATURE_TO_V2 = {
    "boolean": "BOOL",
    "integer": "INT32",
    "long": "INT64",
    "float": "FP32",
    "double": "FP64",
    "string": "BYTES",
    "binary": "BYTES",
}


class V2Error(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _datatype_of(dtype):
    for name, numpy_name in DATATYPES.items():
        if numpy_name == str(dtype) and name != "BYTES":
            return name
    return "BYTES"


def _decode_input(spec, np):
    if not isinstance(spec, dict):
        raise V2Error("Each entry of 'inputs' must be an object with name, shape, datatype and data")
    missing = [k for k in ("name", "shape", "datatype", "data") if k not in spec]
    if missing:
        raise V2Error(f"Input {spec.get('name', '?')!r} is missing {missing}")
    datatype = spec["datatype"]
    if datatype not in DATATYPES:
        raise V2Error(f"Input {spec['name']!r} has unknown datatype {datatype!r}; known: {sorted(DATATYPES)}")
    shape = spec["shape"]
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise V2Error(f"Input {spec['name']!r}: shape must be a list of non-negative integers")
    data = spec["data"]
    if datatype == "BYTES":
        flat = [d.decode("utf-8") if isinstance(d, bytes) else d for d in _flatten(data)]
        array = np.array(flat, dtype=object)
    else:
        try:
            array = np.asarray(list(_flatten(data)), dtype=DATATYPES[datatype])
        except (ValueError, TypeError) as exc:
            raise V2Error(f"Input {spec['name']!r}: data does not match datatype {datatype}: {exc}") from None
    expected = 1
    for dim in shape:
        expected *= dim
    if array.size != expected:
        raise V2Error(f"Input {spec['name']!r}: {array.size} values do not fill the shape {shape}")
    return array.reshape(shape)


def _flatten(data):
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    else:
        yield data


def decode_request(payload, model):
    """A V2 request body -> the model input."""
    import numpy as np
    import pandas as pd

    if not isinstance(payload, dict) or not isinstance(payload.get("inputs"), list) or not payload["inputs"]:
        raise V2Error("The request must be a JSON object with a non-empty 'inputs' list")
    request_type = (payload.get("parameters") or {}).get("content_type")
    arrays = {}
    use_table = request_type == "pd"
    for spec in payload["inputs"]:
        arrays[spec.get("name") if isinstance(spec, dict) else None] = _decode_input(spec, np)
        if ((spec.get("parameters") or {}).get("content_type")) == "pd":
            use_table = True
    schema = model.input_schema
    if request_type != "np" and schema is not None and schema.has_names and not schema.is_tensor:
        use_table = True
    if use_table:
        columns = {}
        for name, array in arrays.items():
            if array.ndim == 2 and array.shape[1] == 1:
                array = array[:, 0]
            columns[name] = list(array) if array.ndim > 1 else array
        try:
            return pd.DataFrame(columns)
        except ValueError as exc:
            raise V2Error(f"The inputs do not form a table: {exc}") from None
    if len(arrays) == 1:
        return next(iter(arrays.values()))
    return arrays


def encode_response(raw, model_name, model_version, request_id):
    import numpy as np
    import pandas as pd

    outputs = []

    def add(name, value):
        array = np.asarray(value)
        datatype = _datatype_of(array.dtype)
        data = array.ravel().tolist()
        if datatype == "BYTES":
            data = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in data]
        outputs.append({"name": str(name), "shape": list(array.shape), "datatype": datatype,
                        "parameters": {"content_type": "np"}, "data": data})

    if isinstance(raw, pd.DataFrame):
        for column in raw.columns:
            add(column, raw[column].to_numpy())
    elif isinstance(raw, pd.Series):
        add(raw.name if raw.name is not None else "output-1", raw.to_numpy())
    elif isinstance(raw, dict):
        for key, value in raw.items():
            add(key, value)
    else:
        add("output-1", raw)
    body = {"model_name": model_name, "id": request_id, "parameters": {}, "outputs": outputs}
    if model_version:
        body["model_version"] = model_version
    return body


def model_metadata(model, model_name, model_version):
    def tensors(schema, prefix):
        if schema is None:
            return []
        out = []
        for position, spec in enumerate(schema.specs):
            if hasattr(spec, "dtype"):
                out.append({"name": spec.name or f"{prefix}-{position}", "datatype": _datatype_of(spec.dtype),
                            "shape": list(spec.shape or [-1])})
            else:
                out.append({"name": spec.name or f"{prefix}-{position}",
                            "datatype": _SIGNATURE_TO_V2.get(spec.type_label(), "BYTES"), "shape": [-1]})
        return out

    signature = model.metadata.signature
    return {
        "name": model_name,
        "versions": [model_version] if model_version else [],
        "platform": "",
        "inputs": tensors(signature.inputs if signature else None, "input"),
        "outputs": tensors(signature.outputs if signature else None, "output"),
    }


def infer(model, body, model_name, model_version):
    """One inference request (runs in a worker thread)."""
    from runtime.models.scoring import run_prediction

    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise V2Error(f"The request body is not valid JSON: {exc}") from None
    data = decode_request(payload, model)
    params = payload.get("parameters") or {}
    params = {k: v for k, v in params.items() if k not in ("content_type", "headers")} or None
    try:
        raw = run_prediction(model, data, params)
    except MlfError as exc:
        raise V2Error(exc.message, exc.http_status if exc.http_status < 500 else 500) from None
    return encode_response(raw, model_name, model_version, payload.get("id") or str(uuid.uuid4()))


def v2_routes(model, timeout, body_limit):
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from runtime import __version__
    from runtime.models.request_body import BodyTooLarge, read_body

    model_name = os.environ.get("MLSERVER_MODEL_NAME") or DEFAULT_MODEL_NAME
    model_version = os.environ.get("MLSERVER_MODEL_VERSION") or None

    def known(request):
        params = request.path_params
        if params["name"] != model_name:
            return False
        return params.get("version") in (None, model_version)

    def not_found(request):
        params = request.path_params
        label = params["name"] + (f" (version {params['version']})" if params.get("version") else "")
        return JSONResponse({"error": f"Model {label} not found"}, status_code=404)

    async def server_metadata(request):
        return JSONResponse({"name": "mlf", "version": __version__, "extensions": []})

    async def healthy(request):
        return Response(status_code=200)

    async def metadata(request):
        if not known(request):
            return not_found(request)
        return JSONResponse(model_metadata(model, model_name, model_version))

    async def ready(request):
        return Response(status_code=200) if known(request) else not_found(request)

    async def infer_route(request):
        if not known(request):
            return not_found(request)
        try:
            body = await read_body(request, body_limit)
        except BodyTooLarge:
            return JSONResponse({"error": f"The request body is larger than {body_limit} bytes"}, status_code=413)
        loop = asyncio.get_running_loop()
        try:
            result = await asyncio.wait_for(
                loop.run_in_executor(None, infer, model, body, model_name, model_version), timeout
            )
        except asyncio.TimeoutError:
            return JSONResponse({"error": "Request processing time exceeded limit"}, status_code=504)
        except V2Error as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        from runtime.models.scoring import json_default

        return Response(json.dumps(result, default=json_default), media_type="application/json")

    routes = [
        Route("/v2", server_metadata, methods=["GET"]),
        Route("/v2/health/live", healthy, methods=["GET"]),
        Route("/v2/health/ready", healthy, methods=["GET"]),
    ]
    for prefix in ("/v2/models/{name}", "/v2/models/{name}/versions/{version}"):
        routes += [
            Route(prefix, metadata, methods=["GET"]),
            Route(prefix + "/ready", ready, methods=["GET"]),
            Route(prefix + "/infer", infer_route, methods=["POST"]),
        ]
    return routes
