"""MLflow's scoring protocol: request bodies in, {"predictions": ...} out.

JSON bodies carry exactly one of
  dataframe_split   {"columns": [...], "data": [[...]], "index": [...]}   (pandas split orient)
  dataframe_records [{"col": value, ...}, ...]                             (pandas records orient)
  instances         [{"col": value}, ...] or [[...], ...]                  (TF serving rows)
  inputs            {"col": [...]} or [[...], ...] or a scalar             (TF serving columns)
plus optional "params"; any other top-level key is refused. CSV bodies are a pandas
to_csv() table with a header row. The shared score() is used by the scoring server and by
`models predict`, so both answer the same input the same way.
"""

import json
import logging

from runtime.errors import InvalidParameter, MlfError

_logger = logging.getLogger(__name__)

CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_CSV = "text/csv"
CONTENT_TYPES = (CONTENT_TYPE_CSV, CONTENT_TYPE_JSON)
DF_SPLIT = "dataframe_split"
DF_RECORDS = "dataframe_records"
INSTANCES = "instances"
INPUTS = "inputs"
INPUT_FORMATS = (DF_SPLIT, DF_RECORDS, INSTANCES, INPUTS)
PARAMS_KEY = "params"


def prepare():
    """Import what reading a request and writing a response need (pandas, numpy).

    The scoring server calls this before it answers /ping, so the first request after a
    successful /ping does not pay half a second of imports.
    """
    import numpy  # noqa: F401
    import pandas  # noqa: F401


def bad_request(message):
    return MlfError(message, error_code="BAD_REQUEST")


# ---- JSON ---------------------------------------------------------------------------------
def parse_json_input(body):
    """Body (bytes or str) -> (model input, params or None)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"Invalid input. Ensure that input is a valid JSON formatted string. Error: {exc}") from None
    expected = f"one of the input fields {list(INPUT_FORMATS)}"
    if not isinstance(payload, dict):
        raise bad_request(
            f"Invalid input. The input must be a JSON dictionary with exactly {expected}. "
            f"Received {type(payload).__name__ if not isinstance(payload, list) else 'a list'}."
        )
    unknown = [k for k in payload if k not in INPUT_FORMATS and k != PARAMS_KEY]
    formats = [k for k in payload if k in INPUT_FORMATS]
    if unknown or len(formats) != 1:
        detail = f" Unknown fields: {unknown}." if unknown else ""
        raise bad_request(
            f"The input must be a JSON dictionary with exactly {expected}, plus optionally "
            f"'{PARAMS_KEY}'. Received dictionary with input fields: {list(payload)}.{detail}"
        )
    params = payload.get(PARAMS_KEY)
    if params is not None and not isinstance(params, dict):
        raise bad_request(f"'{PARAMS_KEY}' must be a JSON object, got {type(params).__name__}")
    name = formats[0]
    value = payload[name]
    if name == DF_SPLIT:
        return _split_frame(value), params
    if name == DF_RECORDS:
        return _records_frame(value), params
    if name == INSTANCES:
        return _instances(value), params
    return _inputs(value), params


def _split_frame(value):
    import pandas as pd

    if not isinstance(value, dict):
        raise bad_request(f"Invalid input. Dataframe split format must be a dictionary. Got {type(value).__name__}.")
    keys = set(value)
    if "data" not in keys or keys - {"columns", "data", "index"}:
        raise bad_request(
            "Invalid input. Dataframe split format must have 'data' field and optionally 'columns' "
            f"and 'index' fields. Got {sorted(keys)}."
        )
    try:
        return pd.DataFrame(data=value["data"], columns=value.get("columns"), index=value.get("index"))
    except (ValueError, TypeError, AssertionError) as exc:
        raise bad_request(f"Invalid input. dataframe_split is not a valid 'split' table: {exc}") from None


def _records_frame(value):
    import pandas as pd

    if not isinstance(value, list):
        raise bad_request(f"Invalid input. Dataframe records format must be a list of records. Got {type(value).__name__}.")
    if not all(isinstance(row, dict) for row in value):
        raise bad_request("Invalid input. Every entry of dataframe_records must be a JSON object (one row).")
    try:
        return pd.DataFrame(data=value)
    except (ValueError, TypeError) as exc:
        raise bad_request(f"Invalid input. dataframe_records is not a valid 'records' table: {exc}") from None


def _as_array(value):
    """A rectangular list becomes a numpy array; ragged data stays a list."""
    import numpy as np

    try:
        array = np.asarray(value)
    except ValueError:
        return value
    return value if array.dtype == object and isinstance(value, list) else array


def _instances(value):
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        columns = {}
        for row in value:
            for key, item in row.items():
                columns.setdefault(key, []).append(item)
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise bad_request("Invalid input. The length of values for each input/column name are not the same")
        return {key: _as_array(items) for key, items in columns.items()}
    if isinstance(value, dict):
        raise bad_request("Invalid input. 'instances' must be a list of rows; use 'inputs' for a mapping of columns.")
    return _as_array(value)


def _inputs(value):
    if isinstance(value, dict):
        return {key: _as_array(item) if isinstance(item, list) else item for key, item in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(row, dict) for row in value):
            import pandas as pd

            return pd.DataFrame(value)
        return _as_array(value)
    return value


# ---- CSV ----------------------------------------------------------------------------------
def parse_csv_input(text, schema=None):
    import io

    import pandas as pd

    # Text columns are read as text so that values like "007" keep their form; numeric columns
    # are left to pandas and checked against the signature afterwards.
    dtypes = None
    if schema is not None and schema.has_names and not schema.is_tensor:
        dtypes = {s.name: str for s in schema.specs if getattr(s, "type", None) in ("string", "binary")} or None
    try:
        source = io.StringIO(text) if isinstance(text, str) else text
        return pd.read_csv(source, dtype=dtypes)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise bad_request(
            "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted "
            f"Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` method. Error: '{exc}'"
        ) from None


# ---- output -------------------------------------------------------------------------------
def json_default(value):
    import base64
    import datetime

    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)) or hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def jsonable(raw):
    """Predictions as plain JSON data (pandas frames as records, as MLflow does)."""
    import numpy as np
    import pandas as pd

    if isinstance(raw, np.ndarray):
        return raw.tolist()
    if isinstance(raw, pd.DataFrame):
        return raw.to_dict(orient="records")
    if isinstance(raw, pd.Series):
        return raw.to_frame().to_dict(orient="records")
    return raw


def predictions_to_json(raw):
    return json.dumps({"predictions": jsonable(raw)}, default=json_default)


# ---- one request --------------------------------------------------------------------------
class ScoringResult:
    __slots__ = ("status", "body", "media_type")

    def __init__(self, status, body, media_type=CONTENT_TYPE_JSON):
        self.status = status
        self.body = body
        self.media_type = media_type


def _error(exc):
    return ScoringResult(exc.http_status, json.dumps(exc.to_json()))


def check_content_type(content_type):
    """(mime type, None) when acceptable, else (None, 415 ScoringResult) as MLflow answers."""
    parts = [p.strip() for p in (content_type or "").split(";")]
    mime = parts[0].lower()
    params = {}
    for pair in parts[1:]:
        if pair:
            key, _, value = pair.partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
    if params.get("charset", "utf-8").lower() != "utf-8":
        return None, ScoringResult(415, "The scoring server only supports UTF-8", "text/plain")
    unexpected = sorted(set(params) - {"charset"})
    if unexpected:
        return None, ScoringResult(415, f"Unrecognized content type parameters: {', '.join(unexpected)}.", "text/plain")
    if mime not in CONTENT_TYPES:
        return None, ScoringResult(
            415,
            f"This predictor only supports the following content types: Types: {list(CONTENT_TYPES)}. "
            f"Got '{content_type}'.",
            "text/plain",
        )
    return mime, None


def parse_request(model, body, mime):
    """(data, params) for one request body; raises MlfError with a 4xx code."""
    if mime == CONTENT_TYPE_CSV:
        try:
            text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
        except UnicodeDecodeError as exc:
            raise bad_request(f"Invalid input. Ensure that input is a valid UTF-8 encoded string. Error: {exc}") from None
        return parse_csv_input(text, model.input_schema), None
    return parse_json_input(body)


def run_prediction(model, data, params):
    """model.predict with MLflow's error mapping: signature problems and model failures are 400s."""
    try:
        return model.predict(data, params=params)
    except MlfError:
        raise
    except Exception as exc:  # the model's own failure on this input
        _logger.debug("model raised", exc_info=True)
        raise bad_request(
            "Encountered an unexpected error while evaluating the model. Verify that the serialized "
            f"input Dataframe is compatible with the model for inference. Error: {type(exc).__name__}: {exc}"
        ) from None


def score(model, body, content_type):
    """Answer one /invocations request: a ScoringResult with status, body and media type."""
    mime, refusal = check_content_type(content_type)
    if refusal is not None:
        return refusal
    try:
        data, params = parse_request(model, body, mime)
        raw = run_prediction(model, data, params)
        return ScoringResult(200, predictions_to_json(raw))
    except InvalidParameter as exc:
        return _error(exc)
    except MlfError as exc:
        if exc.http_status >= 500:
            raise
        return _error(exc)
