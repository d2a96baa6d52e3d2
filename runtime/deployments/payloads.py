"""What flows in and out of deployment commands: -C pairs, predict/explain input, JSON results."""

import json
import os
import sys

from runtime.errors import InvalidParameter, MlfError, UsageError


def parse_config(pairs):
    """-C key=value pairs -> dict of strings (split on the first '='); a repeated key is an error."""
    config = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"Config options must be given as -C key=value or --config key=value (got {pair!r})")
        if key in config:
            raise MlfError(f"Repeated parameter: '{key}'")
        config[key] = value
    return config


def _read_text(path):
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InvalidParameter(f"Input file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidParameter(f"Cannot read input file {path}: {exc}") from None


def is_csv(path):
    return path.lower().endswith(".csv")


def read_input(path):
    """The input of predict/explain: a pandas DataFrame for a .csv file, else the parsed JSON."""
    text = _read_text(path)
    if is_csv(path):
        import io

        import pandas

        try:
            return pandas.read_csv(io.StringIO(text))
        except Exception as exc:  # noqa: BLE001 - pandas raises several types for bad CSV
            raise InvalidParameter(f"Input file {path} is not valid CSV: {exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidParameter(f"Input file {path} is not valid JSON ({exc}); name CSV input *.csv") from None


def as_dataframe(inputs):
    """mlflow hands plugins a DataFrame (pandas.read_json of the file); table-shaped JSON becomes one."""
    import io

    import pandas

    if isinstance(inputs, pandas.DataFrame):
        return inputs
    try:
        return pandas.read_json(io.StringIO(json.dumps(inputs)))
    except ValueError:
        return inputs  # not a table (a chat payload, say): the plugin gets the JSON itself


def as_scoring_payload(inputs):
    """A JSON payload for REST targets: CSV tables go as MLflow's dataframe_split."""
    if hasattr(inputs, "to_dict") and hasattr(inputs, "columns"):
        return {"dataframe_split": json.loads(inputs.to_json(orient="split", index=False))}
    return inputs


def _jsonable(value):
    if hasattr(value, "model_dump"):  # pydantic v2
        return value.model_dump()
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # DataFrame
        return json.loads(value.to_json(orient="records"))
    if hasattr(value, "tolist"):  # numpy arrays and scalars, pandas Series
        return value.tolist()
    if isinstance(value, (set, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def result_json(result):
    """Any plugin result as JSON text (mlflow could print only DataFrame-like results)."""
    return json.dumps(result, default=_jsonable, ensure_ascii=False)


def write_output(text, output_path):
    """Write to output_path atomically, or return the text for stdout."""
    if not output_path:
        return text
    from runtime.fsutil import atomic_write

    directory = os.path.dirname(os.path.abspath(output_path))
    if not os.path.isdir(directory):
        raise InvalidParameter(f"Cannot write {output_path}: folder {directory} does not exist")
    atomic_write(output_path, text)
    return None
