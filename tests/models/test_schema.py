"""Signature parsing and enforcement (MLflow's conversion rules, clear refusals)."""

import json

import numpy as np
import pandas as pd
import pytest

from runtime.errors import InvalidParameter
from runtime.models.schema import ParamSpec, Schema, Signature, enforce_input, enforce_params


def schema(*specs):
    return Schema.from_json(json.dumps(list(specs)))


def col(name, type_, required=True):
    return {"name": name, "type": type_, "required": required}


def test_signature_round_trips_through_mlmodel_form():
    section = {
        "inputs": json.dumps([col("a", "double"), col("b", "string", False)]),
        "outputs": json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]),
        "params": json.dumps([{"name": "k", "type": "long", "default": 3, "shape": None}]),
    }
    signature = Signature.from_mlmodel(section)
    again = Signature.from_mlmodel(signature.to_mlmodel())
    assert again.inputs.names() == ["a", "b"]
    assert again.inputs.required_names() == ["a"]
    assert again.outputs.is_tensor and again.outputs.specs[0].shape == (-1,)
    assert again.params[0].default == 3


@pytest.mark.parametrize("text, message", [
    ("not json", "not valid JSON"),
    ('{"type": "double"}', "JSON list"),
    ('[{"name": "a"}]', "'type'"),
    ('[{"name": "a", "type": "decimal"}]', "Unsupported type 'decimal'"),
    ('[{"name": "a", "type": "double"}, {"type": "double"}]', "all of its inputs or none"),
])
def test_bad_signatures_are_refused(text, message):
    with pytest.raises(InvalidParameter, match=message):
        Schema.from_json(text)


def test_missing_required_columns_are_named_with_the_extras():
    s = schema(col("a", "double"), col("b", "double"), col("c", "double", False))
    with pytest.raises(InvalidParameter) as info:
        enforce_input(pd.DataFrame({"a": [1.0], "z": [2.0]}), s)
    assert str(info.value) == "Model is missing inputs ['b']. Note that there were extra inputs: ['z']."


def test_optional_columns_may_be_absent_and_extras_are_dropped():
    s = schema(col("a", "double"), col("c", "string", False))
    out = enforce_input(pd.DataFrame({"z": [0], "a": [1.5]}), s)
    assert list(out.columns) == ["a"]


def test_columns_come_back_in_schema_order():
    s = schema(col("a", "long"), col("b", "long"))
    out = enforce_input(pd.DataFrame({"b": [2], "a": [1]}), s)
    assert list(out.columns) == ["a", "b"]


def test_ints_are_accepted_for_doubles_and_floats():
    s = schema(col("a", "double"), col("b", "float"))
    out = enforce_input(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), s)
    assert out["a"].dtype == np.float64 and out["b"].dtype == np.float32


def test_integral_floats_are_accepted_for_longs_but_fractions_are_not():
    s = schema(col("n", "long"))
    assert enforce_input(pd.DataFrame({"n": [1.0, 2.0]}), s)["n"].tolist() == [1, 2]
    with pytest.raises(InvalidParameter, match="Can not safely convert float64 to int64"):
        enforce_input(pd.DataFrame({"n": [1.5]}), s)


def test_missing_values_in_integer_columns_get_a_hint():
    with pytest.raises(InvalidParameter, match="missing values"):
        enforce_input(pd.DataFrame({"n": [1.0, None]}), schema(col("n", "long")))


def test_integer_overflow_is_refused():
    with pytest.raises(InvalidParameter, match="do not fit"):
        enforce_input(pd.DataFrame({"n": [2**40]}), schema(col("n", "integer")))


def test_double_to_float_only_when_exact():
    s = schema(col("f", "float"))
    assert enforce_input(pd.DataFrame({"f": [0.5]}), s)["f"].dtype == np.float32
    with pytest.raises(InvalidParameter, match="float64 to float32"):
        enforce_input(pd.DataFrame({"f": [0.1]}), s)


def test_strings_in_numeric_columns_name_the_value():
    with pytest.raises(InvalidParameter) as info:
        enforce_input(pd.DataFrame({"a": ["x"]}), schema(col("a", "double")))
    assert "'a'" in str(info.value) and "'x'" in str(info.value) and "double" in str(info.value)


def test_booleans_are_not_numbers():
    with pytest.raises(InvalidParameter):
        enforce_input(pd.DataFrame({"a": [True, False]}), schema(col("a", "double")))
    assert enforce_input(pd.DataFrame({"a": [True]}), schema(col("a", "boolean")))["a"].tolist() == [True]
    with pytest.raises(InvalidParameter, match="boolean"):
        enforce_input(pd.DataFrame({"a": [1]}), schema(col("a", "boolean")))


def test_string_columns_need_strings():
    out = enforce_input(pd.DataFrame({"s": ["x", None]}), schema(col("s", "string")))["s"]
    assert out.iloc[0] == "x" and out.isna().iloc[1]
    with pytest.raises(InvalidParameter):
        enforce_input(pd.DataFrame({"s": [1, 2]}), schema(col("s", "string")))


def test_binary_columns_decode_base64():
    out = enforce_input(pd.DataFrame({"b": ["aGVsbG8="]}), schema(col("b", "binary")))
    assert out["b"].tolist() == [b"hello"]
    with pytest.raises(InvalidParameter, match="base64"):
        enforce_input(pd.DataFrame({"b": ["***"]}), schema(col("b", "binary")))


def test_datetime_columns_parse_text():
    out = enforce_input(pd.DataFrame({"t": ["2024-01-02T03:04:05"]}), schema(col("t", "datetime")))
    assert out["t"].dtype.kind == "M"
    with pytest.raises(InvalidParameter, match="datetime"):
        enforce_input(pd.DataFrame({"t": ["yesterday-ish"]}), schema(col("t", "datetime")))


def test_array_columns_need_lists():
    s = schema({"name": "v", "type": "array", "items": {"type": "double"}, "required": True})
    assert enforce_input(pd.DataFrame({"v": [[1.0, 2.0]]}), s)["v"].tolist() == [[1.0, 2.0]]
    with pytest.raises(InvalidParameter, match="array"):
        enforce_input(pd.DataFrame({"v": [3.0]}), s)


def test_dicts_and_records_become_tables():
    s = schema(col("a", "double"), col("b", "double"))
    assert enforce_input({"a": [1.0, 2.0], "b": [3.0, 4.0]}, s).shape == (2, 2)
    assert enforce_input([{"a": 1.0, "b": 2.0}], s).shape == (1, 2)
    assert enforce_input({"a": 1.0, "b": 2.0}, s).shape == (1, 2)


def test_single_column_schema_takes_a_flat_list():
    out = enforce_input([1.0, 2.0, 3.0], schema(col("x", "double")))
    assert out["x"].tolist() == [1.0, 2.0, 3.0]


def test_unnamed_column_schema_checks_the_count():
    s = schema({"type": "double"}, {"type": "double"})
    assert enforce_input(np.array([[1.0, 2.0]]), s).shape == (1, 2)
    with pytest.raises(InvalidParameter, match="declares 2 inputs"):
        enforce_input(np.array([[1.0]]), s)


def test_tensor_schema_checks_dtype_and_shape():
    s = schema({"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}})
    out = enforce_input([[1, 2], [3, 4]], s)
    assert out.dtype == np.float32 and out.shape == (2, 2)
    with pytest.raises(InvalidParameter, match=r"shape \[2, 3\]"):
        enforce_input([[1, 2, 3], [4, 5, 6]], s)
    with pytest.raises(InvalidParameter, match="can not safely convert"):
        enforce_input(np.array([["a", "b"]]), s)


def test_params_defaults_types_and_unknowns():
    specs = [ParamSpec("k", "long", 5), ParamSpec("t", "double", 0.5), ParamSpec("tags", "string", None, [-1])]
    assert enforce_params(None, specs) == {"k": 5, "t": 0.5, "tags": None}
    assert enforce_params({"t": 1, "unknown": 1, "tags": ["a"]}, specs) == {"k": 5, "t": 1.0, "tags": ["a"]}
    with pytest.raises(InvalidParameter, match="'k' expects long"):
        enforce_params({"k": "five"}, specs)
    with pytest.raises(InvalidParameter, match="boolean"):
        enforce_params({"k": True}, specs)
    with pytest.raises(InvalidParameter, match="list"):
        enforce_params({"tags": "a"}, specs)
    assert enforce_params({"anything": 1}, None) is None
