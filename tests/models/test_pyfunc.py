"""Loading MLflow-saved models behind mlf's pyfunc interface."""

import json
import shutil

import numpy as np
import pytest

from runtime.errors import InvalidParameter, MlfError
from runtime.models.flavor_callable import save_callable
from runtime.models.model_dir import ModelDir
from runtime.models.pyfunc import load_local, load_model, supported_loader_modules
from runtime.models.schema import ColSpec, Schema, Signature
from tests.models.conftest import FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_serialization_format_predicts_like_mlflow(mlflow_models, fmt):
    model = load_local(mlflow_models.path(f"sk_{fmt}"))
    assert model.predict(mlflow_models.frame()).tolist() == mlflow_models.expected[fmt]


def test_predict_fn_predict_proba_is_honoured(mlflow_models):
    model = load_local(mlflow_models.path("sk_proba"))
    got = model.predict(mlflow_models.frame())
    np.testing.assert_allclose(got, np.array(mlflow_models.expected["proba"]), rtol=1e-12)


def test_model_without_signature_takes_plain_arrays(mlflow_models):
    model = load_local(mlflow_models.path("sk_nosig"))
    assert model.input_schema is None
    assert model.predict(np.array(mlflow_models.rows)).tolist() == mlflow_models.expected["nosig"]


def test_load_model_accepts_file_uri(mlflow_models):
    from pathlib import Path

    uri = Path(mlflow_models.path("sk_skops")).as_uri()
    assert load_model(uri).predict(mlflow_models.frame()).tolist() == mlflow_models.expected["skops"]


def test_model_metadata_matches_what_mlflow_wrote(mlflow_models):
    model_dir = ModelDir.load(mlflow_models.path("sk_cloudpickle"))
    assert model_dir.loader_module == "mlflow.sklearn"
    assert model_dir.flavor("sklearn")["serialization_format"] == "cloudpickle"
    assert model_dir.data_path().endswith("model.pkl")
    assert model_dir.mlflow_version == "3.17.2"
    assert len(model_dir.model_uuid) == 32
    assert model_dir.python_version.count(".") == 2
    assert model_dir.env_file("virtualenv").endswith("python_env.yaml")
    assert model_dir.env_file("conda").endswith("conda.yaml")
    signature = model_dir.signature
    assert signature.inputs.names() == mlflow_models.columns
    assert [s.type for s in signature.inputs.specs] == ["double"] * 4
    assert signature.outputs.is_tensor and signature.outputs.specs[0].dtype == "int64"
    example = model_dir.input_example()
    assert example["columns"] == mlflow_models.columns and len(example["data"]) == 3
    assert "dataframe_split" in json.loads(model_dir.serving_input_example())


@pytest.mark.parametrize("fmt", ["pickle", "cloudpickle"])
def test_pickle_formats_refused_when_opted_out(mlflow_models, fmt, monkeypatch):
    monkeypatch.setenv("MLF_ALLOW_PICKLE", "false")
    with pytest.raises(MlfError, match="MLF_ALLOW_PICKLE=false"):
        load_local(mlflow_models.path(f"sk_{fmt}"))


def test_skops_still_loads_when_pickle_is_opted_out(mlflow_models, monkeypatch):
    monkeypatch.setenv("MLF_ALLOW_PICKLE", "false")
    assert load_local(mlflow_models.path("sk_skops")).predict(mlflow_models.frame()).tolist() == \
        mlflow_models.expected["skops"]


def test_mlflow_switch_refuses_every_format(mlflow_models, monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "false")
    with pytest.raises(MlfError, match="MLFLOW_ALLOW_PICKLE_DESERIALIZATION"):
        load_local(mlflow_models.path("sk_skops"))


def edited_copy(mlflow_models, tmp_path, name, flavor, key, value):
    """A copy of an MLflow-saved model with one MLmodel flavor setting changed."""
    target = tmp_path / "model"
    shutil.copytree(mlflow_models.path(name), target)
    model_dir = ModelDir.load(target)
    model_dir.meta["flavors"][flavor][key] = value
    model_dir.save()
    return target


def test_unknown_loader_module_lists_supported_ones(mlflow_models, tmp_path):
    target = edited_copy(mlflow_models, tmp_path, "sk_skops", "python_function", "loader_module", "mlflow.pytorch")
    with pytest.raises(InvalidParameter) as info:
        load_local(target)
    message = str(info.value)
    assert "mlflow.pytorch" in message
    for name in supported_loader_modules():
        assert name in message


def test_unknown_serialization_format_is_refused(mlflow_models, tmp_path):
    target = edited_copy(mlflow_models, tmp_path, "sk_skops", "sklearn", "serialization_format", "joblib")
    with pytest.raises(InvalidParameter, match="joblib"):
        load_local(target)


def test_missing_model_and_missing_mlmodel(tmp_path):
    from runtime.errors import NotFound

    with pytest.raises(NotFound):
        load_local(tmp_path / "nowhere")
    with pytest.raises(NotFound, match="MLmodel"):
        load_local(tmp_path)


def test_model_path_escaping_the_directory_is_refused(mlflow_models, tmp_path):
    target = edited_copy(mlflow_models, tmp_path, "sk_pickle", "sklearn", "pickled_model", "../../etc/passwd")
    with pytest.raises(InvalidParameter, match="outside"):
        load_local(target)


def _scale(data, params=None):
    factor = (params or {}).get("factor", 1.0)
    return (data["x"] * factor).to_numpy()


def test_callable_flavor_round_trip_with_params(tmp_path):
    import pandas as pd

    from runtime.models.schema import ParamSpec

    signature = Signature(Schema([ColSpec("double", "x")]), None, [ParamSpec("factor", "double", 1.0)])
    path = save_callable(_scale, str(tmp_path / "m"), signature=signature, input_example=pd.DataFrame({"x": [1.0]}))
    model_dir = ModelDir.load(path)
    assert model_dir.loader_module == "mlf"
    for name in ("requirements.txt", "conda.yaml", "python_env.yaml", "input_example.json", "callable.pkl"):
        assert (tmp_path / "m" / name).is_file()
    model = load_local(path)
    assert model.predict(pd.DataFrame({"x": [1, 2]})).tolist() == [1.0, 2.0]
    assert model.predict(pd.DataFrame({"x": [1.0, 2.0]}), params={"factor": 3}).tolist() == [3.0, 6.0]
    with pytest.raises(InvalidParameter, match="factor"):
        model.predict(pd.DataFrame({"x": [1.0]}), params={"factor": "big"})


def test_callable_flavor_is_pickle_and_can_be_refused(tmp_path, monkeypatch):
    path = save_callable(lambda data: data, str(tmp_path / "m"))
    monkeypatch.setenv("MLF_ALLOW_PICKLE", "false")
    with pytest.raises(MlfError, match="cloudpickle"):
        load_local(path)


def test_save_callable_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "x").write_text("x")
    with pytest.raises(InvalidParameter, match="not empty"):
        save_callable(lambda d: d, str(tmp_path / "m"))
