"""Model signatures: parsing MLflow's JSON column/tensor specs and enforcing them on input.

A signature in MLmodel holds JSON strings:
  inputs:  '[{"type": "double", "name": "x", "required": true}, ...]'   (column specs)
       or  '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'
  outputs: same forms
  params:  '[{"name": "k", "type": "long", "default": 1, "shape": null}]'
Enforcement follows MLflow's rules: required columns must be present (extra columns are
dropped), values are converted only when the conversion cannot change them (int -> double
is fine, 1.5 -> long is not), and every refusal names the column and what was expected.
"""

import base64
import binascii
import json
import logging

from runtime.errors import InvalidParameter

_logger = logging.getLogger(__name__)

# MLflow DataType name -> numpy dtype name used for the column.
SCALAR_TYPES = {
    "boolean": "bool",
    "integer": "int32",
    "long": "int64",
    "float": "float32",
    "double": "float64",
    "string": "object",
    "binary": "object",
    "datetime": "datetime64[ns]",
}
COMPLEX_TYPES = ("array", "object", "map", "any")


class ColSpec:
    """One column: a scalar type name, or a complex type kept as its JSON dict."""

    def __init__(self, type_, name=None, required=True):
        self.type = type_
        self.name = name
        self.required = required

    @property
    def is_scalar(self):
        return isinstance(self.type, str)

    def type_label(self):
        return self.type if self.is_scalar else self.type.get("type", "?")

    def to_dict(self):
        out = {"type": self.type} if self.is_scalar else dict(self.type)
        if self.name is not None:
            out["name"] = self.name
        out["required"] = self.required
        return out


class TensorSpec:
    def __init__(self, dtype, shape, name=None):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.name = name

    def to_dict(self):
        out = {"type": "tensor", "tensor-spec": {"dtype": self.dtype, "shape": list(self.shape or ())}}
        if self.name is not None:
            out["name"] = self.name
        return out


class Schema:
    def __init__(self, specs):
        self.specs = list(specs)
        kinds = {isinstance(s, TensorSpec) for s in self.specs}
        if len(kinds) > 1:
            raise InvalidParameter("A schema cannot mix tensor specs and column specs")
        names = [s.name for s in self.specs]
        if any(n is not None for n in names) and any(n is None for n in names):
            raise InvalidParameter("A schema must name either all of its inputs or none of them")

    @property
    def is_tensor(self):
        return bool(self.specs) and isinstance(self.specs[0], TensorSpec)

    @property
    def has_names(self):
        return bool(self.specs) and self.specs[0].name is not None

    def names(self):
        return [s.name for s in self.specs]

    def required_names(self):
        return [s.name for s in self.specs if getattr(s, "required", True)]

    def by_name(self):
        return {s.name: s for s in self.specs}

    def describe(self):
        parts = []
        for s in self.specs:
            if isinstance(s, TensorSpec):
                parts.append(f"{s.name or 'tensor'}: Tensor({s.dtype}, {list(s.shape or ())})")
            else:
                flag = "required" if s.required else "optional"
                parts.append(f"{s.name!r}: {s.type_label()} ({flag})" if s.name else f"{s.type_label()} ({flag})")
        return "[" + ", ".join(parts) + "]"

    def to_json(self):
        return json.dumps([s.to_dict() for s in self.specs])

    @classmethod
    def from_json(cls, text):
        try:
            items = json.loads(text) if isinstance(text, str) else text
        except ValueError as exc:
            raise InvalidParameter(f"The model signature is not valid JSON: {exc}") from None
        if not isinstance(items, list):
            raise InvalidParameter("A model signature schema must be a JSON list of specs")
        return cls(_parse_spec(item) for item in items)


def _parse_spec(item):
    if not isinstance(item, dict) or "type" not in item:
        raise InvalidParameter(f"Invalid signature entry {item!r}: expected an object with a 'type'")
    kind = item["type"]
    if kind == "tensor":
        spec = item.get("tensor-spec") or {}
        if "dtype" not in spec:
            raise InvalidParameter(f"Invalid tensor spec {item!r}: missing 'tensor-spec.dtype'")
        return TensorSpec(spec["dtype"], spec.get("shape"), item.get("name"))
    required = bool(item.get("required", True))
    if kind in SCALAR_TYPES:
        return ColSpec(kind, item.get("name"), required)
    if kind in COMPLEX_TYPES:
        complex_type = {k: v for k, v in item.items() if k not in ("name", "required")}
        return ColSpec(complex_type, item.get("name"), required)
    raise InvalidParameter(
        f"Unsupported type {kind!r} in the model signature; known types: "
        f"{', '.join(list(SCALAR_TYPES) + list(COMPLEX_TYPES) + ['tensor'])}"
    )


class ParamSpec:
    def __init__(self, name, type_, default=None, shape=None):
        self.name = name
        self.type = type_
        self.default = default
        self.shape = shape


class Signature:
    def __init__(self, inputs=None, outputs=None, params=None):
        self.inputs = inputs
        self.outputs = outputs
        self.params = params  # list of ParamSpec or None

    @classmethod
    def from_mlmodel(cls, section):
        """Parse the `signature` mapping of an MLmodel file (values are JSON strings)."""
        if not section:
            return None
        inputs = Schema.from_json(section["inputs"]) if section.get("inputs") else None
        outputs = Schema.from_json(section["outputs"]) if section.get("outputs") else None
        params = None
        if section.get("params"):
            raw = json.loads(section["params"]) if isinstance(section["params"], str) else section["params"]
            params = [ParamSpec(p["name"], p["type"], p.get("default"), p.get("shape")) for p in raw]
        return cls(inputs, outputs, params)

    def to_mlmodel(self):
        out = {
            "inputs": self.inputs.to_json() if self.inputs else None,
            "outputs": self.outputs.to_json() if self.outputs else None,
            "params": None,
        }
        if self.params:
            out["params"] = json.dumps(
                [{"name": p.name, "type": p.type, "default": p.default, "shape": p.shape} for p in self.params]
            )
        return out


# ---------------------------------------------------------------------------------------------
# Enforcement


def _fail(message):
    raise InvalidParameter(message)


def enforce_input(data, schema):
    """Return data shaped and typed as the schema says, or raise InvalidParameter."""
    if schema is None or not schema.specs:
        return data
    if schema.is_tensor:
        return _enforce_tensors(data, schema)
    import pandas as pd

    frame = _as_frame(data, schema)
    if schema.has_names:
        return _enforce_named_columns(frame, schema, pd)
    return _enforce_unnamed_columns(frame, schema, pd)


def _as_frame(data, schema):
    """Bring any accepted input shape to a DataFrame (MLflow's conversions)."""
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    names = schema.required_names() if schema.has_names else []
    if isinstance(data, dict):
        # A dict of columns; scalars become a one-row frame.
        if all(np.isscalar(v) or v is None for v in data.values()):
            return pd.DataFrame([data])
        try:
            return pd.DataFrame({k: list(v) if isinstance(v, np.ndarray) and v.ndim > 1 else v for k, v in data.items()})
        except ValueError as exc:
            _fail(f"The input columns could not be combined into a table: {exc}")
    if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        return pd.DataFrame(data)
    if isinstance(data, (list, np.ndarray)):
        array = np.asarray(data, dtype=object) if isinstance(data, list) else data
        if len(names) == 1 and array.ndim == 1:
            return pd.DataFrame({names[0]: list(data)})
        try:
            return pd.DataFrame(data)
        except ValueError as exc:
            _fail(f"The input could not be read as a table: {exc}")
    if np.isscalar(data) and len(names) == 1:
        return pd.DataFrame({names[0]: [data]})
    _fail(f"Expected tabular input for a model with a column signature, got {type(data).__name__}")


def _already_typed(frame, schema):
    """True when frame has exactly the schema's columns, in order, with the target dtypes."""
    import numpy as np

    if list(frame.columns) != schema.names():
        return False
    for spec, dtype in zip(schema.specs, frame.dtypes):
        if not spec.is_scalar or spec.type in ("string", "binary", "datetime"):
            return False
        if dtype != np.dtype(SCALAR_TYPES[spec.type]):
            return False
    return True


def _enforce_named_columns(frame, schema, pd):
    if _already_typed(frame, schema):
        return frame  # the common case (a numeric table that matches): nothing to check column by column
    specs = schema.by_name()
    present = set(frame.columns)
    missing = [n for n in schema.required_names() if n not in present]
    if missing:
        extra = [c for c in frame.columns if c not in specs]
        message = f"Model is missing inputs {missing}."
        if extra:
            message += f" Note that there were extra inputs: {[str(c) for c in extra]}."
        _fail(message)
    extra = [c for c in frame.columns if c not in specs]
    if extra:
        _logger.warning("Ignoring input columns that the model signature does not name: %s", extra)
    columns = {}
    for name in schema.names():
        if name in present:
            columns[name] = coerce_column(name, frame[name], specs[name])
    if not extra and list(frame.columns) == list(columns) and all(columns[n] is frame[n] for n in columns):
        return frame  # nothing changed: skip rebuilding the frame (the common, fast path)
    return pd.DataFrame(columns, index=frame.index)


def _enforce_unnamed_columns(frame, schema, pd):
    if len(frame.columns) < len(schema.specs):
        _fail(
            f"Model inference is missing inputs. The model signature declares {len(schema.specs)} "
            f"inputs but the provided value only has {len(frame.columns)} inputs. Note: the inputs "
            "were not named in the signature so we can only verify their count."
        )
    columns = {}
    for position, spec in enumerate(schema.specs):
        column = frame.columns[position]
        columns[column] = coerce_column(column, frame[column], spec)
    return pd.DataFrame(columns, index=frame.index)


def coerce_column(name, values, spec):
    """Convert one pandas Series to the spec's type when that is safe."""
    if not spec.is_scalar:
        return _check_complex_column(name, values, spec)
    target = spec.type
    kind = values.dtype.kind
    if target == "string":
        if kind in ("O", "U", "T") or str(values.dtype) in ("string", "str"):
            bad = _first(values, lambda v: not isinstance(v, str))
            if bad is not _NONE:
                _type_error(name, target, bad)
            return values
        _dtype_error(name, values.dtype, target)
    if target == "binary":
        return _coerce_binary(name, values)
    if target == "datetime":
        return _coerce_datetime(name, values)
    if target == "boolean":
        if kind == "b":
            return values
        if kind == "O":
            bad = _first(values, lambda v: not isinstance(v, bool))
            if bad is _NONE:
                return values
            _type_error(name, target, bad)
        _dtype_error(name, values.dtype, target)
    return _coerce_number(name, values, target)


_NONE = object()


def _first(values, predicate):
    """The first non-null value for which predicate holds, or _NONE."""
    for value in values:
        if value is None or (isinstance(value, float) and value != value):
            continue
        if predicate(value):
            return value
    return _NONE


def _type_error(name, target, value):
    _fail(
        f"Incompatible input types for column {name!r}: the signature expects {target}, "
        f"got the value {value!r} ({type(value).__name__})"
    )


def _dtype_error(name, dtype, target, hint=""):
    _fail(
        f"Incompatible input types for column {name!r}. Can not safely convert {dtype} to "
        f"{SCALAR_TYPES.get(target, target)} ({target}).{hint}"
    )


def _coerce_number(name, values, target):
    import numpy as np

    numpy_type = np.dtype(SCALAR_TYPES[target])
    if values.dtype.kind == "O":
        bad = _first(values, lambda v: isinstance(v, bool) or not isinstance(v, (int, float, np.number)))
        if bad is not _NONE:
            _type_error(name, target, bad)
        values = values.infer_objects()
        if values.dtype.kind == "O":  # only None values
            values = values.astype("float64")
    kind = values.dtype.kind
    if values.dtype == numpy_type:
        return values
    if numpy_type.kind == "f":
        if kind == "f" and values.dtype.itemsize <= numpy_type.itemsize:
            return values.astype(numpy_type)
        if kind in ("i", "u"):
            # JSON and CSV have no separate integer literal for doubles: 1 means 1.0.
            return values.astype(numpy_type)
        if kind == "f" and target == "float":
            # double -> float only when nothing is lost.
            converted = values.astype(numpy_type)
            if np.array_equal(converted.to_numpy(dtype="float64"), values.to_numpy(), equal_nan=True):
                return converted
        _dtype_error(name, values.dtype, target)
    # integer targets
    info = np.iinfo(numpy_type)
    if kind in ("i", "u"):
        if len(values) and (values.min() < info.min or values.max() > info.max):
            _fail(f"Values of column {name!r} do not fit the signature type {target} ({numpy_type})")
        return values.astype(numpy_type)
    if kind == "f":
        array = values.to_numpy()
        if np.isnan(array).any():
            _dtype_error(
                name,
                values.dtype,
                target,
                " Hint: integer columns cannot hold missing values; declare the column as double "
                "if it may have missing values.",
            )
        if not np.all(np.mod(array, 1) == 0):
            _dtype_error(name, values.dtype, target)
        if len(array) and (array.min() < info.min or array.max() > info.max):
            _fail(f"Values of column {name!r} do not fit the signature type {target} ({numpy_type})")
        return values.astype(numpy_type)
    _dtype_error(name, values.dtype, target)


def _coerce_binary(name, values):
    def decode(value):
        if value is None or isinstance(value, (bytes, bytearray)):
            return value
        if isinstance(value, str):
            try:
                return base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                _fail(f"Column {name!r} is binary: values must be base64-encoded strings, got {value[:40]!r}")
        _type_error(name, "binary", value)

    return values.map(decode).astype(object)


def _coerce_datetime(name, values):
    import pandas as pd

    if values.dtype.kind == "M":
        return values.astype("datetime64[ns]")
    try:
        return pd.to_datetime(values, errors="raise")
    except (ValueError, TypeError) as exc:
        _fail(f"Column {name!r} is a datetime column but a value could not be read as a datetime: {exc}")


def _check_complex_column(name, values, spec):
    kind = spec.type.get("type")
    expected = {"array": (list, tuple), "object": (dict,), "map": (dict,)}.get(kind)
    if expected is None:  # any
        return values
    import numpy as np

    bad = _first(values, lambda v: not isinstance(v, expected + ((np.ndarray,) if kind == "array" else ())))
    if bad is not _NONE:
        _type_error(name, kind, bad)
    return values


def _enforce_tensors(data, schema):
    import numpy as np
    import pandas as pd

    if schema.has_names and len(schema.specs) > 1:
        if isinstance(data, pd.DataFrame):
            data = {c: data[c].to_numpy() for c in data.columns}
        if not isinstance(data, dict):
            _fail(f"This model expects named tensors {schema.names()}, got {type(data).__name__}")
        missing = [n for n in schema.names() if n not in data]
        if missing:
            _fail(f"Model is missing inputs {missing}.")
        return {s.name: _tensor(s.name, data[s.name], s, np) for s in schema.specs}
    spec = schema.specs[0]
    if isinstance(data, dict):
        if spec.name in data:
            data = data[spec.name]
        elif len(data) == 1:
            data = next(iter(data.values()))
        else:
            _fail(f"This model expects a single tensor, got the inputs {list(data)}")
    if isinstance(data, (pd.DataFrame, pd.Series)):
        data = data.to_numpy()
    return _tensor(spec.name or "input", data, spec, np)


def _tensor(name, value, spec, np):
    dtype = np.dtype(spec.dtype)
    try:
        array = np.asarray(value)
    except ValueError as exc:
        _fail(f"Input {name!r} is not a rectangular array: {exc}")
    if array.dtype != dtype:
        safe = np.can_cast(array.dtype, dtype, casting="same_kind") or (
            array.dtype.kind in "iu" and dtype.kind == "f"
        )
        if array.dtype.kind == "O" or not safe:
            _fail(f"Input {name!r}: can not safely convert {array.dtype} to the tensor type {dtype}")
        array = array.astype(dtype)
    if spec.shape is not None:
        shape = spec.shape
        if len(shape) != array.ndim or any(want not in (-1, got) for want, got in zip(shape, array.shape)):
            _fail(f"Input {name!r} has shape {list(array.shape)}, but the signature expects {list(shape)}")
    return array


# ---------------------------------------------------------------------------------------------
# Inference parameters

_PARAM_PY_TYPES = {
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "string": (str,),
    "binary": (bytes, str),
    "datetime": (str,),
}


def enforce_params(params, specs):
    """Fill defaults and check types of inference params; unknown params are dropped."""
    if not specs:
        if params:
            _logger.warning("Ignoring params %s: the model signature declares no params", sorted(params))
        return None
    params = dict(params or {})
    known = {p.name for p in specs}
    unknown = sorted(set(params) - known)
    if unknown:
        _logger.warning("Ignoring params that the model signature does not declare: %s", unknown)
    result = {}
    for spec in specs:
        value = params.get(spec.name, spec.default)
        if value is not None and spec.name in params:
            value = _check_param(spec, value)
        result[spec.name] = value
    return result


def _check_param(spec, value):
    allowed = _PARAM_PY_TYPES.get(spec.type, (object,))

    def one(item):
        if isinstance(item, bool) and spec.type != "boolean":
            _fail(f"Param {spec.name!r} expects {spec.type}, got the boolean {item!r}")
        if not isinstance(item, allowed):
            _fail(f"Param {spec.name!r} expects {spec.type}, got {item!r} ({type(item).__name__})")
        return float(item) if spec.type in ("float", "double") else item

    if spec.shape:
        if not isinstance(value, list):
            _fail(f"Param {spec.name!r} expects a list of {spec.type}, got {value!r}")
        return [one(v) for v in value]
    return one(value)
