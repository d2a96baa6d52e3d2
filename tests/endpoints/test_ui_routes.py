"""The routes MLflow's UI calls outside the protobuf services, by raw requests (the client has no call for them).

Each runs in-process on a sqlite and a file store; shapes and messages are MLflow 3.17.2's.
"""

import pytest

from tests.server.conftest import api, create_run, make_client


@pytest.fixture(params=["sqlite", "file"])
def client(request, tmp_path):
    test_client, _ = make_client(tmp_path, request.param)
    with test_client:
        yield test_client


def log_metrics(client, run_id, key, points):
    metrics = [{"key": key, "value": v, "timestamp": t, "step": s} for s, t, v in points]
    response = client.post(api("/runs/log-batch"), json={"run_id": run_id, "metrics": metrics})
    assert response.status_code == 200, response.text


# ---- metrics/get-history-bulk ------------------------------------------------
def test_get_history_bulk_returns_each_runs_history_tagged_with_its_run(client):
    experiment_id, first = create_run(client)
    second = client.post(api("/runs/create"), json={"experiment_id": experiment_id}).json()["run"]["info"]["run_id"]
    log_metrics(client, first, "loss", [(0, 10, 1.0), (1, 20, 0.5)])
    log_metrics(client, second, "loss", [(0, 15, 2.0)])
    response = client.get("/ajax-api/2.0/mlflow/metrics/get-history-bulk",
                          params=[("run_id", first), ("run_id", second), ("metric_key", "loss")])
    assert response.status_code == 200, response.text
    got = response.json()["metrics"]
    expected = sorted([
        {"key": "loss", "value": 1.0, "timestamp": 10, "step": 0, "run_id": first},
        {"key": "loss", "value": 0.5, "timestamp": 20, "step": 1, "run_id": first},
        {"key": "loss", "value": 2.0, "timestamp": 15, "step": 0, "run_id": second},
    ], key=lambda m: (m["run_id"], m["timestamp"]))
    assert got == expected
    limited = client.get("/ajax-api/2.0/mlflow/metrics/get-history-bulk",
                         params=[("run_id", first), ("run_id", second), ("metric_key", "loss"), ("max_results", 1)])
    assert len(limited.json()["metrics"]) == 1


@pytest.mark.parametrize("params, message", [
    ([("metric_key", "loss")], "GetMetricHistoryBulk request must specify at least one run_id."),
    ([("run_id", "a" * 32)], "GetMetricHistoryBulk request must specify a metric_key."),
    ([("run_id", f"{i:032x}") for i in range(101)] + [("metric_key", "m")],
     "GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids."),
])
def test_get_history_bulk_refuses_bad_requests(client, params, message):
    response = client.get("/ajax-api/2.0/mlflow/metrics/get-history-bulk", params=params)
    assert response.status_code == 400
    assert response.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": message}


# ---- metrics/get-history-bulk-interval validation ------------------------------
@pytest.mark.parametrize("extra, message", [
    ({"start_step": 5, "end_step": 1}, "end_step must be greater than start_step. Found start_step=5 and end_step=1."),
    ({"start_step": 1}, "If either start step or end step are specified, both must be specified."),
    ({"end_step": 1}, "If either start step or end step are specified, both must be specified."),
])
def test_bulk_interval_refuses_bad_step_ranges_even_without_points(client, extra, message):
    _, run_id = create_run(client)
    response = client.get(api("/metrics/get-history-bulk-interval"),
                          params={"run_ids": run_id, "metric_key": "never-logged", **extra})
    assert response.status_code == 400
    assert response.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": message}


def test_bulk_interval_keeps_steps_inside_the_range(client):
    _, run_id = create_run(client)
    log_metrics(client, run_id, "acc", [(s, 100 + s, s / 10) for s in range(10)])
    response = client.get(api("/metrics/get-history-bulk-interval"),
                          params={"run_ids": run_id, "metric_key": "acc", "start_step": 2, "end_step": 4})
    assert response.status_code == 200, response.text
    assert [m["step"] for m in response.json()["metrics"]] == [2, 3, 4]


# ---- experiments/search-datasets -------------------------------------------------
def test_search_datasets_lists_each_dataset_with_its_context(client):
    experiment_id, run_id = create_run(client)
    dataset = {"name": "train", "digest": "d1", "source_type": "local", "source": "{}"}
    inputs = [{"dataset": dataset, "tags": [{"key": "mlflow.data.context", "value": "training"}]},
              {"dataset": {**dataset, "name": "raw", "digest": "d2"}}]
    assert client.post(api("/runs/log-inputs"), json={"run_id": run_id, "datasets": inputs}).status_code == 200
    response = client.post("/ajax-api/2.0/mlflow/experiments/search-datasets", json={"experiment_ids": [experiment_id]})
    assert response.status_code == 200, response.text
    summaries = sorted(response.json()["dataset_summaries"], key=lambda s: s["name"])
    assert summaries == [
        {"experiment_id": experiment_id, "name": "raw", "digest": "d2"},
        {"experiment_id": experiment_id, "name": "train", "digest": "d1", "context": "training"},
    ]


def test_search_datasets_refuses_bad_requests(client):
    path = "/ajax-api/2.0/mlflow/experiments/search-datasets"
    response = client.post(path, json={})
    assert response.json()["message"] == "SearchDatasets request must specify at least one experiment_id."
    response = client.post(path, json={"experiment_ids": [str(i) for i in range(21)]})
    assert response.json()["message"] == ("SearchDatasets request cannot specify more than 20 experiment_ids. "
                                          "Received 21 experiment_ids.")
    response = client.post(path, content=b'{"experiment_ids": ["0"]}', headers={"Content-Type": "application/xml"})
    assert response.status_code == 400
    assert response.json()["message"] == "Bad Request. Content-Type must be one of ['application/json']."


# ---- upload-artifact and get-artifact ------------------------------------------------
def test_upload_then_get_artifact_with_mlflow_mime_types(client):
    _, run_id = create_run(client)
    files = {"notes/MLmodel": b"flavors: {}\n", "plots/p.png": b"\x89PNG\r\n\x1a\n", "data.bin": b"\x00\x01",
             "conf/c.yaml": b"a: 1\n"}
    for path, data in files.items():
        response = client.post("/ajax-api/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": path},
                               content=data)
        assert response.status_code == 200, response.text
    expected_types = {"notes/MLmodel": "text/plain", "plots/p.png": "image/png",
                      "data.bin": "application/octet-stream", "conf/c.yaml": "text/plain"}
    for path, data in files.items():
        response = client.get("/get-artifact", params={"run_id": run_id, "path": path})
        assert response.status_code == 200, response.text
        assert response.content == data
        assert response.headers["content-type"].split(";")[0] == expected_types[path]
        assert response.headers["content-disposition"] == f"attachment; filename={path.rsplit('/', 1)[-1]}"
        assert response.headers["x-content-type-options"] == "nosniff"
    listed = client.get(api("/artifacts/list"), params={"run_id": run_id, "path": "notes"}).json()
    assert [f["path"] for f in listed["files"]] == ["notes/MLmodel"]


@pytest.mark.parametrize("params, data, message", [
    ({"path": "a.txt"}, b"x", "Request must specify run_uuid."),
    ({"run_uuid": "0" * 32}, b"x", "Request must specify path."),
    ({"run_uuid": "0" * 32, "path": "a.txt"}, b"", "Request must specify data."),
    ({"run_uuid": "0" * 32, "path": "a.txt"}, b"x" * (10 * 1024 * 1024 + 1), "Artifact size is too large. Max size is 10MB."),
])
def test_upload_artifact_refuses_bad_requests(client, params, data, message):
    response = client.post("/ajax-api/2.0/mlflow/upload-artifact", params=params, content=data)
    assert response.status_code == 400
    assert response.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": message}


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/passwd", "a/../../b", "%2e%2e/x"])
def test_artifact_routes_refuse_paths_outside_the_run(client, path):
    _, run_id = create_run(client)
    upload = client.post("/ajax-api/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": path},
                         content=b"x")
    download = client.get("/get-artifact", params={"run_id": run_id, "path": path})
    for response in (upload, download):
        assert response.status_code == 400
        assert response.json()["message"].startswith("Invalid path")


def test_get_artifact_of_a_folder_or_missing_file(client):
    _, run_id = create_run(client)
    client.post("/ajax-api/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": "d/f.txt"}, content=b"x")
    folder = client.get("/get-artifact", params={"run_id": run_id, "path": "d"})
    assert folder.status_code == 400
    assert folder.json()["message"] == "Artifact path refers to a directory, not a file: 'd'"
    assert client.get("/get-artifact", params={"run_id": run_id, "path": "nope.txt"}).status_code == 404
