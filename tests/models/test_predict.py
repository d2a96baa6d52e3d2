"""`mlf models predict` (a real process) gives MLflow's predictions in every input format."""

import json

import pytest

from tests.models.conftest import FORMATS, run_mlf

PAYLOAD_NAMES = ("dataframe_split", "dataframe_split_index", "dataframe_records", "instances", "inputs_columns",
                 "inputs_records", "with_params", "csv")


@pytest.mark.parametrize("name", PAYLOAD_NAMES)
def test_every_input_format_gives_mlflows_predictions(mlflow_models, tmp_path, name):
    content_type, body = mlflow_models.payloads()[name]
    source = tmp_path / f"input.{content_type}"
    source.write_text(body)
    result = run_mlf("models", "predict", "-m", mlflow_models.path("sk_skops"), "-i", source, "-t", content_type,
                     "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"predictions": mlflow_models.expected["skops"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_serialization_format_from_stdin_to_a_file(mlflow_models, tmp_path, fmt):
    _, body = mlflow_models.payloads()["dataframe_split"]
    output = tmp_path / "out.json"
    result = run_mlf("models", "predict", "-m", mlflow_models.path(f"sk_{fmt}"), "-o", output,
                     "--env-manager", "local", input_text=body)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(output.read_text()) == {"predictions": mlflow_models.expected[fmt]}


def test_predict_fn_output_is_a_list_of_rows(mlflow_models, tmp_path):
    _, body = mlflow_models.payloads()["dataframe_records"]
    result = run_mlf("models", "predict", "-m", mlflow_models.path("sk_proba"), "--env-manager", "local",
                     input_text=body)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)["predictions"]
    assert len(got) == len(mlflow_models.expected["proba"])
    for row, want in zip(got, mlflow_models.expected["proba"]):
        assert row == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("content_type, body, message", [
    ("json", "{not json", "valid JSON"),
    ("json", '{"foo": []}', "foo"),
    ("json", '{"dataframe_split": {"columns": ["a"], "data": [[1]]}}', "Model is missing inputs"),
    ("csv", "a,b\n1,2\n", "Model is missing inputs"),
])
def test_bad_input_exits_non_zero_with_one_line(mlflow_models, content_type, body, message):
    result = run_mlf("models", "predict", "-m", mlflow_models.path("sk_skops"), "-t", content_type,
                     "--env-manager", "local", input_text=body)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_content_type_is_refused(mlflow_models):
    # Free text as in mlflow; checked at run time with a one-line error.
    result = run_mlf("models", "predict", "-m", mlflow_models.path("sk_skops"), "-t", "parquet",
                     "--env-manager", "local", input_text="{}")
    assert result.returncode == 1
    assert "parquet" in result.stderr and result.stderr.count("\n") == 1


def test_missing_model_and_missing_input_file(mlflow_models, tmp_path):
    result = run_mlf("models", "predict", "-m", tmp_path / "nope", "--env-manager", "local", input_text="{}")
    assert result.returncode == 1 and "does not exist" in result.stderr
    result = run_mlf("models", "predict", "-m", mlflow_models.path("sk_skops"), "-i", tmp_path / "none.json",
                     "--env-manager", "local")
    assert result.returncode == 1 and "none.json" in result.stderr


def test_local_env_manager_refuses_overrides_and_env(mlflow_models):
    base = ["models", "predict", "-m", mlflow_models.path("sk_skops"), "--env-manager", "local"]
    result = run_mlf(*base, "-r", "pandas", input_text="{}")
    assert result.returncode == 1 and "--pip-requirements-override" in result.stderr
    result = run_mlf(*base, "--env", "A=1", input_text="{}")
    assert result.returncode == 1 and "--env" in result.stderr


def test_pickle_opt_out_applies_to_the_cli(mlflow_models):
    _, body = mlflow_models.payloads()["dataframe_split"]
    result = run_mlf("models", "predict", "-m", mlflow_models.path("sk_pickle"), "--env-manager", "local",
                     input_text=body, env={"MLF_ALLOW_PICKLE": "false"})
    assert result.returncode == 1 and "MLF_ALLOW_PICKLE" in result.stderr
