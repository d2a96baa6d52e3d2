"""`mlf models serve` (a real process): MLflow's predictions in every format, 4xx on bad input."""

import json

import pytest
import requests

from runtime.models.flavor_callable import save_callable
from tests.models.conftest import ModelServer

CONTENT_TYPES = {"json": "application/json", "csv": "text/csv"}


def post(server, body, content_type="application/json", path="/invocations"):
    return requests.post(server.url + path, data=body.encode() if isinstance(body, str) else body,
                         headers={"Content-Type": content_type}, timeout=30)


def assert_still_answers(server, mlflow_models):
    assert requests.get(server.url + "/ping", timeout=10).status_code == 200
    _, body = mlflow_models.payloads()["dataframe_split"]
    response = post(server, body)
    assert response.status_code == 200
    assert response.json() == {"predictions": mlflow_models.expected["skops"]}


@pytest.mark.parametrize("name", ["dataframe_split", "dataframe_split_index", "dataframe_records", "instances",
                                  "inputs_columns", "inputs_records", "with_params", "csv"])
def test_every_input_format_gives_mlflows_predictions(skops_server, mlflow_models, name):
    kind, body = mlflow_models.payloads()[name]
    response = post(skops_server, body, CONTENT_TYPES[kind])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"predictions": mlflow_models.expected["skops"]}


def test_charset_parameter_is_accepted(skops_server, mlflow_models):
    _, body = mlflow_models.payloads()["dataframe_split"]
    assert post(skops_server, body, "application/json; charset=utf-8").status_code == 200


def test_health_routes_and_version(skops_server):
    from runtime import __version__

    for path in ("/ping", "/health"):
        response = requests.get(skops_server.url + path, timeout=10)
        assert response.status_code == 200
    assert requests.get(skops_server.url + "/version", timeout=10).text == __version__


@pytest.mark.parametrize("body, content_type, error_code, fragment", [
    ("{not json", "application/json", "BAD_REQUEST", "valid JSON"),
    ('{"foo": {"columns": [], "data": []}}', "application/json", "BAD_REQUEST", "foo"),
    ('{"dataframe_split": {"columns": ["a"], "data": [[1]]}, "unexpected": 1}', "application/json",
     "BAD_REQUEST", "unexpected"),
    ('[1, 2]', "application/json", "BAD_REQUEST", "list"),
    ('{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2]]}}', "application/json",
     "INVALID_PARAMETER_VALUE", "Model is missing inputs"),
    ('{"dataframe_records": [{"sepal length (cm)": "long", "sepal width (cm)": 1, "petal length (cm)": 1,'
     ' "petal width (cm)": 1}]}', "application/json", "INVALID_PARAMETER_VALUE", "sepal length (cm)"),
    ("sepal length (cm),sepal width (cm),petal length (cm)\n1,2,3\n", "text/csv", "INVALID_PARAMETER_VALUE",
     "petal width (cm)"),
    ('a,b\n"1', "text/csv", "BAD_REQUEST", "CSV"),
    ("\xff\xfe", "text/csv", "BAD_REQUEST", ""),
])
def test_bad_payloads_get_400_with_mlflows_error_body(skops_server, mlflow_models, body, content_type,
                                                      error_code, fragment):
    response = post(skops_server, body.encode("latin-1") if body.startswith("\xff") else body, content_type)
    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["error_code"] == error_code
    assert fragment in payload["message"]
    assert_still_answers(skops_server, mlflow_models)


@pytest.mark.parametrize("content_type", ["text/plain", "application/json; charset=latin-1",
                                          "application/json; format=pandas-split"])
def test_unsupported_content_types_get_415(skops_server, mlflow_models, content_type):
    assert post(skops_server, "{}", content_type).status_code == 415
    assert_still_answers(skops_server, mlflow_models)


def test_a_body_over_the_limit_gets_413_and_the_server_stays_up(skops_server, mlflow_models):
    rows = mlflow_models.rows * 2000  # far above the 200000-byte limit of this server
    body = json.dumps({"dataframe_split": {"columns": mlflow_models.columns, "data": rows}})
    assert len(body) > 200000
    response = post(skops_server, body)
    assert response.status_code == 413
    assert response.json()["error_code"] == "BAD_REQUEST"

    def chunks():  # no Content-Length: the limit must hold while streaming too
        for start in range(0, len(body), 65536):
            yield body[start:start + 65536].encode()

    streamed = requests.post(skops_server.url + "/invocations", data=chunks(),
                             headers={"Content-Type": "application/json"}, timeout=30)
    assert streamed.status_code == 413
    assert_still_answers(skops_server, mlflow_models)


def test_wrong_method_and_unknown_path(skops_server):
    assert requests.get(skops_server.url + "/invocations", timeout=10).status_code == 405
    assert requests.get(skops_server.url + "/nope", timeout=10).status_code == 404


@pytest.mark.parametrize("fmt", ["cloudpickle", "pickle"])
def test_pickle_formats_serve_the_same_predictions(mlflow_models, fmt):
    with ModelServer(mlflow_models.path(f"sk_{fmt}"), ["--env-manager", "local"]) as server:
        kind, body = mlflow_models.payloads()["csv"]
        response = post(server, body, CONTENT_TYPES[kind])
        assert response.json() == {"predictions": mlflow_models.expected[fmt]}


def test_slow_predictions_time_out_with_504(tmp_path):
    def slow(data):  # defined here so that cloudpickle stores it by value
        import time

        time.sleep(5)
        return data

    model = save_callable(slow, str(tmp_path / "slow"))
    with ModelServer(model, ["--env-manager", "local", "--timeout", "1"]) as server:
        response = post(server, '{"inputs": [1, 2]}')
        assert response.status_code == 504
        assert requests.get(server.url + "/ping", timeout=10).status_code == 200


def test_two_workers_and_env_var_options(mlflow_models):
    with ModelServer(mlflow_models.path("sk_skops"), ["--env-manager", "local"],
                     env={"MLFLOW_MODELS_WORKERS": "2", "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT": "30"}) as server:
        _, body = mlflow_models.payloads()["inputs_columns"]
        for _ in range(4):
            assert post(server, body).json() == {"predictions": mlflow_models.expected["skops"]}
        import time

        deadline = time.monotonic() + 30
        while server.output().count("Started server process") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.output().count("Started server process") == 2, server.output()


def test_v2_inference_protocol(mlflow_models):
    with ModelServer(mlflow_models.path("sk_skops"), ["--env-manager", "local", "--enable-mlserver"],
                     env={"MLSERVER_MODEL_NAME": "iris"}) as server:
        for path in ("/v2/health/live", "/v2/health/ready", "/v2/models/iris/ready"):
            assert requests.get(server.url + path, timeout=10).status_code == 200
        assert requests.get(server.url + "/v2/models/other/ready", timeout=10).status_code == 404
        metadata = requests.get(server.url + "/v2/models/iris", timeout=10).json()
        assert [i["name"] for i in metadata["inputs"]] == mlflow_models.columns
        assert {i["datatype"] for i in metadata["inputs"]} == {"FP64"}
        inputs = [{"name": c, "shape": [len(mlflow_models.rows)], "datatype": "FP64",
                   "data": [row[i] for row in mlflow_models.rows]} for i, c in enumerate(mlflow_models.columns)]
        response = requests.post(server.url + "/v2/models/iris/infer", json={"id": "r1", "inputs": inputs}, timeout=30)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model_name"] == "iris" and body["id"] == "r1"
        (output,) = body["outputs"]
        assert output["datatype"] == "INT64" and output["shape"] == [len(mlflow_models.rows)]
        assert output["data"] == mlflow_models.expected["skops"]
        bad = requests.post(server.url + "/v2/models/iris/infer", json={"inputs": [{"name": "x"}]}, timeout=30)
        assert bad.status_code == 400 and "missing" in bad.json()["error"]
        # the classic protocol keeps working next to V2
        _, classic = mlflow_models.payloads()["dataframe_split"]
        assert post(server, classic).json() == {"predictions": mlflow_models.expected["skops"]}


def _double(data, params=None):
    return [2 * value for value in data["x"]]


def test_start_up_leaves_the_server_ready_for_its_first_request(tmp_path):
    """Everything a request needs is imported before /ping; the collector is back on, start-up objects frozen."""
    import subprocess
    import sys

    model = save_callable(_double, str(tmp_path / "double"))
    script = (
        "import gc, json, sys\n"
        "from runtime.models.server import loaded_app\n"
        f"loaded_app({model!r})\n"
        "print(json.dumps({'pandas': 'pandas' in sys.modules, 'collecting': gc.isenabled(),\n"
        "                  'frozen': gc.get_freeze_count()}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout)
    assert report["pandas"] is True and report["collecting"] is True
    assert report["frozen"] > 10_000
